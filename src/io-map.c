// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io-map.h"

/* Both arrays of a table of @cap slots, zeroed; -ENOMEM when either fails. */
static int alloc_slots(size_t cap, size_t key_size, void **keys, void ***vals)
{
	*keys = calloc(cap, key_size);
	*vals = calloc(cap, sizeof(**vals));
	if (*keys && *vals)
		return 0;
	free(*keys);
	free(*vals);
	return -ENOMEM;
}

static size_t hash64(uint64_t x)
{
	/* a 64-bit finalizer: consecutive tids and fds spread over the table */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (size_t)x;
}

void *lden_u64map_get(const struct lden_u64map *m, uint64_t key)
{
	size_t mask, i;

	if (!m->cap)
		return NULL;
	mask = m->cap - 1;
	for (i = hash64(key) & mask; m->keys[i]; i = (i + 1) & mask)
		if (m->keys[i] == key + 1)
			return m->vals[i];
	return NULL;
}

static void u64_insert(uint64_t *keys, void **vals, size_t cap, uint64_t k1,
		       void *val)
{
	size_t mask = cap - 1, i;

	for (i = hash64(k1 - 1) & mask; keys[i]; i = (i + 1) & mask)
		;
	keys[i] = k1;
	vals[i] = val;
}

static int u64_grow(struct lden_u64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	uint64_t *keys;
	void **vals;

	if (alloc_slots(cap, sizeof(*keys), (void **)&keys, &vals) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			u64_insert(keys, vals, cap, m->keys[i], m->vals[i]);
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

int lden_u64map_put(struct lden_u64map *m, uint64_t key, void *val)
{
	size_t mask, i;

	if (m->cap) {
		mask = m->cap - 1;
		for (i = hash64(key) & mask; m->keys[i]; i = (i + 1) & mask) {
			if (m->keys[i] == key + 1) {
				m->vals[i] = val;
				return 0;
			}
		}
	}
	/* at most 3/4 full, so that probes stay short */
	if ((m->n + 1) * 4 > m->cap * 3 && u64_grow(m) < 0)
		return -ENOMEM;
	u64_insert(m->keys, m->vals, m->cap, key + 1, val);
	m->n++;
	return 0;
}

void *lden_u64map_del(struct lden_u64map *m, uint64_t key)
{
	size_t mask, i, j;
	void *val;

	if (!m->cap)
		return NULL;
	mask = m->cap - 1;
	for (i = hash64(key) & mask; m->keys[i]; i = (i + 1) & mask)
		if (m->keys[i] == key + 1)
			break;
	if (!m->keys[i])
		return NULL;
	val = m->vals[i];
	/* backward-shift deletion: no tombstones, lookups stay short */
	for (j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
		size_t home = hash64(m->keys[j] - 1) & mask;

		/* move j into the hole when its home is not in (i, j] */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && home <= i && home > j)) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			i = j;
		}
	}
	m->keys[i] = 0;
	m->vals[i] = NULL;
	m->n--;
	return val;
}

void lden_u64map_each(const struct lden_u64map *m,
		      void (*fn)(uint64_t key, void *val, void *ctx), void *ctx)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			fn(m->keys[i] - 1, m->vals[i], ctx);
}

void lden_u64map_fini(struct lden_u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static size_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return hash64(h);
}

void *lden_strmap_get(const struct lden_strmap *m, const char *key)
{
	size_t mask, i;

	if (!m->cap)
		return NULL;
	mask = m->cap - 1;
	for (i = hash_str(key) & mask; m->keys[i]; i = (i + 1) & mask)
		if (!strcmp(m->keys[i], key))
			return m->vals[i];
	return NULL;
}

static void str_insert(char **keys, void **vals, size_t cap, char *key,
		       void *val)
{
	size_t mask = cap - 1, i;

	for (i = hash_str(key) & mask; keys[i]; i = (i + 1) & mask)
		;
	keys[i] = key;
	vals[i] = val;
}

int lden_strmap_put(struct lden_strmap *m, const char *key, void *val)
{
	char *copy;

	if (m->cap) {
		size_t mask = m->cap - 1, i;

		for (i = hash_str(key) & mask; m->keys[i]; i = (i + 1) & mask) {
			if (!strcmp(m->keys[i], key)) {
				m->vals[i] = val;
				return 0;
			}
		}
	}
	if ((m->n + 1) * 4 > m->cap * 3) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		char **keys;
		void **vals;

		if (alloc_slots(cap, sizeof(*keys), (void **)&keys, &vals) < 0)
			return -ENOMEM;
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i])
				str_insert(keys, vals, cap, m->keys[i],
					   m->vals[i]);
		free(m->keys);
		free(m->vals);
		m->keys = keys;
		m->vals = vals;
		m->cap = cap;
	}
	copy = strdup(key);
	if (!copy)
		return -ENOMEM;
	str_insert(m->keys, m->vals, m->cap, copy, val);
	m->n++;
	return 0;
}

struct lden_strmap_entry *lden_strmap_entries(const struct lden_strmap *m)
{
	struct lden_strmap_entry *e = malloc((m->n + 1) * sizeof(*e));
	size_t k = 0;

	if (!e)
		return NULL;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i]) {
			e[k].key = m->keys[i];
			e[k].val = m->vals[i];
			k++;
		}
	}
	return e;
}

void lden_strmap_fini(struct lden_strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
