// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden top EVENT...: every interval, a table of count and size per key
 * (pid, comm, cgroup, cpu or a field); recipes net (nettop) and drops
 * (dropwatch).  In a terminal the table is redrawn in place; in a pipe
 * each interval is a block under a timestamp line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "catalog.h"
#include "clock.h"
#include "evlist.h"
#include "evopts.h"
#include "guard.h"
#include "lden.h"
#include "lden-trace.h"
#include "pidinfo.h"
#include "recipe.h"
#include "row.h"
#include "scope.h"
#include "tally.h"
#include "tally-view.h"

#define TOP_MAX_KEYS 10000

struct top_opts {
	struct lden_evopts c;	/* the options shared with lden trace */
	const char *by;
	double interval;
	const char *sort;
	long rows;
};

struct top {
	struct top_opts o;
	struct ltr_session *s;
	struct lden_evlist ev;
	struct lden_recipe recipe;
	struct lden_pidinfo_cache *pidinfo;
	struct lden_tally *tally;
	char columns[256];	/* space-separated, keys first */
	int nkeys, nvalues, sort_col;
	bool tty;
	struct lden_row scratch;
	struct lden_guard *guard;
	uint64_t *counted;		/* per event: its count at the last table */
	uint64_t *sampled;		/* per event: samples seen in all */
};

/* the key of the one row a switched event has from then on */
#define TOP_COUNTED_KEY "(all, counted: guard)"

static void usage(FILE *out)
{
	fputs("usage: lden top EVENT... [--by KEY] [-i SEC] [--sort COL] [-n ROWS] [-t SEC]\n"
	      "                [--filter EXPR] [--comm NAME] [--json] [--events-dir DIR]\n"
	      "                [--pid PID[,PID...] [--children] | --cgroup DIR]\n"
	      "       lden top net | drops [OPTIONS]\n"
	      "\n"
	      "Show, every interval, how many events (and their size) each key had.\n"
	      "\n"
	      "  -b, --by KEY          pid (default), comm, cgroup, cpu, or a field name\n"
	      "  -i, --interval SEC    refresh every SEC seconds (default 5)\n"
	      "  -s, --sort COL        sort by this value column (default the first)\n"
	      "  -n, --rows N          show the N largest rows (default 20, 0: all)\n"
	      "  -j, --json            one JSON object per interval\n", out);
	fputs(lden_evopts_help, out);
	fputs("\n"
	      "EVENT: as in lden notify.  Recipes:\n"
	      "  net     PID UID DEV XMIT_PK RECV_PK XMIT_KB RECV_KB (nettop)\n"
	      "  drops   LOCATION REASON DROPS from skb:kfree_skb (dropwatch)\n"
	      "See lden-top(8).\n", out);
}

static int top_option(int c, const char *arg, void *ctx)
{
	struct top_opts *o = ctx;
	char *end;

	switch (c) {
	case 'b':
		o->by = arg;
		return 0;
	case 'i':
		if (lden_parse_seconds(arg, 0.01, 1e9, &o->interval) < 0) {
			lden_err("top: invalid --interval value '%s' (seconds, at least 0.01)",
				 arg);
			return LDEN_EXIT_USAGE;
		}
		return 0;
	case 's':
		o->sort = arg;
		return 0;
	case 'n':
		errno = 0;
		o->rows = strtol(arg, &end, 10);
		if (end == arg || *end || errno || o->rows < 0) {
			lden_err("top: invalid --rows value '%s'", arg);
			return LDEN_EXIT_USAGE;
		}
		return 0;
	default:
		return 1;
	}
}

static int parse_opts(int argc, char **argv, struct top_opts *o)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "interval", required_argument, NULL, 'i' },
		{ "sort", required_argument, NULL, 's' },
		{ "rows", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};

	o->interval = 5;
	o->rows = 20;
	return lden_evopts_parse(argc, argv, "top", longopts, "b:i:s:n:",
				 top_option, o, usage, &o->c);
}

