// SPDX-License-Identifier: GPL-2.0-or-later
/* A run of lden top (see top-run.h). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "catalog.h"
#include "cgpaths.h"
#include "cli.h"
#include "clock.h"
#include "comms.h"
#include "escape.h"
#include "lden.h"
#include "nsinfo.h"
#include "sample-order.h"
#include "size.h"
#include "strcap.h"
#include "tally-view.h"
#include "top-run.h"

#define TOP_MAX_KEYS 10000

/* --by comm: samples held to be put in time order, at most */
#define ORDER_MAX_RECORDS 65536
#define ORDER_MAX_BYTES (16u << 20)

/* rows noted with a task whose records may be missing, at most */
#define TOP_DOUBT_MAX 4096

/* the key of the one row a switched event has from then on */
#define TOP_COUNTED_KEY "(all, counted: guard)"

/*
 * @val as a key column (tally-view.h's escaped and marked keys): escaped
 * text, so that no byte is LDEN_SEP; with provenance @prov (counted in
 * t->values), a '?' after it when read late, a lone '?' when unavailable;
 * @prov -1 for a value lden has exactly from the record or itself.
 */
static void put_key(struct lden_top *t, const char *val, int prov,
		    char *buf, size_t len)
{
	size_t k;

	if (prov >= 0)
		t->values[prov]++;
	if (prov == LDEN_PROV_NONE || !len) {
		snprintf(buf, len, "?");
		return;
	}
	/* a '?' of its own escaped: a bare one after it is the mark */
	k = lden_escape__text(val, strlen(val), LDEN_ESC_SPACE |
			      (prov >= 0 ? LDEN_ESC_QMARK_LAST : 0), buf,
			      len > 1 ? len - 1 : len);
	if (prov == LDEN_PROV_LATE)
		snprintf(buf + k, len - k, "?");
}

/* --by cgroup: the sample's cgroup from its id, else read at arrival. */
static void cgroup_key(struct lden_top *t, const struct ltr_sample *s,
		       char *buf, size_t len)
{
	const struct lden_pidinfo *pi;
	const char *path;

	if (s->flags & LTR_SAMPLE_CGROUP) {
		if (lden_cgpaths__lookup(t->cgpaths, s->cgroup, &path) ==
		    -ENAMETOOLONG)
			t->too_long++;
		put_key(t, path ? path : "", path ? LDEN_PROV_EXACT :
			LDEN_PROV_NONE, buf, len);
		return;
	}
	/*
	 * a kernel before 5.7: /proc's, which may have moved since; the
	 * thread's, which cgroup v2's threaded mode may put elsewhere than
	 * its process
	 */
	pi = lden_pidinfo__get(t->pidinfo, (pid_t)s->tid);
	put_key(t, pi->cgroup, strcmp(pi->cgroup, "?") ? LDEN_PROV_LATE :
		LDEN_PROV_NONE, buf, len);
}

/*
 * --by container: the container of the sample's cgroup, from its id
 * (exact); else the task's, read from /proc at its first sample (late).
 */
static void container_key(struct lden_top *t, const struct ltr_sample *s,
			  char *buf, size_t len)
{
	struct lden_run_container c;

	/* the same as trace's and io's (run.c); parsed once a cgroup */
	lden_run__container(t->run, (pid_t)s->tid, s->flags & LTR_SAMPLE_CGROUP,
			    s->cgroup, &c);
	if (c.err == -ENAMETOOLONG)
		t->too_long++;
	put_key(t, c.name, c.prov, buf, len);
}

/*
 * --by pid: a row per process, not per pid number: "PID", or "PID.N" for
 * the N-th process seen start with that pid (lden_comms__process()), a
 * '?' after when which one is not known (tally-view.h's proc_keys)
 */
static void pid_key(struct lden_top *t, const struct ltr_sample *s,
		    char *buf, size_t len)
{
	uint64_t n;
	bool exact = lden_comms__process(t->comms, (pid_t)s->pid, &n);
	int k;

	if (n)
		k = snprintf(buf, len, "%u.%llu", s->pid, (unsigned long long)n);
	else
		k = snprintf(buf, len, "%u", s->pid);
	if (!exact && k >= 0 && (size_t)k + 1 < len)
		snprintf(buf + k, len - (size_t)k, "?");
}

