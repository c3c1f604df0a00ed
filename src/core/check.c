// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the kernel checks when a catalog event is attached, checked before:
 * for a tracepoint source, each filter against the tracepoint's format by
 * the kernel's own filter grammar (libtracefs) and each size expression
 * against its fields; for a kprobe source, which the kernel would create
 * to check, the fields its filter and size name against those its
 * fetch-args make.  Every error names the catalog file and line, so that
 * lden list-events says what notify would fail on.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "check.h"
#include "lden-trace.h"
#include "resolve.h"
#include "size.h"

__attribute__((format(printf, 5, 6)))
static int cerr(char *err, size_t errlen, const struct lden_event_def *d,
		int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s:%d: ", d->file, line);

	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* @s's @len bytes without the blanks around them. */
static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s))
		(*s)++, (*len)--;
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* Whether @name (@n bytes) is the whole word at @s's start. */
static bool word_at(const char *s, size_t len, const char *name, size_t n)
{
	return n <= len && !strncmp(s, name, n) &&
	       (n == len || !(isalnum((unsigned char)s[n]) || s[n] == '_'));
}

/*
 * The lower bound one comparison @s (@len bytes) puts on @name: "name >
 * N", "name >= N" or "name == N" (the kernel's filters have the field on
 * the left); false for any other one (a negation, another field, a bound
 * from above).
 */
static bool comparison_bound(const char *s, size_t len, const char *name,
			     long long *lo)
{
	size_t n = strlen(name), k = 0;
	char num[32], op[3];
	char *end;
	long long v;

	if (!word_at(s, len, name, n))
		return false;
	s += n;
	len -= n;
	trim(&s, &len);
	while (k < len && k < 2 && strchr("<>=!", s[k]))
		k++;
	memcpy(op, s, k);
	op[k] = '\0';
	s += k;
	len -= k;
	trim(&s, &len);
	if (!len || len >= sizeof(num))
		return false;
	memcpy(num, s, len);
	num[len] = '\0';
	errno = 0;
	v = strtoll(num, &end, 0);
	if (end == num || *end || errno)
		return false;
	if (!strcmp(op, ">"))
		return v < LLONG_MAX ? (*lo = v + 1, true) : false;
	if (!strcmp(op, ">=") || !strcmp(op, "=="))
		return *lo = v, true;
	return false;
}

/*
 * The lower bound @filter's @len bytes put on the field @name for every
 * record they pass: the highest a comparison joined to the rest by "&&"
 * at the top level puts ("ret > 0 && !(flags & 2)": 1).  False when
 * there is none lden reads so: none names it, or the filter is an "||"
 * at its top (either side may let a record past), or the bound is under
 * a negation ("!(ret < 0)") -- taken as no bound: refused, never summed
 * wrapped.
 */
static bool filter_bound(const char *filter, size_t len, const char *name,
			 long long *lo)
{
	size_t start = 0;
	bool any = false;
	int depth = 0;
	char quote = 0;

	if (!filter)
		return false;
	trim(&filter, &len);
	for (size_t i = 0; i <= len; i++) {
		const char *part = filter + start;
		size_t plen = i - start;
		long long b;
		char c = i < len ? filter[i] : '\0';

		if (quote) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '"' || c == '\'') {
			quote = c;
			continue;
		}
		depth += (c == '(') - (c == ')');
		/* an "||" at the top: either side may let a record past */
		if (!depth && c == '|' && i + 1 < len && filter[i + 1] == '|')
			return false;
		if (i < len && (depth || c != '&' || i + 1 >= len ||
				filter[i + 1] != '&'))
			continue;
		/* one conjunct: [start, i) */
		trim(&part, &plen);
		if (plen >= 2 && part[0] == '(' && part[plen - 1] == ')') {
			/* whole in parentheses: its own conjuncts */
			int d = 0;
			size_t j;

			for (j = 0; j < plen; j++) {
				d += (part[j] == '(') - (part[j] == ')');
				if (!d)
					break;
			}
			if (j == plen - 1 &&
			    filter_bound(part + 1, plen - 2, name, &b)) {
				*lo = any && *lo > b ? *lo : b;
				any = true;
			}
		} else if (comparison_bound(part, plen, name, &b)) {
			*lo = any && *lo > b ? *lo : b;
			any = true;
		}
		start = i + 2;
		i++;
	}
	return any;
}

