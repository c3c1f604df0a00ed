// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Container names from cgroup paths, on canned paths in each runtime's
 * documented naming (Docker with the systemd and cgroupfs drivers,
 * containerd and CRI-O under Kubernetes, Podman, systemd-nspawn and
 * libvirt machines, systemd services), paths that only look like them,
 * and /proc/PID/cgroup files of cgroup v1, v2 and hybrid hosts; then, as
 * root, a process moved into a real cgroup named as Docker names them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"

#define ID_A "4f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
#define ID_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POD "kubepods-burstable-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice"

static const struct {
	const char *path;
	const char *want;
} paths[] = {
	/* Docker, systemd cgroup driver */
	{ "/system.slice/docker-" ID_A ".scope", "4f1a2b3c4d5e" },
	/* Docker, cgroupfs driver */
	{ "/docker/" ID_A, "4f1a2b3c4d5e" },
	/* Kubernetes, systemd driver: containerd, CRI-O */
	{ "/kubepods.slice/kubepods-burstable.slice/" POD "/cri-containerd-" ID_B ".scope",
	  "0123456789ab" },
	{ "/kubepods.slice/kubepods-burstable.slice/" POD "/crio-" ID_B ".scope",
	  "0123456789ab" },
	/* CRI-O's and Podman's monitors run on the host */
	{ "/kubepods.slice/kubepods-burstable.slice/" POD "/crio-conmon-" ID_B ".scope",
	  "-" },
	{ "/machine.slice/libpod-conmon-" ID_B ".scope", "-" },
	/* Kubernetes, cgroupfs driver */
	{ "/kubepods/besteffort/pod1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901/" ID_B,
	  "0123456789ab" },
	/* Podman: root, rootless (inside the user's manager), cgroupfs */
	{ "/machine.slice/libpod-" ID_A ".scope", "4f1a2b3c4d5e" },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID_A ".scope",
	  "4f1a2b3c4d5e" },
	{ "/libpod_parent/libpod-" ID_A, "4f1a2b3c4d5e" },
	/* a container's own services belong to it */
	{ "/system.slice/docker-" ID_A ".scope/system.slice/nginx.service",
	  "4f1a2b3c4d5e" },
	/* nested: the innermost container */
	{ "/system.slice/docker-" ID_A ".scope/docker/" ID_B, "0123456789ab" },
	/* systemd-nspawn and libvirt machines, systemd's escapes undone */
	{ "/machine.slice/machine-debian\\x2dtest.scope/payload", "debian-test" },
	{ "/machine.slice/machine-web.scope/system.slice/nginx.service", "web" },
	{ "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope/libvirt/emulator",
	  "qemu-1-vm1" },
	/* services: the innermost unit */
	{ "/system.slice/nginx.service", "nginx.service" },
	{ "/system.slice/system-getty.slice/getty@tty1.service", "getty@tty1.service" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service",
	  "dbus.service" },
	{ "/user.slice/user-1000.slice/user@1000.service/init.scope",
	  "user@1000.service" },
	/* the host */
	{ "/", "-" },
	{ "", "-" },
	{ "/init.scope", "-" },
	{ "/system.slice", "-" },
	{ "/user.slice/user-1000.slice/session-4.scope", "-" },
	/* only look like them */
	{ "/system.slice/docker-compose.scope", "-" },
	{ "/docker/4F1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8", "-" },
	{ "/docker/" "4f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f", "-" },
	{ "/system.slice/docker-" ID_A ".scopex", "-" },
	{ "/machine.slice/machine-.scope", "-" },
	{ "/system.slice/.service", "-" },
	{ "/system.slice/docker.service/x", "docker.service" },
	/* odd bytes, kept exact (a '_' for each made "a\nb" and "a_b" one
	 * container): an escaped line break, a raw one, a space, a
	 * truncated escape */
	{ "/machine.slice/machine-a\\x0ab.scope", "a\nb" },
	{ "/machine.slice/machine-a\nb.scope", "a\nb" },
	{ "/machine.slice/machine-a_b.scope", "a_b" },
	{ "/x y.service", "x y.service" },
	{ "/q\x1f\xff?.service", "q\x1f\xff?.service" },
	{ "/machine.slice/machine-ab\\x2.scope", "ab\\x2" },
	/* ':' inside a path */
	{ "/weird:dir/docker-" ID_A ".scope", "4f1a2b3c4d5e" },
};

static void test_paths(void **state)
{
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		memset(buf, 'X', sizeof(buf));
		lden_container__name(paths[i].path, buf, sizeof(buf));
		if (strcmp(buf, paths[i].want))
			fail_msg("'%s': got '%s', want '%s'", paths[i].path, buf,
				 paths[i].want);
	}
}

/* A small buffer gets a terminated prefix; size 0 is left alone. */
static void test_truncation(void **state)
{
	char buf[6] = "zzzzz";

	(void)state;
	assert_string_equal(lden_container__name("/system.slice/nginx.service",
						buf, sizeof(buf)), "nginx");
	assert_string_equal(lden_container__name("/", buf, 2), "-");
	memcpy(buf, "zzzzz", 6);
	lden_container__name("/docker/" ID_A, buf, 0);
	assert_string_equal(buf, "zzzzz");
}

