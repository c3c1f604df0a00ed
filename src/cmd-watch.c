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

#include "clock.h"
#include "collect.h"
#include "guard.h"
#include "httpd.h"
#include "lden.h"
#include "lden-trace.h"
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

struct run {
	struct lden_watch_opts o;
	struct lden_watch w;
	struct lden_guard *guard;
	struct lden_watch_http *http;
};

/* SIGHUP: the rules again; an error keeps those in force. */
static void do_reload(struct run *r)
{
	struct lden_rules rs = { 0 };
	struct lden_rules_error err;
	struct lden_guard *g;
	double now = lden_now();

	reload = 0;
	if (lden_watch_opts_load(&r->o, &rs, "reload: ") < 0)
		return;
	if (lden_watch_bind(&r->w, &rs, now, false, &err) < 0) {
		lden_watch_rules_error("reload: ", &err);
		lden_rules_free(&rs);
		return;
	}
	/* the guard watches the events held now */
	g = lden_watch_events_guard(&r->w.ev, &r->o.guard);
	if (g) {
		lden_guard_free(r->guard);
		r->guard = g;
		lden_guard_start(g, now);
	}
	if (r->o.json)
		printf("{\"type\":\"reload\",\"rules\":%d,\"added\":%d,\"removed\":%d,\"kept\":%d,\"events\":%d}\n",
		       r->w.n, r->w.added, r->w.removed, r->w.kept, r->w.ev.n);
	else if (!r->o.quiet)
		printf("lden: reloaded: %d rules (%d added, %d removed, %d kept), %d events\n",
		       r->w.n, r->w.added, r->w.removed, r->w.kept, r->w.ev.n);
	fflush(stdout);
}

