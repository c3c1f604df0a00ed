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
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "attach.h"
#include "catalog.h"
#include "ktest.h"
#include "lden-trace.h"

#define TIMEOUT_MS 60000
#define MIB (UINT64_C(1) << 20)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Fixtures */

static struct lden_catalog cat;
static char tmpdir[256];	/* on the root file system (ext4 on /dev/vda) */
static bool tmpdir_on_disk;	/* backed by a block device */
static unsigned int seq;	/* unique names within the run */

struct fx {
	struct ltr_session *s;
	struct lden_kernel *k;
	bool sampling;
	struct ktest_child child;
	bool child_started;
	bool child_waited;
	char files[4][512];
	int nfiles;
	char cgroup[512];
	/* size expressions of what attach() attached, freed in teardown */
	struct lden_size_expr *sizes[32];
	int nsizes;
};

static const char *find_catalog_dir(void)
{
	static char dir[4096];
	const char *top = getenv("top_srcdir");
	const char *env = getenv("LDEN_EVENTS_PATH");
	const char *tries[] = { LDEN_SOURCE_CATALOG, "../kprobe_events",
				"kprobe_events", "../../kprobe_events" };
	char path[4200];
	struct stat st;

	/* the qemu kernel matrix ships the catalog beside the tests */
	if (env && *env && !strchr(env, ':')) {
		snprintf(dir, sizeof(dir), "%s", env);
		snprintf(path, sizeof(path), "%s/task.events", dir);
		if (stat(path, &st) == 0)
			return dir;
	}
	if (top && *top) {
		snprintf(dir, sizeof(dir), "%s/kprobe_events", top);
		snprintf(path, sizeof(path), "%s/task.events", dir);
		if (stat(path, &st) == 0)
			return dir;
	}
	for (size_t i = 0; i < ARRAY_SIZE(tries); i++) {
		snprintf(path, sizeof(path), "%s/task.events", tries[i]);
		if (stat(path, &st) == 0)
			return tries[i];
	}
	return NULL;
}

