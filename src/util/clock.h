/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Time in lden: the monotonic clock every tick, window and deadline is
 * measured on, the options that take seconds, and the wall-clock forms
 * of a moment that outputs show.
 */
#ifndef LDEN_CLOCK_H
#define LDEN_CLOCK_H

#include <float.h>
#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in ns. */
uint64_t lden_now_ns(void);

/* CLOCK_MONOTONIC in seconds. */
double lden_now(void);

/* The least positive double: lden_parse_seconds()'s @lo for "more than 0". */
#define LDEN_ABOVE_ZERO DBL_TRUE_MIN

/*
 * lden_parse_seconds - @arg as a number of seconds in [@lo, @hi]:
 * decimal digits with an optional fraction, all of @arg (no unit: "1s"
 * is refused; nor are a sign, an exponent, hexadecimal, "inf" or white
 * space, see lden_parse_decimal())
 * @out: written only on success
 * Returns 0, -EINVAL (errno too) when @arg is not such a number, or
 * -ERANGE when it is one outside [@lo, @hi].
 */
int lden_parse_seconds(const char *arg, double lo, double hi, double *out);

/* CLOCK_MONOTONIC ns as local wall-clock "HH:MM:SS.uuuuuu". */
void lden_wall_time(uint64_t mono_ns, char *buf, size_t len);

/*
 * lden_iso8601 - @t (seconds since the epoch) as "2026-11-22T09:00:01.250Z",
 * UTC with milliseconds, the "@timestamp" of JSON lines and documents
 */
void lden_iso8601(double t, char *buf, size_t len);

#endif
