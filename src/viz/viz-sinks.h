/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sinks of one `lden visualize` run: the table of every backend it
 * can feed (viz-sinks.c), which of them this run opens, the one HTTP
 * server the dashboard and /metrics share, and handing each tick to
 * every open sink.
 */
#ifndef LDEN_VIZ_SINKS_H
#define LDEN_VIZ_SINKS_H

#include <stdbool.h>
#include <stdio.h>

#include "sink.h"

struct json_object;
struct lden_web_config;

/* What the run asked for, besides the struct lden_viz_conf. */
struct lden_viz_outputs {
	bool json;			/* --output json */
	bool dashboard;			/* not --no-dashboard */
	const char *listen;		/* the dashboard's [ADDR:]PORT */
	const char *prometheus;		/* --prometheus [ADDR:]PORT, or NULL */
	/* --web-config: TLS and users for both, or NULL */
	const struct lden_web_config *web;
};

struct lden_viz_sinks;

/* Receives a warning (one line, no "lden: " prefix). */
typedef void (*lden_viz_warn_fn)(const char *msg);

/*
 * lden_viz_sinks__open - open every sink this run wants, then listen
 * @conf: read by the sinks for as long as they are open; its httpd is
 *        set here when the dashboard or --prometheus is on
 * @warn: told when an optional sink does not open (it is left out), and
 *        when a listener is reachable beyond this host without TLS or a
 *        password
 *
 * Returns the open sinks (free with lden_viz_sinks__close()), or NULL with
 * @err set when a required sink failed or a listener could not bind.
 */
struct lden_viz_sinks *lden_viz_sinks__open(struct lden_viz_conf *conf,
					   const struct lden_viz_outputs *o,
					   lden_viz_warn_fn warn, char *err,
					   size_t errlen);

/*
 * lden_viz_sinks__watch - tells @warn once when a sink starts failing
 * (Elasticsearch down: "warning: elasticsearch: cannot reach ...; 120
 * points queued, retrying") and once when it delivers again, and once
 * when it first sent a number capped (Elasticsearch before 7.10); call
 * from the tick loop
 */
void lden_viz_sinks__watch(struct lden_viz_sinks *s, lden_viz_warn_fn warn);

/* Hands @t to every open sink, in the table's order. */
void lden_viz_sinks__tick(struct lden_viz_sinks *s, const struct lden_tick *t);

/* How many sinks are open. */
int lden_viz_sinks__count(const struct lden_viz_sinks *s);

/* One line per open sink for the header: "  json: ...". */
void lden_viz_sinks__describe(const struct lden_viz_sinks *s, FILE *out);

/*
 * Stops the HTTP server (no more scrapes) and lets the sinks that queue
 * (Elasticsearch) flush, 3 s at most; the sinks stay open, no more ticks.
 */
void lden_viz_sinks__stop_http(struct lden_viz_sinks *s);

/* One line per open sink: what it sent and dropped ("  json: 40 points"). */
void lden_viz_sinks__report(const struct lden_viz_sinks *s, FILE *out);

/* The same as a JSON array of {"name", UNIT, "dropped", ...} (new ref). */
struct json_object *lden_viz_sinks__json(const struct lden_viz_sinks *s);

/* Stops the server, closes every sink (each flushes, bounded), frees. */
void lden_viz_sinks__close(struct lden_viz_sinks *s);

#endif
