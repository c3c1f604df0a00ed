/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A hash table keyed by an integer (a thread or process id, a file
 * descriptor), holding one fixed-size value each, stored in the table:
 * what a syscall's enter left for its exit, the comm last seen for a pid,
 * a pointer to a bigger object.  Made with a maximum, it never grows past
 * it (callers count what it refuses and drop entries when their thread
 * exits); made without, it grows as entries come.
 *
 * Open addressing, linear probing, at most half full, deletion by
 * backward shift (no tombstones): a value's address holds until the next
 * put or del.
 */
#ifndef LDEN_INTMAP_H
#define LDEN_INTMAP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lden_intmap;

/*
 * lden_intmap__new - an empty table
 * @max_entries: the most entries it holds (its slots are made at once),
 *               or 0 for no bound (it grows)
 * @value_size:  bytes of one value
 * Returns the table (free with lden_intmap__free()), or NULL (ENOMEM).
 */
struct lden_intmap *lden_intmap__new(size_t max_entries, size_t value_size);

/* Frees the table (not what its values point to); takes NULL. */
void lden_intmap__free(struct lden_intmap *m);

/* The value of @key (borrowed, valid until the next put or del), or NULL. */
void *lden_intmap__get(const struct lden_intmap *m, uint64_t key);

/*
 * lden_intmap__put - the value of @key, created zero-filled when absent
 * Returns the value (borrowed, valid until the next put or del), or NULL
 * with errno ENOSPC (the table holds its maximum: the caller counts what
 * it could not keep), ENOMEM (it could not grow) or EINVAL (@key is
 * UINT64_MAX, the one key it cannot hold).
 */
void *lden_intmap__put(struct lden_intmap *m, uint64_t key);

/*
 * lden_intmap__del - removes @key, copying its value to @out first when
 * @out is not NULL
 * Returns whether @key was there.
 */
bool lden_intmap__del(struct lden_intmap *m, uint64_t key, void *out);

/* Calls @fn on every entry, in no order; @fn must not add or delete. */
void lden_intmap__each(struct lden_intmap *m,
		       void (*fn)(uint64_t key, void *val, void *ctx),
		       void *ctx);

/*
 * For a table of pointers (@value_size sizeof(void *)): the pointer stored
 * under @key, or NULL.
 */
static inline void *lden_intmap__get_ptr(const struct lden_intmap *m,
					 uint64_t key)
{
	void **v = lden_intmap__get(m, key);

	return v ? *v : NULL;
}

/* Stores @val under @key, replacing any; 0, or -errno of the put. */
static inline int lden_intmap__put_ptr(struct lden_intmap *m, uint64_t key,
				       void *val)
{
	void **v = lden_intmap__put(m, key);

	if (!v)
		return -errno;
	*v = val;
	return 0;
}

/* Removes @key; returns its pointer, or NULL when it was not there. */
static inline void *lden_intmap__del_ptr(struct lden_intmap *m, uint64_t key)
{
	void *val = NULL;

	lden_intmap__del(m, key, &val);
	return val;
}

size_t lden_intmap__count(const struct lden_intmap *m);
/* The maximum it was made with, or 0. */
size_t lden_intmap__max(const struct lden_intmap *m);

#endif
