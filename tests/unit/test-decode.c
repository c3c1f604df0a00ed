// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Field decoding against canned format text (copied from
 * /sys/kernel/tracing/events/.../format on Linux 6.18) and raw records
 * built by hand.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <event-parse.h>

#include "internal.h"

#define COMMON_FIELDS \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n" \
	"\n"

static const char fmt_exec[] =
	"name: sched_process_exec\n"
	"ID: 365\n"
	"format:\n"
	COMMON_FIELDS
	"\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"filename=%s pid=%d old_pid=%d\", __get_str(filename), "
	"REC->pid, REC->old_pid\n";

static const char fmt_exit[] =
	"name: sched_process_exit\n"
	"ID: 369\n"
	"format:\n"
	COMMON_FIELDS
	"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:bool group_dead;\toffset:32;\tsize:1;\tsigned:0;\n"
	"\n"
	"print fmt: \"comm=%s pid=%d prio=%d group_dead=%s\", REC->comm, "
	"REC->pid, REC->prio, REC->group_dead ? \"true\" : \"false\"\n";

static const char fmt_enter_openat[] =
	"name: sys_enter_openat\n"
	"ID: 782\n"
	"format:\n"
	COMMON_FIELDS
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"dfd: 0x%08lx, filename: 0x%08lx, flags: 0x%08lx, "
	"mode: 0x%08lx\", ((unsigned long)(REC->dfd)), "
	"((unsigned long)(REC->filename)), ((unsigned long)(REC->flags)), "
	"((unsigned long)(REC->mode))\n";

static const char fmt_exit_openat[] =
	"name: sys_exit_openat\n"
	"ID: 781\n"
	"format:\n"
	COMMON_FIELDS
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n"
	"\n"
	"print fmt: \"0x%lx\", REC->ret\n";

static const char fmt_enter_lseek[] =
	"name: sys_enter_lseek\n"
	"ID: 735\n"
	"format:\n"
	COMMON_FIELDS
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:unsigned int fd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:off_t offset;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int whence;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"fd: 0x%08lx, offset: 0x%08lx, whence: 0x%08lx\", "
	"((unsigned long)(REC->fd)), ((unsigned long)(REC->offset)), "
	"((unsigned long)(REC->whence))\n";

/* The real print fmt is 5 KiB of __print_flags; the fields are verbatim. */
static const char fmt_kmalloc[] =
	"name: kmalloc\n"
	"ID: 658\n"
	"format:\n"
	COMMON_FIELDS
	"\tfield:unsigned long call_site;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:const void * ptr;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:size_t bytes_req;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:size_t bytes_alloc;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long gfp_flags;\toffset:40;\tsize:8;\tsigned:0;\n"
	"\tfield:int node;\toffset:48;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu "
	"gfp_flags=0x%lx node=%d\", (void *)REC->call_site, REC->ptr, "
	"REC->bytes_req, REC->bytes_alloc, REC->gfp_flags, REC->node\n";

/* Hand-written: no tracepoint on this kernel has all of these. */
static const char fmt_rel[] =
	"name: lden_rel\n"
	"ID: 9001\n"
	"format:\n"
	COMMON_FIELDS
	"\tfield:s8 small;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield:u8 byte;\toffset:9;\tsize:1;\tsigned:0;\n"
	"\tfield:s16 medium;\toffset:10;\tsize:2;\tsigned:1;\n"
	"\tfield:__rel_loc char[] msg;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc unsigned long[] stack;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:u8 addr[4];\toffset:20;\tsize:4;\tsigned:0;\n"
	"\tfield:s64 big;\toffset:24;\tsize:8;\tsigned:1;\n"
	"\n"
	"print fmt: \"small=%d medium=%d\", REC->small, REC->medium\n";

static const struct {
	const char *sys;
	const char *name;
	const char *text;
	size_t len;
} formats[] = {
	{ "sched", "sched_process_exec", fmt_exec, sizeof(fmt_exec) - 1 },
	{ "sched", "sched_process_exit", fmt_exit, sizeof(fmt_exit) - 1 },
	{ "syscalls", "sys_enter_openat", fmt_enter_openat,
	  sizeof(fmt_enter_openat) - 1 },
	{ "syscalls", "sys_enter_lseek", fmt_enter_lseek,
	  sizeof(fmt_enter_lseek) - 1 },
	{ "syscalls", "sys_exit_openat", fmt_exit_openat,
	  sizeof(fmt_exit_openat) - 1 },
	{ "kmem", "kmalloc", fmt_kmalloc, sizeof(fmt_kmalloc) - 1 },
	{ "lden_test", "lden_rel", fmt_rel, sizeof(fmt_rel) - 1 },
};

