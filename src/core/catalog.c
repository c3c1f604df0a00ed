// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The catalog parser: "*.events" files, one keyword per line (see
 * lden-events(5)).  Errors name the file and the line.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog.h"
#include "expr.h"
#include "infile.h"
#include "size.h"

#define MAX_TPS 8

struct parser {
	struct lden_catalog *cat;
	const char *file;
	int line;
	struct lden_event_def *cur;	/* event being defined */
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%d: ", p->file, p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static void join_free(struct lden_join *j)
{
	free(j->key);
	free(j->system);
	free(j->name);
	free(j->from_key);
	free(j->size);
}

static void source_free(struct lden_source *s)
{
	for (int i = 0; i < s->ntps; i++) {
		free(s->tps[i].system);
		free(s->tps[i].name);
		free(s->tps[i].filter);
		free(s->tps[i].size);
		for (int j = 0; j < s->tps[i].njoins; j++)
			join_free(&s->tps[i].joins[j]);
		free(s->tps[i].joins);
	}
	free(s->tps);
	for (int i = 0; i < s->nfuncs; i++)
		free(s->funcs[i]);
	free(s->funcs);
	for (int i = 0; i < s->nnotfrom; i++)
		free(s->notfrom[i]);
	free(s->notfrom);
	for (int i = 0; i < s->nmore; i++)
		source_free(&s->more[i]);
	free(s->more);
	free(s->fetchargs);
	free(s->filter);
	free(s->size);
}

static void def_free(struct lden_event_def *d)
{
	for (int i = 0; i < d->nsrcs; i++)
		source_free(&d->srcs[i]);
	free(d->srcs);
	free(d->name);
	free(d->describe);
	free(d->note);
	free(d->unscoped);
	free(d->file);
}

void lden_catalog__free(struct lden_catalog *cat)
{
	if (!cat)
		return;
	for (int i = 0; i < cat->ndefs; i++)
		def_free(&cat->defs[i]);
	free(cat->defs);
	free(cat->index);
	*cat = (struct lden_catalog){ 0 };
}

/* ------------------------------------------------------------------ */
/* Names to definitions: a hash table, so that loading stays linear */

static size_t name_hash(const char *s)
{
	size_t h = 14695981039346656037ull;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The index slot of @name: holding it, or the free one where it goes. */
static size_t index_slot(const struct lden_catalog *cat, const char *name)
{
	size_t mask = cat->index_size - 1, i = name_hash(name) & mask;

	while (cat->index[i] &&
	       strcmp(cat->defs[cat->index[i] - 1].name, name))
		i = (i + 1) & mask;
	return i;
}

/* Room for one more name, at most half full; 0 or -1. */
static int index_reserve(struct lden_catalog *cat)
{
	size_t size = cat->index_size ? cat->index_size : 64;
	int *old = cat->index;

	if ((size_t)cat->ndefs + 1 <= size / 2 && old)
		return 0;
	while ((size_t)cat->ndefs + 1 > size / 2)
		size *= 2;
	cat->index = calloc(size, sizeof(*cat->index));
	if (!cat->index) {
		cat->index = old;
		return -1;
	}
	cat->index_size = size;
	for (int i = 0; i < cat->ndefs; i++)
		cat->index[index_slot(cat, cat->defs[i].name)] = i + 1;
	free(old);
	return 0;
}

const struct lden_event_def *lden_catalog__find(const struct lden_catalog *cat,
					       const char *name)
{
	size_t i;

	if (!cat->index_size)
		return NULL;
	i = index_slot(cat, name);
	return cat->index[i] ? &cat->defs[cat->index[i] - 1] : NULL;
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Edit distance, for "did you mean"; names are short. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[128];

	if (la >= 127 || lb >= 127)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];

			row[j] = min3(row[j] + 1, row[j - 1] + 1,
				      diag + (a[i - 1] != b[j - 1]));
			diag = up;
		}
	}
	return row[lb];
}

const char *lden_catalog__suggest(const struct lden_catalog *cat,
				 const char *name)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;

	for (int i = 0; i < cat->ndefs; i++) {
		size_t d = distance(name, cat->defs[i].name);

		if (d < best_d) {
			best_d = d;
			best = cat->defs[i].name;
		}
	}
	/* close enough: a third of the name, at least 1, at most 3 edits */
	if (best && best_d <= 3 && best_d <= strlen(name) / 3 + 1)
		return best;
	return NULL;
}

