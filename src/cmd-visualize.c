// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden visualize: trace every catalog event this kernel has (or a list)
 * and, every interval, hand each event's numbers to the sinks: JSON
 * lines, /metrics for Prometheus, Elasticsearch, the dashboard.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "collect.h"
#include "guard.h"
#include "httpd.h"
#include "lden.h"
#include "lden-trace.h"
#include "sink.h"
#include "viz.h"
#include "viz-end.h"
#include "viz-opts.h"
#include "viz-sinks.h"
#include "webconfig.h"

/* the first numbers this soon after the events are enabled */
#define FIRST_TICK 0.05

struct viz_opts {
	const char *es_host, *es_port, *es_url_opt;
	char es_url[512];
	bool es_required;
	const char *ca, *index, *events, *prometheus, *events_dir;
	const char *listen;
	const char *web_config;
	struct lden_web_config web;	/* loaded from web_config */
	double interval, time_limit;
	bool no_dashboard, json, no_size;
	struct lden_scope_opts scope;
	struct lden_guard_opts guard;
};

static void usage(FILE *out)
{
	fputs("usage: lden visualize [-a HOST] [-p PORT] [--url URL] [--ca FILE] [--index NAME]\n"
	      "                      [-e LIST] [-i SEC] [--prometheus [ADDR:]PORT]\n"
	      "                      [--listen ADDR:PORT | --no-dashboard] [--web-config FILE]\n"
	      "                      [-o json] [--no-size]\n"
	      "                      [-t SEC] [-d DIR] [--pid PID[,PID...] [--children] |\n"
	      "                      --cgroup DIR] [-- CMD [ARGS]]\n"
	      "\n"
	      "Trace every event of the catalog this kernel has and, every interval, send\n"
	      "each one's count, size, speed and lost records to Elasticsearch, Prometheus,\n"
	      "the dashboard on http://127.0.0.1:5601/ and/or stdout as JSON lines.\n"
	      "\n"
	      "  -a, --address HOST      Elasticsearch host (default localhost; optional\n"
	      "                          unless -a, -p or --url is given)\n"
	      "  -p, --port PORT         Elasticsearch port (default 9200)\n"
	      "      --url URL           Elasticsearch URL (https, a path prefix)\n"
	      "      --ca FILE           CA certificates for https\n"
	      "      --index NAME        Elasticsearch index (default lden)\n"
	      "  -e, --events LIST       only these events (catalog names, SYSTEM:NAME)\n"
	      "  -i, --interval SEC      send every SEC seconds (default 1)\n"
	      "      --prometheus [ADDR:]PORT  serve /metrics there (default address 127.0.0.1)\n"
	      "      --listen ADDR:PORT  the dashboard's address (default 127.0.0.1:5601)\n"
	      "      --web-config FILE   TLS and basic authentication for the dashboard and\n"
	      "                          /metrics (Prometheus exporters' web config format)\n"
	      "      --no-dashboard      no dashboard\n"
	      "  -o, --output json       one JSON object per event per interval on stdout\n"
	      "      --no-size           count every event, sample none (no sizes)\n"
	      "  -t, --time SEC          stop after SEC seconds\n"
	      "  -d, --events-dir DIR    also read catalog files (*.events) from DIR\n"
	      "      --pid PID,...       count only these processes' events\n"
	      "      --children          with --pid, also the children they create\n"
	      "  -g, --cgroup DIR        count only the events of tasks in this cgroup\n"
	      "  -- CMD [ARGS]           run CMD and count only it and its children\n"
	      LDEN_GUARD_USAGE
	      "  -h, --help              show this help\n"
	      "\n"
	      "Stops on SIGINT or SIGTERM (exit status 0).  See lden-visualize(8).\n",
	      out);
}

static bool parse_seconds(const char *opt, const char *arg, double lo,
			  double hi, double *out)
{
	char err[300];

	if (lden_viz_seconds(opt, arg, lo, hi, out, err, sizeof(err)) < 0) {
		lden_err("visualize: %s", err);
		return false;
	}
	return true;
}

static bool check_addr(const char *opt, const char *addr)
{
	char err[300];

	if (lden_httpd_check_addr(addr, err, sizeof(err)) < 0) {
		lden_err("visualize: %s: %s", opt, err);
		return false;
	}
	return true;
}

/* The Elasticsearch URL and whether it must answer. */
static int es_target(struct viz_opts *o)
{
	char err[600];

	o->es_required = o->es_host || o->es_port || o->es_url_opt;
	if (lden_viz_es_url(o->es_host, o->es_port, o->es_url_opt, o->es_url,
			    sizeof(o->es_url), err, sizeof(err)) < 0) {
		lden_err("visualize: %s", err);
		return -1;
	}
	return 0;
}

