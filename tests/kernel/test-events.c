// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every catalog event against the live kernel: resolved with
 * lden_resolve(), attached with lden_attach(), and checked against a
 * workload that causes a known number of occurrences or bytes.
 *
 * Where the event fires in the workload's own process context, the events
 * are scoped to the child process and its descendants (so nothing else on
 * the machine can change the count) and the count is exact, or bounded
 * below by what the workload must cause.  Where it fires elsewhere (interrupts,
 * block requests issued by kworkers, writeback in the flusher thread)
 * the events are system-wide, narrowed by a kernel filter where
 * a field allows, and asserted at least the workload's share and below a
 * sane ceiling.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "evtest.h"
#include "kallsyms.h"
#include "lden-trace.h"
#include "resolve.h"

/* ------------------------------------------------------------------ */
/* Workloads, run in the child */

static int work_exec(void *arg)
{
	const char *const *argv = arg;	/* { path, n } */
	int n = atoi(argv[1]);

	for (int i = 0; i < n; i++) {
		int st;
		pid_t p = fork();

		if (p < 0)
			return 1;
		if (p == 0) {
			execl(argv[0], "true", (char *)NULL);
			_exit(127);
		}
		if (waitpid(p, &st, 0) != p || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			return 2;
	}
	/* failed execs are not programs executed */
	for (int i = 0; i < n; i++)
		if (execl("/nonexistent/lden-test", "x", (char *)NULL) == 0)
			return 3;
	return 0;
}

struct open_work {
	int n;
	const char *created;	/* a file for creat(), in the test's dir */
};

static int work_open(void *arg)
{
	const struct open_work *w = arg;
	int n = w->n;

	for (int i = 0; i < n; i++) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return 1;
		close(fd);
		/* a failed open is an open system call too */
		if (open("/nonexistent/lden-test", O_RDONLY | O_CLOEXEC) >= 0)
			return 2;
	}
#ifdef SYS_open
	for (int i = 0; i < n; i++) {
		int fd = (int)syscall(SYS_open, "/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return 3;
		close(fd);
	}
#endif
	for (int i = 0; i < n; i++) {
		int fd = creat(w->created, 0600);

		if (fd < 0)
			return 5;
		close(fd);
	}
#ifdef SYS_openat2
	for (int i = 0; i < n; i++) {
		struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };
		int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/dev/null", &how,
				      sizeof(how));

		if (fd < 0)
			return 4;
		close(fd);
	}
#endif
	return 0;
}

static int work_kill(void *arg)
{
	int n = *(int *)arg, p[2], st;
	pid_t sib;
	char b;

	for (int i = 0; i < n; i++)
		if (kill(getpid(), 0) < 0)
			return 1;
	/* and one real signal, to a child of its own blocked on a pipe */
	if (pipe2(p, O_CLOEXEC) < 0)
		return 2;
	sib = fork();
	if (sib < 0)
		return 3;
	if (sib == 0) {
		close(p[1]);
		_exit(read(p[0], &b, 1) == 0 ? 0 : 1);
	}
	close(p[0]);
	if (kill(sib, SIGKILL) < 0)
		return 4;
	if (waitpid(sib, &st, 0) != sib || !WIFSIGNALED(st))
		return 5;
	close(p[1]);
	return 0;
}

