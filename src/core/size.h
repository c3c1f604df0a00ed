/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Size expressions of the catalog: integer arithmetic over a record's
 * fields ("bytes_req", "nr_sector * 512", "PAGE_SIZE << order"), compiled
 * once against an event's format, evaluated per sample (size.c).
 */
#ifndef LDEN_SIZE_H
#define LDEN_SIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ltr_event;
struct ltr_field;

/*
 * A size expression quoted in a message ("'%.*s%s'"): its first 120
 * bytes and "..." when cut, so that the reason after it is never what
 * the message's buffer cuts off
 */
#define LDEN_SIZE_QUOTE_MAX 120
#define LDEN_SIZE_QUOTE(s)						\
	(int)(strlen(s) > LDEN_SIZE_QUOTE_MAX ? LDEN_SIZE_QUOTE_MAX :	\
						strlen(s)),		\
	(s), (strlen(s) > LDEN_SIZE_QUOTE_MAX ? "..." : "")
struct ltr_sample;
struct lden_size_expr;

/*
 * lden_size_expr__compile - parse @text; field names are looked up in @ev's
 * format (so the expression is checked against the live kernel)
 * Returns the compiled expression (free with lden_size_expr__free()), or NULL
 * with @err set.
 */
struct lden_size_expr *lden_size_expr__compile(const char *text,
					 struct ltr_event *ev,
					 char *err, size_t errlen);
/* Checks syntax only, against no event: 0 or -1 with @err set. */
int lden_size_expr__check(const char *text, char *err, size_t errlen);
/* The value for one sample; 0 when a field cannot be read. */
uint64_t lden_size_expr__eval(const struct lden_size_expr *e,
			const struct ltr_sample *s);
/*
 * The name of the next field of @e whose type is signed (a syscall's
 * ret: -errno on failure), from op *@pos on (0 at first; advanced past
 * it), or NULL when there is none left: a negative value summed as a
 * size wraps the total around 2^64.
 */
const char *lden_size_expr__signed_field(const struct lden_size_expr *e,
					 int *pos);

/*
 * The range of one field of a size: its value is from *@lo to *@hi for
 * every record summed (its C type's, narrowed by a filter's bound).  @f
 * is the field of the event the expression was compiled against, NULL
 * when compiled for syntax only (a kprobe's, typed by its fetch-arg).
 */
typedef void (*lden_size_range_fn)(const char *name,
				   const struct ltr_field *f, void *ctx,
				   int64_t *lo, uint64_t *hi);

/*
 * lden_size_expr__wraps_at - whether @e, computed modulo 2^64, can be
 * wrong for a record whose fields range as @range says (in whole numbers;
 * a '-' is assumed to reach its worst case, its operands' correlation
 * unseen): below 0 for some record (*@over false: summed as a number
 * near 2^64), or 2^64 or more for every record (*@over true:
 * "18446744073709551615 * 2"), or a division or shift of such a value.
 * Returns 0 when neither, else the column (from 1) of the operator that
 * makes it so.  One that may pass 2^64 for some record only ("nr *
 * PAGE_SIZE" over a 64-bit nr) is let be.
 */
int lden_size_expr__wraps_at(const struct lden_size_expr *e,
			     lden_size_range_fn range, void *ctx, bool *over);
void lden_size_expr__free(struct lden_size_expr *e);

/*
 * Sizes summed in the kernel by a hist trigger (LTR_MODE_HIST): an
 * expression linear in its fields ("nr_sector * 512", "anon_rss +
 * file_rss") is the hits times its constant plus each field's sum times
 * its coefficient; any other one ("PAGE_SIZE << order") is evaluated per
 * group of its fields' values, with the group's hits.
 */
#define LDEN_SIZE_MAX_FIELDS 6

struct lden_size_hist {
	bool linear;
	char keys[160];		/* opts.hist_keys: the fields, not linear */
	char vals[320];		/* opts.hist_vals: the fields, linear */
	char fields[LDEN_SIZE_MAX_FIELDS][48];
	int nfields;
	uint64_t c0;		/* linear: the constant */
	uint64_t coef[LDEN_SIZE_MAX_FIELDS];
};

struct ltr_hist;

/*
 * lden_size_hist__plan - how the kernel can sum @text (syntax only)
 * Returns 0, or -1 when it cannot (too many fields for a non-linear
 * expression, a syntax error).
 */
int lden_size_hist__plan(const char *text, struct lden_size_hist *h);

/*
 * lden_size_hist__exact - whether @e, compiled against the hist event, is
 * summed exactly by plan @h: a linear sum adds whole fields, so a value
 * stored wider than its C type (syscall arguments) is not
 */
bool lden_size_hist__exact(const struct lden_size_expr *e,
			  const struct lden_size_hist *h);

/* The total size the hist @hist gives, for @e compiled against its event. */
uint64_t lden_size_hist__total(const struct lden_size_expr *e,
			      const struct lden_size_hist *h,
			      const struct ltr_hist *hist);

#endif
