/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one embedded HTTP server of `lden visualize` (libmicrohttpd): routes
 * for /metrics, the dashboard's JSON and its static files.  Read-only: only
 * GET and HEAD; every reply carries headers that stop the page being
 * framed or sniffed.  Handlers run in the server's thread and take their
 * own locks.
 */
#ifndef LDEN_HTTPD_H
#define LDEN_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lden_httpd;
struct lden_http_request;

struct lden_http_reply {
	int status;			/* 200 unless set */
	const char *content_type;	/* static string */
	char *body;			/* malloc()ed; the server frees it */
	size_t len;
};

/* A query-string argument ("since" in /api/series?since=12.5), or NULL. */
const char *lden_http_arg(const struct lden_http_request *req,
			  const char *name);

/* The request's path, without the query string. */
const char *lden_http_path(const struct lden_http_request *req);

/* Fills @rep; returns 0, or -1 to answer 500. */
typedef int (*lden_http_fn)(void *ctx, const struct lden_http_request *req,
			    struct lden_http_reply *rep);

/* lden_httpd__new - no listener yet; freed by lden_httpd__free() */
struct lden_httpd *lden_httpd__new(void);

/*
 * lden_httpd__route - @path exactly, or every path under it when it ends
 * in '/' ("/static/"); the longest match wins.  Before the first listen.
 */
int lden_httpd__route(struct lden_httpd *h, const char *path, lden_http_fn fn,
		     void *ctx);

/*
 * lden_httpd__listen - serve every route on "[ADDR:]PORT" ("5601",
 * "127.0.0.1:5601", "[::1]:9464"; no address: loopback).  May be called
 * more than once (dashboard and --prometheus on different ports).
 * Returns 0, or -1 with @err set ("cannot listen on 127.0.0.1:5601:
 * Address already in use").
 */
int lden_httpd__listen(struct lden_httpd *h, const char *addr, char *err,
		      size_t errlen);

/*
 * lden_httpd__check_addr - whether "[ADDR:]PORT" is well formed (a port
 * 1-65535, a numeric address or a name that resolves), without binding.
 * Returns 0, or -1 with @err set ("invalid port '0' in '0'...").
 */
int lden_httpd__check_addr(const char *addr, char *err, size_t errlen);

struct lden_web_config;

/*
 * lden_httpd__protect - serve with the TLS certificate and check the users
 * of @web (lden_web_config__load()); before the first listen.  @web must
 * outlive the server.
 */
void lden_httpd__protect(struct lden_httpd *h,
			const struct lden_web_config *web);

/*
 * lden_httpd__loopback - whether "[ADDR:]PORT" is on a loopback address
 * (127.0.0.0/8, ::1): reachable from this host only
 */
bool lden_httpd__loopback(const char *addr);

/*
 * lden_httpd__exposure - what serving @what on @addr with @web (or NULL)
 * exposes beyond this host, as one warning without "lden: " in @buf, or
 * "" when @addr is loopback or @web has both TLS and users
 */
void lden_httpd__exposure(const struct lden_web_config *web, const char *what,
			 const char *addr, char *buf, size_t len);

/* How many connections the watchdog ended at their request's deadline. */
uint64_t lden_httpd__shut_down(struct lden_httpd *h);

/* Stops every listener, then frees. */
void lden_httpd__free(struct lden_httpd *h);

#endif
