// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden top net: packets and bytes per process and device (SystemTap's
 * nettop.stp), from net:net_dev_queue (a packet handed to a device to
 * send) and net:netif_receive_skb (a packet taken in from a device).
 *
 * Each packet is counted for the task on the CPU when the tracepoint
 * fires.  Sending runs in the sender's system call, except what TCP
 * sends from softirq (retransmits, data released by an incoming ACK).
 * Receiving runs in softirq, on behalf of whoever was on the CPU: on
 * loopback usually the sender, on a real device often an unrelated task
 * or ksoftirqd (pid 0 is the idle task).  So RECV_* is approximate per
 * process, exact per device.  Lengths are the packets' (headers
 * included), not the application's bytes.
 *
 * The UID is in neither record: it is read from /proc when the sample
 * arrives (kept a second per process), so a process that changed its
 * uid or exited since shows another uid or none; it is marked late,
 * "1000?" ("?" alone: unavailable).
 */
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "lden-trace.h"
#include "pidinfo.h"
#include "recipe.h"
#include "tally.h"

enum { ROLE_XMIT = 1, ROLE_RECV };

static int net_attach(struct lden_recipe *r, struct ltr_session *s,
		      const struct lden_scope *scope, char *err, size_t errlen)
{
	if (!r->priv) {
		r->priv = lden_pidinfo_cache__new(1000000000u);
		if (!r->priv) {
			snprintf(err, errlen, "net: out of memory");
			return -1;
		}
	}
	if (lden_recipe__open_event(r, s, "net", "net_dev_queue", NULL, scope,
				   ROLE_XMIT, err, errlen) < 0)
		return -1;
	return lden_recipe__open_event(r, s, "net", "netif_receive_skb", NULL,
				      scope, ROLE_RECV, err, errlen);
}

static size_t net_capture(struct lden_recipe *r, const struct ltr_sample *s,
			  char *extra, size_t len)
{
	const struct lden_pidinfo *pi = lden_pidinfo__get(r->priv,
							 (pid_t)s->pid);

	/* no record carries it: read now, marked late ("0?") */
	if (pi->uid == (uid_t)-1)
		snprintf(extra, len, "?");
	else
		snprintf(extra, len, "%u?", (unsigned int)pi->uid);
	return strlen(extra) + 1;
}

static int net_sample(struct lden_recipe *r, const struct ltr_sample *s,
		      const char *extra, size_t elen,
		      struct lden_row *row)
{
	const struct ltr_field *flen = ltr_event__field(s->event, "len");
	const struct ltr_field *fdev = ltr_event__field(s->event, "name");
	uint64_t v[LDEN_TALLY_VALUES] = { 0 }, bytes = 0;
	const char *dev = "?";
	size_t n = 1;
	char key[128], esc[4 * 16 + 1];

	if (flen)
		ltr_field__u64(flen, s, &bytes);
	if (!fdev || ltr_field__str(fdev, s, &dev, &n) < 0) {
		dev = "?";
		n = 1;
	}
	/* a device's name is its namespace owner's choice: any byte but
	 * '/', ':' and spaces, LDEN_SEP too (it would split the key) */
	lden_escape__text(dev, strnlen(dev, n), LDEN_ESC_SPACE, esc,
			  sizeof(esc));
	snprintf(key, sizeof(key), "%u" LDEN_SEP "%s" LDEN_SEP "%s", s->pid,
		 extra && *extra ? extra : "?", esc);
	/* for the summary: the uid of each packet, late or gone */
	lden_recipe__count(r, extra && *extra && strcmp(extra, "?") ?
			   LDEN_PROV_LATE : LDEN_PROV_NONE);
	if (lden_recipe__role(s) == ROLE_XMIT) {
		v[0] = 1;
		v[2] = bytes;
	} else {
		v[1] = 1;
		v[3] = bytes;
	}
	return lden_tally__add(r->tally, key, v);
}

static void net_free(struct lden_recipe *r)
{
	lden_pidinfo_cache__free(r->priv);
	r->priv = NULL;
}

const struct lden_recipe_def lden_recipe_net = {
	.name = "net",
	.command = "top",
	.summary = "packets and bytes sent and received per process and device",
	.columns = "PID UID DEV XMIT_PK RECV_PK XMIT_KB RECV_KB",
	.nkeys = 3,
	.late_keys = 1u << 1,
	.escaped_keys = 1u << 2,
	.attach = net_attach,
	.capture = net_capture,
	.sample = net_sample,
	.free = net_free,
};
