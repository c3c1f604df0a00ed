/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * When lden notify fires: on the condition's turning true (an edge, not
 * at every tick it stays true), once more only after it was false again,
 * and with a cooldown, not sooner than that many seconds after the last
 * firing.  Whether it fires more than once (--repeat) is the caller's.
 */
#ifndef LDEN_TRIGGER_H
#define LDEN_TRIGGER_H

#include <stdbool.h>

struct lden_trigger {
	double cooldown;	/* seconds between firings */
	bool armed;		/* false from a firing until the condition
				   is seen false */
	double last;		/* when it last fired */
};

/* Armed, never fired, with @cooldown seconds (0: none). */
#define LDEN_TRIGGER_INIT(cooldown) \
	((struct lden_trigger){ (cooldown), true, -1e300 })

/*
 * lden_trigger__check - the condition is @truth at @t (seconds, any clock
 * that does not go back).  Returns true when it fires now: @truth, armed,
 * and at least the cooldown since the last firing; it is then disarmed
 * until a check with @truth false.
 */
bool lden_trigger__check(struct lden_trigger *tr, bool truth, double t);

#endif
