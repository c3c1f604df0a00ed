// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden io: file I/O system calls with their paths, results and latencies,
 * as lines, JSON, a per-file and per-process summary, or a flame graph.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "io-output.h"
#include "io-run.h"
#include "lden.h"

static void usage(FILE *out)
{
	fputs("usage: lden io [--pid PID[,PID...] [--children] | --cgroup DIR] [--comm NAME]\n"
	      "               [--path GLOB] [--max-rate N] [--max-cpu PCT]\n"
	      "               [-t SEC] [--json] [--summary [--sort latency|bytes]]\n"
	      "               [--flamegraph FILE [--format folded|svg] [--weight count|latency]]\n"
	      "               [--quiet] [--container NAME] [--netns INODE|PID]\n"
	      "               [--ns] [--show-container]\n"
	      "               [-- CMD [ARGS]]\n"
	      "\n"
	      "Trace file I/O system calls: who, which file, how many bytes, how long.\n"
	      "\n"
	      "  -p, --pid PID,...      only these processes (and the threads they have)\n"
	      "      --children         with --pid, also the tasks they create\n"
	      "  -g, --cgroup DIR       only the tasks of this cgroup\n"
	      "      --container NAME   only the tasks of this container (its cgroup)\n"
	      "      --netns INODE|PID  only the tasks of this network namespace (or\n"
	      "                         of PID's), filtered in user space\n"
	      "  -c, --comm NAME        only processes named NAME\n"
	      "  -P, --path GLOB        only calls on paths matching GLOB (fnmatch)\n"
	      "  -t, --time SEC         stop after SEC seconds\n"
	      "      --duration SEC     the same, its old name\n"
	      "  -j, --json             one JSON object per call, then the statistics\n"
	      "  -s, --summary          per file and per process totals at the end\n"
	      "      --sort KEY         order of the summary: latency (default) or bytes\n"
	      "  -f, --flamegraph FILE  write the calls as a flame graph comm;path;syscall to\n"
	      "                         FILE: a picture if FILE ends in .svg, else folded\n"
	      "                         stacks (may be given up to 4 times)\n"
	      "      --format FMT       the flame graphs' format: folded or svg\n"
	      "  -w, --weight KEY       flame graph value: count (default) or latency (ns)\n"
	      "  -q, --quiet            no line per call\n"
	      "      --ns               with --json: each call's task's namespace inodes\n"
	      "      --show-container   a CONTAINER column (JSON: \"container\"): the\n"
	      "                         task's at the call, exact where the kernel gives\n"
	      "                         the record's cgroup; else read late, marked '?'\n"
	      "      --strings HOW      open paths: auto (default), exact (copied by\n"
	      "                         the kernel at the call, at a cost), late\n"
	      "                         (read from the process afterwards, marked '?')\n"
	      "  -- CMD [ARGS]          run CMD and trace only it and its children\n"
	      LDEN_GUARD_USAGE
	      LDEN_RING_USAGE
	      "  -h, --help             show this help\n"
	      "\n"
	      "Statistics (tracepoints, mismatches, lost records) go to stderr at the\n"
	      "end.  See lden-io(8).\n",
	      out);
}

/* A value among @a and @b, else the error: 0 or LDEN_EXIT_USAGE. */
static int one_of(const char *opt, const char *arg, const char *a,
		  const char *b)
{
	if (!strcmp(arg, a) || !strcmp(arg, b))
		return 0;
	lden_cli__err("invalid --%s value '%s' (%s or %s)", opt, arg, a, b);
	return LDEN_EXIT_USAGE;
}

static int io_flame_option(int c, const char *arg, struct lden_io_run_opts *o)
{
	switch (c) {
	case 'f':
		if (!*arg) {
			lden_cli__err("--flamegraph needs a file name");
			return LDEN_EXIT_USAGE;
		}
		if (o->nflame == LDEN_IO_FLAME_MAX_FILES) {
			lden_cli__err("--flamegraph given more than %d times",
				     LDEN_IO_FLAME_MAX_FILES);
			return LDEN_EXIT_USAGE;
		}
		o->flamegraph[o->nflame++] = arg;
		return 0;
	case 'F':
		o->flame_format = arg;
		return one_of("format", arg, "folded", "svg");
	case 'w':
		o->weight_given = true;
		o->weight_latency = !strcmp(arg, "latency");
		return one_of("weight", arg, "count", "latency");
	default:
		return 1;
	}
}

