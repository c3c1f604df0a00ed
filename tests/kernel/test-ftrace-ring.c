// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sampling through the ftrace ring of the session's tracefs instance.
 * A child makes exactly N getppid() calls; a filter on its pid keeps the
 * rest of the machine out, so that every number is exact:
 * - every call is delivered once, with the child as its task, a
 *   CLOCK_MONOTONIC time inside the run and in order per CPU, and the
 *   kernel's count says N too;
 * - two events in a tiny ring: what was delivered plus what the ring
 *   dropped is what the two counted, and each says its loss is shared;
 * - calls 200 ms apart (each record's delta then needs a TIME_EXTEND
 *   before it, 2^27 ns being 134 ms): each delivered once, at a time
 *   between the child's clock readings around that call;
 * - a few records in the sub-buffer being written: polls alone deliver
 *   them, all at once, when ltr_session__complete_until() passes them;
 * - the mapping failing for CPU 0, or its GET_READER at the first or a
 *   later call, or once lden walked past what the kernel counts read
 *   (LDEN_TEST_FTRACE): read() from there on, said, exact;
 * - all of these through the mapped ring (Linux 6.10+, said as "mmap")
 *   and through read() (older kernels, or ltr_session_opts.ftrace_read);
 * - ltr_event__stop_sampling(): the records stop, the count goes on;
 * - counted from its records (no perf event at all): alone in a tiny
 *   ring, delivered plus dropped is N; sharing it, the count is what was
 *   delivered;
 * - where the instance cannot serve (per task, a second filter on the
 *   same tracepoint) AUTO samples through perf and says why, and asking
 *   for the ftrace ring is an error naming the reason;
 * - the instance exists while the session does and not after; one no
 *   process holds is swept, one held and other names are kept; SIGTERM
 *   with ltr_session__cleanup_on_signal() removes it.
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ktest.h"
#include "lden-trace.h"

#define TIMEOUT_MS 30000
#define N_CALLS 5000
#define TRACEFS "/sys/kernel/tracing"

static int getppid_n(void *arg)
{
	int n = *(int *)arg;

	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Whether this kernel maps an instance's ring (trace_pipe_raw mmap: 6.10) */
static bool kernel_maps(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 10);
}

/* The session options and reader of a test's state: "mmap" or "read". */
static const char *reader_of(void **state, struct ltr_session_opts *so)
{
	const char *want = *state ? *state : "mmap";

	so->ftrace_read = !strcmp(want, "read");
	return so->ftrace_read || !kernel_maps() ? "read" : "mmap";
}

static char MMAP[] = "mmap", READ[] = "read";

static bool instance_exists(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), TRACEFS "/instances/%s", name);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

struct seen {
	struct ltr_event *ev[2];
	uint64_t n[2];
	pid_t tid;
	uint64_t t0, tmax;
	uint64_t last_time[64];
	uint64_t *times;	/* when set: every sample's time, ntimes of them */
	size_t ntimes, max_times;
	bool bad;
	char why[200];
};

static int on_sample(const struct ltr_sample *s, void *ctx)
{
	struct seen *seen = ctx;
	int i = s->event == seen->ev[0] ? 0 : s->event == seen->ev[1] ? 1 : -1;

	if (i < 0) {
		snprintf(seen->why, sizeof(seen->why), "a sample of no event of ours");
		seen->bad = true;
		return 0;
	}
	seen->n[i]++;
	if (seen->times && seen->ntimes < seen->max_times)
		seen->times[seen->ntimes++] = s->time;
	if (seen->tid && ((pid_t)s->tid != seen->tid || !(s->flags & LTR_SAMPLE_NO_TGID)))
		snprintf(seen->why, sizeof(seen->why), "tid %u flags %#x", s->tid,
			 s->flags), seen->bad = true;
	if (seen->t0 && s->time < seen->t0)
		snprintf(seen->why, sizeof(seen->why), "time %llu before %llu",
			 (unsigned long long)s->time,
			 (unsigned long long)seen->t0), seen->bad = true;
	if (s->time > seen->tmax)
		seen->tmax = s->time;
	if (s->cpu >= 64 || s->time < seen->last_time[s->cpu])
		snprintf(seen->why, sizeof(seen->why), "cpu %u out of order", s->cpu),
			seen->bad = true;
	else
		seen->last_time[s->cpu] = s->time;
	return 0;
}

static struct ltr_event *open_getppid(struct ltr_session *s, pid_t child,
				      enum ltr_ring_kind ring, pid_t scope,
				      const char *extra, bool count_records)
{
	char filter[96];
	struct ltr_event_opts o = {
		.mode = LTR_MODE_SAMPLE,
		.filter = filter,
		.ring = ring,
		.pid = scope,
		.count_records = count_records,
	};

	snprintf(filter, sizeof(filter), "common_pid == %d%s", (int)child,
		 extra ? extra : "");
	return ltr_event__open(s, "syscalls", "sys_enter_getppid", &o);
}