/* The --by key of a sample, into @buf. */
static void sample_key(struct top *t, const struct ltr_sample *s, char *buf,
		       size_t len)
{
	const struct lden_pidinfo *pi;
	const char *by = t->o.by ? t->o.by : "pid";
	const struct ltr_field *f;

	if (!strcmp(by, "pid")) {
		snprintf(buf, len, "%u", s->pid);
	} else if (!strcmp(by, "cpu")) {
		snprintf(buf, len, "%u", s->cpu);
	} else if (!strcmp(by, "comm") || !strcmp(by, "cgroup")) {
		pi = lden_pidinfo_get(t->pidinfo, (pid_t)s->pid);
		snprintf(buf, len, "%s", by[1] == 'o' ? pi->comm : pi->cgroup);
	} else {
		f = ltr_event__field(s->event, by);
		lden_row_reset(&t->scratch);
		if (f)
			lden_row_add_field(&t->scratch, f, s);
		snprintf(buf, len, "%s", t->scratch.n ? t->scratch.c[0].text : "-");
	}
	/* a separator would split the key into columns */
	for (char *p = buf; *p; p++)
		if (*p == LDEN_SEP[0])
			*p = ' ';
}

static int on_sample(const struct ltr_sample *s, void *ctx)
{
	struct top *t = ctx;
	uint64_t v[LDEN_TALLY_VALUES] = { 1 };
	const struct lden_part *p;
	char extra[512] = "", key[512];
	int i;

	if (t->recipe.def) {
		size_t len = t->recipe.def->capture ?
			t->recipe.def->capture(&t->recipe, s, extra,
					       sizeof(extra)) : 0;

		if (!len) {
			extra[0] = '\0';
			len = 1;
		}
		return t->recipe.def->sample(&t->recipe, s, extra, len, NULL) < 0;
	}
	i = lden_evlist_index(t->ev.att, t->ev.nevents, t->ev.nscopes, s);
	if (i < 0)
		return 0;
	t->sampled[i]++;
	p = ltr_event__user(s->event);
	if (p->size)
		v[1] = lden_size_eval(p->size, s);
	sample_key(t, s, key + snprintf(key, 200, "%s" LDEN_SEP, t->ev.att[i].label),
		   sizeof(key) - 200);
	return lden_tally_add(t->tally, key, v) < 0;
}

/*
 * An event the guard switched to counting has no more samples to split
 * by key: one row, TOP_COUNTED_KEY, with what the kernel counted since
 * the last table.
 */
static void add_counted(struct top *t)
{
	for (int i = 0; t->guard && i < t->ev.nevents; i++) {
		uint64_t v[LDEN_TALLY_VALUES] = { 0 }, now;
		char key[256];

		if (!lden_guard_find(t->guard, t->ev.att[i].label) ||
		    lden_guard_count(t->guard, t->ev.att[i].label, &now) < 0)
			continue;
		v[0] = now - t->counted[i];
		t->counted[i] = now;
		snprintf(key, sizeof(key), "%s" LDEN_SEP TOP_COUNTED_KEY,
			 t->ev.att[i].label);
		if (v[0])
			lden_tally_add(t->tally, key, v);
	}
}

/*
 * A switched event's rows so far are by key, one sample each, up to the
 * moment sampling was disabled; the kernel's count goes on from there.
 */
static void guard_said(struct lden_guard_action *a, void *ctx)
{
	struct top *t = ctx;

	for (int k = 0; k < t->ev.nevents; k++)
		if (!strcmp(t->ev.att[k].label, a->event))
			t->counted[k] = t->sampled[k];
}

static void print_table(struct top *t)
{
	struct lden_tally_view v = {
		.columns = t->columns,
		.nkeys = t->nkeys,
		.nvalues = t->nvalues,
		.sort_col = t->sort_col,
		.rows = t->o.rows,
		.json = t->o.c.json,
		.tty = t->tty,
		.interval = t->o.interval,
	};
	char when[32], *extra = NULL;
	size_t len;
	FILE *f;

	/* once the guard acted, every JSON block says what it did */
	if (t->o.c.json && t->guard && lden_guard_nactions(t->guard) &&
	    (f = open_memstream(&extra, &len))) {
		fputc('{', f);
		lden_guard_print_json(f, t->guard);
		fputc('}', f);
		if (fclose(f) == 0)
			v.json_extra = extra;
	}
	add_counted(t);
	lden_wall_time(lden_now_ns(), when, sizeof(when));
	lden_tally_print(stdout, t->tally, &v, when,
			 ltr_session__lost(t->s, -1));
	fflush(stdout);
	lden_tally_reset(t->tally);
	free(extra);
}