static const struct {
	const char *text;
	const char *want;
} files[] = {
	/* a hybrid host's (this one's kind): nothing but the host */
	{ "9:name=systemd:/\n4:memory:/process_api/29a1a5bddc063b9d68f29bf3b576de92\n"
	  "1:cpu:/\n0::/\n", "-" },
	/* cgroup v2 only */
	{ "0::/system.slice/docker-" ID_A ".scope\n", "4f1a2b3c4d5e" },
	/* v1, Docker's cgroupfs driver, no v2 line, no final newline */
	{ "12:memory:/docker/" ID_B "\n11:cpu,cpuacct:/docker/" ID_B "\n"
	  "1:name=systemd:/docker/" ID_B, "0123456789ab" },
	/* hybrid: v2 first, even when a v1 line says another thing */
	{ "1:name=systemd:/system.slice/containerd.service\n"
	  "5:memory:/system.slice/containerd.service\n"
	  "0::/system.slice/docker-" ID_A ".scope\n", "4f1a2b3c4d5e" },
	/* v2 says host ("/", an empty hierarchy): systemd's v1 line next */
	{ "0::/\n3:memory:/docker/" ID_B "\n1:name=systemd:/machine.slice/machine-m1.scope\n",
	  "m1" },
	/* only a plain v1 controller knows */
	{ "0::/\n1:name=systemd:/\n3:memory:/docker/" ID_B "\n", "0123456789ab" },
	/* lines without two colons are skipped */
	{ "garbage\n0:/docker/" ID_B "\n\n", "-" },
	{ "", "-" },
};

static void test_cgroup_files(void **state)
{
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		lden_container__of_cgroup_file(files[i].text, buf, sizeof(buf));
		if (strcmp(buf, files[i].want))
			fail_msg("file %zu: got '%s', want '%s'", i, buf,
				 files[i].want);
	}
}

/* This process: what its own cgroup file says; no process: ESRCH. */
static void test_pid(void **state)
{
	char text[8192], want[64], got[64] = "untouched";
	FILE *f = fopen("/proc/self/cgroup", "r");
	size_t n;
	long pid_max;

	(void)state;
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	lden_container__of_cgroup_file(text, want, sizeof(want));
	assert_int_equal(lden_container__of_pid(getpid(), got, sizeof(got)), 0);
	assert_string_equal(got, want);

	f = fopen("/proc/sys/kernel/pid_max", "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &pid_max), 1);
	fclose(f);
	strcpy(got, "untouched");
	assert_int_equal(lden_container__of_pid((pid_t)(pid_max + 1), got,
					       sizeof(got)), -ESRCH);
	assert_string_equal(got, "untouched");
}

static struct {
	char parent[256];
	char scope[512];
	pid_t child;
} cg;

/* Where a cgroup hierarchy is mounted: v2, else systemd's v1 one. */
static bool cgroup_mount(char *dir, size_t size)
{
	char line[1024], mnt[160], type[64], opts[256];
	bool found = false;
	FILE *f = fopen("/proc/self/mounts", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %159s %63s %255s", mnt, type, opts) != 3)
			continue;
		if (!strcmp(type, "cgroup2") ||
		    (!found && !strcmp(type, "cgroup") && strstr(opts, "name=systemd"))) {
			snprintf(dir, size, "%s", mnt);
			found = true;
			if (!strcmp(type, "cgroup2"))
				break;
		}
	}
	fclose(f);
	return found;
}

static int real_setup(void **state)
{
	char mnt[200];

	(void)state;
	cg.child = -1;
	cg.parent[0] = cg.scope[0] = '\0';
	if (geteuid() != 0 || !cgroup_mount(mnt, sizeof(mnt)))
		return 0;
	snprintf(cg.parent, sizeof(cg.parent), "%s/lden-test-%d", mnt,
		 (int)getpid());
	snprintf(cg.scope, sizeof(cg.scope), "%s/docker-%s.scope", cg.parent, ID_A);
	if (mkdir(cg.parent, 0755) < 0 || mkdir(cg.scope, 0755) < 0)
		cg.scope[0] = '\0';
	return 0;
}

static int real_teardown(void **state)
{
	(void)state;
	if (cg.child > 0) {
		kill(cg.child, SIGKILL);
		waitpid(cg.child, NULL, 0);
	}
	/* the child's exit empties it: rmdir may need a moment */
	for (int i = 0; i < 100 && cg.scope[0] && rmdir(cg.scope) < 0 &&
	     errno == EBUSY; i++)
		usleep(10000);
	if (cg.parent[0])
		rmdir(cg.parent);
	return 0;
}

static void move(pid_t pid, const char *dir)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	fprintf(f, "%d\n", (int)pid);
	if (fclose(f) != 0)
		fail_msg("moving %d into %s: %s", (int)pid, dir, strerror(errno));
}

/* A process in a real cgroup docker-<id>.scope is container <short id>;
 * moved to the cgroup around it, the host's. */
static void test_real_cgroup(void **state)
{
	char got[64] = "";

	(void)state;
	if (!cg.scope[0])
		skip();
	cg.child = fork();
	assert_true(cg.child >= 0);
	if (cg.child == 0) {
		pause();
		_exit(0);
	}
	move(cg.child, cg.scope);
	assert_int_equal(lden_container__of_pid(cg.child, got, sizeof(got)), 0);
	assert_string_equal(got, "4f1a2b3c4d5e");
	move(cg.child, cg.parent);
	assert_int_equal(lden_container__of_pid(cg.child, got, sizeof(got)), 0);
	assert_string_equal(got, "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_cgroup_files),
		cmocka_unit_test(test_pid),
		cmocka_unit_test_setup_teardown(test_real_cgroup, real_setup,
						real_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
