// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden trace socket's parts, on canned input: the function list file
 * (types, comments, bad lines with their line number, the search path's
 * last directory winning, the check against a canned kallsyms), return
 * values as each type shows them (garbage above an int's 32 bits, error
 * pointers, NULL), and thread_indent's nesting: depths, a return lost
 * inside a call, a return without its entry, system calls that do not
 * nest, time since the thread's first event, a tid reused after its
 * thread exited, nesting deeper than kept, a full thread table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "funclist.h"
#include "indent.h"
#include "kallsyms.h"

static char dir[64];

/* SUB/NAME under the test's directory holding @text; its path (static) */
static const char *put(const char *sub, const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lden-test-socktrace-%d", (int)getpid());
	return mkdir(dir, 0700);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_load(void **state)
{
	struct lden_funclist l;
	char err[512];
	const char *p = put("a", "socket.functions",
			    "# a comment\n\n__sys_connect\tint\n"
			    "  sock_alloc   ptr   # trailing comment\n"
			    "sock_poll uint\nsock_release void\n"
			    "__sys_sendmsg long\nsock_is_registered bool\n");

	(void)state;
	assert_int_equal(lden_funclist__load(p, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.f[0].name, "__sys_connect");
	assert_int_equal(l.f[0].ret, LDEN_RET_INT);
	assert_string_equal(l.f[1].name, "sock_alloc");
	assert_int_equal(l.f[1].ret, LDEN_RET_PTR);
	assert_int_equal(l.f[2].ret, LDEN_RET_UINT);
	assert_int_equal(l.f[3].ret, LDEN_RET_VOID);
	assert_int_equal(l.f[4].ret, LDEN_RET_LONG);
	assert_int_equal(l.f[5].ret, LDEN_RET_BOOL);
	assert_false(l.f[0].present);
	lden_funclist__free(&l);
	assert_null(l.f);
}

static void test_load_bad(void **state)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "a int\nb float\n", "bad.functions:2: unknown type 'float'" },
		{ "a int extra\n", "bad.functions:1: expected 'FUNCTION TYPE'" },
		{ "a\n", "bad.functions:1: expected 'FUNCTION TYPE'" },
		{ "9lives int\n", "bad.functions:1: expected 'FUNCTION TYPE'" },
		{ "a-b int\n", "bad.functions:1: expected 'FUNCTION TYPE'" },
		{ "# nothing\n\n", "bad.functions: no functions" },
	};
	struct lden_funclist l;
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *p = put("bad", "bad.functions", bad[i].text);

		assert_int_equal(lden_funclist__load(p, &l, err, sizeof(err)), -1);
		assert_non_null(strstr(err, bad[i].msg));
		assert_null(l.f);
		assert_int_equal(l.n, 0);
	}
	assert_int_equal(lden_funclist__load("/nonexistent/x.functions", &l,
					    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

static void test_find(void **state)
{
	char a[128], b[128], c[128], path[512];
	const char *dirs[3] = { a, b, c };

	(void)state;
	snprintf(a, sizeof(a), "%s/one", dir);
	snprintf(b, sizeof(b), "%s/two", dir);
	snprintf(c, sizeof(c), "%s/none", dir);
	put("one", "socket.functions", "x int\n");
	assert_int_equal(lden_funclist__find(dirs, 3, "socket.functions", path,
					    sizeof(path)), 0);
	assert_non_null(strstr(path, "/one/socket.functions"));
	/* a later directory's file replaces an earlier one's */
	put("two", "socket.functions", "y int\n");
	assert_int_equal(lden_funclist__find(dirs, 3, "socket.functions", path,
					    sizeof(path)), 0);
	assert_non_null(strstr(path, "/two/socket.functions"));
	assert_int_equal(lden_funclist__find(dirs, 3, "other.functions", path,
					    sizeof(path)), -ENOENT);
}

static void test_check(void **state)
{
	struct lden_kallsyms *k = lden_kallsyms__load(
		put("k", "kallsyms", "ffffffff81000000 T __sys_connect\n"
			"ffffffff81000100 t sock_poll\n"
			"ffffffff81000200 D sock_alloc\n"));
	const char *p = put("k", "x.functions",
			    "__sys_connect int\nsock_alloc ptr\nsock_poll uint\n"
			    "__sys_bind_socket int\n");
	struct lden_funclist l;
	char err[256];

	(void)state;
	assert_non_null(k);
	assert_int_equal(lden_funclist__load(p, &l, err, sizeof(err)), 0);
	/* a data symbol is no function */
	assert_int_equal(lden_funclist__check(&l, k), 2);
	assert_true(l.f[0].present);
	assert_false(l.f[1].present);
	assert_true(l.f[2].present);
	assert_false(l.f[3].present);
	lden_funclist__free(&l);
	lden_kallsyms__free(k);
}

static void test_format(void **state)
{
	static const struct {
		enum lden_rettype t;
		uint64_t raw;
		const char *text;
		bool number;
		int64_t num;
	} cases[] = {
		{ LDEN_RET_INT, 0xffffffffffffff91ull, "-111", true, -111 },
		/* an int's register: what is above its 32 bits is not its */
		{ LDEN_RET_INT, 0x1234567800000005ull, "5", true, 5 },
		{ LDEN_RET_INT, 0x00000000ffffffffull, "-1", true, -1 },
		{ LDEN_RET_UINT, 0xdeadbeefffffffffull, "4294967295", true, 4294967295ll },
		{ LDEN_RET_LONG, 0xffffffffffffffffull, "-1", true, -1 },
		{ LDEN_RET_LONG, 1ull << 40, "1099511627776", true, 1ll << 40 },
		{ LDEN_RET_BOOL, 0x101, "1", true, 1 },
		{ LDEN_RET_BOOL, 0x100, "0", true, 0 },
		{ LDEN_RET_PTR, 0, "0", true, 0 },
		{ LDEN_RET_PTR, (uint64_t)-22, "-22", true, -22 },
		{ LDEN_RET_PTR, (uint64_t)-4095, "-4095", true, -4095 },
		{ LDEN_RET_PTR, (uint64_t)-4096, "0xfffffffffffff000", false, 0 },
		{ LDEN_RET_PTR, 0xffff888004c41d40ull, "0xffff888004c41d40", false, 0 },
		{ LDEN_RET_VOID, 42, "", false, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[32];
		int64_t num = 12345;
		bool is = lden_rettype__format(cases[i].t, cases[i].raw, buf,
					      sizeof(buf), &num);

		assert_string_equal(buf, cases[i].text);
		assert_int_equal(is, cases[i].number);
		if (is)
			assert_int_equal(num, cases[i].num);
		else
			assert_int_equal(num, 12345);
	}
	assert_string_equal(lden_rettype__name(LDEN_RET_PTR), "ptr");
}

/* feed: one event, its lines compared with "depth:e|r:func:mark ..." */
static void feed(struct lden_indent *in, int32_t tid, uint64_t t, int func,
		 bool entry, bool nests, const char *want)
{
	struct lden_indent_line l[LDEN_INDENT_MAX + 1];
	char got[512] = "";
	int n = lden_indent__feed(in, tid, t, func, entry, nests, l);

	if (n < 0)
		n = 1;
	for (int i = 0; i < n; i++) {
		size_t k = strlen(got);

		snprintf(got + k, sizeof(got) - k, "%s%d:%c:%d:%d", k ? " " : "",
			 l[i].depth, l[i].entry ? 'e' : 'r', l[i].func,
			 (int)l[i].mark);
	}
	assert_string_equal(got, want);
}

static void test_indent_nesting(void **state)
{
	struct lden_indent *in = lden_indent__new(16);
	struct lden_indent_line l[LDEN_INDENT_MAX + 1];

	(void)state;
	assert_non_null(in);
	feed(in, 7, 1000, 1, true, true, "0:e:1:0");
	feed(in, 7, 2000, 2, true, true, "1:e:2:0");
	feed(in, 7, 3000, 3, true, true, "2:e:3:0");
	feed(in, 7, 4000, 3, false, true, "2:r:3:0");
	/* recursion: the innermost 2 is the one a return closes */
	feed(in, 7, 4500, 2, true, true, "2:e:2:0");
	feed(in, 7, 4600, 2, false, true, "2:r:2:0");
	/* another thread has its own depth and time */
	feed(in, 8, 5000, 1, true, true, "0:e:1:0");
	feed(in, 7, 6000, 2, false, true, "1:r:2:0");
	assert_int_equal(lden_indent__feed(in, 7, 9000, 1, false, true, l), 1);
	assert_int_equal(l[0].depth, 0);
	assert_int_equal(l[0].since_ns, 8000);
	assert_int_equal(lden_indent__open_calls(in), 1);	/* thread 8's */
	lden_indent__free(in);
}

static void test_indent_lost(void **state)
{
	struct lden_indent *in = lden_indent__new(16);

	(void)state;
	/* 2's and 3's returns lost: 1's return closes them, marked */
	feed(in, 7, 1, 1, true, true, "0:e:1:0");
	feed(in, 7, 2, 2, true, true, "1:e:2:0");
	feed(in, 7, 3, 3, true, true, "2:e:3:0");
	feed(in, 7, 4, 1, false, true, "2:r:3:1 1:r:2:1 0:r:1:0");
	/* a return whose entry was not seen: where it came, depth kept */
	feed(in, 7, 5, 4, false, true, "0:r:4:2");
	feed(in, 7, 6, 1, true, true, "0:e:1:0");
	feed(in, 7, 7, 5, false, true, "1:r:5:2");
	feed(in, 7, 8, 1, false, true, "0:r:1:0");
	assert_int_equal(lden_indent__open_calls(in), 0);
	lden_indent__free(in);
}

static void test_indent_syscalls(void **state)
{
	struct lden_indent *in = lden_indent__new(16);

	(void)state;
	/* system calls do not nest: an entry closes the call left open */
	feed(in, 7, 1, 1, true, false, "0:e:1:0");
	feed(in, 7, 2, 1, false, false, "0:r:1:0");
	feed(in, 7, 3, 2, true, false, "0:e:2:0");
	feed(in, 7, 4, 3, true, false, "0:r:2:1 0:e:3:0");
	feed(in, 7, 5, 3, false, false, "0:r:3:0");
	feed(in, 7, 6, 2, false, false, "0:r:2:2");
	lden_indent__free(in);
}

static void test_indent_reuse(void **state)
{
	struct lden_indent *in = lden_indent__new(1);
	struct lden_indent_line l[LDEN_INDENT_MAX + 1];

	(void)state;
	assert_int_equal(lden_indent__feed(in, 7, 100, 1, true, true, l), 1);
	assert_int_equal(l[0].since_ns, 0);
	assert_int_equal(lden_indent__feed(in, 7, 350, 2, true, true, l), 1);
	assert_int_equal(l[0].since_ns, 250);
	/* the table holds one thread: another is shown, flat, and said */
	assert_int_equal(lden_indent__feed(in, 9, 400, 2, false, true, l), -ENOSPC);
	assert_int_equal(l[0].depth, 0);
	assert_int_equal(l[0].mark, LDEN_INDENT_NO_ENTRY);
	/* thread 7 exits; a new thread 7 starts from its own first event */
	lden_indent__forget(in, 7);
	assert_int_equal(lden_indent__feed(in, 7, 1000, 1, true, true, l), 1);
	assert_int_equal(l[0].since_ns, 0);
	assert_int_equal(l[0].depth, 0);
	lden_indent__free(in);
}

static void test_indent_deep(void **state)
{
	struct lden_indent *in = lden_indent__new(4);
	struct lden_indent_line l[LDEN_INDENT_MAX + 1];
	int i;

	(void)state;
	for (i = 0; i < LDEN_INDENT_MAX + 3; i++) {
		assert_int_equal(lden_indent__feed(in, 7, (uint64_t)i, i, true,
						  true, l), 1);
		assert_int_equal(l[0].depth, i);
	}
	assert_int_equal(lden_indent__open_calls(in), LDEN_INDENT_MAX + 3);
	for (i = LDEN_INDENT_MAX + 2; i >= 0; i--) {
		assert_int_equal(lden_indent__feed(in, 7, 100, i, false, true, l), 1);
		assert_int_equal(l[0].depth, i);
		assert_int_equal(l[0].mark, LDEN_INDENT_OK);
	}
	assert_int_equal(lden_indent__open_calls(in), 0);
	lden_indent__free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_bad),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_indent_nesting),
		cmocka_unit_test(test_indent_lost),
		cmocka_unit_test(test_indent_syscalls),
		cmocka_unit_test(test_indent_reuse),
		cmocka_unit_test(test_indent_deep),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
