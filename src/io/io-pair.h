/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pairing a system call's enter and exit records per thread.
 *
 * A thread is in at most one system call, so an enter record is kept
 * under its tid until the exit record of the same thread arrives.  What
 * does not pair is counted, never guessed at: an exit with no enter (the
 * call began before tracing did, or the enter was lost), an enter that
 * a second enter replaces (its exit was lost), an exit of another call
 * than the one entered.  At most @max_pending calls are kept: when that
 * many threads are inside a call, further enters are refused and counted.
 *
 * Records must come in time order per thread (see sample-order.h).
 */
#ifndef LDEN_IO_PAIR_H
#define LDEN_IO_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest path kept, with its NUL; longer ones are cut and end in "..." */
#define LDEN_IO_PATH_MAX 4096

struct lden_io_call {
	uint32_t tid;
	uint32_t pid;
	/* the process was not known: pid is the thread's id (the caller's) */
	bool pid_unknown;
	int sys;			/* the caller's syscall id */
	uint64_t enter_ns;
	/* the enter record's cgroup id, when it carries one (has_cgroup;
	 * the caller's) */
	bool has_cgroup;
	uint64_t cgroup;
	uint64_t args[8];		/* the caller's argument slots */
	/* the caller's: a read or write's fd named at its enter, in path */
	bool fd_named;
	bool fd_exact;
	/* ... its name read from /proc then (0: not), in table fd_files */
	uint64_t fd_read_at;
	uint64_t fd_files;
	char path[LDEN_IO_PATH_MAX];	/* the caller's strings, read at enter */
	char path2[LDEN_IO_PATH_MAX];
};

struct lden_io_pair_stats {
	uint64_t enters;
	uint64_t exits;
	uint64_t paired;
	uint64_t exit_without_enter;
	uint64_t enter_without_exit;	/* replaced by a later enter */
	uint64_t other_syscall;		/* exit of another call than entered */
	uint64_t refused;		/* enters refused: max_pending reached */
	uint64_t dropped;		/* pending calls of threads that exited */
};

struct lden_io_pairer;

/*
 * lden_io_pairer__new - an empty pairer holding at most @max_pending calls
 * Returns it (free with lden_io_pairer__free()), or NULL (ENOMEM).
 */
struct lden_io_pairer *lden_io_pairer__new(size_t max_pending);

void lden_io_pairer__free(struct lden_io_pairer *p);

/*
 * lden_io_pairer__enter - an enter record of @tid
 * Returns the pending call (tid, pid, sys and enter_ns set, the rest
 * zeroed) for the caller to fill, valid until the next call on @p; or
 * NULL when max_pending calls are pending (counted in refused).
 */
struct lden_io_call *lden_io_pairer__enter(struct lden_io_pairer *p,
					   uint32_t tid, uint32_t pid, int sys,
					   uint64_t time_ns);

/*
 * lden_io_pairer__exit - the exit record of @tid's call @sys
 * @out: gets the call entered, when it pairs
 * Returns 0 when it pairs, -ENOENT (no enter pending), -EPROTO (the
 * pending enter was another call; both are dropped).
 */
int lden_io_pairer__exit(struct lden_io_pairer *p, uint32_t tid, int sys,
			 struct lden_io_call *out);

/* A thread exited: forget its pending call, if any (counted in dropped). */
void lden_io_pairer__drop(struct lden_io_pairer *p, uint32_t tid);

/* Calls pending now (in flight). */
size_t lden_io_pairer__pending(const struct lden_io_pairer *p);

/* Borrowed counters. */
const struct lden_io_pair_stats *
lden_io_pairer__stats(const struct lden_io_pairer *p);

/* Mismatches: the sum of the three kinds above. */
uint64_t lden_io_pair__mismatches(const struct lden_io_pair_stats *st);

#endif