/*
 * The --by key of a sample, into @buf; @late: for --by comm, the name
 * read from /proc when the sample arrived (used, marked '?', when no
 * fork, exec or rename named the process).
 */
static void sample_key(struct lden_top *t, const struct ltr_sample *s,
		       const char *late, char *buf, size_t len)
{
	const char *by = t->o.by ? t->o.by : "pid";
	const struct ltr_field *f;
	const char *comm;
	uint64_t ns;
	int k;

	if (!strcmp(by, "pid")) {
		pid_key(t, s, buf, len);
	} else if (!strcmp(by, "cpu")) {
		snprintf(buf, len, "%u", s->cpu);
	} else if (!strcmp(by, "comm")) {
		/* the thread's, as the kernel's COMM and trace's column */
		comm = lden_comms__get(t->comms, (pid_t)s->tid);
		if (comm)
			put_key(t, comm, LDEN_PROV_EXACT, buf, len);
		else
			put_key(t, late ? late : "", late && *late ?
				LDEN_PROV_LATE : LDEN_PROV_NONE, buf, len);
	} else if (!strcmp(by, "cgroup")) {
		cgroup_key(t, s, buf, len);
	} else if (!strcmp(by, "container")) {
		container_key(t, s, buf, len);
	} else if ((k = lden_ns_by(by)) >= 0) {
		ns = lden_run__ns(t->run, (pid_t)s->tid)->ns[k];
		if (ns)
			snprintf(buf, len, "%llu", (unsigned long long)ns);
		else
			snprintf(buf, len, "?");
	} else {
		f = ltr_event__field(s->event, by);
		lden_row__reset(&t->scratch);
		if (f)
			lden_row__add_field(&t->scratch, f, s);
		/* any bytes: escaped, so that none is LDEN_SEP */
		put_key(t, t->scratch.n ? t->scratch.c[0].text : "-", -1, buf,
			len);
	}
}

/*
 * A sample counted in @key's row: noted when its task's records may be
 * missing (a reused id, decided or not yet: lden_top's doubt), to mark
 * the row when its table is printed.
 */
static void note_doubt(struct lden_top *t, const char *key,
		       const struct ltr_sample *s)
{
	struct top_doubt *d;
	size_t i;

	if (t->doubt_all || ltr_session__follow_doubt(t->s, s->pid, s->tid,
						      s->time) == LTR_DOUBT_NONE)
		return;
	for (i = 0; i < t->ndoubt; i++) {
		d = &t->doubt[i];
		if (d->pid == s->pid && d->tid == s->tid && !strcmp(d->key, key)) {
			if (s->time > d->time)
				d->time = s->time;
			return;
		}
	}
	if (!t->doubt) {
		t->doubt = calloc(TOP_DOUBT_MAX, sizeof(*t->doubt));
		if (!t->doubt) {
			t->doubt_all = true;
			return;
		}
	}
	if (t->ndoubt == TOP_DOUBT_MAX) {
		t->doubt_all = true;
		return;
	}
	d = &t->doubt[t->ndoubt];
	d->key = strdup(key);
	if (!d->key) {
		t->doubt_all = true;
		return;
	}
	d->pid = s->pid;
	d->tid = s->tid;
	d->time = s->time;
	t->ndoubt++;
}

/* Whether @key's row holds a sample of a task whose records may be missing. */
static bool row_doubted(void *ctx, const char *key)
{
	struct lden_top *t = ctx;

	if (t->doubt_all)
		return true;
	for (size_t i = 0; i < t->ndoubt; i++) {
		const struct top_doubt *d = &t->doubt[i];

		if (!strcmp(d->key, key) &&
		    ltr_session__follow_doubt(t->s, d->pid, d->tid, d->time) !=
		    LTR_DOUBT_NONE)
			return true;
	}
	return false;
}

/*
 * --by pid: a process whose records may be missing (a gap said) has a
 * row for each event in the first table after the gap is known, with
 * what was counted of it, 0 when all its records were missing, marked:
 * a count of none would look exact by its absence
 */
