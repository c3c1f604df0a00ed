// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The event catalog without a kernel: catalog texts that parse, field by
 * field; malformed ones, each with its exact "FILE:LINE: message"; later
 * files overriding earlier ones; "did you mean"; size expressions
 * (syntax, and evaluation over constants and over hand-made records);
 * and the shipped kprobe_events/ holding LDEN's 23 events.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "number.h"
#include "catalog.h"
#include "check.h"
#include "internal.h"
#include "resolve.h"
#include "size.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Valid texts */

struct want_tp {
	const char *system;
	const char *name;
	const char *filter;
	const char *size;
	int line;
};

struct want_src {
	enum lden_source_kind kind;
	int line;
	int ntps;
	struct want_tp tps[3];
	int nfuncs;
	const char *funcs[4];
	const char *fetchargs;
	const char *filter;
	const char *size;
};

struct valid_case {
	const char *title;
	const char *text;
	int ndefs;		/* definitions in the catalog afterwards */
	const char *name;	/* the one checked field by field, or NULL */
	const char *describe;
	const char *note;
	int line;
	int nsrcs;
	struct want_src srcs[3];
};

#define TP LDEN_SRC_TRACEPOINT
#define KP LDEN_SRC_KPROBE
#define KRP LDEN_SRC_KRETPROBE

static const struct valid_case valid_cases[] = {
	{
		"one tracepoint",
		"event task.create\n"
		"\tdescribe\ttasks created\n"
		"\ttracepoint\tsched:sched_process_fork\n",
		1, "task.create", "tasks created", NULL, 1, 1, {
			{ TP, 3, 1, { { "sched", "sched_process_fork", NULL,
					 NULL, 3 } } },
		},
	},
	{
		"filters, sizes, also, comments, spaces, trailing blanks",
		"# lden event catalog\n"
		"\n"
		"event network.tcp_send\n"
		"    describe   TCP sends that moved data  \n"
		"\t# the field is ret since 6.3\n"
		"\ttracepoint sock:sock_send_length if protocol == 6 && ret > 0\n"
		"\tsize\t\tret\n"
		"\n"
		"\talso sock:sock_other if ret > 0   \n"
		"\tsize ret * 2\n",
		1, "network.tcp_send", "TCP sends that moved data", NULL, 3, 1, {
			{ TP, 6, 2, {
				{ "sock", "sock_send_length",
				  "protocol == 6 && ret > 0", "ret", 6 },
				{ "sock", "sock_other", "ret > 0", "ret * 2", 9 },
			} },
		},
	},
	{
		"tracepoint, kprobe alternatives with fetch-args, kretprobe",
		"event fs.read_ahead\n"
		"\tdescribe\tread-ahead requests\n"
		"\tnote\t\tsize is new\n"
		"\ttracepoint\treadahead:page_cache_ra_unbounded\n"
		"\tsize\t\tnr_to_read * PAGE_SIZE\n"
		"\tkprobe\t\tpage_cache_ra_unbounded|__do_page_cache_readahead nr=$arg2:u64 idx=$arg3 if nr > 0\n"
		"\tsize\t\tnr * PAGE_SIZE\n"
		"\tkretprobe\ttcp_recvmsg ret=$retval:s32 if ret > 0\n"
		"\tsize\t\tret\n",
		1, "fs.read_ahead", "read-ahead requests", "size is new", 1, 3, {
			{ TP, 4, 1, { { "readahead", "page_cache_ra_unbounded",
					 NULL, "nr_to_read * PAGE_SIZE", 4 } } },
			{ KP, 6, 0, { { 0 } }, 2,
			  { "page_cache_ra_unbounded", "__do_page_cache_readahead" },
			  "nr=$arg2:u64 idx=$arg3", "nr > 0", "nr * PAGE_SIZE" },
			{ KRP, 8, 0, { { 0 } }, 1, { "tcp_recvmsg" },
			  "ret=$retval:s32", "ret > 0", "ret" },
		},
	},
	{
		"kprobes without fetch-args, one with a filter only",
		"event task.exit\n"
		"\tdescribe\ttasks that exited\n"
		"\tkprobe\t\tkernel_clone|_do_fork|do_fork\n"
		"\tkprobe\t\tdo_exit if common_pid > 1\n",
		1, "task.exit", "tasks that exited", NULL, 1, 2, {
			{ KP, 3, 0, { { 0 } }, 3,
			  { "kernel_clone", "_do_fork", "do_fork" },
			  NULL, NULL, NULL },
			{ KP, 4, 0, { { 0 } }, 1, { "do_exit" },
			  NULL, "common_pid > 1", NULL },
		},
	},
	{
		"several events; digits and underscores in names",
		"event a.first\n"
		"\tdescribe\tone\n"
		"\ttracepoint\ts:first\n"
		"event net2.tcp_v4.send_x\n"
		"\tdescribe\ttwo\n"
		"\ttracepoint\ts_2:e_2 if x == 1\n"
		"event z.last\n"
		"\tdescribe\tthree\n"
		"\ttracepoint\ts:last\n",
		3, "net2.tcp_v4.send_x", "two", NULL, 4, 1, {
			{ TP, 6, 1, { { "s_2", "e_2", "x == 1", NULL, 6 } } },
		},
	},
	{
		"CRLF line ends, no final newline",
		"event sys.kill\r\n"
		"\tdescribe\tkill calls\r\n"
		"\ttracepoint\tsyscalls:sys_enter_kill\r\n"
		"\tsize\t\tsig",
		1, "sys.kill", "kill calls", NULL, 1, 1, {
			{ TP, 3, 1, { { "syscalls", "sys_enter_kill", NULL, "sig",
					 3 } } },
		},
	},
	{
		"only the first ' if ' splits the filter",
		"event a.b\n"
		"\tdescribe\td\n"
		"\ttracepoint\ts:n if comm == \"if\" || comm == \"x if y\"\n",
		1, "a.b", "d", NULL, 1, 1, {
			{ TP, 3, 1, { { "s", "n",
					 "comm == \"if\" || comm == \"x if y\"",
					 NULL, 3 } } },
		},
	},
	{
		"a size for each tracepoint of one source",
		"event memory.free_page\n"
		"\tdescribe\tpages freed\n"
		"\ttracepoint\tkmem:mm_page_free\n"
		"\tsize\t\tPAGE_SIZE << order\n"
		"\talso\t\tkmem:mm_page_free_batched\n"
		"\tsize\t\tPAGE_SIZE\n"
		"\talso\t\tkmem:third\n",
		1, "memory.free_page", "pages freed", NULL, 1, 1, {
			{ TP, 3, 3, {
				{ "kmem", "mm_page_free", NULL,
				  "PAGE_SIZE << order", 3 },
				{ "kmem", "mm_page_free_batched", NULL,
				  "PAGE_SIZE", 5 },
				{ "kmem", "third", NULL, NULL, 7 },
			} },
		},
	},
	{ "empty text", "", 0, NULL, NULL, NULL, 0, 0, { { 0 } } },
	{ "comments only", "# nothing\n\n   # here\n", 0, NULL, NULL, NULL, 0, 0,
	  { { 0 } } },
};

static void check_str(const char *what, const char *want, const char *got)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(want, got))
		fail_msg("%s: want '%s', got '%s'", what, want ? want : "(null)",
			 got ? got : "(null)");
}

