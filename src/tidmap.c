// SPDX-License-Identifier: GPL-2.0-or-later
/* Open addressing, linear probing, deletion by backward shift. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tidmap.h"

struct lden_tidmap {
	size_t max;		/* entries allowed */
	size_t nslots;		/* a power of two, at least 2 * max */
	size_t count;
	size_t vsize;
	size_t stride;		/* bytes of one slot */
	unsigned char *slots;	/* [used:1][pad][tid:4][value] */
};

#define SLOT_HDR 8

struct lden_tidmap *lden_tidmap_new(size_t max_entries, size_t value_size)
{
	struct lden_tidmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->max = max_entries ? max_entries : 1;
	m->nslots = 16;
	while (m->nslots < 2 * m->max)
		m->nslots *= 2;
	m->vsize = value_size;
	m->stride = (SLOT_HDR + value_size + 7) & ~(size_t)7;
	m->slots = calloc(m->nslots, m->stride);
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void lden_tidmap_free(struct lden_tidmap *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

static unsigned char *slot(const struct lden_tidmap *m, size_t i)
{
	return m->slots + i * m->stride;
}

static int32_t slot_tid(const unsigned char *p)
{
	int32_t t;

	memcpy(&t, p + 4, sizeof(t));
	return t;
}

static size_t home(const struct lden_tidmap *m, int32_t tid)
{
	return ((uint32_t)tid * 2654435761u) & (m->nslots - 1);
}

/* The slot of @tid, or of the empty slot where it would go. */
static size_t find(const struct lden_tidmap *m, int32_t tid, bool *found)
{
	size_t i = home(m, tid);

	for (;;) {
		unsigned char *p = slot(m, i);

		if (!p[0]) {
			*found = false;
			return i;
		}
		if (slot_tid(p) == tid) {
			*found = true;
			return i;
		}
		i = (i + 1) & (m->nslots - 1);
	}
}

void *lden_tidmap_get(struct lden_tidmap *m, int32_t tid)
{
	bool found;
	size_t i = find(m, tid, &found);

	return found ? slot(m, i) + SLOT_HDR : NULL;
}

void *lden_tidmap_put(struct lden_tidmap *m, int32_t tid)
{
	bool found;
	size_t i = find(m, tid, &found);
	unsigned char *p = slot(m, i);

	if (found)
		return p + SLOT_HDR;
	if (m->count >= m->max)
		return NULL;
	memset(p, 0, m->stride);
	p[0] = 1;
	memcpy(p + 4, &tid, sizeof(tid));
	m->count++;
	return p + SLOT_HDR;
}

void lden_tidmap_del(struct lden_tidmap *m, int32_t tid)
{
	bool found;
	size_t i = find(m, tid, &found), j;

	if (!found)
		return;
	slot(m, i)[0] = 0;
	m->count--;
	/* move back the entries that probed past the hole */
	j = i;
	for (;;) {
		unsigned char *q;
		size_t h;

		j = (j + 1) & (m->nslots - 1);
		q = slot(m, j);
		if (!q[0])
			return;
		h = home(m, slot_tid(q));
		/* q may move to i only if i lies cyclically in [h, j) */
		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			memcpy(slot(m, i), q, m->stride);
			q[0] = 0;
			i = j;
		}
	}
}

size_t lden_tidmap_count(const struct lden_tidmap *m)
{
	return m->count;
}

size_t lden_tidmap_max(const struct lden_tidmap *m)
{
	return m->max;
}

void lden_tidmap_each(struct lden_tidmap *m,
		      void (*fn)(int32_t tid, void *val, void *ctx), void *ctx)
{
	for (size_t i = 0; i < m->nslots; i++) {
		unsigned char *p = slot(m, i);

		if (p[0])
			fn(slot_tid(p), p + SLOT_HDR, ctx);
	}
}
