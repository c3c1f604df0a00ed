// SPDX-License-Identifier: GPL-2.0-or-later
/* A run of lden visualize (see viz-run.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "collect.h"
#include "guard.h"
#include "lden.h"
#include "lden-trace.h"
#include "resolve.h"
#include "viz-end.h"
#include "viz-run.h"

/*
 * the first numbers as soon as the events are enabled and the header is
 * out: the first line is the proof that tracing has started (the interval
 * it covers is in it), and a timer before it cost a wakeup, on a loaded
 * machine a wait for a CPU on top of the 10 ms it used to be (issue 18)
 */
#define FIRST_TICK 0.0

static void header(const struct lden_visualize *r, FILE *out)
{
	const struct lden_viz *v = r->v;

	fprintf(out, "lden: visualizing %d event%s on %s every %g s\n", v->n,
		v->n == 1 ? "" : "s", v->host, r->o.interval);
	lden_viz__describe(v, out);
	fprintf(out, "  in ");
	lden_scope__describe(&r->o.c.scope, out);
	fputc('\n', out);
	if (r->o.c.time_limit > 0)
		fprintf(out, "  for %g s\n", r->o.c.time_limit);
	lden_viz_sinks__describe(r->sinks, out);
	fflush(out);
}

static void warn(const char *msg);

static int tick(struct lden_visualize *r, double t)
{
	struct lden_tick tk;

	if (lden_viz__tick(r->v, t, &tk) < 0) {
		lden_err("%s", ltr_last_error());
		return -1;
	}
	lden_viz_sinks__tick(r->sinks, &tk);
	/* a sink that stops delivering (Elasticsearch down) says so now */
	lden_viz_sinks__watch(r->sinks, warn);
	return 0;
}

/* The overhead guard's look: says once on stderr what it switched. */
static int guard_tick(struct lden_visualize *r, double t)
{
	return lden_run__guard_tick(r->run, t, lden_collect__sample, NULL, NULL,
				    NULL, NULL);
}

/* The last samples, and those that will never arrive counted as lost. */
static void finish(struct lden_visualize *r)
{
	lden_guard__end(r->guard);
	lden_debug("the guard's measure given up");
	if (lden_collect__finish(r->s, r->v->att, r->v->n * r->v->nscopes,
				r->v->sampling) < 0)
		lden_err("reading samples: %s", ltr_last_error());
}

/* Ticks until --time, a signal, the command's end or a closed stdout. */
static int trace(struct lden_visualize *r)
{
	double start = r->v->start, next = start + FIRST_TICK;
	double stop_at = r->o.c.time_limit > 0 ? start + r->o.c.time_limit : 0;
	uint64_t n = 0;

	for (;;) {
		int rc;
		double t;

		if (stop_at && next > stop_at)
			next = stop_at;
		rc = lden_collect__wait(r->s, next, r->v->sampling, &lden_stop_signal);
		if (rc < 0) {
			lden_err("reading samples: %s", strerror(-rc));
			return LDEN_EXIT_FAIL;
		}
		t = lden_now();
		if (guard_tick(r, t) < 0)
			return LDEN_EXIT_FAIL;
		if (rc == 1) {	/* a signal: the last numbers, then stop */
			lden_debug("signal %d: the last values", (int)lden_stop_signal);
			r->reason = "signal";
		}
		if (rc == 1 || (stop_at && t >= stop_at)) {
			finish(r);
			lden_debug("the last samples read");
		}
		if (tick(r, t) < 0)
			return LDEN_EXIT_FAIL;
		if (!n) {
			lden_debug("the first values");
			lden_debug_cpu();
		}
		r->end = t;
		if (rc == 1)
			return LDEN_EXIT_OK;
		if (stop_at && t >= stop_at) {
			r->reason = "time";
			return LDEN_EXIT_OK;
		}
		if (r->o.json && ferror(stdout)) {
			r->reason = "output";
			return LDEN_EXIT_OK;
		}
		if (lden_command_poll(&r->o.c.scope)) {
			r->reason = "command";
			finish(r);
			r->end = lden_now();
			return tick(r, r->end) < 0 ? LDEN_EXIT_FAIL : LDEN_EXIT_OK;
		}
		/* then on whole intervals since the start; after a stall the
		 * missed ones are skipped, not sent in a burst */
		do
			next = start + (double)++n * r->o.interval;
		while (next <= t);
	}
}

