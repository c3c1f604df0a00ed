// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A ring of ticks.  Events are interned once, with what does not change
 * from tick to tick (visualize traces the same events all along), so a
 * slot holds only numbers; a slot's array is reused when the ring wraps.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "history.h"

struct sample {
	unsigned int event;	/* index in events */
	double speed;
	double speed_span;	/* > 0: speed estimated over that many s */
	uint64_t count, size, count_total, size_total, lost, missed;
};

struct event {
	char *name;
	char *source;
	bool sampling;
	bool has_size;
	bool size_stopped;
	bool lost_shared;	/* its lost is the shared ftrace ring's */
};

struct slot {
	double t;
	int n;
	int cap;
	struct sample *s;
};

struct lden_history {
	struct slot *slots;
	size_t cap;
	size_t head;		/* next slot to write */
	size_t len;
	struct event *events;
	unsigned int nevents;
};

struct lden_history *lden_history__new(double window, double interval)
{
	struct lden_history *h;
	double want;

	if (!(window > 0) || !(interval > 0)) {
		errno = EINVAL;
		return NULL;
	}
	want = ceil(window / interval) + 1;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->cap = want > LDEN_HISTORY_MAX_SLOTS ? LDEN_HISTORY_MAX_SLOTS :
		(size_t)want;
	h->slots = calloc(h->cap, sizeof(*h->slots));
	if (!h->slots) {
		free(h);
		errno = ENOMEM;
		return NULL;
	}
	return h;
}

size_t lden_history__capacity(const struct lden_history *h)
{
	return h->cap;
}

size_t lden_history__len(const struct lden_history *h)
{
	return h->len;
}

/* The index of @p's event, added or brought up to date; -1 when out of
 * memory. */
static long intern(struct lden_history *h, const struct lden_point *p)
{
	const char *source = p->source ? p->source : "";
	unsigned int i = 0;
	struct event *e;

	while (i < h->nevents && strcmp(h->events[i].name, p->event))
		i++;
	if (i == h->nevents) {
		char *name = strdup(p->event);
		struct event *events = name ? realloc(h->events,
			(h->nevents + 1) * sizeof(*events)) : NULL;

		if (!events) {
			free(name);
			return -1;
		}
		h->events = events;
		h->events[h->nevents++] = (struct event){ .name = name };
	}
	e = &h->events[i];
	if (!e->source || strcmp(e->source, source)) {
		char *copy = strdup(source);

		if (!copy)
			return -1;
		free(e->source);
		e->source = copy;
	}
	e->sampling = p->sampling;
	e->has_size = p->has_size;
	e->size_stopped = p->size_stopped;
	e->lost_shared = p->lost_shared;
	return i;
}

int lden_history__add(struct lden_history *h, const struct lden_tick *t)
{
	struct slot *s = &h->slots[h->head];
	int n = t->npoints > 0 ? t->npoints : 0;

	if (n > s->cap) {
		struct sample *more = realloc(s->s, (size_t)n * sizeof(*more));

		if (!more)
			return -ENOMEM;
		s->s = more;
		s->cap = n;
	}
	/* intern first: a failure leaves the slot as it was */
	for (int i = 0; i < n; i++)
		if (intern(h, &t->points[i]) < 0)
			return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const struct lden_point *p = &t->points[i];
		struct sample *d = &s->s[i];

		d->event = (unsigned int)intern(h, p);
		d->count = p->count;
		d->size = p->size;
		d->count_total = p->count_total;
		d->size_total = p->size_total;
		d->speed = p->speed;
		d->speed_span = p->speed_estimated ? p->speed_span : 0;
		d->lost = p->lost;
		d->missed = p->missed;
	}
	/* to the millisecond, as the JSON says it: a client asking for what
	 * came after a time it was given must not get that tick again */
	s->t = round(t->time * 1000) / 1000;
	s->n = n;
	h->head = (h->head + 1) % h->cap;
	if (h->len < h->cap)
		h->len++;
	return 0;
}

