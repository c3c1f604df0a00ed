// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /metrics in the Prometheus text exposition format 0.0.4, on the shared
 * HTTP server.  Each tick copies the numbers under a mutex; each scrape
 * renders them under the same mutex, in the server's thread.
 *
 *   lden_events_total{event,host}        counter  events counted
 *   lden_event_bytes_total{event,host}   counter  bytes (events with a size)
 *   lden_event_size_valid{event,host}    gauge    0 once the overhead guard
 *                                                 switched it to counting
 *                                                 (bytes_total then frozen)
 *   lden_event_bytes_overflow{event,host} gauge   1 once bytes_total passed
 *                                                 2^64 - 1: it stays there,
 *                                                 a floor (number.h)
 *   lden_lost_records_total{event,host}  counter  samples the kernel dropped
 *                                                 (0 for counted events,
 *                                                 which cannot lose any)
 *   lden_lost_records_shared{event,host} gauge    1 when that counter is the
 *                                                 ftrace ring's drops, the
 *                                                 same on every event in it
 *   lden_lost_records_all_total{host}    counter  records lost, such a ring's
 *                                                 once: what a sum over the
 *                                                 events would over-count
 *   lden_missed_events_total{event,host} counter  hits its kprobes missed:
 *                                                 the count is short by up
 *                                                 to that many
 *   lden_unsized_events_total{event,host} counter memory.free's frees of
 *                                                 unknown size
 *   lden_event_speed{event,host}         gauge    events in the last second
 *   lden_event_speed_estimated{event,host} gauge  1 when lden_event_speed is
 *                                                 not the last second's (no
 *                                                 tick a second ago: lden
 *                                                 stopped or late) but the
 *                                                 average per second over
 *   lden_event_speed_span_seconds{event,host} gauge  these seconds (1 when
 *                                                 it is the last second's)
 *   lden_event_info{event,source,mode,host} gauge 1
 *   lden_up{host}                        gauge    1 once the first tick is in
 *   lden_interval_seconds{host}          gauge    seconds between updates
 *
 * The mark is a gauge of its own, not a label of lden_event_speed: a label
 * that comes and goes would split one event's speed into two series (a
 * graph with gaps, an alert on it resolved and fired again).
 *
 * The text of a tick is rendered once, at its first scrape, and kept for
 * the scrapes that follow until the next tick: a flood of scrapes costs a
 * copy each.
 */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"
#include "number.h"
#include "prom-text.h"
#include "sink.h"

struct metric {
	char *event;
	char *source;
	bool sampling;
	bool has_size;
	bool size_stopped;
	uint64_t count_total;
	uint64_t size_total;
	uint64_t lost;
	bool lost_shared;
	uint64_t missed;
	bool joined;
	uint64_t unsized;
	double speed;
	bool speed_estimated;
	double speed_span;
};

struct prom_sink {
	pthread_mutex_t lock;
	char *host;
	double interval;
	struct metric *m;
	int n;
	bool up;
	uint64_t lost_total;	/* the tick's: a shared ring's drops once */
	uint64_t ticks;
	uint64_t scrapes;
	char *text;		/* this tick's rendering, or NULL */
	size_t text_len;
};

/* name{event="...",host="..."} */
static void series(FILE *out, const struct prom_sink *p, const char *name,
		   const struct metric *m)
{
	fputs(name, out);
	fputc('{', out);
	if (m) {
		fputs("event=", out);
		lden_prom_label_value(out, m->event);
		fputc(',', out);
	}
	fputs("host=", out);
	lden_prom_label_value(out, p->host);
	fputs("} ", out);
}

