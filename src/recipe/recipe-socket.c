// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden trace socket: SystemTap's socket-trace.stp, every function of the
 * kernel's net/socket.c a thread calls, on entry and on return, indented
 * per thread as thread_indent() does.  Where the kernel has kprobes: an
 * entry probe and a return probe on each function of the catalog's list
 * (kprobe_events/socket.functions) that /proc/kallsyms has, the comm
 * copied by the kernel at the call.  Where it has none: the socket system
 * calls' enter and exit tracepoints, which do not nest, the comm the
 * thread had at the record when lden saw it start or rename (comms.h),
 * else read from /proc as the record arrives (marked late).  The nesting is indent.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "catalog.h"
#include "escape.h"
#include "funclist.h"
#include "indent.h"
#include "kallsyms.h"
#include "lden-trace.h"
#include "proc.h"
#include "recipe.h"
#include "row.h"
#include "scope.h"

#define FUNCS_FILE "socket.functions"
#define THREADS_MAX 16384

/* roles: the exit of a thread, else FUNC_ROLE + 2 * function + return */
enum { ROLE_EXIT = 1, FUNC_ROLE = 16 };

/* The socket system calls, for kernels without kprobes. */
static const char *const syscalls[] = {
	"socket", "socketpair", "bind", "listen", "accept", "accept4",
	"connect", "getsockname", "getpeername", "sendto", "recvfrom",
	"sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown",
	"setsockopt", "getsockopt",
};

struct sock_priv {
	bool kprobes;
	struct lden_funclist funcs;	/* kprobes: the file; else syscalls */
	int nmissing;			/* not in kallsyms, or no tracepoint */
	char missing[4096];
	int nrefused;			/* the kernel would not probe them */
	char refused[4096];
	int nused;
	struct lden_indent *indent;
	/* the lines of the sample being shown */
	struct lden_indent_line lines[LDEN_INDENT_MAX + 1];
	int nlines, next;
	uint64_t raw;			/* its return value */
	bool has_raw;
	char comm[32];
	bool comm_late;
	bool comm_exact;		/* tracepoints: --comm's */
	uint32_t pid, tid;
};

static void add_name(char *list, size_t len, const char *name)
{
	size_t k = strlen(list);

	if (k + strlen(name) + 5 >= len) {
		if (k + 4 < len && !strstr(list, "..."))
			strcat(list, " ...");
		return;
	}
	snprintf(list + k, len - k, "%s%s", k ? " " : "", name);
}

static int load_funcs(struct lden_recipe *r, struct sock_priv *p, char *err,
		      size_t errlen)
{
	const char *dirs[16];
	int ndirs = lden_catalog__default_dirs(dirs, 16, r->events_dir);
	struct lden_kallsyms *k;
	char path[4096], msg[4200];

	if (lden_funclist__find(dirs, ndirs, FUNCS_FILE, path, sizeof(path)) < 0) {
		snprintf(err, errlen, "socket: no %s in the event catalog (%s)",
			 FUNCS_FILE, dirs[0]);
		return -1;
	}
	if (lden_funclist__load(path, &p->funcs, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "socket: %s", msg);
		return -1;
	}
	k = lden_kallsyms__load(NULL);
	if (!k) {
		snprintf(err, errlen, "socket: cannot read /proc/kallsyms: %s",
			 strerror(errno));
		return -1;
	}
	lden_funclist__check(&p->funcs, k);
	lden_kallsyms__free(k);
	return 0;
}

/* "sk5" and "sk5r": short, so that 150 of them fit any name limit. */
static void probe_names(int i, char *entry, char *ret, size_t len)
{
	snprintf(entry, len, "sk%d", i);
	snprintf(ret, len, "sk%dr", i);
}

/*
 * The probes, once: a function the kernel refuses (blacklisted, not a
 * function entry) is named in the header; any other error stops lden.
 */
