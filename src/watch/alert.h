/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One transition of one rule of lden watch, frozen at the moment it
 * happened: the rule, the states, the time, its labels and annotations
 * with their values put in, and the numbers of its events.  Made by the
 * tracing thread, read by the action workers (each holds a reference),
 * never changed once made.
 *
 * As JSON, two shapes:
 * - lden's own (--json lines, webhooks):
 *   {"type":"transition","rule":..,"from":..,"state":..,"at":ISO,
 *    "elapsed":..,"fired":..,"host":..,"expression":..,"describe":..,
 *    "labels":{..},"annotations":{..},"values":[{"name","count",
 *    "size","size_valid","speed","lost","missed","count_exact"[,"unsized"]}],
 *    "count_exact":..,"size_exact":..[,"exactness":NOTE]} (the values as
 *    notify's "events"; NOTE what is short and why, as
 *    lden_alert__exactness() says)
 * - one alert of Alertmanager's API v2 (POST /api/v2/alerts takes an
 *   array of them): {"labels":{"alertname":RULE,"host":HOST,..},
 *   "annotations":{..},"startsAt":ISO,"endsAt":ISO,"generatorURL":..}
 */
#ifndef LDEN_ALERT_H
#define LDEN_ALERT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "label.h"
#include "rule-state.h"

struct lden_kv {
	char *key;
	char *value;
};

/* One event of the rule, since the rule started. */
struct lden_alert_value {
	char name[LDEN_LABEL_LEN];	/* its label, "task.create" */
	uint64_t count;
	uint64_t size;
	bool has_size;
	bool size_valid;	/* false: the overhead guard stopped its size */
	double speed;
	/* speed is not the last second's (no tick a second ago: lden was
	 * stopped or late): the average per second over speed_span s */
	bool speed_estimated;
	double speed_span;
	uint64_t lost;		/* records lost: size short by theirs */
	/* lost is the ftrace ring's drops, the same on every event in it:
	 * this one's size is short by up to that many */
	bool lost_shared;
	/* hits its kprobes missed: count and size short by up to this many */
	uint64_t missed;
	bool joined;		/* a joined size (memory.free) */
	uint64_t unsized;	/* occurrences of a joined size not sized */
};

struct lden_alert {
	atomic_int refs;
	char *rule;
	char *expression;
	char *describe;			/* rendered, or NULL */
	char *host;
	char *generator_url;		/* or NULL */
	enum lden_rule_state from, state;
	double at;			/* wall clock, seconds since the epoch */
	double elapsed;			/* seconds since lden watch started */
	double starts_at;		/* wall clock of the firing it is about */
	double ends_at;			/* resolved: when; else 0 */
	double valid_for;		/* firing: seconds Alertmanager may keep
					   it without news (endsAt = at + this) */
	unsigned int fired;
	struct lden_kv *labels;
	int nlabels;
	struct lden_kv *annotations;
	int nannotations;
	struct lden_alert_value *values;
	int nvalues;
};

/* lden_alert__new - an empty alert with one reference; NULL (ENOMEM) */
struct lden_alert *lden_alert__new(void);

/* lden_alert__add_kv - @key=@value (copied) to @arr; 0 or -ENOMEM */
int lden_alert__add_kv(struct lden_kv **arr, int *n, const char *key,
		      const char *value);

struct lden_alert *lden_alert__ref(struct lden_alert *a);
/* drops a reference; the last frees it (NULL is fine) */
void lden_alert__unref(struct lden_alert *a);

/*
 * lden_alert__exactness - whether @a's counts are exact (no kprobe missed a
 * hit) and its sizes (nor records lost, nor frees unsized, nor sampling
 * stopped), and when not, one line saying what is short and by how much
 * into @note ("" when exact); an estimated speed is said there too.  The transition still happened: the note
 * goes with it (the text line, JSON, annotation "exactness", the journal,
 * LDEN_EXACTNESS).
 */
void lden_alert__exactness(const struct lden_alert *a, bool *count_exact,
			  bool *size_exact, char *note, size_t len);

/* lden's own JSON object for @a (no newline) */
void lden_alert__print_json(FILE *out, const struct lden_alert *a);

/*
 * lden_alert__lost_total - the records its values lost, the shared ftrace
 * ring's (lost_shared: the same on each) counted once
 */
uint64_t lden_alert__lost_total(const struct lden_alert *a);

/* the Alertmanager v2 alert for @a (no newline) */
void lden_alert__print_am(FILE *out, const struct lden_alert *a);

#endif
