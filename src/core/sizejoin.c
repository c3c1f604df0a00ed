// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The size join (sizejoin.h): two set-associative tables, four entries a
 * set, a set chosen by a hash of the key; a full set gives up its oldest
 * entry.  Bounded, O(1) per sample, no allocation after the start.
 *
 * Its cost is the memory's: a put lands anywhere in the 6 MiB live table,
 * and the first key read of each table was three quarters of put's time
 * (perf annotate, lden idle at load 4.5).  So a set keeps its four keys
 * together, then their times, then their sizes (96 bytes, 32-byte
 * aligned): a lookup reads 32 bytes of keys in one cache line, where four
 * 24-byte entries spread them over two; put fetches the live set while
 * it looks in the waiting table, the two misses overlapping; and the live
 * table is in huge pages where the kernel gives them (MADV_HUGEPAGE, by
 * khugepaged after the start), not 1,536 pages of 4 KiB that random puts
 * miss in the TLB.  Same sets, same
 * ways, same eviction: the same joins, sizes and counts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sizejoin.h"

#define WAYS 4
/* frees waiting for an allocation from another CPU's ring */
#define WAITING_SLOTS 4096
#define HUGE_PAGE (2u << 20)

struct set {
	uint64_t key[WAYS];	/* 0: empty (keys below NULL_KEYS are never kept) */
	uint64_t time[WAYS];
	uint64_t size[WAYS];
};

struct table {
	struct set *s;
	uint64_t mask;		/* sets - 1 */
	size_t bytes;
	bool mapped;		/* mmap'd (else malloc'd) */
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
	void *p;

	while (sets * WAYS < slots)
		sets <<= 1;
	t->mask = sets - 1;
	t->bytes = sets * sizeof(struct set);
	/* zeroed, touched only where used; in huge pages if big enough */
	t->s = NULL;
	if (t->bytes < HUGE_PAGE) {
		t->s = aligned_alloc(64, t->bytes);
		if (t->s)
			memset(t->s, 0, t->bytes);
		return t->s ? 0 : -1;
	}
	/* 2 MiB aligned (the rest unmapped), so that huge pages cover it */
	p = mmap(NULL, t->bytes + HUGE_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	{
		uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
		size_t head = a - (uintptr_t)p;

		if (head)
			munmap(p, head);
		munmap((char *)a + t->bytes, HUGE_PAGE - head);
		t->s = (struct set *)a;
	}
	/*
	 * Huge pages, but not at the first samples' faults: each would zero
	 * 2 MiB there (7 ms of a start's CPU with every event, before the
	 * first values; issue 18).  One small page a 2 MiB first, so that
	 * later faults stay small, then MADV_HUGEPAGE: khugepaged collapses
	 * the table into huge pages in the background, on its own time.
	 */
	for (size_t off = 0; off < t->bytes; off += HUGE_PAGE)
		*(volatile char *)((char *)t->s + off) = 0;
	madvise(t->s, t->bytes, MADV_HUGEPAGE);
	t->mapped = true;
	return 0;
}

static void table_fini(struct table *t)
{
	if (t->mapped)
		munmap(t->s, t->bytes);
	else
		free(t->s);
	t->s = NULL;
}

/* Kernel pointers share their high bits: mix them all into the set. */
static struct set *set_of(const struct table *t, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;

	return &t->s[(h >> 29) & t->mask];
}

/* The way of @set holding @key, or -1. */
static int find(const struct set *set, uint64_t key)
{
	for (int w = 0; w < WAYS; w++)
		if (set->key[w] == key)
			return w;
	return -1;
}

/* A way for a new key: an empty one, else the oldest (*@evicted). */
static int slot_for(const struct set *set, bool *evicted)
{
	int old = 0;

	*evicted = false;
	for (int w = 0; w < WAYS; w++) {
		if (!set->key[w])
			return w;
		if (set->time[w] < set->time[old])
			old = w;
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
	table_fini(&j->live);
	table_fini(&j->waiting);
	free(j);
}

bool lden_sizejoin__put(struct lden_sizejoin *j, uint64_t key, uint64_t size,
		       uint64_t time)
{
	struct set *set, *live;
	bool evicted;
	int w;

	if (key < LDEN_SIZEJOIN_NULL_KEYS)
		return false;
	/* almost always needed: its miss overlaps the waiting table's */
	live = set_of(&j->live, key);
	__builtin_prefetch(live, 1);
	/* a free of it, later in time, was read first: it is sized now */
	set = set_of(&j->waiting, key);
	w = find(set, key);
	if (w >= 0 && set->time[w] >= time) {
		set->key[w] = 0;
		j->unsized--;
		return true;
	}
	set = live;
	w = find(set, key);
	if (w >= 0) {
		/* an older allocation read late: the newer one holds the key */
		if (set->time[w] > time)
			return false;
	} else {
		w = slot_for(set, &evicted);
		j->evicted += evicted;
	}
	set->key[w] = key;
	set->size[w] = size;
	set->time[w] = time;
	return false;
}

bool lden_sizejoin__take(struct lden_sizejoin *j, uint64_t key, uint64_t time,
			uint64_t *size)
{
	struct set *set;
	bool evicted;
	int w;

	if (key < LDEN_SIZEJOIN_NULL_KEYS) {
		*size = 0;
		return true;
	}
	set = set_of(&j->live, key);
	w = find(set, key);
	if (w >= 0 && set->time[w] <= time) {
		*size = set->size[w];
		set->key[w] = 0;
		return true;
	}
	/* not seen (yet): its allocation may still come from another ring */
	j->unsized++;
	set = set_of(&j->waiting, key);
	w = find(set, key);
	if (w < 0)
		w = slot_for(set, &evicted);
	set->key[w] = key;
	set->size[w] = 0;
	set->time[w] = time;
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
