// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "kallsyms.h"
#include "lden-trace.h"
#include "scope.h"
#include "strcap.h"
#include "intmap.h"

/* argv entries an exec capture copies (each costs two fetch-args) */
#define NARGV 16
/* captures kept per thread until its call takes them */
#define CAPS 4
#define MAX_THREADS 8192
/* C libraries probed at most */
#define MAX_LIBS 8
#define MAX_PROBES 64

struct cap {
	uint64_t time;
	uint64_t ptr;
	char *data;		/* open: the path; exec: file NUL argv... */
	uint32_t len;		/* bytes of data */
	uint16_t argc;
	bool partial;
	char comm[16];		/* open: the caller's, "" when not copied */
};

struct tcaps {
	int n;
	struct cap c[CAPS];	/* oldest first */
};

/* One capture event opened in one scope. */
struct capev {
	struct lden_attached a;		/* first: a.user is this, and &a */
	const struct lden_strcap *c;
	/* the pointer and its string: the path, or exec's file name */
	const struct ltr_field *ptr, *str, *comm;
	/* exec: argv[i] and its string */
	const struct ltr_field *p[NARGV + 1], *s[NARGV];
	bool resolved;
};

struct probe {
	char name[64];		/* in the session's group */
	char what[48];		/* "open", "do_sys_openat2" */
};

struct lden_strcap {
	enum lden_strcap_kind kind;
	enum lden_strcap_method method;
	bool dry;		/* only say what would be probed */
	char why[256];		/* late: why not exact */
	char libs[MAX_LIBS][512];
	int nlibs;
	struct probe probes[MAX_PROBES];
	int nprobes;
	struct capev **evs;
	int nevs;
	/* per probe, counting on every CPU for every task (anchor()) */
	bool anchored;		/* to be opened: exec's, or --strings exact */
	struct lden_attached *anchors;
	int nanchors;
	char unanchored[256];	/* why there are none, or "" */
	struct lden_intmap *threads;
	uint64_t counts[4];
	uint64_t unused;
	/* tracepoint method: the kernel copies at most this many bytes of
	 * a string (tracefs' syscall_user_buf_size), appending "..." to a
	 * longer one */
	size_t tp_limit;
};

int lden_strings__parse(const char *arg, enum lden_strings *out)
{
	static const char *const names[] = { "auto", "exact", "late" };

	for (int i = 0; i < 3; i++) {
		if (!strcmp(arg, names[i])) {
			*out = (enum lden_strings)i;
			return 0;
		}
	}
	return -1;
}

const char *lden_prov__name(enum lden_prov p)
{
	return p == LDEN_PROV_EXACT ? "exact" :
	       p == LDEN_PROV_LATE ? "late" :
	       p == LDEN_PROV_PARTIAL ? "partial" : "unavailable";
}

struct lden_strcap *lden_strcap__new(enum lden_strcap_kind kind)
{
	struct lden_strcap *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->kind = kind;
	c->threads = lden_intmap__new(MAX_THREADS, sizeof(struct tcaps));
	if (!c->threads) {
		free(c);
		return NULL;
	}
	return c;
}

static void drop_caps(struct tcaps *t, int k)
{
	for (int i = 0; i < k; i++)
		free(t->c[i].data);
	memmove(t->c, t->c + k, (size_t)(t->n - k) * sizeof(t->c[0]));
	t->n -= k;
}

void lden_strcap__forget(struct lden_strcap *c, uint32_t tid)
{
	struct tcaps *t = lden_intmap__get(c->threads, tid);

	if (!t)
		return;
	c->unused += (uint64_t)t->n;
	drop_caps(t, t->n);
	lden_intmap__del(c->threads, tid, NULL);
}

static void free_thread(uint64_t tid, void *val, void *ctx)
{
	struct tcaps *t = val;

	(void)tid;
	(void)ctx;
	drop_caps(t, t->n);
}

void lden_strcap__free(struct lden_strcap *c)
{
	if (!c)
		return;
	lden_intmap__each(c->threads, free_thread, NULL);
	lden_intmap__free(c->threads);
	for (int i = 0; i < c->nevs; i++) {
		lden_attached__release(&c->evs[i]->a);
		free(c->evs[i]);
	}
	free(c->evs);
	for (int i = 0; i < c->nanchors; i++)
		lden_attached__release(&c->anchors[i]);
	free(c->anchors);
	free(c);
}

enum lden_strcap_method lden_strcap__method(const struct lden_strcap *c)
{
	return c->method;
}

/* ------------------------------------------------------------------ */
/* Which method: the probe points of each */

/*
 * Kernel functions that receive the user pointer, first found first
 * used.  x86_64's syscall wrappers take a struct pt_regs *, whose layout
 * is fixed by the ABI: di at 112, si at 104, dx at 96 (r15 at 0 up to
 * di, then orig_ax, ip, ...).
 */
struct kfunc {
	const char *func;
	const char *ptr;	/* fetch-arg of the user pointer */
	const char *argv;	/* exec: of the argv array, else NULL */
};

