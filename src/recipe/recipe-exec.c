// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden trace exec: new programs with their arguments (bpftrace's
 * execsnoop job).  sched:sched_process_exec carries the file name and
 * the pid but no argv: the argument list comes from the string capture
 * (strcap.h), copied by the kernel when execve was called, matched by
 * the calling thread (old_pid) and the file name; else it is read from
 * /proc/PID/cmdline as soon as the sample arrives (late, marked: a
 * process that has exited or exec'd again by then shows none).  A
 * capture whose call failed (sys_exit_execve, ret < 0) is dropped then:
 * a later exec of the same file by that thread through the bare system
 * call (which the C library's probes do not see) would otherwise take
 * the failed call's arguments, shown exact.  The comm is the one the
 * kernel gave the program at exec, the file name's last part, except
 * for "/dev/fd/N" (fexecve: since 6.14 the name of the file's dentry,
 * before "N"), read from /proc as the record arrives (late, marked).
 *
 * The exec record has no parent: the ppid is exact for a process lden saw
 * start (task_newtask in the scope, in the parent's context: its process
 * is the child's parent, but with CLONE_PARENT or CLONE_THREAD) when
 * /proc, read as the exec record arrives, still names that parent: a
 * parent is only ever left (reparented at its exit, never back), so it
 * was the parent at the exec too.  /proc naming another (reparented since
 * the fork: at the exec, either): late.  The process gone by then
 * (reaped): its parent at the fork, exact when that parent lives yet,
 * started before the fork (it never exited, so was never left), else
 * late.  A process lden did not see start:
 * /proc's, late.  The uid is read from /proc, late (no record has it).
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "intmap.h"
#include "lden-trace.h"
#include "proc.h"
#include "recipe.h"
#include "row.h"
#include "scope.h"

#define ARGV_MAX 4096

enum { ROLE_EXEC = 1, ROLE_EXIT, ROLE_FAILED, ROLE_FORK };

/*
 * The parent process of each process lden saw start, by pid (r->priv);
 * emptied when it holds EXEC_PARENTS_MAX (the processes started before
 * then show /proc's ppid, late)
 */
#define EXEC_PARENTS_MAX 65536

struct exec_parent {
	uint32_t ppid;
	uint64_t time;		/* of the fork */
};

static int exec_attach(struct lden_recipe *r, struct ltr_session *s,
		       const struct lden_scope *scope, char *err,
		       size_t errlen)
{
	char fbuf[256];

	if (lden_recipe__strings(r, s, LDEN_STRCAP_EXEC, r->scopes, NULL, NULL,
				err, errlen) < 0)
		return -1;
	/*
	 * --comm is the new program's name: the execve call (and the exit
	 * of a thread whose exec failed) still bears the caller's
	 */
	if (lden_strcap__attach(r->strcap, s, scope, NULL, false, err,
				errlen) < 0 ||
	    (lden_strcap__method(r->strcap) != LDEN_STRCAP_LATE &&
	     lden_recipe__open_task_exit(r, s, NULL, scope, ROLE_EXIT, err,
					 errlen) < 0))
		return -1;
	/* the new processes' parents: exact ppids */
	if (lden_recipe__has_event(r, "task", "task_newtask")) {
		if (!r->priv) {
			r->priv = lden_intmap__new(0, sizeof(struct exec_parent));
			if (!r->priv) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
		/* the command lden started: forked by lden, before tracing */
		if (r->scopes && r->scopes->command_pid > 0) {
			struct exec_parent *c = lden_intmap__put(
				r->priv, (uint32_t)r->scopes->command_pid);

			if (c) {
				c->ppid = (uint32_t)getpid();
				c->time = lden_now_ns();
			}
		}
		if (lden_recipe__open_event(r, s, "task", "task_newtask", NULL,
					   scope, ROLE_FORK, err, errlen) < 0)
			return -1;
	}
	/* the failed calls, whose captures no exec will take */
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "sys_exit_execveat" : "sys_exit_execve";

		if (lden_strcap__method(r->strcap) == LDEN_STRCAP_LATE ||
		    !lden_recipe__has_event(r, "syscalls", name))
			continue;
		if (lden_recipe__open_event(r, s, "syscalls", name, "ret < 0",
					   scope, ROLE_FAILED, err, errlen) < 0)
			return -1;
	}
	return lden_recipe__open_event(r, s, "sched", "sched_process_exec",
				      lden_recipe__filter(r, NULL, fbuf,
							 sizeof(fbuf)),
				      scope, ROLE_EXEC, err, errlen);
}

/* /proc/PID/cmdline as it is: the arguments, each NUL-terminated. */
static size_t read_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, len);
	close(fd);
	if (n <= 0)
		return 0;
	/* cut: end it at the last whole argument */
	if (buf[n - 1]) {
		while (n > 0 && buf[n - 1])
			n--;
	}
	return (size_t)n;
}

/* "ppid\0uid\0comm\0" then /proc/PID/cmdline's bytes, read now */
static size_t exec_capture(struct lden_recipe *r, const struct ltr_sample *s,
			   char *extra, size_t len)
{
	pid_t pid = (pid_t)s->pid, ppid = -1;
	uid_t uid = (uid_t)-1;
	char comm[64] = "";
	int n;

	if (lden_recipe__role(s) != ROLE_EXEC)
		return 0;
	/*
	 * a process past its exit still has its /proc files a moment, its
	 * PPid 0 there (pid_alive() false): gone, as when unreadable, not
	 * a parent of pid 0 (only pid 1 and kthreadd, pid 2, have none)
	 */
	if (lden_proc__ids(pid, &ppid, &uid) == 0 && ppid == 0 && pid > 2)
		ppid = -1;
	if (lden_proc__comm(pid, comm, sizeof(comm)) < 0)
		comm[0] = '\0';
	n = snprintf(extra, len, "%d%c%d%c%s%c", (int)ppid, '\0',
		     uid == (uid_t)-1 ? -1 : (int)uid, '\0', comm, '\0');
	if (n < 0 || (size_t)n >= len)
		return 0;
	return (size_t)n + read_cmdline(pid, extra + n, len - (size_t)n);
}

/* Whether the shell would take @a as one word as it is. */
static bool plain_word(const char *a)
{
	if (!*a)
		return false;
	for (; *a; a++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_./:=@%+,-", *a))
			return false;
	return true;
}

/*
 * The @n NUL-terminated arguments in @args as one line, each quoted as
 * the shell would need it ('a b', '', 'it'\''s'), so that the line says
 * where each argument ends.
 */
static void join_args(const char *args, size_t n, char *out, size_t len)
{
	size_t k = 0;

	out[0] = '\0';
	for (size_t at = 0; at < n && k + 1 < len;) {
		const char *a = args + at;
		size_t alen = strnlen(a, n - at);

		if (k)
			out[k++] = ' ';
		if (plain_word(a)) {
			k += (size_t)snprintf(out + k, len - k, "%s", a);
		} else {
			out[k++] = '\'';
			for (const char *c = a; *c && k + 5 < len; c++) {
				if (*c == '\'') {
					memcpy(out + k, "'\\''", 4);
					k += 4;
				} else {
					out[k++] = *c;
				}
			}
			if (k + 1 < len)
				out[k++] = '\'';
		}
		if (k >= len)
			k = len - 1;
		out[k] = '\0';
		at += alen + 1;
	}
}

/*
 * What the kernel named the program at exec: the file name's last part;
 * false for "/dev/fd/N", which an execveat of an fd with an empty path
 * shows, named since 6.14 after the file's dentry (unknown here), before
 * "N" (as an execve of "/dev/fd/N" itself still is)
 */
static bool exec_comm(const char *file, size_t n, char *comm, size_t len)
{
	const char *b = memrchr(file, '/', n);
	size_t k;

	b = b ? b + 1 : file;
	k = n - (size_t)(b - file);
	if (k && b - file == 8 && !memcmp(file, "/dev/fd/", 8) &&
	    strspn(b, "0123456789") >= k)
		return false;
	snprintf(comm, len, "%.*s", (int)(k > 15 ? 15 : k), b);
	return true;
}

/* The @i-th NUL-terminated part of @extra's @len bytes, or "". */
static const char *part(const char *extra, size_t len, int i, size_t *rest)
{
	size_t at = 0;

	while (i-- > 0 && at < len)
		at += strnlen(extra + at, len - at) + 1;
	*rest = at < len ? len - at : 0;
	return at < len ? extra + at : "";
}

/* A new task: a process's parent noted, from its record's context. */
static void exec_fork(struct lden_recipe *r, const struct ltr_sample *s)
{
	const struct ltr_field *pf = ltr_event__field(s->event, "pid");
	const struct ltr_field *ff = ltr_event__field(s->event, "clone_flags");
	uint64_t child = 0, flags = 0;
	struct exec_parent *p;

	if (!r->priv || !pf || !ff || ltr_field__u64(pf, s, &child) < 0 ||
	    ltr_field__u64(ff, s, &flags) < 0 || !child)
		return;
	/* a thread is no process; CLONE_PARENT's parent is the caller's */
	if (flags & (CLONE_THREAD | CLONE_PARENT) ||
	    (s->flags & LTR_SAMPLE_NO_TGID)) {
		lden_intmap__del(r->priv, child, NULL);
		return;
	}
	if (lden_intmap__count(r->priv) >= EXEC_PARENTS_MAX &&
	    !lden_intmap__get(r->priv, child)) {
		lden_intmap__free(r->priv);
		r->priv = lden_intmap__new(0, sizeof(struct exec_parent));
		if (!r->priv)
			return;
	}
	p = lden_intmap__put(r->priv, child);
	if (p) {
		p->ppid = s->pid;
		p->time = s->time;
	}
}

/*
 * The ppid of process @pid at its exec, into @out with its provenance:
 * @late is /proc's, read as the record arrived ("-1": gone).
 */
static enum lden_prov exec_ppid(struct lden_recipe *r, uint32_t pid,
				const char *late, char *out, size_t len)
{
	const struct exec_parent *p = r->priv ?
		lden_intmap__get(r->priv, pid) : NULL;
	const struct exec_parent *q;

	snprintf(out, len, "%s", late);
	if (p && !strcmp(late, "-1")) {
		/*
		 * gone: its parent at the fork, still its parent at the exec
		 * when that process lives yet (it never exited: no
		 * reparenting), the same one (no start of its pid seen since,
		 * none started after the fork); else maybe left since
		 */
		snprintf(out, len, "%u", p->ppid);
		q = lden_intmap__get(r->priv, p->ppid);
		if ((!q || q->time <= p->time) &&
		    lden_proc__alive_since((pid_t)p->ppid, p->time))
			return LDEN_PROV_EXACT;
		return LDEN_PROV_LATE;
	}
	if (!strcmp(late, "-1"))
		return LDEN_PROV_NONE;
	if (p && strtoul(late, NULL, 10) == p->ppid)
		return LDEN_PROV_EXACT;
	return LDEN_PROV_LATE;
}

static int exec_sample(struct lden_recipe *r, const struct ltr_sample *s,
		       const char *extra, size_t elen, struct lden_row *row)
{
	const struct ltr_field *f = ltr_event__field(s->event, "filename");
	const struct ltr_field *op = ltr_event__field(s->event, "old_pid");
	char args[ARGV_MAX], line[2 * ARGV_MAX], comm[16], name[ARGV_MAX];
	char pbuf[16];
	const char *file = "?", *ppid, *uid, *late_comm, *cmdline;
	enum lden_prov prov = LDEN_PROV_NONE, pprov, uprov, cprov;
	size_t n = 1, alen = 0, rest;
	uint64_t old = s->tid;
	bool partial = false;
	int argc;

	if (lden_strcap__feed(r->strcap, s))
		return 0;
	if (lden_recipe__role(s) == ROLE_FORK) {
		exec_fork(r, s);
		return 0;
	}
	/* in time order: a failed call's captures are all before its exit */
	if (lden_recipe__role(s) == ROLE_EXIT ||
	    lden_recipe__role(s) == ROLE_FAILED) {
		lden_strcap__forget(r->strcap, s->tid);
		return 0;
	}
	if (f && ltr_field__str(f, s, &file, &n) < 0) {
		file = "?";
		n = 1;
	}
	if (op)
		ltr_field__u64(op, s, &old);
	ppid = part(extra, elen, 0, &rest);
	uid = part(extra, elen, 1, &rest);
	late_comm = part(extra, elen, 2, &rest);
	cmdline = part(extra, elen, 3, &rest);
	if (lden_strcap__take_exec(r->strcap, (uint32_t)old, file, n, s->time,
				  args, sizeof(args), &argc, &partial)) {
		/* more arguments than copied, or one cut: not exact */
		prov = partial ? LDEN_PROV_PARTIAL : LDEN_PROV_EXACT;
		for (int i = 0; i < argc; i++)
			alen += strlen(args + alen) + 1;
	} else if (rest && *cmdline) {
		/* the arguments read at arrival, each NUL-terminated */
		prov = LDEN_PROV_LATE;
		alen = rest < sizeof(args) ? rest : sizeof(args);
		while (alen && cmdline[alen - 1])
			alen--;
		memcpy(args, cmdline, alen);
	}
	lden_strcap__count(r->strcap, prov);
	join_args(args, alen, line, sizeof(line));
	cprov = LDEN_PROV_EXACT;
	if (!exec_comm(file, n, comm, sizeof(comm))) {
		cprov = *late_comm ? LDEN_PROV_LATE : LDEN_PROV_NONE;
		snprintf(comm, sizeof(comm), "%s", late_comm);
	}
	snprintf(name, sizeof(name), "%.*s", (int)n, file);
	lden_row__add(row, "pid", true, "%u", s->pid);
	/*
	 * the exec record has neither: the ppid exact where lden saw the
	 * process start (exec_ppid()); the uid read from /proc as the
	 * record arrived, after a setuid maybe (marked late)
	 */
	pprov = exec_ppid(r, s->pid, ppid, pbuf, sizeof(pbuf));
	uprov = strcmp(uid, "-1") ? LDEN_PROV_LATE : LDEN_PROV_NONE;
	lden_recipe__count(r, pprov);
	lden_recipe__count(r, uprov);
	lden_row__add_num(row, "ppid", pbuf, pprov);
	lden_row__add_num(row, "uid", uid, uprov);
	lden_recipe__count(r, cprov);
	lden_row__add_str(row, "comm", comm, cprov);
	/* exact (the record's): a last '?' of its own is escaped in text */
	lden_row__add_str(row, "filename", name, LDEN_PROV_EXACT);
	lden_row__add_str(row, "argv", line, prov);
	if (partial)
		lden_row__add(row, "argv_partial", false, "true");
	return 1;
}

static void exec_free(struct lden_recipe *r)
{
	lden_intmap__free(r->priv);
	r->priv = NULL;
}

const struct lden_recipe_def lden_recipe_exec = {
	.name = "exec",
	.command = "trace",
	.summary = "new programs: pid, ppid, uid, comm, file name, arguments",
	.columns = "PID PPID UID COMM FILENAME ARGV",
	.attach = exec_attach,
	.capture = exec_capture,
	.sample = exec_sample,
	.free = exec_free,
};
