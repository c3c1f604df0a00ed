// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Elasticsearch wire format (see es-wire.h).  Documents are written by
 * hand (they are flat and their fields fixed); responses, which the server
 * writes, are read with json-c.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "number.h"
#include "clock.h"
#include "es-wire.h"

int lden_es_buf__add(struct lden_es_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

__attribute__((format(printf, 2, 3)))
static int add_fmt(struct lden_es_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -EINVAL;
	return lden_es_buf__add(b, tmp, (size_t)n);
}

/* @s as a JSON string, quotes included */
static int add_str(struct lden_es_buf *b, const char *s)
{
	int err = lden_es_buf__add(b, "\"", 1);

	for (; !err && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			err = lden_es_buf__add(b, e, 2);
		} else if (c < 0x20) {
			err = add_fmt(b, "\\u%04x", c);
		} else {
			err = lden_es_buf__add(b, s, 1);
		}
	}
	return err ? err : lden_es_buf__add(b, "\"", 1);
}

/* a finite double as JSON (which has no NaN or infinity) */
static int add_num(struct lden_es_buf *b, double d)
{
	if (!isfinite(d))
		d = 0;
	/* %.17g could print 1e+300 without a dot, still valid JSON */
	return add_fmt(b, "%.10g", d);
}

/* the counts and sizes: "long" or "unsigned_long" as the server allows */
static const char *const ints[] = { "count", "size", "count_total",
				    "size_total", "lost", "missed" };

int lden_es_wire__template(struct lden_es_buf *b, const char *index,
			   bool u64)
{
	static const char *const keywords[] = { "event", "host", "source",
						"mode" };
	static const char *const doubles[] = { "speed", "interval",
					       "speed_span" };
	static const char *const booleans[] = { "size_valid", "count_exact",
						"speed_estimated",
						"lost_shared",
						"size_overflow", "capped" };
	int err = 0;

	err |= lden_es_buf__add(b, "{\"index_patterns\":[", 19);
	{
		char pat[300];

		snprintf(pat, sizeof(pat), "%s*", index);
		err |= add_str(b, pat);
	}
	err |= add_fmt(b, "],\"data_stream\":{},\"priority\":200,"
		       "\"version\":%d,\"_meta\":{\"managed_by\":\"lden\","
		       "\"description\":\"lden visualize: events per "
		       "interval\"},\"template\":{\"mappings\":{"
		       "\"dynamic\":false,\"properties\":{"
		       "\"@timestamp\":{\"type\":\"date\"}",
		       LDEN_ES_TEMPLATE_VERSION);
	for (size_t i = 0; i < sizeof(keywords) / sizeof(*keywords); i++)
		err |= add_fmt(b, ",\"%s\":{\"type\":\"keyword\"}",
			       keywords[i]);
	for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++)
		err |= add_fmt(b, ",\"%s\":{\"type\":\"%s\"}", ints[i],
			       u64 ? "unsigned_long" : "long");
	for (size_t i = 0; i < sizeof(doubles) / sizeof(*doubles); i++)
		err |= add_fmt(b, ",\"%s\":{\"type\":\"double\"}", doubles[i]);
	for (size_t i = 0; i < sizeof(booleans) / sizeof(*booleans); i++)
		err |= add_fmt(b, ",\"%s\":{\"type\":\"boolean\"}",
			       booleans[i]);
	err |= lden_es_buf__add(b, "}}}}", 4);
	return err ? -ENOMEM : 0;
}

/* @body parsed as JSON (put it), or NULL */
static struct json_object *parse(const char *body, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root;

	if (!tok)
		return NULL;
	root = json_tokener_parse_ex(tok, body, (int)len);
	json_tokener_free(tok);
	return root;
}

bool lden_es_wire__server_u64(const char *body, size_t len)
{
	struct json_object *root = parse(body, len), *ver, *num, *dist;
	bool opensearch = false, u64 = false;
	int major, minor;

	if (json_object_object_get_ex(root, "version", &ver) &&
	    json_object_object_get_ex(ver, "number", &num) &&
	    json_object_is_type(num, json_type_string) &&
	    sscanf(json_object_get_string(num), "%d.%d", &major, &minor) == 2) {
		opensearch = json_object_object_get_ex(ver, "distribution",
						       &dist) &&
			     !strcmp(json_object_get_string(dist),
				     "opensearch");
		u64 = opensearch ? major > 2 || (major == 2 && minor >= 8) :
				   major > 7 || (major == 7 && minor >= 10);
	}
	json_object_put(root);
	return u64;
}