static const struct kfunc open_kfuncs[] = {
	{ "do_sys_openat2", "$arg2", NULL },	/* 5.6+ */
	{ "do_sys_open", "$arg2", NULL },	/* before */
#if defined(__x86_64__)
	{ "__x64_sys_openat", "+104($arg1)", NULL },
#endif
};

static const struct kfunc exec_kfuncs[] = {
#if defined(__x86_64__)
	{ "__x64_sys_execve", "+112($arg1)", "+104($arg1)" },
	{ "__x64_sys_execveat", "+104($arg1)", "+96($arg1)" },
#endif
};

/* C library entry points, with the register of the pointer (x86_64 ABI) */
struct cfunc {
	const char *sym;
	const char *ptr;
	const char *argv;
};

#if defined(__x86_64__)
static const struct cfunc open_cfuncs[] = {
	{ "open", "%di", NULL },	/* open64, __open: the same code */
	{ "openat", "%si", NULL },
	{ "__open_nocancel", "%di", NULL },	/* opendir, internal opens */
	{ "creat", "%di", NULL },
	{ "open64", "%di", NULL },
	{ "openat64", "%si", NULL },
	{ "creat64", "%di", NULL },
};

static const struct cfunc exec_cfuncs[] = {
	/* execv, execvp, system and posix_spawn's child end here too */
	{ "execve", "%di", "%si" },
	{ "execveat", "%si", "%dx" },
};
#elif defined(__aarch64__)
static const struct cfunc open_cfuncs[] = {
	{ "open", "%x0", NULL },
	{ "openat", "%x1", NULL },
	{ "__open_nocancel", "%x0", NULL },
	{ "creat", "%x0", NULL },
	{ "open64", "%x0", NULL },
	{ "openat64", "%x1", NULL },
	{ "creat64", "%x0", NULL },
};

static const struct cfunc exec_cfuncs[] = {
	{ "execve", "%x0", "%x1" },
	{ "execveat", "%x1", "%x2" },
};
#else
static const struct cfunc open_cfuncs[] = { { NULL, NULL, NULL } };
static const struct cfunc exec_cfuncs[] = { { NULL, NULL, NULL } };
#endif

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The fetch-args of a capture: "ptr=P:x64 path=+0(P):T" for an open;
 * "ptr=P:x64 path=+0(P):T p0=+0(A):x64 s0=+0(+0(A)):T ..." for an exec,
 * where A is the argv array, with +u for user memory in kprobes.
 */
static void fetchargs(const struct lden_strcap *c, const char *ptr,
		      const char *argv, const char *type, bool kernel,
		      char *buf, size_t len)
{
	size_t k;

	k = (size_t)snprintf(buf, len, "ptr=%s:x64 path=+0(%s):%s", ptr, ptr,
			     type);
	for (int i = 0; c->kind == LDEN_STRCAP_EXEC && argv && i <= NARGV &&
			k < len; i++) {
		k += (size_t)snprintf(buf + k, len - k, " p%d=+%s%d(%s):x64", i,
				      kernel ? "u" : "", 8 * i, argv);
		if (i < NARGV && k < len)
			k += (size_t)snprintf(buf + k, len - k,
					      " s%d=+0(+%s%d(%s)):%s", i,
					      kernel ? "u" : "", 8 * i, argv,
					      type);
	}
	/*
	 * the task's name as it was at the call, last: the kernel sizes a
	 * record by its strings' lengths, a string longer than it copies
	 * (4096) counting none, and then lets such a string fill the room
	 * of those after it (trace_probe_tmpl.h, store_trace_args()): cut,
	 * with a NUL, as if whole; the name, which is always there, is then
	 * missing (exec_capture(), lden_strcap__feed())
	 */
	if (k < len)
		snprintf(buf + k, len - k, " comm=$comm");
}

static void probe_name(struct lden_strcap *c, char *buf, size_t len)
{
	static unsigned int seq;

	snprintf(buf, len, "strcap_%s_%u",
		 c->kind == LDEN_STRCAP_EXEC ? "exec" : "open", seq++);
}

/*
 * Whether a warning would panic this kernel (kernel.panic_on_warn).  A
 * uprobe whose strings pass a page, or a kprobe record past perf's 8 KiB
 * (an exec's arguments), makes the kernel warn once (trace_uprobe.c's
 * and perf_trace_buf_alloc()'s WARN_ON_ONCE): any process could then
 * crash the machine by passing a long string while lden traces.
 */
static bool warn_panics(void)
{
	const char *t = getenv("LDEN_TEST_PANIC_ON_WARN");
	int v = 0;
	FILE *f;

	if (t && *t)
		return atoi(t) != 0;
	f = fopen("/proc/sys/kernel/panic_on_warn", "re");
	if (!f)
		return false;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v != 0;
}

