// SPDX-License-Identifier: GPL-2.0-or-later
/* The command line the tracing commands share (see cmdline.h). */
#include <string.h>

#include "argv.h"
#include "cli.h"
#include "cmdline.h"
#include "clock.h"
#include "lden.h"
#include "webconfig.h"

const char lden_cmdline_help[] =
	"  -f, --filter EXPR     kernel filter ANDed into every event's\n"
	"      --comm NAME       only tasks named NAME (filtered in the kernel)\n"
	"  -p, --pid PID,...     only these processes (per-task events)\n"
	"      --children        with --pid, also the children they create\n"
	"  -g, --cgroup DIR      only the tasks of this cgroup\n"
	"      --container NAME  only the tasks of this container (its cgroup)\n"
	"      --netns INODE|PID only the tasks of this network namespace (or of\n"
	"                        PID's), filtered in user space\n"
	"  -- CMD [ARGS]         run CMD, trace only it and its children, stop\n"
	"                        when it exits\n"
	"  -t, --time SEC        stop after SEC seconds\n"
	"  -d, --events-dir DIR  also read catalog files (*.events) from DIR\n"
	LDEN_GUARD_USAGE
	LDEN_RING_USAGE
	"  -h, --help            show this help\n";

/* The shared options: the group that has each, its short letter. */
static const struct shared {
	struct option o;
	unsigned int group;
	char letter;
} shared[] = {
	{ { "pid", required_argument, NULL, LDEN_CL_OPT_PID }, LDEN_CL_SCOPE, 'p' },
	{ { "children", no_argument, NULL, LDEN_CL_OPT_CHILDREN }, LDEN_CL_SCOPE, 0 },
	{ { "cgroup", required_argument, NULL, LDEN_CL_OPT_CGROUP }, LDEN_CL_SCOPE, 'g' },
	{ { "container", required_argument, NULL, LDEN_CL_OPT_CONTAINER }, LDEN_CL_SCOPE, 0 },
	{ { "netns", required_argument, NULL, LDEN_CL_OPT_NETNS }, LDEN_CL_NETNS, 0 },
	{ { "time", required_argument, NULL, LDEN_CL_OPT_TIME }, LDEN_CL_TIME, 't' },
	{ { "events-dir", required_argument, NULL, LDEN_CL_OPT_EVENTS_DIR }, LDEN_CL_EVENTS_DIR, 'd' },
	{ { "json", no_argument, NULL, LDEN_CL_OPT_JSON }, LDEN_CL_JSON, 'j' },
	{ { "filter", required_argument, NULL, LDEN_CL_OPT_FILTER }, LDEN_CL_FILTER, 'f' },
	{ { "comm", required_argument, NULL, LDEN_CL_OPT_COMM }, LDEN_CL_FILTER, 0 },
	{ { "help", no_argument, NULL, LDEN_CL_OPT_HELP }, ~0u, 'h' },
	{ { "max-rate", required_argument, NULL, LDEN_OPT_MAX_RATE }, LDEN_CL_GUARD, 0 },
	{ { "max-cpu", required_argument, NULL, LDEN_OPT_MAX_CPU }, LDEN_CL_GUARD, 0 },
	{ { "ring", required_argument, NULL, LDEN_CL_OPT_RING }, LDEN_CL_RING, 0 },
};
#define NSHARED (sizeof(shared) / sizeof(shared[0]))
#define MAX_OPTS 64

/* The command's own long options, then the shared ones it takes. */
static void table(const struct lden_cmdline_def *def, struct option *all)
{
	size_t n = 0;

	for (; def->longopts && def->longopts[n].name; n++)
		all[n] = def->longopts[n];
	for (size_t i = 0; i < NSHARED; i++)
		if (shared[i].group & def->shared)
			all[n++] = shared[i].o;
	memset(&all[n], 0, sizeof(all[n]));
}

/* A short letter the command did not take as its own: the shared code. */
static int code_of(const struct lden_cmdline_def *def, int c)
{
	for (size_t i = 0; i < NSHARED; i++)
		if (shared[i].letter == c && (shared[i].group & def->shared))
			return shared[i].o.val;
	return c;
}

/* --ring RING: 0, or LDEN_EXIT_USAGE after the error */
static int take_ring(struct lden_cmdline *cl, const char *arg)
{
	static const char *const names[] = {
		[LTR_RING_AUTO] = "auto",
		[LTR_RING_PERF] = "perf",
		[LTR_RING_FTRACE] = "ftrace",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(arg, names[i])) {
			cl->ring = (enum ltr_ring_kind)i;
			return 0;
		}
	}
	lden_cli__err("invalid --ring value '%s' (expected auto, ftrace or perf)",
		     arg);
	return LDEN_EXIT_USAGE;
}

