// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "clock.h"
#include "comms.h"
#include "intmap.h"
#include "lden-trace.h"
#include "scope.h"

/* Tasks named at once; beyond, the least recently named is forgotten
 * (its next record is named late, from /proc). */
#define MAX_TASKS 65536

enum role { NEWTASK, RENAME, NROLES };

struct name {
	pid_t tid;
	uint64_t seq;			/* when named, for eviction */
	uint64_t time;			/* the naming record's time */
	char comm[16];
};

struct lden_comms {
	struct lden_attached *att;	/* NROLES per scope */
	int natt;
	const struct ltr_field *pid[NROLES], *comm[NROLES];
	const struct ltr_field *clone_flags;	/* task_newtask's */
	struct lden_intmap *names;	/* tid -> struct name * */
	uint64_t seq;
	/*
	 * The tracker's own records the kernel dropped so far, and the time
	 * before which a name may predate a dropped rename or new task: a
	 * name set by a record older than @unsure_before is not known
	 * exactly any more (lden_comms__check_lost())
	 */
	uint64_t lost_seen;
	uint64_t full_mark;	/* lden_attached__kept_all()'s */
	uint64_t unsure_before;
	/*
	 * pid -> struct proc: the processes seen start with each pid (a pid
	 * is at most PID_MAX_LIMIT, 2^22: bounded); @procs_failed, one
	 * could not be kept (out of memory): no process known exactly
	 */
	struct lden_intmap *procs;
	bool procs_failed;
};

struct proc {
	uint64_t n;			/* processes seen start with the pid */
	uint64_t time;			/* the last one's task_newtask */
};

struct lden_comms *lden_comms__new(void)
{
	struct lden_comms *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->names = lden_intmap__new(0, sizeof(struct name *));
	c->procs = lden_intmap__new(0, sizeof(struct proc));
	if (!c->names || !c->procs) {
		lden_intmap__free(c->names);
		lden_intmap__free(c->procs);
		free(c);
		return NULL;
	}
	return c;
}

static void free_name(uint64_t key, void *val, void *ctx)
{
	(void)key;
	(void)ctx;
	free(*(struct name **)val);
}

void lden_comms__free(struct lden_comms *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->natt; i++)
		lden_attached__release(&c->att[i]);
	free(c->att);
	lden_intmap__each(c->names, free_name, NULL);
	lden_intmap__free(c->names);
	lden_intmap__free(c->procs);
	free(c);
}

int lden_comms__attach_scopes(struct lden_comms *c, struct ltr_session *s,
			     const struct lden_scope *scopes, int n,
			     char *err, size_t errlen)
{
	static const char *const tp[NROLES] = { "task_newtask", "task_rename" };
	static const char *const commf[NROLES] = { "comm", "newcomm" };
	const char *dir = ltr_session__tracing_dir(s);

	if (!lden_tracepoint_exists(dir, "task:task_newtask") ||
	    !lden_tracepoint_exists(dir, "task:task_rename"))
		return -ENOENT;
	/* once: the parts point at their owner, in this array */
	if (c->att) {
		snprintf(err, errlen, "task names attached twice");
		return -EINVAL;
	}
	c->att = calloc((size_t)n * NROLES, sizeof(*c->att));
	if (!c->att) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		for (int r = 0; r < NROLES; r++) {
			struct lden_attached *a = &c->att[c->natt];
			struct ltr_event *ev;

			if (lden_attach_tracepoint_mode(s, "task", tp[r], NULL,
							true, &scopes[i], a,
							err, errlen) < 0)
				return -EINVAL;
			c->natt++;
			a->user = c;
			ev = a->parts[0].ev;
			c->pid[r] = ltr_event__field(ev, "pid");
			c->comm[r] = ltr_event__field(ev, commf[r]);
			if (r == NEWTASK)
				c->clone_flags = ltr_event__field(
					ev, "clone_flags");
		}
	}
	return 0;
}

int lden_comms__attach(struct lden_comms *c, struct ltr_session *s,
		      const struct lden_scope_opts *scope, char *err,
		      size_t errlen)
{
	int n = lden_scope__count(scope), rc;
	struct lden_scope *sc = calloc((size_t)n, sizeof(*sc));

	if (!sc) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		struct lden_scope buf;
		const struct lden_scope *one = lden_scope__get(scope, i, &buf);

		/* none: the whole machine, as a zeroed scope is */
		if (one)
			sc[i] = *one;
	}
	rc = lden_comms__attach_scopes(c, s, sc, n, err, errlen);
	free(sc);
	return rc;
}

/* Which of the tracker's tracepoints @s comes from, or -1. */
static int role_of(const struct lden_comms *c, const struct ltr_sample *s)
{
	const struct lden_part *p = ltr_event__user(s->event);

	if (!c || !c->natt || !p || !p->owner || p->owner->user != c)
		return -1;
	return (int)((p->owner - c->att) % NROLES);
}

bool lden_comms__owns(const struct lden_comms *c, const struct ltr_sample *s)
{
	return role_of(c, s) >= 0;
}

struct oldest {
	struct name *n;
};

static void find_oldest(uint64_t key, void *val, void *ctx)
{
	struct oldest *o = ctx;
	struct name *n = *(struct name **)val;

	(void)key;
	if (!o->n || n->seq < o->n->seq)
		o->n = n;
}

