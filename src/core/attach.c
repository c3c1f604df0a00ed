// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * From a resolved source to open perf events: one ltr_event per
 * tracepoint (or per probe), counting unless a size is needed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "check.h"
#include "number.h"
#include "clock.h"
#include "collect.h"
#include "expr.h"
#include "kallsyms.h"
#include "lden-trace.h"
#include "resolve.h"
#include "scope.h"
#include "size.h"
#include "sizejoin.h"

/*
 * Entries of a joined size's table: 24 bytes each, so 6 MiB; the live
 * allocations of a busy machine outnumber it, and the oldest of a set
 * gives way (counted: their frees are unsized)
 */
#define JOIN_SLOTS (256 * 1024)

__attribute__((format(printf, 3, 4)))
static int aerr(char *err, size_t errlen, const char *fmt, ...)
{
	int saved = errno;	/* the caller tells EACCES from a bad event */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

bool lden_attach__machine_fault(int err)
{
	/* EINTR: a signal stopped a slow start (next_part()) */
	return err == EACCES || err == EPERM || err == EMFILE ||
	       err == ENFILE || err == ENOMEM || err == EINTR;
}

/*
 * LDEN_TEST_SLOW_ATTACH=MS, for tests: each part waits MS milliseconds
 * before it opens, as behind another lden-close holding the kernel's
 * event_mutex; a signal ends the wait.
 */
static void test_slow_attach(void)
{
	const char *ms = getenv("LDEN_TEST_SLOW_ATTACH");
	struct timespec ts;
	long v;

	if (!ms || !*ms)
		return;
	v = atol(ms);
	ts.tv_sec = v / 1000;
	ts.tv_nsec = v % 1000 * 1000000L;
	nanosleep(&ts, NULL);
}

/*
 * "(a) && (b)" in *@out (malloc'd; NULL when both are), or -1 with @err:
 * a part that is not one expression could close the other's parenthesis
 * and widen what it selects.
 */
static int join_filters(const char *a, const char *b, const char *label,
			char **out, char *err, size_t errlen)
{
	const char *why, *bad = b;
	int at;

	*out = lden_filter_and(a, b);
	if (*out || (!a && !b))
		return 0;
	if (errno == ENOMEM)
		return aerr(err, errlen, "out of memory");
	if (!b || !lden_filter_check(b, &at, &why))
		bad = a;
	return aerr(err, errlen, "%s: the filter '%s' is not one expression (unbalanced parentheses or quotes)",
		    label, bad);
}

/*
 * The size of a system-wide part summed in the kernel, by a hist trigger
 * (CONFIG_HIST_TRIGGERS), when the kernel can sum it exactly: no record
 * crosses to user space.  Returns 0 when the part is attached so, 1 when
 * it must be sampled instead (nothing attached), -1 on an error.
 */
static int try_hist(struct ltr_session *s, struct lden_attached *a,
		    struct lden_part *p, const char *system, const char *name,
		    const char *filter, const char *size_text,
		    const struct lden_scope *scope)
{
	struct ltr_event_opts o = { .mode = LTR_MODE_HIST, .filter = filter };
	struct lden_size_hist plan;
	char msg[256];

	if (!a->kernel_sum_ok || (scope && (scope->pid > 0 || scope->cgroup)) ||
	    ltr_session__ring(s) != LTR_RING_AUTO ||
	    !ltr_session__supports(s, LTR_FEATURE_HIST_TRIGGERS, NULL) ||
	    lden_size_hist__plan(size_text, &plan) < 0)
		return 1;
	o.hist_keys = plan.keys;
	o.hist_vals = plan.vals;
	p->ev = ltr_event__open(s, system, name, &o);
	if (!p->ev)
		return 1;	/* one hist per tracepoint, a refused trigger */
	p->size = lden_size_expr__compile(size_text, p->ev, msg, sizeof(msg));
	p->hist = malloc(sizeof(*p->hist));
	if (!p->size || !p->hist || !lden_size_hist__exact(p->size, &plan)) {
		lden_size_expr__free(p->size);
		free(p->hist);
		ltr_event__close(p->ev);
		memset(p, 0, sizeof(*p));
		return 1;
	}
	*p->hist = plan;
	p->owner = a;
	ltr_event__set_user(p->ev, p);
	a->nparts++;
	a->size_in_kernel = true;
	return 0;
}

/* why a joined size and its feeders sample into the perf ring */
#define JOIN_RING_WHY "a joined size, ordered with its allocations'"

/*
 * The next part of @a, zeroed, with @o scoped as @scope says; NULL (and
 * @err set) when @a has all it can hold.
 */
static struct lden_part *next_part(struct lden_attached *a,
				   const struct lden_scope *scope,
				   struct ltr_event_opts *o, char *err,
				   size_t errlen)
{
	struct lden_part *p;

	test_slow_attach();
	/*
	 * SIGINT, SIGTERM... in a slow start (many events, or each open
	 * waiting for the kernel's event_mutex): no more opens; the run
	 * closes what was opened and exits as at any signal
	 */
	if (lden_stop_signal) {
		errno = EINTR;
		aerr(err, errlen, "%s: stopped by signal %d while attaching",
		     a->label, (int)lden_stop_signal);
		return NULL;
	}
	if (a->nparts == LDEN_MAX_PARTS) {
		aerr(err, errlen, "%s: too many tracepoints", a->label);
		return NULL;
	}
	if (scope) {
		o->pid = scope->pid;
		o->inherit = scope->children;
		o->threads = scope->threads;
		o->cgroup = scope->cgroup;
	}
	p = &a->parts[a->nparts];
	memset(p, 0, sizeof(*p));
	return p;
}

static int open_part_in(struct ltr_session *s, struct lden_attached *a,
			const char *system, const char *name,
			const char *filter, const char *size_text,
			bool sample, bool recall,
			const struct lden_scope *scope, char *err,
			size_t errlen)
{
	/* a twin (a counter beside a sampling event) where lden may count */
	const bool twins = !(scope && scope->no_twins);
	struct ltr_event_opts o = {
		.mode = sample ? LTR_MODE_SAMPLE : LTR_MODE_COUNT,
		.filter = filter,
		/*
		 * on the ftrace ring, counted from its records: a perf
		 * counter beside them would cost the kernel about what they
		 * do; with the guard (which may switch it), by a counter
		 * while the ring is shared, exact whatever the ring drops
		 */
		.count_records = true,
		.shared_counter = twins,
		.recall = recall,
		/* a join's records are ordered with its feeders' in perf */
		.ring = a->join_perf ? LTR_RING_PERF : LTR_RING_AUTO,
		.ring_why = a->join_perf ? JOIN_RING_WHY : NULL,
		/*
		 * a size summed (what the kernel could sum) reads the record
		 * alone: its perf samples carry no thread and no time, which
		 * cost the kernel per hit; a join orders by time
		 */
		.size_only = size_text && a->kernel_sum_ok && !a->join_perf,
	};
	struct lden_part *p = next_part(a, scope, &o, err, errlen);
	char msg[256];

	if (!p)
		return -1;
	if (sample && size_text && !recall &&
	    try_hist(s, a, p, system, name, filter, size_text, scope) == 0)
		return 0;
	p->ev = ltr_event__open(s, system, name, &o);
	if (!p->ev)
		return aerr(err, errlen, "%s: %s", a->label, ltr_last_error());
	p->owner = a;
	ltr_event__set_user(p->ev, p);
	a->nparts++;
	/*
	 * On the ftrace ring no twin: alone in it, the records are the
	 * count, and the guard's switch keeps them (a twin's perf counter
	 * would cost the kernel about what a record does, every hit);
	 * sharing it, the event has a counter of its own
	 * (ltr_event_opts.shared_counter), and the switch stops its records
	 * alone (lden_attached__disable_sampling()).  Elsewhere the twin is
	 * enabled just before the sampling event (ltr_session__enable())
	 * and disabled just after it: a hit between the two is counted and
	 * not sampled, which the difference of their counts says
	 * (lden_attached__lost()).  Not a group: a sampling event that
	 * misses hits would take its leader's count with it.  The guard
	 * can disable the sampling event alone.
	 */
	if (sample && twins && !recall &&
	    ltr_event__ring(p->ev) != LTR_RING_FTRACE) {
		o.mode = LTR_MODE_COUNT;
		o.enable_before = p->ev;
		p->counter = ltr_event__open(s, system, name, &o);
		if (!p->counter)
			return aerr(err, errlen, "%s: %s", a->label,
				    ltr_last_error());
		ltr_event__set_user(p->counter, p);
	}
	a->lost_shared |= ltr_event__lost_shared(p->ev);
	if (sample && size_text) {
		p->size = lden_size_expr__compile(size_text, p->ev, msg, sizeof(msg));
		if (!p->size)
			return aerr(err, errlen, "%s: size '%.*s%s' on %s:%s: %s",
				    a->label, LDEN_SIZE_QUOTE(size_text), system,
				    name, msg);
	}
	return 0;
}

static int open_part(struct ltr_session *s, struct lden_attached *a,
		     const char *system, const char *name, const char *filter,
		     const char *size_text, bool sample,
		     const struct lden_scope *scope, char *err, size_t errlen)
{
	return open_part_in(s, a, system, name, filter, size_text, sample,
			    false, scope, err, errlen);
}

int lden_attach_event(struct ltr_session *s, const char *system,
		      const char *name, const char *filter, bool recall,
		      const struct lden_scope *scope, struct lden_attached *a,
		      char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->label, sizeof(a->label), "%s:%s", system, name);
	snprintf(a->source, sizeof(a->source), "%s %s:%s",
		 recall ? "recalled" : "sampled", system, name);
	a->sampling = !recall;
	a->recalled = recall;
	return open_part_in(s, a, system, name, filter, NULL, true, recall,
			    scope, err, errlen);
}

