// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lden-trace.h"
#include "recipe.h"
#include "scope.h"

static const struct lden_recipe_def *const recipes[] = {
	&lden_recipe_exec,
	&lden_recipe_open,
	&lden_recipe_tcp_accept,
	&lden_recipe_net,
	&lden_recipe_drops,
};

const struct lden_recipe_def *lden_recipe_find(const char *command,
					       const char *name)
{
	for (size_t i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++)
		if (!strcmp(recipes[i]->command, command) &&
		    !strcmp(recipes[i]->name, name))
			return recipes[i];
	return NULL;
}

int lden_recipe_open_event(struct lden_recipe *r, struct ltr_session *s,
			   const char *system, const char *name,
			   const char *filter, const struct lden_scope *scope,
			   int role, char *err, size_t errlen)
{
	struct ltr_event_opts o = {
		.mode = LTR_MODE_SAMPLE,
		.filter = filter,
	};
	struct ltr_event *ev;

	if (scope) {
		o.pid = scope->pid;
		o.inherit = scope->children;
		o.cgroup = scope->cgroup;
	}
	ev = ltr_event__open(s, system, name, &o);
	if (!ev) {
		snprintf(err, errlen, "%s: %s:%s: %s", r->def->name, system,
			 name, ltr_last_error());
		return -1;
	}
	ltr_event__set_user(ev, (void *)(intptr_t)role);
	return 0;
}

int lden_recipe_role(const struct ltr_sample *s)
{
	return (int)(intptr_t)ltr_event__user(s->event);
}

bool lden_recipe_has_event(const struct lden_recipe *r, const char *system,
			   const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", r->tracing_dir,
		 system, name);
	return access(path, F_OK) == 0;
}

void lden_recipe_part(const char *extra, int i, char *buf, size_t len)
{
	const char *p = extra ? extra : "";

	while (i-- > 0 && p) {
		p = strchr(p, LDEN_SEP[0]);
		if (p)
			p++;
	}
	if (!p) {
		snprintf(buf, len, "%s", "");
		return;
	}
	snprintf(buf, len, "%.*s", (int)strcspn(p, LDEN_SEP), p);
}

void lden_recipe_printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int lden_recipe_attach(struct lden_recipe *r, struct ltr_session *s,
		       const struct lden_scope_opts *scope, char *err,
		       size_t errlen)
{
	for (int i = 0; i < lden_scope_count(scope); i++) {
		struct lden_scope buf;
		const struct lden_scope *sc = lden_scope_get(scope, i, &buf);

		if (r->def->attach(r, s, sc, err, errlen) < 0)
			return -1;
	}
	return 0;
}
