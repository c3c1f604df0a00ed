// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden trace EVENT...: one line per event (time, CPU, pid, comm, the
 * fields), or a recipe's lines (exec, open, tcp-accept), until Ctrl-C or
 * --time; then a summary on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "clock.h"
#include "comms.h"
#include "evlist.h"
#include "evopts.h"
#include "guard.h"
#include "lden.h"
#include "lden-trace.h"
#include "pidinfo.h"
#include "recipe.h"
#include "row.h"
#include "sample-order.h"
#include "scope.h"

#define FIELDS_MAX 32
#define LDEN_OPT_STRINGS 0x4715

struct trace_opts {
	struct lden_evopts c;	/* the options shared with lden top */
	char *fields_buf;
	const char *fields[FIELDS_MAX + 1];
	bool failed;
	bool strings_given;
	enum lden_strings strings;
};

struct trace {
	struct trace_opts o;
	struct ltr_session *s;
	struct lden_evlist ev;
	int nscopes;
	uint64_t *counts;		/* per event, or [0] for a recipe */
	struct lden_recipe recipe;	/* def NULL: plain events */
	struct lden_sorder *order;	/* samples put in time order */
	int failed;			/* a recipe's error while ordered */
	struct lden_pidinfo_cache *pidinfo;
	struct lden_comms *comms;	/* tasks' names, plain events */
	bool comm_late;			/* the row's comm read from /proc */
	struct lden_row row;
	uint64_t *lost_seen;		/* per CPU */
	uint64_t missed_seen;		/* a recipe's probes' misses */
	uint64_t lines;
	struct lden_guard *guard;
};

static void usage(FILE *out)
{
	fputs("usage: lden trace EVENT... [--filter EXPR] [--comm NAME] [--fields A,B]\n"
	      "                  [--pid PID[,PID...] [--children] | --cgroup DIR]\n"
	      "                  [--json] [-t SEC] [--events-dir DIR]\n"
	      "       lden trace exec | open [--failed] | tcp-accept | socket [OPTIONS]\n"
	      "\n"
	      "Print kernel events as they happen, one line each: time, CPU, pid,\n"
	      "comm, event, then its fields.  Ctrl-C prints a summary to stderr.\n"
	      "\n"
	      "  -F, --fields A,B      print only these fields\n"
	      "      --failed          open: only the opens that failed\n"
	      "      --strings HOW     exec, open: auto (default), exact (copied by the\n"
	      "                        kernel at the call, at a cost), late (read\n"
	      "                        from the process afterwards, marked '?')\n"
	      "  -j, --json            one JSON object per line\n", out);
	fputs(lden_evopts_help, out);
	fputs("\n"
	      "EVENT: a name from 'lden list-events', SYSTEM:NAME[FILTER],\n"
	      "custom(FUNCTION) or uprobe(PATH:SYMBOL), as in lden notify.\n"
	      "Recipes:\n"
	      "  exec         PID PPID UID COMM FILENAME ARGV of new programs\n"
	      "  open         COMM PID TID PATH RESULT of open/openat/openat2\n"
	      "  tcp-accept   UID CMD PID PORT IP_SOURCE of accepted TCP connections\n"
	      "  socket       net/socket.c's functions (or the socket system calls),\n"
	      "               entry and return, indented per thread (socket-trace.stp)\n"
	      "See lden-trace(8).\n", out);
}

static int split_fields(struct trace_opts *o, const char *arg)
{
	int n = 0;

	o->fields_buf = strdup(arg);
	if (!o->fields_buf)
		return -1;
	for (char *tok = strtok(o->fields_buf, ","); tok;
	     tok = strtok(NULL, ",")) {
		if (n == FIELDS_MAX) {
			lden_err("trace: more than %d fields in --fields", FIELDS_MAX);
			return -1;
		}
		o->fields[n++] = tok;
	}
	if (!n) {
		lden_err("trace: --fields needs field names");
		return -1;
	}
	o->fields[n] = NULL;
	return 0;
}