static int create_probes(struct ltr_session *s, struct sock_priv *p,
			 char *err, size_t errlen)
{
	struct rlimit rl;

	/* two events per function, each a perf fd per CPU and scope */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (int i = 0; i < p->funcs.n; i++) {
		struct lden_func *f = &p->funcs.f[i];
		char e[32], rname[32];
		int rc;

		if (!f->present) {
			p->nmissing++;
			add_name(p->missing, sizeof(p->missing), f->name);
			continue;
		}
		probe_names(i, e, rname, sizeof(e));
		rc = ltr_session__add_kprobe(s, e, f->name, "comm=$comm", false);
		/* kernels that read BTF refuse $retval on a void function */
		if (rc == 0)
			rc = ltr_session__add_kprobe(s, rname, f->name,
						     f->ret == LDEN_RET_VOID ?
						     "comm=$comm" :
						     "ret=$retval:u64 comm=$comm",
						     true);
		if (rc == -EINVAL || rc == -ENOENT || rc == -EBUSY) {
			f->present = false;
			p->nrefused++;
			add_name(p->refused, sizeof(p->refused), f->name);
			continue;
		}
		if (rc < 0) {
			snprintf(err, errlen, "socket: %s: %s", f->name,
				 ltr_last_error());
			return -1;
		}
		p->nused++;
	}
	if (!p->nused) {
		snprintf(err, errlen, "socket: none of the %d functions of %s could be probed",
			 p->funcs.n, FUNCS_FILE);
		return -1;
	}
	return 0;
}