static int try_kprobes(struct lden_strcap *c, struct ltr_session *s)
{
	const struct kfunc *k = c->kind == LDEN_STRCAP_EXEC ? exec_kfuncs :
							      open_kfuncs;
	size_t nk = c->kind == LDEN_STRCAP_EXEC ? N(exec_kfuncs) :
						  N(open_kfuncs);
	const char *type = ltr_session__supports(s, LTR_FEATURE_PROBE_USTRING,
						 NULL) ? "ustring" : "string";
	struct lden_kallsyms *ks;
	char args[4096];

	if (!ltr_session__supports(s, LTR_FEATURE_KPROBES, NULL)) {
		snprintf(c->why, sizeof(c->why), "this kernel has no kprobes");
		return -1;
	}
	if (!ltr_session__supports(s, LTR_FEATURE_PROBE_ARGS, NULL) ||
	    (c->kind == LDEN_STRCAP_EXEC &&
	     !ltr_session__supports(s, LTR_FEATURE_PROBE_USER_DEREF, NULL))) {
		snprintf(c->why, sizeof(c->why), "its kprobes cannot fetch arguments");
		return -1;
	}
	if (c->kind == LDEN_STRCAP_EXEC && warn_panics()) {
		snprintf(c->why, sizeof(c->why),
			 "kernel.panic_on_warn is set: arguments past 8 KiB would make perf warn, and so panic the kernel");
		return -1;
	}
	ks = lden_kallsyms__load(NULL);
	for (size_t i = 0; i < nk; i++) {
		struct probe *p = &c->probes[c->nprobes];

		if (ks && !lden_kallsyms__has(ks, k[i].func))
			continue;
		probe_name(c, p->name, sizeof(p->name));
		fetchargs(c, k[i].ptr, k[i].argv, type, true, args,
			  sizeof(args));
		if (!c->dry && ltr_session__add_kprobe(s, p->name, k[i].func,
						       args, false) < 0) {
			snprintf(c->why, sizeof(c->why), "%s", ltr_last_error());
			continue;
		}
		snprintf(p->what, sizeof(p->what), "%s", k[i].func);
		c->nprobes++;
		/* execve and execveat are both wanted; opens need one */
		if (c->kind != LDEN_STRCAP_EXEC)
			break;
	}
	lden_kallsyms__free(ks);
	if (!c->nprobes && !c->why[0])
		snprintf(c->why, sizeof(c->why), "no kernel function to probe");
	return c->nprobes ? 0 : -1;
}

/*
 * How many bytes of a user string a syscall tracepoint copies: tracefs'
 * syscall_user_buf_size, else the kernel's first default (63).
 */
static size_t tracepoint_string_limit(struct ltr_session *s)
{
	char path[4096];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/syscall_user_buf_size",
		 ltr_session__tracing_dir(s));
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v ? (size_t)v : 63;
}

/* Whether the enter tracepoint has a string field for @field. */
static bool tracepoint_has_string(struct ltr_session *s, const char *system,
				  const char *name, const char *field)
{
	char path[4096], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/%s/%s/format",
		 ltr_session__tracing_dir(s), system, name);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *decl = strstr(line, "field:");
		const char *end = decl ? strchr(decl, ';') : NULL;

		if (!end || (!strstr(line, "__data_loc") &&
			     !strstr(line, "__rel_loc")))
			continue;
		/* the name is the last word before the ';' */
		while (end > decl && (end[-1] == ']' || end[-1] == '['))
			end--;
		for (const char *w = end; w > decl; w--) {
			if (!isalnum((unsigned char)w[-1]) && w[-1] != '_') {
				found = memmem(w, (size_t)(end - w), field,
					       strlen(field)) != NULL;
				break;
			}
		}
	}
	fclose(f);
	return found;
}

static bool is_libc(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return !strncmp(b, "libc.so", 7) ||
	       (!strncmp(b, "libc-", 5) && strstr(b, ".so")) ||
	       !strncmp(b, "libc.musl-", 10) || !strncmp(b, "ld-musl-", 8);
}

/* Adds the C libraries process @pid maps ("self" too) to c->libs. */
static void libs_of(struct lden_strcap *c, const char *pid)
{
	char path[64], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && c->nlibs < MAX_LIBS) {
		char *file = strchr(line, '/');
		char rooted[sizeof(c->libs[0])];
		const char *use;
		struct stat st;
		unsigned long ino;
		unsigned int maj, min;
		bool dup = false;

		if (!file || !is_libc(file))
			continue;
		file[strcspn(file, "\n")] = '\0';
		/* "addr perms offset maj:min inode path" */
		if (sscanf(line, "%*s %*s %*s %x:%x %lu", &maj, &min, &ino) != 3)
			continue;
		/* the file this process maps: ours, or in its own root */
		use = file;
		if (stat(use, &st) < 0 || st.st_ino != ino) {
			snprintf(rooted, sizeof(rooted), "/proc/%s/root%s", pid,
				 file);
			use = rooted;
			if (stat(use, &st) < 0 || st.st_ino != ino)
				continue;
		}
		for (int i = 0; i < c->nlibs && !dup; i++) {
			struct stat o;

			dup = stat(c->libs[i], &o) == 0 &&
			      o.st_dev == st.st_dev && o.st_ino == st.st_ino;
		}
		if (!dup)
			snprintf(c->libs[c->nlibs++], sizeof(c->libs[0]), "%s",
				 use);
	}
	fclose(f);
}

