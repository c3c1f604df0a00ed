// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What tracing costs the kernel, measured on this machine.
 *
 * A sampled event is paid for in the traced process, not in the tracer:
 * the kernel writes the record into the ring in the context of the task
 * that hit the tracepoint.  So the tracer's own CPU time does not show it.
 * This measures it where it is paid: the calling thread makes the same
 * system call in rounds, bare, with a counting perf event on it and with a
 * sampling one (a ring of its own, drained between rounds), and compares
 * its own CPU time per call.  The best round of each kind is kept, since
 * preemption and cache misses only ever add.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define CALLS 1000		/* per round: about 64 KiB of records */
#define ROUNDS 9
#define RING_PAGES 32		/* 128 KiB of data: one round fits */

/* the kinds of round: bare, counted, then each sample type measured */
enum { BARE, COUNTED, FULL, FIRST_TYPE };
#define NKINDS (FIRST_TYPE + LTR_COST_MAX_TYPES)

static int read_id(const char *dir, long *id)
{
	char path[4096];
	int err;

	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_getppid/id",
		 dir);
	err = ltr_read_long(path, id);
	return err < 0 ? err : *id > 0 ? 0 : -EINVAL;
}

static double thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The calling thread's CPU time per getppid() call, over one round. */
static double round_ns(void)
{
	double t0 = thread_ns();

	for (int i = 0; i < CALLS; i++)
		syscall(SYS_getppid);
	return (thread_ns() - t0) / CALLS;
}

/*
 * Opens the event on the calling thread, counting (@type 0) or sampling
 * with @type; -errno when refused.
 */
static int open_event(long id, uint64_t type)
{
	struct perf_event_attr a = { 0 };
	long page = sysconf(_SC_PAGESIZE);

	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = (unsigned long long)id;
	a.disabled = 1;
	if (type) {
		/* as the session's sampling events are */
		a.sample_period = 1;
		a.sample_type = type;
		a.use_clockid = 1;
		a.clockid = CLOCK_MONOTONIC;
		a.watermark = 1;
		a.wakeup_watermark = (unsigned int)(RING_PAGES * page / 4);
	}
	return ltr_perf_open(&a, 0, -1, -1, 0);
}

/**
 * ltr_measure_event_cost - what a hit of a traced event costs the kernel
 * on this machine, in the task that hits it
 * @tracing_dir: tracefs, or NULL to find it
 * @cost: out: the cost of a hit counted, and sampled into a perf ring with
 *        every field (LTR_SAMPLE_TYPE); written only on success
 *
 * Uses syscalls:sys_enter_getppid on the calling thread, which makes about
 * 27,000 getppid() calls: some 10 to 50 ms of its time.
 *
 * Return: 0, or -ENOENT (no syscall tracepoints), -EACCES (perf events
 * refused), or another negative errno; errno is set too.
 */
int ltr_measure_event_cost(const char *tracing_dir,
			   struct ltr_event_cost *cost)
{
	return ltr_measure_event_cost_until(tracing_dir, cost, NULL);
}

int ltr_measure_event_cost_until(const char *tracing_dir,
				 struct ltr_event_cost *cost,
				 const int *stop)
{
	struct ltr_sample_costs c = { .ntypes = 0 };
	int err = ltr_measure_sample_costs_until(tracing_dir, &c, stop);

	if (err < 0)
		return err;
	cost->count_ns = c.count_ns;
	cost->sample_ns = c.full_ns;
	return 0;
}

/* Whether the session could open a sampling event with @type. */
static bool type_valid(uint64_t type)
{
	uint64_t must = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_RAW;

	return (type & must) == must &&
	       !(type & ~(LTR_SAMPLE_TYPE | PERF_SAMPLE_CGROUP));
}

/*
 * ltr_measure_sample_costs_until - the same, for the sample types the
 * session's events use (ltr_event__sample_type()); see lden-trace.h
 */