bool lden_tracepoint_exists(const char *tracing_dir, const char *spec)
{
	char path[4096];
	const char *colon = strchr(spec, ':');

	snprintf(path, sizeof(path), "%s/events/%.*s/%s/id", tracing_dir,
		 (int)(colon - spec), spec, colon + 1);
	return access(path, F_OK) == 0;
}

/*
 * A join's input: @j's allocation event, sampled (no twin: its hits are
 * not the event's count), in the same scope, its samples keyed by
 * @j->from_key and sized by @j->size.
 */
static int open_feeder(struct ltr_session *s, struct lden_attached *a,
		       const struct lden_join *j,
		       const struct lden_scope *scope, char *err,
		       size_t errlen)
{
	struct ltr_event_opts o = {
		.mode = LTR_MODE_SAMPLE,
		.ring = LTR_RING_PERF,	/* see lden_attached.join_perf */
		.ring_why = JOIN_RING_WHY,
	};
	struct lden_part *p = next_part(a, scope, &o, err, errlen);
	char msg[256];

	if (!p)
		return -1;
	p->ev = ltr_event__open(s, j->system, j->name, &o);
	if (!p->ev)
		return aerr(err, errlen, "%s: %s", a->label, ltr_last_error());
	p->owner = a;
	p->feeder = true;
	ltr_event__set_user(p->ev, p);
	a->nparts++;
	p->key = ltr_event__field(p->ev, j->from_key);
	if (!p->key)
		return aerr(err, errlen, "%s: join on %s:%s: %s", a->label,
			    j->system, j->name, ltr_last_error());
	p->size = lden_size_expr__compile(j->size, p->ev, msg, sizeof(msg));
	if (!p->size)
		return aerr(err, errlen, "%s: size '%.*s%s' on %s:%s: %s",
			    a->label, LDEN_SIZE_QUOTE(j->size), j->system,
			    j->name, msg);
	return 0;
}

