// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An HTTP POST of JSON for lden watch's alertmanager and webhook actions,
 * bounded in time (see actions.h).  One easy handle a request: actions
 * are rare, and a handle of its own keeps each channel's worker apart.
 */
#include <pthread.h>
#include <stdio.h>

#include <curl/curl.h>

#include "actions.h"
#include "http-dl.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLcode init_rc;

static void init(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* lden stops and its time to deliver is over: abort. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	return arg && atomic_load((const atomic_bool *)arg);
}

/* The answer's body is not wanted, only its status. */
static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	return size * n;
}

int lden_deliver_http(const char *url, const char *body, size_t len,
		      double timeout, const atomic_bool *give_up, char *err,
		      size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL, *h;
	long status = 0, ms = (long)(timeout * 1000);
	CURLcode rc;
	CURL *c;

	/* libcurl is loaded by the first delivery (http-dl.h) */
	if (lden_http_dl__curl(err, errlen) < 0)
		return -1;
	pthread_once(&once, init);
	if (init_rc != CURLE_OK) {
		snprintf(err, errlen, "cannot initialise libcurl: %s",
			 curl_easy_strerror(init_rc));
		return -1;
	}
	c = curl_easy_init();
	h = curl_slist_append(NULL, "Content-Type: application/json");
	if (h)
		hdrs = curl_slist_append(h, "Expect:");
	if (!c || !hdrs) {
		curl_slist_free_all(hdrs ? hdrs : h);
		curl_easy_cleanup(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	/* threads: no SIGALRM for name lookups */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)give_up);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", url,
			 cerr[0] ? cerr : curl_easy_strerror(rc));
		return -1;
	}
	if (status < 200 || status > 299) {
		snprintf(err, errlen, "%s: HTTP %ld", url, status);
		return -1;
	}
	return 0;
}
