// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A walk over the records of one ftrace sub-buffer, as the kernel lays
 * it out (kernel/trace/ring_buffer.c; the layout is what
 * events/header_page and events/header_event describe):
 *
 *   sub-buffer: u64 time_stamp; long commit; then the events.  The low
 *     27 bits of commit are the events' bytes; bits 30 and 31 flag
 *     events missed before the page (the reader's business, not ours).
 *   event: u32 { type_len:5, time_delta:27 } (type_len in the low bits
 *     on little-endian machines, the high ones on big-endian), then:
 *     type_len 1..28  data of type_len * 4 bytes;
 *     type_len 0      u32 length, then length - 4 bytes of data;
 *     29 (padding)    time_delta 0: the rest of the sub-buffer is unused;
 *                     else a discarded event, u32 length, length bytes;
 *     30 (extend)     u32 of the delta's bits above 27: a long delta;
 *     31 (stamp)      u32 likewise, an absolute time.
 *   A record's time is the sub-buffer's time_stamp plus the deltas of the
 *   data events and extends before it, itself included.
 *
 * Why not libtraceevent's kbuffer: it costs three calls a record
 * (read, size, next), about a quarter of lden's time on the ftrace
 * ring (bench/README.md, issue 18), and the mmap'd ring needs a walk
 * that resumes on a sub-buffer the kernel is still writing to.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define TYPE_PADDING 29
#define TYPE_EXTEND 30
#define TYPE_STAMP 31
#define DELTA_BITS 27
/* the commit word's bits that are the data's length */
#define COMMIT_MASK ((1u << 27) - 1)
/* an absolute stamp holds 59 bits; the page's time_stamp the rest */
#define ABS_BITS 59

static uint32_t read_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/**
 * ltr_subbuf_commit - the events' bytes of a sub-buffer's header
 * @page: the sub-buffer, at least 8 + @commit_size bytes
 * @commit_size: the kernel's long, 4 or 8
 *
 * Read with acquire ordering: the kernel writes an event, then raises
 * commit, so the bytes below the value read are complete (the mmap'd
 * ring's reader page can be written to while it is read).
 */
uint32_t ltr_subbuf_commit(const void *page, int commit_size)
{
	const unsigned char *p = page;
	uint64_t c;

	if (commit_size == 4)
		c = __atomic_load_n((const uint32_t *)(p + 8), __ATOMIC_ACQUIRE);
	else
		c = __atomic_load_n((const uint64_t *)(p + 8), __ATOMIC_ACQUIRE);
	return (uint32_t)(c & COMMIT_MASK);
}

/**
 * ltr_subbuf_load - start a walk over the sub-buffer at @page
 * @size: the bytes readable at @page
 *
 * Returns 0, or -EBADMSG when the header says more bytes than there are
 * (the walk is then empty).
 */
int ltr_subbuf_load(struct ltr_subbuf *w, const void *page, size_t size,
		    int commit_size)
{
	size_t hdr = 8 + (size_t)commit_size;
	uint32_t commit;

	memset(w, 0, sizeof(*w));
	if (size < hdr)
		return -EBADMSG;
	w->data = (const unsigned char *)page + hdr;
	w->cap = (uint32_t)(size - hdr);
	memcpy(&w->ts, page, sizeof(w->ts));
	commit = ltr_subbuf_commit(page, commit_size);
	if (commit > w->cap)
		return -EBADMSG;
	w->len = commit;
	return 0;
}

/**
 * ltr_subbuf_next - the next record of the walk
 * @rec: out: its data, bytes and time
 *
 * Returns 1 with @rec set, 0 at the end of what is committed (more may
 * come: raise w->len and call again), or -EBADMSG when an event runs
 * past the end; the rest of the sub-buffer is then skipped.  Discarded
 * events are skipped and counted in w->discarded.
 */
int ltr_subbuf_next(struct ltr_subbuf *w, struct ltr_subbuf_rec *rec)
{
	while (w->off + 4 <= w->len) {
		const unsigned char *ev = w->data + w->off;
		uint32_t h = read_u32(ev), type, delta, arg = 0, data, len;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		type = h >> DELTA_BITS;
		delta = h & ((1u << DELTA_BITS) - 1);
#else
		type = h & 31;
		delta = h >> 5;
#endif
		/* every type but a short data event has a second word */
		if (type == 0 || type >= TYPE_PADDING) {
			if (type == TYPE_PADDING && delta == 0) {
				w->off = w->len;	/* the rest is unused */
				return 0;
			}
			if (w->off + 8 > w->len)
				goto bad;
			arg = read_u32(ev + 4);
		}
		switch (type) {
		case TYPE_PADDING:
			if (arg > w->len - w->off - 4)
				goto bad;
			w->off += 4 + ((arg + 3) & ~3u);
			w->discarded++;
			continue;
		case TYPE_EXTEND:
			w->ts += ((uint64_t)arg << DELTA_BITS) | delta;
			w->off += 8;
			continue;
		case TYPE_STAMP: {
			uint64_t abs = ((uint64_t)arg << DELTA_BITS) | delta;
			uint64_t high = w->ts & ~((1ull << ABS_BITS) - 1);

			abs |= high;
			if (high && abs < w->ts)
				abs += 1ull << ABS_BITS;
			w->ts = abs;
			w->off += 8;
			continue;
		}
		case 0:
			if (arg < 4)
				goto bad;
			data = 8;
			len = ((arg + 3) & ~3u) - 4;
			break;
		default:
			data = 4;
			len = type * 4;
			break;
		}
		if (len > w->len - w->off - data)
			goto bad;
		w->ts += delta;
		rec->data = ev + data;
		rec->size = len;
		rec->ts = w->ts;
		w->off += data + len;
		return 1;
	}
	return 0;
bad:
	w->off = w->len;
	return -EBADMSG;
}
