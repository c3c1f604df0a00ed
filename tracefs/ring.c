// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The reader side of one perf mmap ring: records between data_tail and
 * data_head, with the kernel's ordering contract (acquire the head, read
 * the records, release the tail) and no trust in what the records say.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* A record's size is a u16, so no record is larger than this. */
#define SCRATCH_SIZE 65536

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/**
 * ltr_ring_init - set up a reader over an existing perf mmap
 * @r:        the reader; written only on success
 * @base:     the mapping, struct perf_event_mmap_page first (in tests,
 *            any page-aligned buffer laid out the same way)
 * @map_size: its length, one header page plus 2^n data pages
 * @fd:       the perf fd that owns the ring, or -1; kept, not closed
 * @cpu:      the CPU the ring belongs to
 *
 * Takes the data area from the header's data_offset and data_size when
 * the kernel filled them (4.1+), else from the page size.
 *
 * Return: 0, -EINVAL when the layout is not a valid ring, or -ENOMEM
 * (errno set).  Release with ltr_ring_fini().
 */
int ltr_ring_layout(void *base, size_t map_size, unsigned char **data,
		    uint64_t *data_size)
{
	struct perf_event_mmap_page *pg = base;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t off, size;

	if (!base || page <= 0 || map_size <= (size_t)page)
		return ltr_error(EINVAL, "ring of %zu bytes is too small",
				 map_size);

	off = pg->data_offset ? pg->data_offset : (uint64_t)page;
	size = pg->data_size ? pg->data_size : map_size - page;
	if (!is_pow2(size) || off < sizeof(*pg) || off > map_size ||
	    size > map_size - off)
		return ltr_error(EINVAL,
				 "ring data area %llu+%llu does not fit a %zu-byte mapping",
				 (unsigned long long)off,
				 (unsigned long long)size, map_size);
	*data = (unsigned char *)base + off;
	*data_size = size;
	return 0;
}

int ltr_ring_init(struct ltr_ring *r, void *base, size_t map_size, int fd,
		  int cpu)
{
	struct ltr_ring nr = { 0 };
	int err;

	if (!r)
		return ltr_error(EINVAL, "invalid argument");
	err = ltr_ring_layout(base, map_size, &nr.data, &nr.data_size);
	if (err < 0)
		return err;
	nr.scratch = malloc(SCRATCH_SIZE);
	if (!nr.scratch)
		return ltr_error(ENOMEM, "out of memory for a ring buffer");
	nr.base = base;
	nr.map_size = map_size;
	nr.fd = fd;
	nr.cpu = cpu;
	*r = nr;
	return 0;
}

/**
 * ltr_ring_fini - release the reader's memory
 * @r: the reader, or NULL; may be zero-filled and never initialised
 *
 * Neither unmaps the ring nor closes its fd: the session owns both.
 */
