// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A child forks exactly N times; lden-trace must count exactly N forks in
 * counting mode and deliver exactly N samples in sampling mode, whatever
 * else the machine does, when scoped to the child by a kernel filter, by
 * per-task events, or by a cgroup; and that every thread of a process
 * counts (opts.threads): one alive at the open, one created after it,
 * not a child process unless inherit asks for it.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ktest.h"
#include "lden-trace.h"

#define TIMEOUT_MS 30000

static int n_forks = 50;

static uint64_t run_counted(struct ltr_event_opts *o, bool filter_on_child,
			    struct ktest_child *c, struct ltr_session **sp,
			    struct ltr_event **evp)
{
	char filter[64];
	struct ltr_session *s;
	struct ltr_event *ev;
	uint64_t count = 0;

	s = ltr_session__new(NULL);
	assert_non_null(s);
	assert_int_equal(ktest_child_start(c, ktest_fork_n, &n_forks), 0);
	if (filter_on_child) {
		/* the fork event fires in the parent: the child here */
		snprintf(filter, sizeof(filter), "common_pid == %d", (int)c->pid);
		o->filter = filter;
	}
	if (o->pid == -1)
		o->pid = c->pid;
	ev = ltr_event__open(s, "sched", "sched_process_fork", o);
	if (!ev)
		fail_msg("open: %s", ltr_last_error());
	assert_int_equal(ltr_session__enable(s), 0);
	ktest_child_go(c);
	assert_int_equal(ktest_child_wait(c, TIMEOUT_MS), 0);
	assert_int_equal(ltr_session__disable(s), 0);
	assert_int_equal(ltr_event__count(ev, &count), 0);
	*sp = s;
	*evp = ev;
	return count;
}

static void count_with_filter(void **state)
{
	struct ltr_event_opts o = { .mode = LTR_MODE_COUNT };
	struct ktest_child c;
	struct ltr_session *s;
	struct ltr_event *ev;

	assert_int_equal(run_counted(&o, true, &c, &s, &ev), n_forks);
	assert_int_equal(ltr_event__mode(ev), LTR_MODE_COUNT);
	ltr_session__free(s);
}

static void count_per_task(void **state)
{
	struct ltr_event_opts o = { .mode = LTR_MODE_COUNT, .pid = -1 };
	struct ktest_child c;
	struct ltr_session *s;
	struct ltr_event *ev;

	assert_int_equal(run_counted(&o, false, &c, &s, &ev), n_forks);
	ltr_session__free(s);
}

struct collected {
	struct ltr_event *ev;
	const struct ltr_field *parent_pid;
	const struct ltr_field *child_pid;
	int samples;
	int wrong_parent;
	int64_t last_child;
	int child_not_increasing;
	uint32_t sample_pid;
};

static int collect(const struct ltr_sample *s, void *ctx)
{
	struct collected *col = ctx;
	int64_t parent, child;

	if (s->event != col->ev)
		return 0;
	col->samples++;
	assert_int_equal(ltr_field__s64(col->parent_pid, s, &parent), 0);
	assert_int_equal(ltr_field__s64(col->child_pid, s, &child), 0);
	if (parent != (int64_t)col->sample_pid || s->pid != col->sample_pid)
		col->wrong_parent++;
	/* pids are handed out in order unless they wrap */
	if (child == col->last_child)
		col->child_not_increasing++;
	col->last_child = child;
	return 0;
}

static void sample_with_filter(void **state)
{
	struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE };
	struct collected col = { 0 };
	struct ktest_child c;
	struct ltr_session *s;
	uint64_t count;
	int n;

	count = run_counted(&o, true, &c, &s, &col.ev);
	assert_int_equal(count, n_forks);
	col.parent_pid = ltr_event__field(col.ev, "parent_pid");
	col.child_pid = ltr_event__field(col.ev, "child_pid");
	assert_non_null(col.parent_pid);
	assert_non_null(col.child_pid);
	col.sample_pid = (uint32_t)c.pid;
	n = ltr_session__drain(s, collect, &col);
	assert_true(n >= 0);
	assert_int_equal(col.samples, n_forks);
	assert_int_equal(col.wrong_parent, 0);
	assert_int_equal(col.child_not_increasing, 0);
	assert_int_equal(ltr_session__lost(s, -1), 0);
	ltr_session__free(s);
}

