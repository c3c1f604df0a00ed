// SPDX-License-Identifier: GPL-2.0-or-later
/* One transition of a rule, frozen (see alert.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "aggregate.h"
#include "alert.h"
#include "clock.h"
#include "sink.h"

struct lden_alert *lden_alert__new(void)
{
	struct lden_alert *a = calloc(1, sizeof(*a));

	if (a)
		atomic_init(&a->refs, 1);
	return a;
}

int lden_alert__add_kv(struct lden_kv **arr, int *n, const char *key,
		      const char *value)
{
	struct lden_kv *kv = realloc(*arr, (*n + 1) * sizeof(*kv));

	if (!kv)
		return -ENOMEM;
	*arr = kv;
	kv[*n].key = strdup(key);
	kv[*n].value = strdup(value);
	if (!kv[*n].key || !kv[*n].value) {
		free(kv[*n].key);
		free(kv[*n].value);
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

struct lden_alert *lden_alert__ref(struct lden_alert *a)
{
	atomic_fetch_add(&a->refs, 1);
	return a;
}

static void kv_free(struct lden_kv *kv, int n)
{
	for (int i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void lden_alert__unref(struct lden_alert *a)
{
	if (!a || atomic_fetch_sub(&a->refs, 1) != 1)
		return;
	free(a->rule);
	free(a->expression);
	free(a->describe);
	free(a->host);
	free(a->generator_url);
	kv_free(a->labels, a->nlabels);
	kv_free(a->annotations, a->nannotations);
	free(a->values);
	free(a);
}

/* {"k":"v",...} */
static void print_kv(FILE *out, const struct lden_kv *kv, int n)
{
	fputc('{', out);
	for (int i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		lden_json_string(out, kv[i].key);
		fputc(':', out);
		lden_json_string(out, kv[i].value);
	}
	fputc('}', out);
}

static void print_time(FILE *out, double t)
{
	char stamp[64];

	lden_iso8601(t, stamp, sizeof(stamp));
	lden_json_string(out, stamp);
}

