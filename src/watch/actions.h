/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What lden watch does when a rule changes state, away from the tracing
 * thread: each destination (an Alertmanager URL, a webhook URL, a
 * command, the journal) is a channel with a bounded queue and a worker
 * thread of its own, so a destination that hangs or refuses holds up
 * nothing but itself.  Every delivery is bounded in time (the timeout:
 * an HTTP request, a command then killed); an alert that finds its
 * channel's queue full is dropped and counted, never waited for.
 *
 * The channels are made on first use and live until lden_actions__free(),
 * which gives the queued alerts a last, bounded chance.
 */
#ifndef LDEN_ACTIONS_H
#define LDEN_ACTIONS_H

#include <stdatomic.h>
#include <stdint.h>

#include "alert.h"
#include "rules.h"

#define LDEN_ACTIONS_QUEUE_DEFAULT 256
#define LDEN_ACTIONS_TIMEOUT_DEFAULT 5.0
/* alerts in one POST to Alertmanager */
#define LDEN_ACTIONS_AM_BATCH 64

struct lden_actions;

struct lden_actions_opts {
	double timeout;		/* seconds one delivery may take */
	int queue_max;		/* alerts waiting per channel */
};

struct lden_action_stats {
	enum lden_action_kind kind;
	const char *target;	/* URL, command or "journal" (borrowed) */
	uint64_t sent;		/* alerts delivered */
	uint64_t failed;	/* alerts whose delivery failed or timed out */
	uint64_t dropped;	/* alerts that found the queue full */
	uint64_t queued;	/* waiting now */
	char last_error[256];	/* "" when none */
};

/*
 * lden_actions__new - no channel yet; NULL on ENOMEM
 * Free with lden_actions__free().
 */
struct lden_actions *lden_actions__new(const struct lden_actions_opts *o);

/*
 * lden_actions__send - @alert (a reference is taken) to every destination
 * of @ra, without blocking: queued, or dropped when a queue is full
 * Returns how many were dropped, or -ENOMEM / -EAGAIN (no thread).
 */
int lden_actions__send(struct lden_actions *acts,
		      const struct lden_rule_action *ra,
		      struct lden_alert *alert);

int lden_actions__nchannels(struct lden_actions *acts);
/* A snapshot of channel @i's numbers. */
void lden_actions__stats(struct lden_actions *acts, int i,
			struct lden_action_stats *st);

/*
 * lden_actions__flush - take no more alerts, deliver what is queued for at
 * most @drain seconds in all, then give up: a delivery in flight is
 * aborted (counted as failed), what is still queued dropped; the workers
 * stop and the numbers stay for lden_actions__stats()
 */
void lden_actions__flush(struct lden_actions *acts, double drain);

/* lden_actions__free - flush (if not yet, with no time), free; NULL is fine */
void lden_actions__free(struct lden_actions *acts);

/* ------------------------------------------------------------------ */
/* The deliveries, one file each; run in a channel's worker */

/*
 * lden_deliver_http - POST @body (JSON) to @url within @timeout seconds,
 * or until *@give_up (lden is stopping and the time to drain is over)
 * Returns 0 on a 2xx answer, else -1 with @err ("HTTP 500", "Timeout was
 * reached", "Connection refused").
 */
int lden_deliver_http(const char *url, const char *body, size_t len,
		      double timeout, const atomic_bool *give_up, char *err,
		      size_t errlen);

/*
 * lden_deliver_exec - run @command with /bin/sh -c, the alert in its
 * environment (lden_alert__env()), its output on lden's standard error;
 * killed (its whole process group) after @timeout seconds or once
 * *@give_up
 * Returns 0 when it exited 0, else -1 with @err ("exited with status 3",
 * "killed after 5 s").
 */
int lden_deliver_exec(const char *command, const struct lden_alert *a,
		      double timeout, const atomic_bool *give_up, char *err,
		      size_t errlen);

/*
 * lden_alert__env - the environment of a command run for @a: lden's own,
 * then LDEN_RULE, LDEN_STATE, LDEN_FROM, LDEN_FIRED, LDEN_ELAPSED,
 * LDEN_EXPRESSION, LDEN_HOST, LDEN_DESCRIBE, LDEN_LABEL_<NAME>,
 * LDEN_ANNOTATION_<NAME> and per event LDEN_<EVENT>_COUNT, _SIZE (events
 * with a size), _SPEED, _LOST as lden notify's --script has them
 * Returns a NULL-terminated array (free each string, then the array), or
 * NULL (ENOMEM).
 */
char **lden_alert__env(const struct lden_alert *a);

/*
 * lden_deliver_journal - one structured entry for @a: MESSAGE, PRIORITY,
 * SYSLOG_IDENTIFIER=lden, RULE, STATE, FROM, FIRED, EXPRESSION, LABEL_*,
 * and per event LDEN_<EVENT>_COUNT etc.; through the journal's own API
 * (libsystemd, loaded when first needed), else one line to syslog
 * Returns 0 (*@via "journal" or "syslog"), or -1 with @err.
 */
int lden_deliver_journal(const struct lden_alert *a, const char **via,
			 char *err, size_t errlen);

#endif
