// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "escape.h"

double lden_window_push(struct lden_window *w, double t, uint64_t count)
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
	if (found < 0)	/* younger than a second: since the first tick */
		found = (w->head - w->n + LDEN_WINDOW_SLOTS) % LDEN_WINDOW_SLOTS;
	return (double)(count - w->count[found]);
}

void lden_print_table(FILE *out, const struct lden_stat *st, int n)
{
	bool lost = false;

	for (int i = 0; i < n; i++)
		lost |= st[i].lost != 0;
	fprintf(out, "%-32s %14s %16s %12s%s\n", "ENAME", "COUNT", "SIZE",
		"SPEED", lost ? "         LOST" : "");
	for (int i = 0; i < n; i++) {
		char size[32];

		if (st[i].has_size && !st[i].size_stopped)
			snprintf(size, sizeof(size), "%" PRIu64, st[i].size);
		else
			snprintf(size, sizeof(size), "-");
		fprintf(out, "%-32s %14" PRIu64 " %16s %12.0f", st[i].label,
			st[i].count, size, st[i].speed);
		if (lost)
			fprintf(out, " %12" PRIu64, st[i].lost);
		fputc('\n', out);
	}
	for (int i = 0; i < n; i++)
		if (st[i].size_stopped)
			fprintf(out, "  %s: %s\n", st[i].label, st[i].note);
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

void lden_print_json_stats(FILE *out, const struct lden_stat *st, int n)
{
	fputc('[', out);
	for (int i = 0; i < n; i++) {
		fprintf(out, "%s{\"name\":", i ? "," : "");
		lden_json_string(out, st[i].label);
		fprintf(out, ",\"count\":%" PRIu64, st[i].count);
		if (st[i].has_size)
			fprintf(out, ",\"size\":%" PRIu64 ",\"size_valid\":%s",
				st[i].size, st[i].size_stopped ? "false" : "true");
		else
			fprintf(out, ",\"size\":null");
		fprintf(out, ",\"speed\":%.0f,\"lost\":%" PRIu64 "}",
			st[i].speed, st[i].lost);
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