static void sample_per_task(void **state)
{
	struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE, .pid = -1 };
	struct collected col = { 0 };
	struct ktest_child c;
	struct ltr_session *s;

	assert_int_equal(run_counted(&o, false, &c, &s, &col.ev), n_forks);
	col.parent_pid = ltr_event__field(col.ev, "parent_pid");
	col.child_pid = ltr_event__field(col.ev, "child_pid");
	col.sample_pid = (uint32_t)c.pid;
	assert_true(ltr_session__drain(s, collect, &col) >= 0);
	assert_int_equal(col.samples, n_forks);
	assert_int_equal(col.wrong_parent, 0);
	ltr_session__free(s);
}

struct two {
	struct collected fork;
	struct ltr_event *exit_ev;
	int exits;
	bool exit_comm_ok;
};

static int collect_two(const struct ltr_sample *s, void *ctx)
{
	struct two *t = ctx;
	const char *comm;
	size_t len;

	if (s->event == t->exit_ev) {
		t->exits++;
		t->exit_comm_ok = ltr_field__str(ltr_event__field(t->exit_ev, "comm"),
						 s, &comm, &len) == 0 &&
				  len == strlen("test-count") &&
				  !memcmp(comm, "test-count", len);
		return 0;
	}
	return collect(s, &t->fork);
}

/* Two sampling events share the per-CPU rings and are told apart. */
static void two_events_one_ring(void **state)
{
	struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE };
	struct two t = { 0 };
	struct ktest_child c;
	struct ltr_session *s;
	char filter[64];

	s = ltr_session__new(NULL);
	assert_non_null(s);
	assert_int_equal(ktest_child_start(&c, ktest_fork_n, &n_forks), 0);
	snprintf(filter, sizeof(filter), "common_pid == %d", (int)c.pid);
	o.filter = filter;
	t.fork.ev = ltr_event__open(s, "sched", "sched_process_fork", &o);
	assert_non_null(t.fork.ev);
	/* the child's own exit: exactly one, its comm a char[16] */
	t.exit_ev = ltr_event__open(s, "sched", "sched_process_exit", &o);
	assert_non_null(t.exit_ev);
	assert_int_equal(ltr_session__enable(s), 0);
	ktest_child_go(&c);
	assert_int_equal(ktest_child_wait(&c, TIMEOUT_MS), 0);
	t.fork.parent_pid = ltr_event__field(t.fork.ev, "parent_pid");
	t.fork.child_pid = ltr_event__field(t.fork.ev, "child_pid");
	t.fork.sample_pid = (uint32_t)c.pid;
	assert_true(ltr_session__drain(s, collect_two, &t) >= 0);
	assert_int_equal(t.fork.samples, n_forks);
	assert_int_equal(t.exits, 1);
	assert_true(t.exit_comm_ok);
	ltr_session__free(s);
}

#define MAX_CPUS 1024

struct lean_full {
	struct collected full;
	/* the default: thread and time, the CPU the ring's */
	struct collected ring;
	int ring_flags;
	int ring_cpu[MAX_CPUS];
	struct ltr_event *lean_ev;
	const struct ltr_field *lean_parent;
	int lean, lean_wrong;
	int full_flags;
	int lean_cpu[MAX_CPUS], full_cpu[MAX_CPUS];
};

