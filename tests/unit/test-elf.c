// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ltr_elf_symbol_offset(): the file offsets it computes are checked against
 * an independent source, the kernel's own mapping of this process
 * (/proc/self/maps: address - mapping start + mapping file offset), for a
 * function of this test (.symtab), one of libc (.dynsym) and a libc symbol
 * with several versions.  Then the failures: missing and non-function
 * symbols, missing and non-ELF files, and copies of this binary truncated
 * or corrupted field by field, and by random byte flips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int test_elf_known_fn(int x);
int test_elf_other_fn(int x);

/* Two real functions of this binary, so their offsets must differ. */
__attribute__((noinline, used)) int test_elf_known_fn(int x)
{
	__asm__ volatile("" : : "r"(x) : "memory");
	return x * 3;
}

__attribute__((noinline, used)) int test_elf_other_fn(int x)
{
	__asm__ volatile("" : : "r"(x) : "memory");
	return x + 7;
}

/* A defined symbol that is not a function. */
__attribute__((used)) int test_elf_data_object = 42;

static char tmpdir[PATH_MAX];
static unsigned char *exe;	/* this binary's bytes */
static size_t exe_len;

/*
 * Where the kernel says @addr comes from: the mapping that holds it
 * gives the file and the offset in it.
 */
static int maps_offset(uintptr_t addr, char *path, size_t size,
		       uint64_t *off)
{
	char line[PATH_MAX + 128];
	FILE *f = fopen("/proc/self/maps", "re");
	int found = 0;

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long start, end, pgoff;
		char perms[8];
		int pos = 0;

		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %n", &start, &end,
			   perms, &pgoff, &pos) < 4 || !pos)
			continue;
		if (addr < start || addr >= end)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, size, "%s", line + pos);
		*off = addr - start + pgoff;
		found = 1;
	}
	fclose(f);
	return found;
}

static void expect_matches_mapping(uintptr_t addr, const char *symbol,
				   const char *file)
{
	char mapped[PATH_MAX];
	uint64_t want, got = 0;

	assert_true(maps_offset(addr, mapped, sizeof(mapped), &want));
	assert_int_equal(ltr_elf_symbol_offset(file ? file : mapped, symbol,
					       &got), 0);
	assert_int_equal(got, want);
}

static void test_own_function(void **state)
{
	uint64_t a = 0, b = 0;

	expect_matches_mapping((uintptr_t)&test_elf_known_fn,
			       "test_elf_known_fn", "/proc/self/exe");
	expect_matches_mapping((uintptr_t)&test_elf_other_fn,
			       "test_elf_other_fn", "/proc/self/exe");
	assert_int_equal(ltr_elf_symbol_offset("/proc/self/exe",
					       "test_elf_known_fn", &a), 0);
	assert_int_equal(ltr_elf_symbol_offset("/proc/self/exe",
					       "test_elf_other_fn", &b), 0);
	assert_int_not_equal(a, b);
	/* the code is in the file, past the ELF header */
	assert_true(a >= sizeof(Elf64_Ehdr) && a < exe_len);
	assert_int_equal(test_elf_known_fn(2) + test_elf_other_fn(1), 14);
}

static void test_library_function(void **state)
{
	/* through a volatile pointer: the real libc address, not a PLT slot */
	pid_t (*volatile fn)(void) = getpid;
	Dl_info info;

	assert_true(dladdr((void *)(uintptr_t)fn, &info));
	expect_matches_mapping((uintptr_t)fn, "getpid", NULL);
}

/*
 * These have two versions at different addresses in glibc (x86_64 2.36:
 * for the first five the old version comes first in .dynsym).  A plain
 * name must give the default version, which is also what dlsym() returns.
 */
static void test_default_version(void **state)
{
	static const char *const names[] = {
		"pthread_cond_init", "pthread_cond_timedwait", "glob",
		"sched_getaffinity", "pthread_kill", "pthread_cond_wait",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *fn = dlsym(RTLD_DEFAULT, names[i]);

		assert_non_null(fn);
		expect_matches_mapping((uintptr_t)fn, names[i], NULL);
	}
}

static void test_missing_symbol(void **state)
{
	uint64_t off = 12345;

	errno = 0;
	assert_int_equal(ltr_elf_symbol_offset("/proc/self/exe",
					       "no_such_function_xyz", &off),
			 -ENOENT);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(off, 12345);	/* untouched on failure */
	assert_non_null(strstr(ltr_last_error(), "no_such_function_xyz"));
	assert_non_null(strstr(ltr_last_error(), "/proc/self/exe"));
}

static void test_not_a_function(void **state)
{
	uint64_t off;

	assert_int_equal(test_elf_data_object, 42);
	/* defined here, but an object */
	assert_int_equal(ltr_elf_symbol_offset("/proc/self/exe",
					       "test_elf_data_object", &off),
			 -ENOENT);
	/* named here, but only defined in libc */
	assert_int_equal(ltr_elf_symbol_offset("/proc/self/exe", "getpid",
					       &off),
			 -ENOENT);
}