/*
 * The lower bound on @name of the source's own filter and the filter the
 * user gave the event (EVENT[FILTER]), @extra: the kernel applies both,
 * "(own) && (extra)", so either one's bound holds for every record.
 */
static bool bound_of(const char *own, const char *extra, const char *name,
		     long long *lo)
{
	long long a, b;
	bool ha = own && filter_bound(own, strlen(own), name, &a);
	bool hb = extra && filter_bound(extra, strlen(extra), name, &b);

	if (ha && hb)
		*lo = a > b ? a : b;
	else if (ha || hb)
		*lo = ha ? a : b;
	return ha || hb;
}

/* Whether @name is bounded from below at 0 by @own or @extra. */
static bool bounded(const char *own, const char *extra, const char *name)
{
	long long lo;

	return bound_of(own, extra, name, &lo) && lo >= 0;
}

/* Whether a filter of @own and @extra names @name at all. */
static bool names_field(const char *own, const char *extra, const char *name)
{
	const char *f[2] = { own, extra };

	for (int i = 0; i < 2; i++)
		for (const char *p = f[i]; p && (p = strstr(p, name)); p++)
			if ((p == f[i] || !(isalnum((unsigned char)p[-1]) ||
					    p[-1] == '_')) &&
			    word_at(p, strlen(p), name, strlen(name)))
				return true;
	return false;
}

/*
 * What to do about a signed field @name: filter it, or (a filter names it
 * already) say which bounds lden reads.
 */
static const char *signed_hint(const char *own, const char *extra,
			       const char *name, char *buf, size_t len)
{
	if (names_field(own, extra, name))
		snprintf(buf, len,
			 "the filter does not bound it from below at 0 for every record (lden reads '%.64s > N' or '%.64s >= N', N >= 0, joined to the rest by '&&', not under '||' or '!')",
			 name, name);
	else
		snprintf(buf, len, "filter it, e.g. 'if %.64s > 0'", name);
	return buf;
}

/* A field's range for lden_size_expr__negative_at(): the filters' bound. */
struct range_ctx {
	const char *own, *extra;
	const struct lden_source *src;	/* a probe's, typed by fetch-arg */
};

static void fetcharg_type(const struct lden_source *src, const char *name,
			  size_t len, char *type, size_t tlen);

/* The range of a @bits-bit number, signed or not. */
static void type_range(int bits, bool is_signed, int64_t *lo, uint64_t *hi)
{
	if (bits <= 0 || bits > 64)
		bits = 64;
	if (is_signed) {
		*hi = ((uint64_t)1 << (bits - 1)) - 1;
		*lo = -(int64_t)*hi - 1;
	} else {
		*hi = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
		*lo = 0;
	}
}

static void field_range(const char *name, const struct ltr_field *f,
			void *ctx, int64_t *lo, uint64_t *hi)
{
	const struct range_ctx *c = ctx;
	long long b;

	if (f) {
		int bits = 64;

		/* its width: the lowest power of two the type cuts at */
		for (int w = 8; w < 64; w *= 2)
			if (ltr_field__narrow(f, (uint64_t)1 << w) == 0) {
				bits = w;
				break;
			}
		type_range(bits, ltr_field__is_signed(f), lo, hi);
	} else if (c->src) {
		char type[32];

		fetcharg_type(c->src, name, strlen(name), type, sizeof(type));
		/* u8..u64, s8..s64, x8..x64; none: unsigned long */
		if (strchr("usx", type[0]) && isdigit((unsigned char)type[1]))
			type_range(atoi(type + 1), type[0] == 's', lo, hi);
		else
			type_range(64, false, lo, hi);
	} else {
		type_range(64, false, lo, hi);
	}
	if (bound_of(c->own, c->extra, name, &b) && b > *lo)
		*lo = b > 0 && (uint64_t)b > *hi ? (int64_t)*hi : b;
}

