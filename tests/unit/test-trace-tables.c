// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tables under lden trace and lden top, on canned input: kallsyms
 * lookups by address (function+offset, modules, before the first symbol,
 * no addresses), print-format symbols (the kernel's kfree_skb and
 * inet_sock_set_state formats), the time-ordering buffer (order, ties,
 * the watermark, the ceiling), and the tally (sums, sort, "(other)"),
 * with --by pid's processes shown apart.
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
#include <unistd.h>

#include "kallsyms.h"
#include "lden-trace.h"
#include "sample-order.h"
#include "symbolic.h"
#include "recipe.h"
#include "tally.h"
#include "tally-view.h"

static const char kallsyms_text[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff81000100 t helper_a\n"
	"ffffffff81000200 D some_data\n"
	"ffffffff81000300 T kfree_skb_reason\n"
	"ffffffff81000400 T __udp4_lib_rcv\n"
	"ffffffffc0001000 t mod_fn\t[nf_tables]\n";

static char *write_tmp(const char *text)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/lden-test-ksyms-%d", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_kallsyms(void **state)
{
	char *path = write_tmp(kallsyms_text);
	struct lden_kallsyms *k = lden_kallsyms__load(path);
	char buf[128];

	(void)state;
	unlink(path);
	assert_non_null(k);
	assert_int_equal(lden_kallsyms__count(k), 5);	/* no data symbol */
	assert_true(lden_kallsyms__has(k, "__udp4_lib_rcv"));
	assert_false(lden_kallsyms__has(k, "some_data"));
	assert_int_equal(lden_kallsyms__addr_name(k, 0xffffffff810004bcull, buf,
						 sizeof(buf)), 0);
	assert_string_equal(buf, "__udp4_lib_rcv+0xbc");
	assert_int_equal(lden_kallsyms__addr_name(k, 0xffffffff81000300ull, buf,
						 sizeof(buf)), 0);
	assert_string_equal(buf, "kfree_skb_reason+0x0");
	/* the data symbol is not a function: its address is helper_a's */
	lden_kallsyms__addr_name(k, 0xffffffff81000210ull, buf, sizeof(buf));
	assert_string_equal(buf, "helper_a+0x110");
	lden_kallsyms__addr_name(k, 0xffffffffc0001010ull, buf, sizeof(buf));
	assert_string_equal(buf, "mod_fn+0x10 [nf_tables]");
	assert_int_equal(lden_kallsyms__addr_name(k, 0x1000, buf, sizeof(buf)),
			 -ENOENT);
	lden_kallsyms__free(k);

	/* as non-root: every address is zero */
	path = write_tmp("0000000000000000 T a\n0000000000000000 T b\n");
	k = lden_kallsyms__load(path);
	unlink(path);
	assert_non_null(k);
	assert_true(lden_kallsyms__has(k, "b"));
	assert_int_equal(lden_kallsyms__addr_name(k, 0xffffffff81000000ull, buf,
						 sizeof(buf)), -EPERM);
	lden_kallsyms__free(k);
	assert_null(lden_kallsyms__load("/nonexistent/kallsyms"));
	assert_int_equal(errno, ENOENT);
}

static const char skb_format[] =
	"name: kfree_skb\nID: 2310\nformat:\n"
	"\tfield:enum skb_drop_reason reason;\toffset:36;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"skbaddr=%p location=%pS reason: %s\", REC->skbaddr, REC->location, "
	"__print_symbolic(REC->reason, { 1, \"NOT_DROPPED_YET\" }, { 2, \"NOT_SPECIFIED\" }, "
	"{ 3, \"NO_SOCKET\" }, { 0x10, \"HEX\" })\n";

static const char state_format[] =
	"print fmt: \"family=%s oldstate=%s newstate=%s\", "
	"__print_symbolic(REC->family, { 2, \"AF_INET\" }, { 10, \"AF_INET6\" }), "
	"__print_symbolic(REC->oldstate, { 1, \"TCP_ESTABLISHED\" }, { 3, \"TCP_SYN_RECV\" }), "
	"__print_symbolic(REC->newstate, { 1, \"TCP_ESTABLISHED\" }, { 10, \"TCP_LISTEN\" })\n";

static void test_symbolic(void **state)
{
	struct lden_symbolic *t = lden_symbolic__parse(skb_format, "reason");
	int64_t v;

	(void)state;
	assert_non_null(t);
	assert_string_equal(lden_symbolic__name(t, 3), "NO_SOCKET");
	assert_string_equal(lden_symbolic__name(t, 16), "HEX");
	assert_null(lden_symbolic__name(t, 4));
	assert_int_equal(lden_symbolic__value(t, "NOT_DROPPED_YET", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(lden_symbolic__value(t, "NOPE", &v), -ENOENT);
	lden_symbolic__free(t);

	/* each field gets its own table */
	t = lden_symbolic__parse(state_format, "newstate");
	assert_non_null(t);
	assert_string_equal(lden_symbolic__name(t, 10), "TCP_LISTEN");
	assert_null(lden_symbolic__name(t, 3));
	lden_symbolic__free(t);
	t = lden_symbolic__parse(state_format, "oldstate");
	assert_string_equal(lden_symbolic__name(t, 3), "TCP_SYN_RECV");
	lden_symbolic__free(t);

	assert_null(lden_symbolic__parse(state_format, "protocol"));
	assert_int_equal(errno, ENOENT);
	assert_null(lden_symbolic__parse("print fmt: \"%d\", __print_symbolic(REC->x, { 1, ", "x"));
	assert_null(lden_symbolic__parse("no print format", "reason"));
	lden_symbolic__free(NULL);
}

struct seen {
	struct lden_sorder *o;
	uint64_t time[16];
	char extra[16][8];
	int n;
};

static int collect(const struct ltr_sample *s, void *ctx)
{
	struct seen *seen = ctx;
	size_t len;
	const char *extra = lden_sorder__extra(seen->o, &len);

	seen->time[seen->n] = s->time;
	snprintf(seen->extra[seen->n], sizeof(seen->extra[0]), "%s",
		 extra ? extra : "-");
	seen->n++;
	return 0;
}

/* extra as lden trace adds it: the string and its NUL, or none */
static int add(struct lden_sorder *o, const struct ltr_sample *s,
	       const char *extra)
{
	return lden_sorder__add_extra(o, s, extra, extra ? strlen(extra) + 1 : 0);
}

static void test_order(void **state)
{
	struct lden_sorder *o = lden_sorder__new(1024, 65536);
	struct ltr_sample s = { 0 };
	uint32_t raw = 0xabcd;
	struct seen seen = { .o = o };
	/* CPU 0's ring then CPU 1's: an exit at 30 before its enter at 20 */
	const uint64_t times[] = { 10, 30, 50, 20, 40, 30 };
	const char *extras[] = { "a", "b", "c", "d", "e", "f" };

	(void)state;
	assert_non_null(o);
	s.raw = &raw;
	s.raw_size = sizeof(raw);
	for (int i = 0; i < 6; i++) {
		s.time = times[i];
		assert_int_equal(add(o, &s, extras[i]), 0);
	}
	raw = 0;	/* the buffer holds copies */
	/* up to 45: 10 20 30 30 40, ties in arrival order; 50 stays */
	assert_int_equal(lden_sorder__flush(o, 45, collect, &seen), 5);
	assert_int_equal(lden_sorder__held(o), 1);
	assert_int_equal(seen.time[0], 10);
	assert_int_equal(seen.time[1], 20);
	assert_string_equal(seen.extra[1], "d");
	assert_string_equal(seen.extra[2], "b");
	assert_string_equal(seen.extra[3], "f");
	assert_int_equal(seen.time[4], 40);
	s.time = 45;
	add(o, &s, NULL);
	assert_int_equal(lden_sorder__flush(o, UINT64_MAX, collect, &seen), 2);
	assert_int_equal(seen.time[5], 45);
	assert_string_equal(seen.extra[5], "-");
	assert_int_equal(seen.time[6], 50);
	assert_int_equal(lden_sorder__held(o), 0);
	lden_sorder__free(o);
}

/* Full at max_records, or at max_bytes, whichever comes first. */
static void test_order_ceiling(void **state)
{
	struct lden_sorder *o = lden_sorder__new(262144, 64u << 20);
	struct ltr_sample s = { 0 };
	char raw[8] = { 0 };
	int i, rc = 0;

	(void)state;
	assert_non_null(o);
	s.raw = raw;
	s.raw_size = sizeof(raw);
	for (i = 0; i < 300000 && rc == 0; i++) {
		s.time = (uint64_t)i;
		rc = add(o, &s, NULL);
	}
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(lden_sorder__held(o), 262144);
	lden_sorder__free(o);
	/* 8 raw bytes and "comm" (5 bytes) take 16: 1024 fill 16 KiB */
	o = lden_sorder__new(262144, 16384);
	assert_non_null(o);
	for (i = 0, rc = 0; i < 2000 && rc == 0; i++)
		rc = add(o, &s, "comm");
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(lden_sorder__held(o), 1024);
	lden_sorder__free(o);
}

static void test_tally(void **state)
{
	struct lden_tally *t = lden_tally__new(3);
	const struct lden_tally_row *rows;
	uint64_t one[LDEN_TALLY_VALUES] = { 1, 100 };
	uint64_t big[LDEN_TALLY_VALUES] = { 1, 5000 };

	(void)state;
	assert_non_null(t);
	for (int i = 0; i < 5; i++)
		lden_tally__add(t, "b", one);
	lden_tally__add(t, "a", big);
	lden_tally__add(t, "c", one);
	lden_tally__add(t, "c", one);
	/* past 3 keys: summed under "(other)" */
	lden_tally__add(t, "d", one);
	lden_tally__add(t, "e", one);
	assert_int_equal(lden_tally__sorted(t, 0, &rows), 4);
	assert_string_equal(rows[0].key, "b");
	assert_int_equal(rows[0].v[0], 5);
	assert_int_equal(rows[0].v[1], 500);
	assert_string_equal(rows[1].key, "(other)");	/* 2, before "c" */
	assert_int_equal(rows[1].v[0], 2);
	assert_string_equal(rows[2].key, "c");
	assert_string_equal(rows[3].key, "a");
	/* by the second column; still found by key after the sort */
	lden_tally__add(t, "c", one);
	assert_int_equal(lden_tally__sorted(t, 1, &rows), 4);
	assert_string_equal(rows[0].key, "a");
	assert_string_equal(rows[2].key, "c");	/* 300 */
	assert_int_equal(rows[2].v[0], 3);
	assert_string_equal(rows[3].key, "(other)");	/* 200 */
	lden_tally__reset(t);
	assert_int_equal(lden_tally__sorted(t, 0, &rows), 0);
	lden_tally__free(t);
}

/* Processes seen start: pid 42 three times, pid 7 never. */
static uint64_t latest(void *ctx, unsigned long pid)
{
	(void)ctx;
	return pid == 42 ? 3 : 0;
}

/* A row "e PID COUNT" of the text table, the PID column 12 wide. */
static void row(const char *text, const char *pid, int count)
{
	char line[80];

	snprintf(line, sizeof(line), "\n%-5s %-12s %12d \n", "e", pid, count);
	assert_non_null(strstr(text, line));
}

/*
 * --by pid's keys (tally-view.h's proc_keys): the latest process with a
 * pid plain, the earlier ones "(exited)", "(exited-K)", an unsure one
 * '?'; in JSON the pid as before and which process it was
 */
static void test_tally_procs(void **state)
{
	struct lden_tally *t = lden_tally__new(100);
	uint64_t v[LDEN_TALLY_VALUES] = { 1 };
	struct lden_tally_view view = {
		.columns = "EVENT PID COUNT", .nkeys = 2, .nvalues = 1,
		.escaped_keys = 1u << 1, .proc_keys = 1u << 1,
		.latest = latest, .own_key = "(all, counted: guard)",
	};
	char *text = NULL;
	size_t len;
	FILE *f;

	(void)state;
	assert_non_null(t);
	for (int i = 0; i < 4; i++)
		lden_tally__add(t, "e" LDEN_SEP "42.3", v);
	for (int i = 0; i < 3; i++)
		lden_tally__add(t, "e" LDEN_SEP "42.2", v);
	for (int i = 0; i < 2; i++)
		lden_tally__add(t, "e" LDEN_SEP "42.1", v);
	lden_tally__add(t, "e" LDEN_SEP "7?", v);
	lden_tally__add(t, "e" LDEN_SEP "(other)", v);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	lden_tally__print(f, t, &view, "12:00:00", 0);
	fclose(f);
	/* the columns as wide as their widest: "42(exited-2)" */
	row(text, "42", 4);
	row(text, "42(exited)", 3);
	row(text, "42(exited-2)", 2);
	row(text, "7?", 1);
	row(text, "(other)", 1);
	free(text);
	view.json = true;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	lden_tally__print(f, t, &view, "12:00:00", 0);
	fclose(f);
	assert_non_null(strstr(text, "{\"event\":\"e\",\"pid\":\"42\",\"pid_process\":3,\"pid_exited\":false,\"pid_source\":\"exact\",\"count\":4}"));
	assert_non_null(strstr(text, "{\"event\":\"e\",\"pid\":\"42\",\"pid_process\":1,\"pid_exited\":true,\"pid_source\":\"exact\",\"count\":2}"));
	assert_non_null(strstr(text, "{\"event\":\"e\",\"pid\":\"7\",\"pid_process\":0,\"pid_exited\":false,\"pid_source\":\"unsure\",\"count\":1}"));
	assert_non_null(strstr(text, "{\"event\":\"e\",\"pid\":\"(other)\",\"count\":1}"));
	free(text);
	lden_tally__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kallsyms),
		cmocka_unit_test(test_symbolic),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_order_ceiling),
		cmocka_unit_test(test_tally),
		cmocka_unit_test(test_tally_procs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