static void test_missing_file(void **state)
{
	uint64_t off;

	assert_int_equal(ltr_elf_symbol_offset("/nonexistent/lden/elf",
					       "main", &off),
			 -ENOENT);
	assert_non_null(strstr(ltr_last_error(), "/nonexistent/lden/elf"));
	assert_int_equal(ltr_elf_symbol_offset("/", "main", &off), -ENOEXEC);
	/*
	 * what a message quotes is escaped as lden escapes what it shows:
	 * one line, no terminal control, well-formed UTF-8 kept, the rest
	 * (a C1 control, a bidirectional override, a stray byte) \xHH
	 */
	assert_int_equal(ltr_elf_symbol_offset(
		"/nonexistent/a\nb\t\\\x1b[31m\xc2\x9b\xe2\x80\xae\xff\x7f\xc3\xa9",
		"main", &off), -ENOENT);
	assert_non_null(strstr(ltr_last_error(),
		"'/nonexistent/a\\nb\\t\\\\\\x1b[31m\\xc2\\x9b\\xe2\\x80\\xae\\xff\\x7f\xc3\xa9'"));
	assert_null(strchr(ltr_last_error(), '\n'));
	assert_null(strchr(ltr_last_error(), '\x1b'));
}

/*
 * A message longer than ltr_last_error() holds is cut before an escaped
 * sequence that does not fit whole, as lden cuts what it shows: the C1
 * control U+0085 whose escape "\xc2\x85" would cross the end is left
 * out, not cut to "\xc2" (which the library's own escaping did, reading
 * back as half a character).
 */
static void test_message_cut(void **state)
{
	char path[600], want[600];
	const char *prefix = "no such file '/nonexistent/";
	size_t k = 0, n;
	uint64_t off;

	k = (size_t)snprintf(path, sizeof(path), "/nonexistent/");
	/* 478 bytes: the message's escape reaches 505 of its 511 bytes */
	for (n = 0; n < 478; n++)
		path[k++] = n % 100 == 99 ? '/' : 'a';
	memcpy(path + k, "\xc2\x85tail", sizeof("\xc2\x85tail"));
	assert_int_equal(ltr_elf_symbol_offset(path, "main", &off), -ENOENT);
	snprintf(want, sizeof(want), "%s%.*s", prefix, 478, path + 13);
	assert_int_equal(strlen(want), 505);
	assert_string_equal(ltr_last_error(), want);
}

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Writes @len bytes of @img to a temporary file and looks @sym up in it. */
static int lookup_in(const void *img, size_t len, const char *sym,
		     uint64_t *off)
{
	char path[PATH_MAX + 16];
	int ret;

	snprintf(path, sizeof(path), "%s/elf", tmpdir);
	write_file(path, img, len);
	ret = ltr_elf_symbol_offset(path, sym, off);
	unlink(path);
	return ret;
}

static void test_not_elf(void **state)
{
	static const char text[] = "#!/bin/sh\necho this is not ELF\n";
	uint64_t off;

	assert_int_equal(lookup_in(text, sizeof(text) - 1, "main", &off),
			 -ENOEXEC);
	assert_int_equal(errno, ENOEXEC);
	assert_non_null(strstr(ltr_last_error(), "not an ELF"));
	assert_int_equal(lookup_in("", 0, "main", &off), -ENOEXEC);
	assert_int_equal(lookup_in("\177EL", 3, "main", &off), -ENOEXEC);
}

static void test_truncated(void **state)
{
	uint64_t want, off;

	/* the whole copy works: the cases below fail because of the cut */
	assert_int_equal(ltr_elf_symbol_offset("/proc/self/exe",
					       "test_elf_known_fn", &want), 0);
	assert_int_equal(lookup_in(exe, exe_len, "test_elf_known_fn", &off), 0);
	assert_int_equal(off, want);

	assert_int_equal(lookup_in(exe, 64, "test_elf_known_fn", &off),
			 -ENOEXEC);
	assert_int_equal(lookup_in(exe, 63, "test_elf_known_fn", &off),
			 -ENOEXEC);
	assert_non_null(strstr(ltr_last_error(), "truncated"));
	/* section headers are at the end of the file */
	assert_int_equal(lookup_in(exe, exe_len - 1, "test_elf_known_fn",
				   &off),
			 -ENOEXEC);
	assert_int_equal(lookup_in(exe, exe_len / 2, "test_elf_known_fn",
				   &off),
			 -ENOEXEC);
}

