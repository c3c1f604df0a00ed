// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What this kernel lets lden hook, tried rather than assumed: the files
 * and PMUs may exist while the operation is still refused (lockdown, an
 * LSM, a kernel built without the feature).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

static bool tracefs_has(const struct ltr_session *s, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", s->tracing_dir, file);
	return access(path, F_OK) == 0;
}

int ltr_read_into(const char *path, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n = 1;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	/* procfs and tracefs files give a record a read: to EOF or full */
	while (got + 1 < size && n > 0) {
		n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			n = 1;
		else if (n < 0)
			err = -errno;
		else
			got += (size_t)n;
	}
	close(fd);
	if (err)
		return err;
	buf[got] = '\0';
	return (int)got;
}

uint64_t ltr_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int ltr_read_long(const char *path, long *val)
{
	char buf[64], *end;
	int n = ltr_read_into(path, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (n == 0)
		return -EIO;
	*val = strtol(buf, &end, 10);
	return end == buf ? -EINVAL : 0;
}

/* a child directory of the cgroup2 root, opened; -1 when none */
static int cgroup2_child(void)
{
	char dev[64], dir[4096], type[64], path[PATH_MAX];
	FILE *f = fopen("/proc/self/mounts", "re");
	struct dirent *de;
	int fd = -1;
	DIR *d = NULL;

	while (f && fscanf(f, "%63s %4095s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2")) {
			d = opendir(dir);
			break;
		}
	if (f)
		fclose(f);
	while (d && fd < 0 && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) <
		    (int)sizeof(path))
			fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (d)
		closedir(d);
	return fd;
}

/*
 * Whether the cgroups have perf state of their own.  perf_event is an
 * implicit controller of cgroup v2: a cgroup gets its state once any
 * controller was enabled in the root's cgroup.subtree_control (what a
 * cgroup manager does at boot); until then every task's is the root's,
 * and PERF_SAMPLE_CGROUP says the root's id whatever cgroup the task is
 * in (seen on 6.1 with a cgroup2 mounted and never set up).  Such a
 * cgroup has no perf state to count in: a cgroup counter on a child of
 * the root fails with ENOENT.  true when there is no child to try.
 */
static bool cgroups_have_perf_state(void)
{
	struct perf_event_attr a = { 0 };
	int cg = cgroup2_child(), cpu, fd;

	if (cg < 0)
		return true;
	cpu = sched_getcpu();
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_DUMMY;
	a.disabled = 1;
	fd = ltr_perf_open(&a, cg, cpu < 0 ? 0 : cpu, -1,
			   PERF_FLAG_PID_CGROUP | PERF_FLAG_FD_CLOEXEC);
	close(cg);
	if (fd >= 0)
		close(fd);
	return fd != -ENOENT;
}

bool ltr_has_sample_cgroup(const char **why)
{
	struct perf_event_attr a = { 0 };
	int fd;

	*why = LTR_NO_SAMPLE_CGROUP;
	if (getenv("LDEN_TEST_NO_SAMPLE_CGROUP"))
		return false;
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_DUMMY;
	a.sample_period = 1;
	a.sample_type = PERF_SAMPLE_CGROUP;
	a.disabled = 1;
	fd = ltr_perf_open(&a, 0, -1, -1, 0);
	if (fd < 0)
		return false;
	close(fd);
	*why = "no cgroup has perf state of its own (no controller was ever enabled in the cgroup2 root's cgroup.subtree_control): every sample would say the root's cgroup id";
	if (getenv("LDEN_TEST_NO_CGROUP_PERF_STATE") || !cgroups_have_perf_state())
		return false;
	*why = "";
	return true;
}

/*
 * Opening ftrace:function registers an ftrace callback, which patches
 * every kernel function until a filter is set; so it is tried only when
 * asked, and closed at once.
 */
static bool try_function_hook(struct ltr_session *s, const char **why)
{
	struct perf_event_attr a = { 0 };
	char path[PATH_MAX];
	long id;
	int fd;

	snprintf(path, sizeof(path), "%s/events/ftrace/function/id",
		 s->tracing_dir);
	if (ltr_read_long(path, &id) < 0) {
		*why = "no ftrace:function event (kernel built without CONFIG_FUNCTION_TRACER)";
		return false;
	}
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = id;
	a.disabled = 1;
	fd = ltr_perf_open(&a, -1, s->cpus[0], -1, 0);
	if (fd >= 0) {
		close(fd);
		return true;
	}
	switch (-fd) {
	case EPERM:
	case EACCES:
		*why = geteuid() == 0 ?
			"function hooks denied: perf_event_open(ftrace:function) is refused even to root (lockdown or a security module)" :
			"function hooks denied: perf_event_open(ftrace:function) needs root";
		break;
	default:
		*why = "function hooks unavailable: perf_event_open(ftrace:function) failed";
	}
	return false;
}

/* Whether tracefs's README (the probe syntax it accepts) says @what. */
static bool readme_has(const struct ltr_session *s, const char *what)
{
	char path[PATH_MAX], buf[16384];
	ssize_t n;
	size_t len = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/README", s->tracing_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while (len + 1 < sizeof(buf) &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return strstr(buf, what) != NULL;
}

