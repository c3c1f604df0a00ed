// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lden-trace.h"
#include "plan.h"
#include "resolve.h"

/* A present tracepoint of the chosen source whose size line gave none. */
static const struct lden_tp *sized_tp(const struct lden_resolution *r)
{
	if (!r->src || r->src->kind != LDEN_SRC_TRACEPOINT)
		return NULL;
	for (int t = 0; t < r->src->ntps && t < 8; t++)
		if (r->tp_present[t] && r->src->tps[t].size)
			return &r->src->tps[t];
	return NULL;
}

/*
 * The function of a uprobe in its file, as attaching would look for it
 * (ltr_session__add_uprobe: the real path's ELF symbols), so that a check
 * (lden watch --check, before anything is attached) finds a missing one;
 * an offset ("0x1234") is the kernel's to check.  0, or -1 with @err.
 */
static int uprobe_symbol_check(const struct lden_expr_event *ev,
			       const char *label, struct lden_expr_error *err)
{
	uint64_t offset;
	char *abs;
	int rc;

	if (!ev->symbol || isdigit((unsigned char)ev->symbol[0]))
		return 0;
	abs = realpath(ev->name, NULL);
	if (!abs)
		return 0;	/* attaching says why */
	rc = ltr_elf__symbol_offset(abs, ev->symbol, &offset);
	free(abs);
	if (rc < 0) {
		lden_expr_error__at(err, ev, "%s: %s", label, ltr_last_error());
		return -1;
	}
	return 0;
}

const char *lden_ftrace_record(const char *tracing_dir, const char *spec)
{
	const char *colon = strchr(spec, ':');
	char path[4096];

	snprintf(path, sizeof(path), "%s/events/%.*s/%s/enable", tracing_dir,
		 (int)(colon - spec), spec, colon + 1);
	if (access(path, F_OK) == 0 || errno != ENOENT)
		return NULL;
	if (!strcmp(spec, "ftrace:function"))
		return ": perf opens it only as a hook on every kernel function; custom(FUNCTION) hooks one";
	return ": perf never fires it";
}

/* lden_kernel__unseen_per_task() of the tracepoint "system:name" */
static const char *unseen_per_task(struct lden_kernel *k, const char *spec)
{
	const char *colon = strchr(spec, ':');
	char sys[128];

	if (!colon || colon - spec >= (long)sizeof(sys))
		return NULL;
	snprintf(sys, sizeof(sys), "%.*s", (int)(colon - spec), spec);
	return lden_kernel__unseen_per_task(k, sys, colon + 1);
}