static void check_source(const struct valid_case *vc, int i,
			 const struct want_src *w, const struct lden_source *s)
{
	char what[200];

	snprintf(what, sizeof(what), "%s: source %d", vc->title, i);
	if (s->kind != w->kind || s->line != w->line)
		fail_msg("%s: kind %d line %d, want kind %d line %d", what,
			 s->kind, s->line, w->kind, w->line);
	assert_int_equal(s->ntps, w->ntps);
	for (int t = 0; t < w->ntps; t++) {
		check_str(what, w->tps[t].system, s->tps[t].system);
		check_str(what, w->tps[t].name, s->tps[t].name);
		check_str(what, w->tps[t].filter, s->tps[t].filter);
		check_str(what, w->tps[t].size, s->tps[t].size);
		assert_int_equal(s->tps[t].line, w->tps[t].line);
	}
	assert_int_equal(s->nfuncs, w->nfuncs);
	for (int f = 0; f < w->nfuncs; f++)
		check_str(what, w->funcs[f], s->funcs[f]);
	check_str(what, w->fetchargs, s->fetchargs);
	check_str(what, w->filter, s->filter);
	check_str(what, w->size, s->size);
	/* a tracepoint source keeps its sizes on its tracepoints */
	if (s->kind == LDEN_SRC_TRACEPOINT)
		assert_null(s->size);
}

static void parse_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(valid_cases); i++) {
		const struct valid_case *vc = &valid_cases[i];
		struct lden_catalog cat = { 0 };
		const struct lden_event_def *d;
		char err[512] = "";

		if (lden_catalog__parse(&cat, vc->text, "t.events", err,
				       sizeof(err)) < 0)
			fail_msg("%s: %s", vc->title, err);
		if (cat.ndefs != vc->ndefs)
			fail_msg("%s: %d events, want %d", vc->title, cat.ndefs,
				 vc->ndefs);
		if (vc->name) {
			d = lden_catalog__find(&cat, vc->name);
			if (!d)
				fail_msg("%s: no event '%s'", vc->title, vc->name);
			check_str(vc->title, vc->name, d->name);
			check_str(vc->title, vc->describe, d->describe);
			check_str(vc->title, vc->note, d->note);
			check_str(vc->title, "t.events", d->file);
			assert_int_equal(d->line, vc->line);
			assert_int_equal(d->nsrcs, vc->nsrcs);
			for (int s = 0; s < vc->nsrcs; s++)
				check_source(vc, s, &vc->srcs[s], &d->srcs[s]);
		}
		assert_null(lden_catalog__find(&cat, "no.such"));
		lden_catalog__free(&cat);
		assert_int_equal(cat.ndefs, 0);
		assert_null(cat.defs);
	}
}

/* ------------------------------------------------------------------ */
/* Invalid texts */

#define EV "event a.b\n\tdescribe\td\n"	/* lines 1-2 */
#define EVT EV "\ttracepoint\ts:n\n"	/* lines 1-3 */

struct invalid_case {
	const char *text;
	const char *err;
};

