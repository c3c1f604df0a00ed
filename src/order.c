// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lden-trace.h"
#include "order.h"

/* A ceiling, so that a reader that stalls cannot eat the memory. */
#define ORDER_MAX 262144

struct item {
	struct ltr_sample s;
	uint64_t seq;		/* arrival order: ties keep it */
	char *extra;
};

struct lden_order {
	struct item *items;
	size_t n, cap;
	uint64_t seq;
};

struct lden_order *lden_order_new(void)
{
	return calloc(1, sizeof(struct lden_order));
}

static void item_free(struct item *it)
{
	free((void *)it->s.raw);
	free(it->extra);
}

void lden_order_free(struct lden_order *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++)
		item_free(&o->items[i]);
	free(o->items);
	free(o);
}

int lden_order_push(struct lden_order *o, const struct ltr_sample *s,
		    const char *extra)
{
	struct item *it;
	void *raw;

	if (o->n == ORDER_MAX)
		return -ENOBUFS;
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		struct item *ni = realloc(o->items, cap * sizeof(*ni));

		if (!ni)
			return -ENOMEM;
		o->items = ni;
		o->cap = cap;
	}
	raw = malloc(s->raw_size ? s->raw_size : 1);
	if (!raw)
		return -ENOMEM;
	memcpy(raw, s->raw, s->raw_size);
	it = &o->items[o->n];
	it->s = *s;
	it->s.raw = raw;
	it->seq = o->seq++;
	it->extra = extra ? strdup(extra) : NULL;
	if (extra && !it->extra) {
		free(raw);
		return -ENOMEM;
	}
	o->n++;
	return 0;
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->s.time != y->s.time)
		return x->s.time < y->s.time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int lden_order_flush(struct lden_order *o, uint64_t before, lden_order_fn fn,
		     void *ctx)
{
	size_t i;
	int rc = 0;

	if (!o->n)
		return 0;
	qsort(o->items, o->n, sizeof(*o->items), cmp_item);
	for (i = 0; i < o->n && o->items[i].s.time < before; i++) {
		rc = fn(&o->items[i].s, o->items[i].extra, ctx);
		item_free(&o->items[i]);
		if (rc) {
			i++;
			break;
		}
	}
	memmove(o->items, o->items + i, (o->n - i) * sizeof(*o->items));
	o->n -= i;
	return rc ? rc : (int)i;
}

size_t lden_order_held(const struct lden_order *o)
{
	return o->n;
}
