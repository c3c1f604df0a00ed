/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Elasticsearch sink's backlog: a bounded ring of points waiting to be
 * sent.  When it is full the oldest points make room for the newest (the
 * recent past is what a dashboard shows).  Strings (host, event, source)
 * are interned, so a point costs a fixed size and the memory stays flat.
 * Not locked: the sink holds its mutex around every call.
 */
#ifndef LDEN_ES_QUEUE_H
#define LDEN_ES_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sink.h"

/* One point of one tick, as it waits; strings belong to the queue. */
struct lden_es_doc {
	double time;		/* seconds since the epoch */
	double interval;
	double speed;
	double speed_span;	/* when speed_estimated: seconds averaged */
	uint64_t seq;		/* the tick's */
	const char *host;
	const char *event;
	const char *source;
	bool sampling;
	bool has_size;
	bool size_stopped;	/* by the overhead guard: size means nothing */
	bool speed_estimated;	/* speed is not the last second's */
	bool lost_shared;	/* lost is the ftrace ring's, on every event
				 * in it (sink.h) */
	uint64_t count, size, count_total, size_total, lost, missed;
};

struct lden_es_queue;

/*
 * lden_es_queue__new - an empty queue of at most @max points (@max >= 1)
 * Returns it (free with lden_es_queue__free()), or NULL with errno set.
 */
struct lden_es_queue *lden_es_queue__new(size_t max);

/* Frees the queue and its strings; accepts NULL. */
void lden_es_queue__free(struct lden_es_queue *q);

/*
 * lden_es_queue__push_tick - append every point of @t
 * Returns how many of the oldest points were dropped to make room
 * (points that could not be stored for lack of memory count too).
 */
size_t lden_es_queue__push_tick(struct lden_es_queue *q,
				const struct lden_tick *t);

/*
 * lden_es_queue__pop - move up to @n of the oldest points to @out
 * Their strings stay valid until the queue is freed.  Returns how many.
 */
size_t lden_es_queue__pop(struct lden_es_queue *q, struct lden_es_doc *out,
			  size_t n);

/* Points waiting. */
size_t lden_es_queue__len(const struct lden_es_queue *q);

#endif
