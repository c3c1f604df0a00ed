// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden trace open [--failed]: opens with their path and result (the
 * bpftrace opensnoop job).  The enter tracepoint carries only a pointer
 * to the path, the exit one only the result, so:
 *  - at enter, as soon as the sample arrives, the path is read from the
 *    process's memory (it is still there: the syscall is under way or has
 *    just returned);
 *  - in time order, each thread's enter is kept until its exit, which
 *    prints the line (with --failed only when the result is an error).
 * The pairing table holds one entry per thread in a syscall, at most
 * OPEN_PAIRS_MAX; an entry goes at its exit or when its thread exits
 * (sched:sched_process_exit), so it stays bounded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lden-trace.h"
#include "proc.h"
#include "recipe.h"
#include "row.h"
#include "tidmap.h"

#define OPEN_PAIRS_MAX 8192
#define OPEN_PATH_MAX 480

enum { ROLE_ENTER = 1, ROLE_EXIT, ROLE_TASK_EXIT };

struct pending {
	uint64_t time;
	int32_t nr;		/* __syscall_nr of the enter */
	char comm[16];
	char path[OPEN_PATH_MAX];
};

static const char *const syscalls[] = { "open", "openat", "openat2" };

static int open_attach(struct lden_recipe *r, struct ltr_session *s,
		       const struct lden_scope *scope, char *err,
		       size_t errlen)
{
	int found = 0;

	if (!r->priv) {
		r->priv = lden_tidmap_new(OPEN_PAIRS_MAX, sizeof(struct pending));
		if (!r->priv) {
			snprintf(err, errlen, "open: out of memory");
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++) {
		char enter[64], exit[64];

		snprintf(enter, sizeof(enter), "sys_enter_%s", syscalls[i]);
		snprintf(exit, sizeof(exit), "sys_exit_%s", syscalls[i]);
		/* arm64 and riscv have no open(2) */
		if (!lden_recipe_has_event(r, "syscalls", enter) ||
		    !lden_recipe_has_event(r, "syscalls", exit))
			continue;
		if (lden_recipe_open_event(r, s, "syscalls", enter, NULL, scope,
					   ROLE_ENTER, err, errlen) < 0 ||
		    lden_recipe_open_event(r, s, "syscalls", exit, NULL, scope,
					   ROLE_EXIT, err, errlen) < 0)
			return -1;
		found++;
	}
	if (!found) {
		snprintf(err, errlen, "open: this kernel has no syscalls:sys_enter_open* tracepoints (CONFIG_FTRACE_SYSCALLS)");
		return -1;
	}
	return lden_recipe_open_event(r, s, "sched", "sched_process_exit",
				      NULL, scope, ROLE_TASK_EXIT, err, errlen);
}

/* At enter: "comm SEP path", read while the path is still in memory. */
static void open_capture(struct lden_recipe *r, const struct ltr_sample *s,
			 char *extra, size_t len)
{
	const struct ltr_field *f;
	char path[OPEN_PATH_MAX], comm[64] = "?";
	uint64_t addr;
	ssize_t n = -EINVAL;

	if (lden_recipe_role(s) != ROLE_ENTER)
		return;
	f = ltr_event__field(s->event, "filename");
	if (f && ltr_field__u64(f, s, &addr) == 0)
		n = lden_proc_read_str((pid_t)s->tid, addr, path, sizeof(path));
	if (n < 0)
		snprintf(path, sizeof(path), "? (%s)", strerror((int)-n));
	lden_proc_comm((pid_t)s->tid, comm, sizeof(comm));
	lden_recipe_printable(path);
	lden_recipe_printable(comm);
	snprintf(extra, len, "%s" LDEN_SEP "%s", comm, path);
}

static int64_t field_s64(const struct ltr_sample *s, const char *name)
{
	const struct ltr_field *f = ltr_event__field(s->event, name);
	int64_t v = 0;

	if (f)
		ltr_field__s64(f, s, &v);
	return v;
}

static int open_sample(struct lden_recipe *r, const struct ltr_sample *s,
		       const char *extra, struct lden_row *row)
{
	struct lden_tidmap *m = r->priv;
	struct pending *p;
	const char *name;
	bool shown;
	int64_t ret;

	switch (lden_recipe_role(s)) {
	case ROLE_ENTER:
		p = lden_tidmap_put(m, (int32_t)s->tid);
		if (!p) {
			r->dropped++;
			return 0;
		}
		p->time = s->time;
		p->nr = (int32_t)field_s64(s, "__syscall_nr");
		lden_recipe_part(extra, 0, p->comm, sizeof(p->comm));
		lden_recipe_part(extra, 1, p->path, sizeof(p->path));
		return 0;
	case ROLE_TASK_EXIT:
		lden_tidmap_del(m, (int32_t)s->tid);
		return 0;
	case ROLE_EXIT:
		break;
	default:
		return 0;
	}
	ret = field_s64(s, "ret");
	p = lden_tidmap_get(m, (int32_t)s->tid);
	if (p && p->nr != (int32_t)field_s64(s, "__syscall_nr")) {
		/* an enter of another open syscall: its exit was lost */
		lden_tidmap_del(m, (int32_t)s->tid);
		p = NULL;
	}
	if (!p)
		r->unmatched++;
	shown = !r->failed_only || ret < 0;
	if (shown) {
		name = ret < 0 ? strerrorname_np((int)-ret) : NULL;
		lden_row_add(row, "comm", false, "%s", p ? p->comm : "?");
		lden_row_add(row, "pid", true, "%u", s->pid);
		lden_row_add(row, "tid", true, "%u", s->tid);
		lden_row_add(row, "path", false, "%s", p ? p->path : "?");
		if (ret >= 0)
			lden_row_add(row, "result", false, "fd=%lld",
				     (long long)ret);
		else if (name)
			lden_row_add(row, "result", false, "%s", name);
		else
			lden_row_add(row, "result", false, "errno %lld",
				     (long long)-ret);
	}
	if (p)
		lden_tidmap_del(m, (int32_t)s->tid);
	return shown;
}

static void open_free(struct lden_recipe *r)
{
	lden_tidmap_free(r->priv);
	r->priv = NULL;
}

const struct lden_recipe_def lden_recipe_open = {
	.name = "open",
	.command = "trace",
	.summary = "opens, with --failed only failed ones: comm, pid, path, errno",
	.columns = "COMM PID TID PATH RESULT",
	.attach = open_attach,
	.capture = open_capture,
	.sample = open_sample,
	.free = open_free,
};
