// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "httpd.h"
#include "viz-sinks.h"
#include "webconfig.h"

/* "https" with TLS from --web-config */
static const char *scheme(const struct lden_viz_outputs *o)
{
	return o->web && o->web->cert_pem ? "https" : "http";
}

/* "5601" -> "127.0.0.1:5601", as httpd.c reads it */
static const char *full_addr(const char *a, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", strchr(a, ':') ? "" : "127.0.0.1:", a);
	return buf;
}

static bool want_json(const struct lden_viz_conf *c,
		      const struct lden_viz_outputs *o)
{
	return o->json;
}

static bool want_http(const struct lden_viz_conf *c,
		      const struct lden_viz_outputs *o)
{
	return o->dashboard || o->prometheus;
}

static bool want_dashboard(const struct lden_viz_conf *c,
			   const struct lden_viz_outputs *o)
{
	return o->dashboard;
}

static bool want_es(const struct lden_viz_conf *c,
					     const struct lden_viz_outputs *o)
{
	return c->es_url != NULL;
}

static bool always(const struct lden_viz_conf *c,
		   const struct lden_viz_outputs *o)
{
	return true;
}

static bool es_required(const struct lden_viz_conf *c,
						 const struct lden_viz_outputs *o)
{
	return c->es_required;
}

static void describe_json(const struct lden_viz_conf *c,
			  const struct lden_viz_outputs *o, FILE *out)
{
	fprintf(out, "  json: one line per event per interval on stdout\n");
}

static void describe_prometheus(const struct lden_viz_conf *c,
				const struct lden_viz_outputs *o, FILE *out)
{
	char a[300], b[300];

	fprintf(out, "  prometheus: ");
	if (o->prometheus)
		fprintf(out, "%s://%s/metrics%s", scheme(o),
			full_addr(o->prometheus, a, sizeof(a)),
			o->dashboard ? ", " : "");
	if (o->dashboard)
		fprintf(out, "%s://%s/metrics", scheme(o),
			full_addr(o->listen, b, sizeof(b)));
	if (o->web && o->web->nusers)
		fprintf(out, " (basic authentication)");
	fputc('\n', out);
}

static void describe_dashboard(const struct lden_viz_conf *c,
			       const struct lden_viz_outputs *o, FILE *out)
{
	char a[300];

	fprintf(out, "  dashboard: %s://%s/%s\n", scheme(o),
		full_addr(o->listen, a, sizeof(a)),
		o->web && o->web->nusers ? " (basic authentication)" : "");
}

static void describe_es(const struct lden_viz_conf *c,
						 const struct lden_viz_outputs *o,
						 FILE *out)
{
	fprintf(out, "  elasticsearch: %s, index '%s'%s\n", c->es_url,
		c->es_index, c->es_required ? "" : " (if it answers)");
}

/*
 * ---- The sinks ----
 * Every backend `lden visualize` can feed, in the order they are opened
 * and then called at each tick with the same struct lden_tick.
 * wanted(): whether this run uses it; required(): whether failing to
 * open it is an error (exit 1, nothing attached) rather than a warning.
 * Sinks that serve HTTP add their routes in open(), before the server
 * listens; the server is stopped before any sink is closed.
 */
struct sink_slot {
	const struct lden_sink_ops *ops;
	bool (*wanted)(const struct lden_viz_conf *c,
		       const struct lden_viz_outputs *o);
	bool (*required)(const struct lden_viz_conf *c,
			 const struct lden_viz_outputs *o);
	void (*describe)(const struct lden_viz_conf *c,
			 const struct lden_viz_outputs *o, FILE *out);
	const char *unit;	/* what lden_sink_stats.sent counts */
};

static const struct sink_slot sinks[] = {
	{ &lden_sink_json, want_json, always, describe_json, "points" },
	{ &lden_sink_prometheus, want_http, always, describe_prometheus,
	  "scrapes" },
	{ &lden_sink_es, want_es, es_required, describe_es, "points" },
	{ &lden_sink_dashboard, want_dashboard, always, describe_dashboard,
	  "requests" },
};

#define NSINKS (sizeof(sinks) / sizeof(sinks[0]))