static int loop(struct run *r)
{
	double next = lden_now() + r->o.interval;

	for (;;) {
		bool sampling = lden_watch_events_sampling(&r->w.ev);
		int rc = lden_collect_wait(r->w.ev.s, next, sampling,
					   &lden_stop_signal);
		double t = lden_now();
		uint64_t before = r->w.transitions;

		if (rc == 1 && !reload)
			return 128 + lden_stop_signal;
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
		if (lden_guard_say(r->guard, lden_guard_tick(r->guard, r->w.ev.s, t,
							     lden_collect_sample, NULL),
				   "watch", NULL, NULL, NULL) < 0)
			return LDEN_EXIT_FAIL;
		if (lden_watch_tick(&r->w, t, wall_now()) < 0) {
			lden_err("watch: %s", ltr_last_error());
			return LDEN_EXIT_FAIL;
		}
		lden_watch_http_tick(r->http, &r->w, t, wall_now(),
				     r->w.transitions != before);
		/* the command ended: one last look at its last events */
		if (lden_command_poll(&r->o.scope)) {
			lden_collect_drain(r->w.ev.s, sampling);
			if (lden_watch_tick(&r->w, lden_now(), wall_now()) < 0) {
				lden_err("watch: %s", ltr_last_error());
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
		lden_httpd_exposure(o->web_config ? &o->web : NULL, what[i],
				    addr[i], msg, len);
		if (msg[0])
			lden_err("watch: %s", msg);
	}
}

static int run(int argc, char **argv)
{
	struct run r = { 0 };
	struct lden_catalog cat = { 0 };
	struct lden_kernel *k = NULL;
	struct lden_rules rs = { 0 };
	struct lden_rules_error err;
	struct ltr_session *s = NULL;
	struct lden_watch_conf conf = { .out = stdout };
	char host[256] = "", msg[512];
	const char *dir;
	int status = lden_watch_opts_parse(argc, argv, &r.o);

	if (status) {
		lden_web_config_free(&r.o.web);
		return status < 0 ? 0 : status;
	}
	gethostname(host, sizeof(host) - 1);
	if (lden_watch_opts_load(&r.o, &rs, "") < 0 || lden_load_catalog(&cat, r.o.events_dir) < 0) {
		status = LDEN_EXIT_USAGE;
		goto out;
	}
	status = LDEN_EXIT_FAIL;
	dir = ltr_tracing_dir();
	if (!dir || !(k = lden_kernel_new(dir))) {
		lden_err("%s", ltr_last_error());
		goto out;
	}
	conf = (struct lden_watch_conf){ .host = host, .resend = r.o.resend,
		.json = r.o.json, .quiet = r.o.quiet, .out = stdout };
	if (r.o.check) {
		lden_watch_init(&r.w, &conf, NULL, k, &cat, &r.o.scope);
		status = LDEN_EXIT_USAGE;
		if (lden_watch_bind(&r.w, &rs, lden_now(), true, &err) < 0) {
			lden_watch_rules_error("", &err);
			goto out;
		}
		printf("lden: %d rule%s checked: no error\n", rs.n, rs.n == 1 ? "" : "s");
		status = LDEN_EXIT_OK;
		goto out;
	}
	lden_catch_stop_signals();
	signal(SIGHUP, on_hup);
	s = ltr_session__new(NULL);
	conf.actions = lden_actions_new(&r.o.actions);
	if (!s || !conf.actions) {
		lden_err("%s", s ? "out of memory" : ltr_last_error());
		goto out;
	}
	if (r.o.scope.command && lden_command_start(&r.o.scope) < 0) {
		lden_err("watch: cannot start the command: %s", strerror(errno));
		goto out;
	}
	if (r.o.prometheus || r.o.listen) {
		r.http = lden_watch_http_open(r.o.prometheus, r.o.listen, host,
					      r.o.web_config ? &r.o.web : NULL,
					      msg, sizeof(msg));
		if (!r.http) {
			lden_err("watch: %s", msg);
			goto out;
		}
		warn_exposure(&r.o, msg, sizeof(msg));
	}
	conf.dashboard_url = r.o.external_url ? r.o.external_url :
			     lden_watch_http_url(r.http);
	lden_attach_twins(lden_guard_opts_active(&r.o.guard));
	lden_watch_init(&r.w, &conf, s, k, &cat, &r.o.scope);
	if (lden_watch_bind(&r.w, &rs, lden_now(), false, &err) < 0) {
		lden_watch_rules_error("", &err);
		if (errno != EACCES && errno != EPERM)
			status = LDEN_EXIT_USAGE;
		goto out;
	}
	r.guard = lden_watch_events_guard(&r.w.ev, &r.o.guard);
	if (!r.guard) {
		lden_err("out of memory");
		goto out;
	}
	lden_guard_start(r.guard, lden_now());
	if (r.o.json)
		lden_watch_print_start_json(stdout, &r.w);
	else if (!r.o.quiet)
		lden_watch_print_header(stdout, &r.w);
	fflush(stdout);
	lden_watch_http_tick(r.http, &r.w, lden_now(), wall_now(), true);
	lden_command_go(&r.o.scope);
	status = loop(&r);
	lden_watch_http_free(r.http);
	r.http = NULL;
	/* the actions still queued get a last, short chance */
	lden_actions_flush(conf.actions, DRAIN);
	if (r.o.json || !r.o.quiet)
		lden_watch_print_end(stdout, &r.w, r.guard, r.o.json,
				     lden_now() - r.w.start);

out:
	lden_command_abandon(&r.o.scope);
	lden_watch_http_free(r.http);
	lden_actions_free(conf.actions);
	lden_guard_free(r.guard);
	lden_watch_free(&r.w);
	ltr_session__free(s);
	lden_rules_free(&rs);
	lden_kernel_free(k);
	lden_catalog_free(&cat);
	lden_web_config_free(&r.o.web);
	return status;
}

const struct lden_cmd lden_cmd_watch = {
	.name = "watch",
	.run = run,
	.summary = "evaluate rules files all the time, with alerts and actions",
};
