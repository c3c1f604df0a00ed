// SPDX-License-Identifier: GPL-2.0-or-later
/* A run of lden notify (see notify-run.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "clock.h"
#include "collect.h"
#include "guard.h"
#include "lden.h"
#include "lden-trace.h"
#include "notify-report.h"
#include "notify-run.h"
#include "plan.h"
#include "resolve.h"
#include "scope.h"
#include "script.h"
#include "trigger.h"

static void expr_error(const char *text, const struct lden_expr_error *err)
{
	char buf[2048];

	lden_expr__format_error(text, err, buf, sizeof(buf));
	lden_err_caret(buf);
}

/* Reads every counter, adds the samples' sizes, updates the speeds. */
static int update(struct lden_notify *r, double t)
{
	if (lden_collect__stats(r->att, r->e->nevents, r->nscopes, r->st,
			       t) < 0) {
		lden_err("%s", ltr_last_error());
		return -1;
	}
	for (int i = 0; i < r->e->nevents; i++) {
		r->vals[i].count = (double)r->st[i].count;
		r->vals[i].size = (double)r->st[i].size;
		r->vals[i].speed = r->st[i].speed;
		r->vals[i].exact = true;
		r->vals[i].icount = r->st[i].count;
		r->vals[i].isize = r->st[i].size;
	}
	return 0;
}

/* An event switched: its stats say so; the message, whether size() is used. */
static void guard_said(struct lden_guard_action *act, void *ctx)
{
	struct lden_notify *r = ctx;

	for (int i = 0; i < r->e->nevents; i++)
		if (lden_guard__stop_stat(act, &r->st[i]))
			act->size_used |= r->e->events[i].need_size;
}

/* The overhead guard's look at this tick: says once what it switched. */
static int guard_tick(struct lden_notify *r, double t)
{
	return lden_run__guard_tick(r->run, t, lden_collect__sample, NULL, NULL,
				    guard_said, r);
}

/* The run as notify-report.c sees it. */
static struct lden_notify_report report_of(const struct lden_notify *r)
{
	return (struct lden_notify_report){
		.expression = r->e->text,
		.st = r->st,
		.att = r->att,
		.nevents = r->e->nevents,
		.scope = &r->o.c.scope,
		.guard = r->guard,
		.time_limit = r->o.c.time_limit,
		.script = r->o.script,
		.fired = r->fired,
		.json = r->o.c.json,
	};
}

static void fire(struct lden_notify *r, double elapsed)
{
	struct lden_notify_report rep;
	enum lden_script_stop stopped;
	double deadline = 0;
	int status;
	pid_t pid;

	r->fired++;
	rep = report_of(r);
	if (r->o.c.json || !r->o.quiet)
		lden_notify__print_fire(stdout, &rep, elapsed);
	lden_stdout__flush();
	if (!r->o.script)
		return;
	pid = lden_script__start(r->o.script, &(struct lden_script_env){
		.expression = r->e->text, .elapsed = elapsed,
		.fired = r->fired, .st = r->st, .nevents = r->e->nevents },
		r->o.c.json);
	if (pid < 0) {
		lden_err("cannot run the script: %s", strerror(errno));
		return;
	}
	/*
	 * --time bounds the script too: stopped when it is up; one started
	 * at the last ticks has LDEN_SCRIPT_MIN_TIME at least
	 */
	if (r->o.c.time_limit > 0) {
		deadline = r->start + r->o.c.time_limit;
		if (deadline < lden_now() + LDEN_SCRIPT_MIN_TIME)
			deadline = lden_now() + LDEN_SCRIPT_MIN_TIME;
	}
	if (lden_script__wait(pid, &lden_stop_signal, deadline, &status,
			      &stopped) < 0) {
		lden_err("waiting for the script: %s", strerror(errno));
		return;
	}
	/* how it ended is said whatever the output: JSON, --quiet too */
	if (r->o.c.json)
		lden_script__print_json(stdout, r->fired, status, stopped);
	else if (!r->o.quiet)
		lden_script__print_status(stdout, status, stopped);
	else if (stopped || !WIFEXITED(status) || WEXITSTATUS(status))
		lden_script__print_status(stderr, status, stopped);
	lden_stdout__flush();
}

static void final_report(const struct lden_notify *r, enum lden_notify_end why,
			 double elapsed)
{
	struct lden_notify_report rep = report_of(r);

	if (r->o.c.json || !r->o.quiet)
		lden_notify__print_end(stdout, &rep, why, elapsed);
}

/* The last samples, and those that will never arrive counted as lost. */
static void finish(struct lden_notify *r, bool sampling)
{
	lden_guard__end(r->run->guard);
	if (lden_collect__finish(r->s, r->att, r->e->nevents * r->nscopes,
				sampling) < 0)
		lden_err("reading samples: %s", ltr_last_error());
}

/*
 * Fired, and done: the events stop now (they recorded until the instance
 * was removed); what they counted since the firing is not shown.
 */
static int stop_fired(struct lden_notify *r)
{
	lden_guard__end(r->run->guard);
	if (ltr_session__disable(r->s) < 0)
		lden_err("stopping the events: %s", ltr_last_error());
	return LDEN_EXIT_OK;
}