/* "; " between the parts of @note, "not exact: " before the first */
static void note_add(char *note, size_t len, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void note_add(char *note, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= len)
		return;
	n = snprintf(note + *at, len - *at, "%s", *at ? "; " : "not exact: ");
	if (n > 0)
		*at += (size_t)n;
	if (*at >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(note + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at += (size_t)n;
}

void lden_alert__exactness(const struct lden_alert *a, bool *count_exact,
			  bool *size_exact, char *note, size_t len)
{
	size_t at = 0;

	*count_exact = *size_exact = true;
	if (len)
		note[0] = '\0';
	for (int i = 0; i < a->nvalues; i++) {
		const struct lden_alert_value *v = &a->values[i];

		if (v->missed) {
			*count_exact = false;
			*size_exact &= !v->has_size;
			note_add(note, len, &at,
				 "%s%s short by up to %" PRIu64 " (hits its kprobes missed)",
				 v->name, v->has_size ? " count and size" : "",
				 v->missed);
		}
		/* a span under a second: the one since lden's first tick
		 * (lden_window__push()); over it, no tick a second ago */
		if (v->speed_estimated && v->speed_span < 1.0)
			note_add(note, len, &at,
				 "speed(%s) estimated, the average per second over the %.3f s since lden's first tick (lden started less than a second before)",
				 v->name, v->speed_span);
		else if (v->speed_estimated)
			note_add(note, len, &at,
				 "speed(%s) estimated, the average per second over the last %.3f s (no tick a second ago: lden was stopped or late)",
				 v->name, v->speed_span);
		if (!v->has_size)
			continue;
		if (!v->size_valid) {
			*size_exact = false;
			note_add(note, len, &at,
				 "size(%s) stopped by the overhead guard", v->name);
		} else if (v->lost) {
			*size_exact = false;
			note_add(note, len, &at,
				 "size(%s) without %s%" PRIu64 " lost records%s",
				 v->name, v->lost_shared ? "up to " : "", v->lost,
				 v->lost_shared ? " (the drops of the ftrace ring it shares)" : "");
		}
		if (v->joined && v->unsized) {
			*size_exact = false;
			note_add(note, len, &at,
				 "size(%s) without %" PRIu64 " unsized occurrences",
				 v->name, v->unsized);
		}
	}
}

void lden_alert__print_json(FILE *out, const struct lden_alert *a)
{
	char note[1024];
	bool count_exact, size_exact;

	fputs("{\"type\":\"transition\",\"rule\":", out);
	lden_json_string(out, a->rule);
	fprintf(out, ",\"from\":\"%s\",\"state\":\"%s\",\"at\":",
		lden_rule_state__name(a->from), lden_rule_state__name(a->state));
	print_time(out, a->at);
	fprintf(out, ",\"elapsed\":%.3f,\"fired\":%u,\"host\":", a->elapsed,
		a->fired);
	lden_json_string(out, a->host);
	fputs(",\"expression\":", out);
	lden_json_string(out, a->expression);
	if (a->describe) {
		fputs(",\"describe\":", out);
		lden_json_string(out, a->describe);
	}
	fputs(",\"labels\":", out);
	print_kv(out, a->labels, a->nlabels);
	fputs(",\"annotations\":", out);
	print_kv(out, a->annotations, a->nannotations);
	fputs(",\"values\":[", out);
	for (int i = 0; i < a->nvalues; i++) {
		const struct lden_alert_value *v = &a->values[i];

		fprintf(out, "%s{\"name\":", i ? "," : "");
		lden_json_string(out, v->name);
		fprintf(out, ",\"count\":%" PRIu64, v->count);
		if (v->has_size)
			fprintf(out, ",\"size\":%" PRIu64 ",\"size_valid\":%s%s",
				v->size, v->size_valid ? "true" : "false",
				lden_u64_over(v->size) ?
					",\"size_overflow\":true" : "");
		else
			fputs(",\"size\":null", out);
		fprintf(out, ",\"speed\":%.0f,\"lost\":%" PRIu64
			",\"missed\":%" PRIu64 ",\"count_exact\":%s", v->speed,
			v->lost, v->missed, v->missed ? "false" : "true");
		/* lost is the shared ftrace ring's: once over the values */
		if (v->lost_shared)
			fputs(",\"lost_shared\":true", out);
		if (v->joined)
			fprintf(out, ",\"unsized\":%" PRIu64, v->unsized);
		if (v->speed_estimated)
			fprintf(out, ",\"speed_estimated\":true,\"speed_span\":%.3f",
				v->speed_span);
		fputc('}', out);
	}
	lden_alert__exactness(a, &count_exact, &size_exact, note, sizeof(note));
	fprintf(out, "],\"count_exact\":%s,\"size_exact\":%s",
		count_exact ? "true" : "false", size_exact ? "true" : "false");
	if (note[0]) {
		fputs(",\"exactness\":", out);
		lden_json_string(out, note);
	}
	fputc('}', out);
}

void lden_alert__print_am(FILE *out, const struct lden_alert *a)
{
	fputs("{\"labels\":{\"alertname\":", out);
	lden_json_string(out, a->rule);
	fputs(",\"host\":", out);
	lden_json_string(out, a->host);
	for (int i = 0; i < a->nlabels; i++) {
		fputc(',', out);
		lden_json_string(out, a->labels[i].key);
		fputc(':', out);
		lden_json_string(out, a->labels[i].value);
	}
	fputs("},\"annotations\":", out);
	print_kv(out, a->annotations, a->nannotations);
	fputs(",\"startsAt\":", out);
	print_time(out, a->starts_at);
	/* firing: valid until the next resend is overdue, so that an lden
	 * that died is resolved by Alertmanager itself */
	fputs(",\"endsAt\":", out);
	print_time(out, a->state == LDEN_RULE_FIRING ? a->at + a->valid_for :
		   a->ends_at);
	if (a->generator_url) {
		fputs(",\"generatorURL\":", out);
		lden_json_string(out, a->generator_url);
	}
	fputc('}', out);
}

uint64_t lden_alert__lost_total(const struct lden_alert *a)
{
	uint64_t own = 0, shared = 0;

	for (int i = 0; i < a->nvalues; i++) {
		if (!a->values[i].lost_shared)
			own += a->values[i].lost;
		else if (a->values[i].lost > shared)
			shared = a->values[i].lost;
	}
	return own + shared;
}