/*
 * The size of @tp joined to earlier records (catalog "join"): its own
 * part, just opened (sampled), reads the key; each allocation event this
 * kernel has feeds the table.
 */
static int attach_join(struct ltr_session *s, struct lden_attached *a,
		       const struct lden_tp *tp, const char *tracing_dir,
		       const struct lden_scope *scope, char *err,
		       size_t errlen)
{
	struct lden_part *own = &a->parts[a->nparts - 1];
	int rc = 0;

	own->key = ltr_event__field(own->ev, tp->joins[0].key);
	if (!own->key)
		return aerr(err, errlen, "%s: %s", a->label, ltr_last_error());
	a->join = lden_sizejoin__new(JOIN_SLOTS);
	if (!a->join)
		return aerr(err, errlen, "%s: out of memory", a->label);
	for (int j = 0; j < tp->njoins && rc == 0; j++) {
		char spec[300];

		snprintf(spec, sizeof(spec), "%s:%s", tp->joins[j].system,
			 tp->joins[j].name);
		if (lden_tracepoint_exists(tracing_dir, spec))
			rc = open_feeder(s, a, &tp->joins[j], scope, err,
					 errlen);
	}
	return rc;
}

/*
 * "task.create" -> "task_create_3": probe names are C identifiers, and
 * unique in the session, since one event may be attached twice (counted
 * and sampled, or with two filters).
 */
static void probe_name(const char *label, char *out, size_t len)
{
	static unsigned int seq;
	size_t i;

	for (i = 0; label[i] && i + 12 < len; i++)
		out[i] = isalnum((unsigned char)label[i]) ? label[i] : '_';
	snprintf(out + i, len - i, "_%u", seq++);
}

static int attach_probe(struct ltr_session *s, struct lden_attached *a,
			const char *func, const char *fetchargs, bool ret,
			const char *filter, const char *size_text,
			bool need_size, bool sample,
			const struct lden_scope *scope, char *err,
			size_t errlen)
{
	const char *why;
	char name[64];
	int rc;

	if (!ltr_session__supports(s, LTR_FEATURE_KPROBES, &why))
		return aerr(err, errlen, "%s: this kernel has no kprobe support (CONFIG_KPROBES is off)",
			    a->label);
	probe_name(a->label, name, sizeof(name));
	rc = ltr_session__add_kprobe(s, name, func, fetchargs, ret);
	if (rc < 0)
		return aerr(err, errlen, "%s: %s", a->label, ltr_last_error());
	if (!a->nparts)
		snprintf(a->source, sizeof(a->source), "%s %s",
			 ret ? "kretprobe" : "kprobe", func);
	a->has_size = need_size && size_text;
	a->sampling = a->has_size || sample;
	rc = open_part(s, a, ltr_session__group(s), name, filter,
		       a->has_size ? size_text : NULL, a->sampling, scope, err,
		       errlen);
	if (a->nparts && ltr_event__mode(a->parts[0].ev) == LTR_MODE_HIST)
		a->sampling = sample;
	return rc;
}

/*
 * "notfrom": a kernel filter that drops returns into the functions
 * named, "(__probe_ret_ip < START || __probe_ret_ip >= END) && ..."
 * (their addresses from kallsyms), malloc'd in *@out; NULL when none of
 * them exists here.  Returns 0, or -1 with @err set.
 */
static int notfrom_filter(struct lden_attached *a,
			  const struct lden_source *src, char **out,
			  char *err, size_t errlen)
{
	struct lden_kallsyms *k;
	char *f = NULL;
	int rc = 0;

	*out = NULL;
	if (!src->nnotfrom)
		return 0;
	k = lden_kallsyms__load(NULL);
	if (!k)
		return aerr(err, errlen, "%s: cannot read /proc/kallsyms: %s",
			    a->label, strerror(errno));
	for (int i = 0; i < src->nnotfrom && rc == 0; i++) {
		uint64_t r[4][2];
		int n = lden_kallsyms__ranges(k, src->notfrom[i], r, 4);

		if (n < 0) {
			rc = aerr(err, errlen, "%s: cannot tell returns into %s apart: %s",
				  a->label, src->notfrom[i],
				  n == -EPERM ? "/proc/kallsyms shows no addresses (kernel.kptr_restrict)" :
						"more than 4 functions of that name");
			break;
		}
		for (int j = 0; j < n && rc == 0; j++) {
			char *nf = NULL;

			/* decimal: libtraceevent's filter check refuses hex
			 * above INT64_MAX */
			if (asprintf(&nf, "%s%s(__probe_ret_ip < %llu || __probe_ret_ip >= %llu)",
				     f ? f : "", f ? " && " : "",
				     (unsigned long long)r[j][0],
				     (unsigned long long)r[j][1]) < 0) {
				rc = aerr(err, errlen, "%s: out of memory", a->label);
				break;
			}
			free(f);
			f = nf;
		}
	}
	lden_kallsyms__free(k);
	if (rc < 0)
		free(f);
	else
		*out = f;
	return rc;
}

/*
 * One probe of a kprobe source (the first, or an "also" one) on @func,
 * with the catalog's filter, the user's, and the notfrom clause.
 */
