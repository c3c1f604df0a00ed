/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attaching a resolved catalog event (or a raw tracepoint, custom(func),
 * uprobe(path:symbol)) to the kernel, and summing what it reports.
 */
#ifndef LDEN_ATTACH_H
#define LDEN_ATTACH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "label.h"

#include "catalog.h"

struct ltr_session;
struct ltr_event;
struct ltr_sample;
struct lden_size_expr;
struct lden_resolution;
struct lden_sizejoin;
struct lden_scope;

#define LDEN_MAX_PARTS 8

struct lden_part {
	struct ltr_event *ev;
	/*
	 * A sampling part also has a counting event on the same tracepoint,
	 * filter and scope, enabled just before it: the count comes from
	 * there, so that the overhead guard can stop the sampling event at
	 * any moment and the count goes on without a seam
	 * (lden_attached__stop_sampling()).  It is not in a group with the
	 * sampling event: on 6.18 a sampling tracepoint event can miss hits
	 * that a counting one sees, and a group leader misses them with its
	 * member; alone, the twin keeps the kernel's count and the difference
	 * is said (lden_attached__lost()).  NULL on the ftrace ring, whose
	 * event counts itself, from its records or a counter of its own
	 * (ltr_event_opts.count_records), and can stop its samples alone;
	 * NULL too when the scope attached to says no_twins (scope.h): the
	 * count is then the sampling event's own.
	 */
	struct ltr_event *counter;
	/* the sampling event after the switch: disabled, kept open */
	struct ltr_event *stopped;
	/*
	 * switched without a twin (the ftrace ring), in place
	 * (ltr_event__stop_sampling()): @ev's count goes on, from its
	 * records, read and no longer delivered (alone in the ring), or
	 * from its own perf counter (a ring shared, its records stopped)
	 */
	bool muted;
	struct lden_size_expr *size;	/* NULL: no size from this part */
	/* summed in the kernel (ev is an LTR_MODE_HIST event), or NULL */
	struct lden_size_hist *hist;
	/*
	 * Joined sizes (catalog "join"): the part's field holding the key.
	 * On a feeder (an allocation event), its samples go into the owner's
	 * join table with @size, and its hits are not the event's count; on
	 * the event's own part, each sample takes its size from the table.
	 */
	const struct ltr_field *key;
	bool feeder;
	struct lden_attached *owner;
	uint64_t lost_stopped;		/* lost records when sampling stopped */
	uint64_t delivered;		/* samples that reached lden */
	/* lden_attached__settle(): hits never sampled nor lost, final */
	uint64_t unsampled;
	bool settled;
	/* twin_gap()'s last reading and when (CLOCK_MONOTONIC s), or 0 */
	uint64_t gap;
	double gap_at;
};

struct lden_attached {
	char label[LDEN_LABEL_LEN];	/* "task.create", "sched:sched_switch" */
	char source[256];		/* "tracepoint sched:sched_process_fork" */
	bool has_size;
	bool sampling;
	bool recalled;			/* into the recall rings */
	struct lden_part parts[LDEN_MAX_PARTS];
	int nparts;
	uint64_t size_total;		/* sum of sizes over samples */
	uint64_t samples;		/* of the event's own parts */
	/*
	 * Its lost records are a ring's, shared with other events (the
	 * ftrace ring counts drops per ring): exact, and 0 means none of
	 * its own, but more may be other events'
	 */
	bool lost_shared;
	/* the size join of a "join" source, or NULL (lden_attached__unsized) */
	struct lden_sizejoin *join;
	/* sampling stopped by the guard: size_total is frozen */
	bool size_stopped;
	/* its size (or a part's) is summed in the kernel, by a hist trigger */
	bool size_in_kernel;
	/* while attaching: only the size is read, the kernel may sum it */
	bool kernel_sum_ok;
	/*
	 * while attaching a joined size: its records and its feeders' go to
	 * the perf rings, whose samples lden reads in the order the join was
	 * made for (tested there), not to the ftrace ring
	 */
	bool join_perf;
	void *user;			/* the caller's; set after attaching */
};

/*
 * lden_attach - open the events of a resolved source
 * @need_size: sample (PERF_SAMPLE_RAW) and sum the size expression;
 *             otherwise count in the kernel only
 * @extra_filter: ANDed with the catalog's filter (a user's [filter]), or NULL
 *
 * Kprobe sources create their probe in the session's group first.  The
 * events start disabled.  Returns 0, or -1 with @err set ("custom(x):
 * ...").
 */
int lden_attach(struct ltr_session *s, const struct lden_resolution *r,
		bool need_size, const char *extra_filter,
		const struct lden_scope *scope, struct lden_attached *a,
		char *err, size_t errlen);

/*
 * Whether an attach that failed with errno @err failed for the machine (a
 * privilege missing, open files or memory short), not for the input: an
 * exit status 1, not a usage error's 2, and no caret under the input.
 */