static int group_setup(void **state)
{
	const char *base = getenv("LDEN_TEST_DISK_DIR");
	const char *dir = find_catalog_dir();
	char err[1024];
	struct stat st;

	(void)state;
	ltr_set_print(NULL);
	if (!dir) {
		fprintf(stderr, "cannot find kprobe_events/ (set top_srcdir)\n");
		return -1;
	}
	if (lden_catalog_load(&cat, &dir, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	/* not /tmp: it may be a tmpfs, which has no read-ahead and no disk */
	snprintf(tmpdir, sizeof(tmpdir), "%s/lden-test-events.XXXXXX",
		 base && *base ? base : "/var/tmp");
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
		return -1;
	}
	tmpdir_on_disk = stat(tmpdir, &st) == 0 && major(st.st_dev) != 0;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (rmdir(tmpdir) < 0)
		fprintf(stderr, "rmdir %s: %s\n", tmpdir, strerror(errno));
	lden_catalog_free(&cat);
	return 0;
}

static int setup(void **state)
{
	struct ltr_session_opts o = { .ring_pages = 256 };	/* 1 MiB a CPU */
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->s = ltr_session__new(&o);
	if (!f->s) {
		fprintf(stderr, "session: %s\n", ltr_last_error());
		free(f);
		return -1;
	}
	f->k = lden_kernel_new(ltr_session__tracing_dir(f->s));
	if (!f->k) {
		ltr_session__free(f->s);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	/* a test that failed early leaves its child waiting: release it */
	if (f->child_started && !f->child_waited)
		ktest_child_wait(&f->child, TIMEOUT_MS);
	ltr_session__free(f->s);
	lden_kernel_free(f->k);
	for (int i = 0; i < f->nsizes; i++)
		lden_size_free(f->sizes[i]);
	for (int i = 0; i < f->nfiles; i++)
		if (unlink(f->files[i]) < 0 && errno != ENOENT)
			fprintf(stderr, "unlink %s: %s\n", f->files[i],
				strerror(errno));
	if (f->cgroup[0] && rmdir(f->cgroup) < 0)
		fprintf(stderr, "rmdir %s: %s\n", f->cgroup, strerror(errno));
	free(f);
	return 0;
}

/* A unique file name in tmpdir, removed in teardown. */
static const char *temp_file(struct fx *f, const char *what)
{
	char *p;

	assert_true(f->nfiles < (int)ARRAY_SIZE(f->files));
	p = f->files[f->nfiles++];
	snprintf(p, sizeof(f->files[0]), "%s/%s-%d-%u", tmpdir, what,
		 (int)getpid(), seq++);
	return p;
}

static void start_child(struct fx *f, int (*fn)(void *), void *arg)
{
	assert_int_equal(ktest_child_start(&f->child, fn, arg), 0);
	f->child_started = true;
}

/*
 * Resolves @name on this kernel and attaches it; @pid > 0 scopes it to
 * that process and the children it creates afterwards.
 */
static void attach(struct fx *f, const char *name, bool need_size,
		   const char *filter, pid_t pid, struct lden_attached *a,
		   struct lden_resolution *res)
{
	const struct lden_event_def *d = lden_catalog_find(&cat, name);
	struct lden_scope scope = { .pid = pid, .children = true };
	struct lden_resolution r;
	char err[1024];

	if (!d)
		fail_msg("no event '%s' in the catalog", name);
	if (lden_resolve(f->k, d, &r) < 0)
		fail_msg("%s: %s (%s)", name, r.reason, r.tried);
	if (lden_attach(f->s, &r, need_size, filter, pid > 0 ? &scope : NULL,
			a, err, sizeof(err)) < 0)
		fail_msg("attach: %s", err);
	assert_int_equal(a->sampling, need_size);
	f->sampling |= need_size;
	for (int p = 0; p < a->nparts; p++) {
		if (!a->parts[p].size)
			continue;
		assert_true(f->nsizes < (int)ARRAY_SIZE(f->sizes));
		f->sizes[f->nsizes++] = a->parts[p].size;
	}
	if (res)
		*res = r;
}

static int add_sample(const struct ltr_sample *s, void *ctx)
{
	(void)ctx;
	lden_attached_add_sample(s);
	return 0;
}

static void drain(struct fx *f)
{
	if (f->sampling && ltr_session__drain(f->s, add_sample, NULL) < 0)
		fail_msg("drain: %s", ltr_last_error());
}

static int64_t elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Starts the events, lets the child work, empties the rings while it
 * does (so they cannot overflow), then stops the events.  Returns the
 * child's exit status, -1 when it was killed.
 */
static int run(struct fx *f)
{
	struct pollfd pfd = { .fd = f->child.pidfd, .events = POLLIN };
	struct timespec t0;
	int64_t left;
	int status;

	if (ltr_session__enable(f->s) < 0)
		fail_msg("enable: %s", ltr_last_error());
	ktest_child_go(&f->child);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (f->sampling && pfd.fd >= 0 && elapsed_ms(&t0) < TIMEOUT_MS) {
		int n = poll(&pfd, 1, 10);

		drain(f);
		if (n != 0)
			break;
	}
	left = TIMEOUT_MS - elapsed_ms(&t0);
	status = ktest_child_wait(&f->child, left > 0 ? (int)left : 0);
	f->child_waited = true;
	assert_int_equal(ltr_session__disable(f->s), 0);
	drain(f);
	return status;
}

static uint64_t count_of(struct lden_attached *a)
{
	uint64_t c;

	if (lden_attached_count(a, &c) < 0)
		fail_msg("%s: count: %s", a->label, ltr_last_error());
	return c;
}

/* Sampled: nothing lost, and every counted hit delivered as a sample. */
static void check_samples(struct fx *f, struct lden_attached *a)
{
	uint64_t lost = ltr_session__lost(f->s, -1), c = count_of(a);

	if (lost)
		fail_msg("%s: %llu samples lost", a->label,
			 (unsigned long long)lost);
	if (a->samples != c)
		fail_msg("%s: %llu samples for a count of %llu", a->label,
			 (unsigned long long)a->samples, (unsigned long long)c);
}

static void in_range(const char *what, uint64_t v, uint64_t lo, uint64_t hi)
{
	print_message("  %-40s %12llu  [%llu, %llu]\n", what,
		      (unsigned long long)v, (unsigned long long)lo,
		      (unsigned long long)hi);
	if (v < lo || v > hi)
		fail_msg("%s = %llu, want it in [%llu, %llu]", what,
			 (unsigned long long)v, (unsigned long long)lo,
			 (unsigned long long)hi);
}

static void exactly(const char *what, uint64_t v, uint64_t want)
{
	in_range(what, v, want, want);
}

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

static int work_open(void *arg)
{
	int n = *(int *)arg;

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

/* The child and a grandchild pass a byte back and forth n times. */
static int work_pingpong(void *arg)
{
	int n = *(int *)arg, a[2], b[2], st;
	char ch = 'p';
	pid_t p;

	if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0)
		return 1;
	p = fork();
	if (p < 0)
		return 2;
	if (p == 0) {
		close(a[1]);
		close(b[0]);
		for (int i = 0; i < n; i++)
			if (read(a[0], &ch, 1) != 1 || write(b[1], &ch, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	for (int i = 0; i < n; i++)
		if (write(a[1], &ch, 1) != 1 || read(b[0], &ch, 1) != 1)
			return 3;
	close(a[1]);
	if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st))
		return 4;
	return 0;
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
	/* base pages only: with THP a fault could take 2 MiB at once */
	if (madvise(m, len, MADV_NOHUGEPAGE) < 0)
		return 2;
	for (size_t i = 0; i < len; i += page)
		m[i] = 1;
	if (munmap(m, len) < 0)
		return 3;
	return 0;
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

#define TCP_BYTES MIB

static int loopback_socket(int type, struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int s = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)sa, sizeof(*sa)) < 0 ||
	    getsockname(s, (struct sockaddr *)sa, &len) < 0)
		return -1;
	return s;
}

/* A grandchild sends exactly TCP_BYTES; the child receives them. */
static int work_tcp(void *arg)
{
	static char buf[CHUNK];
	struct sockaddr_in sa;
	uint64_t got = 0;
	int ls, c, st;
	ssize_t n;
	pid_t p;

	(void)arg;
	ls = loopback_socket(SOCK_STREAM, &sa);
	if (ls < 0 || listen(ls, 1) < 0)
		return 1;
	p = fork();
	if (p < 0)
		return 2;
	if (p == 0) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		uint64_t sent = 0;

		close(ls);
		if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(1);
		memset(buf, 't', sizeof(buf));
		while (sent < TCP_BYTES) {
			size_t want = TCP_BYTES - sent < sizeof(buf) ?
				      TCP_BYTES - sent : sizeof(buf);

			n = send(s, buf, want, MSG_NOSIGNAL);
			if (n <= 0)
				_exit(2);
			sent += n;
		}
		close(s);
		_exit(0);
	}
	c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	close(ls);
	if (c < 0)
		return 3;
	while ((n = recv(c, buf, sizeof(buf), 0)) > 0)
		got += n;
	close(c);
	if (n < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		return 4;
	return got == TCP_BYTES ? 0 : 5;
}

#define UDP_N 50
#define UDP_SIZE 1000

/*
 * A grandchild sends UDP_N datagrams; the child reads each before the
 * next is sent (an ack on a pipe), so none can overflow its buffer.
 */
static int work_udp(void *arg)
{
	char buf[2 * UDP_SIZE], ch = 'a';
	struct sockaddr_in sa;
	int r, ack[2], st;
	pid_t p;

	(void)arg;
	r = loopback_socket(SOCK_DGRAM, &sa);
	if (r < 0 || pipe2(ack, O_CLOEXEC) < 0)
		return 1;
	p = fork();
	if (p < 0)
		return 2;
	if (p == 0) {
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		close(ack[1]);
		memset(buf, 'u', sizeof(buf));
		for (int i = 0; i < UDP_N; i++) {
			if (sendto(s, buf, UDP_SIZE, 0, (struct sockaddr *)&sa,
				   sizeof(sa)) != UDP_SIZE)
				_exit(1);
			if (read(ack[0], &ch, 1) != 1)
				_exit(2);
		}
		_exit(0);
	}
	close(ack[0]);
	for (int i = 0; i < UDP_N; i++) {
		if (recv(r, buf, sizeof(buf), 0) != UDP_SIZE)
			return 3;
		if (write(ack[1], &ch, 1) != 1)
			return 4;
	}
	close(ack[1]);
	close(r);
	if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st))
		return 5;
	return 0;
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