static void render(FILE *out, const struct prom_sink *p)
{
	lden_prom_family(out, "lden_up", "gauge",
	       "Whether lden traces and these numbers are current (1).");
	series(out, p, "lden_up", NULL);
	fprintf(out, "%d\n", p->up);
	lden_prom_family(out, "lden_interval_seconds", "gauge",
	       "Seconds between lden's updates of these numbers.");
	series(out, p, "lden_interval_seconds", NULL);
	fprintf(out, "%g\n", p->interval);

	lden_prom_family(out, "lden_events_total", "counter",
	       "Events counted since lden started.");
	for (int i = 0; i < p->n; i++) {
		series(out, p, "lden_events_total", &p->m[i]);
		fprintf(out, "%" PRIu64 "\n", p->m[i].count_total);
	}
	lden_prom_family(out, "lden_event_bytes_total", "counter",
	       "Bytes summed over the sampled events of the events that have a size, since lden started.");
	for (int i = 0; i < p->n; i++) {
		if (!p->m[i].has_size)
			continue;
		series(out, p, "lden_event_bytes_total", &p->m[i]);
		fprintf(out, "%" PRIu64 "\n", p->m[i].size_total);
	}
	lden_prom_family(out, "lden_event_size_valid", "gauge",
	       "1 while an event's bytes are summed; 0 once the overhead guard switched it to counting.");
	for (int i = 0; i < p->n; i++) {
		if (!p->m[i].has_size)
			continue;
		series(out, p, "lden_event_size_valid", &p->m[i]);
		fprintf(out, "%d\n", !p->m[i].size_stopped);
	}
	/* a gauge of its own, as the speed's mark: no series split */
	lden_prom_family(out, "lden_event_bytes_overflow", "gauge",
	       "1 once an event's bytes passed 2^64 - 1: lden_event_bytes_total then stays 18446744073709551615, a floor; else 0.");
	for (int i = 0; i < p->n; i++) {
		if (!p->m[i].has_size)
			continue;
		series(out, p, "lden_event_bytes_overflow", &p->m[i]);
		fprintf(out, "%d\n", lden_u64_over(p->m[i].size_total));
	}
	lden_prom_family(out, "lden_lost_records_total", "counter",
	       "Hits whose record lden never had: dropped by a full ring (for events on the ftrace ring, that ring's drops, shared by them), or counted and never sampled (0 for counted events).");
	for (int i = 0; i < p->n; i++) {
		series(out, p, "lden_lost_records_total", &p->m[i]);
		fprintf(out, "%" PRIu64 "\n", p->m[i].lost);
	}
	lden_prom_family(out, "lden_lost_records_shared", "gauge",
	       "1 when an event's lden_lost_records_total is the drops of the ftrace ring it shares with the other events marked 1 (the same number on each: sum it once), else 0.");
	for (int i = 0; i < p->n; i++) {
		series(out, p, "lden_lost_records_shared", &p->m[i]);
		fprintf(out, "%d\n", p->m[i].lost_shared);
	}
	lden_prom_family(out, "lden_lost_records_all_total", "counter",
	       "Records lost by all events, the drops of a shared ring counted once: a sum of lden_lost_records_total over events counts them once per event of that ring.");
	series(out, p, "lden_lost_records_all_total", NULL);
	fprintf(out, "%" PRIu64 "\n", p->lost_total);
	lden_prom_family(out, "lden_missed_events_total", "counter",
	       "Hits an event's kprobes could not record (any task): its count and bytes are short by up to this many (0 for tracepoints).");
	for (int i = 0; i < p->n; i++) {
		series(out, p, "lden_missed_events_total", &p->m[i]);
		fprintf(out, "%" PRIu64 "\n", p->m[i].missed);
	}
	lden_prom_family(out, "lden_unsized_events_total", "counter",
	       "Events of a joined size (memory.free) whose bytes are unknown: memory allocated before lden started, outside its scope, or no longer in its table.");
	for (int i = 0; i < p->n; i++) {
		if (!p->m[i].joined)
			continue;
		series(out, p, "lden_unsized_events_total", &p->m[i]);
		fprintf(out, "%" PRIu64 "\n", p->m[i].unsized);
	}
	lden_prom_family(out, "lden_event_speed", "gauge", "Events in the last second.");
	for (int i = 0; i < p->n; i++) {
		series(out, p, "lden_event_speed", &p->m[i]);
		fprintf(out, "%.15g\n", p->m[i].speed);
	}
	lden_prom_family(out, "lden_event_speed_estimated", "gauge",
	       "1 when lden_event_speed is not the events of the last second (no tick a second ago: lden started less than a second before, the span then under 1 s, or was stopped or late) but the average per second over lden_event_speed_span_seconds; else 0.");
	for (int i = 0; i < p->n; i++) {
		series(out, p, "lden_event_speed_estimated", &p->m[i]);
		fprintf(out, "%d\n", p->m[i].speed_estimated);
	}
	lden_prom_family(out, "lden_event_speed_span_seconds", "gauge",
	       "Seconds lden_event_speed is taken over: 1 for the last second, else the span its average covers.");
	for (int i = 0; i < p->n; i++) {
		series(out, p, "lden_event_speed_span_seconds", &p->m[i]);
		fprintf(out, "%.15g\n", p->m[i].speed_estimated ?
			round(p->m[i].speed_span * 1000) / 1000 : 1.0);
	}
	lden_prom_family(out, "lden_event_info", "gauge",
	       "Each event's kernel source and mode (counting or sampling); always 1.");
	for (int i = 0; i < p->n; i++) {
		fputs("lden_event_info{event=", out);
		lden_prom_label_value(out, p->m[i].event);
		fputs(",source=", out);
		lden_prom_label_value(out, p->m[i].source);
		fprintf(out, ",mode=\"%s\",host=",
			p->m[i].sampling ? "sampling" : "counting");
		lden_prom_label_value(out, p->host);
		fputs("} 1\n", out);
	}
}