static int group_setup(void **state)
{
	struct tep_handle *tep;
	size_t i;

	tep_set_loglevel(TEP_LOG_NONE);
	ltr_set_print(NULL);
	tep = tep_alloc();
	if (!tep)
		return -1;
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (tep_parse_event(tep, formats[i].text, formats[i].len,
				    formats[i].sys)) {
			fprintf(stderr, "cannot parse %s/%s\n",
				formats[i].sys, formats[i].name);
			tep_free(tep);
			return -1;
		}
	}
	*state = tep;
	return 0;
}

static int group_teardown(void **state)
{
	tep_free(*state);
	return 0;
}

/* Resolves "event.field" (common fields too) of the parsed formats. */
static void get_field(void **state, const char *name, struct ltr_field *f)
{
	struct tep_handle *tep = *state;
	struct tep_format_field *tf;
	struct tep_event *ev = NULL;
	char buf[128];
	char *dot;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", name);
	dot = strchr(buf, '.');
	assert_non_null(dot);
	*dot = '\0';
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(formats[i].name, buf))
			ev = tep_find_event_by_name(tep, formats[i].sys, buf);
	assert_non_null(ev);
	tf = tep_find_any_field(ev, dot + 1);
	assert_non_null(tf);
	assert_int_equal(ltr_field_init(f, tf), 0);
	assert_string_equal(f->name, dot + 1);
}

static void put(unsigned char *rec, size_t off, uint64_t v, size_t size)
{
	switch (size) {
	case 1: {
		uint8_t x = v;

		memcpy(rec + off, &x, 1);
		break;
	}
	case 2: {
		uint16_t x = v;

		memcpy(rec + off, &x, 2);
		break;
	}
	case 4: {
		uint32_t x = v;

		memcpy(rec + off, &x, 4);
		break;
	}
	default:
		memcpy(rec + off, &v, 8);
		break;
	}
}

/* ------------------------------------------------------------------ */

static const struct shape_case {
	const char *field;
	enum ltr_field_kind kind;
	uint32_t offset;
	uint32_t size;
	uint32_t value_size;
	bool is_signed;
} shape_cases[] = {
	{ "sched_process_exec.common_type", LTR_FIELD_NUMBER, 0, 2, 2, false },
	{ "sched_process_exec.common_pid", LTR_FIELD_NUMBER, 4, 4, 4, true },
	{ "sched_process_exec.filename", LTR_FIELD_STR_DYN, 8, 4, 4, false },
	{ "sched_process_exec.pid", LTR_FIELD_NUMBER, 12, 4, 4, true },
	{ "sched_process_exit.comm", LTR_FIELD_STR_FIXED, 8, 16, 16, false },
	{ "sched_process_exit.group_dead", LTR_FIELD_NUMBER, 32, 1, 1, false },
	{ "sys_enter_openat.__syscall_nr", LTR_FIELD_NUMBER, 8, 4, 4, true },
	/* syscall slots: width and sign from the C type, not the slot */
	{ "sys_enter_openat.dfd", LTR_FIELD_NUMBER, 16, 8, 4, true },
	{ "sys_enter_openat.filename", LTR_FIELD_NUMBER, 24, 8, 8, false },
	{ "sys_enter_openat.flags", LTR_FIELD_NUMBER, 32, 8, 4, true },
	{ "sys_enter_openat.mode", LTR_FIELD_NUMBER, 40, 8, 2, false },
	{ "sys_exit_openat.ret", LTR_FIELD_NUMBER, 16, 8, 8, true },
	/* an 8-byte signed type in its slot: signed, which the format
	 * does not say */
	{ "sys_enter_lseek.offset", LTR_FIELD_NUMBER, 24, 8, 8, true },
	{ "sys_enter_lseek.fd", LTR_FIELD_NUMBER, 16, 8, 4, false },
	{ "kmalloc.call_site", LTR_FIELD_NUMBER, 8, 8, 8, false },
	{ "kmalloc.bytes_req", LTR_FIELD_NUMBER, 24, 8, 8, false },
	{ "kmalloc.node", LTR_FIELD_NUMBER, 48, 4, 4, true },
	{ "lden_rel.small", LTR_FIELD_NUMBER, 8, 1, 1, true },
	{ "lden_rel.byte", LTR_FIELD_NUMBER, 9, 1, 1, false },
	{ "lden_rel.medium", LTR_FIELD_NUMBER, 10, 2, 2, true },
	{ "lden_rel.msg", LTR_FIELD_STR_REL, 12, 4, 4, false },
	/* a dynamic array of numbers, and bytes that are not text */
	{ "lden_rel.stack", LTR_FIELD_OTHER, 16, 4, 4, false },
	{ "lden_rel.addr", LTR_FIELD_OTHER, 20, 4, 4, false },
	{ "lden_rel.big", LTR_FIELD_NUMBER, 24, 8, 8, true },
};

