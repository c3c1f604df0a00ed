// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Recall rings: records the kernel keeps, read only when asked.
 *
 * An event opened with opts->recall writes into a second ring per CPU,
 * mapped read-only and written backward (attr.write_backward): the kernel
 * never waits for a reader and overwrites the oldest records once the
 * ring is full, and the newest record always starts at data_head, so the
 * ring can be walked from the newest record to older ones.  Nothing is
 * read until the caller asks (ltr_session__recall): for a failed open,
 * which path did this thread pass?  The events that describe every call
 * then cost the kernel a record each and cost lden nothing.
 *
 * The walk does not stop the kernel (PERF_EVENT_IOC_PAUSE_OUTPUT would
 * drop whatever the CPU wrote meanwhile).  Each record is copied out, then
 * data_head is read again: the kernel has written (old head - new head)
 * bytes since the walk began, over the oldest end of the ring, so a
 * record copied from further than that (plus RECALL_SLACK for writes not
 * yet published) from the start is whole; one nearer the end may have
 * been overwritten while it was copied, and ends the walk.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define RECALL_DEFAULT_PAGES 1024u
/*
 * Bytes the kernel may have reserved on a CPU but not yet published in
 * data_head: records being written by contexts nested in one another
 * (task, softirq, irq, NMI).  Probe and tracepoint records are a few KiB.
 */
#define RECALL_SLACK (4 * 16384u)

static uint64_t ring_head(const struct ltr_ring *r)
{
	const struct perf_event_mmap_page *pg = r->base;

	return __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
}

/*
 * What lden knows of one ring: where its samples are, their thread and
 * time, oldest first.  Each walk first indexes the records written since
 * the last one (newest first, up to the newest record indexed then), so
 * a record is parsed once however many walks pass it: a burst of failed
 * opens costs each of them a binary search, not a walk over the backlog.
 */
struct recall_entry {
	uint64_t pos;		/* where the record starts: head + offset */
	uint64_t time;
	uint32_t tid;
	uint32_t size;
};

struct ltr_recall_index {
	struct recall_entry *e;	/* circular, e[first] the oldest */
	struct recall_entry *tmp;	/* a catch-up's entries, newest first */
	size_t cap, first, n;
	uint64_t head;		/* data_head when it last caught up */
	bool started;
	bool whole;		/* it holds every sample since the ring began */
};

void ltr_recall_index_free(struct ltr_ring *r)
{
	if (!r || !r->index)
		return;
	free(r->index->e);
	free(r->index->tmp);
	free(r->index);
	r->index = NULL;
}

static struct recall_entry *entry(struct ltr_recall_index *ix, size_t k)
{
	return &ix->e[(ix->first + k) % ix->cap];
}

/* Forgets the @m oldest entries. */
static void drop_oldest(struct ltr_recall_index *ix, size_t m)
{
	if (m > ix->n)
		m = ix->n;
	ix->first = (ix->first + m) % ix->cap;
	ix->n -= m;
	if (m)
		ix->whole = false;
}

/*
 * Whether the @len bytes @rel bytes after @head0 are still what was
 * there when the head was @head0.
 */
static bool unchanged(const struct ltr_ring *r, uint64_t head0, uint64_t rel,
		      uint64_t len)
{
	uint64_t since;

	/* the copy is complete before the head is read again */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	since = head0 - ring_head(r);
	return rel + len + RECALL_SLACK <= r->data_size &&
	       since <= r->data_size - RECALL_SLACK - (rel + len);
}