static int attach_source_probe(struct ltr_session *s, struct lden_attached *a,
			       const struct lden_source *src, const char *func,
			       const char *extra_filter, bool need_size,
			       bool sample, const struct lden_scope *scope,
			       char *err, size_t errlen)
{
	char *filter, *nf, *all;
	int rc;

	if (join_filters(src->filter, extra_filter, a->label, &filter, err,
			 errlen) < 0)
		return -1;
	rc = notfrom_filter(a, src, &nf, err, errlen);
	if (rc < 0) {
		free(filter);
		return rc;
	}
	rc = join_filters(filter, nf, a->label, &all, err, errlen);
	if (rc == 0)
		rc = attach_probe(s, a, func, src->fetchargs,
				  src->kind == LDEN_SRC_KRETPROBE, all,
				  src->size, need_size, sample, scope, err,
				  errlen);
	free(all);
	free(nf);
	free(filter);
	return rc;
}

/*
 * @sample: sample every hit (for commands that read the fields), with the
 * size summed when the source has one; else sample only for @need_size.
 */
static int attach_catalog(struct ltr_session *s,
			  const struct lden_resolution *r, bool need_size,
			  bool sample, const char *extra_filter,
			  const struct lden_scope *scope,
			  struct lden_attached *a, char *err, size_t errlen)
{
	const struct lden_source *src = r->src;
	char bad[512];
	int rc = 0;

	memset(a, 0, sizeof(*a));
	snprintf(a->label, sizeof(a->label), "%s", r->def->name);
	if (!src)
		return aerr(err, errlen, "%s: unavailable: %s", a->label,
			    r->reason);
	if (need_size && !r->has_size) {
		char why[512];

		if (lden_check_no_size(s, r, why, sizeof(why)))
			return aerr(err, errlen, "%s has no size on this kernel: %s",
				    a->label, why);
		return aerr(err, errlen, "%s has no size on this kernel (source: %s)",
			    a->label, r->source_text);
	}
	/*
	 * commands that print samples get a size per sample, which a joined
	 * one (memory.free) is not: it needs the allocations' samples too
	 */
	if (sample && r->has_size && src->kind == LDEN_SRC_TRACEPOINT) {
		bool per_sample = false;

		for (int t = 0; t < src->ntps; t++)
			per_sample |= r->tp_present[t] && src->tps[t].size;
		need_size = need_size || per_sample;
	} else {
		need_size = need_size || (sample && r->has_size);
	}

	a->kernel_sum_ok = need_size && !sample;
	if (src->kind != LDEN_SRC_TRACEPOINT) {
		/* a signed size unfiltered: refused, as a tracepoint's */
		if (need_size &&
		    lden_check_probe_size(r->def, src, extra_filter, bad,
					  sizeof(bad)) < 0)
			return aerr(err, errlen, "%s: %s", a->label, bad);
		rc = attach_source_probe(s, a, src, r->func, extra_filter,
					 need_size, sample, scope, err, errlen);
		for (int m = 0; m < src->nmore && rc == 0; m++)
			if (r->more_funcs[m])
				rc = attach_source_probe(s, a, &src->more[m],
							 r->more_funcs[m],
							 extra_filter, need_size,
							 sample, scope, err,
							 errlen);
		if (rc == 0)
			snprintf(a->source, sizeof(a->source), "%s",
				 r->source_text);
		return rc;
	}

	snprintf(a->source, sizeof(a->source), "%s", r->source_text);
	a->has_size = need_size;
	a->sampling = need_size || sample;
	a->kernel_sum_ok = need_size && !sample;
	for (int t = 0; t < src->ntps && rc == 0; t++) {
		const struct lden_tp *tp = &src->tps[t];
		char *filter;

		if (!r->tp_present[t])
			continue;
		/* a signed size unfiltered: refused, never summed wrapped */
		if (need_size && tp->size &&
		    lden_check_tracepoint_size(s, r->def, tp, extra_filter, bad,
					       sizeof(bad)) < 0)
			return aerr(err, errlen, "%s: %s", a->label, bad);
		if (join_filters(tp->filter, extra_filter, a->label, &filter,
				 err, errlen) < 0)
			return -1;
		a->join_perf = need_size && tp->njoins && !sample;
		rc = open_part(s, a, tp->system, tp->name, filter,
			       need_size ? tp->size : NULL, a->sampling, scope,
			       err, errlen);
		a->join_perf = false;
		free(filter);
		/*
		 * not for commands that print samples (trace, top): the
		 * feeders' samples are not occurrences of the event
		 */
		if (rc == 0 && need_size && tp->njoins && !sample)
			rc = attach_join(s, a, tp, ltr_session__tracing_dir(s),
					 scope, err, errlen);
	}
	/* the catalog's own filter or size at fault: say where it is */
	if (rc < 0) {
		if (lden_check_source(s, r, bad, sizeof(bad)) == -1)
			aerr(err, errlen, "%s: %s", a->label, bad);
	}
	/* sampled only where the kernel could not sum */
	a->sampling = sample;
	for (int i = 0; i < a->nparts; i++)
		a->sampling |= ltr_event__mode(a->parts[i].ev) == LTR_MODE_SAMPLE;
	return rc;
}

int lden_attach(struct ltr_session *s, const struct lden_resolution *r,
		bool need_size, const char *extra_filter,
		const struct lden_scope *scope, struct lden_attached *a,
		char *err, size_t errlen)
{
	return attach_catalog(s, r, need_size, false, extra_filter, scope, a,
			      err, errlen);
}

int lden_attach_sampled(struct ltr_session *s,
			const struct lden_resolution *r,
			const char *extra_filter,
			const struct lden_scope *scope,
			struct lden_attached *a, char *err, size_t errlen)
{
	return attach_catalog(s, r, false, true, extra_filter, scope, a, err,
			      errlen);
}

int lden_attach_tracepoint(struct ltr_session *s, const char *system,
			   const char *name, const char *filter,
			   const struct lden_scope *scope,
			   struct lden_attached *a, char *err, size_t errlen)
{
	return lden_attach_tracepoint_mode(s, system, name, filter, false,
					   scope, a, err, errlen);
}

