// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The size join (sizejoin.h): two set-associative tables, four entries a
 * set, a set chosen by a hash of the key; a full set gives up its oldest
 * entry.  Bounded, O(1) per sample, no allocation after the start.
 */
#include <stdlib.h>

#include "sizejoin.h"

#define WAYS 4
/* frees waiting for an allocation from another CPU's ring */
#define WAITING_SLOTS 4096

struct entry {
	uint64_t key;		/* 0: empty (keys below NULL_KEYS are never kept) */
	uint64_t size;
	uint64_t time;
};

struct table {
	struct entry *e;
	uint64_t mask;		/* sets - 1 */
};

struct lden_sizejoin {
	struct table live;	/* allocations not yet freed */
	struct table waiting;	/* frees that came before their allocation */
	uint64_t unsized;
	uint64_t evicted;
};

static int table_init(struct table *t, uint64_t slots)
{
	uint64_t sets = 1;

	while (sets * WAYS < slots)
		sets <<= 1;
	t->e = calloc(sets * WAYS, sizeof(*t->e));
	t->mask = sets - 1;
	return t->e ? 0 : -1;
}

/* Kernel pointers share their high bits: mix them all into the set. */
static struct entry *set_of(const struct table *t, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;

	return &t->e[((h >> 29) & t->mask) * WAYS];
}

static struct entry *find(const struct table *t, uint64_t key)
{
	struct entry *set = set_of(t, key);

	for (int w = 0; w < WAYS; w++)
		if (set[w].key == key)
			return &set[w];
	return NULL;
}

/* A slot for a new key: an empty one, else the oldest (*@evicted). */
static struct entry *slot_for(const struct table *t, uint64_t key,
			      bool *evicted)
{
	struct entry *set = set_of(t, key), *old = &set[0];

	*evicted = false;
	for (int w = 0; w < WAYS; w++) {
		if (!set[w].key)
			return &set[w];
		if (set[w].time < old->time)
			old = &set[w];
	}
	*evicted = true;
	return old;
}

struct lden_sizejoin *lden_sizejoin__new(uint64_t slots)
{
	struct lden_sizejoin *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	if (table_init(&j->live, slots) < 0 ||
	    table_init(&j->waiting, WAITING_SLOTS) < 0) {
		lden_sizejoin__free(j);
		return NULL;
	}
	return j;
}

void lden_sizejoin__free(struct lden_sizejoin *j)
{
	if (!j)
		return;
	free(j->live.e);
	free(j->waiting.e);
	free(j);
}

bool lden_sizejoin__put(struct lden_sizejoin *j, uint64_t key, uint64_t size,
		       uint64_t time)
{
	struct entry *e;
	bool evicted;

	if (key < LDEN_SIZEJOIN_NULL_KEYS)
		return false;
	/* a free of it, later in time, was read first: it is sized now */
	e = find(&j->waiting, key);
	if (e && e->time >= time) {
		e->key = 0;
		j->unsized--;
		return true;
	}
	e = find(&j->live, key);
	if (e) {
		/* an older allocation read late: the newer one holds the key */
		if (e->time > time)
			return false;
	} else {
		e = slot_for(&j->live, key, &evicted);
		j->evicted += evicted;
	}
	*e = (struct entry){ .key = key, .size = size, .time = time };
	return false;
}

bool lden_sizejoin__take(struct lden_sizejoin *j, uint64_t key, uint64_t time,
			uint64_t *size)
{
	struct entry *e;
	bool evicted;

	if (key < LDEN_SIZEJOIN_NULL_KEYS) {
		*size = 0;
		return true;
	}
	e = find(&j->live, key);
	if (e && e->time <= time) {
		*size = e->size;
		e->key = 0;
		return true;
	}
	/* not seen (yet): its allocation may still come from another ring */
	j->unsized++;
	e = find(&j->waiting, key);
	if (!e)
		e = slot_for(&j->waiting, key, &evicted);
	*e = (struct entry){ .key = key, .time = time };
	return false;
}

uint64_t lden_sizejoin__unsized(const struct lden_sizejoin *j)
{
	return j->unsized;
}

uint64_t lden_sizejoin__evicted(const struct lden_sizejoin *j)
{
	return j->evicted;
}
