// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden top drops: dropped packets per kernel location and reason
 * (SystemTap's dropwatch.stp), from skb:kfree_skb.  The location is an
 * address, named "function+0xoffset" through /proc/kallsyms; the reason
 * (kernels from 5.17) is named with the symbols of the event's own print
 * format, so they are this kernel's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kallsyms.h"
#include "lden-trace.h"
#include "recipe.h"
#include "symbolic.h"
#include "tally.h"

struct drops {
	struct lden_kallsyms *ksyms;
	struct lden_symbolic *reasons;	/* NULL: no reason field or names */
	int not_dropped;		/* SKB_NOT_DROPPED_YET, or -1 */
};

static int drops_attach(struct lden_recipe *r, struct ltr_session *s,
			const struct lden_scope *scope, char *err,
			size_t errlen)
{
	struct drops *d = r->priv;
	char filter[64] = "";
	int64_t v;

	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d) {
			snprintf(err, errlen, "drops: out of memory");
			return -1;
		}
		r->priv = d;
		d->ksyms = lden_kallsyms__load(NULL);
		if (!d->ksyms) {
			snprintf(err, errlen, "drops: cannot read /proc/kallsyms: %m");
			return -1;
		}
		d->reasons = lden_symbolic__load(r->tracing_dir, "skb",
						"kfree_skb", "reason");
		d->not_dropped = -1;
		if (lden_symbolic__value(d->reasons, "NOT_DROPPED_YET", &v) == 0)
			d->not_dropped = (int)v;
	}
	/* a free that is no drop (older kernels) is not worth sampling */
	if (d->not_dropped >= 0)
		snprintf(filter, sizeof(filter), "reason != %d", d->not_dropped);
	return lden_recipe__open_event(r, s, "skb", "kfree_skb",
				      *filter ? filter : NULL, scope, 0, err,
				      errlen);
}

static int drops_sample(struct lden_recipe *r, const struct ltr_sample *s,
			const char *extra, size_t elen,
			struct lden_row *row)
{
	struct drops *d = r->priv;
	const struct ltr_field *floc = ltr_event__field(s->event, "location");
	const struct ltr_field *freason = ltr_event__field(s->event, "reason");
	uint64_t v[LDEN_TALLY_VALUES] = { 1 }, loc = 0, reason = 0;
	char where[256], why[64], key[400];
	const char *name = NULL;

	if (floc)
		ltr_field__u64(floc, s, &loc);
	if (lden_kallsyms__addr_name(d->ksyms, loc, where, sizeof(where)) < 0)
		snprintf(where, sizeof(where), "0x%llx", (unsigned long long)loc);
	if (freason && ltr_field__u64(freason, s, &reason) == 0) {
		name = lden_symbolic__name(d->reasons, (int64_t)reason);
		if (name)
			snprintf(why, sizeof(why), "%s", name);
		else
			snprintf(why, sizeof(why), "%llu",
				 (unsigned long long)reason);
	} else {
		snprintf(why, sizeof(why), "-");
	}
	snprintf(key, sizeof(key), "%s" LDEN_SEP "%s", where, why);
	return lden_tally__add(r->tally, key, v);
}

static void drops_free(struct lden_recipe *r)
{
	struct drops *d = r->priv;

	if (!d)
		return;
	lden_kallsyms__free(d->ksyms);
	lden_symbolic__free(d->reasons);
	free(d);
	r->priv = NULL;
}

const struct lden_recipe_def lden_recipe_drops = {
	.name = "drops",
	.command = "top",
	.summary = "dropped packets per kernel location and reason",
	.columns = "LOCATION REASON DROPS",
	.nkeys = 2,
	.attach = drops_attach,
	.sample = drops_sample,
	.free = drops_free,
};
