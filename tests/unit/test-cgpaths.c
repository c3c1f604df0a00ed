// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup ids to paths (cgpaths.c) over a directory tree made here, whose
 * inode numbers stand for the ids: every directory found by the first
 * walk, a directory made later found by the walk a miss starts, a renamed
 * one under its new path, a removed one (or an id no directory has) NULL
 * after one more walk, and that miss remembered (no walk for it again);
 * the container of each, made once and again only when its path changes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgpaths.h"

static char root[64];

static uint64_t ino(const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_ino;
}

static void mk(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	assert_int_equal(mkdir(path, 0700), 0);
}

static void rm(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	assert_int_equal(rmdir(path), 0);
}

static void test_paths(void **state)
{
	struct lden_cgpaths *c;
	uint64_t gone, late, moved;
	char from[256], to[256];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/lden-cgpaths-XXXXXX");
	assert_non_null(mkdtemp(root));
	mk("/a");
	mk("/a/b");
	mk("/a/b/c\x1f" "d");
	mk("/x");
	c = lden_cgpaths__new(root);
	assert_non_null(c);

	assert_string_equal(lden_cgpaths__get(c, ino("")), "/");
	assert_string_equal(lden_cgpaths__get(c, ino("/a/b")), "/a/b");
	assert_string_equal(lden_cgpaths__get(c, ino("/a/b/c\x1f" "d")),
			    "/a/b/c\x1f" "d");
	assert_string_equal(lden_cgpaths__get(c, ino("/x")), "/x");
	assert_int_equal(lden_cgpaths__walks(c), 1);

	/* made after the walk: found by the walk its miss starts */
	mk("/a/late");
	late = ino("/a/late");
	assert_string_equal(lden_cgpaths__get(c, late), "/a/late");
	assert_int_equal(lden_cgpaths__walks(c), 2);

	/* removed before it was ever looked up: unknown, after one walk
	 * (a file system here may give its inode number to a later
	 * directory; cgroup ids are never reused) */
	mk("/gone");
	gone = ino("/gone");
	rm("/gone");
	assert_null(lden_cgpaths__get(c, gone));
	assert_int_equal(lden_cgpaths__walks(c), 3);
	assert_null(lden_cgpaths__get(c, gone));
	assert_int_equal(lden_cgpaths__walks(c), 3);

	/* renamed: the next walk (another miss) says its new path */
	moved = ino("/x");
	snprintf(from, sizeof(from), "%s/x", root);
	snprintf(to, sizeof(to), "%s/a/y", root);
	assert_int_equal(rename(from, to), 0);
	assert_string_equal(lden_cgpaths__get(c, moved), "/x");
	assert_null(lden_cgpaths__get(c, UINT64_MAX - 1));
	assert_int_equal(lden_cgpaths__walks(c), 4);
	assert_string_equal(lden_cgpaths__get(c, moved), "/a/y");

	lden_cgpaths__free(c);
	rm("/a/y");
	rm("/a/late");
	rm("/a/b/c\x1f" "d");
	rm("/a/b");
	rm("/a");
	assert_int_equal(rmdir(root), 0);
}

/*
 * Containers: made once a cgroup and kept (the same pointer each time),
 * made again when a walk finds the cgroup renamed; none for an unknown id.
 */
static void test_containers(void **state)
{
	static const char id[] = "0123456789abcdef0123456789abcdef"
				 "0123456789abcdef0123456789abcdef";
	char docker[128], crio[128], from[256], to[256];
	struct lden_cgpaths *c;
	const char *name;
	unsigned int walks;
	uint64_t cg;

	(void)state;
	snprintf(root, sizeof(root), "/tmp/lden-cgpaths-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(docker, sizeof(docker), "/docker-%s.scope", id);
	snprintf(crio, sizeof(crio), "/crio-%s.scope", id);
	mk("/s");
	mk(docker);
	c = lden_cgpaths__new(root);
	assert_non_null(c);

	assert_string_equal(lden_cgpaths__container(c, ino("/s")), "-");
	cg = ino(docker);
	name = lden_cgpaths__container(c, cg);
	assert_string_equal(name, "0123456789ab");
	/* kept: not made again */
	assert_ptr_equal(lden_cgpaths__container(c, cg), name);
	assert_ptr_equal(lden_cgpaths__container(c, cg), name);
	assert_int_equal(lden_cgpaths__walks(c), 1);

	/* renamed into a service: the walk a miss starts finds it, and its
	 * container is the new path's */
	snprintf(from, sizeof(from), "%s%s", root, docker);
	snprintf(to, sizeof(to), "%s/s/db.service", root);
	assert_int_equal(rename(from, to), 0);
	assert_string_equal(lden_cgpaths__container(c, cg), "0123456789ab");
	assert_null(lden_cgpaths__container(c, UINT64_MAX - 1));
	assert_string_equal(lden_cgpaths__get(c, cg), "/s/db.service");
	assert_string_equal(lden_cgpaths__container(c, cg), "db.service");
	mk(crio);
	assert_string_equal(lden_cgpaths__container(c, ino(crio)),
			    "0123456789ab");
	/* in one lookup, with why not: the same name, or a removed id's
	 * -ENOENT (its miss remembered: no walk again) */
	assert_int_equal(lden_cgpaths__container_of(c, cg, &name), 0);
	assert_ptr_equal(name, lden_cgpaths__container(c, cg));
	assert_int_equal(lden_cgpaths__container_of(c, UINT64_MAX - 1, &name),
			 -ENOENT);
	assert_null(name);
	walks = lden_cgpaths__walks(c);
	assert_int_equal(lden_cgpaths__container_of(c, UINT64_MAX - 1, &name),
			 -ENOENT);
	assert_int_equal(lden_cgpaths__walks(c), walks);

	lden_cgpaths__free(c);
	rm(crio);
	rm("/s/db.service");
	rm("/s");
	assert_int_equal(rmdir(root), 0);
}

/* A root that does not exist: every id unknown, nothing crashes. */
static void test_no_root(void **state)
{
	struct lden_cgpaths *c = lden_cgpaths__new("/nonexistent-lden-cg");

	(void)state;
	assert_non_null(c);
	assert_null(lden_cgpaths__get(c, 1));
	assert_null(lden_cgpaths__get(c, 1));
	assert_int_equal(lden_cgpaths__walks(c), 2);
	lden_cgpaths__free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_no_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
