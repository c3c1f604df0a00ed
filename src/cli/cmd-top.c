// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden top EVENT...: every interval, a table of count and size per key
 * (pid, comm, cgroup, cpu, container, a namespace or a field); recipes net (nettop) and drops
 * (dropwatch).  In a terminal the table is redrawn in place; in a pipe
 * each interval is a block under a timestamp line.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "lden.h"
#include "number.h"
#include "top-run.h"

static void usage(FILE *out)
{
	fputs("usage: lden top EVENT... [--by KEY] [-i SEC] [--sort COL] [-n ROWS] [-t SEC]\n"
	      "                [--filter EXPR] [--comm NAME] [--json] [--events-dir DIR]\n"
	      "                [--pid PID[,PID...] [--children] | --cgroup DIR |\n"
	      "                 --container NAME] [--netns INODE|PID]\n"
	      "       lden top net | drops [OPTIONS]\n"
	      "\n"
	      "Show, every interval, how many events (and their size) each key had.\n"
	      "\n"
	      "  -b, --by KEY          pid (default), comm, cgroup, cpu, container,\n"
	      "                        netns, pidns, mntns, userns, cgroupns, ipcns,\n"
	      "                        utsns (the namespace's inode), or a field name\n"
	      "  -i, --interval SEC    refresh every SEC seconds (default 5)\n"
	      "  -s, --sort COL        sort by this value column (default the first)\n"
	      "  -n, --rows N          show the N largest rows (default 20, 0: all)\n"
	      "  -j, --json            one JSON object per interval\n", out);
	fputs(lden_cmdline_help, out);
	fputs("\n"
	      "EVENT: as in lden notify.  Recipes:\n"
	      "  net     PID UID DEV XMIT_PK RECV_PK XMIT_KB RECV_KB (nettop)\n"
	      "  drops   LOCATION REASON DROPS from skb:kfree_skb (dropwatch)\n"
	      "See lden-top(8).\n", out);
}

static int top_option(int c, const char *arg, void *ctx)
{
	struct lden_top_opts *o = ctx;
	unsigned long long n;

	switch (c) {
	case 'b':
		o->by = arg;
		return 0;
	case 'i':
		if (lden_parse_seconds(arg, 0.01, 1e9, &o->interval) < 0) {
			lden_cli__err("invalid --interval value '%s' (seconds, at least 0.01)",
				     arg);
			return LDEN_EXIT_USAGE;
		}
		return 0;
	case 's':
		o->sort = arg;
		return 0;
	case 'n':
		if (lden_parse_count(arg, 0, INT_MAX, &n) < 0) {
			lden_cli__err("invalid --rows value '%s'", arg);
			return LDEN_EXIT_USAGE;
		}
		o->rows = (long)n;
		return 0;
	default:
		return 1;
	}
}

static int parse_opts(int argc, char **argv, struct lden_top_opts *o)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "interval", required_argument, NULL, 'i' },
		{ "sort", required_argument, NULL, 's' },
		{ "rows", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};

	struct lden_cmdline_def def = {
		.shorts = "b:i:s:n:", .longopts = longopts,
		.option = top_option, .usage = usage,
	};

	o->interval = 5;
	o->rows = 20;
	return lden_evopts__parse(&o->c, &def, o, argc, argv);
}

static int run(int argc, char **argv)
{
	struct lden_top t = { 0 };
	/* samples read within a page: the process is likely still there */
	struct ltr_session_opts so = {
		.wakeup_bytes = 4096, .detach_close = true,
	};
	int status;

	status = parse_opts(argc, argv, &t.o);
	if (status)
		return status < 0 ? 0 : status;
	t.def = lden_recipe__find(lden_cli__command(), t.o.c.args[0]);
	/* rows by process (its name or cgroup), and the recipes', need its id */
	so.need_tgid = t.def || !t.o.by || !strcmp(t.o.by, "pid") ||
		       !strcmp(t.o.by, "comm") || !strcmp(t.o.by, "cgroup");
	/* --by cgroup or container: each sample's cgroup id, where the
	 * kernel has it */
	so.sample_cgroup = t.o.by && (!strcmp(t.o.by, "cgroup") ||
				      !strcmp(t.o.by, "container"));
	t.run = lden_run__new(&t.o.c, &so, 0);
	status = lden_run__attach(t.run, lden_top__attach, NULL, &t);
	if (status)
		goto out;
	t.guard = t.run->guard;
	lden_run__go(t.run);
	status = lden_top__loop(&t);
	lden_run__ns_say(t.run, t.by_ns);
	status = lden_run__end(t.run, status);
out:
	lden_run__free(t.run);
	lden_scope__release(&t.o.c.scope);
	lden_top__release(&t);
	return status;
}

const struct lden_cmd lden_cmd_top = {
	.name = "top",
	.run = run,
	.summary = "a live table of events per process, cgroup, CPU or field (and net, drops)",
};
