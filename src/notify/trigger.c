// SPDX-License-Identifier: GPL-2.0-or-later
/* When lden notify fires (see trigger.h). */
#include "trigger.h"

bool lden_trigger__check(struct lden_trigger *tr, bool truth, double t)
{
	if (!truth) {
		tr->armed = true;
		return false;
	}
	if (!tr->armed || t - tr->last < tr->cooldown)
		return false;
	tr->armed = false;
	tr->last = t;
	return true;
}