/* 0 handled, 1 not a shared option, else an exit status */
static int take(struct lden_cmdline *cl, int c, const char *arg,
		const char *name)
{
	char err[300];

	switch (c) {
	case LDEN_CL_OPT_PID:
		if (lden_scope__add_pids(&cl->scope, arg, err, sizeof(err)) == 0)
			return 0;
		lden_cli__err("%s", err);
		return LDEN_EXIT_USAGE;
	case LDEN_CL_OPT_CHILDREN:
		cl->scope.children = true;
		return 0;
	case LDEN_CL_OPT_CGROUP:
		cl->scope.cgroup = arg;
		return 0;
	case LDEN_CL_OPT_CONTAINER:
		cl->scope.container = arg;
		return 0;
	case LDEN_CL_OPT_NETNS:
		if (lden_scope__set_netns(&cl->scope, arg, err, sizeof(err)) == 0)
			return 0;
		lden_cli__err("%s", err);
		return LDEN_EXIT_USAGE;
	case LDEN_CL_OPT_TIME:
		if (lden_parse_seconds(arg, LDEN_ABOVE_ZERO, 1e9, &cl->time_limit) == 0)
			return 0;
		lden_cli__err("invalid --%s value '%s'", name, arg);
		return LDEN_EXIT_USAGE;
	case LDEN_CL_OPT_EVENTS_DIR:
		cl->events_dir = arg;
		return 0;
	case LDEN_CL_OPT_JSON:
		cl->json = true;
		return 0;
	case LDEN_CL_OPT_FILTER:
		cl->filter = arg;
		return 0;
	case LDEN_CL_OPT_COMM:
		cl->comm = arg;
		return 0;
	case LDEN_CL_OPT_RING:
		return take_ring(cl, arg);
	case LDEN_OPT_MAX_RATE:
	case LDEN_OPT_MAX_CPU:
		if (lden_guard__parse_opt(&cl->guard, c, arg, err, sizeof(err)) == 0)
			return 0;
		lden_cli__err("%s", err);
		return LDEN_EXIT_USAGE;
	default:
		return 1;
	}
}

/* The option's long name, as given (--duration or --time), for errors. */
static const char *long_name(const struct option *all, int idx, int c)
{
	if (idx >= 0)
		return all[idx].name;
	for (size_t i = 0; i < NSHARED; i++)
		if (shared[i].o.val == c)
			return shared[i].o.name;
	return "";
}

int lden_cmdline__parse(struct lden_cmdline *cl,
		       const struct lden_cmdline_def *def, void *ctx,
		       int argc, char **argv)
{
	struct option all[MAX_OPTS];
	char shorts[128];
	char err[300];
	int c, idx, rc;

	table(def, all);
	snprintf(shorts, sizeof(shorts), ":%s", def->shorts);
	if (def->dash_expression)
		cl->dash_arg = lden_take_dash_expression(&argc, argv, all,
							 shorts + 1);
	cl->guard = (struct lden_guard_opts)LDEN_GUARD_OPTS_INIT;
	/* everything after "--" is the command to run and trace */
	if (def->shared & LDEN_CL_SCOPE)
		argc = lden_scope__take_command(&cl->scope, argc, argv);
	optind = 1;
	opterr = 0;
	while ((idx = -1, c = getopt_long(argc, argv, shorts, all, &idx)) != -1) {
		if (c == ':' || c == '?')
			return lden_cli__option_error(c, argv[optind - 1]);
		rc = def->option ? def->option(c, optarg, ctx) : 1;
		if (rc == 1) {
			c = code_of(def, c);
			if (c == LDEN_CL_OPT_HELP) {
				def->usage(stdout);
				return -1;
			}
			rc = take(cl, c, optarg, long_name(all, idx, c));
		}
		if (rc == 1)
			return lden_cli__option_error('?', argv[optind - 1]);
		if (rc)
			return rc;
	}
	if ((def->shared & LDEN_CL_SCOPE) &&
	    lden_scope__check(&cl->scope, err, sizeof(err)) < 0) {
		lden_cli__err("%s", err);
		return LDEN_EXIT_USAGE;
	}
	cl->args = argv + optind;
	cl->nargs = argc - optind;
	return 0;
}

int lden_cmdline__web_config(const char *file, bool serves, const char *hint,
			    struct lden_web_config *web)
{
	char err[8800];

	if (!file)
		return 0;
	if (!serves) {
		lden_cli__err("--web-config protects the dashboard and /metrics, and this run serves neither%s",
			     hint);
		return LDEN_EXIT_USAGE;
	}
	if (lden_web_config__load(file, web, err, sizeof(err)) < 0) {
		lden_cli__err("--web-config: %s", err);
		lden_web_config__free(web);
		return LDEN_EXIT_USAGE;
	}
	return 0;
}

int lden_cmdline__no_args(const struct lden_cmdline *cl)
{
	if (!cl->nargs)
		return 0;
	lden_cli__err("unexpected argument '%s'", cl->args[0]);
	return LDEN_EXIT_USAGE;
}
