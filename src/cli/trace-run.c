// SPDX-License-Identifier: GPL-2.0-or-later
/* A run of lden trace (see trace-run.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "aggregate.h"
#include "cli.h"
#include "escape.h"
#include "clock.h"
#include "lden.h"
#include "trace-run.h"

/* Bounds of the time-ordering buffer: past them, it is flushed at once. */
#define ORDER_MAX_RECORDS 262144
#define ORDER_MAX_BYTES (64u << 20)

static int on_ordered(const struct ltr_sample *s, void *ctx);

/* At arrival: what must be read from the process before it moves on. */
static int on_arrival(const struct ltr_sample *s, void *ctx)
{
	struct lden_trace *t = ctx;
	char extra[8192] = "";
	size_t len = 0;
	int rc;

	/* --netns, and the namespaces shown: read at arrival; the
	 * container too where the sample has no cgroup id */
	if (!lden_comms__owns(t->comms, s)) {
		if (!lden_run__keep(t->run, s))
			return 0;
		if (t->o.ns || (t->o.show_container &&
				!(s->flags & LTR_SAMPLE_CGROUP)))
			lden_run__ns(t->run, (pid_t)s->tid);
		/* a cgroup new to lden: found now, before it may go */
		if (t->o.show_container && (s->flags & LTR_SAMPLE_CGROUP))
			lden_run__cgroup_seen(t->run, s->cgroup);
	}
	if (t->recipe.def) {
		if (t->recipe.def->capture && !lden_comms__owns(t->comms, s))
			len = t->recipe.def->capture(&t->recipe, s, extra,
						     sizeof(extra));
	} else if (!lden_comms__owns(t->comms, s) &&
		   !lden_comms__get(t->comms, (pid_t)s->tid)) {
		/* the name now, in case no fork, exec or rename names it
		 * (one already named needs no read of /proc) */
		const struct lden_pidinfo *pi = lden_pidinfo__get(t->pidinfo,
								 (pid_t)s->tid);

		/* gone: no name (empty) */
		snprintf(extra, sizeof(extra), "%s",
			 pi->comm_known ? pi->comm : "");
		len = strlen(extra) + 1;
	}
	if (!len) {
		extra[0] = '\0';
		len = 1;
	}
	rc = lden_sorder__add_extra(t->order, s, extra, len);
	if (rc == -ENOSPC) {
		/* a reader far behind: print what is held, out of order */
		lden_sorder__note_forced(t->order);
		/* a rename lost since: older names not exact */
		lden_comms__check_lost(t->comms, lden_sorder__held(t->order));
		lden_sorder__flush(t->order, UINT64_MAX, on_ordered, t);
		rc = lden_sorder__add_extra(t->order, s, extra, len);
	}
	/* out of memory: stop, leaving the rest in the rings for later */
	return rc == -ENOMEM;
}

/*
 * --show-container's column: the name escaped, its spaces too (a cgroup's
 * name holds any byte); exact from the record's cgroup id, else followed
 * by '?': read from /proc at the task's first record, not at this one
 * (late); "?" alone when unknown.
 */
static void put_container(const struct lden_trace *t)
{
	char c[4 * LDEN_CONTAINER_MAX + 1];
	const char *n = t->ctr.name;
	size_t len;

	if (t->ctr.prov == LDEN_PROV_NONE)
		snprintf(c, sizeof(c), "?");
	else {
		len = lden_escape__text(n, strlen(n), LDEN_ESC_QMARK_LAST |
					LDEN_ESC_SPACE, c, sizeof(c) - 1);
		c[len] = t->ctr.prov == LDEN_PROV_LATE ? '?' : '\0';
		c[len + 1] = '\0';
	}
	printf("%-12s ", c);
}

/*
 * --ns: "ns": {"net": inode, ...} (null where unknown), "ns_source":
 * "read" (from /proc at the task's first sample) or "unknown" (it
 * exited first); --show-container: "container", "container_source"
 * (exact: the record's cgroup id; late: /proc at the task's first
 * record; unknown: "?", and "container_why").
 */