/* Indexes the samples written since the last catch-up. */
static int catch_up(struct ltr_ring *r)
{
	struct ltr_recall_index *ix = r->index;
	uint64_t h = ring_head(r), written = 0 - h, rel = 0, mask;
	uint64_t avail = written < r->data_size ? written : r->data_size;
	size_t nt = 0;
	bool reached = false, cut = false;

	if (!ix) {
		ix = calloc(1, sizeof(*ix));
		if (!ix)
			return -ENOMEM;
		/* the smallest sample takes 48 bytes */
		ix->cap = r->data_size / 48 + 1;
		ix->e = calloc(ix->cap, sizeof(*ix->e));
		ix->tmp = calloc(ix->cap, sizeof(*ix->tmp));
		r->index = ix;
		if (!ix->e || !ix->tmp) {
			ltr_recall_index_free(r);
			return -ENOMEM;
		}
	}
	if (ix->started && h == ix->head)
		return 0;
	mask = r->data_size - 1;
	for (;;) {
		struct perf_event_header hdr;
		struct ltr_sample s;
		uint64_t off = (h + rel) & mask, id;

		if (ix->started && h + rel == ix->head) {
			reached = true;
			break;
		}
		if (rel + sizeof(hdr) > avail) {
			/* the ring's first record, or an overwritten one */
			cut = !(written <= r->data_size &&
				unchanged(r, h, 0, written));
			break;
		}
		/* records are 8-byte aligned: a header never wraps */
		memcpy(&hdr, r->data + off, sizeof(hdr));
		if (hdr.size < sizeof(hdr) || (hdr.size & 7) ||
		    rel + hdr.size > avail) {
			cut = true;
			break;
		}
		ltr_ring_copy(r->data, r->data_size, off, r->scratch,
			      hdr.size < 48 ? hdr.size : 48);
		if (!unchanged(r, h, rel, hdr.size)) {
			cut = true;
			break;
		}
		if (hdr.type == PERF_RECORD_SAMPLE && nt < ix->cap &&
		    !ltr_parse_sample((const void *)r->scratch, &id, &s))
			ix->tmp[nt++] = (struct recall_entry){
				.pos = h + rel, .time = s.time,
				.tid = s.tid, .size = hdr.size };
		rel += hdr.size;
	}
	if (!ix->started)
		ix->whole = !cut;
	else if (!reached)
		/* what lay between the two was overwritten unseen */
		drop_oldest(ix, ix->n);
	if (ix->n + nt > ix->cap)
		drop_oldest(ix, ix->n + nt - ix->cap);
	while (nt)
		*entry(ix, ix->n++) = ix->tmp[--nt];
	ix->head = h;
	ix->started = true;
	return 0;
}

enum cursor_state {
	CURSOR_LIVE,
	CURSOR_END,	/* at @since, or at the ring's first record */
	CURSOR_CUT,	/* older records were (or may have been) overwritten */
};

struct cursor {
	struct ltr_ring *r;
	long k;			/* the next index entry to look at */
	uint64_t oldest;	/* time of the oldest whole sample seen */
	enum cursor_state state;
	uint64_t id;		/* the sample step() copied out */
	struct ltr_sample s;
};

/* The index of the newest entry at or before @until, or -1. */
static long newest_until(struct ltr_recall_index *ix, uint64_t until)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (entry(ix, mid)->time <= until)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

/* The time of @c's next entry (a live cursor has one). */
static uint64_t peek(const struct cursor *c)
{
	return entry(c->r->index, (size_t)c->k)->time;
}

/*
 * Looks at @c's next entry (the newest left): ends the ring's part of
 * the walk at @since, at its first record or where it was overwritten;
 * else, when the entry is a sample of @tid (0: any), copies it out and
 * returns true.
 */
static bool step(struct cursor *c, uint32_t tid, uint64_t since)
{
	struct ltr_recall_index *ix = c->r->index;
	const struct ltr_ring *r = c->r;
	struct recall_entry *e;
	uint64_t head, rel;

	e = entry(ix, (size_t)c->k);
	head = ring_head(r);
	rel = e->pos - head;
	if (rel + e->size + RECALL_SLACK > r->data_size) {
		/* overwritten since it was indexed, and all before it */
		drop_oldest(ix, (size_t)c->k + 1);
		c->state = CURSOR_CUT;
		return false;
	}
	c->k--;
	if (e->time < since) {
		c->state = CURSOR_END;
		return false;
	}
	c->oldest = e->time;
	/* the ring's last entry: say now whether older ones were lost */
	if (c->k < 0)
		c->state = ix->whole ? CURSOR_END : CURSOR_CUT;
	if (tid && e->tid != tid)
		return false;
	ltr_ring_copy(r->data, r->data_size, e->pos & (r->data_size - 1),
		      r->scratch, e->size);
	if (!unchanged(r, head, rel, e->size)) {
		drop_oldest(ix, (size_t)(c->k + 2));
		c->state = CURSOR_CUT;
		return false;
	}
	return ltr_parse_sample((const void *)r->scratch, &c->id, &c->s) == 0;
}

