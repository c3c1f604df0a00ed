// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Size expressions of the catalog: integer arithmetic over a record's
 * fields ("nr_sector * 512", "PAGE_SIZE << order"), compiled once to a
 * small stack program with the fields resolved, evaluated per sample.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "lden-trace.h"
#include "size.h"

#define MAX_OPS 64
#define MAX_DEPTH 16

enum op_kind { OP_CONST, OP_FIELD, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SHL,
	       OP_SHR };

struct op {
	enum op_kind kind;
	uint64_t value;
	const struct ltr_field *field;
};

struct lden_size_expr {
	struct op ops[MAX_OPS];
	int nops;
};

struct cparser {
	const char *s;
	const char *pos;
	struct ltr_event *ev;	/* NULL: syntax only */
	struct lden_size_expr *out;
	int depth;
	char *err;
	size_t errlen;
	int failed;
};

static int cfail(struct cparser *p, const char *msg, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "%s%s%s at column %d", msg,
			 what ? " " : "", what ? what : "",
			 (int)(p->pos - p->s) + 1);
	p->failed = 1;
	return -1;
}

static void skip_ws(struct cparser *p)
{
	while (isspace((unsigned char)*p->pos))
		p->pos++;
}

static int emit(struct cparser *p, enum op_kind k, uint64_t v,
		const struct ltr_field *f)
{
	if (p->out->nops == MAX_OPS)
		return cfail(p, "expression too long", NULL);
	p->out->ops[p->out->nops++] = (struct op){ k, v, f };
	return 0;
}

static int parse_shift(struct cparser *p);

static int parse_primary(struct cparser *p)
{
	skip_ws(p);
	if (*p->pos == '(') {
		int r;

		if (++p->depth > MAX_DEPTH)
			return cfail(p, "too many parentheses", NULL);
		p->pos++;
		r = parse_shift(p);
		p->depth--;
		if (r < 0)
			return r;
		skip_ws(p);
		if (*p->pos != ')')
			return cfail(p, "expected ')'", NULL);
		p->pos++;
		return 0;
	}
	if (isdigit((unsigned char)*p->pos)) {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(p->pos, &end, 0);
		if (errno == ERANGE)
			return cfail(p, "number too large", NULL);
		p->pos = end;
		if (isalnum((unsigned char)*p->pos) || *p->pos == '_')
			return cfail(p, "bad number", NULL);
		return emit(p, OP_CONST, v, NULL);
	}
	if (isalpha((unsigned char)*p->pos) || *p->pos == '_') {
		const char *start = p->pos;
		char name[128];
		size_t n;

		while (isalnum((unsigned char)*p->pos) || *p->pos == '_')
			p->pos++;
		n = p->pos - start;
		if (n >= sizeof(name))
			return cfail(p, "name too long", NULL);
		memcpy(name, start, n);
		name[n] = '\0';
		if (!strcmp(name, "PAGE_SIZE"))
			return emit(p, OP_CONST, (uint64_t)sysconf(_SC_PAGESIZE),
				    NULL);
		if (p->ev) {
			const struct ltr_field *f = ltr_event__field(p->ev, name);

			if (!f) {
				p->pos = start;
				return cfail(p, "no field", name);
			}
			if (ltr_field__is_string(f)) {
				p->pos = start;
				return cfail(p, "string field", name);
			}
			return emit(p, OP_FIELD, 0, f);
		}
		return emit(p, OP_FIELD, 0, NULL);
	}
	if (!*p->pos)
		return cfail(p, "unexpected end", NULL);
	return cfail(p, "unexpected character", NULL);
}

static int parse_mul(struct cparser *p)
{
	if (parse_primary(p) < 0)
		return -1;
	for (;;) {
		enum op_kind k;

		skip_ws(p);
		if (*p->pos == '*')
			k = OP_MUL;
		else if (*p->pos == '/')
			k = OP_DIV;
		else
			return 0;
		p->pos++;
		if (parse_primary(p) < 0 || emit(p, k, 0, NULL) < 0)
			return -1;
	}
}

static int parse_add(struct cparser *p)
{
	if (parse_mul(p) < 0)
		return -1;
	for (;;) {
		enum op_kind k;

		skip_ws(p);
		if (*p->pos == '+')
			k = OP_ADD;
		else if (*p->pos == '-')
			k = OP_SUB;
		else
			return 0;
		p->pos++;
		if (parse_mul(p) < 0 || emit(p, k, 0, NULL) < 0)
			return -1;
	}
}

static int parse_shift(struct cparser *p)
{
	if (parse_add(p) < 0)
		return -1;
	for (;;) {
		enum op_kind k;

		skip_ws(p);
		if (!strncmp(p->pos, "<<", 2))
			k = OP_SHL;
		else if (!strncmp(p->pos, ">>", 2))
			k = OP_SHR;
		else
			return 0;
		p->pos += 2;
		if (parse_add(p) < 0 || emit(p, k, 0, NULL) < 0)
			return -1;
	}
}

static struct lden_size_expr *compile(const char *text, struct ltr_event *ev,
				      char *err, size_t errlen)
{
	struct lden_size_expr *e = calloc(1, sizeof(*e));
	struct cparser p = { .s = text, .pos = text, .ev = ev, .out = e,
			     .err = err, .errlen = errlen };

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (parse_shift(&p) == 0) {
		skip_ws(&p);
		if (*p.pos)
			cfail(&p, "unexpected text", NULL);
	}
	if (p.failed) {
		free(e);
		return NULL;
	}
	return e;
}

struct lden_size_expr *lden_size_compile(const char *text,
					 struct ltr_event *ev,
					 char *err, size_t errlen)
{
	return compile(text, ev, err, errlen);
}

int lden_size_check(const char *text, char *err, size_t errlen)
{
	struct lden_size_expr *e = compile(text, NULL, err, errlen);

	free(e);
	return e ? 0 : -1;
}

uint64_t lden_size_eval(const struct lden_size_expr *e,
			const struct ltr_sample *s)
{
	uint64_t st[MAX_OPS];
	int sp = 0;

	for (int i = 0; i < e->nops; i++) {
		const struct op *o = &e->ops[i];
		uint64_t a, b;

		switch (o->kind) {
		case OP_CONST:
			st[sp++] = o->value;
			continue;
		case OP_FIELD:
			if (!o->field || ltr_field__u64(o->field, s, &a) < 0)
				a = 0;
			st[sp++] = a;
			continue;
		default:
			break;
		}
		b = st[--sp];
		a = st[--sp];
		switch (o->kind) {
		case OP_ADD:
			a += b;
			break;
		case OP_SUB:
			a -= b;
			break;
		case OP_MUL:
			a *= b;
			break;
		case OP_DIV:
			a = b ? a / b : 0;
			break;
		case OP_SHL:
			a = b < 64 ? a << b : 0;
			break;
		case OP_SHR:
			a = b < 64 ? a >> b : 0;
			break;
		default:
			break;
		}
		st[sp++] = a;
	}
	return sp ? st[sp - 1] : 0;
}

void lden_size_free(struct lden_size_expr *e)
{
	free(e);
}
