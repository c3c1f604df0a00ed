// SPDX-License-Identifier: GPL-2.0-or-later
/* What lden watch shows (see watch-report.h). */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "escape.h"
#include "guard.h"
#include "httpd.h"
#include "prom-text.h"
#include "watch-report.h"

void lden_watch__print_header(FILE *out, const struct lden_watch *w)
{
	fprintf(out, "lden: watching %d rule%s over %d event%s in ", w->n,
		w->n == 1 ? "" : "s", w->ev.n, w->ev.n == 1 ? "" : "s");
	lden_scope__describe(w->ev.scope, out);
	fputc('\n', out);
	for (int i = 0; i < w->ev.n; i++) {
		const struct lden_watch_event *e = w->ev.ev[i];

		fputs("  ", out);
		lden_label__print(out, e->label, 30);
		fprintf(out, " %s (%s)", e->att[0].source,
			e->att[0].sampling ? "sampling, for size" : "counting");
		if (e->cgroup) {
			fputs(" in cgroup ", out);
			lden_fputs_escaped(out, e->cgroup, 0);
		}
		fputc('\n', out);
	}
	for (int i = 0; i < w->n; i++) {
		const struct lden_rule *d = w->r[i]->def;

		fprintf(out, "  rule %s: %s", d->name, d->when);
		if (d->for_s > 0)
			fprintf(out, " for %gs", d->for_s);
		fprintf(out, " (%s:%d)\n", d->file, d->line);
	}
}

void lden_watch__print_start_json(FILE *out, const struct lden_watch *w)
{
	char *scope = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&scope, &len);

	if (f) {
		lden_scope__describe(w->ev.scope, f);
		fclose(f);
	}
	fputs("{\"type\":\"start\",\"scope\":", out);
	lden_json_string(out, scope ? scope : "");
	free(scope);
	fputs(",\"rules\":[", out);
	for (int i = 0; i < w->n; i++) {
		const struct lden_rule *d = w->r[i]->def;

		fprintf(out, "%s{\"rule\":", i ? "," : "");
		lden_json_string(out, d->name);
		fputs(",\"expression\":", out);
		lden_json_string(out, d->when);
		fputs(",\"file\":", out);
		lden_json_string(out, d->file);
		fprintf(out, ",\"line\":%d}", d->line);
	}
	fputs("],\"events\":[", out);
	for (int i = 0; i < w->ev.n; i++) {
		const struct lden_watch_event *e = w->ev.ev[i];

		fprintf(out, "%s{\"name\":", i ? "," : "");
		lden_json_string(out, e->label);
		fputs(",\"source\":", out);
		lden_json_string(out, e->att[0].source);
		fprintf(out, ",\"mode\":\"%s\"}",
			e->att[0].sampling ? "sampling" : "counting");
	}
	fputs("]}\n", out);
}

static void action_json(FILE *out, const struct lden_action_stats *st)
{
	fprintf(out, "{\"action\":\"%s\",\"target\":",
		lden_action_kind__name(st->kind));
	lden_json_string(out, st->target);
	fprintf(out, ",\"sent\":%" PRIu64 ",\"failed\":%" PRIu64
		",\"dropped\":%" PRIu64 ",\"queued\":%" PRIu64 ",\"last_error\":",
		st->sent, st->failed, st->dropped, st->queued);
	lden_json_string(out, st->last_error);
	fputc('}', out);
}

static void end_json(FILE *out, const struct lden_watch *w,
		     const struct lden_guard *g, double elapsed)
{
	struct lden_actions *acts = w->conf.actions;
	int nch = acts ? lden_actions__nchannels(acts) : 0;

	fprintf(out, "{\"type\":\"end\",\"elapsed\":%.3f,\"evaluations\":%"
		PRIu64 ",\"eval_seconds_avg\":%.9f,\"eval_seconds_max\":%.9f,"
		"\"transitions\":%" PRIu64 ",\"rules\":[", elapsed, w->ticks,
		w->ticks ? w->eval_total / (double)w->ticks : 0, w->eval_max,
		w->transitions);
	for (int i = 0; i < w->n; i++) {
		fprintf(out, "%s{\"rule\":", i ? "," : "");
		lden_json_string(out, w->r[i]->def->name);
		fprintf(out, ",\"state\":\"%s\",\"fired\":%u,\"count_exact\":%s}",
			lden_rule_state__name(w->r[i]->sm.state),
			w->r[i]->sm.fired,
			lden_watch_rule__count_exact(w->r[i]) ? "true" : "false");
	}
	fputs("],\"actions\":[", out);
	for (int i = 0; i < nch; i++) {
		struct lden_action_stats st;

		lden_actions__stats(acts, i, &st);
		if (i)
			fputc(',', out);
		action_json(out, &st);
	}
	fputs("],", out);
	if (g) {
		lden_guard__print_json(out, g);
		fputc(',', out);
		lden_guard__print_self_json(out, g);
	} else {
		fputs("\"guard\":[]", out);
	}
	fputs("}\n", out);
}