static const struct invalid_case invalid_cases[] = {
	/* keywords before any event */
	{ "describe nothing\n",
	  "t.events:1: 'describe' before any 'event' line" },
	{ "# comment\n\n\ttracepoint sched:sched_switch\n",
	  "t.events:3: 'tracepoint' before any 'event' line" },
	{ "size 1\n", "t.events:1: 'size' before any 'event' line" },
	/* unknown keywords */
	{ "frob x\n", "t.events:1: unknown keyword 'frob'" },
	{ EVT "\tfrob\tx\n",
	  "t.events:4: unknown keyword 'frob' (expected event, describe, note, unscoped, tracepoint, also, kprobe, kretprobe, size, join or notfrom)" },
	{ EVT "\tTracepoint s:m\n",
	  "t.events:4: unknown keyword 'Tracepoint' (expected event, describe, note, unscoped, tracepoint, also, kprobe, kretprobe, size, join or notfrom)" },
	/* event names */
	{ "event Task.create\n",
	  "t.events:1: invalid event name 'Task.create' (expected words joined by dots: 'task.create')" },
	{ "event task\n",
	  "t.events:1: invalid event name 'task' (expected words joined by dots: 'task.create')" },
	{ "event task..create\n",
	  "t.events:1: invalid event name 'task..create' (expected words joined by dots: 'task.create')" },
	{ "event task.\n",
	  "t.events:1: invalid event name 'task.' (expected words joined by dots: 'task.create')" },
	{ "event .task\n",
	  "t.events:1: invalid event name '.task' (expected words joined by dots: 'task.create')" },
	{ "event task.cre-ate\n",
	  "t.events:1: invalid event name 'task.cre-ate' (expected words joined by dots: 'task.create')" },
	{ "event task.create now\n",
	  "t.events:1: invalid event name 'task.create now' (expected words joined by dots: 'task.create')" },
	{ "event\n",
	  "t.events:1: invalid event name '' (expected words joined by dots: 'task.create')" },
	/* incomplete events: the error names the event's own line */
	{ EV, "t.events:1: event 'a.b' has no source (tracepoint, kprobe or kretprobe)" },
	{ "\n" EV "\tnote\tn\n\nevent c.d\n\tdescribe\te\n\ttracepoint\ts:n\n",
	  "t.events:2: event 'a.b' has no source (tracepoint, kprobe or kretprobe)" },
	{ "event a.b\n\ttracepoint\ts:n\n",
	  "t.events:1: event 'a.b' has no 'describe' line" },
	{ EVT "event c.d\n\tkprobe\tf\n",
	  "t.events:4: event 'c.d' has no 'describe' line" },
	/* also, size: what they must follow */
	{ EV "\talso\ts:n\n",
	  "t.events:3: 'also' must follow a tracepoint, kprobe or kretprobe line" },
	{ EV "\tkprobe\tf\n\talso\ts:n\n",
	  "t.events:4: 'also' in a kprobe source takes 'kprobe FUNC...' or 'kretprobe FUNC...'" },
	{ EVT "\talso\tkprobe f\n",
	  "t.events:4: expected SYSTEM:EVENT after the keyword, got 'kprobe f'" },
	{ EV "\tkprobe\tf\n\talso\tkretprobe\n",
	  "t.events:4: expected a function name after the keyword" },
	{ EV "\tkprobe\tf\n\talso\tkprobe g-h\n",
	  "t.events:4: invalid function name 'g-h'" },
	{ EV "\tkprobe\tf\n" "\talso\tkprobe a\n\talso\tkprobe b\n"
	  "\talso\tkprobe c\n\talso\tkprobe d\n\talso\tkprobe e\n"
	  "\talso\tkprobe g\n\talso\tkprobe h\n\talso\tkprobe i\n",
	  "t.events:11: more than 7 'also' probes in one source" },
	/* every probe of a source sized, or none: the line of the odd one */
	{ EV "\tkretprobe\tf r=$retval\n\tsize\tr\n\talso\tkretprobe g\n",
	  "t.events:5: probe 'g' has no size and the source's first has one: give every probe of a source a size, or none" },
	{ EV "\tkprobe\tf\n\talso\tkretprobe g r=$retval\n\tsize\tr\n",
	  "t.events:4: probe 'g' has a size and the source's first has none: give every probe of a source a size, or none" },
	/* notfrom: only after a kretprobe */
	{ EVT "\tnotfrom\tf\n", "t.events:4: 'notfrom' must follow a kretprobe line" },
	{ EV "\tkprobe\tf\n\tnotfrom\tg\n",
	  "t.events:4: 'notfrom' must follow a kretprobe line (a kprobe has no return address)" },
	{ EV "\tkretprobe\tf\n\talso\tkprobe g\n\tnotfrom\th\n",
	  "t.events:5: 'notfrom' must follow a kretprobe line (a kprobe has no return address)" },
	{ EV "\tkretprobe\tf\n\tnotfrom\tg|9h\n",
	  "t.events:4: invalid function name '9h'" },
	{ "notfrom f\n", "t.events:1: 'notfrom' before any 'event' line" },
	/* join */
	{ EV "\tkprobe\tf\n\tjoin\tp k:m p n\n",
	  "t.events:4: 'join' must follow a tracepoint or also line" },
	{ EVT "\tjoin\tp k:m p\n",
	  "t.events:4: expected 'join KEY SYSTEM:EVENT KEY SIZE'" },
	{ EVT "\tjoin\tp km p n\n",
	  "t.events:4: expected 'join KEY SYSTEM:EVENT KEY SIZE', got 'p km p'" },
	{ EVT "\tjoin\tp k:m p n *\n",
	  "t.events:4: bad size expression 'n *': unexpected end at column 4" },
	{ EVT "\tsize\t1\n\tjoin\tp k:m p n\n",
	  "t.events:5: 'join' and 'size' for the same tracepoint" },
	{ EVT "\tjoin\tp k:m p n\n\tsize\t1\n",
	  "t.events:5: 'join' and 'size' for the same tracepoint" },
	{ "join p k:m p n\n", "t.events:1: 'join' before any 'event' line" },
	{ EV "\tsize\t1\n",
	  "t.events:3: 'size' must follow a tracepoint, also, kprobe or kretprobe line" },
	{ EVT "\tsize\t1\n\tsize\t2\n",
	  "t.events:5: a second 'size' for the same source" },
	{ EV "\tkprobe\tf x=$arg1\n\tsize\tx\n\tsize\tx\n",
	  "t.events:5: a second 'size' for the same source" },
	{ EVT "\tsize\t1\n\talso\ts:m\n\tsize\t2\n\tsize\t3\n",
	  "t.events:7: a second 'size' for the same source" },
	/* size expressions */
	{ EVT "\tsize\tnr_sector *\n",
	  "t.events:4: bad size expression 'nr_sector *': unexpected end at column 12" },
	{ EVT "\tsize\t(order\n",
	  "t.events:4: bad size expression '(order': expected ')' at column 7" },
	{ EVT "\tsize\tbytes_req bytes_alloc\n",
	  "t.events:4: bad size expression 'bytes_req bytes_alloc': unexpected text at column 11" },
	{ EVT "\tsize\t-1\n",
	  "t.events:4: bad size expression '-1': unexpected character at column 1" },
	{ EVT "\tsize\t4k\n",
	  "t.events:4: bad size expression '4k': bad number at column 2" },
	/* SYSTEM:EVENT */
	{ EV "\ttracepoint\tsched_switch\n",
	  "t.events:3: expected SYSTEM:EVENT after the keyword, got 'sched_switch'" },
	{ EV "\ttracepoint\tsched:\n",
	  "t.events:3: expected SYSTEM:EVENT after the keyword, got 'sched:'" },
	{ EV "\ttracepoint\t:sched_switch\n",
	  "t.events:3: expected SYSTEM:EVENT after the keyword, got ':sched_switch'" },
	{ EV "\ttracepoint\tsched:sched:switch\n",
	  "t.events:3: expected SYSTEM:EVENT after the keyword, got 'sched:sched:switch'" },
	{ EVT "\talso\tsched:sched-switch\n",
	  "t.events:4: expected SYSTEM:EVENT after the keyword, got 'sched:sched-switch'" },
	{ EV "\ttracepoint\ts:n1\n\talso\ts:n2\n\talso\ts:n3\n\talso\ts:n4\n"
	  "\talso\ts:n5\n\talso\ts:n6\n\talso\ts:n7\n\talso\ts:n8\n\talso\ts:n9\n",
	  "t.events:11: more than 8 tracepoints in one source" },
	/* function names */
	{ EV "\tkprobe\tdo-fork\n", "t.events:3: invalid function name 'do-fork'" },
	{ EV "\tkretprobe\tkernel_clone|9fork\n",
	  "t.events:3: invalid function name '9fork'" },
	{ EV "\tkprobe\t|\n",
	  "t.events:3: expected a function name after the keyword" },
	/* empty filters, with or without a blank after "if" */
	{ EV "\ttracepoint\ts:n if   \n", "t.events:3: empty filter after 'if'" },
	{ EV "\ttracepoint\ts:n if\n", "t.events:3: empty filter after 'if'" },
	{ EVT "\talso\ts:m if\n", "t.events:4: empty filter after 'if'" },
	{ EV "\tkprobe\tf x=$arg1 if \n", "t.events:3: empty filter after 'if'" },
	{ EV "\tkretprobe\tf if\n", "t.events:3: empty filter after 'if'" },
	/* duplicates */
	{ EVT "event a.b\n\tdescribe\te\n\ttracepoint\ts:m\n",
	  "t.events:4: event 'a.b' defined twice (first at line 1)" },
	{ EV "\tdescribe\te\n", "t.events:3: a second 'describe' line for event 'a.b'" },
	{ EVT "\tnote\tone\n\tnote\ttwo\n",
	  "t.events:5: a second 'note' line for event 'a.b'" },
	/* keywords without a value */
	{ "event a.b\n\tdescribe\n", "t.events:2: 'describe' needs a value" },
	{ EV "\ttracepoint   \n", "t.events:3: 'tracepoint' needs a value" },
	{ EVT "\talso\n", "t.events:4: 'also' needs a value" },
	{ EV "\tkprobe\n", "t.events:3: 'kprobe' needs a value" },
	{ EV "\tkretprobe\t\n", "t.events:3: 'kretprobe' needs a value" },
	{ EVT "\tsize\n", "t.events:4: 'size' needs a value" },
	{ EVT "\tnote\n", "t.events:4: 'note' needs a value" },
	/* nothing a terminal would act on */
	{ "event a.b\n\tdescribe\tred \x1b[31m\n",
	  "t.events:2: control character 0x1b" },
	{ "event a.b\x07\n", "t.events:1: control character 0x07" },
	/* a filter joined to another cannot close its parenthesis */
	{ EV "\ttracepoint\ts:n if ret > 0) || (ret < 0\n",
	  "t.events:3: filter 'ret > 0) || (ret < 0' is not one expression: unbalanced ')' at byte 8" },
	{ EV "\tkprobe\tf x=%di if (x > 1\n",
	  "t.events:3: filter '(x > 1' is not one expression: unclosed '(' at byte 1" },
};

static void parse_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(invalid_cases); i++) {
		const struct invalid_case *ic = &invalid_cases[i];
		struct lden_catalog cat = { 0 };
		char err[512] = "";

		if (lden_catalog__parse(&cat, ic->text, "t.events", err,
				       sizeof(err)) == 0)
			fail_msg("case %zu parsed, want \"%s\"", i, ic->err);
		if (strcmp(err, ic->err))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err,
				 ic->err);
		/* whatever was half built is freed */
		lden_catalog__free(&cat);
	}
}