struct lden_viz_sinks {
	const struct lden_viz_conf *conf;
	struct lden_viz_outputs o;
	struct lden_httpd *httpd;
	void *state[NSINKS];	/* NULL: not open */
	bool failing[NSINKS];	/* what lden_viz_sinks__watch() said last */
	uint64_t dropped[NSINKS];	/* then */
	bool said_capped[NSINKS];	/* the warning of capped numbers, once */
	int nopen;
};

/* warnings wait for success: a run that fails says one line */
#define MAX_WARNINGS (NSINKS + 2)
#define WARNING_LEN 700

static int start_http(struct lden_viz_sinks *s, char (*line)[WARNING_LEN],
		      size_t *nwarn, char *err, size_t errlen)
{
	char msg[512];

	lden_httpd__protect(s->httpd, s->o.web);
	if (s->o.dashboard &&
	    lden_httpd__listen(s->httpd, s->o.listen, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s (--listen to choose another, --no-dashboard for none)",
			 msg);
		return -1;
	}
	if (s->o.prometheus &&
	    lden_httpd__listen(s->httpd, s->o.prometheus, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s (--prometheus)", msg);
		return -1;
	}
	/* one line each: the dashboard (with its /metrics), --prometheus */
	if (s->o.dashboard) {
		lden_httpd__exposure(s->o.web, "the dashboard", s->o.listen,
				    line[*nwarn], WARNING_LEN);
		*nwarn += line[*nwarn][0] != '\0';
	}
	if (s->o.prometheus) {
		lden_httpd__exposure(s->o.web, "/metrics", s->o.prometheus,
				    line[*nwarn], WARNING_LEN);
		*nwarn += line[*nwarn][0] != '\0';
	}
	return 0;
}

struct lden_viz_sinks *lden_viz_sinks__open(struct lden_viz_conf *conf,
					   const struct lden_viz_outputs *o,
					   lden_viz_warn_fn warn, char *err,
					   size_t errlen)
{
	struct lden_viz_sinks *s = calloc(1, sizeof(*s));
	char msg[512], line[MAX_WARNINGS][WARNING_LEN];
	size_t nwarn = 0;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->conf = conf;
	s->o = *o;
	if (want_http(conf, o)) {
		s->httpd = lden_httpd__new();
		if (!s->httpd) {
			snprintf(err, errlen, "out of memory");
			goto out_close;
		}
	}
	conf->httpd = s->httpd;
	for (size_t i = 0; i < NSINKS; i++) {
		if (!sinks[i].wanted(conf, o))
			continue;
		s->state[i] = sinks[i].ops->open(conf, msg, sizeof(msg));
		if (s->state[i]) {
			s->nopen++;
		} else if (sinks[i].required(conf, o)) {
			snprintf(err, errlen, "%s", msg);
			goto out_close;
		} else {
			snprintf(line[nwarn++], sizeof(line[0]),
				 "warning: %s (going on without %s)", msg,
				 sinks[i].ops->name);
		}
	}
	if (s->httpd && start_http(s, line, &nwarn, err, errlen) < 0)
		goto out_close;
	for (size_t i = 0; warn && i < nwarn; i++)
		warn(line[i]);
	return s;

out_close:
	lden_viz_sinks__close(s);
	conf->httpd = NULL;
	return NULL;
}

void lden_viz_sinks__watch(struct lden_viz_sinks *s, lden_viz_warn_fn warn)
{
	for (size_t i = 0; i < NSINKS; i++) {
		struct lden_sink_stats st = { 0 };
		char msg[512];

		if (!s->state[i] || !sinks[i].ops->stats)
			continue;
		sinks[i].ops->stats(s->state[i], &st);
		if (st.capped && !s->said_capped[i] && warn) {
			snprintf(msg, sizeof(msg), "warning: %s: a number past 2^63 - 1, which the server cannot hold (no unsigned_long before Elasticsearch 7.10), sent as 9223372036854775807 marked \"capped\":true",
				 sinks[i].ops->name);
			warn(msg);
		}
		s->said_capped[i] |= st.capped != 0;
		if (st.failing == s->failing[i])
			continue;
		if (st.failing)
			snprintf(msg, sizeof(msg), "warning: %s: %s; %llu %s queued, retrying",
				 sinks[i].ops->name, st.last_error,
				 (unsigned long long)st.queued, sinks[i].unit);
		else
			snprintf(msg, sizeof(msg), "%s: delivering again (%llu %s dropped meanwhile)",
				 sinks[i].ops->name,
				 (unsigned long long)(st.dropped - s->dropped[i]),
				 sinks[i].unit);
		s->failing[i] = st.failing;
		s->dropped[i] = st.dropped;
		if (warn)
			warn(msg);
	}
}

void lden_viz_sinks__tick(struct lden_viz_sinks *s, const struct lden_tick *t)
{
	for (size_t i = 0; i < NSINKS; i++)
		if (s->state[i])
			sinks[i].ops->tick(s->state[i], t);
}

int lden_viz_sinks__count(const struct lden_viz_sinks *s)
{
	return s->nopen;
}

void lden_viz_sinks__describe(const struct lden_viz_sinks *s, FILE *out)
{
	for (size_t i = 0; i < NSINKS; i++)
		if (s->state[i])
			sinks[i].describe(s->conf, &s->o, out);
	if (!s->nopen)
		fprintf(out, "  no output: nothing is sent anywhere\n");
}

void lden_viz_sinks__stop_http(struct lden_viz_sinks *s)
{
	lden_httpd__free(s->httpd);
	s->httpd = NULL;
	/* the sinks that queue deliver what they can, so the report is final */
	for (size_t i = 0; i < NSINKS; i++)
		if (s->state[i] && sinks[i].ops->flush)
			sinks[i].ops->flush(s->state[i], 3.0);
}

void lden_viz_sinks__report(const struct lden_viz_sinks *s, FILE *out)
{
	for (size_t i = 0; i < NSINKS; i++) {
		struct lden_sink_stats st = { 0 };

		if (!s->state[i] || !sinks[i].ops->stats)
			continue;
		sinks[i].ops->stats(s->state[i], &st);
		fprintf(out, "  %s: %llu %s", sinks[i].ops->name,
			(unsigned long long)st.sent, sinks[i].unit);
		if (st.dropped || st.queued)
			fprintf(out, ", %llu dropped, %llu queued",
				(unsigned long long)st.dropped,
				(unsigned long long)st.queued);
		if (st.unknown)
			fprintf(out, ", %llu unknown (sent, no answer: stored or not)",
				(unsigned long long)st.unknown);
		if (st.capped)
			fprintf(out, ", %llu with a number capped at 2^63 - 1 (\"capped\":true)",
				(unsigned long long)st.capped);
		if (st.last_error[0])
			fprintf(out, " (last error: %s)", st.last_error);
		fputc('\n', out);
	}
}

struct json_object *lden_viz_sinks__json(const struct lden_viz_sinks *s)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < NSINKS; i++) {
		struct lden_sink_stats st = { 0 };
		struct json_object *e;

