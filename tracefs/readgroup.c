// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The counters of one CPU in one read.  read() of a per-CPU perf event
 * from a thread on another CPU is an interrupt there (the kernel reads
 * the counter on its CPU: smp_call_function_single); lden read each of
 * its ~70 system-wide counters so, once a tick, about half of them from
 * the other CPU: a third of its idle cost.
 *
 * Here the system-wide counters of a CPU are members of one perf group,
 * and ltr_session__hold_counters() reads each CPU's group at once
 * (PERF_FORMAT_GROUP | PERF_FORMAT_ID [| PERF_FORMAT_LOST]): the same
 * counts (the kernel sums the same per-event values), one read a CPU.
 *
 * The leader is an event of the session's own, counting a tracepoint
 * that hardly fires (sched:sched_kthread_stop_ret), never disabled until
 * the session ends: a group counts only while its leader is on, and
 * lden's own events are disabled and closed one by one (watch's rules).
 * The leader has to be a tracepoint too: a group led by a software event
 * (PERF_COUNT_SW_DUMMY) is accepted, and its tracepoint members then count
 * nothing (Linux 6.18).  A member that the kernel refuses in the group
 * (an old kernel, the group's read too long) is opened on its own and
 * read on its own, as before.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* tracepoints that hardly ever fire, in order of preference */
static const char *const leader_tps[] = {
	"sched/sched_kthread_stop_ret",
	"sched/sched_kthread_stop",
	"oom/mark_victim",
};

/*
 * Members a group at most: its read is 8 + 24 bytes a member, which the
 * kernel caps at 16 KiB (perf_event_validate_size()); beyond, an event is
 * read on its own.
 */
#define LTR_READGROUP_MAX 600

static int leader_id(struct ltr_session *s)
{
	char path[PATH_MAX];
	long id;

	for (size_t i = 0; i < sizeof(leader_tps) / sizeof(leader_tps[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/%s/id", s->tracing_dir,
			 leader_tps[i]);
		if (ltr_read_long(path, &id) == 0 && id >= 0 && id <= INT_MAX)
			return (int)id;
	}
	return -1;
}

/* One leader a CPU, or none at all (s->rg_off). */
static void open_leaders(struct ltr_session *s)
{
	int id;

	s->rg_tried = true;
	id = leader_id(s);
	if (id < 0)
		goto off;
	s->rg = calloc(s->ncpus, sizeof(*s->rg));
	if (!s->rg)
		goto off;
	for (int i = 0; i < s->ncpus; i++)
		s->rg[i].fd = -1;
	s->rg_lost = !s->no_format_lost;
	for (int i = 0; i < s->ncpus; i++) {
		struct perf_event_attr a = { 0 };
		int fd;

		a.type = PERF_TYPE_TRACEPOINT;
		a.size = sizeof(a);
		a.config = (uint64_t)id;
		/* the members' clock: the kernel groups events of one clock */
		a.use_clockid = 1;
		a.clockid = CLOCK_MONOTONIC;
		a.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID |
				(s->rg_lost ? PERF_FORMAT_LOST : 0);
		fd = ltr_perf_open(&a, -1, s->cpus[i], -1, 0);
		if (fd == -EINVAL && s->rg_lost && !s->format_lost_ok) {
			/* before 6.0: no lost counts.  Taken without them,
			 * PERF_FORMAT_LOST was what the kernel refused: the
			 * session's events go without too (open_older()) */
			a.read_format &= ~(uint64_t)PERF_FORMAT_LOST;
			fd = ltr_perf_open(&a, -1, s->cpus[i], -1, 0);
			if (fd >= 0) {
				s->rg_lost = false;
				s->no_format_lost = true;
			}
		}
		if (fd < 0) {
			ltr_debug("no read groups: the leader on CPU %d: %s\n",
				  s->cpus[i], strerror(-fd));
			ltr_readgroups_close(s);
			goto off;
		}
		s->rg[i].fd = fd;
		/* the kernel has PERF_FORMAT_LOST: never blamed (open_older) */
		if (s->rg_lost)
			s->format_lost_ok = true;
	}
	ltr_debug("read groups: one a CPU, led by tracepoint %d\n", id);
	return;
off:
	s->rg_off = true;
}

int ltr_readgroup_leader(struct ltr_session *s, int cpu_index, bool samples)
{
	struct ltr_readgroup *g;

	if (!s->rg_tried)
		open_leaders(s);
	/* a sampled member reads as its leader: both with lost counts
	 * (PERF_FORMAT_LOST) or, the kernel lacking them, both without */
	if (s->rg_off || (samples && s->rg_lost == s->no_format_lost))
		return -1;
	g = &s->rg[cpu_index];
	return g->n < LTR_READGROUP_MAX ? g->fd : -1;
}

int ltr_readgroup_add(struct ltr_session *s, int cpu_index,
		      struct ltr_event *ev, int idx, int fd)
{
	struct ltr_readgroup *g = &s->rg[cpu_index];
	uint64_t id;

	if (ioctl(fd, PERF_EVENT_IOC_ID, &id) < 0)
		return -errno;
	if (g->n == g->cap) {
		int cap = g->cap ? 2 * g->cap : 32;
		struct ltr_member *m = realloc(g->m, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		g->m = m;
		g->cap = cap;
	}
	g->m[g->n++] = (struct ltr_member){ .id = id, .ev = ev, .idx = idx };
	ev->snap[idx].grouped = true;
	return 0;
}

void ltr_readgroup_forget(struct ltr_session *s, struct ltr_event *ev)
{
	if (!s->rg)
		return;
	for (int c = 0; c < s->ncpus; c++) {
		struct ltr_readgroup *g = &s->rg[c];
		int k = 0;

		for (int j = 0; j < g->n; j++)
			if (g->m[j].ev != ev)
				g->m[k++] = g->m[j];
		g->n = k;
	}
}

void ltr_readgroups_close(struct ltr_session *s)
{
	if (!s->rg)
		return;
	for (int c = 0; c < s->ncpus; c++) {
		if (s->rg[c].fd >= 0)
			close(s->rg[c].fd);
		free(s->rg[c].m);
		free(s->rg[c].buf);
	}
	free(s->rg);
	s->rg = NULL;
}

int ltr_readgroup_fds(const struct ltr_session *s, int *fds)
{
	int n = 0;

	for (int c = 0; s->rg && c < s->ncpus; c++)
		if (s->rg[c].fd >= 0)
			fds[n++] = s->rg[c].fd;
	return n;
}

/* Member of @g with @id, looked for from *@next (the kernel's order). */
static struct ltr_member *member_of(struct ltr_readgroup *g, uint64_t id,
				    int *next)
{
	if (*next < g->n && g->m[*next].id == id)
		return &g->m[(*next)++];
	for (int j = 0; j < g->n; j++)
		if (g->m[j].id == id) {
			*next = j + 1;
			return &g->m[j];
		}
	return NULL;
}

/* CPU @c's group in one read; its members' values held.  0 or -errno. */
static int hold_group(struct ltr_session *s, int c)
{
	struct ltr_readgroup *g = &s->rg[c];
	size_t per = s->rg_lost ? 3 : 2;
	size_t want = (1 + (size_t)(g->n + 1) * per) * sizeof(uint64_t);
	uint64_t nr;
	ssize_t n;
	int next = 0;

	if (g->buflen < want) {
		uint64_t *b = realloc(g->buf, want);

		if (!b)
			return -ENOMEM;
		g->buf = b;
		g->buflen = want;
	}
	do
		n = read(g->fd, g->buf, want);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	nr = g->buf[0];
	/* the leader and its members, as many as the kernel says */
	if (nr != (uint64_t)g->n + 1 ||
	    (size_t)n != (1 + nr * per) * sizeof(uint64_t))
		return -EIO;
	for (uint64_t k = 1; k < nr; k++) {
		const uint64_t *e = &g->buf[1 + k * per];
		struct ltr_member *m = member_of(g, e[1], &next);

		if (!m)
			return -EIO;
		m->ev->snap[m->idx].v[0] = e[0];
		m->ev->snap[m->idx].v[1] = s->rg_lost ? e[2] : 0;
	}
	/* every value in: only now are they used */
	for (int j = 0; j < g->n; j++)
		g->m[j].ev->snap[g->m[j].idx].held = true;
	return 0;
}

int ltr_session__hold_counters(struct ltr_session *s)
{
	int ret = 0;

	/* inside a hold: its values, read once for all */
	if (!s || s->rg_depth++)
		return 0;
	for (int c = 0; s->rg && c < s->ncpus; c++) {
		int err;

		if (s->rg[c].fd < 0 || !s->rg[c].n)
			continue;
		err = hold_group(s, c);
		/* its members are then read one by one, as without a group */
		if (err < 0 && !ret)
			ret = ltr_error(-err, "cannot read the counters of CPU %d at once: %s",
					s->cpus[c], strerror(-err));
	}
	return ret;
}

void ltr_session__release_counters(struct ltr_session *s)
{
	if (!s || !s->rg_depth || --s->rg_depth)
		return;
	for (int c = 0; s->rg && c < s->ncpus; c++)
		for (int j = 0; j < s->rg[c].n; j++)
			s->rg[c].m[j].ev->snap[s->rg[c].m[j].idx].held = false;
}