/* The system calls this kernel has both tracepoints of. */
static int list_syscalls(struct lden_recipe *r, struct sock_priv *p,
			 char *err, size_t errlen)
{
	size_t n = sizeof(syscalls) / sizeof(syscalls[0]);

	p->funcs.f = calloc(n, sizeof(*p->funcs.f));
	if (!p->funcs.f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->funcs.n = (int)n;
	for (size_t i = 0; i < n; i++) {
		struct lden_func *f = &p->funcs.f[i];
		char enter[64], exit_[64];

		snprintf(f->name, sizeof(f->name), "sys_%s", syscalls[i]);
		f->ret = LDEN_RET_LONG;
		snprintf(enter, sizeof(enter), "sys_enter_%s", syscalls[i]);
		snprintf(exit_, sizeof(exit_), "sys_exit_%s", syscalls[i]);
		f->present = lden_recipe__has_event(r, "syscalls", enter) &&
			     lden_recipe__has_event(r, "syscalls", exit_);
		if (f->present) {
			p->nused++;
		} else {
			p->nmissing++;
			add_name(p->missing, sizeof(p->missing), syscalls[i]);
		}
	}
	if (!p->nused) {
		snprintf(err, errlen, "socket: this kernel has neither kprobes nor the socket system calls' tracepoints (CONFIG_FTRACE_SYSCALLS)");
		return -1;
	}
	return 0;
}

static int prepare(struct lden_recipe *r, struct ltr_session *s, char *err,
		   size_t errlen)
{
	struct sock_priv *p = calloc(1, sizeof(*p));
	/* tests: the tracepoints on a kernel that has kprobes too */
	const char *via = getenv("LDEN_TEST_SOCKET_VIA");

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->priv = p;
	p->kprobes = ltr_session__supports(s, LTR_FEATURE_KPROBES, NULL) &&
		     !(via && !strcmp(via, "syscalls"));
	p->indent = lden_indent__new(THREADS_MAX);
	if (!p->indent) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (p->kprobes ? load_funcs(r, p, err, errlen) < 0 ||
			 create_probes(s, p, err, errlen) < 0 :
			 list_syscalls(r, p, err, errlen) < 0)
		return -1;
	return 0;
}

/*
 * The event just opened, named by its function ("kprobe:__sys_connect"),
 * not by its probe, in the guard's messages and the summary: entry and
 * return under one name, so that the guard stops (or keeps) both
 */
static void relabel(struct lden_recipe *r, const struct sock_priv *p, int i)
{
	struct lden_attached *a = r->att[r->natt - 1];

	snprintf(a->label, sizeof(a->label), "%s:%s",
		 p->kprobes ? "kprobe" : "syscalls", p->funcs.f[i].name);
}

static int socket_attach(struct lden_recipe *r, struct ltr_session *s,
			 const struct lden_scope *scope, char *err,
			 size_t errlen)
{
	struct sock_priv *p = r->priv;
	char fbuf[256], own[64];
	const char *filter;

	if (!p && prepare(r, s, err, errlen) < 0)
		return -1;
	p = r->priv;
	/* machine-wide, lden's own writes to a socket would trace themselves */
	snprintf(own, sizeof(own), "common_pid != %d", (int)getpid());
	filter = lden_recipe__filter(r, lden_scope__whole(scope) ? own : NULL,
				    fbuf, sizeof(fbuf));
	for (int i = 0; i < p->funcs.n; i++) {
		const char *sys = p->kprobes ? ltr_session__group(s) : "syscalls";
		char e[64], rname[64];

		if (!p->funcs.f[i].present)
			continue;
		if (p->kprobes) {
			probe_names(i, e, rname, sizeof(e));
		} else {
			snprintf(e, sizeof(e), "sys_enter_%s", syscalls[i]);
			snprintf(rname, sizeof(rname), "sys_exit_%s", syscalls[i]);
		}
		if (lden_recipe__open_event(r, s, sys, e, filter, scope,
					   FUNC_ROLE + 2 * i, err, errlen) < 0)
			return -1;
		relabel(r, p, i);
		if (lden_recipe__open_event(r, s, sys, rname, filter, scope,
					   FUNC_ROLE + 2 * i + 1, err,
					   errlen) < 0)
			return -1;
		relabel(r, p, i);
	}
	/* a tid that comes back is another thread: its own first event */
	return lden_recipe__open_task_exit(r, s, NULL, scope, ROLE_EXIT, err,
					   errlen);
}

/* Tracepoints: the comm as soon as the record arrives (late). */
static size_t socket_capture(struct lden_recipe *r, const struct ltr_sample *s,
			     char *extra, size_t len)
{
	struct sock_priv *p = r->priv;

	if (p->kprobes || lden_recipe__role(s) < FUNC_ROLE)
		return 0;
	if (lden_proc__comm((pid_t)s->tid, extra, len) < 0)
		return 0;
	return strlen(extra) + 1;
}

static const char *const marks[] = {
	[LDEN_INDENT_OK] = NULL,
	[LDEN_INDENT_NO_RETURN] = "return",
	[LDEN_INDENT_NO_ENTRY] = "entry",
};

/* The next of the sample's lines into @row. */
static int emit(struct lden_recipe *r, struct sock_priv *p,
		struct lden_row *row)
{
	const struct lden_indent_line *l = &p->lines[p->next++];
	const struct lden_func *f = &p->funcs.f[l->func];
	char val[32];
	int64_t num;

	lden_row__add(row, "since_us", true, "%" PRIu64, l->since_ns / 1000);
	/* the kprobes' $comm is the kernel's at the call: exact */
	lden_row__add_str(row, "comm", p->comm,
			  p->kprobes || p->comm_exact ? LDEN_PROV_EXACT :
			  p->comm_late ? LDEN_PROV_LATE : LDEN_PROV_NONE);
	lden_row__add(row, "pid", true, "%u", p->pid);
	lden_row__add(row, "tid", true, "%u", p->tid);
	lden_row__add(row, "depth", true, "%d", l->depth);
	lden_row__add(row, "direction", false, "%s",
		     l->entry ? "entry" : "return");
	lden_row__add(row, "function", false, "%s", f->name);
	/* the closed calls' lines have no value: it never came */
	if (!l->entry && l->mark != LDEN_INDENT_NO_RETURN && p->has_raw) {
		if (lden_rettype__format(f->ret, p->raw, val, sizeof(val), &num))
			lden_row__add(row, "retval", true, "%s", val);
		else if (f->ret == LDEN_RET_PTR)
			lden_row__add(row, "retptr", false, "%s", val);
	}
	if (marks[l->mark]) {
		lden_row__add(row, "not_seen", false, "%s", marks[l->mark]);
		r->unmatched++;
	}
	return p->next < p->nlines ? LDEN_RECIPE_MORE : 1;
}

static int socket_sample(struct lden_recipe *r, const struct ltr_sample *s,
			 const char *extra, size_t elen, struct lden_row *row)
{
	struct sock_priv *p = r->priv;
	int role = lden_recipe__role(s), func, n;
	const struct ltr_field *f;
	bool entry;

	if (p->next < p->nlines)
		return emit(r, p, row);
	if (role == ROLE_EXIT) {
		lden_indent__forget(p->indent, (int32_t)s->tid);
		return 0;
	}
	if (role < FUNC_ROLE)
		return 0;
	func = (role - FUNC_ROLE) / 2;
	entry = !((role - FUNC_ROLE) % 2);
	p->pid = s->pid;
	p->tid = s->tid;
	p->has_raw = false;
	p->comm_late = false;
	p->comm_exact = false;
	snprintf(p->comm, sizeof(p->comm), "?");
	if (p->kprobes) {
		const char *c;
		size_t cn;

		f = ltr_event__field(s->event, "comm");
		if (f && ltr_field__str(f, s, &c, &cn) == 0)
			snprintf(p->comm, sizeof(p->comm), "%.*s", (int)cn, c);
	} else if (r->comm) {
		/* the kernel's filter matched it: exact */
		snprintf(p->comm, sizeof(p->comm), "%s", r->comm);
		p->comm_exact = true;
	} else {
		enum lden_prov prov = lden_recipe__name(r, (pid_t)s->tid,
						       elen > 1 ? extra : "",
						       p->comm, sizeof(p->comm));

		lden_recipe__count(r, prov);
		p->comm_exact = prov == LDEN_PROV_EXACT;
		p->comm_late = prov == LDEN_PROV_LATE;
	}
	if (!entry) {
		f = ltr_event__field(s->event, "ret");
		p->has_raw = f && ltr_field__u64(f, s, &p->raw) == 0;
	}
	n = lden_indent__feed(p->indent, (int32_t)s->tid, s->time, func, entry,
			     p->kprobes, p->lines);
	if (n < 0) {
		r->dropped++;
		n = 1;
	}
	p->nlines = n;
	p->next = 0;
	return emit(r, p, row);
}

/*
 * "  1234 comm(tid):  -> function", two spaces deeper per level; a
 * return with its value, "ret=N"; what was not seen, said.
 */
static void socket_text(const struct lden_row *row, char *out, size_t len)
{
	const char *since = lden_row__get(row, "since_us"),
		   *comm = lden_row__get(row, "comm"),
		   *tid = lden_row__get(row, "tid"),
		   *depth = lden_row__get(row, "depth"),
		   *dir = lden_row__get(row, "direction"),
		   *fn = lden_row__get(row, "function"),
		   *ret = lden_row__get(row, "retval"),
		   *ptr = lden_row__get(row, "retptr"),
		   *not_seen = lden_row__get(row, "not_seen");
	bool entry = dir && !strcmp(dir, "entry");
	int prov = LDEN_PROV_NONE;
	char name[4 * 64 + 2] = "?";

	for (int i = 0; i < row->n; i++)
		if (!strcmp(row->c[i].name, "comm"))
			prov = row->c[i].prov;
	/* any bytes the program chose: escaped, a '?' of its own too */
	if (comm && prov != LDEN_PROV_NONE)
		lden_escape__text(comm, strlen(comm),
				  LDEN_ESC_QMARK_LAST | LDEN_ESC_SPACE, name,
				  sizeof(name));
	snprintf(out, len, "%6s %s%s(%s):%*s %s %s%s%s%s", since ? since : "?",
		 name, prov == LDEN_PROV_LATE ? "?" : "", tid ? tid : "?",
		 2 * (depth ? atoi(depth) : 0), "", entry ? "->" : "<-",
		 fn ? fn : "?", ret || ptr ? " ret=" : "",
		 ret ? ret : ptr ? ptr : "",
		 not_seen ? (!strcmp(not_seen, "return") ?
			     " (return not seen)" : " (entry not seen)") : "");
}

static int socket_header(struct lden_recipe *r, struct lden_row *row)
{
	struct sock_priv *p = r->priv;

	if (p->kprobes)
		lden_row__add(row, "source", false,
			     "kprobes: entry and return probes on %d functions of net/socket.c",
			     p->nused);
	else
		lden_row__add(row, "source", false,
			     "tracepoints: the enter and exit of %d socket system calls (no kprobes on this kernel)",
			     p->nused);
	if (p->nmissing)
		lden_row__add(row, "skipped", false, "%d %s: %s", p->nmissing,
			     p->kprobes ? "not in /proc/kallsyms" :
					  "without tracepoints here",
			     p->missing);
	if (p->nrefused)
		lden_row__add(row, "refused", false, "%d the kernel would not probe: %s",
			     p->nrefused, p->refused);
	lden_row__add(row, "comm", false, "%s", p->kprobes ?
		     "copied by the kernel at each call" : r->comm ?
		     "the one --comm names, which the kernel's filter matched" :
		     "the thread's name at the record when lden saw it start or rename, else read from /proc when the record arrives, '?' after it (late), '?' alone once the thread is gone");
	return 0;
}

static int socket_missed(struct lden_recipe *r, uint64_t *missed)
{
	struct sock_priv *p = r->priv;

	*missed = 0;
	if (!p || !p->kprobes)
		return 0;
	return ltr_session__missed(r->session, missed);
}

static void socket_free(struct lden_recipe *r)
{
	struct sock_priv *p = r->priv;

	if (!p)
		return;
	lden_funclist__free(&p->funcs);
	lden_indent__free(p->indent);
	free(p);
	r->priv = NULL;
}

const struct lden_recipe_def lden_recipe_socket = {
	.name = "socket",
	.command = "trace",
	.names = true,
	.summary = "net/socket.c's functions, on entry and return, indented per thread (socket-trace.stp)",
	.attach = socket_attach,
	.capture = socket_capture,
	.sample = socket_sample,
	.text = socket_text,
	.header = socket_header,
	.missed = socket_missed,
	.free = socket_free,
};