static int collect_lean_full(const struct ltr_sample *s, void *ctx)
{
	struct lean_full *t = ctx;
	int64_t parent = -1;

	if (s->cpu >= MAX_CPUS)
		fail_msg("sample of cpu %u", s->cpu);
	if (s->event == t->lean_ev) {
		t->lean++;
		t->lean_cpu[s->cpu]++;
		assert_int_equal(ltr_field__s64(t->lean_parent, s, &parent), 0);
		if (parent != (int64_t)t->full.sample_pid || s->pid || s->tid ||
		    s->time || s->flags != (LTR_SAMPLE_NO_TGID |
					    LTR_SAMPLE_NO_TID |
					    LTR_SAMPLE_NO_TIME))
			t->lean_wrong++;
		return 0;
	}
	if (s->event == t->ring.ev) {
		t->ring_cpu[s->cpu]++;
		if (s->flags || !s->time)
			t->ring_flags++;
		return collect(s, &t->ring);
	}
	if (s->event == t->full.ev) {
		t->full_cpu[s->cpu]++;
		if (s->flags || !s->time)
			t->full_flags++;
	}
	return collect(s, &t->full);
}

/*
 * A size-only event (opts.size_only: samples of the raw record alone,
 * no thread, no time), one as trace, top and io open them (thread and
 * time, the CPU its ring's) and a full one (opts.sample_cpu: the CPU
 * written by the kernel) on the same hits, in the same perf rings: each
 * record is read as its own event's sample_type says, the others'
 * fields, thread and CPU as exact as the full ones'.
 */
static void lean_and_full_one_ring(void **state)
{
	struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE,
				    .ring = LTR_RING_PERF };
	static struct lean_full t;
	struct ktest_child c;
	struct ltr_session *s;
	uint64_t count = 0;
	char filter[64];

	memset(&t, 0, sizeof(t));
	s = ltr_session__new(NULL);
	assert_non_null(s);
	assert_int_equal(ktest_child_start(&c, ktest_fork_n, &n_forks), 0);
	snprintf(filter, sizeof(filter), "common_pid == %d", (int)c.pid);
	o.filter = filter;
	o.size_only = true;
	t.lean_ev = ltr_event__open(s, "sched", "sched_process_fork", &o);
	if (!t.lean_ev)
		fail_msg("open: %s", ltr_last_error());
	o.size_only = false;
	t.ring.ev = ltr_event__open(s, "sched", "sched_process_fork", &o);
	if (!t.ring.ev)
		fail_msg("open: %s", ltr_last_error());
	o.sample_cpu = true;
	t.full.ev = ltr_event__open(s, "sched", "sched_process_fork", &o);
	if (!t.full.ev)
		fail_msg("open: %s", ltr_last_error());
	assert_int_equal(ltr_event__ring(t.lean_ev), LTR_RING_PERF);
	/* the kernel writes no CPU for the default, one for sample_cpu */
	assert_int_equal(ltr_event__sample_type(t.ring.ev) & PERF_SAMPLE_CPU,
			 0);
	assert_int_not_equal(ltr_event__sample_type(t.full.ev) &
			     PERF_SAMPLE_CPU, 0);
	assert_int_equal(ltr_session__enable(s), 0);
	ktest_child_go(&c);
	assert_int_equal(ktest_child_wait(&c, TIMEOUT_MS), 0);
	assert_int_equal(ltr_session__disable(s), 0);
	t.lean_parent = ltr_event__field(t.lean_ev, "parent_pid");
	assert_non_null(t.lean_parent);
	t.full.parent_pid = ltr_event__field(t.full.ev, "parent_pid");
	t.full.child_pid = ltr_event__field(t.full.ev, "child_pid");
	t.full.sample_pid = (uint32_t)c.pid;
	t.ring.parent_pid = ltr_event__field(t.ring.ev, "parent_pid");
	t.ring.child_pid = ltr_event__field(t.ring.ev, "child_pid");
	t.ring.sample_pid = (uint32_t)c.pid;
	assert_true(ltr_session__drain(s, collect_lean_full, &t) >= 0);
	assert_int_equal(t.lean, n_forks);
	assert_int_equal(t.lean_wrong, 0);
	assert_int_equal(t.full.samples, n_forks);
	assert_int_equal(t.full.wrong_parent, 0);
	assert_int_equal(t.full_flags, 0);
	/* the lean records' CPU is their ring's: the full ones say it too */
	assert_memory_equal(t.lean_cpu, t.full_cpu, sizeof(t.lean_cpu));
	assert_int_equal(t.ring.samples, n_forks);
	assert_int_equal(t.ring.wrong_parent, 0);
	assert_int_equal(t.ring_flags, 0);
	assert_memory_equal(t.ring_cpu, t.full_cpu, sizeof(t.ring_cpu));
	assert_int_equal(ltr_event__count(t.lean_ev, &count), 0);
	assert_int_equal(count, n_forks);
	assert_int_equal(ltr_session__lost(s, -1), 0);
	ltr_session__free(s);
}

