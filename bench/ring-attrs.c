// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/ring-attrs.c - what each perf_event_attr choice of lden's perf
 * ring costs the traced workload's kernel per tracepoint hit (issue 18).
 *
 *   gcc -O2 -o ring-attrs bench/ring-attrs.c -lpthread
 *   RDCPU=0 ./ring-attrs N REPS WLCPU CONFIG...      (as root)
 *
 * Each repetition runs a workload with no tracer, then under each CONFIG
 * (order rotated, reversed every other repetition): N openat(O_TMPFILE |
 * O_RDONLY) calls, refused (EINVAL) before any path walk, so that the
 * syscalls:sys_enter_openat hit and its sample are most of a call's cost.
 * CONFIG opens that tracepoint on every CPU, system-wide, sampling every
 * hit into a per-CPU ring drained by a thread (pinned to RDCPU when set;
 * the workload to WLCPU, -1: not pinned).  Printed: the workload's CPU
 * time per call (getrusage utime + stime, which add up to its exact
 * runtime), median [min-max] over the repetitions, and that minus the
 * baseline's median.  CONFIGs: see the table below (lden: lden's attrs
 * before this fix; raw: IDENTIFIER|RAW, what a summed size reads;
 * perfrec: perf record's attrs and ring; pN: lden's with N data pages).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXCPU 16
struct cfg {
	const char *name;
	int clockid, lost, owner_self, pages, wake, tail_batch, tp_count;
	uint64_t st;
};

static int ncpu;
static volatile int stop;
static struct perf_event_mmap_page *pg[MAXCPU];
static size_t dsz;
static int tail_batch;
static uint64_t nrec, nlost;
static int epfd;

static long peo(struct perf_event_attr *a, int pid, int cpu, int g, unsigned long f)
{
	return syscall(SYS_perf_event_open, a, pid, cpu, g, f);
}