static void set_name(struct lden_comms *c, pid_t tid, const char *comm,
		     size_t len, uint64_t time)
{
	struct name *n = lden_intmap__get_ptr(c->names, (uint64_t)tid);

	if (!n) {
		if (lden_intmap__count(c->names) >= MAX_TASKS) {
			struct oldest o = { NULL };

			lden_intmap__each(c->names, find_oldest, &o);
			if (o.n)
				free(lden_intmap__del_ptr(c->names,
							  (uint64_t)o.n->tid));
		}
		n = calloc(1, sizeof(*n));
		if (!n)
			return;
		n->tid = tid;
		if (lden_intmap__put_ptr(c->names, (uint64_t)tid, n) < 0) {
			free(n);
			return;
		}
	}
	len = strnlen(comm, len);
	if (len > sizeof(n->comm) - 1)
		len = sizeof(n->comm) - 1;
	memcpy(n->comm, comm, len);
	n->comm[len] = '\0';
	n->seq = ++c->seq;
	n->time = time;
}

/*
 * A new process (not a thread): the pid's earlier process, if any, is
 * gone (the kernel gives a pid only while no task holds it), so its
 * samples from now on are another process's
 */
static void new_process(struct lden_comms *c, const struct ltr_sample *s,
			uint64_t pid)
{
	uint64_t flags;
	struct proc *p;

	if (!c->clone_flags || ltr_field__u64(c->clone_flags, s, &flags) < 0) {
		/* cannot tell a thread from a process */
		c->procs_failed = true;
		return;
	}
	if (flags & CLONE_THREAD)
		return;
	p = lden_intmap__put(c->procs, pid);
	if (!p) {
		c->procs_failed = true;
		return;
	}
	p->n++;
	p->time = s->time;
}

bool lden_comms__feed(struct lden_comms *c, const struct ltr_sample *s)
{
	int r = role_of(c, s);
	uint64_t tid = 0;
	const char *comm;
	size_t len;

	if (r < 0)
		return false;
	if (!c->pid[r] || !c->comm[r] || ltr_field__u64(c->pid[r], s, &tid) < 0 ||
	    ltr_field__str(c->comm[r], s, &comm, &len) < 0) {
		/* a new process, perhaps, unseen */
		if (r == NEWTASK)
			c->procs_failed = true;
		return true;
	}
	/* a new task, thread or process, has its parent's name */
	set_name(c, (pid_t)tid, comm, len, s->time);
	if (r == NEWTASK)
		new_process(c, s, tid);
	return true;
}

bool lden_comms__forked(const struct lden_comms *c,
			const struct ltr_sample *s, pid_t *pid,
			uint64_t *clone_flags)
{
	uint64_t flags, v;

	if (role_of(c, s) != NEWTASK || !c->clone_flags || !c->pid[NEWTASK] ||
	    ltr_field__u64(c->clone_flags, s, &flags) < 0 ||
	    ltr_field__u64(c->pid[NEWTASK], s, &v) < 0 ||
	    (flags & CLONE_THREAD))
		return false;
	*pid = (pid_t)v;
	*clone_flags = flags;
	return true;
}

int lden_comms__lost(const struct lden_comms *c, uint64_t *lost)
{
	*lost = 0;
	if (!c || !c->natt)
		return 1;
	return lden_attached__dropped_own(c->att, c->natt, lost);
}

void lden_comms__split_lost(const struct lden_comms *c, uint64_t total,
			    const char *events, struct lden_lost_split *out,
			    char *buf, size_t len)
{
	uint64_t t = 0;
	int own = lden_comms__lost(c, &t);

	memset(out, 0, sizeof(*out));
	out->total = total;
	out->has_tracker = c && c->natt;
	if (own == 1) {
		out->split = true;
		out->tracker = t < total ? t : total;
		out->events = total - out->tracker;
		if (out->tracker)
			snprintf(buf, len, "lost %" PRIu64 "; lden's process tracker lost %" PRIu64 " (names may be unknown)",
				 out->events, out->tracker);
		else
			snprintf(buf, len, "lost %" PRIu64, out->events);
		return;
	}
	if (total)
		snprintf(buf, len, "lost %" PRIu64 " (of %s and lden's process tracker: counted together)",
			 total, events && *events ? events : "your events");
	else
		snprintf(buf, len, "lost 0");
}

void lden_comms__check_lost(struct lden_comms *c, size_t held)
{
	uint64_t lost;

	/* nothing to feed: a drop can wait for the records after it */
	if (!c || !c->natt || !held)
		return;
	/* no perf ring could have dropped one: the counters are as seen */
	if (lden_attached__kept_all(c->att, c->natt, &c->full_mark))
		return;
	/* unknown: as if lost, a name shown late is still true */
	if (lden_attached__dropped(c->att, c->natt, &lost) < 0)
		lost = c->lost_seen + 1;
	if (lost == c->lost_seen)
		return;
	c->lost_seen = lost;
	/*
	 * The kernel counts a drop as it drops, so it happened before now:
	 * a name set by an older record may have changed since, unseen (the
	 * names set between the drop and now are exact, but which they are
	 * is not known)
	 */
	c->unsure_before = lden_now_ns();
}

void lden_comms__out_of_order(struct lden_comms *c)
{
	if (c)
		c->unsure_before = lden_now_ns();
}

const char *lden_comms__get(struct lden_comms *c, pid_t tid)
{
	struct name *n = c ? lden_intmap__get_ptr(c->names, (uint64_t)tid) :
			    NULL;

	/* named before a dropped record of ours: perhaps renamed since */
	if (n && n->time < c->unsure_before)
		return NULL;
	return n ? n->comm : NULL;
}

bool lden_comms__process(const struct lden_comms *c, pid_t pid,
			 uint64_t *n)
{
	const struct proc *p = c ? lden_intmap__get(c->procs, (uint64_t)pid) :
			       NULL;

	*n = p ? p->n : 0;
	if (!c || !c->natt || c->procs_failed)
		return false;
	/* a new task with this pid may be among the records lost */
	if (c->unsure_before && (!p || p->time < c->unsure_before))
		return false;
	return true;
}