static void add_ns_json(struct lden_trace *t, struct json_object *o)
{
	struct json_object *ns;

	if (t->o.show_container) {
		const char *c = t->ctr.name;

		/* the exact bytes: any a cgroup's name holds */
		json_object_object_add(o, "container", lden_json_text(c));
		json_object_object_add(o, "container_source",
			json_object_new_string(
				t->ctr.prov == LDEN_PROV_EXACT ? "exact" :
				t->ctr.prov == LDEN_PROV_LATE ? "late" :
								"unknown"));
		if (t->ctr.prov == LDEN_PROV_NONE)
			json_object_object_add(o, "container_why",
				json_object_new_string(
					lden_run__container_why(t->ctr.err)));
		if (!lden_utf8_valid(c, strlen(c))) {
			char hex[2 * LDEN_CONTAINER_MAX + 1];

			lden_hex(c, hex, sizeof(hex));
			json_object_object_add(o, "container_hex",
					       json_object_new_string(hex));
		}
	}
	if (!t->o.ns || !(ns = json_object_new_object()))
		return;
	for (int k = 0; k < LTR_NS_COUNT; k++)
		json_object_object_add(ns, ltr_ns__name((enum ltr_ns)k),
			t->nsi.ns[k] ? json_object_new_int64((int64_t)t->nsi.ns[k]) :
				       NULL);
	json_object_object_add(o, "ns", ns);
	json_object_object_add(o, "ns_source", json_object_new_string(
		t->nsi.known ? "read" : "unknown"));
}

/*
 * Whether the line's process's records may be missing (a reused id,
 * ltr_session__follow_doubt(), decided or not yet): counted, and in
 * text the legend of its mark before the first such line.
 */
static bool row_doubted(struct lden_trace *t)
{
	if (ltr_session__follow_doubt(t->s, t->pid, (uint32_t)t->tid,
				      t->time) == LTR_DOUBT_NONE)
		return false;
	t->doubted++;
	if (!t->o.c.json && !t->doubt_said)
		printf("-- !: the lines so marked are of a process whose records may be missing (it was given the id of an earlier process of the command: see the line at the end) --\n");
	t->doubt_said = true;
	return true;
}

static void print_row(struct lden_trace *t, const char *event)
{
	/* not on the stack: a row's strings escaped (row.h) */
	static char line[LDEN_ROW_TEXT_MAX];
	bool doubt = row_doubted(t);

	if (t->o.show_container) {
		/* the container at this line's record */
		lden_run__container(t->run, t->tid, t->has_cgroup, t->cgroup,
				    &t->ctr);
		lden_run__container_shown(t->run, &t->ctr);
	}

	if (t->o.c.json) {
		/* time cpu pid tid comm event, then the event's fields */
		struct json_object *o = lden_row__json(&t->row,
						      t->recipe.def ? -1 : 6);

		/* no name: null, as top shows it ("?" may be a name) */
		if (o && !t->recipe.def && t->comm_prov == LDEN_PROV_NONE)
			json_object_object_add(o, "comm", NULL);
		if (o && !t->recipe.def)
			json_object_object_add(o, "comm_source",
				json_object_new_string(lden_prov__name(
					(enum lden_prov)t->comm_prov)));
		if (o)
			add_ns_json(t, o);
		if (o && doubt)
			json_object_object_add(o, "records_may_be_missing",
					       json_object_new_boolean(1));
		if (o) {
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		}
	} else if (t->recipe.def && t->recipe.def->text) {
		t->recipe.def->text(&t->row, line, sizeof(line));
		if (t->o.show_container)
			put_container(t);
		fputs(line, stdout);
		puts(doubt ? "  !" : "");
	} else if (event) {
		/* time cpu pid[/tid] comm event fields... */
		char pt[32];

		snprintf(pt, sizeof(pt), "%s%s%s%s", t->row.c[2].text,
			 strcmp(t->row.c[2].text, t->row.c[3].text) ? "/" : "",
			 strcmp(t->row.c[2].text, t->row.c[3].text) ?
			 t->row.c[3].text : "", doubt ? "!" : "");
		lden_row__format(&t->row, 6, true, line, sizeof(line));
		char comm[80];
		size_t k;

		/* any byte may be in a name: escaped, one line per row; a
		 * name ending in '?' is told apart from the late mark */
		if (t->comm_prov == LDEN_PROV_NONE) {
			snprintf(comm, sizeof(comm), "?");
		} else {
			k = lden_escape__text(t->row.c[4].text,
					      strlen(t->row.c[4].text),
					      LDEN_ESC_QMARK_LAST | LDEN_ESC_SPACE,
					      comm, sizeof(comm) - 1);
			if (t->comm_prov == LDEN_PROV_LATE)
				snprintf(comm + k, sizeof(comm) - k, "?");
		}
		printf("%s %3s %7s %-16s ", t->row.c[0].text, t->row.c[1].text,
		       pt, comm);
		if (t->o.show_container)
			put_container(t);
		/* one column: an event's filter has spaces, any byte */
		lden_fputs_escaped(stdout, event, LDEN_ESC_SPACE);
		printf(" %s\n", line);
	} else {
		if (t->o.show_container)
			put_container(t);
		if (doubt) {
			/* the mark at the line's end */
			char *text = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&text, &len);

			if (m) {
				lden_row__print_columns(m, &t->row);
				fclose(m);
			}
			if (text && len && text[len - 1] == '\n')
				text[len - 1] = '\0';
			printf("%s  !\n", text ? text : "");
			free(text);
		} else {
			lden_row__print_columns(stdout, &t->row);
		}
	}
	t->lines++;
}