enum { OPT_URL = 256, OPT_CA, OPT_INDEX, OPT_PROM, OPT_LISTEN, OPT_NODASH,
       OPT_NOSIZE, OPT_PID, OPT_CHILDREN, OPT_WEB };

static int parse_opts(int argc, char **argv, struct viz_opts *o)
{
	struct stat st;
	static const struct option longopts[] = {
		{ "address", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "url", required_argument, NULL, OPT_URL },
		{ "ca", required_argument, NULL, OPT_CA },
		{ "index", required_argument, NULL, OPT_INDEX },
		{ "events", required_argument, NULL, 'e' },
		{ "interval", required_argument, NULL, 'i' },
		{ "prometheus", required_argument, NULL, OPT_PROM },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "web-config", required_argument, NULL, OPT_WEB },
		{ "no-dashboard", no_argument, NULL, OPT_NODASH },
		{ "output", required_argument, NULL, 'o' },
		{ "no-size", no_argument, NULL, OPT_NOSIZE },
		{ "time", required_argument, NULL, 't' },
		{ "events-dir", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "children", no_argument, NULL, OPT_CHILDREN },
		{ "cgroup", required_argument, NULL, 'g' },
		LDEN_GUARD_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* everything after "--" is the command to run */
	argc = lden_scope_take_command(&o->scope, argc, argv);
	o->interval = 1;
	o->guard = (struct lden_guard_opts)LDEN_GUARD_OPTS_INIT;
	o->index = "lden";
	o->listen = "127.0.0.1:5601";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":a:p:e:i:o:t:d:g:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'a': o->es_host = optarg; break;
		case 'p': o->es_port = optarg; break;
		case OPT_URL: o->es_url_opt = optarg; break;
		case OPT_CA: o->ca = optarg; break;
		case OPT_INDEX: o->index = optarg; break;
		case 'e': o->events = optarg; break;
		case OPT_PROM: o->prometheus = optarg; break;
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_WEB: o->web_config = optarg; break;
		case OPT_NODASH: o->no_dashboard = true; break;
		case OPT_NOSIZE: o->no_size = true; break;
		case 'd': o->events_dir = optarg; break;
		case OPT_CHILDREN: o->scope.children = true; break;
		case 'g': o->scope.cgroup = optarg; break;
		case 'i':
			if (!parse_seconds("--interval", optarg, 0.05, 3600,
					   &o->interval))
				return LDEN_EXIT_USAGE;
			break;
		case 't':
			if (!parse_seconds("--time", optarg, 0.001, 1e9,
					   &o->time_limit))
				return LDEN_EXIT_USAGE;
			break;
		case 'o':
			if (strcmp(optarg, "json")) {
				lden_err("visualize: unknown --output format '%s' (expected 'json')",
					 optarg);
				return LDEN_EXIT_USAGE;
			}
			o->json = true;
			break;
		case OPT_PID:
			if (lden_scope_add_pids(&o->scope, optarg, "visualize") < 0)
				return LDEN_EXIT_USAGE;
			break;
		case LDEN_OPT_MAX_RATE:
		case LDEN_OPT_MAX_CPU:
			if (lden_guard_option(&o->guard, c, optarg, "visualize"))
				return LDEN_EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return lden_option_error("visualize", c, argv[optind - 1]);
		}
	}
	if (optind < argc) {
		lden_err("visualize: unexpected argument '%s'", argv[optind]);
		return LDEN_EXIT_USAGE;
	}
	if (es_target(o) < 0 || lden_scope_check(&o->scope, "visualize") < 0 ||
	    (o->prometheus && !check_addr("--prometheus", o->prometheus)) ||
	    !check_addr("--listen", o->listen))
		return LDEN_EXIT_USAGE;
	if (!lden_viz_index_ok(o->index)) {
		lden_err("visualize: invalid --index '%s' (lowercase, not starting with '-', '_' or '+', none of \\/*?\"<>| ,#:)",
			 o->index);
		return LDEN_EXIT_USAGE;
	}
	if (o->ca && access(o->ca, R_OK) < 0) {
		lden_err("visualize: cannot read --ca file '%s': %s", o->ca,
			 strerror(errno));
		return LDEN_EXIT_USAGE;
	}
	/* libcurl would wait on a FIFO for ever, or read a device without end */
	if (o->ca && (stat(o->ca, &st) < 0 || !S_ISREG(st.st_mode))) {
		lden_err("visualize: --ca file '%s' is not a regular file", o->ca);
		return LDEN_EXIT_USAGE;
	}
	if (o->web_config) {
		char err[8800];

		if (o->no_dashboard && !o->prometheus) {
			lden_err("visualize: --web-config protects the dashboard and /metrics, and this run serves neither");
			return LDEN_EXIT_USAGE;
		}
		if (lden_web_config_load(o->web_config, &o->web, err,
					 sizeof(err)) < 0) {
			lden_err("visualize: --web-config: %s", err);
			lden_web_config_free(&o->web);
			return LDEN_EXIT_USAGE;
		}
	}
	return 0;
}