static void doubt_rows(struct lden_top *t)
{
	const struct ltr_follow_gap *g;
	size_t n;

	g = ltr_session__follow_gaps(t->s, &n);
	for (; t->gaps_shown < n; t->gaps_shown++) {
		const struct ltr_follow_gap *gap = &g[t->gaps_shown];
		struct ltr_sample s = {
			.pid = gap->pid, .tid = gap->pid, .time = UINT64_MAX,
		};
		char key[LDEN_LABEL_LEN + 1 + LDEN_TALLY_KEY_MAX];
		uint64_t v[LDEN_TALLY_VALUES] = { 0 };

		for (int i = 0; i < t->ev.nevents; i++) {
			pid_key(t, &s, key + snprintf(key, LDEN_LABEL_LEN + 1,
						      "%s" LDEN_SEP,
						      t->ev.att[i].label),
				sizeof(key) - LDEN_LABEL_LEN - 1);
			note_doubt(t, key, &s);
			lden_tally__add(t->tally, key, v);
		}
	}
}

/* The table printed: its rows' doubts go with it. */
static void doubt_reset(struct lden_top *t)
{
	for (size_t i = 0; i < t->ndoubt; i++)
		free(t->doubt[i].key);
	t->ndoubt = 0;
	t->doubt_all = false;
}

/* A sample of the events, into the tally; @late as sample_key()'s. */
static int count_sample(struct lden_top *t, const struct ltr_sample *s,
			const char *late)
{
	uint64_t v[LDEN_TALLY_VALUES] = { 1 };
	const struct lden_part *p;
	char key[LDEN_LABEL_LEN + 1 + LDEN_TALLY_KEY_MAX];
	int i;

	i = lden_evlist__index(t->ev.att, t->ev.nevents, t->ev.nscopes, s);
	if (i < 0)
		return 0;
	/* held ones were counted as they arrived (on_sample()) */
	if (!t->order)
		t->sampled[i]++;
	p = ltr_event__user(s->event);
	if (p->size)
		v[1] = lden_size_expr__eval(p->size, s);
	sample_key(t, s, late,
		   key + snprintf(key, LDEN_LABEL_LEN + 1, "%s" LDEN_SEP,
				  t->ev.att[i].label),
		   sizeof(key) - LDEN_LABEL_LEN - 1);
	note_doubt(t, key, s);
	return lden_tally__add(t->tally, key, v) < 0;
}

/* In time order (--by comm): names first, then the counts. */
static int on_ordered(const struct ltr_sample *s, void *ctx)
{
	struct lden_top *t = ctx;
	size_t len;
	const char *late = lden_sorder__extra(t->order, &len);

	if (lden_comms__feed(t->comms, s))
		return 0;
	return count_sample(t, s, late);
}

/* --by comm: the sample held to be put in order, with its late name. */
static int hold(struct lden_top *t, const struct ltr_sample *s)
{
	char name[32] = "";
	int rc;

	/* /proc only for a thread no fork, exec or rename named yet */
	if (t->by_comm && !lden_comms__owns(t->comms, s) &&
	    !lden_comms__get(t->comms, (pid_t)s->tid)) {
		const struct lden_pidinfo *pi =
			lden_pidinfo__get(t->pidinfo, (pid_t)s->tid);

		/* gone: no name (empty), unavailable */
		snprintf(name, sizeof(name), "%s",
			 pi->comm_known ? pi->comm : "");
	}
	rc = lden_sorder__add_extra(t->order, s, name, strlen(name) + 1);
	if (rc == -ENOSPC) {
		/* a reader far behind: count what is held, out of order */
		lden_sorder__note_forced(t->order);
		/* a rename lost since: older names not exact */
		lden_comms__check_lost(t->comms, lden_sorder__held(t->order));
		lden_sorder__flush(t->order, UINT64_MAX, on_ordered, t);
		/* records older than those fed may come yet: names and
		 * processes set so far no longer sure */
		lden_comms__out_of_order(t->comms);
		rc = lden_sorder__add_extra(t->order, s, name, strlen(name) + 1);
	}
	if (rc == -ENOMEM)
		t->failed = LDEN_EXIT_FAIL;
	return rc == -ENOMEM;
}