/*
 * The child run, the rings polled while it runs, until it exits
 * (bounded), then drained; every sample checked.  Returns a time after
 * the last record.
 */
static uint64_t run_polled(struct ltr_session *s, struct ktest_child *c,
			   struct seen *seen)
{
	uint64_t t1;

	seen->tid = c->pid;
	seen->t0 = now_ns();
	assert_int_equal(ltr_session__enable(s), 0);
	ktest_child_go(c);
	for (int i = 0; i < TIMEOUT_MS / 10; i++) {
		struct pollfd p = { .fd = c->pidfd, .events = POLLIN };
		int rc = ltr_session__poll(s, 10, on_sample, seen);

		assert_true(rc >= 0 || rc == -EINTR);
		if (poll(&p, 1, 0) == 1)
			break;
	}
	assert_int_equal(ktest_child_wait(c, TIMEOUT_MS), 0);
	assert_int_equal(ltr_session__disable(s), 0);
	t1 = now_ns();
	assert_true(ltr_session__drain(s, on_sample, seen) >= 0);
	if (seen->bad)
		fail_msg("%s", seen->why);
	return t1;
}

static void every_call_once(void **state)
{
	struct ltr_session_opts so = { 0 };
	const char *reader = reader_of(state, &so);
	struct ltr_session *s = ltr_session__new(&so);
	struct seen seen = { 0 };
	struct ktest_child c;
	int n = N_CALLS;
	uint64_t count, t1;
	char name[64];

	assert_non_null(s);
	assert_null(ltr_session__instance(s));
	assert_int_equal(ktest_child_start(&c, getppid_n, &n), 0);
	seen.ev[0] = open_getppid(s, c.pid, LTR_RING_AUTO, 0, NULL, false);
	if (!seen.ev[0])
		fail_msg("open: %s", ltr_last_error());
	assert_int_equal(ltr_event__ring(seen.ev[0]), LTR_RING_FTRACE);
	assert_string_equal(ltr_event__ring_why(seen.ev[0]), "system-wide");
	assert_non_null(ltr_session__instance(s));
	snprintf(name, sizeof(name), "%s", ltr_session__instance(s));
	assert_string_equal(name, ltr_session__group(s));
	assert_true(instance_exists(name));
	assert_string_equal(ltr_session__ftrace_reader(s), reader);
	t1 = run_polled(s, &c, &seen);
	/* CLOCK_MONOTONIC, as perf's samples: inside the run */
	assert_true(seen.tmax <= t1);
	assert_int_equal(ltr_event__count(seen.ev[0], &count), 0);
	assert_int_equal(count, N_CALLS);
	assert_int_equal(seen.n[0], N_CALLS);
	assert_int_equal(ltr_session__lost(s, -1), 0);
	assert_true(ltr_event__lost_shared(seen.ev[0]));
	ltr_session__free(s);
	assert_false(instance_exists(name));
}

#define N_GAPS 5
#define GAP_NS 200000000L	/* > 2^27 ns: a TIME_EXTEND in the ring */

/* Clock readings around each call, shared with the parent. */
struct gaps {
	uint64_t before[N_GAPS], after[N_GAPS];
};

static int pin_cpu0(void);

/* N_GAPS calls on CPU 0, GAP_NS apart, each between two clock readings */
static int getppid_with_gaps(void *arg)
{
	struct gaps *g = arg;
	struct timespec gap = { 0, GAP_NS };

	if (pin_cpu0() < 0)
		return 3;
	for (int i = 0; i < N_GAPS; i++) {
		if (i > 0)
			nanosleep(&gap, NULL);
		g->before[i] = now_ns();
		syscall(SYS_getppid);
		g->after[i] = now_ns();
	}
	return 0;
}

/*
 * Calls far apart: the ring holds a TIME_EXTEND before each but the
 * first (the delta since the previous record does not fit 27 bits), and
 * the walk must add it: each record's time lies between the child's
 * clock readings around its call (an extend missed puts it 134 ms or
 * more early), once each, and the kernel's count agrees.
 */