int lden_attach_tracepoint_mode(struct ltr_session *s, const char *system,
				const char *name, const char *filter,
				bool sample, const struct lden_scope *scope,
				struct lden_attached *a, char *err,
				size_t errlen)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->label, sizeof(a->label), "%s:%s", system, name);
	snprintf(a->source, sizeof(a->source), "tracepoint %s:%s", system,
		 name);
	a->sampling = sample;
	return open_part(s, a, system, name, filter, NULL, sample, scope, err,
			 errlen);
}

/* Whether kallsyms has a text symbol @func. */
static bool kallsyms_has(const char *func)
{
	struct lden_kallsyms *k = lden_kallsyms__load(NULL);
	bool found;

	if (!k)
		return true;	/* cannot tell: let the kernel decide */
	found = lden_kallsyms__has(k, func);
	lden_kallsyms__free(k);
	return found;
}

/*
 * The rung after kprobes (kernel-apis.md 5.2): perf's ftrace:function
 * event, counting, with a kernel filter on the function.  No arguments
 * and no filters of the user's: "ip" is all that event can filter on.
 */
static int attach_function_hook(struct ltr_session *s, struct lden_attached *a,
				const char *func, const char *filter,
				bool sample, const struct lden_scope *scope,
				bool kprobes,
				char *err, size_t errlen)
{
	const char *no_kprobes = kprobes ? "" :
		"this kernel has no kprobe support (CONFIG_KPROBES is off)";
	char ip_filter[200];
	int why;

	if (filter)
		return aerr(err, errlen, "%s: %s%sa filter on custom() needs kprobes",
			    a->label, no_kprobes, *no_kprobes ? ", and " : "");
	snprintf(ip_filter, sizeof(ip_filter), "ip == %s", func);
	snprintf(a->source, sizeof(a->source), "function hook %s (ftrace:function)",
		 func);
	a->sampling = sample;
	if (open_part(s, a, "ftrace", "function", ip_filter, NULL, sample,
		      scope, err, errlen) == 0)
		return 0;
	why = errno;
	/* not a privilege to grant: this kernel cannot (lden_plan__attach) */
	errno = EOPNOTSUPP;
	return aerr(err, errlen, "%s: %s%sfunction hooks are refused too (ftrace:function: %s)",
		    a->label, no_kprobes, *no_kprobes ? "; " : "",
		    strerror(why));
}

int lden_attach_custom(struct ltr_session *s, const char *func,
		       const char *filter, const struct lden_scope *scope,
		       struct lden_attached *a, char *err, size_t errlen)
{
	return lden_attach_custom_mode(s, func, filter, false, scope, a, err,
				       errlen);
}

int lden_attach_custom_mode(struct ltr_session *s, const char *func,
			    const char *filter, bool sample,
			    const struct lden_scope *scope,
			    struct lden_attached *a, char *err, size_t errlen)
{
	/* tests force a rung: LDEN_CUSTOM_VIA=function on a kprobe kernel */
	const char *via = getenv("LDEN_CUSTOM_VIA");
	bool kprobes = ltr_session__supports(s, LTR_FEATURE_KPROBES, NULL);

	memset(a, 0, sizeof(*a));
	snprintf(a->label, sizeof(a->label), "custom(%s)", func);
	if (!kallsyms_has(func))
		return aerr(err, errlen, "%s: no kernel function '%s' (not in /proc/kallsyms)",
			    a->label, func);
	if (kprobes && !(via && !strcmp(via, "function")))
		return attach_probe(s, a, func, NULL, false, filter, NULL,
				    false, sample, scope, err, errlen);
	return attach_function_hook(s, a, func, filter, sample, scope,
				    kprobes, err, errlen);
}

int lden_attach_uprobe(struct ltr_session *s, const char *path,
		       const char *symbol, const char *filter,
		       const struct lden_scope *scope, struct lden_attached *a,
		       char *err, size_t errlen)
{
	return lden_attach_uprobe_mode(s, path, symbol, filter, false, scope,
				       a, err, errlen);
}

int lden_attach_uprobe_mode(struct ltr_session *s, const char *path,
			    const char *symbol, const char *filter,
			    bool sample, const struct lden_scope *scope,
			    struct lden_attached *a, char *err, size_t errlen)
{
	static unsigned int seq;
	char name[64];

	memset(a, 0, sizeof(*a));
	snprintf(a->label, sizeof(a->label), "uprobe(%s:%s)", path, symbol);
	snprintf(name, sizeof(name), "uprobe_%u", seq++);
	if (ltr_session__add_uprobe(s, name, path, symbol, NULL, false) < 0)
		return aerr(err, errlen, "%s: %s", a->label, ltr_last_error());
	snprintf(a->source, sizeof(a->source), "uprobe %s:%s", path, symbol);
	a->sampling = sample;
	return open_part(s, a, ltr_session__group(s), name, filter, NULL,
			 sample, scope, err, errlen);
}

struct ltr_session *lden_attached__session(const struct lden_attached *a)
{
	for (int i = 0; i < a->nparts; i++)
		if (a->parts[i].ev)
			return ltr_event__session(a->parts[i].ev);
	return NULL;
}

/* The count of part @p, not summed in the kernel (not a feeder). */
static int part_count(struct lden_part *p, uint64_t *count)
{
	return ltr_event__count(p->counter ? p->counter : p->ev, count);
}

int lden_attached__count(struct lden_attached *a, uint64_t *count)
{
	uint64_t total = 0;

	for (int i = 0; i < a->nparts; i++) {
		struct lden_part *p = &a->parts[i];
		uint64_t c;

		if (p->feeder)
			continue;
		if (part_count(p, &c) < 0)
			return -1;
		total += c;
	}
	*count = total;
	return 0;
}