static int on_ordered(const struct ltr_sample *s, void *ctx)
{
	struct lden_trace *t = ctx;
	size_t len;
	const char *extra = lden_sorder__extra(t->order, &len);
	const char *comm;
	char when[32];
	int i;

	if (!lden_comms__owns(t->comms, s) && t->o.ns)
		t->nsi = *lden_run__ns(t->run, (pid_t)s->tid);
	/* --show-container: its lines' container from this record */
	t->tid = (pid_t)s->tid;
	t->pid = s->pid;
	t->time = s->time;
	t->has_cgroup = s->flags & LTR_SAMPLE_CGROUP;
	t->cgroup = s->cgroup;
	lden_row__reset(&t->row);
	lden_wall_time(s->time, when, sizeof(when));
	lden_row__add(&t->row, "time", false, "%s", when);
	if (t->recipe.def) {
		int rc;

		/* the tasks' names, in time order, before their records */
		if (lden_comms__feed(t->comms, s))
			return 0;
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
				lden_row__reset(&t->row);
				lden_row__add(&t->row, "time", false, "%s", when);
			}
		} while (rc == LDEN_RECIPE_MORE);
		return 0;
	}
	if (lden_comms__feed(t->comms, s))
		return 0;
	i = lden_evlist__index(t->ev.att, t->ev.nevents, t->nscopes, s);
	if (i < 0)
		return 0;
	t->counts[i]++;
	comm = lden_comms__get(t->comms, (pid_t)s->tid);
	t->comm_prov = LDEN_PROV_EXACT;
	if (!comm) {
		/* named at arrival, but a rename may have been lost: read
		 * now; a task gone by then has no name to show */
		if (!(extra && *extra)) {
			const struct lden_pidinfo *pi =
				lden_pidinfo__get(t->pidinfo, (pid_t)s->tid);

			extra = pi->comm_known ? pi->comm : NULL;
		}
		comm = extra && *extra ? extra : "?";
		t->comm_prov = extra && *extra ? LDEN_PROV_LATE : LDEN_PROV_NONE;
	}
	t->comm_provs[t->comm_prov]++;
	lden_row__add(&t->row, "cpu", true, "%u", s->cpu);
	lden_row__add(&t->row, "pid", true, "%u", s->pid);
	lden_row__add(&t->row, "tid", true, "%u", s->tid);
	lden_row__add(&t->row, "comm", false, "%s", comm);
	lden_row__add(&t->row, "event", false, "%s", t->ev.att[i].label);
	lden_row__add_fields(&t->row, s, t->o.fields[0] ? t->o.fields : NULL);
	print_row(t, t->o.c.json ? NULL : t->ev.att[i].label);
	return 0;
}