static int on_sample(const struct ltr_sample *s, void *ctx)
{
	struct lden_top *t = ctx;
	char extra[512] = "";

	/* --netns, and the namespaces --by shows: read at arrival */
	if (!lden_comms__owns(t->comms, s)) {
		if (!lden_run__keep(t->run, s))
			return 0;
		/* (a container from the sample's cgroup id needs none) */
		if (t->by_ns && !(s->flags & LTR_SAMPLE_CGROUP))
			lden_run__ns(t->run, (pid_t)s->tid);
	}

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
	if (t->order) {
		/*
		 * a sample held is a row's yet: the guard's count goes on
		 * from the samples that arrived, held ones included
		 */
		int i = lden_evlist__index(t->ev.att, t->ev.nevents,
					   t->ev.nscopes, s);

		if (i >= 0)
			t->sampled[i]++;
		return hold(t, s);
	}
	return count_sample(t, s, NULL);
}

/*
 * An event the guard switched to counting has no more samples to split
 * by key: one row, TOP_COUNTED_KEY, with what the kernel counted since
 * the last table.
 */
static void add_counted(struct lden_top *t)
{
	for (int i = 0; t->guard && i < t->ev.nevents; i++) {
		uint64_t v[LDEN_TALLY_VALUES] = { 0 }, now;
		char key[LDEN_LABEL_LEN + sizeof(LDEN_SEP TOP_COUNTED_KEY)];

		if (!lden_guard__find(t->guard, t->ev.att[i].label) ||
		    lden_guard__count(t->guard, t->ev.att[i].label, &now) < 0)
			continue;
		v[0] = now - t->counted[i];
		t->counted[i] = now;
		snprintf(key, sizeof(key), "%s" LDEN_SEP TOP_COUNTED_KEY,
			 t->ev.att[i].label);
		if (v[0])
			lden_tally__add(t->tally, key, v);
	}
}

/*
 * A switched event's rows so far are by key, one sample each, up to the
 * moment sampling was disabled; the kernel's count goes on from there.
 */
static void guard_said(struct lden_guard_action *a, void *ctx)
{
	struct lden_top *t = ctx;

	for (int k = 0; k < t->ev.nevents; k++)
		if (!strcmp(t->ev.att[k].label, a->event))
			t->counted[k] = t->sampled[k];
}

/* What the late-able values are, in the summary: "names", or NULL. */
static const char *marked_what(const struct lden_top *t)
{
	if (t->recipe.def)
		return t->recipe.def->late_keys ? "uids" : NULL;
	if (t->o.by && !strcmp(t->o.by, "comm"))
		return "names";
	if (t->o.by && !strcmp(t->o.by, "cgroup"))
		return "cgroups";
	if (t->o.by && !strcmp(t->o.by, "container"))
		return "containers";
	return NULL;
}

/* The late-able values' provenance counts, for the last JSON block. */
static void summary_json(struct lden_top *t, FILE *f)
{
	const uint64_t *n = t->recipe.def ? t->recipe.values : t->values;

	fprintf(f, "\"summary\":{\"%s\":{\"exact\":%llu,\"late\":%llu,\"unavailable\":%llu",
		marked_what(t), (unsigned long long)n[LDEN_PROV_EXACT],
		(unsigned long long)n[LDEN_PROV_LATE],
		(unsigned long long)n[LDEN_PROV_NONE]);
	/* of those unavailable */
	if (t->too_long)
		fprintf(f, ",\"path_too_long\":%llu",
			(unsigned long long)t->too_long);
	fputs("}}", f);
}

/* --by pid: how many processes were seen start with @pid (comms.h). */
static uint64_t latest_process(void *ctx, unsigned long pid)
{
	struct lden_top *t = ctx;
	uint64_t n;

	lden_comms__process(t->comms, (pid_t)pid, &n);
	return n;
}

