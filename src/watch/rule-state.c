// SPDX-License-Identifier: GPL-2.0-or-later
/* One rule's state machine (see rule-state.h). */
#include <math.h>

#include "rule-state.h"

const char *lden_rule_state__name(enum lden_rule_state s)
{
	static const char *const names[] = {
		[LDEN_RULE_INACTIVE] = "inactive",
		[LDEN_RULE_PENDING] = "pending",
		[LDEN_RULE_FIRING] = "firing",
		[LDEN_RULE_RESOLVED] = "resolved",
	};

	return (unsigned int)s < LDEN_RULE_NSTATES ? names[s] : "?";
}

void lden_rule_sm__init(struct lden_rule_sm *sm, double for_s,
		       double keep_firing_s, double cooldown_s, double now)
{
	sm->for_s = for_s;
	sm->keep_firing_s = keep_firing_s;
	sm->cooldown_s = cooldown_s;
	sm->state = LDEN_RULE_INACTIVE;
	sm->since = now;
	sm->active_since = now;
	sm->false_since = -1;
	sm->fired_at = -INFINITY;
	sm->fired = 0;
}

static bool go(struct lden_rule_sm *sm, enum lden_rule_state to, double now,
	       enum lden_rule_state *from)
{
	if (from)
		*from = sm->state;
	sm->state = to;
	sm->since = now;
	if (to == LDEN_RULE_FIRING) {
		sm->fired++;
		sm->fired_at = now;
		sm->false_since = -1;
	}
	return true;
}

/* True long enough, and the cooldown over. */
static bool may_fire(const struct lden_rule_sm *sm, double now)
{
	return now - sm->active_since >= sm->for_s &&
	       now - sm->fired_at >= sm->cooldown_s;
}

bool lden_rule_sm__step(struct lden_rule_sm *sm, bool truth, double now,
		       enum lden_rule_state *from)
{
	switch (sm->state) {
	case LDEN_RULE_INACTIVE:
	case LDEN_RULE_RESOLVED:
		if (!truth)
			return false;
		sm->active_since = now;
		return go(sm, may_fire(sm, now) ? LDEN_RULE_FIRING :
			  LDEN_RULE_PENDING, now, from);
	case LDEN_RULE_PENDING:
		if (!truth)
			return go(sm, LDEN_RULE_INACTIVE, now, from);
		return may_fire(sm, now) ? go(sm, LDEN_RULE_FIRING, now, from) :
					   false;
	case LDEN_RULE_FIRING:
		if (truth) {
			sm->false_since = -1;
			return false;
		}
		if (sm->false_since < 0)
			sm->false_since = now;
		if (now - sm->false_since < sm->keep_firing_s)
			return false;
		return go(sm, LDEN_RULE_RESOLVED, now, from);
	}
	return false;
}
