// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "number.h"
#include "escape.h"
#include "recipe.h"
#include "tally.h"
#include "tally-view.h"

#define KEY_COLS 8

static bool is_kb(const char *name)
{
	size_t n = strlen(name);

	return n > 3 && !strcmp(name + n - 3, "_KB");
}

void lden_tally__column(const char *columns, int i, char *buf, size_t len)
{
	const char *p = columns;

	while (i-- > 0 && p)
		p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
	snprintf(buf, len, "%.*s", p ? (int)strcspn(p, " ") : 0, p ? p : "");
}

static bool has_bit(unsigned int mask, int c)
{
	return c < 32 && (mask >> c & 1);
}

/* A process key column (tally-view.h's proc_keys), parsed; false if none. */
struct proc_key {
	unsigned long pid;
	uint64_t n, back;	/* its number; how many came after it */
	bool unsure;
};

static bool parse_proc(const struct lden_tally_view *v, const char *part,
		       struct proc_key *k)
{
	unsigned long long n = 0;
	uint64_t latest;
	char *end;

	if (!isdigit((unsigned char)*part))
		return false;
	k->pid = strtoul(part, &end, 10);
	if (*end == '.') {
		n = strtoull(end + 1, &end, 10);
	}
	k->unsure = *end == '?';
	if (*end && strcmp(end, "?"))
		return false;
	k->n = n;
	latest = v->latest ? v->latest(v->ctx, k->pid) : n;
	k->back = latest > n ? latest - n : 0;
	return true;
}

/* "PID", "PID(exited)", "PID(exited-K)"; a '?' after when unsure. */
static void proc_text(const struct proc_key *k, char *out, size_t len)
{
	char back[40] = "";

	if (k->back == 1)
		snprintf(back, sizeof(back), "(exited)");
	else if (k->back)
		snprintf(back, sizeof(back), "(exited-%llu)",
			 (unsigned long long)k->back);
	snprintf(out, len, "%lu%s%s", k->pid, back, k->unsure ? "?" : "");
}

/*
 * Key column @c of @key for a terminal: a process name or a field holds
 * any byte (a newline would split the row): escaped (escape.h), unless
 * stored so.
 */
static void text_part(const struct lden_tally_view *v, const char *key,
		      int c, char *out, size_t len)
{
	char part[LDEN_TALLY_KEY_MAX];

	struct proc_key k;

	lden_recipe__part(key, c, part, sizeof(part));
	if (has_bit(v->proc_keys, c) && parse_proc(v, part, &k))
		proc_text(&k, out, len);
	else if (has_bit(v->marked_keys, c) && !strcmp(part, "?"))
		snprintf(out, len, "%s", v->none_text ? v->none_text : "?");
	else if (has_bit(v->escaped_keys, c))
		snprintf(out, len, "%s", part);
	else
		lden_escape__text(part, strlen(part), LDEN_ESC_SPACE, out, len);
}

/*
 * An escaped key column (tally-view.h), its exact bytes in JSON: "name",
 * "name_hex" when they are not UTF-8, and with a mark "name_source".
 */
static void escaped_key(struct json_object *row, const char *name,
			char *part, bool marked, const char *own)
{
	size_t n = strlen(part);
	bool none = marked && !strcmp(part, "?");
	bool late = marked && !none && n && part[n - 1] == '?';
	char key[80], bytes[LDEN_TALLY_KEY_MAX], hex[2 * LDEN_TALLY_KEY_MAX];

	if (late)
		part[n - 1] = '\0';
	lden_unescape__text(part, bytes, sizeof(bytes));
	json_object_object_add(row, name, none ? NULL : lden_json_text(bytes));
	if (!none && !lden_utf8_valid(bytes, strlen(bytes))) {
		snprintf(key, sizeof(key), "%s_hex", name);
		lden_hex(bytes, hex, sizeof(hex));
		json_object_object_add(row, key, json_object_new_string(hex));
	}
	if (!marked || (own && !strcmp(bytes, own)))
		return;
	snprintf(key, sizeof(key), "%s_source", name);
	json_object_object_add(row, key, json_object_new_string(
		none ? "unavailable" : late ? "late" : "exact"));
}

