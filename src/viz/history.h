/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The recent past of every event, for the dashboard's charts: one slot per
 * tick in a ring of fixed size, so memory stays bounded however long lden
 * runs.  The caller serialises access (the dashboard holds a mutex).
 */
#ifndef LDEN_HISTORY_H
#define LDEN_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sink.h"

/* The most ticks a history keeps, whatever the interval. */
#define LDEN_HISTORY_MAX_SLOTS 9000

struct lden_history;

/* One event at one tick, as the dashboard shows it. */
struct lden_history_point {
	double t;		/* the tick's wall clock, seconds since the epoch,
				   rounded to the millisecond */
	const char *event;	/* borrowed from the history */
	const char *source;	/* the latest one given; borrowed */
	bool sampling;		/* likewise */
	bool has_size;
	bool size_stopped;	/* by the overhead guard (latest) */
	uint64_t count;		/* in that interval (or those it stands for) */
	uint64_t size;
	uint64_t count_total;
	uint64_t size_total;
	double speed;
	/* speed is not the last second's: the average over speed_span s */
	bool speed_estimated;
	double speed_span;
	uint64_t lost;
	bool lost_shared;	/* lost is the ftrace ring's (latest) */
	uint64_t missed;
};

/*
 * lden_history__new - a ring holding @window seconds of ticks made every
 * @interval seconds (at most LDEN_HISTORY_MAX_SLOTS ticks); freed by
 * lden_history__free().  Returns NULL with errno set (EINVAL for a
 * non-positive window or interval, ENOMEM).
 */
struct lden_history *lden_history__new(double window, double interval);

/* How many ticks it can hold. */
size_t lden_history__capacity(const struct lden_history *h);

/* How many it holds now. */
size_t lden_history__len(const struct lden_history *h);

/* How many different events it has seen. */
unsigned int lden_history__nevents(const struct lden_history *h);

/*
 * lden_history__add - append @t, dropping the oldest tick when full.
 * Returns 0, or -ENOMEM (the history is unchanged).
 */
int lden_history__add(struct lden_history *h, const struct lden_tick *t);

/*
 * lden_history__walk - call @fn for every point of the ticks later than
 * @since (seconds since the epoch), oldest first, skipping events for
 * which @want (when not NULL, and asked once an event) returns 0.  With @step > 0, at most one
 * point per event per @step seconds (the last tick of each multiple of
 * @step, and the newest tick): its count and size are then the sums over
 * the ticks it stands for, so the counts of a walk still add up to what
 * happened after @since.  Stops when @fn returns non-zero and returns
 * that value; else 0, or -ENOMEM.
 */
int lden_history__walk(const struct lden_history *h, double since, double step,
		      int (*want)(void *ctx, const char *event),
		      int (*fn)(void *ctx, const struct lden_history_point *p),
		      void *ctx);

/*
 * lden_history__last - call @fn for every point of the newest tick; stops
 * when @fn returns non-zero and returns that value, else 0 (also when the
 * history is empty).
 */
int lden_history__last(const struct lden_history *h,
		      int (*fn)(void *ctx, const struct lden_history_point *p),
		      void *ctx);

/* Frees @h; NULL is fine. */
void lden_history__free(struct lden_history *h);

#endif
