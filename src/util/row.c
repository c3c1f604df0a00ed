// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "escape.h"
#include "lden-trace.h"
#include "row.h"
#include "strcap.h"

void lden_row__reset(struct lden_row *r)
{
	r->n = 0;
	r->used = 0;
}

int lden_row__add(struct lden_row *r, const char *name, bool number,
		 const char *fmt, ...)
{
	size_t room = sizeof(r->buf) - r->used;
	va_list ap;
	int n;

	if (r->n == LDEN_ROW_CELLS || room < 1)
		return -ENOSPC;
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->used, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= room)
		n = (int)room - 1;
	r->c[r->n].name = name;
	r->c[r->n].text = r->buf + r->used;
	r->c[r->n].number = number;
	r->c[r->n].prov = -1;
	r->n++;
	r->used += (size_t)n + 1;
	return 0;
}

int lden_row__add_str(struct lden_row *r, const char *name, const char *s,
		     int prov)
{
	int rc = lden_row__add(r, name, false, "%s",
			      prov == LDEN_PROV_NONE || !s ? "" : s);

	if (rc == 0)
		r->c[r->n - 1].prov = (signed char)prov;
	return rc;
}

int lden_row__add_num(struct lden_row *r, const char *name, const char *num,
		     int prov)
{
	int rc = lden_row__add_str(r, name, num, prov);

	if (rc == 0)
		r->c[r->n - 1].number = prov != LDEN_PROV_NONE;
	return rc;
}

/*
 * A cell as text: escaped, with its provenance mark; @space: its spaces
 * too (a column that others follow).
 */
static void cell_text(const struct lden_cell *c, bool space, char *out,
		      size_t len)
{
	size_t k;

	if (c->prov == LDEN_PROV_NONE) {
		snprintf(out, len, "?");
		return;
	}
	k = lden_escape__text(c->text, strlen(c->text),
			      (c->prov >= 0 ? LDEN_ESC_QMARK_LAST : 0) |
			      (space ? LDEN_ESC_SPACE : 0), out,
			      len > 4 ? len - 4 : len);
	/* '?' is never a string's own byte here: that one is escaped */
	if (c->prov == LDEN_PROV_LATE && k + 1 < len)
		snprintf(out + k, len - k, "?");
	else if (c->prov == LDEN_PROV_PARTIAL && k + 4 < len)
		snprintf(out + k, len - k, "...?");
}

const char *lden_row__get(const struct lden_row *r, const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->c[i].name, name))
			return r->c[i].text;
	return NULL;
}

static int add_hex(struct lden_row *r, const char *name,
		   const unsigned char *p, size_t n)
{
	char hex[2 * 64 + 4];
	size_t i, k = 0;

	for (i = 0; i < n && i < 64; i++)
		k += (size_t)snprintf(hex + k, sizeof(hex) - k, "%02x", p[i]);
	if (i < n)
		snprintf(hex + k, sizeof(hex) - k, "..");
	return lden_row__add(r, name, false, "%s", hex);
}

int lden_row__add_field(struct lden_row *r, const struct ltr_field *f,
		       const struct ltr_sample *s)
{
	const char *name = ltr_field__name(f), *type = ltr_field__type(f);
	const void *bytes;
	const char *str;
	size_t len;
	uint64_t u;
	int64_t v;

	if (ltr_field__is_string(f)) {
		if (ltr_field__str(f, s, &str, &len) < 0)
			return lden_row__add(r, name, false, "?");
		return lden_row__add(r, name, false, "%.*s", (int)len, str);
	}
	if (ltr_field__u64(f, s, &u) == 0) {
		/* addresses: pointers, and the ip a probe hit */
		if ((type && strchr(type, '*')) || !strcmp(name, "__probe_ip"))
			return lden_row__add(r, name, false, "0x%llx",
					    (unsigned long long)u);
		if (ltr_field__is_signed(f) && ltr_field__s64(f, s, &v) == 0)
			return lden_row__add(r, name, true, "%lld", (long long)v);
		return lden_row__add(r, name, true, "%llu", (unsigned long long)u);
	}
	if (ltr_field__bytes(f, s, &bytes, &len) == 0)
		return add_hex(r, name, bytes, len);
	return lden_row__add(r, name, false, "?");
}

