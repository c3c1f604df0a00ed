// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The built-in dashboard: lden's own page on the embedded HTTP server, so
 * `lden visualize` shows its numbers with nothing else installed.
 *
 *   /               the page (index.html)
 *   /static/NAME    lden.js, lden.css, lden.svg (the icon) and flame.js;
 *                   nothing else
 *   /api/stats      the latest tick: per event its totals, speed (and
 *                   whether it is estimated, speed_estimated/speed_span),
 *                   lost records, kernel source and mode; the host; lost
 *                   total
 *   /api/series     the history, ?since=EPOCH for what came after,
 *                   &events=a,b for some events only, &step=SEC for at
 *                   most a point per event every SEC seconds
 *   /api/flamegraphs, /flamegraph.svg?pid=N
 *                   the live flame graphs of running `lden io`s
 *                   (dash-flame.h)
 *   /api/rules      204: no rules here (lden watch routes its own first)
 *
 * The files are read once, at open, from the dashboard directory: a
 * request can only ever get one of them, whatever its path says.  The
 * history holds the last LDEN_DASHBOARD_WINDOW seconds of ticks (at most
 * LDEN_HISTORY_MAX_SLOTS ticks).  tick() runs in the tracing loop and the
 * handlers in the server's thread: one mutex between them, which a
 * request holds for a bounded time: at most MAX_NAMES names in events=,
 * at most MAX_POINTS points a reply (a coarser step when more would be
 * due; the reply says which), and the replies of a tick cached, so that
 * many clients asking the same cost one walk.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "dash-flame.h"
#include "history.h"
#include "httpd.h"
#include "infile.h"
#include "number.h"
#include "sink.h"

#ifndef LDEN_DASHBOARD_DIR
#define LDEN_DASHBOARD_DIR "/usr/local/share/lden/dashboard"
#endif
#ifndef LDEN_SOURCE_DASHBOARD
#define LDEN_SOURCE_DASHBOARD LDEN_DASHBOARD_DIR
#endif

/* How far back /api/series reaches: the page's longest range. */
#define LDEN_DASHBOARD_WINDOW 900.0
/* A dashboard file larger than this is not one of ours. */
#define MAX_FILE (1024 * 1024)
/* At most this many names in ?events=, and points in a series reply */
#define MAX_NAMES 256
#define MAX_POINTS 25000
/* Series replies kept for the current tick */
#define CACHE_SLOTS 8

struct dash_file {
	const char *name;
	const char *type;
	char *body;
	size_t len;
};

enum { FILE_INDEX, FILE_JS, FILE_CSS, FILE_ICON, FILE_FLAME, NFILES };

/* A reply of the current tick, and the request it answers. */
struct cached {
	char *key;		/* "since step events", or NULL: free */
	char *body;
	size_t len;
};

struct dash {
	pthread_mutex_t lock;
	struct lden_history *hist;
	struct cached stats;	/* key unused */
	struct cached series[CACHE_SLOTS];
	int next_slot;
	struct dash_file files[NFILES];
	char host[256];
	double interval;
	double start;		/* tracing began, seconds since the epoch */
	double now;		/* the latest tick */
	uint64_t lost_total;
	uint64_t missed_total;
	bool ticked;
	uint64_t served;	/* requests answered, for the final summary */
};

static void count_request(struct dash *d)
{
	pthread_mutex_lock(&d->lock);
	d->served++;
	pthread_mutex_unlock(&d->lock);
}

static const struct dash_file file_table[] = {
	[FILE_INDEX] = { "index.html", "text/html; charset=utf-8", NULL, 0 },
	[FILE_JS] = { "lden.js", "text/javascript; charset=utf-8", NULL, 0 },
	[FILE_CSS] = { "lden.css", "text/css; charset=utf-8", NULL, 0 },
	[FILE_ICON] = { "lden.svg", "image/svg+xml", NULL, 0 },
	[FILE_FLAME] = { "flame.js", "text/javascript; charset=utf-8", NULL, 0 },
};

static double wall_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The installed files, or the source tree's when lden is not installed. */
static const char *default_dir(void)
{
	struct stat st;

	if (stat(LDEN_DASHBOARD_DIR "/index.html", &st) == 0)
		return LDEN_DASHBOARD_DIR;
	return LDEN_SOURCE_DASHBOARD;
}

