// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden trace EVENT...: one line per event (time, CPU, pid, comm, the
 * fields), or a recipe's lines (exec, open, tcp-accept), until Ctrl-C or
 * --time; then a summary on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "lden.h"
#include "trace-run.h"

#define LDEN_OPT_STRINGS 0x4715
#define LDEN_OPT_NS 0x4716
#define LDEN_OPT_SHOW_CONTAINER 0x4717

static void usage(FILE *out)
{
	fputs("usage: lden trace EVENT... [--filter EXPR] [--comm NAME] [--fields A,B]\n"
	      "                  [--pid PID[,PID...] [--children] | --cgroup DIR |\n"
	      "                   --container NAME] [--netns INODE|PID]\n"
	      "                  [--json [--ns]] [--show-container] [-t SEC]\n"
	      "                  [--events-dir DIR]\n"
	      "       lden trace exec | open [--failed] | tcp-accept | socket [OPTIONS]\n"
	      "\n"
	      "Print kernel events as they happen, one line each: time, CPU, pid,\n"
	      "comm, event, then its fields.  Ctrl-C prints a summary to stderr.\n"
	      "\n"
	      "  -F, --fields A,B      print only these fields\n"
	      "      --failed          open: only the opens that failed\n"
	      "      --strings HOW     exec, open: auto (default), exact (copied by the\n"
	      "                        kernel at the call, at a cost), late (read\n"
	      "                        from the process afterwards, marked '?')\n"
	      "  -j, --json            one JSON object per line\n"
	      "      --ns              with --json: each task's namespace inodes\n"
	      "      --show-container  a CONTAINER column (JSON: \"container\"): the\n"
	      "                        task's at the event, exact where the kernel gives\n"
	      "                        the sample's cgroup; else read late, marked '?'\n", out);
	fputs(lden_cmdline_help, out);
	fputs("\n"
	      "EVENT: a name from 'lden list-events', SYSTEM:NAME[FILTER],\n"
	      "custom(FUNCTION) or uprobe(PATH:SYMBOL), as in lden notify.\n"
	      "Recipes:\n"
	      "  exec         PID PPID UID COMM FILENAME ARGV of new programs\n"
	      "  open         COMM PID TID PATH RESULT of open/openat/openat2\n"
	      "  tcp-accept   UID CMD PID PORT IP_SOURCE of accepted TCP connections\n"
	      "  socket       net/socket.c's functions (or the socket system calls),\n"
	      "               entry and return, indented per thread (socket-trace.stp)\n"
	      "See lden-trace(8).\n", out);
}

static int split_fields(struct lden_trace_opts *o, const char *arg)
{
	int n = 0;

	o->fields_buf = strdup(arg);
	if (!o->fields_buf)
		return -1;
	for (char *tok = strtok(o->fields_buf, ","); tok;
	     tok = strtok(NULL, ",")) {
		if (n == LDEN_TRACE_FIELDS_MAX) {
			lden_cli__err("more than %d fields in --fields", LDEN_TRACE_FIELDS_MAX);
			return -1;
		}
		o->fields[n++] = tok;
	}
	if (!n) {
		lden_cli__err("--fields needs field names");
		return -1;
	}
	o->fields[n] = NULL;
	return 0;
}

static int trace_option(int c, const char *arg, void *ctx)
{
	struct lden_trace_opts *o = ctx;

	switch (c) {
	case 'F':
		return split_fields(o, arg) < 0 ? LDEN_EXIT_USAGE : 0;
	case 'x':
		o->failed = true;
		return 0;
	case LDEN_OPT_NS:
		o->ns = true;
		return 0;
	case LDEN_OPT_SHOW_CONTAINER:
		o->show_container = true;
		return 0;
	case LDEN_OPT_STRINGS:
		if (lden_strings__parse(arg, &o->strings) < 0) {
			lden_cli__err("invalid --strings value '%s' (auto, exact or late)",
				     arg);
			return LDEN_EXIT_USAGE;
		}
		o->strings_given = true;
		return 0;
	default:
		return 1;
	}
}

static int parse_opts(int argc, char **argv, struct lden_trace_opts *o,
		      const struct lden_recipe_def **def)
{
	static const struct option longopts[] = {
		{ "fields", required_argument, NULL, 'F' },
		{ "failed", no_argument, NULL, 'x' },
		{ "strings", required_argument, NULL, LDEN_OPT_STRINGS },
		{ "ns", no_argument, NULL, LDEN_OPT_NS },
		{ "show-container", no_argument, NULL, LDEN_OPT_SHOW_CONTAINER },
		{ NULL, 0, NULL, 0 },
	};
	struct lden_cmdline_def cl = {
		.shorts = "F:", .longopts = longopts, .option = trace_option,
		.usage = usage,
	};
	int status = lden_evopts__parse(&o->c, &cl, o, argc, argv);

	if (status)
		return status;
	*def = lden_recipe__find(lden_cli__command(), o->c.args[0]);
	if (o->ns && !o->c.json) {
		lden_cli__err("--ns goes with --json (text shows the container: --show-container)");
		return LDEN_EXIT_USAGE;
	}
	if ((o->failed || o->strings_given) && !*def) {
		lden_cli__err("%s", o->failed ?
			     "--failed goes with the recipe 'open'" :
			     "--strings goes with the recipes 'open' and 'exec'");
		return LDEN_EXIT_USAGE;
	}
	return 0;
}

static int run(int argc, char **argv)
{
	struct lden_trace t = { 0 };
	/* every line shows the process id */
	struct ltr_session_opts so = {
		.wakeup_bytes = 1, .need_tgid = true, .detach_close = true,
	};
	uint64_t start;
	int status;

	status = parse_opts(argc, argv, &t.o, &t.def);
	if (status)
		goto out;
	/*
	 * samples are read at once: the process's memory is still there;
	 * but a failed open's exit reads nothing the kernel did not keep
	 * (its enter is recalled), so those are read in batches
	 */
	if (t.o.failed)
		so.wakeup_bytes = 16384;
	/* --show-container: each sample's cgroup id, where the kernel has
	 * it (the container at the event); the samples stay lean without */
	so.sample_cgroup = t.o.show_container;
	t.run = lden_run__new(&t.o.c, &so, 0);
	status = lden_run__attach(t.run, lden_trace__attach, NULL, &t);
	if (status)
		goto out;
	t.guard = t.run->guard;
	lden_trace__header(&t);
	start = lden_now_ns();
	lden_run__go(t.run);
	status = lden_trace__loop(&t);
	lden_trace__summary(&t, (double)(lden_now_ns() - start) / 1e9);
	lden_run__ns_say(t.run, t.o.ns || t.o.show_container);
	lden_run__container_say(t.run);
	status = lden_run__end(t.run, status);
out:
	lden_run__free(t.run);
	lden_scope__release(&t.o.c.scope);
	lden_trace__release(&t);
	free(t.o.fields_buf);
	return status < 0 ? 0 : status;
}

const struct lden_cmd lden_cmd_trace = {
	.name = "trace",
	.run = run,
	.summary = "print kernel events as they happen (and recipes: exec, open, tcp-accept, socket)",
};
