/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A run of lden visualize: the catalog's events this kernel has (or a
 * list) attached, every interval each one's numbers handed to the sinks
 * (JSON lines, /metrics, Elasticsearch, the dashboard), the end said.
 * cmd-visualize.c is its command line; this is the commands' layer (it
 * prints).
 */
#ifndef LDEN_VIZ_RUN_H
#define LDEN_VIZ_RUN_H

#include "catalog.h"
#include "cmdline.h"
#include "run.h"
#include "viz.h"
#include "viz-sinks.h"
#include "webconfig.h"

struct lden_kernel;

struct lden_viz_opts {
	struct lden_cmdline c;
	const char *es_host, *es_port, *es_url_opt;
	char es_url[512];
	bool es_required;
	const char *ca, *index, *events, *prometheus;
	const char *listen;
	const char *web_config;
	struct lden_web_config web;	/* loaded from web_config */
	double interval;
	bool no_dashboard, json, no_size;
};

struct lden_visualize {
	struct lden_viz_opts o;
	struct lden_run *run;
	struct lden_catalog cat;
	struct lden_kernel *k;
	struct lden_viz *v;
	struct ltr_session *s;		/* the run's */
	struct lden_viz_conf conf;
	struct lden_viz_sinks *sinks;
	struct lden_guard *guard;	/* the run's */
	const char *reason;	/* why it stopped */
	double end;		/* lden_now() then */
};

/* The catalog, the kernel, the events chosen: 0 or an exit status. */
int lden_visualize__setup(struct lden_visualize *r);

/* The sinks, their threads started with the stop signals blocked. */
int lden_visualize__open_sinks(struct lden_visualize *r);

/*
 * lden_visualize__attach - lden_run__attach()'s callback (@ctx the
 * visualize): the events attached on @run's session, the guard in @g.
 */
int lden_visualize__attach(void *ctx, struct lden_run *run,
			   struct lden_guard **g);

/* What is traced, where it goes (on stderr with --output json). */
void lden_visualize__header(const struct lden_visualize *r);

/*
 * lden_visualize__loop - ticks until --time, a signal, the command's end
 * or a closed stdout; then (status 0) the end, a JSON object on stdout or
 * lines on stderr.  Returns the exit status.
 */
int lden_visualize__loop(struct lden_visualize *r);

/* Frees what the visualize holds (not the run, not the options). */
void lden_visualize__release(struct lden_visualize *r);

#endif
