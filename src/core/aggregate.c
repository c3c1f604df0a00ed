// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "aggregate.h"
#include "escape.h"

double lden_window__push(struct lden_window *w, double t, uint64_t count)
{
	int i, found = -1;

	w->t[w->head] = t;
	w->count[w->head] = count;
	w->head = (w->head + 1) % LDEN_WINDOW_SLOTS;
	if (w->n < LDEN_WINDOW_SLOTS)
		w->n++;
	/* newest first: the first tick at least a second old is the base */
	for (i = 1; i < w->n; i++) {
		int slot = (w->head - 1 - i + 2 * LDEN_WINDOW_SLOTS) %
			   LDEN_WINDOW_SLOTS;

		if (t - w->t[slot] >= 1.0 - 1e-9) {
			found = slot;
			break;
		}
	}
	w->estimated = false;
	w->span = 0;
	w->young = false;
	if (found < 0) {
		/*
		 * younger than a second, or a full ring a second short: the
		 * events of the part of the last second before the first tick
		 * are not known, only those of the span since (a count of
		 * 0.1 s is not a speed; "speed(x) < 100" would hold at once)
		 */
		found = (w->head - w->n + LDEN_WINDOW_SLOTS) % LDEN_WINDOW_SLOTS;
		w->estimated = true;
		w->young = w->n < LDEN_WINDOW_SLOTS;
		w->span = t - w->t[found];
	} else if (t - w->t[found] > 1.0 + LDEN_WINDOW_SLACK) {
		/* no tick in between (stopped, late): not the last second's */
		w->estimated = true;
		w->span = t - w->t[found];
	}
	/* the first tick alone: no span, nothing known yet */
	if (w->estimated)
		return w->span > 0 ? (double)(count - w->count[found]) / w->span :
				     0;
	return (double)(count - w->count[found]);
}

uint64_t lden_lost_total(const struct lden_stat *st, int n)
{
	uint64_t own = 0, shared = 0;

	/* every event of the ftrace ring reports the same ring total */
	for (int i = 0; i < n; i++) {
		if (!st[i].lost_shared)
			own += st[i].lost;
		else if (st[i].lost > shared)
			shared = st[i].lost;
	}
	return own + shared;
}

char *lden_label__text(const char *label)
{
	size_t n = strlen(label);
	char *buf = malloc(4 * n + 1);

	/* a filter's spaces, newlines and controls: one row, one column */
	if (buf)
		lden_escape__text(label, n, LDEN_ESC_SPACE, buf, 4 * n + 1);
	return buf;
}

void lden_label__print(FILE *out, const char *label, int width)
{
	char *text = lden_label__text(label);
	const char *l = text ? text : "?";

	fprintf(out, "%-*s", width, l);
	free(text);
}

/* What the table says under itself about row @st, if anything. */
static void print_notes(FILE *out, const struct lden_stat *st)
{
	char *text = lden_label__text(st->label);
	const char *label = text ? text : "?";

	if (st->win.estimated && st->win.young)
		fprintf(out, "  %s: ~: speed estimated, the average per second over the %.3f s since lden's first tick (less than a second: the events of the last second are not all known)\n",
			label, st->win.span);
	else if (st->win.estimated)
		fprintf(out, "  %s: ~: speed estimated, the average per second over the last %.3f s (no tick a second ago: lden was stopped or late, or --interval is too long or too short)\n",
			label, st->win.span);
	if (st->size_stopped)
		fprintf(out, "  %s: %s\n", label, st->note);
	if (st->missed > st->short_records)
		fprintf(out, "  %s: its probes missed %" PRIu64 " hits (of any task: kretprobe instances all in use, or another kprobe running): count%s short by up to that many\n",
			label, st->missed - st->short_records,
			st->has_size ? " and size are" : " is");
	if (st->short_records)
		fprintf(out, "  %s: counted from its records in the ftrace ring, which dropped %" PRIu64 " records of the events it holds: count%s short by up to that many\n",
			label, st->short_records,
			st->has_size ? " and size are" : " is");
	if (st->size_in_kernel && st->lost && st->has_size &&
	    !st->size_stopped)
		fprintf(out, "  %s: summed in the kernel, whose table had no room for %" PRIu64 " of its %" PRIu64 " hits: counted, not summed; the size is the other %" PRIu64 "'s\n",
			label, st->lost, st->count,
			st->count > st->lost ? st->count - st->lost : 0);
	if (st->joined && st->unsized && st->has_size && !st->size_stopped)
		fprintf(out, "  %s: %" PRIu64 " of %" PRIu64 " not sized (memory allocated before lden started, outside its scope, or no longer in its table): the size is the other %" PRIu64 "'s\n",
			label, st->unsized, st->count,
			st->count > st->unsized ? st->count - st->unsized : 0);
	free(text);
}

