// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Elasticsearch sink: a data stream "<index>" behind an index template
 * for "<index>*", fed with _bulk requests by a worker thread.  tick() only
 * copies the points into a bounded queue (es-queue.c) and wakes the
 * worker; the worker does every request, retries what failed for a
 * passing reason (connection, timeout, 429, 5xx, per-item 429/5xx) with
 * exponential backoff and jitter, and drops, counting, what the server
 * rejects for good.  Each document has an id derived from the point and is
 * sent with "create", so a request repeated after a timeout cannot store it
 * twice (the server answers 409 for the copy, which counts as delivered).
 * Documents whose last request got no answer when the time to flush ran
 * out are neither delivered nor dropped: the server may have stored them,
 * and the stats say so ("unknown").
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "es-queue.h"
#include "es-wire.h"
#include "http-dl.h"
#include "selfcpu.h"
#include "sink.h"
#include "viz-opts.h"

#define QUEUE_MAX_DEFAULT 100000
#define BATCH_MAX 500			/* documents per _bulk request */
#define BODY_MAX (4u << 20)		/* bytes per _bulk request */
#define RESP_MAX (16u << 20)		/* bytes of a response we read */
#define CONNECT_TIMEOUT_MS 2000
#define OPEN_TIMEOUT_MS 3000		/* the checks at start */
#define REQUEST_TIMEOUT_MS 10000
#define BACKOFF_MIN 0.25		/* seconds, doubling to: */
#define BACKOFF_MAX 30.0
#define CLOSE_TIMEOUT 3.0

struct es {
	char *base;		/* the URL, no trailing slash */
	char *index;
	CURL *curl;
	struct curl_slist *hdr_json;
	struct curl_slist *hdr_ndjson;
	char curl_err[CURL_ERROR_SIZE];
	long timeout_ms;
	struct lden_es_buf body;
	struct lden_es_buf resp;

	pthread_mutex_t lock;
	pthread_cond_t cond;	/* on CLOCK_MONOTONIC */
	pthread_t thread;
	bool thread_running;
	struct lden_es_queue *q;
	bool stopping;		/* flush asked: no more ticks */
	struct timespec deadline;
	/* the same, for the request in flight to see without the lock */
	_Atomic bool give_up;
	struct timespec give_up_at;	/* written before give_up is set */
	uint64_t sent, dropped, retries, unknown;
	/* sent with a count or size capped at 2^63 - 1 (a "long" template) */
	uint64_t capped;
	/* the template maps counts and sizes "unsigned_long": all exact */
	bool u64;
	bool failing;		/* the last request failed: retrying */
	char last_error[256];
	bool error_is_drop;	/* last_error explains a drop: keep it */

