// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Elasticsearch sink's pieces without a server: the bounded queue
 * (drop-oldest, interned names), the _bulk body read back with json-c
 * (fields, JSON types, escaping, ids, the size cap, size_valid through
 * the queue), the template body and its version check, the server's
 * version (unsigned_long or not), numbers past 2^63 - 1 exact or capped,
 * and the reading of bulk and error responses, table-driven.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "es-queue.h"
#include "es-wire.h"

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no '%s' in %s", key, json_object_to_json_string(o));
	return v;
}

static void test_queue_drops_oldest(void **unused)
{
	struct lden_es_queue *q = lden_es_queue__new(5);
	struct lden_point p[3] = { { 0 } };
	struct lden_es_doc out[8];
	char name[3][16];
	size_t dropped = 0, n;

	(void)unused;
	assert_non_null(q);
	for (int tick = 0; tick < 3; tick++) {
		struct lden_tick t = { .time = tick, .seq = (uint64_t)tick,
				       .host = "h", .points = p, .npoints = 3 };

		for (int i = 0; i < 3; i++) {
			/* the caller's buffers change: the queue keeps copies */
			snprintf(name[i], sizeof(name[i]), "ev.%d", i);
			p[i] = (struct lden_point){ .event = name[i],
						    .source = "src",
						    .count_total =
						    (uint64_t)(tick * 3 + i) };
		}
		dropped += lden_es_queue__push_tick(q, &t);
		memset(name, 'x', sizeof(name));
	}
	assert_int_equal(dropped, 4);
	assert_int_equal(lden_es_queue__len(q), 5);
	n = lden_es_queue__pop(q, out, 8);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(out[i].count_total, 4 + i);
		static const char *const names[] = { "ev.0", "ev.1", "ev.2" };

		assert_string_equal(out[i].event, names[(4 + i) % 3]);
	}
	/* interned: one copy of each name */
	assert_ptr_equal(out[0].event, out[3].event);
	assert_ptr_equal(out[0].host, out[4].host);
	assert_int_equal(lden_es_queue__len(q), 0);
	assert_null(lden_es_queue__new(0));
	lden_es_queue__free(q);
	lden_es_queue__free(NULL);
}

