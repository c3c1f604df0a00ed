/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Between ticks and at each tick: the loop notify and visualize share.
 * Samples are delivered as they come (sampling events sum their sizes);
 * at a tick every event's counters are read and summed over its
 * attachments (one per traced process) into its lden_stat.
 */
#ifndef LDEN_COLLECT_H
#define LDEN_COLLECT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "aggregate.h"
#include "attach.h"

struct ltr_session;
struct ltr_sample;

/* The signal that asked to stop (SIGINT, SIGTERM, SIGHUP, SIGPIPE), or 0. */
extern volatile sig_atomic_t lden_stop_signal;

/* Makes SIGINT, SIGTERM, SIGHUP and SIGPIPE set lden_stop_signal (and
 * interrupt waits). */
void lden_catch_stop_signals(void);

/*
 * lden_collect__stats - read every event's totals into @st
 * @att: nevents x nscopes attachments, scope-major (att[k * nevents + i])
 * @t: now (lden_now()), for the speed window
 *
 * Returns 0, or -1 when a counter cannot be read (ltr_last_error() says
 * why).
 */
int lden_collect__stats(struct lden_attached *att, int nevents, int nscopes,
		       struct lden_stat *st, double t);

/*
 * lden_collect__wait - deliver samples until @deadline (lden_now() time)
 * @sampling: whether any event samples (else only waits)
 * @stop: returns early once it is non-zero (a signal handler sets it)
 *
 * Returns 0 at the deadline (the rings drained), 1 when stopped, or a
 * negative errno when reading the rings failed.
 */
int lden_collect__wait(struct ltr_session *s, double deadline, bool sampling,
		      volatile sig_atomic_t *stop);

/* The sample callback: adds the sample's size to its attached event. */
int lden_collect__sample(const struct ltr_sample *sample, void *ctx);

/* Delivers the samples in the rings now; 0 or a negative errno. */
int lden_collect__drain(struct ltr_session *s, bool sampling);

/* How long the end of a run waits for records still being written. */
#define LDEN_SETTLE_MS 200

/*
 * lden_collect__settle - the end of trace's, top's and io's reading: the
 * events disabled, the rings drained to @fn until each hit counted has
 * arrived or is counted lost (ltr_session__settle()): what never came is
 * in ltr_session__lost(s, -1), said, not dropped.  0 or a negative errno.
 */
int lden_collect__settle(struct ltr_session *s,
			int (*fn)(const struct ltr_sample *, void *),
			void *ctx);

/*
 * lden_collect__finish - the end of a run: disables the session's events
 * (counts stay readable) and, @sampling, settles the @n attached events
 * (lden_attached__settle()): every sample written arrives, and what never
 * will is counted as lost.  0 or a negative errno.
 */
int lden_collect__finish(struct ltr_session *s, struct lden_attached *att,
			int n, bool sampling);

#endif