bool lden_attach__machine_fault(int err);

/* Whether the tracepoint "system:name" exists under @tracing_dir. */
bool lden_tracepoint_exists(const char *tracing_dir, const char *spec);

/* A raw tracepoint "system:name"; @filter may be NULL. */
int lden_attach_tracepoint(struct ltr_session *s, const char *system,
			   const char *name, const char *filter,
			   const struct lden_scope *scope,
			   struct lden_attached *a, char *err, size_t errlen);

/*
 * custom(func): a kprobe on a kernel function, counted.  On kernels
 * without kprobes the error says so.
 */
int lden_attach_custom(struct ltr_session *s, const char *func,
		       const char *filter, const struct lden_scope *scope,
		       struct lden_attached *a, char *err, size_t errlen);

/* uprobe(path:symbol), counted. */
int lden_attach_uprobe(struct ltr_session *s, const char *path,
		       const char *symbol, const char *filter,
		       const struct lden_scope *scope, struct lden_attached *a,
		       char *err, size_t errlen);

/*
 * The same, each hit sampled (PERF_SAMPLE_RAW) so that its fields can be
 * read: for commands that print or group events rather than count them.
 * A catalog event's size is summed where its source has one.
 */
int lden_attach_sampled(struct ltr_session *s,
			const struct lden_resolution *r,
			const char *extra_filter,
			const struct lden_scope *scope,
			struct lden_attached *a, char *err, size_t errlen);
int lden_attach_tracepoint_mode(struct ltr_session *s, const char *system,
				const char *name, const char *filter,
				bool sample, const struct lden_scope *scope,
				struct lden_attached *a, char *err,
				size_t errlen);
int lden_attach_custom_mode(struct ltr_session *s, const char *func,
			    const char *filter, bool sample,
			    const struct lden_scope *scope,
			    struct lden_attached *a, char *err, size_t errlen);
int lden_attach_uprobe_mode(struct ltr_session *s, const char *path,
			    const char *symbol, const char *filter,
			    bool sample, const struct lden_scope *scope,
			    struct lden_attached *a, char *err, size_t errlen);

/*
 * lden_attach_event - SYSTEM:NAME (a tracepoint, or a probe already in
 * the session's group) sampled for @scope, @filter may be NULL
 * @recall: the records go to the session's recall rings, read only when
 *          lden looks back (ltr_session__recall); such an event costs
 *          lden nothing per record, so it has no counting twin and
 *          a->sampling stays false (the guard leaves it alone)
 * Returns 0, or -1 with @err set.
 */
int lden_attach_event(struct ltr_session *s, const char *system,
		      const char *name, const char *filter, bool recall,
		      const struct lden_scope *scope, struct lden_attached *a,
		      char *err, size_t errlen);

/* The kernel's count, summed over parts and CPUs. */
int lden_attached__count(struct lden_attached *a, uint64_t *count);

/*
 * lden_attached__lost - hits of this event whose sample lden never had,
 * summed over parts; 0 for counted events: the records the kernel
 * dropped (ring full), plus the hits the counting twin counted and the
 * sampling event did not (read live: the twin's count less the sampling
 * event's; not live on the ftrace ring, whose records not yet read are
 * not lost, and whose drops are the ring's, shared by its events), or,
 * once settled (lden_attached__settle()), every hit counted that did not
 * arrive.  After lden_attached__stop_sampling() it stays at the value it
 * had then.
 * Returns 0, or a negative errno (kernels before 6.0 cannot say per event:
 * use ltr_session__lost()).
 */
int lden_attached__lost(struct lden_attached *a, uint64_t *lost);

/*
 * One reading of an attached event: its count, size and lost records as
 * lden_attached__count(), __size() and __lost() give them, read together.
 * A part summed in the kernel gives all three from one read of its hist,
 * so that they are of one moment: read apart, a hit between the reads is
 * in one and not in the other (a size with a hit more than its count).
 */
struct lden_reading {
	uint64_t count;
	uint64_t size;
	uint64_t lost;		/* 0 when lost_err */
	int lost_err;		/* lden_attached__lost()'s error, or 0 */
};

/* Returns 0, or -1 (ltr_last_error() says why) when a count or size could not be read. */
int lden_attached__read(struct lden_attached *a, struct lden_reading *r);

/* The session of @a's events, or NULL (none open). */
struct ltr_session *lden_attached__session(const struct lden_attached *a);

/*
 * lden_attached__missed - hits its kprobes could not record (kretprobe
 * returns without an instance, hits while another kprobe ran), summed
 * over parts, for any task; 0 for tracepoints and uprobes.  The count is
 * short by at most this much.  Returns 0 or a negative errno.
 */
int lden_attached__missed(struct lden_attached *a, uint64_t *missed);