static int trace_option(int c, const char *arg, void *ctx)
{
	struct trace_opts *o = ctx;

	switch (c) {
	case 'F':
		return split_fields(o, arg) < 0 ? LDEN_EXIT_USAGE : 0;
	case 'x':
		o->failed = true;
		return 0;
	case LDEN_OPT_STRINGS:
		if (lden_strings_parse(arg, &o->strings) < 0) {
			lden_err("trace: invalid --strings value '%s' (auto, exact or late)",
				 arg);
			return LDEN_EXIT_USAGE;
		}
		o->strings_given = true;
		return 0;
	default:
		return 1;
	}
}

static int parse_opts(int argc, char **argv, struct trace_opts *o)
{
	static const struct option longopts[] = {
		{ "fields", required_argument, NULL, 'F' },
		{ "failed", no_argument, NULL, 'x' },
		{ "strings", required_argument, NULL, LDEN_OPT_STRINGS },
		{ NULL, 0, NULL, 0 },
	};

	return lden_evopts_parse(argc, argv, "trace", longopts, "F:",
				 trace_option, o, usage, &o->c);
}

/* Bounds of the time-ordering buffer: past them, it is flushed at once. */
#define ORDER_MAX_RECORDS 262144
#define ORDER_MAX_BYTES (64u << 20)

static int on_ordered(const struct ltr_sample *s, void *ctx);

/* At arrival: what must be read from the process before it moves on. */
static int on_arrival(const struct ltr_sample *s, void *ctx)
{
	struct trace *t = ctx;
	char extra[8192] = "";
	size_t len = 0;
	int rc;

	if (t->recipe.def) {
		if (t->recipe.def->capture)
			len = t->recipe.def->capture(&t->recipe, s, extra,
						     sizeof(extra));
	} else if (!lden_comms_owns(t->comms, s)) {
		/* the name now, in case no fork, exec or rename names it */
		const struct lden_pidinfo *pi = lden_pidinfo_get(t->pidinfo,
								 (pid_t)s->tid);

		snprintf(extra, sizeof(extra), "%s", pi->comm);
		len = strlen(extra) + 1;
	}
	if (!len) {
		extra[0] = '\0';
		len = 1;
	}
	rc = lden_sorder_add_extra(t->order, s, extra, len);
	if (rc == -ENOSPC) {
		/* a reader far behind: print what is held, out of order */
		lden_sorder_note_forced(t->order);
		lden_sorder_flush(t->order, UINT64_MAX, on_ordered, t);
		rc = lden_sorder_add_extra(t->order, s, extra, len);
	}
	/* out of memory: stop, leaving the rest in the rings for later */
	return rc == -ENOMEM;
}

static void print_row(struct trace *t, const char *event)
{
	char line[20000];

	if (t->o.c.json) {
		/* time cpu pid tid comm event, then the event's fields */
		struct json_object *o = lden_row_json(&t->row,
						      t->recipe.def ? -1 : 6);

		if (o && !t->recipe.def)
			json_object_object_add(o, "comm_source",
				json_object_new_string(t->comm_late ? "late" : "exact"));
		if (o) {
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
			json_object_put(o);
		}
	} else if (t->recipe.def && t->recipe.def->text) {
		t->recipe.def->text(&t->row, line, sizeof(line));
		puts(line);
	} else if (event) {
		/* time cpu pid[/tid] comm event fields... */
		char pt[32];

		snprintf(pt, sizeof(pt), "%s%s%s", t->row.c[2].text,
			 strcmp(t->row.c[2].text, t->row.c[3].text) ? "/" : "",
			 strcmp(t->row.c[2].text, t->row.c[3].text) ?
			 t->row.c[3].text : "");
		lden_row_format(&t->row, 6, true, line, sizeof(line));
		char comm[24];

		snprintf(comm, sizeof(comm), "%s%s", t->row.c[4].text,
			 t->comm_late ? "?" : "");
		printf("%s %3s %7s %-16s %s %s\n", t->row.c[0].text,
		       t->row.c[1].text, pt, comm, event, line);
	} else {
		lden_row_print_columns(stdout, &t->row);
	}
	t->lines++;
}

