// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * visualize's outputs without the kernel: the JSON lines sink's fields
 * (stdout redirected to a file), /metrics served by the real HTTP server
 * on loopback with label values that need escaping, the server's routes
 * (exact, longest prefix, 404, 405), and the option checks of
 * viz-opts.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "aggregate.h"
#include "httpd.h"
#include "prom-text.h"
#include "sink.h"
#include "viz-opts.h"

/* ------------------------------------------------------------------ */
/* JSON lines */

static const struct lden_point points[] = {
	{ .event = "task.create", .source = "tracepoint sched:sched_process_fork",
	  .count = 3, .count_total = 40, .speed = 12, .lost = 0 },
	{ .event = "memory.alloc", .source = "tracepoint kmem:kmalloc",
	  .sampling = true, .has_size = true, .count = 5, .size = 4096,
	  .count_total = 50, .size_total = 65536, .speed = 7.5, .lost = 2,
	  .missed = 3, .joined = true, .unsized = 9,
	  .speed_estimated = true, .speed_span = 3.0504 },
};

static const struct lden_tick tick = {
	.time = 1795338001.25, .elapsed = 1.05, .interval = 1.0004, .seq = 1,
	.host = "web\"1", .points = points, .npoints = 2, .lost_total = 2,
};

static void test_json_lines(void **state)
{
	struct lden_viz_conf conf = { .host = "web\"1", .interval = 1 };
	char path[] = "/tmp/lden-test-sinks-XXXXXX", err[256], line[1024];
	struct lden_sink_stats st;
	int fd = mkstemp(path), saved = dup(1);
	void *j;
	FILE *f;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stdout);
	assert_int_equal(dup2(fd, 1), 1);
	j = lden_sink_json.open(&conf, err, sizeof(err));
	assert_non_null(j);
	lden_sink_json.tick(j, &tick);
	lden_sink_json.stats(j, &st);
	lden_sink_json.close(j);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);

	assert_int_equal(st.sent, 2);
	assert_int_equal(st.dropped, 0);
	f = fdopen(fd, "r");
	assert_non_null(f);
	rewind(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line,
		"{\"@timestamp\":\"2026-11-22T09:00:01.250Z\",\"host\":\"web\\\"1\","
		"\"event\":\"task.create\",\"source\":\"tracepoint sched:sched_process_fork\","
		"\"mode\":\"counting\",\"interval\":1,\"count\":3,\"count_total\":40,"
		"\"speed\":12,\"lost\":0,\"missed\":0,\"count_exact\":true}\n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line,
		"{\"@timestamp\":\"2026-11-22T09:00:01.250Z\",\"host\":\"web\\\"1\","
		"\"event\":\"memory.alloc\",\"source\":\"tracepoint kmem:kmalloc\","
		"\"mode\":\"sampling\",\"interval\":1,\"count\":5,\"count_total\":50,"
		"\"size\":4096,\"size_total\":65536,\"speed\":7.500,"
		"\"speed_estimated\":true,\"speed_span\":3.050,\"lost\":2,"
		"\"missed\":3,\"count_exact\":false,\"unsized\":9}\n");
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
}

/* ------------------------------------------------------------------ */
/* notify's table and JSON: what is not exact says so */

static char *printed(void (*fn)(FILE *, const struct lden_stat *, int),
		     const struct lden_stat *st, int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, st, n);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_table_exactness(void **state)
{
	struct lden_stat st[3] = {
		{ .label = "task.create", .count = 120, .speed = 4 },
		{ .label = "network.tcp_recv", .has_size = true, .count = 10,
		  .size = 1000, .missed = 22 },
		{ .label = "memory.free", .has_size = true, .count = 50,
		  .size = 4096, .joined = true, .unsized = 3, .lost = 1 },
	};
	char *t;

	(void)state;
	t = printed(lden_print_table, st, 3);
	assert_string_equal(t,
		"ENAME                                     COUNT             SIZE        SPEED         LOST       MISSED\n"
		"task.create                                 120                -            4            0            0\n"
		"network.tcp_recv                           >=10           >=1000            0            0           22\n"
		"memory.free                                  50             4096            0            1            0\n"
		"  network.tcp_recv: its probes missed 22 hits (of any task: kretprobe instances all in use, or another kprobe running): count and size are short by up to that many\n"
		"  memory.free: 3 of 50 not sized (memory allocated before lden started, outside its scope, or no longer in its table): the size is the other 47's\n");
	free(t);
	/* nothing missed, nothing unsized: the plain table */
	st[1].missed = 0;
	st[2].unsized = 0;
	st[2].lost = 0;
	t = printed(lden_print_table, st, 3);
	assert_non_null(strstr(t, "SPEED\n"));
	assert_null(strstr(t, "MISSED"));
	assert_null(strstr(t, ">="));
	assert_null(strstr(t, "  "  "memory.free:"));
	free(t);
	st[1].missed = 5;
	t = printed(lden_print_json_stats, st + 1, 2);
	assert_string_equal(t,
		"[{\"name\":\"network.tcp_recv\",\"count\":10,\"size\":1000,\"size_valid\":true,\"speed\":0,\"lost\":0,\"missed\":5,\"count_exact\":false},"
		"{\"name\":\"memory.free\",\"count\":50,\"size\":4096,\"size_valid\":true,\"speed\":0,\"lost\":0,\"missed\":0,\"count_exact\":true,\"unsized\":0}]");
	free(t);
}