void lden_print_table(FILE *out, const struct lden_stat *st, int n)
{
	bool lost = false, shared = false, missed = false;

	for (int i = 0; i < n; i++) {
		lost |= st[i].lost != 0;
		shared |= st[i].lost && st[i].lost_shared;
		missed |= st[i].missed != 0;
	}
	fprintf(out, "%-32s %14s %16s %12s%s%s\n", "ENAME", "COUNT", "SIZE",
		"SPEED", lost ? "         LOST" : "",
		missed ? "       MISSED" : "");
	for (int i = 0; i < n; i++) {
		/* a count known to be short is never shown as exact */
		const char *least = st[i].missed ? ">=" : "";
		char count[32], size[32], speed[40];

		snprintf(count, sizeof(count), "%s%" PRIu64, least, st[i].count);
		if (st[i].has_size && !st[i].size_stopped &&
		    lden_u64_over(st[i].size))
			snprintf(size, sizeof(size), "overflow");
		else if (st[i].has_size && !st[i].size_stopped)
			snprintf(size, sizeof(size), "%s%" PRIu64, least,
				 st[i].size);
		else
			snprintf(size, sizeof(size), "-");
		/* an estimated speed is marked as a short count is */
		snprintf(speed, sizeof(speed), "%s%.0f",
			 st[i].win.estimated ? "~" : "", st[i].speed);
		lden_label__print(out, st[i].label, 32);
		fprintf(out, " %14s %16s %12s", count, size, speed);
		if (lost)
			fprintf(out, " %12" PRIu64 "%s", st[i].lost,
				st[i].lost && st[i].lost_shared ? "*" : "");
		if (missed)
			fprintf(out, " %12" PRIu64, st[i].missed);
		fputc('\n', out);
	}
	for (int i = 0; i < n; i++)
		print_notes(out, &st[i]);
	if (shared)
		fprintf(out, "  *: records lost from the ftrace ring, which these events share (the kernel counts them per ring)\n");
}

void lden_json_string(FILE *out, const char *s)
{
	char *clean = NULL;

	/* JSON is UTF-8: a malformed byte becomes U+FFFD */
	if (s && !lden_utf8_valid(s, strlen(s)))
		s = clean = lden_utf8_sanitize(s);
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
	free(clean);
}

void lden_json_hex(FILE *out, const char *name, const char *s)
{
	size_t len = strlen(s);
	char *hex;

	if (lden_utf8_valid(s, len))
		return;
	hex = malloc(2 * len + 1);
	if (!hex)
		return;
	lden_hex(s, hex, 2 * len + 1);
	fprintf(out, ",\"%s_hex\":\"%s\"", name, hex);
	free(hex);
}

void lden_json_bytes(FILE *out, const char *name, const char *s)
{
	fprintf(out, ",\"%s\":", name);
	lden_json_string(out, s);
	lden_json_hex(out, name, s);
}

void lden_print_json_stats(FILE *out, const struct lden_stat *st, int n)
{
	fputc('[', out);
	for (int i = 0; i < n; i++) {
		/* a filter's string may hold bytes that are not UTF-8 */
		fprintf(out, "%s{\"name\":", i ? "," : "");
		lden_json_string(out, st[i].label);
		lden_json_hex(out, "name", st[i].label);
		fprintf(out, ",\"count\":%" PRIu64, st[i].count);
		if (st[i].has_size)
			fprintf(out, ",\"size\":%" PRIu64 ",\"size_valid\":%s%s",
				st[i].size, st[i].size_stopped ? "false" : "true",
				lden_u64_over(st[i].size) ?
					",\"size_overflow\":true" : "");
		else
			fprintf(out, ",\"size\":null");
		fprintf(out, ",\"speed\":%.0f,\"lost\":%" PRIu64 "%s"
			",\"missed\":%" PRIu64 ",\"count_exact\":%s",
			st[i].speed, st[i].lost,
			st[i].lost_shared ? ",\"lost_shared\":true" : "",
			st[i].missed, st[i].missed ? "false" : "true");
		if (st[i].joined)
			fprintf(out, ",\"unsized\":%" PRIu64, st[i].unsized);
		if (st[i].win.estimated)
			fprintf(out, ",\"speed_estimated\":true,\"speed_span\":%.3f",
				st[i].win.span);
		fputc('}', out);
	}
	fputc(']', out);
}

void lden_env_name(const char *label, char *buf, size_t len)
{
	size_t j = 0;
	bool under = false;

	for (size_t i = 0; label[i] && j + 1 < len; i++) {
		unsigned char c = (unsigned char)label[i];

		if (isalnum(c)) {
			buf[j++] = (char)toupper(c);
			under = false;
		} else if (!under && j) {
			buf[j++] = '_';
			under = true;
		}
	}
	while (j && buf[j - 1] == '_')
		j--;
	buf[j] = '\0';
}

void lden_env_name_among(const char *labels, size_t stride, int n, int i,
			 char *buf, size_t len)
{
	char other[LDEN_ENV_NAME_LEN];
	int place = 0, shared = 0;

	lden_env_name(labels + (size_t)i * stride, buf, len);
	for (int k = 0; k < n; k++) {
		lden_env_name(labels + (size_t)k * stride, other, sizeof(other));
		if (strcmp(other, buf))
			continue;
		shared++;
		if (k <= i)
			place++;
	}
	if (shared > 1) {
		size_t k = strlen(buf);

		snprintf(buf + k, len - k, "__%d", place);
	}
}