static void test_bulk_body(void **unused)
{
	struct lden_es_doc d[2] = {
		{ .time = 1000000000.25, .interval = 1, .speed = NAN,
		  .seq = 7, .host = "h\"1", .event = "task.create",
		  .source = "tracepoint a\\b\n\x01", .count = 3,
		  .count_total = 10, .lost = 0 },
		{ .time = 0.5, .interval = 0.5, .speed = 2.5, .seq = 8,
		  .host = "h", .event = "disk.read", .source = "s",
		  .sampling = true, .has_size = true, .count = 1, .size = 4096,
		  .count_total = 1, .size_total = 4096,
		  .lost = UINT64_C(18446744073709551615), .missed = 22,
		  .speed_estimated = true, .speed_span = 2.2506,
		  .lost_shared = true },
	};
	struct lden_es_buf b = { 0 };
	struct json_object *o[4], *meta;
	char *save = NULL, *line, id[2][32];

	(void)unused;
	assert_int_equal(lden_es_wire__bulk(&b, "lden", d, 2, 1 << 20, true), 2);
	assert_true(b.len > 0 && b.p[b.len - 1] == '\n');
	line = strtok_r(b.p, "\n", &save);
	for (int i = 0; i < 4; i++, line = strtok_r(NULL, "\n", &save)) {
		assert_non_null(line);
		o[i] = json_tokener_parse(line);
		assert_non_null(o[i]);
	}
	assert_null(line);
	for (int i = 0; i < 2; i++) {
		meta = get(o[2 * i], "create");
		assert_string_equal(json_object_get_string(get(meta, "_index")),
				    "lden");
		assert_false(json_object_object_get_ex(meta, "_type", NULL));
		snprintf(id[i], sizeof(id[i]), "%s",
			 json_object_get_string(get(meta, "_id")));
		assert_int_equal(strlen(id[i]), 16);
	}
	assert_string_not_equal(id[0], id[1]);
	assert_string_equal(json_object_get_string(get(o[1], "@timestamp")),
			    "2001-09-09T01:46:40.250Z");
	assert_string_equal(json_object_get_string(get(o[3], "@timestamp")),
			    "1970-01-01T00:00:00.500Z");
	assert_string_equal(json_object_get_string(get(o[1], "host")), "h\"1");
	assert_string_equal(json_object_get_string(get(o[1], "source")),
			    "tracepoint a\\b\n\x01");
	assert_string_equal(json_object_get_string(get(o[1], "mode")),
			    "counting");
	assert_string_equal(json_object_get_string(get(o[3], "mode")),
			    "sampling");
	assert_true(json_object_is_type(get(o[1], "count"), json_type_int));
	assert_int_equal(json_object_get_int64(get(o[1], "count_total")), 10);
	/* NaN is not JSON: 0 */
	assert_true(json_object_get_double(get(o[1], "speed")) == 0);
	assert_true(json_object_get_double(get(o[3], "speed")) == 2.5);
	assert_false(json_object_object_get_ex(o[1], "size", NULL));
	assert_int_equal(json_object_get_int64(get(o[3], "size_total")), 4096);
	assert_int_equal(json_object_get_int64(get(o[3], "size")), 4096);
	/* a size that means something: true; no size: no size_valid */
	assert_true(json_object_is_type(get(o[3], "size_valid"),
					json_type_boolean));
	assert_true(json_object_get_boolean(get(o[3], "size_valid")));
	assert_false(json_object_object_get_ex(o[1], "size_valid", NULL));
	assert_false(json_object_object_get_ex(o[1], "size_total", NULL));
	assert_int_equal(json_object_get_uint64(get(o[3], "lost")),
			 UINT64_C(18446744073709551615));
	/* a count its kprobes missed hits of is not exact */
	assert_int_equal(json_object_get_uint64(get(o[3], "missed")), 22);
	assert_false(json_object_get_boolean(get(o[3], "count_exact")));
	assert_int_equal(json_object_get_uint64(get(o[1], "missed")), 0);
	assert_true(json_object_is_type(get(o[1], "count_exact"),
					json_type_boolean));
	assert_true(json_object_get_boolean(get(o[1], "count_exact")));
	/* a speed averaged over more than a second says so; the last
	 * second's says false, with no span */
	assert_true(json_object_is_type(get(o[3], "speed_estimated"),
					json_type_boolean));
	assert_true(json_object_get_boolean(get(o[3], "speed_estimated")));
	assert_true(json_object_get_double(get(o[3], "speed_span")) == 2.251);
	assert_true(json_object_is_type(get(o[1], "speed_estimated"),
					json_type_boolean));
	assert_false(json_object_get_boolean(get(o[1], "speed_estimated")));
	assert_false(json_object_object_get_ex(o[1], "speed_span", NULL));
	/* lost that is the shared ftrace ring's says so (a sum over the
	 * documents of a tick must take it once); always there */
	assert_true(json_object_is_type(get(o[3], "lost_shared"),
					json_type_boolean));
	assert_true(json_object_get_boolean(get(o[3], "lost_shared")));
	assert_true(json_object_is_type(get(o[1], "lost_shared"),
					json_type_boolean));
	assert_false(json_object_get_boolean(get(o[1], "lost_shared")));
	for (int i = 0; i < 4; i++)
		json_object_put(o[i]);

	/* the same point, the same id */
	b.len = 0;
	assert_int_equal(lden_es_wire__bulk(&b, "lden", d, 1, 1 << 20, true), 1);
	assert_non_null(strstr(b.p, id[0]));
	free(b.p);
}

/*
 * The overhead guard stopped a size: through the queue and into the
 * document as "size_valid":false, a frozen total and no interval size;
 * the flag of an event without a size does not leak into its document.
 */