static void times_across_long_gaps(void **state)
{
	struct ltr_session_opts so = { 0 };
	const char *reader = reader_of(state, &so);
	struct ltr_session *s = ltr_session__new(&so);
	struct gaps *g = mmap(NULL, sizeof(*g), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t times[N_GAPS + 1], count;
	struct seen seen = { .times = times, .max_times = N_GAPS + 1 };
	struct ktest_child c;

	assert_non_null(s);
	assert_true(g != MAP_FAILED);
	memset(g, 0, sizeof(*g));
	assert_int_equal(ktest_child_start(&c, getppid_with_gaps, g), 0);
	seen.ev[0] = open_getppid(s, c.pid, LTR_RING_FTRACE, 0, NULL, false);
	if (!seen.ev[0])
		fail_msg("open: %s", ltr_last_error());
	assert_string_equal(ltr_session__ftrace_reader(s), reader);
	run_polled(s, &c, &seen);
	assert_int_equal(seen.n[0], N_GAPS);
	assert_int_equal(ltr_event__count(seen.ev[0], &count), 0);
	assert_int_equal(count, N_GAPS);
	assert_int_equal(ltr_session__lost(s, -1), 0);
	for (int i = 0; i < N_GAPS; i++) {
		if (times[i] < g->before[i] || times[i] > g->after[i])
			fail_msg("call %d at %llu, not in [%llu, %llu]", i,
				 (unsigned long long)times[i],
				 (unsigned long long)g->before[i],
				 (unsigned long long)g->after[i]);
		if (i > 0)
			assert_true(times[i] - times[i - 1] >= GAP_NS);
	}
	munmap(g, sizeof(*g));
	ltr_session__free(s);
}

/* Two events, a 1-page ring read only at the end: drops, all accounted. */
static void shared_loss_is_exact(void **state)
{
	struct ltr_session_opts so = { .ring_pages = 1 };
	const char *reader = reader_of(state, &so);
	struct ltr_session *s = ltr_session__new(&so);
	struct seen seen = { 0 };
	struct ktest_child c;
	uint64_t count[2], lost[2], total;
	int n = 20000;

	assert_non_null(s);
	assert_int_equal(ktest_child_start(&c, getppid_n, &n), 0);
	seen.ev[0] = open_getppid(s, c.pid, LTR_RING_FTRACE, 0, NULL, false);
	if (!seen.ev[0])
		fail_msg("open: %s", ltr_last_error());
	/* another tracepoint the child hits N times: getppid's exit */
	{
		char filter[64];
		struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE,
					    .filter = filter,
					    .ring = LTR_RING_FTRACE };

		snprintf(filter, sizeof(filter), "common_pid == %d", (int)c.pid);
		seen.ev[1] = ltr_event__open(s, "syscalls", "sys_exit_getppid", &o);
		if (!seen.ev[1])
			fail_msg("open: %s", ltr_last_error());
	}
	assert_string_equal(ltr_session__ftrace_reader(s), reader);
	assert_int_equal(ltr_session__enable(s), 0);
	ktest_child_go(&c);
	assert_int_equal(ktest_child_wait(&c, TIMEOUT_MS), 0);
	assert_int_equal(ltr_session__disable(s), 0);
	assert_true(ltr_session__drain(s, on_sample, &seen) >= 0);
	if (seen.bad)
		fail_msg("%s", seen.why);
	total = ltr_session__lost(s, -1);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ltr_event__count(seen.ev[i], &count[i]), 0);
		assert_int_equal(count[i], (uint64_t)n);
		assert_int_equal(ltr_event__lost(seen.ev[i], &lost[i]), 0);
		/* the ring's drops, whichever event they were of */
		assert_int_equal(lost[i], total);
		assert_true(ltr_event__lost_shared(seen.ev[i]));
	}
	print_message("delivered %llu + %llu, lost %llu, counted %llu + %llu\n",
		      (unsigned long long)seen.n[0], (unsigned long long)seen.n[1],
		      (unsigned long long)total, (unsigned long long)count[0],
		      (unsigned long long)count[1]);
	assert_true(total > 0);
	assert_int_equal(seen.n[0] + seen.n[1] + total, count[0] + count[1]);
	ltr_session__free(s);
}

static int perf_fds_open(void)
{
	char path[64], link[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = '\0';
		n += !strcmp(link, "anon_inode:[perf_event]");
	}
	return n;
}

/* The child's burst, the rings read only once it is over; the loss. */
static uint64_t run_burst(struct ltr_session *s, struct ktest_child *c,
			  struct seen *seen)
{
	assert_int_equal(ltr_session__enable(s), 0);
	ktest_child_go(c);
	assert_int_equal(ktest_child_wait(c, TIMEOUT_MS), 0);
	assert_int_equal(ltr_session__disable(s), 0);
	assert_true(ltr_session__drain(s, on_sample, seen) >= 0);
	return ltr_session__lost(s, -1);
}

/*
 * A session of @so, @seen emptied, and a child to make *@n getppid calls,
 * whose pid @filter selects.
 */
