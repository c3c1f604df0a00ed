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

/* Whether @name appears as a whole word in @s's first @len bytes. */
static bool has_word(const char *s, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i + n <= len; i++)
		if (!strncmp(s + i, name, n) &&
		    (i == 0 || !(isalnum((unsigned char)s[i - 1]) ||
				 s[i - 1] == '_')) &&
		    (i + n == len || !(isalnum((unsigned char)s[i + n]) ||
				       s[i + n] == '_')))
			return true;
	return false;
}

/*
 * Whether a negation in @filter ("!(...)", "!word") covers @name:
 * "!(flags & 2)" does not touch ret, "!(ret < 0)" does.
 */
static bool negates(const char *filter, const char *name)
{
	for (const char *p = filter; (p = strchr(p, '!')); p++) {
		const char *q = p + 1;
		size_t len;

		if (*q == '=' || *q == '~')
			continue;
		q += strspn(q, " \t");
		if (*q == '(') {
			int depth = 0;

			for (len = 0; q[len]; len++) {
				depth += q[len] == '(';
				depth -= q[len] == ')';
				if (!depth)
					break;
			}
		} else {
			len = strspn(q, "abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		}
		if (has_word(q, len, name))
			return true;
	}
	return false;
}

/*
 * Whether @filter bounds the field @name from below at 0: it has
 * "name > N" (N >= -1) or "name >= N" (N >= 0), the catalog's
 * "ret > 0", and no "||" or negation that could let a record past the
 * bound ("ret > 0 || x", "!(ret > 0)").  A filter it cannot read so is
 * taken as no bound: refused, never summed wrapped.
 */
static bool bounded_below(const char *filter, const char *name)
{
	size_t n = strlen(name);

	if (!filter || strstr(filter, "||") || negates(filter, name))
		return false;
	for (const char *p = filter; (p = strstr(p, name)); p += n) {
		const char *q = p + n;
		bool eq;
		char *end;
		long long v;

		if (p > filter && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		if (isalnum((unsigned char)*q) || *q == '_')
			continue;
		q += strspn(q, " \t");
		if (*q != '>')
			continue;
		eq = q[1] == '=';
		q += eq ? 2 : 1;
		q += strspn(q, " \t");
		errno = 0;
		v = strtoll(q, &end, 0);
		if (end == q || errno)
			continue;
		end += strspn(end, " \t");
		if (*end && *end != '&' && *end != ')')
			continue;
		if (v >= (eq ? 0 : -1))
			return true;
	}
	return false;
}

/*
 * Whether @name is bounded below by the source's own filter or by the
 * filter the user gave the event (EVENT[FILTER]), @extra: the kernel
 * applies both, "(own) && (extra)", so either one's bound holds for every
 * record.
 */
static bool bounded(const char *own, const char *extra, const char *name)
{
	return bounded_below(own, name) || bounded_below(extra, name);
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
				    "size '%s' on %s:%s: %s", tp->size,
				    tp->system, tp->name, msg);
		}
		/* a negative value (-errno) would wrap the sum */
		for (int pos = 0;
		     (signed_field = lden_size_expr__signed_field(se, &pos));) {
			if (bounded(tp->filter, extra, signed_field))
				continue;
			cerr(err, errlen, d, tp->size_line,
			     "size '%s' on %s:%s: field '%s' is signed (negative on an error, which would wrap the total around 2^64): filter it, e.g. 'if %s > 0'",
			     tp->size, tp->system, tp->name, signed_field,
			     signed_field);
			lden_size_expr__free(se);
			ltr_event__close(ev);
			return -1;
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

	while (p && *p) {
		char name[64], type[32];
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
		return cerr(err, errlen, d, src->size_line,
			    "size '%s' on %s %s: field '%s' is signed (%s: negative on an error, which would wrap the total around 2^64): filter it, e.g. 'if %s > 0'",
			    src->size,
			    src->kind == LDEN_SRC_KRETPROBE ? "kretprobe" : "kprobe",
			    src->funcs[0], name, type, name);
	}
	return 0;
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
			    "size '%s' names '%.*s', which the probe's fetch-args do not make",
			    src->size, (int)len, bad);
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