int lden_es_wire__template_current(const char *body, size_t len, bool u64,
				   bool *got_u64)
{
	struct json_object *root = parse(body, len), *list, *t, *it, *ver;
	struct json_object *m, *type;
	int64_t v = -1;
	bool is_u64;
	int keep;

	if (json_object_object_get_ex(root, "index_templates", &list) &&
	    json_object_is_type(list, json_type_array) &&
	    json_object_array_length(list) > 0 &&
	    (t = json_object_array_get_idx(list, 0)) &&
	    json_object_object_get_ex(t, "index_template", &it) &&
	    json_object_object_get_ex(it, "version", &ver) &&
	    json_object_is_type(ver, json_type_int))
		v = json_object_get_int64(ver);
	/* what it maps size_total as: the counts and sizes go together */
	is_u64 = v >= 6 && json_object_object_get_ex(it, "template", &m) &&
		 json_object_object_get_ex(m, "mappings", &m) &&
		 json_object_object_get_ex(m, "properties", &m) &&
		 json_object_object_get_ex(m, "size_total", &m) &&
		 json_object_object_get_ex(m, "type", &type) &&
		 !strcmp(json_object_get_string(type), "unsigned_long");
	keep = v > LDEN_ES_TEMPLATE_VERSION ||
	       (v == LDEN_ES_TEMPLATE_VERSION && is_u64 == u64);
	if (keep)
		*got_u64 = is_u64;
	json_object_put(root);
	return keep;
}

bool lden_es_wire__capped(const struct lden_es_doc *d)
{
	return d->count > LDEN_ES_LONG_MAX || d->count_total > LDEN_ES_LONG_MAX ||
	       d->lost > LDEN_ES_LONG_MAX || d->missed > LDEN_ES_LONG_MAX ||
	       (d->has_size && (d->size > LDEN_ES_LONG_MAX ||
				d->size_total > LDEN_ES_LONG_MAX));
}

/* The same point always gets the same id, another point another one. */
static uint64_t doc_id(const struct lden_es_doc *d, const char *stamp)
{
	const char *parts[] = { d->host, d->event, stamp };
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < 3; i++)
		for (const char *s = parts[i];; s++) {
			h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
			if (!*s)
				break;
		}
	h = (h ^ d->seq) * 0x100000001b3ULL;
	return h;
}

/* @v as the template can hold it: capped at LDEN_ES_LONG_MAX unless @u64 */
static uint64_t held(uint64_t v, bool u64)
{
	return !u64 && v > LDEN_ES_LONG_MAX ? LDEN_ES_LONG_MAX : v;
}

static int add_doc(struct lden_es_buf *b, const char *index,
		   const struct lden_es_doc *d, bool u64)
{
	bool capped = !u64 && lden_es_wire__capped(d);
	bool size_capped = !u64 && d->has_size &&
			   (d->size > LDEN_ES_LONG_MAX ||
			    d->size_total > LDEN_ES_LONG_MAX);
	char stamp[64];
	int err = 0;

	lden_iso8601(d->time, stamp, sizeof(stamp));
	err |= lden_es_buf__add(b, "{\"create\":{\"_index\":", 20);
	err |= add_str(b, index);
	err |= add_fmt(b, ",\"_id\":\"%016" PRIx64 "\"}}\n{\"@timestamp\":\"%s\","
		       "\"host\":", doc_id(d, stamp), stamp);
	err |= add_str(b, d->host);
	err |= lden_es_buf__add(b, ",\"event\":", 9);
	err |= add_str(b, d->event);
	err |= lden_es_buf__add(b, ",\"source\":", 10);
	err |= add_str(b, d->source);
	err |= add_fmt(b, ",\"mode\":\"%s\",\"interval\":",
		       d->sampling ? "sampling" : "counting");
	err |= add_num(b, d->interval);
	err |= add_fmt(b, ",\"count\":%" PRIu64 ",\"count_total\":%" PRIu64,
		       held(d->count, u64), held(d->count_total, u64));
	/*
	 * Events with a size say whether it still means something; as in
	 * the JSON lines, once the guard stopped it: no interval size, a
	 * frozen total, "size_valid":false.  Events without: none of the
	 * three.
	 */
	if (d->has_size && !d->size_stopped)
		err |= add_fmt(b, ",\"size\":%" PRIu64, held(d->size, u64));
	if (d->has_size)
		err |= add_fmt(b, ",\"size_total\":%" PRIu64 ",\"size_valid\":%s%s", held(d->size_total, u64),
			       d->size_stopped ? "false" : "true",
			       lden_u64_over(d->size_total) || size_capped ?
				       ",\"size_overflow\":true" :
				       "");
	/* a number past what a "long" holds: sent as its largest, marked */
	if (capped)
		err |= lden_es_buf__add(b, ",\"capped\":true", 14);
	err |= lden_es_buf__add(b, ",\"speed\":", 9);
	err |= add_num(b, d->speed);
	/*
	 * Always there, as count_exact is (a filter on false finds the
	 * speeds that are the last second's); the span only when estimated
	 */
	err |= add_fmt(b, ",\"speed_estimated\":%s",
		       d->speed_estimated ? "true" : "false");
	if (d->speed_estimated) {
		err |= lden_es_buf__add(b, ",\"speed_span\":", 14);
		err |= add_num(b, round(d->speed_span * 1000) / 1000);
	}
	/*
	 * Always there too: a sum of "lost" over the documents of one tick
	 * counts the ftrace ring's drops once per event in it; those with
	 * "lost_shared":true must be taken once (their max)
	 */
	err |= add_fmt(b, ",\"lost\":%" PRIu64 ",\"lost_shared\":%s"
			  ",\"missed\":%" PRIu64 ",\"count_exact\":%s}\n",
		       held(d->lost, u64), d->lost_shared ? "true" : "false",
		       held(d->missed, u64),
		       d->missed ? "false" : "true");
	return err ? -ENOMEM : 0;
}