	/* the worker's alone */
	struct lden_es_doc *batch;	/* oldest first, BATCH_MAX */
	size_t nbatch;
	/*
	 * the first ndoubt documents of the batch went out in a request that
	 * got no answer (a timeout, a connection cut): stored or not, only a
	 * later answer for them tells
	 */
	size_t ndoubt;
	bool maybe_sent;	/* the last request's body may have arrived */
	enum lden_es_verdict *verdict;
	double backoff;
	unsigned int seed;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init(void)
{
	curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void now_plus(struct timespec *ts, double sec)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)sec;
	ts->tv_nsec += (long)((sec - (double)(time_t)sec) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* milliseconds from now to @ts, 0 when past */
static long ms_until(const struct timespec *ts)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(ts->tv_sec - now.tv_sec) * 1000 +
	     (ts->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

/* A request begun before flush() ends at its deadline, not its timeout. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct es *es = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return atomic_load(&es->give_up) && !ms_until(&es->give_up_at);
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct lden_es_buf *b = arg;

	if (b->len + size * n > RESP_MAX || lden_es_buf__add(b, p, size * n))
		return 0;
	return size * n;
}

/* Why the request failed, on one line, in @buf. */
static void transfer_error(struct es *es, CURLcode rc, char *buf, size_t len)
{
	long os_errno = 0;

	curl_easy_getinfo(es->curl, CURLINFO_OS_ERRNO, &os_errno);
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		snprintf(buf, len, "no answer before the time to flush ran out");
	else if (rc == CURLE_COULDNT_CONNECT && os_errno)
		snprintf(buf, len, "%s", strerror((int)os_errno));
	else if (es->curl_err[0])
		snprintf(buf, len, "%s", es->curl_err);
	else
		snprintf(buf, len, "%s", curl_easy_strerror(rc));
}

/*
 * request - @method @path with @body (or none); the answer in es->resp
 * Returns the HTTP status, or 0 with the reason in @err.
 */
static long request(struct es *es, const char *method, const char *path,
		    struct curl_slist *hdrs, const struct lden_es_buf *body,
		    long timeout_ms, char *err, size_t errlen)
{
	char url[1024];
	long status = 0;
	CURLcode rc;

	snprintf(url, sizeof(url), "%s%s", es->base, path);
	es->resp.len = 0;
	es->curl_err[0] = '\0';
	curl_easy_setopt(es->curl, CURLOPT_URL, url);
	curl_easy_setopt(es->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(es->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(es->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(es->curl, CURLOPT_CONNECTTIMEOUT_MS,
			 timeout_ms < CONNECT_TIMEOUT_MS ? timeout_ms :
			 CONNECT_TIMEOUT_MS);
	if (body) {
		curl_easy_setopt(es->curl, CURLOPT_POSTFIELDS, body->p);
		curl_easy_setopt(es->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)body->len);
	} else {
		curl_easy_setopt(es->curl, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(es->curl, CURLOPT_CUSTOMREQUEST, method);
	}
	rc = curl_easy_perform(es->curl);
	es->maybe_sent = rc != CURLE_OK && rc != CURLE_COULDNT_CONNECT &&
			 rc != CURLE_COULDNT_RESOLVE_HOST &&
			 rc != CURLE_COULDNT_RESOLVE_PROXY;
	if (rc != CURLE_OK) {
		transfer_error(es, rc, err, errlen);
		return 0;
	}
	curl_easy_getinfo(es->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status >= 300) {
		char reason[200];

		lden_es_wire__error_reason(es->resp.p, es->resp.len, reason,
					   sizeof(reason));
		snprintf(err, errlen, "HTTP %ld: %s", status, reason);
	}
	return status;
}

/* ---------------------------------------------------------------------
 * The worker
 */

/* Sets last_error, unless it explains a drop and this does not. */
static void note_error(struct es *es, bool drop, const char *prefix,
		       const char *what)
{
	if (es->error_is_drop && !drop)
		return;
	snprintf(es->last_error, sizeof(es->last_error), "%s%s", prefix, what);
	es->error_is_drop = drop;
}

/*
 * One _bulk request for the oldest documents of the batch; the verdicts in
 * es->verdict.  Returns how many documents it concerned, 0 when the whole
 * request must be repeated (reason in @err).
 */
static size_t send_batch(struct es *es, long timeout_ms, char *err,
			 size_t errlen, char *reason, size_t reasonlen)
{
	long n, status;

	es->body.len = 0;
	n = lden_es_wire__bulk(&es->body, es->index, es->batch, es->nbatch,
			       BODY_MAX, es->u64);
	if (n <= 0) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	status = request(es, "POST", "/_bulk", es->hdr_ndjson, &es->body,
			 timeout_ms, err, errlen);
	if (status == 200) {
		if (lden_es_wire__bulk_response(es->resp.p, es->resp.len,
						(size_t)n, es->verdict, reason,
						reasonlen)) {
			snprintf(err, errlen, "unreadable _bulk response");
			return 0;
		}
		return (size_t)n;
	}
	if (status == 0) {
		char why[200];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "cannot reach Elasticsearch: %s", why);
		if (es->maybe_sent && (size_t)n > es->ndoubt)
			es->ndoubt = (size_t)n;
	}
	if (status == 0 || status == 429 || status >= 500)
		return 0;
	/* rejected as a whole for good (400, 401, 413...) */
	for (long i = 0; i < n; i++)
		es->verdict[i] = LDEN_ES_DROP;
	snprintf(reason, reasonlen, "%s", err);
	return (size_t)n;
}

/* Applies the verdicts on the first @n documents; true if some wait. */
static bool settle(struct es *es, size_t n, const char *reason)
{
	size_t keep = 0, drops = 0;

	for (size_t i = 0; i < n; i++) {
		switch (es->verdict[i]) {
		case LDEN_ES_OK:
			es->sent++;
			es->capped += !es->u64 &&
				      lden_es_wire__capped(&es->batch[i]);
			break;
		case LDEN_ES_DROP:
			es->dropped++;
			drops++;
			break;
		case LDEN_ES_RETRY:
			es->batch[keep++] = es->batch[i];
			break;
		}
	}
	if (drops)
		note_error(es, true, "rejected by Elasticsearch: ", reason);
	memmove(es->batch + keep, es->batch + n,
		(es->nbatch - n) * sizeof(*es->batch));
	es->nbatch -= n - keep;
	/* an answer for them: none of the @n is in doubt any more */
	es->ndoubt = es->ndoubt > n ? es->ndoubt - n : 0;
	return keep > 0;
}

/* Waits out the backoff, or less when flush() is asked meanwhile. */
static void back_off(struct es *es)
{
	bool was_stopping = es->stopping;
	double jitter = 0.8 + 0.4 * (rand_r(&es->seed) / (double)RAND_MAX);
	struct timespec until;

	now_plus(&until, es->backoff * jitter);
	if (es->stopping && ms_until(&es->deadline) < ms_until(&until))
		until = es->deadline;
	while (!(es->stopping && !was_stopping) && ms_until(&until) > 0)
		pthread_cond_timedwait(&es->cond, &es->lock, &until);
	es->backoff *= 2;
	if (es->backoff > BACKOFF_MAX)
		es->backoff = BACKOFF_MAX;
}

static void *worker(void *arg)
{
	struct es *es = arg;
	char err[256], reason[256];

	/* sending is no tracing: the overhead guard leaves this thread out */
	lden_selfcpu__exclude_thread();
	pthread_mutex_lock(&es->lock);
	for (;;) {
		long timeout_ms = es->timeout_ms;
		size_t n;

		es->nbatch += lden_es_queue__pop(es->q, es->batch + es->nbatch,
						 BATCH_MAX - es->nbatch);
		if (!es->nbatch) {
			if (es->stopping)
				break;
			pthread_cond_wait(&es->cond, &es->lock);
			continue;
		}
		if (es->stopping) {
			long left = ms_until(&es->deadline);

			if (!left) {
				/*
				 * flush time is up: what is left is lost,
				 * but for what may have arrived unanswered
				 */
				size_t doubt = es->ndoubt < es->nbatch ?
					       es->ndoubt : es->nbatch;

				es->unknown += doubt;
				es->dropped += es->nbatch - doubt +
					       lden_es_queue__len(es->q);
				es->ndoubt = 0;
				while (lden_es_queue__pop(es->q, es->batch,
							  BATCH_MAX))
					;
				es->nbatch = 0;
				break;
			}
			if (left < timeout_ms)
				timeout_ms = left;
		}
		pthread_mutex_unlock(&es->lock);
		err[0] = reason[0] = '\0';
		n = send_batch(es, timeout_ms, err, sizeof(err), reason,
			       sizeof(reason));
		pthread_mutex_lock(&es->lock);
		es->failing = !n;
		if (n && !settle(es, n, reason)) {
			es->backoff = BACKOFF_MIN;
			continue;
		}
		if (!n)
			note_error(es, false, "", err);
		es->retries++;
		back_off(es);
	}
	pthread_mutex_unlock(&es->lock);
	return NULL;
}

/* ---------------------------------------------------------------------
 * The ops
 */

static void es_flush(void *state, double timeout)
{
	struct es *es = state;

	if (!es->thread_running)
		return;
	pthread_mutex_lock(&es->lock);
	es->stopping = true;
	now_plus(&es->deadline, timeout);
	es->give_up_at = es->deadline;
	atomic_store(&es->give_up, true);
	pthread_cond_broadcast(&es->cond);
	pthread_mutex_unlock(&es->lock);
	pthread_join(es->thread, NULL);
	es->thread_running = false;
}

static void es_close(void *state)
{
	struct es *es = state;

	if (!es)
		return;
	es_flush(es, CLOSE_TIMEOUT);
	if (es->curl)
		curl_easy_cleanup(es->curl);
	curl_slist_free_all(es->hdr_json);
	curl_slist_free_all(es->hdr_ndjson);
	pthread_cond_destroy(&es->cond);
	pthread_mutex_destroy(&es->lock);
	lden_es_queue__free(es->q);
	free(es->batch);
	free(es->verdict);
	free(es->body.p);
	free(es->resp.p);
	free(es->base);
	free(es->index);
	free(es);
}

static void es_tick(void *state, const struct lden_tick *t)
{
	struct es *es = state;

	pthread_mutex_lock(&es->lock);
	if (es->stopping)
		es->dropped += (uint64_t)t->npoints;
	else
		es->dropped += lden_es_queue__push_tick(es->q, t);
	pthread_cond_signal(&es->cond);
	pthread_mutex_unlock(&es->lock);
}

static void es_stats(void *state, struct lden_sink_stats *st)
{
	struct es *es = state;

	pthread_mutex_lock(&es->lock);
	st->sent = es->sent;
	st->dropped = es->dropped;
	st->unknown = es->unknown;
	st->capped = es->capped;
	st->retries = es->retries;
	st->queued = es->nbatch + lden_es_queue__len(es->q);
	st->failing = es->failing;
	snprintf(st->last_error, sizeof(st->last_error), "%s", es->last_error);
	pthread_mutex_unlock(&es->lock);
}

/* A positive number from the environment variable @name, or @def. */
static int env_size(const char *name, size_t def, size_t *out, char *err,
		    size_t errlen)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	*out = def;
	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n == 0 || !isdigit((unsigned char)*v)) {
		snprintf(err, errlen, "bad %s '%s' (a positive number)", name,
			 v);
		return -EINVAL;
	}
	*out = (size_t)n;
	return 0;
}

/* The URL checked, credentials and CA set; 0 or -EINVAL with @err. */
static int setup_curl(struct es *es, const struct lden_viz_conf *c,
		      char *err, size_t errlen)
{
	const char *key = getenv("LDEN_ES_API_KEY");
	const char *user = getenv("LDEN_ES_USER");
	const char *pass = getenv("LDEN_ES_PASSWORD");
	CURLU *u = curl_url();
	char *scheme = NULL, *uinfo = NULL;
	bool ok;

	ok = u && !curl_url_set(u, CURLUPART_URL, es->base, 0) &&
	     !curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
	     (!strcmp(scheme, "http") || !strcmp(scheme, "https"));
	if (ok && !curl_url_get(u, CURLUPART_USER, &uinfo, 0)) {
		snprintf(err, errlen, "no credentials in the Elasticsearch URL,"
			 " please (use LDEN_ES_API_KEY, or LDEN_ES_USER and "
			 "LDEN_ES_PASSWORD)");
		ok = false;
	} else if (!ok) {
		snprintf(err, errlen, "bad Elasticsearch URL '%s' (http:// or "
			 "https://HOST[:PORT][/PATH])", c->es_url);
	}
	curl_free(scheme);
	curl_free(uinfo);
	curl_url_cleanup(u);
	if (!ok)
		return -EINVAL;

	es->hdr_json = curl_slist_append(NULL,
					 "Content-Type: application/json");
	es->hdr_ndjson = curl_slist_append(NULL,
					   "Content-Type: application/x-ndjson");
	/* no "Expect: 100-continue" round trip before big bodies */
	es->hdr_json = curl_slist_append(es->hdr_json, "Expect:");
	es->hdr_ndjson = curl_slist_append(es->hdr_ndjson, "Expect:");
	if (key && *key) {
		char *h = malloc(strlen(key) + 32);

		if (h) {
			sprintf(h, "Authorization: ApiKey %s", key);
			es->hdr_json = curl_slist_append(es->hdr_json, h);
			es->hdr_ndjson = curl_slist_append(es->hdr_ndjson, h);
			free(h);
		}
	} else if (user && *user) {
		if (!pass) {
			snprintf(err, errlen, "LDEN_ES_USER is set but "
				 "LDEN_ES_PASSWORD is not");
			return -EINVAL;
		}
		curl_easy_setopt(es->curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(es->curl, CURLOPT_USERNAME, user);
		curl_easy_setopt(es->curl, CURLOPT_PASSWORD, pass);
	}
	if (!es->hdr_json || !es->hdr_ndjson) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (c->es_ca_file)
		curl_easy_setopt(es->curl, CURLOPT_CAINFO, c->es_ca_file);
	curl_easy_setopt(es->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(es->curl, CURLOPT_ERRORBUFFER, es->curl_err);
	curl_easy_setopt(es->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(es->curl, CURLOPT_WRITEDATA, &es->resp);
	curl_easy_setopt(es->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(es->curl, CURLOPT_XFERINFODATA, es);
	curl_easy_setopt(es->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(es->curl, CURLOPT_USERAGENT, "lden/" PACKAGE_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(es->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(es->curl, CURLOPT_PROTOCOLS,
			 (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	return 0;
}

/*
 * PUT the template, "unsigned_long" where the server has it: es->u64 says
 * which went in.  A server that refuses "unsigned_long" (its version told
 * otherwise) gets "long".  Returns the status of the last PUT.
 */
static long put_template(struct es *es, const char *path, bool u64,
			 char *why, size_t whylen)
{
	struct lden_es_buf tpl = { 0 };
	long status;

	if (lden_es_wire__template(&tpl, es->index, u64)) {
		snprintf(why, whylen, "out of memory");
		return 0;
	}
	status = request(es, "PUT", path, es->hdr_json, &tpl, OPEN_TIMEOUT_MS,
			 why, whylen);
	free(tpl.p);
	if (status == 400 && u64)
		return put_template(es, path, false, why, whylen);
	es->u64 = u64;
	return status;
}

/*
 * A data stream keeps the mappings of its write index: after a template
 * with "unsigned_long", roll it over so that the next documents go into
 * an index that has them (404: no data stream yet, it will have them).
 * Where that fails (no privilege), numbers are capped and marked.
 */
static void roll_over(struct es *es)
{
	char path[300], why[256];
	long status;

	snprintf(path, sizeof(path), "/%s/_rollover", es->index);
	status = request(es, "POST", path, es->hdr_json, NULL, OPEN_TIMEOUT_MS,
			 why, sizeof(why));
	if (status != 200 && status != 404)
		es->u64 = false;
}

/* The server answers, and the template is there; 0 or -1 with @err. */
static int check_server(struct es *es, const char *url, char *err,
			size_t errlen)
{
	char why[256], path[300];
	long status;
	bool u64;

	status = request(es, "GET", "/", es->hdr_json, NULL, OPEN_TIMEOUT_MS,
			 why, sizeof(why));
	if (status == 0) {
		snprintf(err, errlen, "cannot reach Elasticsearch at %s: %s",
			 url, why);
		return -1;
	}
	if (status == 401 || status == 403) {
		snprintf(err, errlen, "Elasticsearch at %s refused the "
			 "credentials (%s)", url, why);
		return -1;
	}
	if (status != 200) {
		snprintf(err, errlen, "Elasticsearch at %s answered %s", url,
			 why);
		return -1;
	}
	u64 = lden_es_wire__server_u64(es->resp.p, es->resp.len);
	snprintf(path, sizeof(path), "/_index_template/%s", es->index);
	status = request(es, "GET", path, es->hdr_json, NULL, OPEN_TIMEOUT_MS,
			 why, sizeof(why));
	if (status == 200 &&
	    lden_es_wire__template_current(es->resp.p, es->resp.len, u64,
					   &es->u64))
		return 0;
	status = put_template(es, path, u64, why, sizeof(why));
	if (status != 200) {
		snprintf(err, errlen, "cannot install the index template '%s' "
			 "in Elasticsearch at %s: %s", es->index, url, why);
		return -1;
	}
	if (es->u64)
		roll_over(es);
	return 0;
}

/*
 * Whether a TCP connection to @host:@port is accepted within @ms; if not,
 * *@why is the last address's errno (ETIMEDOUT when it did not answer).
 */
static bool tcp_answers(const char *host, const char *port, int ms, int *why)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	bool ok = false;

	*why = EHOSTUNREACH;
	if (getaddrinfo(host, port, &hints, &res))
		return false;
	for (ai = res; ai && !ok; ai = ai->ai_next) {
		int fd = socket(ai->ai_family,
				ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				ai->ai_protocol);
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int e = 0;
		socklen_t len = sizeof(e);

		if (fd < 0)
			continue;
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			ok = true;
		else if (errno != EINPROGRESS)
			*why = errno;
		else if (poll(&p, 1, ms) != 1)
			*why = ETIMEDOUT;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) || e)
			*why = e ? e : errno;
		else
			ok = true;
		close(fd);
	}
	freeaddrinfo(res);
	return ok;
}

/*
 * The default server, optional (no -a, -p or --url), is looked for with
 * a TCP connection first: where nothing listens, lden does not load
 * libcurl and its TLS libraries for nothing (some 20 ms of a start).  Not
 * where a proxy is set: curl would go through it.
 */
static bool default_absent(const struct lden_viz_conf *c, int *why)
{
	static const char *const proxies[] = {
		"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY",
	};

	if (c->es_required || strcmp(c->es_url, "http://localhost:9200"))
		return false;
	for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
		if (getenv(proxies[i]) && *getenv(proxies[i]))
			return false;
	return !tcp_answers("localhost", "9200", OPEN_TIMEOUT_MS, why);
}

static void *es_open(const struct lden_viz_conf *c, char *err, size_t errlen)
{
	const char *index = c->es_index ? c->es_index : "lden";
	pthread_condattr_t attr;
	size_t queue_max, timeout_ms, len;
	struct es *es;
	int why;

	if (!c->es_url) {
		snprintf(err, errlen, "no Elasticsearch URL");
		return NULL;
	}
	if (!lden_viz__index_ok(index)) {
		snprintf(err, errlen, "bad index name '%s' (lowercase, not "
			 "starting with -, _ or +, none of \\/*?\"<>| ,#:)",
			 index);
		return NULL;
	}
	if (env_size("LDEN_ES_QUEUE_MAX", QUEUE_MAX_DEFAULT, &queue_max, err,
		     errlen) ||
	    env_size("LDEN_ES_TIMEOUT_MS", REQUEST_TIMEOUT_MS, &timeout_ms,
		     err, errlen))
		return NULL;
	if (default_absent(c, &why)) {
		snprintf(err, errlen, "cannot reach Elasticsearch at %s: %s",
			 c->es_url, strerror(why));
		return NULL;
	}
	if (lden_http_dl__curl(err, errlen) < 0)
		return NULL;
	pthread_once(&curl_once, curl_init);
	if (curl_init_result != CURLE_OK) {
		snprintf(err, errlen, "cannot initialise libcurl: %s",
			 curl_easy_strerror(curl_init_result));
		return NULL;
	}
	es = calloc(1, sizeof(*es));
	if (!es) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&es->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&es->cond, &attr);
	pthread_condattr_destroy(&attr);
	es->timeout_ms = (long)timeout_ms;
	es->backoff = BACKOFF_MIN;
	es->seed = (unsigned int)time(NULL) ^ (unsigned int)(uintptr_t)es;
	es->base = strdup(c->es_url);
	es->index = strdup(index);
	es->curl = curl_easy_init();
	es->q = lden_es_queue__new(queue_max);
	es->batch = calloc(BATCH_MAX, sizeof(*es->batch));
	es->verdict = calloc(BATCH_MAX, sizeof(*es->verdict));
	if (!es->base || !es->index || !es->curl || !es->q || !es->batch ||
	    !es->verdict) {
		snprintf(err, errlen, "out of memory");
		goto out_close;
	}
	len = strlen(es->base);
	while (len > 0 && es->base[len - 1] == '/')
		es->base[--len] = '\0';
	if (setup_curl(es, c, err, errlen) ||
	    check_server(es, c->es_url, err, errlen))
		goto out_close;
	if (pthread_create(&es->thread, NULL, worker, es)) {
		snprintf(err, errlen, "cannot start a thread: %s",
			 strerror(errno));
		goto out_close;
	}
	es->thread_running = true;
	return es;
out_close:
	es_close(es);
	return NULL;
}

const struct lden_sink_ops lden_sink_es = {
	.name = "elasticsearch",
	.open = es_open,
	.tick = es_tick,
	.stats = es_stats,
	.flush = es_flush,
	.close = es_close,
};