static void test_bulk_size_stopped(void **unused)
{
	struct lden_es_queue *q = lden_es_queue__new(8);
	struct lden_point p[3] = {
		{ .event = "fs.read", .source = "s", .has_size = true,
		  .size_stopped = true, .count = 5, .size = 12345,
		  .count_total = 9, .size_total = 4096 },
		{ .event = "fs.write", .source = "s", .sampling = true,
		  .has_size = true, .count = 1, .size = 10, .count_total = 1,
		  .size_total = 10 },
		{ .event = "task.create", .source = "s", .size_stopped = true,
		  .count = 2, .count_total = 2 },
	};
	struct lden_tick t = { .time = 1, .seq = 3, .host = "h", .points = p,
			       .npoints = 3 };
	struct lden_es_doc d[3];
	struct lden_es_buf b = { 0 };
	struct json_object *o[6];
	char *save = NULL, *line;

	(void)unused;
	assert_non_null(q);
	assert_int_equal(lden_es_queue__push_tick(q, &t), 0);
	assert_int_equal(lden_es_queue__pop(q, d, 3), 3);
	assert_true(d[0].size_stopped);
	assert_false(d[1].size_stopped);
	assert_false(d[2].size_stopped);
	assert_int_equal(lden_es_wire__bulk(&b, "lden", d, 3, 1 << 20, true), 3);
	line = strtok_r(b.p, "\n", &save);
	for (int i = 0; i < 6; i++, line = strtok_r(NULL, "\n", &save)) {
		assert_non_null(line);
		o[i] = json_tokener_parse(line);
		assert_non_null(o[i]);
	}
	assert_true(json_object_is_type(get(o[1], "size_valid"),
					json_type_boolean));
	assert_false(json_object_get_boolean(get(o[1], "size_valid")));
	assert_false(json_object_object_get_ex(o[1], "size", NULL));
	assert_int_equal(json_object_get_int64(get(o[1], "size_total")), 4096);
	assert_int_equal(json_object_get_int64(get(o[1], "count")), 5);
	assert_true(json_object_get_boolean(get(o[3], "size_valid")));
	assert_int_equal(json_object_get_int64(get(o[3], "size")), 10);
	assert_false(json_object_object_get_ex(o[5], "size_valid", NULL));
	assert_false(json_object_object_get_ex(o[5], "size_total", NULL));
	for (int i = 0; i < 6; i++)
		json_object_put(o[i]);
	free(b.p);
	lden_es_queue__free(q);
}

static void test_bulk_cap(void **unused)
{
	struct lden_es_doc d[10];
	struct lden_es_buf b = { 0 };
	long n;

	(void)unused;
	for (int i = 0; i < 10; i++)
		d[i] = (struct lden_es_doc){ .time = i, .seq = (uint64_t)i,
					     .host = "h", .event = "e",
					     .source = "s" };
	/* always one, even over the cap */
	assert_int_equal(lden_es_wire__bulk(&b, "x", d, 10, 1, true), 1);
	b.len = 0;
	n = lden_es_wire__bulk(&b, "x", d, 10, 700, true);
	assert_true(n > 1 && n < 10);
	assert_true(b.len <= 700 && b.p[b.len - 1] == '\n');
	free(b.p);
}

/* a template kept where the server maps "unsigned_long" */
static int current(const char *body)
{
	bool got;

	return lden_es_wire__template_current(body, strlen(body), true, &got);
}

/* "size_total" mapped as @type in a template of @version, kept (@want_u64)? */
static int current_typed(int version, const char *type, bool want_u64,
			 bool *got)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"index_templates\":[{\"name\":\"lden\",\"index_template\":"
		 "{\"version\":%d,\"template\":{\"mappings\":{\"properties\":"
		 "{\"size_total\":{\"type\":\"%s\"}}}}}}]}",
		 version, type);
	return lden_es_wire__template_current(body, strlen(body), want_u64,
					      got);
}