static int loop(struct top *t)
{
	uint64_t start = lden_now_ns(), next, end = 0;
	uint64_t step = (uint64_t)(t->o.interval * 1e9);

	next = start + step;
	if (t->o.c.time_limit > 0)
		end = start + (uint64_t)(t->o.c.time_limit * 1e9);
	while (!lden_stop_signal) {
		uint64_t now = lden_now_ns();
		int n;

		if (now >= next || (end && now >= end)) {
			ltr_session__drain(t->s, on_sample, t);
			print_table(t);
			next += step;
			if (next <= now)
				next = now + step;
			if (end && now >= end)
				return LDEN_EXIT_OK;
			continue;
		}
		n = ltr_session__poll(t->s, (int)((next - now) / 1000000 + 1) > 100 ?
				      100 : (int)((next - now) / 1000000 + 1),
				      on_sample, t);
		if (n < 0 && n != -EINTR) {
			lden_err("top: reading samples: %s", strerror(-n));
			return LDEN_EXIT_FAIL;
		}
		if (lden_guard_say(t->guard, lden_guard_tick(t->guard, t->s,
							lden_now(), on_sample, t),
				   "top", t->recipe.def ? "no more rows from it" :
				   "its rows stop, one row counts it all from now on",
				   guard_said, t) < 0)
			return LDEN_EXIT_FAIL;
		/* the command ended: its last table, then stop */
		if (lden_command_poll(&t->o.c.scope))
			break;
	}
	ltr_session__drain(t->s, on_sample, t);
	print_table(t);
	return LDEN_EXIT_OK;
}

/* --by: pid, comm, cgroup, cpu, or a field some event has. */
static int check_by(struct top *t)
{
	static const char *const keys[] = { "pid", "comm", "cgroup", "cpu" };
	const char *by = t->o.by;

	if (!by)
		return 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(by, keys[i]))
			return 0;
	if (lden_evlist_has_field(&t->ev, by))
		return 0;
	lden_err("top: bad --by key '%s' (pid, comm, cgroup, cpu, or a field of the events)",
		 by);
	return -1;
}

/* --sort: the value column, by name, case-insensitive. */
static int check_sort(struct top *t)
{
	char name[64];

	if (!t->o.sort)
		return 0;
	for (int c = 0; c < t->nvalues; c++) {
		lden_tally_column(t->columns, t->nkeys + c, name, sizeof(name));
		if (!strcasecmp(name, t->o.sort)) {
			t->sort_col = c;
			return 0;
		}
	}
	lden_tally_column(t->columns, t->nkeys, name, sizeof(name));
	lden_err("top: unknown --sort column '%s' (one of the value columns: %s)",
		 t->o.sort, strstr(t->columns, name));
	return -1;
}

static int attach_recipe(struct top *t, const struct lden_recipe_def *def)
{
	char err[1024];

	if (t->o.c.nevents > 1 || t->o.by || t->o.c.filter || t->o.c.comm) {
		lden_err("top: the recipe '%s' takes no other events, --by, --filter or --comm",
			 def->name);
		return LDEN_EXIT_USAGE;
	}
	t->recipe.def = def;
	t->recipe.tracing_dir = ltr_session__tracing_dir(t->s);
	t->recipe.tally = t->tally;
	snprintf(t->columns, sizeof(t->columns), "%s", def->columns);
	t->nkeys = def->nkeys;
	t->nvalues = 0;
	for (const char *p = def->columns; p; p = strchr(p + 1, ' '))
		t->nvalues++;
	t->nvalues -= t->nkeys;
	if (lden_recipe_attach(&t->recipe, t->s, &t->o.c.scope, err,
			       sizeof(err)) < 0) {
		lden_err("top: %s", err);
		return LDEN_EXIT_USAGE;
	}
	return 0;
}