static int io_option(int c, const char *arg, void *ctx)
{
	struct lden_io_run_opts *o = ctx;

	switch (c) {
	case 'c':
		/* matched in lden, not in a kernel filter: any quote will do */
		if (!*arg || strlen(arg) > 15) {
			lden_cli__err("invalid --comm value '%s': %s", arg,
				     *arg ? "longer than the 15 bytes the kernel keeps of a process name" :
					    "empty");
			return LDEN_EXIT_USAGE;
		}
		o->comm = arg;
		return 0;
	case 'P':
		if (!*arg) {
			lden_cli__err("--path needs a pattern");
			return LDEN_EXIT_USAGE;
		}
		o->path_glob = arg;
		return 0;
	case 's':
		o->summary = true;
		return 0;
	case 'S':
		o->sort_bytes = !strcmp(arg, "bytes");
		return one_of("sort", arg, "latency", "bytes");
	case 'q':
		o->quiet = true;
		return 0;
	case 'N':
		o->show |= LDEN_IO_SHOW_NS;
		return 0;
	case 'C':
		o->show |= LDEN_IO_SHOW_CONTAINER;
		return 0;
	case 'X':
		if (lden_strings__parse(arg, &o->strings) == 0)
			return 0;
		lden_cli__err("invalid --strings value '%s' (auto, exact or late)",
			     arg);
		return LDEN_EXIT_USAGE;
	default:
		return io_flame_option(c, arg, o);
	}
}

static int parse_opts(int argc, char **argv, struct lden_io_run_opts *o)
{
	static const struct option longopts[] = {
		{ "comm", required_argument, NULL, 'c' },
		{ "path", required_argument, NULL, 'P' },
		/* the old spelling of --time */
		{ "duration", required_argument, NULL, LDEN_CL_OPT_TIME },
		{ "summary", no_argument, NULL, 's' },
		{ "sort", required_argument, NULL, 'S' },
		{ "flamegraph", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ "weight", required_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "strings", required_argument, NULL, 'X' },
		{ "ns", no_argument, NULL, 'N' },
		{ "show-container", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct lden_cmdline_def def = {
		.shared = LDEN_CL_SCOPE | LDEN_CL_GUARD | LDEN_CL_TIME |
			  LDEN_CL_RING | LDEN_CL_JSON | LDEN_CL_NETNS,
		.shorts = "p:g:c:P:t:jsf:w:qh", .longopts = longopts,
		.option = io_option, .usage = usage,
	};
	int rc = lden_cmdline__parse(&o->c, &def, o, argc, argv);

	if (rc || (rc = lden_cmdline__no_args(&o->c)))
		return rc;
	if ((o->show & LDEN_IO_SHOW_NS) && !o->c.json) {
		lden_cli__err("--ns goes with --json (text shows the container: --show-container)");
		return LDEN_EXIT_USAGE;
	}
	if ((o->weight_given || o->flame_format) && !o->nflame) {
		lden_cli__err("--%s needs --flamegraph",
			     o->weight_given ? "weight" : "format");
		return LDEN_EXIT_USAGE;
	}
	return 0;
}

static int run(int argc, char **argv)
{
	struct lden_io_run r = { .io = { .self = getpid() } };
	/* woken early: paths are read from processes that may soon exit */
	/* the fd table is the process's */
	struct ltr_session_opts so = {
		.wakeup_bytes = 64 * 1024, .need_tgid = true,
		.detach_close = true,
	};
	int status;

	status = parse_opts(argc, argv, &r.o);
	if (status)
		return status < 0 ? 0 : status;
	/* namespaces are read at a record's arrival: sooner, fewer unknown */
	if (r.o.show || r.o.c.scope.netns)
		so.wakeup_bytes = 4096;
	/* --show-container: each record's cgroup id, where the kernel has
	 * it (the container at the call); the records stay lean without */
	so.sample_cgroup = r.o.show & LDEN_IO_SHOW_CONTAINER;
	status = lden_io_run__prepare(&r);
	if (!status) {
		r.run = lden_run__new(&r.o.c, &so, LDEN_RUN_KEEP_HUP);
		status = lden_run__attach(r.run, lden_io_run__attach,
					  lden_io_run__enable, &r);
	}
	if (status)
		goto out;
	r.guard = r.run->guard;
	lden_io_run__header(&r);
	lden_run__go(r.run);
	status = lden_io_run__loop(&r);
	lden_run__ns_say(r.run, r.o.show != 0);
	lden_run__container_say(r.run);
out:
	lden_run__free(r.run);
	lden_scope__release(&r.o.c.scope);
	lden_io_run__release(&r);
	return status;
}

const struct lden_cmd lden_cmd_io = {
	.name = "io",
	.run = run,
	.summary = "trace file I/O syscalls: paths, bytes, latencies, flame graphs",
};
