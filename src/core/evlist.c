// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "attach.h"
#include "guard.h"
#include "evlist.h"
#include "catalog.h"
#include "lden.h"
#include "lden-trace.h"
#include "plan.h"
#include "resolve.h"
#include "scope.h"

/* "(a) && (b)" into *@dst, freeing the old value; -1 with errno. */
static int and_into(char **dst, const char *add)
{
	char *out = lden_filter_and(*dst, add);

	if (!out)
		return -1;
	free(*dst);
	*dst = out;
	return 0;
}

struct lden_expr *lden_evlist__parse(char *const *events, int n,
				    const char *filter, const char *comm,
				    char *err, size_t errlen)
{
	struct lden_expr_error perr;
	struct lden_expr *e;
	char comm_filter[64];
	const char *why;
	size_t len = 1;
	char *text;
	int at;

	if (filter && lden_filter_check(filter, &at, &why)) {
		snprintf(err, errlen, "invalid --filter '%s': %s at byte %d (a filter is one expression, ANDed with each event's own)",
			 filter, why, at + 1);
		return NULL;
	}
	if (comm && lden_comm_fault(comm)) {
		snprintf(err, errlen, "invalid --comm value '%s': %s", comm,
			 lden_comm_fault(comm));
		return NULL;
	}
	for (int i = 0; i < n; i++)
		len += strlen(events[i]) + 20;
	text = malloc(len);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	text[0] = '\0';
	for (int i = 0; i < n; i++)
		snprintf(text + strlen(text), len - strlen(text),
			 "%scount(%s) >= 0", i ? " or " : "", events[i]);
	e = lden_expr__parse(text, &perr);
	free(text);
	if (!e) {
		snprintf(err, errlen, "%s", perr.msg);
		return NULL;
	}
	if (e->nevents != n) {
		/* one argument held two events, or the same one twice */
		snprintf(err, errlen, "each EVENT argument must name one event, once");
		lden_expr__free(e);
		return NULL;
	}
	if (comm)
		lden_comm_filter(comm, comm_filter, sizeof(comm_filter));
	for (int i = 0; i < e->nevents; i++) {
		if ((filter && and_into(&e->events[i].filter, filter) < 0) ||
		    (comm && and_into(&e->events[i].filter, comm_filter) < 0)) {
			snprintf(err, errlen, "out of memory");
			lden_expr__free(e);
			return NULL;
		}
	}
	return e;
}

int lden_evlist__index(const struct lden_attached *att, int nevents,
		      int nscopes, const struct ltr_sample *s)
{
	const struct lden_part *p = ltr_event__user(s->event);
	uintptr_t at, base = (uintptr_t)att;
	size_t i;

	if (!p || !p->owner)
		return -1;
	/*
	 * by address, not by p->owner - att: a part of another list (the
	 * process tracker's, lden_comms) is no element of @att, and the
	 * difference of pointers into two arrays is no index: with an
	 * lden_attached of some 10 KiB, a tracker's task_newtask sample
	 * came out as event 0 (lden top's guard then short by one a fork)
	 */
	at = (uintptr_t)p->owner;
	if (at < base || (at - base) % sizeof(*att))
		return -1;
	i = (at - base) / sizeof(*att);
	if (i >= (size_t)nevents * (size_t)nscopes)
		return -1;
	return (int)(i % (size_t)nevents);
}

static int load_catalog(struct lden_catalog *cat, const char *extra,
			char *err, size_t errlen)
{
	const char *dirs[16];
	char msg[1024];
	int n = lden_catalog__default_dirs(dirs, 16, extra);

	if (lden_catalog__load(cat, dirs, n, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "bad event catalog: %s", msg);
		return -1;
	}
	return 0;
}

int lden_evlist__attach(struct lden_evlist *l, struct ltr_session *s,
		       char *const *events, int n, const char *filter,
		       const char *comm, const struct lden_scope_opts *scope,
		       const char *events_dir, char *err, size_t errlen)
{
	struct lden_catalog cat = { 0 };
	struct lden_kernel *k = NULL;
	struct lden_resolution *res = NULL;
	struct lden_expr_error perr;
	struct lden_expr *user = NULL;
	int status = LDEN_EXIT_USAGE;

	memset(l, 0, sizeof(*l));
	l->e = lden_evlist__parse(events, n, filter, comm, err, errlen);
	if (!l->e)
		return LDEN_EXIT_USAGE;
	/* the events as the user wrote them, before --filter and --comm */
	user = lden_evlist__parse(events, n, NULL, NULL, err, errlen);
	if (!user) {
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	if (load_catalog(&cat, events_dir, err, errlen) < 0)
		goto out;
	l->nevents = l->e->nevents;
	l->nscopes = lden_scope__count(scope);
	k = lden_kernel__new(ltr_session__tracing_dir(s));
	res = calloc(l->nevents, sizeof(*res));
	l->att = calloc((size_t)l->nevents * l->nscopes, sizeof(*l->att));
	if (!k || !res || !l->att) {
		snprintf(err, errlen, "out of memory");
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	if (lden_plan__check(&cat, k, l->e, lden_scope__kind(scope), res,
			    &perr) < 0) {
		snprintf(err, errlen, "%s", perr.msg);
		goto out;
	}
	for (int i = 0; i < l->nscopes; i++) {
		struct lden_scope buf;
		const struct lden_scope *sc = lden_scope__get(scope, i, &buf);

		if (lden_plan__attach_sampled(s, l->e, res, sc,
					     l->att + (size_t)i * l->nevents,
					     &perr) < 0) {
			/* a privilege missing is not the user's input */
			if (lden_attach__machine_fault(errno))
				status = LDEN_EXIT_FAIL;
			snprintf(err, errlen, "%s", perr.msg);
			goto out;
		}
	}
	/*
	 * An event's own filter is in its label, as in notify's: without it
	 * two filters of one tracepoint ([ret < 0], [ret >= 0]) were two
	 * rows of one name in trace's summary, one row of their sum in top
	 */
	for (int i = 0; i < l->nevents; i++) {
		if (!user->events[i].filter)
			continue;
		for (int c = 0; c < l->nscopes; c++)
			lden_expr_event__label(&user->events[i],
					       l->att[(size_t)c * l->nevents + i].label,
					       sizeof(l->att[0].label));
	}
	status = 0;
out:
	lden_expr__free(user);
	lden_kernel__free(k);
	lden_catalog__free(&cat);
	free(res);
	return status;
}

bool lden_evlist__has_field(const struct lden_evlist *l, const char *name)
{
	for (int i = 0; i < l->nevents * l->nscopes; i++)
		for (int p = 0; p < l->att[i].nparts; p++)
			if (ltr_event__field(l->att[i].parts[p].ev, name))
				return true;
	return false;
}

void lden_evlist__release(struct lden_evlist *l)
{
	if (l->att)
		for (int i = 0; i < l->nevents * l->nscopes; i++)
			lden_attached__release(&l->att[i]);
	free(l->att);
	lden_expr__free(l->e);
	memset(l, 0, sizeof(*l));
}

struct lden_guard *lden_evlist__guard(struct lden_evlist *l,
				     const struct lden_guard_opts *o,
				     double now)
{
	struct lden_guard *g = lden_guard__new(o);

	if (!g)
		return NULL;
	for (int i = 0; i < l->nevents * l->nscopes; i++) {
		if (lden_guard__add(g, l->att[i].label, &l->att[i]) < 0) {
			lden_guard__free(g);
			return NULL;
		}
	}
	lden_guard__start(g, now);
	return g;
}