static int attach_events(struct top *t)
{
	char msg[1024], by[64];
	bool size = false;
	int status;

	status = lden_evlist_attach(&t->ev, t->s, t->o.c.events, t->o.c.nevents,
				    t->o.c.filter, t->o.c.comm, &t->o.c.scope,
				    t->o.c.events_dir, msg, sizeof(msg));
	if (status) {
		lden_err("top: %s", msg);
		return status;
	}
	if (check_by(t) < 0)
		return LDEN_EXIT_USAGE;
	for (int i = 0; i < t->ev.nevents; i++)
		size |= t->ev.att[i].has_size;
	snprintf(by, sizeof(by), "%s", t->o.by ? t->o.by : "pid");
	for (char *p = by; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	snprintf(t->columns, sizeof(t->columns), "EVENT %s COUNT%s", by,
		 size ? " SIZE" : "");
	t->nkeys = 2;
	t->nvalues = size ? 2 : 1;
	return 0;
}

static int run(int argc, char **argv)
{
	struct top t = { 0 };
	struct ltr_session_opts so = { .wakeup_bytes = 4096 };
	const struct lden_recipe_def *def;
	int status;

	status = parse_opts(argc, argv, &t.o);
	if (status)
		return status < 0 ? 0 : status;
	def = lden_recipe_find("top", t.o.c.events[0]);
	lden_catch_stop_signals();
	t.tty = isatty(STDOUT_FILENO);
	/* samples read within a page: the process is likely still there */
	t.s = ltr_session__new(&so);
	if (!t.s) {
		lden_err("%s", ltr_last_error());
		return LDEN_EXIT_FAIL;
	}
	t.pidinfo = lden_pidinfo_cache_new(1000000000u);
	t.tally = lden_tally_new(TOP_MAX_KEYS);
	if (!t.pidinfo || !t.tally) {
		lden_err("out of memory");
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	status = lden_evopts_command_start(&t.o.c, "top");
	if (status)
		goto out;
	lden_attach_twins(lden_guard_opts_active(&t.o.c.guard));
	status = def ? attach_recipe(&t, def) : attach_events(&t);
	if (!status && check_sort(&t) < 0)
		status = LDEN_EXIT_USAGE;
	if (status)
		goto out;
	if (ltr_session__enable(t.s) < 0) {
		lden_err("%s", ltr_last_error());
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	if (def) {
		t.guard = lden_recipe_guard(&t.recipe, &t.o.c.guard, lden_now());
		if (!t.guard) {
			lden_err("out of memory");
			status = LDEN_EXIT_FAIL;
			goto out;
		}
	} else {
		t.guard = lden_evlist_guard(&t.ev, &t.o.c.guard, lden_now());
		t.counted = calloc((size_t)t.ev.nevents, sizeof(*t.counted));
		t.sampled = calloc((size_t)t.ev.nevents, sizeof(*t.sampled));
		if (!t.guard || !t.counted || !t.sampled) {
			lden_err("out of memory");
			status = LDEN_EXIT_FAIL;
			goto out;
		}
	}
	lden_command_go(&t.o.c.scope);
	status = loop(&t);
	status = lden_evopts_command_end(&t.o.c, stderr, status);
out:
	lden_command_abandon(&t.o.c.scope);
	lden_guard_free(t.guard);
	free(t.counted);
	free(t.sampled);
	ltr_session__free(t.s);
	lden_evlist_release(&t.ev);
	if (t.recipe.def && t.recipe.def->free)
		t.recipe.def->free(&t.recipe);
	lden_recipe_release(&t.recipe);
	lden_pidinfo_cache_free(t.pidinfo);
	lden_tally_free(t.tally);
	return status;
}

const struct lden_cmd lden_cmd_top = {
	.name = "top",
	.run = run,
	.summary = "a live table of events per process, cgroup, CPU or field (and net, drops)",
};
