// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Elasticsearch sink's bounded backlog (see es-queue.h).  The ring
 * grows by doubling up to its bound, so a sink that keeps up costs little;
 * names are interned in a small open-addressing hash table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "es-queue.h"

/* Distinct names kept at most; the catalog has a few dozen events. */
#define NAMES_MAX 4096

struct lden_es_queue {
	struct lden_es_doc *ring;
	size_t cap;		/* allocated slots */
	size_t max;		/* bound */
	size_t head;		/* oldest */
	size_t len;
	char **names;		/* hash table, NAMES_MAX * 2 slots */
	size_t nnames;
};

struct lden_es_queue *lden_es_queue__new(size_t max)
{
	struct lden_es_queue *q;

	if (max == 0) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->max = max;
	q->names = calloc(NAMES_MAX * 2, sizeof(*q->names));
	if (!q->names) {
		free(q);
		return NULL;
	}
	return q;
}

void lden_es_queue__free(struct lden_es_queue *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < NAMES_MAX * 2; i++)
		free(q->names[i]);
	free(q->names);
	free(q->ring);
	free(q);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The queue's copy of @s; a fixed stand-in when out of room or memory. */
static const char *intern(struct lden_es_queue *q, const char *s)
{
	size_t mask = NAMES_MAX * 2 - 1;
	size_t i;

	if (!s)
		s = "";
	for (i = hash(s) & mask; q->names[i]; i = (i + 1) & mask)
		if (!strcmp(q->names[i], s))
			return q->names[i];
	if (q->nnames >= NAMES_MAX)
		return "(too many names)";
	q->names[i] = strdup(s);
	if (!q->names[i])
		return "(out of memory)";
	q->nnames++;
	return q->names[i];
}

/* Room for one more, growing the ring; false when it cannot grow. */
static bool grow(struct lden_es_queue *q)
{
	struct lden_es_doc *ring;
	size_t cap;

	if (q->len < q->cap)
		return true;
	if (q->cap >= q->max)
		return false;
	cap = q->cap ? q->cap * 2 : 64;
	if (cap > q->max)
		cap = q->max;
	ring = malloc(cap * sizeof(*ring));
	if (!ring)
		return false;
	/* unwrap into the new ring, oldest first */
	for (size_t i = 0; i < q->len; i++)
		ring[i] = q->ring[(q->head + i) % q->cap];
	free(q->ring);
	q->ring = ring;
	q->cap = cap;
	q->head = 0;
	return true;
}

size_t lden_es_queue__push_tick(struct lden_es_queue *q,
				const struct lden_tick *t)
{
	const char *host = intern(q, t->host);
	size_t dropped = 0;

	for (int i = 0; i < t->npoints; i++) {
		const struct lden_point *p = &t->points[i];
		struct lden_es_doc *d;

		if (!grow(q)) {
			if (!q->cap) {
				dropped++;
				continue;
			}
			/* full: the oldest gives way */
			q->head = (q->head + 1) % q->cap;
			q->len--;
			dropped++;
		}
		d = &q->ring[(q->head + q->len) % q->cap];
		q->len++;
		*d = (struct lden_es_doc){
			.time = t->time,
			.interval = t->interval,
			.speed = p->speed,
			.speed_estimated = p->speed_estimated,
			.speed_span = p->speed_span,
			.seq = t->seq,
			.host = host,
			.event = intern(q, p->event),
			.source = intern(q, p->source),
			.sampling = p->sampling,
			.has_size = p->has_size,
			.size_stopped = p->has_size && p->size_stopped,
			.count = p->count,
			.size = p->size,
			.count_total = p->count_total,
			.size_total = p->size_total,
			.lost = p->lost,
			.lost_shared = p->lost_shared,
			.missed = p->missed,
		};
	}
	return dropped;
}

size_t lden_es_queue__pop(struct lden_es_queue *q, struct lden_es_doc *out,
			  size_t n)
{
	size_t i;

	for (i = 0; i < n && q->len; i++) {
		out[i] = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
	}
	return i;
}

size_t lden_es_queue__len(const struct lden_es_queue *q)
{
	return q->len;
}
