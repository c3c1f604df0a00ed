/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The expression language of lden notify:
 *
 *   count(task.create) > 100 and size(memory.free) > 500
 *   count(custom(vfs_read)) < 10 & (count(sys.kill) > 5 | speed(disk.read) > 30)
 *   size(disk.write) / count(disk.write) > 4KiB
 *   count(syscalls:sys_exit_openat[ret < 0]) > 10
 *
 * Grammar (lowest precedence first):
 *
 *   expr    := andexpr { ("or" | "|" | "||") andexpr }
 *   andexpr := notexpr { ("and" | "&" | "&&") notexpr }
 *   notexpr := ("not" | "!") notexpr | compare
 *   compare := sum [ (">" | ">=" | "<" | "<=" | "=" | "==" | "<>" | "!=") sum ]
 *   sum     := product { ("+" | "-") product }
 *   product := unary { ("*" | "/" | "%") unary }
 *   unary   := "-" unary | primary
 *   primary := NUMBER [UNIT] | DATA "(" EVENT [ "[" FILTER "]" ] ")" | "(" expr ")"
 *   DATA    := "count" | "size" | "speed"
 *   EVENT   := catalog name (task.create) | SYSTEM:NAME (a tracepoint)
 *            | "custom(" FUNCTION ")" | "uprobe(" PATH ":" SYMBOL ")"
 *   UNIT    := k M G T (x1000) | Ki Mi Gi Ti, KiB MiB GiB TiB (x1024) | B
 *
 * The whole expression must be a condition (a comparison, or conditions
 * joined by and/or/not); sides of a comparison must be numbers.
 */
#ifndef LDEN_EXPR_H
#define LDEN_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "label.h"

enum lden_datum {
	LDEN_COUNT,
	LDEN_SIZE,
	LDEN_SPEED,
};

enum lden_event_kind {
	LDEN_EV_CATALOG,	/* task.create */
	LDEN_EV_TRACEPOINT,	/* sched:sched_switch */
	LDEN_EV_CUSTOM,		/* custom(vfs_read) */
	LDEN_EV_UPROBE,		/* uprobe(/bin/bash:readline) */
};

/* A distinct event of the expression (same kind, name and filter). */
struct lden_expr_event {
	enum lden_event_kind kind;
	char *name;		/* catalog name, "sys:name", function, or path */
	char *symbol;		/* uprobe only */
	char *filter;		/* from EVENT[FILTER], or NULL */
	bool need_size;		/* size() is used on it */
	bool need_count;	/* count() is used on it */
	bool need_speed;	/* speed() is used on it */
	int pos;		/* byte offset of its first use, for errors */
	int len;
};

struct lden_expr_node;

struct lden_expr {
	struct lden_expr_node *root;
	struct lden_expr_event *events;
	int nevents;
	char *text;
};

/*
 * An error: the message, and the byte range of the input it points at
 * (for the caret line).
 */
struct lden_expr_error {
	char msg[512];
	int pos;
	int len;
};

/*
 * lden_expr__parse - parse @text
 * Returns the expression (free with lden_expr__free()), or NULL with @err.
 * Event names are not checked here: see lden_expr_error__at().
 */
struct lden_expr *lden_expr__parse(const char *text, struct lden_expr_error *err);

/*
 * lden_expr__parse_number - the same grammar for a number rather than a
 * condition ("speed(task.create)", "size(disk.read) / 1Mi"), for the
 * values rules interpolate into their text (rule-template.h)
 * Returns the expression (free with lden_expr__free()), or NULL with @err.
 */
struct lden_expr *lden_expr__parse_number(const char *text,
					 struct lden_expr_error *err);

void lden_expr__free(struct lden_expr *e);

/* The values of one event at evaluation time. */
struct lden_expr_values {
	double count;
	double size;
	double speed;
	/*
	 * exact: count and size are icount and isize, whole (a double holds
	 * a uint64_t exactly only below 2^53); else the doubles are read
	 */
	bool exact;
	uint64_t icount;
	uint64_t isize;
};

/* Evaluates the condition; @vals is indexed like e->events. */
bool lden_expr__eval(const struct lden_expr *e,
		    const struct lden_expr_values *vals);

/*
 * lden_expr__value - the value of a number expression (NaN for 0/0);
 * a condition gives 1 or 0
 */
double lden_expr__value(const struct lden_expr *e,
		       const struct lden_expr_values *vals);

/*
 * lden_expr__format_value - the value as text into @buf: a whole number
 * known exactly in full (count and size past 2^53 given exact, their
 * sums, products, quotients that divide); any other is a double, written
 * by lden_format_value(), and marked '~' with 17 digits where a number
 * past 2^53 went into it ("size(x) / 4"); "overflow" where a size it
 * reads passed 2^64 - 1 (isize UINT64_MAX: number.h).  In conditions
 * such a size is 2^64 - 1, its least value: "size(x) > N" holds and
 * "size(x) < N" does not, for any N below 2^64 - 1.
 */
void lden_expr__format_value(const struct lden_expr *e,
			     const struct lden_expr_values *vals, char *buf,
			     size_t len);

/*
 * lden_format_value - @v into @buf: a whole number below 2^53 in full,
 * one past it (which a double may hold rounded) marked '~' with 17
 * digits, others with at most 3 decimals ("NaN", "+Inf")
 */
void lden_format_value(double v, char *buf, size_t len);

/*
 * lden_expr_error__at - set @err to @msg pointing at @ev's first use
 */
void lden_expr_error__at(struct lden_expr_error *err,
			const struct lden_expr_event *ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * lden_expr__format_error - "MESSAGE\n  TEXT\n  ^~~~" into @buf (no final
 * newline), the caret under the range the error points at.
 */
void lden_expr__format_error(const char *text,
			    const struct lden_expr_error *err, char *buf,
			    size_t len);

/*
 * lden_filter_check - whether @f is one kernel filter that can be joined
 * as "(other) && (f)": its parentheses balanced outside quoted strings,
 * so that it cannot close the other's, and every string closed.
 * Returns 0, or -1 with *@at the offset of the byte at fault and *@why a
 * static phrase ("unbalanced ')'", "unclosed '('", "unterminated string").
 */
int lden_filter_check(const char *f, int *at, const char **why);

/*
 * lden_filter_and - "(a) && (b)", or a copy of the one that is not NULL
 * (NULL when both are).  Returns NULL with errno EINVAL when a part fails
 * lden_filter_check(), ENOMEM when out of memory; malloc'd.
 */
char *lden_filter_and(const char *a, const char *b);

/*
 * lden_comm_fault - what makes @comm no process name a kernel filter can
 * match exactly (a static phrase), or NULL: empty, longer than the 15
 * bytes the kernel keeps of a name, a control character, or both quote
 * characters (a filter's string has no escapes: one holding '"' is
 * quoted with '\'', and one holding both cannot be written).
 */
const char *lden_comm_fault(const char *comm);

/*
 * lden_comm_filter - the kernel filter "COMM == NAME" for @comm, which
 * lden_comm_fault() passed, into @buf (at least 24 bytes)
 */
void lden_comm_filter(const char *comm, char *buf, size_t len);

/*
 * lden_expr_event__label - the label users see for an event into @buf:
 * "task.create", "custom(vfs_read)", "sys.open[flags == 0]"
 * Returns its length, as snprintf() does: @len or more when it did not
 * fit (an event lden_expr__parse() returned always fits LDEN_LABEL_LEN).
 */
size_t lden_expr_event__label(const struct lden_expr_event *ev, char *buf,
			      size_t len);

#endif