/* The C libraries of the scope: its processes', or every process's. */
static void find_libs(struct lden_strcap *c,
		      const struct lden_scope_opts *scope)
{
	char pid[16];
	DIR *d;
	struct dirent *e;

	libs_of(c, "self");
	if (scope->npids) {
		for (int i = 0; i < scope->npids; i++) {
			snprintf(pid, sizeof(pid), "%d", (int)scope->pids[i]);
			libs_of(c, pid);
		}
		return;
	}
	/* -- COMMAND: a fork of lden, which maps lden's */
	if (scope->command)
		return;
	d = opendir("/proc");
	if (!d)
		return;
	while ((e = readdir(d)) && c->nlibs < MAX_LIBS)
		if (isdigit((unsigned char)e->d_name[0]))
			libs_of(c, e->d_name);
	closedir(d);
}

static int try_uprobes(struct lden_strcap *c, struct ltr_session *s,
		       const struct lden_scope_opts *scope)
{
	const struct cfunc *f = c->kind == LDEN_STRCAP_EXEC ? exec_cfuncs :
							      open_cfuncs;
	size_t nf = c->kind == LDEN_STRCAP_EXEC ? N(exec_cfuncs) :
						  N(open_cfuncs);
	char args[4096], off[32];

	if (!ltr_session__supports(s, LTR_FEATURE_UPROBES, NULL)) {
		snprintf(c->why, sizeof(c->why), "this kernel has no uprobes either");
		return -1;
	}
	if (warn_panics()) {
		snprintf(c->why, sizeof(c->why),
			 "kernel.panic_on_warn is set: a uprobe copying a string of about 4 KiB would make the kernel warn, and so panic");
		return -1;
	}
	find_libs(c, scope);
	for (int l = 0; l < c->nlibs; l++) {
		uint64_t seen[N(open_cfuncs) + N(exec_cfuncs)];
		int nseen = 0;

		for (size_t i = 0; i < nf && f[i].sym; i++) {
			struct probe *p = &c->probes[c->nprobes];
			uint64_t o;
			bool dup = false;

			if (c->nprobes == MAX_PROBES ||
			    ltr_elf__symbol_offset(c->libs[l], f[i].sym, &o) < 0)
				continue;
			/* aliases share their code: one probe each */
			for (int k = 0; k < nseen; k++)
				dup |= seen[k] == o;
			if (dup)
				continue;
			seen[nseen++] = o;
			probe_name(c, p->name, sizeof(p->name));
			fetchargs(c, f[i].ptr, f[i].argv, "string", false, args,
				  sizeof(args));
			snprintf(off, sizeof(off), "0x%llx", (unsigned long long)o);
			if (!c->dry && ltr_session__add_uprobe(s, p->name, c->libs[l],
							       off, args, false) < 0) {
				snprintf(c->why, sizeof(c->why), "%s",
					 ltr_last_error());
				continue;
			}
			snprintf(p->what, sizeof(p->what), "%s", f[i].sym);
			c->nprobes++;
		}
	}
	if (!c->nprobes && !c->why[0])
		snprintf(c->why, sizeof(c->why), "no C library found to probe");
	return c->nprobes ? 0 : -1;
}

static bool per_task(const struct lden_scope_opts *scope)
{
	return scope->npids > 0 || scope->command;
}

