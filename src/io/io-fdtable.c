// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "intmap.h"
#include "io-fdtable.h"
#include "io-pair.h"
#include "proc.h"

/*
 * A descriptor table: a process's own, or one that processes made with
 * clone(CLONE_FILES) share (a close or an open in one is the others'
 * too), until one unshares it (unshare(CLONE_FILES), exec,
 * close_range(CLOSE_RANGE_UNSHARE)) or exits
 */
struct io_files {
	unsigned int refs;
	uint64_t id;			/* never reused (change notes' key) */
	/* fd -> malloc'd MARK path NUL TIME READ: MARK the bits below;
	 * path "" when what the fd refers to is not known; TIME (8 bytes,
	 * after the path's end) the time of the record that set it; READ
	 * (8 bytes) when it was read from /proc, 0 when it was not */
	struct lden_intmap *map;
};

/*
 * The changes of one fd number of a table (or of all its numbers: exec,
 * close_range), as their records arrived: the last NOTE_TIMES times, and
 * the span of the older ones forgotten
 */
#define NOTE_TIMES 4
#define NOTE_ALL 0xffffffffu	/* the fd number of a change of every fd */
/* Change notes kept; past that they start afresh (forgot_max). */
#define MAX_NOTES 16384

struct io_note {
	uint64_t times[NOTE_TIMES];
	uint64_t lost_min, lost_max;	/* of those overwritten (0: none) */
	unsigned int n;			/* noted in all */
};

struct io_proc {
	pid_t pid;
	uint64_t last_use;		/* for eviction */
	struct io_files *files;		/* never NULL */
};

/*
 * A thread's name: read from /proc/TID/comm at its first record, late
 * ("?" when it was gone), or the comm its exit record carried (exact)
 */
struct io_name {
	char comm[32];
	bool exact;
};

/* Thread names kept (a thread's is dropped at its exit). */
#define MAX_NAMES 65536

/* MARK: always a printable byte, never the string's end */
#define MARK 0x40
#define EXACT 0x01		/* its open's path copied at the call */
#define CLOEXEC_SHIFT 1		/* enum lden_io_cloexec, 2 bits */
#define CLOEXEC_MASK (3 << CLOEXEC_SHIFT)

static enum lden_io_cloexec mark_cloexec(const char *s)
{
	return (enum lden_io_cloexec)((s[0] & CLOEXEC_MASK) >> CLOEXEC_SHIFT);
}

struct lden_io_fdtable {
	struct lden_intmap *procs;	/* pid -> struct io_proc * */
	struct lden_intmap *names;	/* tid -> struct io_name */
	size_t max_procs;
	size_t max_fds;
	uint64_t clock;
	uint64_t now;			/* the record being handled */
	/* entries set by a record older than this may be wrong: records
	 * of io's own events were lost (lden_io_fdtable__unsure_before) */
	uint64_t unsure_before;
	uint64_t next_files_id;
	/* (files id << 32 | fd) -> struct io_note, as records arrive */
	struct lden_intmap *notes;
	/* the latest change forgotten when the notes started afresh */
	uint64_t forgot_max;
	struct lden_io_fdtable_stats st;
};

struct lden_io_fdtable *lden_io_fdtable__new(size_t max_procs, size_t max_fds)
{
	struct lden_io_fdtable *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max_procs = max_procs ? max_procs : 1;
	t->max_fds = max_fds;
	t->procs = lden_intmap__new(0, sizeof(struct io_proc *));
	t->names = lden_intmap__new(0, sizeof(struct io_name));
	t->notes = lden_intmap__new(0, sizeof(struct io_note));
	if (!t->procs || !t->names || !t->notes) {
		lden_intmap__free(t->procs);
		lden_intmap__free(t->names);
		lden_intmap__free(t->notes);
		free(t);
		return NULL;
	}
	return t;
}

static void free_path(uint64_t key, void *val, void *ctx)
{
	free(*(char **)val);
}

/* An empty table with one reference, or NULL (ENOMEM). */
static struct io_files *files_new(struct lden_io_fdtable *t)
{
	struct io_files *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->map = lden_intmap__new(0, sizeof(char *));
	if (!f->map) {
		free(f);
		return NULL;
	}
	f->refs = 1;
	f->id = ++t->next_files_id;
	return f;
}

