// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden trace open [--failed]: opens with their path and result (the
 * bpftrace opensnoop job).  The enter tracepoint carries only a pointer
 * to the path, the exit one only the result; the path itself comes from
 * the string capture (strcap.h): copied by the kernel at the call where
 * it can, else read from the process's memory when the enter arrives
 * (late, and marked so).
 *
 * Every open: in time order, each thread's enter is kept until its exit,
 * which prints the line with the path its capture carried (matched by
 * thread and pointer).  The pairing table holds one entry per thread in
 * a syscall, at most OPEN_PAIRS_MAX; an entry goes at its exit or when
 * its thread exits (sched:sched_process_exit), so it stays bounded.
 *
 * A path read late (no copy at the call) is not shown when the thread
 * had by then given the same buffer to a later open (handoff.h).
 *
 * --failed: only the exits with ret < 0 reach lden (a kernel filter); the
 * enters and captures go to the recall rings, which lden reads only for
 * a failed exit, looking back at that thread's last enter and the
 * captures just before and after it.  Successful opens cost lden nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "comms.h"
#include "handoff.h"
#include "lden-trace.h"
#include "proc.h"
#include "recipe.h"
#include "row.h"
#include "intmap.h"

#define OPEN_PAIRS_MAX 8192
/* a late read kept per call in flight */
#define OPEN_LATE_MAX 1024
#define OPEN_PATH_MAX 4096
/* records of its thread looked at per failed open */
#define RECALL_RECORDS 16
/*
 * how long before its enter a uprobe's capture is looked for (a thread
 * may be preempted between the C library's entry and the system call):
 * the last 50 ms first, then further back while neither the capture nor
 * the thread's previous enter was met (on a loaded machine a thread
 * waits that long for a CPU: 1 or 2 of 2000 reused-buffer paths fell
 * back to a late read), up to 10 s
 */
static const uint64_t recall_back_ns[] = {
	50000000ULL, 1000000000ULL, 10000000000ULL
};

enum { ROLE_ENTER = 1, ROLE_EXIT, ROLE_TASK_EXIT };

struct pending {
	uint64_t time;
	uint64_t ptr;
	int32_t nr;		/* __syscall_nr of the enter */
	int late;		/* 0: @path holds a late read, else -errno */
	enum lden_prov comm_prov;	/* of @comm */
	char comm[16];
	char path[OPEN_LATE_MAX];
};

/*
 * r->priv: the calls in flight by thread (filled and emptied in time
 * order) and, noted as the enters arrive, the buffers handed on
 */
struct open_state {
	struct lden_intmap *pending;
	struct lden_handoff *handoff;
};

static const char *const syscalls[] = { "open", "openat", "openat2" };

static void open_free(struct lden_recipe *r);