/* The message is cut to the buffer, still terminated. */
static void parse_error_short_buffer(void **state)
{
	struct lden_catalog cat = { 0 };
	char err[12];

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(lden_catalog__parse(&cat, "frob x\n", "t.events", err,
					    sizeof(err)), -1);
	assert_string_equal(err, "t.events:1:");
	lden_catalog__free(&cat);
}

/* ------------------------------------------------------------------ */
/* Overrides */

static const char file_a[] =
	"event task.create\n"
	"\tdescribe\tfrom a\n"
	"\ttracepoint\tsched:sched_process_fork\n"
	"event task.exit\n"
	"\tdescribe\texits from a\n"
	"\ttracepoint\tsched:sched_process_exit\n";

static const char file_b[] =
	"\n"
	"event task.create\n"
	"\tdescribe\tfrom b\n"
	"\tkprobe\t\tkernel_clone\n";

static void later_file_overrides(void **state)
{
	struct lden_catalog cat = { 0 };
	const struct lden_event_def *d;
	char err[512];

	(void)state;
	assert_int_equal(lden_catalog__parse(&cat, file_a, "a.events", err,
					    sizeof(err)), 0);
	assert_int_equal(cat.ndefs, 2);
	assert_int_equal(lden_catalog__parse(&cat, file_b, "b.events", err,
					    sizeof(err)), 0);
	assert_int_equal(cat.ndefs, 2);

	d = lden_catalog__find(&cat, "task.create");
	assert_non_null(d);
	assert_string_equal(d->describe, "from b");
	assert_string_equal(d->file, "b.events");
	assert_int_equal(d->line, 2);
	assert_int_equal(d->nsrcs, 1);
	assert_int_equal(d->srcs[0].kind, LDEN_SRC_KPROBE);
	assert_string_equal(d->srcs[0].funcs[0], "kernel_clone");

	/* the other event of a.events is untouched */
	d = lden_catalog__find(&cat, "task.exit");
	assert_non_null(d);
	assert_string_equal(d->describe, "exits from a");
	assert_string_equal(d->file, "a.events");
	assert_string_equal(d->srcs[0].tps[0].name, "sched_process_exit");

	lden_catalog__free(&cat);
}

/* ------------------------------------------------------------------ */
/* The shipped catalog */

/* LDEN's events; true where LDEN gives a size (not marked "*"). */
static const struct {
	const char *name;
	bool size;
} lden_events[] = {
	{ "sys.open", false },
	{ "sys.kill", false },
	{ "task.create", false },
	{ "task.exec", false },
	{ "task.exit", false },
	{ "task.switch", false },
	{ "memory.alloc", true },
	{ "memory.free", false },
	{ "memory.alloc_page", true },
	{ "memory.free_page", true },
	{ "memory.reclaim", true },
	{ "memory.oom_kill", false },
	{ "fs.pagecache_access", false },
	{ "fs.pagecache_miss", false },
	{ "fs.read_ahead", true },
	{ "fs.page_writeback_per_inode", true },
	{ "network.tcp_send", true },
	{ "network.tcp_recv", true },
	{ "network.udp_send", true },
	{ "network.udp_recv", true },
	{ "disk.read", true },
	{ "disk.write", true },
	{ "irq.hard", false },
};

static char shipped_dir[4096];

/* $top_srcdir (set by make check), the configured source tree, or near. */
static const char *find_shipped_dir(void)
{
	const char *top = getenv("top_srcdir");
	const char *tries[] = { NULL, LDEN_SOURCE_CATALOG, "../kprobe_events",
				"kprobe_events", "../../kprobe_events" };
	struct stat st;
	char path[4200];

	if (top && *top) {
		snprintf(shipped_dir, sizeof(shipped_dir), "%s/kprobe_events", top);
		tries[0] = shipped_dir;
	}
	for (size_t i = 0; i < ARRAY_SIZE(tries); i++) {
		if (!tries[i])
			continue;
		snprintf(path, sizeof(path), "%s/task.events", tries[i]);
		if (stat(path, &st) == 0) {
			if (tries[i] != shipped_dir)
				snprintf(shipped_dir, sizeof(shipped_dir), "%s",
					 tries[i]);
			return shipped_dir;
		}
	}
	return NULL;
}

static void load_shipped(struct lden_catalog *cat)
{
	const char *dir = find_shipped_dir();
	char err[1024];

	if (!dir)
		fail_msg("cannot find kprobe_events/ (set top_srcdir)");
	if (lden_catalog__load(cat, &dir, 1, err, sizeof(err)) < 0)
		fail_msg("loading %s: %s", dir, err);
}

static bool tp_source_sized(const struct lden_source *s)
{
	return s->kind == LDEN_SRC_TRACEPOINT ?
		       s->tps[0].size != NULL || s->tps[0].njoins :
		       s->size != NULL;
}

/* Whether @expr names only @names' fields (and numbers, PAGE_SIZE). */
static bool only_fields(const char *expr, const char *const *names, int n)
{
	for (const char *p = expr; *p;) {
		size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
		bool known = !len || (*p >= '0' && *p <= '9') ||
			     (len == 9 && !strncmp(p, "PAGE_SIZE", 9));

		for (int i = 0; i < n && !known; i++)
			known = strlen(names[i]) == len && !strncmp(p, names[i], len);
		if (!known)
			return false;
		p += len ? len : 1;
	}
	return true;
}

/*
 * Fallback sizes are what the call achieved: a kretprobe's return value
 * ("x=$retval"), never an argument (the length asked for, which a short
 * or non-blocking call does not move), and counted where it moved data.
 */
static void check_fallback_size(const char *event, const struct lden_source *p)
{
	const char *names[8];
	char args[512], *tok, *save = NULL;
	int n = 0;

	if (!p->size)
		return;
	/* read-ahead counts requests: its size is the request on both paths */
	if (!strcmp(event, "fs.read_ahead"))
		return;
	if (p->kind != LDEN_SRC_KRETPROBE)
		fail_msg("%s: probe %s (line %d) is sized but not a kretprobe",
			 event, p->funcs[0], p->line);
	snprintf(args, sizeof(args), "%s", p->fetchargs ? p->fetchargs : "");
	for (tok = strtok_r(args, " ", &save); tok && n < 8;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (eq && !strncmp(eq + 1, "$retval", 7)) {
			*eq = '\0';
			names[n++] = tok;
		}
	}
	if (!n || !only_fields(p->size, names, n))
		fail_msg("%s: probe %s (line %d) is sized by '%s', not by its return value",
			 event, p->funcs[0], p->line, p->size);
}

