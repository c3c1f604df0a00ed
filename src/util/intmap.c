// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One array of slots, [key + 1 : 8 bytes][value], 0 marking a free slot:
 * a lookup reads the key and the value it finds on the same cache line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "intmap.h"

struct lden_intmap {
	size_t max;		/* entries allowed, or 0: it grows */
	size_t nslots;		/* a power of two, at least 2 * entries */
	unsigned int shift;	/* 64 - log2(nslots) */
	size_t count;
	size_t limit;		/* max, or when it grows: nslots / 2 */
	size_t vsize;
	size_t stride;		/* bytes of one slot */
	unsigned char *slots;
};

#define SLOT_HDR sizeof(uint64_t)
#define MIN_SLOTS 16

static unsigned char *slot(const struct lden_intmap *m, size_t i)
{
	return m->slots + i * m->stride;
}

/* The key stored in a slot plus one; 0 for a free slot. */
static uint64_t slot_key1(const unsigned char *p)
{
	uint64_t k;

	memcpy(&k, p, sizeof(k));
	return k;
}

/* Fibonacci hashing, the product's top bits: consecutive keys spread out */
static size_t home(const struct lden_intmap *m, uint64_t key1)
{
	return (size_t)((key1 * 0x9e3779b97f4a7c15ULL) >> m->shift);
}

/* @nslots slots (a power of two, at least MIN_SLOTS), zeroed. */
static int alloc_slots(struct lden_intmap *m, size_t nslots)
{
	m->slots = calloc(nslots, m->stride);
	if (!m->slots)
		return -ENOMEM;
	m->nslots = nslots;
	m->shift = 64;
	while (nslots > 1) {
		nslots >>= 1;
		m->shift--;
	}
	m->limit = m->max ? m->max : m->nslots / 2;
	return 0;
}

struct lden_intmap *lden_intmap__new(size_t max_entries, size_t value_size)
{
	struct lden_intmap *m = calloc(1, sizeof(*m));
	size_t n = MIN_SLOTS;

	if (!m)
		return NULL;
	while (n < 2 * max_entries)
		n *= 2;
	m->max = max_entries;
	m->vsize = value_size;
	m->stride = (SLOT_HDR + value_size + 7) & ~(size_t)7;
	if (alloc_slots(m, n) < 0) {
		free(m);
		return NULL;
	}
	return m;
}

void lden_intmap__free(struct lden_intmap *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

/* The slot of @key1, or of the free slot where it would go. */
static size_t find(const struct lden_intmap *m, uint64_t key1, bool *found)
{
	size_t i = home(m, key1);

	for (;;) {
		uint64_t k = slot_key1(slot(m, i));

		if (k == key1 || !k) {
			*found = k != 0;
			return i;
		}
		i = (i + 1) & (m->nslots - 1);
	}
}

void *lden_intmap__get(const struct lden_intmap *m, uint64_t key)
{
	bool found;
	/* UINT64_MAX + 1 is 0, a free slot's: not found */
	size_t i = find(m, key + 1, &found);

	return found ? slot(m, i) + SLOT_HDR : NULL;
}

/*
 * Twice the slots, every entry moved over; -ENOMEM leaves @m as it was.
 * Not inlined: put's common path stays short.
 */
__attribute__((noinline)) static int grow(struct lden_intmap *m)
{
	struct lden_intmap old = *m;

	if (alloc_slots(m, 2 * old.nslots) < 0) {
		*m = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < old.nslots; i++) {
		unsigned char *p = slot(&old, i);
		bool found;

		if (slot_key1(p))
			memcpy(slot(m, find(m, slot_key1(p), &found)), p,
			       m->stride);
	}
	free(old.slots);
	return 0;
}

void *lden_intmap__put(struct lden_intmap *m, uint64_t key)
{
	bool found;
	size_t i;
	unsigned char *p;

	if (key == UINT64_MAX) {
		errno = EINVAL;
		return NULL;
	}
	i = find(m, key + 1, &found);
	if (found)
		return slot(m, i) + SLOT_HDR;
	if (m->count >= m->limit) {
		if (m->max || grow(m) < 0) {
			errno = m->max ? ENOSPC : ENOMEM;
			return NULL;
		}
		i = find(m, key + 1, &found);
	}
	p = slot(m, i);
	memset(p, 0, m->stride);
	key++;
	memcpy(p, &key, sizeof(key));
	m->count++;
	return p + SLOT_HDR;
}

bool lden_intmap__del(struct lden_intmap *m, uint64_t key, void *out)
{
	bool found;
	size_t i = find(m, key + 1, &found), j;

	if (!found)
		return false;
	if (out)
		memcpy(out, slot(m, i) + SLOT_HDR, m->vsize);
	m->count--;
	/* move back the entries that probed past the hole */
	for (j = (i + 1) & (m->nslots - 1); slot_key1(slot(m, j));
	     j = (j + 1) & (m->nslots - 1)) {
		size_t h = home(m, slot_key1(slot(m, j)));

		/* j may move to i only if i lies cyclically in [h, j) */
		if ((j > i && (h <= i || h > j)) ||
		    (j < i && h <= i && h > j)) {
			memcpy(slot(m, i), slot(m, j), m->stride);
			i = j;
		}
	}
	memset(slot(m, i), 0, SLOT_HDR);
	return true;
}

void lden_intmap__each(struct lden_intmap *m,
		       void (*fn)(uint64_t key, void *val, void *ctx),
		       void *ctx)
{
	for (size_t i = 0; i < m->nslots; i++) {
		unsigned char *p = slot(m, i);

		if (slot_key1(p))
			fn(slot_key1(p) - 1, p + SLOT_HDR, ctx);
	}
}

size_t lden_intmap__count(const struct lden_intmap *m)
{
	return m->count;
}

size_t lden_intmap__max(const struct lden_intmap *m)
{
	return m->max;
}