static char cgroup_dir[256];

static int cgroup_setup(void **state)
{
	const char *root = "/sys/fs/cgroup/unified";
	struct stat st;

	if (stat(root, &st) != 0)
		root = "/sys/fs/cgroup";
	snprintf(cgroup_dir, sizeof(cgroup_dir), "%s/lden-test-%d", root,
		 (int)getpid());
	if (mkdir(cgroup_dir, 0755) < 0) {
		cgroup_dir[0] = '\0';
		return 0;
	}
	return 0;
}

static int cgroup_teardown(void **state)
{
	if (cgroup_dir[0])
		rmdir(cgroup_dir);
	return 0;
}

static void count_in_cgroup(void **state)
{
	struct ltr_event_opts o = { .mode = LTR_MODE_COUNT };
	struct ltr_session *s;
	struct ltr_event *ev;
	struct ktest_child c;
	char procs[300];
	uint64_t count;
	FILE *f;

	if (!cgroup_dir[0])
		skip();
	s = ltr_session__new(NULL);
	assert_non_null(s);
	o.cgroup = cgroup_dir;
	ev = ltr_event__open(s, "sched", "sched_process_fork", &o);
	if (!ev && errno == EBADF) {
		/* perf_event controller not on this hierarchy */
		ltr_session__free(s);
		skip();
	}
	if (!ev)
		fail_msg("open: %s", ltr_last_error());
	assert_int_equal(ktest_child_start(&c, ktest_fork_n, &n_forks), 0);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup_dir);
	f = fopen(procs, "we");
	assert_non_null(f);
	fprintf(f, "%d\n", (int)c.pid);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(ltr_session__enable(s), 0);
	ktest_child_go(&c);
	assert_int_equal(ktest_child_wait(&c, TIMEOUT_MS), 0);
	assert_int_equal(ltr_event__count(ev, &count), 0);
	assert_int_equal(count, n_forks);
	ltr_session__free(s);
}

/* --- every thread of a process: this one ------------------------------ */

#define EARLY_CALLS 30
#define LATER_CALLS 12
#define CHILD_CALLS 5

struct calls {
	int n;
	int gate;	/* read end of a pipe: a byte, then the calls; or -1 */
};

static void *make_calls(void *arg)
{
	struct calls *c = arg;
	char b;

	if (c->gate >= 0 && read(c->gate, &b, 1) != 1)
		return NULL;
	for (int i = 0; i < c->n; i++)
		syscall(SYS_getppid);
	return NULL;
}

static int count_sample(const struct ltr_sample *sample, void *ctx)
{
	(void)sample;
	(*(uint64_t *)ctx)++;
	return 0;
}

/*
 * This process's getppid calls, every thread of it: EARLY_CALLS by a
 * thread alive at the open, LATER_CALLS by one created after it,
 * CHILD_CALLS by a child process.  Returns the count; *@delivered the
 * samples (sampling mode), *@s the session (to free).
 */
