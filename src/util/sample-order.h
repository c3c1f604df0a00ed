/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Samples in time order across CPUs.
 *
 * The session drains one CPU's ring after another, so a thread that
 * migrates between CPUs can have its later record delivered before its
 * earlier one.  This buffer copies the samples of a drain, and hands out,
 * sorted by time, those older than a watermark: a time before the drain
 * began, when every record up to it was already in the rings.  Newer ones
 * wait for the next drain.  At most max_records records and max_bytes
 * bytes of raw data are held; past that the caller flushes everything
 * (lden_sorder__flush(o, UINT64_MAX, ...)), and order is then only best
 * effort (counted in forced).
 */
#ifndef LDEN_SAMPLE_ORDER_H
#define LDEN_SAMPLE_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "lden-trace.h"

struct lden_sorder;

/* Returns a buffer (free with lden_sorder__free()) or NULL (ENOMEM). */
struct lden_sorder *lden_sorder__new(size_t max_records, size_t max_bytes);

void lden_sorder__free(struct lden_sorder *o);

/*
 * lden_sorder__add - copy a sample in
 * Returns 0, or -ENOSPC when the buffer is full (flush, then add again),
 * -ENOMEM.
 */
int lden_sorder__add(struct lden_sorder *o, const struct ltr_sample *s);

/*
 * lden_sorder__add_extra - the same, with @len bytes the caller attaches
 * (what it read when the sample arrived), handed back with the sample by
 * lden_sorder__extra()
 */
int lden_sorder__add_extra(struct lden_sorder *o, const struct ltr_sample *s,
			 const void *extra, size_t len);

/*
 * During a flush callback: the current sample's extra bytes (borrowed),
 * NULL when it has none.
 */
const void *lden_sorder__extra(const struct lden_sorder *o, size_t *len);

/*
 * lden_sorder__flush - deliver, in time order, the samples with time <= @upto
 * The samples given to @fn are valid during the call.  Returns how many
 * were delivered; a non-zero return of @fn stops the delivery there (the
 * rest stays).
 */
int lden_sorder__flush(struct lden_sorder *o, uint64_t upto, ltr_sample_fn fn,
		     void *ctx);

/* Samples held now. */
size_t lden_sorder__held(const struct lden_sorder *o);

/* Times the buffer was full and flushed without a watermark. */
uint64_t lden_sorder__forced(const struct lden_sorder *o);

/* Adds to forced (the caller flushed because add said -ENOSPC). */
void lden_sorder__note_forced(struct lden_sorder *o);

#endif