/* Every sized fallback, every "also" probe of it included. */
static void shipped_fallbacks(void **state)
{
	struct lden_catalog cat = { 0 };
	const struct lden_event_def *d;

	(void)state;
	load_shipped(&cat);
	for (int i = 0; i < cat.ndefs; i++) {
		d = &cat.defs[i];
		for (int s = 0; s < d->nsrcs; s++) {
			const struct lden_source *src = &d->srcs[s];

			if (src->kind == LDEN_SRC_TRACEPOINT)
				continue;
			check_fallback_size(d->name, src);
			for (int m = 0; m < src->nmore; m++)
				check_fallback_size(d->name, &src->more[m]);
		}
	}
	/* sends that moved nothing (EAGAIN) or less than asked are not counted */
	d = lden_catalog__find(&cat, "network.tcp_send");
	assert_non_null(d);
	assert_int_equal(d->srcs[1].kind, LDEN_SRC_KRETPROBE);
	assert_string_equal(d->srcs[1].filter, "ret > 0");
	/* UDP over IPv6 on kernels without sock_send_length, counted once */
	d = lden_catalog__find(&cat, "network.udp_send");
	assert_non_null(d);
	assert_string_equal(d->srcs[1].funcs[0], "udp_sendmsg");
	assert_int_equal(d->srcs[1].nnotfrom, 1);
	assert_string_equal(d->srcs[1].notfrom[0], "udpv6_sendmsg");
	assert_true(d->srcs[1].nmore >= 1);
	assert_string_equal(d->srcs[1].more[0].funcs[0], "udpv6_sendmsg");
	assert_string_equal(d->srcs[1].more[0].filter, "ret > 0");
	d = lden_catalog__find(&cat, "network.udp_recv");
	assert_non_null(d);
	assert_string_equal(d->srcs[1].more[0].funcs[0], "udpv6_recvmsg");
	/* memory.free is sized by its allocations, found by pointer */
	d = lden_catalog__find(&cat, "memory.free");
	assert_non_null(d);
	assert_null(d->srcs[0].tps[0].size);
	assert_int_equal(d->srcs[0].tps[0].njoins, 4);
	assert_string_equal(d->srcs[0].tps[0].joins[0].key, "ptr");
	assert_string_equal(d->srcs[0].tps[0].joins[0].system, "kmem");
	assert_string_equal(d->srcs[0].tps[0].joins[0].name, "kmalloc");
	assert_string_equal(d->srcs[0].tps[0].joins[0].from_key, "ptr");
	assert_string_equal(d->srcs[0].tps[0].joins[0].size, "bytes_alloc");
	assert_string_equal(d->srcs[0].tps[0].joins[1].name, "kmem_cache_alloc");
	lden_catalog__free(&cat);
}

