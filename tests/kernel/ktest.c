// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktest.h"
#include "lden-trace.h"

static void skip(const char *why)
{
	printf("SKIP: %s\n", why);
	exit(KTEST_SKIP);
}

void ktest_require_tracing(void)
{
	struct ltr_session *s;
	struct ltr_event *ev;

	if (geteuid() != 0)
		skip("needs root");
	s = ltr_session__new(NULL);
	if (!s)
		skip(ltr_last_error());
	ev = ltr_event__open(s, "sched", "sched_process_fork", NULL);
	if (!ev) {
		char why[600];

		snprintf(why, sizeof(why), "%s", ltr_last_error());
		ltr_session__free(s);
		skip(why);
	}
	ltr_session__free(s);
}

const char *ktest_helper_path(const char *argv0, const char *name)
{
	static char path[PATH_MAX];
	const char *slash = strrchr(argv0, '/');

	if (!slash)
		snprintf(path, sizeof(path), "./%s", name);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - argv0),
			 argv0, name);
	return path;
}

int ktest_child_start(struct ktest_child *c, int (*fn)(void *), void *arg)
{
	int p[2];
	char b;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	c->pid = fork();
	if (c->pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (c->pid == 0) {
		close(p[1]);
		/* the parent dying or writing both end the wait */
		if (read(p[0], &b, 1) != 1)
			_exit(99);
		_exit(fn(arg));
	}
	close(p[0]);
	c->go_fd = p[1];
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	return 0;
}

void ktest_child_go(struct ktest_child *c)
{
	char b = 'g';

	if (write(c->go_fd, &b, 1) != 1)
		perror("ktest: go");
	close(c->go_fd);
	c->go_fd = -1;
}

int ktest_child_wait(struct ktest_child *c, int timeout_ms)
{
	int status;

	if (c->go_fd >= 0) {
		close(c->go_fd);
		c->go_fd = -1;
	}
	if (c->pidfd >= 0) {
		struct pollfd pfd = { .fd = c->pidfd, .events = POLLIN };

		if (poll(&pfd, 1, timeout_ms) == 0) {
			fprintf(stderr, "ktest: child %d still running after %d ms, killing it\n",
				(int)c->pid, timeout_ms);
			kill(c->pid, SIGKILL);
		}
		close(c->pidfd);
		c->pidfd = -1;
	}
	if (waitpid(c->pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int ktest_fork_n(void *arg)
{
	int n = *(int *)arg;

	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			return 1;
		if (p == 0)
			_exit(0);
		if (waitpid(p, NULL, 0) != p)
			return 1;
	}
	return 0;
}

char *ktest_tracefs_lden_lines(const char *file)
{
	char path[PATH_MAX], line[1024];
	size_t cap = 4096, len = 0;
	char *out = calloc(1, cap);
	FILE *f;

	if (!out)
		return NULL;
	snprintf(path, sizeof(path), "/sys/kernel/tracing/%s", file);
	f = fopen(path, "re");
	if (!f)
		return out;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (!strstr(line, "lden_"))
			continue;
		if (len + n + 1 > cap) {
			char *no = realloc(out, cap * 2 + n);

			if (!no)
				break;
			out = no;
			cap = cap * 2 + n;
		}
		memcpy(out + len, line, n + 1);
		len += n;
	}
	fclose(f);
	return out;
}

static bool listed_in(const char *file, const char *needle)
{
	char *lines = ktest_tracefs_lden_lines(file);
	bool found = lines && strstr(lines, needle) != NULL;

	free(lines);
	return found;
}

bool ktest_probe_listed(const char *file, const char *group,
			const char *name)
{
	char needle[160];

	snprintf(needle, sizeof(needle), ":%s/%s%s", group, name ? name : "",
		 name ? " " : "");
	return listed_in(file, needle) || listed_in("dynamic_events", needle);
}

void ktest_remove_probe(const char *file, char *grp_ev)
{
	char line[300], path[PATH_MAX];
	int fd;

	if (!grp_ev[0])
		return;
	fd = open("/sys/kernel/tracing/dynamic_events",
		  O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		snprintf(path, sizeof(path), "/sys/kernel/tracing/%s", file);
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	}
	snprintf(line, sizeof(line), "-:%s\n", grp_ev);
	if (fd >= 0) {
		if (write(fd, line, strlen(line)) < 0 && errno != ENOENT)
			fprintf(stderr, "cannot remove %s: %m\n", grp_ev);
		close(fd);
	}
	grp_ev[0] = '\0';
}

const char *ktest_group_of(pid_t pid)
{
	static char group[64];
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) < 0)
		st.st_ino = 0;
	snprintf(group, sizeof(group), "lden_%llu_%d",
		 (unsigned long long)st.st_ino, (int)pid);
	return group;
}

bool ktest_kernel_has(const char *name)
{
	char line[512], sym[256];
	FILE *f = fopen("/proc/kallsyms", "re");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %255s", sym) == 1 &&
			!strcmp(sym, name);
	fclose(f);
	return found;
}
