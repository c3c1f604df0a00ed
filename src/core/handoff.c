// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>

#include "handoff.h"
#include "intmap.h"

/* entries per table before it starts afresh */
#define HANDOFF_MAX 4096

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

struct lden_handoff {
	struct lden_intmap *last;	/* by (tid, ptr) */
	struct lden_intmap *calls;	/* by (time, ptr) */
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

struct lden_handoff *lden_handoff__new(void)
{
	struct lden_handoff *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->last = lden_intmap__new(HANDOFF_MAX, sizeof(struct last));
	h->calls = lden_intmap__new(HANDOFF_MAX, sizeof(struct call));
	if (!h->last || !h->calls) {
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
	lden_intmap__free(h->last);
	lden_intmap__free(h->calls);
	free(h);
}

/*
 * The entry of @k in *@m, created zero-filled when absent; a full table
 * (entries whose calls never ended) is emptied first.  NULL when out of
 * memory (the table then stays empty, and the caller goes without).
 */
static void *put(struct lden_intmap **m, size_t size, uint64_t k)
{
	void *v = lden_intmap__put(*m, k);

	if (!v && errno == ENOSPC) {
		struct lden_intmap *fresh = lden_intmap__new(HANDOFF_MAX, size);

		if (!fresh)
			return NULL;
		lden_intmap__free(*m);
		*m = fresh;
		v = lden_intmap__put(*m, k);
	}
	return v;
}

static struct call *get_call(const struct lden_handoff *h, uint32_t tid,
			     uint64_t time, uint64_t ptr)
{
	struct call *c = lden_intmap__get(h->calls, key(time, ptr));

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
	l = lden_intmap__get(h->last, key(tid, ptr));
	prev = l && l->tid == tid && l->ptr == ptr ? l->time : 0;
	/* an earlier call of the thread with this buffer: handed on now */
	if (prev && prev < time && (c = get_call(h, tid, prev, ptr)))
		handed(c, time);
	c = put(&h->calls, sizeof(*c), key(time, ptr));
	if (c) {
		if (c->tid != tid || c->time != time || c->ptr != ptr)
			*c = (struct call){ .tid = tid, .ptr = ptr, .time = time };
		c->read_at = read_at;
		/* this one arrived after a later call with its buffer */
		if (prev > time)
			handed(c, prev);
	}
	if (prev < time) {
		l = put(&h->last, sizeof(*l), key(tid, ptr));
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
		lden_intmap__del(h->calls, key(time, ptr), NULL);
}