int lden_strcap__choose(struct lden_strcap *c, struct ltr_session *s,
		       enum lden_strings want,
		       const struct lden_scope_opts *scope,
		       const char *enter_system, const char *enter_name,
		       char *err, size_t errlen)
{
	const char *via = getenv("LDEN_TEST_STRINGS_VIA");
	bool tp_ok = c->kind == LDEN_STRCAP_OPEN && enter_system &&
		     tracepoint_has_string(s, enter_system, enter_name,
					   "filename");
	bool uprobes_paid = c->kind == LDEN_STRCAP_EXEC || per_task(scope) ||
			    want == LDEN_STRINGS_EXACT;

	c->method = LDEN_STRCAP_LATE;
	c->anchored = c->kind == LDEN_STRCAP_EXEC || want == LDEN_STRINGS_EXACT;
	if (tp_ok)
		c->tp_limit = tracepoint_string_limit(s);
	if (via && *via) {
		if (!strcmp(via, "kprobe") ? try_kprobes(c, s) == 0 :
		    !strcmp(via, "tracepoint") ? tp_ok :
		    !strcmp(via, "uprobe") ? try_uprobes(c, s, scope) == 0 :
		    !strcmp(via, "late")) {
			c->method = !strcmp(via, "kprobe") ? LDEN_STRCAP_KPROBE :
				    !strcmp(via, "tracepoint") ? LDEN_STRCAP_TRACEPOINT :
				    !strcmp(via, "uprobe") ? LDEN_STRCAP_UPROBE :
							     LDEN_STRCAP_LATE;
			return 0;
		}
		snprintf(err, errlen, "LDEN_TEST_STRINGS_VIA=%s: not on this kernel (%s)",
			 via, c->why[0] ? c->why : "no string field");
		return -1;
	}
	if (want == LDEN_STRINGS_LATE) {
		snprintf(c->why, sizeof(c->why), "--strings late");
		return 0;
	}
	if (try_kprobes(c, s) == 0)
		c->method = LDEN_STRCAP_KPROBE;
	else if (tp_ok)
		c->method = LDEN_STRCAP_TRACEPOINT;
	else if (!uprobes_paid)
		snprintf(c->why + strlen(c->why), sizeof(c->why) - strlen(c->why),
			 "; uprobes on the C library would cost every process about 5 us per call: --strings exact");
	else if (try_uprobes(c, s, scope) == 0)
		c->method = LDEN_STRCAP_UPROBE;
	if (want == LDEN_STRINGS_EXACT && c->method == LDEN_STRCAP_LATE) {
		snprintf(err, errlen, "--strings exact: this kernel cannot copy them at the call (%s)",
			 c->why);
		return -1;
	}
	return 0;
}

int lden_strcap__plan(struct lden_strcap *c, struct ltr_session *s,
		     enum lden_strings want, const struct lden_scope_opts *scope,
		     const char *enter_system, const char *enter_name,
		     char *err, size_t errlen)
{
	c->dry = true;
	return lden_strcap__choose(c, s, want, scope, enter_system, enter_name,
				  err, errlen);
}