/* Whether the walk emits the points of slot @k (of @h->len, oldest 0). */
static bool slot_ends_step(const struct lden_history *h, size_t first,
			   size_t k, double step)
{
	const struct slot *s, *next;

	if (!(step > 0) || k + 1 == h->len)
		return true;
	s = &h->slots[(first + k) % h->cap];
	next = &h->slots[(first + k + 1) % h->cap];
	return floor(next->t / step) != floor(s->t / step);
}

/* Fills @p with sample @d of the tick at @t, count and size left 0. */
static void to_point(const struct lden_history *h, double t,
		     const struct sample *d, struct lden_history_point *p)
{
	const struct event *e = &h->events[d->event];

	*p = (struct lden_history_point){
		.t = t,
		.event = e->name,
		.source = e->source,
		.sampling = e->sampling,
		.has_size = e->has_size,
		.size_stopped = e->size_stopped,
		.count_total = d->count_total,
		.size_total = d->size_total,
		.speed = d->speed,
		.speed_estimated = d->speed_span > 0,
		.speed_span = d->speed_span,
		.lost = d->lost,
		.lost_shared = e->lost_shared,
		.missed = d->missed,
	};
}

int lden_history__walk(const struct lden_history *h, double since, double step,
		      int (*want)(void *ctx, const char *event),
		      int (*fn)(void *ctx, const struct lden_history_point *p),
		      void *ctx)
{
	size_t first = (h->head + h->cap - h->len) % h->cap;
	/* per event, what the ticks not yet emitted counted */
	uint64_t *acc = calloc(2 * (size_t)h->nevents + 1, sizeof(*acc));
	/* @want asked once an event, not once a point: 0 unknown, 1 yes, 2 no */
	unsigned char *wanted = calloc((size_t)h->nevents + 1, 1);
	int rc = 0;

	if (!acc || !wanted) {
		free(acc);
		free(wanted);
		return -ENOMEM;
	}
	for (size_t k = 0; k < h->len && !rc; k++) {
		const struct slot *s = &h->slots[(first + k) % h->cap];
		bool emit;

		if (!(s->t > since))
			continue;
		emit = slot_ends_step(h, first, k, step);
		for (int i = 0; i < s->n && !rc; i++) {
			const struct sample *d = &s->s[i];
			uint64_t *sum = &acc[2 * d->event];
			struct lden_history_point p;

			if (want && !wanted[d->event])
				wanted[d->event] = want(ctx, h->events[d->event].name) ? 1 : 2;
			if (want && wanted[d->event] == 2)
				continue;
			sum[0] += d->count;
			sum[1] = lden_u64_add(sum[1], d->size);
			if (!emit)
				continue;
			to_point(h, s->t, d, &p);
			p.count = sum[0];
			p.size = sum[1];
			sum[0] = sum[1] = 0;
			rc = fn(ctx, &p);
		}
	}
	free(acc);
	free(wanted);
	return rc;
}

unsigned int lden_history__nevents(const struct lden_history *h)
{
	return h->nevents;
}

int lden_history__last(const struct lden_history *h,
		      int (*fn)(void *ctx, const struct lden_history_point *p),
		      void *ctx)
{
	const struct slot *s;
	int rc = 0;

	if (!h->len)
		return 0;
	s = &h->slots[(h->head + h->cap - 1) % h->cap];
	for (int i = 0; i < s->n && !rc; i++) {
		struct lden_history_point p;

		to_point(h, s->t, &s->s[i], &p);
		p.count = s->s[i].count;
		p.size = s->s[i].size;
		rc = fn(ctx, &p);
	}
	return rc;
}

void lden_history__free(struct lden_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->cap; i++)
		free(h->slots[i].s);
	for (unsigned int i = 0; i < h->nevents; i++) {
		free(h->events[i].name);
		free(h->events[i].source);
	}
	free(h->events);
	free(h->slots);
	free(h);
}