/* The section header of this binary's .symtab, by an independent read. */
static size_t symtab_header(const unsigned char *img)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh;

	memcpy(&eh, img, sizeof(eh));
	for (size_t i = 0; i < eh.e_shnum; i++) {
		size_t at = eh.e_shoff + i * eh.e_shentsize;

		memcpy(&sh, img + at, sizeof(sh));
		if (sh.sh_type == SHT_SYMTAB)
			return at;
	}
	fail_msg("this test binary has no .symtab");
	return 0;
}

enum patch_where { IN_EHDR, IN_SYMTAB_SHDR, IN_PHDRS };

struct corruption {
	const char *what;
	enum patch_where where;
	size_t field;		/* offsetof in the struct patched */
	size_t width;		/* bytes written */
	uint64_t value;
	int want;		/* expected return */
};

#define EH(f) IN_EHDR, offsetof(Elf64_Ehdr, f), sizeof(((Elf64_Ehdr *)0)->f)
#define SH(f) IN_SYMTAB_SHDR, offsetof(Elf64_Shdr, f), \
	sizeof(((Elf64_Shdr *)0)->f)

static const struct corruption corruptions[] = {
	{ "32-bit class", IN_EHDR, EI_CLASS, 1, ELFCLASS32, -ENOEXEC },
	{ "big-endian", IN_EHDR, EI_DATA, 1, ELFDATA2MSB, -ENOEXEC },
	{ "bad magic", IN_EHDR, 1, 1, 'X', -ENOEXEC },
	{ "relocatable object", EH(e_type), ET_REL, -ENOEXEC },
	{ "section headers far away", EH(e_shoff), UINT64_MAX - 100, -ENOEXEC },
	{ "section headers past the end", EH(e_shoff), 1ull << 40, -ENOEXEC },
	{ "too many sections", EH(e_shnum), 0xfffe, -ENOEXEC },
	{ "tiny section header size", EH(e_shentsize), 8, -ENOEXEC },
	{ "program headers far away", EH(e_phoff), UINT64_MAX - 8, -ENOEXEC },
	{ "tiny program header size", EH(e_phentsize), 4, -ENOEXEC },
	{ "no program headers", EH(e_phnum), 0, -ENOEXEC },
	{ "symtab past the end", SH(sh_offset), 1ull << 40, -ENOEXEC },
	{ "symtab size overflows", SH(sh_size), UINT64_MAX - 7, -ENOEXEC },
	{ "symtab link out of range", SH(sh_link), 60000, -ENOEXEC },
	{ "symtab entry size 0", SH(sh_entsize), 0, -ENOEXEC },
	/* no .symtab left, and .dynsym does not export test functions */
	{ "symtab typed as NOTE", SH(sh_type), SHT_NOTE, -ENOENT },
};

static void test_corruptions(void **state)
{
	size_t symtab = symtab_header(exe);
	unsigned char *img = malloc(exe_len);
	Elf64_Ehdr eh;

	assert_non_null(img);
	memcpy(&eh, exe, sizeof(eh));
	for (size_t i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]);
	     i++) {
		const struct corruption *c = &corruptions[i];
		size_t at = c->field;
		uint64_t off;
		int ret;

		if (c->where == IN_SYMTAB_SHDR)
			at += symtab;
		memcpy(img, exe, exe_len);
		for (size_t b = 0; b < c->width; b++)
			img[at + b] = (unsigned char)(c->value >> (8 * b));
		ret = lookup_in(img, exe_len, "test_elf_known_fn", &off);
		if (ret != c->want)
			fail_msg("%s: got %d, want %d (%s)", c->what, ret,
				 c->want, ltr_last_error());
	}

	/* every PT_LOAD gone: the address maps to no file offset */
	memcpy(img, exe, exe_len);
	for (size_t i = 0; i < eh.e_phnum; i++) {
		size_t at = eh.e_phoff + i * eh.e_phentsize;
		Elf64_Phdr ph;

		memcpy(&ph, img + at, sizeof(ph));
		if (ph.p_type == PT_LOAD)
			ph.p_type = PT_NULL;
		memcpy(img + at, &ph, sizeof(ph));
	}
	{
		uint64_t off;

		assert_int_equal(lookup_in(img, exe_len, "test_elf_known_fn",
					   &off),
				 -ENOEXEC);
		assert_non_null(strstr(ltr_last_error(), "loadable segment"));
	}
	free(img);
}

/*
 * Random byte flips over the headers and the section header table: the
 * result must be a clean success or a clean failure.  Under ASan/UBSan
 * (--enable-asan) any out-of-bounds access fails the test.
 */
