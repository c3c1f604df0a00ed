/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-event numbers as LDEN defines them: count and size cumulative since
 * the start, speed the events of the last second (a sliding window, so it
 * falls back to 0 when the events stop).
 */
#ifndef LDEN_AGGREGATE_H
#define LDEN_AGGREGATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "label.h"

#define LDEN_WINDOW_SLOTS 256

struct lden_window {
	/* (time, count) at each tick, oldest first, in a ring */
	double t[LDEN_WINDOW_SLOTS];
	uint64_t count[LDEN_WINDOW_SLOTS];
	int head;	/* next slot to write */
	int n;
	/*
	 * The last speed is an estimate, the average per second over
	 * @span seconds: no tick was about a second old (lden stopped or
	 * late, a long --interval, or ticks too short for the ring)
	 */
	bool estimated;
	double span;
	bool young;	/* estimated: the span is the whole run, under a second */
};

/* A base tick up to this much over a second old still gives "the last
 * second" (the ticks' own jitter); older, the speed is an average. */
#define LDEN_WINDOW_SLACK 0.25

struct lden_stat {
	char label[LDEN_LABEL_LEN];
	bool has_size;
	uint64_t count;
	uint64_t size;
	double speed;
	uint64_t lost;
	/*
	 * lost counts a ring shared with other events (the ftrace ring):
	 * "*" after it in the table, "lost_shared":true in JSON
	 */
	bool lost_shared;
	/*
	 * Hits its kprobes could not record (lden_attached__missed): count
	 * and size are short by up to this many, shown as ">=N" and said
	 * under the table
	 */
	uint64_t missed;
	/*
	 * of missed, the drops of the ftrace ring that a count from its
	 * records may lack (lden_attached__count_short)
	 */
	uint64_t short_records;
	/*
	 * summed in the kernel (a hist trigger): its lost are hits its
	 * table had no room for, counted and not summed (said under the
	 * table)
	 */
	bool size_in_kernel;
	/* a joined size (memory.free): occurrences whose size is unknown */
	bool joined;
	uint64_t unsized;
	struct lden_window win;
	/*
	 * The overhead guard stopped sampling it: size is frozen, shown as
	 * "-" in the table with @note under it, "size_valid":false in JSON
	 */
	bool size_stopped;
	char note[240];
};

/*
 * lden_window__push - record the count at time @t (seconds, monotonic) and
 * return the events of the last second: the count now minus the count at
 * the newest tick at least one second old.  When that tick is more than a
 * second (and LDEN_WINDOW_SLACK) old, or there is no tick a second old (a
 * run younger than a second: @w->young; or a full ring), the events of the
 * last second are not known: the average per second over the span there
 * is, with @w->estimated and @w->span set.
 */
double lden_window__push(struct lden_window *w, double t, uint64_t count);

/*
 * The table ENAME COUNT SIZE SPEED [LOST] [MISSED], and the notes under it:
 * stopped sizes, shared losses, misses, unsized occurrences.
 */
void lden_print_table(FILE *out, const struct lden_stat *st, int n);

/*
 * lden_label__text - @label for a line of text: escaped as escape.h says,
 * a space as "\x20" too (a filter's spaces and newlines would split its
 * row or shift the columns after it)
 * Returns a malloc'd string (free()), or NULL when out of memory.
 */
char *lden_label__text(const char *label);

/* lden_label__text() of @label to @out, padded to @width columns. */
void lden_label__print(FILE *out, const char *label, int width);

/* One JSON array of the stats, no newline. */

/*
 * lden_lost_total - the records lost over @n events: a ring shared by
 * several of them counted once
 */
uint64_t lden_lost_total(const struct lden_stat *st, int n);
void lden_print_json_stats(FILE *out, const struct lden_stat *st, int n);

/* A JSON string literal. */
void lden_json_string(FILE *out, const char *s);

/* ,"NAME_hex":"..." the bytes of @s in hex when they are not UTF-8 */
void lden_json_hex(FILE *out, const char *name, const char *s);

/*
 * lden_json_bytes - ,"NAME":@s as valid UTF-8 (lden_json_string()), and
 * ,"NAME_hex": its exact bytes when they are not (lden_json_hex())
 */
void lden_json_bytes(FILE *out, const char *name, const char *s);

/*
 * lden_env_name - "task.create" -> "TASK_CREATE", for environment
 * variables LDEN_<NAME>_COUNT etc.
 */
void lden_env_name(const char *label, char *buf, size_t len);

/*
 * lden_env_name_among - the name of the @i-th of @n labels, the first at
 * @labels and each @stride bytes after the one before (a field of an
 * array of structs): lden_env_name()'s, unless another label of the @n
 * has the same one ("x[ret < 0]" and "x[ret >= 0]" both give X_RET_0),
 * then followed by "__" and the label's place among those that share it,
 * from 1 (X_RET_0__1, X_RET_0__2: lden_env_name() never writes "__", so
 * no other label's name is one of these)
 */
void lden_env_name_among(const char *labels, size_t stride, int n, int i,
			 char *buf, size_t len);

/*
 * A buffer that holds lden_env_name_among()'s name of any label whole,
 * with its "__N": a name is never longer than its label
 */
#define LDEN_ENV_NAME_LEN (LDEN_LABEL_LEN + 16)

#endif