/* The same directory reached twice (a slash, a link) is read once. */
static void same_dir_twice(void **state)
{
	struct lden_catalog cat = { 0 };
	char slash[4200], link[4200], err[1024];
	const char *dirs[3];
	const char *tmp = getenv("TMPDIR");

	(void)state;
	assert_non_null(find_shipped_dir());
	snprintf(slash, sizeof(slash), "%s/", shipped_dir);
	snprintf(link, sizeof(link), "%s/lden-test-catalog-link-%d",
		 tmp && *tmp ? tmp : "/tmp", (int)getpid());
	assert_int_equal(symlink(shipped_dir, link), 0);
	dirs[0] = shipped_dir;
	dirs[1] = slash;
	dirs[2] = link;
	if (lden_catalog__load(&cat, dirs, 3, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(cat.ndefs, (int)ARRAY_SIZE(lden_events));
	assert_int_equal(unlink(link), 0);
	lden_catalog__free(&cat);
}

/* "also" probes, notfrom and join, field by field */
static void parse_probes_and_joins(void **state)
{
	struct lden_catalog cat = { 0 };
	const struct lden_source *s;
	const struct lden_tp *tp;
	char err[512];

	(void)state;
	assert_int_equal(lden_catalog__parse(&cat,
		"event a.b\n"
		"\tdescribe\td\n"
		"\tkretprobe\tf|g r=$retval:s32 if r > 0\n"
		"\tsize\tr\n"
		"\tnotfrom\th | i\n"
		"\talso  kretprobe\th r=$retval:s32 if r > 0\n"
		"\tsize\tr * 2\n"
		"\tnotfrom\tj\n"
		"\talso\tkprobe k n=$arg3:u64\n"
		"\tsize\tn\n"
		"event c.d\n"
		"\tdescribe\td\n"
		"\ttracepoint\tkmem:kfree\n"
		"\tjoin\tptr kmem:kmalloc ptr bytes_alloc\n"
		"\talso\tkmem:kfree2\n"
		"\tjoin\tp2  kmem:kmalloc2 ptr  bytes_alloc * 2 \n",
		"t.events", err, sizeof(err)), 0);
	s = &lden_catalog__find(&cat, "a.b")->srcs[0];
	assert_int_equal(s->kind, LDEN_SRC_KRETPROBE);
	assert_int_equal(s->nfuncs, 2);
	assert_string_equal(s->size, "r");
	assert_string_equal(s->filter, "r > 0");
	assert_int_equal(s->nnotfrom, 2);
	assert_string_equal(s->notfrom[0], "h");
	assert_string_equal(s->notfrom[1], "i");
	assert_int_equal(s->nmore, 2);
	assert_int_equal(s->more[0].kind, LDEN_SRC_KRETPROBE);
	assert_string_equal(s->more[0].funcs[0], "h");
	assert_string_equal(s->more[0].fetchargs, "r=$retval:s32");
	assert_string_equal(s->more[0].filter, "r > 0");
	assert_string_equal(s->more[0].size, "r * 2");
	assert_int_equal(s->more[0].nnotfrom, 1);
	assert_string_equal(s->more[0].notfrom[0], "j");
	assert_int_equal(s->more[0].line, 6);
	assert_int_equal(s->more[1].kind, LDEN_SRC_KPROBE);
	assert_string_equal(s->more[1].funcs[0], "k");
	assert_string_equal(s->more[1].size, "n");
	assert_null(s->more[1].filter);
	assert_int_equal(s->more[1].nnotfrom, 0);
	tp = &lden_catalog__find(&cat, "c.d")->srcs[0].tps[0];
	assert_null(tp->size);
	assert_int_equal(tp->njoins, 1);
	assert_int_equal(tp->joins[0].line, 14);
	tp++;
	assert_int_equal(tp->njoins, 1);
	assert_string_equal(tp->joins[0].key, "p2");
	assert_string_equal(tp->joins[0].system, "kmem");
	assert_string_equal(tp->joins[0].name, "kmalloc2");
	assert_string_equal(tp->joins[0].from_key, "ptr");
	assert_string_equal(tp->joins[0].size, "bytes_alloc * 2");
	lden_catalog__free(&cat);
}

static void shipped_catalog(void **state)
{
	struct lden_catalog cat = { 0 };

	(void)state;
	load_shipped(&cat);
	if (cat.ndefs != (int)ARRAY_SIZE(lden_events)) {
		for (int i = 0; i < cat.ndefs; i++)
			print_message("  %s\n", cat.defs[i].name);
		fail_msg("%d events, want %zu", cat.ndefs, ARRAY_SIZE(lden_events));
	}
	for (size_t i = 0; i < ARRAY_SIZE(lden_events); i++) {
		const struct lden_event_def *d = lden_catalog__find(&cat, lden_events[i].name);
		bool any_size = false;

		if (!d)
			fail_msg("no '%s' in the shipped catalog", lden_events[i].name);
		if (!d->describe || !*d->describe)
			fail_msg("%s: no describe", d->name);
		assert_true(d->nsrcs >= 1);
		assert_non_null(strstr(d->file, ".events"));
		for (int s = 0; s < d->nsrcs; s++) {
			const struct lden_source *src = &d->srcs[s];

			any_size |= tp_source_sized(src);
			/* a sized event keeps its size on every fallback and
			 * every "also": else size() silently under-counts */
			if (!lden_events[i].size)
				continue;
			if (!tp_source_sized(src))
				fail_msg("%s: source at line %d has no size",
					 d->name, src->line);
			for (int t = 0; t < src->ntps; t++)
				if (!src->tps[t].size)
					fail_msg("%s: %s:%s (line %d) has no size",
						 d->name, src->tps[t].system,
						 src->tps[t].name, src->tps[t].line);
		}
		if (lden_events[i].size && !tp_source_sized(&d->srcs[0]))
			fail_msg("%s: LDEN gives it a size, its first source has none",
				 d->name);
		/* sizes LDEN does not have are marked as lden's own */
		if (!lden_events[i].size && any_size && !d->note)
			fail_msg("%s: a size LDEN lacks, without a note saying so",
				 d->name);
	}
	lden_catalog__free(&cat);
}

/*
 * Files that are no text file: a FIFO (once a hang in open()), a device
 * (/dev/zero once filled memory at 400 MB/s), and one over the bound
 * (sparse, so it costs no disk): each refused at once, naming it.
 */
static void load_hostile_files(void **state)
{
	static const char *const why[] = {
		"not a regular file", "not a regular file", "larger than",
	};
	const char *tmp = getenv("TMPDIR");
	struct lden_catalog cat = { 0 };
	char dir[4096], path[4200], err[8600];
	const char *dirs[1] = { dir };

	(void)state;
	snprintf(dir, sizeof(dir), "%s/lden-test-catalog.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.events", dir);
	alarm(20);
	for (int i = 0; i < 3; i++) {
		if (i == 0)
			assert_int_equal(mkfifo(path, 0600), 0);
		else if (i == 1)
			assert_int_equal(symlink("/dev/zero", path), 0);
		else
			assert_int_equal(truncate(path, LDEN_CATALOG_FILE_MAX + 1ll), 0);
		if (i == 2)
			continue;
		assert_int_equal(lden_catalog__load(&cat, dirs, 1, err,
						   sizeof(err)), -1);
		if (!strstr(err, path) || !strstr(err, why[i]))
			fail_msg("case %d: '%s'", i, err);
		assert_int_equal(cat.ndefs, 0);
		lden_catalog__free(&cat);
		assert_int_equal(unlink(path), 0);
		if (i == 1) {
			int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

			assert_true(fd >= 0);
			close(fd);
		}
	}
	assert_int_equal(lden_catalog__load(&cat, dirs, 1, err, sizeof(err)), -1);
	if (!strstr(err, path) || !strstr(err, why[2]))
		fail_msg("too large: '%s'", err);
	lden_catalog__free(&cat);
	alarm(0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/*
 * 200,000 events in two files, the second overriding half of the first's:
 * loading is linear (it was quadratic: 14 s for 100,000), and every name
 * is found, overridden or not.
 */
static void load_many(void **state)
{
	const int n = 100000;
	struct lden_catalog cat = { 0 };
	const struct lden_event_def *d;
	size_t cap = (size_t)n * 80, len;
	char *text = malloc(cap), err[512], name[32];

	(void)state;
	assert_non_null(text);
	for (int f = 0; f < 2; f++) {
		len = 0;
		for (int i = 0; i < n; i++)
			len += (size_t)snprintf(text + len, cap - len,
						"event e%d.n%d\n\tdescribe\tf%d\n\ttracepoint\ts:t\n",
						f ? i * 2 : i, f ? i * 2 : i, f);
		if (lden_catalog__parse(&cat, text, f ? "b.events" : "a.events",
				       err, sizeof(err)) < 0)
			fail_msg("%s", err);
	}
	free(text);
	assert_int_equal(cat.ndefs, n + n / 2);
	for (int i = 0; i < 2 * n; i += 3) {
		snprintf(name, sizeof(name), "e%d.n%d", i, i);
		d = lden_catalog__find(&cat, name);
		if (i >= n && i % 2) {
			assert_null(d);
			continue;
		}
		if (!d)
			fail_msg("%s not found", name);
		assert_string_equal(d->describe, i % 2 == 0 ? "f1" : "f0");
	}
	assert_null(lden_catalog__find(&cat, "e1.n2"));
	lden_catalog__free(&cat);
}

/*
 * Why an event is unavailable names what it needed: a kprobe-only event on
 * a kernel without kprobes is not "its tracepoint is not on this kernel"
 * (a fake tracing directory: events/, no kprobe_events).
 */
static void unavailable_reasons(void **state)
{
	static const char text[] =
		"event a.kp\n\tdescribe\td\n\tkprobe\tvfs_read\n"
		"event a.tp\n\tdescribe\td\n\ttracepoint\ts:none\n"
		"event a.both\n\tdescribe\td\n\ttracepoint\ts:none\n\tkprobe\tvfs_read\n";
	static const char *const want[] = {
		"it needs kprobes, and this kernel has no kprobe support (CONFIG_KPROBES is off)",
		"its tracepoint is not on this kernel",
		"no tracepoint for it on this kernel, and no kprobe support (CONFIG_KPROBES is off)",
	};
	const char *tmp = getenv("TMPDIR");
	struct lden_catalog cat = { 0 };
	struct lden_resolution r;
	struct lden_kernel *k;
	char dir[4096], sub[4200], err[256];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/lden-test-tracing.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/events", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(lden_catalog__parse(&cat, text, "r.events", err,
					    sizeof(err)), 0);
	k = lden_kernel__new(dir);
	assert_non_null(k);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(lden_resolve(k, &cat.defs[i], &r), -1);
		assert_string_equal(r.reason, want[i]);
	}
	lden_kernel__free(k);
	lden_catalog__free(&cat);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(dir), 0);
}

/*
 * A kprobe source is checked against the fields its fetch-args make
 * before anything is created: a filter or size naming another is a
 * catalog error at its line.
 */
