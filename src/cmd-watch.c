// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden watch: every rule of the rules files, all the time, each with its
 * state and its actions (the logic is in watch.c and the files it uses).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "guard.h"
#include "lden.h"
#include "lden-trace.h"
#include "watch-http.h"
#include "watch-report.h"

#define DEFAULT_RULES "/etc/lden/rules.d"
#define MAX_PATHS 32
/* seconds the actions have at the end to deliver what is queued */
#define DRAIN 2.0

struct watch_opts {
	const char *paths[MAX_PATHS];
	int npaths;
	bool check;
	double interval, resend;
	bool json, quiet;
	const char *events_dir, *prometheus, *listen, *external_url;
	struct lden_actions_opts actions;
	struct lden_scope_opts scope;
	struct lden_guard_opts guard;
};

static volatile sig_atomic_t reload;

static void on_hup(int sig)
{
	reload = sig;
}

static void usage(FILE *out)
{
	fputs("usage: lden watch [-r PATH]... [-i MS] [--json] [--quiet] [--events-dir DIR]\n"
	      "                  [--prometheus ADDR] [--listen ADDR] [--external-url URL]\n"
	      "                  [--resend SEC] [--action-timeout SEC] [--action-queue N]\n"
	      "                  [--max-rate N] [--max-cpu PCT]\n"
	      "                  [--pid PID[,PID...] [--children] | --cgroup DIR] [-- CMD [ARGS]]\n"
	      "       lden watch --check [-r PATH]... [FILE...]\n"
	      "\n"
	      "Evaluate every rule of the rules files all the time, each with its state\n"
	      "(inactive, pending, firing, resolved) and its actions.  SIGHUP reloads them.\n"
	      "\n"
	      "  -r, --rules PATH        a rules file, or a directory of *.rules files\n"
	      "                          (default " DEFAULT_RULES "); may be repeated\n"
	      "      --check             check the rules (and the FILEs) and exit\n"
	      "  -i, --interval MS       evaluate every MS milliseconds (default 1000)\n"
	      "  -j, --json              one JSON object per transition and at the end\n"
	      "  -q, --quiet             no header or transition lines\n"
	      "  -d, --events-dir DIR    also read catalog files (*.events) from DIR\n"
	      "      --prometheus ADDR   serve /metrics on [ADDR:]PORT\n"
	      "      --listen ADDR       serve the dashboard, with the rules, on [ADDR:]PORT\n"
	      "      --external-url URL  the dashboard's URL in alerts (generatorURL)\n"
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

static int parse_opts(int argc, char **argv, struct watch_opts *o)
{
	enum { O_CHECK = 0x5701, O_PROM, O_LISTEN, O_URL, O_RESEND, O_TIMEOUT,
	       O_QUEUE };
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
			if (o->npaths == MAX_PATHS) {
				lden_err("watch: more than %d --rules", MAX_PATHS);
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
		if (o->npaths == MAX_PATHS) {
			lden_err("watch: more than %d rules files", MAX_PATHS);
			return LDEN_EXIT_USAGE;
		}
		o->paths[o->npaths++] = argv[optind];
	}
	return 0;
}

static void rules_error(const char *what, const struct lden_rules_error *err)
{
	char buf[2048];

	lden_rules_format_error(err, buf, sizeof(buf));
	lden_err("%s%s", what, buf);
}

/* The rules of every path; prints the error.  0, or -1. */
static int load(const struct watch_opts *o, struct lden_rules *rs,
		const char *what)
{
	static const char *const def[] = { DEFAULT_RULES };
	const char *const *paths = o->npaths ? o->paths : def;
	struct lden_rules_error err;

	if (lden_rules_load(rs, paths, o->npaths ? o->npaths : 1, !o->npaths,
			    &err) < 0) {
		rules_error(what, &err);
		return -1;
	}
	if (!rs->n) {
		lden_err("%sno rules in %s", what, o->npaths ? paths[0] : DEFAULT_RULES);
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

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct run {
	struct watch_opts o;
	struct lden_watch w;
	struct lden_guard *guard;
	struct lden_watch_http *http;
};

/* SIGHUP: the rules again; an error keeps those in force. */
static void do_reload(struct run *r)
{
	struct lden_rules rs = { 0 };
	struct lden_rules_error err;
	struct lden_guard *g;
	double now = lden_now();

	reload = 0;
	if (load(&r->o, &rs, "reload: ") < 0)
		return;
	if (lden_watch_bind(&r->w, &rs, now, false, &err) < 0) {
		rules_error("reload: ", &err);
		lden_rules_free(&rs);
		return;
	}
	/* the guard watches the events held now */
	g = lden_watch_events_guard(&r->w.ev, &r->o.guard);
	if (g) {
		lden_guard_free(r->guard);
		r->guard = g;
		lden_guard_start(g, now);
	}
	if (r->o.json)
		printf("{\"type\":\"reload\",\"rules\":%d,\"added\":%d,\"removed\":%d,\"kept\":%d,\"events\":%d}\n",
		       r->w.n, r->w.added, r->w.removed, r->w.kept, r->w.ev.n);
	else if (!r->o.quiet)
		printf("lden: reloaded: %d rules (%d added, %d removed, %d kept), %d events\n",
		       r->w.n, r->w.added, r->w.removed, r->w.kept, r->w.ev.n);
	fflush(stdout);
}

static int loop(struct run *r)
{
	double next = lden_now() + r->o.interval;

	for (;;) {
		bool sampling = lden_watch_events_sampling(&r->w.ev);
		int rc = lden_collect_wait(r->w.ev.s, next, sampling,
					   &lden_stop_signal);
		double t = lden_now();
		uint64_t before = r->w.transitions;

		if (rc == 1 && !reload)
			return 128 + lden_stop_signal;
		if (rc < 0) {
			lden_err("reading samples: %s", strerror(-rc));
			return LDEN_EXIT_FAIL;
		}
		if (reload) {
			do_reload(r);
			continue;
		}
		next += r->o.interval;
		if (next < t)	/* a stall: do not tick in a burst */
			next = t + r->o.interval;
		if (lden_guard_say(r->guard, lden_guard_tick(r->guard, r->w.ev.s, t,
							     lden_collect_sample, NULL),
				   "watch", NULL, NULL, NULL) < 0 ||
		    lden_watch_tick(&r->w, t, wall_now()) < 0) {
			lden_err("watch: %s", ltr_last_error());
			return LDEN_EXIT_FAIL;
		}
		lden_watch_http_tick(r->http, &r->w, t, wall_now(),
				     r->w.transitions != before);
		if (lden_command_poll(&r->o.scope))
			return LDEN_EXIT_OK;
	}
}

static int run(int argc, char **argv)
{
	struct run r = { 0 };
	struct lden_catalog cat = { 0 };
	struct lden_kernel *k = NULL;
	struct lden_rules rs = { 0 };
	struct lden_rules_error err;
	struct ltr_session *s = NULL;
	struct lden_watch_conf conf = { .out = stdout };
	char host[256] = "", msg[512];
	const char *dir;
	int status = parse_opts(argc, argv, &r.o);

	if (status)
		return status < 0 ? 0 : status;
	gethostname(host, sizeof(host) - 1);
	if (load(&r.o, &rs, "") < 0 || lden_load_catalog(&cat, r.o.events_dir) < 0) {
		status = LDEN_EXIT_USAGE;
		goto out;
	}
	status = LDEN_EXIT_FAIL;
	dir = ltr_tracing_dir();
	if (!dir || !(k = lden_kernel_new(dir))) {
		lden_err("%s", ltr_last_error());
		goto out;
	}
	conf = (struct lden_watch_conf){ .host = host, .resend = r.o.resend,
		.json = r.o.json, .quiet = r.o.quiet, .out = stdout };
	if (r.o.check) {
		lden_watch_init(&r.w, &conf, NULL, k, &cat, &r.o.scope);
		status = LDEN_EXIT_USAGE;
		if (lden_watch_bind(&r.w, &rs, lden_now(), true, &err) < 0) {
			rules_error("", &err);
			goto out;
		}
		printf("lden: %d rule%s checked: no error\n", rs.n, rs.n == 1 ? "" : "s");
		status = LDEN_EXIT_OK;
		goto out;
	}
	lden_catch_stop_signals();
	signal(SIGHUP, on_hup);
	s = ltr_session__new(NULL);
	conf.actions = lden_actions_new(&r.o.actions);
	if (!s || !conf.actions) {
		lden_err("%s", s ? "out of memory" : ltr_last_error());
		goto out;
	}
	if (r.o.scope.command && lden_command_start(&r.o.scope) < 0) {
		lden_err("watch: cannot start the command: %s", strerror(errno));
		goto out;
	}
	if (r.o.prometheus || r.o.listen) {
		r.http = lden_watch_http_open(r.o.prometheus, r.o.listen, host,
					      msg, sizeof(msg));
		if (!r.http) {
			lden_err("watch: %s", msg);
			goto out;
		}
	}
	conf.dashboard_url = r.o.external_url ? r.o.external_url :
			     lden_watch_http_url(r.http);
	lden_attach_twins(lden_guard_opts_active(&r.o.guard));
	lden_watch_init(&r.w, &conf, s, k, &cat, &r.o.scope);
	if (lden_watch_bind(&r.w, &rs, lden_now(), false, &err) < 0) {
		rules_error("", &err);
		if (errno != EACCES && errno != EPERM)
			status = LDEN_EXIT_USAGE;
		goto out;
	}
	r.guard = lden_watch_events_guard(&r.w.ev, &r.o.guard);
	if (!r.guard) {
		lden_err("out of memory");
		goto out;
	}
	lden_guard_start(r.guard, lden_now());
	if (r.o.json)
		lden_watch_print_start_json(stdout, &r.w);
	else if (!r.o.quiet)
		lden_watch_print_header(stdout, &r.w);
	fflush(stdout);
	lden_watch_http_tick(r.http, &r.w, lden_now(), wall_now(), true);
	lden_command_go(&r.o.scope);
	status = loop(&r);
	lden_watch_http_free(r.http);
	r.http = NULL;
	/* the actions still queued get a last, short chance */
	lden_actions_flush(conf.actions, DRAIN);
	if (r.o.json || !r.o.quiet)
		lden_watch_print_end(stdout, &r.w, r.guard, r.o.json,
				     lden_now() - r.w.start);

out:
	lden_command_abandon(&r.o.scope);
	lden_watch_http_free(r.http);
	lden_actions_free(conf.actions);
	lden_guard_free(r.guard);
	lden_watch_free(&r.w);
	ltr_session__free(s);
	lden_rules_free(&rs);
	lden_kernel_free(k);
	lden_catalog_free(&cat);
	return status;
}

const struct lden_cmd lden_cmd_watch = {
	.name = "watch",
	.run = run,
	.summary = "evaluate rules files all the time, with alerts and actions",
};
