/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One line of lden trace: named cells (time, cpu, pid, comm, then an
 * event's fields or a recipe's columns), each a formatted value, and the
 * same as a JSON object.  Decoding a sample's fields into cells is here
 * too: numbers in decimal, addresses in hex, strings as they are.
 */
#ifndef LDEN_ROW_H
#define LDEN_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ltr_sample;
struct ltr_field;
struct ltr_event;
struct json_object;

#define LDEN_ROW_CELLS 64

struct lden_cell {
	const char *name;	/* borrowed: a literal or a field's name */
	const char *text;	/* inside the row's buffer, raw bytes */
	bool number;		/* a JSON number, not a string */
	/*
	 * a string from a traced program: how it was obtained (enum
	 * lden_prov), or -1 for any other cell
	 */
	signed char prov;
};

#define LDEN_ROW_BUF 16384

struct lden_row {
	int n;
	struct lden_cell c[LDEN_ROW_CELLS];
	size_t used;
	char buf[LDEN_ROW_BUF];
};

/*
 * lden_row__format()'s longest line: every byte escaped ("\xHH"), and
 * each cell's name, '=', quotes and space (a field's name is a C
 * identifier: far under 120 bytes)
 */
#define LDEN_ROW_TEXT_MAX (4 * LDEN_ROW_BUF + LDEN_ROW_CELLS * 128)

void lden_row__reset(struct lden_row *r);

/* Adds a cell; a value that does not fit is cut. -ENOSPC: no cell left. */
int lden_row__add(struct lden_row *r, const char *name, bool number,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * lden_row__add_str - a string a program passed (a path, an argument
 * list) with its provenance @prov (enum lden_prov): shown as it is when
 * exact, followed by '?' when read late, as a lone '?' (JSON null) when
 * unavailable; JSON adds "NAME_source"
 */
int lden_row__add_str(struct lden_row *r, const char *name, const char *s,
		     int prov);

/*
 * lden_row__add_num - a decimal number @num with its provenance @prov, as
 * lden_row__add_str() marks it (a number in JSON, null when unavailable)
 */
int lden_row__add_num(struct lden_row *r, const char *name, const char *num,
		     int prov);

/* The text of the cell @name, or NULL. */
const char *lden_row__get(const struct lden_row *r, const char *name);

/*
 * lden_row__add_field - a field of @s as a cell named after it: signed or
 * unsigned decimal, "0x..." for pointers, the text of strings, hex bytes
 * for other arrays.
 */
int lden_row__add_field(struct lden_row *r, const struct ltr_field *f,
		       const struct ltr_sample *s);

/*
 * lden_row__add_fields - every field of @s's event but the common_*
 * header, or only those named in @only (NULL-terminated, may be NULL).
 * Returns how many were added.
 */
int lden_row__add_fields(struct lden_row *r, const struct ltr_sample *s,
			const char *const *only);

/*
 * lden_row__format()'s stack buffer for a cell's escaped text: a value of
 * up to (LDEN_ROW_CELL_STACK - 8) / 4 bytes needs no allocation
 */
#define LDEN_ROW_CELL_STACK 4096

/*
 * lden_row__format - the cells from @from on as text: "name=value" when
 * @named, else the values alone, separated by spaces; empty values and
 * values with a '"' are quoted when @named.  Strings are escaped
 * (escape.h), their spaces too ("\x20"), so that none splits a value.
 * Never cut in LDEN_ROW_TEXT_MAX bytes; in fewer, a line that does not fit
 * ends in " [cut]" (never a value silently shortened).
 */
void lden_row__format(const struct lden_row *r, int from, bool named,
		     char *out, size_t len);

/*
 * A recipe's lines: "TIME" and @columns (space-separated) as a header,
 * then the cells of each row under them (time 15 wide, then 7 but the
 * last); a space of a cell is "\x20" (escape.h) but in the last, which
 * runs to the end of the line.
 */
void lden_row__print_header(FILE *out, const char *columns);
void lden_row__print_columns(FILE *out, const struct lden_row *r);

/*
 * A new JSON object of every cell (put it with json_object_put()); the
 * cells from @nest_from on (-1: none) go in an object "fields", so that
 * an event's own "pid" or "comm" cannot clash with the header's.  Strings
 * that are not well-formed UTF-8 show U+FFFD for each wrong byte, and
 * their exact bytes in hex in "NAME_hex".
 */
struct json_object *lden_row__json(const struct lden_row *r, int nest_from);

#endif
