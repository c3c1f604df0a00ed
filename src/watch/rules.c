// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rules parser: "*.rules" files, one keyword per line, as the event
 * catalog (see rules.h and lden-rules(5)).  Every error names the file
 * and line and points at the column.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aggregate.h"
#include "caret.h"
#include "infile.h"
#include "rules.h"

#define MAX_LINE 65536
#define MAX_NAME 128

struct parser {
	struct lden_rules *rs;
	const char *file;
	int line;
	const char *text;	/* the current line */
	struct lden_rule *cur;	/* the rule being defined */
	struct lden_rules_error *err;
};

static void set_line(struct lden_rules_error *err, const char *line)
{
	size_t n = strcspn(line, "\n");

	if (n >= sizeof(err->line))
		n = sizeof(err->line) - 1;
	memcpy(err->line, line, n);
	err->line[n] = '\0';
}

/* The error at byte @col (length @len) of the current line; -1. */
__attribute__((format(printf, 4, 5)))
static int perr(struct parser *p, int col, int len, const char *fmt, ...)
{
	struct lden_rules_error *err = p->err;
	va_list ap;
	int n;

	memset(err, 0, sizeof(*err));
	n = snprintf(err->msg, sizeof(err->msg), "%s:%d: ", p->file, p->line);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
	err->col = -1;
	if (p->text && col >= 0) {
		set_line(err, p->text);
		err->col = col;
		err->len = len > 0 ? len : 1;
	}
	return -1;
}

void lden_rules_error__at(struct lden_rules_error *err,
			 const struct lden_rule_src *src,
			 const struct lden_expr_error *e)
{
	memset(err, 0, sizeof(*err));
	snprintf(err->msg, sizeof(err->msg), "%s:%d: %s", src->file, src->line,
		 e->msg);
	set_line(err, src->text ? src->text : "");
	err->col = src->col + e->pos;
	err->len = e->len > 0 ? e->len : 1;
}

/*
 * The message, the line with its tabs expanded to spaces (stops every 8
 * columns: a terminal's tab width is not ours to know) and a caret under
 * the columns at fault.
 */
void lden_rules__format_error(const struct lden_rules_error *err, char *buf,
			     size_t len)
{
	if (err->col < 0) {
		lden_escape__line(err->msg, buf, len);
		return;
	}
	lden_escape__caret(err->msg, err->line, err->col, err->len, true, buf,
			   len);
}

const char *lden_action_kind__name(enum lden_action_kind k)
{
	static const char *const names[] = {
		[LDEN_ACTION_ALERTMANAGER] = "alertmanager",
		[LDEN_ACTION_WEBHOOK] = "webhook",
		[LDEN_ACTION_EXEC] = "exec",
		[LDEN_ACTION_JOURNAL] = "journal",
	};

	return names[k];
}

/* ------------------------------------------------------------------ */
/* Freeing */

static void src_free(struct lden_rule_src *s)
{
	free(s->text);
	s->text = NULL;
}

static void texts_free(struct lden_rule_text *t, int n)
{
	for (int i = 0; i < n; i++) {
		free(t[i].name);
		free(t[i].text);
		lden_template__free(t[i].tpl);
		src_free(&t[i].src);
	}
	free(t);
}

static void rule_free(struct lden_rule *r)
{
	free(r->name);
	free(r->describe);
	lden_template__free(r->describe_tpl);
	src_free(&r->describe_src);
	free(r->when);
	lden_expr__free(r->expr);
	src_free(&r->when_src);
	texts_free(r->labels, r->nlabels);
	texts_free(r->annotations, r->nannotations);
	for (int i = 0; i < r->nactions; i++) {
		for (int j = 0; j < r->actions[i].nargs; j++)
			free(r->actions[i].args[j]);
		free(r->actions[i].args);
	}
	free(r->actions);
	free(r->cgroup);
	src_free(&r->cgroup_src);
	free(r->file);
	memset(r, 0, sizeof(*r));
}

void lden_rules__free(struct lden_rules *rs)
{
	if (!rs)
		return;
	for (int i = 0; i < rs->n; i++)
		rule_free(&rs->rules[i]);
	free(rs->rules);
	rs->rules = NULL;
	rs->n = 0;
}