/* A key read at arrival, "V?" or "?": "name": V or null, "name_source". */
static void late_key(struct json_object *row, const char *name, char *part)
{
	size_t n = strlen(part);
	char key[80];
	bool late = n > 1 && part[n - 1] == '?';

	if (late)
		part[n - 1] = '\0';
	json_object_object_add(row, name, late ? lden_json_text(part) : NULL);
	snprintf(key, sizeof(key), "%s_source", name);
	json_object_object_add(row, key, json_object_new_string(
		late ? "late" : "unavailable"));
}

/* A process: "pid": "PID", "pid_process", "pid_exited", "pid_source". */
static void proc_key(struct json_object *row, const char *name,
		     const struct proc_key *k)
{
	char key[80], pid[24];

	snprintf(pid, sizeof(pid), "%lu", k->pid);
	json_object_object_add(row, name, json_object_new_string(pid));
	snprintf(key, sizeof(key), "%s_process", name);
	json_object_object_add(row, key, json_object_new_uint64(k->n));
	snprintf(key, sizeof(key), "%s_exited", name);
	json_object_object_add(row, key, json_object_new_boolean(k->back > 0));
	snprintf(key, sizeof(key), "%s_source", name);
	json_object_object_add(row, key, json_object_new_string(
		k->unsure ? "unsure" : "exact"));
}

