/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names the kernel gives a field's values in its event's print
 * format: __print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, ...).
 * Read from events/SYSTEM/NAME/format, so they are this kernel's.
 */
#ifndef LDEN_SYMBOLIC_H
#define LDEN_SYMBOLIC_H

#include <stddef.h>
#include <stdint.h>

struct lden_symbolic;

/*
 * lden_symbolic__parse - the table of @field in a format file's text
 * Returns the table (free with lden_symbolic__free()), or NULL with errno
 * ENOENT (the print format names no symbols for @field) or ENOMEM.
 */
struct lden_symbolic *lden_symbolic__parse(const char *format_text,
					  const char *field);

/* The same, reading TRACING_DIR/events/SYSTEM/NAME/format. */
struct lden_symbolic *lden_symbolic__load(const char *tracing_dir,
					 const char *system, const char *name,
					 const char *field);

void lden_symbolic__free(struct lden_symbolic *t);

/* The name of @value (borrowed), or NULL when the table has none. */
const char *lden_symbolic__name(const struct lden_symbolic *t, int64_t value);

/* The value named @name; 0 when found, -ENOENT otherwise. */
int lden_symbolic__value(const struct lden_symbolic *t, const char *name,
			int64_t *value);

#endif