static int write_file(const char *path, uint64_t bytes, bool direct)
{
	void *buf;
	int fd, rc = 0;

	if (posix_memalign(&buf, 4096, CHUNK))
		return -1;
	memset(buf, 'f', CHUNK);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		  (direct ? O_DIRECT : 0), 0600);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	for (uint64_t done = 0; done < bytes && rc == 0; done += CHUNK)
		if (write(fd, buf, CHUNK) != CHUNK)
			rc = -1;
	if (rc == 0 && fsync(fd) < 0)
		rc = -1;
	/* clean now, so this drops the file's pages from the page cache */
	if (rc == 0 && posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
		rc = -1;
	close(fd);
	free(buf);
	return rc;
}

static void require_disk(void)
{
	if (!tmpdir_on_disk) {
		print_message("SKIP: %s is not on a block device\n", tmpdir);
		skip();
	}
}

/* ------------------------------------------------------------------ */
/* Tests */

/* Every event resolves here; sized ones compile their size against the
 * live format; the others refuse size(). */
static void all_events_attach(void **state)
{
	struct fx *f = *state;

	assert_int_equal(cat.ndefs, 23);
	for (int i = 0; i < cat.ndefs; i++) {
		const struct lden_event_def *d = &cat.defs[i];
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
		lden_attached_release(&a);
		if (r.has_size) {
			if (lden_attach(f->s, &r, true, NULL, NULL, &a, err,
					sizeof(err)) < 0)
				fail_msg("sampling %s: %s", d->name, err);
			assert_true(a.sampling);
			/* sized parts; a joined size's own part has its key */
			for (int p = 0; p < a.nparts; p++)
				assert_true(a.parts[p].size ||
					    (a.join && a.parts[p].key));
			lden_attached_release(&a);
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
	const struct lden_event_def *d = lden_catalog_find(&cat, "task.create");
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

	start_child(f, ktest_fork_n, &n);
	attach(f, "task.create", false, NULL, f->child.pid, &a, NULL);
	assert_int_equal(run(f), 0);
	exactly("task.create (child forks 25)", count_of(&a), n);
}

static void task_exec(void **state)
{
	struct fx *f = *state;
	const char *argv[2] = { "/bin/true", "20" };
	struct lden_attached a;

	if (access(argv[0], X_OK) < 0)
		argv[0] = "/usr/bin/true";
	start_child(f, work_exec, argv);
	attach(f, "task.exec", false, NULL, f->child.pid, &a, NULL);
	assert_int_equal(run(f), 0);
	exactly("task.exec (20 execs, 20 failed)", count_of(&a), 20);
}

/* The child names itself so that its exits, and its children's, can be
 * told apart by the kernel filter. */
static int named_fork_n(void *arg)
{
	if (prctl(PR_SET_NAME, "lden-exit-test", 0, 0, 0) < 0)
		return 1;
	return ktest_fork_n(arg);
}

static void task_exit(void **state)
{
	struct fx *f = *state;
	struct lden_attached a;
	int n = 25;

	start_child(f, named_fork_n, &n);
	/*
	 * System-wide with a filter on the name rather than per task: older
	 * kernels (6.1) detach a task's inherited perf events before the exit
	 * tracepoint fires, so per-task counting sees no exits there.
	 */
	attach(f, "task.exit", false, "comm == \"lden-exit-test\"", 0, &a,
	       NULL);
	assert_int_equal(run(f), 0);
	/* the 25 grandchildren, and the child itself */
	exactly("task.exit (25 children + itself)", count_of(&a), n + 1);
}

static void task_switch(void **state)
{
	struct fx *f = *state;
	struct lden_attached a;
	int n = 200;

	start_child(f, work_pingpong, &n);
	attach(f, "task.switch", false, NULL, f->child.pid, &a, NULL);
	assert_int_equal(run(f), 0);
	/*
	 * In each round one of the two must wait for the other's byte, so
	 * at least n switches (both wait: 2n is usual); preemption adds
	 * some, not another 2n.
	 */
	in_range("task.switch (200 ping-pongs)", count_of(&a), n, 3 * n + 100);
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
	struct lden_resolution r;
	struct lden_attached a;
	int n = 30;
	uint64_t want = 2 * n;	/* openat: n that work, n that fail */

	start_child(f, work_open, &n);
	attach(f, "sys.open", false, NULL, f->child.pid, &a, &r);
	assert_true(tp_present(&r, "sys_enter_openat"));
#ifdef SYS_open
	if (tp_present(&r, "sys_enter_open"))
		want += n;
#endif
#ifdef SYS_openat2
	if (tp_present(&r, "sys_enter_openat2"))
		want += n;
#endif
	assert_int_equal(run(f), 0);
	exactly("sys.open (openat, open, openat2)", count_of(&a), want);
}

static void sys_kill(void **state)
{
	struct fx *f = *state;
	struct lden_attached a;
	int n = 40;

	start_child(f, work_kill, &n);
	attach(f, "sys.kill", false, NULL, f->child.pid, &a, NULL);
	assert_int_equal(run(f), 0);
	exactly("sys.kill (40 signal 0, 1 SIGKILL)", count_of(&a), n + 1);
}

static void memory_alloc_free(void **state)
{
	struct fx *f = *state;
	struct lden_attached all, exact, freed;
	const char *path = temp_file(f, "xattr");
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
	start_child(f, work_xattr, (void *)path);
	attach(f, "memory.alloc", true, NULL, f->child.pid, &all, NULL);
	snprintf(filter, sizeof(filter), "bytes_req == %d", XATTR_SIZE);
	attach(f, "memory.alloc", true, filter, f->child.pid, &exact, NULL);
	attach(f, "memory.free", false, NULL, f->child.pid, &freed, NULL);
	assert_int_equal(run(f), 0);
	check_samples(f, &all);
	check_samples(f, &exact);

	/* each setxattr kmallocs a copy of the value, bytes_req = its size */
	exactly("memory.alloc [bytes_req == 3001] count", count_of(&exact),
		XATTR_N);
	exactly("memory.alloc [bytes_req == 3001] size", exact.size_total,
		(uint64_t)XATTR_N * XATTR_SIZE);
	/* the child's other allocations are a handful */
	/* file systems add their own: tmpfs (6.6+) keeps a copy per call */
	in_range("memory.alloc count", count_of(&all), XATTR_N,
		 4 * XATTR_N);
	in_range("memory.alloc size", all.size_total,
		 (uint64_t)XATTR_N * XATTR_SIZE, 4 * MIB);
	/* and kvfree()s it: kfree */
	in_range("memory.free count", count_of(&freed), XATTR_N,
		 4 * XATTR_N);
}

static void memory_pages(void **state)
{
	struct fx *f = *state;
	const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct lden_attached alloc, freed;

	start_child(f, work_touch, NULL);
	attach(f, "memory.alloc_page", true, NULL, f->child.pid, &alloc, NULL);
	attach(f, "memory.free_page", true, NULL, f->child.pid, &freed, NULL);
	assert_int_equal(run(f), 0);
	check_samples(f, &alloc);
	check_samples(f, &freed);
	/* page tables, the stack, the exit add a few; twice as many
	 * would mean pages counted twice */
	in_range("memory.alloc_page count", count_of(&alloc), TOUCH_PAGES,
		 TOUCH_PAGES + TOUCH_PAGES / 2);
	in_range("memory.alloc_page size", alloc.size_total, TOUCH_PAGES * page,
		 (TOUCH_PAGES + TOUCH_PAGES / 2) * page);
	/*
	 * All but the last LRU-add batch (see work_touch).  The batches the
	 * child flushes may hold other tasks' dead pages too, which it then
	 * frees: under load some hundreds.  Pages counted twice would make
	 * at least 2 * (TOUCH_PAGES - LRU_BATCH).
	 */
	in_range("memory.free_page count", count_of(&freed),
		 TOUCH_PAGES - LRU_BATCH, 2 * (TOUCH_PAGES - LRU_BATCH) - 1);
	in_range("memory.free_page size", freed.size_total,
		 (TOUCH_PAGES - LRU_BATCH) * page,
		 (2 * (TOUCH_PAGES - LRU_BATCH) - 1) * page);
}

/*
 * Direct reclaim happens only when a global allocation cannot be met
 * from free memory; on these 24 GiB machines that cannot be provoked
 * safely (a memory cgroup's limit reclaims without this tracepoint).
 * So: it resolves and attaches, counting and sampling, and the kernel
 * accepts its events.
 */
static void memory_reclaim_attaches(void **state)
{
	struct fx *f = *state;
	struct lden_attached c, s;

	attach(f, "memory.reclaim", false, NULL, 0, &c, NULL);
	attach(f, "memory.reclaim", true, NULL, 0, &s, NULL);
	assert_non_null(s.parts[0].size);
	assert_int_equal(ltr_session__enable(f->s), 0);
	assert_int_equal(ltr_session__disable(f->s), 0);
	count_of(&c);
	count_of(&s);
}

static void memory_oom_kill(void **state)
{
	struct fx *f = *state;
	const char *root = "/sys/fs/cgroup/memory";
	char path[600], num[32], filter[64];
	struct lden_attached a;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", root);
	if (stat(path, &st) < 0) {
		print_message("SKIP: no cgroup v1 memory controller at %s\n", root);
		skip();
	}
	snprintf(f->cgroup, sizeof(f->cgroup), "%s/lden-test-events-%d-%u",
		 root, (int)getpid(), seq++);
	if (mkdir(f->cgroup, 0755) < 0) {
		f->cgroup[0] = '\0';
		fail_msg("mkdir cgroup: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", f->cgroup);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)OOM_LIMIT);
	assert_int_equal(write(fd, num, strlen(num)), (ssize_t)strlen(num));
	close(fd);

	start_child(f, work_oom, NULL);
	snprintf(path, sizeof(path), "%s/cgroup.procs", f->cgroup);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	snprintf(num, sizeof(num), "%d", (int)f->child.pid);
	assert_int_equal(write(fd, num, strlen(num)), (ssize_t)strlen(num));
	close(fd);

	/* mark_victim's pid is the victim: system-wide, filtered to it */
	snprintf(filter, sizeof(filter), "pid == %d", (int)f->child.pid);
	attach(f, "memory.oom_kill", true, filter, 0, &a, NULL);
	assert_int_equal(run(f), -1);	/* killed */
	check_samples(f, &a);
	/* once, or again if the dying task faults into the OOM path */
	in_range("memory.oom_kill count", count_of(&a), 1, 4);
	/*
	 * its resident memory when chosen: most of the 32 MiB limit, plus
	 * file pages charged elsewhere (an ASan build maps ~20 MiB more);
	 * the upper bound catches a unit error (kB read as bytes, x1024)
	 */
	in_range("memory.oom_kill size", a.size_total, 8 * MIB,
		 count_of(&a) * 8 * OOM_LIMIT);
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
	const char *path = temp_file(f, "pagecache");
	struct lden_attached access_, miss, ra;
	const uint64_t reads = READ_BYTES / CHUNK;

	require_disk();
	/* written, fsync'ed, then dropped from the page cache (only this
	 * file's pages: POSIX_FADV_DONTNEED, not drop_caches) */
	assert_int_equal(write_file(path, READ_BYTES, false), 0);
	start_child(f, work_read, (void *)path);
	attach(f, "fs.pagecache_access", false, NULL, f->child.pid, &access_,
	       NULL);
	attach(f, "fs.pagecache_miss", false, NULL, f->child.pid, &miss, NULL);
	attach(f, "fs.read_ahead", true, NULL, f->child.pid, &ra, NULL);
	assert_int_equal(run(f), 0);
	check_samples(f, &ra);

	/* every read() that returned data looked its pages up, about once */
	in_range("fs.pagecache_access count", count_of(&access_), reads,
		 reads + reads / 2);
	/* the first read missed and started synchronous read-ahead */
	in_range("fs.pagecache_miss count", count_of(&miss), 1, reads);
	/*
	 * The read-ahead windows asked for the whole file; the one that
	 * crosses its end, and the one after, ask for up to the device's
	 * read-ahead maximum each, past it.
	 */
	in_range("fs.read_ahead count", count_of(&ra), 1, reads);
	in_range("fs.read_ahead size", ra.size_total, READ_BYTES,
		 READ_BYTES + 2 * read_ahead_max(path));
}

static void fs_writeback(void **state)
{
	struct fx *f = *state;
	const char *path = temp_file(f, "writeback");
	struct lden_attached a;
	char filter[64];
	struct stat st;
	int fd;

	require_disk();
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	start_child(f, work_write_syncfs, (void *)path);
	/*
	 * The pages are written by the flusher thread that syncfs() waits
	 * for, not by the child: system-wide, filtered to the file's inode.
	 * (fsync() writes the data itself, not through
	 * writeback_single_inode; on this journal-less ext4 it then fires
	 * it, in the caller, for the inode's metadata only: wrote=0.)
	 */
	snprintf(filter, sizeof(filter), "ino == %llu",
		 (unsigned long long)st.st_ino);
	attach(f, "fs.page_writeback_per_inode", true, filter, 0, &a, NULL);
	assert_int_equal(run(f), 0);
	check_samples(f, &a);
	in_range("fs.page_writeback_per_inode count", count_of(&a), 1, 64);
	in_range("fs.page_writeback_per_inode size", a.size_total, WB_BYTES,
		 WB_BYTES + WB_BYTES / 2);
}

static void disk_read_write(void **state)
{
	struct fx *f = *state;
	const char *path = temp_file(f, "direct");
	struct lden_attached rd, wr;
	int fd;

	require_disk();
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	start_child(f, work_direct_write_read, (void *)path);
	/* kworkers issue some of the requests (requeues, flushes):
	 * system-wide */
	attach(f, "disk.read", true, NULL, 0, &rd, NULL);
	attach(f, "disk.write", true, NULL, 0, &wr, NULL);
	assert_int_equal(run(f), 0);
	check_samples(f, &rd);
	check_samples(f, &wr);
	/* the rest of the machine may add its own I/O, not gigabytes */
	in_range("disk.write count", count_of(&wr), 1, 100000);
	in_range("disk.write size", wr.size_total, DIO_BYTES, 1024 * MIB);
	in_range("disk.read count", count_of(&rd), 1, 100000);
	in_range("disk.read size", rd.size_total, DIO_BYTES, 1024 * MIB);
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
		s = end + 1;
		for (;;) {
			unsigned long long v = strtoull(s, &end, 10);

			if (end == s)
				break;
			total += v;
			s = end;
		}
	}
	fclose(p);
	return total;
}

