/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One run of a tracing command, the sequence every command's run()
 * repeated: the stop signals caught, a session, the command after "--"
 * started blocked, the events attached (by the command, on run->s), the
 * guard, the session enabled, the command released, the loop, the end.
 *
 *	r = lden_run__new(&cl, &session_opts, 0);	// NULL: said, exit 1
 *	status = lden_run__attach(r, attach, NULL, ctx); // attach(ctx, r, &g)
 *							// on r->s, enabled
 *	... the header ...
 *	lden_run__go(r);
 *	status = lden_run__loop(r, &loop);		// or the command's own
 *	lden_run__free(r);
 *
 * It is the commands' layer: it prints its errors ("lden: CMD: ...").
 */
#ifndef LDEN_RUN_H
#define LDEN_RUN_H

#include <stdio.h>

#include "cmdline.h"
#include "guard.h"
#include "lden-trace.h"
#include "strcap.h"

/* lden_run__new()'s flags */
#define LDEN_RUN_KEEP_HUP 1	/* SIGHUP keeps its default (io's, as before) */

struct lden_run {
	struct lden_cmdline *cl;	/* borrowed: scope, guard options, --time */
	struct ltr_session *s;
	struct lden_guard *guard;	/* from lden_run__start() */
	double start;			/* lden_now() when enabled */
	double end;			/* start + --time, or 0 */
	struct lden_nscache *ns;	/* tasks' namespaces, made on demand */
	uint64_t ns_unknown;		/* --netns: samples of unreadable tasks */
	struct lden_cgpaths *cgpaths;	/* cgroup ids to paths, on demand */
	/* the containers shown (lden_run__container_shown()), by enum
	 * lden_prov; of those unknown, why */
	uint64_t containers[3];
	uint64_t containers_removed, containers_too_long;
};

/* A task's container at a record (lden_run__container()). */
struct lden_run_container {
	/* container.h's name, borrowed until the next call; "?" unknown */
	const char *name;
	/*
	 * LDEN_PROV_EXACT: from the record's cgroup id (PERF_SAMPLE_CGROUP),
	 * the cgroup the task was in at the event; LDEN_PROV_LATE: read
	 * from /proc at the task's first record (nsinfo.h); LDEN_PROV_NONE:
	 * unknown, @err says why
	 */
	enum lden_prov prov;
	/*
	 * with LDEN_PROV_NONE: -ENOENT, the cgroup was removed before lden
	 * resolved its id; -ENAMETOOLONG, its path is longer than PATH_MAX
	 * (not cut: it would name another); -ESRCH, the task exited before
	 * lden read /proc
	 */
	int err;
};

/*
 * lden_run__new - catches the stop signals, opens the session (@so may be
 * NULL; its ring is the one --ring chose in @cl), starts the command
 * after "--" (blocked until lden_run__go()) and sets the attach options
 * of @cl's guard.  Prints the error and returns
 * NULL (exit status LDEN_EXIT_FAIL).  Free with lden_run__free().
 */
struct lden_run *lden_run__new(struct lden_cmdline *cl,
			       const struct ltr_session_opts *so,
			       unsigned int flags);

/*
 * lden_run__attach - @attach(@ctx, @r, &guard) attaches the command's
 * events on r->s and builds the guard over them (0, or an exit status
 * after printing the error), then lden_run__start() with @enable.
 * @r may be NULL (lden_run__new() failed): LDEN_EXIT_FAIL.
 */
int lden_run__attach(struct lden_run *r,
		     int (*attach)(void *ctx, struct lden_run *r,
				   struct lden_guard **g),
		     int (*enable)(void *ctx), void *ctx);

/*
 * lden_run__start - takes @g (NULL: "out of memory"), enables the events
 * (@enable(@ctx), or the session) and starts the guard.  Returns 0 or
 * LDEN_EXIT_FAIL after printing the error.
 */
int lden_run__start(struct lden_run *r, struct lden_guard *g,
		    int (*enable)(void *ctx), void *ctx);

/* Releases the command: traced from its first instruction. */
void lden_run__go(struct lden_run *r);

/* Whether to stop: a signal, --time over, or the command exited. */
bool lden_run__done(struct lden_run *r, double now);

/*
 * lden_run__guard_tick - the guard's look at @now (samples it drains go
 * to @fn): each new action said on stderr (@effect: what it means for
 * this command, NULL the guard's words), handed first to @said.
 * Returns 0, or -1 after printing the error.
 */
