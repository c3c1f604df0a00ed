// SPDX-License-Identifier: GPL-2.0-or-later
/* lden watch's HTTP server (see watch-http.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "clock.h"
#include "httpd.h"
#include "sink.h"
#include "watch-http.h"
#include "watch-report.h"
#include "webconfig.h"

struct lden_watch_http {
	struct lden_httpd *httpd;
	struct lden_watch_pub *pub;
	void *dash;			/* the dashboard sink, or NULL */
	char url[300];
	double last;			/* lden_now() of the last refresh */
	double last_dash;
	uint64_t seq;
};

/* "5601" -> "127.0.0.1:5601", "0.0.0.0:5601" -> "HOST:5601" */
static void url_of(const char *scheme, const char *listen, const char *host,
		   char *buf, size_t len)
{
	const char *colon = strrchr(listen, ':');

	if (!colon)
		snprintf(buf, len, "%s://127.0.0.1:%s", scheme, listen);
	else if (!strncmp(listen, "0.0.0.0:", 8) || !strncmp(listen, "[::]:", 5))
		snprintf(buf, len, "%s://%s%s", scheme, host, colon);
	else
		snprintf(buf, len, "%s://%s", scheme, listen);
}

struct lden_watch_http *lden_watch_http__open(const char *prometheus,
					     const char *listen,
					     const char *host,
					     const struct lden_web_config *web,
					     char *err, size_t errlen)
{
	struct lden_watch_http *h = calloc(1, sizeof(*h));

	if (!h || !(h->httpd = lden_httpd__new()) ||
	    !(h->pub = lden_watch_pub__new(host)) ||
	    lden_watch_pub__routes(h->pub, h->httpd) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out_free;
	}
	lden_httpd__protect(h->httpd, web);
	if (listen) {
		struct lden_viz_conf c = { .host = host, .interval = 1,
					   .httpd = h->httpd };

		h->dash = lden_sink_dashboard.open(&c, err, errlen);
		if (!h->dash)
			goto out_free;
		url_of(web && web->cert_pem ? "https" : "http", listen, host,
		       h->url, sizeof(h->url));
		if (lden_httpd__listen(h->httpd, listen, err, errlen) < 0)
			goto out_free;
	}
	if (prometheus && lden_httpd__listen(h->httpd, prometheus, err, errlen) < 0)
		goto out_free;
	h->last = -1e300;
	h->last_dash = -1e300;
	return h;

out_free:
	lden_watch_http__free(h);
	return NULL;
}

const char *lden_watch_http__url(const struct lden_watch_http *h)
{
	return h && h->dash ? h->url : NULL;
}

/* The events' numbers for the dashboard's table and charts. */
static void dash_tick(struct lden_watch_http *h, struct lden_watch *w,
		      double now, double wall)
{
	struct lden_point *pts = calloc((size_t)w->ev.n + 1, sizeof(*pts));
	struct lden_tick t = {
		.time = wall, .elapsed = now - w->start,
		.interval = h->seq ? now - h->last_dash : now - w->start,
		.seq = h->seq++, .host = w->conf.host, .points = pts,
		.npoints = w->ev.n,
	};

	if (!pts)
		return;
	for (int i = 0; i < w->ev.n; i++) {
		struct lden_watch_event *e = w->ev.ev[i];

		pts[i] = (struct lden_point){
			.event = e->label, .source = e->att[0].source,
			.sampling = e->att[0].sampling,
			.has_size = e->st.has_size,
			.size_stopped = e->att[0].size_stopped,
			.count = e->st.count - e->dash_count,
			.size = lden_u64_since(e->st.size, e->dash_size),
			.count_total = e->st.count, .size_total = e->st.size,
			.speed = e->st.speed, .lost = e->st.lost,
			.lost_shared = e->st.lost_shared,
			.speed_estimated = e->st.win.estimated,
			.speed_span = e->st.win.span,
			.missed = e->st.missed, .joined = e->st.joined,
			.unsized = e->st.unsized,
		};
		e->dash_count = e->st.count;
		e->dash_size = e->st.size;
		t.missed_total += e->st.missed;
	}
	/* a shared ring's drops once, not once per event in it */
	t.lost_total = lden_watch_events__lost_total(&w->ev);
	lden_sink_dashboard.tick(h->dash, &t);
	free(pts);
	h->last_dash = now;
}

void lden_watch_http__tick(struct lden_watch_http *h, struct lden_watch *w,
			  double now, double wall, bool force)
{
	if (!h)
		return;
	if (h->dash && now - h->last_dash >= 1)
		dash_tick(h, w, now, wall);
	if (!force && now - h->last < 1)
		return;
	lden_watch_pub__update(h->pub, w, now);
	h->last = now;
}

void lden_watch_http__free(struct lden_watch_http *h)
{
	if (!h)
		return;
	/* the server's thread reads what the others hold: it goes first */
	lden_httpd__free(h->httpd);
	if (h->dash)
		lden_sink_dashboard.close(h->dash);
	lden_watch_pub__free(h->pub);
	free(h);
}
