// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "viz-opts.h"

__attribute__((format(printf, 3, 4)))
static int oerr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int lden_viz__seconds(const char *opt, const char *arg, double lo, double hi,
		     double *out, char *err, size_t errlen)
{
	int n = lden_parse_seconds(arg, lo, hi, out);

	if (n == -ERANGE)
		return oerr(err, errlen, "%s must be between %g and %g s, not '%s'",
			    opt, lo, hi, arg);
	if (n < 0)
		return oerr(err, errlen, "invalid %s value '%s'", opt, arg);
	return 0;
}

/*
 * What is wrong with an Elasticsearch URL, or NULL: a usage error found
 * here, with the options, rather than when the sink opens (exit 1)
 */
static const char *url_fault(const char *url)
{
	const char *h, *end, *colon;

	if (!strncmp(url, "http://", 7))
		h = url + 7;
	else if (!strncmp(url, "https://", 8))
		h = url + 8;
	else
		return "not http or https";
	for (const char *c = url; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return "white space or a control character";
	end = h + strcspn(h, "/?#");
	if (end == h)
		return "no host";
	if (memchr(h, '@', (size_t)(end - h)))
		return "credentials go in LDEN_ES_API_KEY, or LDEN_ES_USER and LDEN_ES_PASSWORD";
	if (*h == '[') {
		const char *close = memchr(h, ']', (size_t)(end - h));

		if (!close || close == h + 1)
			return "an IPv6 address without its ']'";
		colon = close + 1 < end ? close + 1 : NULL;
		if (colon && *colon != ':')
			return "text after the IPv6 address";
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		if (colon == h)
			return "no host";
	}
	if (colon) {
		long p = 0;
		const char *d = colon + 1;

		if (d == end)
			return "an empty port";
		for (; d < end; d++) {
			if (*d < '0' || *d > '9' || p > 65535)
				return "a port that is not 1 to 65535";
			p = p * 10 + (*d - '0');
		}
		if (p < 1 || p > 65535)
			return "a port that is not 1 to 65535";
	}
	return NULL;
}

int lden_viz__es_url(const char *host, const char *port, const char *url,
		    char *buf, size_t len, char *err, size_t errlen)
{
	char *end;
	long p;

	if (url && (host || port))
		return oerr(err, errlen, "--url replaces --address and --port; give one or the other");
	if (url) {
		const char *why = url_fault(url);

		if (why)
			return oerr(err, errlen, "invalid --url '%s': %s (expected http[s]://HOST[:PORT][/PATH])",
				    url, why);
		snprintf(buf, len, "%s", url);
		return 0;
	}
	host = host ? host : "localhost";
	port = port ? port : "9200";
	errno = 0;
	p = strtol(port, &end, 10);
	if (!isdigit((unsigned char)*port) || *end || errno || p < 1 ||
	    p > 65535)
		return oerr(err, errlen, "invalid --port '%s' (expected 1 to 65535)",
			    port);
	if (!*host || strpbrk(host, "/?#@ []"))
		return oerr(err, errlen, "invalid --address '%s' (expected a host name or address)",
			    host);
	/* an IPv6 address goes in brackets */
	snprintf(buf, len, strchr(host, ':') ? "http://[%s]:%ld" :
		 "http://%s:%ld", host, p);
	return 0;
}

bool lden_viz__index_ok(const char *s)
{
	if (!*s || strlen(s) > 255 || strchr("-_+", *s) || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if ((*s >= 'A' && *s <= 'Z') || strchr("\\/*?\"<>| ,#:", *s) ||
		    (unsigned char)*s < 0x20)
			return false;
	return true;
}
