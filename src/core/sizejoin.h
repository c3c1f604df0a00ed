/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A size known at one event and needed at a later one: the bytes of an
 * allocation (kmem:kmalloc's bytes_alloc for a pointer), wanted when that
 * pointer is freed (kmem:kfree says only the pointer).  A bounded table
 * from key to size, filled by the first event's samples and emptied by
 * the second's.
 *
 * What cannot be sized is counted, never guessed: a free of memory
 * allocated before lden started, by a task outside its scope, or whose
 * entry was evicted from the full table.  Samples arrive one CPU's ring
 * after another, so a free can come before the allocation it frees (made
 * on another CPU): such a free waits, counted unsized, in a small table
 * of its own, and an allocation older than it settles it when it comes.
 */
#ifndef LDEN_SIZEJOIN_H
#define LDEN_SIZEJOIN_H

#include <stdbool.h>
#include <stdint.h>

struct lden_sizejoin;

/* keys below this (NULL, the kernel's ZERO_SIZE_PTR) free nothing: 0 bytes */
#define LDEN_SIZEJOIN_NULL_KEYS 4096

/*
 * lden_sizejoin__new - a table of @slots entries (rounded up to a power of
 * two, at least 4), 24 bytes each
 * Returns it (free with lden_sizejoin__free()), or NULL (ENOMEM).
 */
struct lden_sizejoin *lden_sizejoin__new(uint64_t slots);
void lden_sizejoin__free(struct lden_sizejoin *j);

/*
 * lden_sizejoin__put - an allocation of @size bytes at @key, at @time (ns)
 * Returns true when a free that came first waited for it: settled now
 * (the caller adds @size to the total; lden_sizejoin__unsized() went down
 * by one); false when it is kept for a later free.
 */
bool lden_sizejoin__put(struct lden_sizejoin *j, uint64_t key, uint64_t size,
		       uint64_t time);

/*
 * lden_sizejoin__take - a free of @key at @time (ns)
 * Returns true with *@size the allocation's bytes (its entry removed), or
 * false: not sizable (yet), counted in lden_sizejoin__unsized().
 */
bool lden_sizejoin__take(struct lden_sizejoin *j, uint64_t key, uint64_t time,
			uint64_t *size);

/* Frees that could not be sized, so far. */
uint64_t lden_sizejoin__unsized(const struct lden_sizejoin *j);
/* Allocations dropped from the full table (their frees will be unsized). */
uint64_t lden_sizejoin__evicted(const struct lden_sizejoin *j);

#endif