static void test_template(void **unused)
{
	static const char *const types[][2] = {
		{ "@timestamp", "date" },
		{ "event", "keyword" },
		{ "host", "keyword" },
		{ "source", "keyword" },
		{ "mode", "keyword" },
		{ "count", "unsigned_long" },
		{ "size", "unsigned_long" },
		{ "count_total", "unsigned_long" },
		{ "size_total", "unsigned_long" },
		{ "lost", "unsigned_long" },
		{ "speed", "double" },
		{ "interval", "double" },
		{ "size_valid", "boolean" },
		{ "missed", "unsigned_long" },
		{ "count_exact", "boolean" },
		{ "speed_estimated", "boolean" },
		{ "speed_span", "double" },
		{ "lost_shared", "boolean" },
		{ "size_overflow", "boolean" },
		{ "capped", "boolean" },
	};
	static const char *const ints[] = { "count", "size", "count_total",
					    "size_total", "lost", "missed" };
	struct lden_es_buf b = { 0 };
	struct json_object *t, *props;
	bool got = false;

	(void)unused;
	assert_int_equal(lden_es_wire__template(&b, "lden", true), 0);
	t = json_tokener_parse(b.p);
	assert_non_null(t);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
				get(t, "index_patterns"), 0)), "lden*");
	assert_true(json_object_is_type(get(t, "data_stream"),
					json_type_object));
	assert_int_equal(json_object_get_int(get(t, "version")),
			 LDEN_ES_TEMPLATE_VERSION);
	props = get(get(get(t, "template"), "mappings"), "properties");
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
		assert_string_equal(json_object_get_string(
			get(get(props, types[i][0]), "type")), types[i][1]);
	json_object_put(t);
	free(b.p);
	/* a server before unsigned_long: the counts and sizes "long" */
	b = (struct lden_es_buf){ 0 };
	assert_int_equal(lden_es_wire__template(&b, "lden", false), 0);
	t = json_tokener_parse(b.p);
	props = get(get(get(t, "template"), "mappings"), "properties");
	for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++)
		assert_string_equal(json_object_get_string(
					    get(get(props, ints[i]), "type")),
				    "long");
	assert_string_equal(json_object_get_string(
				    get(get(props, "capped"), "type")),
			    "boolean");
	json_object_put(t);
	free(b.p);

	/*
	 * this version mapping the numbers as the server allows and a newer
	 * lden's are left alone; older ones replaced, and this version's
	 * "long" where the server now has unsigned_long (upgraded)
	 */
	assert_int_equal(LDEN_ES_TEMPLATE_VERSION, 6);
	assert_int_equal(current_typed(6, "unsigned_long", true, &got), 1);
	assert_true(got);
	assert_int_equal(current_typed(6, "long", true, &got), 0);
	assert_int_equal(current_typed(6, "long", false, &got), 1);
	assert_false(got);
	assert_int_equal(current_typed(6, "unsigned_long", false, &got), 0);
	assert_int_equal(current_typed(7, "long", true, &got), 1);
	assert_false(got);
	assert_int_equal(current_typed(7, "unsigned_long", false, &got), 1);
	assert_true(got);
	assert_int_equal(current_typed(5, "long", false, &got), 0);
	assert_int_equal(current("{\"index_templates\":[{\"name\":\"lden\","
				 "\"index_template\":{\"version\":5}}]}"),
			 0);
	assert_int_equal(current("{\"index_templates\":[{\"name\":\"lden\","
				 "\"index_template\":{\"version\":6}}]}"),
			 0);
	assert_int_equal(current("{\"index_templates\":[{\"name\":\"lden\","
				 "\"index_template\":{\"version\":4}}]}"), 0);
	assert_int_equal(current("{\"index_templates\":[{\"name\":\"lden\","
				 "\"index_template\":{\"version\":3}}]}"), 0);
	assert_int_equal(current("{\"index_templates\":[{\"name\":\"lden\","
				 "\"index_template\":{\"version\":2}}]}"), 0);
	assert_int_equal(current("{\"index_templates\":[{\"name\":\"lden\","
				 "\"index_template\":{\"version\":1}}]}"), 0);
	assert_int_equal(current("{\"index_templates\":[{\"name\":\"lden\","
				 "\"index_template\":{\"version\":0}}]}"), 0);
	assert_int_equal(current("{\"index_templates\":[{\"name\":\"lden\","
				 "\"index_template\":{}}]}"), 0);
	assert_int_equal(current("{\"index_templates\":[{\"name\":\"lden\","
				 "\"index_template\":{\"version\":\"2\"}}]}"), 0);
	assert_int_equal(current("{\"index_templates\":[]}"), 0);
	assert_int_equal(lden_es_wire__template_current("{}", 2, true, &got),
			 0);
	assert_int_equal(lden_es_wire__template_current("<html>", 6, false,
							&got),
			 0);
}