static int on_ordered(const struct ltr_sample *s, void *ctx)
{
	struct trace *t = ctx;
	size_t len;
	const char *extra = lden_sorder_extra(t->order, &len);
	const char *comm;
	char when[32];
	int i;

	lden_row_reset(&t->row);
	lden_wall_time(s->time, when, sizeof(when));
	lden_row_add(&t->row, "time", false, "%s", when);
	if (t->recipe.def) {
		int rc;

		/* one sample may make several lines */
		do {
			rc = t->recipe.def->sample(&t->recipe, s, extra, len,
						   &t->row);
			if (rc < 0) {
				t->failed = rc;
				return rc;
			}
			if (rc > 0) {
				t->counts[0]++;
				print_row(t, NULL);
				lden_row_reset(&t->row);
				lden_row_add(&t->row, "time", false, "%s", when);
			}
		} while (rc == LDEN_RECIPE_MORE);
		return 0;
	}
	if (lden_comms_feed(t->comms, s))
		return 0;
	i = lden_evlist_index(t->ev.att, t->ev.nevents, t->nscopes, s);
	if (i < 0)
		return 0;
	t->counts[i]++;
	comm = lden_comms_get(t->comms, (pid_t)s->tid);
	t->comm_late = !comm;
	if (!comm)
		comm = extra && *extra ? extra : "?";
	lden_row_add(&t->row, "cpu", true, "%u", s->cpu);
	lden_row_add(&t->row, "pid", true, "%u", s->pid);
	lden_row_add(&t->row, "tid", true, "%u", s->tid);
	lden_row_add(&t->row, "comm", false, "%s", comm);
	lden_row_add(&t->row, "event", false, "%s", t->ev.att[i].label);
	lden_row_add_fields(&t->row, s, t->o.fields[0] ? t->o.fields : NULL);
	print_row(t, t->o.c.json ? NULL : t->ev.att[i].label);
	return 0;
}

/* "-- lost N records on CPU c --" for each CPU whose count grew. */
static void report_lost(struct trace *t)
{
	for (int c = 0; c < ltr_session__ncpus(t->s); c++) {
		uint64_t lost = ltr_session__lost(t->s, c);

		if (lost <= t->lost_seen[c])
			continue;
		if (t->o.c.json)
			printf("{\"lost\":%llu,\"cpu\":%d}\n",
			       (unsigned long long)(lost - t->lost_seen[c]), c);
		else
			printf("-- lost %llu records on CPU %d --\n",
			       (unsigned long long)(lost - t->lost_seen[c]), c);
		t->lost_seen[c] = lost;
	}
}

/* "-- kprobes missed N hits --" when a recipe's probes' misses grew. */
static void report_missed(struct trace *t)
{
	uint64_t m;

	if (!t->recipe.def || !t->recipe.def->missed ||
	    t->recipe.def->missed(&t->recipe, &m) < 0 || m <= t->missed_seen)
		return;
	if (t->o.c.json)
		printf("{\"missed\":%llu}\n",
		       (unsigned long long)(m - t->missed_seen));
	else
		printf("-- kprobes missed %llu hits (of any process: a return with no free instance, or a hit while another probe ran): lines of them are not shown --\n",
		       (unsigned long long)(m - t->missed_seen));
	t->missed_seen = m;
}

/* The guard's action, inline in the output too (lines stop there). */
#define TRACE_GUARD_EFFECT "no more lines for it, its count goes on"

static void guard_said(struct lden_guard_action *a, void *ctx)
{
	struct trace *t = ctx;
	char msg[512];

	lden_guard_message_for(a, TRACE_GUARD_EFFECT, msg, sizeof(msg));
	if (t->o.c.json) {
		fputs("{\"guard\":", stdout);
		lden_guard_print_action_json(stdout, a);
		fputs("}\n", stdout);
	} else {
		printf("-- %s --\n", msg);
	}
}