static void irq_hard(void **state)
{
	struct fx *f = *state;
	const char *path = temp_file(f, "irq");
	struct lden_attached a;
	uint64_t before, after;

	require_disk();
	assert_int_equal(write_file(path, DIO_BYTES, true), 0);
	start_child(f, work_direct_read, (void *)path);
	/* interrupts run in no process's context: system-wide */
	attach(f, "irq.hard", false, NULL, 0, &a, NULL);
	before = device_interrupts();
	assert_int_equal(run(f), 0);
	after = device_interrupts();
	/* the disk's completion interrupt at least; and no more handlers
	 * than the kernel counted interrupts (a few shared lines aside) */
	in_range("irq.hard count", count_of(&a), 1, 2 * (after - before) + 16);
}

static void network_tcp(void **state)
{
	struct fx *f = *state;
	struct lden_attached send, recv, usend, urecv;
	pid_t pid;

	start_child(f, work_tcp, NULL);
	pid = f->child.pid;
	attach(f, "network.tcp_send", true, NULL, pid, &send, NULL);
	attach(f, "network.tcp_recv", true, NULL, pid, &recv, NULL);
	attach(f, "network.udp_send", false, NULL, pid, &usend, NULL);
	attach(f, "network.udp_recv", false, NULL, pid, &urecv, NULL);
	assert_int_equal(run(f), 0);
	check_samples(f, &send);
	check_samples(f, &recv);
	exactly("network.tcp_send size", send.size_total, TCP_BYTES);
	exactly("network.tcp_recv size", recv.size_total, TCP_BYTES);
	in_range("network.tcp_send count", count_of(&send), TCP_BYTES / CHUNK,
		 TCP_BYTES);
	in_range("network.tcp_recv count", count_of(&recv), TCP_BYTES / CHUNK,
		 TCP_BYTES);
	/* the protocol filters keep TCP out of the UDP events */
	exactly("network.udp_send count", count_of(&usend), 0);
	exactly("network.udp_recv count", count_of(&urecv), 0);
}

