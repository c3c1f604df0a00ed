/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SystemTap's thread_indent() for lden trace socket: per thread, the
 * calls it is inside (a stack of function numbers) and the time of its
 * first event.  Fed entries and returns in each thread's time order, it
 * says at which depth each line goes, and what the records do not say:
 * an entry whose return never came (lost, or missed by a kretprobe) is
 * closed, marked, when a return further out arrives; a return whose entry
 * never came is shown, marked, where it arrived, without moving the
 * depth.  Depth stays within the calls really seen.
 */
#ifndef LDEN_INDENT_H
#define LDEN_INDENT_H

#include <stdbool.h>
#include <stdint.h>

#define LDEN_INDENT_MAX 32	/* nesting kept per thread */

enum lden_indent_mark {
	LDEN_INDENT_OK,
	LDEN_INDENT_NO_RETURN,	/* an entry closed without its return */
	LDEN_INDENT_NO_ENTRY,	/* a return without its entry */
};

struct lden_indent_line {
	uint64_t since_ns;	/* since the thread's first event */
	int depth;		/* indentation level, 0 outermost */
	int func;
	bool entry;
	enum lden_indent_mark mark;
};

struct lden_indent;

/* A table for at most @max_threads threads; NULL when out of memory. */
struct lden_indent *lden_indent__new(int max_threads);
void lden_indent__free(struct lden_indent *in);

/*
 * lden_indent__feed - an entry (@entry) or return of @func by @tid at
 * @time (ns)
 * @nests: whether calls nest (kprobes); when not (system calls), an entry
 *         while the thread is inside a call closes that call first
 * @lines: out: up to LDEN_INDENT_MAX + 1 lines, in order: the calls
 *         closed without a return, then the event's own line
 *
 * Returns how many lines, or -ENOSPC when the thread table is full (the
 * event's line is then written alone, at depth 0, marked as a lone
 * return for returns).
 */
int lden_indent__feed(struct lden_indent *in, int32_t tid, uint64_t time,
		     int func, bool entry, bool nests,
		     struct lden_indent_line *lines);

/* The thread exited: its tid may come back as another thread. */
void lden_indent__forget(struct lden_indent *in, int32_t tid);

/* Calls entered and not returned from, over every thread (at the end). */
uint64_t lden_indent__open_calls(struct lden_indent *in);

#endif