struct run {
	struct viz_opts o;
	struct lden_viz *v;
	struct ltr_session *s;
	struct lden_viz_conf conf;
	struct lden_viz_sinks *sinks;
	struct lden_guard *guard;
	const char *reason;	/* why it stopped */
	double end;		/* lden_now() then */
};

static void header(const struct run *r, FILE *out)
{
	const struct lden_viz *v = r->v;

	fprintf(out, "lden: visualizing %d event%s on %s every %g s\n", v->n,
		v->n == 1 ? "" : "s", v->host, r->o.interval);
	lden_viz_describe(v, out);
	fprintf(out, "  in ");
	lden_scope_describe(&r->o.scope, out);
	fputc('\n', out);
	if (r->o.time_limit > 0)
		fprintf(out, "  for %g s\n", r->o.time_limit);
	lden_viz_sinks_describe(r->sinks, out);
	fflush(out);
}

static void warn(const char *msg);

static int tick(struct run *r, double t)
{
	struct lden_tick tk;

	if (lden_viz_tick(r->v, t, &tk) < 0) {
		lden_err("%s", ltr_last_error());
		return -1;
	}
	lden_viz_sinks_tick(r->sinks, &tk);
	/* a sink that stops delivering (Elasticsearch down) says so now */
	lden_viz_sinks_watch(r->sinks, warn);
	return 0;
}

/* The overhead guard's look: says once on stderr what it switched. */
static int guard_tick(struct run *r, double t)
{
	return lden_guard_say(r->guard, lden_guard_tick(r->guard, r->s, t,
						     lden_collect_sample, NULL),
			      NULL, NULL, NULL, NULL);
}

/* The last samples, and those that will never arrive counted as lost. */
static void finish(struct run *r)
{
	if (lden_collect_finish(r->s, r->v->att, r->v->n * r->v->nscopes,
				r->v->sampling) < 0)
		lden_err("reading samples: %s", ltr_last_error());
}

/* Ticks until --time, a signal, the command's end or a closed stdout. */
static int trace(struct run *r)
{
	double start = r->v->start, next = start + FIRST_TICK;
	double stop_at = r->o.time_limit > 0 ? start + r->o.time_limit : 0;
	uint64_t n = 0;

	for (;;) {
		int rc;
		double t;

		if (stop_at && next > stop_at)
			next = stop_at;
		rc = lden_collect_wait(r->s, next, r->v->sampling, &lden_stop_signal);
		if (rc < 0) {
			lden_err("reading samples: %s", strerror(-rc));
			return LDEN_EXIT_FAIL;
		}
		t = lden_now();
		if (guard_tick(r, t) < 0)
			return LDEN_EXIT_FAIL;
		if (rc == 1)	/* a signal: the last numbers, then stop */
			r->reason = "signal";
		if (rc == 1 || (stop_at && t >= stop_at))
			finish(r);
		if (tick(r, t) < 0)
			return LDEN_EXIT_FAIL;
		r->end = t;
		if (rc == 1)
			return LDEN_EXIT_OK;
		if (stop_at && t >= stop_at) {
			r->reason = "time";
			return LDEN_EXIT_OK;
		}
		if (r->o.json && ferror(stdout)) {
			r->reason = "output";
			return LDEN_EXIT_OK;
		}
		if (lden_command_poll(&r->o.scope)) {
			r->reason = "command";
			finish(r);
			r->end = lden_now();
			return tick(r, r->end) < 0 ? LDEN_EXIT_FAIL : LDEN_EXIT_OK;
		}
		/* then on whole intervals since the start; after a stall the
		 * missed ones are skipped, not sent in a burst */
		do
			next = start + (double)++n * r->o.interval;
		while (next <= t);
	}
}

/* The end: a JSON object on stdout, or a few lines on stderr. */
static void summary(const struct run *r)
{
	struct lden_viz_end e = {
		.reason = r->reason,
		.command_status = r->o.scope.command_status,
		.elapsed = r->end - r->v->start,
	};

	if (r->o.json)
		lden_viz_print_end_json(stdout, r->v, &e, r->sinks, r->guard);
	else
		lden_viz_print_end(stderr, r->v, &e, r->sinks);
}