static void probe_fields_checked(void **state)
{
	static const struct {
		const char *src;
		const char *err;	/* NULL: fine */
	} cases[] = {
		{ "\tkprobe\tf len=$arg3:u64 if len > 0\n\tsize\tlen\n", NULL },
		{ "\tkretprobe\tf ret=$retval:s32 if ret > 0 && __probe_func == 1\n\tsize\tret * PAGE_SIZE\n", NULL },
		{ "\tkprobe\tf x=%di if comm == \"len > 1\" && x > 2\n", NULL },
		{ "\tkprobe\tf len=$arg3:u64 if size > 0\n",
		  "c.events:3: filter 'size > 0' names 'size', which the probe's fetch-args do not make" },
		{ "\tkprobe\tf len=$arg3:u64\n\tsize\tlen + bytes\n",
		  "c.events:4: size 'len + bytes' names 'bytes', which the probe's fetch-args do not make" },
		{ "\tkprobe\tf a=%di if __probe_ret_ip > 0\n",
		  "c.events:3: filter '__probe_ret_ip > 0' names '__probe_ret_ip', which the probe's fetch-args do not make" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct lden_catalog cat = { 0 };
		struct lden_resolution r = { 0 };
		char text[512], err[512] = "";
		int rc;

		snprintf(text, sizeof(text), "event c.d\n\tdescribe\td\n%s",
			 cases[i].src);
		assert_int_equal(lden_catalog__parse(&cat, text, "c.events", err,
						    sizeof(err)), 0);
		r.def = &cat.defs[0];
		r.src = &cat.defs[0].srcs[0];
		r.has_size = r.src->size != NULL;
		rc = lden_check_source(NULL, &r, err, sizeof(err));
		if (cases[i].err ? rc != -1 || strcmp(err, cases[i].err) : rc)
			fail_msg("case %zu: %d '%s'", i, rc, rc ? err : "");
		lden_catalog__free(&cat);
	}
}

/* A user's directory after the installed one overrides; missing dirs skip. */
static void load_override_dir(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct lden_catalog cat = { 0 };
	const struct lden_event_def *d;
	char dir[4096], path[4200], want[4300], err[1024];
	const char *dirs[3];
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/lden-test-catalog.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/zz-user.events", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("event task.create\n\tdescribe\tmine\n\ttracepoint\tsched:sched_process_fork if parent_pid == 1\n",
	      f);
	assert_int_equal(fclose(f), 0);

	dirs[0] = find_shipped_dir();
	assert_non_null(dirs[0]);
	dirs[1] = "/nonexistent/lden-test-catalog";
	dirs[2] = dir;
	if (lden_catalog__load(&cat, dirs, 3, err, sizeof(err)) < 0)
		fail_msg("load: %s", err);
	assert_int_equal(cat.ndefs, (int)ARRAY_SIZE(lden_events));
	d = lden_catalog__find(&cat, "task.create");
	assert_non_null(d);
	assert_string_equal(d->describe, "mine");
	assert_string_equal(d->file, path);
	assert_string_equal(d->srcs[0].tps[0].filter, "parent_pid == 1");
	lden_catalog__free(&cat);

	/* an error in a loaded file names the file's path and line */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("event task.create\n\tdescribe\tmine\n\tkprobe\tnot-a-function\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(lden_catalog__load(&cat, dirs, 3, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: invalid function name 'not-a-function'",
		 path);
	assert_string_equal(err, want);
	lden_catalog__free(&cat);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void suggest(void **state)
{
	struct lden_catalog cat = { 0 };
	static const struct {
		const char *typo;
		const char *want;
	} cases[] = {
		{ "task.creat", "task.create" },
		{ "task.create", "task.create" },
		{ "sys.opn", "sys.open" },
		{ "disk.raed", "disk.read" },
		{ "memory.alloc_pag", "memory.alloc_page" },
		{ "network.tcp_sned", "network.tcp_send" },
		{ "zzz", NULL },
		{ "", NULL },
		{ "task", NULL },
		{ "completely.different", NULL },
	};

	(void)state;
	assert_null(lden_catalog__suggest(&cat, "task.creat"));
	load_shipped(&cat);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = lden_catalog__suggest(&cat, cases[i].typo);

		check_str(cases[i].typo, cases[i].want, got);
	}
	lden_catalog__free(&cat);
}

/* ------------------------------------------------------------------ */
/* Size expressions */

static const struct {
	const char *text;
	const char *err;	/* NULL: valid */
} size_syntax[] = {
	{ "bytes_req", NULL },
	{ "nr_sector * 512", NULL },
	{ "PAGE_SIZE << order", NULL },
	{ "(anon_rss + file_rss + shmem_rss) * 1024", NULL },
	{ "  ret  ", NULL },
	{ "0x1f + 010", NULL },
	{ "a - b / c >> 2", NULL },
	{ "((((((((((((((((x))))))))))))))))", NULL },	/* 16 levels */
	{ "", "unexpected end at column 1" },
	{ "   ", "unexpected end at column 4" },
	{ "nr_sector *", "unexpected end at column 12" },
	{ "1 +", "unexpected end at column 4" },
	{ "(1 + 2", "expected ')' at column 7" },
	{ "1 + 2)", "unexpected text at column 6" },
	{ "bytes_req bytes_alloc", "unexpected text at column 11" },
	{ "a < b", "unexpected text at column 3" },
	{ "a <<", "unexpected end at column 5" },
	{ "-1", "unexpected character at column 1" },
	{ "a $ b", "unexpected text at column 3" },
	{ "* 2", "unexpected character at column 1" },
	{ "4k", "bad number at column 2" },
	{ "99999999999999999999999", "number too large at column 1" },
	{ "(((((((((((((((((x)))))))))))))))))", "too many parentheses at column 17" },
	{ "rwbs[0]", "unexpected text at column 5" },
};

static void size_check(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(size_syntax); i++) {
		char err[256] = "";
		int rc = lden_size_expr__check(size_syntax[i].text, err, sizeof(err));

		if (!size_syntax[i].err && rc != 0)
			fail_msg("'%s': %s", size_syntax[i].text, err);
		if (size_syntax[i].err && rc == 0)
			fail_msg("'%s' passed, want \"%s\"", size_syntax[i].text,
				 size_syntax[i].err);
		if (size_syntax[i].err && strcmp(err, size_syntax[i].err))
			fail_msg("'%s': got \"%s\", want \"%s\"",
				 size_syntax[i].text, err, size_syntax[i].err);
	}
}

