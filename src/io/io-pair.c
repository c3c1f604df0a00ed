// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "intmap.h"
#include "io-pair.h"

struct lden_io_pairer {
	struct lden_intmap *by_tid;	/* tid -> struct lden_io_call * */
	struct lden_io_call **free_list;	/* recycled calls */
	size_t nfree;
	size_t max_pending;
	struct lden_io_pair_stats st;
};

struct lden_io_pairer *lden_io_pairer__new(size_t max_pending)
{
	struct lden_io_pairer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->max_pending = max_pending ? max_pending : 1;
	p->free_list = calloc(p->max_pending, sizeof(*p->free_list));
	p->by_tid = lden_intmap__new(0, sizeof(struct lden_io_call *));
	if (!p->free_list || !p->by_tid) {
		lden_io_pairer__free(p);
		return NULL;
	}
	return p;
}

static void free_call(uint64_t key, void *val, void *ctx)
{
	free(*(struct lden_io_call **)val);
}

void lden_io_pairer__free(struct lden_io_pairer *p)
{
	if (!p)
		return;
	if (p->by_tid)
		lden_intmap__each(p->by_tid, free_call, NULL);
	lden_intmap__free(p->by_tid);
	for (size_t i = 0; i < p->nfree; i++)
		free(p->free_list[i]);
	free(p->free_list);
	free(p);
}

static void recycle(struct lden_io_pairer *p, struct lden_io_call *c)
{
	/* pending + free never exceed max_pending, so there is room */
	p->free_list[p->nfree++] = c;
}

struct lden_io_call *lden_io_pairer__enter(struct lden_io_pairer *p,
					   uint32_t tid, uint32_t pid, int sys,
					   uint64_t time_ns)
{
	struct lden_io_call *c;

	p->st.enters++;
	c = lden_intmap__get_ptr(p->by_tid, tid);
	if (c) {
		/* the exit of the previous call never came */
		p->st.enter_without_exit++;
	} else {
		if (lden_intmap__count(p->by_tid) >= p->max_pending) {
			p->st.refused++;
			return NULL;
		}
		c = p->nfree ? p->free_list[--p->nfree] : malloc(sizeof(*c));
		if (!c)
			return NULL;
		if (lden_intmap__put_ptr(p->by_tid, tid, c) < 0) {
			recycle(p, c);
			p->st.refused++;
			return NULL;
		}
	}
	/* the strings are cleared by their first byte: they are large */
	memset(c->args, 0, sizeof(c->args));
	c->has_cgroup = false;
	c->cgroup = 0;
	c->fd_named = false;
	c->fd_exact = false;
	c->path[0] = '\0';
	c->path2[0] = '\0';
	c->tid = tid;
	c->pid = pid;
	c->sys = sys;
	c->enter_ns = time_ns;
	return c;
}

int lden_io_pairer__exit(struct lden_io_pairer *p, uint32_t tid, int sys,
			 struct lden_io_call *out)
{
	struct lden_io_call *c;

	p->st.exits++;
	c = lden_intmap__del_ptr(p->by_tid, tid);
	if (!c) {
		p->st.exit_without_enter++;
		return -ENOENT;
	}
	if (c->sys != sys) {
		p->st.other_syscall++;
		recycle(p, c);
		return -EPROTO;
	}
	memcpy(out, c, offsetof(struct lden_io_call, path));
	strcpy(out->path, c->path);
	strcpy(out->path2, c->path2);
	recycle(p, c);
	p->st.paired++;
	return 0;
}

void lden_io_pairer__drop(struct lden_io_pairer *p, uint32_t tid)
{
	struct lden_io_call *c = lden_intmap__del_ptr(p->by_tid, tid);

	if (c) {
		p->st.dropped++;
		recycle(p, c);
	}
}

size_t lden_io_pairer__pending(const struct lden_io_pairer *p)
{
	return lden_intmap__count(p->by_tid);
}

const struct lden_io_pair_stats *
lden_io_pairer__stats(const struct lden_io_pairer *p)
{
	return &p->st;
}

uint64_t lden_io_pair__mismatches(const struct lden_io_pair_stats *st)
{
	return st->exit_without_enter + st->enter_without_exit +
	       st->other_syscall;
}
