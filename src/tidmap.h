/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounded table keyed by thread (or process) id, holding one fixed-size
 * value each: what a syscall's enter left for its exit, the comm last
 * seen for a pid.  It never grows past the maximum it was made with;
 * callers drop entries when their thread exits.
 */
#ifndef LDEN_TIDMAP_H
#define LDEN_TIDMAP_H

#include <stddef.h>
#include <stdint.h>

struct lden_tidmap;

/* Returns a table (free with lden_tidmap_free()), or NULL (ENOMEM). */
struct lden_tidmap *lden_tidmap_new(size_t max_entries, size_t value_size);
void lden_tidmap_free(struct lden_tidmap *m);

/* The value of @tid (borrowed, valid until the next put/del), or NULL. */
void *lden_tidmap_get(struct lden_tidmap *m, int32_t tid);

/*
 * The value of @tid, created zero-filled when absent; NULL when the table
 * is full (the caller counts what it could not keep).
 */
void *lden_tidmap_put(struct lden_tidmap *m, int32_t tid);

void lden_tidmap_del(struct lden_tidmap *m, int32_t tid);

/* Calls @fn on every entry, in no order; @fn must not add or delete. */
void lden_tidmap_each(struct lden_tidmap *m,
		      void (*fn)(int32_t tid, void *val, void *ctx), void *ctx);

size_t lden_tidmap_count(const struct lden_tidmap *m);
size_t lden_tidmap_max(const struct lden_tidmap *m);

#endif
