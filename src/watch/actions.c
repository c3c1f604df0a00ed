// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The channels of lden watch's actions: a bounded queue and a worker
 * thread per destination (see actions.h).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions.h"

#define MAX_CHANNELS 256

struct channel {
	struct lden_actions *owner;
	enum lden_action_kind kind;
	char *target;
	pthread_t thread;
	bool running;
	/* the queue, a ring of alert references */
	struct lden_alert **q;
	int head, n;
	bool busy;		/* the worker delivers a batch now */
	uint64_t sent, failed, dropped;
	char last_error[256];
};

struct lden_actions {
	struct lden_actions_opts o;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* work, or stop; on CLOCK_MONOTONIC */
	bool stopping;
	struct timespec deadline;	/* stopping: deliver until then */
	atomic_bool give_up;		/* then: deliveries in flight abort */
	struct channel *ch[MAX_CHANNELS];
	int nch;
};

static struct timespec in_seconds(double s)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)s;
	ts.tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static bool past(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec ||
	       (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* Alertmanager's endpoint under the URL given. */
static int am_post(const char *base, struct lden_alert **batch, int n,
		   double timeout, const atomic_bool *give_up, char *err,
		   size_t errlen)
{
	size_t bl = strlen(base), len = 0;
	char *url, *body = NULL;
	FILE *f;
	int rc;

	while (bl && base[bl - 1] == '/')
		bl--;
	if (asprintf(&url, "%.*s/api/v2/alerts", (int)bl, base) < 0)
		goto out_nomem;
	f = open_memstream(&body, &len);
	if (!f) {
		free(url);
		goto out_nomem;
	}
	fputc('[', f);
	for (int i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		lden_alert__print_am(f, batch[i]);
	}
	fputc(']', f);
	if (fclose(f) != 0) {
		free(url);
		free(body);
		goto out_nomem;
	}
	rc = lden_deliver_http(url, body, len, timeout, give_up, err, errlen);
	free(url);
	free(body);
	return rc;

out_nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int webhook_post(const char *url, const struct lden_alert *a,
			double timeout, const atomic_bool *give_up, char *err,
			size_t errlen)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	int rc;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	lden_alert__print_json(f, a);
	if (fclose(f) != 0) {
		free(body);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = lden_deliver_http(url, body, len, timeout, give_up, err, errlen);
	free(body);
	return rc;
}

/* One batch, without the lock. */
static int deliver(struct channel *c, struct lden_alert **batch, int n,
		   char *err, size_t errlen)
{
	double t = c->owner->o.timeout;
	const atomic_bool *g = &c->owner->give_up;
	const char *via;

	switch (c->kind) {
	case LDEN_ACTION_ALERTMANAGER:
		return am_post(c->target, batch, n, t, g, err, errlen);
	case LDEN_ACTION_WEBHOOK:
		return webhook_post(c->target, batch[0], t, g, err, errlen);
	case LDEN_ACTION_EXEC:
		return lden_deliver_exec(c->target, batch[0], t, g, err, errlen);
	case LDEN_ACTION_JOURNAL:
		return lden_deliver_journal(batch[0], &via, err, errlen);
	}
	return -1;
}

static void *worker(void *arg)
{
	struct channel *c = arg;
	struct lden_actions *acts = c->owner;
	struct lden_alert *batch[LDEN_ACTIONS_AM_BATCH];

	pthread_mutex_lock(&acts->lock);
	for (;;) {
		char err[256] = "";
		int n = 0, rc;

		while (!c->n && !acts->stopping)
			pthread_cond_wait(&acts->cond, &acts->lock);
		if (!c->n || atomic_load(&acts->give_up) ||
		    (acts->stopping && past(&acts->deadline)))
			break;
		/* Alertmanager takes many alerts a request; the rest one */
		while (c->n && n < (c->kind == LDEN_ACTION_ALERTMANAGER ?
				    LDEN_ACTIONS_AM_BATCH : 1)) {
			batch[n++] = c->q[c->head];
			c->head = (c->head + 1) % acts->o.queue_max;
			c->n--;
		}
		c->busy = true;
		pthread_mutex_unlock(&acts->lock);
		rc = deliver(c, batch, n, err, sizeof(err));
		for (int i = 0; i < n; i++)
			lden_alert__unref(batch[i]);
		pthread_mutex_lock(&acts->lock);
		c->busy = false;
		if (rc == 0) {
			c->sent += (uint64_t)n;
		} else {
			c->failed += (uint64_t)n;
			snprintf(c->last_error, sizeof(c->last_error), "%s", err);
		}
		pthread_cond_broadcast(&acts->cond);
	}
	/* given up at the deadline: what is left is dropped */
	while (c->n) {
		lden_alert__unref(c->q[c->head]);
		c->head = (c->head + 1) % acts->o.queue_max;
		c->n--;
		c->dropped++;
	}
	pthread_mutex_unlock(&acts->lock);
	return NULL;
}

struct lden_actions *lden_actions__new(const struct lden_actions_opts *o)
{
	struct lden_actions *acts = calloc(1, sizeof(*acts));
	pthread_condattr_t ca;

	if (!acts)
		return NULL;
	acts->o.timeout = o && o->timeout > 0 ? o->timeout :
			  LDEN_ACTIONS_TIMEOUT_DEFAULT;
	acts->o.queue_max = o && o->queue_max > 0 ? o->queue_max :
			    LDEN_ACTIONS_QUEUE_DEFAULT;
	pthread_mutex_init(&acts->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&acts->cond, &ca);
	atomic_init(&acts->give_up, false);
	pthread_condattr_destroy(&ca);
	return acts;
}

/* The channel of (@kind, @target), made and started if new; locked. */
static struct channel *channel(struct lden_actions *acts,
			       enum lden_action_kind kind, const char *target)
{
	struct channel *c;
	sigset_t all, old;
	int rc;

	for (int i = 0; i < acts->nch; i++)
		if (acts->ch[i]->kind == kind &&
		    !strcmp(acts->ch[i]->target, target))
			return acts->ch[i];
	if (acts->nch == MAX_CHANNELS) {
		errno = EAGAIN;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->target = strdup(target)) ||
	    !(c->q = calloc((size_t)acts->o.queue_max, sizeof(*c->q)))) {
		if (c)
			free(c->target);
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->owner = acts;
	c->kind = kind;
	/* signals are for the tracing thread */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&c->thread, NULL, worker, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		free(c->q);
		free(c->target);
		free(c);
		errno = EAGAIN;
		return NULL;
	}
	c->running = true;
	acts->ch[acts->nch++] = c;
	return c;
}

int lden_actions__send(struct lden_actions *acts,
		      const struct lden_rule_action *ra,
		      struct lden_alert *alert)
{
	int n = ra->kind == LDEN_ACTION_JOURNAL ? 1 : ra->nargs, dropped = 0;

	pthread_mutex_lock(&acts->lock);
	for (int i = 0; i < n; i++) {
		struct channel *c = channel(acts, ra->kind,
					    ra->kind == LDEN_ACTION_JOURNAL ?
					    "journal" : ra->args[i]);

		if (!c) {
			int e = errno;

			pthread_mutex_unlock(&acts->lock);
			return -e;
		}
		if (c->n == acts->o.queue_max || acts->stopping) {
			c->dropped++;
			dropped++;
			continue;
		}
		c->q[(c->head + c->n) % acts->o.queue_max] = lden_alert__ref(alert);
		c->n++;
	}
	pthread_cond_broadcast(&acts->cond);
	pthread_mutex_unlock(&acts->lock);
	return dropped;
}

int lden_actions__nchannels(struct lden_actions *acts)
{
	int n;

	pthread_mutex_lock(&acts->lock);
	n = acts->nch;
	pthread_mutex_unlock(&acts->lock);
	return n;
}

void lden_actions__stats(struct lden_actions *acts, int i,
			struct lden_action_stats *st)
{
	struct channel *c;

	pthread_mutex_lock(&acts->lock);
	c = acts->ch[i];
	st->kind = c->kind;
	st->target = c->target;
	st->sent = c->sent;
	st->failed = c->failed;
	st->dropped = c->dropped;
	st->queued = (uint64_t)c->n + c->busy;
	snprintf(st->last_error, sizeof(st->last_error), "%s", c->last_error);
	pthread_mutex_unlock(&acts->lock);
}

/* Whether every channel has delivered all it had; locked. */
static bool idle(const struct lden_actions *acts)
{
	for (int i = 0; i < acts->nch; i++)
		if (acts->ch[i]->n || acts->ch[i]->busy)
			return false;
	return true;
}

void lden_actions__flush(struct lden_actions *acts, double drain)
{
	pthread_mutex_lock(&acts->lock);
	if (acts->stopping) {
		pthread_mutex_unlock(&acts->lock);
		return;
	}
	acts->stopping = true;
	acts->deadline = in_seconds(drain);
	pthread_cond_broadcast(&acts->cond);
	while (!idle(acts) &&
	       pthread_cond_timedwait(&acts->cond, &acts->lock,
				      &acts->deadline) != ETIMEDOUT)
		;
	/* the time is over: what is in flight aborts, the rest is dropped */
	atomic_store(&acts->give_up, true);
	pthread_cond_broadcast(&acts->cond);
	pthread_mutex_unlock(&acts->lock);
	for (int i = 0; i < acts->nch; i++) {
		struct channel *c = acts->ch[i];

		if (c->running)
			pthread_join(c->thread, NULL);
		c->running = false;
	}
}

void lden_actions__free(struct lden_actions *acts)
{
	if (!acts)
		return;
	lden_actions__flush(acts, 0);
	for (int i = 0; i < acts->nch; i++) {
		free(acts->ch[i]->q);
		free(acts->ch[i]->target);
		free(acts->ch[i]);
	}
	pthread_cond_destroy(&acts->cond);
	pthread_mutex_destroy(&acts->lock);
	free(acts);
}