/*
 * lden_attached__count_short - up to how many hits lden_attached__count()
 * may lack: the drops of the ftrace ring its sampled parts share with
 * other events, when they are counted from their records (no twin); 0
 * when the count is exact.  Returns 0 or a negative errno.
 */
int lden_attached__count_short(struct lden_attached *a, uint64_t *short_by);

/*
 * lden_attached__unsized - occurrences of a joined-size event (memory.free)
 * whose size could not be known: the memory was allocated before the
 * start, outside the scope, or its entry evicted.  Their bytes are not in
 * size_total.  0 for other events.
 */
uint64_t lden_attached__unsized(const struct lden_attached *a);

/*
 * lden_attached__stop_sampling - turn a sampled event into a counted one
 * @a:   an attached event with a->sampling
 * @s:   its session
 * @fn:  the caller's sample callback (the one that calls
 *       lden_attached__add_sample), or NULL
 * @ctx: passed to @fn
 *
 * Disables the sampling events, delivers the samples still in the rings
 * through @fn (so the size includes every event sampled before the
 * switch), remembers the lost records, and keeps the sampling events
 * disabled (p->stopped; samples of them read earlier stay decodable; the
 * session closes them).
 * The count is unaffected: it has come from the counting twin of each
 * part all along, which stays.  Afterwards a->sampling is false,
 * a->size_stopped true and a->size_total never changes again.
 * Returns 0, or a negative errno (ltr_last_error() says why; -EINVAL: a
 * part was attached without its twin, see struct lden_scope's no_twins); on
 * failure the event may be left half switched, still counted exactly.
 */
int lden_attached__stop_sampling(struct lden_attached *a, struct ltr_session *s,
				int (*fn)(const struct ltr_sample *, void *),
				void *ctx);

/*
 * lden_attached__disable_sampling - the first step of the above alone:
 * the sampling events disabled, nothing read or closed yet.  For sources
 * made of several attached events (enter and exit) that must stop at
 * the same moment: disable them all, then lden_attached__stop_sampling()
 * each.  Returns 0 or a negative errno (-EINVAL: no twin).
 */
int lden_attached__disable_sampling(struct lden_attached *a);

/*
 * lden_attached__size - the size so far: the samples' sum, plus what the
 * kernel summed for parts aggregated there (read now)
 * Returns 0, or -1 (ltr_last_error() says why).
 */
int lden_attached__size(struct lden_attached *a, uint64_t *size);

/*
 * lden_attached__dropped - the records the kernel dropped of @n attached
 * events' sampled parts, summed into @lost.  Before 6.0 no event counts
 * its own drops: then any record the session lost may be one of theirs,
 * and @lost is the session's total.  0, or a negative errno (not known).
 */
int lden_attached__dropped(const struct lden_attached *att, int n,
			uint64_t *lost);

/*
 * lden_attached__dropped_own - lden_attached__dropped() where the kernel
 * counts each event's drops apart (perf rings, Linux 6.0+): returns 1
 * with @lost, their own.  0 when it counts them per ring only (the
 * ftrace ring; perf before 6.0): @lost is then 0 and their drops are
 * among the session's, not told apart.  -1: not readable.
 */
int lden_attached__dropped_own(const struct lden_attached *att, int n,
			       uint64_t *lost);

/*
 * lden_attached__kept_all - whether lden_attached__dropped() of @n
 * attached events must be as at the last call with @mark, without
 * reading it: all their sampled parts write to their session's perf
 * rings, and none of those rings could have been full since
 * (ltr_session__full_marks(), no system call).  False when it may have
 * changed, or for parts elsewhere (the ftrace ring, recall rings, kernel
 * sums): then read it.  @mark: the caller's, 0 at first, updated.
 */
bool lden_attached__kept_all(const struct lden_attached *att, int n,
			     uint64_t *mark);

/*
 * lden_attached__settle - the end of a run, once the session is disabled:
 * drains the rings until every part's samples and lost records add up to
 * what its sampling event counted (a sample being written on another CPU
 * when the event was disabled arrives a moment later), at most 200 ms,
 * through @fn; what still does not arrive, or what the twin counted
 * beyond the sampling event, is the parts' unsampled count, reported in
 * lden_attached__lost() from then on.  Returns 0 or a negative errno.
 */
int lden_attached__settle(struct lden_attached *att, int n,
			 struct ltr_session *s,
			 int (*fn)(const struct ltr_sample *, void *),
			 void *ctx);

/*
 * Adds one sample's size to its owner; the sample's event must belong to
 * an attached event (ltr_event__user() is the part).
 */
void lden_attached__add_sample(const struct ltr_sample *sample);

void lden_attached__release(struct lden_attached *a);

/*
 * lden_attached__mode - how it is traced, for headers: "counting", or
 * "sampling, for size: ftrace ring, mmap (system-wide)", "sampling: perf ring
 * (a tracefs instance cannot count per cgroup)"
 */
void lden_attached__mode(const struct lden_attached *a, char *buf,
			size_t len);

#endif
