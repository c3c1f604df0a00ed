/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lden-exec --mntns: the mount namespace of each exec, exact or marked.
 *
 * The exec tracepoint does not carry the namespace, so it is read from
 * /proc (ltr_process__namespace()) when the sample is decoded, a little
 * after the exec.  In between the process may have moved (unshare(2),
 * setns(2): what runc does right after its own exec) or exited, and its
 * pid may have gone to another process.  Those are traced too, and a line
 * waits until every record up to its read has surely been drained: then
 * it shows the number, "?" when the process moved between its exec and
 * the read, or "-" when it exited first.
 */
#ifndef LDEN_EXAMPLE_MNTNS_H
#define LDEN_EXAMPLE_MNTNS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lden-trace.h"

struct mntns_view;

/*
 * Opens sys_enter_unshare (CLONE_NEWNS only), sys_enter_setns and
 * sched_process_exit in @s with @scope's pid and inherit; lines go to
 * @out.  Returns NULL with ltr_last_error() set.
 */
struct mntns_view *mntns_view_new(struct ltr_session *s,
				  const struct ltr_event_opts *scope,
				  FILE *out);
void mntns_view_free(struct mntns_view *v);

/* Takes the samples of its own events: true when @s was one. */
bool mntns_view_sample(struct mntns_view *v, const struct ltr_sample *s);

/* An exec of @pid at @time: reads its namespace now, queues the line. */
void mntns_view_exec(struct mntns_view *v, uint32_t pid, uint64_t time,
		     const char *filename, size_t len);

/*
 * Prints the queued lines read before @drained_from (CLOCK_MONOTONIC ns,
 * the start of a drain that has completed; UINT64_MAX after the last):
 * "exec PID MNTNS FILENAME".
 */
void mntns_view_flush(struct mntns_view *v, uint64_t drained_from);

/* The current CLOCK_MONOTONIC time in ns, the clock of the samples. */
uint64_t mntns_now(void);

#endif