static int serve_metrics(void *ctx, const struct lden_http_request *req,
			 struct lden_http_reply *rep)
{
	struct prom_sink *p = ctx;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int rc = 0;

	(void)req;
	pthread_mutex_lock(&p->lock);
	p->scrapes++;
	if (!p->text) {
		out = open_memstream(&text, &len);
		if (out) {
			render(out, p);
			rc = ferror(out) ? -1 : 0;
			if (fclose(out) != 0)
				rc = -1;
		}
		if (!out || rc < 0) {
			free(text);
			pthread_mutex_unlock(&p->lock);
			return -1;
		}
		p->text = text;
		p->text_len = len;
	}
	rep->body = malloc(p->text_len + 1);
	if (rep->body) {
		memcpy(rep->body, p->text, p->text_len + 1);
		rep->len = p->text_len;
	}
	pthread_mutex_unlock(&p->lock);
	rep->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return rep->body ? 0 : -1;
}

static void free_metrics(struct prom_sink *p)
{
	for (int i = 0; i < p->n; i++) {
		free(p->m[i].event);
		free(p->m[i].source);
	}
	free(p->m);
	p->m = NULL;
	p->n = 0;
}

static void *prom_open(const struct lden_viz_conf *c, char *err,
		       size_t errlen)
{
	struct prom_sink *p;

	if (!c->httpd) {
		snprintf(err, errlen, "prometheus: no HTTP server to serve /metrics");
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->host = strdup(c->host ? c->host : ""))) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	p->interval = c->interval;
	if (lden_httpd__route(c->httpd, "/metrics", serve_metrics, p) < 0) {
		snprintf(err, errlen, "prometheus: cannot add the route /metrics");
		pthread_mutex_destroy(&p->lock);
		free(p->host);
		free(p);
		return NULL;
	}
	return p;
}

/* The events of the tick, when they are not those of the last one. */
static int same_events(const struct prom_sink *p, const struct lden_tick *t)
{
	if (p->n != t->npoints)
		return 0;
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->m[i].event, t->points[i].event))
			return 0;
	return 1;
}

static int copy_events(struct prom_sink *p, const struct lden_tick *t)
{
	free_metrics(p);
	p->m = calloc((size_t)t->npoints + 1, sizeof(*p->m));
	if (!p->m)
		return -1;
	for (int i = 0; i < t->npoints; i++) {
		p->m[i].event = strdup(t->points[i].event);
		p->m[i].source = strdup(t->points[i].source);
		p->n++;
		if (!p->m[i].event || !p->m[i].source)
			return -1;
	}
	return 0;
}

static void prom_tick(void *state, const struct lden_tick *t)
{
	struct prom_sink *p = state;

	pthread_mutex_lock(&p->lock);
	/* a new tick: a new text at the next scrape */
	free(p->text);
	p->text = NULL;
	if (!same_events(p, t) && copy_events(p, t) < 0) {
		free_metrics(p);
		p->up = false;
		pthread_mutex_unlock(&p->lock);
		return;
	}
	for (int i = 0; i < p->n; i++) {
		const struct lden_point *pt = &t->points[i];
		struct metric *m = &p->m[i];

		m->sampling = pt->sampling;
		m->has_size = pt->has_size;
		m->size_stopped = pt->size_stopped;
		m->count_total = pt->count_total;
		m->size_total = pt->size_total;
		m->lost = pt->lost;
		m->lost_shared = pt->lost_shared;
		m->missed = pt->missed;
		m->joined = pt->joined;
		m->unsized = pt->unsized;
		m->speed = pt->speed;
		m->speed_estimated = pt->speed_estimated;
		m->speed_span = pt->speed_span;
	}
	p->lost_total = t->lost_total;
	p->up = true;
	p->ticks++;
	pthread_mutex_unlock(&p->lock);
}

static void prom_stats(void *state, struct lden_sink_stats *st)
{
	struct prom_sink *p = state;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&p->lock);
	/* what was delivered: the scrapes */
	st->sent = p->scrapes;
	pthread_mutex_unlock(&p->lock);
}

/* The server must be stopped first: its thread calls serve_metrics(). */
static void prom_close(void *state)
{
	struct prom_sink *p = state;

	if (!p)
		return;
	free_metrics(p);
	free(p->text);
	pthread_mutex_destroy(&p->lock);
	free(p->host);
	free(p);
}

const struct lden_sink_ops lden_sink_prometheus = {
	.name = "prometheus",
	.open = prom_open,
	.tick = prom_tick,
	.stats = prom_stats,
	.close = prom_close,
};