int lden_notify__watch(struct lden_notify *r)
{
	struct lden_trigger tr = LDEN_TRIGGER_INIT(r->o.cooldown);
	bool sampling = false;
	double next;

	for (int i = 0; i < r->e->nevents; i++)
		sampling |= r->att[i].sampling;
	r->start = lden_now();
	next = r->start + r->o.interval;
	if (update(r, r->start) < 0)
		return LDEN_EXIT_FAIL;
	for (;;) {
		int rc = lden_collect__wait(r->s, next, sampling, &lden_stop_signal);
		double t = lden_now(), elapsed;

		if (rc == 1)
			break;
		if (rc < 0) {
			lden_err("reading samples: %s", strerror(-rc));
			return LDEN_EXIT_FAIL;
		}
		next += r->o.interval;
		if (next < t)	/* a stall: do not tick in a burst */
			next = t + r->o.interval;
		if (guard_tick(r, t) < 0)
			return LDEN_EXIT_FAIL;
		if (update(r, t) < 0)
			return LDEN_EXIT_FAIL;
		elapsed = t - r->start;
		if (lden_trigger__check(&tr, lden_expr__eval(r->e, r->vals), t)) {
			fire(r, elapsed);
			if (!r->o.repeat)
				return stop_fired(r);
		}
		/* output that cannot be written: no use watching on */
		if (lden_stdout_errno)
			return LDEN_EXIT_FAIL;
		if (r->o.c.time_limit > 0 && elapsed >= r->o.c.time_limit) {
			/*
			 * as at a signal: the events stopped and their last
			 * samples read (they went on recording until the
			 * instance was removed, and the table was the last
			 * tick's, a sampled size short by the records not yet
			 * read)
			 */
			finish(r, sampling);
			if (update(r, lden_now()) < 0)
				lden_cli__err("the last look failed; the figures are the previous tick's");
			final_report(r, LDEN_NOTIFY_END_TIME, elapsed);
			return r->fired ? LDEN_EXIT_OK : LDEN_EXIT_FAIL;
		}
		/* the command ended: one last look (its last events), then stop */
		if (lden_command_poll(&r->o.c.scope)) {
			finish(r, sampling);
			if (update(r, lden_now()) < 0)
				return LDEN_EXIT_FAIL;
			/* at once: no cooldown for the last look */
			if (lden_expr__eval(r->e, r->vals) && tr.armed) {
				fire(r, lden_now() - r->start);
				if (!r->o.repeat)
					return LDEN_EXIT_OK;
			}
			final_report(r, LDEN_NOTIFY_END_COMMAND, lden_now() - r->start);
			return r->fired ? LDEN_EXIT_OK : LDEN_EXIT_FAIL;
		}
	}
	finish(r, sampling);
	if (update(r, lden_now()) < 0)
		lden_cli__err("the last look failed; the figures are the previous tick's");
	/* a reader gone (SIGPIPE) is output that failed, not a ^C */
	if (lden_stop_signal == SIGPIPE)
		return LDEN_EXIT_FAIL;
	final_report(r, LDEN_NOTIFY_END_SIGNAL, lden_now() - r->start);
	return 128 + lden_stop_signal;
}

/* The expression checked against the catalog and the kernel. */
int lden_notify__prepare(struct lden_notify *r, const char *text)
{
	struct lden_expr_error err;
	int status;

	r->e = lden_expr__parse(text, &err);
	if (!r->e) {
		expr_error(text, &err);
		return LDEN_EXIT_USAGE;
	}
	status = lden_load_catalog_kernel(&r->cat, r->o.c.events_dir, &r->k);
	if (status)
		return status;
	r->nscopes = lden_scope__count(&r->o.c.scope);
	r->res = calloc(r->e->nevents, sizeof(*r->res));
	r->att = calloc((size_t)r->e->nevents * r->nscopes, sizeof(*r->att));
	r->st = calloc(r->e->nevents, sizeof(*r->st));
	r->vals = calloc(r->e->nevents, sizeof(*r->vals));
	if (!r->res || !r->att || !r->st || !r->vals) {
		lden_err("out of memory");
		return LDEN_EXIT_FAIL;
	}
	if (lden_plan__check(&r->cat, r->k, r->e,
			    lden_scope__kind(&r->o.c.scope), r->res, &err) < 0) {
		expr_error(text, &err);
		return LDEN_EXIT_USAGE;
	}
	return 0;
}

/* The events attached on the run's session; the guard over them. */
int lden_notify__attach(void *ctx, struct lden_run *run,
			struct lden_guard **g)
{
	struct lden_notify *r = ctx;
	struct lden_expr_error err;

	r->s = run->s;
	if (lden_plan__attach_scopes(r->s, r->e, r->res, &r->o.c.scope, r->att,
				    &err) < 0) {
		/* privileges, open files: no caret, nothing to fix there */
		if (lden_attach__machine_fault(errno)) {
			lden_err("%s", err.msg);
			return LDEN_EXIT_FAIL;
		}
		expr_error(r->e->text, &err);
		return LDEN_EXIT_USAGE;
	}
	for (int i = 0; i < r->e->nevents; i++) {
		/* with the filter: events differing only by it stay apart */
		lden_expr_event__label(&r->e->events[i], r->st[i].label,
				      sizeof(r->st[i].label));
		r->st[i].has_size = r->att[i].has_size;
	}
	*g = lden_guard__new(&r->o.c.guard);
	for (int i = 0; *g && i < r->e->nevents * r->nscopes; i++)
		if (lden_guard__add(*g, r->st[i % r->e->nevents].label,
				   &r->att[i]) < 0) {
			lden_guard__free(*g);
			*g = NULL;
		}
	return 0;
}

void lden_notify__header(const struct lden_notify *r)
{
	struct lden_notify_report rep;

	if (r->o.quiet || r->o.c.json)
		return;
	rep = report_of(r);
	lden_notify__print_header(stdout, &rep);
	lden_stdout__flush();
}

void lden_notify__release(struct lden_notify *r)
{
	if (r->att)
		for (int i = 0; i < r->e->nevents * r->nscopes; i++)
			lden_attached__release(&r->att[i]);
	lden_kernel__free(r->k);
	lden_catalog__free(&r->cat);
	free(r->res);
	free(r->att);
	free(r->st);
	free(r->vals);
	lden_expr__free(r->e);
}