static void test_field_shape(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(shape_cases) / sizeof(shape_cases[0]); i++) {
		const struct shape_case *c = &shape_cases[i];
		struct ltr_field f;

		get_field(state, c->field, &f);
		if (f.kind != c->kind || f.offset != c->offset ||
		    f.size != c->size || f.value_size != c->value_size ||
		    f.is_signed != c->is_signed)
			fail_msg("%s: kind %d offset %u size %u value_size %u signed %d",
				 c->field, f.kind, f.offset, f.size,
				 f.value_size, f.is_signed);
		assert_int_equal(ltr_field__is_string(&f),
				 c->kind == LTR_FIELD_STR_FIXED ||
				 c->kind == LTR_FIELD_STR_DYN ||
				 c->kind == LTR_FIELD_STR_REL);
		ltr_field_fini(&f);
		assert_null(f.name);
	}
}

/* ------------------------------------------------------------------ */

static const struct num_case {
	const char *field;
	unsigned int store_size;	/* bytes written at the field offset */
	uint64_t stored;
	uint64_t want_u64;
	int64_t want_s64;
} num_cases[] = {
	{ "sched_process_exec.pid", 4, 4242, 4242, 4242 },
	{ "sched_process_exec.pid", 4, 0xffffffff, UINT64_MAX, -1 },
	{ "sched_process_exec.old_pid", 4, 0x7fffffff, 0x7fffffff,
	  0x7fffffff },
	{ "sched_process_exec.old_pid", 4, 0x80000000,
	  0xffffffff80000000ull, INT32_MIN },
	{ "sched_process_exec.common_type", 2, 0xfffe, 0xfffe, 0xfffe },
	{ "sched_process_exec.common_flags", 1, 0x81, 0x81, 0x81 },
	{ "sched_process_exec.common_pid", 4, (uint32_t)-7, (uint64_t)-7,
	  -7 },
	{ "sched_process_exit.prio", 4, 120, 120, 120 },
	{ "sched_process_exit.group_dead", 1, 1, 1, 1 },
	{ "sys_enter_openat.__syscall_nr", 4, 257, 257, 257 },
	/* AT_FDCWD, as a zero-extended and as a sign-extended register */
	{ "sys_enter_openat.dfd", 8, 0x00000000ffffff9cull, (uint64_t)-100,
	  -100 },
	{ "sys_enter_openat.dfd", 8, 0xffffffffffffff9cull, (uint64_t)-100,
	  -100 },
	{ "sys_enter_openat.dfd", 8, 0x00000000fffffffeull, (uint64_t)-2,
	  -2 },
	{ "sys_enter_openat.dfd", 8, 3, 3, 3 },
	/* lseek(fd, -60, SEEK_END): -60, not 18446744073709551556 */
	{ "sys_enter_lseek.offset", 8, (uint64_t)-60, (uint64_t)-60, -60 },
	/* bits above the C type are not part of the value */
	{ "sys_enter_openat.flags", 8, 0xdead000000080241ull, 0x80241,
	  0x80241 },
	{ "sys_enter_openat.mode", 8, 0xffffffff000001a4ull, 0644, 0644 },
	{ "sys_enter_openat.filename", 8, 0x00007ffd12345678ull,
	  0x00007ffd12345678ull, 0x00007ffd12345678ll },
	{ "sys_exit_openat.ret", 8, 3, 3, 3 },
	{ "sys_exit_openat.ret", 8, (uint64_t)-2, (uint64_t)-2, -2 },
	{ "sys_exit_openat.ret", 8, 0x8000000000000000ull,
	  0x8000000000000000ull, INT64_MIN },
	{ "kmalloc.bytes_req", 8, 4000, 4000, 4000 },
	{ "kmalloc.bytes_req", 8, UINT64_MAX, UINT64_MAX, -1 },
	{ "kmalloc.call_site", 8, 0xffffffff81234567ull,
	  0xffffffff81234567ull, (int64_t)0xffffffff81234567ull },
	{ "kmalloc.node", 4, 0xffffffff, UINT64_MAX, -1 },
	{ "kmalloc.node", 4, 1, 1, 1 },
	{ "lden_rel.small", 1, 0x80, 0xffffffffffffff80ull, -128 },
	{ "lden_rel.small", 1, 0x7f, 127, 127 },
	{ "lden_rel.small", 1, 0xff, UINT64_MAX, -1 },
	{ "lden_rel.byte", 1, 0xff, 255, 255 },
	{ "lden_rel.medium", 2, 0xfffe, (uint64_t)-2, -2 },
	{ "lden_rel.medium", 2, 0x7fff, 0x7fff, 0x7fff },
	{ "lden_rel.medium", 2, 0x8000, (uint64_t)-32768, -32768 },
	{ "lden_rel.big", 8, (uint64_t)INT64_MIN + 1, (uint64_t)INT64_MIN + 1,
	  INT64_MIN + 1 },
};