static void drain(int i)
{
	struct perf_event_mmap_page *p = pg[i];
	unsigned char *data = (unsigned char *)p + 4096;
	uint64_t head = __atomic_load_n(&p->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = p->data_tail;

	while (tail < head) {
		struct perf_event_header h;
		uint64_t off = tail & (dsz - 1);
		if (off + sizeof(h) <= dsz)
			memcpy(&h, data + off, sizeof(h));
		else {
			size_t a = dsz - off;
			memcpy(&h, data + off, a);
			memcpy((char *)&h + a, data, sizeof(h) - a);
		}
		if (h.type == PERF_RECORD_SAMPLE)
			nrec++;
		else if (h.type == PERF_RECORD_LOST || h.type == PERF_RECORD_LOST_SAMPLES)
			nlost++;
		tail += h.size;
		if (!tail_batch)
			__atomic_store_n(&p->data_tail, tail, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&p->data_tail, tail, __ATOMIC_RELEASE);
}

static int rdcpu = -1;
static void *reader(void *arg)
{
	(void)arg;
	if (rdcpu >= 0) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(rdcpu, &s); sched_setaffinity(0, sizeof(s), &s); }
	struct epoll_event ev[MAXCPU];
	while (!stop) {
		int n = epoll_wait(epfd, ev, MAXCPU, 100);
		for (int k = 0; k < n; k++)
			drain(ev[k].data.u32);
	}
	for (int i = 0; i < ncpu; i++)
		drain(i);
	return NULL;
}

static int tpid(void)
{
	FILE *f = fopen("/sys/kernel/tracing/events/syscalls/sys_enter_openat/id", "r");
	int id = -1;
	if (f) { if (fscanf(f, "%d", &id) != 1) id = -1; fclose(f); }
	return id;
}

/* one trial: returns workload sys ns per event (and wall) */
static void trial(struct cfg *c, const char *wl, long n, int wlcpu, double *sysns, double *wallns)
{
	int fds[MAXCPU], own[MAXCPU], id = tpid();
	size_t map = (size_t)(c ? c->pages : 1) * 4096 + 4096;
	void *maps[MAXCPU];
	pthread_t th;

	nrec = nlost = 0;
	stop = 0;
	if (c) {
		dsz = (size_t)c->pages * 4096;
		tail_batch = c->tail_batch;
		epfd = epoll_create1(0);
		for (int i = 0; i < ncpu; i++) {
			struct perf_event_attr a = { 0 };
			a.size = sizeof(a);
			a.type = PERF_TYPE_TRACEPOINT;
			a.config = id;
			a.disabled = 1;
			if (!c->tp_count) {
				a.sample_period = 1;
				a.sample_type = c->st;
			}
			if (c->clockid) { a.use_clockid = 1; a.clockid = CLOCK_MONOTONIC; }
			if (c->lost) a.read_format = PERF_FORMAT_LOST;
			if (c->wake) { a.watermark = 1; a.wakeup_watermark = c->wake; }
			fds[i] = peo(&a, -1, i, -1, PERF_FLAG_FD_CLOEXEC);
			if (fds[i] < 0) { perror("tp open"); exit(1); }
			if (c->tp_count) { own[i] = -1; maps[i] = NULL; continue; }
			if (c->owner_self) {
				own[i] = fds[i];
			} else {
				struct perf_event_attr d = a;
				d.type = PERF_TYPE_SOFTWARE;
				d.config = PERF_COUNT_SW_DUMMY;
				d.read_format = 0;
				own[i] = peo(&d, -1, i, -1, PERF_FLAG_FD_CLOEXEC);
				if (own[i] < 0) { perror("dummy open"); exit(1); }
			}
			maps[i] = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_SHARED, own[i], 0);
			if (maps[i] == MAP_FAILED) { perror("mmap"); exit(1); }
			pg[i] = maps[i];
			if (!c->owner_self && ioctl(fds[i], PERF_EVENT_IOC_SET_OUTPUT, own[i]) < 0) { perror("set_output"); exit(1); }
			struct epoll_event ee = { .events = EPOLLIN, .data.u32 = i };
			epoll_ctl(epfd, EPOLL_CTL_ADD, own[i], &ee);
		}
		if (!c->tp_count)
			pthread_create(&th, NULL, reader, NULL);
		for (int i = 0; i < ncpu; i++) {
			ioctl(fds[i], PERF_EVENT_IOC_ENABLE, 0);
			if (!c->owner_self && !c->tp_count) ioctl(own[i], PERF_EVENT_IOC_ENABLE, 0);
		}
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid == 0) {
		if (wlcpu >= 0) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(wlcpu, &s); sched_setaffinity(0, sizeof(s), &s); }
		char nb[32]; snprintf(nb, sizeof nb, "%ld", n);
		int fd = open("/dev/null", O_WRONLY); dup2(fd, 1); dup2(fd, 2);
		execl(wl, wl, "-w", nb, (char *)NULL);
		_exit(127);
	}
	int st; struct rusage ru;
	wait4(pid, &st, 0, &ru);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*sysns = (ru.ru_stime.tv_sec * 1e9 + ru.ru_stime.tv_usec * 1e3 + ru.ru_utime.tv_sec * 1e9 + ru.ru_utime.tv_usec * 1e3) / n;
	*wallns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n;
	if (c) {
		for (int i = 0; i < ncpu; i++)
			ioctl(fds[i], PERF_EVENT_IOC_DISABLE, 0);
		stop = 1;
		if (!c->tp_count) pthread_join(th, NULL);
		for (int i = 0; i < ncpu; i++) {
			if (maps[i]) munmap(maps[i], map);
			if (own[i] >= 0 && own[i] != fds[i]) close(own[i]);
			close(fds[i]);
		}
		close(epfd);
	}
}

#define LDEN_ST (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW)
#define PERF_ST (PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_RAW)

