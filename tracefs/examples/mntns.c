// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden-exec --mntns: see mntns.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mntns.h"

/* Lines waiting for their window to be drained, at most. */
#define MAX_PENDING 65536
/* unshare, setns and exit records remembered, at most. */
#define MAX_CHANGES 4096
/*
 * A record stamped before a drain began is in its ring by then: the
 * kernel writes it with preemption off, microseconds after taking the
 * timestamp.  One millisecond is a wide margin.
 */
#define COMMIT_MARGIN_NS 1000000ULL
#define CLONE_NEWNS_FLAG 0x00020000

struct pending {
	uint32_t pid;
	uint64_t exec_time;
	uint64_t read_time;	/* when the namespace was read */
	uint64_t mntns;
	int err;		/* 0, or the read's negative errno */
	char *filename;
};

struct change {
	uint32_t tid;
	uint64_t time;
	bool exited;		/* else it moved: unshare or setns */
};

struct mntns_view {
	struct ltr_session *s;
	FILE *out;
	struct ltr_event *unshare, *setns, *exit;
	struct pending *pending;	/* a FIFO: [first, first + n) */
	size_t first, n, cap;
	struct change changes[MAX_CHANGES];	/* a ring */
	size_t nchanges, next_change;
	uint64_t forgotten;	/* newest time of a change pushed out */
	uint64_t lost_seen;	/* the session's lost records at the last flush */
};

uint64_t mntns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct mntns_view *mntns_view_new(struct ltr_session *s,
				  const struct ltr_event_opts *scope,
				  FILE *out)
{
	struct ltr_event_opts o = *scope;
	struct mntns_view *v = calloc(1, sizeof(*v));
	char filter[64];

	if (!v)
		return NULL;
	v->s = s;
	v->out = out;
	o.mode = LTR_MODE_SAMPLE;
	snprintf(filter, sizeof(filter), "unshare_flags & %d", CLONE_NEWNS_FLAG);
	o.filter = filter;
	v->unshare = ltr_event__open(s, "syscalls", "sys_enter_unshare", &o);
	o.filter = NULL;
	v->setns = v->unshare ? ltr_event__open(s, "syscalls", "sys_enter_setns", &o) : NULL;
	v->exit = v->setns ? ltr_event__open(s, "sched", "sched_process_exit", &o) : NULL;
	if (!v->exit) {
		free(v);
		return NULL;
	}
	return v;
}

void mntns_view_free(struct mntns_view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		free(v->pending[(v->first + i) % v->cap].filename);
	free(v->pending);
	free(v);
}

bool mntns_view_sample(struct mntns_view *v, const struct ltr_sample *s)
{
	struct change *c;

	if (s->event != v->unshare && s->event != v->setns &&
	    s->event != v->exit)
		return false;
	c = &v->changes[v->next_change];
	if (v->nchanges == MAX_CHANGES && c->time > v->forgotten)
		v->forgotten = c->time;
	c->tid = s->tid;
	c->time = s->time;
	c->exited = s->event == v->exit;
	v->next_change = (v->next_change + 1) % MAX_CHANGES;
	if (v->nchanges < MAX_CHANGES)
		v->nchanges++;
	return true;
}

/* What the line shows for the namespace. */
static const char *resolve(const struct mntns_view *v,
			   const struct pending *l, bool unsure, char *buf,
			   size_t size)
{
	bool moved = unsure || v->forgotten > l->exec_time;

	if (l->err == -ESRCH)
		return "-";
	for (size_t i = 0; i < v->nchanges; i++) {
		const struct change *c = &v->changes[i];

		if (c->tid != l->pid || c->time <= l->exec_time ||
		    c->time > l->read_time)
			continue;
		if (c->exited)
			return "-";
		moved = true;
	}
	if (moved || l->err)
		return "?";
	snprintf(buf, size, "%" PRIu64, l->mntns);
	return buf;
}

/* Prints and drops the oldest line; @unsure: its window is not drained. */
static void print_first(struct mntns_view *v, bool unsure)
{
	struct pending *l = &v->pending[v->first];
	char buf[32];

	fprintf(v->out, "exec %" PRIu32 " %s %s\n", l->pid,
		resolve(v, l, unsure, buf, sizeof(buf)),
		l->filename ? l->filename : "?");
	free(l->filename);
	v->first = (v->first + 1) % v->cap;
	v->n--;
}

void mntns_view_exec(struct mntns_view *v, uint32_t pid, uint64_t time,
		     const char *filename, size_t len)
{
	struct ltr_process *p = ltr_process__new((pid_t)pid);
	struct pending *l;

	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct pending *more;

		if (v->cap == MAX_PENDING || !(more = calloc(cap, sizeof(*more)))) {
			/* no room to wait: the oldest goes out unsure */
			if (!v->n) {
				fprintf(v->out, "exec %" PRIu32 " ? %.*s\n", pid,
					(int)len, filename);
				ltr_process__free(p);
				return;
			}
			print_first(v, true);
			goto queue;
		}
		for (size_t i = 0; i < v->n; i++)
			more[i] = v->pending[(v->first + i) % v->cap];
		free(v->pending);
		v->pending = more;
		v->cap = cap;
		v->first = 0;
	}
queue:
	l = &v->pending[(v->first + v->n) % v->cap];
	memset(l, 0, sizeof(*l));
	l->pid = pid;
	l->exec_time = time;
	l->err = p ? ltr_process__namespace(p, LTR_NS_MNT, &l->mntns) : -errno;
	l->read_time = mntns_now();
	l->filename = strndup(filename, len);
	ltr_process__free(p);
	v->n++;
}

void mntns_view_flush(struct mntns_view *v, uint64_t drained_from)
{
	uint64_t lost = ltr_session__lost(v->s, -1);
	bool new_loss = lost > v->lost_seen;

	while (v->n &&
	       (drained_from == UINT64_MAX ||
		v->pending[v->first].read_time + COMMIT_MARGIN_NS < drained_from))
		print_first(v, new_loss);
	v->lost_seen = lost;
}