static void test_numbers(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(num_cases) / sizeof(num_cases[0]); i++) {
		const struct num_case *c = &num_cases[i];
		/* 0x5a everywhere else, so stray reads show */
		unsigned char rec[64];
		struct ltr_field f;
		uint64_t u = 0;
		int64_t s = 0;

		memset(rec, 0x5a, sizeof(rec));
		get_field(state, c->field, &f);
		put(rec, f.offset, c->stored, c->store_size);
		assert_int_equal(ltr_decode_u64(&f, rec, f.offset + f.size,
						&u), 0);
		assert_int_equal(ltr_decode_s64(&f, rec, f.offset + f.size,
						&s), 0);
		if (u != c->want_u64 || s != c->want_s64)
			fail_msg("%s = %#llx: u64 %#llx (want %#llx), s64 %lld (want %lld)",
				 c->field, (unsigned long long)c->stored,
				 (unsigned long long)u,
				 (unsigned long long)c->want_u64,
				 (long long)s, (long long)c->want_s64);
		ltr_field_fini(&f);
	}
}

/* ------------------------------------------------------------------ */

static const struct str_case {
	const char *desc;
	const char *field;
	/* bytes placed at @data_at; a NUL is not added */
	const char *data;
	size_t data_len;
	size_t data_at;
	/* __data_loc / __rel_loc word: length (with NUL) << 16 | offset */
	uint32_t loc;
	size_t raw_size;
	const char *want;
	size_t want_len;
} str_cases[] = {
	{ "comm", "sched_process_exit.comm", "bash", 5, 8, 0, 40,
	  "bash", 4 },
	{ "comm of 16 chars, no NUL", "sched_process_exit.comm",
	  "0123456789abcdef", 16, 8, 0, 40, "0123456789abcdef", 16 },
	{ "empty comm", "sched_process_exit.comm", "", 1, 8, 0, 40, "", 0 },
	{ "comm at the end of the record", "sched_process_exit.comm",
	  "0123456789abcdef", 16, 8, 0, 24, "0123456789abcdef", 16 },
	{ "data_loc", "sched_process_exec.filename", "/usr/bin/true", 14,
	  20, 14 << 16 | 20, 40, "/usr/bin/true", 13 },
	{ "data_loc ending the record", "sched_process_exec.filename",
	  "/bin/sh", 8, 20, 8 << 16 | 20, 28, "/bin/sh", 7 },
	{ "data_loc with only the NUL", "sched_process_exec.filename",
	  "", 1, 20, 1 << 16 | 20, 40, "", 0 },
	{ "data_loc of length 0", "sched_process_exec.filename",
	  "xyz", 3, 20, 0 << 16 | 20, 40, "", 0 },
	{ "data_loc of length 0 at the end", "sched_process_exec.filename",
	  "", 0, 0, 0 << 16 | 24, 24, "", 0 },
	{ "data_loc, NUL before its length", "sched_process_exec.filename",
	  "abc\0xyz", 8, 20, 8 << 16 | 20, 40, "abc", 3 },
	{ "data_loc without NUL", "sched_process_exec.filename",
	  "hello", 5, 20, 5 << 16 | 20, 40, "hello", 5 },
	/* the offset counts from the end of the field (12 + 4) */
	{ "rel_loc", "lden_rel.msg", "hello", 6, 32, 6 << 16 | 16, 48,
	  "hello", 5 },
	{ "rel_loc at offset 0", "lden_rel.msg", "hi", 3, 16, 3 << 16 | 0,
	  48, "hi", 2 },
	{ "empty rel_loc", "lden_rel.msg", "", 1, 40, 1 << 16 | 24, 48,
	  "", 0 },
};

