/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text of a rule's labels and annotations, with the numbers of the
 * moment put in: "{{ speed(task.create) }} new tasks a second" renders as
 * "812 new tasks a second".  Between "{{" and "}}" is any number
 * expression of lden notify's grammar (expr.h); everything else is kept
 * as written.  The events a template names are counted like those of the
 * rule's condition.
 *
 * Numbers are written exactly: integers in full ("1048576"), others
 * with at most three decimals ("12.5"), "NaN" for 0/0.  A value that
 * depends on a number that is not exact is followed by what is not, as
 * the table marks it: " (size stopped)" (the overhead guard stopped it),
 * " (size short)" (lost records, missed hits, unsized occurrences),
 * " (count short)" (missed hits), " (speed estimated)" (an average over
 * more than the last second), several as " (size short, speed
 * estimated)".
 */
#ifndef LDEN_RULE_TEMPLATE_H
#define LDEN_RULE_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "expr.h"

struct lden_template_part {
	char *text;		/* literal text, or NULL */
	struct lden_expr *e;	/* or a number to put in */
	int pos;		/* byte offset of the expression in the text */
};

struct lden_template {
	struct lden_template_part *parts;
	int nparts;
};

/*
 * lden_template__parse - split @text into literal text and expressions
 * Returns the template (free with lden_template__free()), or NULL with
 * @err pointing into @text ("unclosed '{{'", the expression's own errors).
 */
struct lden_template *lden_template__parse(const char *text,
					  struct lden_expr_error *err);

void lden_template__free(struct lden_template *t);

/* What a value depends on that is not exact: bits of *@marks. */
enum {
	LDEN_TPL_SIZE_STOPPED = 1,	/* a size the guard stopped */
	LDEN_TPL_SIZE_SHORT = 2,	/* a size short of records */
	LDEN_TPL_COUNT_SHORT = 4,	/* a count short of missed hits */
	LDEN_TPL_SPEED_ESTIMATED = 8,	/* a speed that is an average */
};

/*
 * The value of one expression of a template, from the caller's numbers,
 * as text into @buf (a whole number in full, see
 * lden_expr__format_value()); LDEN_TPL_* bits or'ed into *@marks for
 * the numbers it depends on that are not exact.
 */
typedef void (*lden_template_value_fn)(const struct lden_expr *e,
				       unsigned int *marks, void *ctx,
				       char *buf, size_t len);

/*
 * lden_template__render - the text with every expression's value put in
 * Returns a malloc'd string (the caller frees it), or NULL (ENOMEM).
 */
char *lden_template__render(const struct lden_template *t,
			   lden_template_value_fn fn, void *ctx);

/* lden_format_value(): expr.h */

#endif