/**
 * ltr_recall_walk - the samples of @tid in rings @rings, newest first
 * @rings: @n rings (one per CPU); their indexes are brought up to date
 * @tid:   the thread whose samples are wanted, 0 for every sample
 * @since: the walk ends at samples older than this (0: no bound)
 * @until: only samples at or before this time (CLOCK_MONOTONIC ns)
 * @fn:    called per sample with its id (s->event NULL); the sample lives
 *         in a copy valid only during the call; non-zero stops the walk
 *
 * The rings are merged by time.  A sample is delivered only while every
 * ring still holds all it recorded after that time: once a ring whose
 * oldest records were overwritten cannot vouch for it, the walk ends.
 *
 * Return: 1 when @fn stopped it, 0 when it reached @since or every
 * record ever written, -ENODATA when the history ends at an overwritten
 * record (what was delivered is exact; what came before it is gone),
 * -EINVAL or -ENOMEM.
 */
int ltr_recall_walk(struct ltr_ring *rings, int n, uint32_t tid,
		    uint64_t since, uint64_t until, ltr_ring_sample_fn fn,
		    void *ctx)
{
	struct cursor *cur;
	int rc = 0;

	if (!rings || n <= 0 || !fn)
		return ltr_error(EINVAL, "invalid recall walk");
	cur = calloc((size_t)n, sizeof(*cur));
	if (!cur)
		return ltr_error(ENOMEM, "out of memory");
	for (int i = 0; i < n && !rc; i++) {
		if (catch_up(&rings[i]) < 0) {
			rc = ltr_error(ENOMEM, "out of memory");
			break;
		}
		cur[i].r = &rings[i];
		cur[i].k = newest_until(rings[i].index, until);
		cur[i].oldest = UINT64_MAX;
		cur[i].state = CURSOR_LIVE;
		/* nothing this old here: ended, or lost */
		if (cur[i].k < 0) {
			cur[i].state = rings[i].index->whole ? CURSOR_END :
							       CURSOR_CUT;
			if (rings[i].index->n)
				cur[i].oldest = entry(rings[i].index, 0)->time;
		}
	}
	/*
	 * every ring's entries merged by time, newest first, whatever their
	 * thread, so that a ring this thread did not run on is not walked
	 * further back than the sample looked for
	 */
	while (!rc) {
		struct cursor *best = NULL;
		bool live = false;

		for (int i = 0; i < n; i++) {
			if (cur[i].state != CURSOR_LIVE)
				continue;
			live = true;
			if (!best || peek(&cur[i]) > peek(best))
				best = &cur[i];
		}
		if (!live)
			break;
		if (!step(best, tid, since))
			continue;
		/* a cut ring lost records older than its oldest: maybe newer
		 * than this sample */
		for (int i = 0; i < n; i++)
			if (cur[i].state == CURSOR_CUT &&
			    cur[i].oldest >= best->s.time)
				rc = -ENODATA;
		if (!rc && fn(best->id, &best->s, ctx))
			rc = 1;
	}
	/* every ring ended: was anything older overwritten? */
	for (int i = 0; i < n && !rc; i++)
		if (cur[i].state == CURSOR_CUT)
			rc = -ENODATA;
	free(cur);
	if (rc < 0)
		errno = -rc;
	return rc;
}

/* ------------------------------------------------------------------ */
/* The session's recall rings */