/* Drops a reference to @f; the last frees it. */
static void files_put(struct lden_io_fdtable *t, struct io_files *f)
{
	if (!f || --f->refs)
		return;
	t->st.fds -= lden_intmap__count(f->map);
	lden_intmap__each(f->map, free_path, NULL);
	lden_intmap__free(f->map);
	free(f);
}

static void proc_free(struct lden_io_fdtable *t, struct io_proc *p)
{
	files_put(t, p->files);
	free(p);
}

static void free_proc(uint64_t key, void *val, void *ctx)
{
	proc_free(ctx, *(struct io_proc **)val);
}

void lden_io_fdtable__free(struct lden_io_fdtable *t)
{
	if (!t)
		return;
	lden_intmap__each(t->procs, free_proc, t);
	lden_intmap__free(t->procs);
	lden_intmap__free(t->names);
	lden_intmap__free(t->notes);
	free(t);
}

struct oldest {
	struct io_proc *p;
};

static void find_oldest(uint64_t key, void *val, void *ctx)
{
	struct oldest *o = ctx;
	struct io_proc *p = *(struct io_proc **)val;

	if (!o->p || p->last_use < o->p->last_use)
		o->p = p;
}

/* The process's entry, made (and named) when first seen; NULL: ENOMEM. */
/* A new entry for @pid, its name not read (the caller names it). */
static struct io_proc *new_proc(struct lden_io_fdtable *t, pid_t pid)
{
	struct io_proc *p;

	if (lden_intmap__count(t->procs) >= t->max_procs) {
		struct oldest o = { NULL };

		lden_intmap__each(t->procs, find_oldest, &o);
		if (o.p) {
			lden_intmap__del_ptr(t->procs, (uint64_t)o.p->pid);
			proc_free(t, o.p);
			t->st.procs_evicted++;
		}
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->files = files_new(t);
	if (!p->files) {
		free(p);
		return NULL;
	}
	p->pid = pid;
	p->last_use = ++t->clock;
	if (lden_intmap__put_ptr(t->procs, (uint64_t)pid, p) < 0) {
		proc_free(t, p);
		return NULL;
	}
	t->st.procs = lden_intmap__count(t->procs);
	return p;
}

static struct io_proc *get_proc(struct lden_io_fdtable *t, pid_t pid)
{
	struct io_proc *p = lden_intmap__get_ptr(t->procs, (uint64_t)pid);

	if (p) {
		p->last_use = ++t->clock;
		return p;
	}
	return new_proc(t, pid);
}

/* When the entry @s was set (the time after its path). */
static uint64_t entry_time(const char *s)
{
	uint64_t time;

	memcpy(&time, s + strlen(s) + 1, sizeof(time));
	return time;
}

/* When entry @s was read from /proc (0: it was not). */
static uint64_t entry_read_at(const char *s)
{
	uint64_t read_at;

	memcpy(&read_at, s + strlen(s) + 1 + sizeof(uint64_t),
	       sizeof(read_at));
	return read_at;
}

/* Whether entry @s was set before records of io's were lost. */
static bool entry_unsure(const struct lden_io_fdtable *t, const char *s)
{
	return entry_time(s) < t->unsure_before;
}

static char *copy_path(const char *path, bool exact,
		       enum lden_io_cloexec cloexec, uint64_t time,
		       uint64_t read_at)
{
	size_t len = strlen(path);
	char *s;

	if (len > LDEN_IO_PATH_MAX - 1)
		len = LDEN_IO_PATH_MAX - 1;
	s = malloc(len + 2 + sizeof(time) + sizeof(read_at));
	if (!s)
		return NULL;
	s[0] = (char)(MARK | (exact ? EXACT : 0) |
		      ((int)cloexec << CLOEXEC_SHIFT));
	memcpy(s + 1, path, len);
	s[len + 1] = '\0';
	if (len == LDEN_IO_PATH_MAX - 1)
		memcpy(s + 1 + len - 3, "...", 3);
	memcpy(s + len + 2, &time, sizeof(time));
	memcpy(s + len + 2 + sizeof(time), &read_at, sizeof(read_at));
	return s;
}

static int proc_set(struct lden_io_fdtable *t, struct io_proc *p, int fd,
		    const char *path, bool exact, enum lden_io_cloexec cloexec,
		    uint64_t time, uint64_t read_at)
{
	char *old = lden_intmap__get_ptr(p->files->map, (uint64_t)(unsigned int)fd);
	char *s;

	if (!old && t->st.fds >= t->max_fds) {
		t->st.fds_refused++;
		return -ENOSPC;
	}
	s = copy_path(path, exact, cloexec, time, read_at);
	if (!s)
		return -ENOMEM;
	if (lden_intmap__put_ptr(p->files->map, (uint64_t)(unsigned int)fd, s) < 0) {
		free(s);
		return -ENOMEM;
	}
	if (old)
		free(old);
	else
		t->st.fds++;
	return 0;
}

int lden_io_fdtable__set(struct lden_io_fdtable *t, pid_t pid, int fd,
			 const char *path, bool exact,
			 enum lden_io_cloexec cloexec)
{
	struct io_proc *p = get_proc(t, pid);

