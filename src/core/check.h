/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel will check when a catalog event is attached, checked
 * before anything is: see check.c.
 */
#ifndef LDEN_CHECK_H
#define LDEN_CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct ltr_session;
struct lden_resolution;

/*
 * lden_check_source - the resolved source of @r, checked as attaching it
 * would be, without attaching: filters and sizes against the formats of
 * its tracepoints (loaded, no perf event opened), or against the fields a
 * kprobe source's fetch-args make
 * Returns 0; -1 with "FILE:LINE: message" in @err when the catalog entry
 * would fail; -2 with the privilege message when tracefs cannot be read.
 */
int lden_check_source(struct ltr_session *s, const struct lden_resolution *r,
		      char *err, size_t errlen);

/*
 * lden_check_no_size - why an event whose catalog entry has a size has
 * none on this kernel ("FILE:LINE: size 'rss * 4096' on oom:mark_victim:
 * no field rss at column 1") in @why; false when it has one, or its
 * entry none
 */
bool lden_check_no_size(struct ltr_session *s, const struct lden_resolution *r,
			char *why, size_t len);

/*
 * lden_check_tracepoint_size - @tp's size against its format, as
 * lden_check_source() checks it: its fields exist, and a signed one
 * (-errno on an error) is bounded from below by @tp's filter or by
 * @extra (the filter the user gave the event, EVENT[FILTER], or NULL:
 * the kernel applies both), else its negative values would wrap the
 * total.  0, or -1 with @err set (the catalog file and line).
 */
struct lden_tp;
struct lden_event_def;
struct lden_source;
int lden_check_tracepoint_size(struct ltr_session *s,
			       const struct lden_event_def *d,
			       const struct lden_tp *tp, const char *extra,
			       char *err, size_t errlen);

/*
 * lden_check_probe_size - the size of the kprobe source @src (and of its
 * "also" probes), as lden_check_tracepoint_size() checks a tracepoint's,
 * from the catalog's text alone (no kernel needed): a fetch-arg it names
 * that is fetched signed (s8, s16, s32, s64: "ret=$retval:s32") is
 * bounded from below by the probe's filter, or by @extra (the user's
 * EVENT[FILTER], or NULL).  0 for a tracepoint source; -1 with @err set
 * (the catalog file and line, the field and its type).
 */
int lden_check_probe_size(const struct lden_event_def *d,
			  const struct lden_source *src, const char *extra,
			  char *err, size_t errlen);

#endif
