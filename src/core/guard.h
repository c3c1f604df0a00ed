/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The overhead guard: lden watches its own cost while it traces and, when
 * a budget is exceeded, stops sampling the source that costs it, keeping
 * its count exact.
 *
 * What it measures, at most every 100 ms:
 * - events per second of every source (an attached event), from the
 *   kernel's counters, over the last second;
 * - lden's own CPU time spent tracing (the process's, user and system,
 *   less that of the threads that serve HTTP or Elasticsearch: selfcpu.h)
 *   as a percentage of one CPU, over the last cpu_window seconds;
 * - the kernel's share: what sampling costs the traced tasks, which pay
 *   for the records lden takes (rate x the cost of a sample over a count,
 *   measured on this machine for the sample types the sources' perf
 *   rings use: ltr_measure_sample_costs_until(); a source alone on the
 *   ftrace ring costs nothing beyond its count, its records, which the
 *   switch keeps; one sharing it, not measured, is said estimated at a
 *   full perf sample's cost);
 * - the records the kernel dropped because a ring was full.
 *
 * Budgets (struct lden_guard_opts):
 * - max_rate: a sampled source above it (events/s over the last second)
 *   is switched to counting at once;
 * - max_cpu: when lden's own CPU and the kernel's share together were
 *   more than this over a whole window, the busiest sampled source is
 *   switched to counting, then the guard waits for a new whole window
 *   before it judges (and switches) again.
 * Counted sources cost lden no CPU per event: they are never switched.
 *
 * Switching (lden_attached__stop_sampling): the sampled event is disabled,
 * its remaining samples delivered, and it stays disabled; the count comes from
 * a counting twin all along (perf ring), or from the event itself, which
 * counts on past its samples (ftrace ring: its records, read and no longer
 * delivered, or its own counter), so it stays exact, with no gap and no
 * event counted twice.  The size keeps the value it had at the switch and is
 * flagged as stopped (a->size_stopped); an expression using size() of
 * that event goes on seeing that last value.
 *
 * Calling it from a command's tick loop:
 *
 *	struct lden_guard_opts go = LDEN_GUARD_OPTS_INIT;
 *	// options: LDEN_GUARD_LONGOPTS in the getopt table,
 *	//   case LDEN_OPT_MAX_RATE / LDEN_OPT_MAX_CPU:
 *	//     if (lden_guard_option(&go, c, optarg, "top"))
 *	//             return LDEN_EXIT_USAGE;	// it printed why
 *	//   (or lden_scope_guard_option() with -p, -g, --children),
 *	//   and LDEN_GUARD_USAGE in --help
 *	g = lden_guard__new(&go);
 *	for each attached event a (one label may be added several times,
 *	    once per --pid scope: they form one source)
 *		lden_guard__add(g, label, a);
 *	ltr_session__enable(s);
 *	lden_guard__start(g, lden_now());
 *	per tick, after draining the rings with the command's callback:
 *		if (lden_guard__say(g, lden_guard__tick(g, s, lden_now(),
 *						      on_sample, ctx),
 *				   "top", NULL, NULL, NULL) < 0)
 *			stop;	// "lden: top: guard: <why>" was printed
 *		// each new action is said once:
 *		//     "lden: guard: 'fs.read' sampled at ..."
 *	in reports: a->size_stopped, lden_guard__size_note() for the table,
 *	lden_guard__print_json() and lden_guard__print_self_json() for JSON;
 *	lden_guard__free(g) before the attached events are released.
 *
 * Library code: nothing here prints but the *_print_* functions, on the
 * stream they are given.
 */
#ifndef LDEN_GUARD_H
#define LDEN_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct ltr_session;
struct ltr_sample_costs;
struct lden_stat;
struct ltr_sample;
struct lden_attached;
struct lden_guard;

/* lden's CPU budget when --max-cpu is not given: % of one CPU */
#define LDEN_GUARD_DEFAULT_MAX_CPU 5.0
/* ... averaged over this many seconds */
#define LDEN_GUARD_CPU_WINDOW 3.0

/* lden_guard_opts.sample_ns: measure it when the guard starts */
#define LDEN_GUARD_MEASURE (-1.0)

struct lden_guard_opts {
	uint64_t max_rate;	/* events/s per sampled source; 0: no limit */
	double max_cpu;		/* % of one CPU; 0: no CPU budget */
	double cpu_window;	/* seconds; 0: LDEN_GUARD_CPU_WINDOW */
	/*
	 * what a sampled event costs the kernel beyond a counted one, ns:
	 * LDEN_GUARD_MEASURE (the commands' default) measures it on this
	 * machine when the first sampled source is judged; 0 leaves the
	 * kernel's share out; it stands for every sampled source's cost
	 */
	double sample_ns;
	/*
	 * the costs by path, given (tests) rather than measured, or NULL:
	 * each source's cost is then its parts' (by ring and perf sample
	 * type) as when measured; borrowed, kept until lden_guard__free()
	 */
	const struct ltr_sample_costs *costs;
};

#define LDEN_GUARD_OPTS_INIT { .max_rate = 0, \
			       .max_cpu = LDEN_GUARD_DEFAULT_MAX_CPU, \
			       .cpu_window = 0, \
			       .sample_ns = LDEN_GUARD_MEASURE, \
			       .costs = NULL }