/*
 * What the kernel summed for part @p (p->hist), from one read of its
 * hist: its hits (those in the buckets and the dropped: see
 * ltr_hist__count()), the size of those in the buckets and the dropped.
 */
static int part_hist(struct lden_part *p, uint64_t *count, uint64_t *size,
		     uint64_t *dropped)
{
	struct ltr_hist h;

	if (ltr_event__hist(p->ev, &h) < 0)
		return -1;
	*count = ltr_hist__count(&h);
	*size = lden_size_hist__total(p->size, p->hist, &h);
	*dropped = h.dropped;
	ltr_hist__fini(&h);
	return 0;
}

int lden_attached__size(struct lden_attached *a, uint64_t *size)
{
	uint64_t total = a->size_total;

	for (int i = 0; i < a->nparts; i++) {
		struct lden_part *p = &a->parts[i];
		uint64_t c, sz, d;

		if (!p->hist)
			continue;
		if (part_hist(p, &c, &sz, &d) < 0)
			return -1;
		total = lden_u64_add(total, sz);
	}
	*size = total;
	return 0;
}

/*
 * Hits of a sampling part that the twin counted and the sampling event
 * did not, read now: the twin first, so that a hit between the two reads
 * makes the difference smaller, never larger.
 */
static uint64_t twin_gap(struct lden_part *p)
{
	uint64_t c, sc;

	if (!p->counter || ltr_event__count(p->counter, &c) < 0 ||
	    ltr_event__count(p->ev, &sc) < 0)
		return 0;
	return c > sc ? c - sc : 0;
}

/*
 * twin_gap(), read at most once a second: each reading reads two counters
 * on every CPU, and a per-task counter read on another CPU than its task's
 * costs an interrupt there; io has some eighty sampled parts, whose gaps
 * read ten times a second cost lden more than its --max-cpu.  The final
 * figure comes from lden_attached__settle(), read afresh.
 */
static uint64_t twin_gap_recent(struct lden_part *p)
{
	struct timespec ts;
	double now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (!p->gap_at || now - p->gap_at >= 1.0) {
		p->gap = twin_gap(p);
		p->gap_at = now;
	}
	return p->gap;
}

/*
 * The lost records of part @p (not summed in the kernel), as
 * lden_attached__lost() says.  Returns 0 or a negative errno.
 */
static int part_lost(struct lden_attached *a, struct lden_part *p,
		     uint64_t *lost)
{
	uint64_t l = 0;
	int rc;

	*lost = p->lost_stopped;
	/* a feeder stopped with its event: its losses are in lost_stopped */
	if (p->stopped || p->muted || ltr_event__mode(p->ev) == LTR_MODE_COUNT ||
	    (p->feeder && a->size_stopped))
		return 0;
	rc = ltr_event__lost(p->ev, &l);
	if (rc < 0)
		return rc;
	*lost += l;
	/*
	 * On the ftrace ring the count is the records read: what that ring
	 * lost is its drops (above, shared); settling finds the rest.
	 */
	if (!p->feeder && !a->recalled)
		*lost += p->settled ? p->unsampled :
			 ltr_event__ring(p->ev) == LTR_RING_FTRACE ?
				 0 : twin_gap_recent(p);
	return 0;
}

int lden_attached__lost(struct lden_attached *a, uint64_t *lost)
{
	uint64_t total = 0;

	for (int i = 0; i < a->nparts; i++) {
		uint64_t l;
		int rc = part_lost(a, &a->parts[i], &l);

		if (rc < 0)
			return rc;
		total += l;
	}
	*lost = total;
	return 0;
}

int lden_attached__read(struct lden_attached *a, struct lden_reading *r)
{
	memset(r, 0, sizeof(*r));
	r->size = a->size_total;
	for (int i = 0; i < a->nparts; i++) {
		struct lden_part *p = &a->parts[i];
		uint64_t c, sz, l;

		if (p->hist) {
			/* one read: its count, size and dropped of one moment */
			if (part_hist(p, &c, &sz, &l) < 0)
				return -1;
			r->count += c;
			r->size = lden_u64_add(r->size, sz);
			r->lost += l + p->lost_stopped;
			continue;
		}
		if (!p->feeder) {
			if (part_count(p, &c) < 0)
				return -1;
			r->count += c;
		}
		if (!r->lost_err) {
			r->lost_err = part_lost(a, p, &l);
			r->lost += l;
		}
	}
	if (r->lost_err)
		r->lost = 0;
	return 0;
}

/*
 * A sampled part whose samples can stop while its count goes on: with a
 * twin, or on the ftrace ring (ltr_event__stop_sampling()).
 */
static bool switchable(const struct lden_part *p)
{
	return ltr_event__mode(p->ev) == LTR_MODE_SAMPLE &&
	       (p->counter || ltr_event__ring(p->ev) == LTR_RING_FTRACE);
}

/*
 * After the sampling event of @p was disabled and drained: the hits it
 * counted (and, @twin, its twin when it counted more: disabled too) that
 * neither arrived nor were lost.  *@complete: none of the former.
 */
static uint64_t part_unarrived(struct lden_part *p, bool twin, bool *complete)
{
	uint64_t sc, l = 0, want;

	*complete = true;
	if (ltr_event__count(p->ev, &sc) < 0)
		return 0;
	/* before 6.0 the kernel does not say per event: taken as none */
	ltr_event__lost(p->ev, &l);
	if (p->delivered + l < sc)
		*complete = false;
	want = sc + (twin ? twin_gap(p) : 0);
	return want > p->delivered + l ? want - p->delivered - l : 0;
}

/*
 * Whether @p's samples are to be accounted for (not a feeder, not
 * recalled, not stopped in place: its count goes on past its samples).
 */