static void print_json(FILE *out, const struct lden_tally_view *v,
		       const struct lden_tally_row *rows, size_t n,
		       const char *when, uint64_t lost)
{
	struct json_object *o = json_object_new_object(), *a;
	char name[64], part[LDEN_TALLY_KEY_MAX];
	struct proc_key k;

	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "lost", json_object_new_uint64(lost));
	if (v->lost_split && v->lost_tracked) {
		json_object_object_add(o, "lost_events",
				       json_object_new_uint64(v->lost_events));
		json_object_object_add(o, "lost_tracker",
				       json_object_new_uint64(v->lost_tracker));
	} else if (v->lost_tracked) {
		json_object_object_add(o, "lost_split",
				       json_object_new_boolean(0));
	}
	a = json_object_new_array();
	for (size_t r = 0; r < n; r++) {
		struct json_object *row = json_object_new_object();

		for (int c = 0; c < v->nkeys + v->nvalues; c++) {
			size_t len;

			lden_tally__column(v->columns, c, name, sizeof(name));
			len = strlen(name);
			if (is_kb(name))
				snprintf(name + len - 3, sizeof(name) - len + 3,
					 "_bytes");
			for (char *q = name; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			if (c < v->nkeys && has_bit(v->proc_keys, c) &&
			    (lden_recipe__part(rows[r].key, c, part,
					       sizeof(part)),
			     parse_proc(v, part, &k))) {
				proc_key(row, name, &k);
			} else if (c < v->nkeys && has_bit(v->late_keys, c)) {
				lden_recipe__part(rows[r].key, c, part, sizeof(part));
				late_key(row, name, part);
			} else if (c < v->nkeys && has_bit(v->escaped_keys, c)) {
				lden_recipe__part(rows[r].key, c, part, sizeof(part));
				escaped_key(row, name, part,
					    has_bit(v->marked_keys, c),
					    v->own_key);
			} else if (c < v->nkeys) {
				lden_recipe__part(rows[r].key, c, part, sizeof(part));
				/* valid UTF-8 whatever the bytes (escape.h) */
				json_object_object_add(row, name,
						       lden_json_text(part));
			} else {
				uint64_t x = rows[r].v[c - v->nkeys];

				json_object_object_add(row, name,
						       json_object_new_uint64(x));
				/* a sum past 2^64 - 1: the number is its floor */
				if (lden_u64_over(x)) {
					size_t l = strlen(name);

					snprintf(name + l, sizeof(name) - l,
						 "_overflow");
					json_object_object_add(row, name,
						json_object_new_boolean(1));
				}
			}
		}
		if (v->doubted && v->doubted(v->ctx, rows[r].key))
			json_object_object_add(row, "records_may_be_missing",
					       json_object_new_boolean(1));
		json_object_array_add(a, row);
	}
	json_object_object_add(o, "rows", a);
	if (v->json_extra) {
		struct json_object *x = json_tokener_parse(v->json_extra);

		if (x && json_object_is_type(x, json_type_object)) {
			json_object_object_foreach(x, key, val)
				json_object_object_add(o, key,
						       json_object_get(val));
		}
		json_object_put(x);
	}
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

void lden_tally__print(FILE *out, struct lden_tally *t,
		      const struct lden_tally_view *v, const char *when,
		      uint64_t lost)
{
	const struct lden_tally_row *rows;
	size_t n = lden_tally__sorted(t, v->sort_col, &rows);
	int width[KEY_COLS] = { 0 }, nkeys = v->nkeys;
	bool doubt, any = false;
	/* a key part escaped whole: up to 4 bytes ("\xHH") for each */
	char name[64], part[4 * LDEN_TALLY_KEY_MAX];

	if (v->rows && n > (size_t)v->rows)
		n = (size_t)v->rows;
	if (v->json) {
		print_json(out, v, rows, n, when, lost);
		return;
	}
	if (nkeys > KEY_COLS)
		nkeys = KEY_COLS;
	for (size_t r = 0; v->doubted && r < n && !any; r++)
		any = v->doubted(v->ctx, rows[r].key);
	for (int c = 0; c < nkeys; c++) {
		lden_tally__column(v->columns, c, name, sizeof(name));
		width[c] = (int)strlen(name);
		for (size_t r = 0; r < n; r++) {
			text_part(v, rows[r].key, c, part, sizeof(part));
			if ((int)strlen(part) > width[c])
				width[c] = (int)strlen(part);
		}
	}
	if (v->tty)
		fputs("\033[H\033[J", out);
	if (v->lost_text)
		fprintf(out, "--- %s  every %g s  %s ---\n", when, v->interval,
			v->lost_text);
	else
		fprintf(out, "--- %s  every %g s  lost %llu ---\n", when,
			v->interval, (unsigned long long)lost);
	for (int c = 0; c < nkeys + v->nvalues; c++) {
		lden_tally__column(v->columns, c < nkeys ? c : c - nkeys + v->nkeys,
				  name, sizeof(name));
		if (c < nkeys)
			fprintf(out, "%-*s ", width[c], name);
		else
			fprintf(out, "%12s %s", name, any ? " " : "");
	}
	fputc('\n', out);
	for (size_t r = 0; r < n; r++) {
		doubt = any && v->doubted(v->ctx, rows[r].key);
		for (int c = 0; c < nkeys; c++) {
			text_part(v, rows[r].key, c, part, sizeof(part));
			fprintf(out, "%-*s ", width[c], part);
		}
		for (int c = 0; c < v->nvalues; c++) {
			char num[32];

			lden_tally__column(v->columns, v->nkeys + c, name,
					  sizeof(name));
			if (lden_u64_over(rows[r].v[c]))
				snprintf(num, sizeof(num), "overflow");
			else
				snprintf(num, sizeof(num), "%llu",
					 (unsigned long long)
					 (is_kb(name) ? rows[r].v[c] / 1024 :
							rows[r].v[c]));
			/* may be short: at least this */
			fprintf(out, "%12s%s", num, doubt ? "+ " :
				any ? "  " : " ");
		}
		fputc('\n', out);
	}
	if (any)
		fputs("(N+: the process's records may be missing, its numbers may be short: it was given the id of an earlier process of the command, see the line on stderr)\n",
		      out);
}