/* getopt codes and table rows for --max-rate N and --max-cpu PCT */
#define LDEN_OPT_MAX_RATE 0x4701
#define LDEN_OPT_MAX_CPU 0x4702
#define LDEN_GUARD_LONGOPTS \
	{ "max-rate", required_argument, NULL, LDEN_OPT_MAX_RATE }, \
	{ "max-cpu", required_argument, NULL, LDEN_OPT_MAX_CPU }
#define LDEN_GUARD_USAGE \
	"      --max-rate N      sample a source at most N events/s, then count it\n" \
	"                        only (its size stops); default: no limit\n" \
	"      --max-cpu PCT     lden's CPU budget, % of one CPU over 3 s, its\n" \
	"                        own and its samples' in the kernel (default 5;\n" \
	"                        0: none): over it, the busiest sampled source\n" \
	"                        is counted only\n"

/*
 * lden_guard__parse_opt - the value of --max-rate (@opt LDEN_OPT_MAX_RATE:
 * a positive integer) or --max-cpu (LDEN_OPT_MAX_CPU: 0 to 100)
 * Returns 0, or -1 with @err set to "invalid --max-rate value 'X' (...)"
 * (print it as "lden: CMD: ERR", exit 2).
 */
int lden_guard__parse_opt(struct lden_guard_opts *o, int opt, const char *arg,
			 char *err, size_t errlen);

/*
 * lden_guard_opts__active - whether a guard with budgets @o can ever act
 * (a rate limit or a CPU budget); when not, the command attaches without
 * counting twins (struct lden_scope_opts's no_twins).
 */
bool lden_guard_opts__active(const struct lden_guard_opts *o);

enum lden_guard_reason {
	LDEN_GUARD_RATE,	/* the source's rate was above max_rate */
	LDEN_GUARD_CPU,		/* lden's CPU was above max_cpu */
};

/* What the guard did to one source; the action is always "counting". */
struct lden_guard_action {
	const char *event;		/* the source's label (borrowed) */
	enum lden_guard_reason reason;
	double at;			/* seconds since lden_guard__start() */
	time_t when;			/* wall clock */
	double rate;			/* the source's events/s then */
	double limit;			/* max_rate (rate), max_cpu (cpu) */
	double cpu_pct;			/* own_pct + kernel_pct then */
	double own_pct;			/* lden's own tracing CPU % */
	double kernel_pct;		/* the kernel's share for its samples */
	double sample_ns;		/* the cost of one of the source's
					   samples it used, or 0 */
	bool sample_estimated;		/* that cost is estimated (a path
					   not measured: the ftrace ring) */
	uint64_t size;			/* the size it stopped at */
	bool size_used;			/* set by the caller: its expression
					   uses size() of this event */
};

/*
 * lden_guard__new - a guard with budgets @o (NULL: the defaults)
 * Returns the guard (free with lden_guard__free()), or NULL (ENOMEM).
 */
struct lden_guard *lden_guard__new(const struct lden_guard_opts *o);
void lden_guard__free(struct lden_guard *g);

/*
 * lden_guard__end - at the end of a run, before its last samples are
 * read: the measure of the kernel's cost, if running, is given up and
 * waited for (a round of it, 1,000 system calls), so that it neither
 * delays the exit nor runs, with its own perf events, while the last
 * samples are read.  Idempotent; lden_guard__free() calls it.
 */
void lden_guard__end(struct lden_guard *g);

/*
 * lden_guard__add - watch an attached event, under @label (copied); the
 * same label added again (another scope of the same event) joins the same
 * source.  Counted events are watched for their rate only.
 * @a must stay valid until lden_guard__free().  Before lden_guard__start().
 * Returns the source's index, or -ENOMEM.
 */
int lden_guard__add(struct lden_guard *g, const char *label,
		   struct lden_attached *a);

/*
 * lden_guard__count - the kernel's count of source @label now: the sum over
 * its attached events (exact, also after it was switched)
 * Returns 0, or -1 (no such source, or a counter could not be read).
 */
int lden_guard__count(const struct lden_guard *g, const char *label,
		     uint64_t *count);

