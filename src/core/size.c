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
#include "number.h"

#define MAX_OPS 64
#define MAX_DEPTH 16

enum op_kind { OP_CONST, OP_FIELD, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SHL,
	       OP_SHR };

struct op {
	enum op_kind kind;
	uint64_t value;
	const struct ltr_field *field;
	char name[48];		/* OP_FIELD: the field's name */
	int col;		/* an operator's column */
};

/*
 * The shapes evaluated without the stack program: most catalog sizes are
 * one field ("len", "bytes_req"), or one field times a constant
 * ("nr_sector * 512"); any other one linear in its fields ("(anon_rss +
 * file_rss + shmem_rss) * 1024", "flags * 0 + 1") is a constant plus
 * each field times its coefficient.  The same value as the program's:
 * its arithmetic is modulo 2^64, where a product distributes over a sum
 * and a shift left by a constant is a product; a field unread counts 0
 * in both.  Division and shifts right of a field are not linear.  Values
 * are whole numbers, not modulo 2^64: one that passes 2^64 - 1 is
 * LDEN_U64_OVER (number.h), so a linear shape is used only without a
 * '-' and with its coefficients folded without overflow; any other
 * expression runs the program, in 128 bits.
 */
enum shape { SHAPE_PROGRAM, SHAPE_FIELD, SHAPE_FIELD_TIMES, SHAPE_LINEAR };

struct lden_size_expr {
	struct op ops[MAX_OPS];
	int nops;
	enum shape shape;
	int field;			/* SHAPE_FIELD(_TIMES)'s op */
	uint64_t factor;		/* SHAPE_FIELD_TIMES's constant */
	uint64_t c0;			/* SHAPE_LINEAR: the constant, */
	int nterms;			/* and the fields of coefficient != 0 */
	int term_op[LDEN_SIZE_MAX_FIELDS];
	uint64_t term_coef[LDEN_SIZE_MAX_FIELDS];
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
	p->out->ops[p->out->nops++] = (struct op){ k, v, f, "", 0 };
	return 0;
}

static int emit_field(struct cparser *p, const char *name,
		      const struct ltr_field *f)
{
	if (emit(p, OP_FIELD, 0, f) < 0)
		return -1;
	snprintf(p->out->ops[p->out->nops - 1].name,
		 sizeof(p->out->ops[0].name), "%s", name);
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
		char name[sizeof(p->out->ops[0].name)];
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
			return emit_field(p, name, f);
		}
		return emit_field(p, name, NULL);
	}
	if (!*p->pos)
		return cfail(p, "unexpected end", NULL);
	return cfail(p, "unexpected character", NULL);
}

static int parse_mul(struct cparser *p)
{
	int col;

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
		col = (int)(p->pos - p->s) + 1;
		p->pos++;
		if (parse_primary(p) < 0 || emit(p, k, 0, NULL) < 0)
			return -1;
		p->out->ops[p->out->nops - 1].col = col;
	}
}

static int parse_add(struct cparser *p)
{
	int col;

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
		col = (int)(p->pos - p->s) + 1;
		p->pos++;
		if (parse_mul(p) < 0 || emit(p, k, 0, NULL) < 0)
			return -1;
		p->out->ops[p->out->nops - 1].col = col;
	}
}

static int parse_shift(struct cparser *p)
{
	int col;

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
		col = (int)(p->pos - p->s) + 1;
		p->pos += 2;
		if (parse_add(p) < 0 || emit(p, k, 0, NULL) < 0)
			return -1;
		p->out->ops[p->out->nops - 1].col = col;
	}
}

static bool linear(const struct lden_size_expr *e, struct lden_size_hist *h,
		   bool *sub);

/* The program's linear form, when it has one: SHAPE_LINEAR. */
static void classify_linear(struct lden_size_expr *e)
{
	struct lden_size_hist h;
	bool sub;

	memset(&h, 0, sizeof(h));
	if (!linear(e, &h, &sub) || sub)
		return;
	e->c0 = h.c0;
	e->nterms = 0;
	for (int j = 0; j < h.nfields; j++) {
		int op = -1;

		if (!h.coef[j])
			continue;	/* times 0: 0 whatever it reads */
		for (int i = 0; i < e->nops && op < 0; i++)
			if (e->ops[i].kind == OP_FIELD &&
			    !strcmp(e->ops[i].name, h.fields[j]))
				op = i;
		/* a signed one times not 0: the program's whole numbers */
		if (op < 0 || (e->ops[op].field &&
			       ltr_field__is_signed(e->ops[op].field)))
			return;
		e->term_op[e->nterms] = op;
		e->term_coef[e->nterms++] = h.coef[j];
	}
	e->shape = SHAPE_LINEAR;
}