void ltr_ring_fini(struct ltr_ring *r)
{
	if (!r)
		return;
	free(r->scratch);
	r->scratch = NULL;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/**
 * ltr_parse_sample_as - split a PERF_RECORD_SAMPLE written for @type
 * @h:    the record, header first, all h->size bytes readable
 * @type: the sample_type it was written for: PERF_SAMPLE_IDENTIFIER and
 *        PERF_SAMPLE_RAW, with any of LTR_SAMPLE_TYPE's TID, TIME, CPU,
 *        and PERF_SAMPLE_CGROUP (s->cgroup, LTR_SAMPLE_CGROUP)
 * @id:   out: the PERF_SAMPLE_IDENTIFIER value
 * @s:    out: pid, tid, time, cpu and the raw payload, which points into
 *        the record; s->event is set to NULL.  What @type leaves out is 0
 *        and said in s->flags (LTR_SAMPLE_NO_TID, LTR_SAMPLE_NO_TIME,
 *        LTR_SAMPLE_NO_CPU)
 *
 * Both outputs are written only on success.
 *
 * Return: 0, or -EINVAL when the record is too short for its fields or
 * its raw payload, or @type is not one this reader knows (errno set).
 */
int ltr_parse_sample_as(const struct perf_event_header *h, uint64_t type,
			uint64_t *id, struct ltr_sample *s)
{
	const unsigned char *p = (const void *)h;
	struct ltr_sample out = { 0 };
	uint32_t off = sizeof(*h) + 8, raw_size;

	if (!h || !id || !s)
		return ltr_error(EINVAL, "invalid argument");
	if ((type & ~(LTR_SAMPLE_TYPE | PERF_SAMPLE_CGROUP)) ||
	    (type & LTR_SAMPLE_LEAN) != LTR_SAMPLE_LEAN)
		return ltr_error(EINVAL, "sample_type %#llx is not one lden reads",
				 (unsigned long long)type);
	/* in the kernel's order: IDENTIFIER, TID, TIME, CPU, RAW */
	off += type & PERF_SAMPLE_TID ? 8 : 0;
	off += type & PERF_SAMPLE_TIME ? 8 : 0;
	off += type & PERF_SAMPLE_CPU ? 8 : 0;
	if (h->size < off + 4)
		return ltr_error(EINVAL,
				 "sample record of %u bytes is too short",
				 h->size);
	raw_size = get_u32(p + off);
	if (raw_size > h->size - (off + 4))
		return ltr_error(EINVAL,
				 "sample payload of %u bytes overruns its %u-byte record",
				 raw_size, h->size);
	off = sizeof(*h) + 8;
	if (type & PERF_SAMPLE_TID) {
		out.pid = get_u32(p + off);
		out.tid = get_u32(p + off + 4);
		off += 8;
	} else {
		out.flags |= LTR_SAMPLE_NO_TGID | LTR_SAMPLE_NO_TID;
	}
	if (type & PERF_SAMPLE_TIME) {
		out.time = get_u64(p + off);
		off += 8;
	} else {
		out.flags |= LTR_SAMPLE_NO_TIME;
	}
	if (type & PERF_SAMPLE_CPU) {
		out.cpu = get_u32(p + off);
		off += 8;
	} else {
		out.flags |= LTR_SAMPLE_NO_CPU;
	}
	out.raw_size = raw_size;
	out.raw = p + off + 4;
	/* PERF_SAMPLE_CGROUP follows RAW (whose size keeps u64 alignment) */
	if (type & PERF_SAMPLE_CGROUP) {
		off += 4 + raw_size;
		if (h->size < off + 8)
			return ltr_error(EINVAL,
					 "sample record of %u bytes ends before its cgroup",
					 h->size);
		out.cgroup = get_u64(p + off);
		out.flags |= LTR_SAMPLE_CGROUP;
	}
	*id = get_u64(p + sizeof(*h));
	*s = out;
	return 0;
}

int ltr_parse_sample(const struct perf_event_header *h, uint64_t *id,
		     struct ltr_sample *s)
{
	return ltr_parse_sample_as(h, LTR_SAMPLE_TYPE, id, s);
}

void ltr_ring_copy(const unsigned char *data, uint64_t size, uint64_t off,
		   void *dst, size_t len)
{
	size_t first = size - off;

	if (first >= len) {
		memcpy(dst, data + off, len);
		return;
	}
	memcpy(dst, data + off, first);
	memcpy((unsigned char *)dst + first, data, len - first);
}

static void copy_out(const struct ltr_ring *r, uint64_t off, void *dst,
		     size_t len)
{
	ltr_ring_copy(r->data, r->data_size, off, dst, len);
}

/*
 * Hands one complete record to its consumer.  Returns non-zero when the
 * callback asked to stop.
 */
static int dispatch(struct ltr_ring *r, const struct perf_event_header *h,
		    ltr_ring_sample_fn fn, void *ctx, int *delivered)
{
	const unsigned char *p = (const void *)h;
	uint64_t type = LTR_SAMPLE_TYPE;
	struct ltr_event *ev = NULL;
	struct ltr_sample s;
	uint64_t id = 0;

	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		/*
		 * a session's ring holds events of several sample_types:
		 * the id, first in each, says whose record it is
		 */
		if (r->session && h->size >= sizeof(*h) + 8) {
			ev = ltr_session_event_of(r->session,
						  get_u64(p + sizeof(*h)));
			if (!ev) {
				/* an event closed while its records were
				 * queued: nothing to read them with */
				r->samples++;
				(*delivered)++;
				return 0;
			}
			type = ev->sample_type;
		}
		if (ltr_parse_sample_as(h, type, &id, &s)) {
			r->bad++;
			return 0;
		}
		if (s.flags & LTR_SAMPLE_NO_CPU) {
			/* a CPU's ring: the CPU its records were written on */
			s.cpu = (uint32_t)r->cpu;
			s.flags &= ~LTR_SAMPLE_NO_CPU;
		}
		s.event = ev;
		r->samples++;
		(*delivered)++;
		return fn ? fn(id, &s, ctx) : 0;
	case PERF_RECORD_LOST:
		/* header, u64 id, u64 lost */
		if (h->size < 24)
			r->bad++;
		else
			r->lost += get_u64(p + 16);
		return 0;
	case PERF_RECORD_LOST_SAMPLES:
		/* header, u64 lost */
		if (h->size < 16)
			r->bad++;
		else
			r->lost += get_u64(p + 8);
		return 0;
	default:
		return 0;
	}
}

