// SPDX-License-Identifier: GPL-2.0-or-later
/* One run of a tracing command (see run.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "cgpaths.h"
#include "cli.h"
#include "clock.h"
#include "collect.h"
#include "lden.h"
#include "nsinfo.h"
#include "run.h"

struct lden_run *lden_run__new(struct lden_cmdline *cl,
			       const struct ltr_session_opts *so,
			       unsigned int flags)
{
	struct lden_run *r = calloc(1, sizeof(*r));
	struct ltr_session_opts o = { 0 };

	if (!r) {
		lden_err("out of memory");
		return NULL;
	}
	r->cl = cl;
	lden_catch_stop_signals();
	if (flags & LDEN_RUN_KEEP_HUP)
		signal(SIGHUP, SIG_DFL);
	if (so)
		o = *so;
	o.ring = cl->ring;
	lden_debug("opening the session");
	r->s = ltr_session__new(&o);
	if (!r->s) {
		lden_err("%s", ltr_last_error());
		goto out_free;
	}
	/* a kill -9 runs no handler: what lden put in tracefs is removed
	 * all the same, by a watcher, as soon as lden is gone */
	if (ltr_sweep_at_exit(ltr_session__tracing_dir(r->s)) < 0)
		lden_debug("no watcher for the end: %s", ltr_last_error());
	if (cl->scope.command && lden_command_start(&cl->scope) < 0) {
		lden_cli__err("cannot start the command: %s", strerror(errno));
		goto out_free;
	}
	/* held before its exec: the instance can follow it from its start */
	if (cl->scope.command &&
	    ltr_session__follow(r->s, cl->scope.command_pid) < 0) {
		lden_err("%s", ltr_last_error());
		goto out_free;
	}
	cl->scope.no_twins = !lden_guard_opts__active(&cl->guard);
	return r;

out_free:
	lden_run__free(r);
	return NULL;
}

int lden_run__attach(struct lden_run *r,
		     int (*attach)(void *ctx, struct lden_run *r,
				   struct lden_guard **g),
		     int (*enable)(void *ctx), void *ctx)
{
	struct lden_guard *g = NULL;
	int status;

	if (!r)
		return LDEN_EXIT_FAIL;
	lden_debug("session made; attaching");
	status = attach(ctx, r, &g);
	lden_debug("attached");
	if (status) {
		lden_guard__free(g);
		/* a signal stopped the start: its status, as at any signal */
		if (lden_stop_signal && lden_stop_signal != SIGPIPE)
			return 128 + lden_stop_signal;
		return status;
	}
	return lden_run__start(r, g, enable, ctx);
}

int lden_run__start(struct lden_run *r, struct lden_guard *g,
		    int (*enable)(void *ctx), void *ctx)
{
	const char *why;

	if (!g) {
		lden_err("out of memory");
		return LDEN_EXIT_FAIL;
	}
	r->guard = g;
	if ((enable ? enable(ctx) : ltr_session__enable(r->s)) < 0) {
		lden_err("%s", ltr_last_error());
		return LDEN_EXIT_FAIL;
	}
	r->start = lden_now();
	lden_debug("started");
	/* --pid: the threads alive at the start were each opened */
	if (!ltr_session__supports(r->s, LTR_FEATURE_INHERIT_THREAD, &why))
		lden_err("%s", why);
	if (r->cl->time_limit > 0)
		r->end = r->start + r->cl->time_limit;
	lden_guard__start(g, r->start);
	return 0;
}

void lden_run__go(struct lden_run *r)
{
	lden_command_go(&r->cl->scope);
}

bool lden_run__done(struct lden_run *r, double now)
{
	/* output that cannot be written: no use tracing on */
	return lden_stop_signal || lden_stdout_errno ||
	       (r->end && now >= r->end) ||
	       lden_command_poll(&r->cl->scope);
}

int lden_guard__say(struct lden_guard *g, int n, const char *effect,
		   void (*said)(struct lden_guard_action *a, void *ctx),
		   void *ctx)
{
	int total;
	char msg[512];

	if (n < 0) {
		lden_cli__err("guard: %s", ltr_last_error());
		return -1;
	}
	total = lden_guard__nactions(g);
	for (int i = total - n; i < total; i++) {
		struct lden_guard_action *a = lden_guard__find(g,
			lden_guard__action(g, i)->event);

		if (said)
			said(a, ctx);
		if (effect)
			lden_guard__message_for(a, effect, msg, sizeof(msg));
		else
			lden_guard__message(a, msg, sizeof(msg));
		lden_err("%s", msg);
	}
	return 0;
}

int lden_run__guard_tick(struct lden_run *r, double now,
			 int (*fn)(const struct ltr_sample *, void *),
			 void *fn_ctx, const char *effect,
			 void (*said)(struct lden_guard_action *, void *),
			 void *said_ctx)
{
	return lden_guard__say(r->guard, lden_guard__tick(r->guard, r->s, now,
							fn, fn_ctx),
			      effect, said, said_ctx);
}