void ltr_recall_attr(struct perf_event_attr *a)
{
	a->write_backward = 1;
	/* nobody waits on these rings */
	a->watermark = 0;
	a->wakeup_watermark = 0;
	a->wakeup_events = 0;
}

void ltr_recall_unmap(struct ltr_session *s)
{
	if (!s->recall)
		return;
	for (int i = 0; i < s->ncpus; i++) {
		struct ltr_ring *r = &s->recall[i];

		if (r->base)
			munmap(r->base, r->map_size);
		if (r->fd >= 0)
			close(r->fd);
		ltr_recall_index_free(r);
		ltr_ring_fini(r);
	}
	free(s->recall);
	s->recall = NULL;
}

/*
 * The rings, one per CPU, owned by a dummy software event like the
 * session's other rings, on the first event opened with opts->recall.
 */
int ltr_recall_map(struct ltr_session *s)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned int pages = s->recall_pages ? s->recall_pages :
					       RECALL_DEFAULT_PAGES;
	size_t map_size = (size_t)(pages + 1) * (size_t)page;
	int err;

	if (s->recall)
		return 0;
	s->recall = calloc((size_t)s->ncpus, sizeof(*s->recall));
	if (!s->recall)
		return ltr_error(ENOMEM, "out of memory");
	for (int i = 0; i < s->ncpus; i++)
		s->recall[i].fd = -1;
	for (int i = 0; i < s->ncpus; i++) {
		struct perf_event_attr a = { 0 };
		void *base;
		int fd;

		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_DUMMY;
		a.size = sizeof(a);
		a.sample_period = 1;
		a.sample_type = LTR_SAMPLE_TYPE;
		a.use_clockid = 1;
		a.clockid = CLOCK_MONOTONIC;
		a.disabled = 1;
		ltr_recall_attr(&a);
		fd = ltr_perf_open(&a, -1, s->cpus[i], -1, 0);
		if (fd < 0) {
			err = ltr_perf_open_error(-fd, "recall ring");
			goto out_unmap;
		}
		s->recall[i].fd = fd;
		/* read-only: the kernel overwrites, never waits for us */
		base = mmap(NULL, map_size, PROT_READ, MAP_SHARED, fd, 0);
		if (base == MAP_FAILED) {
			err = ltr_error(errno, "cannot map a %zu KiB recall ring on CPU %d: %s (kernel.perf_event_mlock_kb, RLIMIT_MEMLOCK)",
					map_size / 1024, s->cpus[i],
					strerror(errno));
			goto out_unmap;
		}
		err = ltr_ring_init(&s->recall[i], base, map_size, fd,
				    s->cpus[i]);
		if (err < 0) {
			munmap(base, map_size);
			goto out_unmap;
		}
		/* now s->recall[i] owns the mapping */
		if (s->recall[i].data_size <= RECALL_SLACK) {
			err = ltr_error(EINVAL, "a recall ring of %u pages is too small",
					pages);
			goto out_unmap;
		}
	}
	return 0;

out_unmap:
	ltr_recall_unmap(s);
	return err;
}

int ltr_recall_fd(const struct ltr_session *s, int i)
{
	return s->recall ? s->recall[i].fd : -1;
}

struct recall_ctx {
	struct ltr_session *s;
	ltr_sample_fn fn;
	void *ctx;
};

static int recall_sample(uint64_t id, struct ltr_sample *sample, void *ctx)
{
	struct recall_ctx *rc = ctx;

	sample->event = ltr_session_event_of(rc->s, id);
	if (!sample->event)
		return 0;
	return rc->fn(sample, rc->ctx);
}

int ltr_session__recall(struct ltr_session *s, uint32_t tid, uint64_t since,
			uint64_t until, ltr_sample_fn fn, void *ctx)
{
	struct recall_ctx rc = { .s = s, .fn = fn, .ctx = ctx };

	ltr_clear_error();
	if (!s || !fn)
		return ltr_error(EINVAL, "invalid argument");
	if (!s->recall)
		return 0;
	return ltr_recall_walk(s->recall, s->ncpus, tid, since, until,
			       recall_sample, &rc);
}
