/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine of lden io: the file I/O syscall tracepoints opened in
 * sampling mode in one session, their records put in time order, enter
 * and exit paired per thread, the per-process fd table kept, and one
 * lden_io_event handed out per completed call.
 */
#ifndef LDEN_IO_TRACE_H
#define LDEN_IO_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "io-pair.h"
#include "io-fdtable.h"
#include "io-syscalls.h"
#include "strcap.h"

struct ltr_session;
struct ltr_sample;
struct lden_nsinfo;

/* Bounds on what the engine keeps (see lden-io(8), MEMORY). */
#define LDEN_IO_MAX_PROCS 4096
#define LDEN_IO_MAX_FDS 32768
#define LDEN_IO_MAX_PENDING 8192
#define LDEN_IO_ORDER_RECORDS 65536
#define LDEN_IO_ORDER_BYTES (8u << 20)
#define LDEN_IO_MAX_TASKS 64

struct lden_io_opts {
	/* processes (all their threads) or threads named alone, with their
	 * children when inherit; or none: the whole machine but @self */
	pid_t tasks[LDEN_IO_MAX_TASKS];
	int ntasks;
	bool inherit;
	pid_t self;
	/* with no tasks: only the tasks of this cgroup (its directory) */
	const char *cgroup;
	/* data pages per CPU ring (0: the session's default) */
	unsigned int ring_pages;
	/* how open paths are obtained (strcap.h), for the command's scope */
	enum lden_strings strings;
	const struct lden_scope_opts *scope;
	/*
	 * at a call's records' arrival: whether to keep them (--netns),
	 * and the namespaces of its task (read then, shown with the event);
	 * NULL: all kept, none shown
	 */
	bool (*keep)(const struct ltr_sample *s, void *ctx);
	const struct lden_nsinfo *(*ns_of)(void *ctx, pid_t tid);
	void *ns_ctx;
	/*
	 * ns_of only for the records that carry no cgroup id (the container
	 * alone is shown: from the id where there is one)
	 */
	bool ns_unless_cgroup;
	/* at a call's enter record's arrival, its cgroup id (when it has
	 * one), with ns_ctx; NULL: none asked */
	void (*cgroup_seen)(void *ctx, uint64_t cgroup_id);
};

/* One completed call. */
struct lden_io_event {
	uint64_t enter_ns;		/* CLOCK_MONOTONIC */
	uint64_t latency_ns;		/* exit time - enter time */
	uint32_t pid, tid;
	/*
	 * the process could not be told (the ftrace ring after a loss,
	 * LTR_SAMPLE_NO_TGID): pid is the thread's id, shown marked
	 */
	bool pid_unknown;
	const char *comm;
	/* exact: named by a tracepoint (fork, exec, rename, exit); late:
	 * read from /proc/PID/comm after the fact */
	enum lden_prov comm_prov;
	const struct lden_io_syscall *sys;
	int fd;				/* -1: the call has none */
	int newfd;			/* dup/F_DUPFD/open result, else -1 */
	const char *path;		/* NULL: unknown or none */
	const char *path2;		/* rename's new name, else NULL */
	/*
	 * how each was obtained: exact (an open's path copied at the call,
	 * or an fd opened so), late (read from the process afterwards, or
	 * from /proc), none (NULL)
	 */
	enum lden_prov path_prov, path2_prov;
	int64_t ret;			/* the return value (-errno on failure) */
	uint64_t bytes_read, bytes_written;
	const struct lden_nsinfo *ns;	/* with ns_of, else NULL */
	/* the cgroup id of the call's enter record, when it carries one */
	bool has_cgroup;
	uint64_t cgroup;
	/*
	 * set by the caller for the output (--show-container, else NULL):
	 * the container at the call, how it was had (exact: from the
	 * cgroup id; late: /proc at the task's first record; none: "?"),
	 * and why not when none ("cgroup removed")
	 */
	const char *container;
	enum lden_prov container_prov;
	const char *container_why;
};

