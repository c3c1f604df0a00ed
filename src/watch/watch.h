/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lden watch's rules at work: each rule bound to the events it names
 * (watch-events.h: attached once for all rules), its numbers counted from
 * when the rule started, evaluated at every tick through its state
 * machine (rule-state.h); each transition frozen as an alert (alert.h),
 * printed, and handed to the rule's actions (actions.h): the journal at
 * every transition, the others when the rule fires and when it resolves;
 * Alertmanager hears a firing alert again every 'resend' seconds, as it
 * expects.
 *
 * A reload (lden_watch__bind() with the new rules) keeps the rules that
 * are the same (their state, their numbers), starts the new ones,
 * resolves and drops the others, and attaches and detaches only the
 * events that changes; a new set with an error changes nothing.
 *
 *	lden_watch__init(&w, &conf, session, kernel, catalog, scope);
 *	lden_watch__bind(&w, &rules, now, &err);	// the rules are taken
 *	each tick: lden_watch__tick(&w, now, wall);
 *	lden_watch__free(&w);
 */
#ifndef LDEN_WATCH_H
#define LDEN_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "actions.h"
#include "rule-state.h"
#include "rules.h"
#include "watch-events.h"

struct lden_kernel;

struct lden_watch_conf {
	const char *host;
	/* the dashboard's URL (generatorURL of alerts), or NULL */
	const char *dashboard_url;
	double resend;		/* seconds between Alertmanager resends */
	bool json;		/* transitions as JSON lines on @out */
	bool quiet;		/* no text lines */
	FILE *out;
	struct lden_actions *actions;
};

/* One event of a rule, counted from when the rule started. */
struct lden_watch_rule_event {
	struct lden_watch_event *we;
	uint64_t count0, size0, lost0, missed0, unsized0;
};

struct lden_watch_rule {
	const struct lden_rule *def;	/* in lden_watch.rules */
	struct lden_rule_sm sm;
	struct lden_watch_rule_event *ev;
	int nev;
	int *when_slot;			/* when's events -> ev[] */
	struct lden_kv *labels;		/* rendered when it fired */
	int nlabels;
	double starts_wall;		/* wall clock of the firing */
	double last_am;			/* last sent to Alertmanager */
	bool has_am;			/* an alertmanager action */
	bool truth;			/* at the last tick */
};

struct lden_watch {
	struct lden_watch_conf conf;
	struct lden_watch_events ev;
	struct lden_rules rules;
	struct lden_watch_rule **r;
	int n;
	double start;			/* lden_now() of the first bind */
	double start_wall;
	bool started;
	/* evaluation cost: per tick, the events read and every rule */
	uint64_t ticks;
	double eval_last, eval_total, eval_max;	/* seconds */
	uint64_t transitions;
	int added, removed, kept;	/* by the last lden_watch__bind() */
	uint64_t action_errors;		/* alerts an action could not take */
};

void lden_watch__init(struct lden_watch *w, const struct lden_watch_conf *c,
		     struct ltr_session *s, struct lden_kernel *k,
		     const struct lden_catalog *cat,
		     const struct lden_scope_opts *scope);

/*
 * lden_watch__bind - make @rs (taken: emptied on success, left to the
 * caller on failure) the rules, at @now (lden_now())
 * @check_only: only check every event against the catalog and the
 *              kernel, attach nothing (lden watch --check)
 * Returns 0, or -1 with @err at the rule's line (errno EACCES or EPERM:
 * privileges), the rules in force unchanged.
 */
int lden_watch__bind(struct lden_watch *w, struct lden_rules *rs, double now,
		    bool check_only, struct lden_rules_error *err);

/*
 * lden_watch__tick - read the events, evaluate every rule at @now
 * (lden_now()) and @wall (seconds since the epoch), act on transitions
 * Returns 0, or -1 when a counter could not be read (ltr_last_error()).
 */
int lden_watch__tick(struct lden_watch *w, double now, double wall);

/* The rule @i's values of its events now, into @v (nev of them). */
void lden_watch_rule__values(const struct lden_watch_rule *r,
			    struct lden_alert_value *v);

/* Whether no kprobe of the rule's events missed a hit since it started. */
bool lden_watch_rule__count_exact(const struct lden_watch_rule *r);

void lden_watch__free(struct lden_watch *w);

#endif