/*
 * What may be in a ring that its head does not show yet: the record the
 * kernel could not fit (a record's size is a u16), and those being
 * written when the head was read, which the kernel publishes when the
 * outermost writer of the CPU is done (one a context at most: task,
 * softirq, hardirq, NMI).
 */
#define NOTE_MARGIN (5 * 65536u)

void ltr_ring_note(struct ltr_ring *r, uint64_t head, uint64_t tail)
{
	/*
	 * Since the last look the tail was at least note_tail (only this
	 * reader moves it, forward) and the head at most @head (the kernel
	 * moves it forward): the ring held at most head - note_tail bytes.
	 * The kernel drops a record only when it does not fit.
	 */
	if (head - r->note_tail + NOTE_MARGIN > r->data_size)
		r->full_marks++;
	r->note_tail = tail;
}

/**
 * ltr_ring_drain - consume the records the kernel has published
 * @r:   the reader
 * @fn:  called for each PERF_RECORD_SAMPLE, or NULL to discard samples;
 *       the sample points into the ring and is valid only during the call
 * @ctx: passed to @fn
 *
 * Reads data_head once, so a busy CPU cannot keep the caller here, and
 * consumes every record up to it: samples go to @fn, PERF_RECORD_LOST and
 * PERF_RECORD_LOST_SAMPLES add to r->lost, other types are skipped.
 * data_tail is published after each record so that the kernel can reuse
 * the space during a long batch.  When @fn returns non-zero, the drain
 * stops after that record, and the next drain resumes after it.
 *
 * A record whose size cannot be right (smaller than its header, larger
 * than the ring, or past the head) means the ring cannot be walked: the
 * rest of it is dropped (the tail is set to the head) and r->bad counted.
 * Samples too short for their event's sample_type (LTR_SAMPLE_TYPE in a
 * ring of no session) are skipped and counted in r->bad.
 *
 * Return: the number of samples delivered (or discarded), or -EINVAL
 * when @r is not set up (errno set).
 */
int ltr_ring_drain(struct ltr_ring *r, ltr_ring_sample_fn fn, void *ctx)
{
	struct perf_event_mmap_page *pg;
	uint64_t head, tail, mask;
	int delivered = 0;

	if (!r || !r->base || !r->data || !r->scratch || !r->data_size)
		return ltr_error(EINVAL, "ring is not set up");
	pg = r->base;
	mask = r->data_size - 1;

	/* pairs with the kernel's barrier between the data and data_head */
	head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
	/* only this reader writes the tail */
	tail = __atomic_load_n(&pg->data_tail, __ATOMIC_RELAXED);
	ltr_ring_note(r, head, tail);

	while (tail != head) {
		uint64_t avail = head - tail;
		uint64_t off = tail & mask;
		struct perf_event_header hdr;
		const struct perf_event_header *h;
		int stop;

		if (avail > r->data_size || avail < sizeof(hdr))
			goto out_corrupt;
		copy_out(r, off, &hdr, sizeof(hdr));
		if (hdr.size < sizeof(hdr) || hdr.size > r->data_size ||
		    hdr.size > avail)
			goto out_corrupt;

		/*
		 * The kernel keeps records 8-byte aligned; a misaligned one
		 * is copied out too, so that the header is always aligned.
		 */
		if (off + hdr.size <= r->data_size && !(off & 7)) {
			h = (const void *)(r->data + off);
		} else {
			copy_out(r, off, r->scratch, hdr.size);
			h = (const void *)r->scratch;
		}

		stop = dispatch(r, h, fn, ctx, &delivered);
		tail += hdr.size;
		/* the record's bytes are ours until the kernel sees this */
		__atomic_store_n(&pg->data_tail, tail, __ATOMIC_RELEASE);
		if (stop)
			break;
	}
	return delivered;

out_corrupt:
	r->bad++;
	__atomic_store_n(&pg->data_tail, head, __ATOMIC_RELEASE);
	ltr_warn("cpu %d: corrupt record at ring offset %llu, dropped %llu bytes\n",
		 r->cpu, (unsigned long long)(tail & mask),
		 (unsigned long long)(head - tail));
	return delivered;
}