static void test_strings(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(str_cases) / sizeof(str_cases[0]); i++) {
		const struct str_case *c = &str_cases[i];
		unsigned char rec[128];
		struct ltr_field f;
		const char *str = NULL;
		size_t len = 12345;
		int ret;

		memset(rec, 0x5a, sizeof(rec));
		get_field(state, c->field, &f);
		if (f.kind != LTR_FIELD_STR_FIXED)
			put(rec, f.offset, c->loc, 4);
		memcpy(rec + c->data_at, c->data, c->data_len);
		ret = ltr_decode_str(&f, rec, c->raw_size, &str, &len);
		if (ret || len != c->want_len)
			fail_msg("%s: ret %d len %zu (want %zu)", c->desc, ret,
				 len, c->want_len);
		assert_true(str >= (const char *)rec &&
			    str + len <= (const char *)rec + c->raw_size);
		assert_memory_equal(str, c->want, len);
		ltr_field_fini(&f);
	}
}

/* ------------------------------------------------------------------ */

enum op { OP_U64, OP_S64, OP_STR };

static const struct err_case {
	const char *desc;
	const char *field;
	enum op op;
	uint32_t loc;
	size_t raw_size;
	int want;
} err_cases[] = {
	{ "number cut by one byte", "sched_process_exec.pid", OP_U64, 0,
	  15, -ERANGE },
	{ "signed number cut", "sched_process_exec.pid", OP_S64, 0, 12,
	  -ERANGE },
	/* the value is in the first 4 bytes, but the slot is 8 */
	{ "syscall slot cut", "sys_enter_openat.dfd", OP_S64, 0, 23,
	  -ERANGE },
	{ "empty record", "sched_process_exec.common_type", OP_U64, 0, 0,
	  -ERANGE },
	{ "comm cut", "sched_process_exit.comm", OP_STR, 0, 23, -ERANGE },
	{ "data_loc word cut", "sched_process_exec.filename", OP_STR,
	  0, 10, -ERANGE },
	{ "data_loc past the end", "sched_process_exec.filename", OP_STR,
	  14 << 16 | 20, 30, -ERANGE },
	{ "data_loc one past the end", "sched_process_exec.filename",
	  OP_STR, 11 << 16 | 20, 30, -ERANGE },
	{ "data_loc offset past the end", "sched_process_exec.filename",
	  OP_STR, 0 << 16 | 0xffff, 64, -ERANGE },
	{ "data_loc all ones", "sched_process_exec.filename", OP_STR,
	  0xffffffff, 64, -ERANGE },
	{ "rel_loc past the end", "lden_rel.msg", OP_STR, 40 << 16 | 16,
	  48, -ERANGE },
	/* 30 is inside the record, but only as an absolute offset */
	{ "rel_loc taken as absolute", "lden_rel.msg", OP_STR, 8 << 16 | 30,
	  48, -ERANGE },
	{ "u64 of a string", "sched_process_exit.comm", OP_U64, 0, 64,
	  -EINVAL },
	{ "s64 of a data_loc", "sched_process_exec.filename", OP_S64, 0, 64,
	  -EINVAL },
	{ "str of a number", "sched_process_exec.pid", OP_STR, 0, 64,
	  -EINVAL },
	{ "str of a pointer", "sys_enter_openat.filename", OP_STR, 0, 64,
	  -EINVAL },
	{ "str of a number array", "lden_rel.stack", OP_STR, 4 << 16 | 40,
	  64, -EINVAL },
	{ "u64 of a number array", "lden_rel.stack", OP_U64, 0, 64,
	  -EINVAL },
	{ "str of u8[4]", "lden_rel.addr", OP_STR, 0, 64, -EINVAL },
};