static int loop(struct trace *t)
{
	uint64_t start = lden_now_ns(), end = 0, lost_at = 0;

	if (t->o.c.time_limit > 0)
		end = start + (uint64_t)(t->o.c.time_limit * 1e9);
	while (!lden_stop_signal) {
		uint64_t mark = lden_now_ns();
		int n;

		if ((end && mark >= end) || lden_command_poll(&t->o.c.scope))
			break;
		n = ltr_session__poll(t->s, 100, on_arrival, t);
		if (n < 0 && n != -EINTR) {
			lden_err("trace: reading samples: %s", strerror(-n));
			return LDEN_EXIT_FAIL;
		}
		lden_sorder_flush(t->order, mark, on_ordered, t);
		if (t->failed ||
		    lden_guard_say(t->guard, lden_guard_tick(t->guard, t->s,
						     lden_now(), on_arrival, t),
				   "trace", TRACE_GUARD_EFFECT, guard_said,
				   t) < 0)
			return LDEN_EXIT_FAIL;
		/* the counters cost a read per event and CPU: not per batch */
		if (mark - lost_at > 100000000u) {
			report_lost(t);
			/* a read of kprobe_profile: once a second */
			if ((mark - start) / 1000000000u !=
			    (lost_at - start) / 1000000000u)
				report_missed(t);
			lost_at = mark;
		}
		fflush(stdout);
	}
	ltr_session__drain(t->s, on_arrival, t);
	lden_sorder_flush(t->order, UINT64_MAX, on_ordered, t);
	report_lost(t);
	report_missed(t);
	fflush(stdout);
	return LDEN_EXIT_OK;
}

/*
 * One event's line: the lines printed; for an event the guard switched,
 * the kernel's exact count instead, and when its lines stopped.
 */
static void summary_event(struct trace *t, int i)
{
	const char *label = t->ev.att[i].label;
	struct lden_guard_action *a = t->guard ?
		lden_guard_find(t->guard, label) : NULL;
	uint64_t count = t->counts[i];
	char note[256];

	if (a && lden_guard_count(t->guard, label, &count) < 0)
		count = t->counts[i];
	fprintf(stderr, "  %-40s %12llu\n", label, (unsigned long long)count);
	if (a) {
		lden_guard_note(a, "lines stopped", note, sizeof(note));
		fprintf(stderr, "    %s after %llu; the count is the kernel's\n",
			note, (unsigned long long)t->counts[i]);
	}
}

/* The recipe's tracepoints the guard switched: their exact counts. */
static void summary_recipe_guard(struct trace *t)
{
	char note[256];
	uint64_t n;

	for (int i = 0; t->guard && i < lden_guard_nactions(t->guard); i++) {
		const struct lden_guard_action *a = lden_guard_action(t->guard, i);

		if (lden_guard_count(t->guard, a->event, &n) < 0)
			continue;
		lden_guard_note(a, "lines stopped", note, sizeof(note));
		fprintf(stderr, "  %-40s %12llu\n    %s; the count is the kernel's\n",
			a->event, (unsigned long long)n, note);
	}
}

/* How the strings shown were obtained. */
static void summary_strings(struct trace *t)
{
	struct lden_strcap *c = t->recipe.strcap;
	char what[32];

	if (!c)
		return;
	snprintf(what, sizeof(what), "%s", t->recipe.def == &lden_recipe_exec ?
		 "arguments" : "paths");
	fprintf(stderr, "  %s: %llu exact (copied at the call), %llu late (read afterwards, marked ?), %llu unavailable\n",
		what,
		(unsigned long long)lden_strcap_counted(c, LDEN_PROV_EXACT),
		(unsigned long long)lden_strcap_counted(c, LDEN_PROV_LATE),
		(unsigned long long)lden_strcap_counted(c, LDEN_PROV_NONE));
}

static void summary(struct trace *t, double secs)
{
	uint64_t lost = ltr_session__lost(t->s, -1);

	fprintf(stderr, "lden: trace stopped after %.1f s\n", secs);
	if (t->recipe.def) {
		fprintf(stderr, "  %-40s %12llu\n", t->recipe.def->name,
			(unsigned long long)t->counts[0]);
		summary_strings(t);
		if (t->recipe.unmatched)
			fprintf(stderr, "  %-40s %12llu\n", "unpaired (enter or exit not seen)",
				(unsigned long long)t->recipe.unmatched);
		if (t->recipe.dropped)
			fprintf(stderr, "  %-40s %12llu\n", "dropped (pairing table full)",
				(unsigned long long)t->recipe.dropped);
		if (t->missed_seen)
			fprintf(stderr, "  %-40s %12llu\n", "missed by kprobes (any process)",
				(unsigned long long)t->missed_seen);
		summary_recipe_guard(t);
	} else {
		for (int i = 0; i < t->ev.nevents; i++)
			summary_event(t, i);
	}	fprintf(stderr, "  %-40s %12llu\n", "lost records",
		(unsigned long long)lost);
}

