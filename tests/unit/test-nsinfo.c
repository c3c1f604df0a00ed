// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The namespaces of a sample's task (nsinfo.c) and the scope options on
 * them (scope.c): the seven inodes of a live task equal what stat(2) of
 * /proc/PID/ns gives; a task that exited before its first read is
 * unknown (inodes 0, container "?") and counted once, never guessed;
 * --by keys map to their kinds; --netns takes a PID or an inode and
 * refuses what is not one; --container finds the outermost cgroup that
 * names a container in a canned tree (nested, ambiguous, unknown, hostile
 * names); container names from hostile cgroup paths stay printable and
 * bounded.
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
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "nsinfo.h"
#include "scope.h"

#define ID_A "4f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
#define ID_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static uint64_t ino_of(pid_t pid, const char *kind)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kind);
	if (stat(path, &st) < 0)
		return 0;
	return st.st_ino;
}

static void test_live_task(void **state)
{
	struct lden_nscache *c = lden_nscache__new();
	const struct lden_nsinfo *ni;
	char want[80];

	(void)state;
	assert_non_null(c);
	ni = lden_nscache__get(c, getpid());
	assert_true(ni->known);
	for (int k = 0; k < LTR_NS_COUNT; k++) {
		const char *name = ltr_ns__name((enum ltr_ns)k);

		if (ino_of(getpid(), name))
			assert_int_equal(ni->ns[k], ino_of(getpid(), name));
	}
	assert_int_equal(lden_container__of_pid(getpid(), want, sizeof(want)), 0);
	assert_string_equal(ni->container, want);
	assert_int_equal(lden_nscache__unknown(c), 0);
	lden_nscache__free(c);
}

/* A reaped child: its pid names no task; unknown, counted once. */
static void test_exited_task(void **state)
{
	struct lden_nscache *c = lden_nscache__new();
	const struct lden_nsinfo *ni;
	pid_t child = fork();

	(void)state;
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	ni = lden_nscache__get(c, child);
	assert_false(ni->known);
	for (int k = 0; k < LTR_NS_COUNT; k++)
		assert_int_equal(ni->ns[k], 0);
	assert_string_equal(ni->container, "?");
	ni = lden_nscache__get(c, child);
	assert_false(ni->known);
	assert_int_equal(lden_nscache__unknown(c), 1);
	lden_nscache__free(c);
}

static void test_by_keys(void **state)
{
	(void)state;
	assert_int_equal(lden_ns_by("netns"), LTR_NS_NET);
	assert_int_equal(lden_ns_by("pidns"), LTR_NS_PID);
	assert_int_equal(lden_ns_by("mntns"), LTR_NS_MNT);
	assert_int_equal(lden_ns_by("userns"), LTR_NS_USER);
	assert_int_equal(lden_ns_by("cgroupns"), LTR_NS_CGROUP);
	assert_int_equal(lden_ns_by("ipcns"), LTR_NS_IPC);
	assert_int_equal(lden_ns_by("utsns"), LTR_NS_UTS);
	assert_int_equal(lden_ns_by("ns"), -1);
	assert_int_equal(lden_ns_by("net"), -1);
	assert_int_equal(lden_ns_by("foons"), -1);
	assert_int_equal(lden_ns_by("netnsx"), -1);
	assert_int_equal(lden_ns_by(""), -1);
}

