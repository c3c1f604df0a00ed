// SPDX-License-Identifier: GPL-2.0-or-later
/* A rule's text with the numbers of the moment (see rule-template.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule-template.h"

void lden_template__free(struct lden_template *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nparts; i++) {
		free(t->parts[i].text);
		lden_expr__free(t->parts[i].e);
	}
	free(t->parts);
	free(t);
}

static struct lden_template_part *add_part(struct lden_template *t)
{
	struct lden_template_part *p;

	p = realloc(t->parts, (t->nparts + 1) * sizeof(*p));
	if (!p)
		return NULL;
	t->parts = p;
	p = &t->parts[t->nparts++];
	memset(p, 0, sizeof(*p));
	return p;
}

static void set_err(struct lden_expr_error *err, int pos, int len,
		    const char *msg)
{
	memset(err, 0, sizeof(*err));
	err->pos = pos;
	err->len = len > 0 ? len : 1;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

/* The expression between "{{" at @open and "}}" at @close. */
static int add_expr(struct lden_template *t, const char *text, int open,
		    int close, struct lden_expr_error *err)
{
	struct lden_template_part *p;
	char *inner = strndup(text + open + 2, (size_t)(close - open - 2));
	const char *s = inner;

	if (!inner || !(p = add_part(t))) {
		free(inner);
		set_err(err, open, 2, "out of memory");
		return -1;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s) {
		free(inner);
		set_err(err, open, close + 2 - open, "empty '{{ }}': put a value in it, e.g. '{{ speed(task.create) }}'");
		return -1;
	}
	p->pos = open + 2;
	p->e = lden_expr__parse_number(inner, err);
	free(inner);
	if (!p->e) {
		err->pos += open + 2;	/* from the expression to the text */
		return -1;
	}
	return 0;
}

struct lden_template *lden_template__parse(const char *text,
					  struct lden_expr_error *err)
{
	struct lden_template *t = calloc(1, sizeof(*t));
	int i = 0, lit = 0;

	if (!t) {
		set_err(err, 0, 1, "out of memory");
		return NULL;
	}
	while (text[i]) {
		const char *close;
		struct lden_template_part *p;

		if (text[i] == '}' && text[i + 1] == '}') {
			set_err(err, i, 2, "'}}' without '{{'");
			goto out_free;
		}
		if (text[i] != '{' || text[i + 1] != '{') {
			i++;
			continue;
		}
		close = strstr(text + i + 2, "}}");
		if (!close) {
			set_err(err, i, 2, "unclosed '{{' (expected '}}')");
			goto out_free;
		}
		if (i > lit) {
			p = add_part(t);
			if (!p || !(p->text = strndup(text + lit, (size_t)(i - lit)))) {
				set_err(err, lit, 1, "out of memory");
				goto out_free;
			}
		}
		if (add_expr(t, text, i, (int)(close - text), err) < 0)
			goto out_free;
		i = (int)(close - text) + 2;
		lit = i;
	}
	if (i > lit) {
		struct lden_template_part *p = add_part(t);

		if (!p || !(p->text = strdup(text + lit))) {
			set_err(err, lit, 1, "out of memory");
			goto out_free;
		}
	}
	return t;

out_free:
	lden_template__free(t);
	return NULL;
}

/* what a value is marked with, in this order */
static const struct {
	unsigned int bit;
	const char *text;
} mark_text[] = {
	{ LDEN_TPL_SIZE_STOPPED, "size stopped" },
	{ LDEN_TPL_SIZE_SHORT, "size short" },
	{ LDEN_TPL_COUNT_SHORT, "count short" },
	{ LDEN_TPL_SPEED_ESTIMATED, "speed estimated" },
};

char *lden_template__render(const struct lden_template *t,
			   lden_template_value_fn fn, void *ctx)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (int i = 0; i < t->nparts; i++) {
		const struct lden_template_part *p = &t->parts[i];
		unsigned int marks = 0;
		const char *sep = " (";
		char num[64];

		if (p->text) {
			fputs(p->text, f);
			continue;
		}
		fn(p->e, &marks, ctx, num, sizeof(num));
		fputs(num, f);
		for (size_t m = 0; m < sizeof(mark_text) / sizeof(mark_text[0]); m++) {
			if (!(marks & mark_text[m].bit))
				continue;
			fprintf(f, "%s%s", sep, mark_text[m].text);
			sep = ", ";
		}
		if (marks)
			fputc(')', f);
	}
	if (fclose(f) != 0) {
		free(out);
		errno = ENOMEM;
		return NULL;
	}
	return out;
}