/*
 * --json: each process whose records may be missing, once known, inline
 * (its lines are marked; one with none missing would show nothing):
 * {"records_may_be_missing":{"pid":N,"from":TIME,"to":TIME or null (its
 * end),"taken_out":B,"put_back":B,"started":K}}, as the line at the end
 */
static void report_gaps(struct lden_trace *t)
{
	const struct ltr_follow_gap *g;
	char from[32], to[32];
	size_t n;

	if (!t->o.c.json)
		return;
	g = ltr_session__follow_gaps(t->s, &n);
	for (; t->gaps_said < n; t->gaps_said++) {
		const struct ltr_follow_gap *p = &g[t->gaps_said];

		lden_wall_time(p->from, from, sizeof(from));
		if (p->to != UINT64_MAX)
			lden_wall_time(p->to, to, sizeof(to));
		printf("{\"records_may_be_missing\":{\"pid\":%u,\"from\":\"%s\",\"to\":%s%s%s,\"taken_out\":%s,\"put_back\":%s,\"started\":%u}}\n",
		       p->pid, from, p->to != UINT64_MAX ? "\"" : "",
		       p->to != UINT64_MAX ? to : "null",
		       p->to != UINT64_MAX ? "\"" : "",
		       p->taken_out ? "true" : "false",
		       p->put_back ? "true" : "false", p->started);
	}
}

/* "-- lost N records on CPU c --" for each CPU whose count grew. */
static void report_lost(struct lden_trace *t)
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
static void report_missed(struct lden_trace *t)
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
	struct lden_trace *t = ctx;
	char msg[512];

	lden_guard__message_for(a, TRACE_GUARD_EFFECT, msg, sizeof(msg));
	if (t->o.c.json) {
		fputs("{\"guard\":", stdout);
		lden_guard__print_action_json(stdout, a);
		fputs("}\n", stdout);
	} else {
		printf("-- %s --\n", msg);
	}
}

/* Before a read: what arrived before now can be put in order. */
static int before_read(void *ctx, double now)
{
	struct lden_trace *t = ctx;

	t->mark = lden_now_ns();
	return 100;
}

static int after_read(void *ctx, double now)
{
	struct lden_trace *t = ctx;
	uint64_t done = ltr_session__complete_until(t->s);

	/* a CPU's records may wait in the ring (ltr_session__poll) */
	/* a rename lost since: older names not exact */
	lden_comms__check_lost(t->comms, lden_sorder__held(t->order));
	lden_sorder__flush(t->order, done < t->mark ? done : t->mark,
			   on_ordered, t);
	report_gaps(t);
	return t->failed;
}

static void after_guard(void *ctx, double now)
{
	struct lden_trace *t = ctx;

	/* the counters cost a read per event and CPU: not per batch */
	if (t->mark - t->lost_at > 100000000u) {
		report_lost(t);
		/* a read of kprobe_profile: once a second */
		if ((t->mark - t->start) / 1000000000u !=
		    (t->lost_at - t->start) / 1000000000u)
			report_missed(t);
		t->lost_at = t->mark;
	}
	lden_stdout__flush();
}

static void last(void *ctx)
{
	struct lden_trace *t = ctx;

	/* a rename lost since: older names not exact */
	lden_comms__check_lost(t->comms, lden_sorder__held(t->order));
	lden_sorder__flush(t->order, UINT64_MAX, on_ordered, t);
	report_gaps(t);
	report_lost(t);
	report_missed(t);
	lden_stdout__flush();
}

int lden_trace__loop(struct lden_trace *t)
{
	const struct lden_run_loop l = {
		.on_sample = on_arrival, .wait = before_read,
		.read = after_read, .after = after_guard, .last = last,
		.guard_effect = TRACE_GUARD_EFFECT, .guard_said = guard_said,
		.ctx = t,
	};

	t->start = lden_now_ns();
	return lden_run__loop(t->run, &l);
}