static struct cfg all[] = {
	/* name clockid lost self pages wake batch count st */
	{ "lden",        1, 1, 0, 512, 512 * 1024, 0, 0, LDEN_ST },
	{ "perfrec",     0, 0, 1, 128, 0,          1, 0, PERF_ST },
	{ "noclock",     0, 1, 0, 512, 512 * 1024, 0, 0, LDEN_ST },
	{ "nolost",      1, 0, 0, 512, 512 * 1024, 0, 0, LDEN_ST },
	{ "self",        1, 1, 1, 512, 512 * 1024, 0, 0, LDEN_ST },
	{ "p128",        1, 1, 0, 128, 128 * 1024, 0, 0, LDEN_ST },
	{ "batch",       1, 1, 0, 512, 512 * 1024, 1, 0, LDEN_ST },
	{ "raw",         1, 1, 0, 512, 512 * 1024, 0, 0, PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_RAW },
	{ "rawnoclk",    0, 1, 0, 512, 512 * 1024, 0, 0, PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_RAW },
	{ "count",       1, 0, 0, 512, 0,          0, 1, 0 },
	{ "lden-perfst", 1, 1, 0, 512, 512 * 1024, 0, 0, PERF_ST },
	{ "perfrec-clk", 1, 0, 1, 128, 0,          1, 0, PERF_ST },
	{ "perfrec-512", 0, 0, 1, 512, 0,          1, 0, PERF_ST },
	{ "notime",      1, 1, 0, 512, 512 * 1024, 0, 0, PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW },
	{ "timeclk",     1, 1, 0, 512, 512 * 1024, 0, 0, PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TIME | PERF_SAMPLE_RAW },
	{ "timelocal",   0, 1, 0, 512, 512 * 1024, 0, 0, PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TIME | PERF_SAMPLE_RAW },
	{ "tidraw",      1, 1, 0, 512, 512 * 1024, 0, 0, PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_RAW },
	{ "p64",         1, 1, 0, 64,  64 * 1024,  0, 0, LDEN_ST },
	{ "p32",         1, 1, 0, 32,  32 * 1024,  0, 0, LDEN_ST },
	{ "p256",        1, 1, 0, 256, 256 * 1024, 0, 0, LDEN_ST },
	{ "p1024",       1, 1, 0, 1024, 1024 * 1024, 0, 0, LDEN_ST },
	{ "p128raw",     1, 1, 0, 128, 128 * 1024, 0, 0, PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_RAW },
};

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int workload(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_openat, AT_FDCWD, "/dev/null", O_TMPFILE | O_RDONLY);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "-w"))
		return workload(atol(argv[2]));
	if (argc < 5) { fprintf(stderr, "usage: ring-attrs N REPS WLCPU CONFIG...\n"); return 1; }
	const char *wl = "/proc/self/exe";
	long n = atol(argv[1]);
	int reps = atoi(argv[2]), wlcpu = atoi(argv[3]);
	if (getenv("RDCPU")) rdcpu = atoi(getenv("RDCPU"));
	int nc = argc - 4;

	if (reps < 1 || reps > 64 || nc > 32) { fprintf(stderr, "ring-attrs: REPS 1-64, at most 32 CONFIGs\n"); return 1; }
	struct cfg *cs[32];
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	for (int k = 0; k < nc; k++) {
		cs[k] = NULL;
		for (size_t j = 0; j < sizeof(all) / sizeof(all[0]); j++)
			if (!strcmp(all[j].name, argv[4 + k])) cs[k] = &all[j];
		if (!cs[k]) { fprintf(stderr, "no cfg %s\n", argv[4 + k]); return 1; }
	}
	double base[64];
	double sys[32][64], wall[32][64];
	for (int r = 0; r < reps; r++) {
		double w;
		trial(NULL, wl, n, wlcpu, &base[r], &w);
		for (int kk = 0; kk < nc; kk++) {
			int k = (r % 2) ? nc - 1 - ((kk + r) % nc) : (kk + r) % nc;
			trial(cs[k], wl, n, wlcpu, &sys[k][r], &wall[k][r]);
			fprintf(stderr, "rep %d %-12s cpu %.0f wall %.0f rec %lu lost %lu\n", r, cs[k]->name, sys[k][r], wall[k][r], (unsigned long)nrec, (unsigned long)nlost);
		}
		fprintf(stderr, "rep %d baseline cpu %.0f\n", r, base[r]);
	}
	/* medians */
	qsort(base, reps, sizeof(double), cmp);
	printf("%-12s cpu_ns/call median %.0f [%.0f-%.0f]\n", "baseline", base[reps / 2], base[0], base[reps - 1]);
	for (int k = 0; k < nc; k++) {
		qsort(sys[k], reps, sizeof(double), cmp);
		printf("%-12s cpu_ns/call median %.0f [%.0f-%.0f]  added %.0f\n", cs[k]->name, sys[k][reps / 2], sys[k][0], sys[k][reps - 1], sys[k][reps / 2] - base[reps / 2]);
	}
	return 0;
}
