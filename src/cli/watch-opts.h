/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lden watch's command line: its options (--help and their checks), and
 * the rules of the paths it names, errors printed with their caret.
 */
#ifndef LDEN_WATCH_OPTS_H
#define LDEN_WATCH_OPTS_H

#include <stdbool.h>

#include "actions.h"
#include "cmdline.h"
#include "guard.h"
#include "rules.h"
#include "scope.h"
#include "webconfig.h"

#define LDEN_WATCH_DEFAULT_RULES "/etc/lden/rules.d"
#define LDEN_WATCH_MAX_PATHS 32

struct lden_watch_opts {
	struct lden_cmdline c;	/* --json, --events-dir, scope, guard */
	const char *paths[LDEN_WATCH_MAX_PATHS];
	int npaths;
	bool check;
	double interval, resend;
	bool quiet;
	const char *prometheus, *listen, *external_url;
	const char *web_config;
	struct lden_web_config web;	/* loaded from web_config */
	struct lden_actions_opts actions;
};

/*
 * lden_watch_opts__parse - @argv into @o (the command after "--" too)
 * Returns 0, -1 after --help (exit 0), or LDEN_EXIT_USAGE after printing
 * the error.  Free @o->web with lden_web_config__free() either way.
 */
int lden_watch_opts__parse(int argc, char **argv, struct lden_watch_opts *o);

/* lden_watch__rules_error - "lden: WHAT" and the error with its caret */
void lden_watch__rules_error(const char *what,
			    const struct lden_rules_error *err);

/*
 * lden_watch_opts__load - the rules of every path of @o (the default
 * directory when none), checked against @o's scope; prints the error
 * after @what ("" or "reload: ").  Returns 0, or -1.
 */
int lden_watch_opts__load(const struct lden_watch_opts *o,
			 struct lden_rules *rs, const char *what);

#endif
