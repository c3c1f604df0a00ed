// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names and liveness of what a session puts in tracefs: its probe group
 * (events/<name>/) and its instance (instances/<name>/).
 *
 * tracefs is one for the whole kernel and looks the same from every PID
 * namespace, so a pid alone names nothing: two lden in two containers are
 * both pid 1, and kill(pid, 0) in one namespace says nothing of a process
 * in another.  So the name is "lden_<inode of the PID namespace>_<pid>",
 * which no two live processes share, and life is proved by a lock, never
 * by a pid: the owner holds a shared flock(2) on the object's directory for
 * as long as the object exists, and a sweep removes an object only while
 * it holds an exclusive lock it got without waiting, that is, when no
 * process of any namespace holds the object.  flock locks belong to the
 * inode, which every mount of tracefs shares; they go with the last
 * descriptor, so a process that dies, however it dies, gives its objects
 * up.
 *
 * The object exists a moment before its owner can lock it (the group's
 * directory appears when its first probe is written; an instance's at
 * mkdir), so a sweep may take a newborn object.  The owner finds that out
 * once it holds the lock (ltr_owner_lock() says -ENOENT), and creates the
 * object again.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define OWNER_PREFIX "lden_"
/* the kernel's MAX_EVENT_NAME_LEN, NUL included */
#define MAX_EVENT_NAME 64
/* how long an owner waits for a sweep that holds its object */
#define LOCK_WAIT_MS 5000

/**
 * ltr_owner_name - this process's name for its tracefs objects
 * @buf:  out: "lden_<pidns inode>_<pid>"
 * @size: its size; LTR_OWNER_NAME_MAX is always enough
 *
 * Without /proc the namespace part is 0: the name then differs only by
 * pid, and the lock still keeps other namespaces' objects safe.
 *
 * Return: 0, or -ENAMETOOLONG (errno set).
 */
int ltr_owner_name(char *buf, size_t size)
{
	unsigned long long ns = 0;
	struct stat st;
	int n;

	if (stat("/proc/self/ns/pid", &st) == 0)
		ns = (unsigned long long)st.st_ino;
	n = snprintf(buf, size, OWNER_PREFIX "%llu_%d", ns, (int)getpid());
	if (n < 0 || (size_t)n >= size)
		return ltr_error(ENAMETOOLONG, "no room for an owner name");
	return 0;
}

static bool all_digits(const char *s, size_t len)
{
	if (!len || len > 20)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/**
 * ltr_owner_name_match - whether @len bytes at @name are an owner name,
 * exactly "lden_<digits>_<digits>" (never another tool's group, never
 * "lden_1_2_x")
 */
bool ltr_owner_name_match(const char *name, size_t len)
{
	size_t plen = strlen(OWNER_PREFIX);
	const char *sep;

	if (len <= plen || strncmp(name, OWNER_PREFIX, plen))
		return false;
	name += plen;
	len -= plen;
	sep = memchr(name, '_', len);
	return sep && all_digits(name, sep - name) &&
	       all_digits(sep + 1, len - (sep + 1 - name));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/**
 * ltr_owner_lock - hold a tracefs directory this process just created
 * @path: events/<group> once the group's first probe exists, or
 *        instances/<name> after mkdir
 *
 * Takes a shared lock on the directory (other sessions of the process may
 * hold it too), waiting at most LOCK_WAIT_MS for a sweep that holds it,
 * then checks that @path is still the directory it locked.
 *
 * Return: the descriptor holding the lock (close-on-exec; closing it gives
 * the directory up), or -ENOENT when a sweep took the directory before the
 * lock (create the object again, then lock again), -EAGAIN when a sweep
 * held it for too long, or another negative errno; errno is set too.
 */
int ltr_owner_lock(const char *path)
{
	struct stat held, now;
	int fd, err, waited = 0;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_SH | LOCK_NB) < 0) {
		err = errno;
		if (err != EWOULDBLOCK && err != EINTR)
			goto out_close;
		if (waited >= LOCK_WAIT_MS) {
			err = EAGAIN;
			goto out_close;
		}
		sleep_ms(2);
		waited += 2;
	}
	if (fstat(fd, &held) < 0 || stat(path, &now) < 0 ||
	    held.st_ino != now.st_ino || held.st_dev != now.st_dev) {
		err = ENOENT;
		goto out_close;
	}
	return fd;

out_close:
	close(fd);
	errno = err;
	return -err;
}