static void classify(struct lden_size_expr *e)
{
	const struct op *o = e->ops;

	/* a signed field can be negative: only the program's whole numbers */
	if (e->nops <= 3 && o[0].kind == OP_FIELD && o[0].field &&
	    ltr_field__is_signed(o[0].field))
		classify_linear(e);
	else if (e->nops == 3 && o[1].kind == OP_FIELD && o[1].field &&
		 ltr_field__is_signed(o[1].field))
		classify_linear(e);
	else if (e->nops == 1 && o[0].kind == OP_FIELD) {
		e->shape = SHAPE_FIELD;
		e->field = 0;
	} else if (e->nops == 3 && o[2].kind == OP_MUL &&
		   ((o[0].kind == OP_FIELD && o[1].kind == OP_CONST) ||
		    (o[0].kind == OP_CONST && o[1].kind == OP_FIELD))) {
		e->shape = SHAPE_FIELD_TIMES;
		e->field = o[0].kind == OP_FIELD ? 0 : 1;
		e->factor = o[0].kind == OP_CONST ? o[0].value : o[1].value;
	} else {
		classify_linear(e);
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
	classify(e);
	return e;
}

struct lden_size_expr *lden_size_expr__compile(const char *text,
					 struct ltr_event *ev,
					 char *err, size_t errlen)
{
	return compile(text, ev, err, errlen);
}

int lden_size_expr__check(const char *text, char *err, size_t errlen)
{
	struct lden_size_expr *e = compile(text, NULL, err, errlen);

	free(e);
	return e ? 0 : -1;
}

typedef __int128 wide;
#define WIDE_LIM ((wide)1 << 100)

/*
 * The program, with @field giving each field's value, in whole numbers:
 * past 2^100 anywhere (so past 2^64 - 1 at the end) it is LDEN_U64_OVER,
 * never a value modulo 2^64.  An expression that can be negative is
 * refused (lden_size_expr__wraps_at()); one that is anyway gives 0.
 */
static uint64_t run(const struct lden_size_expr *e,
		    uint64_t (*field)(const struct op *o, const void *ctx),
		    const void *ctx)
{
	wide st[MAX_OPS];
	int sp = 0;

	for (int i = 0; i < e->nops; i++) {
		const struct op *o = &e->ops[i];
		wide a, b;

		switch (o->kind) {
		case OP_CONST:
			st[sp++] = o->value;
			continue;
		case OP_FIELD:
			/* a signed field's value is sign-extended: its own */
			st[sp++] = o->field && ltr_field__is_signed(o->field) ?
					   (wide)(int64_t)field(o, ctx) :
					   (wide)field(o, ctx);
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
			if (a && b && (a > WIDE_LIM / (b < 0 ? -b : b) ||
				       a < -WIDE_LIM / (b < 0 ? -b : b)))
				return LDEN_U64_OVER;
			a *= b;
			break;
		case OP_DIV:
			a = b ? a / b : 0;
			break;
		case OP_SHL:
			if (a && (b < 0 || b > 100 ||
				  a > (WIDE_LIM >> (int)b) ||
				  a < -(WIDE_LIM >> (int)b)))
				return a < 0 || b < 0 ? 0 : LDEN_U64_OVER;
			a = a * ((wide)1 << (int)b);
			break;
		case OP_SHR:
			a = b < 0 ? 0 : b >= 127 ? (a < 0 ? -1 : 0) : a >> (int)b;
			break;
		default:
			break;
		}
		if (a > WIDE_LIM)
			return LDEN_U64_OVER;
		if (a < -WIDE_LIM)
			return 0;
		st[sp++] = a;
	}
	if (!sp || st[sp - 1] < 0)
		return 0;
	return st[sp - 1] >= (wide)UINT64_MAX ? LDEN_U64_OVER :
						  (uint64_t)st[sp - 1];
}

static uint64_t sample_field(const struct op *o, const void *ctx)
{
	uint64_t v;

	if (!o->field || ltr_field__u64(o->field, ctx, &v) < 0)
		return 0;
	return v;
}

uint64_t lden_size_expr__eval(const struct lden_size_expr *e,
			const struct ltr_sample *s)
{
	switch (e->shape) {
	case SHAPE_FIELD:
		return sample_field(&e->ops[e->field], s);
	case SHAPE_FIELD_TIMES:
		return lden_u64_mul(sample_field(&e->ops[e->field], s), e->factor);
	case SHAPE_LINEAR: {
		uint64_t v = e->c0;

		/* no '-', coefficients whole: each step only grows */
		for (int i = 0; i < e->nterms; i++)
			v = lden_u64_add(v, lden_u64_mul(e->term_coef[i],
					sample_field(&e->ops[e->term_op[i]], s)));
		return v;
	}
	default:
		return run(e, sample_field, s);
	}
}

/* ------------------------------------------------------------------ */
/* Sums in the kernel (hist triggers) */

/* a0 + sum a[i] * field i, or not linear */
struct lin {
	bool ok;
	bool over;	/* a coefficient passed 2^64 - 1: wrong */
	bool sub;	/* a '-': coefficients modulo 2^64 */
	uint64_t c;
	uint64_t a[LDEN_SIZE_MAX_FIELDS];
};

static int name_index(struct lden_size_hist *h, const char *name)
{
	for (int i = 0; i < h->nfields; i++)
		if (!strcmp(h->fields[i], name))
			return i;
	if (h->nfields == LDEN_SIZE_MAX_FIELDS)
		return -1;
	snprintf(h->fields[h->nfields], sizeof(h->fields[0]), "%s", name);
	return h->nfields++;
}

static bool constant(const struct lin *l, int n)
{
	for (int i = 0; i < n; i++)
		if (l->a[i])
			return false;
	return true;
}

static void scale(struct lin *l, uint64_t k, int n)
{
	uint64_t r;

	l->over |= __builtin_mul_overflow(l->c, k, &r);
	l->c = r;
	for (int i = 0; i < n; i++) {
		l->over |= __builtin_mul_overflow(l->a[i], k, &r);
		l->a[i] = r;
	}
}

/*
 * Folds the program into a0 + sum ai * fi when it is that: a sum over
 * records is then a0 * hits + sum ai * (sum of fi), which a hist sums.
 * Division and shifts right round per record: not linear.
 */
static bool linear(const struct lden_size_expr *e, struct lden_size_hist *h,
		   bool *sub)
{
	struct lin st[MAX_OPS];
	int sp = 0, n;

	for (int i = 0; i < e->nops; i++) {
		const struct op *o = &e->ops[i];
		struct lin a, b;
		int k;

		switch (o->kind) {
		case OP_CONST:
			st[sp++] = (struct lin){ .ok = true, .c = o->value };
			continue;
		case OP_FIELD:
			k = name_index(h, o->name);
			if (k < 0)
				return false;
			st[sp] = (struct lin){ .ok = true };
			st[sp++].a[k] = 1;
			continue;
		default:
			break;
		}
		n = h->nfields;
		b = st[--sp];
		a = st[--sp];
		if (!a.ok || !b.ok)
			return false;
		switch (o->kind) {
		case OP_ADD:
		case OP_SUB:
			a.over |= b.over;
			a.sub |= b.sub || o->kind == OP_SUB;
			if (o->kind == OP_ADD)
				a.over |= __builtin_add_overflow(a.c, b.c, &a.c);
			else
				a.c -= b.c;	/* modulo 2^64: a.sub */
			for (int j = 0; j < n; j++) {
				if (o->kind == OP_SUB)
					a.a[j] -= b.a[j];
				else
					a.over |= __builtin_add_overflow(a.a[j], b.a[j],
									 &a.a[j]);
			}
			break;
		case OP_MUL:
			if (constant(&b, n))
				a.over |= b.over, a.sub |= b.sub,
					scale(&a, b.c, n);
			else if (constant(&a, n))
				b.over |= a.over, b.sub |= a.sub,
					scale(&b, a.c, n), a = b;
			else
				return false;
			break;
		case OP_SHL:
			if (!constant(&b, n) || b.c >= 64)
				return false;
			a.over |= b.over;
			a.sub |= b.sub;
			scale(&a, (uint64_t)1 << b.c, n);
			break;
		default:	/* DIV, SHR: per-record rounding */
			if (!constant(&a, n) || !constant(&b, n))
				return false;
			a.c = o->kind == OP_DIV ? (b.c ? a.c / b.c : 0) :
						  (b.c < 64 ? a.c >> b.c : 0);
			a.over |= b.over;
			a.sub |= b.sub;
			break;
		}
		st[sp++] = a;
	}
	if (sp != 1 || st[0].over)
		return false;
	*sub = st[0].sub;
	h->c0 = st[0].c;
	for (int j = 0; j < h->nfields; j++)
		h->coef[j] = st[0].a[j];
	return true;
}

static void join(char *buf, size_t len, char names[][48], int n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? "," : "", names[i]);
}

