// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <math.h>
#include <time.h>

#include "number.h"
#include "clock.h"
#include "collect.h"
#include "lden-trace.h"

volatile sig_atomic_t lden_stop_signal;

static void on_stop_signal(int sig)
{
	lden_stop_signal = sig;
}

void lden_catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a closed terminal too: probes are removed on the way out */
	sigaction(SIGHUP, &sa, NULL);
	/*
	 * and the reader of stdout gone ('lden trace exec | head -1'):
	 * dying of it would leave the probes and the instance in tracefs
	 */
	sigaction(SIGPIPE, &sa, NULL);
}

static int collect_stats(struct lden_attached *att, int nevents, int nscopes,
			 struct lden_stat *st, double t);

int lden_collect__stats(struct lden_attached *att, int nevents, int nscopes,
		       struct lden_stat *st, double t)
{
	struct ltr_session *s = NULL;
	int rc;

	for (int i = 0; i < nevents * nscopes && !s; i++)
		s = lden_attached__session(&att[i]);
	/* every counter of the tick from one read a CPU */
	if (s)
		ltr_session__hold_counters(s);
	rc = collect_stats(att, nevents, nscopes, st, t);
	if (s)
		ltr_session__release_counters(s);
	return rc;
}

static int collect_stats(struct lden_attached *att, int nevents, int nscopes,
			 struct lden_stat *st, double t)
{
	for (int i = 0; i < nevents; i++) {
		uint64_t total = 0, size = 0, lost_total = 0, missed = 0;
		uint64_t unsized = 0, short_by = 0;
		bool shared = false;

		/* one attachment per scope (per --pid process) */
		for (int k = 0; k < nscopes; k++) {
			struct lden_attached *a = &att[k * nevents + i];
			struct lden_reading r;
			uint64_t count;

			/* count, size and lost of one moment (one hist read) */
			if (lden_attached__read(a, &r) < 0)
				return -1;
			total += r.count;
			size = lden_u64_add(size, r.size);
			/* stopped sampling (the guard) keeps what it lost */
			/* a ring shared with others: its total, once */
			if (!r.lost_err) {
				if (!a->lost_shared)
					lost_total += r.lost;
				else if (r.lost > lost_total)
					lost_total = r.lost;
			}
			shared |= a->lost_shared;
			st[i].size_in_kernel |= a->size_in_kernel;
			/* unreadable a moment (probes coming and going): 0 */
			if (lden_attached__missed(a, &count) < 0)
				count = 0;
			missed += count;
			if (lden_attached__count_short(a, &count) < 0)
				count = 0;
			short_by += count;
			unsized += lden_attached__unsized(a);
			st[i].joined |= a->join != NULL;
		}
		st[i].count = total;
		st[i].size = size;
		st[i].speed = lden_window__push(&st[i].win, t, total);
		st[i].lost = lost_total;
		st[i].lost_shared = shared;
		/*
		 * a count from the ftrace ring's records is short by up to
		 * its drops, said as misses are; never less than already said
		 */
		if (short_by > st[i].short_records)
			st[i].short_records = short_by;
		if (missed + short_by > st[i].missed)
			st[i].missed = missed + short_by;
		st[i].unsized = unsized;
	}
	return 0;
}

int lden_collect__sample(const struct ltr_sample *sample, void *ctx)
{
	lden_attached__add_sample(sample);
	return 0;
}

int lden_collect__drain(struct ltr_session *s, bool sampling)
{
	int n;

	if (!sampling)
		return 0;
	n = ltr_session__drain(s, lden_collect__sample, NULL);
	return n < 0 ? n : 0;
}

int lden_collect__wait(struct ltr_session *s, double deadline, bool sampling,
		      volatile sig_atomic_t *stop)
{
	for (;;) {
		int wait_ms, n;

		if (*stop)
			return 1;
		wait_ms = (int)ceil((deadline - lden_now()) * 1000);
		if (wait_ms <= 0)
			break;
		n = ltr_session__poll(s, wait_ms, sampling ? lden_collect__sample : NULL,
				      NULL);
		if (n < 0 && n != -EINTR)
			return n;
	}
	return lden_collect__drain(s, sampling);
}

int lden_collect__finish(struct ltr_session *s, struct lden_attached *att,
			int n, bool sampling)
{
	int rc = ltr_session__disable(s);

	if (rc < 0 || !sampling)
		return rc;
	return lden_attached__settle(att, n, s, lden_collect__sample, NULL);
}

int lden_collect__settle(struct ltr_session *s,
			int (*fn)(const struct ltr_sample *, void *),
			void *ctx)
{
	int n = ltr_session__settle(s, LDEN_SETTLE_MS, fn, ctx);

	return n < 0 ? n : 0;
}