/*
 * An exclusive lock got without waiting is the proof that no process
 * holds @path.  Returns the descriptor that holds it (close to release),
 * or -1: alive, already gone, or nothing proved.
 */
static int lock_if_unowned(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ------------------------------------------------------------------ */
/* Probe groups */

/*
 * ltr_read_text - a whole tracefs file, malloc'd and NUL-terminated (they
 * report size 0, so read to EOF); NULL with errno set
 */
char *ltr_read_text(const char *path)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 16384);

			if (!nb) {
				err = ENOMEM;
				goto out_err;
			}
			buf = nb;
			cap += 16384;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			goto out_err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;

out_err:
	free(buf);
	close(fd);
	errno = err;
	return NULL;
}

/* What a sweep removed, for its one line (ltr_sweep_stale_groups()). */
struct swept {
	int probes;
	int instances;
	char names[512];	/* the groups and instances, ", "-joined */
};

/* Adds @len bytes of @name to @w's list, or "..." once it is full. */
static void swept_name(struct swept *w, const char *name, size_t len)
{
	size_t used = strlen(w->names);

	if (used + len + 6 >= sizeof(w->names)) {
		if (used + 5 < sizeof(w->names) &&
		    (used < 3 || strcmp(w->names + used - 3, "...")))
			snprintf(w->names + used, sizeof(w->names) - used, ", ...");
		return;
	}
	snprintf(w->names + used, sizeof(w->names) - used, "%s%.*s",
		 used ? ", " : "", (int)len, name);
}

/* One line of a dynamic events file, "p:grp/ev addr args", split. */
struct probe_line {
	const char *group, *event;
	size_t glen, elen;
};

static bool parse_line(const char *line, struct probe_line *pl)
{
	const char *grp = strchr(line, ':');

	if (!grp || grp - line > (ptrdiff_t)strcspn(line, " \t"))
		return false;
	grp++;
	pl->group = grp;
	pl->glen = strcspn(grp, "/ \t");
	if (grp[pl->glen] != '/')
		return false;
	pl->event = grp + pl->glen + 1;
	pl->elen = strcspn(pl->event, " \t");
	return pl->elen && pl->elen < MAX_EVENT_NAME &&
	       pl->glen < MAX_EVENT_NAME &&
	       ltr_owner_name_match(pl->group, pl->glen);
}

/*
 * Removes every event of @group listed in @text (one event a line, the
 * lines NUL-separated, @nlines of them) by appending "-:grp/ev" to @path.
 */
static int remove_group(const char *path, const char *text, int nlines,
			const char *group, size_t glen)
{
	const char *line = text;
	int fd, removed = 0;

	/* never O_TRUNC: that would delete every tool's probes */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return ltr_error(errno, "cannot open '%s': %s", path,
				 strerror(errno));
	for (int i = 0; i < nlines; i++, line += strlen(line) + 1) {
		struct probe_line pl;
		char cmd[MAX_EVENT_NAME * 2 + 8];

		if (!parse_line(line, &pl) || pl.glen != glen ||
		    strncmp(pl.group, group, glen))
			continue;
		snprintf(cmd, sizeof(cmd), "-:%.*s/%.*s\n", (int)glen, group,
			 (int)pl.elen, pl.event);
		if (write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd))
			removed++;
		else if (errno != ENOENT)
			ltr_warn("cannot remove stale probe '%.*s/%.*s': %s\n",
				 (int)glen, group, (int)pl.elen, pl.event,
				 strerror(errno));
	}
	close(fd);
	return removed;
}

/*
 * Removes the events of the unowned lden groups listed in one file,
 * group by group, each while holding its lock.  Returns the number
 * removed, or a negative errno when the file cannot be read.
 */
