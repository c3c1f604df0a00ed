// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `--output json`: one JSON object per event per interval on stdout,
 * written with json-c and flushed at every tick so that `| jq` streams:
 *
 *   {"@timestamp":"2026-11-22T09:00:01.250Z","host":"h","event":"task.create",
 *    "source":"tracepoint sched:sched_process_fork","mode":"counting",
 *    "interval":1.0,"count":12,"count_total":40,"speed":12,"lost":0}
 *
 * "size" and "size_total" (bytes) only for events with a size; once the
 * overhead guard switched one to counting, "size_valid":false, no "size",
 * and "size_total" frozen.  A speed that is not the last second's (no
 * tick a second ago: lden stopped or late) has "speed_estimated":true and
 * "speed_span", the seconds it is the average over.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "number.h"
#include "clock.h"
#include "sink.h"

struct json_sink {
	FILE *out;
	uint64_t sent;
	uint64_t dropped;
	char last_error[256];
};

/* A number: integral values without a fraction, others to the ms. */
static struct json_object *number(double v)
{
	char buf[64];

	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_object_new_int64((int64_t)v);
	snprintf(buf, sizeof(buf), "%.3f", v);
	return json_object_new_double_s(v, buf);
}

static void *json_open(const struct lden_viz_conf *c, char *err,
		       size_t errlen)
{
	struct json_sink *j = calloc(1, sizeof(*j));

	if (!j) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	j->out = stdout;
	return j;
}

static struct json_object *point_object(const struct lden_tick *t,
					const struct lden_point *p,
					const char *stamp,
					struct json_object *interval)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "@timestamp", json_object_new_string(stamp));
	json_object_object_add(o, "host", json_object_new_string(t->host));
	json_object_object_add(o, "event", json_object_new_string(p->event));
	json_object_object_add(o, "source", json_object_new_string(p->source));
	json_object_object_add(o, "mode", json_object_new_string(
				       p->sampling ? "sampling" : "counting"));
	json_object_object_add(o, "interval", json_object_get(interval));
	json_object_object_add(o, "count", json_object_new_uint64(p->count));
	json_object_object_add(o, "count_total",
			       json_object_new_uint64(p->count_total));
	if (p->has_size && !p->size_stopped)
		json_object_object_add(o, "size", json_object_new_uint64(p->size));
	if (p->has_size)
		json_object_object_add(o, "size_total",
				       json_object_new_uint64(p->size_total));
	if (p->has_size && p->size_stopped)
		json_object_object_add(o, "size_valid",
				       json_object_new_boolean(0));
	/* the total passed 2^64 - 1 (number.h): both numbers are floors */
	if (p->has_size && lden_u64_over(p->size_total))
		json_object_object_add(o, "size_overflow",
				       json_object_new_boolean(1));
	json_object_object_add(o, "speed", number(p->speed));
	/* as notify's JSON: only when the speed is not the last second's */
	if (p->speed_estimated) {
		json_object_object_add(o, "speed_estimated",
				       json_object_new_boolean(1));
		json_object_object_add(o, "speed_span",
				       number(round(p->speed_span * 1000) / 1000));
	}
	json_object_object_add(o, "lost", json_object_new_uint64(p->lost));
	if (p->lost_shared)
		json_object_object_add(o, "lost_shared",
				       json_object_new_boolean(1));
	json_object_object_add(o, "missed", json_object_new_uint64(p->missed));
	json_object_object_add(o, "count_exact",
			       json_object_new_boolean(!p->missed));
	if (p->joined)
		json_object_object_add(o, "unsized",
				       json_object_new_uint64(p->unsized));
	return o;
}

static void json_tick(void *state, const struct lden_tick *t)
{
	struct json_sink *j = state;
	struct json_object *interval;
	char stamp[40];

	if (ferror(j->out)) {
		j->dropped += (uint64_t)t->npoints;
		return;
	}
	lden_iso8601(t->time, stamp, sizeof(stamp));
	interval = number(round(t->interval * 1000) / 1000);
	for (int i = 0; i < t->npoints; i++) {
		struct json_object *o = point_object(t, &t->points[i], stamp,
						     interval);

		fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE),
		      j->out);
		fputc('\n', j->out);
		json_object_put(o);
	}
	json_object_put(interval);
	if (fflush(j->out) != 0 || ferror(j->out)) {
		snprintf(j->last_error, sizeof(j->last_error),
			 "writing to stdout: %s", strerror(errno));
		j->dropped += (uint64_t)t->npoints;
		return;
	}
	j->sent += (uint64_t)t->npoints;
}

static void json_stats(void *state, struct lden_sink_stats *st)
{
	struct json_sink *j = state;

	memset(st, 0, sizeof(*st));
	st->sent = j->sent;
	st->dropped = j->dropped;
	snprintf(st->last_error, sizeof(st->last_error), "%s", j->last_error);
}

static void json_close(void *state)
{
	struct json_sink *j = state;

	if (j)
		fflush(j->out);
	free(j);
}

const struct lden_sink_ops lden_sink_json = {
	.name = "json",
	.open = json_open,
	.tick = json_tick,
	.stats = json_stats,
	.close = json_close,
};