/*
 * lden_guard__source_cost - what a hit of source @i (lden_guard__add()'s
 * index) costs the kernel when sampled, beyond a count, in ns, for
 * sampling paths other than the perf ring (whose cost the guard measures)
 */
void lden_guard__source_cost(struct lden_guard *g, int i, double ns);

/* lden_guard__start - the baseline: call when the events are enabled. */
void lden_guard__start(struct lden_guard *g, double now);

/*
 * lden_guard__tick - measure (at most every 100 ms) and act
 * @s:   the session the events belong to
 * @now: CLOCK_MONOTONIC seconds
 * @fn, @ctx: the command's sample callback, used to deliver the samples
 *       still in the rings of a source being switched (may be NULL)
 * Returns how many new actions (lden_guard__action) this tick took, or a
 * negative errno when a counter could not be read or an event switched
 * (ltr_last_error() says why).
 */
int lden_guard__tick(struct lden_guard *g, struct ltr_session *s, double now,
		    int (*fn)(const struct ltr_sample *, void *), void *ctx);

int lden_guard__nactions(const struct lden_guard *g);
/* The i-th action, oldest first (borrowed). */
const struct lden_guard_action *lden_guard__action(const struct lden_guard *g,
						  int i);
/* The action that switched @label, or NULL. */
struct lden_guard_action *lden_guard__find(struct lden_guard *g,
					  const char *label);

/*
 * lden_guard__message - the one-time line for an action, without "lden: ":
 * "guard: 'fs.read' sampled at 182345 events/s (limit 50000): counted
 * from now on, its size is no longer updated"
 */
void lden_guard__message(const struct lden_guard_action *a, char *buf,
			size_t len);

/*
 * lden_guard__message_for - the same for commands where switching has
 * another @effect ("no more lines for it, its count goes on"): "guard:
 * 'fs.read' sampled at 182345 events/s (limit 50000): EFFECT"
 */
void lden_guard__message_for(const struct lden_guard_action *a,
			    const char *effect, char *buf, size_t len);

/*
 * lden_guard__note - "WHAT at 12:00:01 by the guard (rate 182345/s >
 * 50000/s)", or with the CPU reason "(lden at 7.3% CPU > 5%, rate ...)"
 */
void lden_guard__note(const struct lden_guard_action *a, const char *what,
		     char *buf, size_t len);

/*
 * lden_guard__size_note - for the report under the table: "size stopped at
 * 12:00:01 by the guard (rate 182345/s > 50000/s)"
 */
void lden_guard__size_note(const struct lden_guard_action *a, char *buf,
			  size_t len);

/*
 * lden_guard__stop_stat - if @st is the stats of the event @a switched (by
 * label): marks its size stopped, with lden_guard__size_note() as its note
 * under the table, and returns true; else false, @st untouched.
 */
bool lden_guard__stop_stat(const struct lden_guard_action *a,
			  struct lden_stat *st);

/*
 * lden's CPU % of one CPU over the last window (since start if shorter):
 * its own tracing threads', plus the kernel's share for its samples
 */
double lden_guard__cpu_pct(const struct lden_guard *g);
/* the kernel's share alone, over the last window */
double lden_guard__kernel_pct(const struct lden_guard *g);
/* the measured cost of a full perf sample beyond a count, ns; 0 until
 * known (each source's own: "source_ns" in lden_guard__print_self_json) */
double lden_guard__sample_ns(const struct lden_guard *g);
/* lden's CPU % of one CPU since lden_guard__start(). */
double lden_guard__cpu_pct_total(const struct lden_guard *g);
int lden_guard__nsources(const struct lden_guard *g);
const char *lden_guard__source_label(const struct lden_guard *g, int i);
/* events/s over the last second (since start if shorter) */
double lden_guard__source_rate(const struct lden_guard *g, int i);
/* records lost, over every source, the shared ftrace ring's once */
uint64_t lden_guard__lost(const struct lden_guard *g);

/* "guard":[{"event":..,"action":"counting","at":..,"rate":..,
 * "limit":..,"reason":"rate"|"cpu"}] (no braces around, no newline) */
void lden_guard__print_json(FILE *out, const struct lden_guard *g);
/* {"event":..,"action":"counting",...}: one action, as in "guard" */
void lden_guard__print_action_json(FILE *out,
				  const struct lden_guard_action *a);
/* "self":{"cpu_pct":..,"cpu_pct_window":..,"kernel_pct_window":..,
 * "serving_cpu_pct":..,"sample_ns":..|null,"count_ns":..|null,
 * "source_ns":{"fs.read":{"ns":..,"estimated":false}|null},
 * "rates":{..},"lost":..} */
void lden_guard__print_self_json(FILE *out, const struct lden_guard *g);

#endif
