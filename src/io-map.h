/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small open-addressing hash maps for lden io: integer keys (a tid, a pid,
 * a file descriptor) and string keys (a path, a folded stack), each to a
 * caller pointer.  No caps of their own: the callers bound what they put in.
 */
#ifndef LDEN_IO_MAP_H
#define LDEN_IO_MAP_H

#include <stddef.h>
#include <stdint.h>

struct lden_u64map {
	uint64_t *keys;		/* key + 1; 0 marks a free slot */
	void **vals;
	size_t cap;		/* a power of two, or 0 before the first put */
	size_t n;
};

/* The value stored under @key, or NULL. */
void *lden_u64map_get(const struct lden_u64map *m, uint64_t key);

/*
 * lden_u64map_put - store @val (not NULL) under @key, replacing any value
 * Returns 0, or -ENOMEM (the map is unchanged).  @key must not be
 * UINT64_MAX.
 */
int lden_u64map_put(struct lden_u64map *m, uint64_t key, void *val);

/* Removes @key; returns its value, or NULL when it was not there. */
void *lden_u64map_del(struct lden_u64map *m, uint64_t key);

/*
 * Calls @fn on every entry (in no particular order); @fn must not change
 * the map.
 */
void lden_u64map_each(const struct lden_u64map *m,
		      void (*fn)(uint64_t key, void *val, void *ctx), void *ctx);

/* Frees the map's arrays, not the values. */
void lden_u64map_fini(struct lden_u64map *m);

struct lden_strmap {
	char **keys;		/* owned copies; NULL marks a free slot */
	void **vals;
	size_t cap;
	size_t n;
};

void *lden_strmap_get(const struct lden_strmap *m, const char *key);

/* Stores a copy of @key; returns 0 or -ENOMEM. */
int lden_strmap_put(struct lden_strmap *m, const char *key, void *val);

struct lden_strmap_entry {
	const char *key;
	void *val;
};
/*
 * The @m->n entries as an array (keys borrowed from the map), for the
 * caller to sort, or NULL (ENOMEM).  Free the array with free().
 */
struct lden_strmap_entry *lden_strmap_entries(const struct lden_strmap *m);

/* Frees the keys and arrays, not the values. */
void lden_strmap_fini(struct lden_strmap *m);

#endif