int lden_run__loop(struct lden_run *r, const struct lden_run_loop *l)
{
	while (!lden_run__done(r, lden_now())) {
		double now = lden_now();
		int ms = l->wait ? l->wait(l->ctx, now) : 100;
		int n;

		if (ms < 0)
			continue;
		n = ltr_session__poll(r->s, ms, l->on_sample, l->ctx);
		if (n < 0 && n != -EINTR) {
			lden_cli__err("reading samples: %s", strerror(-n));
			return LDEN_EXIT_FAIL;
		}
		if (l->read && l->read(l->ctx, now))
			return LDEN_EXIT_FAIL;
		if (lden_run__guard_tick(r, lden_now(), l->on_sample, l->ctx,
					 l->guard_effect, l->guard_said,
					 l->ctx) < 0)
			return LDEN_EXIT_FAIL;
		if (l->after)
			l->after(l->ctx, now);
	}
	lden_guard__end(r->guard);
	if (lden_collect__settle(r->s, l->on_sample, l->ctx) < 0) {
		lden_cli__err("reading samples: %s", ltr_last_error());
		return LDEN_EXIT_FAIL;
	}
	if (l->last)
		l->last(l->ctx);
	return LDEN_EXIT_OK;
}

const struct lden_nsinfo *lden_run__ns(struct lden_run *r, pid_t tid)
{
	static const struct lden_nsinfo unknown = { .container = "?" };

	if (!r->ns)
		r->ns = lden_nscache__new();
	return r->ns ? lden_nscache__get(r->ns, tid) : &unknown;
}

bool lden_run__keep(struct lden_run *r, const struct ltr_sample *s)
{
	const struct lden_nsinfo *ni;

	if (!r->cl->scope.netns)
		return true;
	ni = lden_run__ns(r, (pid_t)s->tid);
	if (!ni->known) {
		r->ns_unknown++;
		return false;
	}
	return ni->ns[LTR_NS_NET] == r->cl->scope.netns;
}

void lden_run__ns_say(struct lden_run *r, bool shown)
{
	uint64_t tasks = r->ns ? lden_nscache__unknown(r->ns) : 0;

	if (r->cl->scope.netns)
		lden_cli__err("--netns: %llu sample%s of %llu task%s whose namespace could not be read (exited before lden read /proc) not counted",
			     (unsigned long long)r->ns_unknown,
			     r->ns_unknown == 1 ? "" : "s",
			     (unsigned long long)tasks, tasks == 1 ? "" : "s");
	else if (shown && tasks)
		lden_cli__err("%llu task%s exited before lden read their namespaces: shown as unknown (0, container '?')",
			     (unsigned long long)tasks, tasks == 1 ? "" : "s");
}

/* The run's cgroup id -> path cache, made at its first use; NULL: ENOMEM. */
static struct lden_cgpaths *cgpaths(struct lden_run *r)
{
	if (!r->cgpaths)
		r->cgpaths = lden_cgpaths__new(NULL);
	return r->cgpaths;
}

void lden_run__container(struct lden_run *r, pid_t tid, bool has_id,
			 uint64_t cgroup_id, struct lden_run_container *c)
{
	const struct lden_nsinfo *ni;

	c->err = 0;
	if (has_id) {
		/* no memory: unknown, as a cgroup not found */
		c->err = cgpaths(r) ? lden_cgpaths__container_of(r->cgpaths,
					cgroup_id, &c->name) : -ENOENT;
		c->prov = c->err ? LDEN_PROV_NONE : LDEN_PROV_EXACT;
		if (c->err)
			c->name = "?";
		return;
	}
	ni = lden_run__ns(r, tid);
	c->name = ni->container;
	c->prov = strcmp(ni->container, "?") ? LDEN_PROV_LATE : LDEN_PROV_NONE;
	if (c->prov == LDEN_PROV_NONE)
		c->err = -ESRCH;
}

void lden_run__cgroup_seen(struct lden_run *r, uint64_t cgroup_id)
{
	const char *path;

	if (cgpaths(r))
		lden_cgpaths__lookup(r->cgpaths, cgroup_id, &path);
}

void lden_run__container_shown(struct lden_run *r,
			       const struct lden_run_container *c)
{
	r->containers[c->prov == LDEN_PROV_EXACT ? 0 :
		      c->prov == LDEN_PROV_LATE ? 1 : 2]++;
	if (c->err == -ENOENT)
		r->containers_removed++;
	else if (c->err == -ENAMETOOLONG)
		r->containers_too_long++;
}

const char *lden_run__container_why(int err)
{
	return err == -ENOENT ? "cgroup removed" :
	       err == -ENAMETOOLONG ? "cgroup path too long" : "process gone";
}

void lden_run__container_header(struct lden_run *r)
{
	const char *why;

	if (!ltr_session__supports(r->s, LTR_FEATURE_SAMPLE_CGROUP, &why))
		lden_err("%s: containers read from /proc at each task's first record (marked ?)",
			 why);
}