static bool accounted(const struct lden_attached *a, const struct lden_part *p)
{
	return !p->feeder && !a->recalled && !p->settled && !p->muted &&
	       ltr_event__mode(p->ev) == LTR_MODE_SAMPLE;
}

/*
 * A part stopped in place (p->muted): whether each of its records from
 * before the stop was delivered.
 */
static bool muted_complete(const struct lden_part *p)
{
	return ltr_session__complete_until(ltr_event__session(p->ev)) >=
	       ltr_event__sampling_stopped_at(p->ev);
}

/*
 * Whether every sampled part of the @n attached events has all its
 * samples; @settle: their unarrived hits, twin's included, become final.
 */
static bool account(struct lden_attached *att, int n, bool settle)
{
	bool complete = true;

	for (int k = 0; k < n; k++)
		for (int i = 0; i < att[k].nparts; i++) {
			struct lden_part *p = &att[k].parts[i];
			uint64_t u;
			bool c;

			if (p->muted && !settle)
				complete &= muted_complete(p);
			if (!accounted(&att[k], p))
				continue;
			u = part_unarrived(p, settle, &c);
			complete &= c;
			if (settle) {
				p->unsampled = u;
				p->settled = true;
			}
		}
	return complete;
}

/*
 * Every sample of @att that will ever arrive: after the CPUs are quiesced
 * (ltr_session__drain_final()), at once; else drains until every sampled
 * part of @att is complete, until nothing has come for LTR_SETTLE_QUIET_MS
 * (ltr_session__settle() says why that is enough), or for 200 ms.
 */
static int drain_complete(struct lden_attached *att, int n,
			  struct ltr_session *s,
			  int (*fn)(const struct ltr_sample *, void *),
			  void *ctx)
{
	struct timespec nap = { 0, 1000000 };
	int rc = ltr_session__drain_final(s, fn, ctx);
	double t0, last, t;

	/* every CPU quiesced: what has not come never will */
	if (rc != -EAGAIN)
		return rc < 0 ? rc : 0;
	t0 = last = lden_now();
	for (;;) {
		rc = ltr_session__drain(s, fn, ctx);

		if (rc < 0)
			return rc;
		t = lden_now();
		if (rc > 0)
			last = t;
		if (account(att, n, false) || t - t0 >= 0.2 ||
		    (t - last) * 1000 >= LTR_SETTLE_QUIET_MS)
			return 0;
		nanosleep(&nap, NULL);
	}
}

int lden_attached__dropped(const struct lden_attached *att, int n,
			uint64_t *lost)
{
	uint64_t total = 0, l;

	for (int i = 0; i < n; i++) {
		for (int k = 0; k < att[i].nparts; k++) {
			struct ltr_event *ev = att[i].parts[k].ev;
			int rc;

			if (!ev)
				continue;
			rc = ltr_event__lost(ev, &l);
			if (rc == -EOPNOTSUPP) {
				*lost = ltr_session__lost(ltr_event__session(ev),
							  -1);
				return 0;
			}
			if (rc < 0)
				return rc;
			total += l;
		}
	}
	*lost = total;
	return 0;
}

int lden_attached__dropped_own(const struct lden_attached *att, int n,
			       uint64_t *lost)
{
	*lost = 0;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < att[i].nparts; k++) {
			struct ltr_event *ev = att[i].parts[k].ev;

			/* the ftrace ring counts per ring */
			if (ev && ltr_event__mode(ev) == LTR_MODE_SAMPLE &&
			    ltr_event__lost_shared(ev))
				return 0;
		}
	if (lden_attached__dropped(att, n, lost) < 0)
		return -1;
	/* before 6.0 it was the session's total: not theirs alone */
	for (int i = 0; i < n; i++)
		for (int k = 0; k < att[i].nparts; k++) {
			struct ltr_event *ev = att[i].parts[k].ev;
			uint64_t l;

			if (ev && ltr_event__mode(ev) == LTR_MODE_SAMPLE &&
			    ltr_event__lost(ev, &l) == -EOPNOTSUPP)
				return 0;
		}
	return 1;
}

bool lden_attached__kept_all(const struct lden_attached *att, int n,
			     uint64_t *mark)
{
	struct ltr_session *s = NULL;
	uint64_t now;

	for (int i = 0; i < n; i++) {
		if (att[i].recalled)
			return false;
		for (int k = 0; k < att[i].nparts; k++) {
			struct ltr_event *ev = att[i].parts[k].ev;

			if (!ev)
				continue;
			/* counting: no ring, nothing lost */
			if (ltr_event__mode(ev) == LTR_MODE_COUNT)
				continue;
			if (ltr_event__mode(ev) != LTR_MODE_SAMPLE ||
			    ltr_event__ring(ev) != LTR_RING_PERF ||
			    (s && ltr_event__session(ev) != s))
				return false;
			s = ltr_event__session(ev);
		}
	}
	/* nothing in a ring, or hits that never came (settled): read */
	if (!s || ltr_session__unarrived(s))
		return false;
	now = ltr_session__full_marks(s);
	if (now == *mark)
		return true;
	*mark = now;
	return false;
}

int lden_attached__settle(struct lden_attached *att, int n,
			 struct ltr_session *s,
			 int (*fn)(const struct ltr_sample *, void *),
			 void *ctx)
{
	int rc = drain_complete(att, n, s, fn, ctx);

	if (rc < 0)
		return rc;
	account(att, n, true);
	return 0;
}

int lden_attached__missed(struct lden_attached *a, uint64_t *missed)
{
	uint64_t total = 0;

	for (int i = 0; i < a->nparts; i++) {
		uint64_t m;
		int rc;

		if (a->parts[i].feeder)
			continue;
		rc = ltr_event__missed(a->parts[i].ev, &m);
		if (rc < 0)
			return rc;
		total += m;
	}
	*missed = total;
	return 0;
}