/*
 * A size @text (at @line) that can be below 0 for a record it is summed
 * for -- "fd - 1000", "0 - fd" -- is refused: a negative size is summed
 * as a number near 2^64.  Its fields range over their types, from the
 * bound a filter (@own, @extra) puts on them; @src types a probe's.
 */
static int negative_size(const struct lden_event_def *d, int line,
			 const char *text, const char *where,
			 const char *own, const char *extra,
			 const struct lden_size_expr *se,
			 const struct lden_source *src, char *err,
			 size_t errlen)
{
	struct range_ctx c = { own, extra, src };
	bool over;
	int col = lden_size_expr__wraps_at(se, field_range, &c, &over);

	if (!col)
		return 0;
	if (over)
		return cerr(err, errlen, d, line,
			    "size '%.*s%s' on %s passes 2^64 for every record (at the operator at column %d), which a 64-bit total wraps",
			    LDEN_SIZE_QUOTE(text), where, col);
	return cerr(err, errlen, d, line,
		    "size '%.*s%s' on %s can be negative (the '-' at column %d goes below 0 for some values of its fields), which would wrap the total around 2^64: bound its fields from below in the filter (e.g. 'if x >= 1000' for 'x - 1000')",
		    LDEN_SIZE_QUOTE(text), where, col);
}

/*
 * Whether @se can be below 0 for a record (its fields' ranges as the
 * filters bound them): only then is a signed field in it a fault
 * ("flags * 0 + 1" is never negative, whatever flags is).
 */
static bool can_be_negative(const struct lden_size_expr *se, const char *own,
			    const char *extra, const struct lden_source *src)
{
	struct range_ctx c = { own, extra, src };
	bool over;

	return lden_size_expr__wraps_at(se, field_range, &c, &over) && !over;
}

static int check_tracepoint(struct ltr_session *s,
			    const struct lden_event_def *d,
			    const struct lden_tp *tp, const char *extra,
			    bool want_size, char *err, size_t errlen)
{
	struct ltr_event_opts o = { .filter = tp->filter, .format_only = true };
	struct lden_size_expr *se;
	const char *signed_field;
	struct ltr_event *ev;
	char msg[256];
	int rc;

	ev = ltr_event__open(s, tp->system, tp->name, &o);
	if (!ev) {
		if (errno == EACCES || errno == EPERM)
			return snprintf(err, errlen, "%s", ltr_last_error()), -2;
		return cerr(err, errlen, d, tp->line, "%s", ltr_last_error());
	}
	if (want_size && tp->size) {
		se = lden_size_expr__compile(tp->size, ev, msg, sizeof(msg));
		if (!se) {
			ltr_event__close(ev);
			return cerr(err, errlen, d, tp->size_line,
				    "size '%.*s%s' on %s:%s: %s",
				    LDEN_SIZE_QUOTE(tp->size), tp->system,
				    tp->name, msg);
		}
		/* a negative value (-errno) would wrap the sum */
		for (int pos = 0;
		     can_be_negative(se, tp->filter, extra, NULL) &&
		     (signed_field = lden_size_expr__signed_field(se, &pos));) {
			char hint[512];

			if (bounded(tp->filter, extra, signed_field))
				continue;
			cerr(err, errlen, d, tp->size_line,
			     "size '%.*s%s' on %s:%s: field '%s' is signed (negative on an error, which would wrap the total around 2^64): %s",
			     LDEN_SIZE_QUOTE(tp->size), tp->system, tp->name,
			     signed_field,
			     signed_hint(tp->filter, extra, signed_field, hint,
					 sizeof(hint)));
			lden_size_expr__free(se);
			ltr_event__close(ev);
			return -1;
		}
		snprintf(msg, sizeof(msg), "%s:%s", tp->system, tp->name);
		rc = negative_size(d, tp->size_line, tp->size, msg, tp->filter,
				   extra, se, NULL, err, errlen);
		if (rc < 0) {
			lden_size_expr__free(se);
			ltr_event__close(ev);
			return rc;
		}
		lden_size_expr__free(se);
	}
	ltr_event__close(ev);
	return 0;
}

