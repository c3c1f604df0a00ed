// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "indent.h"
#include "intmap.h"

struct thread {
	uint64_t first;			/* time of its first event */
	int depth;			/* calls on the stack */
	/* deeper than LDEN_INDENT_MAX: entries shown, not kept */
	int overflow;
	int32_t stack[LDEN_INDENT_MAX];
};

struct lden_indent {
	struct lden_intmap *threads;
};

struct lden_indent *lden_indent__new(int max_threads)
{
	struct lden_indent *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->threads = lden_intmap__new((size_t)max_threads, sizeof(struct thread));
	if (!in->threads) {
		free(in);
		return NULL;
	}
	return in;
}

void lden_indent__free(struct lden_indent *in)
{
	if (!in)
		return;
	lden_intmap__free(in->threads);
	free(in);
}

static void line(struct lden_indent_line *l, const struct thread *t,
		 uint64_t time, int depth, int func, bool entry,
		 enum lden_indent_mark mark)
{
	l->since_ns = time >= t->first ? time - t->first : 0;
	l->depth = depth;
	l->func = func;
	l->entry = entry;
	l->mark = mark;
}

/* The calls above stack position @to, closed unreturned, innermost first. */
static int close_to(struct thread *t, int to, uint64_t time,
		    struct lden_indent_line *lines)
{
	int n = 0;

	while (t->depth > to) {
		t->depth--;
		line(&lines[n++], t, time, t->depth, t->stack[t->depth], false,
		     LDEN_INDENT_NO_RETURN);
	}
	return n;
}

int lden_indent__feed(struct lden_indent *in, int32_t tid, uint64_t time,
		     int func, bool entry, bool nests,
		     struct lden_indent_line *lines)
{
	struct thread *t = lden_intmap__get(in->threads, (uint32_t)tid);
	int n = 0, at;

	if (!t) {
		t = lden_intmap__put(in->threads, (uint32_t)tid);
		if (!t) {
			struct thread none = { .first = time };

			line(&lines[0], &none, time, 0, func, entry,
			     entry ? LDEN_INDENT_OK : LDEN_INDENT_NO_ENTRY);
			return -ENOSPC;
		}
		t->first = time;
	}
	if (entry) {
		if (!nests)
			n = close_to(t, 0, time, lines);
		line(&lines[n++], t, time, t->depth + t->overflow, func, true,
		     LDEN_INDENT_OK);
		if (t->depth < LDEN_INDENT_MAX)
			t->stack[t->depth++] = func;
		else
			t->overflow++;
		return n;
	}
	if (t->overflow) {
		/* below what is kept: cannot tell which call this closes */
		t->overflow--;
		line(&lines[0], t, time, t->depth + t->overflow, func, false,
		     LDEN_INDENT_OK);
		return 1;
	}
	for (at = t->depth - 1; at >= 0 && t->stack[at] != func; at--)
		;
	if (at < 0) {
		line(&lines[0], t, time, t->depth, func, false,
		     LDEN_INDENT_NO_ENTRY);
		return 1;
	}
	n = close_to(t, at + 1, time, lines);
	t->depth = at;
	line(&lines[n++], t, time, at, func, false, LDEN_INDENT_OK);
	return n;
}

void lden_indent__forget(struct lden_indent *in, int32_t tid)
{
	lden_intmap__del(in->threads, (uint32_t)tid, NULL);
}

static void add_open(uint64_t tid, void *val, void *ctx)
{
	const struct thread *t = val;

	(void)tid;
	*(uint64_t *)ctx += (uint64_t)(t->depth + t->overflow);
}

uint64_t lden_indent__open_calls(struct lden_indent *in)
{
	uint64_t n = 0;

	lden_intmap__each(in->threads, add_open, &n);
	return n;
}