		if (!s->state[i] || !sinks[i].ops->stats)
			continue;
		sinks[i].ops->stats(s->state[i], &st);
		e = json_object_new_object();
		json_object_object_add(e, "name",
				       json_object_new_string(sinks[i].ops->name));
		json_object_object_add(e, sinks[i].unit,
				       json_object_new_uint64(st.sent));
		json_object_object_add(e, "dropped",
				       json_object_new_uint64(st.dropped));
		json_object_object_add(e, "unknown",
				       json_object_new_uint64(st.unknown));
		json_object_object_add(e, "capped",
				       json_object_new_uint64(st.capped));
		json_object_object_add(e, "retries",
				       json_object_new_uint64(st.retries));
		json_object_object_add(e, "queued",
				       json_object_new_uint64(st.queued));
		json_object_object_add(e, "last_error",
				       json_object_new_string(st.last_error));
		json_object_array_add(a, e);
	}
	return a;
}

void lden_viz_sinks__close(struct lden_viz_sinks *s)
{
	if (!s)
		return;
	/* the server's threads call into the sinks: stop it first */
	lden_viz_sinks__stop_http(s);
	for (size_t i = 0; i < NSINKS; i++)
		if (s->state[i])
			sinks[i].ops->close(s->state[i]);
	free(s);
}
