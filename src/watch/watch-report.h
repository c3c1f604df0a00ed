/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What lden watch shows: the header and the end on stdout (text, or a
 * JSON object "type":"end"), and for its HTTP server, refreshed from the
 * tracing thread and served from the server's:
 *
 *   /metrics     Prometheus text: lden_rule_state{rule,state,host} (1 for
 *                the rule's state, 0 for the three others),
 *                lden_rule_firings_total{rule,host},
 *                lden_watch_eval_seconds{host} (the last tick's
 *                evaluation, CPU seconds), lden_watch_eval_seconds_total,
 *                lden_watch_evaluations_total, lden_watch_rules,
 *                lden_watch_events, lden_events_total{event,host},
 *                lden_lost_records_total{event,host},
 *                lden_lost_records_shared{event,host} (1: that counter is
 *                the shared ftrace ring's, the same on each event in it),
 *                lden_lost_records_all_total{host} (such a ring's once),
 *                lden_action_{sent,failed,dropped}_total{action,target,host},
 *                lden_action_queued{action,target,host}, lden_up{host}
 *   /api/rules   {"host","elapsed","rules":[{"name","state","since",
 *                "fired","expression","describe","for","values":[{"name","count",
 *                "speed","lost","missed","count_exact"}],"count_exact"}]}
 *                (the dashboard's list of rules)
 */
#ifndef LDEN_WATCH_REPORT_H
#define LDEN_WATCH_REPORT_H

#include <stdio.h>

#include "watch.h"

struct lden_httpd;
struct lden_guard;
struct lden_watch_pub;

/* "lden: watching N rules over M events", the events, the rules */
void lden_watch__print_header(FILE *out, const struct lden_watch *w);

/*
 * lden_watch__print_start_json - {"type":"start","scope":..,"rules":[{"rule",
 * "expression","file","line"}],"events":[{"name","source","mode"}]}
 */
void lden_watch__print_start_json(FILE *out, const struct lden_watch *w);

/*
 * lden_watch__print_end - each rule's state and firings, each action's
 * deliveries (dropped and failed ones counted, with the last error), the
 * evaluation cost; with @json one {"type":"end",...} line
 */
void lden_watch__print_end(FILE *out, const struct lden_watch *w,
			  const struct lden_guard *g, bool json,
			  double elapsed);

/*
 * lden_watch_pub__new - the texts the HTTP server serves, for @host;
 * NULL on ENOMEM.  Free with lden_watch_pub__free() after the server.
 */
struct lden_watch_pub *lden_watch_pub__new(const char *host);

/* lden_watch_pub__routes - /metrics and /api/rules on @h; 0 or -1 */
int lden_watch_pub__routes(struct lden_watch_pub *p, struct lden_httpd *h);

/* lden_watch_pub__update - render both from @w now (the tracing thread) */
void lden_watch_pub__update(struct lden_watch_pub *p,
			   const struct lden_watch *w, double now);

void lden_watch_pub__free(struct lden_watch_pub *p);

#endif