/* GET /'s answer: unsigned_long from Elasticsearch 7.10, OpenSearch 2.8 */
static void test_server_u64(void **unused)
{
	static const struct {
		const char *version;
		bool u64;
	} cases[] = {
		{ "{\"number\":\"8.11.0\"}", true },
		{ "{\"number\":\"7.10.0\"}", true },
		{ "{\"number\":\"7.17.9\"}", true },
		{ "{\"number\":\"7.9.3\"}", false },
		{ "{\"number\":\"6.8.23\"}", false },
		{ "{\"distribution\":\"opensearch\",\"number\":\"2.8.0\"}", true },
		{ "{\"distribution\":\"opensearch\",\"number\":\"2.7.0\"}", false },
		{ "{\"distribution\":\"opensearch\",\"number\":\"1.3.0\"}", false },
		{ "{\"number\":\"x\"}", false },
		{ "{}", false },
	};
	char body[256];

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		snprintf(body, sizeof(body), "{\"version\":%s}",
			 cases[i].version);
		assert_int_equal(lden_es_wire__server_u64(body, strlen(body)),
				 cases[i].u64);
	}
	assert_false(lden_es_wire__server_u64("<html>", 6));
}

/*
 * Counts and sizes past 2^63 - 1, which a "long" cannot hold (a server
 * refused the document, which was dropped): exact where the template maps
 * unsigned_long, 2^64 - 1 the JSON integer 18446744073709551615; else
 * 2^63 - 1 and marked "capped" (and "size_overflow" for a size).
 */
static void test_bulk_u64(void **unused)
{
	const uint64_t max = UINT64_C(18446744073709551615);
	struct lden_es_doc d[2] = {
		{ .time = 1, .interval = 1, .seq = 1, .host = "h", .event = "disk.read", .source = "s", .sampling = true, .has_size = true, .count = max, .size = max, .count_total = max, .size_total = max, .lost = max, .missed = max },
		{ .time = 2, .interval = 1, .seq = 2, .host = "h", .event = "disk.read", .source = "s", .sampling = true, .has_size = true, .count = 1, .size = UINT64_C(9223372036854775808), .count_total = 1, .size_total = UINT64_C(9223372036854775808) },
	};
	static const char *const ints[] = { "count", "size", "count_total",
					    "size_total", "lost", "missed" };
	struct lden_es_buf b = { 0 };
	struct json_object *o;
	char want[64];

	(void)unused;
	assert_true(lden_es_wire__capped(&d[0]));
	assert_true(lden_es_wire__capped(&d[1]));
	assert_int_equal(lden_es_wire__bulk(&b, "lden", d, 2, 1 << 20, true), 2);
	for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++) {
		snprintf(want, sizeof(want), "\"%s\":18446744073709551615,",
			 ints[i]);
		assert_non_null(strstr(b.p, want));
	}
	assert_non_null(strstr(b.p, "\"size\":9223372036854775808,"));
	assert_non_null(strstr(b.p, "\"size_total\":9223372036854775808,"));
	assert_null(strstr(b.p, "capped"));
	/* 2^64 - 1 is a sum that passed 2^64: marked so, as ever */
	assert_non_null(strstr(b.p, "\"size_overflow\":true"));
	o = json_tokener_parse(strchr(b.p, '\n') + 1);
	assert_int_equal(json_object_get_uint64(get(o, "size_total")), max);
	json_object_put(o);
	free(b.p);

	b = (struct lden_es_buf){ 0 };
	assert_int_equal(lden_es_wire__bulk(&b, "lden", d, 2, 1 << 20, false), 2);
	assert_null(strstr(b.p, "18446744073709551615"));
	assert_null(strstr(b.p, "9223372036854775808"));
	for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++) {
		snprintf(want, sizeof(want), "\"%s\":9223372036854775807,",
			 ints[i]);
		assert_non_null(strstr(b.p, want));
	}
	{
		char *second = strchr(strchr(strchr(b.p, '\n') + 1, '\n') + 1,
				      '\n') +
			       1;

		o = json_tokener_parse(second);
		assert_non_null(o);
		assert_true(json_object_get_boolean(get(o, "capped")));
		assert_true(json_object_get_boolean(get(o, "size_overflow")));
		assert_int_equal(json_object_get_int64(get(o, "count")), 1);
		json_object_put(o);
	}
	assert_non_null(strstr(b.p, "\"capped\":true"));
	free(b.p);
	/* nothing past 2^63 - 1: not capped */
	d[1].size = d[1].size_total = UINT64_C(9223372036854775807);
	assert_false(lden_es_wire__capped(&d[1]));
}