/* The user's events, "sched:sched_switch, net.send", or the recipe's. */
static void event_names(const struct lden_top *t, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (t->def) {
		snprintf(buf, len, "the %s recipe's events", t->def->name);
		return;
	}
	for (int i = 0; i < t->ev.nevents && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", t->ev.att[i].label);
}

static void print_table(struct lden_top *t)
{
	bool by_event = !t->recipe.def;
	bool marked = by_event && marked_what(t);
	struct lden_tally_view v = {
		.proc_keys = t->by_pid ? 1u << 1 : 0,
		.latest = latest_process,
		.ctx = t,
		.columns = t->columns,
		.nkeys = t->nkeys,
		.nvalues = t->nvalues,
		.late_keys = t->recipe.def ? t->recipe.def->late_keys : 0,
		/* the --by column: put_key()'s; a recipe's own */
		.escaped_keys = t->recipe.def ? t->recipe.def->escaped_keys :
						1u << 1,
		.marked_keys = marked ? 1u << 1 : 0,
		.none_text = marked && (!strcmp(t->o.by, "cgroup") ||
					!strcmp(t->o.by, "container")) ?
			     "unknown" : NULL,
		.own_key = TOP_COUNTED_KEY,
		.sort_col = t->sort_col,
		.rows = t->o.rows,
		.json = t->o.c.json,
		.tty = t->tty,
		.interval = t->o.interval,
		.doubted = by_event ? row_doubted : NULL,
	};
	/* once the guard acted, every JSON block says what it did; the
	 * last one how the late-able values were obtained */
	bool guard = t->guard && lden_guard__nactions(t->guard);
	bool summary = t->final && marked_what(t);
	char when[32], *extra = NULL, names[256], lost_text[512];
	uint64_t lost;
	size_t len;
	FILE *f;

	if (t->o.c.json && (guard || summary) &&
	    (f = open_memstream(&extra, &len))) {
		fputc('{', f);
		if (guard)
			lden_guard__print_json(f, t->guard);
		if (guard && summary)
			fputc(',', f);
		if (summary)
			summary_json(t, f);
		fputc('}', f);
		if (fclose(f) == 0)
			v.json_extra = extra;
	}
	add_counted(t);
	if (by_event && t->by_pid)
		doubt_rows(t);
	lden_wall_time(lden_now_ns(), when, sizeof(when));
	lost = ltr_session__lost(t->s, -1);
	if (t->comms) {
		struct lden_lost_split ls;

		event_names(t, names, sizeof(names));
		lden_comms__split_lost(t->comms, lost, names, &ls, lost_text,
				       sizeof(lost_text));
		v.lost_text = lost_text;
		v.lost_split = ls.split;
		v.lost_tracked = ls.has_tracker;
		v.lost_events = ls.events;
		v.lost_tracker = ls.tracker;
	}
	lden_tally__print(stdout, t->tally, &v, when, lost);
	lden_stdout__flush();
	lden_tally__reset(t->tally);
	doubt_reset(t);
	free(extra);
}

/* A table when one is due (then look again), else how long to wait. */
static int table_due(void *ctx, double now_s)
{
	struct lden_top *t = ctx;
	uint64_t now = lden_now_ns();

	if (now >= t->next) {
		ltr_session__drain(t->s, on_sample, t);
		/* what arrived before now is all in: counted in this table */
		if (t->order) {
			/* a rename lost since: older names not exact */
			lden_comms__check_lost(t->comms, lden_sorder__held(t->order));
			lden_sorder__flush(t->order, now, on_ordered, t);
		}
		print_table(t);
		t->next += t->step;
		if (t->next <= now)
			t->next = now + t->step;
		return -1;
	}
	return (int)((t->next - now) / 1000000 + 1) > 100 ?
	       100 : (int)((t->next - now) / 1000000 + 1);
}

/* Before a read: what arrived before now can be put in order. */
static int before_read(void *ctx, double now_s)
{
	struct lden_top *t = ctx;

	t->mark = lden_now_ns();
	return table_due(ctx, now_s);
}

static int after_read(void *ctx, double now_s)
{
	struct lden_top *t = ctx;

	(void)now_s;
	if (t->order) {
		uint64_t done = ltr_session__complete_until(t->s);

		/* a CPU's records may wait in the ring (ltr_session__poll) */
		/* a rename lost since: older names not exact */
		lden_comms__check_lost(t->comms, lden_sorder__held(t->order));
		lden_sorder__flush(t->order, done < t->mark ? done : t->mark,
				   on_ordered, t);
	}
	return t->failed;
}

/*
 * How the late-able values shown were obtained, as lden trace says it:
 * exact (from the record), late (/proc at arrival, marked ?), unavailable.
 */
static void summary_values(struct lden_top *t)
{
	const uint64_t *n = t->recipe.def ? t->recipe.values : t->values;
	const char *what = marked_what(t);
	const char *why;
	bool by_id;

	if (!what)
		return;
	by_id = !strcmp(what, "cgroups") || !strcmp(what, "containers");
	fprintf(stderr, "lden: %s shown: %llu exact (%s), %llu late (read from /proc %s, marked ?), %llu unavailable (%s)\n",
		what, (unsigned long long)n[LDEN_PROV_EXACT],
		by_id ? "the kernel's cgroup id at the event" : "at the record",
		(unsigned long long)n[LDEN_PROV_LATE],
		!strcmp(what, "containers") ? "at the task's first record" :
		"as the record arrived",
		(unsigned long long)n[LDEN_PROV_NONE],
		by_id ? "cgroup removed, or process gone: unknown" : "gone, ?");
	if (t->too_long)
		fprintf(stderr, "lden: %llu of the unavailable were in a cgroup whose path is longer than %d bytes (not cut: it would name another)\n",
			(unsigned long long)t->too_long, PATH_MAX - 1);
	if (by_id && !ltr_session__supports(t->s, LTR_FEATURE_SAMPLE_CGROUP,
					    &why))
		fprintf(stderr, "lden: %s: %s read from /proc %s\n", why,
			what, !strcmp(what, "cgroups") ? "as each record arrived" :
			"at each task's first record");
}

/* The last table, once the records are drained. */
static void last(void *ctx)
{
	struct lden_top *t = ctx;

	if (t->order) {
		/* a rename lost since: older names not exact */
		lden_comms__check_lost(t->comms, lden_sorder__held(t->order));
		lden_sorder__flush(t->order, UINT64_MAX, on_ordered, t);
	}
	t->final = true;
	print_table(t);
	summary_values(t);
}

int lden_top__loop(struct lden_top *t)
{
	const struct lden_run_loop l = {
		.on_sample = on_sample, .wait = before_read, .read = after_read,
		.last = last,
		.guard_effect = t->recipe.def ? "no more rows from it" :
			"its rows stop, one row counts it all from now on",
		.guard_said = guard_said, .ctx = t,
	};

	t->step = (uint64_t)(t->o.interval * 1e9);
	t->next = lden_now_ns() + t->step;
	return lden_run__loop(t->run, &l);
}

/*
 * --by: pid, comm, cgroup, cpu, container, a namespace (netns, pidns,
 * mntns, userns, cgroupns, ipcns, utsns), or a field some event has.
 */
static int check_by(struct lden_top *t)
{
	static const char *const keys[] = { "pid", "comm", "cgroup", "cpu" };
	const char *by = t->o.by;

	if (!by)
		return 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(by, keys[i]))
			return 0;
	if (!strcmp(by, "container") || lden_ns_by(by) >= 0) {
		t->by_ns = true;
		return 0;
	}
	if (lden_evlist__has_field(&t->ev, by))
		return 0;
	lden_cli__err("bad --by key '%s' (pid, comm, cgroup, cpu, container, netns, pidns, mntns, userns, cgroupns, ipcns, utsns, or a field of the events)",
		     by);
	return -1;
}