int lden_plan__check(const struct lden_catalog *cat, struct lden_kernel *k,
		    const struct lden_expr *e, enum lden_scope_kind scoped,
		    struct lden_resolution *res, struct lden_expr_error *err)
{
	for (int i = 0; i < e->nevents; i++) {
		const struct lden_expr_event *ev = &e->events[i];
		const struct lden_event_def *def;
		const char *why;
		char label[LDEN_LABEL_LEN];

		memset(&res[i], 0, sizeof(res[i]));
		lden_expr_event__label(ev, label, sizeof(label));
		switch (ev->kind) {
		case LDEN_EV_CATALOG:
			def = lden_catalog__find(cat, ev->name);
			if (!def) {
				const char *near = lden_catalog__suggest(cat, ev->name);

				if (near)
					lden_expr_error__at(err, ev, "unknown event '%s' (did you mean '%s'?)",
							   ev->name, near);
				else
					lden_expr_error__at(err, ev, "unknown event '%s' (see 'lden list-events')",
							   ev->name);
				return -1;
			}
			if (scoped && def->unscoped) {
				lden_expr_error__at(err, ev, "%s cannot be counted per process or cgroup: %s",
						   ev->name, def->unscoped);
				return -1;
			}
			/*
			 * a kprobe source's signed size unfiltered, on any
			 * kernel: its types are in the file (a tracepoint's
			 * are the kernel's, checked at attach)
			 */
			for (int s = 0; ev->need_size && s < def->nsrcs; s++) {
				char bad[512];

				if (lden_check_probe_size(def, &def->srcs[s],
							  ev->filter, bad,
							  sizeof(bad)) < 0) {
					lden_expr_error__at(err, ev, "%s: %s",
							   label, bad);
					return -1;
				}
			}
			if (lden_resolve_scoped(k, def,
						scoped == LDEN_SCOPE_TASKS,
						&res[i]) < 0) {
				lden_expr_error__at(err, ev, "%s is unavailable on this kernel: %s",
						   ev->name, res[i].reason);
				return -1;
			}
			if (ev->need_size && !res[i].has_size) {
				const struct lden_tp *tp = sized_tp(&res[i]);

				if (tp)
					lden_expr_error__at(err, ev, "%s has no size on this kernel: the size at %s:%d names a field %s:%s lacks here (see 'lden list-events')",
							   ev->name, def->file, tp->size_line,
							   tp->system, tp->name);
				else
					lden_expr_error__at(err, ev, "%s has no size (it counts events only); use count() or speed()",
							   ev->name);
				return -1;
			}
			break;
		case LDEN_EV_TRACEPOINT:
			if (!lden_tracepoint_exists(lden_kernel__tracing_dir(k), ev->name)) {
				lden_expr_error__at(err, ev, "no tracepoint '%s' on this kernel (see 'lden list-events --all')",
						   ev->name);
				return -1;
			}
			why = lden_ftrace_record(lden_kernel__tracing_dir(k),
						 ev->name);
			if (why) {
				lden_expr_error__at(err, ev, LDEN_FTRACE_RECORD_FMT,
						   ev->name, why);
				return -1;
			}
			if (scoped == LDEN_SCOPE_TASKS &&
			    (why = unseen_per_task(k, ev->name))) {
				lden_expr_error__at(err, ev, "%s cannot be counted per process here: %s; task.exit counts exits per process (by a kprobe where needed), or count it in a --cgroup or the whole machine",
						   ev->name, why);
				return -1;
			}
			__attribute__((fallthrough));
		case LDEN_EV_CUSTOM:
		case LDEN_EV_UPROBE:
			/* as attaching says it (lden watch --check too) */
			if (ev->kind == LDEN_EV_CUSTOM &&
			    lden_kernel__has_function(k, ev->name) == 0) {
				lden_expr_error__at(err, ev, "%s: no kernel function '%s' (not in /proc/kallsyms)",
						   label, ev->name);
				return -1;
			}
			if (ev->need_size) {
				lden_expr_error__at(err, ev, "size() needs a catalog event with a size; '%s' counts events only",
						   label);
				return -1;
			}
			if (ev->kind == LDEN_EV_UPROBE && access(ev->name, R_OK) < 0) {
				lden_expr_error__at(err, ev, "uprobe: cannot read '%s': %s",
						   ev->name, strerror(errno));
				return -1;
			}
			if (ev->kind == LDEN_EV_UPROBE &&
			    uprobe_symbol_check(ev, label, err) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

static int plan_attach(struct ltr_session *s, const struct lden_expr *e,
		       const struct lden_resolution *res, bool sample,
		       const struct lden_scope *scope, struct lden_attached *a,
		       struct lden_expr_error *err)
{
	for (int i = 0; i < e->nevents; i++) {
		const struct lden_expr_event *ev = &e->events[i];
		char msg[600], sys[128];
		const char *colon;
		int rc = -1;

		switch (ev->kind) {
		case LDEN_EV_CATALOG:
			if (sample)
				rc = lden_attach_sampled(s, &res[i], ev->filter,
							 scope, &a[i], msg,
							 sizeof(msg));
			else
				rc = lden_attach(s, &res[i], ev->need_size,
						 ev->filter, scope, &a[i], msg,
						 sizeof(msg));
			break;
		case LDEN_EV_TRACEPOINT:
			colon = strchr(ev->name, ':');
			snprintf(sys, sizeof(sys), "%.*s", (int)(colon - ev->name),
				 ev->name);
			rc = lden_attach_tracepoint_mode(s, sys, colon + 1,
							 ev->filter, sample,
							 scope, &a[i], msg,
							 sizeof(msg));
			break;
		case LDEN_EV_CUSTOM:
			rc = lden_attach_custom_mode(s, ev->name, ev->filter,
						     sample, scope, &a[i], msg,
						     sizeof(msg));
			break;
		case LDEN_EV_UPROBE:
			rc = lden_attach_uprobe_mode(s, ev->name, ev->symbol,
						     ev->filter, sample, scope,
						     &a[i], msg, sizeof(msg));
			break;
		}
		if (rc < 0) {
			int saved = errno;

			lden_expr_error__at(err, ev, "%s", msg);
			errno = saved;
			return -1;
		}
	}
	return 0;
}

int lden_plan__attach(struct ltr_session *s, const struct lden_expr *e,
		     const struct lden_resolution *res,
		     const struct lden_scope *scope, struct lden_attached *a,
		     struct lden_expr_error *err)
{
	return plan_attach(s, e, res, false, scope, a, err);
}

int lden_plan__attach_sampled(struct ltr_session *s, const struct lden_expr *e,
			     const struct lden_resolution *res,
			     const struct lden_scope *scope,
			     struct lden_attached *a,
			     struct lden_expr_error *err)
{
	return plan_attach(s, e, res, true, scope, a, err);
}

int lden_plan__attach_scopes(struct ltr_session *s, const struct lden_expr *e,
			    const struct lden_resolution *res,
			    const struct lden_scope_opts *o,
			    struct lden_attached *a,
			    struct lden_expr_error *err)
{
	int n = lden_scope__count(o);

	for (int k = 0; k < n; k++) {
		struct lden_scope buf;
		const struct lden_scope *scope = lden_scope__get(o, k, &buf);

		if (lden_plan__attach(s, e, res, scope,
				     a + (size_t)k * e->nevents, err) < 0)
			return -1;
	}
	return 0;
}