int lden_check_tracepoint_size(struct ltr_session *s,
			       const struct lden_event_def *d,
			       const struct lden_tp *tp, const char *extra,
			       char *err, size_t errlen)
{
	return check_tracepoint(s, d, tp, extra, true, err, errlen) == -1 ?
		       -1 : 0;
}

/* Whether @name (@len bytes) is a field of the probe @src makes. */
static bool probe_field(const struct lden_source *src, const char *name,
			size_t len)
{
	/* every event's, the filter's own (COMM, CPU), then the probe's */
	static const char *const fixed[] = {
		"common_type", "common_flags", "common_preempt_count",
		"common_pid", "COMM", "comm", "CPU", "cpu", "__probe_ip",
		"__probe_func", "__probe_ret_ip",
	};
	const char *a = src->fetchargs;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strlen(fixed[i]) == len && !strncmp(fixed[i], name, len))
			return i < 9 || src->kind == LDEN_SRC_KRETPROBE;
	/* "len=$arg3:u64 ret=$retval": the names before '=' */
	while (a && *a) {
		size_t n;

		a += strspn(a, " \t");
		n = strcspn(a, "= \t");
		if (a[n] == '=' && n == len && !strncmp(a, name, len))
			return true;
		a += strcspn(a, " \t");
	}
	return false;
}

/*
 * The first name in @text that the probe lacks, or NULL.  In a filter
 * (@filter) only the names left of a comparison are fields (the right
 * may be a bare string), and quoted strings are skipped; in a size every
 * name is one, PAGE_SIZE aside.
 */
static const char *missing_field(const struct lden_source *src,
				 const char *text, bool filter, size_t *len)
{
	const char *p = text;

	while (*p) {
		const char *q;

		if (*p == '"' || *p == '\'') {
			q = strchr(p + 1, *p);
			p = q ? q + 1 : p + strlen(p);
			continue;
		}
		if (isdigit((unsigned char)*p)) {
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			continue;
		}
		if (!isalpha((unsigned char)*p) && *p != '_') {
			p++;
			continue;
		}
		*len = 0;
		while (isalnum((unsigned char)p[*len]) || p[*len] == '_')
			(*len)++;
		q = p + *len;
		while (*q == ' ' || *q == '\t')
			q++;
		if (filter ? strchr("=!<>&~", *q) && *q :
			     strncmp(p, "PAGE_SIZE", *len) || *len != 9)
			if (!probe_field(src, p, *len))
				return p;
		p += *len;
	}
	return NULL;
}

/*
 * The type the fetch-arg @name (@len bytes) of @src is fetched as
 * ("s32" of "ret=$retval:s32") into @type, "" when it has none (the
 * kernel's default, unsigned) or is not one of @src's.
 */
static void fetcharg_type(const struct lden_source *src, const char *name,
			  size_t len, char *type, size_t tlen)
{
	const char *a = src->fetchargs;

	type[0] = '\0';
	while (a && *a) {
		size_t n, tok;

		a += strspn(a, " \t");
		tok = strcspn(a, " \t");
		n = strcspn(a, "= \t");
		if (a[n] == '=' && n == len && !strncmp(a, name, len)) {
			const char *colon = NULL;

			for (const char *c = a + n; c < a + tok; c++)
				if (*c == ':')
					colon = c;
			if (colon)
				snprintf(type, tlen, "%.*s",
					 (int)(a + tok - colon - 1), colon + 1);
			return;
		}
		a += tok;
	}
}

/* The kernel's signed fetch types: s8, s16, s32, s64 (and arrays of them). */
static bool signed_type(const char *type)
{
	return type[0] == 's' && isdigit((unsigned char)type[1]);
}

/*
 * One probe's size: every fetch-arg it names that is fetched signed
 * ("ret=$retval:s32", negative on an error) must be bounded below by the
 * probe's filter or @extra's.  0, or -1 with @err set.
 */