int lden_row__add_fields(struct lden_row *r, const struct ltr_sample *s,
			const char *const *only)
{
	const struct ltr_field *f;
	int added = 0;

	for (int i = 0; (f = ltr_event__field_at(s->event, i)); i++) {
		const char *name = ltr_field__name(f);
		bool want = !only;

		if (!strncmp(name, "common_", 7))
			continue;
		for (int k = 0; only && only[k]; k++)
			want |= !strcmp(only[k], name);
		if (want && lden_row__add_field(r, f, s) == 0)
			added++;
	}
	return added;
}

void lden_row__format(const struct lden_row *r, int from, bool named,
		     char *out, size_t len)
{
	static const char cut[] = " [cut]";
	size_t k = 0;

	if (!len)
		return;
	out[0] = '\0';
	for (int i = from; i < r->n; i++) {
		/* the whole value, each byte escaped at most ("\xHH"), and
		 * its mark: a value of 4095 bytes of controls is 16 KiB.
		 * Most fit on the stack (a line per record, 100,000s a
		 * second); only a longer one is allocated. */
		char small[LDEN_ROW_CELL_STACK];
		size_t tlen = 4 * strlen(r->c[i].text) + 8;
		char *t = tlen <= sizeof(small) ? small : malloc(tlen);
		bool quote;
		int n;

		if (!t)
			goto cut;
		/* NAME=VALUE pairs: a space of a value would start another */
		cell_text(&r->c[i], true, t, tlen);
		quote = named && (!*t || strchr(t, '"'));
		n = snprintf(out + k, len - k, "%s%s%s%s%s%s", k ? " " : "",
			     named ? r->c[i].name : "", named ? "=" : "",
			     quote ? "\"" : "", t, quote ? "\"" : "");
		if (t != small)
			free(t);
		if (n < 0 || (size_t)n >= len - k)
			goto cut;
		k += (size_t)n;
	}
	return;
cut:
	/* said, never a shorter value shown as the value */
	if (len > sizeof(cut))
		memcpy(out + (k < len - sizeof(cut) ? k : len - sizeof(cut)),
		       cut, sizeof(cut));
}

struct json_object *lden_row__json(const struct lden_row *r, int nest_from)
{
	struct json_object *o = json_object_new_object(), *into = o;

	if (!o)
		return NULL;
	for (int i = 0; i < r->n; i++) {
		if (i == nest_from) {
			into = json_object_new_object();
			json_object_object_add(o, "fields", into);
		}
		struct json_object *v = NULL;
		const char *t = r->c[i].text;
		char key[128], hex[8192];

		if (r->c[i].number) {
			long long x;
			char *end;

			errno = 0;
			x = strtoll(t, &end, 10);
			if (!errno && end != t && !*end)
				v = json_object_new_int64(x);
			else if (*t != '-' && errno == ERANGE)
				v = json_object_new_uint64(strtoull(t, NULL, 10));
			else
				v = json_object_new_double(strtod(t, NULL));
		} else if (r->c[i].prov != LDEN_PROV_NONE) {
			v = lden_json_text(t);
			if (!lden_utf8_valid(t, strlen(t))) {
				snprintf(key, sizeof(key), "%s_hex", r->c[i].name);
				lden_hex(t, hex, sizeof(hex));
				json_object_object_add(into, key,
						       json_object_new_string(hex));
			}
		}
		json_object_object_add(into, r->c[i].name, v);
		if (r->c[i].prov >= 0) {
			snprintf(key, sizeof(key), "%s_source", r->c[i].name);
			json_object_object_add(into, key, json_object_new_string(
				lden_prov__name((enum lden_prov)r->c[i].prov)));
		}
	}
	return o;
}

void lden_row__print_header(FILE *out, const char *columns)
{
	const char *p = columns;

	fprintf(out, "%-15s", "TIME");
	while (*p) {
		int n = (int)strcspn(p, " ");

		fprintf(out, p[n] ? " %-7.*s" : " %.*s", n, p);
		p += n + !!p[n];
	}
	fputc('\n', out);
}

void lden_row__print_columns(FILE *out, const struct lden_row *r)
{
	/* not on the stack: a cell's text escaped may be 4 times the row's */
	static char t[4 * LDEN_ROW_BUF + 8];

	for (int i = 0; i < r->n; i++) {
		/* the last column runs to the line's end: its spaces stay */
		cell_text(&r->c[i], i + 1 < r->n, t, sizeof(t));
		fprintf(out, !i ? "%-15s" : i + 1 < r->n ? " %-7s" : " %s", t);
	}
	fputc('\n', out);
}