int lden_size_hist__plan(const char *text, struct lden_size_hist *h)
{
	char err[128];
	struct lden_size_expr *e = compile(text, NULL, err, sizeof(err));
	bool ok, sub;

	memset(h, 0, sizeof(*h));
	if (!e)
		return -1;
	ok = linear(e, h, &sub);
	if (ok && h->nfields <= LTR_HIST_MAX_VALS) {
		h->linear = true;
		join(h->vals, sizeof(h->vals), h->fields, h->nfields);
	} else {
		/* grouped by the fields, evaluated per group */
		memset(h, 0, sizeof(*h));
		ok = true;
		for (int i = 0; i < e->nops; i++)
			if (e->ops[i].kind == OP_FIELD &&
			    name_index(h, e->ops[i].name) < 0)
				ok = false;
		ok = ok && h->nfields <= LTR_HIST_MAX_KEYS;
		join(h->keys, sizeof(h->keys), h->fields, h->nfields);
	}
	free(e);
	return ok || h->linear ? 0 : -1;
}

struct bucket_ctx {
	const struct lden_size_hist *h;
	const struct ltr_hist_bucket *b;
};

/* A field's value in a group: its key, narrowed to its C type. */
static uint64_t bucket_field(const struct op *o, const void *ctx)
{
	const struct bucket_ctx *c = ctx;

	for (int i = 0; i < c->h->nfields; i++)
		if (!strcmp(c->h->fields[i], o->name))
			return o->field ? ltr_field__narrow(o->field, c->b->keys[i]) :
					  c->b->keys[i];
	return 0;
}

