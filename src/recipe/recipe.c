// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "comms.h"
#include "guard.h"
#include "lden-trace.h"
#include "plan.h"
#include "recipe.h"
#include "scope.h"

static const struct lden_recipe_def *const recipes[] = {
	&lden_recipe_exec,
	&lden_recipe_open,
	&lden_recipe_tcp_accept,
	&lden_recipe_net,
	&lden_recipe_drops,
	&lden_recipe_socket,
};

const struct lden_recipe_def *lden_recipe__find(const char *command,
					       const char *name)
{
	for (size_t i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++)
		if (!strcmp(recipes[i]->command, command) &&
		    !strcmp(recipes[i]->name, name))
			return recipes[i];
	return NULL;
}

static int open_event(struct lden_recipe *r, struct ltr_session *s,
		      const char *system, const char *name,
		      const char *filter, const struct lden_scope *scope,
		      int role, bool recall, char *err, size_t errlen)
{
	struct lden_attached **att, *a;
	char msg[512];

	att = realloc(r->att, (size_t)(r->natt + 1) * sizeof(*att));
	if (!att) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->att = att;
	/* one by one: the parts point at their owner */
	a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((recall ? lden_attach_event(s, system, name, filter, true, scope,
					a, msg, sizeof(msg)) :
		      lden_attach_tracepoint_mode(s, system, name, filter, true,
						  scope, a, msg,
						  sizeof(msg))) < 0) {
		snprintf(err, errlen, "%s: %s", r->def->name, msg);
		free(a);
		return -1;
	}
	a->user = (void *)(intptr_t)role;
	r->att[r->natt++] = a;
	return 0;
}

int lden_recipe__open_event(struct lden_recipe *r, struct ltr_session *s,
			   const char *system, const char *name,
			   const char *filter, const struct lden_scope *scope,
			   int role, char *err, size_t errlen)
{
	return open_event(r, s, system, name, filter, scope, role, false, err,
			  errlen);
}

int lden_recipe__open_task_exit(struct lden_recipe *r, struct ltr_session *s,
				const char *filter,
				const struct lden_scope *scope, int role,
				char *err, size_t errlen)
{
	static const char *const calls[] = { "sys_enter_exit",
					     "sys_enter_exit_group" };
	if (!scope || scope->pid <= 0 ||
	    ltr_exit_seen_per_task(ltr_session__tracing_dir(s)) != 0 ||
	    !lden_recipe__has_event(r, "syscalls", calls[0]) ||
	    !lden_recipe__has_event(r, "syscalls", calls[1]))
		return lden_recipe__open_event(r, s, "sched",
					       "sched_process_exit", filter,
					       scope, role, err, errlen);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (lden_recipe__open_event(r, s, "syscalls", calls[i], filter,
					    scope, role, err, errlen) < 0)
			return -1;
	return 0;
}

int lden_recipe__recall_event(struct lden_recipe *r, struct ltr_session *s,
			     const char *system, const char *name,
			     const char *filter, const struct lden_scope *scope,
			     int role, char *err, size_t errlen)
{
	return open_event(r, s, system, name, filter, scope, role, true, err,
			  errlen);
}

int lden_recipe__role(const struct ltr_sample *s)
{
	const struct lden_part *p = ltr_event__user(s->event);

	return p && p->owner ? (int)(intptr_t)p->owner->user : 0;
}

struct lden_guard *lden_recipe__guard(struct lden_recipe *r,
				     const struct lden_guard_opts *o,
				     double now)
{
	struct lden_guard *g = lden_guard__new(o);

	if (!g)
		return NULL;
	for (int i = 0; i < r->natt; i++) {
		/* recalled events cost lden nothing per record */
		if (r->att[i]->recalled)
			continue;
		if (lden_guard__add(g, r->att[i]->label, r->att[i]) < 0) {
			lden_guard__free(g);
			return NULL;
		}
	}
	/* the captures cost lden per call too (not when recalled) */
	for (int i = 0; r->strcap && i < lden_strcap__nattached(r->strcap); i++) {
		struct lden_attached *a = lden_strcap__attached(r->strcap, i);

		if (a->sampling && lden_guard__add(g, a->label, a) < 0) {
			lden_guard__free(g);
			return NULL;
		}
	}
	lden_guard__start(g, now);
	return g;
}

