// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden notify EXPR: count the events EXPR names, evaluate it every tick,
 * and when it becomes true say when, print the table, run the script.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "argv.h"
#include "clock.h"
#include "collect.h"
#include "guard.h"
#include "lden.h"
#include "lden-trace.h"
#include "notify-report.h"
#include "plan.h"
#include "scope.h"
#include "script.h"
#include "trigger.h"

struct notify_opts {
	double time_limit;	/* seconds, 0 = until true (or a signal) */
	const char *script;
	double interval;	/* seconds */
	bool repeat;
	double cooldown;
	bool json;
	bool quiet;
	const char *events_dir;
	struct lden_scope_opts scope;
	struct lden_guard_opts guard;
};

struct run {
	struct notify_opts o;
	struct lden_expr *e;
	struct ltr_session *s;
	struct lden_attached *att;	/* nevents x nscopes */
	int nscopes;
	struct lden_stat *st;
	struct lden_expr_values *vals;
	struct lden_guard *guard;
	double start;
	int fired;
};

static void usage(FILE *out)
{
	fputs("usage: lden notify EXPRESSION [-t SEC] [-s COMMAND] [-i MS] [--repeat]\n"
	      "                   [--cooldown SEC] [--json] [--quiet] [--events-dir DIR]\n"
	      "                   [--max-rate N] [--max-cpu PCT]\n"
	      "                   [--pid PID[,PID...] [--children] | --cgroup DIR] [-- CMD [ARGS]]\n"
	      "\n"
	      "Watch kernel events and act when EXPRESSION becomes true, e.g.\n"
	      "  lden notify \"count(task.create) > 100 and size(memory.free) > 500\"\n"
	      "\n"
	      "  -t, --time SEC        give up after SEC seconds (exit status 1)\n"
	      "  -s, --script COMMAND  run COMMAND with /bin/sh -c when it fires; the\n"
	      "                        numbers are in LDEN_* environment variables\n"
	      "  -i, --interval MS     evaluate every MS milliseconds (default 100)\n"
	      "  -r, --repeat          fire again each time it turns true again\n"
	      "  -c, --cooldown SEC    with --repeat, at least SEC seconds between firings\n"
	      "  -j, --json            one JSON object per firing and at the end\n"
	      "  -q, --quiet           no header or table\n"
	      "  -d, --events-dir DIR  also read catalog files (*.events) from DIR\n"
	      "  -p, --pid PID,...     count only these processes' events\n"
	      "      --children        with --pid, also the children they create\n"
	      "  -g, --cgroup DIR      count only the events of tasks in this cgroup\n"
	      "  -- CMD [ARGS]         run CMD and count only it and its children\n"
	      LDEN_GUARD_USAGE
	      "  -h, --help            show this help\n"
	      "\n"
	      "EXPRESSION: DATA(EVENT) compared with numbers or other terms, joined by\n"
	      "and/or/not.  DATA is count, size or speed (events in the last second);\n"
	      "EVENT is a name from 'lden list-events', a tracepoint SYSTEM:NAME,\n"
	      "custom(FUNCTION) or uprobe(PATH:SYMBOL), optionally with a kernel\n"
	      "filter: count(syscalls:sys_exit_openat[ret < 0]) > 10.  See lden-notify(8).\n",
	      out);
}

static bool parse_seconds(const char *opt, const char *arg, double *out,
			  bool zero_ok)
{
	if (lden_parse_seconds(arg, zero_ok ? 0 : LDEN_ABOVE_ZERO, 1e9,
			       out) < 0) {
		lden_err("notify: invalid %s value '%s'", opt, arg);
		return false;
	}
	return true;
}

static int parse_opts(int argc, char **argv, struct notify_opts *o,
		      const char **expr)
{
	static const struct option longopts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "script", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "repeat", no_argument, NULL, 'r' },
		{ "cooldown", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "events-dir", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "children", no_argument, NULL, 'C' },
		{ "cgroup", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		LDEN_GUARD_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const char optstring[] = ":t:s:i:rc:jqd:p:g:h";
	const char *dash_expr;
	double ms;
	int c, rc;

	dash_expr = lden_take_dash_expression(&argc, argv, longopts,
					       optstring + 1);
	/* everything after "--" is the command to run */
	argc = lden_scope_take_command(&o->scope, argc, argv);

	o->interval = 0.1;
	o->guard = (struct lden_guard_opts)LDEN_GUARD_OPTS_INIT;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!parse_seconds("--time", optarg, &o->time_limit, false))
				return LDEN_EXIT_USAGE;
			break;
		case 's':
			if (!*optarg) {
				lden_err("notify: --script needs a command");
				return LDEN_EXIT_USAGE;
			}
			o->script = optarg;
			break;
		case 'i':
			if (!parse_seconds("--interval", optarg, &ms, false))
				return LDEN_EXIT_USAGE;
			if (ms < 1 || ms > 3600000) {
				lden_err("notify: --interval must be between 1 and 3600000 ms, not '%s'",
					 optarg);
				return LDEN_EXIT_USAGE;
			}
			o->interval = ms / 1000.0;
			break;
		case 'r':
			o->repeat = true;
			break;
		case 'c':
			if (!parse_seconds("--cooldown", optarg, &o->cooldown, true))
				return LDEN_EXIT_USAGE;
			break;
		case 'j':
			o->json = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'd':
			o->events_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			rc = lden_scope_guard_option(&o->scope, &o->guard, c,
						     optarg, "notify",
						     argv[optind - 1]);
			if (rc)
				return rc;
		}
	}
	if (o->cooldown > 0 && !o->repeat) {
		lden_err("notify: --cooldown needs --repeat");
		return LDEN_EXIT_USAGE;
	}
	if (lden_scope_check(&o->scope, "notify") < 0)
		return LDEN_EXIT_USAGE;
	if (optind >= argc && !dash_expr) {
		lden_err("notify: missing the expression (see 'lden notify --help')");
		return LDEN_EXIT_USAGE;
	}
	if (optind + !dash_expr < argc) {
		lden_err("notify: unexpected argument '%s' (quote the expression)",
			 argv[optind + !dash_expr]);
		return LDEN_EXIT_USAGE;
	}
	*expr = dash_expr ? dash_expr : argv[optind];
	return 0;
}