void lden_strcap__describe(const struct lden_strcap *c, char *buf, size_t len)
{
	const char *what = c->kind == LDEN_STRCAP_EXEC ? "arguments" : "paths";
	size_t k;

	switch (c->method) {
	case LDEN_STRCAP_KPROBE:
		k = (size_t)snprintf(buf, len, "%s copied at the call by kprobes on",
				     what);
		for (int i = 0; i < c->nprobes && k < len; i++)
			k += (size_t)snprintf(buf + k, len - k, " %s",
					      c->probes[i].what);
		break;
	case LDEN_STRCAP_TRACEPOINT:
		snprintf(buf, len, "%s copied at the call by the syscall tracepoints, up to %zu bytes (longer ones are cut: marked partial, '...?')",
			 what, c->tp_limit);
		break;
	case LDEN_STRCAP_UPROBE:
		k = (size_t)snprintf(buf, len, "%s copied at the call by uprobes on",
				     what);
		/* a library's path is what a traced process mapped: any
		 * bytes, escaped */
		for (int l = 0; l < c->nlibs && k + 2 < len; l++) {
			k += (size_t)snprintf(buf + k, len - k, "%s ",
					      l ? "," : "");
			k += lden_escape__text(c->libs[l], strlen(c->libs[l]),
					       0, buf + k, len - k);
		}
		/* the copy is the C library's argument: the kernel reads
		 * the buffer later, and another thread may write it between
		 * (strings-target's flip; unseen, so said) */
		if (k < len)
			k += (size_t)snprintf(buf + k, len - k, " (as the C library was given them: a thread writing the buffer during the call can make the kernel take other bytes, unseen)");
		if (k < len)
			k += (size_t)snprintf(buf + k, len - k, "; calls that bypass it (static programs) are read late, marked '?'");
		if (k < len && c->unanchored[0])
			snprintf(buf + k, len - k, "; per-task probes alone (no probe for every task: %s): in storms of short-lived children the kernel misses some calls, read late, marked '?'",
				 c->unanchored);
		break;
	case LDEN_STRCAP_LATE:
		snprintf(buf, len, "%s read from the process when the record arrives, marked '?' (%s)",
			 what, c->why);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* The events */

/* The anchors opened so far closed, and why there are none. */
static void unanchor(struct lden_strcap *c, const char *why)
{
	for (int i = 0; i < c->nanchors; i++) {
		for (int k = 0; k < c->anchors[i].nparts; k++)
			ltr_event__close(c->anchors[i].parts[k].ev);
		lden_attached__release(&c->anchors[i]);
	}
	c->nanchors = 0;
	snprintf(c->unanchored, sizeof(c->unanchored), "%s", why);
}

/*
 * A uprobe's perf events on a task (pid > 0) make the kernel arm its
 * breakpoint only in the mms of the tasks they name, each inherited
 * copy naming the child it was made for (event->hw.target); a hit in
 * an mm no event names is dropped and the breakpoint taken out of that
 * mm (trace_uprobe.c, uprobe_perf_filter(), UPROBE_HANDLER_REMOVE), as
 * is an mm left unnamed when an event is closed by a task that is not
 * its target (uprobe_perf_close()).  When two children cloned from one
 * context run in turn on a CPU, perf swaps their contexts instead of
 * switching their events (perf_event_context_sched_out()), so that a
 * child that exits may close its sibling's events: the sibling's mm is
 * then named by none, its breakpoint goes, and its next call is missed
 * (1 to 3 execs in a storm of 40 children; once all 160 failed opens of
 * 40 children, the parent's breakpoint gone before it forked them).
 * One event on every CPU for every task (hw.target NULL) makes the
 * kernel keep the breakpoint in every mm that maps the library and
 * pass every hit on: the per-task events still record only the traced
 * tasks' calls, at the cost of the trap in every other process's call
 * too (lden-trace(8)).  It counts, nothing more: no record, no ring.
 * Measured on 6.18: the misses were both hits counted in uprobe_profile
 * with no record, and calls with no hit at all; with perf's slow context
 * switch forced (an inherited PERF_SAMPLE_READ event in the same
 * contexts) there were none in 4800 execs, against 17 without.
 *
 * Where the anchor cannot be opened (the tests' LDEN_TEST_NO_UPROBE_ANCHOR
 * too), the per-task events go alone: what they miss is read late and
 * marked, and the header says why (lden_strcap__describe()).
 */
static void anchor(struct lden_strcap *c, struct ltr_session *s)
{
	char err[256];

	if (c->method != LDEN_STRCAP_UPROBE || c->anchors || c->unanchored[0])
		return;
	/*
	 * an open is cheap, and frequent in every process: the trap in each
	 * one (4.2 -> 29 us per openat+close of a process lden did not trace,
	 * bench/README) is paid only when asked for
	 */
	if (!c->anchored) {
		unanchor(c, "for opens, only with --strings exact: every process's opens would take the trap");
		return;
	}
	if (getenv("LDEN_TEST_NO_UPROBE_ANCHOR")) {
		unanchor(c, "LDEN_TEST_NO_UPROBE_ANCHOR");
		return;
	}
	c->anchors = calloc((size_t)c->nprobes, sizeof(*c->anchors));
	if (!c->anchors) {
		unanchor(c, "out of memory");
		return;
	}
	for (int i = 0; i < c->nprobes; i++) {
		struct lden_attached *a = &c->anchors[i];

		if (lden_attach_tracepoint_mode(s, ltr_session__group(s),
						c->probes[i].name, NULL, false,
						NULL, a, err, sizeof(err)) < 0) {
			lden_attached__release(a);
			unanchor(c, err);
			return;
		}
		c->nanchors++;
		snprintf(a->label, sizeof(a->label), "uprobe %s (every task)",
			 c->probes[i].what);
	}
}

int lden_strcap__attach(struct lden_strcap *c, struct ltr_session *s,
		       const struct lden_scope *scope, const char *filter,
		       bool recall, char *err, size_t errlen)
{
	/* before the per-task events, so that none is ever alone */
	if (scope && scope->pid > 0)
		anchor(c, s);
	for (int i = 0; i < c->nprobes; i++) {
		struct capev **evs, *e;

		evs = realloc(c->evs, (size_t)(c->nevs + 1) * sizeof(*evs));
		if (!evs) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		c->evs = evs;
		e = calloc(1, sizeof(*e));
		if (!e) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (lden_attach_event(s, ltr_session__group(s),
				      c->probes[i].name, filter, recall, scope,
				      &e->a, err, errlen) < 0) {
			lden_attached__release(&e->a);
			free(e);
			return -1;
		}
		snprintf(e->a.label, sizeof(e->a.label), "%s %s",
			 c->method == LDEN_STRCAP_KPROBE ? "kprobe" : "uprobe",
			 c->probes[i].what);
		e->a.user = e;
		e->c = c;
		c->evs[c->nevs++] = e;
	}
	return 0;
}

int lden_strcap__nattached(const struct lden_strcap *c)
{
	return c->nevs;
}

struct lden_attached *lden_strcap__attached(const struct lden_strcap *c,
					   int i)
{
	return i >= 0 && i < c->nevs ? &c->evs[i]->a : NULL;
}

/*
 * A capture event's attached event points at itself (the other users of
 * lden_attached.user hold a role or a struct of their own): no search.
 */
static struct capev *capev_of(const struct lden_strcap *c,
			      const struct ltr_sample *s)
{
	const struct lden_part *p = ltr_event__user(s->event);
	struct capev *e;

	if (!c || !p || !p->owner || p->owner->user != (void *)p->owner)
		return NULL;
	e = (struct capev *)p->owner;
	return e->c == c ? e : NULL;
}

bool lden_strcap__owns(const struct lden_strcap *c, const struct ltr_sample *s)
{
	return capev_of(c, s) != NULL;
}

static void resolve(struct capev *e, struct ltr_event *ev)
{
	char name[8];

	if (e->resolved)
		return;
	e->resolved = true;
	e->ptr = ltr_event__field(ev, "ptr");
	e->str = ltr_event__field(ev, "path");
	e->comm = ltr_event__field(ev, "comm");
	for (int i = 0; i <= NARGV; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		e->p[i] = ltr_event__field(ev, name);
		if (i < NARGV) {
			snprintf(name, sizeof(name), "s%d", i);
			e->s[i] = ltr_event__field(ev, name);
		}
	}
}

/* Keeps @cap for @tid (taking its data), the oldest going when full. */
static void keep(struct lden_strcap *c, uint32_t tid, struct cap *cap)
{
	struct tcaps *t = lden_intmap__put(c->threads, tid);

	if (!t) {
		c->unused++;
		free(cap->data);
		return;
	}
	if (t->n == CAPS) {
		c->unused++;
		drop_caps(t, 1);
	}
	t->c[t->n++] = *cap;
}

static uint64_t u64_of(const struct ltr_field *f, const struct ltr_sample *s)
{
	uint64_t v = 0;

	if (f)
		ltr_field__u64(f, s, &v);
	return v;
}

/* The string of a fetch-arg; false when the kernel could not copy it. */
static bool str_of(const struct ltr_field *f, const struct ltr_sample *s,
		   const char **str, size_t *len)
{
	const void *b;
	size_t n;

	/* a fault leaves 0 bytes; "" is its NUL alone */
	if (!f || ltr_field__bytes(f, s, &b, &n) < 0 || n == 0)
		return false;
	*str = b;
	*len = strnlen(b, n);
	return true;
}

/*
 * The kernel copies a probe's string with at most 4096 bytes, its NUL
 * included (a longer one is cut to 4095), and all of a uprobe's
 * arguments in one page (a record that would be larger is clipped: its
 * strings are cut short or left out).  A copy that reaches either limit
 * may be shorter than what the program passed: it is partial, not exact.
 */
#define STRCAP_STRING_MAX 4096

/* Whether @s is a full record, clipped at a page (a uprobe's). */
static bool page_clipped(const struct ltr_sample *s)
{
	static long page;

	if (!page)
		page = sysconf(_SC_PAGESIZE);
	return page > 0 && s->raw && s->raw_size >= (unsigned long)page;
}

static bool maybe_cut(const struct ltr_sample *s, const char *str, size_t len)
{
	size_t end;

	if (len + 1 >= STRCAP_STRING_MAX)
		return true;
	if (!page_clipped(s))
		return false;
	/*
	 * A full record: the string the clip fell in is the one whose copy
	 * reaches the record's end (up to its padding); the strings before
	 * it are whole (an exec's fetch-args past its argv's NULL may read
	 * strings of no use, which the clip may take instead)
	 */
	end = (size_t)(str - (const char *)s->raw) + len + 1;
	return end + 8 >= s->raw_size;
}

/* "file\0arg0\0arg1\0..." from an exec capture. */
static bool exec_capture(struct capev *e, const struct ltr_sample *s,
			 struct cap *cap)
{
	const char *str;
	size_t len, total = 0;
	char *buf;

	if (!str_of(e->str, s, &str, &len))
		return false;
	buf = malloc(len + 1 + NARGV * 4097);
	if (!buf)
		return false;
	cap->partial = maybe_cut(s, str, len);
	memcpy(buf, str, len);
	buf[len] = '\0';
	total = len + 1;
	for (int i = 0; i < NARGV; i++) {
		if (!u64_of(e->p[i], s))
			break;
		if (!str_of(e->s[i], s, &str, &len)) {
			/* unreadable, or no room left in the record */
			cap->partial = true;
			break;
		}
		cap->partial |= maybe_cut(s, str, len);
		memcpy(buf + total, str, len);
		buf[total + len] = '\0';
		total += len + 1;
		cap->argc++;
	}
	if (cap->argc == NARGV && u64_of(e->p[NARGV], s))
		cap->partial = true;
	/*
	 * no name after the strings: one of them took its room (fetchargs()),
	 * or the record was clipped at a page, where maybe_cut() found the
	 * string the clip fell in (maybe a string past argv's NULL, of no use)
	 */
	if (!str_of(e->comm, s, &str, &len) && !page_clipped(s))
		cap->partial = true;
	cap->data = buf;
	cap->len = (uint32_t)total;
	return true;
}

bool lden_strcap__feed(struct lden_strcap *c, const struct ltr_sample *s)
{
	struct capev *e = capev_of(c, s);
	struct cap cap = { .time = s->time };
	const char *str;
	size_t len;

	if (!e)
		return false;
	resolve(e, s->event);
	cap.ptr = u64_of(e->ptr, s);
	if (c->kind == LDEN_STRCAP_EXEC) {
		if (!exec_capture(e, s, &cap)) {
			c->unused++;
			return true;
		}
	} else {
		if (!str_of(e->str, s, &str, &len)) {
			c->unused++;
			return true;
		}
		cap.data = strndup(str, len);
		if (!cap.data)
			return true;
		cap.len = (uint32_t)len + 1;
		cap.partial = maybe_cut(s, str, len);
		/* the name follows the path: missing when the record was
		 * clipped (a path longer than the kernel copies) */
		if (str_of(e->comm, s, &str, &len))
			snprintf(cap.comm, sizeof(cap.comm), "%.*s", (int)len,
				 str);
		else
			cap.partial = true;
	}
	keep(c, s->tid, &cap);
	return true;
}

void lden_strcap__enter(struct lden_strcap *c, const struct ltr_sample *s,
		       const char *field, uint64_t ptr)
{
	const struct ltr_field *f;
	struct cap cap = { .time = s->time, .ptr = ptr };
	const char *str;
	size_t len;

	if (c->method != LDEN_STRCAP_TRACEPOINT)
		return;
	for (int i = 0; (f = ltr_event__field_at(s->event, i)); i++) {
		if (!ltr_field__is_string(f) ||
		    !strstr(ltr_field__name(f), field))
			continue;
		if (!str_of(f, s, &str, &len))
			return;
		/* at the limit the string may be cut; past it the kernel
		 * added "..." to what it copied */
		cap.partial = len >= c->tp_limit || maybe_cut(s, str, len);
		if (len > c->tp_limit && len >= 3 &&
		    !memcmp(str + len - 3, "...", 3))
			len -= 3;
		cap.data = strndup(str, len);
		if (!cap.data)
			return;
		cap.len = (uint32_t)len + 1;
		keep(c, s->tid, &cap);
		return;
	}
}

/*
 * The newest capture of @tid at or before @until that @match accepts,
 * copied out by @take; then every capture up to @until is used up.
 */
static int take(struct lden_strcap *c, uint32_t tid, uint64_t until,
		bool (*match)(const struct cap *, const void *),
		const void *arg, struct cap *out)
{
	struct tcaps *t = lden_intmap__get(c->threads, tid);
	int found = -1, used = 0;

	if (!t)
		return 0;
	for (int i = 0; i < t->n && t->c[i].time <= until; i++) {
		used = i + 1;
		if (match(&t->c[i], arg))
			found = i;
	}
	if (found >= 0) {
		*out = t->c[found];
		t->c[found].data = NULL;	/* now the caller's */
	}
	c->unused += (uint64_t)(used - (found >= 0));
	drop_caps(t, used);
	if (!t->n)
		lden_intmap__del(c->threads, tid, NULL);
	return found >= 0;
}

static bool same_ptr(const struct cap *cap, const void *arg)
{
	return cap->ptr == *(const uint64_t *)arg;
}

int lden_strcap__take_path(struct lden_strcap *c, uint32_t tid, uint64_t ptr,
			  uint64_t until, char *buf, size_t len, char *comm,
			  size_t clen)
{
	struct cap cap;

	bool cut;

	if (!take(c, tid, until, same_ptr, &ptr, &cap))
		return 0;
	cut = cap.partial || strlen(cap.data) >= len;
	snprintf(buf, len, "%s", cap.data);
	if (comm && cap.comm[0])
		snprintf(comm, clen, "%s", cap.comm);
	free(cap.data);
	return cut ? 2 : 1;
}

struct file_name {
	const char *s;
	size_t n;
};

/*
 * The name sched_process_exec shows is the one execve got, or for
 * execveat "/dev/fd/N/name" ("/dev/fd/N" alone with AT_EMPTY_PATH).
 */
static bool same_file(const struct cap *cap, const void *arg)
{
	const struct file_name *f = arg;
	size_t n = strlen(cap->data);

	if (n == f->n && !memcmp(cap->data, f->s, n))
		return true;
	if (cap->data[0] == '/' || f->n < 8 || strncmp(f->s, "/dev/fd/", 8))
		return false;
	return !n || (f->n > n && f->s[f->n - n - 1] == '/' &&
		      !memcmp(f->s + f->n - n, cap->data, n));
}

int lden_strcap__take_exec(struct lden_strcap *c, uint32_t tid,
			  const char *file, size_t flen, uint64_t until,
			  char *argv, size_t len, int *argc, bool *partial)
{
	struct file_name f = { file, flen };
	struct cap cap;
	size_t skip, n;

	if (!len || !take(c, tid, until, same_file, &f, &cap))
		return 0;
	skip = strlen(cap.data) + 1;
	n = cap.len - skip;
	*partial = cap.partial;
	if (n > len) {
		/* cut at an argument's end */
		n = len;
		while (n && cap.data[skip + n - 1])
			n--;
		*partial = true;
	}
	memcpy(argv, cap.data + skip, n);
	*argc = 0;
	for (size_t i = 0; i < n; i++)
		*argc += !cap.data[skip + i];
	if (!n)
		argv[0] = '\0';
	free(cap.data);
	return 1;
}

void lden_strcap__count(struct lden_strcap *c, enum lden_prov p)
{
	c->counts[p]++;
}

uint64_t lden_strcap__counted(const struct lden_strcap *c, enum lden_prov p)
{
	return c->counts[p];
}

uint64_t lden_strcap__unused(const struct lden_strcap *c)
{
	return c->unused;
}