static int sweep_file(const char *dir, const char *file, struct swept *w)
{
	char path[PATH_MAX], gdir[PATH_MAX];
	char *text, *line, *next;
	int nlines = 0, removed = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return ltr_error(ENAMETOOLONG, "tracing directory path too long");
	text = ltr_read_text(path);
	if (!text) {
		if (errno == ENOENT)
			return 0;
		return ltr_error(errno, "cannot read '%s': %s", path,
				 strerror(errno));
	}
	for (line = text; *line; line = next, nlines++) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
	}

	line = text;
	for (int i = 0; i < nlines; i++, line += strlen(line) + 1) {
		const char *prev = text;
		struct probe_line pl, seen;
		bool first = true;
		int fd, n;

		if (!parse_line(line, &pl))
			continue;
		/* each group once: at its first line */
		for (int j = 0; j < i && first; j++, prev += strlen(prev) + 1)
			if (parse_line(prev, &seen) && seen.glen == pl.glen &&
			    !strncmp(seen.group, pl.group, pl.glen))
				first = false;
		if (!first)
			continue;
		snprintf(gdir, sizeof(gdir), "%s/events/%.*s", dir,
			 (int)pl.glen, pl.group);
		fd = lock_if_unowned(gdir);
		if (fd < 0)
			continue;
		n = remove_group(path, text, nlines, pl.group, pl.glen);
		close(fd);
		if (n < 0) {
			free(text);
			return n;
		}
		removed += n;
		if (n > 0)
			swept_name(w, pl.group, pl.glen);
	}
	free(text);
	return removed;
}

/* ------------------------------------------------------------------ */
/* Instances */

static int sweep_instances(const char *dir, struct swept *w)
{
	char path[PATH_MAX];
	struct dirent *de;
	int removed = 0;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/instances", dir) >=
	    (int)sizeof(path))
		return ltr_error(ENAMETOOLONG, "tracing directory path too long");
	d = opendir(path);
	if (!d)
		return 0;	/* a kernel or a mount without instances */
	while ((de = readdir(d))) {
		int fd;

		if (!ltr_owner_name_match(de->d_name, strlen(de->d_name)))
			continue;
		snprintf(path, sizeof(path), "%s/instances/%s", dir,
			 de->d_name);
		fd = lock_if_unowned(path);
		if (fd < 0)
			continue;
		if (rmdir(path) == 0) {
			removed++;
			/* its group's probes, if any, named it already */
			if (!strstr(w->names, de->d_name))
				swept_name(w, de->d_name, strlen(de->d_name));
		} else if (errno != ENOENT) {
			ltr_warn("cannot remove stale instance '%s': %s%s\n",
				 de->d_name, strerror(errno),
				 errno == EBUSY ? " (a reader still has it open)" : "");
		}
		close(fd);
	}
	closedir(d);
	return removed;
}

/**
 * ltr_sweep_stale_groups - remove what lden processes that are gone left
 * @tracing_dir: tracefs mount point
 *
 * Removes the dynamic events of every probe group "lden_<ns>_<pid>", and
 * every instance of that name, that no process holds (see the top of this
 * file), whatever PID namespace it came from; live ones, of this namespace
 * or any other, and every other tool's, are left alone.  The text of
 * dynamic_events (or kprobe_events and uprobe_events on kernels without
 * it) is parsed here rather than with tracefs_dynevent_get_all(), which in
 * 1.6.4 mixes uprobes into kprobe results and needs one call per group
 * name.  ltr_session__new() calls it.  When it removed anything, it
 * says what in one line, at LTR_INFO ("removed 2 probes and 1 instance
 * left by lden processes that are gone: lden_4026531836_812").
 *
 * Return: the number of events and instances removed, or a negative errno.
 */
int ltr_sweep_stale_groups(const char *tracing_dir)
{
	struct swept w = { 0 };
	char path[PATH_MAX];
	int n;

	if (!tracing_dir)
		return ltr_error(EINVAL, "no tracing directory");
	/* instances first: a probe enabled in one cannot be removed */
	w.instances = sweep_instances(tracing_dir, &w);
	if (w.instances < 0)
		return w.instances;
	snprintf(path, sizeof(path), "%s/dynamic_events", tracing_dir);
	if (access(path, F_OK) == 0) {
		w.probes = sweep_file(tracing_dir, "dynamic_events", &w);
	} else {
		for (int i = 0; i < 2 && w.probes >= 0; i++) {
			n = sweep_file(tracing_dir,
				       i ? "uprobe_events" : "kprobe_events", &w);
			w.probes = n < 0 ? n : w.probes + n;
		}
	}
	if (w.probes < 0)
		return w.probes;
	if (w.probes || w.instances)
		ltr_info("removed %d probe%s and %d instance%s left by lden processes that are gone: %s\n",
			 w.probes, w.probes == 1 ? "" : "s", w.instances,
			 w.instances == 1 ? "" : "s", w.names);
	return w.probes + w.instances;
}