static void expr_error(const char *text, const struct lden_expr_error *err)
{
	char buf[2048];

	lden_expr_format_error(text, err, buf, sizeof(buf));
	lden_err("%s", buf);
}

/* Reads every counter, adds the samples' sizes, updates the speeds. */
static int update(struct run *r, double t)
{
	if (lden_collect_stats(r->att, r->e->nevents, r->nscopes, r->st,
			       t) < 0) {
		lden_err("%s", ltr_last_error());
		return -1;
	}
	for (int i = 0; i < r->e->nevents; i++) {
		r->vals[i].count = (double)r->st[i].count;
		r->vals[i].size = (double)r->st[i].size;
		r->vals[i].speed = r->st[i].speed;
	}
	return 0;
}

/* An event switched: its stats say so; the message, whether size() is used. */
static void guard_said(struct lden_guard_action *act, void *ctx)
{
	struct run *r = ctx;

	for (int i = 0; i < r->e->nevents; i++)
		if (lden_guard_stop_stat(act, &r->st[i]))
			act->size_used |= r->e->events[i].need_size;
}

/* The overhead guard's look at this tick: says once what it switched. */
static int guard_tick(struct run *r, double t)
{
	return lden_guard_say(r->guard, lden_guard_tick(r->guard, r->s, t,
						     lden_collect_sample, NULL),
			      NULL, NULL, guard_said, r);
}

/* The run as notify-report.c sees it. */
static struct lden_notify_report report_of(const struct run *r)
{
	return (struct lden_notify_report){
		.expression = r->e->text,
		.st = r->st,
		.att = r->att,
		.nevents = r->e->nevents,
		.scope = &r->o.scope,
		.guard = r->guard,
		.time_limit = r->o.time_limit,
		.script = r->o.script,
		.fired = r->fired,
		.json = r->o.json,
	};
}

static void fire(struct run *r, double elapsed)
{
	struct lden_notify_report rep;
	int status;
	pid_t pid;

	r->fired++;
	rep = report_of(r);
	if (r->o.json || !r->o.quiet)
		lden_notify_print_fire(stdout, &rep, elapsed);
	fflush(stdout);
	if (!r->o.script)
		return;
	pid = lden_script_start(r->o.script, &(struct lden_script_env){
		.expression = r->e->text, .elapsed = elapsed,
		.fired = r->fired, .st = r->st, .nevents = r->e->nevents });
	if (pid < 0)
		lden_err("cannot run the script: %s", strerror(errno));
	else if (!lden_script_wait(pid, &status) && !r->o.quiet && !r->o.json)
		lden_script_print_status(stdout, status);
}

static void final_report(const struct run *r, enum lden_notify_end why,
			 double elapsed)
{
	struct lden_notify_report rep = report_of(r);

	if (r->o.json || !r->o.quiet)
		lden_notify_print_end(stdout, &rep, why, elapsed);
}

/* The last samples, and those that will never arrive counted as lost. */
static void finish(struct run *r, bool sampling)
{
	if (lden_collect_finish(r->s, r->att, r->e->nevents * r->nscopes,
				sampling) < 0)
		lden_err("reading samples: %s", ltr_last_error());
}

