// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "io-fold.h"
#include "io-map.h"

struct lden_fold {
	struct lden_strmap stacks;	/* "a;b;c" -> uint64_t * */
	size_t max_stacks;
	uint64_t overflow;
	uint64_t total;
	char *buf;
	size_t cap;
};

struct lden_fold *lden_fold__new(size_t max_stacks)
{
	struct lden_fold *f = calloc(1, sizeof(*f));

	if (f)
		f->max_stacks = max_stacks;
	return f;
}

void lden_fold__free(struct lden_fold *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->stacks.cap; i++)
		free(f->stacks.vals[i]);
	lden_strmap__fini(&f->stacks);
	free(f->buf);
	free(f);
}

/* @key: a stack as written, in f->buf or elsewhere. */
static int add_key(struct lden_fold *f, const char *key, uint64_t value)
{
	uint64_t *v = lden_strmap__get(&f->stacks, key);

	if (!v && f->stacks.n >= f->max_stacks) {
		f->overflow++;
		key = "[other]";
		v = lden_strmap__get(&f->stacks, key);
	}
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v || lden_strmap__put(&f->stacks, key, v) < 0) {
			free(v);
			return -ENOMEM;
		}
	}
	*v = lden_u64_add(*v, value);
	f->total = lden_u64_add(f->total, value);
	return 0;
}

int lden_fold__add(struct lden_fold *f, const char *const *frames,
		  int nframes, uint64_t value)
{
	size_t len = 1;
	char *p;

	/* a separator left in a frame: "\x3b", "\n", "\r" (4 bytes at most) */
	for (int i = 0; i < nframes; i++)
		len += 4 * strlen(frames[i]) + 1;
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
		for (const char *s = frames[i]; *s; s++) {
			if (*s == ';')
				p += sprintf(p, "\\x3b");
			else if (*s == '\n' || *s == '\r')
				p += sprintf(p, "\\%c", *s == '\n' ? 'n' : 'r');
			else
				*p++ = *s;
		}
	}
	*p = '\0';
	return add_key(f, f->buf, value);
}

static int cmp_key(const void *a, const void *b)
{
	const struct lden_strmap_entry *x = a, *y = b;

	return strcmp(x->key, y->key);
}

int lden_fold__each(const struct lden_fold *f,
		   int (*fn)(const char *stack, uint64_t value, void *ctx),
		   void *ctx)
{
	struct lden_strmap_entry *e;
	int rc = 0;

	if (!f->stacks.n)
		return 0;
	e = lden_strmap__entries(&f->stacks);
	if (!e)
		return -ENOMEM;
	qsort(e, f->stacks.n, sizeof(*e), cmp_key);
	for (size_t i = 0; i < f->stacks.n && !rc; i++)
		rc = fn(e[i].key, *(uint64_t *)e[i].val, ctx);
	free(e);
	return rc;
}

static int write_line(const char *stack, uint64_t value, void *ctx)
{
	fprintf(ctx, "%s %llu\n", stack, (unsigned long long)value);
	return 0;
}

int lden_fold__write(const struct lden_fold *f, FILE *out)
{
	int rc = lden_fold__each(f, write_line, out);

	if (rc < 0)
		return rc;
	return ferror(out) ? -EIO : 0;
}

uint64_t lden_fold__overflow(const struct lden_fold *f)
{
	return f->overflow;
}

uint64_t lden_fold__total(const struct lden_fold *f)
{
	return f->total;
}

size_t lden_fold__stacks(const struct lden_fold *f)
{
	return f->stacks.n;
}

int lden_fold__read(struct lden_fold *f, FILE *in, size_t max_bytes)
{
	char *line = NULL, *space, *end;
	size_t cap = 0, seen = 0;
	unsigned long long v;
	ssize_t n;
	int rc = 0, stacks = 0;

	while ((n = getline(&line, &cap, in)) > 0) {
		seen += (size_t)n;
		if (seen > max_bytes) {
			rc = -EFBIG;
			break;
		}
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '#' || !n)
			continue;
		space = strrchr(line, ' ');
		errno = 0;
		v = space && space > line && space[1] ? strtoull(space + 1, &end, 10) : 0;
		if (!space || space == line || !space[1] || *end || errno ||
		    space[1] == '-') {
			rc = -EINVAL;
			break;
		}
		*space = '\0';
		rc = add_key(f, line, v);
		if (rc < 0)
			break;
		stacks++;
	}
	if (!rc && ferror(in))
		rc = -EIO;
	free(line);
	return rc < 0 ? rc : stacks;
}
