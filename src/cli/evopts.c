// SPDX-License-Identifier: GPL-2.0-or-later
/* What lden trace and lden top share (see evopts.h). */
#include <errno.h>

#include "attach.h"
#include "cli.h"
#include "clock.h"
#include "collect.h"
#include "evopts.h"
#include "lden.h"

int lden_evopts__parse(struct lden_cmdline *cl, struct lden_cmdline_def *def,
		      void *ctx, int argc, char **argv)
{
	char shorts[64];
	int rc;

	snprintf(shorts, sizeof(shorts), "f:p:g:jt:d:h%s", def->shorts);
	def->shorts = shorts;
	def->shared = LDEN_CL_SCOPE | LDEN_CL_GUARD | LDEN_CL_TIME |
		      LDEN_CL_EVENTS_DIR | LDEN_CL_JSON | LDEN_CL_FILTER |
		      LDEN_CL_RING | LDEN_CL_NETNS;
	rc = lden_cmdline__parse(cl, def, ctx, argc, argv);
	if (rc)
		return rc;
	if (!cl->nargs) {
		lden_cli__err("missing EVENT (see 'lden %s --help')",
			     lden_cli__command());
		return LDEN_EXIT_USAGE;
	}
	return 0;
}

int lden_evopts__attach(struct lden_evlist *ev, struct lden_run *r)
{
	const struct lden_cmdline *cl = r->cl;
	char msg[1024];
	int status;

	status = lden_evlist__attach(ev, r->s, cl->args, cl->nargs, cl->filter,
				    cl->comm, &cl->scope, cl->events_dir, msg,
				    sizeof(msg));
	if (status)
		lden_cli__err("%s", msg);
	return status;
}

int lden_evopts__attach_recipe(struct lden_recipe *rc, struct lden_run *r)
{
	char err[1024];

	rc->tracing_dir = ltr_session__tracing_dir(r->s);
	if (lden_recipe__attach(rc, r->s, &r->cl->scope, err, sizeof(err)) < 0) {
		/* a privilege missing is a failure, not a usage error */
		int status = lden_attach__machine_fault(errno) ?
			     LDEN_EXIT_FAIL : LDEN_EXIT_USAGE;

		lden_cli__err("%s", err);
		return status;
	}
	return 0;
}

struct lden_guard *lden_evopts__guard(struct lden_evlist *ev,
				     struct lden_recipe *rc,
				     const struct lden_run *r)
{
	if (rc->def)
		return lden_recipe__guard(rc, &r->cl->guard, lden_now());
	return lden_evlist__guard(ev, &r->cl->guard, lden_now());
}

void lden_evopts__release(struct lden_evlist *ev, struct lden_recipe *rc)
{
	lden_evlist__release(ev);
	if (rc->def && rc->def->free)
		rc->def->free(rc);
	lden_recipe__release(rc);
}