void lden_watch__print_end(FILE *out, const struct lden_watch *w,
			  const struct lden_guard *g, bool json,
			  double elapsed)
{
	struct lden_actions *acts = w->conf.actions;
	int nch = acts ? lden_actions__nchannels(acts) : 0;

	if (json) {
		end_json(out, w, g, elapsed);
		return;
	}
	fprintf(out, "lden: watched for %.3f s, %" PRIu64 " evaluations, %.1f us of CPU each on average\n",
		elapsed, w->ticks,
		w->ticks ? 1e6 * w->eval_total / (double)w->ticks : 0);
	for (int i = 0; i < w->n; i++)
		fprintf(out, "  rule %-24s %-8s fired %u time%s%s\n",
			w->r[i]->def->name,
			lden_rule_state__name(w->r[i]->sm.state),
			w->r[i]->sm.fired, w->r[i]->sm.fired == 1 ? "" : "s",
			lden_watch_rule__count_exact(w->r[i]) ? "" :
			" (counts short: its kprobes missed hits)");
	for (int i = 0; i < nch; i++) {
		struct lden_action_stats st;

		lden_actions__stats(acts, i, &st);
		fprintf(out, "  action %s %s: %" PRIu64 " sent, %" PRIu64
			" failed, %" PRIu64 " dropped (queue full)",
			lden_action_kind__name(st.kind), st.target, st.sent,
			st.failed, st.dropped);
		if (st.queued)
			fprintf(out, ", %" PRIu64 " not delivered", st.queued);
		if (st.last_error[0])
			fprintf(out, "; last error: %s", st.last_error);
		fputc('\n', out);
	}
}

/* ------------------------------------------------------------------ */
/* For the HTTP server */

struct lden_watch_pub {
	pthread_mutex_t lock;
	char *host;
	char *metrics;
	size_t metrics_len;
	char *rules;
	size_t rules_len;
};

struct lden_watch_pub *lden_watch_pub__new(const char *host)
{
	struct lden_watch_pub *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->host = strdup(host ? host : "");
	if (!p->host) {
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

void lden_watch_pub__free(struct lden_watch_pub *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p->host);
	free(p->metrics);
	free(p->rules);
	free(p);
}

static int serve_copy(struct lden_watch_pub *p, char *const *text,
		      const size_t *len, const char *type,
		      struct lden_http_reply *rep)
{
	pthread_mutex_lock(&p->lock);
	if (!*text) {
		pthread_mutex_unlock(&p->lock);
		rep->status = 503;
		rep->body = strdup("not ready\n");
		rep->len = rep->body ? strlen(rep->body) : 0;
		rep->content_type = "text/plain; charset=utf-8";
		return rep->body ? 0 : -1;
	}
	rep->body = malloc(*len + 1);
	if (rep->body) {
		memcpy(rep->body, *text, *len);
		rep->len = *len;
	}
	pthread_mutex_unlock(&p->lock);
	rep->content_type = type;
	return rep->body ? 0 : -1;
}

static int serve_metrics(void *ctx, const struct lden_http_request *req,
			 struct lden_http_reply *rep)
{
	struct lden_watch_pub *p = ctx;

	return serve_copy(p, &p->metrics, &p->metrics_len,
			  "text/plain; version=0.0.4; charset=utf-8", rep);
}

static int serve_rules(void *ctx, const struct lden_http_request *req,
		       struct lden_http_reply *rep)
{
	struct lden_watch_pub *p = ctx;

	return serve_copy(p, &p->rules, &p->rules_len,
			  "application/json", rep);
}

int lden_watch_pub__routes(struct lden_watch_pub *p, struct lden_httpd *h)
{
	if (lden_httpd__route(h, "/metrics", serve_metrics, p) < 0 ||
	    lden_httpd__route(h, "/api/rules", serve_rules, p) < 0)
		return -1;
	return 0;
}

/* NAME{KEY="v",host="h"} */
static void series(FILE *out, const struct lden_watch_pub *p, const char *name,
		   const char *key, const char *value)
{
	fputs(name, out);
	fputc('{', out);
	if (key) {
		fprintf(out, "%s=", key);
		lden_prom_label_value(out, value);
		fputc(',', out);
	}
	fputs("host=", out);
	lden_prom_label_value(out, p->host);
	fputs("} ", out);
}

static void render_actions(FILE *out, const struct lden_watch_pub *p,
			   struct lden_actions *acts)
{
	static const char *const what[] = { "sent", "failed", "dropped" };
	int nch = acts ? lden_actions__nchannels(acts) : 0;

