// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbolic.h"

struct entry {
	int64_t value;
	char *name;
};

struct lden_symbolic {
	struct entry *e;
	size_t n;
};

void lden_symbolic__free(struct lden_symbolic *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->e[i].name);
	free(t->e);
	free(t);
}

static const char *skip_ws(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* Parses "{ 2, "NAME" }" at @p; returns past it, or NULL at the list end. */
static const char *parse_entry(const char *p, struct lden_symbolic *t,
			       int *err)
{
	char *end, *name;
	long long v;
	const char *q;
	struct entry *ne;

	p = skip_ws(p);
	if (*p == ',')
		p = skip_ws(p + 1);
	if (*p != '{')
		return NULL;
	p = skip_ws(p + 1);
	v = strtoll(p, &end, 0);
	if (end == p)
		return NULL;
	p = skip_ws(end);
	if (*p != ',')
		return NULL;
	p = skip_ws(p + 1);
	if (*p != '"')
		return NULL;
	q = strchr(p + 1, '"');
	if (!q)
		return NULL;
	name = strndup(p + 1, (size_t)(q - p - 1));
	ne = realloc(t->e, (t->n + 1) * sizeof(*ne));
	if (!name || !ne) {
		free(name);
		if (ne)
			t->e = ne;
		*err = ENOMEM;
		return NULL;
	}
	t->e = ne;
	t->e[t->n].value = v;
	t->e[t->n].name = name;
	t->n++;
	p = skip_ws(q + 1);
	return *p == '}' ? p + 1 : NULL;
}

struct lden_symbolic *lden_symbolic__parse(const char *text, const char *field)
{
	struct lden_symbolic *t = calloc(1, sizeof(*t));
	char needle[160];
	const char *p = text;
	int err = 0;

	if (!t)
		return NULL;
	snprintf(needle, sizeof(needle), "__print_symbolic(REC->%s,", field);
	p = strstr(text, "print fmt:");
	p = p ? strstr(p, needle) : NULL;
	if (p) {
		p += strlen(needle);
		while (p && !err)
			p = parse_entry(p, t, &err);
	}
	if (err || !t->n) {
		lden_symbolic__free(t);
		errno = err ? err : ENOENT;
		return NULL;
	}
	return t;
}

struct lden_symbolic *lden_symbolic__load(const char *tracing_dir,
					 const char *system, const char *name,
					 const char *field)
{
	struct lden_symbolic *t;
	char path[4096], *text;
	size_t n;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tracing_dir,
		 system, name);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	text = malloc(1 << 20);
	if (!text) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	n = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	text[n] = '\0';
	t = lden_symbolic__parse(text, field);
	err = errno;
	free(text);
	errno = err;
	return t;
}

const char *lden_symbolic__name(const struct lden_symbolic *t, int64_t value)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (t->e[i].value == value)
			return t->e[i].name;
	return NULL;
}

int lden_symbolic__value(const struct lden_symbolic *t, const char *name,
			int64_t *value)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (!strcmp(t->e[i].name, name)) {
			*value = t->e[i].value;
			return 0;
		}
	return -ENOENT;
}
