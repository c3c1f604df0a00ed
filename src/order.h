/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Samples from every CPU in time order.  The session delivers each CPU's
 * ring in turn, so an exit on CPU 0 can come before the enter on CPU 1
 * that preceded it.  Samples are copied in, held, and handed out sorted
 * once no earlier one can still arrive: everything older than a time
 * taken before the rings were read.
 */
#ifndef LDEN_ORDER_H
#define LDEN_ORDER_H

#include <stddef.h>
#include <stdint.h>

struct ltr_sample;
struct lden_order;

/* @extra: what was read from the process when the sample arrived, or NULL */
typedef int (*lden_order_fn)(const struct ltr_sample *s, const char *extra,
			     void *ctx);

/* Returns a buffer (free with lden_order_free()), or NULL (ENOMEM). */
struct lden_order *lden_order_new(void);
void lden_order_free(struct lden_order *o);

/*
 * lden_order_push - copy @s (and @extra) in
 * Returns 0, -ENOBUFS when the buffer holds its maximum (flush it all,
 * then push again), or -ENOMEM.
 */
int lden_order_push(struct lden_order *o, const struct ltr_sample *s,
		    const char *extra);

/*
 * lden_order_flush - hand out, oldest first, the samples older than
 * @before (CLOCK_MONOTONIC ns; UINT64_MAX: all of them)
 * Returns how many, or the first non-zero return of @fn (the samples
 * handed out until then are gone).
 */
int lden_order_flush(struct lden_order *o, uint64_t before, lden_order_fn fn,
		     void *ctx);

size_t lden_order_held(const struct lden_order *o);

#endif
