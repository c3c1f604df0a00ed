/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rules files for lden watch (see lden-rules(5)): /etc/lden/rules.d/NAME.rules
 * or the files and directories given, in the plain format of the event
 * catalog, one keyword and its value a line:
 *
 *	rule fork-storm
 *		describe	more than 500 new tasks a second for 10 s
 *		when		speed(task.create) > 500
 *		for		10s
 *		labels		severity=page team=platform
 *		annotation	summary {{ speed(task.create) }} tasks/s
 *		action		alertmanager http://127.0.0.1:9093
 *		action		exec /usr/local/bin/collect-ps.sh
 *
 * Everything is checked here that can be without the kernel: keywords,
 * durations, names, URLs, the expression's grammar, the templates.  An
 * error names the file and line and points at the column of the mistake
 * (struct lden_rules_error); event names are checked against the catalog
 * and the kernel later (rule binding), with the same kind of error.
 */
#ifndef LDEN_RULES_H
#define LDEN_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "expr.h"
#include "rule-template.h"

/* The largest rules file read, and the most rules in all. */
#define LDEN_RULES_FILE_MAX (4u << 20)
#define LDEN_RULES_MAX 10000
/* The most URLs of one alertmanager action (an HA cluster). */
#define LDEN_RULES_MAX_URLS 8

/* Where a value was written: for errors that point at it. */
struct lden_rule_src {
	const char *file;	/* the rule's file (borrowed from the rule) */
	int line;
	int col;		/* byte offset of the value in the line */
	char *text;		/* the whole line */
};

enum lden_action_kind {
	LDEN_ACTION_ALERTMANAGER,
	LDEN_ACTION_WEBHOOK,
	LDEN_ACTION_EXEC,
	LDEN_ACTION_JOURNAL,
};

struct lden_rule_action {
	enum lden_action_kind kind;
	/* alertmanager: its URLs; webhook: one URL; exec: the command line;
	 * journal: none */
	char **args;
	int nargs;
	int line;
};

/* A label or an annotation: a name and a text with {{ values }}. */
struct lden_rule_text {
	char *name;
	char *text;
	struct lden_template *tpl;
	struct lden_rule_src src;
};

struct lden_rule {
	char *name;
	char *describe;			/* or NULL */
	struct lden_template *describe_tpl;
	struct lden_rule_src describe_src;
	char *when;			/* the expression's text */
	struct lden_expr *expr;
	struct lden_rule_src when_src;
	double for_s;			/* hold this long before firing */
	double keep_firing_s;		/* firing this long after it is false */
	double cooldown_s;		/* at least this long between firings */
	struct lden_rule_text *labels;
	int nlabels;
	struct lden_rule_text *annotations;
	int nannotations;
	struct lden_rule_action *actions;
	int nactions;
	char *cgroup;			/* counted in this cgroup only, or NULL */
	struct lden_rule_src cgroup_src;
	char *file;
	int line;			/* of its 'rule' line */
};

struct lden_rules {
	struct lden_rule *rules;
	int n;
};

struct lden_rules_error {
	char msg[1024];		/* "FILE:LINE: message" */
	char line[512];		/* the line, or "" (an error of a whole file) */
	int col;		/* where the caret goes in it, -1: none */
	int len;		/* how many columns it underlines */
};

/*
 * lden_rules__parse - add the rules of @text (the contents of @file) to @rs
 * Returns 0, or -1 with @err set; on error @rs keeps only the rules of
 * the files before (those of this file are dropped).
 */
int lden_rules__parse(struct lden_rules *rs, const char *text,
		     const char *file, struct lden_rules_error *err);

/*
 * lden_rules__load - every path of @paths: a file, or a directory whose
 * "*.rules" files are read in name order.  Files are read without
 * blocking (a FIFO is refused), must be regular files of at most
 * LDEN_RULES_FILE_MAX bytes.  A directory that does not exist is skipped
 * when @missing_ok, else an error.  Returns 0, or -1 with @err set.
 */
int lden_rules__load(struct lden_rules *rs, const char *const *paths,
		    int npaths, bool missing_ok, struct lden_rules_error *err);

void lden_rules__free(struct lden_rules *rs);

/* The rule named @name, or NULL. */
const struct lden_rule *lden_rules__find(const struct lden_rules *rs,
					const char *name);

/*
 * lden_rule__same - whether @a and @b define the same rule (same name,
 * condition, timings, labels, annotations, actions and scope): a reload
 * keeps the state of such a rule.
 */
bool lden_rule__same(const struct lden_rule *a, const struct lden_rule *b);

/*
 * lden_rules_error__at - @err from an expression's @e, whose text begins
 * at @src (for the event errors found when the rule is bound)
 */
void lden_rules_error__at(struct lden_rules_error *err,
			 const struct lden_rule_src *src,
			 const struct lden_expr_error *e);

/*
 * lden_rules__format_error - "MESSAGE\n  LINE\n  ^~~" into @buf (no final
 * newline; only the message when there is no line), tabs of the line
 * kept in the caret line so that the caret stays under its column
 */
void lden_rules__format_error(const struct lden_rules_error *err, char *buf,
			     size_t len);

/* "alertmanager", "webhook", "exec", "journal" */
const char *lden_action_kind__name(enum lden_action_kind k);

/*
 * lden_parse_duration - "500ms", "10s", "5m", "1h", "1d", or several
 * ("1m30s"), into seconds.  Returns 0, or -1.
 */
int lden_parse_duration(const char *s, double *out);

#endif
