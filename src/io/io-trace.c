// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "attach.h"
#include "clock.h"
#include "collect.h"
#include "comms.h"
#include "guard.h"
#include "handoff.h"
#include "io-trace.h"
#include "lden-trace.h"
#include "plan.h"
#include "proc.h"
#include "sample-order.h"

/* The task tracepoints after the syscalls': exit, exec. */
#define NTASK_TPS 2

/* Records newer than this before a drain wait for the next one. */
#define ORDER_SLACK_NS 10000000ULL

enum tp_role { TP_ENTER, TP_EXIT, TP_TASK_EXIT, TP_TASK_EXEC };

struct tp {
	enum tp_role role;
	int sys;				/* index in the table */
	const struct ltr_field *f[LDEN_IO_NARGS];
	const struct ltr_field *ret;		/* exit: ret */
	const struct ltr_field *exit_pid;	/* task exit: pid */
	const struct ltr_field *group_dead;	/* task exit, 6.16+ */
	const struct ltr_field *comm;		/* task exit */
	bool ready;
};

struct lden_io_tracer {
	struct ltr_session *s;
	/* every tracepoint opened, per scope: its user is its struct tp */
	struct lden_attached *att;
	int natt;
	const struct lden_io_syscall *table;
	int nsys;
	struct tp *tps;			/* 2 per syscall, then NTASK_TPS */
	/* collect()'s strings read at an enter (not on its stack: a
	 * record's cost must not grow with the longest path) */
	char early[2 * LDEN_IO_PATH_MAX];
	struct lden_io_pairer *pair;
	struct lden_io_fdtable *fdt;
	struct lden_sorder *order;
	struct lden_io_call call;	/* the call being completed */
	struct lden_strcap *strcap;	/* open paths copied at the call */
	struct lden_handoff *handoff;	/* path buffers given on (late reads) */
	struct lden_comms *comms;	/* the tasks' names at each record */
	lden_io_event_fn fn;
	void *ctx;
	bool (*keep)(const struct ltr_sample *s, void *ctx);
	const struct lden_nsinfo *(*ns_of)(void *ctx, pid_t tid);
	void *ns_ctx;
	bool ns_unless_cgroup;
	void (*cgroup_seen)(void *ctx, uint64_t cgroup_id);
	bool fork_copy;			/* child processes are traced */
	uint64_t lost_seen;		/* of io's own events' records */
	uint64_t full_mark;		/* lden_attached__kept_all()'s */
	uint64_t start_ns;
	struct lden_io_stats st;
};

/* The fields a tracepoint needs, looked up on its first open. */
static void resolve_fields(struct lden_io_tracer *t, struct tp *tp,
			   struct ltr_event *ev)
{
	if (tp->ready)
		return;
	tp->ready = true;
	if (tp->role == TP_EXIT) {
		tp->ret = ltr_event__field(ev, "ret");
	} else if (tp->role == TP_TASK_EXIT) {
		tp->exit_pid = ltr_event__field(ev, "pid");
		tp->group_dead = ltr_event__field(ev, "group_dead");
		tp->comm = ltr_event__field(ev, "comm");
	} else if (tp->role == TP_ENTER) {
		for (int a = 0; a < LDEN_IO_NARGS; a++)
			if (t->table[tp->sys].fields[a])
				tp->f[a] = ltr_event__field(
					ev, t->table[tp->sys].fields[a]);
	}
}

/* The struct tp of a sample's tracepoint, or NULL (a capture's too). */
static const struct tp *tp_of(const struct lden_io_tracer *t,
			      const struct ltr_sample *s)
{
	const struct lden_part *p = ltr_event__user(s->event);

	if (!p || !p->owner || lden_strcap__owns(t->strcap, s) ||
	    lden_comms__owns(t->comms, s))
		return NULL;
	return p->owner->user;
}

/* The @i-th of the tracer's scopes: a task (and its children), or all. */
static void io_scope(const struct lden_io_opts *o, int i, struct lden_scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->cgroup = o->cgroup;
	sc->no_twins = o->scope && o->scope->no_twins;
	if (o->ntasks) {
		sc->pid = o->tasks[i];
		sc->threads = lden_scope__is_process(sc->pid);
		sc->children = o->inherit;
	}
}

/*
 * Opens one tracepoint in every scope, sampled (with a counting twin
 * unless the scope says no_twins, scope.h); -ENOENT when the
 * kernel lacks it.
 */
static int open_tp(struct lden_io_tracer *t, const struct lden_io_opts *o,
		   const char *sys, const char *name, struct tp *tp,
		   char *err, size_t errlen)
{
	char filter[64], spec[128];
	int n = o->ntasks ? o->ntasks : 1;

	snprintf(spec, sizeof(spec), "%s:%s", sys, name);
	if (!lden_tracepoint_exists(ltr_session__tracing_dir(t->s), spec))
		return -ENOENT;
	snprintf(filter, sizeof(filter), "common_pid != %d", (int)o->self);
	for (int i = 0; i < n; i++) {
		struct lden_attached *a = &t->att[t->natt];
		struct lden_scope sc;

		io_scope(o, i, &sc);
		if (lden_attach_tracepoint_mode(t->s, sys, name,
						o->ntasks ? NULL : filter, true,
						&sc, a, err, errlen) < 0)
			return -1;
		t->natt++;
		a->user = tp;
		resolve_fields(t, tp, a->parts[0].ev);
		t->st.tracepoints_opened++;
	}
	return 0;
}