	if (!p)
		return -ENOMEM;
	return proc_set(t, p, fd, path ? path : "", exact && path && *path,
			cloexec, t->now, 0);
}

const char *lden_io_fdtable__path(struct lden_io_fdtable *t, pid_t pid,
				  int fd)
{
	struct io_proc *p = get_proc(t, pid);
	/* not on the stack: looked at for every fd call (one thread) */
	static char buf[LDEN_IO_PATH_MAX * 2];
	enum lden_io_cloexec cloexec = LDEN_IO_CLOEXEC_UNKNOWN;
	/* read now: after any loss seen so far (late all the same) */
	uint64_t now = t->now > t->unsure_before ? t->now : t->unsure_before;
	uint64_t read_at;
	int flags;
	const char *s;

	if (!p || fd < 0)
		return NULL;
	s = lden_intmap__get_ptr(p->files->map, (uint64_t)fd);
	if (s && !entry_unsure(t, s))
		return s[1] ? s + 1 : NULL;
	/* opened before tracing began (or its open was lost); or set
	 * before records were lost (perhaps closed and reopened since) */
	t->st.proc_lookups++;
	/* (before the read: a change noted before this moment was before
	 * what it sees) */
	read_at = lden_now_ns();
	if (lden_proc__fd_path(pid, fd, buf, sizeof(buf)) < 0) {
		t->st.proc_failures++;
		/*
		 * closed already: remember that, so that every later call on
		 * it does not ask again; an open of this fd replaces it
		 */
		proc_set(t, p, fd, "", false, LDEN_IO_CLOEXEC_UNKNOWN, now,
			 read_at);
		return NULL;
	}
	/* whether an exec closes it, as /proc/PID/fdinfo/FD says */
	if (lden_proc__fd_flags(pid, fd, &flags) == 0)
		cloexec = flags & O_CLOEXEC ? LDEN_IO_CLOEXEC :
					      LDEN_IO_INHERITED;
	if (proc_set(t, p, fd, buf, false, cloexec, now, read_at) < 0)
		return NULL;
	return (const char *)lden_intmap__get_ptr(p->files->map, (uint64_t)fd) + 1;
}

const char *lden_io_fdtable__lookup(struct lden_io_fdtable *t, pid_t pid,
				    int fd, struct lden_io_fdref *ref)
{
	struct io_proc *p = get_proc(t, pid);
	const char *s;

	memset(ref, 0, sizeof(*ref));
	if (!p || fd < 0)
		return NULL;
	ref->files = p->files->id;
	s = lden_intmap__get_ptr(p->files->map, (uint64_t)fd);
	/* set before records were lost: read again (late) */
	if (s && entry_unsure(t, s)) {
		if (!lden_io_fdtable__path(t, pid, fd))
			return NULL;
		s = lden_intmap__get_ptr(p->files->map, (uint64_t)fd);
	}
	if (!s || !s[1])
		return NULL;
	ref->exact = (s[0] & EXACT) && !entry_unsure(t, s);
	ref->read_at = entry_read_at(s);
	return s + 1;
}

/* When the entry of @fd of @pid was read from /proc, or 0. */
static uint64_t read_at_of(struct lden_io_fdtable *t, pid_t pid, int fd)
{
	struct io_proc *p = lden_intmap__get_ptr(t->procs, (uint64_t)pid);
	const char *s;

	if (!p || fd < 0)
		return 0;
	s = lden_intmap__get_ptr(p->files->map, (uint64_t)fd);
	return s ? entry_read_at(s) : 0;
}

static uint64_t note_key(uint64_t files, unsigned int fd)
{
	return files << 32 | fd;
}

void lden_io_fdtable__changed(struct lden_io_fdtable *t, pid_t pid, int fd,
			      uint64_t time)
{
	struct io_proc *p = get_proc(t, pid);
	struct io_note *n;
	uint64_t *slot;

	if (!p)
		return;
	if (lden_intmap__count(t->notes) >= MAX_NOTES) {
		/* afresh: what a call would have asked of them is not
		 * known now (lden_io_fdtable__changed_between()) */
		struct lden_intmap *fresh =
			lden_intmap__new(0, sizeof(struct io_note));

		t->forgot_max = lden_now_ns();
		if (!fresh)
			return;
		lden_intmap__free(t->notes);
		t->notes = fresh;
	}
	n = lden_intmap__put(t->notes,
			     note_key(p->files->id,
				      fd < 0 ? NOTE_ALL : (unsigned int)fd));
	if (!n) {
		/* not kept: as if every note were forgotten */
		t->forgot_max = lden_now_ns();
		return;
	}
	slot = &n->times[n->n++ % NOTE_TIMES];
	if (n->n > NOTE_TIMES) {
		if (!n->lost_min || *slot < n->lost_min)
			n->lost_min = *slot;
		if (*slot > n->lost_max)
			n->lost_max = *slot;
	}
	*slot = time;
}

/* Whether note @n holds (or may have held) a time in (@after, @before). */
static bool note_between(const struct io_note *n, uint64_t after,
			 uint64_t before)
{
	if (!n)
		return false;
	for (unsigned int i = 0; i < n->n && i < NOTE_TIMES; i++)
		if (n->times[i] > after && n->times[i] < before)
			return true;
	return n->lost_max > after && n->lost_min < before;
}

bool lden_io_fdtable__changed_between(const struct lden_io_fdtable *t,
				      uint64_t files, int fd, uint64_t after,
				      uint64_t before)
{
	if (t->forgot_max > after)
		return true;
	return note_between(lden_intmap__get(t->notes,
					     note_key(files, (unsigned int)fd)),
			    after, before) ||
	       note_between(lden_intmap__get(t->notes,
					     note_key(files, NOTE_ALL)),
			    after, before);
}

const char *lden_io_fdtable__get(struct lden_io_fdtable *t, pid_t pid,
				 int fd)
{
	struct io_proc *p = get_proc(t, pid);

	const char *s;

	if (!p || fd < 0)
		return NULL;
	s = lden_intmap__get_ptr(p->files->map, (uint64_t)fd);
	/* "" marks an fd found closed in /proc: unknown */
	return s && s[1] ? s + 1 : NULL;
}

bool lden_io_fdtable__exact(struct lden_io_fdtable *t, pid_t pid, int fd)
{
	struct io_proc *p = lden_intmap__get_ptr(t->procs, (uint64_t)pid);
	const char *s;

	if (!p || fd < 0)
		return false;
	s = lden_intmap__get_ptr(p->files->map, (uint64_t)fd);
	/* copied at its open, and no record of io's lost since */
	return s && (s[0] & EXACT) && !entry_unsure(t, s);
}

bool lden_io_fdtable__unsure(struct lden_io_fdtable *t, pid_t pid, int fd)
{
	struct io_proc *p = lden_intmap__get_ptr(t->procs, (uint64_t)pid);
	const char *s;

	if (!p || fd < 0)
		return false;
	s = lden_intmap__get_ptr(p->files->map, (uint64_t)fd);
	return s && entry_unsure(t, s);
}

void lden_io_fdtable__at(struct lden_io_fdtable *t, uint64_t time)
{
	t->now = time;
}

void lden_io_fdtable__unsure_before(struct lden_io_fdtable *t, uint64_t time)
{
	if (time > t->unsure_before)
		t->unsure_before = time;
}

int lden_io_fdtable__dup(struct lden_io_fdtable *t, pid_t pid, int oldfd,
			 int newfd, enum lden_io_cloexec cloexec)
{
	/* a source set before a loss: read again (late) */
	const char *s = lden_io_fdtable__unsure(t, pid, oldfd) ?
				lden_io_fdtable__path(t, pid, oldfd) :
				lden_io_fdtable__get(t, pid, oldfd);
	bool exact = lden_io_fdtable__exact(t, pid, oldfd);
	struct io_proc *p;
	char *copy;
	int err;

	if (oldfd == newfd)
		return 0;
	/*
	 * a source not known makes @newfd not known either: whatever
	 * @newfd referred to before is gone (dup2 onto it closed it)
	 */
	copy = strdup(s ? s : "");
	if (!copy)
		return -ENOMEM;
	p = get_proc(t, pid);
	err = p ? proc_set(t, p, newfd, copy, exact && s, cloexec, t->now,
			   s ? read_at_of(t, pid, oldfd) : 0) :
		  -ENOMEM;
	free(copy);
	return err ? err : s ? 0 : -ENOENT;
}

void lden_io_fdtable__set_cloexec(struct lden_io_fdtable *t, pid_t pid,
				  int fd, enum lden_io_cloexec cloexec)
{
	struct io_proc *p = lden_intmap__get_ptr(t->procs, (uint64_t)pid);
	char *s;

	if (!p || fd < 0)
		return;
	s = lden_intmap__get_ptr(p->files->map, (uint64_t)fd);
	if (s)
		s[0] = (char)((s[0] & ~CLOEXEC_MASK) |
			      ((int)cloexec << CLOEXEC_SHIFT));
}

void lden_io_fdtable__close(struct lden_io_fdtable *t, pid_t pid, int fd)
{
	struct io_proc *p = lden_intmap__get_ptr(t->procs, (uint64_t)pid);
	char *s;

	if (!p || fd < 0)
		return;
	s = lden_intmap__del_ptr(p->files->map, (uint64_t)fd);
	if (s) {
		free(s);
		t->st.fds--;
	}
}

struct range {
	unsigned int lo, hi;
	uint64_t keys[64];
	int n;
	bool exec;		/* not a range: those an exec closes */
};

static void in_range(uint64_t key, void *val, void *ctx)
{
	struct range *r = ctx;
	const char *s = *(char **)val;

	if (r->n >= 64)
		return;
	if (r->exec ? mark_cloexec(s) != LDEN_IO_INHERITED :
		      key >= r->lo && key <= r->hi)
		r->keys[r->n++] = key;
}

/* Each fd in [@lo, @hi] that the table has is now close-on-exec. */
static void mark_range(uint64_t key, void *val, void *ctx)
{
	struct range *r = ctx;
	char *s = *(char **)val;

	if (key >= r->lo && key <= r->hi)
		s[0] = (char)((s[0] & ~CLOEXEC_MASK) |
			      (LDEN_IO_CLOEXEC << CLOEXEC_SHIFT));
}

void lden_io_fdtable__cloexec_range(struct lden_io_fdtable *t, pid_t pid,
				    unsigned int lo, unsigned int hi)
{
	struct io_proc *p = lden_intmap__get_ptr(t->procs, (uint64_t)pid);
	struct range r = { .lo = lo, .hi = hi };

	if (p)
		lden_intmap__each(p->files->map, mark_range, &r);
}

/* Close every fd of @pid that @r matches (in_range). */
static void close_matching(struct lden_io_fdtable *t, pid_t pid,
			   struct range *r)
{
	struct io_proc *p = lden_intmap__get_ptr(t->procs, (uint64_t)pid);