/*
 * One event's line: the lines printed; for an event the guard switched,
 * the kernel's exact count instead, and when its lines stopped.
 */
static void summary_event(struct lden_trace *t, int i)
{
	const char *label = t->ev.att[i].label;
	struct lden_guard_action *a = t->guard ?
		lden_guard__find(t->guard, label) : NULL;
	uint64_t count = t->counts[i];
	char note[256];

	if (a && lden_guard__count(t->guard, label, &count) < 0)
		count = t->counts[i];
	fputs("  ", stderr);
	lden_label__print(stderr, label, 40);
	fprintf(stderr, " %12llu\n", (unsigned long long)count);
	if (a) {
		lden_guard__note(a, "lines stopped", note, sizeof(note));
		fprintf(stderr, "    %s after %llu; the count is the kernel's\n",
			note, (unsigned long long)t->counts[i]);
	}
}

/* The recipe's tracepoints the guard switched: their exact counts. */
static void summary_recipe_guard(struct lden_trace *t)
{
	char note[256];
	uint64_t n;

	for (int i = 0; t->guard && i < lden_guard__nactions(t->guard); i++) {
		const struct lden_guard_action *a = lden_guard__action(t->guard, i);

		if (lden_guard__count(t->guard, a->event, &n) < 0)
			continue;
		lden_guard__note(a, "lines stopped", note, sizeof(note));
		fputs("  ", stderr);
		lden_label__print(stderr, a->event, 40);
		fprintf(stderr, " %12llu\n    %s; the count is the kernel's\n",
			(unsigned long long)n, note);
	}
}

/* How the strings shown were obtained. */
static void summary_strings(struct lden_trace *t)
{
	struct lden_strcap *c = t->recipe.strcap;
	char what[32];

	if (!c)
		return;
	snprintf(what, sizeof(what), "%s", t->recipe.def == &lden_recipe_exec ?
		 "arguments" : "paths");
	fprintf(stderr, "  %s: %llu exact (copied at the call), %llu late (read afterwards, marked ?), %llu partial (cut short, marked ...?), %llu unavailable\n",
		what,
		(unsigned long long)lden_strcap__counted(c, LDEN_PROV_EXACT),
		(unsigned long long)lden_strcap__counted(c, LDEN_PROV_LATE),
		(unsigned long long)lden_strcap__counted(c, LDEN_PROV_PARTIAL),
		(unsigned long long)lden_strcap__counted(c, LDEN_PROV_NONE));
}

/* How the process values shown (names, uids, ppids) were obtained. */
static void summary_values(struct lden_trace *t)
{
	const uint64_t *v = t->recipe.values;

	if (!v[LDEN_PROV_EXACT] && !v[LDEN_PROV_LATE] && !v[LDEN_PROV_NONE])
		return;
	fprintf(stderr, "  process values (names, uids, ppids): %llu exact (at the record), %llu late (read from /proc as it arrived, marked ?), %llu unavailable (gone, ?)\n",
		(unsigned long long)v[LDEN_PROV_EXACT],
		(unsigned long long)v[LDEN_PROV_LATE],
		(unsigned long long)v[LDEN_PROV_NONE]);
}

/*
 * Under "lost records": whose, where lden's process tracker (the task
 * records naming processes) shares the session with the user's events.
 */