/* The captures of open paths, in the scopes the tracepoints have. */
static int open_captures(struct lden_io_tracer *t, const struct lden_io_opts *o,
			 char *err, size_t errlen)
{
	struct lden_scope_opts none = { .npids = 0 };
	char filter[64], msg[768];
	int n = o->ntasks ? o->ntasks : 1;

	t->strcap = lden_strcap__new(LDEN_STRCAP_OPEN);
	t->handoff = lden_handoff__new();
	if (!t->strcap || !t->handoff) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (lden_strcap__choose(t->strcap, t->s, o->strings,
			       o->scope ? o->scope : &none, "syscalls",
			       "sys_enter_openat", msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s", msg);
		return -1;
	}
	snprintf(filter, sizeof(filter), "common_pid != %d", (int)o->self);
	for (int i = 0; i < n; i++) {
		struct lden_scope sc;

		io_scope(o, i, &sc);
		if (lden_strcap__attach(t->strcap, t->s, &sc,
				       o->ntasks ? NULL : filter, false, err,
				       errlen) < 0)
			return -1;
	}
	return 0;
}

/*
 * The tasks' names, exact (comms.h): a new task has its parent's, exec
 * and prctl(PR_SET_NAME) rename; in the tracepoints' scopes.  Without
 * the task tracepoints, names are read from /proc, late.
 */
static int attach_comms(struct lden_io_tracer *t, const struct lden_io_opts *o,
			char *err, size_t errlen)
{
	int n = o->ntasks ? o->ntasks : 1, rc;
	struct lden_scope *sc = calloc((size_t)n, sizeof(*sc));

	t->comms = lden_comms__new();
	if (!sc || !t->comms) {
		free(sc);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++)
		io_scope(o, i, &sc[i]);
	rc = lden_comms__attach_scopes(t->comms, t->s, sc, n, err, errlen);
	free(sc);
	return rc < 0 && rc != -ENOENT ? -1 : 0;
}

void lden_io_tracer__describe(const struct lden_io_tracer *t, char *buf,
			      size_t len)
{
	lden_strcap__describe(t->strcap, buf, len);
}

void lden_io_tracer__ring(const struct lden_io_tracer *t, char *buf,
			  size_t len)
{
	for (int i = 0; i < t->natt; i++) {
		const struct tp *tp = t->att[i].user;

		if (tp && tp->role == TP_ENTER) {
			lden_attached__mode(&t->att[i], buf, len);
			return;
		}
	}
	snprintf(buf, len, "none");
}

struct lden_io_tracer *lden_io_tracer__new(struct ltr_session *s,
					   const struct lden_io_opts *o,
					   char *err, size_t errlen)
{
	struct lden_io_tracer *t = calloc(1, sizeof(*t));
	char name[64];

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->s = s;
	t->keep = o->keep;
	t->ns_of = o->ns_of;
	t->ns_ctx = o->ns_ctx;
	t->ns_unless_cgroup = o->ns_unless_cgroup;
	t->cgroup_seen = o->cgroup_seen;
	t->fork_copy = !o->ntasks || o->inherit;
	t->table = lden_io_syscalls(&t->nsys);
	t->tps = calloc((size_t)t->nsys * 2 + NTASK_TPS, sizeof(*t->tps));
	t->att = calloc(((size_t)t->nsys * 2 + NTASK_TPS) *
			(size_t)(o->ntasks ? o->ntasks : 1), sizeof(*t->att));
	t->pair = lden_io_pairer__new(LDEN_IO_MAX_PENDING);
	t->fdt = lden_io_fdtable__new(LDEN_IO_MAX_PROCS, LDEN_IO_MAX_FDS);
	t->order = lden_sorder__new(LDEN_IO_ORDER_RECORDS, LDEN_IO_ORDER_BYTES);
	if (!t->tps || !t->att || !t->pair || !t->fdt || !t->order) {
		snprintf(err, errlen, "out of memory");
		goto out_free;
	}
	for (int i = 0; i < t->nsys; i++) {
		struct tp *in = &t->tps[2 * i], *out = &t->tps[2 * i + 1];
		int rc;

		in->role = TP_ENTER;
		in->sys = i;
		out->role = TP_EXIT;
		out->sys = i;
		snprintf(name, sizeof(name), "sys_enter_%s", t->table[i].name);
		rc = open_tp(t, o, "syscalls", name, in, err, errlen);
		if (rc == -ENOENT) {
			t->st.syscalls_missing++;
			continue;
		}
		if (rc < 0)
			goto out_free;
		snprintf(name, sizeof(name), "sys_exit_%s", t->table[i].name);
		if (open_tp(t, o, "syscalls", name, out, err, errlen) < 0) {
			if (!*err)
				snprintf(err, errlen, "%s", ltr_last_error());
			goto out_free;
		}
	}
	if (!t->st.tracepoints_opened) {
		snprintf(err, errlen, "no file I/O syscall tracepoints on this kernel (CONFIG_FTRACE_SYSCALLS)");
		goto out_free;
	}
	t->tps[2 * t->nsys].role = TP_TASK_EXIT;
	if (open_tp(t, o, "sched", "sched_process_exit", &t->tps[2 * t->nsys],
		    err, errlen) < 0) {
		if (!*err)
			snprintf(err, errlen, "%s", ltr_last_error());
		goto out_free;
	}
	/* an exec closes the close-on-exec fds: their numbers are free */
	t->tps[2 * t->nsys + 1].role = TP_TASK_EXEC;
	if (open_tp(t, o, "sched", "sched_process_exec",
		    &t->tps[2 * t->nsys + 1], err, errlen) < 0) {
		if (!*err)
			snprintf(err, errlen, "%s", ltr_last_error());
		goto out_free;
	}
	if (attach_comms(t, o, err, errlen) < 0)
		goto out_free;
	if (open_captures(t, o, err, errlen) < 0)
		goto out_free;
	return t;

out_free:
	lden_io_tracer__free(t);
	return NULL;
}

void lden_io_tracer__free(struct lden_io_tracer *t)
{
	if (!t)
		return;
	lden_sorder__free(t->order);
	lden_strcap__free(t->strcap);
	lden_handoff__free(t->handoff);
	lden_io_fdtable__free(t->fdt);
	lden_io_pairer__free(t->pair);
	lden_comms__free(t->comms);
	for (int i = 0; i < t->natt; i++)
		lden_attached__release(&t->att[i]);
	free(t->att);
	free(t->tps);
	free(t);
}

int lden_io_tracer__start(struct lden_io_tracer *t)
{
	t->start_ns = lden_now_ns();
	return ltr_session__enable(t->s);
}

uint64_t lden_io_tracer__start_ns(const struct lden_io_tracer *t)
{
	return t->start_ns;
}

static uint64_t field_u64(const struct ltr_field *f, const struct ltr_sample *s)
{
	uint64_t v = 0;

	if (f)
		ltr_field__u64(f, s, &v);
	return v;
}

/*
 * @path (as the call was given it) made absolute against its directory
 * fd's path, when that is known; relative to the current directory it
 * stays as it was passed (the directory at the call is not known).  What
 * it was joined to counts for its provenance.
 */
static void resolve_at(struct lden_io_tracer *t, pid_t pid, int64_t dfd,
		       char *path, size_t len, enum lden_prov *prov)
{
	const char *b;
	char joined[LDEN_IO_PATH_MAX * 2];

	if (path[0] == '/' || !path[0] || dfd == AT_FDCWD)
		return;
	b = lden_io_fdtable__get(t->fdt, pid, (int)dfd);
	if (!b || b[0] != '/')
		return;
	snprintf(joined, sizeof(joined), "%s%s%s", b, strcmp(b, "/") ? "/" : "",
		 path);
	if (*prov == LDEN_PROV_EXACT && !lden_io_fdtable__exact(t->fdt, pid, (int)dfd))
		*prov = LDEN_PROV_LATE;
	/* cut, as paths kept are: then not exact */
	if (strlen(joined) >= len) {
		joined[len - 1] = '\0';
		if (*prov == LDEN_PROV_EXACT)
			*prov = LDEN_PROV_PARTIAL;
	}
	memcpy(path, joined, strlen(joined) + 1);
}

/*
 * Whether the name of @fd, read from /proc at @ref->read_at, may be
 * another file's than the one of the call at @enter_ns: the fd was
 * closed, opened or replaced between the two (not shown, counted).
 */
static bool fd_name_stale(struct lden_io_tracer *t,
			  const struct lden_io_fdref *ref, int fd,
			  uint64_t enter_ns)
{
	if (!ref->read_at ||
	    !lden_io_fdtable__changed_between(t->fdt, ref->files, fd, enter_ns,
					      ref->read_at))
		return false;
	t->st.fd_names_withheld++;
	return true;
}

/*
 * What @fd of @pid refers to at the call at @enter_ns: the table's
 * entry, or, when it was set before records of io's were lost, /proc's
 * now (late); NULL when a name read from /proc was read after the fd
 * changed (fd_name_stale()).
 */
static const char *fd_path(struct lden_io_tracer *t, pid_t pid, int fd,
			   uint64_t enter_ns)
{
	struct lden_io_fdref ref;
	const char *path = lden_io_fdtable__lookup(t->fdt, pid, fd, &ref);

	return path && fd_name_stale(t, &ref, fd, enter_ns) ? NULL : path;
}

static void on_enter(struct lden_io_tracer *t, const struct tp *tp,
		     const struct ltr_sample *s)
{
	const struct lden_io_syscall *sys = &t->table[tp->sys];
	struct lden_io_call *c;
	const char *extra;
	size_t len;

	c = lden_io_pairer__enter(t->pair, s->tid, s->pid, tp->sys, s->time);
	if (!c)
		return;
	for (int a = 0; a < LDEN_IO_NARGS; a++)
		c->args[a] = field_u64(tp->f[a], s);
	/* the cgroup the task was in at the call */
	c->has_cgroup = s->flags & LTR_SAMPLE_CGROUP;
	/* its process not known: the thread's id stands for it, marked */
	c->pid_unknown = s->flags & LTR_SAMPLE_NO_TGID;
	c->cgroup = s->cgroup;
	if (sys->kind == LDEN_IO_OPEN)
		lden_strcap__enter(t->strcap, s, sys->fields[LDEN_IO_ARG_PATH],
				  c->args[LDEN_IO_ARG_PATH]);
	/* the strings read when the record arrived: "path\0path2\0" */
	extra = lden_sorder__extra(t->order, &len);
	if (extra && len >= 2 && extra[len - 1] == '\0') {
		snprintf(c->path, sizeof(c->path), "%s", extra);
		if (strlen(extra) + 1 < len)
			snprintf(c->path2, sizeof(c->path2), "%s",
				 extra + strlen(extra) + 1);
	}
	/*
	 * a read or write moves the bytes of the file its fd refers to at
	 * its enter: another thread may close that fd and open another
	 * file on its number while it runs (a read blocked on a pipe)
	 */
	if (sys->kind == LDEN_IO_READ || sys->kind == LDEN_IO_WRITE ||
	    sys->kind == LDEN_IO_FD) {
		int fd = (int)(int32_t)c->args[LDEN_IO_ARG_FD];
		struct lden_io_fdref ref;
		const char *path = lden_io_fdtable__lookup(t->fdt, (pid_t)c->pid,
							   fd, &ref);

		c->fd_named = path != NULL;
		if (path)
			snprintf(c->path, sizeof(c->path), "%s", path);
		c->fd_exact = ref.exact;
		/* a name read from /proc is judged at the exit: the fd's
		 * changes since the enter are noted by then */
		c->fd_read_at = ref.read_at;
		c->fd_files = ref.files;
	}
}

/*
 * The path of @c's call: copied at the call for an open when a capture
 * has it, else what was read when its enter arrived; made absolute
 * against its directory fd.  Into @c->path, with its provenance.
 */
static enum lden_prov call_path(struct lden_io_tracer *t,
				struct lden_io_call *c, int dslot,
				char *path, uint64_t exit_ns)
{
	const struct lden_io_syscall *sys = &t->table[c->sys];
	enum lden_prov prov = path[0] ? LDEN_PROV_LATE : LDEN_PROV_NONE;
	int64_t dfd = sys->fields[dslot] ?
		(int64_t)(int32_t)c->args[dslot] : AT_FDCWD;
	uint64_t ptr = c->args[dslot == LDEN_IO_ARG_DFD ? LDEN_IO_ARG_PATH :
							  LDEN_IO_ARG_PATH2];
	int taken = 0;
	ssize_t n = -1;		/* >= 0: read at the exit */

	if (sys->kind == LDEN_IO_OPEN && dslot == LDEN_IO_ARG_DFD)
		taken = lden_strcap__take_path(t->strcap, c->tid,
					      c->args[LDEN_IO_ARG_PATH], exit_ns,
					      path, LDEN_IO_PATH_MAX, NULL, 0);
	if (taken)
		prov = taken == 2 ? LDEN_PROV_PARTIAL : LDEN_PROV_EXACT;
	/*
	 * no copy: the kernel could not read the string at the call (a
	 * page of the program not yet faulted in: a kprobe's fetch cannot
	 * fault it, it leaves nothing), and read_early() left it to the
	 * copy; the process, if it is still there, has it now: late
	 */
	else if (sys->kind == LDEN_IO_OPEN && !path[0] &&
		 (n = lden_proc__read_str((pid_t)c->pid,
					  c->args[LDEN_IO_ARG_PATH], path,
					  LDEN_IO_PATH_MAX)) >= 0)
		/* one that fills the buffer may be longer: cut, marked */
		prov = (size_t)n + 1 >= LDEN_IO_PATH_MAX ? LDEN_PROV_PARTIAL :
							   LDEN_PROV_LATE;
	/*
	 * read (when its enter arrived, else just now) after the thread
	 * gave the buffer to a later call: maybe that call's, not shown
	 */
	if (!taken && path[0] &&
	    lden_handoff__stale(t->handoff, c->tid, c->enter_ns, ptr,
				n >= 0 ? lden_now_ns() : 0)) {
		path[0] = '\0';
		prov = LDEN_PROV_NONE;
	}
	lden_handoff__done(t->handoff, c->tid, c->enter_ns, ptr);
	resolve_at(t, (pid_t)c->pid, dfd, path, LDEN_IO_PATH_MAX, &prov);
	return prov;
}

/*
 * Whether an exec closes the fd an open made: its flags say, where the
 * tracepoint has them (openat2's are behind a pointer: not known).
 */
static enum lden_io_cloexec open_cloexec(const struct lden_io_syscall *sys,
					 int flags)
{
	if (!sys->fields[LDEN_IO_ARG_CMD])
		return strcmp(sys->name, "creat") ? LDEN_IO_CLOEXEC_UNKNOWN :
						    LDEN_IO_INHERITED;
	return flags & O_CLOEXEC ? LDEN_IO_CLOEXEC : LDEN_IO_INHERITED;
}

/* The same for a copy: dup3's flags, fcntl F_DUPFD_CLOEXEC. */
static enum lden_io_cloexec dup_cloexec(const struct lden_io_syscall *sys,
					int cmd)
{
	if (sys->kind == LDEN_IO_FCNTL)
		return cmd == F_DUPFD_CLOEXEC ? LDEN_IO_CLOEXEC :
						LDEN_IO_INHERITED;
	if (sys->fields[LDEN_IO_ARG_CMD])	/* dup3 */
		return cmd & O_CLOEXEC ? LDEN_IO_CLOEXEC : LDEN_IO_INHERITED;
	return LDEN_IO_INHERITED;
}

/* What the call did to the fd table, and what to report. */
static void complete(struct lden_io_tracer *t, struct lden_io_call *c,
		     int64_t ret, uint64_t exit_ns)
{
	const struct lden_io_syscall *sys = &t->table[c->sys];
	pid_t pid = (pid_t)c->pid;
	struct lden_io_event ev = {
		.enter_ns = c->enter_ns,
		.latency_ns = exit_ns >= c->enter_ns ? exit_ns - c->enter_ns : 0,
		.pid = c->pid,
		.pid_unknown = c->pid_unknown,
		.tid = c->tid,
		.sys = sys,
		.fd = -1,
		.newfd = -1,
		.ret = ret,
		.has_cgroup = c->has_cgroup,
		.cgroup = c->cgroup,
	};
	int fd = (int)(int32_t)c->args[LDEN_IO_ARG_FD];
	int cmd = (int)c->args[LDEN_IO_ARG_CMD];

	/* not a file's call: what it does to the table only */
	if (sys->kind == LDEN_IO_UNSHARE) {
		if (ret == 0 && (c->args[LDEN_IO_ARG_CMD] & CLONE_FILES))
			lden_io_fdtable__unshare(t->fdt, pid);
		return;
	}
	if (t->ns_of && !(t->ns_unless_cgroup && c->has_cgroup))
		ev.ns = t->ns_of(t->ns_ctx, (pid_t)c->tid);
	/* the thread's name at the call when lden saw it start or rename;
	 * else the one its process's exit carried; else read late */
	ev.comm = lden_comms__get(t->comms, (pid_t)c->tid);
	if (ev.comm) {
		ev.comm_prov = LDEN_PROV_EXACT;
	} else {
		ev.comm = lden_io_fdtable__comm(t->fdt, (pid_t)c->tid);
		ev.comm_prov = lden_io_fdtable__comm_exact(t->fdt,
							   (pid_t)c->tid) ?
				       LDEN_PROV_EXACT :
			       strcmp(ev.comm, "?") ? LDEN_PROV_LATE :
						      LDEN_PROV_NONE;
	}
	t->st.comms[ev.comm_prov]++;
	ev.path_prov = ev.path2_prov = LDEN_PROV_NONE;
	switch (sys->kind) {
	case LDEN_IO_OPEN:
		ev.path_prov = call_path(t, c, LDEN_IO_ARG_DFD, c->path, exit_ns);
		t->st.open_paths[ev.path_prov]++;
		ev.path = c->path[0] ? c->path : NULL;
		/* a path not known still replaces what the fd was */
		if (ret >= 0) {
			ev.newfd = (int)ret;
			lden_io_fdtable__set(t->fdt, pid, (int)ret, c->path,
					     ev.path_prov == LDEN_PROV_EXACT,
					     open_cloexec(sys, cmd));
		}
		break;
	case LDEN_IO_READ:
	case LDEN_IO_WRITE:
	case LDEN_IO_FD:
		ev.fd = fd;
		if (c->fd_named && c->fd_read_at) {
			struct lden_io_fdref ref = { .read_at = c->fd_read_at,
						     .files = c->fd_files };

			c->fd_named = !fd_name_stale(t, &ref, fd, c->enter_ns);
		}
		ev.path = c->fd_named ? c->path : NULL;
		if (c->fd_named)
			ev.path_prov = c->fd_exact ? LDEN_PROV_EXACT :
						     LDEN_PROV_LATE;
		if (ret > 0 && sys->kind == LDEN_IO_READ)
			ev.bytes_read = (uint64_t)ret;
		if (ret > 0 && sys->kind == LDEN_IO_WRITE)
			ev.bytes_written = (uint64_t)ret;
		break;
	case LDEN_IO_CLOSE:
		ev.fd = fd;
		ev.path = fd_path(t, pid, fd, c->enter_ns);
		break;
	case LDEN_IO_CLOSE_RANGE:
		ev.fd = fd;
		break;
	case LDEN_IO_DUP:
	case LDEN_IO_FCNTL:
		ev.fd = fd;
		ev.path = fd_path(t, pid, fd, c->enter_ns);
		if (ret >= 0 && (sys->kind == LDEN_IO_DUP ||
				 cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)) {
			ev.newfd = (int)ret;
			/* a name not shown is not passed on either */
			if (!ev.path && lden_io_fdtable__get(t->fdt, pid, fd))
				lden_io_fdtable__set(t->fdt, pid, (int)ret,
						     NULL, false,
						     dup_cloexec(sys, cmd));
			else
				lden_io_fdtable__dup(t->fdt, pid, fd, (int)ret,
						     dup_cloexec(sys, cmd));
			/* the source entry may have moved */
			if (ev.path)
				ev.path = lden_io_fdtable__get(t->fdt, pid, fd);
		}
		if (ret == 0 && sys->kind == LDEN_IO_FCNTL && cmd == F_SETFD)
			lden_io_fdtable__set_cloexec(
				t->fdt, pid, fd,
				c->args[LDEN_IO_ARG_ARG] & FD_CLOEXEC ?
					LDEN_IO_CLOEXEC : LDEN_IO_INHERITED);
		break;
	case LDEN_IO_PATH:
		ev.path_prov = call_path(t, c, LDEN_IO_ARG_DFD, c->path, exit_ns);
		ev.path = c->path[0] ? c->path : NULL;
		break;
	case LDEN_IO_RENAME:
		ev.path_prov = call_path(t, c, LDEN_IO_ARG_DFD, c->path, exit_ns);
		ev.path2_prov = call_path(t, c, LDEN_IO_ARG_DFD2, c->path2,
					  exit_ns);
		ev.path = c->path[0] ? c->path : NULL;
		ev.path2 = c->path2[0] ? c->path2 : NULL;
		break;
	case LDEN_IO_UNSHARE:
		break;		/* returned above */
	}
	/* an fd's path: as exact as the open it came from */
	if (ev.path && ev.fd >= 0 && sys->kind != LDEN_IO_OPEN &&
	    !c->fd_named)
		ev.path_prov = lden_io_fdtable__exact(t->fdt, pid, fd) ?
				       LDEN_PROV_EXACT : LDEN_PROV_LATE;
	t->fn(&ev, t->ctx);
	/* the fd is gone only now: the event above still named it */
	if (sys->kind == LDEN_IO_CLOSE)
		lden_io_fdtable__close(t->fdt, pid, fd);
	/* a table of its own first, then its fds close there */
	if (sys->kind == LDEN_IO_CLOSE_RANGE && ret == 0 &&
	    (c->args[LDEN_IO_ARG_CMD] & CLOSE_RANGE_UNSHARE))
		lden_io_fdtable__unshare(t->fdt, pid);
	if (sys->kind == LDEN_IO_CLOSE_RANGE && ret == 0 &&
	    (c->args[LDEN_IO_ARG_CMD] & CLOSE_RANGE_CLOEXEC))
		lden_io_fdtable__cloexec_range(
			t->fdt, pid, (unsigned int)c->args[LDEN_IO_ARG_FD],
			(unsigned int)c->args[LDEN_IO_ARG_FD2]);
	else if (sys->kind == LDEN_IO_CLOSE_RANGE && ret == 0)
		lden_io_fdtable__close_range(
			t->fdt, pid, (unsigned int)c->args[LDEN_IO_ARG_FD],
			(unsigned int)c->args[LDEN_IO_ARG_FD2]);
}

static int on_sample(const struct ltr_sample *s, void *ctx)
{
	struct lden_io_tracer *t = ctx;
	const struct tp *tp = tp_of(t, s);
	uint64_t v;

	/* the names' records apart: the syscalls' and exits' are the
	 * figure a workload can know it made */
	if (lden_comms__feed(t->comms, s)) {
		uint64_t flags;
		pid_t child;

		t->st.name_records++;
		/* a traced child has its parent's fds, known as they are: a
		 * copy, or with CLONE_FILES the parent's table itself */
		if (t->fork_copy &&
		    lden_comms__forked(t->comms, s, &child, &flags))
			lden_io_fdtable__fork(t->fdt, (pid_t)s->pid, child,
					      flags & CLONE_FILES);
		return 0;
	}
	if (lden_strcap__feed(t->strcap, s) || !tp)
		return 0;
	t->st.tracepoints++;
	/* the fd table's entries set now have this record's time */
	lden_io_fdtable__at(t->fdt, s->time);
	switch (tp->role) {
	case TP_ENTER:
		on_enter(t, tp, s);
		break;
	case TP_EXIT:
		if (lden_io_pairer__exit(t->pair, s->tid, tp->sys, &t->call) == 0) {
			int64_t ret = 0;

			if (tp->ret)
				ltr_field__s64(tp->ret, s, &ret);
			t->st.syscalls++;
			complete(t, &t->call, ret, s->time);
		}
		break;
	case TP_TASK_EXIT:
		t->st.tasks_exited++;
		v = field_u64(tp->exit_pid, s);
		lden_io_pairer__drop(t->pair, (uint32_t)v);
		lden_strcap__forget(t->strcap, (uint32_t)v);
		/* its calls were shown: its name goes (the id may return) */
		lden_io_fdtable__forget(t->fdt, (pid_t)v);
		/* the last thread out (6.16+), else the group leader */
		if (tp->group_dead ? field_u64(tp->group_dead, s) != 0 :
				     v == s->pid)
			lden_io_fdtable__drop(t->fdt, (pid_t)s->pid);
		break;
	case TP_TASK_EXEC:
		lden_io_fdtable__exec(t->fdt, (pid_t)s->pid);
		break;
	}
	return 0;
}

/*
 * LDEN_TEST_PROC_FD_AFTER=FD:PATH, for tests: a record of a call on fd FD
 * that io has no entry for waits, before lden looks FD up in /proc, until
 * PATH exists (20 s at most); the first look that finds FD removes PATH:
 * lden behind the workload, certainly, and the workload told when lden
 * has looked.  Returns PATH when it waited (the caller removes it).
 */
static const char *proc_fd_gate_for_tests(struct lden_io_tracer *t, pid_t pid,
					  int fd)
{
	static bool done;
	const char *v = done ? NULL : getenv("LDEN_TEST_PROC_FD_AFTER");
	const char *path = v ? strchr(v, ':') : NULL;
	uint64_t deadline;

	if (!path || atoi(v) != fd || lden_io_fdtable__get(t->fdt, pid, fd)) {
		done = done || !path;
		return NULL;
	}
	/* (not before: this runs for every fd call's record) */
	deadline = lden_now_ns() + 20000000000ULL;
	while (access(path + 1, F_OK) != 0 && lden_now_ns() < deadline) {
		struct timespec ts = { 0, 1000000 };

		nanosleep(&ts, NULL);
	}
	return path + 1;
}

/*
 * What must be read from the process while it still runs, as soon as the
 * record arrives (before it is put in order): the strings of a path
 * argument, what an fd not yet in the table refers to, the process name.
 * Returns the length of the strings put in @buf.
 */
static size_t read_early(struct lden_io_tracer *t, const struct tp *tp,
			 const struct ltr_sample *s, char *buf)
{
	enum lden_io_kind kind = t->table[tp->sys].kind;
	ssize_t n, m;

	/* the name now, unless the task tracepoints name the thread */
	if (!lden_comms__get(t->comms, (pid_t)s->tid))
		lden_io_fdtable__comm(t->fdt, (pid_t)s->tid);
	/* the kernel copies every open's path: nothing to read now */
	if (kind == LDEN_IO_OPEN &&
	    (lden_strcap__method(t->strcap) == LDEN_STRCAP_KPROBE ||
	     lden_strcap__method(t->strcap) == LDEN_STRCAP_TRACEPOINT)) {
		lden_handoff__call(t->handoff, s->tid, s->time,
				   field_u64(tp->f[LDEN_IO_ARG_PATH], s), 0);
		return 0;
	}
	if (kind == LDEN_IO_OPEN || kind == LDEN_IO_PATH ||
	    kind == LDEN_IO_RENAME) {
		uint64_t ptr = field_u64(tp->f[LDEN_IO_ARG_PATH], s);
		uint64_t ptr2 = kind == LDEN_IO_RENAME ?
			field_u64(tp->f[LDEN_IO_ARG_PATH2], s) : 0;

		n = lden_proc__read_str((pid_t)s->pid, ptr, buf,
				       LDEN_IO_PATH_MAX);
		lden_handoff__call(t->handoff, s->tid, s->time, ptr,
				   n < 0 ? 0 : lden_now_ns());
		if (n < 0)
			return 0;
		if (kind != LDEN_IO_RENAME)
			return (size_t)n + 1;
		m = lden_proc__read_str((pid_t)s->pid, ptr2, buf + n + 1,
				       LDEN_IO_PATH_MAX);
		lden_handoff__call(t->handoff, s->tid, s->time, ptr2,
				   m < 0 ? 0 : lden_now_ns());
		return (size_t)n + 1 + (m < 0 ? 1 : (size_t)m + 1);
	}
	if (tp->f[LDEN_IO_ARG_FD] && kind != LDEN_IO_CLOSE_RANGE) {
		int fd = (int)(int32_t)field_u64(tp->f[LDEN_IO_ARG_FD], s);

		const char *gate = proc_fd_gate_for_tests(t, (pid_t)s->pid, fd);

		if (lden_io_fdtable__path(t->fdt, (pid_t)s->pid, fd) && gate)
			unlink(gate);
	}
	return 0;
}

/*
 * After reading the rings, before handing out what they held: when the
 * kernel dropped records of io's own events since the last look (a full
 * ring), an open, close or dup2 may be among them, so what the fd table
 * learned from older records is not exact any more (read again from
 * /proc, late); a new open makes its fd exact again.  Like the names'
 * (lden_comms__check_lost()): each event's lost counter, current at the
 * drop; before 6.0, any record the session lost.
 */
static void check_lost(struct lden_io_tracer *t)
{
	uint64_t total;

	if (!lden_sorder__held(t->order))
		return;
	/* no perf ring could have dropped one: the counters are as seen */
	if (lden_attached__kept_all(t->att, t->natt, &t->full_mark))
		return;
	/* not known: as if lost (late is still true) */
	if (lden_attached__dropped(t->att, t->natt, &total) < 0)
		total = t->lost_seen + 1;
	if (total == t->lost_seen)
		return;
	t->lost_seen = total;
	/* counted as dropped, so dropped before now */
	lden_io_fdtable__unsure_before(t->fdt, lden_now_ns());
}

/*
 * As a record arrives: the fds its call closes, opens or replaces, for
 * the names read from /proc meanwhile (fd_name_stale()).  A close, dup2
 * or dup3 at its enter (the change follows it), an open or dup at its
 * exit (the new fd, in place by then), close_range and exec for every fd.
 */
static void note_changes(struct lden_io_tracer *t, const struct tp *tp,
			 const struct ltr_sample *s)
{
	enum lden_io_kind kind;
	int64_t ret = -1;

	if (tp->role == TP_TASK_EXEC) {
		lden_io_fdtable__changed(t->fdt, (pid_t)s->pid, -1, s->time);
		return;
	}
	if (tp->role != TP_ENTER && tp->role != TP_EXIT)
		return;
	kind = t->table[tp->sys].kind;
	if (tp->role == TP_ENTER && kind == LDEN_IO_CLOSE)
		lden_io_fdtable__changed(
			t->fdt, (pid_t)s->pid,
			(int)(int32_t)field_u64(tp->f[LDEN_IO_ARG_FD], s),
			s->time);
	else if (tp->role == TP_ENTER && kind == LDEN_IO_DUP &&
		 tp->f[LDEN_IO_ARG_FD2])
		lden_io_fdtable__changed(
			t->fdt, (pid_t)s->pid,
			(int)(int32_t)field_u64(tp->f[LDEN_IO_ARG_FD2], s),
			s->time);
	else if (tp->role == TP_ENTER && kind == LDEN_IO_CLOSE_RANGE &&
		 !(field_u64(tp->f[LDEN_IO_ARG_CMD], s) & CLOSE_RANGE_CLOEXEC))
		lden_io_fdtable__changed(t->fdt, (pid_t)s->pid, -1, s->time);
	else if (tp->role == TP_EXIT &&
		 (kind == LDEN_IO_OPEN || kind == LDEN_IO_DUP) && tp->ret &&
		 ltr_field__s64(tp->ret, s, &ret) == 0 && ret >= 0)
		lden_io_fdtable__changed(t->fdt, (pid_t)s->pid, (int)ret,
					 s->time);
}

static int collect(const struct ltr_sample *s, void *ctx)
{
	struct lden_io_tracer *t = ctx;
	const struct tp *tp = tp_of(t, s);
	char *buf = t->early;
	size_t len = 0;

	if (tp)
		note_changes(t, tp, s);
	/* a call's records: kept or not by its task (--netns), whose
	 * namespaces are read now, while it runs */
	if (tp && (tp->role == TP_ENTER || tp->role == TP_EXIT)) {
		if (t->keep && !t->keep(s, t->ns_ctx))
			return 0;
		if (t->ns_of && !(t->ns_unless_cgroup &&
				  (s->flags & LTR_SAMPLE_CGROUP)))
			t->ns_of(t->ns_ctx, (pid_t)s->tid);
	}
	if (tp && tp->role == TP_ENTER) {
		len = read_early(t, tp, s, buf);
		if (t->cgroup_seen && (s->flags & LTR_SAMPLE_CGROUP))
			t->cgroup_seen(t->ns_ctx, s->cgroup);
	}
	/* a thread gone before its first record was read: name it now,
	 * before its calls (still in the order buffer) are reported; its
	 * own exit's name, not its process's (another thread's) */
	if (tp && tp->role == TP_TASK_EXIT && tp->comm) {
		const char *comm;
		size_t clen;

		if (ltr_field__str(tp->comm, s, &comm, &clen) == 0)
			lden_io_fdtable__name(
				t->fdt, (pid_t)field_u64(tp->exit_pid, s),
				comm, clen);
	}
	if (len)
		buf[len - 1] = '\0';
	if (lden_sorder__add_extra(t->order, s, buf, len) == -ENOSPC) {
		lden_sorder__note_forced(t->order);
		/* a rename lost since: older names not exact */
		lden_comms__check_lost(t->comms, lden_sorder__held(t->order));
		check_lost(t);
		lden_sorder__flush(t->order, UINT64_MAX, on_sample, t);
		lden_sorder__add_extra(t->order, s, buf, len);
	}
	return 0;
}

int lden_io_tracer__poll(struct lden_io_tracer *t, int timeout_ms,
			 lden_io_event_fn fn, void *ctx)
{
	/* every record older than this is in the rings when they are read */
	uint64_t mark = lden_now_ns() - ORDER_SLACK_NS, done;
	int n;

	t->fn = fn;
	t->ctx = ctx;
	n = ltr_session__poll(t->s, timeout_ms, collect, t);
	if (n < 0 && n != -EINTR)
		return n;
	/* a CPU's records may wait in the ring (ltr_session__poll) */
	done = ltr_session__complete_until(t->s);
	/* a rename lost since: older names not exact */
	lden_comms__check_lost(t->comms, lden_sorder__held(t->order));
	check_lost(t);
	lden_sorder__flush(t->order, done < mark ? done : mark, on_sample, t);
	return n < 0 ? n : 0;
}

int lden_io_tracer__finish(struct lden_io_tracer *t, lden_io_event_fn fn,
			   void *ctx)
{
	int n;

	t->fn = fn;
	t->ctx = ctx;
	/* every record written arrives, or is counted lost */
	n = lden_collect__settle(t->s, collect, t);
	/* a rename lost since: older names not exact */
	lden_comms__check_lost(t->comms, lden_sorder__held(t->order));
	check_lost(t);
	lden_sorder__flush(t->order, UINT64_MAX, on_sample, t);
	return n < 0 ? n : 0;
}

void lden_io_tracer__stats(struct lden_io_tracer *t, struct lden_io_stats *st)
{
	size_t ngaps;

	t->st.lost = ltr_session__lost(t->s, -1);
	if (t->comms) {
		struct lden_lost_split ls;
		char text[256];

		lden_comms__split_lost(t->comms, t->st.lost, "the syscalls",
				       &ls, text, sizeof(text));
		t->st.lost_split = ls.split;
		t->st.lost_tracker = ls.tracker;
	}
	t->st.unknown_pids = ltr_session__unknown_pids(t->s);
	t->st.foreign = ltr_session__foreign(t->s);
	ltr_session__follow_gaps(t->s, &ngaps);
	t->st.follow_gaps = ngaps;
	t->st.order_forced = lden_sorder__forced(t->order);
	t->st.pair = *lden_io_pairer__stats(t->pair);
	t->st.fdt = *lden_io_fdtable__stats(t->fdt);
	*st = t->st;
}

int lden_io_tracer__guard(struct lden_io_tracer *t, struct lden_guard *g)
{
	for (int i = 0; i < t->natt; i++) {
		const struct tp *tp = t->att[i].user;

		if (tp->role == TP_TASK_EXIT || tp->role == TP_TASK_EXEC)
			continue;
		if (lden_guard__add(g, t->table[tp->sys].name, &t->att[i]) < 0)
			return -ENOMEM;
	}
	for (int i = 0; i < lden_strcap__nattached(t->strcap); i++) {
		struct lden_attached *a = lden_strcap__attached(t->strcap, i);

		if (lden_guard__add(g, a->label, a) < 0)
			return -ENOMEM;
	}
	return 0;
}

int lden_io_tracer__guard_tick(struct lden_io_tracer *t, struct lden_guard *g,
			       double now)
{
	return lden_guard__tick(g, t->s, now, collect, t);
}

int lden_io_tracer__calls(struct lden_io_tracer *t, const char *name,
			  uint64_t *calls)
{
	*calls = 0;
	for (int i = 0; i < t->natt; i++) {
		const struct tp *tp = t->att[i].user;
		uint64_t c;

		if (tp->role != TP_ENTER || strcmp(t->table[tp->sys].name, name))
			continue;
		if (lden_attached__count(&t->att[i], &c) < 0)
			return -1;
		*calls += c;
	}
	return 0;
}