	for (int k = 0; k < 4; k++) {
		char name[64];

		snprintf(name, sizeof(name), k < 3 ? "lden_action_%s_total" :
			 "lden_action_queued", k < 3 ? what[k] : "");
		lden_prom_family(out, name, k < 3 ? "counter" : "gauge",
		       k == 0 ? "Alerts an action delivered." :
		       k == 1 ? "Alerts whose delivery failed or timed out." :
		       k == 2 ? "Alerts dropped because the action's queue was full." :
		       "Alerts waiting for their action now.");
		for (int i = 0; i < nch; i++) {
			struct lden_action_stats st;
			uint64_t v;

			lden_actions__stats(acts, i, &st);
			v = k == 0 ? st.sent : k == 1 ? st.failed :
			    k == 2 ? st.dropped : st.queued;
			fprintf(out, "%s{action=\"%s\",target=", name,
				lden_action_kind__name(st.kind));
			lden_prom_label_value(out, st.target);
			fputs(",host=", out);
			lden_prom_label_value(out, p->host);
			fprintf(out, "} %" PRIu64 "\n", v);
		}
	}
}

static void render_metrics(FILE *out, const struct lden_watch_pub *p,
			   const struct lden_watch *w)
{
	lden_prom_family(out, "lden_up", "gauge", "Whether lden watch evaluates its rules (1).");
	series(out, p, "lden_up", NULL, NULL);
	fputs("1\n", out);
	lden_prom_family(out, "lden_rule_state", "gauge",
	       "1 for the state each rule is in (inactive, pending, firing, resolved), 0 for the others.");
	for (int i = 0; i < w->n; i++)
		for (int s = 0; s < LDEN_RULE_NSTATES; s++) {
			fputs("lden_rule_state{rule=", out);
			lden_prom_label_value(out, w->r[i]->def->name);
			fprintf(out, ",state=\"%s\",host=",
				lden_rule_state__name((enum lden_rule_state)s));
			lden_prom_label_value(out, p->host);
			fprintf(out, "} %d\n", (int)w->r[i]->sm.state == s);
		}
	lden_prom_family(out, "lden_rule_firings_total", "counter",
	       "Times each rule fired since it was loaded.");
	for (int i = 0; i < w->n; i++) {
		series(out, p, "lden_rule_firings_total", "rule",
		       w->r[i]->def->name);
		fprintf(out, "%u\n", w->r[i]->sm.fired);
	}
	lden_prom_family(out, "lden_watch_eval_seconds", "gauge",
	       "CPU seconds the last evaluation took: every event read and every rule evaluated.");
	series(out, p, "lden_watch_eval_seconds", NULL, NULL);
	fprintf(out, "%.9f\n", w->eval_last);
	lden_prom_family(out, "lden_watch_eval_seconds_total", "counter",
	       "CPU seconds of every evaluation since lden watch started.");
	series(out, p, "lden_watch_eval_seconds_total", NULL, NULL);
	fprintf(out, "%.9f\n", w->eval_total);
	lden_prom_family(out, "lden_watch_evaluations_total", "counter",
	       "Evaluations (ticks) since lden watch started.");
	series(out, p, "lden_watch_evaluations_total", NULL, NULL);
	fprintf(out, "%" PRIu64 "\n", w->ticks);
	lden_prom_family(out, "lden_watch_rules", "gauge", "Rules loaded.");
	series(out, p, "lden_watch_rules", NULL, NULL);
	fprintf(out, "%d\n", w->n);
	lden_prom_family(out, "lden_watch_events", "gauge",
	       "Distinct kernel events attached for the rules.");
	series(out, p, "lden_watch_events", NULL, NULL);
	fprintf(out, "%d\n", w->ev.n);
	lden_prom_family(out, "lden_events_total", "counter",
	       "Events counted since each was attached.");
	for (int i = 0; i < w->ev.n; i++) {
		series(out, p, "lden_events_total", "event", w->ev.ev[i]->label);
		fprintf(out, "%" PRIu64 "\n", w->ev.ev[i]->st.count);
	}
	lden_prom_family(out, "lden_lost_records_total", "counter",
	       "Hits whose record lden never had: dropped by a full ring (for events on the ftrace ring, that ring's drops, shared by them), or counted and never sampled (0 for counted events).");
	for (int i = 0; i < w->ev.n; i++) {
		series(out, p, "lden_lost_records_total", "event",
		       w->ev.ev[i]->label);
		fprintf(out, "%" PRIu64 "\n", w->ev.ev[i]->st.lost);
	}
	lden_prom_family(out, "lden_lost_records_shared", "gauge",
	       "1 when an event's lden_lost_records_total is the drops of the ftrace ring it shares with the other events marked 1 (the same number on each: sum it once), else 0.");
	for (int i = 0; i < w->ev.n; i++) {
		series(out, p, "lden_lost_records_shared", "event",
		       w->ev.ev[i]->label);
		fprintf(out, "%d\n", w->ev.ev[i]->st.lost_shared);
	}
	lden_prom_family(out, "lden_lost_records_all_total", "counter",
	       "Records lost by all events, the drops of a shared ring counted once: a sum of lden_lost_records_total over events counts them once per event of that ring.");
	series(out, p, "lden_lost_records_all_total", NULL, NULL);
	fprintf(out, "%" PRIu64 "\n", lden_watch_events__lost_total(&w->ev));
	lden_prom_family(out, "lden_missed_events_total", "counter",
	       "Hits an event's kprobes could not record (any task): its count and bytes are short by up to this many (0 for tracepoints).");
	for (int i = 0; i < w->ev.n; i++) {
		series(out, p, "lden_missed_events_total", "event",
		       w->ev.ev[i]->label);
		fprintf(out, "%" PRIu64 "\n", w->ev.ev[i]->st.missed);
	}
	lden_prom_family(out, "lden_rule_count_exact", "gauge",
	       "1 when every count of the rule since it started is exact, 0 when a kprobe of its events missed hits (its state may rest on a short count).");
	for (int i = 0; i < w->n; i++) {
		series(out, p, "lden_rule_count_exact", "rule",
		       w->r[i]->def->name);
		fprintf(out, "%d\n", lden_watch_rule__count_exact(w->r[i]));
	}
	render_actions(out, p, w->conf.actions);
}

static void render_rules(FILE *out, const struct lden_watch_pub *p,
			 const struct lden_watch *w, double now)
{
	fputs("{\"host\":", out);
	lden_json_string(out, p->host);
	fprintf(out, ",\"elapsed\":%.3f,\"rules\":[", now - w->start);
	for (int i = 0; i < w->n; i++) {
		const struct lden_watch_rule *r = w->r[i];
		struct lden_alert_value *v = calloc((size_t)r->nev + 1,
						    sizeof(*v));
		int nv = v ? r->nev : 0;

		fprintf(out, "%s{\"name\":", i ? "," : "");
		lden_json_string(out, r->def->name);
		fprintf(out, ",\"state\":\"%s\",\"since\":%.3f,\"fired\":%u,\"expression\":",
			lden_rule_state__name(r->sm.state), r->sm.since - w->start,
			r->sm.fired);
		lden_json_string(out, r->def->when);
		fputs(",\"describe\":", out);
		lden_json_string(out, r->def->describe ? r->def->describe : "");
		fprintf(out, ",\"for\":%g,\"values\":[", r->def->for_s);
		if (v)
			lden_watch_rule__values(r, v);
		for (int j = 0; j < nv; j++) {
			fprintf(out, "%s{\"name\":", j ? "," : "");
			lden_json_string(out, v[j].name);
			fprintf(out, ",\"count\":%" PRIu64 ",\"speed\":%.0f"
				",\"lost\":%" PRIu64 ",\"missed\":%" PRIu64
				",\"count_exact\":%s", v[j].count, v[j].speed,
				v[j].lost, v[j].missed,
				v[j].missed ? "false" : "true");
			/* the shared ftrace ring's, the same on each */
			if (v[j].lost_shared)
				fputs(",\"lost_shared\":true", out);
			if (v[j].speed_estimated)
				fprintf(out, ",\"speed_estimated\":true,\"speed_span\":%.3f",
					v[j].speed_span);
			fputc('}', out);
		}
		free(v);
		fprintf(out, "],\"count_exact\":%s}",
			lden_watch_rule__count_exact(r) ? "true" : "false");
	}
	fputs("]}", out);
}

/* Renders with @fn into *@text under the lock. */
static void swap_in(struct lden_watch_pub *p, char **text, size_t *len,
		    char *body, size_t blen)
{
	pthread_mutex_lock(&p->lock);
	free(*text);
	*text = body;
	*len = blen;
	pthread_mutex_unlock(&p->lock);
}

void lden_watch_pub__update(struct lden_watch_pub *p,
			   const struct lden_watch *w, double now)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);

	if (f) {
		render_metrics(f, p, w);
		if (fclose(f) == 0)
			swap_in(p, &p->metrics, &p->metrics_len, body, len);
		else
			free(body);
	}
	body = NULL;
	len = 0;
	f = open_memstream(&body, &len);
	if (f) {
		render_rules(f, p, w, now);
		if (fclose(f) == 0)
			swap_in(p, &p->rules, &p->rules_len, body, len);
		else
			free(body);
	}
}
