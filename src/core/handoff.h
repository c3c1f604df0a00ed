/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Buffers handed on: whether a late read of a call's string can still be
 * that call's.  A program that builds each path in one buffer and opens
 * it, again and again, has written the next call's path there by the
 * time lden reads a call that was not copied at the call (a static
 * program, a probe's fetch that faulted): the read then shows another
 * call's path.  lden cannot see the program write, but it sees the next
 * call given the same pointer; a read made after that is not shown.
 *
 * As the calls' enters arrive (in each CPU's order, one CPU after
 * another: a thread's calls may arrive out of time order), the tracker
 * keeps each thread's last call per buffer and, per call, the time its
 * buffer was given to a later call of the thread.  A read made before
 * that moment may still have been overtaken by the program's writing
 * (between a call's return and the next call's entry, unseen): that is
 * why such reads are marked late.
 *
 * Every function takes a NULL tracker (none kept: nothing is stale).
 *
 * Bounded: each table in two generations of 2048 entries; when the new
 * one is full, the old one is dropped (a handoff then forgotten leaves a
 * read marked late, as before: the latest 2048 calls and buffers are
 * always kept).
 */
#ifndef LDEN_HANDOFF_H
#define LDEN_HANDOFF_H

#include <stdbool.h>
#include <stdint.h>

struct lden_handoff;

/* An empty tracker (free with lden_handoff__free()), or NULL (ENOMEM). */
struct lden_handoff *lden_handoff__new(void);

/* Frees @h; takes NULL. */
void lden_handoff__free(struct lden_handoff *h);

/*
 * lden_handoff__call - at the arrival of a call of thread @tid at @time
 * (its enter's record) given the buffer at @ptr
 * @read_at: when lden read that buffer for it (CLOCK_MONOTONIC ns, as the
 *           records' times), or 0 when it did not
 */
void lden_handoff__call(struct lden_handoff *h, uint32_t tid, uint64_t time,
			uint64_t ptr, uint64_t read_at);

/*
 * lden_handoff__stale - whether the buffer @ptr of @tid's call at @time
 * was given to a later call of the thread before @read_at (0: the read
 * noted by lden_handoff__call()): what lden read may be that call's
 */
bool lden_handoff__stale(const struct lden_handoff *h, uint32_t tid,
			 uint64_t time, uint64_t ptr, uint64_t read_at);

/* Done with @tid's call at @time with @ptr (its exit was reported). */
void lden_handoff__done(struct lden_handoff *h, uint32_t tid, uint64_t time,
			uint64_t ptr);

#endif
