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

enum cursor_state {
	CURSOR_LIVE,
	CURSOR_END,	/* every record the ring ever held was read */
	CURSOR_CUT,	/* older records were (or may have been) overwritten */
};

struct cursor {
	const struct ltr_ring *r;
	uint64_t head;		/* data_head when the walk began */
	uint64_t written;	/* bytes the kernel had written by then */
	uint64_t rel;		/* offset of the next record from head */
	uint64_t oldest;	/* time of the oldest sample read */
	enum cursor_state state;
	bool have;		/* a matching sample is waiting in r->scratch */
	uint64_t id;
	struct ltr_sample s;
};

/* Whether [rel, rel + len) is still the record that was there at start. */
static bool unchanged(const struct cursor *c, uint64_t rel, uint64_t len)
{
	uint64_t since;

	/* the copy is complete before the head is read again */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	since = c->head - ring_head(c->r);
	return rel + len + RECALL_SLACK <= c->r->data_size &&
	       since <= c->r->data_size - RECALL_SLACK - (rel + len);
}

/* Moves @c to its next sample of @tid (0: any) at or before @until. */
static void advance(struct cursor *c, uint32_t tid, uint64_t until)
{
	const struct ltr_ring *r = c->r;
	uint64_t mask = r->data_size - 1;
	uint64_t avail = c->written < r->data_size ? c->written : r->data_size;

	c->have = false;
	while (c->state == CURSOR_LIVE) {
		struct perf_event_header hdr;
		uint64_t off = (c->head + c->rel) & mask;

		if (c->rel + sizeof(hdr) > avail) {
			c->state = c->written <= r->data_size &&
					   unchanged(c, 0, c->written) ?
					   CURSOR_END : CURSOR_CUT;
			break;
		}
		/* records are 8-byte aligned: a header never wraps */
		memcpy(&hdr, r->data + off, sizeof(hdr));
		if (hdr.size < sizeof(hdr) || (hdr.size & 7) ||
		    c->rel + hdr.size > avail) {
			/* the oldest record, partly overwritten */
			c->state = CURSOR_CUT;
			break;
		}
		ltr_ring_copy(r->data, r->data_size, off, r->scratch, hdr.size);
		if (!unchanged(c, c->rel, hdr.size)) {
			c->state = CURSOR_CUT;
			break;
		}
		c->rel += hdr.size;
		if (hdr.type != PERF_RECORD_SAMPLE ||
		    ltr_parse_sample((const void *)r->scratch, &c->id, &c->s))
			continue;
		if (c->s.time < c->oldest)
			c->oldest = c->s.time;
		if (c->s.time > until || (tid && c->s.tid != tid))
			continue;
		c->have = true;
		break;
	}
}

/**
 * ltr_recall_walk - the samples of @tid in rings @rings, newest first
 * @rings: @n rings (one per CPU)
 * @tid:   the thread whose samples are wanted, 0 for every sample
 * @until: only samples at or before this time (CLOCK_MONOTONIC ns)
 * @fn:    called per sample with its id (s->event NULL); the sample lives
 *         in a copy valid only during the call; non-zero stops the walk
 *
 * The rings are merged by time.  A sample is delivered only while every
 * ring still holds all it recorded after that time: once a ring whose
 * oldest records were overwritten cannot vouch for it, the walk ends.
 *
 * Return: 1 when @fn stopped it, 0 when every record ever written was
 * seen, -ENODATA when the history ends at an overwritten record (what was
 * delivered is exact; what came before it is gone), -EINVAL or -ENOMEM.
 */
int ltr_recall_walk(const struct ltr_ring *rings, int n, uint32_t tid,
		    uint64_t until, ltr_ring_sample_fn fn, void *ctx)
{
	struct cursor *cur;
	int rc = 0;

	if (!rings || n <= 0 || !fn)
		return ltr_error(EINVAL, "invalid recall walk");
	cur = calloc((size_t)n, sizeof(*cur));
	if (!cur)
		return ltr_error(ENOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		cur[i].r = &rings[i];
		cur[i].head = ring_head(&rings[i]);
		/* the head moves down from 0 as records are written */
		cur[i].written = 0 - cur[i].head;
		cur[i].oldest = UINT64_MAX;
		cur[i].state = CURSOR_LIVE;
		advance(&cur[i], tid, until);
	}
	for (;;) {
		struct cursor *best = NULL;

		for (int i = 0; i < n; i++)
			if (cur[i].have && (!best || cur[i].s.time > best->s.time))
				best = &cur[i];
		/* a cut ring lost records older than its oldest: maybe newer
		 * than this sample */
		for (int i = 0; i < n; i++)
			if (cur[i].state == CURSOR_CUT &&
			    (!best || cur[i].oldest >= best->s.time))
				rc = -ENODATA;
		if (rc || !best)
			break;
		if (fn(best->id, &best->s, ctx)) {
			rc = 1;
			break;
		}
		advance(best, tid, until);
	}
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

int ltr_session__recall(struct ltr_session *s, uint32_t tid, uint64_t until,
			ltr_sample_fn fn, void *ctx)
{
	struct recall_ctx rc = { .s = s, .fn = fn, .ctx = ctx };

	ltr_clear_error();
	if (!s || !fn)
		return ltr_error(EINVAL, "invalid argument");
	if (!s->recall)
		return 0;
	return ltr_recall_walk(s->recall, s->ncpus, tid, until, recall_sample,
			       &rc);
}