/* The end: a JSON object on stdout, or a few lines on stderr. */
static void summary(const struct lden_visualize *r)
{
	struct lden_viz_end e = {
		.reason = r->reason,
		.command_status = r->o.c.scope.command_status,
		.elapsed = r->end - r->v->start,
	};

	if (r->o.json)
		lden_viz__print_end_json(stdout, r->v, &e, r->sinks, r->guard);
	else
		lden_viz__print_end(stderr, r->v, &e, r->sinks);
}

int lden_visualize__setup(struct lden_visualize *r)
{
	char err[1024];
	int status;

	status = lden_load_catalog_kernel(&r->cat, r->o.c.events_dir, &r->k);
	if (status)
		return status;
	r->v = lden_viz__new(&r->cat, r->k, r->o.events,
			    lden_scope__kind(&r->o.c.scope), r->o.no_size, err,
			    sizeof(err));
	if (!r->v) {
		lden_err("%s", err);
		return errno == ENOMEM ? LDEN_EXIT_FAIL : LDEN_EXIT_USAGE;
	}
	return 0;
}

static void warn(const char *msg)
{
	lden_err("%s", msg);
}

/* The sinks, their threads started with the stop signals blocked. */
int lden_visualize__open_sinks(struct lden_visualize *r)
{
	struct lden_viz_outputs out = {
		.json = r->o.json, .dashboard = !r->o.no_dashboard,
		.listen = r->o.listen, .prometheus = r->o.prometheus,
		.web = r->o.web_config ? &r->o.web : NULL,
	};
	sigset_t stop_signals, old_mask;
	char err[1024];

	lden_catch_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	r->conf = (struct lden_viz_conf){
		.host = r->v->host, .interval = r->o.interval,
		.es_url = r->o.es_url, .es_required = r->o.es_required,
		.es_index = r->o.index, .es_ca_file = r->o.ca,
	};
	/* the sinks' threads inherit this mask: signals come to this one */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop_signals, &old_mask);
	r->sinks = lden_viz_sinks__open(&r->conf, &out, warn, err, sizeof(err));
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (!r->sinks) {
		lden_err("%s", err);
		return LDEN_EXIT_FAIL;
	}
	return 0;
}

/* The events attached on the run's session, the guard over them. */
int lden_visualize__attach(void *ctx, struct lden_run *run,
			   struct lden_guard **g)
{
	struct lden_visualize *r = ctx;
	char err[1024];

	r->s = run->s;
	if (lden_viz__attach(r->v, r->s, &r->o.c.scope, err, sizeof(err)) < 0) {
		lden_err("%s", err);
		return LDEN_EXIT_FAIL;
	}
	*g = lden_guard__new(&r->o.c.guard);
	for (int i = 0; *g && i < r->v->n * r->v->nscopes; i++)
		if (lden_guard__add(*g, r->v->ev[r->v->idx[i % r->v->n]].name,
				   &r->v->att[i]) < 0) {
			lden_guard__free(*g);
			*g = NULL;
		}
	return 0;
}

void lden_visualize__header(const struct lden_visualize *r)
{
	header(r, r->o.json ? stderr : stdout);
}

int lden_visualize__loop(struct lden_visualize *r)
{
	int status = trace(r);

	/* no scrape after the last tick: the numbers in the summary are final */
	lden_viz_sinks__stop_http(r->sinks);
	if (status == LDEN_EXIT_OK)
		summary(r);
	return status;
}

void lden_visualize__release(struct lden_visualize *r)
{
	lden_viz_sinks__close(r->sinks);
	r->sinks = NULL;
	lden_viz__free(r->v);
	lden_kernel__free(r->k);
	lden_catalog__free(&r->cat);
}
