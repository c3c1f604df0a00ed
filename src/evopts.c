// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "clock.h"
#include "evlist.h"
#include "evopts.h"
#include "lden.h"

const char lden_evopts_help[] =
	"  -f, --filter EXPR     kernel filter ANDed into every event's\n"
	"      --comm NAME       only tasks named NAME (filtered in the kernel)\n"
	"  -p, --pid PID,...     only these processes (per-task events)\n"
	"      --children        with --pid, also the children they create\n"
	"  -g, --cgroup DIR      only the tasks of this cgroup\n"
	"  -- CMD [ARGS]         run CMD, trace only it and its children, stop\n"
	"                        when it exits\n"
	"  -t, --time SEC        stop after SEC seconds\n"
	"  -d, --events-dir DIR  also read catalog files (*.events) from DIR\n"
	LDEN_GUARD_USAGE
	"  -h, --help            show this help\n";

static const struct option common[] = {
	{ "filter", required_argument, NULL, 'f' },
	{ "comm", required_argument, NULL, 'c' },
	{ "pid", required_argument, NULL, 'p' },
	{ "children", no_argument, NULL, 'C' },
	{ "cgroup", required_argument, NULL, 'g' },
	{ "json", no_argument, NULL, 'j' },
	{ "time", required_argument, NULL, 't' },
	{ "events-dir", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	LDEN_GUARD_LONGOPTS,
};
#define NCOMMON (sizeof(common) / sizeof(common[0]))

/* 0 handled, 1 not a shared option, else an exit status */
static int shared(struct lden_evopts *o, int c, const char *cmd)
{
	switch (c) {
	case 'f':
		o->filter = optarg;
		return 0;
	case 'c':
		o->comm = optarg;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case 't':
		if (lden_parse_seconds(optarg, LDEN_ABOVE_ZERO, 1e9,
				       &o->time_limit) < 0) {
			lden_err("%s: invalid --time value '%s'", cmd, optarg);
			return LDEN_EXIT_USAGE;
		}
		return 0;
	case 'd':
		o->events_dir = optarg;
		return 0;
	default:
		return lden_scope_guard_option(&o->scope, &o->guard, c, optarg,
					       cmd, NULL);
	}
}

int lden_evopts_parse(int argc, char **argv, const char *cmd,
		      const struct option *longopts, const char *shortopts,
		      lden_evopts_fn fn, void *ctx, void (*usage)(FILE *),
		      struct lden_evopts *o)
{
	struct option all[64];
	char shorts[128];
	size_t n = 0;
	int c, rc;

	for (; longopts && longopts[n].name && n < 64 - NCOMMON - 1; n++)
		all[n] = longopts[n];
	memcpy(all + n, common, sizeof(common));
	memset(&all[n + NCOMMON], 0, sizeof(all[0]));
	snprintf(shorts, sizeof(shorts), ":f:p:g:jt:d:h%s", shortopts ? shortopts : "");
	o->guard = (struct lden_guard_opts)LDEN_GUARD_OPTS_INIT;
	/* everything after "--" is the command to run and trace */
	argc = lden_scope_take_command(&o->scope, argc, argv);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return -1;
		}
		if (c == ':')
			return lden_option_error(cmd, c, argv[optind - 1]);
		rc = shared(o, c, cmd);
		if (rc == 1)
			rc = c == '?' ? 1 : fn(c, optarg, ctx);
		if (rc == 1)
			return lden_option_error(cmd, '?', argv[optind - 1]);
		if (rc)
			return rc;
	}
	if (lden_scope_check(&o->scope, cmd) < 0)
		return LDEN_EXIT_USAGE;
	if (optind >= argc) {
		lden_err("%s: missing EVENT (see 'lden %s --help')", cmd, cmd);
		return LDEN_EXIT_USAGE;
	}
	o->events = argv + optind;
	o->nevents = argc - optind;
	return 0;
}

int lden_evopts_command_start(struct lden_evopts *o, const char *cmd)
{
	if (!o->scope.command || lden_command_start(&o->scope) == 0)
		return 0;
	lden_err("%s: cannot start the command: %s", cmd, strerror(errno));
	return LDEN_EXIT_FAIL;
}

int lden_evopts_command_end(struct lden_evopts *o, FILE *out, int status)
{
	int st = o->scope.command_status;

	if (!o->scope.command || st < 0)
		return status;
	if (WIFEXITED(st))
		fprintf(out, "lden: the command exited with status %d\n",
			WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		fprintf(out, "lden: the command was killed by signal %d\n",
			WTERMSIG(st));
	/* lden's own failure first; else the command's, as perf stat does */
	if (status != LDEN_EXIT_OK)
		return status;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
