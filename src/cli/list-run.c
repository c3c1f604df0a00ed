// SPDX-License-Identifier: GPL-2.0-or-later
/* The listing of lden list-events (see list-run.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "aggregate.h"
#include "check.h"
#include "cli.h"
#include "list-run.h"
#include "resolve.h"
#include "size.h"
#include "scope.h"
#include "strcap.h"

/* What the checks of one event found. */
struct verdict {
	bool bad;		/* the catalog entry would fail: reason says */
	char no_size[512];	/* why its size line gives no size here, or "" */
};

static void print_json(const struct lden_resolution *r,
		       const struct verdict *v, bool first)
{
	const struct lden_event_def *d = r->def;
	bool ok = r->src && !v->bad;

	printf("%s\n  {\"name\": ", first ? "" : ",");
	lden_json_string(stdout, d->name);
	printf(", \"description\": ");
	lden_json_string(stdout, d->describe);
	printf(", \"data\": [\"count\", %s\"speed\"], \"available\": %s",
	       r->has_size ? "\"size\", " : "", ok ? "true" : "false");
	printf(", \"source\": ");
	if (r->src)
		lden_json_string(stdout, r->source_text);
	else
		printf("null");
	printf(", \"reason\": ");
	lden_json_string(stdout, r->reason);
	if (v->bad)
		printf(", \"catalog_error\": true");
	if (v->no_size[0]) {
		printf(", \"no_size\": ");
		lden_json_string(stdout, v->no_size);
	}
	if (d->note) {
		printf(", \"note\": ");
		lden_json_string(stdout, d->note);
	}
	printf("}");
}

static int list_tracepoints(const char *dir)
{
	char path[4096], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/available_events", dir);
	f = fopen(path, "re");
	if (!f) {
		lden_err("cannot read %s: %m (run as root)", path);
		return -1;
	}
	printf("\nTRACEPOINTS (use as SYSTEM:NAME)\n");
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
	return 0;
}

/*
 * How the recipes of lden trace (and lden io) would obtain their strings
 * on this kernel, for the whole machine and per process.
 */
static void print_strings(const char *dir)
{
	static const struct {
		const char *what;
		enum lden_strcap_kind kind;
	} uses[] = {
		{ "trace exec", LDEN_STRCAP_EXEC },
		{ "trace open, io", LDEN_STRCAP_OPEN },
	};
	struct ltr_session_opts so = { .tracing_dir = dir, .no_sweep = true };
	struct ltr_session *s = ltr_session__new(&so);
	struct lden_scope_opts whole = { .npids = 0 }, one = { .npids = 1 };
	char how[2048], err[512];

	if (!s)
		return;
	one.pids[0] = getpid();
	printf("\nstrings of the recipes (see lden-trace(8), EXACT STRINGS):\n");
	for (size_t i = 0; i < sizeof(uses) / sizeof(uses[0]); i++) {
		for (int per = 0; per < 2; per++) {
			struct lden_strcap *c = lden_strcap__new(uses[i].kind);

			if (!c)
				break;
			if (lden_strcap__plan(c, s, LDEN_STRINGS_AUTO,
					     per ? &one : &whole, "syscalls",
					     "sys_enter_openat", err,
					     sizeof(err)) == 0) {
				lden_strcap__describe(c, how, sizeof(how));
				printf("  %s, %s: %s\n", uses[i].what,
				       per ? "per process" : "whole machine", how);
			}
			lden_strcap__free(c);
		}
	}
	ltr_session__free(s);
}