/* --sort: the value column, by name, case-insensitive. */
static int check_sort(struct lden_top *t)
{
	char name[64];

	if (!t->o.sort)
		return 0;
	for (int c = 0; c < t->nvalues; c++) {
		lden_tally__column(t->columns, t->nkeys + c, name, sizeof(name));
		if (!strcasecmp(name, t->o.sort)) {
			t->sort_col = c;
			return 0;
		}
	}
	lden_tally__column(t->columns, t->nkeys, name, sizeof(name));
	lden_cli__err("unknown --sort column '%s' (one of the value columns: %s)",
		     t->o.sort, strstr(t->columns, name));
	return -1;
}

static int attach_recipe(struct lden_top *t, const struct lden_recipe_def *def)
{
	if (t->o.c.nargs > 1 || t->o.by || t->o.c.filter || t->o.c.comm) {
		lden_cli__err("the recipe '%s' takes no other events, --by, --filter or --comm",
			     def->name);
		return LDEN_EXIT_USAGE;
	}
	t->recipe.def = def;
	t->recipe.tally = t->tally;
	snprintf(t->columns, sizeof(t->columns), "%s", def->columns);
	t->nkeys = def->nkeys;
	t->nvalues = 0;
	for (const char *p = def->columns; p; p = strchr(p + 1, ' '))
		t->nvalues++;
	t->nvalues -= t->nkeys;
	return lden_evopts__attach_recipe(&t->recipe, t->run);
}