/* ------------------------------------------------------------------ */
/* The session's instance */

/**
 * ltr_session_instance - the session's own tracefs instance
 * @s: the session
 *
 * Made on the first call, as instances/<ltr_session__group(s)>, and held
 * (see the top of this file) until ltr_session__free() or the signal
 * handlers remove it.  Close every descriptor of its files first: the
 * kernel refuses to remove an instance in use.
 *
 * Return: its path, borrowed from the session, or NULL with errno set
 * (EEXIST: another session of this process has it).
 */
const char *ltr_session_instance(struct ltr_session *s)
{
	char *path;
	int fd = -ENOENT;

	if (s->instance_path)
		return s->instance_path;
	if (asprintf(&path, "%s/instances/%s", s->tracing_dir, s->group) < 0)
		return ltr_error_null(ENOMEM, "out of memory");
	for (int tries = 0; tries < 4 && fd == -ENOENT; tries++) {
		if (mkdir(path, 0750) < 0) {
			int err = errno;

			free(path);
			if (err == EACCES || err == EPERM)
				return ltr_error_null(err, "permission denied creating tracefs instance '%s': " LTR_PRIVILEGE_FIX " with write access to tracefs" LTR_PARANOID_FMT,
						      s->group, ltr_paranoid());
			return ltr_error_null(err, "cannot create tracefs instance '%s': %s",
					      s->group, strerror(err));
		}
		fd = ltr_owner_lock(path);
	}
	if (fd < 0) {
		int err = -fd;

		rmdir(path);
		free(path);
		return ltr_error_null(err, "cannot hold tracefs instance '%s': %s",
				      s->group, strerror(err));
	}
	s->instance_lock = fd;
	/* published last: the signal handler removes it once it is set */
	__atomic_store_n(&s->instance_path, path, __ATOMIC_RELEASE);
	return path;
}

static void *remove_instance(void *arg)
{
	struct ltr_session *s = arg;

	s->instance_rmdir_errno = rmdir(s->instance_path) < 0 ? errno : 0;
	return NULL;
}

/*
 * ltr_instance_remove_start - begin the rmdir of the session's instance
 *
 * The kernel's removal of an instance disables its events and waits for
 * every CPU to be done with them (tracepoint_synchronize_unregister(), an
 * RCU wait): 10-70 ms of a stop, most of it waiting, which the rest of
 * the stop (the hand-off of the perf events, the last output) can
 * overlap.  Every file of the instance must be closed and unmapped first,
 * and stay so: an open one makes the rmdir fail (EBUSY).  The thread
 * takes no signal (the handlers run on the others) and touches nothing
 * but the path, which stays until ltr_instance_destroy() joins it.
 */
int ltr_instance_remove_start(struct ltr_session *s)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int err;

	if (!s->instance_path || s->instance_removing)
		return 0;
	if ((err = pthread_attr_init(&attr)))
		return -err;
	/* a syscall's worth of stack */
	pthread_attr_setstacksize(&attr, 64 * 1024);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&s->instance_remover, &attr, remove_instance, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (err)
		return -err;
	s->instance_removing = true;
	return 0;
}

/*
 * ltr_instance_destroy - remove the session's instance, if it made one
 * Called by ltr_session__free() once its events are closed; waits for the
 * rmdir that ltr_instance_remove_start() began, if it did.
 */
void ltr_instance_destroy(struct ltr_session *s)
{
	char *path = s->instance_path;
	int err;

	if (!path)
		return;
	if (s->instance_removing) {
		pthread_join(s->instance_remover, NULL);
		s->instance_removing = false;
		err = s->instance_rmdir_errno;
	} else {
		err = rmdir(path) < 0 ? errno : 0;
	}
	if (err && err != ENOENT)
		ltr_warn("cannot remove tracefs instance '%s': %s%s\n", s->group,
			 strerror(err),
			 err == EBUSY ? " (a file of it is still open)" : "");
	__atomic_store_n(&s->instance_path, NULL, __ATOMIC_RELEASE);
	free(path);
	if (s->instance_lock >= 0)
		close(s->instance_lock);
	s->instance_lock = -1;
}
