// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "tally.h"

struct lden_tally {
	struct lden_tally_row *rows;
	size_t n, cap, max;
	size_t *index;		/* open addressing: row + 1, 0 = empty */
	size_t nindex;		/* a power of two > 2 * max */
	int sort_col;
};

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

struct lden_tally *lden_tally__new(size_t max_keys)
{
	struct lden_tally *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max = max_keys ? max_keys : 1;
	t->nindex = 64;
	while (t->nindex <= 2 * (t->max + 1))
		t->nindex *= 2;
	t->index = calloc(t->nindex, sizeof(*t->index));
	if (!t->index) {
		free(t);
		return NULL;
	}
	return t;
}

void lden_tally__reset(struct lden_tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->rows[i].key);
	t->n = 0;
	memset(t->index, 0, t->nindex * sizeof(*t->index));
}

void lden_tally__free(struct lden_tally *t)
{
	if (!t)
		return;
	lden_tally__reset(t);
	free(t->rows);
	free(t->index);
	free(t);
}

/* The index slot of @key: its row, or the empty slot for it. */
static size_t *slot_of(struct lden_tally *t, const char *key)
{
	size_t i = hash(key) & (t->nindex - 1);

	while (t->index[i] && strcmp(t->rows[t->index[i] - 1].key, key))
		i = (i + 1) & (t->nindex - 1);
	return &t->index[i];
}

int lden_tally__add(struct lden_tally *t, const char *key, const uint64_t *v)
{
	size_t *slot = slot_of(t, key);
	struct lden_tally_row *r;

	if (!*slot) {
		/* one row is kept back for "(other)" */
		if (t->n >= t->max && strcmp(key, LDEN_TALLY_OTHER))
			return lden_tally__add(t, LDEN_TALLY_OTHER, v);
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 64;
			struct lden_tally_row *nr;

			nr = realloc(t->rows, cap * sizeof(*nr));
			if (!nr)
				return -ENOMEM;
			t->rows = nr;
			t->cap = cap;
		}
		r = &t->rows[t->n];
		memset(r, 0, sizeof(*r));
		r->key = strdup(key);
		if (!r->key)
			return -ENOMEM;
		*slot = ++t->n;
	}
	r = &t->rows[*slot - 1];
	for (int i = 0; i < LDEN_TALLY_VALUES; i++)
		r->v[i] = lden_u64_add(r->v[i], v[i]);
	return 0;
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct lden_tally_row *x = a, *y = b;
	int sort_col = *(const int *)arg;

	if (x->v[sort_col] != y->v[sort_col])
		return x->v[sort_col] > y->v[sort_col] ? -1 : 1;
	return strcmp(x->key, y->key);
}

size_t lden_tally__sorted(struct lden_tally *t, int col,
			 const struct lden_tally_row **rows)
{
	if (col < 0 || col >= LDEN_TALLY_VALUES)
		col = 0;
	if (t->n)
		qsort_r(t->rows, t->n, sizeof(*t->rows), cmp_rows, &col);
	/* the rows moved: index them again */
	memset(t->index, 0, t->nindex * sizeof(*t->index));
	for (size_t i = 0; i < t->n; i++)
		*slot_of(t, t->rows[i].key) = i + 1;
	*rows = t->rows;
	return t->n;
}
