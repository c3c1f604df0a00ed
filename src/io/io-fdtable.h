/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each traced process's file descriptors refer to, as lden io learns
 * it from the calls it sees: an open names its new fd, dup and fcntl
 * F_DUPFD copy an entry, close removes it, the process's exit drops its
 * table.  A descriptor opened before tracing began is looked up once in
 * /proc/PID/fd and remembered.  Each thread also has its name (comm).
 *
 * Processes made with clone(CLONE_FILES) share one table, as the kernel
 * has them do, until one unshares it (unshare(CLONE_FILES), exec).
 *
 * Memory is bounded: at most max_procs processes (the least recently
 * used one is evicted for a new one) and max_fds entries over all
 * processes (an entry beyond that is not kept; a later lookup falls
 * back to /proc); paths are kept up to LDEN_IO_PATH_MAX - 1 bytes.
 */
#ifndef LDEN_IO_FDTABLE_H
#define LDEN_IO_FDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct lden_io_fdtable;

/* Whether an exec closes an fd (O_CLOEXEC, FD_CLOEXEC). */
enum lden_io_cloexec {
	LDEN_IO_INHERITED,		/* kept across exec */
	LDEN_IO_CLOEXEC,		/* closed by exec */
	LDEN_IO_CLOEXEC_UNKNOWN,	/* not known: dropped at exec */
};

struct lden_io_fdtable_stats {
	uint64_t procs;			/* now */
	uint64_t fds;			/* entries now */
	uint64_t procs_evicted;		/* for a newer process, at max_procs */
	uint64_t fds_refused;		/* not kept, at max_fds */
	uint64_t proc_lookups;		/* fds resolved through /proc */
	uint64_t proc_failures;		/* ... that failed (fd or process gone) */
};

/* Returns a table (free with lden_io_fdtable__free()) or NULL (ENOMEM). */
struct lden_io_fdtable *lden_io_fdtable__new(size_t max_procs, size_t max_fds);

void lden_io_fdtable__free(struct lden_io_fdtable *t);

/*
 * lden_io_fdtable__set - @fd of @pid now refers to @path (an open)
 * @path: NULL or "" when not known: the fd is then known to refer to
 *	something new, and calls on it are not named
 * @exact: the path was copied at the call (strcap.h), not read later
 * @cloexec: whether an exec closes it
 * Returns 0, or -ENOSPC (max_fds entries kept: counted in fds_refused),
 * -ENOMEM.
 */
int lden_io_fdtable__set(struct lden_io_fdtable *t, pid_t pid, int fd,
			 const char *path, bool exact,
			 enum lden_io_cloexec cloexec);

/*
 * Whether the table's entry for @fd of @pid came from a path copied at
 * the call (entries from /proc, or from late reads, are not), and was
 * set after any loss of io's records (lden_io_fdtable__unsure()).
 */
bool lden_io_fdtable__exact(struct lden_io_fdtable *t, pid_t pid, int fd);

/*
 * Whether the table's entry for @fd of @pid was set before records of
 * io's events were lost (lden_io_fdtable__unsure_before()): the fd may
 * have been closed and reopened since, unseen.
 */
bool lden_io_fdtable__unsure(struct lden_io_fdtable *t, pid_t pid, int fd);

/* The time of the record being handled: the entries set now have it. */
void lden_io_fdtable__at(struct lden_io_fdtable *t, uint64_t time);

/*
 * Records of io's events were lost before @time: every entry set by an
 * older record is no longer exact (lden_io_fdtable__exact() false), and
 * lden_io_fdtable__path() reads it again from /proc (late); an entry set
 * by a newer record (a new open, dup) is exact as before.
 */
void lden_io_fdtable__unsure_before(struct lden_io_fdtable *t, uint64_t time);

/*
 * lden_io_fdtable__path - what @fd of @pid refers to
 * Looks in the table, then in /proc/PID/fd/FD (and keeps the answer,
 * or that there was none, until the fd is opened or closed); an entry
 * set before a loss (lden_io_fdtable__unsure()) is read again there.
 * Returns a borrowed string valid until the next change to @t, or NULL
 * when neither knows.
 */
const char *lden_io_fdtable__path(struct lden_io_fdtable *t, pid_t pid,
				  int fd);

/* How the table came by the name of an fd (lden_io_fdtable__lookup()). */
struct lden_io_fdref {
	bool exact;		/* as lden_io_fdtable__exact() */
	uint64_t read_at;	/* read from /proc then (lden_now_ns()), or 0 */
	uint64_t files;		/* the descriptor table's id (change notes) */
};

/*
 * lden_io_fdtable__lookup - what @fd of @pid refers to now, in one look
 * The table's entry, or, when it was set before records of io's were
 * lost, /proc's now (late), as lden_io_fdtable__path() reads it; @ref
 * says how it was had.  Returns a borrowed string, or NULL.
 */
const char *lden_io_fdtable__lookup(struct lden_io_fdtable *t, pid_t pid,
				    int fd, struct lden_io_fdref *ref);

