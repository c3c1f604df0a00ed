// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io-fold.h"
#include "io-map.h"

struct lden_fold {
	struct lden_strmap stacks;	/* "a;b;c" -> uint64_t * */
	size_t max_stacks;
	uint64_t overflow;
	char *buf;
	size_t cap;
};

struct lden_fold *lden_fold_new(size_t max_stacks)
{
	struct lden_fold *f = calloc(1, sizeof(*f));

	if (f)
		f->max_stacks = max_stacks;
	return f;
}

void lden_fold_free(struct lden_fold *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->stacks.cap; i++)
		free(f->stacks.vals[i]);
	lden_strmap_fini(&f->stacks);
	free(f->buf);
	free(f);
}

int lden_fold_add(struct lden_fold *f, const char *const *frames,
		  int nframes, uint64_t value)
{
	size_t len = 1;
	uint64_t *v;
	char *p;

	for (int i = 0; i < nframes; i++)
		len += strlen(frames[i]) + 1;
	if (len > f->cap) {
		char *nb = realloc(f->buf, len);

		if (!nb)
			return -ENOMEM;
		f->buf = nb;
		f->cap = len;
	}
	p = f->buf;
	for (int i = 0; i < nframes; i++) {
		if (i)
			*p++ = ';';
		for (const char *s = frames[i]; *s; s++)
			*p++ = (*s == ';' || *s == '\n' || *s == '\r') ? '_' : *s;
	}
	*p = '\0';
	v = lden_strmap_get(&f->stacks, f->buf);
	if (!v && f->stacks.n >= f->max_stacks) {
		f->overflow++;
		strcpy(f->buf, "[other]");
		v = lden_strmap_get(&f->stacks, f->buf);
	}
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v || lden_strmap_put(&f->stacks, f->buf, v) < 0) {
			free(v);
			return -ENOMEM;
		}
	}
	*v += value;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct lden_strmap_entry *x = a, *y = b;

	return strcmp(x->key, y->key);
}

int lden_fold_write(const struct lden_fold *f, FILE *out)
{
	struct lden_strmap_entry *e = lden_strmap_entries(&f->stacks);

	if (!e)
		return -ENOMEM;
	qsort(e, f->stacks.n, sizeof(*e), cmp_key);
	for (size_t i = 0; i < f->stacks.n; i++)
		fprintf(out, "%s %llu\n", e[i].key,
			(unsigned long long)*(uint64_t *)e[i].val);
	free(e);
	return ferror(out) ? -EIO : 0;
}

uint64_t lden_fold_overflow(const struct lden_fold *f)
{
	return f->overflow;
}