uint64_t lden_size_hist__total(const struct lden_size_expr *e,
			      const struct lden_size_hist *h,
			      const struct ltr_hist *hist)
{
	uint64_t total = 0;

	for (int i = 0; i < hist->nbuckets; i++) {
		const struct ltr_hist_bucket *b = &hist->buckets[i];

		if (h->linear) {
			/* modulo 2^64 with a '-': the kernel's sums are too */
			total += h->c0 * b->hits;
			for (int j = 0; j < h->nfields; j++)
				total += h->coef[j] * b->vals[j];
		} else {
			struct bucket_ctx c = { h, b };

			total = lden_u64_add(total, lden_u64_mul(b->hits,
						run(e, bucket_field, &c)));
		}
	}
	return total;
}

bool lden_size_hist__exact(const struct lden_size_expr *e,
			  const struct lden_size_hist *h)
{
	/* a sum in the kernel is of the whole slot: the field's own type only */
	for (int i = 0; h->linear && i < e->nops; i++)
		if (e->ops[i].kind == OP_FIELD &&
		    (!e->ops[i].field ||
		     ltr_field__stored_wider(e->ops[i].field)))
			return false;
	return true;
}

const char *lden_size_expr__signed_field(const struct lden_size_expr *e,
					 int *pos)
{
	for (int i = *pos; i < e->nops; i++)
		if (e->ops[i].kind == OP_FIELD && e->ops[i].field &&
		    ltr_field__is_signed(e->ops[i].field)) {
			*pos = i + 1;
			return e->ops[i].name;
		}
	*pos = e->nops;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Ranges: can a size be negative? */

/*
 * Bounds in whole numbers, not modulo 2^64, saturated at +-2^100 (far
 * past any uint64_t, so a saturated bound stays out of range).
 */
struct range {
	wide lo, hi;
	int neg_col;	/* the column of the '-' that can make it < 0, or 0 */
	int over_col;	/* the operator's that makes it >= 2^64 always, or 0 */
};

#define U64_END ((wide)UINT64_MAX + 1)	/* 2^64 */

static wide sat(wide v)
{
	return v > WIDE_LIM ? WIDE_LIM : v < -WIDE_LIM ? -WIDE_LIM : v;
}

static wide sat_mul(wide a, wide b)
{
	wide ma = a < 0 ? -a : a, mb = b < 0 ? -b : b;

	if (ma && mb && ma > WIDE_LIM / mb)
		return (a < 0) != (b < 0) ? -WIDE_LIM : WIDE_LIM;
	return sat(a * b);
}

static wide min4(wide a, wide b, wide c, wide d)
{
	wide m = a < b ? a : b;

	m = m < c ? m : c;
	return m < d ? m : d;
}

static wide max4(wide a, wide b, wide c, wide d)
{
	wide m = a > b ? a : b;

	m = m > c ? m : c;
	return m > d ? m : d;
}

/* a << b for b >= 0, as a product by 2^b, saturated */
static wide sat_shl(wide a, wide b)
{
	return b >= 101 ? (a > 0 ? WIDE_LIM : a < 0 ? -WIDE_LIM : 0) :
			  sat_mul(a, (wide)1 << (int)b);
}

int lden_size_expr__wraps_at(const struct lden_size_expr *e,
			     lden_size_range_fn range, void *ctx, bool *over)
{
	struct range st[MAX_OPS];
	int sp = 0;

	for (int i = 0; i < e->nops; i++) {
		const struct op *o = &e->ops[i];
		struct range a, b, r = { 0, 0, 0, 0 };
		int64_t flo;
		uint64_t fhi;

		switch (o->kind) {
		case OP_CONST:
			st[sp++] = (struct range){ o->value, o->value, 0, 0 };
			continue;
		case OP_FIELD:
			range(o->name, o->field, ctx, &flo, &fhi);
			st[sp++] = (struct range){ flo, fhi, 0, 0 };
			continue;
		default:
			break;
		}
		b = st[--sp];
		a = st[--sp];
		r.neg_col = a.neg_col ? a.neg_col : b.neg_col;
		r.over_col = a.over_col ? a.over_col : b.over_col;
		switch (o->kind) {
		case OP_ADD:
			r.lo = sat(a.lo + b.lo);
			r.hi = sat(a.hi + b.hi);
			break;
		case OP_SUB:
			r.lo = sat(a.lo - b.hi);
			r.hi = sat(a.hi - b.lo);
			if (r.lo < 0 && !r.neg_col)
				r.neg_col = o->col;
			break;
		case OP_MUL:
			r.lo = min4(sat_mul(a.lo, b.lo), sat_mul(a.lo, b.hi),
				    sat_mul(a.hi, b.lo), sat_mul(a.hi, b.hi));
			r.hi = max4(sat_mul(a.lo, b.lo), sat_mul(a.lo, b.hi),
				    sat_mul(a.hi, b.lo), sat_mul(a.hi, b.hi));
			break;
		default:
			/*
			 * a shift or a division of a value that can be
			 * negative rounds its wrapped form, not it: wrong
			 * whatever comes after
			 */
			if (a.lo < 0 || b.lo < 0) {
				*over = false;
				return r.neg_col ? r.neg_col : o->col;
			}
			if (a.lo >= U64_END || b.lo >= U64_END) {
				*over = true;
				return r.over_col ? r.over_col : o->col;
			}
			if (o->kind == OP_SHL) {
				r.lo = sat_shl(a.lo, b.lo);
				r.hi = sat_shl(a.hi, b.hi);
			} else if (o->kind == OP_SHR) {
				r.lo = b.hi >= 101 ? 0 : a.lo >> (int)b.hi;
				r.hi = b.lo >= 101 ? 0 : a.hi >> (int)b.lo;
			} else {
				/* by 0: 0 */
				r.lo = b.lo == 0 ? 0 : a.lo / b.hi;
				r.hi = a.hi / (b.lo ? b.lo : 1);
			}
			break;
		}
		/* where it first must pass 2^64 */
		if (r.lo >= U64_END && !r.over_col)
			r.over_col = o->col ? o->col : 1;
		st[sp++] = r;
	}
	*over = false;
	if (sp == 1 && st[0].lo < 0)
		return st[0].neg_col ? st[0].neg_col : 1;
	*over = true;
	if (sp == 1 && st[0].lo >= U64_END)
		return st[0].over_col ? st[0].over_col : 1;
	*over = false;
	return 0;
}

void lden_size_expr__free(struct lden_size_expr *e)
{
	free(e);
}
