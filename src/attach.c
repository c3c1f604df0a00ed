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

#include "attach.h"
#include "kallsyms.h"
#include "lden-trace.h"

/* whether sampled parts get a counting twin (lden_attach_twins) */
static bool twins = true;

void lden_attach_twins(bool on)
{
	twins = on;
}

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

/* "(a) && (b)", either may be NULL; malloc'd or NULL. */
static char *and_filters(const char *a, const char *b)
{
	char *out = NULL;

	if (a && b) {
		if (asprintf(&out, "(%s) && (%s)", a, b) < 0)
			return NULL;
		return out;
	}
	if (a || b)
		return strdup(a ? a : b);
	return NULL;
}

static int open_part_in(struct ltr_session *s, struct lden_attached *a,
			const char *system, const char *name,
			const char *filter, const char *size_text,
			bool sample, bool recall,
			const struct lden_scope *scope, char *err,
			size_t errlen)
{
	struct ltr_event_opts o = {
		.mode = sample ? LTR_MODE_SAMPLE : LTR_MODE_COUNT,
		.filter = filter,
		.recall = recall,
	};
	struct lden_part *p;
	char msg[256];

	if (a->nparts == LDEN_MAX_PARTS)
		return aerr(err, errlen, "%s: too many tracepoints", a->label);
	if (scope) {
		o.pid = scope->pid;
		o.inherit = scope->children;
		o.cgroup = scope->cgroup;
	}
	p = &a->parts[a->nparts];
	memset(p, 0, sizeof(*p));
	p->ev = ltr_event__open(s, system, name, &o);
	if (!p->ev)
		return aerr(err, errlen, "%s: %s", a->label, ltr_last_error());
	p->owner = a;
	ltr_event__set_user(p->ev, p);
	a->nparts++;
	if (sample && twins && !recall) {
		o.mode = LTR_MODE_COUNT;
		p->counter = ltr_event__open(s, system, name, &o);
		if (!p->counter)
			return aerr(err, errlen, "%s: %s", a->label,
				    ltr_last_error());
		ltr_event__set_user(p->counter, p);
	}
	if (sample && size_text) {
		p->size = lden_size_compile(size_text, p->ev, msg, sizeof(msg));
		if (!p->size)
			return aerr(err, errlen, "%s: size '%s' on %s:%s: %s",
				    a->label, size_text, system, name, msg);
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
	snprintf(a->source, sizeof(a->source), "%s %s", ret ? "kretprobe" :
		 "kprobe", func);
	a->has_size = need_size && size_text;
	a->sampling = a->has_size || sample;
	return open_part(s, a, ltr_session__group(s), name, filter,
			 size_text, a->sampling, scope, err, errlen);
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
	int rc = 0;

	memset(a, 0, sizeof(*a));
	snprintf(a->label, sizeof(a->label), "%s", r->def->name);
	if (!src)
		return aerr(err, errlen, "%s: unavailable: %s", a->label,
			    r->reason);
	if (need_size && !r->has_size)
		return aerr(err, errlen, "%s has no size on this kernel (source: %s)",
			    a->label, r->source_text);
	need_size = need_size || (sample && r->has_size);

	if (src->kind != LDEN_SRC_TRACEPOINT) {
		char *filter = and_filters(src->filter, extra_filter);

		rc = attach_probe(s, a, r->func, src->fetchargs,
				  src->kind == LDEN_SRC_KRETPROBE, filter,
				  src->size, need_size, sample, scope, err,
				  errlen);
		free(filter);
		return rc;
	}

	snprintf(a->source, sizeof(a->source), "%s", r->source_text);
	a->has_size = need_size;
	a->sampling = need_size || sample;
	for (int t = 0; t < src->ntps && rc == 0; t++) {
		const struct lden_tp *tp = &src->tps[t];
		char *filter;

		if (!r->tp_present[t])
			continue;
		filter = and_filters(tp->filter, extra_filter);
		rc = open_part(s, a, tp->system, tp->name, filter,
			       need_size ? tp->size : NULL, a->sampling, scope,
			       err, errlen);
		free(filter);
	}
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
	struct lden_kallsyms *k = lden_kallsyms_load(NULL);
	bool found;

	if (!k)
		return true;	/* cannot tell: let the kernel decide */
	found = lden_kallsyms_has(k, func);
	lden_kallsyms_free(k);
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
	/* not a privilege to grant: this kernel cannot (lden_plan_attach) */
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

int lden_attached_count(struct lden_attached *a, uint64_t *count)
{
	uint64_t total = 0;

	for (int i = 0; i < a->nparts; i++) {
		struct lden_part *p = &a->parts[i];
		uint64_t c;

		if (ltr_event__count(p->counter ? p->counter : p->ev, &c) < 0)
			return -1;
		total += c;
	}
	*count = total;
	return 0;
}

int lden_attached_lost(struct lden_attached *a, uint64_t *lost)
{
	uint64_t total = 0;

	for (int i = 0; i < a->nparts; i++) {
		struct lden_part *p = &a->parts[i];
		uint64_t l = 0;
		int rc;

		total += p->lost_stopped;
		if (ltr_event__mode(p->ev) != LTR_MODE_SAMPLE)
			continue;
		rc = ltr_event__lost(p->ev, &l);
		if (rc < 0)
			return rc;
		total += l;
	}
	*lost = total;
	return 0;
}

int lden_attached_disable_sampling(struct lden_attached *a)
{
	int rc;

	if (!a->sampling)
		return 0;
	for (int i = 0; i < a->nparts; i++) {
		/* without its twin, the count would stop with the samples */
		if (ltr_event__mode(a->parts[i].ev) == LTR_MODE_SAMPLE &&
		    !a->parts[i].counter)
			return -EINVAL;
	}
	for (int i = 0; i < a->nparts; i++) {
		struct lden_part *p = &a->parts[i];

		if (!p->counter)
			continue;
		rc = ltr_event__disable(p->ev);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int lden_attached_stop_sampling(struct lden_attached *a, struct ltr_session *s,
				int (*fn)(const struct ltr_sample *, void *),
				void *ctx)
{
	int rc;

	if (!a->sampling)
		return 0;
	rc = lden_attached_disable_sampling(a);
	if (rc < 0)
		return rc;
	/* disabled on every CPU: what they sampled is all in the rings */
	if (fn) {
		rc = ltr_session__drain(s, fn, ctx);
		if (rc < 0)
			return rc;
	}
	for (int i = 0; i < a->nparts; i++) {
		struct lden_part *p = &a->parts[i];
		uint64_t l = 0;

		if (!p->counter)
			continue;
		if (ltr_event__lost(p->ev, &l) == 0)
			p->lost_stopped += l;
		/*
		 * disabled, not closed: a caller may still hold samples of it
		 * (lden trace orders them before printing), whose fields are
		 * read through it; the session closes it
		 */
		p->stopped = p->ev;
		p->ev = p->counter;
		p->counter = NULL;
		lden_size_free(p->size);
		p->size = NULL;
	}
	a->sampling = false;
	a->size_stopped = true;
	return 0;
}

void lden_attached_add_sample(const struct ltr_sample *sample)
{
	struct lden_part *p = ltr_event__user(sample->event);

	if (!p || p->owner->size_stopped)
		return;
	p->owner->samples++;
	if (p->size)
		p->owner->size_total += lden_size_eval(p->size, sample);
}

void lden_attached_release(struct lden_attached *a)
{
	for (int i = 0; i < a->nparts; i++) {
		lden_size_free(a->parts[i].size);
		a->parts[i].size = NULL;
	}
	a->nparts = 0;
}
