// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Dynamic probes: kprobes and uprobes in the session's group
 * "lden_<pidns inode>_<pid>".
 *
 * Unlike perf fds, tracefs probes outlive the process that created them,
 * so this file is mostly about removing them: at ltr_session__free() (after
 * every perf fd is closed, else the kernel says EBUSY), from the signal
 * handlers, and, for processes that died without either, by the sweep of
 * the next session, which takes only groups no process holds (owner.c).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tracefs.h>

#include "internal.h"

/* the kernel's MAX_EVENT_NAME_LEN, NUL included */
#define MAX_EVENT_NAME 64

static void ltr_signal_forget(struct ltr_session *s);

static bool tracing_file_exists(const char *dir, const char *file)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return false;
	return stat(path, &st) == 0;
}

/**
 * ltr_kprobes_supported - whether this kernel has kprobe_events
 * @s: the session
 *
 * Without CONFIG_KPROBES libtracefs still allocates kprobes and the write
 * to dynamic_events fails with a bare EINVAL, so this is the only reliable
 * test.
 */
bool ltr_kprobes_supported(const struct ltr_session *s)
{
	return s && tracing_file_exists(s->tracing_dir, "kprobe_events");
}

/* Event names end up in paths and in the kernel's parser: C identifiers. */
static bool valid_event_name(const char *name)
{
	size_t i;

	if (!name || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
		return false;
	for (i = 1; name[i]; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return false;
	return i < MAX_EVENT_NAME;
}

/*
 * libtracefs writes dynamic events through its own global tracing
 * directory; point it at the session's when they differ (a session given
 * an explicit tracing_dir).
 */
static void use_session_dir(const struct ltr_session *s)
{
	const char *cur = tracefs_tracing_dir();

	if (!cur || strcmp(cur, s->tracing_dir))
		tracefs_set_tracing_dir(s->tracing_dir);
}

static void probe_free(struct ltr_probe *p)
{
	if (!p)
		return;
	tracefs_dynevent_free(p->dyn);
	free(p->create_line);
	free(p->name);
	free(p->remove_line);
	free(p->remove_path);
	free(p);
}

bool ltr_probe_is_uprobe(const struct ltr_session *s, const char *system,
			 const char *name)
{
	if (strcmp(system, s->group))
		return false;
	for (const struct ltr_probe *p = s->probes; p; p = p->next) {
		enum tracefs_dynevent_type t;

		if (strcmp(p->name, name))
			continue;
		t = tracefs_dynevent_info(p->dyn, NULL, NULL, NULL, NULL, NULL);
		return t == TRACEFS_DYNEVENT_UPROBE ||
		       t == TRACEFS_DYNEVENT_URETPROBE;
	}
	return false;
}

/*
 * Builds the bookkeeping before anything is written to the kernel, so
 * that an allocation failure can never leave a probe nobody knows about.
 * @type_file is the per-type file used when there is no dynamic_events.
 * Returns the probe (release with probe_free()) or NULL.
 */
static struct ltr_probe *probe_alloc(const struct ltr_session *s,
				     const char *name, const char *type_file)
{
	const char *file = tracing_file_exists(s->tracing_dir, "dynamic_events") ?
				   "dynamic_events" : type_file;
	struct ltr_probe *p = calloc(1, sizeof(*p));

	if (!p)
		goto out_nomem;
	p->name = strdup(name);
	if (!p->name)
		goto out_nomem;
	/* asprintf() leaves the pointer undefined on failure */
	if (asprintf(&p->remove_line, "-:%s/%s\n", s->group, name) < 0) {
		p->remove_line = NULL;
		goto out_nomem;
	}
	if (asprintf(&p->remove_path, "%s/%s", s->tracing_dir, file) < 0) {
		p->remove_path = NULL;
		goto out_nomem;
	}
	return p;

out_nomem:
	probe_free(p);
	return ltr_error_null(ENOMEM, "out of memory");
}

static struct ltr_probe *find_probe(const struct ltr_session *s,
				    const char *name)
{
	for (struct ltr_probe *p = s->probes; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/*
 * Turns the last error_log entry, e.g.
 *
 *   [  878.2] trace_uprobe: error: Invalid register name
 *     Command: p:lden_1/bad /bin/true:0x1000 x=%zz
 *                                                ^
 *
 * into "Invalid register name at 'x=%zz'" in @buf.  Returns false when
 * the log has nothing usable.
 */
static bool kernel_reason(const char *log, char *buf, size_t size)
{
	const char *msg, *end, *cmd, *caret, *tok;
	size_t col, toklen;

	if (!log)
		return false;
	msg = strstr(log, "error: ");
	if (!msg)
		return false;
	msg += strlen("error: ");
	end = strchr(msg, '\n');
	if (!end)
		end = msg + strlen(msg);
	if (end == msg)
		return false;
	snprintf(buf, size, "%.*s", (int)(end - msg), msg);

	/* the caret line is aligned with the "  Command: " line above it */
	cmd = strstr(end, "Command: ");
	if (!cmd)
		return true;
	while (cmd > end && cmd[-1] != '\n')
		cmd--;
	caret = strchr(cmd, '\n');
	if (!caret)
		return true;
	caret++;
	tok = strchr(caret, '^');
	if (!tok || memchr(caret, '\n', tok - caret))
		return true;
	col = tok - caret;
	if (col >= (size_t)(caret - 1 - cmd))
		return true;
	tok = cmd + col;
	toklen = strcspn(tok, " \t\n");
	if (toklen)
		snprintf(buf + strlen(buf), size - strlen(buf), " at '%.*s'",
			 (int)(toklen > 60 ? 60 : toklen), tok);
	return true;
}

/* Appends @line to @path, whole or not at all; 0 or -1 with errno set. */
static int append_line(const char *path, const char *line)
{
	size_t len = strlen(line);
	ssize_t n;
	int fd, err;

	/* never O_TRUNC: that would delete every tool's probes */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, line, len);
	err = n < 0 ? errno : n == (ssize_t)len ? 0 : EIO;
	close(fd);
	errno = err;
	return err ? -1 : 0;
}

/* Creates @p in the kernel: libtracefs's definition or our own line. */
static int probe_write(const struct ltr_probe *p)
{
	if (p->dyn)
		return tracefs_dynevent_create(p->dyn);
	return append_line(p->remove_path, p->create_line);
}

/* Removes @p from the kernel; 0 or -1 with errno set. */
static int probe_remove(const struct ltr_probe *p)
{
	if (p->dyn)
		return tracefs_dynevent_destroy(p->dyn, false);
	return append_line(p->remove_path, p->remove_line);
}

/*
 * The group's directory appears with its first probe: hold it for the
 * session's lifetime, so that no other lden's sweep takes it (owner.c).
 * A sweep that ran between the creation and the lock may have taken the
 * probe already: then create it again, a few times at most.
 */
static int hold_group(struct ltr_session *s, struct ltr_probe *p)
{
	char dir[PATH_MAX], ev[PATH_MAX + MAX_EVENT_NAME];
	struct stat st;
	int fd = -ENOENT;

	snprintf(dir, sizeof(dir), "%s/events/%s", s->tracing_dir, s->group);
	snprintf(ev, sizeof(ev), "%s/%s", dir, p->name);
	for (int tries = 0; s->group_lock < 0; tries++) {
		if (tries && probe_write(p) < 0 &&
		    errno != EEXIST)
			return ltr_error(errno, "cannot create probe '%s/%s' again after another lden's sweep took it: %s",
					 s->group, p->name, strerror(errno));
		fd = ltr_owner_lock(dir);
		if (fd >= 0 && stat(ev, &st) == 0)
			s->group_lock = fd;
		else if (fd >= 0)
			close(fd);
		else if (fd != -ENOENT || tries == 3)
			return ltr_error(-fd, "cannot hold probe group '%s': %s",
					 s->group, strerror(-fd));
	}
	return 0;
}

/*
 * Writes @p (p->dyn, or p->create_line) to the kernel and keeps @p in
 * the session.  On failure
 * the error carries the kernel's own explanation from error_log when
 * there is one, and @p is freed.
 */
static int create_probe(struct ltr_session *s, struct ltr_probe *p,
			const char *kind, const char *where)
{
	char reason[256];
	char *log;
	int err;

	use_session_dir(s);
	/*
	 * Linked before it exists, so that a signal arriving right after the
	 * kernel created it still removes it; removing one that was never
	 * created only fails with ENOENT.  The handler walks this list, so
	 * only whole nodes are published.
	 */
	p->next = s->probes;
	__atomic_store_n(&s->probes, p, __ATOMIC_RELEASE);
	/* error_log is shared by every tool: clear it right before */
	tracefs_error_clear(NULL);
	if (probe_write(p) == 0) {
		err = hold_group(s, p);
		if (err == 0)
			return 0;
		probe_remove(p);
		__atomic_store_n(&s->probes, p->next, __ATOMIC_RELEASE);
		probe_free(p);
		errno = -err;
		return err;
	}
	/* tracefs_error_last() clobbers errno */
	err = errno ? errno : EINVAL;
	__atomic_store_n(&s->probes, p->next, __ATOMIC_RELEASE);
	log = tracefs_error_last(NULL);
	if (!kernel_reason(log, reason, sizeof(reason)))
		snprintf(reason, sizeof(reason), "%s", strerror(err));
	free(log);

	if (err == EACCES || err == EPERM)
		err = ltr_error(err, "permission denied creating %s '%s/%s' on '%s': " LTR_PRIVILEGE_FIX " with write access to tracefs" LTR_PARANOID_FMT,
				kind, s->group, p->name, where, ltr_paranoid());
	else if (err == EEXIST)
		err = ltr_error(EEXIST, "%s '%s/%s' already exists in the kernel (made by another session of this process?): %s",
				kind, s->group, p->name, reason);
	else
		err = ltr_error(err, "kernel rejected %s '%s/%s' on '%s': %s",
				kind, s->group, p->name, where, reason);
	probe_free(p);
	return err;
}

static int check_new_name(const struct ltr_session *s, const char *kind,
			  const char *name)
{
	if (!valid_event_name(name))
		return ltr_error(EINVAL, "invalid %s name '%s' (a C identifier of at most %d characters)",
				 kind, name ? name : "", MAX_EVENT_NAME - 1);
	if (find_probe(s, name))
		return ltr_error(EEXIST, "%s '%s/%s' already exists in this session",
				 kind, s->group, name);
	return 0;
}

/**
 * ltr_session__add_kprobe - create a kprobe or kretprobe in the session group
 * @s:         the session
 * @name:      event name, a C identifier, unique in the session
 * @addr:      probe point: "func", "func+off" or an address
 * @fetchargs: kprobe fetch-args ("fd=%di:s32 ret=$retval"), or NULL
 * @retprobe:  true for a kretprobe
 *
 * The probe is kept in the session and removed from the kernel by
 * ltr_session__free() or the signal handlers.  A kretprobe is written as
 * "r<N>:", N from ltr_kretprobe_maxactive().
 *
 * Returns 0, or -EOPNOTSUPP (no kprobe_events on this kernel), -EEXIST
 * (the name is taken, in the session or in the kernel), -EINVAL (bad
 * name, or the kernel rejected the definition: ltr_last_error() quotes
 * its error_log), -ENOENT or -EINVAL for a function the kernel does not
 * have (which one depends on the kernel version; the message says "Invalid
 * probed address or symbol"), or another negative errno; errno is set
 * too.
 */
int ltr_session__add_kprobe(struct ltr_session *s, const char *name,
			    const char *addr, const char *fetchargs,
			    bool retprobe)
{
	const char *kind = retprobe ? "kretprobe" : "kprobe";
	struct ltr_probe *p;
	int err;

	ltr_clear_error();
	if (!s || !addr || !*addr)
		return ltr_error(EINVAL, "no %s address given", kind);
	err = check_new_name(s, kind, name);
	if (err < 0)
		return err;
	if (!ltr_kprobes_supported(s))
		return ltr_error(EOPNOTSUPP, "cannot create %s '%s' on '%s': this kernel has no kprobe_events (CONFIG_KPROBES or CONFIG_KPROBE_EVENTS is off)",
				 kind, name, addr);

	p = probe_alloc(s, name, "kprobe_events");
	if (!p)
		return -errno;
	/*
	 * A kretprobe gets instances for this machine
	 * (ltr_kretprobe_maxactive()), in a line written here: libtracefs
	 * 1.6.4 turns max > 0 into "r<max>::grp/ev", which the kernel rejects.
	 */
	if (retprobe) {
		if (asprintf(&p->create_line, "r%u:%s/%s %s%s%s\n",
			     ltr_kretprobe_maxactive(), s->group, name, addr,
			     fetchargs && *fetchargs ? " " : "",
			     fetchargs ? fetchargs : "") < 0)
			p->create_line = NULL;
	} else {
		p->dyn = tracefs_kprobe_alloc(s->group, name, addr, fetchargs);
	}
	if (!p->dyn && !p->create_line) {
		probe_free(p);
		return ltr_error(ENOMEM, "out of memory");
	}
	return create_probe(s, p, kind, addr);
}

/*
 * The kernel splits a probe definition on what its isspace() calls white
 * space: the C locale's six, and 0xa0 (Latin-1's no-break space, a byte
 * of UTF-8 names too); control bytes have no place in a path we pass on.
 */
static bool path_fits_kernel(const char *path)
{
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == 0xa0)
			return false;
	return true;
}

int ltr_elf__symbol_offset(const char *path, const char *symbol,
			   uint64_t *offset)
{
	ltr_clear_error();
	return ltr_elf_symbol_offset(path, symbol, offset);
}

/* "0x<hex digits>" and nothing else: a file offset given directly. */
static bool parse_offset(const char *symbol, uint64_t *offset)
{
	unsigned long long v;
	char *end;

	if (strncmp(symbol, "0x", 2) || !isxdigit((unsigned char)symbol[2]))
		return false;
	errno = 0;
	v = strtoull(symbol + 2, &end, 16);
	if (errno || *end)
		return false;
	*offset = v;
	return true;
}

/**
 * ltr_session__add_uprobe - create a uprobe or uretprobe in the session group
 * @s:         the session
 * @name:      event name, a C identifier, unique in the session
 * @path:      the ELF binary or library (made absolute: the kernel
 *             resolves it, not us)
 * @symbol:    a function symbol in @path (resolved to a file offset), or
 *             "0x<offset>" for a file offset
 * @fetchargs: uprobe fetch-args ("i=%di:s32"), or NULL
 * @retprobe:  true for a uretprobe
 *
 * Returns 0, or -ENOENT (no such file or function), -ENOEXEC (not an
 * ELF64 file), -EOPNOTSUPP (no uprobe_events), -EEXIST, -EINVAL (the
 * kernel rejected the definition; ltr_last_error() quotes its error_log),
 * or another negative errno; errno is set too.
 */
int ltr_session__add_uprobe(struct ltr_session *s, const char *name,
			    const char *path, const char *symbol,
			    const char *fetchargs, bool retprobe)
{
	const char *kind = retprobe ? "uretprobe" : "uprobe";
	char where[PATH_MAX + 32];
	struct ltr_probe *p;
	uint64_t offset;
	char *abs;
	int err;

	ltr_clear_error();
	if (!s || !path || !*path || !symbol || !*symbol)
		return ltr_error(EINVAL, "no %s file or symbol given", kind);
	err = check_new_name(s, kind, name);
	if (err < 0)
		return err;
	if (!tracing_file_exists(s->tracing_dir, "uprobe_events"))
		return ltr_error(EOPNOTSUPP, "cannot create %s '%s' on '%s': this kernel has no uprobe_events (CONFIG_UPROBE_EVENTS is off)",
				 kind, name, path);

	abs = realpath(path, NULL);
	if (!abs) {
		if (errno == ENOENT)
			return ltr_error(ENOENT, "no such file '%s' (for %s '%s')",
					 path, kind, name);
		return ltr_error(errno, "cannot resolve '%s': %s", path,
				 strerror(errno));
	}
	if (!path_fits_kernel(abs)) {
		err = ltr_error(EINVAL, "cannot probe '%s': white space or a control character in the path",
				abs);
		goto out_free;
	}
	if (parse_offset(symbol, &offset)) {
		struct stat st;

		/* the kernel accepts any offset and fails only when enabled */
		if (stat(abs, &st) == 0 && offset >= (uint64_t)st.st_size) {
			err = ltr_error(EINVAL, "offset %s is beyond the end of '%s' (%lld bytes)",
					symbol, abs, (long long)st.st_size);
			goto out_free;
		}
	} else {
		err = ltr_elf_symbol_offset(abs, symbol, &offset);
		if (err < 0)
			goto out_free;
	}
	snprintf(where, sizeof(where), "%s:0x%llx", abs,
		 (unsigned long long)offset);

	p = probe_alloc(s, name, "uprobe_events");
	if (!p) {
		err = -errno;
		goto out_free;
	}
	p->dyn = retprobe ?
		tracefs_uretprobe_alloc(s->group, name, abs, offset, fetchargs) :
		tracefs_uprobe_alloc(s->group, name, abs, offset, fetchargs);
	if (!p->dyn) {
		probe_free(p);
		err = ltr_error(ENOMEM, "out of memory");
		goto out_free;
	}
	err = create_probe(s, p, kind, where);

out_free:
	free(abs);
	if (err < 0)
		errno = -err;
	return err;
}

/*
 * ltr_probe_destroy_all - remove the session's probes from the kernel
 *
 * Called by ltr_session__free() once every perf fd is closed.  A probe is
 * unlinked only after its removal, so a signal arriving meanwhile still
 * finds (and removes) the rest.  Failures are warned about and the probe
 * is left for the sweep of a later session.
 */
void ltr_probe_destroy_all(struct ltr_session *s)
{
	struct ltr_probe *p;

	if (!s)
		return;
	if (s->probes)
		use_session_dir(s);
	while ((p = s->probes)) {
		if ((p->dyn || p->create_line) && probe_remove(p) < 0 &&
		    errno != ENOENT)
			ltr_warn("cannot remove probe '%s/%s': %s%s\n", s->group,
				 p->name, strerror(errno),
				 errno == EBUSY ? " (a perf fd still uses it)" : "");
		__atomic_store_n(&s->probes, p->next, __ATOMIC_RELEASE);
		probe_free(p);
	}
	if (s->group_lock >= 0)
		close(s->group_lock);
	s->group_lock = -1;
	ltr_signal_forget(s);
}

/* ------------------------------------------------------------------ */
/* Removal from signal handlers */

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NSIGNALS (sizeof(cleanup_signals) / sizeof(cleanup_signals[0]))

/* The session whose probes the handlers remove, and what they replaced. */
static struct ltr_session *volatile signal_session;
static struct sigaction old_actions[NSIGNALS];
static bool installed[NSIGNALS];

/* strlen() is not on every system's async-signal-safe list. */
static size_t safe_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/*
 * Only open/write/close/rmdir/sigaction/raise here.  The event and probe lists
 * are read as they are: nodes are linked only when complete and unlinked
 * before they are freed.
 */
static void cleanup_handler(int sig)
{
	struct ltr_session *s = signal_session;
	int saved_errno = errno;
	struct sigaction dfl;

	signal_session = NULL;	/* a second signal finds nothing to do */
	if (s) {
		/* perf fds first: the kernel refuses to remove probes in use */
		for (struct ltr_event *ev = s->events; ev; ev = ev->next) {
			for (int i = 0; i < ev->nfds; i++)
				if (ev->fds[i] >= 0)
					close(ev->fds[i]);
			/* an open hist file keeps the instance too */
			if (ev->hist_fd_open)
				close(ev->hist_fd);
		}
		/* then the instance, its files closed: probes may be on in it */
		ltr_ftrace_release(s);
		if (s->instance_path)
			rmdir(s->instance_path);
		for (struct ltr_probe *p = s->probes; p; p = p->next) {
			int fd = open(p->remove_path, O_WRONLY | O_APPEND |
							      O_CLOEXEC);

			if (fd < 0)
				continue;
			if (write(fd, p->remove_line, safe_len(p->remove_line)) < 0) {
				/* nothing to report to from here */
			}
			close(fd);
		}
	}
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	/* blocked while we run: delivered, and fatal, once we return */
	raise(sig);
	errno = saved_errno;
}

/*
 * Stops the handlers from using @s (it is being freed) and puts back the
 * actions they replaced.
 */
static void ltr_signal_forget(struct ltr_session *s)
{
	if (!s || signal_session != s)
		return;
	signal_session = NULL;
	for (size_t i = 0; i < NSIGNALS; i++) {
		if (installed[i])
			sigaction(cleanup_signals[i], &old_actions[i], NULL);
		installed[i] = false;
	}
}

/**
 * ltr_session__cleanup_on_signal - remove probes on SIGINT, SIGTERM, SIGHUP
 * @s: the session (only one session can own the handlers)
 *
 * Installs handlers that close the session's perf fds, write the removal
 * line of each of its probes to tracefs, then restore the default action
 * and re-raise the signal, so the process still dies of it.  A signal that
 * is ignored (nohup) stays ignored.  ltr_session__free() puts the previous
 * actions back.
 *
 * Returns 0, or -EBUSY when another session owns the handlers, or another
 * negative errno.
 */
int ltr_session__cleanup_on_signal(struct ltr_session *s)
{
	struct sigaction sa;

	ltr_clear_error();
	if (!s)
		return ltr_error(EINVAL, "no session");
	if (signal_session == s)
		return 0;
	if (signal_session)
		return ltr_error(EBUSY, "another session already removes its probes on signals");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cleanup_handler;
	/* one cleanup at a time, whichever of the signals comes */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaddset(&sa.sa_mask, cleanup_signals[i]);

	signal_session = s;
	for (size_t i = 0; i < NSIGNALS; i++) {
		struct sigaction old;

		if (sigaction(cleanup_signals[i], NULL, &old) < 0)
			goto out_restore;
		if (old.sa_handler == SIG_IGN)
			continue;
		old_actions[i] = old;
		if (sigaction(cleanup_signals[i], &sa, NULL) < 0)
			goto out_restore;
		installed[i] = true;
	}
	return 0;

out_restore:
	{
		int err = errno;

		ltr_signal_forget(s);
		return ltr_error(err, "cannot install signal handlers: %s",
				 strerror(err));
	}
}