void lden_run__container_say(struct lden_run *r)
{
	const uint64_t *n = r->containers;
	uint64_t gone = n[2] - r->containers_removed - r->containers_too_long;
	char why[256] = "";

	if (!n[0] && !n[1] && !n[2])
		return;
	if (n[2])
		snprintf(why, sizeof(why), ": %llu cgroup removed before lden resolved its id, %llu cgroup path longer than %d bytes, %llu process gone before lden read /proc",
			 (unsigned long long)r->containers_removed,
			 (unsigned long long)r->containers_too_long,
			 PATH_MAX - 1, (unsigned long long)gone);
	lden_err("containers shown: %llu exact (the kernel's cgroup id at the event), %llu late (read from /proc at the task's first record, marked ?), %llu unknown (?)%s",
		 (unsigned long long)n[0], (unsigned long long)n[1],
		 (unsigned long long)n[2], why);
}

/* Why a gap was not proven either way (ltr_follow_gap's frees_dropped). */
static const char *unproven(uint64_t dropped, char *buf, size_t size)
{
	if (dropped == UINT64_MAX)
		return "lden could not read the machine's frees";
	if (!dropped)
		return "its free not seen by the end";
	snprintf(buf, size,
		 "%llu frees of the machine dropped before lden read them, its free maybe among them",
		 (unsigned long long)dropped);
	return buf;
}

void lden_run__gaps_say(struct lden_run *r)
{
	const struct ltr_follow_gap *g;
	char why[128];
	size_t n;

	g = ltr_session__follow_gaps(r->s, &n);
	for (size_t i = 0; i < n; i++) {
		char span[64] = "from its start on", back[128];

		if (g[i].to != UINT64_MAX)
			snprintf(span, sizeof(span), "over %.3f ms",
				 (double)(g[i].to - g[i].from) / 1e6);
		if (g[i].started)
			snprintf(back, sizeof(back),
				 "; lden put it back after, with the %u tasks it started then still alive (followed from then on)",
				 g[i].started);
		else
			snprintf(back, sizeof(back), "%s",
				 g[i].put_back ? "; lden put it back after" :
						 ", up to its exit");
		if (g[i].taken_out)
			lden_err("records of process %u may be missing %s, and those of the children it started then (missed, count unknown): it was given the id of an earlier process %s, which the kernel took out of its pid filter (set_event_pid) when that process was freed%s",
				 g[i].pid, span,
				 g[i].foreign ? "not the command's" :
						"of the command",
				 back);
		else
			lden_err("records of process %u may be missing %s, and those of the children it started then (missed, count unknown): it was given the id of an earlier process of the command, which the kernel takes out of its pid filter (set_event_pid) when that process is freed, not proven to come before its start (%s)",
				 g[i].pid, span, unproven(g[i].frees_dropped, why, sizeof(why)));
	}
}

int lden_run__end(struct lden_run *r, int status)
{
	int st = r->cl->scope.command_status;
	uint64_t unknown = ltr_session__unknown_pids(r->s);

	lden_run__gaps_say(r);
	/* the ftrace ring's follow: shown, not given a process guessed */
	if (unknown)
		lden_err("%llu records shown with their thread id as the process id: their process not known (their task's fork not read: lost, or too many records waited for it)",
			 (unsigned long long)unknown);

	if (!r->cl->scope.command || st < 0)
		return status;
	if (WIFEXITED(st))
		fprintf(stderr, "lden: the command exited with status %d\n",
			WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		fprintf(stderr, "lden: the command was killed by signal %d\n",
			WTERMSIG(st));
	/* lden's own failure first; else the command's, as perf stat does */
	if (status != LDEN_EXIT_OK)
		return status;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * LDEN_TEST_HOLD_CLOSE=PATH, for tests: once the run has stopped and
 * before its session is closed (its instance still there), PATH.held is
 * made and lden waits, 10 s at most, for PATH.go.
 */
static void test_hold_close(void)
{
	const char *at = getenv("LDEN_TEST_HOLD_CLOSE");
	char path[4096];
	int fd;

	if (!at || !*at)
		return;
	snprintf(path, sizeof(path), "%s.held", at);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s.go", at);
	for (int i = 0; i < 1000 && access(path, F_OK) < 0; i++)
		usleep(10000);
}

void lden_run__free(struct lden_run *r)
{
	if (!r)
		return;
	/* a command never released exits without running */
	lden_command_abandon(&r->cl->scope);
	lden_guard__free(r->guard);
	lden_debug("guard stopped");
	lden_nscache__free(r->ns);
	lden_cgpaths__free(r->cgpaths);
	lden_scope__release(&r->cl->scope);
	test_hold_close();
	lden_debug("closing the session");
	ltr_session__free(r->s);
	lden_debug("session closed");
	free(r);
}
