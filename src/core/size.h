/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Size expressions of the catalog: integer arithmetic over a record's
 * fields ("bytes_req", "nr_sector * 512", "PAGE_SIZE << order"), compiled
 * once against an event's format, evaluated per sample (size.c).
 */
#ifndef LDEN_SIZE_H
#define LDEN_SIZE_H

#include <stddef.h>
#include <stdint.h>

struct ltr_event;
struct ltr_sample;
struct lden_size_expr;

/*
 * lden_size_compile - parse @text; field names are looked up in @ev's
 * format (so the expression is checked against the live kernel)
 * Returns the compiled expression (free with lden_size_free()), or NULL
 * with @err set.
 */
struct lden_size_expr *lden_size_compile(const char *text,
					 struct ltr_event *ev,
					 char *err, size_t errlen);
/* Checks syntax only, against no event: 0 or -1 with @err set. */
int lden_size_check(const char *text, char *err, size_t errlen);
/* The value for one sample; 0 when a field cannot be read. */
uint64_t lden_size_eval(const struct lden_size_expr *e,
			const struct ltr_sample *s);
void lden_size_free(struct lden_size_expr *e);

#endif
