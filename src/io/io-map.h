/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small open-addressing hash map for lden io: string keys (a path, a
 * folded stack), each to a caller pointer.  No cap of its own: the callers
 * bound what they put in.  Integer keys: intmap.h.
 */
#ifndef LDEN_IO_MAP_H
#define LDEN_IO_MAP_H

#include <stddef.h>
#include <stdint.h>

struct lden_strmap {
	char **keys;		/* owned copies; NULL marks a free slot */
	void **vals;
	size_t cap;
	size_t n;
};

void *lden_strmap__get(const struct lden_strmap *m, const char *key);

/* Stores a copy of @key; returns 0 or -ENOMEM. */
int lden_strmap__put(struct lden_strmap *m, const char *key, void *val);

struct lden_strmap_entry {
	const char *key;
	void *val;
};
/*
 * The @m->n entries as an array (keys borrowed from the map), for the
 * caller to sort, or NULL (ENOMEM).  Free the array with free().
 */
struct lden_strmap_entry *lden_strmap__entries(const struct lden_strmap *m);

/* Frees the keys and arrays, not the values. */
void lden_strmap__fini(struct lden_strmap *m);

#endif