struct lden_io_stats {
	uint64_t tracepoints;		/* records seen (syscalls and exits) */
	uint64_t name_records;		/* task_newtask, task_rename seen */
	uint64_t syscalls;		/* paired calls */
	uint64_t lost;			/* records the kernel dropped */
	/* of them, lden's process tracker's, when the kernel tells them
	 * apart (lden_comms__split_lost()) */
	bool lost_split;
	uint64_t lost_tracker;
	/* ftrace ring following the command: records whose process could
	 * not be told (LTR_SAMPLE_NO_TGID), their thread id as the pid */
	uint64_t unknown_pids;
	/* ... records of other tasks the kernel's pid filter let through */
	uint64_t foreign;
	/* ... processes given a reused id whose records may be missing
	 * (ltr_session__follow_gaps()) */
	uint64_t follow_gaps;
	uint64_t order_forced;		/* time order given up (buffer full) */
	uint64_t tasks_exited;
	struct lden_io_pair_stats pair;
	struct lden_io_fdtable_stats fdt;
	int tracepoints_opened;
	int syscalls_missing;		/* in the table, not on this kernel */
	/* the paths of opens, by provenance (enum lden_prov) */
	uint64_t open_paths[4];	/* by enum lden_prov */
	/* the calls, by the provenance of their process's name */
	uint64_t comms[3];
	/* fd calls whose name, read from /proc, was read after the fd had
	 * been closed, opened or replaced since the call: not shown */
	uint64_t fd_names_withheld;
};

typedef void (*lden_io_event_fn)(const struct lden_io_event *ev, void *ctx);

struct lden_io_tracer;

/* Which ring the syscalls' records take, and why, into @buf. */
void lden_io_tracer__ring(const struct lden_io_tracer *t, char *buf,
			  size_t len);

/*
 * lden_io_tracer__new - open every traced syscall this kernel has
 * @s:   the session (sampling events are added to it, disabled)
 * @err: a one-line message on failure
 * Returns the tracer (free with lden_io_tracer__free() before the
 * session), or NULL.
 */
struct lden_io_tracer *lden_io_tracer__new(struct ltr_session *s,
					   const struct lden_io_opts *o,
					   char *err, size_t errlen);

void lden_io_tracer__free(struct lden_io_tracer *t);

/* Enables the events: the clock of the run starts now. */
int lden_io_tracer__start(struct lden_io_tracer *t);

/*
 * lden_io_tracer__poll - wait up to @timeout_ms, then hand out the calls
 * complete and old enough to be in order
 * Returns 0 or a negative errno (-EINTR: a signal).
 */
int lden_io_tracer__poll(struct lden_io_tracer *t, int timeout_ms,
			 lden_io_event_fn fn, void *ctx);

/* Disables the events, reads what is left, hands out everything. */
int lden_io_tracer__finish(struct lden_io_tracer *t, lden_io_event_fn fn,
			   void *ctx);

/* The counters (lost and the tables' read now). */
void lden_io_tracer__stats(struct lden_io_tracer *t, struct lden_io_stats *st);

struct lden_guard;

/*
 * lden_io_tracer__guard - every syscall's tracepoints (enter and exit, in
 * every scope) added to the overhead guard @g, one source per syscall,
 * labelled with its name ("write")
 * Returns 0 or -ENOMEM.
 */
int lden_io_tracer__guard(struct lden_io_tracer *t, struct lden_guard *g);

/*
 * lden_io_tracer__guard_tick - lden_guard__tick() on the tracer's session;
 * the records of a syscall being switched are read into the tracer first
 * (handed out at the next poll).  Returns what lden_guard__tick() does.
 */
int lden_io_tracer__guard_tick(struct lden_io_tracer *t, struct lden_guard *g,
			       double now);

/*
 * lden_io_tracer__calls - the kernel's count of the calls of syscall
 * @name entered (its counting twins): exact, also after the guard
 * switched it.  Returns 0, or -1 when a counter could not be read.
 */
int lden_io_tracer__calls(struct lden_io_tracer *t, const char *name,
			  uint64_t *calls);

/* How open paths are obtained, for the header (lden_strcap__describe). */
void lden_io_tracer__describe(const struct lden_io_tracer *t, char *buf,
			      size_t len);

/* CLOCK_MONOTONIC ns when the events were enabled. */
uint64_t lden_io_tracer__start_ns(const struct lden_io_tracer *t);

#endif
