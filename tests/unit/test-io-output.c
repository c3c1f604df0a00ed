// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden io's per-call output: a call whose process could not be told (the
 * ftrace ring after a loss, LTR_SAMPLE_NO_TGID) shows the thread's id as
 * its pid, marked: '?' after it in the table, "pid_exact":false in JSON;
 * a call whose process is known is not marked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "io-output.h"
#include "io-syscalls.h"
#include "io-trace.h"

/* A write of 100 bytes to fd 50 by thread 4321, pid 1234 or not known. */
static void make_event(struct lden_io_event *ev, bool unknown)
{
	const struct lden_io_syscall *table;
	int n;

	memset(ev, 0, sizeof(*ev));
	table = lden_io_syscalls(&n);
	for (int i = 0; i < n; i++)
		if (!strcmp(table[i].name, "write"))
			ev->sys = &table[i];
	assert_non_null(ev->sys);
	ev->enter_ns = 2000000000ULL;
	ev->latency_ns = 1000;
	ev->pid = unknown ? 4321 : 1234;
	ev->pid_unknown = unknown;
	ev->tid = 4321;
	ev->comm = "worker";
	ev->comm_prov = LDEN_PROV_EXACT;
	ev->fd = 50;
	ev->newfd = -1;
	ev->path = "/tmp/fileB";
	ev->path_prov = LDEN_PROV_EXACT;
	ev->ret = 100;
	ev->bytes_written = 100;
}

/* What @print writes for @ev, malloc'd. */
static char *printed(void (*print)(FILE *, const struct lden_io_event *,
				   uint64_t, unsigned int),
		     const struct lden_io_event *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	print(f, ev, 1000000000ULL, 0);
	fclose(f);
	return buf;
}

static void test_json(void **state)
{
	struct lden_io_event ev;
	char *s;

	make_event(&ev, true);
	s = printed(lden_io_print_json, &ev);
	assert_non_null(strstr(s, "\"pid\":4321,\"pid_exact\":false,\"tid\":4321"));
	free(s);
	make_event(&ev, false);
	s = printed(lden_io_print_json, &ev);
	assert_non_null(strstr(s, "\"pid\":1234,\"tid\":4321"));
	assert_null(strstr(s, "pid_exact"));
	free(s);
}

static void test_line(void **state)
{
	struct lden_io_event ev;
	char *s;

	make_event(&ev, true);
	s = printed(lden_io_print_line, &ev);
	assert_non_null(strstr(s, " worker            4321?    4321 write"));
	free(s);
	make_event(&ev, false);
	s = printed(lden_io_print_line, &ev);
	assert_non_null(strstr(s, " worker             1234    4321 write"));
	assert_null(strchr(s, '?'));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
