// SPDX-License-Identifier: GPL-2.0-or-later
/* A run of lden io (see io-run.h). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "clock.h"
#include "collect.h"
#include "io-output.h"
#include "io-run.h"
#include "lden.h"
#include "lden-trace.h"
#include "proc.h"

#define SUMMARY_MAX_KEYS 4096

/*
 * A --pid process, traced in all its threads (those it creates later
 * too: lden_scope's threads), or a thread named alone.
 */
static int add_tasks(struct lden_io_opts *io, pid_t pid)
{
	if (!lden_proc__alive(pid)) {
		lden_cli__err("no process %d (--pid)", (int)pid);
		return -1;
	}
	io->tasks[io->ntasks++] = pid;
	return 0;
}

static bool passes(const struct lden_io_run *r, const struct lden_io_event *ev)
{
	if (r->o.comm && strcmp(ev->comm, r->o.comm))
		return false;
	if (r->o.path_glob &&
	    !(ev->path && !fnmatch(r->o.path_glob, ev->path, 0)) &&
	    !(ev->path2 && !fnmatch(r->o.path_glob, ev->path2, 0)))
		return false;
	return true;
}

static void on_event(const struct lden_io_event *ev, void *ctx)
{
	struct lden_io_run *r = ctx;
	/* not on the stack: a call's cost must not grow with the longest
	 * path (io runs in one thread) */
	static char fkey[LDEN_IO_PATH_MAX + 2];
	char key[64], fdname[32];
	const char *path = ev->path;
	char kind = LDEN_IO_KEY_EXACT;
	struct lden_run_container ctr;
	struct lden_io_event shown;

	if (!passes(r, ev))
		return;
	r->after_filter++;
	if (r->per_call && (r->o.show & LDEN_IO_SHOW_CONTAINER)) {
		/* the container at the call: from its cgroup id, else late */
		lden_run__container(r->run, (pid_t)ev->tid, ev->has_cgroup,
				    ev->cgroup, &ctr);
		lden_run__container_shown(r->run, &ctr);
		shown = *ev;
		shown.container = ctr.name;
		shown.container_prov = ctr.prov;
		shown.container_why = ctr.prov == LDEN_PROV_NONE ?
				      lden_run__container_why(ctr.err) : NULL;
		ev = &shown;
	}
	if (r->per_call && r->o.c.json)
		lden_io_print_json(stdout, ev, r->start_ns, r->o.show);
	else if (r->per_call)
		lden_io_print_line(stdout, ev, r->start_ns, r->o.show);
	if (!path) {
		if (ev->fd >= 0)
			snprintf(fdname, sizeof(fdname), "[fd %d]", ev->fd);
		else
			snprintf(fdname, sizeof(fdname), "[none]");
		kind = ev->fd >= 0 ? LDEN_IO_KEY_FD : LDEN_IO_KEY_NONE;
		path = fdname;
	} else if (ev->path_prov == LDEN_PROV_LATE ||
		   ev->path_prov == LDEN_PROV_PARTIAL) {
		kind = ev->path_prov == LDEN_PROV_LATE ? LDEN_IO_KEY_LATE :
			LDEN_IO_KEY_PARTIAL;
	}
	if (r->files) {
		bool failed = ev->ret < 0;

		/* the summary's key says how the path was had apart from
		 * it: a path's own trailing '?' is not lden's mark */
		snprintf(fkey, sizeof(fkey), "%c%s", kind, path);
		/* an unnamed fd is one process's: fd 3 of two processes
		 * is two files, never one row */
		/* a thread's id standing for a process not known: a row of
		 * its own, marked, never added to a process's */
		if (kind == LDEN_IO_KEY_FD)
			snprintf(fkey, sizeof(fkey), "%c[fd %d of %u%s]", kind,
				 ev->fd, ev->pid, ev->pid_unknown ? "?" : "");
		snprintf(key, sizeof(key), "%c%s[%u%s]", LDEN_IO_KEY_PROCESS,
			 ev->comm, ev->pid, ev->pid_unknown ? "?" : "");
		lden_io_summary__add(r->files, fkey, ev->latency_ns,
				     ev->bytes_read, ev->bytes_written, failed);
		lden_io_summary__add(r->procs, key, ev->latency_ns,
				     ev->bytes_read, ev->bytes_written, failed);
	}
	/* a path read late or cut is another frame than the same one
	 * copied whole */
	if (r->flame)
		lden_io_flame__add(r->flame, ev->comm, path, kind,
				  ev->sys->name,
				  r->o.weight_latency ? ev->latency_ns : 1);
}

