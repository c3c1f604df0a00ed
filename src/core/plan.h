/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From the events an expression names to attached kernel events: check
 * every name against the catalog and the kernel before anything is
 * attached, then attach them all or none.
 */
#ifndef LDEN_PLAN_H
#define LDEN_PLAN_H

#include "attach.h"
#include "catalog.h"
#include "expr.h"
#include "scope.h"

struct lden_kernel;
struct lden_resolution;
struct ltr_session;

/*
 * lden_ftrace_record - whether the tracepoint "system:name" (which
 * exists) is one of ftrace's own records, not an event: ftrace:function
 * and ftrace:print have an id and a format but no 'enable' file, as the
 * function tracer and trace_marker write them into ftrace's buffer
 * themselves.  perf opens ftrace:print, which then counts 0 whatever is
 * written; it opens ftrace:function only as a hook on every kernel
 * function (refused with EPERM even to root where the kernel allows no
 * function hooks, which read as a privilege missing).
 * Returns NULL for an event, else the end of LDEN_FTRACE_RECORD_FMT's
 * message (a literal).
 */
const char *lden_ftrace_record(const char *tracing_dir, const char *spec);
#define LDEN_FTRACE_RECORD_FMT \
	"'%s' is not a tracepoint but a record ftrace writes into its own buffer (tracefs has no 'enable' for it)%s"

/*
 * lden_plan__check - resolve every event of @e (no kernel state changes)
 * @scoped: counted per process or cgroup (not LDEN_SCOPE_NONE): events
 *          the catalog marks 'unscoped' (interrupts, kernel threads) are
 *          refused; per process (LDEN_SCOPE_TASKS), a tracepoint a task's
 *          own events cannot see here is skipped for the event's next
 *          source (lden_resolve_scoped()), and refused when named
 * @res: out, indexed like e->events (catalog events only)
 * Returns 0, or -1 with @err pointing at the event that is wrong.
 */
int lden_plan__check(const struct lden_catalog *cat, struct lden_kernel *k,
		    const struct lden_expr *e, enum lden_scope_kind scoped,
		    struct lden_resolution *res, struct lden_expr_error *err);

/*
 * lden_plan__attach - attach every event of @e; on failure the caller
 * frees the session, which removes whatever was created
 * Returns 0, or -1 with @err pointing at the event that failed and errno
 * set: EACCES or EPERM is a missing privilege, not a mistake in @e.
 */
int lden_plan__attach(struct ltr_session *s, const struct lden_expr *e,
		     const struct lden_resolution *res,
		     const struct lden_scope *scope, struct lden_attached *a,
		     struct lden_expr_error *err);

/*
 * lden_plan__attach_sampled - the same, every event sampled so that its
 * fields can be read (lden trace, lden top)
 */
int lden_plan__attach_sampled(struct ltr_session *s, const struct lden_expr *e,
			     const struct lden_resolution *res,
			     const struct lden_scope *scope,
			     struct lden_attached *a,
			     struct lden_expr_error *err);

/*
 * lden_plan__attach_scopes - lden_plan__attach() of @e once in each scope
 * of @o (lden_scope__count() of them; the whole machine when none), into
 * @a: nevents x nscopes, scope after scope.  Returns 0, or -1 with errno
 * set and @err filled at the first failure (EACCES or EPERM: missing
 * privileges, where a caret under the expression would point at nothing
 * to fix); what was attached stays in @a for lden_attached__release().
 */
int lden_plan__attach_scopes(struct ltr_session *s, const struct lden_expr *e,
			    const struct lden_resolution *res,
			    const struct lden_scope_opts *o,
			    struct lden_attached *a,
			    struct lden_expr_error *err);

#endif