static int setup(struct run *r, struct lden_catalog *cat,
		 struct lden_kernel **k)
{
	const char *dir;
	char err[1024];

	if (lden_load_catalog(cat, r->o.events_dir) < 0)
		return LDEN_EXIT_USAGE;
	dir = ltr_tracing_dir();
	if (!dir) {
		lden_err("%s", ltr_last_error());
		return LDEN_EXIT_FAIL;
	}
	*k = lden_kernel_new(dir);
	if (!*k) {
		lden_err("out of memory");
		return LDEN_EXIT_FAIL;
	}
	r->v = lden_viz_new(cat, *k, r->o.events, lden_scope_is_set(&r->o.scope),
			    r->o.no_size, err, sizeof(err));
	if (!r->v) {
		lden_err("%s", err);
		return errno == ENOMEM ? LDEN_EXIT_FAIL : LDEN_EXIT_USAGE;
	}
	return 0;
}

static void warn(const char *msg)
{
	lden_err("%s", msg);
}

static int run(int argc, char **argv)
{
	struct run r = { .reason = "signal" };
	struct lden_catalog cat = { 0 };
	struct lden_kernel *k = NULL;
	struct lden_viz_outputs out = { 0 };
	sigset_t stop_signals, old_mask;
	char err[1024];
	int status;

	status = parse_opts(argc, argv, &r.o);
	if (status)
		return status < 0 ? 0 : status;
	status = setup(&r, &cat, &k);
	if (status)
		goto out;
	status = LDEN_EXIT_FAIL;
	lden_catch_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	r.conf = (struct lden_viz_conf){
		.host = r.v->host, .interval = r.o.interval,
		.es_url = r.o.es_url, .es_required = r.o.es_required,
		.es_index = r.o.index, .es_ca_file = r.o.ca,
	};
	out = (struct lden_viz_outputs){
		.json = r.o.json, .dashboard = !r.o.no_dashboard,
		.listen = r.o.listen, .prometheus = r.o.prometheus,
		.web = r.o.web_config ? &r.o.web : NULL,
	};
	/* the sinks' threads inherit this mask: signals come to this one */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop_signals, &old_mask);
	r.sinks = lden_viz_sinks_open(&r.conf, &out, warn, err, sizeof(err));
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (!r.sinks) {
		lden_err("%s", err);
		goto out;
	}
	r.s = ltr_session__new(NULL);
	if (!r.s) {
		lden_err("%s", ltr_last_error());
		goto out;
	}
	if (r.o.scope.command && lden_command_start(&r.o.scope) < 0) {
		lden_err("visualize: cannot start the command: %s", strerror(errno));
		goto out;
	}
	lden_attach_twins(lden_guard_opts_active(&r.o.guard));
	if (lden_viz_attach(r.v, r.s, &r.o.scope, err, sizeof(err)) < 0) {
		lden_err("%s", err);
		goto out;
	}
	r.guard = lden_guard_new(&r.o.guard);
	if (!r.guard) {
		lden_err("out of memory");
		goto out;
	}
	for (int i = 0; i < r.v->n * r.v->nscopes; i++)
		if (lden_guard_add(r.guard, r.v->ev[r.v->idx[i % r.v->n]].name,
				   &r.v->att[i]) < 0) {
			lden_err("out of memory");
			goto out;
		}
	if (ltr_session__enable(r.s) < 0) {
		lden_err("%s", ltr_last_error());
		goto out;
	}
	lden_viz_start(r.v, lden_now());
	lden_guard_start(r.guard, r.v->start);
	header(&r, r.o.json ? stderr : stdout);
	/* traced from its first instruction: released only now */
	lden_command_go(&r.o.scope);
	status = trace(&r);
	/* no scrape after the last tick: the numbers in the summary are final */
	lden_viz_sinks_stop_http(r.sinks);
	if (status == LDEN_EXIT_OK)
		summary(&r);

out:
	lden_viz_sinks_close(r.sinks);
	lden_command_abandon(&r.o.scope);
	lden_guard_free(r.guard);
	lden_viz_free(r.v);
	ltr_session__free(r.s);
	lden_kernel_free(k);
	lden_catalog_free(&cat);
	lden_web_config_free(&r.o.web);
	return status;
}

const struct lden_cmd lden_cmd_visualize = {
	.name = "visualize",
	.run = run,
	.summary = "send event counts to Prometheus, Elasticsearch, a dashboard or JSON lines",
};