void lden_recipe__release(struct lden_recipe *r)
{
	lden_strcap__free(r->strcap);
	r->strcap = NULL;
	for (int i = 0; i < r->natt; i++) {
		lden_attached__release(r->att[i]);
		free(r->att[i]);
	}
	free(r->att);
	r->att = NULL;
	r->natt = 0;
}

bool lden_recipe__has_event(const struct lden_recipe *r, const char *system,
			   const char *name)
{
	char spec[256];

	snprintf(spec, sizeof(spec), "%s:%s", system, name);
	return lden_tracepoint_exists(r->tracing_dir, spec);
}

const char *lden_recipe__filter(const struct lden_recipe *r, const char *filter,
			       char *buf, size_t len)
{
	char comm[40];

	if (!r->comm)
		return filter;
	lden_comm_filter(r->comm, comm, sizeof(comm));
	if (filter)
		snprintf(buf, len, "(%s) && %s", filter, comm);
	else
		snprintf(buf, len, "%s", comm);
	return buf;
}

int lden_recipe__strings(struct lden_recipe *r, struct ltr_session *s,
			enum lden_strcap_kind kind,
			const struct lden_scope_opts *scope,
			const char *enter_system, const char *enter_name,
			char *err, size_t errlen)
{
	char msg[768];

	r->session = s;
	if (r->strcap)
		return 0;
	r->strcap = lden_strcap__new(kind);
	if (!r->strcap) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (lden_strcap__choose(r->strcap, s, r->strings, scope, enter_system,
			       enter_name, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s: %s", r->def->name, msg);
		return -1;
	}
	return 0;
}

/* Where the @i-th part of @extra starts, or NULL. */
static const char *part_at(const char *extra, int i)
{
	const char *p = extra ? extra : "";

	while (i-- > 0 && p) {
		p = strchr(p, LDEN_SEP[0]);
		if (p)
			p++;
	}
	return p;
}

void lden_recipe__part(const char *extra, int i, char *buf, size_t len)
{
	const char *p = part_at(extra, i);

	snprintf(buf, len, "%.*s", p ? (int)strcspn(p, LDEN_SEP) : 0,
		 p ? p : "");
}

void lden_recipe__rest(const char *extra, int i, char *buf, size_t len)
{
	const char *p = part_at(extra, i);

	snprintf(buf, len, "%s", p ? p : "");
}

void lden_recipe__count(struct lden_recipe *r, enum lden_prov prov)
{
	if ((unsigned int)prov < sizeof(r->values) / sizeof(r->values[0]))
		r->values[prov]++;
}

enum lden_prov lden_recipe__name(struct lden_recipe *r, pid_t tid,
				const char *late, char *buf, size_t len)
{
	const char *exact = lden_comms__get(r->comms, tid);
	enum lden_prov prov = exact ? LDEN_PROV_EXACT :
			      late && *late && strcmp(late, "?") ?
			      LDEN_PROV_LATE : LDEN_PROV_NONE;

	snprintf(buf, len, "%s", exact ? exact :
		 prov == LDEN_PROV_LATE ? late : "");
	return prov;
}

int lden_recipe__attach(struct lden_recipe *r, struct ltr_session *s,
		       const struct lden_scope_opts *scope, char *err,
		       size_t errlen)
{
	r->scopes = scope;
	r->session = s;
	for (int i = 0; i < lden_scope__count(scope); i++) {
		struct lden_scope buf;
		const struct lden_scope *sc = lden_scope__get(scope, i, &buf);

		if (r->def->attach(r, s, sc, err, errlen) < 0)
			return -1;
	}
	return 0;
}