long lden_es_wire__bulk(struct lden_es_buf *b, const char *index,
			const struct lden_es_doc *docs, size_t n,
			size_t max_bytes, bool u64)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t before = b->len;

		if (add_doc(b, index, &docs[i], u64))
			return -ENOMEM;
		if (i > 0 && b->len > max_bytes) {
			b->len = before;
			b->p[before] = '\0';
			break;
		}
	}
	return (long)i;
}

/* "type: reason" of an "error" object, or of a string */
static void reason_of(struct json_object *err, char *buf, size_t len)
{
	struct json_object *type, *reason;

	if (json_object_is_type(err, json_type_string)) {
		snprintf(buf, len, "%s", json_object_get_string(err));
		return;
	}
	if (!json_object_object_get_ex(err, "type", &type))
		type = NULL;
	if (!json_object_object_get_ex(err, "reason", &reason))
		reason = NULL;
	snprintf(buf, len, "%s: %s",
		 type ? json_object_get_string(type) : "error",
		 reason ? json_object_get_string(reason) : "(no reason)");
}

int lden_es_wire__bulk_response(const char *body, size_t len, size_t n,
				enum lden_es_verdict *v, char *reason,
				size_t reasonlen)
{
	struct json_object *root = parse(body, len), *items;
	bool have_reason = false;
	int ret = -EPROTO;

	if (!json_object_object_get_ex(root, "items", &items) ||
	    !json_object_is_type(items, json_type_array) ||
	    json_object_array_length(items) != n)
		goto out_put;
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(items, i);
		struct json_object *res = NULL, *status, *err;
		int code;

		if (!json_object_is_type(item, json_type_object))
			goto out_put;
		json_object_object_foreach(item, key, val) {
			(void)key;
			res = val;
			break;
		}
		if (!res || !json_object_object_get_ex(res, "status", &status))
			goto out_put;
		code = json_object_get_int(status);
		if ((code >= 200 && code < 300) || code == 409) {
			v[i] = LDEN_ES_OK;
		} else if (code == 429 || code >= 500) {
			v[i] = LDEN_ES_RETRY;
		} else {
			v[i] = LDEN_ES_DROP;
			if (!have_reason && reasonlen) {
				if (json_object_object_get_ex(res, "error",
							      &err))
					reason_of(err, reason, reasonlen);
				else
					snprintf(reason, reasonlen,
						 "status %d", code);
				have_reason = true;
			}
		}
	}
	ret = 0;
out_put:
	json_object_put(root);
	return ret;
}

void lden_es_wire__error_reason(const char *body, size_t len, char *buf,
				size_t buflen)
{
	struct json_object *root, *err;
	size_t i, o = 0;

	if (!buflen)
		return;
	root = parse(body, len);
	if (json_object_object_get_ex(root, "error", &err)) {
		reason_of(err, buf, buflen);
		json_object_put(root);
		return;
	}
	json_object_put(root);
	/* not Elasticsearch's JSON (a proxy?): its first words */
	for (i = 0; i < len && o + 1 < buflen && o < 120; i++)
		buf[o++] = (body[i] == '\n' || body[i] == '\r' ||
			    body[i] == '\t') ? ' ' : body[i];
	buf[o] = '\0';
}
