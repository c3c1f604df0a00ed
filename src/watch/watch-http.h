/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lden watch's HTTP server: /metrics (--prometheus) and the dashboard
 * with its list of rules (--listen), on one server that may listen on
 * two addresses; refreshed once a second from the tracing thread, and
 * at once after a transition (see watch-report.h for what it serves).
 */
#ifndef LDEN_WATCH_HTTP_H
#define LDEN_WATCH_HTTP_H

#include <stddef.h>

#include "watch.h"

struct lden_watch_http;

/*
 * lden_watch_http__open - listen on @prometheus and @listen ("[ADDR:]PORT",
 * either NULL), /metrics and /api/rules on both, the dashboard's page and
 * event charts too when @listen is set; with TLS and the users of @web
 * (--web-config, or NULL: neither), which must outlive the server
 * Returns the server (free with lden_watch_http__free()), or NULL with
 * @err set ("cannot listen on 127.0.0.1:9464: Address already in use").
 */
struct lden_web_config;
struct lden_watch_http *lden_watch_http__open(const char *prometheus,
					     const char *listen,
					     const char *host,
					     const struct lden_web_config *web,
					     char *err, size_t errlen);

/*
 * lden_watch_http__url - the dashboard's URL, "http[s]://ADDR:PORT" (the host
 * name for a wildcard address), for the alerts' generatorURL; NULL
 * without --listen
 */
const char *lden_watch_http__url(const struct lden_watch_http *h);

/* lden_watch_http__tick - refresh what it serves, at most once a second
 * unless @force (a transition happened) */
void lden_watch_http__tick(struct lden_watch_http *h, struct lden_watch *w,
			  double now, double wall, bool force);

/* Stops the server, then frees. */
void lden_watch_http__free(struct lden_watch_http *h);

#endif