static struct ltr_session *session_for_burst(const struct ltr_session_opts *so,
					     struct seen *seen,
					     struct ktest_child *c, int *n,
					     char *filter, size_t len)
{
	struct ltr_session *s = ltr_session__new(so);

	assert_non_null(s);
	memset(seen, 0, sizeof(*seen));
	assert_int_equal(ktest_child_start(c, getppid_n, n), 0);
	snprintf(filter, len, "common_pid == %d", (int)c->pid);
	return s;
}

/* Counted from its records, in a 1-page ring read only at the end. */
static void counted_from_records(void **state)
{
	struct ltr_session_opts so = { .ring_pages = 1 };
	struct ltr_session *s = ltr_session__new(&so);
	struct seen seen = { 0 };
	struct ktest_child c;
	struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE,
				    .ring = LTR_RING_FTRACE,
				    .count_records = true };
	uint64_t count[2], lost;
	char filter[64];
	int n = 20000;

	assert_non_null(s);
	assert_int_equal(ktest_child_start(&c, getppid_n, &n), 0);
	snprintf(filter, sizeof(filter), "common_pid == %d", (int)c.pid);
	o.filter = filter;
	seen.ev[0] = ltr_event__open(s, "syscalls", "sys_enter_getppid", &o);
	if (!seen.ev[0])
		fail_msg("open: %s", ltr_last_error());
	/* no perf event: the records are the count */
	assert_int_equal(perf_fds_open(), 0);
	lost = run_burst(s, &c, &seen);
	assert_int_equal(ltr_event__count(seen.ev[0], &count[0]), 0);
	print_message("alone: delivered %llu, lost %llu, count %llu\n",
		      (unsigned long long)seen.n[0], (unsigned long long)lost,
		      (unsigned long long)count[0]);
	assert_true(lost > 0);
	/* alone in the ring: its drops are its own, the count exact */
	assert_int_equal(seen.n[0] + lost, (uint64_t)n);
	assert_int_equal(count[0], (uint64_t)n);
	assert_int_equal(ltr_event__count_short(seen.ev[0], &count[1]), 0);
	assert_int_equal(count[1], 0);
	ltr_session__free(s);

	/* two events sharing the ring: each counts what it delivered */
	s = session_for_burst(&so, &seen, &c, &n, filter, sizeof(filter));
	seen.ev[0] = ltr_event__open(s, "syscalls", "sys_enter_getppid", &o);
	seen.ev[1] = ltr_event__open(s, "syscalls", "sys_exit_getppid", &o);
	assert_non_null(seen.ev[0]);
	assert_non_null(seen.ev[1]);
	lost = run_burst(s, &c, &seen);
	for (int i = 0; i < 2; i++) {
		uint64_t short_by;

		assert_int_equal(ltr_event__count(seen.ev[i], &count[i]), 0);
		assert_int_equal(count[i], seen.n[i]);
		/* short, and said so: by up to the ring's drops */
		assert_int_equal(ltr_event__count_short(seen.ev[i], &short_by),
				 0);
		assert_int_equal(short_by, lost);
		assert_true(count[i] + short_by >= (uint64_t)n);
	}
	assert_true(lost > 0);
	assert_int_equal(count[0] + count[1] + lost, 2 * (uint64_t)n);
	ltr_session__free(s);

	/* with shared_counter: the first, alone, counts its records until
	 * the second joins; then each has a perf counter, exact */
	o.shared_counter = true;
	s = session_for_burst(&so, &seen, &c, &n, filter, sizeof(filter));
	seen.ev[0] = ltr_event__open(s, "syscalls", "sys_enter_getppid", &o);
	assert_non_null(seen.ev[0]);
	assert_true(ltr_event__counts_records(seen.ev[0]));
	assert_int_equal(perf_fds_open(), 0);
	seen.ev[1] = ltr_event__open(s, "syscalls", "sys_exit_getppid", &o);
	assert_non_null(seen.ev[1]);
	assert_false(ltr_event__counts_records(seen.ev[0]));
	assert_false(ltr_event__counts_records(seen.ev[1]));
	assert_true(perf_fds_open() > 0);
	lost = run_burst(s, &c, &seen);
	assert_true(lost > 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ltr_event__count(seen.ev[i], &count[i]), 0);
		assert_int_equal(count[i], (uint64_t)n);
	}
	ltr_session__free(s);
}

static int getppid_then_wait(void *arg)
{
	int *fds = arg;
	char b;

	for (int i = 0; i < N_CALLS; i++)
		syscall(SYS_getppid);
	if (write(fds[1], "h", 1) != 1 || read(fds[0], &b, 1) != 1)
		return 2;
	for (int i = 0; i < N_CALLS; i++)
		syscall(SYS_getppid);
	return 0;
}

static char BY_COUNTER[] = "counter", BY_RECORDS[] = "records";

/*
 * Stopped halfway, its records not read yet: those of the first half are
 * delivered, those after are not, and the count has both halves.  With a
 * perf counter (@state BY_COUNTER) the records stop; counted from them
 * (BY_RECORDS) they go on, counted and not delivered, with no perf event.
 */