static int probe_size_signed(const struct lden_event_def *d,
			     const struct lden_source *src, const char *extra,
			     char *err, size_t errlen)
{
	const char *p = src->size;
	struct lden_size_expr *se;
	char msg[256];
	int rc;

	if (!p)
		return 0;
	se = lden_size_expr__compile(p, NULL, msg, sizeof(msg));
	if (!se)	/* a syntax error: said where it is parsed */
		return 0;
	if (!can_be_negative(se, src->filter, extra, src))
		p = NULL;	/* its signed fields, if any, cannot matter */
	while (p && *p) {
		char name[64], type[32], hint[512];
		size_t len = 0;

		if (!isalpha((unsigned char)*p) && *p != '_') {
			/* a number's digits and suffix are no name */
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			if (*p)
				p++;
			continue;
		}
		while (isalnum((unsigned char)p[len]) || p[len] == '_')
			len++;
		fetcharg_type(src, p, len, type, sizeof(type));
		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		p += len;
		if (!signed_type(type) || bounded(src->filter, extra, name))
			continue;
		lden_size_expr__free(se);
		return cerr(err, errlen, d, src->size_line,
			    "size '%.*s%s' on %s %s: field '%s' is signed (%s: negative on an error, which would wrap the total around 2^64): %s",
			    LDEN_SIZE_QUOTE(src->size),
			    src->kind == LDEN_SRC_KRETPROBE ? "kretprobe" : "kprobe",
			    src->funcs[0], name, type,
			    signed_hint(src->filter, extra, name, hint,
					sizeof(hint)));
	}
	snprintf(msg, sizeof(msg), "%s %s",
		 src->kind == LDEN_SRC_KRETPROBE ? "kretprobe" : "kprobe",
		 src->funcs[0]);
	rc = negative_size(d, src->size_line, src->size, msg, src->filter,
			   extra, se, src, err, errlen);
	lden_size_expr__free(se);
	return rc;
}

int lden_check_probe_size(const struct lden_event_def *d,
			  const struct lden_source *src, const char *extra,
			  char *err, size_t errlen)
{
	if (src->kind == LDEN_SRC_TRACEPOINT)
		return 0;
	if (probe_size_signed(d, src, extra, err, errlen) < 0)
		return -1;
	for (int m = 0; m < src->nmore; m++)
		if (probe_size_signed(d, &src->more[m], extra, err, errlen) < 0)
			return -1;
	return 0;
}

static int check_probe(const struct lden_event_def *d,
		       const struct lden_source *src, bool want_size,
		       char *err, size_t errlen)
{
	const char *bad;
	size_t len;

	if (src->filter && (bad = missing_field(src, src->filter, true, &len)))
		return cerr(err, errlen, d, src->line,
			    "filter '%s' names '%.*s', which the probe's fetch-args do not make",
			    src->filter, (int)len, bad);
	if (want_size && src->size &&
	    (bad = missing_field(src, src->size, false, &len)))
		return cerr(err, errlen, d, src->size_line,
			    "size '%.*s%s' names '%.*s', which the probe's fetch-args do not make",
			    LDEN_SIZE_QUOTE(src->size), (int)len, bad);
	if (want_size)
		return lden_check_probe_size(d, src, NULL, err, errlen);
	return 0;
}

int lden_check_source(struct ltr_session *s, const struct lden_resolution *r,
		      char *err, size_t errlen)
{
	const struct lden_source *src = r->src;

	if (!src)
		return 0;
	if (src->kind != LDEN_SRC_TRACEPOINT)
		return check_probe(r->def, src, r->has_size, err, errlen);
	for (int t = 0; t < src->ntps && t < 8; t++) {
		int rc;

		if (!r->tp_present[t])
			continue;
		rc = check_tracepoint(s, r->def, &src->tps[t], NULL,
				      r->has_size, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

bool lden_check_no_size(struct ltr_session *s, const struct lden_resolution *r,
			char *why, size_t len)
{
	const struct lden_source *src = r->src;

	if (!src || r->has_size || src->kind != LDEN_SRC_TRACEPOINT)
		return false;
	for (int t = 0; t < src->ntps && t < 8; t++) {
		if (!r->tp_present[t] || !src->tps[t].size)
			continue;
		if (check_tracepoint(s, r->def, &src->tps[t], NULL, true, why,
				     len) == -1)
			return true;
	}
	return false;
}