/*
 * --by comm: each process named as it was at its sample (task_newtask,
 * task_rename in the events' scope); without them, names read late.
 * --by pid: each process's samples its own, where a pid was given again
 * (task_newtask); without it, every row marked
 */
static int attach_comms(struct lden_top *t)
{
	char msg[1024];
	int rc;

	t->comms = lden_comms__new();
	t->order = lden_sorder__new(ORDER_MAX_RECORDS, ORDER_MAX_BYTES);
	if (!t->comms || !t->order) {
		lden_err("out of memory");
		return LDEN_EXIT_FAIL;
	}
	if (t->by_pid && t->o.c.scope.cgroup) {
		/*
		 * a process may enter a cgroup from outside, started there
		 * unseen: its pid's earlier process's row would take its
		 * samples; so new processes are followed everywhere
		 */
		struct lden_scope all = { 0 };

		rc = lden_comms__attach_scopes(t->comms, t->s, &all, 1, msg,
					      sizeof(msg));
	} else {
		rc = lden_comms__attach(t->comms, t->s, &t->o.c.scope, msg,
				       sizeof(msg));
	}
	if (rc < 0 && rc != -ENOENT) {
		lden_cli__err("%s", msg);
		return LDEN_EXIT_FAIL;
	}
	return 0;
}

static int attach_events(struct lden_top *t)
{
	char by[64];
	bool size = false;
	int status = lden_evopts__attach(&t->ev, t->run);

	if (status)
		return status;
	if (check_by(t) < 0)
		return LDEN_EXIT_USAGE;
	t->by_comm = t->o.by && !strcmp(t->o.by, "comm");
	t->by_pid = !t->o.by || !strcmp(t->o.by, "pid");
	for (int i = 0; i < t->ev.nevents; i++)
		size |= t->ev.att[i].has_size;
	snprintf(by, sizeof(by), "%s", t->o.by ? t->o.by : "pid");
	for (char *p = by; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	snprintf(t->columns, sizeof(t->columns), "EVENT %s COUNT%s", by,
		 size ? " SIZE" : "");
	t->nkeys = 2;
	t->nvalues = size ? 2 : 1;
	t->counted = calloc((size_t)t->ev.nevents, sizeof(*t->counted));
	t->sampled = calloc((size_t)t->ev.nevents, sizeof(*t->sampled));
	if (!t->counted || !t->sampled) {
		lden_err("out of memory");
		return LDEN_EXIT_FAIL;
	}
	/* --by container's are the run's (lden_run__container) */
	if (t->o.by && !strcmp(t->o.by, "cgroup")) {
		t->cgpaths = lden_cgpaths__new(NULL);
		if (!t->cgpaths) {
			lden_err("out of memory");
			return LDEN_EXIT_FAIL;
		}
	}
	return t->by_comm || t->by_pid ? attach_comms(t) : 0;
}

/* What the run adds into, its events, the guard: 0 or an exit status. */
int lden_top__attach(void *ctx, struct lden_run *run, struct lden_guard **g)
{
	struct lden_top *t = ctx;
	int status;

	t->s = run->s;
	t->tty = isatty(STDOUT_FILENO);
	t->pidinfo = lden_pidinfo_cache__new(1000000000u);
	t->tally = lden_tally__new(TOP_MAX_KEYS);
	if (!t->pidinfo || !t->tally) {
		lden_err("out of memory");
		return LDEN_EXIT_FAIL;
	}
	status = t->def ? attach_recipe(t, t->def) : attach_events(t);
	if (!status && check_sort(t) < 0)
		status = LDEN_EXIT_USAGE;
	if (!status)
		*g = lden_evopts__guard(&t->ev, &t->recipe, run);
	return status;
}

void lden_top__release(struct lden_top *t)
{
	doubt_reset(t);
	free(t->doubt);
	free(t->counted);
	free(t->sampled);
	lden_evopts__release(&t->ev, &t->recipe);
	lden_pidinfo_cache__free(t->pidinfo);
	lden_tally__free(t->tally);
	lden_sorder__free(t->order);
	lden_comms__free(t->comms);
	lden_cgpaths__free(t->cgpaths);
}