/* A recipe's header: "# name: value" lines, or one JSON object. */
static void print_header(struct trace *t)
{
	lden_row_reset(&t->row);
	if (t->recipe.def->header(&t->recipe, &t->row) < 0)
		return;
	if (t->o.c.json) {
		struct json_object *o = lden_row_json(&t->row, -1), *h;

		h = json_object_new_object();
		if (o && h) {
			json_object_object_add(h, "header", o);
			puts(json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN));
			o = NULL;
		}
		json_object_put(o);
		json_object_put(h);
		return;
	}
	for (int i = 0; i < t->row.n; i++)
		printf("# %s: %s\n", t->row.c[i].name, t->row.c[i].text);
}

static int attach_events(struct trace *t)
{
	char msg[1024];
	int status;

	status = lden_evlist_attach(&t->ev, t->s, t->o.c.events, t->o.c.nevents,
				    t->o.c.filter, t->o.c.comm, &t->o.c.scope,
				    t->o.c.events_dir, msg, sizeof(msg));
	if (status) {
		lden_err("trace: %s", msg);
		return status;
	}
	t->counts = calloc(t->ev.nevents, sizeof(*t->counts));
	t->comms = lden_comms_new();
	if (!t->counts || !t->comms)
		return LDEN_EXIT_FAIL;
	for (int k = 0; t->o.fields[k]; k++) {
		if (!lden_evlist_has_field(&t->ev, t->o.fields[k])) {
			lden_err("trace: no event has a field '%s' (--fields)",
				 t->o.fields[k]);
			return LDEN_EXIT_USAGE;
		}
	}
	/* without the task tracepoints, every name is read late (marked) */
	status = lden_comms_attach(t->comms, t->s, &t->o.c.scope, msg,
				   sizeof(msg));
	if (status < 0 && status != -ENOENT) {
		lden_err("trace: %s", msg);
		return LDEN_EXIT_FAIL;
	}
	return 0;
}

static int attach_recipe(struct trace *t, const struct lden_recipe_def *def)
{
	char err[1024];

	bool strings = def == &lden_recipe_open || def == &lden_recipe_exec;

	if (t->o.c.nevents > 1 || t->o.c.filter || t->o.fields[0] ||
	    (t->o.failed && def != &lden_recipe_open) ||
	    (t->o.strings_given && !strings)) {
		lden_err("trace: the recipe '%s' takes no other events, --filter, --fields%s%s",
			 def->name, def != &lden_recipe_open ? " or --failed" : "",
			 strings ? "" : " or --strings");
		return LDEN_EXIT_USAGE;
	}
	if (t->o.c.comm && (strpbrk(t->o.c.comm, "\"\\") ||
			    strlen(t->o.c.comm) > 15 || !*t->o.c.comm)) {
		lden_err("trace: invalid --comm value '%s' (a process name of 1 to 15 characters, no quotes)",
			 t->o.c.comm);
		return LDEN_EXIT_USAGE;
	}
	t->recipe.def = def;
	t->recipe.failed_only = t->o.failed;
	t->recipe.comm = t->o.c.comm;
	t->recipe.strings = t->o.strings;
	t->recipe.tracing_dir = ltr_session__tracing_dir(t->s);
	t->recipe.events_dir = t->o.c.events_dir;
	t->counts = calloc(1, sizeof(*t->counts));
	if (!t->counts)
		return LDEN_EXIT_FAIL;
	if (lden_recipe_attach(&t->recipe, t->s, &t->o.c.scope, err,
			       sizeof(err)) < 0) {
		lden_err("trace: %s", err);
		return LDEN_EXIT_USAGE;
	}
	return 0;
}