static void test_errors(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		unsigned char rec[64];
		struct ltr_field f;
		const char *str = "untouched";
		size_t len = 12345;
		uint64_t u = 777;
		int64_t s = 777;
		int ret;

		memset(rec, 'x', sizeof(rec));
		get_field(state, c->field, &f);
		if (c->loc)
			put(rec, f.offset, c->loc, 4);
		errno = 0;
		ltr_clear_error();
		switch (c->op) {
		case OP_U64:
			ret = ltr_decode_u64(&f, rec, c->raw_size, &u);
			break;
		case OP_S64:
			ret = ltr_decode_s64(&f, rec, c->raw_size, &s);
			break;
		default:
			ret = ltr_decode_str(&f, rec, c->raw_size, &str, &len);
			break;
		}
		if (ret != c->want)
			fail_msg("%s: ret %d, want %d", c->desc, ret, c->want);
		assert_int_equal(errno, -c->want);
		/* the message names the field */
		assert_non_null(strstr(ltr_last_error(), f.name));
		/* out-parameters are written only on success */
		assert_int_equal(u, 777);
		assert_int_equal(s, 777);
		assert_string_equal(str, "untouched");
		assert_int_equal(len, 12345);
		ltr_field_fini(&f);
	}
}

/* ------------------------------------------------------------------ */

/* The public readers take a sample and agree with the internal ones. */
static void test_public_wrappers(void **state)
{
	unsigned char rec[48];
	struct ltr_sample smp = { .raw = rec, .raw_size = sizeof(rec) };
	struct ltr_field dfd, fname, comm;
	const char *str = NULL;
	size_t len = 0;
	uint64_t u = 0;
	int64_t s = 0;

	memset(rec, 0, sizeof(rec));
	get_field(state, "sys_enter_openat.dfd", &dfd);
	get_field(state, "sys_enter_openat.filename", &fname);
	get_field(state, "sched_process_exit.comm", &comm);
	put(rec, 16, 0x00000000ffffff9cull, 8);
	memcpy(rec + 8, "sh", 3);

	assert_string_equal(ltr_field__name(&dfd), "dfd");
	assert_null(ltr_field__name(NULL));
	assert_false(ltr_field__is_string(&dfd));
	assert_false(ltr_field__is_string(&fname));
	assert_false(ltr_field__is_string(NULL));
	assert_int_equal(ltr_field__s64(&dfd, &smp, &s), 0);
	assert_int_equal(s, -100);
	assert_int_equal(ltr_field__u64(&dfd, &smp, &u), 0);
	assert_int_equal(u, (uint64_t)-100);

	/* comm overlaps dfd's record here; only the bytes matter */
	assert_true(ltr_field__is_string(&comm));
	assert_int_equal(ltr_field__str(&comm, &smp, &str, &len), 0);
	assert_int_equal(len, 2);
	assert_memory_equal(str, "sh", 2);

	smp.raw_size = 20;
	assert_int_equal(ltr_field__s64(&dfd, &smp, &s), -ERANGE);
	assert_int_equal(ltr_field__u64(&dfd, &smp, &u), -ERANGE);
	assert_int_equal(ltr_field__str(&comm, &smp, &str, &len), -ERANGE);
	assert_int_equal(ltr_field__u64(&dfd, NULL, &u), -EINVAL);
	assert_int_equal(ltr_field__u64(NULL, &smp, &u), -EINVAL);
	assert_int_equal(ltr_field__str(NULL, &smp, &str, &len), -EINVAL);

	ltr_field_fini(&dfd);
	ltr_field_fini(&fname);
	ltr_field_fini(&comm);
}

/* Destructors take NULL and never-initialised descriptors. */
static void test_fini(void **state)
{
	struct ltr_field f = { 0 };

	ltr_field_fini(NULL);
	ltr_field_fini(&f);
	ltr_field_fini(&f);
	assert_null(f.name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_shape),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_public_wrappers),
		cmocka_unit_test(test_fini),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
