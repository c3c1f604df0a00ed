/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lden io --summary: per key (a file, a process) the calls, the bytes read
 * and written, and the latency: total, and p50/p99 from a log-linear
 * histogram (8 buckets per power of two: within 12.5 %).  At most
 * max_keys keys are kept; calls of further keys are summed under
 * "(other)" (so at most max_keys + 1 rows, each 2 KiB of histogram).
 */
#ifndef LDEN_IO_SUMMARY_H
#define LDEN_IO_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LDEN_HIST_BUCKETS 512

struct lden_io_row {
	const char *key;		/* borrowed from the summary */
	uint64_t calls;
	uint64_t errors;
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t lat_total_ns;
	uint64_t lat_min_ns; /* exact, when calls */
	uint64_t lat_max_ns;
	uint32_t hist[LDEN_HIST_BUCKETS];
};

struct lden_io_summary;

/* Returns a summary (free with lden_io_summary__free()) or NULL. */
struct lden_io_summary *lden_io_summary__new(size_t max_keys);

void lden_io_summary__free(struct lden_io_summary *s);

/*
 * What a row's key names, its first byte: a file's path and how it was
 * had, lden's own buckets, or a process.  A path holds any byte but NUL,
 * so that a path read late and an exact one ending in '?', or an exact
 * path "[fd 3]" and the bucket of fd 3, are two keys, never one.
 */
enum lden_io_key_kind {
	LDEN_IO_KEY_EXACT = 'p',	/* a path copied at the call */
	LDEN_IO_KEY_LATE = 'l',		/* a path read afterwards */
	LDEN_IO_KEY_PARTIAL = 'c',	/* a path the kernel's copy may have cut */
	LDEN_IO_KEY_FD = 'f',		/* "[fd N]": a descriptor of unknown path */
	LDEN_IO_KEY_NONE = 'n',		/* "[none]": a call with no descriptor */
	LDEN_IO_KEY_OTHER = 'o',	/* "(other)": past the summary's keys */
	LDEN_IO_KEY_PROCESS = 'k',	/* "comm[pid]" */
};

/*
 * lden_io_summary__add - one call under @key: its kind (enum
 * lden_io_key_kind) then its name
 * Returns 0 or -ENOMEM.
 */
int lden_io_summary__add(struct lden_io_summary *s, const char *key,
			 uint64_t latency_ns, uint64_t bytes_read,
			 uint64_t bytes_written, bool failed);

/*
 * lden_io_summary__rows - the rows, sorted by total latency (by_bytes
 * false) or by bytes read + written, largest first, ties by key
 * Returns a malloc'd array of @n pointers (borrowed rows), or NULL.
 */
const struct lden_io_row **lden_io_summary__rows(struct lden_io_summary *s,
						 bool by_bytes, size_t *n);

/*
 * lden_io_row__quantile - the latency (ns) at quantile @q (0..1) of a
 * row: exact when it is the row's shortest or longest call (a row of one
 * call, the p99 of fewer than 100), else the middle of its histogram
 * bucket (8 a power of two: within 1/16 of the call's), kept between
 * the shortest and the longest; *@exact says which.  0 when empty.
 */
uint64_t lden_io_row__quantile(const struct lden_io_row *r, double q,
			       bool *exact);

/* The histogram bucket of @ns, and the value a bucket stands for. */
int lden_hist_bucket(uint64_t ns);
uint64_t lden_hist_value(int bucket);

#endif