/*
 * lden_io_fdtable__changed - as its record arrives (before it is put in
 * time order): @fd of @pid (-1: every fd, an exec or a close_range) was
 * closed, opened or replaced by a call at @time (the record's)
 * Names read from /proc at arrival see the fds as they are then, not as
 * they were at the call: lden_io_fdtable__changed_between() tells when
 * the fd changed in between.  Kept per descriptor table (processes that
 * share one share their notes), the last few times of each fd; bounded
 * (past 16384 fds noted they start afresh: a call before that is then
 * taken as changed).
 */
void lden_io_fdtable__changed(struct lden_io_fdtable *t, pid_t pid, int fd,
			      uint64_t time);

/*
 * Whether a change of @fd in the table @files (lden_io_fdref.files) was
 * noted at a time in (@after, @before), or may have been (forgotten).
 */
bool lden_io_fdtable__changed_between(const struct lden_io_fdtable *t,
				      uint64_t files, int fd, uint64_t after,
				      uint64_t before);

/* The table's entry only, no /proc lookup; borrowed, or NULL. */
const char *lden_io_fdtable__get(struct lden_io_fdtable *t, pid_t pid,
				 int fd);

/*
 * dup, dup2, dup3, F_DUPFD: @newfd refers to what @oldfd does, with its
 * own @cloexec; not known when @oldfd is not (then -ENOENT, @newfd's
 * entry replaced all the same).
 */
int lden_io_fdtable__dup(struct lden_io_fdtable *t, pid_t pid, int oldfd,
			 int newfd, enum lden_io_cloexec cloexec);

/* fcntl F_SETFD: whether an exec closes @fd. */
void lden_io_fdtable__set_cloexec(struct lden_io_fdtable *t, pid_t pid,
				  int fd, enum lden_io_cloexec cloexec);

/* close_range(CLOSE_RANGE_CLOEXEC): an exec closes every fd in range. */
void lden_io_fdtable__cloexec_range(struct lden_io_fdtable *t, pid_t pid,
				    unsigned int lo, unsigned int hi);

/*
 * The process exec'd: the fds an exec closes (or that may be) are gone,
 * so that a new file with one of their numbers is not named after them.
 */
void lden_io_fdtable__exec(struct lden_io_fdtable *t, pid_t pid);

/* close: @fd is gone. */
void lden_io_fdtable__close(struct lden_io_fdtable *t, pid_t pid, int fd);

/* close_range: every fd in [@lo, @hi] is gone. */
void lden_io_fdtable__close_range(struct lden_io_fdtable *t, pid_t pid,
				  unsigned int lo, unsigned int hi);

/*
 * A new process @child of @parent (fork, vfork, clone without
 * CLONE_THREAD): it has a copy of its parent's descriptors, named as
 * exactly as the parent's are; with @share (clone(CLONE_FILES)) it has
 * its parent's table itself, not a copy: a close or an open in either
 * is the other's too, until one unshares it (lden_io_fdtable__unshare())
 * or exits.  Returns 0, -ENOSPC or -ENOMEM (then some are not copied:
 * their calls are looked up in /proc, late).
 */
int lden_io_fdtable__fork(struct lden_io_fdtable *t, pid_t parent,
			  pid_t child, bool share);

/*
 * @pid has a table of its own now, a copy of the one it shared
 * (unshare(CLONE_FILES), close_range(CLOSE_RANGE_UNSHARE); exec does it
 * itself): nothing when it shared none.  Returns 0, -ENOSPC or -ENOMEM
 * (as lden_io_fdtable__fork()).
 */
int lden_io_fdtable__unshare(struct lden_io_fdtable *t, pid_t pid);

/* The process exited: its table is dropped. */
void lden_io_fdtable__drop(struct lden_io_fdtable *t, pid_t pid);

/*
 * The name of the thread @tid read from /proc/TID/comm when first asked
 * for, late ("?" when the thread was already gone, or past 65536 names
 * kept), or the one its exit record carried (lden_io_fdtable__name());
 * borrowed, valid until the next change.  The tasks lden saw start or
 * rename are named by comms.h.
 */
const char *lden_io_fdtable__comm(struct lden_io_fdtable *t, pid_t tid);

/* Whether @tid's name came from its exit record, not from /proc. */
bool lden_io_fdtable__comm_exact(struct lden_io_fdtable *t, pid_t tid);

/*
 * Names the thread @tid @comm when its name is not known ("?": it was
 * gone when first asked for), e.g. from the comm its exit record carries.
 */
void lden_io_fdtable__name(struct lden_io_fdtable *t, pid_t tid,
			   const char *comm, size_t len);

/* The thread @tid exited: its name is dropped. */
void lden_io_fdtable__forget(struct lden_io_fdtable *t, pid_t tid);

/* Borrowed counters. */
const struct lden_io_fdtable_stats *
lden_io_fdtable__stats(const struct lden_io_fdtable *t);

#endif