static void summary_lost_split(struct lden_trace *t, uint64_t lost)
{
	struct lden_lost_split ls;
	char names[256], text[512];
	size_t off = 0;

	if (!t->comms || !lost)
		return;
	names[0] = '\0';
	if (t->recipe.def)
		snprintf(names, sizeof(names), "the %s recipe's events",
			 t->recipe.def->name);
	for (int i = 0; !t->recipe.def && i < t->ev.nevents &&
			off < sizeof(names); i++)
		off += (size_t)snprintf(names + off, sizeof(names) - off,
					"%s%s", i ? ", " : "",
					t->ev.att[i].label);
	lden_comms__split_lost(t->comms, lost, names, &ls, text, sizeof(text));
	if (!ls.has_tracker)
		return;
	if (ls.split) {
		fprintf(stderr, "    %-38s %12llu\n", "of your events",
			(unsigned long long)ls.events);
		fprintf(stderr, "    %-38s %12llu%s\n",
			"of lden's process tracker",
			(unsigned long long)ls.tracker,
			ls.tracker ? " (names may be unknown)" : "");
	} else {
		/* "lost N (of ...: counted together)": its parenthesis */
		fprintf(stderr, "    %s\n", strchr(text, '(') ?
			strchr(text, '(') : text);
	}
}

void lden_trace__summary(struct lden_trace *t, double secs)
{
	uint64_t lost = ltr_session__lost(t->s, -1);

	fprintf(stderr, "lden: trace stopped after %.1f s\n", secs);
	if (t->recipe.def) {
		fprintf(stderr, "  %-40s %12llu\n", t->recipe.def->name,
			(unsigned long long)t->counts[0]);
		summary_strings(t);
		summary_values(t);
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
		const uint64_t *n = t->comm_provs;

		for (int i = 0; i < t->ev.nevents; i++)
			summary_event(t, i);
		if (n[LDEN_PROV_LATE] || n[LDEN_PROV_NONE])
			fprintf(stderr, "  names: %llu exact (at the record), %llu late (read from /proc as it arrived, marked ?), %llu unavailable (gone, ?)\n",
				(unsigned long long)n[LDEN_PROV_EXACT],
				(unsigned long long)n[LDEN_PROV_LATE],
				(unsigned long long)n[LDEN_PROV_NONE]);
	}
	fprintf(stderr, "  %-40s %12llu\n", "lost records",
		(unsigned long long)lost);
	summary_lost_split(t, lost);
	if (t->doubted)
		fprintf(stderr, "  lines of a process whose records may be missing (marked !): %llu\n",
			(unsigned long long)t->doubted);
}