/* tracefs, this kernel, a session to check with: 0 or -1 after the error. */
int lden_list__open(struct lden_list *l)
{
	l->dir = ltr_tracing_dir();
	if (!l->dir && errno == EACCES) {
		/* the catalog still lists, each event saying why it cannot be checked */
		lden_err("%s", ltr_last_error());
		l->dir = "/sys/kernel/tracing";
		l->denied = true;
	} else if (!l->dir) {
		lden_err("%s", ltr_last_error());
		return -1;
	}
	/*
	 * what crashed lden processes left, removed as a session would (the
	 * library's liveness test; it says what it removed): a listing is
	 * often the first thing run after a crash.  Not as a user who may
	 * only read tracefs: nothing to sweep then.
	 */
	if (access(l->dir, W_OK) == 0)
		ltr_sweep_stale_groups(l->dir);
	l->k = lden_kernel__new(l->dir);
	l->rs = calloc(l->cat.ndefs ? (size_t)l->cat.ndefs : 1, sizeof(*l->rs));
	if (!l->k || !l->rs) {
		lden_err("out of memory");
		return -1;
	}
	/* all first: a size's path depends on the events sharing its tracepoint */
	for (int i = 0; i < l->cat.ndefs; i++)
		lden_resolve(l->k, &l->cat.defs[i], &l->rs[i]);
	l->hist = ltr_hist_triggers_supported(l->dir);
	if (l->denied)
		return 0;
	l->s = ltr_session__new(&(struct ltr_session_opts){ .tracing_dir = l->dir });
	if (!l->s) {
		lden_err("%s", ltr_last_error());
		return -1;
	}
	return 0;
}

/* Another catalog event whose source is the same tracepoint, or -1. */
static int shares_tracepoint(const struct lden_list *l, int i)
{
	const struct lden_source *a = l->rs[i].src;

	if (!a || a->kind != LDEN_SRC_TRACEPOINT)
		return -1;
	for (int j = 0; j < l->cat.ndefs; j++) {
		const struct lden_source *b = l->rs[j].src;

		if (j == i || !b || b->kind != LDEN_SRC_TRACEPOINT ||
		    !l->rs[j].has_size)
			continue;
		if (!strcmp(a->tps[0].system, b->tps[0].system) &&
		    !strcmp(a->tps[0].name, b->tps[0].name))
			return j;
	}
	return -1;
}

/*
 * How the ftrace ring is read on this kernel: mapped from 6.10 on
 * (trace_pipe_raw's mmap), its sub-buffers copied out by read() before.
 * A session says what it did (ltr_event__ring_reader()); this is what
 * it will do.
 */
static const char *ftrace_reader(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return "read";
	return major > 6 || (major == 6 && minor >= 10) ? "mmap" : "read";
}

/* The size text of source @src, or NULL. */
static const char *size_of(const struct lden_source *src)
{
	return src->kind == LDEN_SRC_TRACEPOINT ? src->tps[0].size : src->size;
}

/*
 * Whether notify sums the size of @src in the kernel here, as its attach
 * decides (@plan filled): hist triggers, a size the kernel can compute,
 * and for a tracepoint no field it adds stored in a slot wider than its
 * type (the kernel would sum the whole slot).
 */
static bool summed_in_kernel(const struct lden_list *l,
			     const struct lden_source *src,
			     struct lden_size_hist *plan)
{
	struct ltr_event_opts o = { .format_only = true };
	const char *size = size_of(src);
	struct lden_size_expr *e;
	struct ltr_event *ev;
	char msg[256];
	bool exact;

	if (!l->hist || !size || lden_size_hist__plan(size, plan) < 0)
		return false;
	if (src->kind != LDEN_SRC_TRACEPOINT || !l->s)
		return true;
	o.filter = src->tps[0].filter;
	ev = ltr_event__open(l->s, src->tps[0].system, src->tps[0].name, &o);
	if (!ev)
		return false;
	e = lden_size_expr__compile(size, ev, msg, sizeof(msg));
	exact = e && lden_size_hist__exact(e, plan);
	lden_size_expr__free(e);
	ltr_event__close(ev);
	return exact;
}

/*
 * How a size is read on this kernel, and why: summed in the kernel, or
 * sampled through which ring (--verbose).
 */
