/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state of one rule of lden watch, tick after tick:
 *
 *   inactive --true--> pending --true for 'for'--> firing --false--> resolved
 *       ^                 |                          |  ^                |
 *       +-----false-------+      (keep-firing-for:   +--+ stays firing   |
 *                                 false that long)                      |
 *   resolved --true--> pending (or firing at once when 'for' is 0) <----+
 *
 * 'for' (Prometheus's): the condition must be true at every evaluation
 * for that long before the rule fires; with 0 it fires at the first true
 * evaluation.  'keep-firing-for': once firing, it stays firing until the
 * condition has been false that long (a flapping condition fires once).
 * 'cooldown': a rule fires again no sooner than that long after it last
 * fired; meanwhile a true condition holds it pending.
 *
 * The clock is the caller's (seconds, never going back), so that this is
 * tested without a kernel and without waiting.
 */
#ifndef LDEN_RULE_STATE_H
#define LDEN_RULE_STATE_H

#include <stdbool.h>

enum lden_rule_state {
	LDEN_RULE_INACTIVE,
	LDEN_RULE_PENDING,
	LDEN_RULE_FIRING,
	LDEN_RULE_RESOLVED,
};
#define LDEN_RULE_NSTATES 4

struct lden_rule_sm {
	double for_s, keep_firing_s, cooldown_s;
	enum lden_rule_state state;
	double since;		/* when the state began */
	double active_since;	/* pending or firing: the condition true since */
	double false_since;	/* firing: false since (keep-firing-for), or < 0 */
	double fired_at;	/* the last firing, or -inf */
	unsigned int fired;	/* firings so far */
};

/* lden_rule_sm__init - inactive at @now, with the rule's timings */
void lden_rule_sm__init(struct lden_rule_sm *sm, double for_s,
		       double keep_firing_s, double cooldown_s, double now);

/*
 * lden_rule_sm__step - the condition is @truth at @now
 * Returns true when the state changed (sm->state is the new one, @from
 * the old), false otherwise.
 */
bool lden_rule_sm__step(struct lden_rule_sm *sm, bool truth, double now,
		       enum lden_rule_state *from);

/* "inactive", "pending", "firing", "resolved" */
const char *lden_rule_state__name(enum lden_rule_state s);

#endif
