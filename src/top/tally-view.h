/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How lden top shows a tally: a block per interval under a timestamp
 * line (redrawn in place in a terminal), or one JSON object.
 */
#ifndef LDEN_TALLY_VIEW_H
#define LDEN_TALLY_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct lden_tally;

/*
 * A key column's text at most: a cgroup's path (PATH_MAX bytes; a longer
 * one is not resolved: unavailable) escaped, 4 bytes for each, and its
 * mark.  Cut shorter, two paths alike in their first bytes were one row.
 */
#define LDEN_TALLY_KEY_MAX (4 * 4096 + 8)

struct lden_tally_view {
	/*
	 * space-separated, the key columns first; value columns named
	 * *_KB show bytes / 1024 (in JSON: *_bytes, exact)
	 */
	const char *columns;
	int nkeys, nvalues;
	/*
	 * key columns (bit per column) read at arrival, "V?" or "?": in
	 * JSON "name": V or null and "name_source": "late" or "unavailable"
	 */
	unsigned int late_keys;
	/*
	 * key columns (bit per column) stored escaped (lden_escape__text):
	 * shown as they are, read back to their bytes in JSON ("NAME_hex"
	 * too when they are not UTF-8)
	 */
	unsigned int escaped_keys;
	/*
	 * of those, the ones with a provenance mark (lden_row__add_str's):
	 * "V" exact, "V?" late (a '?' of V's own escaped), "?" unavailable
	 * (shown as none_text, "?" when NULL); in JSON "name_source"
	 */
	unsigned int marked_keys;
	const char *none_text;
	/*
	 * key columns (bit per column) of processes, stored "PID", or
	 * "PID.N" for the N-th process lden saw start with that pid, a '?'
	 * after when not known exactly which (lden_comms__process()); with
	 * @latest(@ctx, PID), the number of the pid's last process: an older
	 * one shows "PID(exited)" ("PID(exited-K)": K processes back); in
	 * JSON "pid" (the number, text as before), "pid_process": N,
	 * "pid_exited", "pid_source": "exact" or "unsure"
	 */
	unsigned int proc_keys;
	uint64_t (*latest)(void *ctx, unsigned long pid);
	void *ctx;
	/* a key lden names itself (the guard's one row): no "name_source" */
	const char *own_key;
	int sort_col;		/* a value column */
	long rows;		/* the largest ROWS, 0: all */
	bool json;
	bool tty;		/* clear the screen first */
	double interval;
	/*
	 * the header's lost records as words ("lost 3; lden's process
	 * tracker lost 2 (...)"), or NULL: "lost N"; in JSON beside "lost"
	 * (all): "lost_events" and "lost_tracker" when @lost_split, else
	 * "lost_split": false when @lost_tracked (a tracker was attached)
	 */
	const char *lost_text;
	bool lost_split, lost_tracked;
	uint64_t lost_events, lost_tracker;
	/*
	 * with @doubted(@ctx, KEY) true, the row's records may be missing
	 * (a process given a reused id: ltr_session__follow_doubt()), its
	 * numbers may be short: shown "3+", a legend line under the table;
	 * in JSON "records_may_be_missing": true.  NULL: none
	 */
	bool (*doubted)(void *ctx, const char *key);
	/* JSON members added to each block, "{"guard":[...]}", or NULL */
	const char *json_extra;
};

/* The @i-th column name of @columns, into @buf. */
void lden_tally__column(const char *columns, int i, char *buf, size_t len);

/* Prints the tally, sorted; @lost: records the kernel dropped so far. */
void lden_tally__print(FILE *out, struct lden_tally *t,
		      const struct lden_tally_view *v, const char *when,
		      uint64_t lost);

#endif
