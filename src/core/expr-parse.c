// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The notify expression: a recursive-descent parser that types every node
 * (number or condition) as it builds it, so errors point at the token
 * that is wrong, and an evaluator over the events' current values.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caret.h"
#include "expr.h"

#define MAX_DEPTH 64
#define MAX_EVENTS 64
/*
 * Operators in a chain ("1+1+1...", "a or b or ...") are parsed in a loop
 * but make a tree as deep as the chain, which evaluation and freeing walk
 * recursively: the tree's height is bounded, so is the text.
 */
#define MAX_HEIGHT 1000
#define MAX_TEXT 65536

enum node_kind {
	N_NUM, N_DATUM, N_NEG, N_ADD, N_SUB, N_MUL, N_DIV, N_MOD,
	N_GT, N_GE, N_LT, N_LE, N_EQ, N_NE, N_AND, N_OR, N_NOT,
};

struct lden_expr_node {
	enum node_kind kind;
	bool is_cond;
	double num;
	bool exact;		/* N_NUM: an integer, inum in full */
	__int128 inum;
	int event;
	enum lden_datum datum;
	struct lden_expr_node *l, *r;
	int height;		/* 1 for a leaf */
	int pos, len;		/* the source range, for errors */
};

struct parser {
	const char *s;
	int pos;
	int depth;
	struct lden_expr *e;
	struct lden_expr_error *err;
	bool failed;
};

__attribute__((format(printf, 4, 5)))
static void *fail(struct parser *p, int pos, int len, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return NULL;
	p->failed = true;
	p->err->pos = pos;
	p->err->len = len > 0 ? len : 1;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return NULL;
}

static void node_free(struct lden_expr_node *n)
{
	if (!n)
		return;
	node_free(n->l);
	node_free(n->r);
	free(n);
}

static struct lden_expr_node *node_new(struct parser *p, enum node_kind k,
				       int pos, int len)
{
	struct lden_expr_node *n = calloc(1, sizeof(*n));

	if (!n)
		return fail(p, pos, len, "out of memory");
	n->kind = k;
	n->pos = pos;
	n->len = len;
	n->height = 1;
	return n;
}

/*
 * Makes @n the parent of @l and @r (either may be NULL); fails when the
 * tree would be too deep.  Returns @n, or NULL having freed all three.
 */
static struct lden_expr_node *adopt(struct parser *p, struct lden_expr_node *n,
				    struct lden_expr_node *l,
				    struct lden_expr_node *r, int oppos)
{
	int h = l ? l->height : 0;

	if (r && r->height > h)
		h = r->height;
	n->l = l;
	n->r = r;
	n->height = h + 1;
	if (n->height > MAX_HEIGHT) {
		node_free(n);
		return fail(p, oppos, 1,
			    "expression too long: more than %d operators in a chain",
			    MAX_HEIGHT - 1);
	}
	return n;
}