int lden_run__guard_tick(struct lden_run *r, double now,
			 int (*fn)(const struct ltr_sample *, void *),
			 void *fn_ctx, const char *effect,
			 void (*said)(struct lden_guard_action *, void *),
			 void *said_ctx);

/*
 * lden_guard__say - after @n = lden_guard__tick(): each new action handed
 * to @said (may be NULL), then said once on stderr; @n < 0: prints
 * "lden: CMD: guard: <why>".  Returns 0, or -1 when @n was an error.
 */
int lden_guard__say(struct lden_guard *g, int n, const char *effect,
		   void (*said)(struct lden_guard_action *a, void *ctx),
		   void *ctx);

/* The loop of the commands that read records as they come (trace, top). */
struct lden_run_loop {
	int (*on_sample)(const struct ltr_sample *s, void *ctx);
	/* before reading: how long to wait (ms), or -1 to look again */
	int (*wait)(void *ctx, double now);
	/* after reading, before the guard: 0, or an exit status */
	int (*read)(void *ctx, double now);
	/* after the guard */
	void (*after)(void *ctx, double now);
	/* at the end, the records settled (lden_collect__settle()) */
	void (*last)(void *ctx);
	const char *guard_effect;
	void (*guard_said)(struct lden_guard_action *a, void *ctx);
	void *ctx;
};

/* Until lden_run__done(): returns LDEN_EXIT_OK or LDEN_EXIT_FAIL. */
int lden_run__loop(struct lden_run *r, const struct lden_run_loop *l);

/*
 * lden_run__end - says how the command after "--" ended ("lden: the
 * command exited with status 3") and returns the exit status: @status
 * when it is a failure, else the command's (128 + N when killed by N).
 * Without a command: @status.
 */
int lden_run__end(struct lden_run *r, int status);
/*
 * lden_run__gaps_say - one line for each process of the command whose
 * records may be missing (ltr_session__follow_gaps()), on stderr
 */
void lden_run__gaps_say(struct lden_run *r);

/*
 * lden_run__ns - the namespaces and container of task @tid, read at its
 * first sample (nsinfo.h); the run's cache.  Never NULL: on no memory,
 * unknown ones.
 */
const struct lden_nsinfo *lden_run__ns(struct lden_run *r, pid_t tid);

/*
 * lden_run__keep - whether the sample is in --netns's namespace (always,
 * without --netns).  A task whose namespace could not be read is not
 * kept, and its sample counted in r->ns_unknown.  Call it at the sample's
 * arrival, while the task may still be read.
 */
bool lden_run__keep(struct lden_run *r, const struct ltr_sample *s);

/*
 * lden_run__ns_say - with --netns, or when tasks were unknown to a
 * command that shows namespaces (@shown): the line that says how many
 * samples and tasks were unknown, on stderr.
 */
void lden_run__ns_say(struct lden_run *r, bool shown);

/*
 * lden_run__container - the container of task @tid at a record into @c:
 * with @has_id, from @cgroup_id, the record's cgroup id (the sample's
 * LTR_SAMPLE_CGROUP), exact; else read from /proc at the task's first
 * record (lden_run__ns(), to be called at the record's arrival), late.
 */
void lden_run__container(struct lden_run *r, pid_t tid, bool has_id,
			 uint64_t cgroup_id, struct lden_run_container *c);

/*
 * lden_run__cgroup_seen - a record with cgroup id @cgroup_id arrived: its
 * path looked up now (a walk of the cgroup2 file system when it is new),
 * while the cgroup most likely still exists, for lden_run__container()
 * when the record is printed, perhaps after the cgroup was removed
 */
void lden_run__cgroup_seen(struct lden_run *r, uint64_t cgroup_id);

/* A container shown on a line: counted for lden_run__container_say(). */
void lden_run__container_shown(struct lden_run *r,
			       const struct lden_run_container *c);

/*
 * lden_run__container_why - the JSON words for an unknown container's
 * @err: "cgroup removed", "cgroup path too long", "process gone"
 */
const char *lden_run__container_why(int err);

/*
 * lden_run__container_header - where the session's samples carry no
 * cgroup id (asked in its options: the kernel lacks PERF_SAMPLE_CGROUP,
 * or its cgroups have no perf state), why, once on stderr: the
 * containers are read from /proc at each task's first record
 */
void lden_run__container_header(struct lden_run *r);

/*
 * lden_run__container_say - how the containers shown were had, on
 * stderr: exact, late (marked), unknown and why; nothing when none was
 */
void lden_run__container_say(struct lden_run *r);

/* Makes a command never released exit unrun, frees the guard, the session. */
void lden_run__free(struct lden_run *r);

#endif