const struct lden_rule *lden_rules__find(const struct lden_rules *rs,
					const char *name)
{
	for (int i = 0; i < rs->n; i++)
		if (!strcmp(rs->rules[i].name, name))
			return &rs->rules[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Values */

int lden_parse_duration(const char *s, double *out)
{
	static const struct { const char *unit; double secs; } units[] = {
		{ "ms", 0.001 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
		{ "d", 86400 },
	};
	double total = 0;

	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v;
		size_t i, n;

		/* decimal only: strtod() would take "0x10" and "1e3" */
		n = strspn(s, "0123456789");
		if (!n || (s[n] == '.' && !isdigit((unsigned char)s[n + 1])))
			return -1;
		if (s[n] == '.')
			n += 1 + strspn(s + n + 1, "0123456789");
		errno = 0;
		v = strtod(s, &end);
		if (errno || end != s + n)
			return -1;
		n = strspn(end, "abcdefghijklmnopqrstuvwxyz");
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].unit) == n &&
			    !strncmp(end, units[i].unit, n))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		total += v * units[i].secs;
		s = end + n;
	}
	if (!isfinite(total) || total > 365 * 86400.0)
		return -1;
	*out = total;
	return 0;
}

static bool valid_rule_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > MAX_NAME || !isalnum((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.:-", *s))
			return false;
	return true;
}

static bool valid_label_name(const char *s, size_t n)
{
	if (!n || n > MAX_NAME || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* http:// or https://, then a host; nothing a shell or a header could
 * split on. */
static bool valid_url(const char *u)
{
	const char *host;

	if (!strncmp(u, "http://", 7))
		host = u + 7;
	else if (!strncmp(u, "https://", 8))
		host = u + 8;
	else
		return false;
	if (!*host || *host == '/' || *host == ':' || *host == '?')
		return false;
	for (; *u; u++)
		if ((unsigned char)*u <= ' ' || *u == 0x7f)
			return false;
	return true;
}

static int src_set(struct parser *p, struct lden_rule_src *s, int col)
{
	s->file = NULL;	/* set to the rule's file once it is final */
	s->line = p->line;
	s->col = col;
	s->text = strndup(p->text, strcspn(p->text, "\n"));
	return s->text ? 0 : perr(p, -1, 0, "out of memory");
}

/* A template's error, in the line: the value began at @col. */
static int template_err(struct parser *p, int col,
			const struct lden_expr_error *e)
{
	return perr(p, col + e->pos, e->len, "%s", e->msg);
}

/* ------------------------------------------------------------------ */
/* Keywords */

static int set_once(struct parser *p, char **slot, const char *kw,
		    const char *val, int kwcol)
{
	if (*slot)
		return perr(p, kwcol, (int)strlen(kw),
			    "a second '%s' line for rule '%s'", kw, p->cur->name);
	*slot = strdup(val);
	return *slot ? 0 : perr(p, -1, 0, "out of memory");
}

static int set_duration(struct parser *p, double *slot, bool *seen,
			const char *kw, const char *val, int kwcol, int col)
{
	if (*seen)
		return perr(p, kwcol, (int)strlen(kw),
			    "a second '%s' line for rule '%s'", kw, p->cur->name);
	*seen = true;
	if (lden_parse_duration(val, slot) < 0)
		return perr(p, col, (int)strcspn(val, " \t"),
			    "invalid duration '%s' (expected a number and a unit: 500ms, 10s, 5m, 1h, 1d)",
			    val);
	return 0;
}

static int set_when(struct parser *p, const char *val, int kwcol, int col)
{
	struct lden_rule *r = p->cur;
	struct lden_expr_error e;

	if (r->when)
		return perr(p, kwcol, 4, "a second 'when' line for rule '%s'",
			    r->name);
	r->when = strdup(val);
	if (!r->when)
		return perr(p, -1, 0, "out of memory");
	r->expr = lden_expr__parse(val, &e);
	if (!r->expr)
		return template_err(p, col, &e);
	return src_set(p, &r->when_src, col);
}

static struct lden_rule_text *add_text(struct parser *p,
				       struct lden_rule_text **arr, int *n,
				       const char *what, const char *name,
				       size_t namelen, int col)
{
	char mine[MAX_NAME + 1], env[MAX_NAME + 1], other[MAX_NAME + 1];
	struct lden_rule_text *t;

	if (!valid_label_name(name, namelen))
		return perr(p, col, (int)namelen,
			    "invalid %s name '%.*s' (letters, digits and '_', not first a digit)",
			    what, (int)namelen, name), NULL;
	if ((!strncmp(name, "alertname", namelen) && namelen == 9) ||
	    (!strncmp(name, "host", namelen) && namelen == 4 &&
	     !strcmp(what, "label")))
		return perr(p, col, (int)namelen,
			    "label '%.*s' is lden's own (the rule's name and the host)",
			    (int)namelen, name), NULL;
	if (!strcmp(what, "annotation") && namelen == 11 &&
	    !strncmp(name, "description", 11) && p->cur->describe)
		return perr(p, col, (int)namelen,
			    "annotation 'description' is the rule's 'describe' line"), NULL;
	for (int i = 0; i < *n; i++)
		if (strlen((*arr)[i].name) == namelen &&
		    !strncmp((*arr)[i].name, name, namelen))
			return perr(p, col, (int)namelen,
				    "%s '%.*s' given twice (first at line %d)",
				    what, (int)namelen, name, (*arr)[i].src.line), NULL;
	/*
	 * exec actions and the journal name it LDEN_LABEL_<NAME> or
	 * LABEL_<NAME> (lden_env_name: upper case, one '_' for a run): two
	 * names with one such name would be one variable, the last value
	 */
	snprintf(mine, sizeof(mine), "%.*s", (int)namelen, name);
	lden_env_name(mine, env, sizeof(env));
	if (!*env)
		return perr(p, col, (int)namelen,
			    "%s '%s' has no letter or digit: it cannot be named in an exec action's environment",
			    what, mine), NULL;
	for (int i = 0; i < *n; i++) {
		lden_env_name((*arr)[i].name, other, sizeof(other));
		if (!strcmp(env, other))
			return perr(p, col, (int)namelen,
				    "%s '%s' and '%s' (line %d) would be one variable, %s_%s, in an exec action's environment: rename one",
				    what, mine, (*arr)[i].name, (*arr)[i].src.line,
				    !strcmp(what, "label") ? "LDEN_LABEL" : "LDEN_ANNOTATION",
				    env), NULL;
	}
	t = realloc(*arr, (*n + 1) * sizeof(*t));
	if (!t)
		return perr(p, -1, 0, "out of memory"), NULL;
	*arr = t;
	t = &t[(*n)++];
	memset(t, 0, sizeof(*t));
	t->name = strndup(name, namelen);
	if (!t->name || src_set(p, &t->src, col) < 0)
		return perr(p, -1, 0, "out of memory"), NULL;
	return t;
}

static int set_text_value(struct parser *p, struct lden_rule_text *t,
			  const char *val, size_t len, int col)
{
	struct lden_expr_error e;

	t->text = strndup(val, len);
	if (!t->text)
		return perr(p, -1, 0, "out of memory");
	t->src.col = col;
	t->tpl = lden_template__parse(t->text, &e);
	if (!t->tpl)
		return template_err(p, col, &e);
	return 0;
}

/*
 * A label value: "quoted, with \" and \\", or a word, where "{{ ... }}"
 * may hold spaces.  The value's text (unquoted) in a malloc'd *@out;
 * returns the bytes read, or -1.
 */
static int label_value(struct parser *p, const char *s, int col, char **out)
{
	const char *q = s;
	char *v, *w;

	if (*s != '"') {
		while (*q && *q != ' ' && *q != '\t') {
			if (q[0] == '{' && q[1] == '{') {
				const char *close = strstr(q, "}}");

				q = close ? close + 2 : q + strlen(q);
			} else {
				q++;
			}
		}
		*out = strndup(s, (size_t)(q - s));
		return *out ? (int)(q - s) : perr(p, -1, 0, "out of memory");
	}
	v = w = malloc(strlen(s));
	if (!v)
		return perr(p, -1, 0, "out of memory");
	for (q = s + 1; *q && *q != '"'; q++) {
		if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
			q++;
		*w++ = *q;
	}
	*w = '\0';
	if (*q != '"') {
		free(v);
		return perr(p, col, 1, "unterminated '\"' in a label value");
	}
	*out = v;
	return (int)(q + 1 - s);
}

static int add_labels(struct parser *p, const char *val, int col)
{
	const char *s = val;

	while (*s) {
		const char *eq = s + strcspn(s, "= \t");
		struct lden_rule_text *t;
		int c = col + (int)(s - val), n;
		char *v = NULL;

		if (*eq != '=')
			return perr(p, c, (int)(eq - s),
				    "expected NAME=VALUE, got '%.*s'", (int)(eq - s), s);
		t = add_text(p, &p->cur->labels, &p->cur->nlabels, "label", s,
			     (size_t)(eq - s), c);
		if (!t)
			return -1;
		n = label_value(p, eq + 1, col + (int)(eq + 1 - val), &v);
		if (n < 0)
			return -1;
		if (!*v) {
			free(v);
			return perr(p, c, (int)(eq + 1 - s),
				    "label '%s' has no value", t->name);
		}
		if (set_text_value(p, t, v, strlen(v), col + (int)(eq + 1 - val) +
				   (eq[1] == '"')) < 0) {
			free(v);
			return -1;
		}
		free(v);
		s = eq + 1 + n;
		if (*s && *s != ' ' && *s != '\t')
			return perr(p, col + (int)(s - val), 1,
				    "expected a space after the value of label '%s'",
				    t->name);
		while (*s == ' ' || *s == '\t')
			s++;
	}
	return 0;
}

static int add_annotation(struct parser *p, const char *val, int col)
{
	size_t n = strcspn(val, " \t");
	const char *text = val + n;
	struct lden_rule_text *t;

	t = add_text(p, &p->cur->annotations, &p->cur->nannotations,
		     "annotation", val, n, col);
	if (!t)
		return -1;
	while (*text == ' ' || *text == '\t')
		text++;
	if (!*text)
		return perr(p, col, (int)n, "annotation '%s' has no text",
			    t->name);
	return set_text_value(p, t, text, strlen(text),
			      col + (int)(text - val));
}

static int add_action(struct parser *p, const char *val, int col)
{
	static const char *const kinds[] = {
		"alertmanager", "webhook", "exec", "journal",
	};
	struct lden_rule *r = p->cur;
	struct lden_rule_action *a;
	size_t n = strcspn(val, " \t");
	const char *s = val + n;
	int k;

	for (k = 0; k < 4; k++)
		if (strlen(kinds[k]) == n && !strncmp(val, kinds[k], n))
			break;
	if (k == 4)
		return perr(p, col, (int)n,
			    "unknown action '%.*s' (expected alertmanager, webhook, exec or journal)",
			    (int)n, val);
	a = realloc(r->actions, (r->nactions + 1) * sizeof(*a));
	if (!a)
		return perr(p, -1, 0, "out of memory");
	r->actions = a;
	a = &a[r->nactions++];
	memset(a, 0, sizeof(*a));
	a->kind = (enum lden_action_kind)k;
	a->line = p->line;
	while (*s == ' ' || *s == '\t')
		s++;
	if (a->kind == LDEN_ACTION_JOURNAL) {
		if (*s)
			return perr(p, col + (int)(s - val), (int)strlen(s),
				    "action journal takes no value");
		return 0;
	}
	if (!*s)
		return perr(p, col, (int)n, "action %s needs %s", kinds[k],
			    a->kind == LDEN_ACTION_EXEC ? "a command" :
			    a->kind == LDEN_ACTION_WEBHOOK ? "a URL" :
			    "one or more URLs");
	if (a->kind == LDEN_ACTION_EXEC) {
		a->args = calloc(1, sizeof(*a->args));
		if (!a->args || !(a->args[0] = strdup(s)))
			return perr(p, -1, 0, "out of memory");
		a->nargs = 1;
		return 0;
	}
	while (*s) {
		size_t ul = strcspn(s, " \t");
		char **args;
		int c = col + (int)(s - val);

		if (a->nargs == (a->kind == LDEN_ACTION_WEBHOOK ? 1 :
				 LDEN_RULES_MAX_URLS))
			return perr(p, c, (int)ul, a->kind == LDEN_ACTION_WEBHOOK ?
				    "action webhook takes one URL (one action per URL)" :
				    "action alertmanager takes at most 8 URLs");
		args = realloc(a->args, (a->nargs + 1) * sizeof(*args));
		if (!args)
			return perr(p, -1, 0, "out of memory");
		a->args = args;
		args[a->nargs] = strndup(s, ul);
		if (!args[a->nargs])
			return perr(p, -1, 0, "out of memory");
		if (!valid_url(args[a->nargs++]))
			return perr(p, c, (int)ul,
				    "invalid URL '%.*s' (expected http://HOST[:PORT][/PATH] or https://...)",
				    (int)ul, s);
		s += ul;
		while (*s == ' ' || *s == '\t')
			s++;
	}
	return 0;
}

static int set_cgroup(struct parser *p, const char *val, int kwcol, int col)
{
	struct lden_rule *r = p->cur;

	if (r->cgroup)
		return perr(p, kwcol, 6, "a second 'cgroup' line for rule '%s'",
			    r->name);
	if (val[0] != '/')
		return perr(p, col, (int)strlen(val),
			    "cgroup '%s' is not an absolute path (/sys/fs/cgroup/...)",
			    val);
	r->cgroup = strdup(val);
	if (!r->cgroup)
		return perr(p, -1, 0, "out of memory");
	return src_set(p, &r->cgroup_src, col);
}

static int set_describe(struct parser *p, const char *val, int kwcol, int col)
{
	struct lden_rule *r = p->cur;
	struct lden_expr_error e;

	for (int i = 0; i < r->nannotations; i++)
		if (!strcmp(r->annotations[i].name, "description"))
			return perr(p, kwcol, 8,
				    "'describe' and annotation 'description' (line %d) say the same: keep one",
				    r->annotations[i].src.line);
	if (set_once(p, &r->describe, "describe", val, kwcol) < 0)
		return -1;
	r->describe_tpl = lden_template__parse(val, &e);
	if (!r->describe_tpl)
		return template_err(p, col, &e);
	return src_set(p, &r->describe_src, col);
}

/* The rule ends (another 'rule', or the end of the file). */
static int finish_rule(struct parser *p)
{
	struct lden_rule *r = p->cur;
	const char *save = p->text;
	int line = p->line, rc = 0;

	if (!r)
		return 0;
	p->cur = NULL;
	if (!r->when) {
		p->line = r->line;
		p->text = NULL;
		rc = perr(p, -1, 0, "rule '%s' has no 'when' line", r->name);
	}
	p->line = line;
	p->text = save;
	return rc;
}

static int start_rule(struct parser *p, const char *name, int col)
{
	struct lden_rules *rs = p->rs;
	const struct lden_rule *old;
	struct lden_rule *r;

	if (!*name)
		return perr(p, col, 1, "'rule' needs a name");
	if (!valid_rule_name(name))
		return perr(p, col, (int)strlen(name),
			    "invalid rule name '%s' (letters, digits and _ . : -, at most %d, first a letter or digit)",
			    name, MAX_NAME);
	old = lden_rules__find(rs, name);
	if (old)
		return perr(p, col, (int)strlen(name),
			    "rule '%s' defined twice (first at %s:%d)", name,
			    old->file, old->line);
	if (rs->n == LDEN_RULES_MAX)
		return perr(p, col, (int)strlen(name), "more than %d rules",
			    LDEN_RULES_MAX);
	r = realloc(rs->rules, (rs->n + 1) * sizeof(*r));
	if (!r)
		return perr(p, -1, 0, "out of memory");
	rs->rules = r;
	r = &rs->rules[rs->n++];
	memset(r, 0, sizeof(*r));
	r->line = p->line;
	r->name = strdup(name);
	r->file = strdup(p->file);
	p->cur = r;
	return r->name && r->file ? 0 : perr(p, -1, 0, "out of memory");
}

static const char *const keywords =
	"rule, describe, when, for, keep-firing-for, cooldown, labels, annotation, action or cgroup";

static bool known_keyword(const char *kw)
{
	static const char *const known[] = {
		"describe", "when", "for", "keep-firing-for", "cooldown",
		"labels", "annotation", "action", "cgroup",
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(kw, known[i]))
			return true;
	return false;
}

/* Which keywords are seen once (bits), for "a second ..." errors. */
struct seen {
	bool for_s, keep, cooldown;
};

static int parse_line(struct parser *p, char *line, struct seen *seen)
{
	char *kw = line, *val;
	size_t kwlen;
	int kwcol, col, len;

	while (*kw == ' ' || *kw == '\t')
		kw++;
	if (!*kw || *kw == '#')
		return 0;
	kwcol = (int)(kw - line);
	kwlen = strcspn(kw, " \t");
	val = kw + kwlen;
	if (*val)
		*val++ = '\0';
	while (*val == ' ' || *val == '\t')
		val++;
	len = (int)strlen(val);
	while (len && (val[len - 1] == ' ' || val[len - 1] == '\t'))
		val[--len] = '\0';
	col = (int)(val - line);

	if (!strcmp(kw, "rule")) {
		if (finish_rule(p) < 0)
			return -1;
		memset(seen, 0, sizeof(*seen));
		return start_rule(p, val, *val ? col : kwcol + 4);
	}
	if (!known_keyword(kw))
		return perr(p, kwcol, (int)kwlen,
			    "unknown keyword '%s' (expected %s)", kw, keywords);
	if (!p->cur)
		return perr(p, kwcol, (int)kwlen,
			    "'%s' before any 'rule' line", kw);
	if (!*val)
		return perr(p, kwcol, (int)kwlen, "'%s' needs a value", kw);
	if (!strcmp(kw, "describe"))
		return set_describe(p, val, kwcol, col);
	if (!strcmp(kw, "when"))
		return set_when(p, val, kwcol, col);
	if (!strcmp(kw, "for"))
		return set_duration(p, &p->cur->for_s, &seen->for_s, kw, val,
				    kwcol, col);
	if (!strcmp(kw, "keep-firing-for"))
		return set_duration(p, &p->cur->keep_firing_s, &seen->keep, kw,
				    val, kwcol, col);
	if (!strcmp(kw, "cooldown"))
		return set_duration(p, &p->cur->cooldown_s, &seen->cooldown, kw,
				    val, kwcol, col);
	if (!strcmp(kw, "labels"))
		return add_labels(p, val, col);
	if (!strcmp(kw, "annotation"))
		return add_annotation(p, val, col);
	if (!strcmp(kw, "action"))
		return add_action(p, val, col);
	return set_cgroup(p, val, kwcol, col);
}

/* A byte no text line has: control bytes other than tab (and CR at the end). */
static int check_bytes(struct parser *p, const char *line)
{
	for (const char *c = line; *c; c++) {
		unsigned char b = (unsigned char)*c;

		if (b == '\r' && c[1] == '\0')
			continue;
		if ((b < 0x20 && b != '\t') || b == 0x7f)
			return perr(p, -1, 0, "control byte 0x%02x in column %d (a rules file is text)",
				    b, (int)(c - line) + 1);
	}
	return 0;
}

int lden_rules__parse(struct lden_rules *rs, const char *text,
		     const char *file, struct lden_rules_error *err)
{
	struct parser p = { .rs = rs, .file = file, .err = err };
	struct seen seen = { 0 };
	int before = rs->n, ret = 0;
	const char *line, *next;
	char *copy = NULL, *work;

	for (line = text; *line && ret == 0; line = next) {
		size_t n = strcspn(line, "\n");

		next = line[n] ? line + n + 1 : line + n;
		p.line++;
		if (n >= MAX_LINE) {
			p.text = NULL;
			ret = perr(&p, -1, 0, "line longer than %d bytes", MAX_LINE);
			break;
		}
		free(copy);
		copy = strndup(line, n);
		if (!copy) {
			ret = perr(&p, -1, 0, "out of memory");
			break;
		}
		if (n && copy[n - 1] == '\r')
			copy[n - 1] = '\0';
		p.text = NULL;
		ret = check_bytes(&p, copy);
		if (ret)
			break;
		/* parse_line() cuts its copy; errors quote the line whole */
		work = strdup(copy);
		if (!work) {
			ret = perr(&p, -1, 0, "out of memory");
			break;
		}
		p.text = copy;
		ret = parse_line(&p, work, &seen);
		free(work);
	}
	if (ret == 0) {
		p.text = NULL;
		ret = finish_rule(&p);
	}
	free(copy);
	if (ret < 0) {
		while (rs->n > before)
			rule_free(&rs->rules[--rs->n]);
		return -1;
	}
	/* the sources point at the rule's own copy of the file name */
	for (int i = before; i < rs->n; i++) {
		struct lden_rule *r = &rs->rules[i];

		r->when_src.file = r->file;
		r->describe_src.file = r->file;
		r->cgroup_src.file = r->file;
		for (int j = 0; j < r->nlabels; j++)
			r->labels[j].src.file = r->file;
		for (int j = 0; j < r->nannotations; j++)
			r->annotations[j].src.file = r->file;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Files */

static void file_err(struct lden_rules_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void file_err(struct lden_rules_error *err, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	err->col = -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/*
 * The text of @path (lden_read_file(): without blocking, a regular file,
 * at most @max bytes), with no NUL byte in it.
 */
static int read_bounded(const char *path, size_t max, char **out,
			struct lden_rules_error *err)
{
	char msg[sizeof(err->msg)], *buf;
	size_t got;

	if (lden_read_file(path, max, &buf, &got, msg, sizeof(msg)) < 0) {
		file_err(err, "%s", msg);
		return -1;
	}
	if (memchr(buf, '\0', got)) {
		file_err(err, "%s: not a text file (a NUL byte)", path);
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

static int load_file(struct lden_rules *rs, const char *path,
		     struct lden_rules_error *err)
{
	char *text;
	int rc;

	if (read_bounded(path, LDEN_RULES_FILE_MAX, &text, err) < 0)
		return -1;
	rc = lden_rules__parse(rs, text, path, err);
	free(text);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct lden_rules *rs, const char *dir,
		    struct lden_rules_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	int n = 0, ret = 0;

	if (!d) {
		file_err(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	/* sorted, so that the order does not depend on readdir */
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char **nn;

		if (l < 7 || strcmp(de->d_name + l - 6, ".rules") ||
		    de->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			file_err(err, "%s: out of memory", dir);
			ret = -1;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof(*names), cmp_str);
	for (int i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (ret == 0)
			ret = load_file(rs, path, err);
		free(names[i]);
	}
	free(names);
	return ret;
}

int lden_rules__load(struct lden_rules *rs, const char *const *paths,
		    int npaths, bool missing_ok, struct lden_rules_error *err)
{
	for (int i = 0; i < npaths; i++) {
		struct stat st;

		if (stat(paths[i], &st) < 0) {
			if (errno == ENOENT && missing_ok)
				continue;
			file_err(err, "%s: %s", paths[i], strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode) ? load_dir(rs, paths[i], err) :
		    load_file(rs, paths[i], err))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Comparing, for a reload */

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool texts_eq(const struct lden_rule_text *a,
		     const struct lden_rule_text *b, int n)
{
	for (int i = 0; i < n; i++)
		if (!str_eq(a[i].name, b[i].name) || !str_eq(a[i].text, b[i].text))
			return false;
	return true;
}

bool lden_rule__same(const struct lden_rule *a, const struct lden_rule *b)
{
	if (!str_eq(a->name, b->name) || !str_eq(a->when, b->when) ||
	    !str_eq(a->describe, b->describe) || !str_eq(a->cgroup, b->cgroup) ||
	    a->for_s != b->for_s || a->keep_firing_s != b->keep_firing_s ||
	    a->cooldown_s != b->cooldown_s || a->nlabels != b->nlabels ||
	    a->nannotations != b->nannotations || a->nactions != b->nactions)
		return false;
	if (!texts_eq(a->labels, b->labels, a->nlabels) ||
	    !texts_eq(a->annotations, b->annotations, a->nannotations))
		return false;
	for (int i = 0; i < a->nactions; i++) {
		const struct lden_rule_action *x = &a->actions[i], *y = &b->actions[i];

		if (x->kind != y->kind || x->nargs != y->nargs)
			return false;
		for (int j = 0; j < x->nargs; j++)
			if (!str_eq(x->args[j], y->args[j]))
				return false;
	}
	return true;
}