static void test_netns_option(void **state)
{
	struct lden_scope_opts o = { 0 };
	char err[300], arg[32];

	(void)state;
	snprintf(arg, sizeof(arg), "%d", (int)getpid());
	assert_int_equal(lden_scope__set_netns(&o, arg, err, sizeof(err)), 0);
	assert_int_equal(o.netns, ino_of(getpid(), "net"));
	o.netns = 0;
	snprintf(arg, sizeof(arg), "%llu",
		 (unsigned long long)ino_of(getpid(), "net"));
	assert_int_equal(lden_scope__set_netns(&o, arg, err, sizeof(err)), 0);
	assert_int_equal(o.netns, ino_of(getpid(), "net"));
	assert_int_equal(lden_scope__set_netns(&o, "abc", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid --netns value 'abc'"));
	assert_int_equal(lden_scope__set_netns(&o, "-5", err, sizeof(err)), -1);
	assert_int_equal(lden_scope__set_netns(&o, "0", err, sizeof(err)), -1);
	assert_int_equal(lden_scope__set_netns(&o, "99999999999", err,
					      sizeof(err)), -1);
	assert_non_null(strstr(err, "no network namespace 99999999999"));
	assert_int_equal(lden_scope__set_netns(&o, "4194303", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no process 4194303"));
}

static char root[64];

static void mk(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int tree_setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/lden-nsinfo-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	return 0;
}

static int tree_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_find_container(void **state)
{
	char err[600], want[1024];
	char *dir;

	(void)state;
	mk("system.slice");
	mk("system.slice/docker-" ID_A ".scope");
	/* the same id nested inside (docker in docker): the outer wins */
	mk("system.slice/docker-" ID_A ".scope/docker");
	mk("system.slice/docker-" ID_A ".scope/docker/" ID_A);
	mk("system.slice/nginx.service");
	mk("machine.slice");
	mk("machine.slice/machine-web\\x2d1.scope");
	dir = lden_scope__find_container(root, "4f1a2b3c4d5e", err, sizeof(err));
	snprintf(want, sizeof(want), "%s/system.slice/docker-" ID_A ".scope",
		 root);
	assert_non_null(dir);
	assert_string_equal(dir, want);
	free(dir);
	dir = lden_scope__find_container(root, ID_A, err, sizeof(err));
	assert_non_null(dir);
	assert_string_equal(dir, want);
	free(dir);
	dir = lden_scope__find_container(root, "web-1", err, sizeof(err));
	assert_non_null(dir);
	assert_non_null(strstr(dir, "machine-web\\x2d1.scope"));
	free(dir);
	dir = lden_scope__find_container(root, "nginx.service", err, sizeof(err));
	assert_non_null(dir);
	free(dir);
	assert_null(lden_scope__find_container(root, "0123456789ab", err,
					      sizeof(err)));
	assert_non_null(strstr(err, "unknown container '0123456789ab'"));
	assert_null(lden_scope__find_container(root, "-", err, sizeof(err)));
	assert_non_null(strstr(err, "invalid --container value '-'"));
	/* two cgroups apart name it: ambiguous, not the first found */
	mk("machine.slice/libpod-" ID_B ".scope");
	mk("system.slice/docker-" ID_B ".scope");
	assert_null(lden_scope__find_container(root, "0123456789ab", err,
					      sizeof(err)));
	assert_non_null(strstr(err, "ambiguous"));
}

/*
 * Hostile cgroup names: bounded, and their exact bytes (shown escaped:
 * a '_' for each odd byte made two containers one), never cut by a NUL.
 */
static void test_hostile_names(void **state)
{
	char path[6000], buf[64];
	size_t n;

	(void)state;
	/* a very long machine name: truncated to the buffer, terminated */
	n = (size_t)snprintf(path, sizeof(path), "/machine.slice/machine-");
	memset(path + n, 'a', 5000);
	snprintf(path + n + 5000, sizeof(path) - n - 5000, ".scope");
	memset(buf, 'X', sizeof(buf));
	lden_container__name(path, buf, sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	/* a very long id is no id: the host's */
	n = (size_t)snprintf(path, sizeof(path), "/system.slice/docker-");
	memset(path + n, 'a', 3000);
	snprintf(path + n + 3000, sizeof(path) - n - 3000, ".scope");
	assert_string_equal(lden_container__name(path, buf, sizeof(buf)), "-");
	/* escape sequences, DEL, bytes above 0x7f, escaped or raw */
	lden_container__name("/machine.slice/machine-\x1b[31mred\x7f\xc3\xa9.scope",
			    buf, sizeof(buf));
	assert_string_equal(buf, "\x1b[31mred\x7f\xc3\xa9");
	lden_container__name("/machine.slice/machine-a\\x1b\\x0d\\x00b.scope",
			    buf, sizeof(buf));
	assert_string_equal(buf, "a\x1b\r\\x00b");
	lden_container__name("/system.slice/x\ty\n.service", buf, sizeof(buf));
	assert_string_equal(buf, "x\ty\n.service");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_task),
		cmocka_unit_test(test_exited_task),
		cmocka_unit_test(test_by_keys),
		cmocka_unit_test(test_netns_option),
		cmocka_unit_test_setup_teardown(test_find_container, tree_setup,
						tree_teardown),
		cmocka_unit_test(test_hostile_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