static void stop_sampling_keeps_count(void **state)
{
	struct ltr_session *s = ltr_session__new(NULL);
	bool by_records = *state == BY_RECORDS;
	struct seen seen = { 0 };
	struct ktest_child c;
	int half[2], resume[2], fds[2];
	uint64_t count;
	char b;

	assert_non_null(s);
	assert_int_equal(pipe(half), 0);
	assert_int_equal(pipe(resume), 0);
	fds[0] = resume[0];
	fds[1] = half[1];
	assert_int_equal(ktest_child_start(&c, getppid_then_wait, fds), 0);
	seen.ev[0] = open_getppid(s, c.pid, LTR_RING_FTRACE, 0, NULL,
				  by_records);
	if (!seen.ev[0])
		fail_msg("open: %s", ltr_last_error());
	assert_int_equal(ltr_event__counts_records(seen.ev[0]), by_records);
	assert_int_equal(perf_fds_open() == 0, by_records);
	assert_int_equal(ltr_session__enable(s), 0);
	ktest_child_go(&c);
	assert_int_equal(read(half[0], &b, 1), 1);
	assert_int_equal(ltr_event__stop_sampling(seen.ev[0]), 0);
	assert_true(ltr_event__sampling_stopped_at(seen.ev[0]) > 0);
	assert_int_equal(write(resume[1], "r", 1), 1);
	assert_int_equal(ktest_child_wait(&c, TIMEOUT_MS), 0);
	assert_int_equal(ltr_session__disable(s), 0);
	assert_true(ltr_session__drain(s, on_sample, &seen) >= 0);
	assert_int_equal(ltr_session__lost(s, -1), 0);
	assert_int_equal(seen.n[0], N_CALLS);
	assert_int_equal(ltr_event__count(seen.ev[0], &count), 0);
	assert_int_equal(count, 2 * N_CALLS);
	ltr_session__free(s);
	for (int i = 0; i < 2; i++) {
		close(half[i]);
		close(resume[i]);
	}
}

#define N_FALLBACK 20000

static int pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* N_FALLBACK getppid calls on CPU 0, whose ring the fault is on */
static int getppid_on_cpu0(void *arg)
{
	if (pin_cpu0() < 0)
		return 3;
	for (int i = 0; i < N_FALLBACK; i++)
		syscall(SYS_getppid);
	return 0;
}

/*
 * The mapping fails for CPU 0, or its Kth GET_READER does (the stand-in
 * LDEN_TEST_FTRACE, see ftrace.c): that ring is read with read() from
 * there on, the reader says so and why, and every call is delivered
 * once, in order, at its time: none twice (what the mapping delivered
 * past the kernel's count comes again, and is skipped), none lost.
 */
static void fallback_is_exact(void **state)
{
	const char *fault = *state;
	struct ltr_session *s;
	struct seen seen = { 0 };
	struct ktest_child c;
	int n = N_FALLBACK;
	uint64_t count, t1;
	const char *reader;

	assert_int_equal(setenv("LDEN_TEST_FTRACE", fault, 1), 0);
	s = ltr_session__new(NULL);
	assert_non_null(s);
	assert_int_equal(ktest_child_start(&c, getppid_on_cpu0, &n), 0);
	seen.ev[0] = open_getppid(s, c.pid, LTR_RING_FTRACE, 0, NULL, false);
	unsetenv("LDEN_TEST_FTRACE");
	if (!seen.ev[0])
		fail_msg("open: %s", ltr_last_error());
	t1 = run_polled(s, &c, &seen);
	assert_true(seen.tmax <= t1);
	reader = ltr_session__ftrace_reader(s);
	print_message("%s: reader '%s', delivered %llu\n", fault, reader,
		      (unsigned long long)seen.n[0]);
	if (kernel_maps()) {
		/* CPU 0 is read; the others, if any, mapped */
		assert_non_null(strstr(reader, ltr_session__ncpus(s) > 1 ?
						"mmap and read (CPU 0: " :
						"read (CPU 0: "));
		assert_non_null(strstr(reader, strncmp(fault, "map", 3) ?
						"GET_READER: " : "mmap: "));
	}
	assert_int_equal(ltr_event__count(seen.ev[0], &count), 0);
	assert_int_equal(count, N_FALLBACK);
	assert_int_equal(seen.n[0], N_FALLBACK);
	assert_int_equal(ltr_session__lost(s, -1), 0);
	ltr_session__free(s);
}

static char FAIL_MAP[] = "map:0", FAIL_FIRST[] = "reader:0:1",
	    FAIL_LATER[] = "reader:0:4";

