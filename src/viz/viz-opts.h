/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checking visualize's option values before anything is started: the
 * seconds of --interval and --time, the Elasticsearch target and index.
 * Errors are one line, without the "lden: " prefix.
 */
#ifndef LDEN_VIZ_OPTS_H
#define LDEN_VIZ_OPTS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * lden_viz__seconds - lden_parse_seconds() with its error as a message,
 * @opt naming the option.  Returns 0, or -1 with @err set.
 */
int lden_viz__seconds(const char *opt, const char *arg, double lo, double hi,
		     double *out, char *err, size_t errlen);

/*
 * lden_viz__es_url - the Elasticsearch URL from --url, or from --address
 * and --port (either may be NULL: localhost, 9200), into @buf.
 * Returns 0, or -1 with @err set.
 */
int lden_viz__es_url(const char *host, const char *port, const char *url,
		    char *buf, size_t len, char *err, size_t errlen);

/* Whether Elasticsearch accepts @s as an index name. */
bool lden_viz__index_ok(const char *s);

#endif