/* Reads @dir/@f->name into @f->body; 0, or -1 with @err set. */
static int load_file(const char *dir, struct dash_file *f, char *err,
		     size_t errlen)
{
	char path[4096], why[4300];

	snprintf(path, sizeof(path), "%s/%s", dir, f->name);
	if (lden_read_file(path, MAX_FILE, &f->body, &f->len, why,
			   sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "cannot read dashboard file %s", why);
	return -1;
}

/* A copy of @f's body for the server to free. */
static int reply_file(const struct dash_file *f, struct lden_http_reply *rep)
{
	rep->body = malloc(f->len ? f->len : 1);
	if (!rep->body)
		return -1;
	memcpy(rep->body, f->body, f->len);
	rep->len = f->len;
	rep->content_type = f->type;
	return 0;
}

static int reply_text(int status, const char *text,
		      struct lden_http_reply *rep)
{
	rep->body = strdup(text);
	if (!rep->body)
		return -1;
	rep->len = strlen(text);
	rep->status = status;
	rep->content_type = "text/plain; charset=utf-8";
	return 0;
}

/* Takes @o: its text becomes the reply. */
static int reply_json(json_object *o, struct lden_http_reply *rep)
{
	const char *s;
	size_t len;

	if (!o)
		return -1;
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	rep->body = s ? malloc(len + 1) : NULL;
	if (rep->body) {
		memcpy(rep->body, s, len + 1);
		rep->len = len;
		rep->content_type = "application/json";
	}
	json_object_put(o);
	return rep->body ? 0 : -1;
}

/* A number with at most @decimals decimals, as written (0.1, not
 * 0.10000000000000001). */
static json_object *json_num(double v, int decimals)
{
	char buf[64];
	char *end;

	if (!isfinite(v))
		v = 0;
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	end = buf + strlen(buf);
	if (strchr(buf, '.')) {
		while (end[-1] == '0')
			*--end = '\0';
		if (end[-1] == '.')
			*--end = '\0';
	}
	return json_object_new_double_s(v, buf);
}

/*
 * The largest whole number a JavaScript number (a double) holds exactly,
 * Number.MAX_SAFE_INTEGER; JSON.parse() rounds a larger one
 */
#define JS_SAFE_MAX 9007199254740991ULL

/*
 * @v as @key, exact in the JSON text; past JS_SAFE_MAX also as the
 * string "@key_string", which a page parsing it (JSON.parse) keeps exact
 */
static void add_u64(json_object *j, const char *key, uint64_t v)
{
	char name[64], text[24];

	json_object_object_add(j, key, json_object_new_uint64(v));
	if (v <= JS_SAFE_MAX)
		return;
	snprintf(name, sizeof(name), "%s_string", key);
	snprintf(text, sizeof(text), "%" PRIu64, v);
	json_object_object_add(j, name, json_object_new_string(text));
}

static int page_index(void *ctx, const struct lden_http_request *req,
		      struct lden_http_reply *rep)
{
	struct dash *d = ctx;
	const char *path = lden_http_path(req);

	/* "/" is a prefix route: it also gets every path nothing else took */
	if (strcmp(path, "/") && strcmp(path, "/index.html"))
		return reply_text(404, "not found\n", rep);
	count_request(d);
	return reply_file(&d->files[FILE_INDEX], rep);
}

static int page_static(void *ctx, const struct lden_http_request *req,
		       struct lden_http_reply *rep)
{
	struct dash *d = ctx;
	const char *name = lden_http_path(req) + strlen("/static/");

	/* compared whole: "../x", "lden.js/" or "%2e%2e" match nothing */
	for (int i = FILE_JS; i < NFILES; i++)
		if (!strcmp(name, d->files[i].name)) {
			count_request(d);
			return reply_file(&d->files[i], rep);
		}
	return reply_text(404, "not found\n", rep);
}

static int stats_event(void *ctx, const struct lden_history_point *p)
{
	json_object *j = json_object_new_object();

	if (!j)
		return -ENOMEM;
	json_object_object_add(j, "event", json_object_new_string(p->event));
	json_object_object_add(j, "source", json_object_new_string(p->source));
	json_object_object_add(j, "mode", json_object_new_string(
		p->sampling ? "sampling" : "counting"));
	json_object_object_add(j, "has_size",
			       json_object_new_boolean(p->has_size));
	json_object_object_add(j, "size_valid",
			       json_object_new_boolean(!p->size_stopped));
	add_u64(j, "count_total", p->count_total);
	add_u64(j, "size_total", p->size_total);
	/* past 2^64 - 1 (number.h): the number is a floor */
	json_object_object_add(j, "size_overflow", json_object_new_boolean(
				       p->has_size && lden_u64_over(p->size_total)));
	json_object_object_add(j, "speed", json_num(p->speed, 3));
	json_object_object_add(j, "speed_estimated",
			       json_object_new_boolean(p->speed_estimated));
	if (p->speed_estimated)
		json_object_object_add(j, "speed_span",
				       json_num(p->speed_span, 3));
	add_u64(j, "lost", p->lost);
	/* the ftrace ring's drops, the same on every event in it: the
	 * total ("lost_total") has them once */
	json_object_object_add(j, "lost_shared",
			       json_object_new_boolean(p->lost_shared));
	add_u64(j, "missed", p->missed);
	if (json_object_array_add(ctx, j)) {
		json_object_put(j);
		return -ENOMEM;
	}
	return 0;
}

/* The newest tick; NULL when out of memory. */
static json_object *stats_json(const struct dash *d)
{
	json_object *o = json_object_new_object();
	json_object *events = json_object_new_array();

	if (!o || !events || lden_history__last(d->hist, stats_event, events)) {
		json_object_put(o);
		json_object_put(events);
		return NULL;
	}
	json_object_object_add(o, "host", json_object_new_string(d->host));
	json_object_object_add(o, "start", json_num(d->start, 3));
	json_object_object_add(o, "now",
			       json_num(d->ticked ? d->now : wall_clock(), 3));
	json_object_object_add(o, "interval", json_num(d->interval, 3));
	add_u64(o, "lost_total", d->lost_total);
	add_u64(o, "missed_total", d->missed_total);
	json_object_object_add(o, "events", events);
	return o;
}

/* The cache is for one tick: a new tick empties it. */
static void cache_clear(struct dash *d)
{
	free(d->stats.body);
	d->stats = (struct cached){ 0 };
	for (int i = 0; i < CACHE_SLOTS; i++) {
		free(d->series[i].key);
		free(d->series[i].body);
		d->series[i] = (struct cached){ 0 };
	}
}

/* A copy of a cached body as the reply; -1 when out of memory. */
static int reply_cached(const struct cached *c, struct lden_http_reply *rep)
{
	rep->body = malloc(c->len + 1);
	if (!rep->body)
		return -1;
	memcpy(rep->body, c->body, c->len + 1);
	rep->len = c->len;
	rep->content_type = "application/json";
	return 0;
}

/* Keeps a copy of @rep's body in @c, under @key (taken); quietly not when
 * out of memory. */
static void cache_put(struct cached *c, char *key,
		      const struct lden_http_reply *rep)
{
	char *body = malloc(rep->len + 1);

	if (!body) {
		free(key);
		return;
	}
	memcpy(body, rep->body, rep->len + 1);
	free(c->key);
	free(c->body);
	c->key = key;
	c->body = body;
	c->len = rep->len;
}

static int api_stats(void *ctx, const struct lden_http_request *req,
		     struct lden_http_reply *rep)
{
	struct dash *d = ctx;
	json_object *o;
	int rc;

	(void)req;
	pthread_mutex_lock(&d->lock);
	d->served++;
	if (d->ticked && d->stats.body) {
		rc = reply_cached(&d->stats, rep);
		pthread_mutex_unlock(&d->lock);
		return rc;
	}
	o = stats_json(d);
	rc = reply_json(o, rep);
	/* before the first tick "now" moves: nothing to keep */
	if (!rc && d->ticked)
		cache_put(&d->stats, NULL, rep);
	pthread_mutex_unlock(&d->lock);
	return rc;
}

/* A series reply, written as it is walked: text, not a tree of json-c
 * objects, which would cost ten times the time and the memory. */
struct series_walk {
	const char *events;	/* the events=a,b filter, or NULL: all */
	char *buf;
	size_t len, cap;
	bool first;
};

static int series_want(void *ctx, const char *event)
{
	const struct series_walk *w = ctx;
	size_t len = strlen(event);

	for (const char *p = w->events; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (n == len && !strncmp(p, event, len))
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static int series_append(struct series_walk *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		char *more;

		while (cap < w->len + n + 1)
			cap *= 2;
		more = realloc(w->buf, cap);
		if (!more)
			return -ENOMEM;
		w->buf = more;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
	return 0;
}

/* @v with at most @decimals decimals, as written ("0.1", "12") */
static int append_num(struct series_walk *w, double v, int decimals)
{
	char buf[64];
	int n;

	if (!isfinite(v))
		v = 0;
	n = snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	if (strchr(buf, '.')) {
		while (buf[n - 1] == '0')
			buf[--n] = '\0';
		if (buf[n - 1] == '.')
			buf[--n] = '\0';
	}
	return series_append(w, buf, (size_t)n);
}

/* @s as a JSON string (labels may hold quotes: "x[comm == \"a\"]") */
static int append_string(struct series_walk *w, const char *s)
{
	int rc = series_append(w, "\"", 1);

	for (; *s && !rc; s++) {
		char esc[8];

		if (*s == '"' || *s == '\\') {
			esc[0] = '\\';
			esc[1] = *s;
			rc = series_append(w, esc, 2);
		} else if ((unsigned char)*s < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned char)*s);
			rc = series_append(w, esc, 6);
		} else {
			rc = series_append(w, s, 1);
		}
	}
	return rc ? rc : series_append(w, "\"", 1);
}

/* ,"@key_string":"@v" past JS_SAFE_MAX (add_u64()), else nothing */
static int append_big(struct series_walk *w, const char *key, uint64_t v)
{
	char buf[96];
	int n;

	if (v <= JS_SAFE_MAX)
		return 0;
	n = snprintf(buf, sizeof(buf), ",\"%s_string\":\"%" PRIu64 "\"", key, v);
	return series_append(w, buf, (size_t)n);
}

static int series_point(void *ctx, const struct lden_history_point *p)
{
	struct series_walk *w = ctx;
	char nums[160];
	int rc, n;

	rc = series_append(w, w->first ? "{\"t\":" : ",{\"t\":",
			   w->first ? 5 : 6);
	w->first = false;
	if (!rc)
		rc = append_num(w, p->t, 3);
	if (!rc)
		rc = series_append(w, ",\"event\":", 9);
	if (!rc)
		rc = append_string(w, p->event);
	n = snprintf(nums, sizeof(nums), ",\"count\":%" PRIu64, p->count);
	if (!rc)
		rc = series_append(w, nums, (size_t)n);
	if (!rc)
		rc = append_big(w, "count", p->count);
	n = snprintf(nums, sizeof(nums), ",\"size\":%" PRIu64, p->size);
	if (!rc)
		rc = series_append(w, nums, (size_t)n);
	if (!rc)
		rc = append_big(w, "size", p->size);
	if (!rc)
		rc = series_append(w, ",\"speed\":", 9);
	if (!rc)
		rc = append_num(w, p->speed, 3);
	if (!rc && p->speed_estimated)
		rc = series_append(w, ",\"speed_estimated\":true,\"speed_span\":",
				   37);
	if (!rc && p->speed_estimated)
		rc = append_num(w, p->speed_span, 3);
	n = snprintf(nums, sizeof(nums), ",\"count_total\":%" PRIu64,
		     p->count_total);
	if (!rc)
		rc = series_append(w, nums, (size_t)n);
	if (!rc)
		rc = append_big(w, "count_total", p->count_total);
	n = snprintf(nums, sizeof(nums), ",\"size_total\":%" PRIu64,
		     p->size_total);
	if (!rc)
		rc = series_append(w, nums, (size_t)n);
	if (!rc)
		rc = append_big(w, "size_total", p->size_total);
	n = snprintf(nums, sizeof(nums), "%s}",
		     lden_u64_over(p->size_total) ? ",\"size_overflow\":true" : "");
	return rc ? rc : series_append(w, nums, (size_t)n);
}

/*
 * ?NAME=SECONDS: 0 when absent, -1 when not decimal seconds >= 0 (strtod
 * took "0x10" as 16, "1e3", " 5" and "+5": number.h).
 */
static int seconds_arg(const struct lden_http_request *req, const char *name,
		       double *out)
{
	const char *arg = lden_http_arg(req, name);

	*out = 0;
	if (!arg)
		return 0;
	return lden_parse_decimal(arg, 0, 1e12, out) < 0 ? -1 : 0;
}

/* The names of ?events=a,b: how many, or -1 when too many. */
static int count_names(const char *events)
{
	int n = 1;

	for (const char *c = events; *c; c++)
		if (*c == ',' && ++n > MAX_NAMES)
			return -1;
	return n;
}

/*
 * A step that keeps the reply within MAX_POINTS points: the one asked,
 * or a coarser one.  @nev: the events it holds.
 */
static double bounded_step(const struct dash *d, double since, double step,
			   unsigned int nev)
{
	double span = d->now - since, per_point = step > d->interval ? step :
					      d->interval;

	if (span <= 0 || !nev || span / per_point * nev <= MAX_POINTS)
		return step;
	return ceil(span * nev / MAX_POINTS / d->interval) * d->interval;
}

static int api_series(void *ctx, const struct lden_http_request *req,
		      struct lden_http_reply *rep)
{
	struct dash *d = ctx;
	struct series_walk w = { lden_http_arg(req, "events"), NULL, 0, 0, true };
	double since, step, now;
	unsigned int nev;
	char *key = NULL;
	int rc;

	if (seconds_arg(req, "since", &since) < 0)
		return reply_text(400, "bad 'since': want seconds since the epoch, in decimal (DIGITS[.DIGITS])\n",
				  rep);
	if (seconds_arg(req, "step", &step) < 0)
		return reply_text(400, "bad 'step': want seconds, in decimal (DIGITS[.DIGITS])\n",
				  rep);
	if (w.events && count_names(w.events) < 0)
		return reply_text(400, "too many names in 'events' (at most 256)\n",
				  rep);
	pthread_mutex_lock(&d->lock);
	d->served++;
	now = d->ticked ? d->now : wall_clock();
	/* no older than the window, even if the ring holds more */
	if (d->ticked && since < d->now - LDEN_DASHBOARD_WINDOW)
		since = d->now - LDEN_DASHBOARD_WINDOW;
	nev = lden_history__nevents(d->hist);
	if (w.events && (unsigned int)count_names(w.events) < nev)
		nev = (unsigned int)count_names(w.events);
	if (d->ticked)
		step = bounded_step(d, since, step, nev);
	/* the same question within a tick: the same answer, kept */
	if (d->ticked &&
	    asprintf(&key, "%.3f %.3f %s", since, step, w.events ? w.events : "") < 0)
		key = NULL;
	for (int i = 0; key && i < CACHE_SLOTS; i++)
		if (d->series[i].key && !strcmp(d->series[i].key, key)) {
			rc = reply_cached(&d->series[i], rep);
			pthread_mutex_unlock(&d->lock);
			free(key);
			return rc;
		}
	rc = series_append(&w, "{\"now\":", 7);
	if (!rc)
		rc = append_num(&w, now, 3);
	if (!rc)
		rc = series_append(&w, ",\"step\":", 8);
	if (!rc)
		rc = append_num(&w, step, 3);
	if (!rc)
		rc = series_append(&w, ",\"points\":[", 11);
	if (!rc)
		rc = lden_history__walk(d->hist, since, step,
				       w.events ? series_want : NULL,
				       series_point, &w);
	if (!rc)
		rc = series_append(&w, "]}", 2);
	if (rc) {
		pthread_mutex_unlock(&d->lock);
		free(w.buf);
		free(key);
		return -1;
	}
	rep->body = w.buf;
	rep->len = w.len;
	rep->content_type = "application/json";
	if (key) {
		cache_put(&d->series[d->next_slot], key, rep);
		d->next_slot = (d->next_slot + 1) % CACHE_SLOTS;
	}
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static int api_flamegraphs(void *ctx, const struct lden_http_request *req,
			   struct lden_http_reply *rep)
{
	(void)req;
	count_request(ctx);
	if (lden_dash_flame__list(&rep->body, &rep->len) < 0)
		return -1;
	rep->content_type = "application/json";
	return 0;
}

static int page_flamegraph(void *ctx, const struct lden_http_request *req,
			   struct lden_http_reply *rep)
{
	int rc;

	count_request(ctx);
	rc = lden_dash_flame__svg(lden_http_arg(req, "pid"), &rep->body,
				 &rep->len);
	if (rc < 0)
		return -1;
	if (rc)
		rep->status = rc;
	rep->content_type = rc ? "text/plain; charset=utf-8" : "image/svg+xml";
	return 0;
}

/*
 * lden visualize has no rules: 204, and the page stops asking (lden
 * watch serves its own /api/rules, routed before this one).
 */
static int api_no_rules(void *ctx, const struct lden_http_request *req,
			struct lden_http_reply *rep)
{
	count_request(ctx);
	rep->status = 204;
	return 0;
}

static void dash_close(void *state)
{
	struct dash *d = state;

	if (!d)
		return;
	pthread_mutex_destroy(&d->lock);
	cache_clear(d);
	lden_history__free(d->hist);
	for (int i = 0; i < NFILES; i++)
		free(d->files[i].body);
	free(d);
}

static void *dash_open(const struct lden_viz_conf *c, char *err,
		       size_t errlen)
{
	const char *dir = c->dashboard_dir ? c->dashboard_dir : default_dir();
	struct dash *d;

	if (!c->httpd) {
		snprintf(err, errlen, "the dashboard needs the HTTP server");
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&d->lock, NULL);
	memcpy(d->files, file_table, sizeof(file_table));
	snprintf(d->host, sizeof(d->host), "%s", c->host ? c->host : "");
	d->interval = c->interval > 0 ? c->interval : 1;
	d->start = wall_clock();
	for (int i = 0; i < NFILES; i++)
		if (load_file(dir, &d->files[i], err, errlen) < 0)
			goto out_close;
	d->hist = lden_history__new(LDEN_DASHBOARD_WINDOW, d->interval);
	if (!d->hist) {
		snprintf(err, errlen, "out of memory");
		goto out_close;
	}
	if (lden_httpd__route(c->httpd, "/", page_index, d) < 0 ||
	    lden_httpd__route(c->httpd, "/static/", page_static, d) < 0 ||
	    lden_httpd__route(c->httpd, "/api/stats", api_stats, d) < 0 ||
	    lden_httpd__route(c->httpd, "/api/series", api_series, d) < 0 ||
	    lden_httpd__route(c->httpd, "/api/flamegraphs", api_flamegraphs, d) < 0 ||
	    lden_httpd__route(c->httpd, "/flamegraph.svg", page_flamegraph, d) < 0 ||
	    lden_httpd__route(c->httpd, "/api/rules", api_no_rules, d) < 0) {
		snprintf(err, errlen, "cannot add the dashboard's routes: %s",
			 strerror(errno));
		goto out_close;
	}
	return d;

out_close:
	dash_close(d);
	return NULL;
}

static void dash_tick(void *state, const struct lden_tick *t)
{
	struct dash *d = state;

	pthread_mutex_lock(&d->lock);
	cache_clear(d);
	/* out of memory: this tick is missing from the page, no more */
	if (lden_history__add(d->hist, t) == 0) {
		/* once: the page takes a new start for a new lden */
		if (!d->ticked)
			d->start = t->time - t->elapsed;
		d->now = round(t->time * 1000) / 1000;
		d->lost_total = t->lost_total;
		d->missed_total = t->missed_total;
		d->ticked = true;
		if (t->host && *t->host)
			snprintf(d->host, sizeof(d->host), "%s", t->host);
	}
	pthread_mutex_unlock(&d->lock);
}

static void dash_stats(void *state, struct lden_sink_stats *st)
{
	struct dash *d = state;

	pthread_mutex_lock(&d->lock);
	st->sent = d->served;
	pthread_mutex_unlock(&d->lock);
}

const struct lden_sink_ops lden_sink_dashboard = {
	.name = "dashboard",
	.open = dash_open,
	.tick = dash_tick,
	.stats = dash_stats,
	.close = dash_close,
};