static void skip_ws(struct parser *p)
{
	while (isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The word at pos (letters, digits, '_'), without consuming it. */
static int word_len(const struct parser *p, int pos)
{
	int n = 0;

	while (is_word_char(p->s[pos + n]))
		n++;
	return n;
}

static bool at_word(const struct parser *p, const char *w)
{
	size_t n = strlen(w);

	return !strncmp(p->s + p->pos, w, n) && !is_word_char(p->s[p->pos + n]);
}

/* A short quote of what is at pos, for messages. */
/* The length of the UTF-8 character at @s (lead byte >= 0x80), 0 if invalid. */
static int utf8_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	int n = u[0] >= 0xf0 && u[0] <= 0xf4 ? 4 : u[0] >= 0xe0 ? 3 :
		u[0] >= 0xc2 && u[0] <= 0xdf ? 2 : 0;

	for (int i = 1; i < n; i++)
		if ((u[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static const char *quote_at(const struct parser *p, int pos, char *buf,
			    size_t len)
{
	int n = 0;

	if (!p->s[pos])
		return "the end";
	if (is_word_char(p->s[pos]) || p->s[pos] == '.')
		while (n < 24 && (is_word_char(p->s[pos + n]) ||
				  p->s[pos + n] == '.' || p->s[pos + n] == ':'))
			n++;
	else if ((unsigned char)p->s[pos] >= 0x80) {
		/* a whole character, never half of one on the terminal */
		n = utf8_len(p->s + pos);
		if (!n) {
			snprintf(buf, len, "byte 0x%02x (not UTF-8)",
				 (unsigned char)p->s[pos]);
			return buf;
		}
	} else
		n = 1;
	snprintf(buf, len, "'%.*s'", n, p->s + pos);
	return buf;
}

static struct lden_expr_node *parse_or(struct parser *p);

/* ------------------------------------------------------------------ */
/* Numbers */

/*
 * Whole numbers are computed exactly (a size is a uint64_t, which a
 * double holds exactly only below 2^53) while they stay within 2^120;
 * any other is a double.
 */
#define EXACT_LIM ((__int128)1 << 120)
#define EXACT_DOUBLE 9007199254740992.0	/* 2^53 */

static struct lden_expr_node *parse_number(struct parser *p)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {
		{ "KiB", 1024.0 }, { "MiB", 1048576.0 },
		{ "GiB", 1073741824.0 }, { "TiB", 1099511627776.0 },
		{ "Ki", 1024.0 }, { "Mi", 1048576.0 },
		{ "Gi", 1073741824.0 }, { "Ti", 1099511627776.0 },
		{ "k", 1e3 }, { "K", 1e3 }, { "M", 1e6 }, { "G", 1e9 },
		{ "T", 1e12 }, { "B", 1.0 },
	};
	int start = p->pos;
	char *end;
	double v;
	struct lden_expr_node *n;
	int ulen;
	bool digits_only = true;
	__int128 iv = 0;

	errno = 0;
	v = strtod(p->s + p->pos, &end);
	if (end == p->s + p->pos)
		return fail(p, start, 1, "expected a number");
	/* no hex floats, infinities or NaNs: decimal numbers only */
	for (const char *c = p->s + p->pos; c < end; c++)
		if (!isdigit((unsigned char)*c) && *c != '.' && *c != 'e' &&
		    *c != 'E' && *c != '+' && *c != '-')
			return fail(p, start, (int)(end - p->s) - start,
				    "bad number '%.*s'",
				    (int)(end - (p->s + start)), p->s + start);
	/* a whole number written in digits is kept exact past 2^53 */
	for (const char *c = p->s + p->pos; c < end; c++) {
		digits_only &= isdigit((unsigned char)*c) != 0;
		if (digits_only && iv < EXACT_LIM)
			iv = iv * 10 + (*c - '0');
	}
	p->pos = (int)(end - p->s);
	ulen = word_len(p, p->pos);
	if (ulen) {
		size_t i;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if ((int)strlen(units[i].suffix) == ulen &&
			    !strncmp(p->s + p->pos, units[i].suffix, ulen)) {
				v *= units[i].mult;
				if (iv <= (__int128)1 << 64)
					iv *= (__int128)units[i].mult;
				break;
			}
		}
		if (i == sizeof(units) / sizeof(units[0]))
			return fail(p, p->pos, ulen,
				    "unknown unit '%.*s' (expected k, M, G, T, Ki, Mi, Gi, Ti, KiB, MiB, GiB, TiB or B)",
				    ulen, p->s + p->pos);
		p->pos += ulen;
	}
	/* ERANGE for a tiny one too: 1e-400 is no large number */
	if (errno == ERANGE && fabs(v) < 1)
		return fail(p, start, p->pos - start,
			    "number too small '%.*s' (closer to 0 than 1e-308)",
			    p->pos - start, p->s + start);
	/* 2^64 + 1 is 2^64 as a double: the digits say it is more */
	if (errno == ERANGE || !isfinite(v) || v > 18446744073709551615.0 ||
	    (digits_only && iv > (__int128)1 << 64))
		return fail(p, start, p->pos - start,
			    "number too large '%.*s' (the largest is 2^64)",
			    p->pos - start, p->s + start);
	n = node_new(p, N_NUM, start, p->pos - start);
	if (n) {
		n->num = v;
		/* "1.5k" is 1500 exactly, "1e20" is not known so */
		n->exact = digits_only ? iv <= EXACT_LIM :
			   v == floor(v) && fabs(v) < EXACT_DOUBLE;
		n->inum = digits_only ? iv : (__int128)v;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* DATA(EVENT[FILTER]) */

static bool valid_ident(const char *s, int n)
{
	if (n <= 0 || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (int i = 0; i < n; i++)
		if (!is_word_char(s[i]))
			return false;
	return true;
}

static int add_event(struct parser *p, struct lden_expr_event *ev)
{
	struct lden_expr *e = p->e;
	size_t n;

	for (int i = 0; i < e->nevents; i++) {
		struct lden_expr_event *o = &e->events[i];

		if (o->kind == ev->kind && !strcmp(o->name, ev->name) &&
		    !strcmp(o->symbol ? o->symbol : "",
			    ev->symbol ? ev->symbol : "") &&
		    !strcmp(o->filter ? o->filter : "",
			    ev->filter ? ev->filter : "")) {
			/* a size error must point at the size() use */
			if (ev->need_size && !o->need_size) {
				o->pos = ev->pos;
				o->len = ev->len;
			}
			o->need_size |= ev->need_size;
			o->need_count |= ev->need_count;
			o->need_speed |= ev->need_speed;
			free(ev->name);
			free(ev->symbol);
			free(ev->filter);
			return i;
		}
	}
	if (e->nevents == MAX_EVENTS) {
		fail(p, ev->pos, ev->len, "more than %d different events",
		     MAX_EVENTS);
		goto out_free;
	}
	/* whole or not at all: a cut label could be another event's */
	n = lden_expr_event__label(ev, NULL, 0);
	if (n >= LDEN_LABEL_LEN) {
		fail(p, ev->pos, ev->len,
		     "event name too long: %zu bytes with its filter, at most %d",
		     n, LDEN_LABEL_LEN - 1);
		goto out_free;
	}
	if (!e->events) {
		e->events = calloc(MAX_EVENTS, sizeof(*e->events));
		if (!e->events) {
			fail(p, ev->pos, ev->len, "out of memory");
			goto out_free;
		}
	}
	e->events[e->nevents] = *ev;
	return e->nevents++;

out_free:
	free(ev->name);
	free(ev->symbol);
	free(ev->filter);
	return -1;
}

/* Parses "(ARG)" of custom(...) and uprobe(...), returns the ARG range. */
static bool parse_inner_parens(struct parser *p, const char *what, int *start,
			       int *len)
{
	int open = p->pos, depth = 1;

	p->pos++;
	*start = p->pos;
	while (p->s[p->pos] && depth) {
		if (p->s[p->pos] == '(')
			depth++;
		else if (p->s[p->pos] == ')')
			depth--;
		if (depth)
			p->pos++;
	}
	if (!p->s[p->pos]) {
		fail(p, open, 1, "missing ')' after %s(", what);
		return false;
	}
	*len = p->pos - *start;
	p->pos++;	/* the ')' */
	return true;
}

/*
 * False after the error when the name at @start (@len bytes of name
 * characters) goes on with a character no name holds, '/' or '-' as in
 * 'sched:x/../y': the whole word is the invalid name, not "expected ')'"
 * at its middle.  A comparison right after it is left to the caller.
 */
static bool name_goes_on(struct parser *p, int start, int len)
{
	const char *w = p->s + start;
	int wlen = len;
	bool tp;

	while (isgraph((unsigned char)w[wlen]) && !strchr(")[<>=!&|", w[wlen]))
		wlen++;
	if (wlen == len)
		return true;
	tp = memchr(w, ':', len) != NULL;
	fail(p, start, wlen,
	     tp ? "invalid tracepoint '%.*s': '%c' cannot be in it (SYSTEM:NAME, each letters, digits and '_')" :
		  "invalid event name '%.*s': '%c' cannot be in it (letters, digits and '_', words joined by '.')",
	     wlen, w, w[len]);
	return false;
}

static bool parse_event(struct parser *p, struct lden_expr_event *ev)
{
	int start, len;

	skip_ws(p);
	ev->pos = p->pos;
	if (at_word(p, "custom") || at_word(p, "uprobe")) {
		bool custom = p->s[p->pos] == 'c';
		const char *what = custom ? "custom" : "uprobe";

		p->pos += 6;
		skip_ws(p);
		if (p->s[p->pos] != '(') {
			fail(p, p->pos, 1, "expected '(' after '%s'", what);
			return false;
		}
		if (!parse_inner_parens(p, what, &start, &len))
			return false;
		while (len && isspace((unsigned char)p->s[start])) {
			start++;
			len--;
		}
		while (len && isspace((unsigned char)p->s[start + len - 1]))
			len--;
		ev->len = p->pos - ev->pos;
		if (custom) {
			if (!valid_ident(p->s + start, len)) {
				fail(p, start, len,
				     len ? "invalid function name '%.*s' in custom()" :
					   "custom() needs a kernel function name%.*s",
				     len, p->s + start);
				return false;
			}
			ev->kind = LDEN_EV_CUSTOM;
			ev->name = strndup(p->s + start, len);
		} else {
			const char *colon = memrchr(p->s + start, ':', len);

			if (!colon || colon == p->s + start ||
			    colon == p->s + start + len - 1) {
				fail(p, start, len,
				     "uprobe() needs PATH:SYMBOL, e.g. uprobe(/bin/bash:readline)");
				return false;
			}
			ev->kind = LDEN_EV_UPROBE;
			ev->name = strndup(p->s + start, colon - (p->s + start));
			ev->symbol = strndup(colon + 1,
					     p->s + start + len - colon - 1);
		}
		return ev->name != NULL;
	}

	start = p->pos;
	while (is_word_char(p->s[p->pos]) || p->s[p->pos] == '.' ||
	       p->s[p->pos] == ':')
		p->pos++;
	len = p->pos - start;
	ev->len = len;
	if (!len) {
		char q[40];

		fail(p, start, 1, "expected an event name, found %s",
		     quote_at(p, start, q, sizeof(q)));
		return false;
	}
	if (!name_goes_on(p, start, len))
		return false;
	if (memchr(p->s + start, ':', len)) {
		const char *colon = memchr(p->s + start, ':', len);
		int slen = (int)(colon - (p->s + start));

		if (!valid_ident(p->s + start, slen) ||
		    !valid_ident(colon + 1, len - slen - 1)) {
			fail(p, start, len,
			     "invalid tracepoint '%.*s' (expected SYSTEM:NAME)",
			     len, p->s + start);
			return false;
		}
		ev->kind = LDEN_EV_TRACEPOINT;
	} else {
		ev->kind = LDEN_EV_CATALOG;
		bool double_dot = false;

		for (int i = 0; i + 1 < len; i++)
			double_dot |= p->s[start + i] == '.' &&
				      p->s[start + i + 1] == '.';
		if (p->s[start] == '.' || p->s[start + len - 1] == '.' ||
		    double_dot) {
			fail(p, start, len, "invalid event name '%.*s'", len,
			     p->s + start);
			return false;
		}
	}
	ev->name = strndup(p->s + start, len);
	return ev->name != NULL;
}

int lden_filter_check(const char *f, int *at, const char **why)
{
	int depth = 0, open = -1, quote_at = -1;
	char quote = 0;

	for (int i = 0; f[i]; i++) {
		if (quote) {
			/* the kernel's strings have no escapes */
			if (f[i] == quote)
				quote = 0;
		} else if (f[i] == '"' || f[i] == '\'') {
			quote = f[i];
			quote_at = i;
		} else if (f[i] == '(') {
			if (!depth++)
				open = i;
		} else if (f[i] == ')' && !depth--) {
			*at = i;
			*why = "unbalanced ')'";
			return -1;
		}
	}
	if (quote) {
		*at = quote_at;
		*why = "unterminated string";
		return -1;
	}
	if (depth) {
		*at = open;
		*why = "unclosed '('";
		return -1;
	}
	return 0;
}

char *lden_filter_and(const char *a, const char *b)
{
	const char *why;
	char *out;
	int at;

	if ((a && lden_filter_check(a, &at, &why)) ||
	    (b && lden_filter_check(b, &at, &why))) {
		errno = EINVAL;
		return NULL;
	}
	if (a && b) {
		if (asprintf(&out, "(%s) && (%s)", a, b) < 0) {
			errno = ENOMEM;
			return NULL;
		}
		return out;
	}
	if (!a && !b)
		return NULL;
	out = strdup(a ? a : b);
	if (!out)
		errno = ENOMEM;
	return out;
}

const char *lden_comm_fault(const char *comm)
{
	if (!*comm)
		return "empty";
	if (strlen(comm) > 15)
		return "longer than the 15 bytes the kernel keeps of a process name";
	for (const char *c = comm; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			return "a control character, which a kernel filter cannot hold";
	if (strchr(comm, '"') && strchr(comm, '\''))
		return "both ' and \": a kernel filter's string cannot hold them";
	return NULL;
}

void lden_comm_filter(const char *comm, char *buf, size_t len)
{
	char q = strchr(comm, '"') ? '\'' : '"';

	snprintf(buf, len, "COMM == %c%s%c", q, comm, q);
}

static bool parse_filter(struct parser *p, struct lden_expr_event *ev)
{
	int open = p->pos, depth = 1, start, at;
	const char *why;
	char quote = 0;

	p->pos++;
	start = p->pos;
	/* a ']' in a quoted string does not end the filter */
	while (p->s[p->pos] && depth) {
		char c = p->s[p->pos];

		if (quote)
			quote = c == quote ? 0 : quote;
		else if (c == '"' || c == '\'')
			quote = c;
		else if (c == '[')
			depth++;
		else if (c == ']')
			depth--;
		if (depth)
			p->pos++;
	}
	if (!p->s[p->pos]) {
		fail(p, open, 1, quote ? "unterminated string in the filter" :
					 "missing ']' after the filter");
		return false;
	}
	ev->filter = strndup(p->s + start, p->pos - start);
	p->pos++;
	if (!ev->filter)
		return false;
	if (lden_filter_check(ev->filter, &at, &why)) {
		fail(p, start + at, 1,
		     "%s in the filter: a filter is one expression, joined to the event's own with '&&'",
		     why);
		return false;
	}
	/* a filter of only spaces is a mistake, not "no filter" */
	for (const char *c = ev->filter; *c; c++)
		if (!isspace((unsigned char)*c))
			return true;
	fail(p, open, p->pos - open, "empty filter '[]'");
	return false;
}

static struct lden_expr_node *parse_datum(struct parser *p, enum lden_datum d)
{
	struct lden_expr_event ev = { 0 };
	struct lden_expr_node *n;
	int start = p->pos, open, idx;

	p->pos += word_len(p, p->pos);
	skip_ws(p);
	open = p->pos;
	p->pos++;	/* '(' checked by the caller */
	if (!parse_event(p, &ev))
		goto out_fail;
	skip_ws(p);
	if (p->s[p->pos] == '[') {
		if (!parse_filter(p, &ev))
			goto out_fail;
		ev.len = p->pos - ev.pos;
		skip_ws(p);
	}
	if (p->s[p->pos] != ')') {
		char q[40];

		if (!p->s[p->pos])
			fail(p, open, 1, "missing ')'");
		else
			fail(p, p->pos, 1, "expected ')' after the event, found %s",
			     quote_at(p, p->pos, q, sizeof(q)));
		goto out_fail;
	}
	p->pos++;
	ev.need_size = d == LDEN_SIZE;
	ev.need_count = d == LDEN_COUNT;
	ev.need_speed = d == LDEN_SPEED;
	idx = add_event(p, &ev);
	if (idx < 0)
		return NULL;
	n = node_new(p, N_DATUM, start, p->pos - start);
	if (!n)
		return NULL;
	n->event = idx;
	n->datum = d;
	return n;

out_fail:
	free(ev.name);
	free(ev.symbol);
	free(ev.filter);
	if (!p->failed)
		fail(p, start, 1, "out of memory");
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Operators */

static struct lden_expr_node *primary(struct parser *p)
{
	char q[40];
	int start;

	skip_ws(p);
	start = p->pos;
	if (isdigit((unsigned char)p->s[p->pos]) ||
	    (p->s[p->pos] == '.' && isdigit((unsigned char)p->s[p->pos + 1])))
		return parse_number(p);
	if (p->s[p->pos] == '(') {
		struct lden_expr_node *n;

		if (++p->depth > MAX_DEPTH)
			return fail(p, p->pos, 1, "too deeply nested");
		p->pos++;
		n = parse_or(p);
		p->depth--;
		if (!n)
			return NULL;
		skip_ws(p);
		if (p->s[p->pos] != ')') {
			node_free(n);
			if (!p->s[p->pos])
				return fail(p, start, 1, "missing ')' for this '('");
			return fail(p, p->pos, 1, "expected ')' or an operator, found %s",
				    quote_at(p, p->pos, q, sizeof(q)));
		}
		p->pos++;
		n->pos = start;
		n->len = p->pos - start;
		return n;
	}
	if (isalpha((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_') {
		static const char *const data[] = { "count", "size", "speed" };
		int wl = word_len(p, p->pos), after = p->pos + wl;
		int elen;

		while (isspace((unsigned char)p->s[after]))
			after++;
		for (int i = 0; i < 3; i++)
			if ((int)strlen(data[i]) == wl &&
			    !strncmp(p->s + p->pos, data[i], wl)) {
				if (p->s[after] != '(')
					return fail(p, after, 1,
						    "expected '(' after '%s'",
						    data[i]);
				return parse_datum(p, (enum lden_datum)i);
			}
		if (p->s[after] == '(')
			return fail(p, start, wl,
				    "unknown data '%.*s' (expected count, size or speed)",
				    wl, p->s + start);
		if (at_word(p, "and") || at_word(p, "or") || at_word(p, "not"))
			return fail(p, start, wl, "expected a value before '%.*s'",
				    wl, p->s + start);
		elen = 0;
		while (is_word_char(p->s[start + elen]) ||
		       p->s[start + elen] == '.' || p->s[start + elen] == ':')
			elen++;
		return fail(p, start, elen,
			    "'%.*s' needs a datum: count(%.*s), size(%.*s) or speed(%.*s)",
			    elen, p->s + start, elen, p->s + start, elen,
			    p->s + start, elen, p->s + start);
	}
	if (!p->s[p->pos])
		return fail(p, p->pos, 1, "expected a value, found the end");
	return fail(p, p->pos, 1, "expected a value, found %s",
		    quote_at(p, p->pos, q, sizeof(q)));
}

static struct lden_expr_node *binary(struct parser *p, enum node_kind k,
				     struct lden_expr_node *l,
				     struct lden_expr_node *r, int oppos,
				     int oplen)
{
	struct lden_expr_node *n;
	bool cond = k == N_AND || k == N_OR;
	bool cmp = k >= N_GT && k <= N_NE;

	if (!r) {
		node_free(l);
		return NULL;
	}
	if (cond && (!l->is_cond || !r->is_cond)) {
		struct lden_expr_node *bad = l->is_cond ? r : l;

		fail(p, bad->pos, bad->len,
		     "'%.*s' needs a condition on each side; this is a number (missing comparison?)",
		     oplen, p->s + oppos);
		goto out_free;
	}
	if (!cond && (l->is_cond || r->is_cond)) {
		struct lden_expr_node *bad = l->is_cond ? l : r;

		fail(p, bad->pos, bad->len,
		     "'%.*s' needs a number on each side; this is a condition",
		     oplen, p->s + oppos);
		goto out_free;
	}
	n = node_new(p, k, l->pos, r->pos + r->len - l->pos);
	if (!n)
		goto out_free;
	n->is_cond = cond || cmp;
	return adopt(p, n, l, r, oppos);

out_free:
	node_free(l);
	node_free(r);
	return NULL;
}

static struct lden_expr_node *unary(struct parser *p)
{
	skip_ws(p);
	if (p->s[p->pos] == '-') {
		int start = p->pos;
		struct lden_expr_node *n, *sub;

		if (++p->depth > MAX_DEPTH)
			return fail(p, p->pos, 1, "too deeply nested");
		p->pos++;
		sub = unary(p);
		p->depth--;
		if (!sub)
			return NULL;
		if (sub->is_cond) {
			node_free(sub);
			return fail(p, start, 1, "'-' needs a number; this is a condition");
		}
		n = node_new(p, N_NEG, start, sub->pos + sub->len - start);
		if (!n) {
			node_free(sub);
			return NULL;
		}
		return adopt(p, n, sub, NULL, start);
	}
	return primary(p);
}

static struct lden_expr_node *product(struct parser *p)
{
	struct lden_expr_node *l = unary(p);

	while (l) {
		enum node_kind k;
		int op;

		skip_ws(p);
		op = p->pos;
		if (p->s[op] == '*')
			k = N_MUL;
		else if (p->s[op] == '/')
			k = N_DIV;
		else if (p->s[op] == '%')
			k = N_MOD;
		else
			break;
		p->pos++;
		l = binary(p, k, l, unary(p), op, 1);
	}
	return l;
}

static struct lden_expr_node *sum(struct parser *p)
{
	struct lden_expr_node *l = product(p);

	while (l) {
		enum node_kind k;
		int op;

		skip_ws(p);
		op = p->pos;
		if (p->s[op] == '+')
			k = N_ADD;
		else if (p->s[op] == '-')
			k = N_SUB;
		else
			break;
		p->pos++;
		l = binary(p, k, l, product(p), op, 1);
	}
	return l;
}

static int compare_op(const struct parser *p, enum node_kind *k)
{
	const char *s = p->s + p->pos;

	if (!strncmp(s, ">=", 2))
		return *k = N_GE, 2;
	if (!strncmp(s, "<=", 2))
		return *k = N_LE, 2;
	if (!strncmp(s, "<>", 2) || !strncmp(s, "!=", 2))
		return *k = N_NE, 2;
	if (!strncmp(s, "==", 2))
		return *k = N_EQ, 2;
	if (*s == '>')
		return *k = N_GT, 1;
	if (*s == '<')
		return *k = N_LT, 1;
	if (*s == '=')
		return *k = N_EQ, 1;
	return 0;
}

static struct lden_expr_node *compare(struct parser *p)
{
	struct lden_expr_node *l = sum(p), *n;
	enum node_kind k;
	int op, oplen;

	if (!l)
		return NULL;
	skip_ws(p);
	op = p->pos;
	oplen = compare_op(p, &k);
	if (!oplen)
		return l;
	p->pos += oplen;
	n = binary(p, k, l, sum(p), op, oplen);
	if (!n)
		return NULL;
	skip_ws(p);
	if (compare_op(p, &k))
		return node_free(n), fail(p, p->pos, 1,
					  "comparisons cannot be chained; join them with 'and'");
	return n;
}

static struct lden_expr_node *notexpr(struct parser *p)
{
	skip_ws(p);
	if ((p->s[p->pos] == '!' && p->s[p->pos + 1] != '=') || at_word(p, "not")) {
		int start = p->pos, oplen = p->s[p->pos] == '!' ? 1 : 3;
		struct lden_expr_node *n, *sub;

		if (++p->depth > MAX_DEPTH)
			return fail(p, p->pos, 1, "too deeply nested");
		p->pos += oplen;
		sub = notexpr(p);
		p->depth--;
		if (!sub)
			return NULL;
		if (!sub->is_cond) {
			node_free(sub);
			return fail(p, start, oplen,
				    "'%.*s' needs a condition; this is a number (missing comparison?)",
				    oplen, p->s + start);
		}
		n = node_new(p, N_NOT, start, sub->pos + sub->len - start);
		if (!n) {
			node_free(sub);
			return NULL;
		}
		n->is_cond = true;
		return adopt(p, n, sub, NULL, start);
	}
	return compare(p);
}

static int and_op(const struct parser *p)
{
	if (!strncmp(p->s + p->pos, "&&", 2))
		return 2;
	if (p->s[p->pos] == '&')
		return 1;
	return at_word(p, "and") ? 3 : 0;
}

static int or_op(const struct parser *p)
{
	if (!strncmp(p->s + p->pos, "||", 2))
		return 2;
	if (p->s[p->pos] == '|')
		return 1;
	return at_word(p, "or") ? 2 : 0;
}

static struct lden_expr_node *andexpr(struct parser *p)
{
	struct lden_expr_node *l = notexpr(p);

	while (l) {
		int op, oplen;

		skip_ws(p);
		op = p->pos;
		oplen = and_op(p);
		if (!oplen)
			break;
		p->pos += oplen;
		l = binary(p, N_AND, l, notexpr(p), op, oplen);
	}
	return l;
}

static struct lden_expr_node *parse_or(struct parser *p)
{
	struct lden_expr_node *l = andexpr(p);

	while (l) {
		int op, oplen;

		skip_ws(p);
		op = p->pos;
		oplen = or_op(p);
		if (!oplen)
			break;
		p->pos += oplen;
		l = binary(p, N_OR, l, andexpr(p), op, oplen);
	}
	return l;
}

/* ------------------------------------------------------------------ */

void lden_expr__free(struct lden_expr *e)
{
	if (!e)
		return;
	node_free(e->root);
	for (int i = 0; i < e->nevents; i++) {
		free(e->events[i].name);
		free(e->events[i].symbol);
		free(e->events[i].filter);
	}
	free(e->events);
	free(e->text);
	free(e);
}

static struct lden_expr *parse(const char *text, bool want_cond,
				struct lden_expr_error *err)
{
	struct parser p = { .s = text, .err = err };
	struct lden_expr *e;
	char q[40];

	memset(err, 0, sizeof(*err));
	for (int i = 0; text[i]; i++) {
		if (i == MAX_TEXT) {
			fail(&p, 0, 1, "expression too long (more than %d bytes)",
			     MAX_TEXT);
			return NULL;
		}
		/* nothing a terminal would act on reaches a message or the kernel */
		if (iscntrl((unsigned char)text[i]) && !isspace((unsigned char)text[i])) {
			fail(&p, i, 1, "control character 0x%02x in the expression",
			     (unsigned char)text[i]);
			return NULL;
		}
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->text = strdup(text))) {
		free(e);
		fail(&p, 0, 1, "out of memory");
		return NULL;
	}
	p.e = e;
	skip_ws(&p);
	if (!text[p.pos]) {
		fail(&p, 0, 1, "empty expression");
		goto out_free;
	}
	e->root = parse_or(&p);
	if (!e->root)
		goto out_free;
	skip_ws(&p);
	if (text[p.pos]) {
		if (text[p.pos] == ')')
			fail(&p, p.pos, 1, "unmatched ')'");
		else
			fail(&p, p.pos, 1, "expected an operator, found %s",
			     quote_at(&p, p.pos, q, sizeof(q)));
		goto out_free;
	}
	if (want_cond && !e->root->is_cond) {
		fail(&p, e->root->pos, e->root->len,
		     "the expression is a number, not a condition: compare it, e.g. '> 100'");
		goto out_free;
	}
	if (!want_cond && e->root->is_cond) {
		fail(&p, e->root->pos, e->root->len,
		     "this is a condition, not a number: a value is wanted here");
		goto out_free;
	}
	return e;

out_free:
	lden_expr__free(e);
	return NULL;
}

struct lden_expr *lden_expr__parse(const char *text,
				  struct lden_expr_error *err)
{
	return parse(text, true, err);
}

struct lden_expr *lden_expr__parse_number(const char *text,
					 struct lden_expr_error *err)
{
	return parse(text, false, err);
}

/* ------------------------------------------------------------------ */
/* Evaluation: NaN (0/0) makes every comparison false */

static __int128 mag(__int128 x)
{
	return x < 0 ? -x : x;
}

/* A value: the double, and when it is a whole number known exactly, it. */
struct val {
	double d;
	bool exact;
	/* not exact, and the double may have lost more than a fraction's
	 * last digits: a number past 2^53 went into it */
	bool rounded;
	__int128 i;
};

static struct val from_double(double d)
{
	bool exact = d == floor(d) && fabs(d) < EXACT_DOUBLE;

	return (struct val){ d, exact, !exact && fabs(d) >= EXACT_DOUBLE,
			     exact ? (__int128)d : 0 };
}

static struct val from_u64(uint64_t u)
{
	return (struct val){ (double)u, true, false, u };
}

/* an exact operand past 2^53 made a double: what it gives is rounded */
static bool big(const struct val *a)
{
	return a->rounded || (a->exact && mag(a->i) >= (__int128)1 << 53);
}

static bool arith(enum node_kind k)
{
	return k == N_ADD || k == N_SUB || k == N_MUL || k == N_DIV ||
	       k == N_MOD;
}

static bool logic(enum node_kind k)
{
	return k == N_AND || k == N_OR;
}

/*
 * The nodes of @top's chain, top first: @top and each left child after
 * it while @in its kind ("1+2+3": the two '+'), into *@spine (@few, or
 * allocated when more: the caller frees it if not @few).  Returns how
 * many, or 0 out of memory.  Evaluation walks a chain in a loop, so its
 * recursion is as deep as the parentheses, not as the chain is long (a
 * chain of 1,000 terms took 880 KiB of stack in the fuzzer's ASan build).
 */
static size_t spine_of(const struct lden_expr_node *top,
		       bool (*in)(enum node_kind),
		       const struct lden_expr_node **few, size_t nfew,
		       const struct lden_expr_node ***spine)
{
	const struct lden_expr_node *n;
	size_t len = 0;

	for (n = top; in(n->kind); n = n->l)
		len++;
	*spine = few;
	if (len > nfew) {
		*spine = malloc(len * sizeof(**spine));
		if (!*spine)
			return 0;
	}
	len = 0;
	for (n = top; in(n->kind); n = n->l)
		(*spine)[len++] = n;
	return len;
}

static struct val num(const struct lden_expr_node *n,
		      const struct lden_expr_values *v);

/* @n's operator on @a and @b, its operands' values */
static struct val apply(const struct lden_expr_node *n, struct val a,
			struct val b)
{
	struct val r;

	r.exact = a.exact && b.exact;
	r.rounded = false;
	r.i = 0;
	switch (n->kind) {
	case N_ADD:
		r.d = a.d + b.d;
		r.i = a.i + b.i;
		break;
	case N_SUB:
		r.d = a.d - b.d;
		r.i = a.i - b.i;
		break;
	case N_MUL:
		r.d = a.d * b.d;
		if (r.exact && a.i && mag(a.i) > EXACT_LIM / mag(b.i ? b.i : 1))
			r.exact = false;
		else
			r.i = a.i * b.i;
		break;
	case N_DIV:
		r.d = b.d != 0 ? a.d / b.d : NAN;
		/* exact when it divides: a fraction is a double's */
		r.exact = r.exact && b.i && a.i % b.i == 0;
		r.i = r.exact ? a.i / b.i : 0;
		break;
	case N_MOD:
		r.d = b.d != 0 ? fmod(a.d, b.d) : NAN;
		r.exact = r.exact && b.i;
		r.i = r.exact ? a.i % b.i : 0;
		break;
	default:
		return (struct val){ NAN, false, false, 0 };
	}
	if (r.exact && mag(r.i) > EXACT_LIM)
		r.exact = false;
	if (r.exact)
		r.d = (double)r.i;
	else
		r.rounded = big(&a) || big(&b) || fabs(r.d) >= EXACT_DOUBLE;
	return r;
}

/* An arithmetic chain, from its first operand up (@top: its last operator). */
static struct val num_chain(const struct lden_expr_node *top,
			    const struct lden_expr_values *v)
{
	const struct lden_expr_node *few[16], **spine;
	size_t len = spine_of(top, arith, few, 16, &spine);
	struct val acc;

	if (!len)	/* out of memory: a value not known */
		return (struct val){ NAN, false, false, 0 };
	acc = num(spine[len - 1]->l, v);
	while (len--)
		acc = apply(spine[len], acc, num(spine[len]->r, v));
	if (spine != few)
		free(spine);
	return acc;
}

static struct val num(const struct lden_expr_node *n,
		      const struct lden_expr_values *v)
{
	struct val a;

	switch (n->kind) {
	case N_NUM:
		return (struct val){ n->num, n->exact,
				     !n->exact && fabs(n->num) >= EXACT_DOUBLE,
				     n->inum };
	case N_DATUM:
		if (n->datum == LDEN_SPEED)
			return from_double(v[n->event].speed);
		if (v[n->event].exact)
			return from_u64(n->datum == LDEN_COUNT ?
					v[n->event].icount : v[n->event].isize);
		return from_double(n->datum == LDEN_COUNT ? v[n->event].count :
							   v[n->event].size);
	case N_NEG:
		a = num(n->l, v);
		return (struct val){ -a.d, a.exact, a.rounded, -a.i };
	default:
		break;
	}
	if (arith(n->kind))
		return num_chain(n, v);
	return (struct val){ NAN, false, false, 0 };
}

/* A comparison of two numbers: NaN makes it false. */
static bool compared(const struct lden_expr_node *n,
		     const struct lden_expr_values *v)
{
	struct val a = num(n->l, v), b = num(n->r, v);
	int c;

	if (isnan(a.d) || isnan(b.d))
		return false;
	/* whole numbers compared exactly: 2^53 + 1 > 2^53 */
	if (a.exact && b.exact) {
		c = a.i < b.i ? -1 : a.i > b.i;
	} else {
		/* a long double holds any uint64_t exactly */
		long double x = a.exact ? (long double)a.i : a.d;
		long double y = b.exact ? (long double)b.i : b.d;

		c = x < y ? -1 : x > y;
	}
	switch (n->kind) {
	case N_GT:
		return c > 0;
	case N_GE:
		return c >= 0;
	case N_LT:
		return c < 0;
	case N_LE:
		return c <= 0;
	case N_EQ:
		return c == 0;
	case N_NE:
		return c != 0;
	default:
		return false;
	}
}

static bool cond(const struct lden_expr_node *n,
		 const struct lden_expr_values *v);

/*
 * A chain of "and"/"or", from its first operand up: no side effects, so
 * each operand is evaluated whatever the ones before gave
 */
static bool cond_chain(const struct lden_expr_node *top,
		       const struct lden_expr_values *v)
{
	const struct lden_expr_node *few[16], **spine;
	size_t len = spine_of(top, logic, few, 16, &spine);
	bool acc;

	if (!len)	/* out of memory: not known to be true */
		return false;
	acc = cond(spine[len - 1]->l, v);
	while (len--) {
		if (spine[len]->kind == N_AND)
			acc = acc && cond(spine[len]->r, v);
		else
			acc = acc || cond(spine[len]->r, v);
	}
	if (spine != few)
		free(spine);
	return acc;
}

static bool cond(const struct lden_expr_node *n,
		 const struct lden_expr_values *v)
{
	if (logic(n->kind))
		return cond_chain(n, v);
	if (n->kind == N_NOT)
		return !cond(n->l, v);
	return compared(n, v);
}

bool lden_expr__eval(const struct lden_expr *e,
		    const struct lden_expr_values *vals)
{
	return cond(e->root, vals);
}

double lden_expr__value(const struct lden_expr *e,
		       const struct lden_expr_values *vals)
{
	return e->root->is_cond ? (cond(e->root, vals) ? 1 : 0) :
				  num(e->root, vals).d;
}

void lden_format_value(double v, char *buf, size_t len)
{
	size_t n;

	if (isnan(v)) {
		snprintf(buf, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, "%sInf", v < 0 ? "-" : "+");
		return;
	}
	/* every integer a double holds exactly, in full */
	if (v == floor(v) && fabs(v) < EXACT_DOUBLE) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	/* past 2^53 a double's digits may not be the value's: marked */
	if (fabs(v) >= EXACT_DOUBLE) {
		snprintf(buf, len, "~%.17g", v);
		return;
	}
	snprintf(buf, len, "%.3f", v);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 1 && buf[n - 1] == '.')
		buf[--n] = '\0';
	/* "-0.000" trimmed: a tiny value is not zero; say it with more digits */
	if (!strcmp(buf, "0") || !strcmp(buf, "-0"))
		snprintf(buf, len, "%.3g", v);
}

void lden_expr__format_value(const struct lden_expr *e,
			     const struct lden_expr_values *vals, char *buf,
			     size_t len)
{
	struct val r;
	char digits[48];
	unsigned __int128 m;
	int n = sizeof(digits);

	if (e->root->is_cond)
		r = from_u64(cond(e->root, vals));
	else
		r = num(e->root, vals);
	/* a size past 2^64 - 1 (number.h) in it: its figure is not known */
	for (int i = 0; i < e->nevents && !e->root->is_cond; i++)
		if (e->events[i].need_size && vals[i].exact &&
		    vals[i].isize == UINT64_MAX) {
			snprintf(buf, len, "overflow");
			return;
		}
	if (!r.exact) {
		if (r.rounded && !isnan(r.d) && !isinf(r.d) &&
		    fabs(r.d) < EXACT_DOUBLE) {
			/* "size / 4" of a size past 2^53: not its digits */
			snprintf(buf, len, "~%.17g", r.d);
			return;
		}
		lden_format_value(r.d, buf, len);
		return;
	}
	m = r.i < 0 ? -(unsigned __int128)r.i : (unsigned __int128)r.i;
	digits[--n] = '\0';
	do {
		digits[--n] = (char)('0' + (int)(m % 10));
		m /= 10;
	} while (m);
	if (r.i < 0)
		digits[--n] = '-';
	snprintf(buf, len, "%s", digits + n);
}

void lden_expr_error__at(struct lden_expr_error *err,
			const struct lden_expr_event *ev, const char *fmt, ...)
{
	va_list ap;

	err->pos = ev->pos;
	err->len = ev->len > 0 ? ev->len : 1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void lden_expr__format_error(const char *text,
			    const struct lden_expr_error *err, char *buf,
			    size_t len)
{
	lden_escape__caret(err->msg, text, err->pos, err->len, false, buf, len);
}

size_t lden_expr_event__label(const struct lden_expr_event *ev, char *buf,
			      size_t len)
{
	const char *f = ev->filter ? ev->filter : "";
	const char *open = ev->filter ? "[" : "", *close = ev->filter ? "]" : "";
	int n;

	switch (ev->kind) {
	case LDEN_EV_CUSTOM:
		n = snprintf(buf, len, "custom(%s)%s%s%s", ev->name, open, f,
			     close);
		break;
	case LDEN_EV_UPROBE:
		n = snprintf(buf, len, "uprobe(%s:%s)%s%s%s", ev->name,
			     ev->symbol, open, f, close);
		break;
	default:
		n = snprintf(buf, len, "%s%s%s%s", ev->name, open, f, close);
	}
	return n < 0 ? len : (size_t)n;
}