static const struct {
	const char *body;
	size_t n;
	int ret;
	const char *verdicts;	/* O ok, R retry, D drop */
	const char *reason;
} responses[] = {
	{ "{\"took\":1,\"errors\":false,\"items\":[{\"create\":{\"status\":201}},"
	  "{\"create\":{\"status\":201}}]}", 2, 0, "OO", "" },
	{ "{\"errors\":true,\"items\":[{\"create\":{\"status\":409,\"error\":"
	  "{\"type\":\"version_conflict_engine_exception\"}}},"
	  "{\"create\":{\"status\":429}},{\"index\":{\"status\":503}},"
	  "{\"create\":{\"status\":400,\"error\":{\"type\":"
	  "\"mapper_parsing_exception\",\"reason\":\"failed to parse\"}}},"
	  "{\"create\":{\"status\":404,\"error\":{\"type\":\"x\",\"reason\":"
	  "\"y\"}}},{\"create\":{\"status\":200}}]}", 6, 0, "ORRDDO",
	  "mapper_parsing_exception: failed to parse" },
	{ "{\"items\":[{\"create\":{\"status\":400}}]}", 1, 0, "D",
	  "status 400" },
	{ "{\"items\":[{\"create\":{\"status\":201}}]}", 2, -EPROTO, "", "" },
	{ "{\"items\":[{\"create\":{}}]}", 1, -EPROTO, "", "" },
	{ "{\"items\":[42]}", 1, -EPROTO, "", "" },
	{ "{}", 1, -EPROTO, "", "" },
	{ "<html>bad gateway</html>", 1, -EPROTO, "", "" },
	{ "", 1, -EPROTO, "", "" },
};

static void test_bulk_responses(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < sizeof(responses) / sizeof(*responses); i++) {
		enum lden_es_verdict v[8];
		char reason[128] = "";
		int ret;

		ret = lden_es_wire__bulk_response(responses[i].body,
						  strlen(responses[i].body),
						  responses[i].n, v, reason,
						  sizeof(reason));
		if (ret != responses[i].ret)
			fail_msg("response %zu: %d, not %d", i, ret,
				 responses[i].ret);
		for (size_t k = 0; !ret && k < responses[i].n; k++)
			assert_int_equal("ORD"[v[k]],
					 responses[i].verdicts[k]);
		assert_string_equal(reason, responses[i].reason);
	}
}

static void test_error_reason(void **unused)
{
	char buf[64];
	const char *es = "{\"error\":{\"root_cause\":[],\"type\":"
			 "\"security_exception\",\"reason\":\"no\"},"
			 "\"status\":401}";

	(void)unused;
	lden_es_wire__error_reason(es, strlen(es), buf, sizeof(buf));
	assert_string_equal(buf, "security_exception: no");
	lden_es_wire__error_reason("{\"error\":\"old style\"}", 21, buf,
				   sizeof(buf));
	assert_string_equal(buf, "old style");
	lden_es_wire__error_reason("<html>\n<b>502</b>\n", 18, buf,
				   sizeof(buf));
	assert_string_equal(buf, "<html> <b>502</b> ");
	lden_es_wire__error_reason("", 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_drops_oldest),
		cmocka_unit_test(test_bulk_body),
		cmocka_unit_test(test_bulk_size_stopped),
		cmocka_unit_test(test_bulk_cap),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_server_u64),
		cmocka_unit_test(test_bulk_u64),
		cmocka_unit_test(test_bulk_responses),
		cmocka_unit_test(test_error_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
