// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which method the string capture picks, on fake tracing directories:
 * syscall tracepoints whose format carries the path as a string (newer
 * kernels) are used as they are; today's, with the pointer alone, are
 * not; --strings exact where nothing can copy fails with a message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lden-trace.h"
#include "scope.h"
#include "strcap.h"

static const char format_pointer[] =
	"name: sys_enter_openat\n"
	"ID: 782\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n";

/* the same, with the string the kernel copied next to the pointer */
static const char format_string[] =
	"name: sys_enter_openat\n"
	"ID: 782\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n"
	"\tfield:__data_loc char[] __filename_val;\toffset:48;\tsize:4;\tsigned:0;\n";

struct fixture {
	char dir[64];
	struct ltr_session *s;
};

/* A tracing directory with events/ and that one format, nothing else. */
static struct fixture *fake(const char *format)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[256];
	FILE *fp;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/lden-strcap.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/events", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	strcat(path, "/syscalls");
	assert_int_equal(mkdir(path, 0755), 0);
	strcat(path, "/sys_enter_openat");
	assert_int_equal(mkdir(path, 0755), 0);
	strcat(path, "/format");
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(format, fp);
	fclose(fp);
	{
		struct ltr_session_opts o = { .tracing_dir = f->dir,
					      .no_sweep = true };

		f->s = ltr_session__new(&o);
	}
	assert_non_null(f->s);
	return f;
}

static void unfake(struct fixture *f)
{
	char cmd[128];

	ltr_session__free(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
}

static void test_tracepoint_with_string(void **state)
{
	struct fixture *f = fake(format_string);
	struct lden_strcap *c = lden_strcap__new(LDEN_STRCAP_OPEN);
	struct lden_scope_opts whole = { .npids = 0 };
	char err[256], how[512];

	(void)state;
	assert_int_equal(lden_strcap__plan(c, f->s, LDEN_STRINGS_AUTO, &whole,
					  "syscalls", "sys_enter_openat", err,
					  sizeof(err)), 0);
	assert_int_equal(lden_strcap__method(c), LDEN_STRCAP_TRACEPOINT);
	lden_strcap__describe(c, how, sizeof(how));
	/* no syscall_user_buf_size: the kernel's first default */
	assert_string_equal(how, "paths copied at the call by the syscall tracepoints, up to 63 bytes (longer ones are cut: marked partial, '...?')");
	lden_strcap__free(c);

	/* the limit tracefs says */
	{
		char path[128];
		FILE *fp;

		snprintf(path, sizeof(path), "%s/syscall_user_buf_size", f->dir);
		fp = fopen(path, "w");
		assert_non_null(fp);
		fputs("165\n", fp);
		fclose(fp);
	}
	c = lden_strcap__new(LDEN_STRCAP_OPEN);
	assert_int_equal(lden_strcap__plan(c, f->s, LDEN_STRINGS_AUTO, &whole,
					  "syscalls", "sys_enter_openat", err,
					  sizeof(err)), 0);
	lden_strcap__describe(c, how, sizeof(how));
	assert_non_null(strstr(how, "up to 165 bytes"));
	lden_strcap__free(c);
	unfake(f);
}

static void test_pointer_only(void **state)
{
	struct fixture *f = fake(format_pointer);
	struct lden_strcap *c = lden_strcap__new(LDEN_STRCAP_OPEN);
	struct lden_scope_opts whole = { .npids = 0 };
	char err[256] = "", how[512];

	(void)state;
	/* no kprobes, no uprobes, no string: late, and says why */
	assert_int_equal(lden_strcap__plan(c, f->s, LDEN_STRINGS_AUTO, &whole,
					  "syscalls", "sys_enter_openat", err,
					  sizeof(err)), 0);
	assert_int_equal(lden_strcap__method(c), LDEN_STRCAP_LATE);
	lden_strcap__describe(c, how, sizeof(how));
	assert_non_null(strstr(how, "read from the process when the record arrives, marked '?'"));
	assert_non_null(strstr(how, "no kprobes"));
	lden_strcap__free(c);

	/* --strings exact cannot be had here: an error that says why */
	c = lden_strcap__new(LDEN_STRCAP_OPEN);
	assert_int_equal(lden_strcap__plan(c, f->s, LDEN_STRINGS_EXACT, &whole,
					  "syscalls", "sys_enter_openat", err,
					  sizeof(err)), -1);
	assert_non_null(strstr(err, "--strings exact: this kernel cannot copy them at the call"));
	lden_strcap__free(c);
	unfake(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracepoint_with_string),
		cmocka_unit_test(test_pointer_only),
	};

	/* the environment must not force a method */
	unsetenv("LDEN_TEST_STRINGS_VIA");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