static int watch(struct run *r)
{
	struct lden_trigger tr = LDEN_TRIGGER_INIT(r->o.cooldown);
	bool sampling = false;
	double next;

	for (int i = 0; i < r->e->nevents; i++)
		sampling |= r->att[i].sampling;
	r->start = lden_now();
	lden_guard_start(r->guard, r->start);
	next = r->start + r->o.interval;
	if (update(r, r->start) < 0)
		return LDEN_EXIT_FAIL;
	for (;;) {
		int rc = lden_collect_wait(r->s, next, sampling, &lden_stop_signal);
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
		if (lden_trigger_check(&tr, lden_expr_eval(r->e, r->vals), t)) {
			fire(r, elapsed);
			if (!r->o.repeat)
				return LDEN_EXIT_OK;
		}
		if (r->o.time_limit > 0 && elapsed >= r->o.time_limit) {
			final_report(r, LDEN_NOTIFY_END_TIME, elapsed);
			return r->fired ? LDEN_EXIT_OK : LDEN_EXIT_FAIL;
		}
		/* the command ended: one last look (its last events), then stop */
		if (lden_command_poll(&r->o.scope)) {
			finish(r, sampling);
			if (update(r, lden_now()) < 0)
				return LDEN_EXIT_FAIL;
			/* at once: no cooldown for the last look */
			if (lden_expr_eval(r->e, r->vals) && tr.armed) {
				fire(r, lden_now() - r->start);
				if (!r->o.repeat)
					return LDEN_EXIT_OK;
			}
			final_report(r, LDEN_NOTIFY_END_COMMAND, lden_now() - r->start);
			return r->fired ? LDEN_EXIT_OK : LDEN_EXIT_FAIL;
		}
	}
	finish(r, sampling);
	update(r, lden_now());
	final_report(r, LDEN_NOTIFY_END_SIGNAL, lden_now() - r->start);
	return 128 + lden_stop_signal;
}

static int run(int argc, char **argv)
{
	struct run r = { 0 };
	struct lden_catalog cat = { 0 };
	struct lden_kernel *k = NULL;
	struct lden_resolution *res = NULL;
	struct lden_expr_error err;
	const char *text = NULL, *dir;
	int status;

	status = parse_opts(argc, argv, &r.o, &text);
	if (status)
		return status < 0 ? 0 : status;
	r.e = lden_expr_parse(text, &err);
	if (!r.e) {
		expr_error(text, &err);
		return LDEN_EXIT_USAGE;
	}
	status = LDEN_EXIT_USAGE;
	if (lden_load_catalog(&cat, r.o.events_dir) < 0)
		goto out;
	dir = ltr_tracing_dir();
	if (!dir) {
		lden_err("%s", ltr_last_error());
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	k = lden_kernel_new(dir);
	r.nscopes = lden_scope_count(&r.o.scope);
	res = calloc(r.e->nevents, sizeof(*res));
	r.att = calloc((size_t)r.e->nevents * r.nscopes, sizeof(*r.att));
	r.st = calloc(r.e->nevents, sizeof(*r.st));
	r.vals = calloc(r.e->nevents, sizeof(*r.vals));
	if (!k || !res || !r.att || !r.st || !r.vals) {
		lden_err("out of memory");
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	if (lden_plan_check(&cat, k, r.e, lden_scope_is_set(&r.o.scope), res,
			    &err) < 0) {
		expr_error(text, &err);
		goto out;
	}

	lden_catch_stop_signals();
	r.s = ltr_session__new(NULL);
	if (!r.s) {
		lden_err("%s", ltr_last_error());
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	if (r.o.scope.command && lden_command_start(&r.o.scope) < 0) {
		lden_err("notify: cannot start the command: %s", strerror(errno));
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	lden_attach_twins(lden_guard_opts_active(&r.o.guard));
	if (lden_plan_attach_scopes(r.s, r.e, res, &r.o.scope, r.att,
				    &err) < 0) {
		if (errno == EACCES || errno == EPERM) {
			/* privileges: no caret, nothing to fix there */
			lden_err("%s", err.msg);
			status = LDEN_EXIT_FAIL;
		} else {
			expr_error(text, &err);
		}
		goto out;
	}
	for (int i = 0; i < r.e->nevents; i++) {
		/* with the filter: events differing only by it stay apart */
		lden_expr_event_label(&r.e->events[i], r.st[i].label,
				      sizeof(r.st[i].label));
		r.st[i].has_size = r.att[i].has_size;
	}
	r.guard = lden_guard_new(&r.o.guard);
	if (!r.guard) {
		lden_err("out of memory");
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	for (int i = 0; i < r.e->nevents * r.nscopes; i++)
		if (lden_guard_add(r.guard, r.st[i % r.e->nevents].label,
				   &r.att[i]) < 0) {
			lden_err("out of memory");
			status = LDEN_EXIT_FAIL;
			goto out;
		}
	if (ltr_session__enable(r.s) < 0) {
		lden_err("%s", ltr_last_error());
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	if (!r.o.quiet && !r.o.json) {
		struct lden_notify_report rep = report_of(&r);

		lden_notify_print_header(stdout, &rep);
		fflush(stdout);
	}
	/* traced from its first instruction: released only now */
	lden_command_go(&r.o.scope);
	status = watch(&r);

out:
	/* a command never released exits without running */
	lden_command_abandon(&r.o.scope);
	lden_guard_free(r.guard);
	if (r.att)
		for (int i = 0; i < r.e->nevents * r.nscopes; i++)
			lden_attached_release(&r.att[i]);
	ltr_session__free(r.s);
	lden_kernel_free(k);
	lden_catalog_free(&cat);
	free(res);
	free(r.att);
	free(r.st);
	free(r.vals);
	lden_expr_free(r.e);
	return status;
}

const struct lden_cmd lden_cmd_notify = {
	.name = "notify",
	.run = run,
	.summary = "act when a condition over event counts becomes true",
};
