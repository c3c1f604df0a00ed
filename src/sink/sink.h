/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where `lden visualize` sends its numbers: one backend per file
 * (sink-json.c, sink-es.c, sink-prometheus.c, sink-dashboard.c), each an
 * ops struct.  The tracing loop calls every open sink once per interval
 * with the same tick; a sink never blocks that loop on I/O (a slow
 * Elasticsearch queues, bounded, in its own thread).
 */
#ifndef LDEN_SINK_H
#define LDEN_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct lden_httpd;

/* One event's numbers at one tick. */
struct lden_point {
	const char *event;	/* "task.create" */
	const char *source;	/* "tracepoint sched:sched_process_fork" */
	bool sampling;		/* sampled for its size, else counted */
	bool has_size;		/* size and size_total mean something */
	bool size_stopped;	/* the overhead guard switched it to counting:
				 * size_total is frozen, size means nothing */
	uint64_t count;		/* events in this interval */
	uint64_t size;		/* size in this interval */
	uint64_t count_total;	/* since lden started */
	uint64_t size_total;
	double speed;		/* events in the last second */
	/* speed is not the last second's (no tick a second ago: lden was
	 * stopped or late): the average per second over speed_span s */
	bool speed_estimated;
	double speed_span;
	uint64_t lost;		/* records lost so far (sampling only) */
	bool lost_shared;	/* lost is the ftrace ring's, shared with
				 * the other events in it */
	/* hits its kprobes missed so far, and the ftrace ring's drops a
	 * count from its records may lack: count_total (and size_total) are
	 * short by up to this many (lden_attached__missed, _count_short) */
	uint64_t missed;
	/* a joined size (memory.free): occurrences so far with no known size */
	bool joined;
	uint64_t unsized;
};

/* Everything at one tick; valid only during the call. */
struct lden_tick {
	double time;		/* wall clock, seconds since the epoch */
	double elapsed;		/* seconds since tracing started */
	double interval;	/* seconds since the previous tick */
	uint64_t seq;		/* 0, 1, 2, ... */
	const char *host;	/* this machine's name */
	const struct lden_point *points;
	int npoints;
	uint64_t lost_total;	/* sum of points[].lost, a shared ring once */
	uint64_t missed_total;	/* sum of points[].missed */
};

/* What visualize was asked for; sinks read what concerns them. */
struct lden_viz_conf {
	const char *host;
	double interval;		/* seconds */
	/* Elasticsearch: es_url NULL means no Elasticsearch sink */
	const char *es_url;		/* "http://localhost:9200" or --url */
	bool es_required;		/* address given explicitly: an unreachable
					   server at start is an error, else a
					   warning and the sink retries */
	const char *es_index;		/* default "lden" */
	const char *es_ca_file;		/* --ca FILE, or NULL */
	/* the HTTP server the dashboard and /metrics share, or NULL */
	struct lden_httpd *httpd;
	const char *dashboard_dir;	/* its static files */
};

/* What a sink did, for the final report (and the JSON end object). */
struct lden_sink_stats {
	uint64_t sent;		/* points delivered */
	uint64_t dropped;	/* points given up on (queue full, rejected) */
	/*
	 * points given up on whose last request got no answer: the server
	 * may have stored them or not (Elasticsearch, at the end)
	 */
	uint64_t unknown;
	/*
	 * points sent with a number past what the server holds, as its
	 * largest and marked (Elasticsearch before 7.10: 2^63 - 1,
	 * "capped":true)
	 */
	uint64_t capped;
	uint64_t retries;	/* requests repeated after a failure */
	uint64_t queued;	/* points waiting now */
	char last_error[256];	/* "" when none */
	/* its last attempt failed and it is retrying (last_error says why) */
	bool failing;
};

struct lden_sink_ops {
	const char *name;	/* "json", "elasticsearch", ... */
	/*
	 * open - start the sink; returns its state, or NULL with @err set
	 * (one line, no "lden: " prefix).  Freed by close().
	 */
	void *(*open)(const struct lden_viz_conf *c, char *err, size_t errlen);
	/* tick - one interval's numbers; must not block on I/O */
	void (*tick)(void *state, const struct lden_tick *t);
	/* stats - optional; what it sent and dropped so far */
	void (*stats)(void *state, struct lden_sink_stats *st);
	/*
	 * flush - optional; stop taking ticks, deliver what is queued for at
	 * most @timeout seconds and count the rest as dropped, so that
	 * stats() after it are final (for the report).  close() still frees.
	 */
	void (*flush)(void *state, double timeout);
	/* close - flush for a bounded time (a few seconds at most), free */
	void (*close)(void *state);
};

extern const struct lden_sink_ops lden_sink_json;
extern const struct lden_sink_ops lden_sink_es;
extern const struct lden_sink_ops lden_sink_prometheus;
extern const struct lden_sink_ops lden_sink_dashboard;

#endif
