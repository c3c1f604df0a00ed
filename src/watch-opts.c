// SPDX-License-Identifier: GPL-2.0-or-later
/* lden watch's command line (see watch-opts.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "lden.h"
#include "watch-opts.h"

static void usage(FILE *out)
{
	fputs("usage: lden watch [-r PATH]... [-i MS] [--json] [--quiet] [--events-dir DIR]\n"
	      "                  [--prometheus ADDR] [--listen ADDR] [--external-url URL]\n"
	      "                  [--web-config FILE]\n"
	      "                  [--resend SEC] [--action-timeout SEC] [--action-queue N]\n"
	      "                  [--max-rate N] [--max-cpu PCT]\n"
	      "                  [--pid PID[,PID...] [--children] | --cgroup DIR] [-- CMD [ARGS]]\n"
	      "       lden watch --check [-r PATH]... [FILE...]\n"
	      "\n"
	      "Evaluate every rule of the rules files all the time, each with its state\n"
	      "(inactive, pending, firing, resolved) and its actions.  SIGHUP reloads them.\n"
	      "\n"
	      "  -r, --rules PATH        a rules file, or a directory of *.rules files\n"
	      "                          (default " LDEN_WATCH_DEFAULT_RULES "); may be repeated\n"
	      "      --check             check the rules (and the FILEs) and exit\n"
	      "  -i, --interval MS       evaluate every MS milliseconds (default 1000)\n"
	      "  -j, --json              one JSON object per transition and at the end\n"
	      "  -q, --quiet             no header or transition lines\n"
	      "  -d, --events-dir DIR    also read catalog files (*.events) from DIR\n"
	      "      --prometheus ADDR   serve /metrics on [ADDR:]PORT\n"
	      "      --listen ADDR       serve the dashboard, with the rules, on [ADDR:]PORT\n"
	      "      --external-url URL  the dashboard's URL in alerts (generatorURL)\n"
	      "      --web-config FILE   TLS and basic authentication for the dashboard and\n"
	      "                          /metrics (the Prometheus exporters' format)\n"
	      "      --resend SEC        tell Alertmanager of a firing alert again every\n"
	      "                          SEC seconds (default 60)\n"
	      "      --action-timeout SEC  the longest an action may take (default 5)\n"
	      "      --action-queue N    alerts waiting per destination (default 256)\n"
	      "  -p, --pid PID,...       count only these processes' events\n"
	      "      --children          with --pid, also the children they create\n"
	      "  -g, --cgroup DIR        count only the events of tasks in this cgroup\n"
	      "  -- CMD [ARGS]           run CMD and count only it and its children\n"
	      LDEN_GUARD_USAGE
	      "  -h, --help              show this help\n"
	      "\n"
	      "The rules format: lden-rules(5).  See lden-watch(8).\n", out);
}

static bool number(const char *opt, const char *arg, double lo, double hi,
		   double *out)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	if (end != arg && !*end && !errno && *out >= lo && *out <= hi)
		return true;
	lden_err("watch: invalid %s value '%s' (expected %g to %g)", opt, arg,
		 lo, hi);
	return false;
}

int lden_watch_opts_parse(int argc, char **argv, struct lden_watch_opts *o)
{
	enum { O_CHECK = 0x5701, O_PROM, O_LISTEN, O_URL, O_RESEND, O_TIMEOUT,
	       O_QUEUE, O_WEB };
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "check", no_argument, NULL, O_CHECK },
		{ "interval", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "events-dir", required_argument, NULL, 'd' },
		{ "prometheus", required_argument, NULL, O_PROM },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "external-url", required_argument, NULL, O_URL },
		{ "web-config", required_argument, NULL, O_WEB },
		{ "resend", required_argument, NULL, O_RESEND },
		{ "action-timeout", required_argument, NULL, O_TIMEOUT },
		{ "action-queue", required_argument, NULL, O_QUEUE },
		{ "pid", required_argument, NULL, 'p' },
		{ "children", no_argument, NULL, 'C' },
		{ "cgroup", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		LDEN_GUARD_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	double v;
	int c, rc;

	argc = lden_scope_take_command(&o->scope, argc, argv);
	o->interval = 1;
	o->resend = 60;
	o->guard = (struct lden_guard_opts)LDEN_GUARD_OPTS_INIT;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:i:jqd:p:g:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'r':
			if (o->npaths == LDEN_WATCH_MAX_PATHS) {
				lden_err("watch: more than %d --rules", LDEN_WATCH_MAX_PATHS);
				return LDEN_EXIT_USAGE;
			}
			o->paths[o->npaths++] = optarg;
			break;
		case O_CHECK: o->check = true; break;
		case 'i':
			if (!number("--interval", optarg, 1, 3600000, &v))
				return LDEN_EXIT_USAGE;
			o->interval = v / 1000;
			break;
		case 'j': o->json = true; break;
		case 'q': o->quiet = true; break;
		case 'd': o->events_dir = optarg; break;
		case O_PROM: o->prometheus = optarg; break;
		case O_LISTEN: o->listen = optarg; break;
		case O_URL: o->external_url = optarg; break;
		case O_WEB: o->web_config = optarg; break;
		case O_RESEND:
			if (!number("--resend", optarg, 1, 86400, &o->resend))
				return LDEN_EXIT_USAGE;
			break;
		case O_TIMEOUT:
			if (!number("--action-timeout", optarg, 0.01, 600,
				    &o->actions.timeout))
				return LDEN_EXIT_USAGE;
			break;
		case O_QUEUE:
			if (!number("--action-queue", optarg, 1, 1000000, &v))
				return LDEN_EXIT_USAGE;
			o->actions.queue_max = (int)v;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			rc = lden_scope_guard_option(&o->scope, &o->guard, c,
						     optarg, "watch",
						     argv[optind - 1]);
			if (rc)
				return rc;
		}
	}
	if (lden_scope_check(&o->scope, "watch") < 0)
		return LDEN_EXIT_USAGE;
	for (; optind < argc; optind++) {
		if (!o->check) {
			lden_err("watch: unexpected argument '%s' (rules files go after --rules or --check)",
				 argv[optind]);
			return LDEN_EXIT_USAGE;
		}
		if (o->npaths == LDEN_WATCH_MAX_PATHS) {
			lden_err("watch: more than %d rules files", LDEN_WATCH_MAX_PATHS);
			return LDEN_EXIT_USAGE;
		}
		o->paths[o->npaths++] = argv[optind];
	}
	if (o->web_config && !o->check) {
		char err[8800];

		if (!o->prometheus && !o->listen) {
			lden_err("watch: --web-config protects the dashboard and /metrics, and this run serves neither (--listen, --prometheus)");
			return LDEN_EXIT_USAGE;
		}
		if (lden_web_config_load(o->web_config, &o->web, err,
					 sizeof(err)) < 0) {
			lden_err("watch: --web-config: %s", err);
			return LDEN_EXIT_USAGE;
		}
	}
	return 0;
}

void lden_watch_rules_error(const char *what,
			    const struct lden_rules_error *err)
{
	char buf[2048];

	lden_rules_format_error(err, buf, sizeof(buf));
	lden_err("%s%s", what, buf);
}

/* The rules of every path; prints the error.  0, or -1. */
int lden_watch_opts_load(const struct lden_watch_opts *o,
			 struct lden_rules *rs, const char *what)
{
	static const char *const def[] = { LDEN_WATCH_DEFAULT_RULES };
	const char *const *paths = o->npaths ? o->paths : def;
	struct lden_rules_error err;

	if (lden_rules_load(rs, paths, o->npaths ? o->npaths : 1, !o->npaths,
			    &err) < 0) {
		lden_watch_rules_error(what, &err);
		return -1;
	}
	if (!rs->n) {
		lden_err("%sno rules in %s", what, o->npaths ? paths[0] : LDEN_WATCH_DEFAULT_RULES);
		return -1;
	}
	for (int i = 0; i < rs->n; i++) {
		if (!rs->rules[i].cgroup || !lden_scope_is_set(&o->scope))
			continue;
		lden_err("%s%s:%d: rule '%s' has its own cgroup: not with --pid, --cgroup or -- CMD",
			 what, rs->rules[i].file, rs->rules[i].cgroup_src.line,
			 rs->rules[i].name);
		return -1;
	}
	return 0;
}