int lden_attached__count_short(struct lden_attached *a, uint64_t *short_by)
{
	uint64_t most = 0;

	for (int i = 0; i < a->nparts; i++) {
		const struct lden_part *p = &a->parts[i];
		uint64_t m;

		/* a twin counts exactly; a feeder's hits are not counted */
		if (p->counter || p->feeder)
			continue;
		if (ltr_event__count_short(p->ev, &m) < 0)
			return -1;
		/* one ring's drops, whichever part asks */
		if (m > most)
			most = m;
	}
	*short_by = most;
	return 0;
}

uint64_t lden_attached__unsized(const struct lden_attached *a)
{
	return a->join ? lden_sizejoin__unsized(a->join) : 0;
}

int lden_attached__disable_sampling(struct lden_attached *a)
{
	int rc;

	if (!a->sampling)
		return 0;
	for (int i = 0; i < a->nparts; i++) {
		/* without its twin, the count would stop with the samples */
		if (ltr_event__mode(a->parts[i].ev) == LTR_MODE_SAMPLE &&
		    !switchable(&a->parts[i]) && !a->parts[i].feeder)
			return -EINVAL;
	}
	for (int i = 0; i < a->nparts; i++) {
		struct lden_part *p = &a->parts[i];

		if (p->stopped || p->muted || (!switchable(p) && !p->feeder))
			continue;
		/* the ftrace ring, no twin: its count goes on in place */
		if (!p->counter && !p->feeder) {
			rc = ltr_event__stop_sampling(p->ev);
			p->muted = rc == 0;
		} else {
			rc = ltr_event__disable(p->ev);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int lden_attached__stop_sampling(struct lden_attached *a, struct ltr_session *s,
				int (*fn)(const struct ltr_sample *, void *),
				void *ctx)
{
	int rc;

	if (!a->sampling)
		return 0;
	rc = lden_attached__disable_sampling(a);
	if (rc < 0)
		return rc;
	/*
	 * disabled on every CPU: what they sampled is in the rings, or
	 * about to be (a sample being written as the event was disabled)
	 */
	if (fn) {
		rc = drain_complete(a, 1, s, fn, ctx);
		if (rc < 0)
			return rc;
	}
	for (int i = 0; i < a->nparts; i++) {
		struct lden_part *p = &a->parts[i];
		uint64_t l = 0;
		bool c;

		if (p->feeder && ltr_event__lost(p->ev, &l) == 0)
			p->lost_stopped += l;
		if (p->stopped || !switchable(p))
			continue;
		if (ltr_event__lost(p->ev, &l) == 0)
			p->lost_stopped += l;
		if (p->muted) {
			/* its count goes on in place */
			lden_size_expr__free(p->size);
			p->size = NULL;
			continue;
		}
		if (fn && accounted(a, p))
			p->lost_stopped += part_unarrived(p, false, &c);
		/*
		 * disabled, not closed: a caller may still hold samples of it
		 * (lden trace orders them before printing), whose fields are
		 * read through it; the session closes it
		 */
		p->stopped = p->ev;
		p->ev = p->counter;
		p->counter = NULL;
		lden_size_expr__free(p->size);
		p->size = NULL;
	}
	a->sampling = false;
	a->size_stopped = true;
	return 0;
}

/* A sample of a joined-size event, or of one of its feeders. */
static void add_joined(struct lden_part *p, const struct ltr_sample *sample)
{
	struct lden_attached *a = p->owner;
	uint64_t key = 0, size;

	if (ltr_field__u64(p->key, sample, &key) < 0)
		key = UINT64_MAX;	/* unreadable: matches nothing */
	if (p->feeder) {
		size = lden_size_expr__eval(p->size, sample);
		if (lden_sizejoin__put(a->join, key, size, sample->time))
			a->size_total = lden_u64_add(a->size_total, size);
		return;
	}
	a->samples++;
	p->delivered++;
	if (lden_sizejoin__take(a->join, key, sample->time, &size))
		a->size_total = lden_u64_add(a->size_total, size);
}

void lden_attached__add_sample(const struct ltr_sample *sample)
{
	struct lden_part *p = ltr_event__user(sample->event);

	if (!p || p->owner->size_stopped)
		return;
	if (p->key && p->owner->join) {
		add_joined(p, sample);
		return;
	}
	p->owner->samples++;
	p->delivered++;
	if (p->size)
		p->owner->size_total = lden_u64_add(p->owner->size_total,
					lden_size_expr__eval(p->size, sample));
}

void lden_attached__mode(const struct lden_attached *a, char *buf,
			size_t len)
{
	const struct ltr_event *ev = NULL;
	const char *how;

	for (int i = 0; i < a->nparts && !ev; i++)
		if (ltr_event__mode(a->parts[i].ev) == LTR_MODE_SAMPLE)
			ev = a->parts[i].ev;
	if (a->size_in_kernel && !ev) {
		snprintf(buf, len, "counting, size summed in the kernel: hist trigger");
		return;
	}
	if (!a->sampling || !ev) {
		snprintf(buf, len, "counting");
		return;
	}
	how = ltr_event__ring_reader(ev);
	snprintf(buf, len, "sampling%s: %s ring%s%s (%s)",
		 a->has_size ? ", for size" : "",
		 ltr_event__ring(ev) == LTR_RING_FTRACE ? "ftrace" : "perf",
		 *how ? ", " : "", how, ltr_event__ring_why(ev));
}

void lden_attached__release(struct lden_attached *a)
{
	for (int i = 0; i < a->nparts; i++) {
		lden_size_expr__free(a->parts[i].size);
		a->parts[i].size = NULL;
		free(a->parts[i].hist);
		a->parts[i].hist = NULL;
	}
	a->nparts = 0;
	lden_sizejoin__free(a->join);
	a->join = NULL;
}