/* More than the compiled program holds (64 operations). */
static void size_too_long(void **state)
{
	char text[1024] = "1", err[256];

	(void)state;
	for (int i = 0; i < 40; i++)
		strcat(text, " + 1");
	assert_int_equal(lden_size_expr__check(text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expression too long"));
	/* 31 operations fit */
	text[1 + 15 * 4] = '\0';
	if (lden_size_expr__check(text, err, sizeof(err)) < 0)
		fail_msg("'%s': %s", text, err);
}

static uint64_t eval_text(const char *text, struct ltr_event *ev,
			  const struct ltr_sample *s)
{
	struct lden_size_expr *e;
	char err[256];
	uint64_t v;

	e = lden_size_expr__compile(text, ev, err, sizeof(err));
	if (!e)
		fail_msg("'%s': %s", text, err);
	v = lden_size_expr__eval(e, s);
	lden_size_expr__free(e);
	return v;
}

/* Compiled with no event, names are fields that read as 0. */
static void size_eval_constants(void **state)
{
	const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct ltr_sample s = { 0 };
	const struct {
		const char *text;
		uint64_t want;
	} cases[] = {
		{ "PAGE_SIZE << 2", page << 2 },
		{ "PAGE_SIZE", page },
		{ "PAGE_SIZE >> 12", page >> 12 },
		{ "(1 + 2) * 3", 9 },
		{ "1 + 2 * 3", 7 },
		{ "2 * 3 + 4 * 5", 26 },
		{ "1 + 2 << 3", 24 },		/* shifts bind loosest */
		{ "1 << 2 << 3", 32 },
		{ "100 - 10 - 1", 89 },		/* left to right */
		{ "64 / 4 / 2", 8 },
		{ "7 / 2", 3 },
		{ "10 / 0", 0 },		/* no trap: 0 */
		{ "(5 - 5) / (3 - 3) + 4", 4 },
		/* whole numbers: negative (refused: wraps_at) is 0, */
		{ "2 - 3", 0 },
		{ "1 << 63", UINT64_C(1) << 63 },
		/* past 2^64 - 1 saturated, never wrapped (number.h) */
		{ "1 << 64", LDEN_U64_OVER },
		{ "1 << 200", LDEN_U64_OVER },
		{ "18446744073709551615 * 18446744073709551615", LDEN_U64_OVER },
		{ "18446744073709551614", UINT64_MAX - 1 },
		{ "(1 << 70) >> 10", UINT64_C(1) << 60 },	/* exact within */
		{ "(1 << 70) - (1 << 70) + 5", 5 },
		{ "1 >> 64", 0 },
		{ "0x10 + 010 + 10", 16 + 8 + 10 },	/* C literals */
		{ "18446744073709551615 + 1", LDEN_U64_OVER },
		{ "nr_sector * 512", 0 },	/* no field: 0 */
		{ "field + 5", 5 },
		{ "((2))", 2 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t got = eval_text(cases[i].text, NULL, &s);

		if (got != cases[i].want)
			fail_msg("'%s' = %llu, want %llu", cases[i].text,
				 (unsigned long long)got,
				 (unsigned long long)cases[i].want);
	}
}

/*
 * Against an event built by hand with block_rq_complete's and
 * sock_send_length's layouts on Linux 6.18, and records written here.
 */
static char f_pid[] = "common_pid", f_nr[] = "nr_sector", f_rwbs[] = "rwbs",
	    f_ret[] = "ret", f_order[] = "order", f_sys[] = "block",
	    f_name[] = "block_rq_complete";

static struct ltr_field fake_fields[] = {
	{ f_pid, 4, 4, 4, true, LTR_FIELD_NUMBER },
	{ f_nr, 24, 4, 4, false, LTR_FIELD_NUMBER },
	{ f_rwbs, 34, 10, 10, false, LTR_FIELD_STR_FIXED },
	{ f_ret, 44, 4, 4, true, LTR_FIELD_NUMBER },
	{ f_order, 48, 4, 4, false, LTR_FIELD_NUMBER },
};

static void size_eval_fields(void **state)
{
	struct ltr_event ev = { .system = f_sys, .name = f_name,
				.fields = fake_fields,
				.nfields = ARRAY_SIZE(fake_fields) };
	const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	unsigned char rec[56] = { 0 };
	struct ltr_sample s = { .event = &ev, .raw = rec,
				.raw_size = sizeof(rec) };
	uint32_t nr = 8, order = 3;
	int32_t ret = 1000;
	char err[256];

	(void)state;
	memcpy(rec + 24, &nr, 4);
	memcpy(rec + 34, "WS", 2);
	memcpy(rec + 44, &ret, 4);
	memcpy(rec + 48, &order, 4);

	/* one field, or one field times a constant, skip the program */
	assert_int_equal(eval_text("nr_sector * 512", &ev, &s), 4096);
	assert_int_equal(eval_text("512 * nr_sector", &ev, &s), 4096);
	assert_int_equal(eval_text("nr_sector", &ev, &s), 8);
	assert_int_equal(eval_text("nr_sector * 512 * 2", &ev, &s), 8192);
	assert_int_equal(eval_text("nr_sector * order", &ev, &s), 24);
	assert_int_equal(eval_text("PAGE_SIZE << order", &ev, &s), page << 3);
	assert_int_equal(eval_text("ret", &ev, &s), 1000);
	assert_int_equal(eval_text("(nr_sector + ret) * 2 - order", &ev, &s),
			 2013);
	/* linear in the fields: summed as terms, the program's value */
	assert_int_equal(eval_text("nr_sector * 0 + 1", &ev, &s), 1);
	assert_int_equal(eval_text("order - order", &ev, &s), 0);
	assert_int_equal(eval_text("nr_sector + nr_sector * 3 + 1", &ev, &s), 33);
	assert_int_equal(eval_text("(nr_sector + order) << 2", &ev, &s), 44);
	assert_int_equal(eval_text("2 * (nr_sector - 3 * order) + 64 / 8", &ev, &s),
			 (uint64_t)(2 * (8 - 9) + 8));
	assert_int_equal(eval_text("(nr_sector + ret + order) * 1024", &ev, &s),
			 1011 * 1024);
	assert_int_equal(eval_text("nr_sector / 2 + order", &ev, &s), 7);
	assert_int_equal(eval_text("nr_sector << 64", &ev, &s), LDEN_U64_OVER);
	/* past 2^64 on this record only: saturated in every shape */
	assert_int_equal(eval_text("nr_sector * 4611686018427387904", &ev, &s),
			 LDEN_U64_OVER);
	assert_int_equal(eval_text("nr_sector * 2305843009213693952 + 1", &ev, &s),
			 LDEN_U64_OVER);
	assert_int_equal(eval_text("nr_sector * 2305843009213693951 + 7", &ev, &s),
			 UINT64_MAX);	/* 2^64 - 1 itself: the mark too */
	assert_int_equal(eval_text("nr_sector * 4611686018427387904 - nr_sector * 4611686018427387903", &ev, &s),
			 8);	/* whole numbers: no wrap in between */

	/* a negative ret (an error) is its value, and a size below 0 is 0:
	 * the catalog's "ret > 0" filters and the check that refuses a size
	 * that can be negative keep it out of size() */
	ret = -11;
	memcpy(rec + 44, &ret, 4);
	assert_int_equal(eval_text("ret", &ev, &s), 0);
	assert_int_equal(eval_text("ret * 3 + nr_sector", &ev, &s), 0);
	assert_int_equal(eval_text("ret + 20", &ev, &s), 9);
	assert_int_equal(eval_text("ret * 0 + 1", &ev, &s), 1);
	assert_int_equal(eval_text("(ret + 18446744073709551615) * 4", &ev, &s),
			 LDEN_U64_OVER);

	/* a record too short for the field: 0, not a read past it */
	s.raw_size = 26;
	assert_int_equal(eval_text("nr_sector * 512 + 7", &ev, &s), 7);
	assert_int_equal(eval_text("nr_sector * 512", &ev, &s), 0);
	assert_int_equal(eval_text("nr_sector", &ev, &s), 0);
	assert_int_equal(eval_text("nr_sector * 0 + 1", &ev, &s), 1);
	assert_int_equal(eval_text("(nr_sector + 1) * 3", &ev, &s), 3);

	/* fields are checked against the event at compile time */
	assert_null(lden_size_expr__compile("nosuch + 1", &ev, err, sizeof(err)));
	assert_string_equal(err, "no field nosuch at column 1");
	assert_null(lden_size_expr__compile("2 * rwbs", &ev, err, sizeof(err)));
	assert_string_equal(err, "string field rwbs at column 5");
	assert_null(lden_size_expr__compile("nr_sector *", &ev, err, sizeof(err)));
	assert_string_equal(err, "unexpected end at column 12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_valid),
		cmocka_unit_test(parse_invalid),
		cmocka_unit_test(parse_error_short_buffer),
		cmocka_unit_test(later_file_overrides),
		cmocka_unit_test(shipped_catalog),
		cmocka_unit_test(shipped_fallbacks),
		cmocka_unit_test(parse_probes_and_joins),
		cmocka_unit_test(same_dir_twice),
		cmocka_unit_test(load_override_dir),
		cmocka_unit_test(load_hostile_files),
		cmocka_unit_test(load_many),
		cmocka_unit_test(unavailable_reasons),
		cmocka_unit_test(probe_fields_checked),
		cmocka_unit_test(suggest),
		cmocka_unit_test(size_check),
		cmocka_unit_test(size_too_long),
		cmocka_unit_test(size_eval_constants),
		cmocka_unit_test(size_eval_fields),
	};

	ltr_set_print(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
