// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A ring of ticks.  Event names are interned once (visualize traces the
 * same events all along), so a slot holds only numbers; a slot's array is
 * reused when the ring wraps.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

struct sample {
	unsigned int event;	/* index in names */
	double speed;
	uint64_t count, size, count_total, size_total;
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
	char **names;
	unsigned int nnames;
};

struct lden_history *lden_history_new(double window, double interval)
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

size_t lden_history_capacity(const struct lden_history *h)
{
	return h->cap;
}

size_t lden_history_len(const struct lden_history *h)
{
	return h->len;
}

/* The index of @name, added when new; -1 when out of memory. */
static long intern(struct lden_history *h, const char *name)
{
	char **names;
	char *copy;

	for (unsigned int i = 0; i < h->nnames; i++)
		if (!strcmp(h->names[i], name))
			return i;
	copy = strdup(name);
	if (!copy)
		return -1;
	names = realloc(h->names, (h->nnames + 1) * sizeof(*names));
	if (!names) {
		free(copy);
		return -1;
	}
	names[h->nnames] = copy;
	h->names = names;
	return h->nnames++;
}

int lden_history_add(struct lden_history *h, const struct lden_tick *t)
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
		if (intern(h, t->points[i].event) < 0)
			return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const struct lden_point *p = &t->points[i];
		struct sample *d = &s->s[i];

		d->event = (unsigned int)intern(h, p->event);
		d->count = p->count;
		d->size = p->size;
		d->count_total = p->count_total;
		d->size_total = p->size_total;
		d->speed = p->speed;
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

int lden_history_walk(const struct lden_history *h, double since, double step,
		      int (*want)(void *ctx, const char *event),
		      int (*fn)(void *ctx, const struct lden_history_point *p),
		      void *ctx)
{
	size_t first = (h->head + h->cap - h->len) % h->cap;
	/* per event, what the ticks not yet emitted counted */
	uint64_t *acc = calloc(2 * (size_t)h->nnames + 1, sizeof(*acc));
	int rc = 0;

	if (!acc)
		return -ENOMEM;
	for (size_t k = 0; k < h->len && !rc; k++) {
		const struct slot *s = &h->slots[(first + k) % h->cap];
		bool emit;

		if (!(s->t > since))
			continue;
		emit = slot_ends_step(h, first, k, step);
		for (int i = 0; i < s->n && !rc; i++) {
			const struct sample *d = &s->s[i];
			uint64_t *sum = &acc[2 * d->event];
			struct lden_history_point p = {
				.t = s->t,
				.event = h->names[d->event],
				.count_total = d->count_total,
				.size_total = d->size_total,
				.speed = d->speed,
			};

			if (want && !want(ctx, p.event))
				continue;
			sum[0] += d->count;
			sum[1] += d->size;
			if (!emit)
				continue;
			p.count = sum[0];
			p.size = sum[1];
			sum[0] = sum[1] = 0;
			rc = fn(ctx, &p);
		}
	}
	free(acc);
	return rc;
}

void lden_history_free(struct lden_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->cap; i++)
		free(h->slots[i].s);
	for (unsigned int i = 0; i < h->nnames; i++)
		free(h->names[i]);
	free(h->names);
	free(h->slots);
	free(h);
}