static int run(int argc, char **argv)
{
	struct trace t = { 0 };
	struct ltr_session_opts so = { .wakeup_bytes = 1 };
	const struct lden_recipe_def *def;
	uint64_t start;
	int status;

	status = parse_opts(argc, argv, &t.o);
	if (status) {
		free(t.o.fields_buf);
		return status < 0 ? 0 : status;
	}
	def = lden_recipe_find("trace", t.o.c.events[0]);
	if ((t.o.failed || t.o.strings_given) && !def) {
		lden_err("trace: %s", t.o.failed ?
			 "--failed goes with the recipe 'open'" :
			 "--strings goes with the recipes 'open' and 'exec'");
		free(t.o.fields_buf);
		return LDEN_EXIT_USAGE;
	}
	lden_catch_stop_signals();
	/*
	 * samples are read at once: the process's memory is still there;
	 * but a failed open's exit reads nothing the kernel did not keep
	 * (its enter is recalled), so those are read in batches
	 */
	if (t.o.failed)
		so.wakeup_bytes = 16384;
	t.s = ltr_session__new(&so);
	if (!t.s) {
		lden_err("%s", ltr_last_error());
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	t.nscopes = lden_scope_count(&t.o.c.scope);
	t.order = lden_sorder_new(ORDER_MAX_RECORDS, ORDER_MAX_BYTES);
	t.pidinfo = lden_pidinfo_cache_new(100000000u);
	t.lost_seen = calloc((size_t)ltr_session__ncpus(t.s),
			     sizeof(*t.lost_seen));
	if (!t.order || !t.pidinfo || !t.lost_seen) {
		lden_err("out of memory");
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	status = lden_evopts_command_start(&t.o.c, "trace");
	if (status)
		goto out;
	lden_attach_twins(lden_guard_opts_active(&t.o.c.guard));
	status = def ? attach_recipe(&t, def) : attach_events(&t);
	if (status)
		goto out;
	if (ltr_session__enable(t.s) < 0) {
		lden_err("%s", ltr_last_error());
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	{
		t.guard = def ? lden_recipe_guard(&t.recipe, &t.o.c.guard,
						  lden_now()) :
				lden_evlist_guard(&t.ev, &t.o.c.guard, lden_now());
		if (!t.guard) {
			lden_err("out of memory");
			status = LDEN_EXIT_FAIL;
			goto out;
		}
	}
	/* on stderr: tests and scripts wait for it */
	fprintf(stderr, "lden: tracing %s%s (Ctrl-C to stop)\n",
		def ? "recipe " : "", def ? def->name : t.o.c.events[0]);
	if (t.recipe.strcap) {
		char how[2048];

		lden_strcap_describe(t.recipe.strcap, how, sizeof(how));
		fprintf(stderr, "lden: %s\n", how);
	}
	if (def && def->header)
		print_header(&t);
	if (def && def->columns && !t.o.c.json)
		lden_row_print_header(stdout, def->columns);
	fflush(stdout);
	start = lden_now_ns();
	lden_command_go(&t.o.c.scope);
	status = loop(&t);
	summary(&t, (double)(lden_now_ns() - start) / 1e9);
	status = lden_evopts_command_end(&t.o.c, stderr, status);
out:
	lden_command_abandon(&t.o.c.scope);
	lden_guard_free(t.guard);
	ltr_session__free(t.s);
	lden_evlist_release(&t.ev);
	lden_comms_free(t.comms);
	if (t.recipe.def && t.recipe.def->free)
		t.recipe.def->free(&t.recipe);
	lden_recipe_release(&t.recipe);
	lden_sorder_free(t.order);
	lden_pidinfo_cache_free(t.pidinfo);
	free(t.counts);
	free(t.lost_seen);
	free(t.o.fields_buf);
	return status;
}

const struct lden_cmd lden_cmd_trace = {
	.name = "trace",
	.run = run,
	.summary = "print kernel events as they happen (and recipes: exec, open, tcp-accept, socket)",
};
