/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The name (comm) of each task as the kernel had it at each record: the
 * task tracepoints task_newtask (a new task is named as its parent) and
 * task_rename (exec, prctl(PR_SET_NAME), a write to /proc/TID/comm),
 * attached in the command's scope and fed in time order, name every task
 * lden saw start or rename exactly.  Any other task (running before lden
 * started) is named from /proc when its record arrives: late, and said
 * so.
 */
#ifndef LDEN_COMMS_H
#define LDEN_COMMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ltr_sample;
struct ltr_session;
struct lden_scope_opts;
struct lden_comms;

/* Returns a tracker (lden_comms__free()), or NULL (ENOMEM). */
struct lden_comms *lden_comms__new(void);

/* Frees @c and what it attached (NULL is fine). */
void lden_comms__free(struct lden_comms *c);

/*
 * lden_comms__attach - sample task_newtask and task_rename in every scope
 * of @scope (none: the whole machine)
 * Returns 0; -ENOENT when the kernel lacks them (every name is then
 * read late); another negative errno with @err set.
 */
int lden_comms__attach(struct lden_comms *c, struct ltr_session *s,
		      const struct lden_scope_opts *scope, char *err,
		      size_t errlen);

/*
 * lden_comms__attach_scopes - the same in each of the @n scopes @scopes
 * (a zeroed one: the whole machine), for a command that builds its own
 * (lden io's per-task scopes); once per tracker
 */
struct lden_scope;
int lden_comms__attach_scopes(struct lden_comms *c, struct ltr_session *s,
			     const struct lden_scope *scopes, int n,
			     char *err, size_t errlen);

/*
 * lden_comms__feed - a record, in time order: true when it was one of the
 * tracker's (the caller shows nothing of it), after naming its task
 */
bool lden_comms__feed(struct lden_comms *c, const struct ltr_sample *s);

/*
 * lden_comms__forked - whether @s is the record of a new process (a
 * task made without CLONE_THREAD), whose pid goes to @pid and its clone
 * flags to @flags (CLONE_FILES: it shares its parent's descriptor
 * table); its parent is the record's task
 */
bool lden_comms__forked(const struct lden_comms *c,
			const struct ltr_sample *s, pid_t *pid,
			uint64_t *flags);

/* Whether @s is one of the tracker's records (in any order). */
bool lden_comms__owns(const struct lden_comms *c, const struct ltr_sample *s);

/*
 * lden_comms__lost - the tracker's own records the kernel dropped (task
 * records of lden, not the user's events), in @lost: 1 when known apart
 * from the others (lden_attached__dropped_own()), or when there is no
 * tracker (0 lost); 0 when the kernel counts them with the others' (the
 * ftrace ring, perf before Linux 6.0); -1 not readable.
 */
int lden_comms__lost(const struct lden_comms *c, uint64_t *lost);

/* Lost records told apart: the user's events' and the tracker's. */
struct lden_lost_split {
	uint64_t total;		/* ltr_session__lost(s, -1) */
	bool split;		/* events and tracker known apart */
	uint64_t events;	/* split: the user's events' */
	uint64_t tracker;	/* split: the tracker's */
	bool has_tracker;
};

/*
 * lden_comms__split_lost - @total, the session's lost records, told
 * apart where the kernel counts per event (lden_comms__lost()) into @out;
 * then "lost N" in @buf says the user's events' alone, with "; lden's
 * process tracker lost T (names may be unknown)" after it; where it
 * cannot, "lost N (of EVENTS and lden's process tracker: counted
 * together)", @events naming the user's events ("net:net_dev_queue,
 * net:netif_receive_skb").
 */
void lden_comms__split_lost(const struct lden_comms *c, uint64_t total,
			    const char *events, struct lden_lost_split *out,
			    char *buf, size_t len);

/*
 * lden_comms__check_lost - after reading the rings, before feeding their
 * records: when the kernel dropped records of the tracker's tracepoints
 * (a full ring) since the last check, a rename or new task may be among
 * them, so the names set by records older than now are no longer given
 * as exact: lden_comms__get() returns NULL for them until a new record
 * names their task again.  It
 * reads the tracker's events' lost counters (a read per event and CPU),
 * only when @held, the records about to be fed, is not 0 (an idle run
 * reads nothing); before Linux 6.0, any record the session lost counts
 */
void lden_comms__check_lost(struct lden_comms *c, size_t held);

/*
 * lden_comms__out_of_order - the caller fed records out of time order (a
 * full ordering buffer flushed): a record older than those fed may come
 * yet, so the names and processes set until now are not given as exact,
 * as after a loss (NULL is fine)
 */
void lden_comms__out_of_order(struct lden_comms *c);

/*
 * lden_comms__get - the name of @tid at the record being handled (call in
 * time order, after lden_comms__feed() of the records before it)
 * Returns the name when known exactly, else NULL: the caller then shows
 * the name it read from /proc when the record arrived, marked late.
 */
const char *lden_comms__get(struct lden_comms *c, pid_t tid);

/*
 * lden_comms__process - which process had pid @pid at the record being
 * handled (call in time order, as lden_comms__get()): into *@n, how many
 * processes lden saw start with that pid until then (0: one running
 * before lden, or whose start it did not see); a row per process, not per
 * pid number, when the kernel gives a pid again (clone3's set_tid, pids
 * wrapping around)
 * Returns true when known exactly; false when a start with that pid may
 * be among the tracker's records the kernel dropped, or the tracker is
 * not attached (the caller marks what it shows)
 */
bool lden_comms__process(const struct lden_comms *c, pid_t pid,
			 uint64_t *n);

#endif
