// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "number.h"

uint64_t lden_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double lden_now(void)
{
	return (double)lden_now_ns() / 1e9;
}

int lden_parse_seconds(const char *arg, double lo, double hi, double *out)
{
	return lden_parse_decimal(arg, lo, hi, out);
}

void lden_wall_time(uint64_t mono_ns, char *buf, size_t len)
{
	struct timespec rt;
	int64_t wall;
	time_t sec;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &rt);
	wall = (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec -
	       ((int64_t)lden_now_ns() - (int64_t)mono_ns);
	sec = (time_t)(wall / 1000000000);
	localtime_r(&sec, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06d", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, (int)(wall % 1000000000 / 1000));
}

/* UTC, milliseconds rounded (into the next second, never ".1000") */
void lden_iso8601(double t, char *buf, size_t len)
{
	time_t secs = (time_t)floor(t);
	long ms = lround((t - (double)secs) * 1000);
	struct tm tm;

	if (ms >= 1000) {
		secs++;
		ms -= 1000;
	}
	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, ms);
}