	if (!p)
		return;
	/* a pass removes up to 64; repeat until none is left */
	do {
		r->n = 0;
		lden_intmap__each(p->files->map, in_range, r);
		for (int i = 0; i < r->n; i++)
			lden_io_fdtable__close(t, pid, (int)r->keys[i]);
	} while (r->n == 64);
}

void lden_io_fdtable__exec(struct lden_io_fdtable *t, pid_t pid)
{
	struct range r = { .exec = true };

	/* the kernel unshares the table first (begin_new_exec): the
	 * close-on-exec fds close in the exec'ing process's copy only */
	lden_io_fdtable__unshare(t, pid);
	close_matching(t, pid, &r);
}

void lden_io_fdtable__close_range(struct lden_io_fdtable *t, pid_t pid,
				  unsigned int lo, unsigned int hi)
{
	struct range r = { .lo = lo, .hi = hi };

	close_matching(t, pid, &r);
}

struct fork_copy {
	struct lden_io_fdtable *t;
	struct io_proc *child;
	int err;
};

static void copy_entry(uint64_t key, void *val, void *ctx)
{
	struct fork_copy *f = ctx;
	const char *s = *(char **)val;

	if (f->err)
		return;
	/* as sure as the parent's: set when the parent's was */
	f->err = proc_set(f->t, f->child, (int)key, s + 1, s[0] & EXACT,
			  mark_cloexec(s), entry_time(s), entry_read_at(s));
}

int lden_io_fdtable__fork(struct lden_io_fdtable *t, pid_t parent,
			  pid_t child, bool share)
{
	struct io_proc *p = lden_intmap__get_ptr(t->procs, (uint64_t)parent);
	struct fork_copy f = { .t = t };

	if (!p || parent == child)
		return 0;
	/* its own table: what it looked up in /proc is replaced below */
	f.child = get_proc(t, child);
	/* the parent may have been evicted for the child */
	p = lden_intmap__get_ptr(t->procs, (uint64_t)parent);
	if (!f.child || !p)
		return f.child ? 0 : -ENOMEM;
	if (share) {
		/* CLONE_FILES: the parent's table itself */
		if (f.child->files != p->files) {
			files_put(t, f.child->files);
			f.child->files = p->files;
			p->files->refs++;
		}
		return 0;
	}
	if (f.child->files == p->files) {
		/* (a pid reused) a copy, not the table */
		int err = lden_io_fdtable__unshare(t, child);

		if (err)
			return err;
	}
	lden_intmap__each(p->files->map, copy_entry, &f);
	return f.err;
}

int lden_io_fdtable__unshare(struct lden_io_fdtable *t, pid_t pid)
{
	struct io_proc *p = lden_intmap__get_ptr(t->procs, (uint64_t)pid);
	struct fork_copy f = { .t = t };
	struct io_files *shared;

	if (!p || p->files->refs == 1)
		return 0;
	shared = p->files;
	p->files = files_new(t);
	if (!p->files) {
		/* left shared: its later changes are the others' too */
		p->files = shared;
		return -ENOMEM;
	}
	shared->refs--;
	f.child = p;
	lden_intmap__each(shared->map, copy_entry, &f);
	return f.err;
}

void lden_io_fdtable__drop(struct lden_io_fdtable *t, pid_t pid)
{
	struct io_proc *p = lden_intmap__del_ptr(t->procs, (uint64_t)pid);

	if (p)
		proc_free(t, p);
	t->st.procs = lden_intmap__count(t->procs);
}

/* @tid's name, read when first asked for; NULL past MAX_NAMES or ENOMEM */
static struct io_name *get_name(struct lden_io_fdtable *t, pid_t tid)
{
	struct io_name *n = lden_intmap__get(t->names, (uint64_t)tid);