/* A recipe's header: "# name: value" lines, or one JSON object. */
static void print_header(struct lden_trace *t)
{
	lden_row__reset(&t->row);
	if (t->recipe.def->header(&t->recipe, &t->row) < 0)
		return;
	if (t->o.c.json) {
		struct json_object *o = lden_row__json(&t->row, -1), *h;

		h = json_object_new_object();
		if (o && h) {
			json_object_object_add(h, "header", o);
			puts(json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
			o = NULL;
		}
		json_object_put(o);
		json_object_put(h);
		return;
	}
	for (int i = 0; i < t->row.n; i++)
		printf("# %s: %s\n", t->row.c[i].name, t->row.c[i].text);
}

/* The tasks' names as at each record (comms.h): 0 or an exit status. */
static int attach_comms(struct lden_trace *t)
{
	char msg[1024];
	int rc;

	t->comms = lden_comms__new();
	if (!t->comms)
		return LDEN_EXIT_FAIL;
	/* without the task tracepoints, every name is read late (marked) */
	rc = lden_comms__attach(t->comms, t->s, &t->o.c.scope, msg,
			       sizeof(msg));
	if (rc < 0 && rc != -ENOENT) {
		lden_cli__err("%s", msg);
		return LDEN_EXIT_FAIL;
	}
	return 0;
}

static int attach_events(struct lden_trace *t)
{
	int status = lden_evopts__attach(&t->ev, t->run);

	if (status)
		return status;
	t->counts = calloc(t->ev.nevents, sizeof(*t->counts));
	if (!t->counts)
		return LDEN_EXIT_FAIL;
	for (int k = 0; t->o.fields[k]; k++) {
		if (!lden_evlist__has_field(&t->ev, t->o.fields[k])) {
			lden_cli__err("no event has a field '%s' (--fields)",
				     t->o.fields[k]);
			return LDEN_EXIT_USAGE;
		}
	}
	return attach_comms(t);
}

static int attach_recipe(struct lden_trace *t, const struct lden_recipe_def *def)
{
	bool strings = def == &lden_recipe_open || def == &lden_recipe_exec;

	if (t->o.c.nargs > 1 || t->o.c.filter || t->o.fields[0] ||
	    (t->o.failed && def != &lden_recipe_open) ||
	    (t->o.strings_given && !strings)) {
		lden_cli__err("the recipe '%s' takes no other events, --filter, --fields%s%s",
			     def->name, def != &lden_recipe_open ? " or --failed" : "",
			     strings ? "" : " or --strings");
		return LDEN_EXIT_USAGE;
	}
	if (t->o.c.comm && lden_comm_fault(t->o.c.comm)) {
		lden_cli__err("invalid --comm value '%s': %s", t->o.c.comm,
			     lden_comm_fault(t->o.c.comm));
		return LDEN_EXIT_USAGE;
	}
	t->recipe.def = def;
	t->recipe.failed_only = t->o.failed;
	t->recipe.comm = t->o.c.comm;
	t->recipe.strings = t->o.strings;
	t->recipe.events_dir = t->o.c.events_dir;
	t->counts = calloc(1, sizeof(*t->counts));
	if (!t->counts)
		return LDEN_EXIT_FAIL;
	if (def->names) {
		int status = attach_comms(t);

		if (status)
			return status;
		t->recipe.comms = t->comms;
	}
	return lden_evopts__attach_recipe(&t->recipe, t->run);
}

/* What the run reads into, its events, the guard: 0 or an exit status. */
int lden_trace__attach(void *ctx, struct lden_run *run, struct lden_guard **g)
{
	struct lden_trace *t = ctx;
	int status;

	t->s = run->s;
	t->nscopes = lden_scope__count(&t->o.c.scope);
	t->order = lden_sorder__new(ORDER_MAX_RECORDS, ORDER_MAX_BYTES);
	t->pidinfo = lden_pidinfo_cache__new(100000000u);
	t->lost_seen = calloc((size_t)ltr_session__ncpus(t->s),
			      sizeof(*t->lost_seen));
	if (!t->order || !t->pidinfo || !t->lost_seen) {
		lden_err("out of memory");
		return LDEN_EXIT_FAIL;
	}
	status = t->def ? attach_recipe(t, t->def) : attach_events(t);
	if (!status)
		*g = lden_evopts__guard(&t->ev, &t->recipe, run);
	return status;
}

void lden_trace__header(struct lden_trace *t)
{
	const struct lden_recipe_def *def = t->def;

	/* on stderr: tests and scripts wait for it */
	fprintf(stderr, "lden: tracing %s", def ? "recipe " : "");
	if (def)
		lden_fputs_escaped(stderr, def->name, 0);
	/* every event traced, not the first alone */
	for (int i = 0; !def && i < t->o.c.nargs; i++) {
		if (i)
			fputs(", ", stderr);
		lden_fputs_escaped(stderr, t->o.c.args[i], 0);
	}
	fputs(" (Ctrl-C to stop)\n", stderr);
	if (t->recipe.strcap) {
		char how[2048];

		lden_strcap__describe(t->recipe.strcap, how, sizeof(how));
		fprintf(stderr, "lden: %s\n", how);
	}
	if (def && def->header)
		print_header(t);
	if (t->o.show_container)
		lden_run__container_header(t->run);
	if (t->o.c.scope.netns) {
		fprintf(stderr, "lden: only ");
		lden_scope__describe(&t->o.c.scope, stderr);
		fputc('\n', stderr);
	}
	if (def && def->columns && !t->o.c.json) {
		if (t->o.show_container)
			printf("%-12s ", "CONTAINER");
		lden_row__print_header(stdout, def->columns);
	}
	lden_stdout__flush();
}

void lden_trace__release(struct lden_trace *t)
{
	lden_evopts__release(&t->ev, &t->recipe);
	lden_comms__free(t->comms);
	lden_sorder__free(t->order);
	lden_pidinfo_cache__free(t->pidinfo);
	free(t->counts);
	free(t->lost_seen);
}