static void network_udp(void **state)
{
	struct fx *f = *state;
	struct lden_attached send, recv, tsend, trecv;
	pid_t pid;

	start_child(f, work_udp, NULL);
	pid = f->child.pid;
	attach(f, "network.udp_send", true, NULL, pid, &send, NULL);
	attach(f, "network.udp_recv", true, NULL, pid, &recv, NULL);
	attach(f, "network.tcp_send", false, NULL, pid, &tsend, NULL);
	attach(f, "network.tcp_recv", false, NULL, pid, &trecv, NULL);
	assert_int_equal(run(f), 0);
	check_samples(f, &send);
	check_samples(f, &recv);
	exactly("network.udp_send count", count_of(&send), UDP_N);
	exactly("network.udp_send size", send.size_total, UDP_N * UDP_SIZE);
	exactly("network.udp_recv count", count_of(&recv), UDP_N);
	exactly("network.udp_recv size", recv.size_total, UDP_N * UDP_SIZE);
	exactly("network.tcp_send count", count_of(&tsend), 0);
	exactly("network.tcp_recv count", count_of(&trecv), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

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
		T(memory_alloc_free),
		T(memory_pages),
		T(memory_reclaim_attaches),
		T(memory_oom_kill),
		T(fs_pagecache),
		T(fs_writeback),
		T(disk_read_write),
		T(irq_hard),
		T(network_tcp),
		T(network_udp),
	};

	ktest_require_tracing();
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
