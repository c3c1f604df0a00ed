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
	/* a 64-bit finalizer: similar strings spread over the table */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (size_t)x;
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

void *lden_strmap__get(const struct lden_strmap *m, const char *key)
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

int lden_strmap__put(struct lden_strmap *m, const char *key, void *val)
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

struct lden_strmap_entry *lden_strmap__entries(const struct lden_strmap *m)
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

void lden_strmap__fini(struct lden_strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