bool ltr_session__supports(struct ltr_session *s, enum ltr_feature f,
			   const char **why)
{
	const char *reason = NULL;
	bool ok;
	long type;

	switch (f) {
	case LTR_FEATURE_KPROBES:
		ok = ltr_kprobes_supported(s);
		reason = "no kprobe_events in tracefs: this kernel was built without CONFIG_KPROBES (or CONFIG_KPROBE_EVENTS)";
		break;
	case LTR_FEATURE_UPROBES:
		ok = tracefs_has(s, "uprobe_events");
		reason = "no uprobe_events in tracefs: this kernel was built without CONFIG_UPROBE_EVENTS";
		break;
	case LTR_FEATURE_KPROBE_PMU:
		ok = ltr_read_long("/sys/bus/event_source/devices/kprobe/type",
				   &type) == 0;
		reason = "no kprobe PMU (/sys/bus/event_source/devices/kprobe): kernel before 4.17 or without CONFIG_KPROBES";
		break;
	case LTR_FEATURE_FUNCTION_HOOKS:
		ok = try_function_hook(s, &reason);
		break;
	case LTR_FEATURE_LOST_COUNTERS:
		ok = !s->no_format_lost;
		reason = "no per-event lost counters (PERF_FORMAT_LOST, Linux 6.0)";
		break;
	case LTR_FEATURE_HIST_TRIGGERS:
		ok = ltr_hist_supported(s);
		reason = "no hist triggers (CONFIG_HIST_TRIGGERS is off)";
		break;
	case LTR_FEATURE_PROBE_USTRING:
		ok = readme_has(s, "ustring");
		reason = "probes cannot fetch user strings with 'ustring' (before Linux 5.5)";
		break;
	case LTR_FEATURE_PROBE_ARGS:
		ok = readme_has(s, "$arg<N>");
		reason = "kprobes have no $argN fetch-args (before Linux 4.20, or an architecture without them)";
		break;
	case LTR_FEATURE_PROBE_USER_DEREF:
		ok = readme_has(s, "[u]<offset>");
		reason = "probes cannot dereference user memory with +u (before Linux 5.5)";
		break;
	case LTR_FEATURE_RETPROBE_ARGS:
		ok = readme_has(s, "return probes support: $retval, $arg<N>");
		reason = "kretprobes cannot fetch the function's arguments (before Linux 6.10)";
		break;
	case LTR_FEATURE_SAMPLE_CGROUP:
		ok = s->sample_cgroup;
		reason = s->sample_cgroup_why && *s->sample_cgroup_why ?
				 s->sample_cgroup_why :
				 "not asked for (ltr_session_opts.sample_cgroup)";
		break;
	case LTR_FEATURE_INHERIT_THREAD:
		ok = !s->no_inherit_thread;
		reason = "threads created after start are not counted: the kernel lacks inherit_thread (Linux 5.13)";
		break;
	default:
		ok = false;
		reason = "unknown feature";
	}
	if (why)
		*why = ok ? "" : reason;
	return ok;
}

/* ltr_exit_seen_per_task()'s trial: a child forked, counted, let exit */
static int exit_seen_try(const char *tracing_dir)
{
	struct perf_event_attr a = { 0 };
	char path[PATH_MAX], go = 'x';
	uint64_t count = 0;
	int pipefd[2], fd, status;
	long id;
	pid_t child;

	snprintf(path, sizeof(path), "%s/events/sched/sched_process_exit/id",
		 tracing_dir);
	if (ltr_read_long(path, &id) < 0)
		return -ENOENT;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	child = fork();
	if (child < 0) {
		int err = -errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (child == 0) {
		char c;

		close(pipefd[1]);
		/* released by the parent's byte, or by its end (EOF) */
		while (read(pipefd[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(pipefd[0]);
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = (uint64_t)id;
	fd = ltr_perf_open(&a, child, -1, -1, 0);
	if (write(pipefd[1], &go, 1) < 0) {
		/* the close below releases the child all the same */
	}
	close(pipefd[1]);
	/* ECHILD: a reaper of the caller's took it; it has exited */
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (fd < 0)
		return fd;
	if (read(fd, &count, sizeof(count)) != (ssize_t)sizeof(count)) {
		int err = errno ? -errno : -EIO;

		close(fd);
		return err;
	}
	close(fd);
	return count > 0;
}

/*
 * ltr_exit_seen_per_task()'s answers, one per tracing dir, kept for the
 * process: each is a fork, and every open of task.exit on a pid asks
 */
#define EXIT_SEEN_DIRS 4
static struct {
	pthread_mutex_t lock;
	int n;
	struct {
		char *dir;
		int seen;
	} e[EXIT_SEEN_DIRS];
} exit_seen = { .lock = PTHREAD_MUTEX_INITIALIZER };

int ltr_exit_seen_per_task(const char *tracing_dir)
{
	int seen, i;

	if (getenv("LDEN_TEST_EXIT_NOT_PER_TASK"))
		return 0;
	pthread_mutex_lock(&exit_seen.lock);
	for (i = 0; i < exit_seen.n; i++)
		if (!strcmp(exit_seen.e[i].dir, tracing_dir))
			break;
	if (i < exit_seen.n) {
		seen = exit_seen.e[i].seen;
	} else {
		seen = exit_seen_try(tracing_dir);
		/* past EXIT_SEEN_DIRS dirs (or out of memory): tried each time */
		if (i < EXIT_SEEN_DIRS &&
		    (exit_seen.e[i].dir = strdup(tracing_dir))) {
			exit_seen.e[i].seen = seen;
			exit_seen.n++;
		}
	}
	pthread_mutex_unlock(&exit_seen.lock);
	return seen;
}