static uint64_t thread_calls(enum ltr_mode mode, bool inherit,
			     uint64_t *delivered, struct ltr_session **sp)
{
	struct ltr_session_opts so = { .ring = LTR_RING_PERF };
	struct ltr_event_opts o = {
		.mode = mode, .pid = getpid(), .threads = true,
		.inherit = inherit,
	};
	struct calls early = { EARLY_CALLS, -1 }, later = { LATER_CALLS, -1 };
	struct ltr_session *s;
	struct ltr_event *ev;
	pthread_t t;
	uint64_t count = 0;
	int gate[2], status;
	pid_t child;

	*delivered = 0;
	assert_int_equal(pipe(gate), 0);
	early.gate = gate[0];
	assert_int_equal(pthread_create(&t, NULL, make_calls, &early), 0);
	s = ltr_session__new(&so);
	assert_non_null(s);
	ev = ltr_event__open(s, "syscalls", "sys_enter_getppid", &o);
	if (!ev)
		fail_msg("open: %s", ltr_last_error());
	assert_int_equal(ltr_session__enable(s), 0);
	assert_int_equal(write(gate[1], "g", 1), 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(pthread_create(&t, NULL, make_calls, &later), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		for (int i = 0; i < CHILD_CALLS; i++)
			syscall(SYS_getppid);
		_exit(0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	close(gate[0]);
	close(gate[1]);
	assert_true(ltr_session__settle(s, TIMEOUT_MS, count_sample,
					delivered) >= 0);
	assert_int_equal(ltr_event__count(ev, &count), 0);
	*sp = s;
	return count;
}

static void count_threads(void **state)
{
	struct ltr_session *s;
	uint64_t got;

	assert_int_equal(thread_calls(LTR_MODE_COUNT, false, &got, &s),
			 EARLY_CALLS + LATER_CALLS);
	assert_true(ltr_session__supports(s, LTR_FEATURE_INHERIT_THREAD, NULL));
	ltr_session__free(s);
}

static void sample_threads(void **state)
{
	struct ltr_session *s;
	uint64_t got;

	/* the later thread's samples go to the ring of the event it copies */
	assert_int_equal(thread_calls(LTR_MODE_SAMPLE, false, &got, &s),
			 EARLY_CALLS + LATER_CALLS);
	assert_int_equal(got, EARLY_CALLS + LATER_CALLS);
	assert_int_equal(ltr_session__unarrived(s), 0);
	assert_int_equal(ltr_session__lost(s, -1), 0);
	ltr_session__free(s);
}

static void sample_threads_children(void **state)
{
	struct ltr_session *s;
	uint64_t got;

	assert_int_equal(thread_calls(LTR_MODE_SAMPLE, true, &got, &s),
			 EARLY_CALLS + LATER_CALLS + CHILD_CALLS);
	assert_int_equal(got, EARLY_CALLS + LATER_CALLS + CHILD_CALLS);
	assert_int_equal(ltr_session__unarrived(s), 0);
	ltr_session__free(s);
}

/* a kernel before 5.13 (stood in for): the threads alive at the open */
static void count_threads_no_inherit_thread(void **state)
{
	struct ltr_session *s;
	const char *why;
	uint64_t got;

	setenv("LDEN_TEST_NO_INHERIT_THREAD", "1", 1);
	assert_int_equal(thread_calls(LTR_MODE_COUNT, false, &got, &s),
			 EARLY_CALLS);
	unsetenv("LDEN_TEST_NO_INHERIT_THREAD");
	assert_false(ltr_session__supports(s, LTR_FEATURE_INHERIT_THREAD,
					   &why));
	assert_string_equal(why, "threads created after start are not counted: the kernel lacks inherit_thread (Linux 5.13)");
	ltr_session__free(s);
}

/*
 * Many system-wide counters a CPU, read at once (read groups): eleven
 * syscalls, each counted by one event and sampled by another, all
 * filtered on this process, called a known and different number of times
 * on each CPU.  Held (ltr_session__hold_counters()), every count is
 * exact and of the moment of the hold (calls made while held do not
 * show until the release); read one by one afterwards, the same.  A
 * member read as another's (a mix-up of ids) or a group not read would
 * show as a wrong count or a count that moved while held.
 */
static const long grouped_nr[] = {
	SYS_getppid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid,
	SYS_gettid, SYS_getpgrp, SYS_sched_yield, SYS_getpid, SYS_getsid,
	SYS_times,
};
static const char *const grouped_tp[] = {
	"sys_enter_getppid", "sys_enter_getuid", "sys_enter_geteuid",
	"sys_enter_getgid", "sys_enter_getegid", "sys_enter_gettid",
	"sys_enter_getpgrp", "sys_enter_sched_yield", "sys_enter_getpid",
	"sys_enter_getsid", "sys_enter_times",
};
#define GROUPED_N (int)(sizeof(grouped_nr) / sizeof(grouped_nr[0]))

/* Calls of syscall @j on the CPU of index @c: all different. */
static int grouped_calls(int j, int c)
{
	return 3 + 7 * j + 101 * c;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	assert_int_equal(sched_setaffinity(0, sizeof(set), &set), 0);
}

static void call_all(int ncpus, const int *cpus, int times)
{
	for (int c = 0; c < ncpus; c++) {
		pin(cpus[c]);
		for (int j = 0; j < GROUPED_N; j++)
			for (int k = 0; k < times * grouped_calls(j, c); k++)
				syscall(grouped_nr[j], 0, 0, 0);
	}
}

/*
 * @grouped: in read groups, or each counter read on its own
 * (LDEN_TEST_NO_READ_GROUP); @old: on "a kernel before 6.0", which
 * refuses PERF_FORMAT_LOST (LDEN_TEST_NO_FORMAT_LOST, for every open).
 */
static void counts_grouped_on(bool grouped, bool old)
{
	struct ltr_event *cnt[GROUPED_N], *smp[GROUPED_N];
	uint64_t want = 0, got, lost;
	cpu_set_t was;
	char filter[64];
	struct ltr_session *s;
	int cpus[2], ncpus = 0;

	assert_int_equal(sched_getaffinity(0, sizeof(was), &was), 0);
	for (int c = 0; c < CPU_SETSIZE && ncpus < 2; c++)
		if (CPU_ISSET(c, &was))
			cpus[ncpus++] = c;
	if (!grouped)
		setenv("LDEN_TEST_NO_READ_GROUP", "1", 1);
	if (old)
		setenv("LDEN_TEST_NO_FORMAT_LOST", "1", 1);
	s = ltr_session__new(NULL);
	unsetenv("LDEN_TEST_NO_READ_GROUP");
	assert_non_null(s);
	snprintf(filter, sizeof(filter), "common_pid == %d", (int)getpid());
	for (int j = 0; j < GROUPED_N; j++) {
		struct ltr_event_opts c = { .mode = LTR_MODE_COUNT,
					    .filter = filter };
		struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE,
					    .filter = filter,
					    .ring = LTR_RING_PERF };

		cnt[j] = ltr_event__open(s, "syscalls", grouped_tp[j], &c);
		smp[j] = ltr_event__open(s, "syscalls", grouped_tp[j], &o);
		if (!cnt[j] || !smp[j])
			fail_msg("open %s: %s", grouped_tp[j], ltr_last_error());
	}
	unsetenv("LDEN_TEST_NO_FORMAT_LOST");
	assert_int_equal(ltr_session__supports(s, LTR_FEATURE_LOST_COUNTERS,
					       NULL), !old);
	assert_int_equal(ltr_session__enable(s), 0);
	call_all(ncpus, cpus, 1);
	assert_int_equal(ltr_session__hold_counters(s), 0);
	/* not seen while held; without groups, read afresh: seen */
	call_all(ncpus, cpus, 1);
	for (int j = 0; j < GROUPED_N; j++) {
		want = 0;
		for (int c = 0; c < ncpus; c++)
			want += (grouped ? 1 : 2) * grouped_calls(j, c);
		assert_int_equal(ltr_event__count(cnt[j], &got), 0);
		assert_int_equal(got, want);
		assert_int_equal(ltr_event__count(smp[j], &got), 0);
		assert_int_equal(got, want);
		/* before 6.0 no per-event count: said, not a silent 0 */
		assert_int_equal(ltr_event__lost(smp[j], &lost),
				 old ? -EOPNOTSUPP : 0);
		assert_int_equal(lost, 0);
	}
	ltr_session__release_counters(s);
	assert_int_equal(ltr_session__disable(s), 0);
	assert_int_equal(sched_setaffinity(0, sizeof(was), &was), 0);
	for (int j = 0; j < GROUPED_N; j++) {
		want = 0;
		for (int c = 0; c < ncpus; c++)
			want += 2 * grouped_calls(j, c);
		assert_int_equal(ltr_event__count(cnt[j], &got), 0);
		assert_int_equal(got, want);
		assert_int_equal(ltr_event__count(smp[j], &got), 0);
		assert_int_equal(got, want);
	}
	ltr_session__free(s);
}

static void counts_grouped(bool grouped)
{
	counts_grouped_on(grouped, false);
}

static void count_many_grouped(void **state)
{
	counts_grouped(true);
}

/*
 * Before 6.0 (no PERF_FORMAT_LOST): the same numbers, the sampled events
 * in the groups too (their leaders without lost counts), held with the
 * rest: the sampled ones were read afresh while held, and the first
 * sampled event's first CPU even so once the leaders had given up the
 * lost counts (it was opened before them).
 */
static void count_many_grouped_before_6_0(void **state)
{
	counts_grouped_on(true, true);
}

static void count_many_ungrouped_before_6_0(void **state)
{
	counts_grouped_on(false, true);
}

/*
 * An EINVAL that is not PERF_FORMAT_LOST's: an event joining the group
 * of one of another scope (the kernel groups events of one context).
 * It dropped PERF_FORMAT_LOST for the whole session: the events opened
 * with it were then read with a value too few ("cannot read the counter
 * ...: No space left on device") and said to have no lost counts.
 */
static void unrelated_einval_keeps_lost_counts(void **state)
{
	struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE,
				    .ring = LTR_RING_PERF };
	struct ltr_event_opts b = { .mode = LTR_MODE_SAMPLE,
				    .ring = LTR_RING_PERF };
	struct ltr_session *s = ltr_session__new(NULL);
	struct ltr_event *a;
	char filter[64];
	uint64_t got, lost = 1;

	assert_non_null(s);
	snprintf(filter, sizeof(filter), "common_pid == %d", (int)getpid());
	o.filter = filter;
	a = ltr_event__open(s, "syscalls", "sys_enter_getppid", &o);
	if (!a)
		fail_msg("open: %s", ltr_last_error());
	/* this task alone, in the group of a system-wide event: EINVAL */
	b.pid = getpid();
	b.group = a;
	assert_null(ltr_event__open(s, "syscalls", "sys_enter_getuid", &b));
	assert_true(ltr_session__supports(s, LTR_FEATURE_LOST_COUNTERS,
					  NULL));
	assert_int_equal(ltr_session__enable(s), 0);
	for (int k = 0; k < 37; k++)
		syscall(SYS_getppid);
	assert_int_equal(ltr_session__disable(s), 0);
	assert_int_equal(ltr_event__count(a, &got), 0);
	assert_int_equal(got, 37);
	assert_int_equal(ltr_event__lost(a, &lost), 0);
	assert_int_equal(lost, 0);
	ltr_session__free(s);
}

/*
 * The same, every counter read on its own (no groups): the same numbers,
 * read afresh while "held"
 */
static void count_many_ungrouped(void **state)
{
	counts_grouped(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(count_with_filter),
		cmocka_unit_test(count_per_task),
		cmocka_unit_test(sample_with_filter),
		cmocka_unit_test(sample_per_task),
		cmocka_unit_test(two_events_one_ring),
		cmocka_unit_test(lean_and_full_one_ring),
		cmocka_unit_test_setup_teardown(count_in_cgroup, cgroup_setup,
						cgroup_teardown),
		cmocka_unit_test(count_threads),
		cmocka_unit_test(sample_threads),
		cmocka_unit_test(sample_threads_children),
		cmocka_unit_test(count_threads_no_inherit_thread),
		cmocka_unit_test(count_many_grouped),
		cmocka_unit_test(count_many_ungrouped),
		cmocka_unit_test(count_many_grouped_before_6_0),
		cmocka_unit_test(count_many_ungrouped_before_6_0),
		cmocka_unit_test(unrelated_einval_keeps_lost_counts),
	};

	ktest_require_tracing();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
