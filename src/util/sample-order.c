// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sample-order.h"

struct held {
	struct ltr_sample s;	/* raw is an offset into the arena until sent */
	size_t off;
	uint32_t extra_len;	/* bytes after the raw record */
	uint64_t seq;		/* arrival order: ties keep it */
};

struct lden_sorder {
	struct held *recs;
	size_t n, max_records;
	unsigned char *arena;
	size_t used, max_bytes;
	uint64_t seq;
	uint64_t forced;
	const struct held *cur;	/* being delivered */
	const unsigned char *cur_base;
};

static size_t held_size(const struct held *h)
{
	return ((size_t)h->s.raw_size + h->extra_len + 7) & ~(size_t)7;
}

struct lden_sorder *lden_sorder__new(size_t max_records, size_t max_bytes)
{
	struct lden_sorder *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->max_records = max_records;
	o->max_bytes = max_bytes;
	o->recs = malloc(max_records * sizeof(*o->recs));
	o->arena = malloc(max_bytes);
	if (!o->recs || !o->arena) {
		lden_sorder__free(o);
		return NULL;
	}
	return o;
}

void lden_sorder__free(struct lden_sorder *o)
{
	if (!o)
		return;
	free(o->recs);
	free(o->arena);
	free(o);
}

int lden_sorder__add_extra(struct lden_sorder *o, const struct ltr_sample *s,
			 const void *extra, size_t len)
{
	/* raw records are 8-byte aligned in the arena, as in the ring */
	size_t size = ((size_t)s->raw_size + len + 7) & ~(size_t)7;
	struct held *h;

	if (o->n >= o->max_records || o->used + size > o->max_bytes)
		return -ENOSPC;
	h = &o->recs[o->n++];
	h->s = *s;
	h->s.raw = NULL;
	h->off = o->used;
	h->extra_len = (uint32_t)len;
	h->seq = o->seq++;
	memcpy(o->arena + o->used, s->raw, s->raw_size);
	if (len)
		memcpy(o->arena + o->used + s->raw_size, extra, len);
	o->used += size;
	return 0;
}

int lden_sorder__add(struct lden_sorder *o, const struct ltr_sample *s)
{
	return lden_sorder__add_extra(o, s, NULL, 0);
}

const void *lden_sorder__extra(const struct lden_sorder *o, size_t *len)
{
	if (!o->cur || !o->cur->extra_len) {
		*len = 0;
		return NULL;
	}
	*len = o->cur->extra_len;
	return o->cur_base + o->cur->off + o->cur->s.raw_size;
}

static int by_time(const void *a, const void *b)
{
	const struct held *x = a, *y = b;

	if (x->s.time != y->s.time)
		return x->s.time < y->s.time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int lden_sorder__flush(struct lden_sorder *o, uint64_t upto, ltr_sample_fn fn,
		     void *ctx)
{
	size_t i, keep, used;
	int sent = 0;

	if (!o->n)
		return 0;
	qsort(o->recs, o->n, sizeof(*o->recs), by_time);
	for (i = 0; i < o->n && o->recs[i].s.time <= upto; i++) {
		struct ltr_sample s = o->recs[i].s;
		int stop;

		s.raw = o->arena + o->recs[i].off;
		o->cur = &o->recs[i];
		o->cur_base = o->arena;
		sent++;
		stop = fn(&s, ctx);
		o->cur = NULL;
		if (stop) {
			i++;
			break;
		}
	}
	/* move what stays to the front of both arrays */
	keep = o->n - i;
	if (keep) {
		unsigned char *tmp;

		used = 0;
		for (size_t k = 0; k < keep; k++)
			used += held_size(&o->recs[i + k]);
		tmp = malloc(used ? used : 1);
		if (!tmp)
			return -ENOMEM;
		used = 0;
		for (size_t k = 0; k < keep; k++) {
			struct held *h = &o->recs[i + k];
			size_t size = held_size(h);

			memcpy(tmp + used, o->arena + h->off,
			       h->s.raw_size + h->extra_len);
			h->off = used;
			used += size;
			o->recs[k] = *h;
		}
		memcpy(o->arena, tmp, used);
		free(tmp);
		o->used = used;
	} else {
		o->used = 0;
	}
	o->n = keep;
	return sent;
}

size_t lden_sorder__held(const struct lden_sorder *o)
{
	return o->n;
}

uint64_t lden_sorder__forced(const struct lden_sorder *o)
{
	return o->forced;
}

void lden_sorder__note_forced(struct lden_sorder *o)
{
	o->forced++;
}