static bool scope_gone(struct lden_scope_opts *scope)
{
	if (scope->command)
		return lden_command_poll(scope);
	if (!scope->npids)
		return false;
	for (int i = 0; i < scope->npids; i++)
		if (lden_proc__alive(scope->pids[i]))
			return false;
	return true;
}

/* The guard's new actions, said once on stderr. */
static int guard_tick(struct lden_io_run *r)
{
	return lden_guard__say(r->guard,
			      lden_io_tracer__guard_tick(r->t, r->guard, lden_now()),
			      "its calls are counted only from now on", NULL, NULL);
}

static int trace_loop(struct lden_io_run *r)
{
	double start = lden_now(), end = r->run->end;
	int err;

	for (;;) {
		double t = lden_now();
		int wait = 20;

		if (lden_stop_signal || lden_stdout_errno)
			break;
		if (end) {
			if (t >= end)
				break;
			if ((end - t) * 1000 < wait)
				wait = (int)((end - t) * 1000) + 1;
		}
		err = lden_io_tracer__poll(r->t, wait, on_event, r);
		if (err < 0 && err != -EINTR) {
			lden_cli__err("reading samples: %s", strerror(-err));
			return LDEN_EXIT_FAIL;
		}
		if (guard_tick(r) < 0)
			return LDEN_EXIT_FAIL;
		if (r->flame)
			lden_io_flame__live(r->flame, r->t, r->guard,
					   r->after_filter, lden_now() - start);
		lden_stdout__flush();
		if (scope_gone(&r->o.c.scope))
			break;
	}
	lden_io_tracer__finish(r->t, on_event, r);
	return LDEN_EXIT_OK;
}

/* The tracer's options from the command line; prints the error. */
int lden_io_run__prepare(struct lden_io_run *r)
{
	struct lden_io_opts *io = &r->io;

	struct rlimit rl;
	char err[1024] = "";

	for (int i = 0; i < r->o.c.scope.npids; i++)
		if (add_tasks(io, r->o.c.scope.pids[i]) < 0)
			return LDEN_EXIT_USAGE;
	io->inherit = r->o.c.scope.children || r->o.c.scope.command;
	io->cgroup = r->o.c.scope.cgroup;
	io->strings = r->o.strings;
	io->scope = &r->o.c.scope;
	/* a perf fd per tracepoint, CPU and task */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	r->per_call = !r->o.quiet &&
		      (r->o.c.json || (!r->o.summary && !r->o.nflame));
	if (r->o.nflame) {
		r->flame = lden_io_flame__new(r->o.flamegraph, r->o.nflame,
					     r->o.flame_format,
					     r->o.weight_latency, err,
					     sizeof(err));
		if (!r->flame) {
			lden_cli__err("%s", err);
			return LDEN_EXIT_USAGE;
		}
	}
	if (r->o.summary) {
		r->files = lden_io_summary__new(SUMMARY_MAX_KEYS);
		r->procs = lden_io_summary__new(SUMMARY_MAX_KEYS);
		if (!r->files || !r->procs) {
			lden_err("out of memory");
			return LDEN_EXIT_FAIL;
		}
	}
	return 0;
}

/* The run's --netns filter and namespaces, for the tracer. */
static bool keep(const struct ltr_sample *s, void *ctx)
{
	return lden_run__keep(ctx, s);
}

static const struct lden_nsinfo *ns_of(void *ctx, pid_t tid)
{
	return lden_run__ns(ctx, tid);
}

static void cgroup_seen(void *ctx, uint64_t cgroup_id)
{
	lden_run__cgroup_seen(ctx, cgroup_id);
}