/* 10 calls, a word to the parent and its answer, twice; then N_CALLS */
static int getppid_in_steps(void *arg)
{
	int *fds = arg;
	char b;

	/* the parent's ends: its end (a failed test) ends the wait */
	close(fds[2]);
	close(fds[3]);

	if (pin_cpu0() < 0)
		return 3;
	for (int step = 0; step < 2; step++) {
		for (int i = 0; i < 10; i++)
			syscall(SYS_getppid);
		if (write(fds[1], "h", 1) != 1 || read(fds[0], &b, 1) != 1)
			return 2;
	}
	for (int i = 0; i < N_CALLS; i++)
		syscall(SYS_getppid);
	return 0;
}

/* Polls until @want calls were seen (bounded). */
static void poll_until(struct ltr_session *s, struct seen *seen,
		       uint64_t want)
{
	for (int i = 0; i < TIMEOUT_MS / 10 && seen->n[0] < want; i++) {
		int rc = ltr_session__poll(s, 10, on_sample, seen);

		assert_true(rc >= 0 || rc == -EINTR);
	}
	assert_int_equal(seen->n[0], want);
}

/*
 * The hard case of the fallback: GET_READER fails (reader-ahead:0) when
 * lden has walked records in the reader sub-buffer that the kernel has
 * not counted read (written after the last call, on the sub-buffer the
 * writer is on).  read() hands them out again: skipped, with the times
 * of the rest of that sub-buffer right (in order, inside the run).
 */
static void fallback_ahead_is_exact(void **state)
{
	struct ltr_session *s;
	struct seen seen = { 0 };
	struct ktest_child c;
	int half[2], resume[2], fds[4];
	uint64_t count, t1;
	char b;

	if (!kernel_maps())
		skip();
	assert_int_equal(pipe(half), 0);
	assert_int_equal(pipe(resume), 0);
	fds[0] = resume[0];
	fds[1] = half[1];
	fds[2] = resume[1];
	fds[3] = half[0];
	assert_int_equal(setenv("LDEN_TEST_FTRACE", "reader-ahead:0", 1), 0);
	s = ltr_session__new(NULL);
	assert_non_null(s);
	assert_int_equal(ktest_child_start(&c, getppid_in_steps, fds), 0);
	seen.ev[0] = open_getppid(s, c.pid, LTR_RING_FTRACE, 0, NULL, false);
	unsetenv("LDEN_TEST_FTRACE");
	if (!seen.ev[0])
		fail_msg("open: %s", ltr_last_error());
	seen.tid = c.pid;
	seen.t0 = now_ns();
	assert_int_equal(ltr_session__enable(s), 0);
	ktest_child_go(&c);
	/* 10 on the sub-buffer the kernel handed over, then 10 more on it */
	assert_int_equal(read(half[0], &b, 1), 1);
	poll_until(s, &seen, 10);
	assert_string_equal(ltr_session__ftrace_reader(s), "mmap");
	assert_int_equal(write(resume[1], "r", 1), 1);
	assert_int_equal(read(half[0], &b, 1), 1);
	poll_until(s, &seen, 20);
	assert_non_null(strstr(ltr_session__ftrace_reader(s), "CPU 0: GET_READER: "));
	assert_int_equal(write(resume[1], "r", 1), 1);
	assert_int_equal(ktest_child_wait(&c, TIMEOUT_MS), 0);
	assert_int_equal(ltr_session__disable(s), 0);
	t1 = now_ns();
	assert_true(ltr_session__drain(s, on_sample, &seen) >= 0);
	if (seen.bad)
		fail_msg("%s", seen.why);
	assert_true(seen.tmax <= t1);
	assert_int_equal(ltr_event__count(seen.ev[0], &count), 0);
	assert_int_equal(count, 20 + N_CALLS);
	assert_int_equal(seen.n[0], 20 + N_CALLS);
	assert_int_equal(ltr_session__lost(s, -1), 0);
	ltr_session__free(s);
	for (int k = 0; k < 2; k++) {
		close(half[k]);
		close(resume[k]);
	}
}

static int few_calls_then_wait(void *arg)
{
	int *fds = arg;
	char b;

	/* the parent's ends: its end (a failed test) ends the wait */
	close(fds[2]);
	close(fds[3]);

	for (int i = 0; i < 10; i++)
		syscall(SYS_getppid);
	if (write(fds[1], "h", 1) != 1 || read(fds[0], &b, 1) != 1)
		return 2;
	return 0;
}

/*
 * A few records, in the sub-buffer the kernel is still writing: a poll
 * delivers them exactly when ltr_session__complete_until() passes them
 * (read(): not before LTR_FTRACE_LAG_MS since the last complete read;
 * mmap: at once), and polls alone, with no drain, deliver them all.
 */
