/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lden's own CPU time, split: what its threads that serve (the HTTP
 * server of the dashboard and /metrics, the Elasticsearch sender) or that
 * measure (the guard's calibration) use is no cost of tracing, and the
 * overhead guard must not switch events off for it.  Such threads say so
 * once; the rest of the process is tracing.
 */
#ifndef LDEN_SELFCPU_H
#define LDEN_SELFCPU_H

/*
 * lden_selfcpu__exclude_thread - the calling thread's CPU time, from now
 * on and before, is not tracing cost; a second call from the same thread
 * does nothing.  Thread-safe.
 */
void lden_selfcpu__exclude_thread(void);

/* An excluded thread about to end: its time so far stays excluded. */
void lden_selfcpu__thread_done(void);

/* CPU seconds of the excluded threads, the ones that ended included. */
double lden_selfcpu__excluded(void);

/* CPU seconds of the process, less lden_selfcpu__excluded(). */
double lden_selfcpu__tracing(void);

#endif