	if (n || lden_intmap__count(t->names) >= MAX_NAMES)
		return n;
	n = lden_intmap__put(t->names, (uint64_t)tid);
	if (!n)
		return NULL;
	/*
	 * read after the fact: late (the task tracepoints, comms.h, name a
	 * thread lden saw start or rename exactly instead); the thread's
	 * own, not its process's (another thread's name)
	 */
	if (lden_proc__comm(tid, n->comm, sizeof(n->comm)) < 0 || !n->comm[0])
		strcpy(n->comm, "?");
	return n;
}

const char *lden_io_fdtable__comm(struct lden_io_fdtable *t, pid_t tid)
{
	struct io_name *n = get_name(t, tid);

	return n ? n->comm : "?";
}

bool lden_io_fdtable__comm_exact(struct lden_io_fdtable *t, pid_t tid)
{
	struct io_name *n = get_name(t, tid);

	return n && n->exact;
}

void lden_io_fdtable__name(struct lden_io_fdtable *t, pid_t tid,
			   const char *comm, size_t len)
{
	struct io_name *n = get_name(t, tid);

	if (!n || strcmp(n->comm, "?") || !len)
		return;
	len = strnlen(comm, len);
	if (len > sizeof(n->comm) - 1)
		len = sizeof(n->comm) - 1;
	memcpy(n->comm, comm, len);
	n->comm[len] = '\0';
	n->exact = true;
}

void lden_io_fdtable__forget(struct lden_io_fdtable *t, pid_t tid)
{
	lden_intmap__del(t->names, (uint64_t)tid, NULL);
}

const struct lden_io_fdtable_stats *
lden_io_fdtable__stats(const struct lden_io_fdtable *t)
{
	return &t->st;
}
