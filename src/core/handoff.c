// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "handoff.h"
#include "intmap.h"

/* entries per generation of a table */
#define HANDOFF_MAX 2048

/* a thread's last call with a buffer */
struct last {
	uint32_t tid;
	uint64_t ptr;
	uint64_t time;
};

/* a call in flight */
struct call {
	uint32_t tid;
	uint64_t ptr;
	uint64_t time;
	uint64_t read_at;	/* 0: not read */
	uint64_t handed_at;	/* 0: not (yet) given to a later call */
};

/*
 * A table in two generations: when the current one is full, it becomes
 * the old one (the older dropped), so that the latest entries are always
 * kept (those of threads gone long ago and of calls whose exits never
 * came are the ones that go)
 */
struct gens {
	struct lden_intmap *cur, *old;
	size_t size;		/* of a value, at most GENS_VALUE_MAX */
};

#define GENS_VALUE_MAX 64

struct lden_handoff {
	struct gens last;	/* by (tid, ptr) */
	struct gens calls;	/* by (time, ptr) */
};

/* Two numbers as one table key (the entries say which pair they are). */
static uint64_t key(uint64_t a, uint64_t b)
{
	uint64_t k = a * 0x9e3779b97f4a7c15ULL ^ b;

	k ^= k >> 31;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 29;
	/* the one key a table cannot hold */
	return k == UINT64_MAX ? 0 : k;
}

static int gens_init(struct gens *g, size_t size)
{
	if (size > GENS_VALUE_MAX)
		return -EINVAL;
	g->size = size;
	g->cur = lden_intmap__new(HANDOFF_MAX, size);
	g->old = lden_intmap__new(HANDOFF_MAX, size);
	return g->cur && g->old ? 0 : -ENOMEM;
}

static void *gens_get(const struct gens *g, uint64_t k)
{
	void *v = lden_intmap__get(g->cur, k);

	return v ? v : lden_intmap__get(g->old, k);
}

/*
 * The entry of @k, in the current generation (moved there from the old
 * one), created zero-filled when absent.  NULL when out of memory (the
 * caller goes without).
 */
static void *gens_put(struct gens *g, uint64_t k)
{
	unsigned char was[GENS_VALUE_MAX];
	void *v = lden_intmap__get(g->cur, k);
	bool had;

	if (v)
		return v;
	had = lden_intmap__del(g->old, k, was);
	v = lden_intmap__put(g->cur, k);
	if (!v && errno == ENOSPC) {
		struct lden_intmap *fresh = lden_intmap__new(HANDOFF_MAX,
							     g->size);

		if (!fresh)
			return NULL;
		lden_intmap__free(g->old);
		g->old = g->cur;
		g->cur = fresh;
		v = lden_intmap__put(g->cur, k);
	}
	if (v && had)
		memcpy(v, was, g->size);
	return v;
}

static void gens_del(struct gens *g, uint64_t k)
{
	lden_intmap__del(g->cur, k, NULL);
	lden_intmap__del(g->old, k, NULL);
}

static void gens_free(struct gens *g)
{
	lden_intmap__free(g->cur);
	lden_intmap__free(g->old);
}

struct lden_handoff *lden_handoff__new(void)
{
	struct lden_handoff *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	if (gens_init(&h->last, sizeof(struct last)) < 0 ||
	    gens_init(&h->calls, sizeof(struct call)) < 0) {
		lden_handoff__free(h);
		errno = ENOMEM;
		return NULL;
	}
	return h;
}

void lden_handoff__free(struct lden_handoff *h)
{
	if (!h)
		return;
	gens_free(&h->last);
	gens_free(&h->calls);
	free(h);
}

static struct call *get_call(const struct lden_handoff *h, uint32_t tid,
			     uint64_t time, uint64_t ptr)
{
	struct call *c = gens_get(&h->calls, key(time, ptr));

	return c && c->tid == tid && c->time == time && c->ptr == ptr ? c :
									NULL;
}

/* @c's buffer given to a later call at @at: the earliest counts */
static void handed(struct call *c, uint64_t at)
{
	if (!c->handed_at || at < c->handed_at)
		c->handed_at = at;
}

void lden_handoff__call(struct lden_handoff *h, uint32_t tid, uint64_t time,
			uint64_t ptr, uint64_t read_at)
{
	struct last *l;
	uint64_t prev;
	struct call *c;

	if (!h)
		return;
	l = gens_get(&h->last, key(tid, ptr));
	prev = l && l->tid == tid && l->ptr == ptr ? l->time : 0;
	/* an earlier call of the thread with this buffer: handed on now */
	if (prev && prev < time && (c = get_call(h, tid, prev, ptr)))
		handed(c, time);
	c = gens_put(&h->calls, key(time, ptr));
	if (c) {
		if (c->tid != tid || c->time != time || c->ptr != ptr)
			*c = (struct call){ .tid = tid, .ptr = ptr, .time = time };
		c->read_at = read_at;
		/* this one arrived after a later call with its buffer */
		if (prev > time)
			handed(c, prev);
	}
	if (prev < time) {
		l = gens_put(&h->last, key(tid, ptr));
		if (l)
			*l = (struct last){ .tid = tid, .ptr = ptr, .time = time };
	}
}

bool lden_handoff__stale(const struct lden_handoff *h, uint32_t tid,
			 uint64_t time, uint64_t ptr, uint64_t read_at)
{
	const struct call *c = h ? get_call(h, tid, time, ptr) : NULL;

	if (!c || !c->handed_at)
		return false;
	if (!read_at)
		read_at = c->read_at;
	return read_at && c->handed_at < read_at;
}

void lden_handoff__done(struct lden_handoff *h, uint32_t tid, uint64_t time,
			uint64_t ptr)
{
	if (h && get_call(h, tid, time, ptr))
		gens_del(&h->calls, key(time, ptr));
}