static bool valid_event_name(const char *s)
{
	bool dot = false;

	if (!islower((unsigned char)*s))
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (s[1] == '\0' || s[1] == '.')
				return false;
			dot = true;
		} else if (!islower((unsigned char)*s) &&
			   !isdigit((unsigned char)*s) && *s != '_') {
			return false;
		}
	}
	return dot;
}

static bool valid_ident(const char *s, size_t n)
{
	if (!n || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static char *dup_trimmed(const char *s)
{
	const char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	return strndup(s, e - s);
}

/*
 * Splits "WORDS if FILTER" at the first " if "; a line ending in "if"
 * gives an empty filter (an error), not a word "if".
 */
static char *split_filter(char *rest)
{
	char *p = rest;
	size_t n;

	if (!strncmp(p, "if ", 3)) {
		*p = '\0';
		return p + 3;
	}
	p = strstr(rest, " if ");
	if (p) {
		*p = '\0';
		return p + 4;
	}
	n = strlen(rest);
	while (n && isspace((unsigned char)rest[n - 1]))
		n--;
	if (n >= 2 && !strncmp(rest + n - 2, "if", 2) &&
	    (n == 2 || rest[n - 3] == ' ')) {
		rest[n - 2] = '\0';
		return rest + n;
	}
	return NULL;
}

/* A filter after "if": one expression, or the error. */
static int set_filter(struct parser *p, char **slot, const char *text)
{
	const char *why;
	int at;

	*slot = dup_trimmed(text);
	if (!*slot)
		return perr(p, "out of memory");
	if (!**slot)
		return perr(p, "empty filter after 'if'");
	if (lden_filter_check(*slot, &at, &why))
		return perr(p, "filter '%s' is not one expression: %s at byte %d",
			    *slot, why, at + 1);
	return 0;
}

static struct lden_source *add_source(struct parser *p,
				      enum lden_source_kind kind)
{
	struct lden_event_def *d = p->cur;
	struct lden_source *s;

	s = realloc(d->srcs, (d->nsrcs + 1) * sizeof(*s));
	if (!s)
		return NULL;
	d->srcs = s;
	s = &d->srcs[d->nsrcs++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->line = p->line;
	return s;
}

static int add_tracepoint(struct parser *p, struct lden_source *s, char *rest)
{
	char *filter = split_filter(rest);
	char *spec = dup_trimmed(rest), *colon;
	struct lden_tp *tp;

	if (!spec)
		return perr(p, "out of memory");
	colon = strchr(spec, ':');
	if (!colon || !valid_ident(spec, colon - spec) ||
	    !valid_ident(colon + 1, strlen(colon + 1))) {
		perr(p, "expected SYSTEM:EVENT after the keyword, got '%s'", spec);
		free(spec);
		return -1;
	}
	if (s->ntps == MAX_TPS) {
		free(spec);
		return perr(p, "more than %d tracepoints in one source", MAX_TPS);
	}
	tp = realloc(s->tps, (s->ntps + 1) * sizeof(*tp));
	if (!tp) {
		free(spec);
		return perr(p, "out of memory");
	}
	s->tps = tp;
	tp = &s->tps[s->ntps++];
	memset(tp, 0, sizeof(*tp));
	tp->line = p->line;
	*colon = '\0';
	tp->system = strdup(spec);
	tp->name = strdup(colon + 1);
	free(spec);
	return filter ? set_filter(p, &tp->filter, filter) : 0;
}

/* Function names of @list, split at @seps, appended to *@names. */
static int add_names(struct parser *p, char *list, const char *seps,
		     char ***names, int *n)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(list, seps, &save); tok;
	     tok = strtok_r(NULL, seps, &save)) {
		char **nn;

		if (!valid_ident(tok, strlen(tok)))
			return perr(p, "invalid function name '%s'", tok);
		nn = realloc(*names, (*n + 1) * sizeof(*nn));
		if (!nn)
			return perr(p, "out of memory");
		*names = nn;
		nn[*n] = strdup(tok);
		if (!nn[(*n)++])
			return perr(p, "out of memory");
	}
	return 0;
}

static int add_kprobe(struct parser *p, struct lden_source *s, char *rest)
{
	char *filter = split_filter(rest);
	char *funcs, *args;

	while (isspace((unsigned char)*rest))
		rest++;
	funcs = rest;
	args = funcs + strcspn(funcs, " \t");
	if (*args)
		*args++ = '\0';
	if (!*funcs)
		return perr(p, "expected a function name after the keyword");
	if (add_names(p, funcs, "|", &s->funcs, &s->nfuncs) < 0)
		return -1;
	if (!s->nfuncs)
		return perr(p, "expected a function name after the keyword");
	s->fetchargs = dup_trimmed(args);
	if (s->fetchargs && !*s->fetchargs) {
		free(s->fetchargs);
		s->fetchargs = NULL;
	}
	return filter ? set_filter(p, &s->filter, filter) : 0;
}

/* The probe the lines below a kprobe source refer to: the last "also". */
static struct lden_source *last_probe(struct lden_source *s)
{
	return s->nmore ? &s->more[s->nmore - 1] : s;
}

/* "also kprobe FUNC..." or "also kretprobe FUNC..." in a kprobe source */
static int add_more_probe(struct parser *p, struct lden_source *s, char *rest)
{
	size_t kwlen = strcspn(rest, " \t");
	enum lden_source_kind kind;
	struct lden_source *m;

	if (kwlen == 6 && !strncmp(rest, "kprobe", 6))
		kind = LDEN_SRC_KPROBE;
	else if (kwlen == 9 && !strncmp(rest, "kretprobe", 9))
		kind = LDEN_SRC_KRETPROBE;
	else
		return perr(p, "'also' in a kprobe source takes 'kprobe FUNC...' or 'kretprobe FUNC...'");
	if (s->nmore == LDEN_MAX_MORE)
		return perr(p, "more than %d 'also' probes in one source",
			    LDEN_MAX_MORE);
	m = realloc(s->more, (s->nmore + 1) * sizeof(*m));
	if (!m)
		return perr(p, "out of memory");
	s->more = m;
	m = &s->more[s->nmore++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->line = p->line;
	return add_kprobe(p, m, rest + kwlen);
}

/* "notfrom FUNC[|FUNC...]": returns into these are not counted */
static int add_notfrom(struct parser *p, char *rest)
{
	struct lden_event_def *d = p->cur;
	struct lden_source *s;

	if (!d->nsrcs || d->srcs[d->nsrcs - 1].kind == LDEN_SRC_TRACEPOINT)
		return perr(p, "'notfrom' must follow a kretprobe line");
	s = last_probe(&d->srcs[d->nsrcs - 1]);
	if (s->kind != LDEN_SRC_KRETPROBE)
		return perr(p, "'notfrom' must follow a kretprobe line (a kprobe has no return address)");
	return add_names(p, rest, "| \t", &s->notfrom, &s->nnotfrom);
}

/* "join KEY SYSTEM:EVENT FROM_KEY SIZE" on the tracepoint above */
static int add_join(struct parser *p, char *rest)
{
	struct lden_event_def *d = p->cur;
	char *key, *spec, *from, *size, *colon, *save = NULL;
	struct lden_join *j;
	struct lden_tp *tp;
	char msg[256];

	if (!d->nsrcs || d->srcs[d->nsrcs - 1].kind != LDEN_SRC_TRACEPOINT)
		return perr(p, "'join' must follow a tracepoint or also line");
	tp = &d->srcs[d->nsrcs - 1].tps[d->srcs[d->nsrcs - 1].ntps - 1];
	if (tp->size)
		return perr(p, "'join' and 'size' for the same tracepoint");
	key = strtok_r(rest, " \t", &save);
	spec = strtok_r(NULL, " \t", &save);
	from = strtok_r(NULL, " \t", &save);
	size = save;
	while (size && isspace((unsigned char)*size))
		size++;
	if (!key || !spec || !from || !size || !*size)
		return perr(p, "expected 'join KEY SYSTEM:EVENT KEY SIZE'");
	colon = strchr(spec, ':');
	if (!valid_ident(key, strlen(key)) || !valid_ident(from, strlen(from)) ||
	    !colon || !valid_ident(spec, colon - spec) ||
	    !valid_ident(colon + 1, strlen(colon + 1)))
		return perr(p, "expected 'join KEY SYSTEM:EVENT KEY SIZE', got '%s %s %s'",
			    key, spec, from);
	if (lden_size_expr__check(size, msg, sizeof(msg)) < 0)
		return perr(p, "bad size expression '%.*s%s': %s",
			    LDEN_SIZE_QUOTE(size), msg);
	if (tp->njoins == MAX_TPS)
		return perr(p, "more than %d joins for one tracepoint", MAX_TPS);
	j = realloc(tp->joins, (tp->njoins + 1) * sizeof(*j));
	if (!j)
		return perr(p, "out of memory");
	tp->joins = j;
	j = &tp->joins[tp->njoins++];
	memset(j, 0, sizeof(*j));
	j->line = p->line;
	*colon = '\0';
	j->key = strdup(key);
	j->system = strdup(spec);
	j->name = strdup(colon + 1);
	j->from_key = strdup(from);
	j->size = dup_trimmed(size);
	if (!j->key || !j->system || !j->name || !j->from_key || !j->size)
		return perr(p, "out of memory");
	return 0;
}

/* Sized probes of one kprobe source: all of them, or none. */
static int check_probe_sizes(struct parser *p, const struct lden_source *s)
{
	for (int i = 0; i < s->nmore; i++) {
		if (!s->more[i].size == !s->size)
			continue;
		p->line = s->more[i].line;
		return perr(p, "probe '%s' has %s size and the source's first %s: give every probe of a source a size, or none",
			    s->more[i].funcs[0], s->more[i].size ? "a" : "no",
			    s->size ? "has one" : "has none");
	}
	return 0;
}

static int finish_event(struct parser *p)
{
	struct lden_event_def *d = p->cur;
	int save = p->line;

	if (!d)
		return 0;
	p->cur = NULL;
	p->line = d->line;
	if (!d->nsrcs)
		return perr(p, "event '%s' has no source (tracepoint, kprobe or kretprobe)",
			    d->name);
	if (!d->describe)
		return perr(p, "event '%s' has no 'describe' line", d->name);
	for (int i = 0; i < d->nsrcs; i++)
		if (check_probe_sizes(p, &d->srcs[i]) < 0)
			return -1;
	p->line = save;
	return 0;
}

static int start_event(struct parser *p, char *rest)
{
	struct lden_catalog *cat = p->cat;
	struct lden_event_def *defs, *d;
	char *name = dup_trimmed(rest);
	size_t slot;

	if (!name)
		return perr(p, "out of memory");
	if (!valid_event_name(name)) {
		perr(p, "invalid event name '%s' (expected words joined by dots: 'task.create')",
		     name);
		free(name);
		return -1;
	}
	if (index_reserve(cat) < 0) {
		free(name);
		return perr(p, "out of memory");
	}
	slot = index_slot(cat, name);
	if (cat->index[slot]) {
		/* a later file overrides: the earlier definition goes */
		d = &cat->defs[cat->index[slot] - 1];
		if (!strcmp(d->file, p->file)) {
			perr(p, "event '%s' defined twice (first at line %d)",
			     name, d->line);
			free(name);
			return -1;
		}
		def_free(d);
	} else {
		if (cat->ndefs == cat->cap) {
			int cap = cat->cap ? cat->cap * 2 : 32;

			defs = realloc(cat->defs, (size_t)cap * sizeof(*defs));
			if (!defs) {
				free(name);
				return perr(p, "out of memory");
			}
			cat->defs = defs;
			cat->cap = cap;
		}
		d = &cat->defs[cat->ndefs++];
		cat->index[slot] = cat->ndefs;
	}
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->line = p->line;
	d->file = strdup(p->file);
	p->cur = d;
	return d->file ? 0 : perr(p, "out of memory");
}

static int set_size(struct parser *p, char *rest)
{
	struct lden_event_def *d = p->cur;
	struct lden_source *s;
	char **slot;
	char msg[256];

	if (!d->nsrcs)
		return perr(p, "'size' must follow a tracepoint, also, kprobe or kretprobe line");
	s = &d->srcs[d->nsrcs - 1];
	if (s->kind == LDEN_SRC_TRACEPOINT && s->tps[s->ntps - 1].njoins)
		return perr(p, "'join' and 'size' for the same tracepoint");
	slot = s->kind == LDEN_SRC_TRACEPOINT ? &s->tps[s->ntps - 1].size :
						&last_probe(s)->size;
	*(s->kind == LDEN_SRC_TRACEPOINT ? &s->tps[s->ntps - 1].size_line :
					    &last_probe(s)->size_line) = p->line;
	if (*slot)
		return perr(p, "a second 'size' for the same source");
	*slot = dup_trimmed(rest);
	if (!*slot)
		return perr(p, "out of memory");
	if (lden_size_expr__check(*slot, msg, sizeof(msg)) < 0)
		return perr(p, "bad size expression '%.*s%s': %s",
			    LDEN_SIZE_QUOTE(*slot), msg);
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	char *kw, *rest;
	size_t kwlen;

	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	kw = line;
	kwlen = strcspn(kw, " \t");
	rest = kw + kwlen;
	if (*rest)
		*rest++ = '\0';
	while (isspace((unsigned char)*rest))
		rest++;

	if (!strcmp(kw, "event")) {
		if (finish_event(p) < 0)
			return -1;
		return start_event(p, rest);
	}
	if (!p->cur) {
		if (!strcmp(kw, "describe") || !strcmp(kw, "tracepoint") ||
		    !strcmp(kw, "also") || !strcmp(kw, "kprobe") ||
		    !strcmp(kw, "kretprobe") || !strcmp(kw, "size") ||
		    !strcmp(kw, "note") || !strcmp(kw, "unscoped") ||
		    !strcmp(kw, "notfrom") || !strcmp(kw, "join"))
			return perr(p, "'%s' before any 'event' line", kw);
		return perr(p, "unknown keyword '%s'", kw);
	}
	if (!*rest)
		return perr(p, "'%s' needs a value", kw);
	if (!strcmp(kw, "describe") || !strcmp(kw, "note") ||
	    !strcmp(kw, "unscoped")) {
		char **slot = kw[0] == 'd' ? &p->cur->describe :
			      kw[0] == 'n' ? &p->cur->note : &p->cur->unscoped;

		if (*slot)
			return perr(p, "a second '%s' line for event '%s'", kw,
				    p->cur->name);
		*slot = dup_trimmed(rest);
		return *slot ? 0 : perr(p, "out of memory");
	}
	if (!strcmp(kw, "tracepoint")) {
		struct lden_source *s = add_source(p, LDEN_SRC_TRACEPOINT);

		return s ? add_tracepoint(p, s, rest) : perr(p, "out of memory");
	}
	if (!strcmp(kw, "also")) {
		struct lden_event_def *d = p->cur;

		if (!d->nsrcs)
			return perr(p, "'also' must follow a tracepoint, kprobe or kretprobe line");
		if (d->srcs[d->nsrcs - 1].kind != LDEN_SRC_TRACEPOINT)
			return add_more_probe(p, &d->srcs[d->nsrcs - 1], rest);
		return add_tracepoint(p, &d->srcs[d->nsrcs - 1], rest);
	}
	if (!strcmp(kw, "notfrom"))
		return add_notfrom(p, rest);
	if (!strcmp(kw, "join"))
		return add_join(p, rest);
	if (!strcmp(kw, "kprobe") || !strcmp(kw, "kretprobe")) {
		struct lden_source *s = add_source(p, kw[1] == 'p' ?
						   LDEN_SRC_KPROBE :
						   LDEN_SRC_KRETPROBE);

		return s ? add_kprobe(p, s, rest) : perr(p, "out of memory");
	}
	if (!strcmp(kw, "size"))
		return set_size(p, rest);
	return perr(p, "unknown keyword '%s' (expected event, describe, note, unscoped, tracepoint, also, kprobe, kretprobe, size, join or notfrom)",
		    kw);
}

/*
 * Names, descriptions and filters reach terminals and the kernel: no
 * control bytes but tabs (and the \r of CRLF files, white space here).
 */
static int check_text(struct parser *p, const char *line)
{
	for (const unsigned char *c = (const unsigned char *)line; *c; c++)
		if ((*c < 0x20 && *c != '\t' && *c != '\r') || *c == 0x7f)
			return perr(p, "control character 0x%02x", *c);
	return 0;
}

int lden_catalog__parse(struct lden_catalog *cat, const char *text,
		       const char *file, char *err, size_t errlen)
{
	struct parser p = { .cat = cat, .file = file, .err = err,
			    .errlen = errlen };
	char *copy = strdup(text), *line, *next;
	int ret = 0;

	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	for (line = copy; line && ret == 0; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		ret = check_text(&p, line);
		if (ret == 0)
			ret = parse_line(&p, line);
	}
	if (ret == 0)
		ret = finish_event(&p);
	free(copy);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_file(struct lden_catalog *cat, const char *path, char *err,
		     size_t errlen)
{
	char *buf;
	size_t len;
	int ret;

	if (lden_read_file(path, LDEN_CATALOG_FILE_MAX, &buf, &len, err,
			   errlen) < 0)
		return -1;
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "%s: not a text file", path);
		free(buf);
		return -1;
	}
	ret = lden_catalog__parse(cat, buf, path, err, errlen);
	free(buf);
	return ret;
}

/*
 * Whether directory @i of @dirs is one of those before it under another
 * name (--events-dir naming the installed catalog, a symbolic link, a
 * trailing slash): read once, or its events would be defined twice.
 */
static bool seen_before(const char *const *dirs, int i)
{
	struct stat st, prev;

	if (stat(dirs[i], &st) < 0)
		return false;
	for (int j = 0; j < i; j++)
		if (stat(dirs[j], &prev) == 0 && prev.st_dev == st.st_dev &&
		    prev.st_ino == st.st_ino)
			return true;
	return false;
}

int lden_catalog__load(struct lden_catalog *cat, const char *const *dirs,
		      int ndirs, char *err, size_t errlen)
{
	for (int i = 0; i < ndirs; i++) {
		struct dirent *de;
		char **names = NULL;
		int n = 0, ret = 0;
		DIR *dir;

		if (seen_before(dirs, i))
			continue;
		dir = opendir(dirs[i]);
		if (!dir) {
			if (errno == ENOENT)
				continue;
			snprintf(err, errlen, "%s: %s", dirs[i], strerror(errno));
			return -1;
		}
		/* sorted, so that overrides do not depend on readdir order */
		while ((de = readdir(dir))) {
			size_t l = strlen(de->d_name);
			char **nn;

			if (l < 8 || strcmp(de->d_name + l - 7, ".events") ||
			    de->d_name[0] == '.')
				continue;
			nn = realloc(names, (n + 1) * sizeof(*nn));
			if (!nn)
				break;
			names = nn;
			names[n] = strdup(de->d_name);
			if (names[n])
				n++;
		}
		closedir(dir);
		qsort(names, n, sizeof(*names), cmp_str);
		for (int j = 0; j < n; j++) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", dirs[i], names[j]);
			if (ret == 0)
				ret = load_file(cat, path, err, errlen);
			free(names[j]);
		}
		free(names);
		if (ret)
			return ret;
	}
	return 0;
}

int lden_catalog__default_dirs(const char **dirs, int max, const char *extra)
{
	static char env_copy[4096];
	const char *env = getenv("LDEN_EVENTS_PATH");
	int n = 0;

	struct stat st;

	/* run from the build tree before 'make install': the source catalog */
	if (n < max)
		dirs[n++] = stat(LDEN_PKGDATADIR "/events", &st) == 0 ?
			LDEN_PKGDATADIR "/events" : LDEN_SOURCE_CATALOG;
	if (n < max)
		dirs[n++] = "/etc/lden/events.d";
	if (env && *env) {
		char *save = NULL, *tok;

		snprintf(env_copy, sizeof(env_copy), "%s", env);
		for (tok = strtok_r(env_copy, ":", &save); tok && n < max;
		     tok = strtok_r(NULL, ":", &save))
			dirs[n++] = tok;
	}
	if (extra && n < max)
		dirs[n++] = extra;
	return n;
}