static int open_attach(struct lden_recipe *r, struct ltr_session *s,
		       const struct lden_scope *scope, char *err,
		       size_t errlen)
{
	char fbuf[256];
	int found = 0;

	if (lden_recipe__strings(r, s, LDEN_STRCAP_OPEN, r->scopes, "syscalls",
				"sys_enter_openat", err, errlen) < 0)
		return -1;
	if (!r->priv) {
		struct open_state *st = calloc(1, sizeof(*st));

		r->priv = st;
		if (st) {
			st->pending = lden_intmap__new(OPEN_PAIRS_MAX,
						       sizeof(struct pending));
			st->handoff = lden_handoff__new();
		}
		if (!st || !st->pending || !st->handoff) {
			open_free(r);
			snprintf(err, errlen, "open: out of memory");
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++) {
		char enter[64], exit[64];
		const char *f = lden_recipe__filter(r, NULL, fbuf, sizeof(fbuf));

		snprintf(enter, sizeof(enter), "sys_enter_%s", syscalls[i]);
		snprintf(exit, sizeof(exit), "sys_exit_%s", syscalls[i]);
		/* arm64 and riscv have no open(2) */
		if (!lden_recipe__has_event(r, "syscalls", enter) ||
		    !lden_recipe__has_event(r, "syscalls", exit))
			continue;
		if ((r->failed_only ?
			     lden_recipe__recall_event(r, s, "syscalls", enter, f,
						      scope, ROLE_ENTER, err,
						      errlen) :
			     lden_recipe__open_event(r, s, "syscalls", enter, f,
						    scope, ROLE_ENTER, err,
						    errlen)) < 0)
			return -1;
		/* only the failed ones cross to lden */
		f = lden_recipe__filter(r, r->failed_only ? "ret < 0" : NULL, fbuf,
				       sizeof(fbuf));
		if (lden_recipe__open_event(r, s, "syscalls", exit, f, scope,
					   ROLE_EXIT, err, errlen) < 0)
			return -1;
		found++;
	}
	if (!found) {
		snprintf(err, errlen, "open: this kernel has no syscalls:sys_enter_open* tracepoints (CONFIG_FTRACE_SYSCALLS)");
		return -1;
	}
	if (lden_strcap__attach(r->strcap, s, scope,
			       lden_recipe__filter(r, NULL, fbuf, sizeof(fbuf)),
			       r->failed_only, err, errlen) < 0)
		return -1;
	/* with --failed nothing is kept per thread */
	if (r->failed_only)
		return 0;
	return lden_recipe__open_task_exit(r, s,
					   lden_recipe__filter(r, NULL, fbuf,
							       sizeof(fbuf)),
					   scope, ROLE_TASK_EXIT, err, errlen);
}

static int64_t field_s64(const struct ltr_sample *s, const char *name)
{
	const struct ltr_field *f = ltr_event__field(s->event, name);
	int64_t v = 0;

	if (f)
		ltr_field__s64(f, s, &v);
	return v;
}

static uint64_t field_u64(const struct ltr_sample *s, const char *name)
{
	const struct ltr_field *f = ltr_event__field(s->event, name);
	uint64_t v = 0;

	if (f)
		ltr_field__u64(f, s, &v);
	return v;
}

/* "comm\0" then "late\0path\0" or "-errno\0": extra's parts */
static size_t put_parts(char *extra, size_t len, const char *comm, int late,
			const char *path)
{
	int n = snprintf(extra, len, "%s%c%d%c%s", comm, '\0', late, '\0',
			 late < 0 ? "" : path);

	return n < 0 ? 0 : (size_t)n + 1 < len ? (size_t)n + 1 : len;
}

/* The @i-th NUL-separated part of @extra's @len bytes, or "". */
static const char *part(const char *extra, size_t len, int i)
{
	size_t at = 0;

	while (i-- > 0 && at < len)
		at += strnlen(extra + at, len - at) + 1;
	return at < len ? extra + at : "";
}

/* ------------------------------------------------------------------ */
/* --failed: looking back from a failed exit */

struct recalled {
	int n;
	bool have_enter;
	uint64_t ptr;		/* the enter's path pointer */
	uint64_t enter_time;
	bool done;		/* the capture, or an earlier enter, was met */
	struct ltr_sample s[RECALL_RECORDS];
	void *raw[RECALL_RECORDS];
	const struct lden_strcap *c;
};

/*
 * Newest first: the captures after the enter (kprobes), the enter; then,
 * in a second walk (uprobes), the captures before it, up to the one with
 * the enter's pointer or the thread's previous enter.
 */
static int recalled_one(const struct ltr_sample *s, void *ctx)
{
	struct recalled *b = ctx;
	bool capture = lden_strcap__owns(b->c, s), last = false;

	if (!capture && lden_recipe__role(s) != ROLE_ENTER)
		return 0;
	if (!capture) {
		/* the enter of an earlier call: nothing older is ours */
		if (b->have_enter) {
			b->done = true;
			return 1;
		}
		b->have_enter = true;
		b->ptr = field_u64(s, "filename");
		b->enter_time = s->time;
		last = true;
	} else if (b->have_enter) {
		last = field_u64(s, "ptr") == b->ptr;
		b->done |= last;
	}
	b->raw[b->n] = malloc(s->raw_size ? s->raw_size : 1);
	if (!b->raw[b->n])
		return 1;
	memcpy(b->raw[b->n], s->raw, s->raw_size);
	b->s[b->n] = *s;
	b->s[b->n].raw = b->raw[b->n];
	return ++b->n == RECALL_RECORDS || last;
}

/*
 * The records of @tid before its enter, newest first, in ever longer
 * windows (recall_back_ns) until the capture or an earlier enter.
 */
static void recall_before(struct lden_recipe *r, uint32_t tid,
			  struct recalled *b)
{
	uint64_t until = b->enter_time - 1;

	for (size_t k = 0; k < sizeof(recall_back_ns) / sizeof(*recall_back_ns) &&
			   !b->done && b->n < RECALL_RECORDS; k++) {
		uint64_t since = b->enter_time > recall_back_ns[k] ?
					 b->enter_time - recall_back_ns[k] : 0;

		if (since > until)
			continue;
		ltr_session__recall(r->session, tid, since, until,
				    recalled_one, b);
		if (!since)
			break;
		until = since - 1;
	}
}

struct passed_on {
	const struct lden_strcap *c;
	uint64_t ptr;
	bool seen;
};

/* a later open of the thread given the same pointer: stop */
static int passed_on_one(const struct ltr_sample *s, void *ctx)
{
	struct passed_on *p = ctx;

	if (lden_strcap__owns(p->c, s))
		p->seen = field_u64(s, "ptr") == p->ptr;
	else if (lden_recipe__role(s) == ROLE_ENTER)
		p->seen = field_u64(s, "filename") == p->ptr;
	return p->seen;
}

/*
 * Whether thread @tid has, since @time, begun another open with the
 * buffer at @ptr (the recall rings hold its captures and enters): a read
 * made now may hold that call's path.  Asked after the read, so that a
 * call begun before it is seen (see handoff.h for what stays unseen).
 */
static bool passed_on(struct lden_recipe *r, uint32_t tid, uint64_t time,
		      uint64_t ptr)
{
	struct passed_on p = { .c = r->strcap, .ptr = ptr };

	ltr_session__recall(r->session, tid, time + 1, UINT64_MAX,
			    passed_on_one, &p);
	return p.seen;
}

/*
 * The path of the call that failed exit @s reports: the enter and the
 * captures of its thread, fed oldest first; else read now, unless the
 * thread has given that buffer to a later open since.
 */
static enum lden_prov failed_path(struct lden_recipe *r,
				  const struct ltr_sample *s, char *path,
				  size_t len, char *comm, size_t clen)
{
	struct recalled b = { .c = r->strcap };
	enum lden_prov prov = LDEN_PROV_NONE;
	int32_t nr = (int32_t)field_s64(s, "__syscall_nr");
	uint64_t ptr = 0;
	bool entered = false;
	int taken;

	ltr_session__recall(r->session, s->tid, 0, s->time, recalled_one, &b);
	/* the C library's entry came before the system call */
	if (b.have_enter && lden_strcap__method(r->strcap) == LDEN_STRCAP_UPROBE)
		recall_before(r, s->tid, &b);
	for (int i = b.n - 1; i >= 0; i--) {
		if (lden_strcap__feed(r->strcap, &b.s[i]))
			continue;
		/* a different syscall's enter: this one's was lost */
		entered = (int32_t)field_s64(&b.s[i], "__syscall_nr") == nr;
		ptr = field_u64(&b.s[i], "filename");
		lden_strcap__enter(r->strcap, &b.s[i], "filename", ptr);
	}
	if (entered && (taken = lden_strcap__take_path(r->strcap, s->tid, ptr,
						      s->time, path, len, comm,
						      clen)))
		prov = taken == 2 ? LDEN_PROV_PARTIAL : LDEN_PROV_EXACT;
	else if (entered && lden_proc__read_str((pid_t)s->tid, ptr, path,
					       len) >= 0 &&
		 !passed_on(r, s->tid, s->time, ptr))
		prov = LDEN_PROV_LATE;
	lden_strcap__forget(r->strcap, s->tid);
	for (int i = 0; i < b.n; i++)
		free(b.raw[i]);
	return prov;
}

/* ------------------------------------------------------------------ */

/* At arrival: what must be read before the process moves on. */
static size_t open_capture(struct lden_recipe *r, const struct ltr_sample *s,
			   char *extra, size_t len)
{
	char path[OPEN_PATH_MAX], comm[64] = "?";
	int role = lden_recipe__role(s);
	ssize_t n = 0;

	if (lden_strcap__owns(r->strcap, s) ||
	    role != (r->failed_only ? ROLE_EXIT : ROLE_ENTER))
		return 0;
	if (r->failed_only) {
		enum lden_prov p;

		/* 'e': the capture's copy, at the call; 'l': read now */
		comm[0] = 'e';
		comm[1] = '\0';
		p = failed_path(r, s, path, sizeof(path), comm + 1,
				sizeof(comm) - 1);
		if (!comm[1] && lden_proc__comm((pid_t)s->tid, comm + 1,
					       sizeof(comm) - 1) == 0)
			comm[0] = 'l';
		return put_parts(extra, len, comm, p == LDEN_PROV_NONE ? -ENOENT :
				 p == LDEN_PROV_LATE ? 1 :
				 p == LDEN_PROV_PARTIAL ? 2 : 0, path);
	}
	lden_proc__comm((pid_t)s->tid, comm, sizeof(comm));
	path[0] = '\0';
	/* a copy at the call is coming: no need to read it now */
	if (lden_strcap__method(r->strcap) != LDEN_STRCAP_KPROBE &&
	    lden_strcap__method(r->strcap) != LDEN_STRCAP_TRACEPOINT)
		n = lden_proc__read_str((pid_t)s->tid,
				       field_u64(s, "filename"), path,
				       OPEN_LATE_MAX);
	else
		n = -ENODATA;
	lden_handoff__call(((struct open_state *)r->priv)->handoff, s->tid,
			   s->time, field_u64(s, "filename"),
			   n < 0 ? 0 : lden_now_ns());
	return put_parts(extra, len, comm, n < 0 ? (int)n : 0, path);
}

static void add_row(struct lden_recipe *r, const struct ltr_sample *s,
		    struct lden_row *row, const char *comm,
		    enum lden_prov cprov, const char *path,
		    enum lden_prov prov, int64_t ret)
{
	const char *name = ret < 0 ? strerrorname_np((int)-ret) : NULL;

	lden_strcap__count(r->strcap, prov);
	lden_recipe__count(r, cprov);
	lden_row__add_str(row, "comm", comm, cprov);
	lden_row__add(row, "pid", true, "%u", s->pid);
	lden_row__add(row, "tid", true, "%u", s->tid);
	lden_row__add_str(row, "path", path, prov);
	if (ret >= 0)
		lden_row__add(row, "result", false, "fd=%lld", (long long)ret);
	else if (name)
		lden_row__add(row, "result", false, "%s", name);
	else
		lden_row__add(row, "result", false, "errno %lld",
			     (long long)-ret);
}

static int open_sample(struct lden_recipe *r, const struct ltr_sample *s,
		       const char *extra, size_t elen, struct lden_row *row)
{
	struct open_state *st = r->priv;
	struct lden_intmap *m = st->pending;
	char path[OPEN_PATH_MAX], comm[16];
	enum lden_prov prov;
	struct pending *p;
	int64_t ret;
	int taken;
	ssize_t n;

	if (lden_strcap__feed(r->strcap, s))
		return 0;
	switch (lden_recipe__role(s)) {
	case ROLE_ENTER:
		p = lden_intmap__put(m, s->tid);
		if (!p) {
			r->dropped++;
			return 0;
		}
		p->time = s->time;
		p->nr = (int32_t)field_s64(s, "__syscall_nr");
		p->ptr = field_u64(s, "filename");
		/* the name at this record when known, else the late read */
		if (lden_comms__get(r->comms, (pid_t)s->tid)) {
			snprintf(p->comm, sizeof(p->comm), "%s",
				 lden_comms__get(r->comms, (pid_t)s->tid));
			p->comm_prov = LDEN_PROV_EXACT;
		} else {
			snprintf(p->comm, sizeof(p->comm), "%s",
				 part(extra, elen, 0));
			p->comm_prov = p->comm[0] && strcmp(p->comm, "?") ?
				       LDEN_PROV_LATE : LDEN_PROV_NONE;
		}
		p->late = atoi(part(extra, elen, 1));
		snprintf(p->path, sizeof(p->path), "%s", part(extra, elen, 2));
		lden_strcap__enter(r->strcap, s, "filename", p->ptr);
		return 0;
	case ROLE_TASK_EXIT:
		lden_intmap__del(m, s->tid, NULL);
		lden_strcap__forget(r->strcap, s->tid);
		return 0;
	case ROLE_EXIT:
		break;
	default:
		return 0;
	}
	ret = field_s64(s, "ret");
	if (r->failed_only) {
		int late = atoi(part(extra, elen, 1));
		const char *c = part(extra, elen, 0);
		enum lden_prov cprov = LDEN_PROV_EXACT;

		/* the copy at the call, else the name at this record (the
		 * same call's exit), else the late read */
		if (*c != 'e' || !c[1]) {
			cprov = lden_recipe__name(r, (pid_t)s->tid,
						  *c == 'l' ? c + 1 : "", comm,
						  sizeof(comm));
			c = comm;
		} else {
			c++;
		}
		add_row(r, s, row, c, cprov,
			late < 0 ? "" : part(extra, elen, 2),
			late < 0 ? LDEN_PROV_NONE : late == 2 ? LDEN_PROV_PARTIAL :
			late ? LDEN_PROV_LATE : LDEN_PROV_EXACT, ret);
		return 1;
	}
	p = lden_intmap__get(m, s->tid);
	if (p && p->nr != (int32_t)field_s64(s, "__syscall_nr")) {
		/* an enter of another open syscall: its exit was lost */
		lden_intmap__del(m, s->tid, NULL);
		p = NULL;
	}
	if (!p) {
		enum lden_prov cprov;

		r->unmatched++;
		lden_strcap__forget(r->strcap, s->tid);
		cprov = lden_recipe__name(r, (pid_t)s->tid, "", comm,
					  sizeof(comm));
		add_row(r, s, row, comm, cprov, "", LDEN_PROV_NONE, ret);
		return 1;
	}
	comm[0] = '\0';
	taken = lden_strcap__take_path(r->strcap, s->tid, p->ptr, s->time, path,
				      sizeof(path), comm, sizeof(comm));
	/* the capture's copy of the name, at the call */
	if (taken && comm[0]) {
		snprintf(p->comm, sizeof(p->comm), "%s", comm);
		p->comm_prov = LDEN_PROV_EXACT;
	}
	if (taken)
		prov = taken == 2 ? LDEN_PROV_PARTIAL : LDEN_PROV_EXACT;
	else if (!p->late)
		prov = lden_handoff__stale(st->handoff, s->tid, p->time, p->ptr,
					   0) ? LDEN_PROV_NONE : LDEN_PROV_LATE;
	/*
	 * the copy at the call left nothing (a kprobe's fetch cannot fault
	 * in a page of the program not yet touched) and none was read at
	 * the enter: the process, if it is still there, has it now
	 */
	else if ((n = lden_proc__read_str((pid_t)s->pid, p->ptr, p->path,
					  sizeof(p->path))) >= 0 &&
		 !lden_handoff__stale(st->handoff, s->tid, p->time, p->ptr,
				      lden_now_ns()))
		/* one that fills the buffer may be longer: cut, marked */
		prov = (size_t)n + 1 >= sizeof(p->path) ? LDEN_PROV_PARTIAL :
							  LDEN_PROV_LATE;
	else
		prov = LDEN_PROV_NONE;
	lden_handoff__done(st->handoff, s->tid, p->time, p->ptr);
	add_row(r, s, row, p->comm, p->comm_prov, taken ? path : p->path,
		prov, ret);
	lden_intmap__del(m, s->tid, NULL);
	return 1;
}

static void open_free(struct lden_recipe *r)
{
	struct open_state *st = r->priv;

	if (st) {
		lden_intmap__free(st->pending);
		lden_handoff__free(st->handoff);
		free(st);
	}
	r->priv = NULL;
}

const struct lden_recipe_def lden_recipe_open = {
	.name = "open",
	.command = "trace",
	.summary = "opens, with --failed only failed ones: comm, pid, path, errno",
	.columns = "COMM PID TID PATH RESULT",
	.names = true,
	.attach = open_attach,
	.capture = open_capture,
	.sample = open_sample,
	.free = open_free,
};
