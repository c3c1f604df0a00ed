/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dashboard's live flame graphs: the replies of its two routes, from
 * the snapshots running `lden io --flamegraph` processes publish
 * (flame-live.h).
 *
 *   /api/flamegraphs      {"dir":..,"graphs":[{"pid":..,"title":..,
 *                         "subtitle":..,"notes":..,"unit":..,"updated":..}]}
 *   /flamegraph.svg?pid=N the picture of one, without its script (the
 *                         page brings flame.js)
 */
#ifndef LDEN_DASH_FLAME_H
#define LDEN_DASH_FLAME_H

#include <stddef.h>

/* The list, as a malloc'd JSON text in @body; 0 or -ENOMEM. */
int lden_dash_flame__list(char **body, size_t *len);

/*
 * The SVG of the snapshot of process @pid (the text of ?pid=, checked
 * here) in @body (malloc'd).  Returns 0, or an HTTP status (400: not a
 * pid, 404: no such graph) with a one-line message in @body, or -ENOMEM.
 */
int lden_dash_flame__svg(const char *pid, char **body, size_t *len);

#endif
