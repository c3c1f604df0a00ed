// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The process of each record in the ftrace ring of an instance that
 * follows one command (set_event_pid with options/event-fork; ftrace.c).
 *
 * An ftrace record says its thread (common_pid), not its process.  The
 * instance follows only the command and what it starts, so every task
 * whose records it holds came from the command's first task, whose
 * process is itself (lden started it, held, before any other thread), or
 * from a fork the same ring records: task_newtask, written in the parent
 * before the child first runs, says the child and its clone flags, so a
 * thread (CLONE_THREAD) is in its parent's process and any other child is
 * a process of its own.  A task's exit (sched_process_exit) ends what is
 * known of it: a record of the same thread id after it, with no fork
 * between, belongs to a task the ring did not see start, and is unknown.
 * (An exec by a thread other than the leader takes the leader's id,
 * which is the process's: nothing changes.)
 *
 * The rings are per CPU and read one after another, so a child's records
 * may come before the fork that made it, read from another CPU later:
 * such a record waits here (pending) until the fork is read, or until
 * every CPU was read past its time without the fork coming (lost with the
 * ring's dropped records, or a task the ring did not see start): then it
 * is delivered marked (LTR_SAMPLE_NO_TGID, its thread id as the pid) and
 * counted, never given a guessed process.
 *
 * What is known of a thread id: the task seen last with it, and the one
 * before (a record read late may be the earlier task's), each with the
 * times it was alive, and the last two times a task with it was freed
 * (sched_process_free: when the kernel takes the id out of the pid
 * filter, ftrace.c's follow_gaps()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct ft_task {
	uint32_t tid;		/* 0: a free slot */
	uint32_t tgid, prev_tgid;
	bool has_prev;
	uint64_t since, until, prev_since, prev_until;
	/* the task's own exit, a leader's with threads alive too (its id
	 * stays the process's, until does not end): its free comes after */
	uint64_t left, prev_left;
	uint64_t freed[2];	/* the last two frees seen, 0: none */
};

struct ft_free {
	uint32_t tid;
	uint64_t time;
};

struct ltr_follow {
	struct ft_task *tasks;
	size_t cap, used;		/* slots, a power of two, and used */
	struct ltr_follow_rec *pend;
	size_t npend, pend_cap;
	size_t pend_bytes, pend_max; /* held, at most */
	/* the frees read, until the rings were read past them */
	struct ft_free *frees;
	size_t nfrees, frees_cap;
};

/*
 * A table whose records waiting for their task's fork hold at most
 * @max_bytes (ltr_follow_pend()).
 */
struct ltr_follow *ltr_follow_new(size_t max_bytes)
{
	struct ltr_follow *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->cap = 256;
	f->tasks = calloc(f->cap, sizeof(*f->tasks));
	f->pend_max = max_bytes;
	if (!f->tasks) {
		ltr_follow_free(f);
		return NULL;
	}
	return f;
}

void ltr_follow_free(struct ltr_follow *f)
{
	if (!f)
		return;
	for (size_t i = 0; f->pend && i < f->npend; i++)
		free(f->pend[i].raw);
	free(f->pend);
	free(f->frees);
	free(f->tasks);
	free(f);
}

static struct ft_task *slot(struct ft_task *t, size_t cap, uint32_t tid)
{
	size_t i = (tid * 2654435761u) & (cap - 1);

	while (t[i].tid && t[i].tid != tid)
		i = (i + 1) & (cap - 1);
	return &t[i];
}

static struct ft_task *task_get(struct ltr_follow *f, uint32_t tid, bool add)
{
	struct ft_task *t = slot(f->tasks, f->cap, tid);

	if (t->tid || !add)
		return t->tid ? t : NULL;
	if ((f->used + 1) * 2 > f->cap) {
		size_t cap = f->cap * 2;
		struct ft_task *n = calloc(cap, sizeof(*n));

		if (!n)
			return NULL;
		for (size_t i = 0; i < f->cap; i++)
			if (f->tasks[i].tid)
				*slot(n, cap, f->tasks[i].tid) = f->tasks[i];
		free(f->tasks);
		f->tasks = n;
		f->cap = cap;
		t = slot(f->tasks, f->cap, tid);
	}
	f->used++;
	t->tid = tid;
	return t;
}

/*
 * @tid is a task of process @tgid from @since on (0: from the start).
 * A fork older than the task known with that id is the one before it,
 * read late: the rings are read one CPU after another, and a parent
 * that moved between its two forks of one id wrote the later first in
 * the order read (test-top-reuse's case with the parent on two CPUs).
 */
int ltr_follow_task(struct ltr_follow *f, uint32_t tid, uint32_t tgid,
		    uint64_t since)
{
	struct ft_task *t = task_get(f, tid, true);

	if (!t)
		return -ENOMEM;
	if ((t->since || t->tgid) && since < t->since) {
		if (t->has_prev && t->prev_since >= since)
			return 0;	/* older still: not kept */
		t->prev_tgid = tgid;
		t->prev_since = since;
		t->prev_until = UINT64_MAX;	/* its exit, when read */
		t->prev_left = UINT64_MAX;
		t->has_prev = true;
		return 0;
	}
	if (t->since || t->tgid) {
		t->prev_tgid = t->tgid;
		t->prev_since = t->since;
		t->prev_until = t->until;
		t->prev_left = t->left;
		t->has_prev = true;
	}
	t->tgid = tgid;
	t->since = since;
	t->until = UINT64_MAX;
	t->left = UINT64_MAX;
	return 0;
}

/*
 * @tid's task left at @time (its exit, a leader's with threads alive
 * too): a free of its id after is its own, one before another task's.
 */
static void task_left(struct ltr_follow *f, uint32_t tid, uint64_t time)
{
	struct ft_task *t = task_get(f, tid, false);

	if (t && time >= t->since && time < t->left)
		t->left = time;
	else if (t && t->has_prev && time < t->since &&
		 time >= t->prev_since && time < t->prev_left)
		t->prev_left = time;
}

/* @tid's task exited at @time: its later records are another task's. */
void ltr_follow_exit(struct ltr_follow *f, uint32_t tid, uint64_t time)
{
	struct ft_task *t = task_get(f, tid, false);

	task_left(f, tid, time);
	if (t && time >= t->since && t->until == UINT64_MAX)
		t->until = time;
	else if (t && time < t->since && t->has_prev &&
		 time >= t->prev_since && t->prev_until == UINT64_MAX)
		t->prev_until = time;	/* the one before's, read late */
}

/* When the task seen last with id @tid started (0: none, or the start). */
uint64_t ltr_follow_since(const struct ltr_follow *f, uint32_t tid)
{
	const struct ft_task *t = slot(f->tasks, f->cap, tid);

	return t->tid ? t->since : 0;
}

/* Whether a task with id @tid was known before (its id given again). */
bool ltr_follow_known(const struct ltr_follow *f, uint32_t tid)
{
	const struct ft_task *t = slot(f->tasks, f->cap, tid);

	return t->tid && (t->since || t->tgid);
}

/* A task with id @tid was freed at @time (the kernel's sched_process_free). */
void ltr_follow_freed(struct ltr_follow *f, uint32_t tid, uint64_t time)
{
	struct ft_task *t = task_get(f, tid, false);

	if (!t)
		return;
	t->freed[0] = t->freed[1];
	t->freed[1] = time;
}

/* Room for one more of the @n elements of @size in *@a: 0, or -ENOMEM. */
static int room(void **a, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*a, c * size);
	if (!p)
		return -ENOMEM;
	*a = p;
	*cap = c;
	return 0;
}

/*
 * A task with id @tid was freed at @time, read in a ring: kept until
 * every ring was read past it (ltr_follow_frees_due()), for the fork of
 * the task freed may be in a CPU's ring read after it.  0, or -ENOMEM.
 */
int ltr_follow_free_keep(struct ltr_follow *f, uint32_t tid, uint64_t time)
{
	if (room((void **)&f->frees, &f->frees_cap, f->nfrees,
		 sizeof(*f->frees)) < 0)
		return -ENOMEM;
	f->frees[f->nfrees++] = (struct ft_free){ .tid = tid, .time = time };
	return 0;
}

/*
 * The fork of the task known with id @tid alive at @time (after its
 * fork, before it left), in *@since: a free of the id then is not its
 * own but an earlier holder's, a task the kernel freed late (an RCU grace
 * period after its reaping), which took the id out of the pid filter.
 */
static bool freed_alive(const struct ltr_follow *f, uint32_t tid,
			uint64_t time, uint64_t *since)
{
	const struct ft_task *t = slot(f->tasks, f->cap, tid);

	if (!t->tid)
		return false;
	if (time > t->since && time < t->left) {
		*since = t->since;
		return true;
	}
	if (t->has_prev && time > t->prev_since && time < t->prev_left &&
	    time < t->since) {
		*since = t->prev_since;
		return true;
	}
	return false;
}

/*
 * The frees kept (ltr_follow_free_keep()) up to @until, when every ring
 * was read past it, noted (ltr_follow_freed()): by then the fork of the
 * task freed, which came before, was read; a free of an id still not
 * known is another task's, dropped.  One that came while a task known
 * with the id lived (freed_alive(): an earlier holder's, the command's
 * or another process's) is said to @fn (may be NULL) with that task's
 * fork and the free's time.
 */
void ltr_follow_frees_due(struct ltr_follow *f, uint64_t until,
			  ltr_follow_taken_fn fn, void *ctx)
{
	size_t kept = 0;

	for (size_t i = 0; i < f->nfrees; i++) {
		uint64_t since;

		if (f->frees[i].time > until) {
			f->frees[kept++] = f->frees[i];
			continue;
		}
		ltr_follow_freed(f, f->frees[i].tid, f->frees[i].time);
		if (fn && freed_alive(f, f->frees[i].tid, f->frees[i].time,
				      &since))
			fn(ctx, f->frees[i].tid, since, f->frees[i].time);
	}
	f->nfrees = kept;
}

/*
 * Where the free of the task before @tid's task that started at @since
 * falls: 1 before @since (the fork put the id back in the filter after
 * it), -1 after (at *@at), 0 not seen (yet).  The earlier task's free
 * comes after its exit; the later task's, after its own.  With no
 * earlier task of the command: -1 for a free in its life (another
 * process's, the holder before), else 0.
 */
int ltr_follow_free_order(const struct ltr_follow *f, uint32_t tid,
			  uint64_t since, uint64_t *at)
{
	const struct ft_task *t = slot(f->tasks, f->cap, tid);
	uint64_t lo, best = UINT64_MAX;

	if (!t->tid || t->since != since)
		return 0;
	/* no earlier task of the command: a free in its life (another
	 * process's, freed late) */
	lo = !t->has_prev		 ? since :
	     t->prev_until != UINT64_MAX ? t->prev_until :
					   t->prev_since;
	for (int i = 0; i < 2; i++)
		if (t->freed[i] && t->freed[i] >= lo &&
		    t->freed[i] <= t->until && t->freed[i] < best)
			best = t->freed[i];
	if (best == UINT64_MAX)
		return 0;
	*at = best;
	return best < since ? 1 : -1;
}

/* When @tid's task that started at @since exited: UINT64_MAX, not seen. */
uint64_t ltr_follow_until(const struct ltr_follow *f, uint32_t tid,
			  uint64_t since)
{
	const struct ft_task *t = slot(f->tasks, f->cap, tid);

	return t->tid && t->since == since ? t->until : UINT64_MAX;
}

/* The process of thread @tid at @time: 0, or -ENOENT when not known. */
int ltr_follow_pid(const struct ltr_follow *f, uint32_t tid, uint64_t time,
		   uint32_t *tgid)
{
	const struct ft_task *t = slot(f->tasks, f->cap, tid);

	if (!t->tid)
		return -ENOENT;
	if (time >= t->since && time <= t->until) {
		*tgid = t->tgid;
		return 0;
	}
	if (t->has_prev && time >= t->prev_since && time <= t->prev_until) {
		*tgid = t->prev_tgid;
		return 0;
	}
	return -ENOENT;
}

/*
 * What record of thread @tid at @time says (@w), noted: a fork by a task
 * known notes its child (a thread in its parent's process, any other
 * child a process of its own; a fork by a task not known is not the
 * command's, or lost with its parent's: its child is not known either),
 * and *@reused says from when the child's id is another task's than the
 * one known with it (0: an id not known); an exit ends its task's life,
 * but a leader's with threads alive (its id stays the process's).
 * Returns 1 with the record's process in *@tgid; -ENOENT, not known;
 * with @may_wait, 0 and nothing noted when not known (the caller keeps a
 * copy, ltr_follow_pend(), for its fork may be read later).
 */
int ltr_follow_note(struct ltr_follow *f, uint32_t tid, uint64_t time,
		    const struct ltr_follow_says *w, bool may_wait,
		    uint32_t *tgid, uint64_t *reused)
{
	uint32_t p = 0;
	bool known = ltr_follow_pid(f, tid, time, &p) == 0;

	*reused = 0;
	if (!known && may_wait)
		return 0;
	if (w->kind == LTR_FOLLOW_FORK && known) {
		/* the fork of the task before, read after the later one's
		 * (another CPU's ring): the later task is the one given
		 * the id again */
		if (ltr_follow_known(f, w->child)) {
			uint64_t last = ltr_follow_since(f, w->child);

			*reused = last > time ? last : time;
		}
		/* no room: the child's records are delivered marked */
		ltr_follow_task(f, w->child, w->thread ? p : w->child, time);
	}
	if (w->kind == LTR_FOLLOW_EXIT && !(known && tid == p && !w->group_dead))
		ltr_follow_exit(f, tid, time);
	else if (w->kind == LTR_FOLLOW_EXIT)
		task_left(f, tid, time); /* the leader, threads alive */
	if (!known)
		return -ENOENT;
	*tgid = p;
	return 1;
}

/*
 * The records that waited for their task's fork, to @fn (which returns
 * how many it delivered; it may note a fork the others wait for): those
 * whose process is known now, in the order they came; then, one at a
 * time, the first of those every CPU was read past (@until) without it
 * becoming known (to be delivered marked, or dropped).  Stops when @fn
 * sets *@stop.  Returns the sum of @fn's returns.
 */
int ltr_follow_retry(struct ltr_follow *f, uint64_t until,
		     ltr_follow_fn fn, void *ctx, int *stop)
{
	int delivered = 0;
	bool progress;

	do {
		size_t forced = SIZE_MAX, kept = 0, i;
		uint32_t tgid;

		progress = false;
		/* one pass, those left moved down over those delivered
		 * (@fn adds none: it delivers now, never keeps) */
		for (i = 0; i < f->npend && !*stop; i++) {
			struct ltr_follow_rec *r = &f->pend[i];

			if (ltr_follow_pid(f, r->tid, r->time, &tgid) < 0) {
				if (forced == SIZE_MAX && r->time < until)
					forced = kept;
				f->pend[kept++] = *r;
				continue;
			}
			delivered += fn(r, ctx, stop);
			f->pend_bytes -= sizeof(*r) + r->size;
			free(r->raw);
			progress = true;
		}
		for (; i < f->npend; i++)
			f->pend[kept++] = f->pend[i];
		f->npend = kept;
		if (!progress && forced != SIZE_MAX && !*stop) {
			delivered += fn(&f->pend[forced], ctx, stop);
			ltr_follow_drop(f, forced);
			progress = true;
		}
	} while (progress && !*stop);
	return delivered;
}

/*
 * A copy of a record to deliver later: 0; -ENOSPC when those waiting
 * would hold more than the table's bound, -ENOMEM.
 */
int ltr_follow_pend(struct ltr_follow *f, int id, int cpu, uint64_t time,
		    uint32_t tid, const void *raw, uint32_t size)
{
	size_t bytes = sizeof(struct ltr_follow_rec) + size;
	struct ltr_follow_rec *r;

	if (f->pend_bytes + bytes > f->pend_max)
		return -ENOSPC;
	if (room((void **)&f->pend, &f->pend_cap, f->npend,
		 sizeof(*f->pend)) < 0)
		return -ENOMEM;
	r = &f->pend[f->npend];
	r->raw = malloc(size ? size : 1);
	if (!r->raw)
		return -ENOMEM;
	memcpy(r->raw, raw, size);
	r->id = id;
	r->cpu = cpu;
	r->time = time;
	r->tid = tid;
	r->size = size;
	f->npend++;
	f->pend_bytes += bytes;
	return 0;
}

struct ltr_follow_rec *ltr_follow_pending(struct ltr_follow *f, size_t *n)
{
	*n = f->npend;
	return f->pend;
}

/* Removes the @i-th waiting record, the order of the others kept. */
void ltr_follow_drop(struct ltr_follow *f, size_t i)
{
	free(f->pend[i].raw);
	f->pend_bytes -= sizeof(f->pend[i]) + f->pend[i].size;
	memmove(&f->pend[i], &f->pend[i + 1],
		(f->npend - i - 1) * sizeof(*f->pend));
	f->npend--;
}

/* The time of the oldest waiting record, or UINT64_MAX. */
uint64_t ltr_follow_oldest(const struct ltr_follow *f)
{
	uint64_t t = UINT64_MAX;

	for (size_t i = 0; i < f->npend; i++)
		if (f->pend[i].time < t)
			t = f->pend[i].time;
	return t;
}
