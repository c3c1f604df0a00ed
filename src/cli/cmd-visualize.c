// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden visualize: trace every catalog event this kernel has (or a list)
 * and, every interval, hand each event's numbers to the sinks: JSON
 * lines, /metrics for Prometheus, Elasticsearch, the dashboard.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "collect.h"
#include "httpd.h"
#include "lden.h"
#include "viz-opts.h"
#include "viz-run.h"

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
	      "      --container NAME    the same, the cgroup of this container\n"
	      "  -- CMD [ARGS]           run CMD and count only it and its children\n"
	      LDEN_GUARD_USAGE
	      LDEN_RING_USAGE
	      "  -h, --help              show this help\n"
	      "\n"
	      "Stops on SIGINT or SIGTERM (exit status 0).  See lden-visualize(8).\n",
	      out);
}

static bool parse_seconds(const char *opt, const char *arg, double lo,
			  double hi, double *out)
{
	char err[300];

	if (lden_viz__seconds(opt, arg, lo, hi, out, err, sizeof(err)) < 0) {
		lden_cli__err("%s", err);
		return false;
	}
	return true;
}

static bool check_addr(const char *opt, const char *addr)
{
	char err[300];

	if (lden_httpd__check_addr(addr, err, sizeof(err)) < 0) {
		lden_cli__err("%s: %s", opt, err);
		return false;
	}
	return true;
}

/* The Elasticsearch URL and whether it must answer. */
static int es_target(struct lden_viz_opts *o)
{
	char err[600];

	o->es_required = o->es_host || o->es_port || o->es_url_opt;
	if (lden_viz__es_url(o->es_host, o->es_port, o->es_url_opt, o->es_url,
			    sizeof(o->es_url), err, sizeof(err)) < 0) {
		lden_cli__err("%s", err);
		return -1;
	}
	return 0;
}

enum { OPT_URL = 256, OPT_CA, OPT_INDEX, OPT_PROM, OPT_LISTEN, OPT_NODASH,
       OPT_NOSIZE, OPT_WEB };

static int viz_option(int c, const char *arg, void *ctx)
{
	struct lden_viz_opts *o = ctx;

	switch (c) {
	case 'a': o->es_host = arg; return 0;
	case 'p': o->es_port = arg; return 0;
	case OPT_URL: o->es_url_opt = arg; return 0;
	case OPT_CA: o->ca = arg; return 0;
	case OPT_INDEX: o->index = arg; return 0;
	case 'e': o->events = arg; return 0;
	case OPT_PROM: o->prometheus = arg; return 0;
	case OPT_LISTEN: o->listen = arg; return 0;
	case OPT_WEB: o->web_config = arg; return 0;
	case OPT_NODASH: o->no_dashboard = true; return 0;
	case OPT_NOSIZE: o->no_size = true; return 0;
	case 'i':
		return parse_seconds("--interval", arg, 0.05, 3600,
				     &o->interval) ? 0 : LDEN_EXIT_USAGE;
	case 't':
	case LDEN_CL_OPT_TIME:
		return parse_seconds("--time", arg, 0.001, 1e9,
				     &o->c.time_limit) ? 0 : LDEN_EXIT_USAGE;
	case 'o':
		if (strcmp(arg, "json")) {
			lden_cli__err("unknown --output format '%s' (expected 'json')",
				     arg);
			return LDEN_EXIT_USAGE;
		}
		o->json = true;
		return 0;
	default:
		return 1;
	}
}

/* --ca: a file libcurl can read. */
static int check_ca(const char *ca)
{
	struct stat st;

	if (!ca)
		return 0;
	if (access(ca, R_OK) < 0) {
		lden_cli__err("cannot read --ca file '%s': %s", ca,
			     strerror(errno));
		return -1;
	}
	/* libcurl would wait on a FIFO for ever, or read a device without end */
	if (stat(ca, &st) < 0 || !S_ISREG(st.st_mode)) {
		lden_cli__err("--ca file '%s' is not a regular file", ca);
		return -1;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct lden_viz_opts *o)
{
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
		{ NULL, 0, NULL, 0 },
	};
	static const struct lden_cmdline_def def = {
		.shared = LDEN_CL_SCOPE | LDEN_CL_GUARD | LDEN_CL_TIME |
			  LDEN_CL_RING | LDEN_CL_EVENTS_DIR,
		.shorts = "a:p:e:i:o:t:d:g:h", .longopts = longopts,
		.option = viz_option, .usage = usage,
	};
	int rc;

	o->interval = 1;
	o->index = "lden";
	o->listen = "127.0.0.1:5601";
	rc = lden_cmdline__parse(&o->c, &def, o, argc, argv);
	if (rc || (rc = lden_cmdline__no_args(&o->c)))
		return rc;
	if (es_target(o) < 0 ||
	    (o->prometheus && !check_addr("--prometheus", o->prometheus)) ||
	    !check_addr("--listen", o->listen))
		return LDEN_EXIT_USAGE;
	if (!lden_viz__index_ok(o->index)) {
		lden_cli__err("invalid --index '%s' (lowercase, not starting with '-', '_' or '+', none of \\/*?\"<>| ,#:)",
			     o->index);
		return LDEN_EXIT_USAGE;
	}
	if (check_ca(o->ca) < 0)
		return LDEN_EXIT_USAGE;
	return lden_cmdline__web_config(o->web_config,
				       !o->no_dashboard || o->prometheus, "",
				       &o->web);
}

static int run(int argc, char **argv)
{
	struct lden_visualize r = { .reason = "signal" };
	/* the tracepoints' perf events closed by a detached process */
	struct ltr_session_opts so = { .detach_close = true };
	int status;

	status = parse_opts(argc, argv, &r.o);
	if (status)
		return status < 0 ? 0 : status;
	status = lden_visualize__setup(&r);
	lden_debug("events resolved");
	if (!status)
		status = lden_visualize__open_sinks(&r);
	lden_debug("sinks open");
	if (!status) {
		r.run = lden_run__new(&r.o.c, &so, 0);
		status = lden_run__attach(r.run, lden_visualize__attach, NULL, &r);
	}
	if (status)
		goto out;
	r.guard = r.run->guard;
	lden_viz__start(r.v, lden_now());
	lden_visualize__header(&r);
	lden_debug("header printed");
	lden_run__go(r.run);
	status = lden_visualize__loop(&r);
out:
	lden_debug("the last values sent");
	/* the sinks first: they read the events the run holds */
	lden_viz_sinks__close(r.sinks);
	r.sinks = NULL;
	lden_debug("sinks closed");
	lden_run__free(r.run);
	lden_visualize__release(&r);
	lden_web_config__free(&r.o.web);
	lden_debug("done");
	return status;
}

const struct lden_cmd lden_cmd_visualize = {
	.name = "visualize",
	.run = run,
	.summary = "send event counts to Prometheus, Elasticsearch, a dashboard or JSON lines",
};