/* ------------------------------------------------------------------ */
/* The HTTP server and /metrics */

/* Listens on a free loopback port; returns it. */
static int listen_free(struct lden_httpd *h)
{
	for (int tries = 0; tries < 10; tries++) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		socklen_t len = sizeof(sin);
		char addr[32], err[256];
		int s = socket(AF_INET, SOCK_STREAM, 0);

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_true(s >= 0);
		assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
		assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &len), 0);
		close(s);
		snprintf(addr, sizeof(addr), "%u", ntohs(sin.sin_port));
		if (lden_httpd__listen(h, addr, err, sizeof(err)) == 0)
			return ntohs(sin.sin_port);
	}
	fail_msg("no free port");
	return -1;
}

/* The whole response to "METHOD PATH HTTP/1.0", malloc'ed. */
static char *request(int port, const char *method, const char *path)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)port) };
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap), req[256];
	int s = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_non_null(buf);
	assert_int_equal(connect(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n",
		 method, path);
	assert_int_equal(write(s, req, strlen(req)), (ssize_t)strlen(req));
	while ((n = read(s, buf + len, cap - len - 1)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(s);
	return buf;
}

static int hello(void *ctx, const struct lden_http_request *req,
		 struct lden_http_reply *rep)
{
	const char *who = lden_http_arg(req, "who");

	rep->content_type = "text/plain";
	rep->len = (size_t)asprintf(&rep->body, "%s %s %s", (const char *)ctx,
				    lden_http_path(req), who ? who : "-");
	return 0;
}

static int broken(void *ctx, const struct lden_http_request *req,
		  struct lden_http_reply *rep)
{
	return -1;
}

static char name_static[] = "static", name_deep[] = "deep",
	    name_exact[] = "exact";

static void test_routes(void **state)
{
	struct lden_httpd *h = lden_httpd__new();
	char *r;
	int port;

	assert_int_equal(lden_httpd__route(h, "/static/", hello, name_static), 0);
	assert_int_equal(lden_httpd__route(h, "/static/deep/", hello, name_deep), 0);
	assert_int_equal(lden_httpd__route(h, "/exact", hello, name_exact), 0);
	assert_int_equal(lden_httpd__route(h, "/broken", broken, NULL), 0);
	port = listen_free(h);
	/* no route after the first listen */
	assert_int_equal(lden_httpd__route(h, "/late", hello, name_exact), -1);

	r = request(port, "GET", "/exact?who=me");
	assert_non_null(strstr(r, "HTTP/1.1 200"));
	assert_non_null(strstr(r, "\r\n\r\nexact /exact me"));
	assert_non_null(strstr(r, "X-Frame-Options: DENY\r\n"));
	free(r);
	r = request(port, "GET", "/static/deep/x.js");
	assert_non_null(strstr(r, "\r\n\r\ndeep /static/deep/x.js -"));
	free(r);
	r = request(port, "GET", "/static/y.css");
	assert_non_null(strstr(r, "\r\n\r\nstatic /static/y.css -"));
	free(r);
	r = request(port, "GET", "/exact/more");
	assert_non_null(strstr(r, "HTTP/1.1 404"));
	assert_non_null(strstr(r, "Cache-Control: no-store\r\n"));
	free(r);
	r = request(port, "GET", "/static");
	assert_non_null(strstr(r, "HTTP/1.1 404"));
	free(r);
	r = request(port, "PUT", "/exact");
	assert_non_null(strstr(r, "HTTP/1.1 405"));
	assert_non_null(strstr(r, "Allow: GET, HEAD\r\n"));
	free(r);
	r = request(port, "HEAD", "/exact");
	assert_non_null(strstr(r, "HTTP/1.1 200"));
	assert_null(strstr(r, "exact /exact"));
	free(r);
	r = request(port, "GET", "/broken");
	assert_non_null(strstr(r, "HTTP/1.1 500"));
	free(r);
	lden_httpd__free(h);
}

static void test_listen_errors(void **state)
{
	struct lden_httpd *h = lden_httpd__new();
	char err[256], addr[32];
	int port;

	assert_int_equal(lden_httpd__check_addr("0", err, sizeof(err)), -1);
	assert_string_equal(err, "invalid port '0' in '0' (expected 1 to 65535)");
	assert_int_equal(lden_httpd__check_addr("[::1", err, sizeof(err)), -1);
	assert_string_equal(err, "invalid address '[::1' (expected [ADDR:]PORT)");
	assert_int_equal(lden_httpd__check_addr("[::1]:9464", err, sizeof(err)), 0);
	assert_int_equal(lden_httpd__check_addr("0.0.0.0:9464", err, sizeof(err)), 0);
	port = listen_free(h);
	/* the same address again is the listener already there */
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	assert_int_equal(lden_httpd__listen(h, addr, err, sizeof(err)), 0);
	/* another server on it: the kernel's words */
	{
		struct lden_httpd *h2 = lden_httpd__new();
		char want[128];

		assert_int_equal(lden_httpd__listen(h2, addr, err, sizeof(err)), -1);
		snprintf(want, sizeof(want),
			 "cannot listen on 127.0.0.1:%d: Address already in use", port);
		assert_string_equal(err, want);
		lden_httpd__free(h2);
	}
	lden_httpd__free(h);
}

static void test_prometheus(void **state)
{
	struct lden_viz_conf conf = { .host = "we\\b\"1\n", .interval = 2.5 };
	struct lden_point p[2];
	struct lden_tick t = tick;
	struct lden_sink_stats st;
	char err[256], *r;
	void *prom;
	int port;

	conf.httpd = lden_httpd__new();
	prom = lden_sink_prometheus.open(&conf, err, sizeof(err));
	assert_non_null(prom);
	port = listen_free(conf.httpd);

	/* before the first tick: not up, no series */
	r = request(port, "GET", "/metrics");
	assert_non_null(strstr(r, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	assert_non_null(strstr(r, "\nlden_up{host=\"we\\\\b\\\"1\\n\"} 0\n"));
	assert_null(strstr(r, "lden_events_total{"));
	free(r);

	memcpy(p, points, sizeof(p));
	p[0].event = "odd\"name\\";
	t.points = p;
	lden_sink_prometheus.tick(prom, &t);
	r = request(port, "GET", "/metrics");
	assert_non_null(strstr(r, "\n# HELP lden_events_total "));
	assert_non_null(strstr(r, "\n# TYPE lden_events_total counter\n"));
	assert_non_null(strstr(r, "\nlden_up{host=\"we\\\\b\\\"1\\n\"} 1\n"));
	assert_non_null(strstr(r, "\nlden_interval_seconds{host=\"we\\\\b\\\"1\\n\"} 2.5\n"));
	assert_non_null(strstr(r, "\nlden_events_total{event=\"odd\\\"name\\\\\",host=\"we\\\\b\\\"1\\n\"} 40\n"));
	assert_non_null(strstr(r, "\nlden_events_total{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 50\n"));
	assert_non_null(strstr(r, "\nlden_event_bytes_total{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 65536\n"));
	assert_null(strstr(r, "lden_event_bytes_total{event=\"odd"));
	assert_non_null(strstr(r, "\nlden_lost_records_total{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 2\n"));
	assert_non_null(strstr(r, "\nlden_event_speed{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 7.5\n"));
	/* an estimated speed: its own gauges say so, the speed's series
	 * stays one */
	assert_non_null(strstr(r, "\n# TYPE lden_event_speed_estimated gauge\n"));
	assert_non_null(strstr(r, "\nlden_event_speed_estimated{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 1\n"));
	assert_non_null(strstr(r, "\nlden_event_speed_estimated{event=\"odd\\\"name\\\\\",host=\"we\\\\b\\\"1\\n\"} 0\n"));
	assert_non_null(strstr(r, "\n# TYPE lden_event_speed_span_seconds gauge\n"));
	assert_non_null(strstr(r, "\nlden_event_speed_span_seconds{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 3.05\n"));
	assert_non_null(strstr(r, "\nlden_event_speed_span_seconds{event=\"odd\\\"name\\\\\",host=\"we\\\\b\\\"1\\n\"} 1\n"));
	assert_non_null(strstr(r, "\n# TYPE lden_missed_events_total counter\n"));
	assert_non_null(strstr(r, "\nlden_missed_events_total{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 3\n"));
	assert_non_null(strstr(r, "\nlden_missed_events_total{event=\"odd\\\"name\\\\\",host=\"we\\\\b\\\"1\\n\"} 0\n"));
	assert_non_null(strstr(r, "\nlden_unsized_events_total{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 9\n"));
	assert_null(strstr(r, "lden_unsized_events_total{event=\"odd"));
	assert_non_null(strstr(r, "\nlden_event_info{event=\"memory.alloc\",source=\"tracepoint kmem:kmalloc\",mode=\"sampling\",host=\"we\\\\b\\\"1\\n\"} 1\n"));
	free(r);

	/* the next tick's numbers replace these */
	p[1].count_total = 51;
	lden_sink_prometheus.tick(prom, &t);
	r = request(port, "GET", "/metrics");
	assert_non_null(strstr(r, "\nlden_events_total{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 51\n"));
	/* not shared, no overflow: said 0; the host's lost as the tick's */
	assert_non_null(strstr(r, "\n# TYPE lden_lost_records_shared gauge\n"));
	assert_non_null(strstr(r, "\nlden_lost_records_shared{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 0\n"));
	assert_non_null(strstr(r, "\n# TYPE lden_lost_records_all_total counter\n"));
	assert_non_null(strstr(r, "\nlden_lost_records_all_total{host=\"we\\\\b\\\"1\\n\"} 2\n"));
	assert_non_null(strstr(r, "\n# TYPE lden_event_bytes_overflow gauge\n"));
	assert_non_null(strstr(r, "\nlden_event_bytes_overflow{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 0\n"));
	assert_null(strstr(r, "lden_event_bytes_overflow{event=\"odd"));
	free(r);

	/*
	 * both on the ftrace ring, which dropped 7: 7 on each, marked
	 * shared, 7 for the host (not 14); a size past 2^64 - 1 marked
	 */
	p[0].sampling = p[1].sampling = true;
	p[0].lost = p[1].lost = 7;
	p[0].lost_shared = p[1].lost_shared = true;
	p[1].size_total = UINT64_MAX;
	t.lost_total = 7;
	lden_sink_prometheus.tick(prom, &t);
	r = request(port, "GET", "/metrics");
	assert_non_null(strstr(r, "\nlden_lost_records_total{event=\"odd\\\"name\\\\\",host=\"we\\\\b\\\"1\\n\"} 7\n"));
	assert_non_null(strstr(r, "\nlden_lost_records_shared{event=\"odd\\\"name\\\\\",host=\"we\\\\b\\\"1\\n\"} 1\n"));
	assert_non_null(strstr(r, "\nlden_lost_records_shared{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 1\n"));
	assert_non_null(strstr(r, "\nlden_lost_records_all_total{host=\"we\\\\b\\\"1\\n\"} 7\n"));
	assert_non_null(strstr(r, "\nlden_event_bytes_total{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 18446744073709551615\n"));
	assert_non_null(strstr(r, "\nlden_event_bytes_overflow{event=\"memory.alloc\",host=\"we\\\\b\\\"1\\n\"} 1\n"));
	free(r);
	lden_sink_prometheus.stats(prom, &st);
	assert_int_equal(st.sent, 4);	/* scrapes */
	lden_httpd__free(conf.httpd);
	lden_sink_prometheus.close(prom);
}

/* ------------------------------------------------------------------ */
/* Option values */

/*
 * A label value is UTF-8, as the format requires: a malformed byte (an
 * event's filter holds any bytes) is U+FFFD, not passed on to fail the
 * whole scrape; well-formed UTF-8 is kept, a cut sequence at the end
 * read no further than the string
 */
static void test_prom_label_utf8(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\n\n", "\"q\\\"b\\\\n\\n\"" },
		{ "a\xff" "b", "\"a\xef\xbf\xbd" "b\"" },
		{ "\xc3\xa9t\xc3\xa9", "\"\xc3\xa9t\xc3\xa9\"" },
		{ "\xe2\x82\xac", "\"\xe2\x82\xac\"" },
		{ "\xf0\x9f\x98\x80!", "\"\xf0\x9f\x98\x80!\"" },
		/* overlong, surrogate, cut at the end */
		{ "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "x\xf0\x9f", "\"x\xef\xbf\xbd\xef\xbf\xbd\"" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		assert_non_null(f);
		lden_prom_label_value(f, cases[i].in);
		fclose(f);
		assert_string_equal(buf, cases[i].out);
		free(buf);
	}
}

static void test_es_url(void **state)
{
	char url[256], err[256];

	assert_int_equal(lden_viz__es_url(NULL, NULL, NULL, url, sizeof(url), err,
					 sizeof(err)), 0);
	assert_string_equal(url, "http://localhost:9200");
	assert_int_equal(lden_viz__es_url("::1", "9201", NULL, url, sizeof(url),
					 err, sizeof(err)), 0);
	assert_string_equal(url, "http://[::1]:9201");
	assert_int_equal(lden_viz__es_url(NULL, NULL, "https://es.example/x",
					 url, sizeof(url), err, sizeof(err)), 0);
	assert_string_equal(url, "https://es.example/x");
	assert_int_equal(lden_viz__es_url("h", NULL, "http://x", url, sizeof(url),
					 err, sizeof(err)), -1);
	assert_string_equal(err, "--url replaces --address and --port; give one or the other");
	assert_int_equal(lden_viz__es_url(NULL, "65536", NULL, url, sizeof(url),
					 err, sizeof(err)), -1);
	assert_string_equal(err, "invalid --port '65536' (expected 1 to 65535)");
	assert_int_equal(lden_viz__es_url("a/b", NULL, NULL, url, sizeof(url),
					 err, sizeof(err)), -1);
	assert_int_equal(lden_viz__es_url(NULL, NULL, "ftp://x", url, sizeof(url),
					 err, sizeof(err)), -1);
	/* a usage error with the options, not when the sink opens (exit 1) */
	{
		static const char *const bad[] = {
			"http://", "https:///x", "http://:9200", "http://[::1",
			"http://[::1]x", "http://[]:1", "http://h:", "http://h:0",
			"http://h:65536", "http://h:99999999999999999999",
			"http://h:9x", "http://a b", "http://h/\tx",
			"http://u:p@h:9200", "http://u@h",
		};
		static const char *const good[] = {
			"http://h", "https://h:1/p?q", "http://[::1]:9200/x",
			"http://[fe80::1]", "http://127.0.0.1:65535#f",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (lden_viz__es_url(NULL, NULL, bad[i], url, sizeof(url),
					    err, sizeof(err)) != -1)
				fail_msg("--url '%s' taken", bad[i]);
			assert_non_null(strstr(err, "invalid --url"));
		}
		for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
			if (lden_viz__es_url(NULL, NULL, good[i], url, sizeof(url),
					    err, sizeof(err)) != 0)
				fail_msg("--url '%s' refused: %s", good[i], err);
	}
	assert_int_equal(lden_viz__es_url(NULL, NULL, "http://u:p@h", url,
					 sizeof(url), err, sizeof(err)), -1);
	assert_string_equal(err, "invalid --url 'http://u:p@h': credentials go in LDEN_ES_API_KEY, or LDEN_ES_USER and LDEN_ES_PASSWORD (expected http[s]://HOST[:PORT][/PATH])");
}

static void test_index_and_seconds(void **state)
{
	static const char *const good[] = { "lden", "lden-2026.11", "a_b+c", ".x" };
	static const char *const bad[] = { "", "Lden", "-x", "_x", "+x", ".", "..",
					   "a b", "a,b", "a#b", "a:b", "a*b", "a\"b" };
	char err[256];
	double v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(lden_viz__index_ok(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(lden_viz__index_ok(bad[i]));
	assert_int_equal(lden_viz__seconds("--interval", "0.5", 0.05, 3600, &v,
					  err, sizeof(err)), 0);
	assert_true(v == 0.5);
	assert_int_equal(lden_viz__seconds("--interval", "0.01", 0.05, 3600, &v,
					  err, sizeof(err)), -1);
	assert_string_equal(err, "--interval must be between 0.05 and 3600 s, not '0.01'");
	assert_int_equal(lden_viz__seconds("--time", "nan", 0.001, 1e9, &v, err,
					  sizeof(err)), -1);
	assert_string_equal(err, "invalid --time value 'nan'");
}

/*
 * speed: the events of the last second when a tick about a second old
 * is there; else an average per second over the span there is, marked
 * (lden stopped by SIGSTOP for 3 s counted 3 s of events as one
 * second's, and fired a condition the rate never met)
 */
/* @n ticks 100 ms apart of 60 events a second; the last speed */
static double sixty(struct lden_window *w, double *t, uint64_t *c, int n)
{
	double v = 0;

	for (int i = 0; i < n; i++) {
		*t += 0.1;
		*c += 6;
		v = lden_window__push(w, *t, *c);
	}
	return v;
}

/* The table of @st with speed @v of window @w has @cell and @note. */
static void table_says(struct lden_stat *st, double v,
		       const struct lden_window *w, const char *cell,
		       const char *note)
{
	char *out;

	st->speed = v;
	st->win = *w;
	out = printed(lden_print_table, st, 1);
	assert_non_null(strstr(out, cell));
	assert_non_null(strstr(out, note));
	free(out);
}

static void test_speed_window(void **state)
{
	struct lden_window w = { .n = 0 };
	struct lden_stat st = { .label = "task.create", .count = 360 };
	double t = 10.0, v = 0;
	uint64_t c = 0;
	char *out;

	(void)state;
	/*
	 * 60 events a second, a tick every 100 ms: in the first second the
	 * events of the last second are not all known (old code: the count
	 * since the first tick, 6 at 0.1 s, unmarked: "speed(x) < 10" held
	 * at once); the average over the span since, marked young
	 */
	v = lden_window__push(&w, t, c);
	assert_true(w.estimated && w.young && w.span == 0 && v == 0);
	for (int i = 1; i <= 5; i++) {
		t += 0.1;
		c += 6;
		v = lden_window__push(&w, t, c);
		assert_true(w.estimated && w.young);
		assert_true(w.span > 0.1 * i - 1e-6 && w.span < 0.1 * i + 1e-6);
		assert_true(v > 59.5 && v < 60.5);
	}
	table_says(&st, v, &w, "~60\n",
		   "task.create: ~: speed estimated, the average per second over the 0.500 s since lden's first tick");
	/* then a tick a second old: exact */
	v = sixty(&w, &t, &c, 15);
	assert_true(v > 59.5 && v < 60.5);
	assert_false(w.estimated || w.young);
	t += 0.1;
	c += 6;
	/* stopped 3 s (no tick), still 60 a second: 180 more */
	t += 3.0;
	c += 180;
	v = lden_window__push(&w, t, c);
	assert_true(w.estimated);
	assert_true(w.span > 3.0 && w.span < 3.2);
	assert_true(v > 55 && v < 61);
	/* the next ticks a second on: exact again */
	v = sixty(&w, &t, &c, 11);
	assert_false(w.estimated);
	assert_true(v > 59.5 && v < 60.5);
	/* ticks of 1 ms: the ring (256) holds 0.255 s, not a second */
	memset(&w, 0, sizeof(w));
	for (int i = 0; i < 2000; i++)
		v = lden_window__push(&w, 20.0 + i * 0.001, (uint64_t)i * 3);
	assert_true(w.estimated);
	assert_true(v > 2999 && v < 3001);
	/* the table marks it, and says so under it; JSON too */
	table_says(&st, v, &w, "~3000\n",
		   "task.create: ~: speed estimated, the average per second over the last 0.255 s");
	out = printed(lden_print_json_stats, &st, 1);
	assert_non_null(strstr(out, "\"count_exact\":true,\"speed_estimated\":true,\"speed_span\":0.255}"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_lines),
		cmocka_unit_test(test_table_exactness),
		cmocka_unit_test(test_speed_window),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_listen_errors),
		cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_prom_label_utf8),
		cmocka_unit_test(test_es_url),
		cmocka_unit_test(test_index_and_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
