/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pieces of Prometheus's text exposition format 0.0.4, shared by the
 * /metrics of lden visualize (sink-prometheus.c) and lden watch
 * (watch-report.c).
 */
#ifndef LDEN_PROM_TEXT_H
#define LDEN_PROM_TEXT_H

#include <stdio.h>

/* "# HELP NAME HELP" and "# TYPE NAME TYPE" lines */
void lden_prom_family(FILE *out, const char *name, const char *type,
		      const char *help);

/*
 * A label value in double quotes: backslash, quote and newline escaped,
 * each byte of malformed UTF-8 as U+FFFD (the format is UTF-8: one such
 * byte fails the whole scrape)
 */
void lden_prom_label_value(FILE *out, const char *s);

#endif