static void test_random_flips(void **state)
{
	unsigned char *img = malloc(exe_len);
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	Elf64_Ehdr eh;
	size_t sh_start, sh_len;

	assert_non_null(img);
	memcpy(&eh, exe, sizeof(eh));
	sh_start = eh.e_shoff;
	sh_len = (size_t)eh.e_shnum * eh.e_shentsize;
	for (int round = 0; round < 300; round++) {
		uint64_t off;
		int ret;

		memcpy(img, exe, exe_len);
		for (int k = 0; k < 4; k++) {
			size_t at;

			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			if (rng & 1)
				at = (rng >> 8) % sizeof(Elf64_Ehdr);
			else
				at = sh_start + (rng >> 8) % sh_len;
			img[at] ^= (unsigned char)(rng >> 40 | 1);
		}
		ret = lookup_in(img, exe_len, "test_elf_known_fn", &off);
		if (ret != 0 && ret != -ENOENT && ret != -ENOEXEC)
			fail_msg("round %d: unexpected %d (%s)", round, ret,
				 ltr_last_error());
		if (ret == 0 && off >= exe_len)
			fail_msg("round %d: offset %llu beyond the file", round,
				 (unsigned long long)off);
	}
	free(img);
}

/*
 * Neither a FIFO nor a device is an ELF file; opening a FIFO for reading
 * used to wait for a writer for ever (the alarm ends such a test).
 */
static void test_not_regular(void **state)
{
	char path[PATH_MAX + 16];
	uint64_t off;

	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(20);
	assert_int_equal(ltr_elf_symbol_offset(path, "main", &off), -ENOEXEC);
	assert_non_null(strstr(ltr_last_error(), "not a regular file"));
	assert_int_equal(ltr_elf_symbol_offset("/dev/zero", "main", &off),
			 -ENOEXEC);
	assert_non_null(strstr(ltr_last_error(), "not a regular file"));
	alarm(0);
	unlink(path);
}

/* The section header of section @i of @img. */
static size_t section_header(const unsigned char *img, size_t i)
{
	Elf64_Ehdr eh;

	memcpy(&eh, img, sizeof(eh));
	return eh.e_shoff + i * eh.e_shentsize;
}

/* Peak resident memory of this process so far, in KiB. */
static long peak_rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "re");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	assert_true(kib > 0);
	return kib;
}

/*
 * A copy of this binary, made sparse to 1.5 GiB past a table, whose
 * header then claims those 1.5 GiB: the string table (the names it holds
 * are still found, at the same offset), then the symbol table.  Read
 * whole, as it once was, the first took 1.5 GiB of memory; now a lookup
 * stays within a few MiB of what the process used before.
 */
static void test_sparse_tables(void **state)
{
	const uint64_t claim = 3ull << 29;	/* 1.5 GiB */
	size_t symtab = symtab_header(exe);
	char path[PATH_MAX + 16];
	uint64_t want, off;
	Elf64_Shdr sh, str;
	long before;

	assert_int_equal(ltr_elf_symbol_offset("/proc/self/exe",
					       "test_elf_known_fn", &want), 0);
	memcpy(&sh, exe + symtab, sizeof(sh));
	memcpy(&str, exe + section_header(exe, sh.sh_link), sizeof(str));
	snprintf(path, sizeof(path), "%s/sparse", tmpdir);
	before = peak_rss_kib();
	for (int table = 0; table < 2; table++) {
		unsigned char *img = malloc(exe_len);
		size_t at = table ? symtab : section_header(exe, sh.sh_link);
		Elf64_Shdr patched;
		uint64_t size;
		int fd;

		assert_non_null(img);
		memcpy(img, exe, exe_len);
		memcpy(&patched, img + at, sizeof(patched));
		patched.sh_size = claim;
		memcpy(img + at, &patched, sizeof(patched));
		write_file(path, img, exe_len);
		free(img);
		size = patched.sh_offset + claim;
		fd = open(path, O_WRONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(ftruncate(fd, (off_t)(size > exe_len ? size : exe_len)),
				 0);
		close(fd);

		off = 0;
		if (ltr_elf_symbol_offset(path, "test_elf_known_fn", &off) != 0)
			fail_msg("%s of 1.5 GiB: %s", table ? "symbol table" :
				 "string table", ltr_last_error());
		assert_int_equal(off, want);
		unlink(path);
	}
	if (peak_rss_kib() - before > 8192)
		fail_msg("the lookups took the peak RSS from %ld to %ld KiB",
			 before, peak_rss_kib());
}

static int setup(void **state)
{
	struct stat st;
	const char *base = getenv("TMPDIR");
	int fd;

	snprintf(tmpdir, sizeof(tmpdir), "%s/lden-test-elf.XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	exe_len = (size_t)st.st_size;
	exe = malloc(exe_len);
	if (!exe || read(fd, exe, exe_len) != (ssize_t)exe_len)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	free(exe);
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_function),
		cmocka_unit_test(test_library_function),
		cmocka_unit_test(test_default_version),
		cmocka_unit_test(test_missing_symbol),
		cmocka_unit_test(test_not_a_function),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_message_cut),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corruptions),
		cmocka_unit_test(test_random_flips),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_sparse_tables),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