static void partial_subbuf_by_poll(void **state)
{
	struct ltr_session_opts so = { 0 };
	const char *reader = reader_of(state, &so);
	struct ltr_session *s = ltr_session__new(&so);
	struct seen seen = { 0 };
	struct ktest_child c;
	int half[2], resume[2], fds[4], rc, i;
	uint64_t written;
	char b;

	assert_non_null(s);
	assert_int_equal(pipe(half), 0);
	assert_int_equal(pipe(resume), 0);
	fds[0] = resume[0];
	fds[1] = half[1];
	fds[2] = resume[1];
	fds[3] = half[0];
	assert_int_equal(ktest_child_start(&c, few_calls_then_wait, fds), 0);
	seen.ev[0] = open_getppid(s, c.pid, LTR_RING_FTRACE, 0, NULL, false);
	if (!seen.ev[0])
		fail_msg("open: %s", ltr_last_error());
	assert_string_equal(ltr_session__ftrace_reader(s), reader);
	assert_int_equal(ltr_session__enable(s), 0);
	/* read to the end: the clock of the lag starts here */
	assert_true(ltr_session__drain(s, on_sample, &seen) >= 0);
	if (!strcmp(reader, "read"))
		assert_true(ltr_session__complete_until(s) <= now_ns());
	else
		assert_true(ltr_session__complete_until(s) == UINT64_MAX);
	ktest_child_go(&c);
	assert_int_equal(read(half[0], &b, 1), 1);
	written = now_ns();
	rc = ltr_session__poll(s, 0, on_sample, &seen);
	assert_true(rc >= 0 || rc == -EINTR);
	/* all or none, as complete_until says */
	assert_int_equal(seen.n[0],
			 ltr_session__complete_until(s) >= written ? 10 : 0);
	for (i = 0; i < TIMEOUT_MS / 100 && seen.n[0] < 10; i++) {
		rc = ltr_session__poll(s, 100, on_sample, &seen);
		assert_true(rc >= 0 || rc == -EINTR);
	}
	if (seen.bad)
		fail_msg("%s", seen.why);
	assert_int_equal(seen.n[0], 10);
	assert_true(ltr_session__complete_until(s) >= seen.tmax);
	assert_true(ltr_session__complete_until(s) >= written);
	assert_int_equal(write(resume[1], "r", 1), 1);
	assert_int_equal(ktest_child_wait(&c, TIMEOUT_MS), 0);
	assert_int_equal(ltr_session__disable(s), 0);
	assert_true(ltr_session__drain(s, on_sample, &seen) >= 0);
	assert_int_equal(seen.n[0], 10);
	assert_int_equal(ltr_session__lost(s, -1), 0);
	ltr_session__free(s);
	for (int k = 0; k < 2; k++) {
		close(half[k]);
		close(resume[k]);
	}
}

static void where_it_cannot_serve(void **state)
{
	struct ltr_session *s = ltr_session__new(NULL);
	struct ltr_session_opts so = { .ring = LTR_RING_PERF };
	struct ltr_session *perf = ltr_session__new(&so);
	struct ltr_event *a, *b, *ev;
	pid_t me = getpid();

	assert_non_null(s);
	assert_non_null(perf);
	/* per task: the perf ring, counted and sampled alike */
	ev = open_getppid(s, me, LTR_RING_AUTO, me, NULL, false);
	assert_non_null(ev);
	assert_int_equal(ltr_event__ring(ev), LTR_RING_PERF);
	assert_non_null(strstr(ltr_event__ring_why(ev), "per task"));
	assert_null(open_getppid(s, me, LTR_RING_FTRACE, me, NULL, false));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(ltr_last_error(), "ftrace ring"));
	assert_non_null(strstr(ltr_last_error(), "per task"));

	/* the same tracepoint with another filter: the instance has one */
	a = open_getppid(s, me, LTR_RING_AUTO, 0, NULL, false);
	b = open_getppid(s, me, LTR_RING_AUTO, 0, " && __syscall_nr >= 0", false);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(ltr_event__ring(a), LTR_RING_FTRACE);
	assert_int_equal(ltr_event__ring(b), LTR_RING_PERF);
	assert_non_null(strstr(ltr_event__ring_why(b), "another filter"));
	assert_null(open_getppid(s, me, LTR_RING_FTRACE, 0, " && __syscall_nr > 0", false));
	/* a counting event is on no ring */
	ev = ltr_event__open(s, "syscalls", "sys_enter_getppid", NULL);
	assert_non_null(ev);
	assert_int_equal(ltr_event__ring(ev), LTR_RING_AUTO);
	assert_int_equal(ltr_event__stop_sampling(ev), -EOPNOTSUPP);

	/* the session's choice */
	ev = open_getppid(perf, me, LTR_RING_AUTO, 0, NULL, false);
	assert_non_null(ev);
	assert_int_equal(ltr_event__ring(ev), LTR_RING_PERF);
	assert_string_equal(ltr_event__ring_why(ev), "asked for");
	assert_null(ltr_session__instance(perf));
	assert_int_equal(ltr_event__stop_sampling(ev), -EOPNOTSUPP);
	ltr_session__free(perf);
	ltr_session__free(s);
}