int ltr_measure_sample_costs_until(const char *tracing_dir,
				   struct ltr_sample_costs *costs,
				   const int *stop)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t map_size = (size_t)(RING_PAGES + 1) * page;
	int nkinds = FIRST_TYPE + (costs->ntypes > 0 ? costs->ntypes : 0);
	int fd[NKINDS], err = 0;
	void *map[NKINDS];
	double best[NKINDS];
	long id;

	if (costs->ntypes < 0 || costs->ntypes > LTR_COST_MAX_TYPES)
		return ltr_error(EINVAL, "cannot measure %d sample types (at most %d)",
				 costs->ntypes, LTR_COST_MAX_TYPES);
	for (int i = 0; i < costs->ntypes; i++)
		if (!type_valid(costs->type[i]))
			return ltr_error(EINVAL, "cannot measure the cost of sample type %#llx: not one a session opens",
					 (unsigned long long)costs->type[i]);
	for (int k = 0; k < NKINDS; k++) {
		fd[k] = -1;
		map[k] = MAP_FAILED;
		best[k] = 1e18;
	}
	if (!tracing_dir)
		tracing_dir = ltr_tracing_dir();
	if (!tracing_dir)
		return -errno;
	err = read_id(tracing_dir, &id);
	if (err < 0)
		return ltr_error(-err, "cannot measure the kernel's cost of an event: no syscalls:sys_enter_getppid (%s)",
				 strerror(-err));
	for (int k = COUNTED; k < nkinds; k++) {
		uint64_t type = k == COUNTED ? 0 : k == FULL ? LTR_SAMPLE_TYPE :
			      costs->type[k - FIRST_TYPE];

		fd[k] = open_event(id, type);
		if (fd[k] < 0) {
			err = ltr_perf_open_error(-fd[k],
						  "syscalls:sys_enter_getppid");
			goto out_close;
		}
		if (k == COUNTED)
			continue;
		map[k] = mmap(NULL, map_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, fd[k], 0);
		if (map[k] == MAP_FAILED) {
			err = ltr_error(errno, "cannot map a ring to measure the kernel's cost: %s",
					strerror(errno));
			goto out_close;
		}
	}
	for (int r = 0; r < ROUNDS; r++) {
		if (stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
			err = -ECANCELED;
			errno = ECANCELED;
			goto out_close;
		}
		for (int j = 0; j < nkinds; j++) {
			/* a different order each round: no kind always first */
			int kind = (j + r) % nkinds;
			double ns;

			if (fd[kind] >= 0)
				ioctl(fd[kind], PERF_EVENT_IOC_ENABLE, 0);
			ns = round_ns();
			if (fd[kind] >= 0)
				ioctl(fd[kind], PERF_EVENT_IOC_DISABLE, 0);
			if (ns < best[kind])
				best[kind] = ns;
		}
		/* throw the round's records away: the rings are empty again */
		for (int k = FULL; k < nkinds; k++) {
			struct perf_event_mmap_page *pg = map[k];

			__atomic_store_n(&pg->data_tail,
					 __atomic_load_n(&pg->data_head,
							 __ATOMIC_ACQUIRE),
					 __ATOMIC_RELEASE);
		}
	}
	costs->count_ns = best[COUNTED] > best[BARE] ?
			  best[COUNTED] - best[BARE] : 0;
	costs->full_ns = best[FULL] > best[BARE] ? best[FULL] - best[BARE] : 0;
	for (int i = 0; i < costs->ntypes; i++) {
		double ns = best[FIRST_TYPE + i];

		costs->sample_ns[i] = ns > best[BARE] ? ns - best[BARE] : 0;
	}
	err = 0;

out_close:
	for (int k = 0; k < NKINDS; k++) {
		if (map[k] != MAP_FAILED)
			munmap(map[k], map_size);
		if (fd[k] >= 0)
			close(fd[k]);
	}
	if (err < 0)
		errno = -err;
	return err;
}
