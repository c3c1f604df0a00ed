// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden watch: every rule of the rules files, all the time, each with its
 * state and its actions (the logic is in watch.c and the files it uses).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "clock.h"
#include "collect.h"
#include "guard.h"
#include "httpd.h"
#include "lden.h"
#include "lden-trace.h"
#include "resolve.h"
#include "run.h"
#include "watch-http.h"
#include "watch-opts.h"
#include "watch-report.h"

/* seconds the actions have at the end to deliver what is queued */
#define DRAIN 2.0

static volatile sig_atomic_t reload;

static void on_hup(int sig)
{
	reload = sig;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct watch {
	struct lden_watch_opts o;
	struct lden_run *run;		/* its guard: the one in force */
	struct lden_catalog cat;
	struct lden_kernel *k;
	struct lden_rules rs;		/* as loaded at the start */
	struct lden_watch_conf conf;
	char host[256];
	struct lden_watch w;
	struct lden_watch_http *http;
};

/* SIGHUP: the rules again; an error keeps those in force. */
static void do_reload(struct watch *r)
{
	struct lden_rules rs = { 0 };
	struct lden_rules_error err;
	struct lden_guard *g;
	double now = lden_now();

	reload = 0;
	if (lden_watch_opts__load(&r->o, &rs, "reload: ") < 0)
		return;
	if (lden_watch__bind(&r->w, &rs, now, false, &err) < 0) {
		lden_watch__rules_error("reload: ", &err);
		lden_rules__free(&rs);
		return;
	}
	/* the guard watches the events held now */
	g = lden_watch_events__guard(&r->w.ev, &r->o.c.guard);
	if (g) {
		lden_guard__free(r->run->guard);
		r->run->guard = g;
		lden_guard__start(g, now);
	}
	if (r->o.c.json)
		printf("{\"type\":\"reload\",\"rules\":%d,\"added\":%d,\"removed\":%d,\"kept\":%d,\"events\":%d}\n",
		       r->w.n, r->w.added, r->w.removed, r->w.kept, r->w.ev.n);
	else if (!r->o.quiet)
		printf("lden: reloaded: %d rules (%d added, %d removed, %d kept), %d events\n",
		       r->w.n, r->w.added, r->w.removed, r->w.kept, r->w.ev.n);
	lden_stdout__flush();
}

static int loop(struct watch *r)
{
	double next = lden_now() + r->o.interval;

	for (;;) {
		bool sampling = lden_watch_events__sampling(&r->w.ev);
		int rc = lden_collect__wait(r->w.ev.s, next, sampling,
					   &lden_stop_signal);
		double t = lden_now();
		uint64_t before = r->w.transitions;

		/* a reader gone (SIGPIPE) is output that failed, not a ^C */
		if (rc == 1 && !reload)
			return lden_stop_signal == SIGPIPE ? LDEN_EXIT_FAIL :
			       128 + lden_stop_signal;
		if (rc < 0) {
			lden_err("reading samples: %s", strerror(-rc));
			return LDEN_EXIT_FAIL;
		}
		if (reload) {
			do_reload(r);
			continue;
		}
		next += r->o.interval;
		if (next < t)	/* a stall: do not tick in a burst */
			next = t + r->o.interval;
		/* the guard says what went wrong itself */
		if (lden_run__guard_tick(r->run, t, lden_collect__sample, NULL,
					 NULL, NULL, NULL) < 0)
			return LDEN_EXIT_FAIL;
		if (lden_watch__tick(&r->w, t, wall_now()) < 0) {
			lden_cli__err("%s", ltr_last_error());
			return LDEN_EXIT_FAIL;
		}
		lden_watch_http__tick(r->http, &r->w, t, wall_now(),
				     r->w.transitions != before);
		/* output that cannot be written: no use watching on */
		if (lden_stdout__flush() < 0)
			return LDEN_EXIT_FAIL;
		/* the command ended: one last look at its last events */
		if (lden_command_poll(&r->o.c.scope)) {
			lden_collect__drain(r->w.ev.s, sampling);
			if (lden_watch__tick(&r->w, lden_now(), wall_now()) < 0) {
				lden_cli__err("%s", ltr_last_error());
				return LDEN_EXIT_FAIL;
			}
			return LDEN_EXIT_OK;
		}
	}
}

/* One line each for what anyone beyond this host may reach. */
static void warn_exposure(const struct lden_watch_opts *o, char *msg,
			  size_t len)
{
	const char *what[] = { "the dashboard", "/metrics" };
	const char *addr[] = { o->listen, o->prometheus };

	for (int i = 0; i < 2; i++) {
		if (!addr[i])
			continue;
		lden_httpd__exposure(o->web_config ? &o->web : NULL, what[i],
				    addr[i], msg, len);
		if (msg[0])
			lden_cli__err("%s", msg);
	}
}

/* The rules, the catalog, this kernel; --check ends here (status -1). */
static int prepare(struct watch *r)
{
	struct lden_rules_error err;
	int status;

	gethostname(r->host, sizeof(r->host) - 1);
	if (lden_watch_opts__load(&r->o, &r->rs, "") < 0)
		return LDEN_EXIT_USAGE;
	status = lden_load_catalog_kernel(&r->cat, r->o.c.events_dir, &r->k);
	if (status)
		return status;
	r->conf = (struct lden_watch_conf){ .host = r->host,
		.resend = r->o.resend, .json = r->o.c.json,
		.quiet = r->o.quiet, .out = stdout };
	if (!r->o.check)
		return 0;
	lden_watch__init(&r->w, &r->conf, NULL, r->k, &r->cat, &r->o.c.scope);
	if (lden_watch__bind(&r->w, &r->rs, lden_now(), true, &err) < 0) {
		lden_watch__rules_error("", &err);
		return LDEN_EXIT_USAGE;
	}
	printf("lden: %d rule%s checked: no error\n", r->rs.n,
	       r->rs.n == 1 ? "" : "s");
	return -1;
}

/* The actions, the HTTP server, the rules bound, the guard over them. */
static int attach(void *ctx, struct lden_run *run, struct lden_guard **g)
{
	struct watch *r = ctx;
	struct lden_rules_error err;
	char msg[512];

	r->conf.actions = lden_actions__new(&r->o.actions);
	if (!r->conf.actions) {
		lden_err("out of memory");
		return LDEN_EXIT_FAIL;
	}
	if (r->o.prometheus || r->o.listen) {
		r->http = lden_watch_http__open(r->o.prometheus, r->o.listen,
					       r->host,
					       r->o.web_config ? &r->o.web : NULL,
					       msg, sizeof(msg));
		if (!r->http) {
			lden_cli__err("%s", msg);
			return LDEN_EXIT_FAIL;
		}
		warn_exposure(&r->o, msg, sizeof(msg));
	}
	r->conf.dashboard_url = r->o.external_url ? r->o.external_url :
				lden_watch_http__url(r->http);
	lden_watch__init(&r->w, &r->conf, run->s, r->k, &r->cat, &r->o.c.scope);
	if (lden_watch__bind(&r->w, &r->rs, lden_now(), false, &err) < 0) {
		int e = errno;

		/* a signal in a slow start: no fault of the line to point at */
		if (e == EINTR)
			lden_err("%s", err.msg);
		else
			lden_watch__rules_error("", &err);
		return lden_attach__machine_fault(e) ? LDEN_EXIT_FAIL :
		       LDEN_EXIT_USAGE;
	}
	*g = lden_watch_events__guard(&r->w.ev, &r->o.c.guard);
	return 0;
}

/* lden_watch__bind() enabled the events (counting twins stay off). */
static int enabled(void *ctx)
{
	return 0;
}

static void header(struct watch *r)
{
	if (r->o.c.json)
		lden_watch__print_start_json(stdout, &r->w);
	else if (!r->o.quiet)
		lden_watch__print_header(stdout, &r->w);
	lden_stdout__flush();
	lden_watch_http__tick(r->http, &r->w, lden_now(), wall_now(), true);
}

/* The end: the actions queued get a last, short chance; the report. */
static void end(struct watch *r)
{
	lden_watch_http__free(r->http);
	r->http = NULL;
	lden_actions__flush(r->conf.actions, DRAIN);
	if (r->o.c.json || !r->o.quiet)
		lden_watch__print_end(stdout, &r->w, r->run->guard, r->o.c.json,
				     lden_now() - r->w.start);
}

static int run(int argc, char **argv)
{
	struct watch r = { 0 };
	int status = lden_watch_opts__parse(argc, argv, &r.o);

	if (!status)
		status = prepare(&r);
	if (!status) {
		r.run = lden_run__new(&r.o.c, NULL, 0);
		/* SIGHUP reloads the rules */
		signal(SIGHUP, on_hup);
		status = lden_run__attach(r.run, attach, enabled, &r);
	}
	if (status)
		goto out;
	header(&r);
	lden_run__go(r.run);
	status = loop(&r);
	end(&r);
out:
	lden_watch_http__free(r.http);
	lden_actions__free(r.conf.actions);
	/* its events close in the session: before it */
	lden_watch__free(&r.w);
	lden_run__free(r.run);
	lden_rules__free(&r.rs);
	lden_kernel__free(r.k);
	lden_catalog__free(&r.cat);
	lden_web_config__free(&r.o.web);
	return status < 0 ? 0 : status;
}

const struct lden_cmd lden_cmd_watch = {
	.name = "watch",
	.run = run,
	.summary = "evaluate rules files all the time, with alerts and actions",
};