static void stale_instances_swept(void **state)
{
	char stale[64], held[64], other[64], path[PATH_MAX];
	struct ltr_session *s;
	int lock;

	/*
	 * names of no process (ids above the kernel's pid limit, 2^22),
	 * held only by the locks below; this run's own, so that another run
	 * of this test at the same time (a second build's suite) cannot
	 * remove them under it, or leave one behind
	 */
	int base = 5000000 + 3 * (int)getpid();

	snprintf(stale, sizeof(stale), "lden_1_%d", base);
	snprintf(held, sizeof(held), "lden_1_%d", base + 1);
	snprintf(other, sizeof(other), "lden_1_%d_x", base + 2);
	{
		const char *names[] = { stale, held, other };

		for (int i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), TRACEFS "/instances/%s",
				 names[i]);
			/* (one a failed run left is as good) */
			if (mkdir(path, 0750) < 0 && errno != EEXIST)
				fail_msg("mkdir %s: %s", path, strerror(errno));
		}
	}
	/*
	 * as its owner does: a shared lock on its directory; an lden of
	 * another test sweeping meanwhile may take it before the lock (as
	 * it may take a session's newborn instance): made again then
	 */
	snprintf(path, sizeof(path), TRACEFS "/instances/%s", held);
	for (int tries = 0;; tries++) {
		assert_true(tries < 100);
		if (mkdir(path, 0750) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		lock = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (lock < 0)
			continue;
		assert_int_equal(flock(lock, LOCK_SH), 0);
		if (instance_exists(held))
			break;
		close(lock);
	}
	s = ltr_session__new(NULL);
	assert_non_null(s);
	ltr_session__free(s);
	assert_false(instance_exists(stale));
	assert_true(instance_exists(held));
	assert_true(instance_exists(other));
	close(lock);
	assert_int_equal(rmdir(path), 0);
	snprintf(path, sizeof(path), TRACEFS "/instances/%s", other);
	assert_int_equal(rmdir(path), 0);
}

static void sigterm_removes_instance(void **state)
{
	int ready[2], status;
	char name[64], b;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ltr_session *s = ltr_session__new(NULL);
		struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE,
					    .ring = LTR_RING_FTRACE };

		if (!s || !ltr_event__open(s, "syscalls", "sys_enter_getppid", &o) ||
		    ltr_session__enable(s) || ltr_session__cleanup_on_signal(s) ||
		    write(ready[1], "r", 1) != 1)
			_exit(10);
		pause();
		_exit(11);
	}
	close(ready[1]);
	/* lden_<pidns inode>_<pid>, as owner.c names it (0 without /proc) */
	snprintf(name, sizeof(name), "%s", ktest_group_of(pid));
	assert_int_equal(read(ready[0], &b, 1), 1);
	close(ready[0]);
	assert_true(instance_exists(name));
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	assert_false(instance_exists(name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(every_call_once, MMAP),
		cmocka_unit_test_prestate(every_call_once, READ),
		cmocka_unit_test_prestate(times_across_long_gaps, MMAP),
		cmocka_unit_test_prestate(times_across_long_gaps, READ),
		cmocka_unit_test_prestate(shared_loss_is_exact, MMAP),
		cmocka_unit_test_prestate(shared_loss_is_exact, READ),
		cmocka_unit_test_prestate(partial_subbuf_by_poll, MMAP),
		cmocka_unit_test_prestate(partial_subbuf_by_poll, READ),
		cmocka_unit_test_prestate(fallback_is_exact, FAIL_MAP),
		cmocka_unit_test_prestate(fallback_is_exact, FAIL_FIRST),
		cmocka_unit_test_prestate(fallback_is_exact, FAIL_LATER),
		cmocka_unit_test(fallback_ahead_is_exact),
		cmocka_unit_test_prestate(stop_sampling_keeps_count, BY_COUNTER),
		cmocka_unit_test_prestate(stop_sampling_keeps_count, BY_RECORDS),
		cmocka_unit_test(counted_from_records),
		cmocka_unit_test(where_it_cannot_serve),
		cmocka_unit_test(stale_instances_swept),
		cmocka_unit_test(sigterm_removes_instance),
	};

	ktest_require_tracing();
	if (access(TRACEFS "/instances", F_OK) < 0) {
		fprintf(stderr, "SKIP: no tracefs instances here\n");
		return KTEST_SKIP;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
