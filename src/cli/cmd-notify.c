// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden notify EXPR: count the events EXPR names, evaluate it every tick,
 * and when it becomes true say when, print the table, run the script.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "clock.h"
#include "guard.h"
#include "lden.h"
#include "notify-run.h"

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
	      "      --container NAME  the same, the cgroup of this container\n"
	      "  -- CMD [ARGS]         run CMD and count only it and its children\n"
	      LDEN_GUARD_USAGE
	      LDEN_RING_USAGE
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
		lden_cli__err("invalid %s value '%s'", opt, arg);
		return false;
	}
	return true;
}

static int notify_option(int c, const char *arg, void *ctx)
{
	struct lden_notify_opts *o = ctx;
	double ms;

	switch (c) {
	case 's':
		if (!*arg) {
			lden_cli__err("--script needs a command");
			return LDEN_EXIT_USAGE;
		}
		o->script = arg;
		return 0;
	case 'i':
		if (!parse_seconds("--interval", arg, &ms, false))
			return LDEN_EXIT_USAGE;
		if (ms < 1 || ms > 3600000) {
			lden_cli__err("--interval must be between 1 and 3600000 ms, not '%s'",
				     arg);
			return LDEN_EXIT_USAGE;
		}
		o->interval = ms / 1000.0;
		return 0;
	case 'r':
		o->repeat = true;
		return 0;
	case 'c':
		return parse_seconds("--cooldown", arg, &o->cooldown, true) ?
		       0 : LDEN_EXIT_USAGE;
	case 'q':
		o->quiet = true;
		return 0;
	default:
		return 1;
	}
}

static int parse_opts(int argc, char **argv, struct lden_notify_opts *o,
		      const char **expr)
{
	static const struct option longopts[] = {
		{ "script", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "repeat", no_argument, NULL, 'r' },
		{ "cooldown", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct lden_cmdline_def def = {
		.shared = LDEN_CL_SCOPE | LDEN_CL_GUARD | LDEN_CL_TIME |
			  LDEN_CL_RING | LDEN_CL_EVENTS_DIR | LDEN_CL_JSON,
		.shorts = "t:s:i:rc:jqd:p:g:h", .longopts = longopts,
		.option = notify_option, .usage = usage,
		.dash_expression = true,
	};
	const char *dash = NULL;
	int rc;

	o->interval = 0.1;
	rc = lden_cmdline__parse(&o->c, &def, o, argc, argv);
	if (rc)
		return rc;
	dash = o->c.dash_arg;
	if (o->cooldown > 0 && !o->repeat) {
		lden_cli__err("--cooldown needs --repeat");
		return LDEN_EXIT_USAGE;
	}
	if (!o->c.nargs && !dash) {
		lden_cli__err("missing the expression (see 'lden %s --help')",
			     lden_cli__command());
		return LDEN_EXIT_USAGE;
	}
	if (o->c.nargs > !dash) {
		lden_cli__err("unexpected argument '%s' (quote the expression)",
			     o->c.args[!dash]);
		return LDEN_EXIT_USAGE;
	}
	*expr = dash ? dash : o->c.args[0];
	return 0;
}

static int run(int argc, char **argv)
{
	struct lden_notify r = { 0 };
	/* the tracepoints' perf events closed by a detached process */
	struct ltr_session_opts so = { .detach_close = true };
	const char *text = NULL;
	int status;

	status = parse_opts(argc, argv, &r.o, &text);
	if (status)
		return status < 0 ? 0 : status;
	status = lden_notify__prepare(&r, text);
	if (!status) {
		r.run = lden_run__new(&r.o.c, &so, 0);
		status = lden_run__attach(r.run, lden_notify__attach, NULL, &r);
	}
	if (status)
		goto out;
	r.guard = r.run->guard;
	lden_notify__header(&r);
	lden_run__go(r.run);
	status = lden_notify__watch(&r);
out:
	lden_run__free(r.run);
	lden_notify__release(&r);
	return status;
}

const struct lden_cmd lden_cmd_notify = {
	.name = "notify",
	.run = run,
	.summary = "act when a condition over event counts becomes true",
};