/* The tracer on the run's session, the guard over it: 0 or FAIL. */
int lden_io_run__attach(void *ctx, struct lden_run *run,
			struct lden_guard **g)
{
	struct lden_io_run *r = ctx;
	char err[1024] = "";

	if (r->o.c.scope.command)
		r->io.tasks[r->io.ntasks++] = r->o.c.scope.command_pid;
	r->io.keep = r->o.c.scope.netns ? keep : NULL;
	r->io.ns_of = r->o.show ? ns_of : NULL;
	r->io.ns_ctx = run;
	/* the container alone: /proc only where a record has no cgroup id */
	r->io.ns_unless_cgroup = !(r->o.show & LDEN_IO_SHOW_NS);
	/* its cgroup found as a call arrives, before it may be removed */
	if (r->o.show & LDEN_IO_SHOW_CONTAINER)
		r->io.cgroup_seen = cgroup_seen;
	r->t = lden_io_tracer__new(run->s, &r->io, err, sizeof(err));
	*g = lden_guard__new(&r->o.c.guard);
	if (!r->t || !*g || lden_io_tracer__guard(r->t, *g) < 0) {
		lden_err("%s", r->t ? "out of memory" : err);
		return LDEN_EXIT_FAIL;
	}
	return 0;
}

int lden_io_run__enable(void *ctx)
{
	struct lden_io_run *r = ctx;
	int rc = lden_io_tracer__start(r->t);

	r->start_ns = lden_io_tracer__start_ns(r->t);
	return rc;
}

void lden_io_run__header(const struct lden_io_run *r)
{
	char how[2048];

	fprintf(stderr, "lden: tracing file I/O of ");
	lden_scope__describe(&r->o.c.scope, stderr);
	fprintf(stderr, "%s\n", r->o.c.time_limit > 0 ? "" : "; Ctrl-C to stop");
	lden_io_tracer__describe(r->t, how, sizeof(how));
	fprintf(stderr, "lden: %s\n", how);
	lden_io_tracer__ring(r->t, how, sizeof(how));
	fprintf(stderr, "lden: syscall records: %s\n", how);
	if (r->o.show & LDEN_IO_SHOW_CONTAINER)
		lden_run__container_header(r->run);
	if (r->per_call && !r->o.c.json) {
		printf("%12s %-15s %7s %7s ", "TIME", "COMM", "PID", "TID");
		if (r->o.show & LDEN_IO_SHOW_CONTAINER)
			printf("%-12s ", "CONTAINER");
		printf("%-15s %5s %14s %10s %s\n", "SYSCALL", "FD", "RESULT",
		       "LAT_US", "PATH");
	}
	lden_stdout__flush();
}

/* The summary, the flame graphs, the statistics. */
static int finish(struct lden_io_run *r, int status)
{
	double secs = lden_now() - (double)r->start_ns / 1e9;
	char err[1024];

	if (r->o.summary) {
		lden_io_print_rows(stdout, r->files, "file", r->o.sort_bytes,
				   r->o.c.json);
		lden_io_print_rows(stdout, r->procs, "process",
				   r->o.sort_bytes, r->o.c.json);
	}
	if (r->flame &&
	    lden_io_flame__finish(r->flame, r->t, r->guard, r->after_filter,
				 secs, err, sizeof(err)) < 0) {
		lden_cli__err("%s", err);
		status = LDEN_EXIT_FAIL;
	}
	lden_run__gaps_say(r->run);
	lden_io_print_stats(stderr, r->o.c.json ? stdout : NULL, r->t, r->guard,
			    r->after_filter, lden_now() - (double)r->start_ns / 1e9);
	return status;
}

int lden_io_run__loop(struct lden_io_run *r)
{
	return finish(r, trace_loop(r));
}

void lden_io_run__release(struct lden_io_run *r)
{
	lden_io_tracer__free(r->t);
	lden_io_summary__free(r->files);
	lden_io_summary__free(r->procs);
	lden_io_flame__free(r->flame);
}
