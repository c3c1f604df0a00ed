// SPDX-License-Identifier: GPL-2.0-or-later
/* lden watch's command line (see watch-opts.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmdline.h"
#include "escape.h"
#include "lden.h"
#include "number.h"
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
	      "      --container NAME    the same, the cgroup of this container\n"
	      "  -- CMD [ARGS]           run CMD and count only it and its children\n"
	      LDEN_GUARD_USAGE
	      "  -h, --help              show this help\n"
	      "\n"
	      "The rules format: lden-rules(5).  See lden-watch(8).\n", out);
}

static bool number(const char *opt, const char *arg, double lo, double hi,
		   double *out)
{
	if (lden_parse_decimal(arg, lo, hi, out) == 0)
		return true;
	lden_cli__err("invalid %s value '%s' (expected %.15g to %.15g)", opt, arg,
		     lo, hi);
	return false;
}

enum { O_CHECK = 0x5701, O_PROM, O_LISTEN, O_URL, O_RESEND, O_TIMEOUT,
       O_QUEUE, O_WEB };

static int watch_option(int c, const char *arg, void *ctx)
{
	struct lden_watch_opts *o = ctx;
	unsigned long long n;
	double v;

	switch (c) {
	case 'r':
		if (!*arg) {
			lden_cli__err("--rules needs a path: the one given is empty");
			return LDEN_EXIT_USAGE;
		}
		if (o->npaths == LDEN_WATCH_MAX_PATHS) {
			lden_cli__err("more than %d --rules", LDEN_WATCH_MAX_PATHS);
			return LDEN_EXIT_USAGE;
		}
		o->paths[o->npaths++] = arg;
		return 0;
	case O_CHECK: o->check = true; return 0;
	case 'i':
		if (!number("--interval", arg, 1, 3600000, &v))
			return LDEN_EXIT_USAGE;
		o->interval = v / 1000;
		return 0;
	case 'q': o->quiet = true; return 0;
	case O_PROM: o->prometheus = arg; return 0;
	case O_LISTEN: o->listen = arg; return 0;
	case O_URL: o->external_url = arg; return 0;
	case O_WEB: o->web_config = arg; return 0;
	case O_RESEND:
		return number("--resend", arg, 1, 86400, &o->resend) ?
		       0 : LDEN_EXIT_USAGE;
	case O_TIMEOUT:
		return number("--action-timeout", arg, 0.01, 600,
			      &o->actions.timeout) ? 0 : LDEN_EXIT_USAGE;
	case O_QUEUE:
		if (lden_parse_count(arg, 1, 1000000, &n) < 0) {
			lden_cli__err("invalid --action-queue value '%s' (expected 1 to 1000000)",
				     arg);
			return LDEN_EXIT_USAGE;
		}
		o->actions.queue_max = (int)n;
		return 0;
	default:
		return 1;
	}
}

/* --check's FILE arguments: 0 or LDEN_EXIT_USAGE after the error. */
static int check_files(struct lden_watch_opts *o)
{
	for (int i = 0; i < o->c.nargs; i++) {
		if (!o->check) {
			lden_cli__err("unexpected argument '%s' (rules files go after --rules or --check)",
				     o->c.args[i]);
			return LDEN_EXIT_USAGE;
		}
		if (!*o->c.args[i]) {
			lden_cli__err("--check needs paths: one given is empty");
			return LDEN_EXIT_USAGE;
		}
		if (o->npaths == LDEN_WATCH_MAX_PATHS) {
			lden_cli__err("more than %d rules files", LDEN_WATCH_MAX_PATHS);
			return LDEN_EXIT_USAGE;
		}
		o->paths[o->npaths++] = o->c.args[i];
	}
	return 0;
}

int lden_watch_opts__parse(int argc, char **argv, struct lden_watch_opts *o)
{
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "check", no_argument, NULL, O_CHECK },
		{ "interval", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "prometheus", required_argument, NULL, O_PROM },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "external-url", required_argument, NULL, O_URL },
		{ "web-config", required_argument, NULL, O_WEB },
		{ "resend", required_argument, NULL, O_RESEND },
		{ "action-timeout", required_argument, NULL, O_TIMEOUT },
		{ "action-queue", required_argument, NULL, O_QUEUE },
		{ NULL, 0, NULL, 0 },
	};
	static const struct lden_cmdline_def def = {
		.shared = LDEN_CL_SCOPE | LDEN_CL_GUARD | LDEN_CL_EVENTS_DIR |
			  LDEN_CL_JSON,
		.shorts = "r:i:jqd:p:g:h", .longopts = longopts,
		.option = watch_option, .usage = usage,
	};
	int rc;

	o->interval = 1;
	o->resend = 60;
	rc = lden_cmdline__parse(&o->c, &def, o, argc, argv);
	if (rc || (rc = check_files(o)))
		return rc;
	if (o->check)
		return 0;
	return lden_cmdline__web_config(o->web_config,
				       o->prometheus || o->listen,
				       " (--listen, --prometheus)", &o->web);
}

void lden_watch__rules_error(const char *what,
			    const struct lden_rules_error *err)
{
	char buf[2048];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%s", what);

	if (n >= sizeof(buf))
		n = 0;
	lden_rules__format_error(err, buf + n, sizeof(buf) - n);
	lden_err_caret(buf);
}

/* The rules of every path; prints the error.  0, or -1. */
int lden_watch_opts__load(const struct lden_watch_opts *o,
			 struct lden_rules *rs, const char *what)
{
	static const char *const def[] = { LDEN_WATCH_DEFAULT_RULES };
	const char *const *paths = o->npaths ? o->paths : def;
	struct lden_rules_error err;

	if (lden_rules__load(rs, paths, o->npaths ? o->npaths : 1, !o->npaths,
			    &err) < 0) {
		lden_watch__rules_error(what, &err);
		return -1;
	}
	if (!rs->n) {
		lden_err("%sno rules in %s", what, o->npaths ? paths[0] : LDEN_WATCH_DEFAULT_RULES);
		return -1;
	}
	for (int i = 0; i < rs->n; i++) {
		int fd;

		if (!rs->rules[i].cgroup)
			continue;
		if (lden_scope__is_set(&o->c.scope)) {
			lden_err("%s%s:%d: rule '%s' has its own cgroup: not with --pid, --cgroup or -- CMD",
				 what, rs->rules[i].file,
				 rs->rules[i].cgroup_src.line,
				 rs->rules[i].name);
			return -1;
		}
		/* what attaching would refuse, --check refuses too */
		fd = open(rs->rules[i].cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			const char *cg = rs->rules[i].cgroup;
			int saved = errno;
			char esc[4 * 4096 + 1];

			lden_escape__text(cg, strlen(cg), 0, esc, sizeof(esc));
			lden_err("%s%s:%d: rule '%s': cannot open cgroup '%s': %s",
				 what, rs->rules[i].file,
				 rs->rules[i].cgroup_src.line,
				 rs->rules[i].name, esc, strerror(saved));
			return -1;
		}
		close(fd);
	}
	return 0;
}