static void print_size_path(const struct lden_list *l, int i)
{
	const struct lden_source *src = l->rs[i].src;
	int other = shares_tracepoint(l, i);
	struct lden_size_hist plan, other_plan;
	bool summed;

	if (src->kind == LDEN_SRC_TRACEPOINT && src->tps[0].njoins) {
		printf("    size: joined to the allocations' records, all sampled through the perf ring\n");
		return;
	}
	summed = summed_in_kernel(l, src, &plan);
	if (summed)
		printf("    size: summed in the kernel by a hist trigger (%s %s)\n",
		       plan.linear ? "sum of" : "grouped by",
		       plan.linear ? plan.vals : plan.keys);
	else
		printf("    size: sampled through the ftrace ring of lden's instance, %s%s\n",
		       ftrace_reader(),
		       l->hist ? " (its size cannot be summed in the kernel)" :
				 " (no hist triggers here: CONFIG_HIST_TRIGGERS)");
	printf("    size per process or cgroup: sampled through the perf ring\n");
	if (other < 0)
		return;
	/* one hist trigger per tracepoint; one filter per tracepoint in an instance */
	if (summed || summed_in_kernel(l, l->rs[other].src, &other_plan))
		printf("    size with %s: one of the two sampled through the ftrace ring (one hist trigger per tracepoint)\n",
		       l->cat.defs[other].name);
	else
		printf("    size with %s: one of the two sampled through the perf ring (one filter per tracepoint in an instance)\n",
		       l->cat.defs[other].name);
}

/*
 * Per process (--pid, -- COMMAND) another source when a task's own
 * events cannot see this one here (task.exit's tracepoint on 6.1 and
 * 6.12): said, with the source taken instead.
 */
static void per_process(struct lden_list *l, const struct lden_event_def *d,
			const struct lden_resolution *r)
{
	struct lden_resolution t;

	if (!r->src || r->src->kind != LDEN_SRC_TRACEPOINT)
		return;
	lden_resolve_scoped(l->k, d, true, &t);
	if (t.src == r->src)
		return;
	if (t.src)
		printf("    per process: %s (%s)\n", t.source_text, t.tried);
	else
		printf("    per process: unavailable: %s\n", t.reason);
}

/* One event of the catalog: checked, then its line (or JSON object). */
static void list_event(struct lden_list *l, int i)
{
	const struct lden_event_def *d = &l->cat.defs[i];
	struct verdict v = { 0 };
	struct lden_resolution r = l->rs[i];

	if (l->s && r.src) {
		int rc = lden_check_source(l->s, &r, r.reason, sizeof(r.reason));

		v.bad = rc == -1;
		l->denied |= rc == -2;
		if (rc == -2)
			r.src = NULL;
		lden_check_no_size(l->s, &r, v.no_size, sizeof(v.no_size));
	}
	l->nbad += v.bad;
	l->new_sizes |= r.has_size && d->note;
	if (l->json) {
		print_json(&r, &v, i == 0);
		return;
	}
	printf("%-28s %-18s %-48s %s%s", d->name,
	       !r.has_size ? "count speed" :
	       d->note ? "count size+ speed" : "count size speed",
	       r.src ? r.source_text : "-",
	       v.bad ? "error: " : r.src ? "ok" : "unavailable: ",
	       r.src && !v.bad ? "" : r.reason);
	if (v.no_size[0])
		printf(" (no size here: %s)", v.no_size);
	putchar('\n');
	if (l->verbose) {
		printf("    %s\n", d->describe);
		if (d->note)
			printf("    note: %s\n", d->note);
		if (r.tried[0])
			printf("    skipped: %s\n", r.tried);
		if (r.src && r.has_size)
			print_size_path(l, i);
		else if (r.src)
			printf("    counted by the kernel (a perf counter per CPU)\n");
		per_process(l, d, &r);
		printf("    defined in %s:%d\n", d->file, d->line);
	}
}

/* The whole listing: 0, or -1 when the tracepoints cannot be listed. */
int lden_list__print(struct lden_list *l)
{
	if (l->json)
		printf("[");
	else
		printf("%-28s %-18s %-48s %s\n", "NAME", "DATA", "SOURCE", "STATUS");
	for (int i = 0; i < l->cat.ndefs; i++)
		list_event(l, i);
	if (l->json)
		printf("\n]\n");
	else if (l->new_sizes)
		printf("\nsize+: a size LDEN did not have (see --verbose)\n");
	if (l->verbose && !l->json)
		print_strings(l->dir);
	if (l->all && !l->json && list_tracepoints(l->dir) < 0)
		return -1;
	return 0;
}

void lden_list__release(struct lden_list *l)
{
	free(l->rs);
	ltr_session__free(l->s);
	lden_kernel__free(l->k);
	lden_catalog__free(&l->cat);
}