/* The kernel's count of this task's voluntary switches; -1 if unknown. */
static long long voluntary_switches(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long long n = -1;

	if (!f)
		return -1;
	while (n < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %lld", &n) != 1)
			n = -1;
	fclose(f);
	return n;
}

struct sleeps {
	int n;
	long long switched;	/* voluntary switches while it slept */
};

/*
 * Sleeps n times, and says how often it was switched out to sleep, as the
 * kernel counted (a sleep whose time ran out before the task got to
 * schedule() does not switch: under qemu's emulation, some of 200 us)
 */
static int work_sleep(void *arg)
{
	struct sleeps *w = arg;
	long long before = voluntary_switches();

	for (int i = 0; i < w->n; i++) {
		struct timespec ts = { .tv_nsec = 200000 };

		if (nanosleep(&ts, NULL) < 0)
			return 1;
	}
	w->switched = voluntary_switches() - before;
	return before < 0 ? 2 : 0;
}

#define XATTR_SIZE 3001		/* odd, so a filter on it is selective */
#define XATTR_N 64

/* setxattr copies the value into a kmalloc'ed buffer (vmemdup_user). */
static int work_xattr(void *arg)
{
	static char value[XATTR_SIZE];
	int fd = open(arg, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return 1;
	memset(value, 'v', sizeof(value));
	for (int i = 0; i < XATTR_N; i++)
		if (fsetxattr(fd, "user.lden_test", value, sizeof(value), 0) < 0)
			return 2;
	close(fd);
	return 0;
}

#define TOUCH_PAGES 2048
#define LRU_BATCH 31	/* FOLIO_BATCH_SIZE */

/* Faults in TOUCH_PAGES fresh pages one by one, then frees them. */
static int work_touch(void *arg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = TOUCH_PAGES * page;
	cpu_set_t cpus;
	char *m;

	(void)arg;
	/*
	 * One CPU: a page faulted in is queued in that CPU's LRU-add batch
	 * (31 pages), which holds a reference; a page still queued when it
	 * is unmapped is freed later, by whichever task drains the batch.
	 * Pinned, at most one batch of the child's pages escapes it.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus) < 0)
		return 4;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	/*
	 * base pages only: with THP a fault could take 2 MiB at once (a
	 * kernel without THP refuses the advice, EINVAL, and nobpf has no
	 * madvise at all, ENOSYS)
	 */
	if (madvise(m, len, MADV_NOHUGEPAGE) < 0 && errno != EINVAL &&
	    errno != ENOSYS)
		return 2;
	for (size_t i = 0; i < len; i += page)
		m[i] = 1;
	if (munmap(m, len) < 0)
		return 3;
	return 0;
}

#define MSG_N 40
#define MSG_SIZE 3001
/* sizeof(struct msg_msg) on 64-bit: the header kmalloc'ed with the text */
#define MSG_HEADER 48

/*
 * System V messages: msgsnd kmallocs a header and the text at once,
 * msgrcv frees it (free_msg) in the same process; sizes all known.
 */
static int work_msg(void *arg)
{
	struct { long type; char text[MSG_SIZE]; } m = { .type = 1 };
	int q = msgget(IPC_PRIVATE, 0600), rc = 0;

	(void)arg;
	if (q < 0)
		return 1;
	memset(m.text, 'm', sizeof(m.text));
	for (int i = 0; i < MSG_N && !rc; i++)
		if (msgsnd(q, &m, MSG_SIZE, 0) < 0 ||
		    msgrcv(q, &m, MSG_SIZE, 0, 0) != MSG_SIZE)
			rc = 2;
	msgctl(q, IPC_RMID, NULL);
	return rc;
}

#define CHUNK 65536

/* Reads the whole file through the page cache in CHUNK-byte reads. */
static int work_read(void *arg)
{
	static char buf[CHUNK];
	int fd = open(arg, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return n < 0 ? 2 : 0;
}

#define WB_BYTES (4 * MIB)

/* Buffered writes, then syncfs(): the flusher writes the pages back. */
static int work_write_syncfs(void *arg)
{
	static char buf[CHUNK];
	int fd = open(arg, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return 1;
	memset(buf, 'w', sizeof(buf));
	for (uint64_t done = 0; done < WB_BYTES; done += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return 2;
	if (syncfs(fd) < 0)
		return 3;
	close(fd);
	return 0;
}

#define DIO_BYTES MIB

static int direct_io(const char *path, bool do_write)
{
	void *buf;
	int fd, rc = 0;
	ssize_t n;

	if (posix_memalign(&buf, 4096, DIO_BYTES))
		return 10;
	memset(buf, 'd', DIO_BYTES);
	fd = open(path, (do_write ? O_WRONLY : O_RDONLY) | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return 11;
	}
	n = do_write ? pwrite(fd, buf, DIO_BYTES, 0) : pread(fd, buf, DIO_BYTES, 0);
	if (n != (ssize_t)DIO_BYTES)
		rc = 12;
	else if (do_write && fsync(fd) < 0)
		rc = 13;
	close(fd);
	free(buf);
	return rc;
}

/* O_DIRECT: 1 MiB written (and fsync'ed), then read back. */
static int work_direct_write_read(void *arg)
{
	int rc = direct_io(arg, true);

	return rc ? rc : direct_io(arg, false);
}

static int work_direct_read(void *arg)
{
	return direct_io(arg, false);
}

#define OOM_TOUCH (200 * MIB)
#define OOM_LIMIT (32 * MIB)

/* Touches far more than the memory cgroup allows: the OOM killer ends it. */
static int work_oom(void *arg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *m;

	(void)arg;
	m = mmap(NULL, OOM_TOUCH, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < OOM_TOUCH; i += page)
		m[i] = 1;
	return 2;	/* survived: the limit did not hold */
}

/* ------------------------------------------------------------------ */
/* Files the workloads use, made before the events are attached */

/*
 * Writes @bytes around the page cache (O_DIRECT), so that none of the
 * file is cached (evicting it afterwards takes fadvise, which nobpf has
 * not: ENOSYS).
 */
static int write_file(const char *path, uint64_t bytes)
{
	void *buf;
	int fd, rc = 0;

	if (posix_memalign(&buf, 4096, CHUNK))
		return -1;
	memset(buf, 'f', CHUNK);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_DIRECT,
		  0600);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	for (uint64_t done = 0; done < bytes && rc == 0; done += CHUNK)
		if (write(fd, buf, CHUNK) != CHUNK)
			rc = -1;
	if (rc == 0 && fsync(fd) < 0)
		rc = -1;
	close(fd);
	free(buf);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Tests */

/* Every event resolves here; sized ones compile their size against the
 * live format; the others refuse size(). */
static void all_events_attach(void **state)
{
	struct fx *f = *state;

	assert_int_equal(evt_cat.ndefs, 23);
	for (int i = 0; i < evt_cat.ndefs; i++) {
		const struct lden_event_def *d = &evt_cat.defs[i];
		struct lden_resolution r;
		struct lden_attached a;
		char err[1024], want[600];

		if (lden_resolve(f->k, d, &r) < 0)
			fail_msg("%s does not resolve: %s (%s)", d->name,
				 r.reason, r.tried);
		/*
		 * 6.18 has a tracepoint for every event; older kernels (the
		 * qemu matrix) fall back to kprobes for some
		 */
		print_message("%-28s %s\n", d->name, r.source_text);
		if (!ltr_session__supports(f->s, LTR_FEATURE_KPROBES, NULL)) {
			assert_int_equal(r.src->kind, LDEN_SRC_TRACEPOINT);
			assert_ptr_equal(r.src, &d->srcs[0]);
		}
		if (lden_attach(f->s, &r, false, NULL, NULL, &a, err,
				sizeof(err)) < 0)
			fail_msg("counting %s: %s", d->name, err);
		assert_false(a.sampling);
		assert_true(a.nparts >= 1);
		lden_attached__release(&a);
		if (r.has_size) {
			if (lden_attach(f->s, &r, true, NULL, NULL, &a, err,
					sizeof(err)) < 0)
				fail_msg("sampling %s: %s", d->name, err);
			/* sampled, or summed in the kernel (hist triggers) */
			assert_true(a.sampling || a.size_in_kernel);
			print_message("%-28s size %s\n", d->name,
				      a.size_in_kernel ? "in the kernel" : "sampled");
			/* sized parts; a joined size's own part has its key */
			for (int p = 0; p < a.nparts; p++)
				assert_true(a.parts[p].size ||
					    (a.join && a.parts[p].key));
			lden_attached__release(&a);
			continue;
		}
		assert_int_equal(lden_attach(f->s, &r, true, NULL, NULL, &a, err,
					     sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s has no size on this kernel (source: %s)",
			 d->name, r.source_text);
		assert_string_equal(err, want);
	}
}

static void size_refused(void **state)
{
	struct fx *f = *state;
	const struct lden_event_def *d = lden_catalog__find(&evt_cat, "task.create");
	struct lden_resolution r;
	struct lden_attached a;
	char err[512];

	assert_non_null(d);
	assert_int_equal(lden_resolve(f->k, d, &r), 0);
	assert_false(r.has_size);
	assert_int_equal(lden_attach(f->s, &r, true, NULL, NULL, &a, err,
				     sizeof(err)), -1);
	assert_string_equal(err, "task.create has no size on this kernel (source: tracepoint sched:sched_process_fork)");
	assert_int_equal(a.nparts, 0);
}

static void task_create(void **state)
{
	struct fx *f = *state;
	struct lden_attached a;
	int n = 25;

	evt_start_child(f, ktest_fork_n, &n);
	evt_attach(f, "task.create", false, NULL, f->child.pid, &a, NULL);
	assert_int_equal(evt_run(f), 0);
	evt_exactly(&a, "count (25 forks)", evt_count(&a), n);
}

static void task_exec(void **state)
{
	struct fx *f = *state;
	const char *argv[2] = { "/bin/true", "20" };
	struct lden_attached a;

	if (access(argv[0], X_OK) < 0)
		argv[0] = "/usr/bin/true";
	evt_start_child(f, work_exec, argv);
	evt_attach(f, "task.exec", false, NULL, f->child.pid, &a, NULL);
	assert_int_equal(evt_run(f), 0);
	evt_exactly(&a, "count (20 execs, 20 failed)", evt_count(&a), 20);
}

/* this run's name for the exits of task_exit's child and its children */
static char exit_comm[16];

/* The child names itself so that its exits, and its children's, can be
 * told apart by the kernel filter. */
static int named_fork_n(void *arg)
{
	if (prctl(PR_SET_NAME, exit_comm, 0, 0, 0) < 0)
		return 1;
	return ktest_fork_n(arg);
}

static void task_exit(void **state)
{
	struct fx *f = *state;
	struct lden_attached a;
	char filter[64];
	int n = 25;

	/* per run: other runs of this test on the machine use the name too */
	snprintf(exit_comm, sizeof(exit_comm), "lx-%d", (int)getpid());
	evt_start_child(f, named_fork_n, &n);
	/*
	 * System-wide with a filter on the name rather than per task: older
	 * kernels (6.1) detach a task's inherited perf events before the exit
	 * tracepoint fires, so per-task counting sees no exits there.
	 */
	snprintf(filter, sizeof(filter), "comm == \"%s\"", exit_comm);
	evt_attach(f, "task.exit", false, filter, 0, &a, NULL);
	assert_int_equal(evt_run(f), 0);
	/* the 25 grandchildren, and the child itself */
	evt_exactly(&a, "count (25 children + itself)", evt_count(&a), n + 1);
}

static void task_switch(void **state)
{
	struct fx *f = *state;
	struct sleeps *w = evt_shared(sizeof(*w));
	struct lden_attached all, slept;
	char filter[96];

	w->n = 100;
	evt_start_child(f, work_sleep, w);
	evt_attach(f, "task.switch", false, NULL, f->child.pid, &all, NULL);
	/*
	 * voluntary: asleep (S, D...), not preempted (TASK_REPORT_MAX,
	 * 256) nor idle (128)
	 */
	snprintf(filter, sizeof(filter),
		 "prev_pid == %d && prev_state > 0 && prev_state < 128",
		 (int)f->child.pid);
	evt_attach(f, "task.switch", false, filter, f->child.pid, &slept, NULL);
	assert_int_equal(evt_run(f), 0);
	assert_true(w->switched > 0);
	evt_exactly(&slept, "count [voluntary] (100 sleeps; /proc's count)",
		    evt_count(&slept), (uint64_t)w->switched);
	/* preemption adds some, another scheduler's whim: not another n */
	evt_in_range(&all, "count (100 sleeps, preemptions)", evt_count(&all),
		     (uint64_t)w->switched, 2 * w->n);
	munmap(w, sizeof(*w));
}

static bool tp_present(const struct lden_resolution *r, const char *name)
{
	for (int t = 0; t < r->src->ntps; t++)
		if (!strcmp(r->src->tps[t].name, name))
			return r->tp_present[t];
	return false;
}

static void sys_open(void **state)
{
	struct fx *f = *state;
	struct open_work w = { .n = 30, .created = evt_temp_file(f, "creat") };
	struct lden_resolution r;
	struct lden_attached a;
	/* openat: n that work, n that fail; creat */
	uint64_t want = 3 * w.n;

	evt_start_child(f, work_open, &w);
	evt_attach(f, "sys.open", false, NULL, f->child.pid, &a, &r);
#ifdef SYS_open
	/* the kprobe fallback (do_sys_openat2) sees every kind */
	if (r.src->kind != LDEN_SRC_TRACEPOINT ||
	    tp_present(&r, "sys_enter_open"))
		want += w.n;
#endif
#ifdef SYS_openat2
	if (r.src->kind != LDEN_SRC_TRACEPOINT ||
	    tp_present(&r, "sys_enter_openat2"))
		want += w.n;
#endif
	assert_int_equal(evt_run(f), 0);
	evt_exactly(&a, "count (openat, open, openat2, creat)", evt_count(&a),
		    want);
}

static void sys_kill(void **state)
{
	struct fx *f = *state;
	struct lden_attached a;
	int n = 40;

	evt_start_child(f, work_kill, &n);
	evt_attach(f, "sys.kill", false, NULL, f->child.pid, &a, NULL);
	assert_int_equal(evt_run(f), 0);
	evt_exactly(&a, "count (40 signal 0, 1 SIGKILL)", evt_count(&a), n + 1);
}

static void memory_alloc_xattr(void **state)
{
	struct fx *f = *state;
	struct lden_attached all, exact;
	const char *path = evt_temp_file(f, "xattr");
	char filter[64];
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	/* tmpfs has user xattrs only since 6.6 (the qemu 6.1 kernel) */
	if (fsetxattr(fd, "user.lden_probe", "x", 1, 0) < 0 &&
	    (errno == EOPNOTSUPP || errno == EPERM)) {
		close(fd);
		print_message("SKIP: no user xattrs on %s\n", path);
		skip();
	}
	close(fd);
	evt_start_child(f, work_xattr, (void *)path);
	evt_attach(f, "memory.alloc", true, NULL, f->child.pid, &all, NULL);
	snprintf(filter, sizeof(filter), "bytes_req == %d", XATTR_SIZE);
	evt_attach(f, "memory.alloc", true, filter, f->child.pid, &exact, NULL);
	assert_int_equal(evt_run(f), 0);
	evt_check_samples(f, &all);
	evt_check_samples(f, &exact);

	/* each setxattr kmallocs a copy of the value, bytes_req = its size */
	evt_exactly(&exact, "count [bytes_req == 3001] (64 setxattr)",
		    evt_count(&exact), XATTR_N);
	evt_exactly(&exact, "size [bytes_req == 3001]", evt_size(&exact),
		    (uint64_t)XATTR_N * XATTR_SIZE);
	/* the child's other allocations are a handful; file systems add
	 * their own (tmpfs, 6.6+, keeps a copy per call) */
	evt_in_range(&all, "count (64 setxattr and more)", evt_count(&all),
		     XATTR_N, 4 * XATTR_N);
	evt_in_range(&all, "size", evt_size(&all),
		     (uint64_t)XATTR_N * XATTR_SIZE, 4 * MIB);
}

/*
 * memory.free's size joined to the allocations: the child's messages,
 * kmalloc'ed by msgsnd and kfree'd by msgrcv (free_msg), picked out by
 * where kfree was called from.
 */
static void memory_free_msg(void **state)
{
	struct fx *f = *state;
	struct lden_attached alloc, freed, all;
	struct lden_kallsyms *k;
	uint64_t range[2][2];
	char filter[160];
	int q, n;

	q = msgget(IPC_PRIVATE, 0600);
	if (q < 0) {
		/* nobpf is built without CONFIG_SYSVIPC */
		print_message("SKIP: no System V messages: %s\n", strerror(errno));
		skip();
	}
	msgctl(q, IPC_RMID, NULL);
	k = lden_kallsyms__load(NULL);
	assert_non_null(k);
	n = lden_kallsyms__ranges(k, "free_msg", range, 2);
	lden_kallsyms__free(k);
	assert_int_equal(n, 1);
	evt_start_child(f, work_msg, NULL);
	snprintf(filter, sizeof(filter), "bytes_req == %d",
		 MSG_HEADER + MSG_SIZE);
	evt_attach(f, "memory.alloc", true, filter, f->child.pid, &alloc, NULL);
	snprintf(filter, sizeof(filter),
		 "call_site >= %llu && call_site < %llu",
		 (unsigned long long)range[0][0],
		 (unsigned long long)range[0][1]);
	evt_attach(f, "memory.free", true, filter, f->child.pid, &freed, NULL);
	evt_attach(f, "memory.free", true, NULL, f->child.pid, &all, NULL);
	assert_int_equal(evt_run(f), 0);
	evt_check_samples(f, &alloc);
	evt_check_samples(f, &freed);
	evt_check_samples(f, &all);
	evt_exactly(&alloc, "count [bytes_req == 3049] (40 msgsnd)",
		    evt_count(&alloc), MSG_N);
	evt_exactly(&alloc, "size [bytes_req == 3049]", evt_size(&alloc),
		    (uint64_t)MSG_N * (MSG_HEADER + MSG_SIZE));
	/* freed whole: the allocations' bytes_alloc, kmalloc-4k's */
	evt_exactly(&freed, "count [in free_msg] (40 msgrcv)",
		    evt_count(&freed), MSG_N);
	evt_exactly(&freed, "size [in free_msg]", evt_size(&freed),
		    (uint64_t)MSG_N * 4096);
	evt_exactly(&freed, "unsized [in free_msg]",
		    lden_attached__unsized(&freed), 0);
	/* everything it freed: the messages at least; what it had before
	 * the start (its stack of pages, files) cannot be sized, and says so */
	evt_in_range(&all, "size (all its kfree)", evt_size(&all),
		     (uint64_t)MSG_N * 4096, 64 * MIB);
	evt_in_range(&all, "unsized (all its kfree)",
		     lden_attached__unsized(&all), 0, evt_count(&all));
}

static void memory_pages(void **state)
{
	struct fx *f = *state;
	const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct lden_attached alloc, freed;

	evt_start_child(f, work_touch, NULL);
	evt_attach(f, "memory.alloc_page", true, NULL, f->child.pid, &alloc, NULL);
	evt_attach(f, "memory.free_page", true, NULL, f->child.pid, &freed, NULL);
	assert_int_equal(evt_run(f), 0);
	evt_check_samples(f, &alloc);
	evt_check_samples(f, &freed);
	/* page tables, the stack, the exit add a few; twice as many
	 * would mean pages counted twice */
	evt_in_range(&alloc, "count (2048 pages touched)", evt_count(&alloc),
		     TOUCH_PAGES, TOUCH_PAGES + TOUCH_PAGES / 2);
	evt_in_range(&alloc, "size", evt_size(&alloc), TOUCH_PAGES * page,
		     (TOUCH_PAGES + TOUCH_PAGES / 2) * page);
	/*
	 * All but the last LRU-add batch (see work_touch).  The batches the
	 * child flushes may hold other tasks' dead pages too, which it then
	 * frees: under load, hundreds, so the ceiling is loose; pages
	 * counted twice would still pass twice it.
	 */
	evt_in_range(&freed, "count (2048 pages unmapped)", evt_count(&freed),
		     TOUCH_PAGES - LRU_BATCH, 4 * TOUCH_PAGES);
	evt_in_range(&freed, "size", evt_size(&freed),
		     (TOUCH_PAGES - LRU_BATCH) * page, 4 * TOUCH_PAGES * page);
}

/*
 * Direct reclaim happens only when a global allocation cannot be met
 * from free memory: on the development machines (24 GiB) that cannot be
 * provoked safely, and a memory cgroup's limit reclaims without this
 * tracepoint; the qemu guests have no swap and no disk-backed page
 * cache to reclaim.  So: it resolves and attaches, counting and
 * sampling, and the kernel accepts its events.
 */
static void memory_reclaim_attaches(void **state)
{
	struct fx *f = *state;
	struct lden_attached c, s;

	evt_attach(f, "memory.reclaim", false, NULL, 0, &c, NULL);
	evt_attach(f, "memory.reclaim", true, NULL, 0, &s, NULL);
	assert_non_null(s.parts[0].size);
	assert_int_equal(ltr_session__enable(f->s), 0);
	assert_int_equal(ltr_session__disable(f->s), 0);
	evt_count(&c);
	evt_count(&s);
	print_message("ROW|memory.reclaim|%s|not driven: no safe global memory pressure here|-|-\n",
		      s.source);
}

/* Writes @value to @dir/@file; 0 or -1. */
static int write_cg(const char *dir, const char *file, const char *value)
{
	char path[700];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = write(fd, value, strlen(value)) == (ssize_t)strlen(value) ? 0 : -1;
	close(fd);
	return rc;
}

/*
 * A memory cgroup limited to OOM_LIMIT, in f->cgroup: cgroup v1's
 * memory controller where it is mounted, else cgroup v2 (mounted here on
 * a directory of our own when nothing is, as in the qemu guests).
 */
static bool oom_cgroup(struct fx *f)
{
	const char *v1 = "/sys/fs/cgroup/memory";
	char path[600], num[32];
	const char *root = NULL, *limit = "memory.limit_in_bytes";
	struct stat st;

	snprintf(num, sizeof(num), "%llu", (unsigned long long)OOM_LIMIT);
	snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", v1);
	if (stat(path, &st) == 0)
		root = v1;
	if (!root && stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0)
		root = "/sys/fs/cgroup";
	if (!root) {
		snprintf(f->cgmount, sizeof(f->cgmount), "%s/cg-%d", evt_tmpdir,
			 (int)getpid());
		if (mkdir(f->cgmount, 0700) < 0 ||
		    mount("cgroup2", f->cgmount, "cgroup2", 0, NULL) < 0) {
			print_message("cannot mount cgroup2: %s\n", strerror(errno));
			rmdir(f->cgmount);
			f->cgmount[0] = '\0';
			return false;
		}
		root = f->cgmount;
	}
	if (root != v1) {
		limit = "memory.max";
		/* the memory controller for the root's children */
		if (write_cg(root, "cgroup.subtree_control", "+memory") < 0)
			return false;
	}
	snprintf(f->cgroup, sizeof(f->cgroup), "%s/lden-test-events-%d",
		 root, (int)getpid());
	if (mkdir(f->cgroup, 0755) < 0) {
		f->cgroup[0] = '\0';
		return false;
	}
	if (write_cg(f->cgroup, limit, num) < 0)
		return false;
	if (root != v1)
		write_cg(f->cgroup, "memory.swap.max", "0");
	return true;
}

static void memory_oom_kill(void **state)
{
	struct fx *f = *state;
	char num[32], filter[64];
	struct lden_attached a;

	if (!oom_cgroup(f)) {
		print_message("SKIP: no memory cgroup to limit\n");
		skip();
	}
	evt_start_child(f, work_oom, NULL);
	snprintf(num, sizeof(num), "%d", (int)f->child.pid);
	assert_int_equal(write_cg(f->cgroup, "cgroup.procs", num), 0);

	/* mark_victim's pid is the victim: system-wide, filtered to it */
	snprintf(filter, sizeof(filter), "pid == %d", (int)f->child.pid);
	evt_attach(f, "memory.oom_kill", true, filter, 0, &a, NULL);
	assert_int_equal(evt_run(f), -1);	/* killed */
	evt_check_samples(f, &a);
	/* a task is marked a victim once (TIF_MEMDIE), however it dies */
	evt_exactly(&a, "count (1 task over its cgroup's limit)",
		    evt_count(&a), 1);
	/*
	 * its resident memory when chosen: most of the 32 MiB limit, plus
	 * file pages charged elsewhere (an ASan build maps ~20 MiB more);
	 * the upper bound catches a unit error (kB read as bytes, x1024)
	 */
	evt_in_range(&a, "size (its rss then)", evt_size(&a), 8 * MIB,
		     8 * OOM_LIMIT);
}

#define READ_BYTES (8 * MIB)

/* The read-ahead maximum of the file system's device, in bytes. */
static uint64_t read_ahead_max(const char *path)
{
	char bdi[128];
	unsigned long long kb = 0;
	struct stat st;
	FILE *f;

	assert_int_equal(stat(path, &st), 0);
	snprintf(bdi, sizeof(bdi), "/sys/class/bdi/%u:%u/read_ahead_kb",
		 major(st.st_dev), minor(st.st_dev));
	f = fopen(bdi, "re");
	if (!f)
		fail_msg("%s: %s", bdi, strerror(errno));
	if (fscanf(f, "%llu", &kb) != 1)
		fail_msg("%s: no number", bdi);
	fclose(f);
	return (uint64_t)kb * 1024;
}

static void fs_pagecache(void **state)
{
	struct fx *f = *state;
	const char *path = evt_temp_file(f, "pagecache");
	struct lden_attached access_, miss, ra;
	const uint64_t reads = READ_BYTES / CHUNK;

	evt_require_disk();
	assert_int_equal(write_file(path, READ_BYTES), 0);
	evt_start_child(f, work_read, (void *)path);
	evt_attach(f, "fs.pagecache_access", false, NULL, f->child.pid, &access_,
	       NULL);
	evt_attach(f, "fs.pagecache_miss", false, NULL, f->child.pid, &miss, NULL);
	evt_attach(f, "fs.read_ahead", true, NULL, f->child.pid, &ra, NULL);
	assert_int_equal(evt_run(f), 0);
	evt_check_samples(f, &ra);

	/* every read() that returned data looked its pages up, about once */
	/* a lookup per batch of folios: 15 before 6.2 (two per 64 KiB
	 * read), 31 after */
	evt_in_range(&access_, "count (128 reads of 64 KiB)", evt_count(&access_),
		     reads, 2 * reads + reads / 2);
	/* the first read missed and started synchronous read-ahead */
	evt_in_range(&miss, "count (128 reads, cold)", evt_count(&miss), 1,
		     reads);
	/*
	 * The read-ahead windows asked for the whole file; the one that
	 * crosses its end, and the one after, ask for up to the device's
	 * read-ahead maximum each, past it.
	 */
	evt_in_range(&ra, "count (8 MiB read, cold)", evt_count(&ra), 1,
		     reads);
	evt_in_range(&ra, "size", evt_size(&ra), READ_BYTES,
		     READ_BYTES + 2 * read_ahead_max(path));
}

static void fs_writeback(void **state)
{
	struct fx *f = *state;
	const char *path = evt_temp_file(f, "writeback");
	struct lden_attached a;
	char filter[64];
	struct stat st;
	int fd;

	evt_require_disk();
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	evt_start_child(f, work_write_syncfs, (void *)path);
	/*
	 * The pages are written by the flusher thread that syncfs() waits
	 * for, not by the child: system-wide, filtered to the file's inode.
	 * (fsync() writes the data itself, not through
	 * writeback_single_inode; on this journal-less ext4 it then fires
	 * it, in the caller, for the inode's metadata only: wrote=0.)
	 */
	snprintf(filter, sizeof(filter), "ino == %llu",
		 (unsigned long long)st.st_ino);
	evt_attach(f, "fs.page_writeback_per_inode", true, filter, 0, &a, NULL);
	assert_int_equal(evt_run(f), 0);
	evt_check_samples(f, &a);
	evt_in_range(&a, "count [ino] (4 MiB, syncfs)", evt_count(&a), 1, 64);
	evt_in_range(&a, "size [ino]", evt_size(&a), WB_BYTES,
		 WB_BYTES + WB_BYTES / 2);
}

static void disk_read_write(void **state)
{
	struct fx *f = *state;
	const char *path = evt_temp_file(f, "direct");
	/* a disk of the test's own (the qemu guests' loop device) */
	const char *excl = getenv("LDEN_TEST_DISK_EXCLUSIVE");
	bool exclusive = excl && !strcmp(excl, "1");
	struct lden_attached rd, wr;
	char filter[64];
	struct stat st;
	int fd;

	evt_require_disk();
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	evt_start_child(f, work_direct_write_read, (void *)path);
	/*
	 * kworkers issue some of the requests (requeues, flushes, a loop
	 * device's own): system-wide, on the file's device (the kernel's
	 * dev_t: major << 20 | minor)
	 */
	snprintf(filter, sizeof(filter), "dev == %llu",
		 ((unsigned long long)major(st.st_dev) << 20) | minor(st.st_dev));
	evt_attach(f, "disk.read", true, filter, 0, &rd, NULL);
	evt_attach(f, "disk.write", true, filter, 0, &wr, NULL);
	assert_int_equal(evt_run(f), 0);
	evt_check_samples(f, &rd);
	evt_check_samples(f, &wr);
	if (exclusive) {
		/* the data, exactly, and the file's metadata (ext2: its
		 * inode, bitmaps, an indirect block) */
		evt_in_range(&wr, "size [dev] (1 MiB O_DIRECT, fsync)",
			     evt_size(&wr), DIO_BYTES, DIO_BYTES + 64 * 1024);
		evt_exactly(&rd, "size [dev] (1 MiB O_DIRECT)", evt_size(&rd),
			    DIO_BYTES);
		return;
	}
	/* the rest of the machine may add its own I/O, not gigabytes */
	evt_in_range(&wr, "count [dev] (1 MiB O_DIRECT, shared disk)",
		     evt_count(&wr), 1, 100000);
	evt_in_range(&wr, "size [dev]", evt_size(&wr), DIO_BYTES, 1024 * MIB);
	evt_in_range(&rd, "count [dev] (1 MiB O_DIRECT, shared disk)",
		     evt_count(&rd), 1, 100000);
	evt_in_range(&rd, "size [dev]", evt_size(&rd), DIO_BYTES, 1024 * MIB);
}

/* The per-CPU counts that start @s, a /proc/interrupts line, summed. */
static uint64_t per_cpu_sum(const char *s)
{
	uint64_t total = 0;

	for (;;) {
		char *end;
		unsigned long long v = strtoull(s, &end, 10);

		if (end == s)
			return total;
		total += v;
		s = end;
	}
}

/* Interrupts of numbered IRQs (not LOC, NMI...) per /proc/interrupts. */
static uint64_t device_interrupts(void)
{
	FILE *p = fopen("/proc/interrupts", "re");
	char line[4096];
	uint64_t total = 0;

	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *s = line, *end;

		while (*s == ' ')
			s++;
		strtoul(s, &end, 10);
		if (end == s || *end != ':')
			continue;
		total += per_cpu_sum(end + 1);
	}
	fclose(p);
	return total;
}

/* The interrupts so far of the IRQ /proc/interrupts calls @name, and its
 * number in *@irq; -1 when there is none. */
static long long irq_count(const char *name, int *irq)
{
	FILE *p = fopen("/proc/interrupts", "re");
	char line[4096];
	long long total = -1;

	if (!p)
		return -1;
	while (total < 0 && fgets(line, sizeof(line), p)) {
		char *s = line, *end;
		size_t len = strlen(line);
		long n;

		while (len && (line[len - 1] == '\n' || line[len - 1] == ' '))
			line[--len] = '\0';
		if (len < strlen(name) + 1 ||
		    strcmp(line + len - strlen(name), name) ||
		    line[len - strlen(name) - 1] != ' ')
			continue;
		n = strtol(s, &end, 10);
		if (end == s || *end != ':')
			continue;
		*irq = (int)n;
		total = (long long)per_cpu_sum(end + 1);
	}
	fclose(p);
	return total;
}

struct tty_irqs {
	const char *tty;
	long long seen;		/* interrupts of its IRQ while it wrote */
};

/*
 * Writes to a serial port and waits until it has sent everything: its
 * transmit interrupts, counted from /proc/interrupts around the write
 * (with the events already enabled, so the two count the same span).
 */
static int work_tty(void *arg)
{
	struct tty_irqs *t = arg;
	char dev[64];
	long long before, after;
	int fd, irq;

	snprintf(dev, sizeof(dev), "/dev/%s", t->tty);
	fd = open(dev, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	before = irq_count(t->tty, &irq);
	if (write(fd, "lden test-events: irq.hard\n", 27) != 27 ||
	    tcdrain(fd) < 0)
		return 2;
	after = irq_count(t->tty, &irq);
	close(fd);
	t->seen = after - before;
	return before < 0 ? 3 : 0;
}

/*
 * In the qemu guests (LDEN_TEST_IRQ_TTY=ttyS0, which nothing else
 * writes to during the test): exactly the interrupts /proc/interrupts
 * counts for that port.  Elsewhere a disk read's, bounded: the events are
 * enabled before /proc/interrupts is read, so other devices' interrupts
 * in between make an exact count impossible.
 */
static void irq_hard(void **state)
{
	struct fx *f = *state;
	const char *tty = getenv("LDEN_TEST_IRQ_TTY");
	struct lden_attached a;
	uint64_t before, after;
	struct tty_irqs *t;
	char filter[32];
	int irq;

	if (tty && *tty && irq_count(tty, &irq) >= 0) {
		t = evt_shared(sizeof(*t));
		t->tty = tty;
		snprintf(filter, sizeof(filter), "irq == %d", irq);
		evt_start_child(f, work_tty, t);
		evt_attach(f, "irq.hard", false, filter, 0, &a, NULL);
		assert_int_equal(evt_run(f), 0);
		assert_true(t->seen > 0);
		evt_exactly(&a, "count [irq] (a line to a serial port)",
			    evt_count(&a), (uint64_t)t->seen);
		munmap(t, sizeof(*t));
		return;
	}
	{
		const char *path = evt_temp_file(f, "irq");

		evt_require_disk();
		assert_int_equal(write_file(path, DIO_BYTES), 0);
		evt_start_child(f, work_direct_read, (void *)path);
	}
	/* interrupts run in no process's context: system-wide */
	evt_attach(f, "irq.hard", false, NULL, 0, &a, NULL);
	before = device_interrupts();
	assert_int_equal(evt_run(f), 0);
	after = device_interrupts();
	/* the disk's completion interrupt at least; and no more handlers
	 * than the kernel counted interrupts (a few shared lines aside) */
	evt_in_range(&a, "count (system-wide, 1 MiB read)", evt_count(&a), 1,
		     2 * (after - before) + 16);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, evt_setup, evt_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(all_events_attach),
		T(size_refused),
		T(task_create),
		T(task_exec),
		T(task_exit),
		T(task_switch),
		T(sys_open),
		T(sys_kill),
		T(memory_alloc_xattr),
		T(memory_free_msg),
		T(memory_pages),
		T(memory_reclaim_attaches),
		T(memory_oom_kill),
		T(fs_pagecache),
		T(fs_writeback),
		T(disk_read_write),
		T(irq_hard),
	};

	ktest_require_tracing();
	return cmocka_run_group_tests(tests, evt_group_setup, evt_group_teardown);
}
