// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The ftrace ring: sampling through a tracefs instance of the session's
 * own, its per-CPU rings mapped into lden (Linux 6.10+: trace_pipe_raw's
 * mmap, Documentation/trace/ring-buffer-map.rst) or, where the kernel
 * cannot, read as raw sub-buffers (trace_pipe_raw, libtracefs's
 * tracefs_cpu reads); either way walked by subbuf.c.
 *
 * Why: a record in the ftrace ring costs the kernel about a tenth of a
 * perf sample (kernel-apis.md section 9: 23 against 199 ns per event
 * here): no sample header to build, no per-sample wakeup accounting.
 * What it cannot do: follow one task (and its children) exactly as the
 * perf counter that counts the event does (set_event_pid starts and stops
 * at other points of a task's life than a per-task perf event), scope by
 * cgroup, or keep two filters on one tracepoint (an instance has one
 * enable and one filter per event); and it counts losses per ring
 * (per_cpu/cpuN/stats), not per event.  The session samples through its
 * perf rings for those (see ltr_event__ring()).
 *
 * The instance is the session's own (owner.c: named like its probe group,
 * held by a lock), made on the first event that needs it and removed by
 * ltr_session__free(), by the signal handlers, or, after a crash, by the
 * sweep of the next session.  Its settings: a clock comparable with the
 * perf ring's (mono, CLOCK_MONOTONIC), no overwrite (a full ring drops
 * the new record and counts it, as the perf ring does), sub-buffers of
 * 8 KiB where the kernel can.  (Whether the
 * kernel records command names at context switches is a top-level
 * option, record-cmd, which an instance inherits and lden leaves alone.)
 */
#include <ctype.h>
#include <sched.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>

#include "internal.h"

#ifndef CLONE_THREAD
#define CLONE_THREAD 0x00010000
#endif

/* the instance's own ring size, when not asked for another, if this big */
#define RING_MIN_KB 1024
/*
 * Following a command, the ring size when not asked for another, on up
 * to FOLLOW_RING_CPUS CPUs: one process flat out fills the instance's
 * default 1.4 MiB in 80 ms of a reader kept off the CPU (as the scoped
 * perf rings, session.c)
 */
#define FOLLOW_RING_KB 4096
#define FOLLOW_RING_CPUS 8
/* the reader is woken when a CPU's ring is this full (percent) */
#define WAKEUP_PERCENT "25"
/*
 * Sub-buffers of 8 KiB where the kernel lets lden set them (6.7+): a
 * record must fit in one, and the kernel drops a longer one without
 * counting it.  8 KiB holds what a perf sample can (PERF_MAX_TRACE_SIZE),
 * a path of PATH_MAX bytes included.  With a page, events whose records
 * have a field of any length (__data_loc) go to the perf ring.
 */
#define SUBBUF_KB "8"
#define SUBBUF_MIN (8 * 1024)
/* read(): sub-buffers a splice moves, a pipe's default room (drain_read) */
#define BATCH 16
/*
 * The mapped ring (6.10+, include/uapi/linux/trace_mmap.h): a meta page,
 * then every sub-buffer by id.  The kernel hands the reader one
 * sub-buffer at a time (reader.id) on GET_READER, counting as read what
 * was committed in it at that call.
 */
struct ft_meta {
	uint32_t meta_page_size;
	uint32_t meta_struct_len;
	uint32_t subbuf_size;
	uint32_t nr_subbufs;
	uint64_t reader_lost_events;
	uint32_t reader_id;
	uint32_t reader_read;
	uint64_t flags;
	uint64_t entries;
	uint64_t overrun;
	uint64_t read;
};
#define FT_GET_READER _IO('R', 0x20)
/* the record's common header: u16 type, u8 flags, u8 preempt, s32 pid */
#define REC_PID_OFF 4
#define REC_MIN 8
/* <tracing>/instances/<name>, and that with a file of the instance */
#define FT_PATH_MAX 512
#define FT_FILE_MAX (FT_PATH_MAX + 512)

struct ltr_ftrace_cpu {
	int cpu;
	int fd;				/* per_cpu/cpuN/trace_pipe_raw */
	int stats_fd;			/* per_cpu/cpuN/stats, kept open */
	int pipe[2];			/* read: whole sub-buffers spliced in */
	unsigned char *page;		/* read: BATCH sub-buffers read last */
	size_t page_len, page_off;	/* ... their bytes, and those walked */
	uint64_t complete_at;		/* read: every record before, delivered */
	/* read after the mapping failed: bytes of the first sub-buffer read
	 * that were delivered from the mapping, the time of the last one,
	 * and the offset of that sub-buffer's times (see fall_back()) */
	uint32_t skip;
	bool fixup;
	uint64_t fix_ts;
	int64_t ts_off;
	unsigned int get_readers;	/* GET_READER calls (the fault stand-in) */
	unsigned char *map;		/* mmap: the mapping, or NULL */
	size_t map_len;
	const volatile struct ft_meta *meta;
	uint32_t id;			/* mmap: the sub-buffer walked */
	struct ltr_subbuf w;		/* the walk over page or sub-buffer id */
	bool loaded;			/* w is a sub-buffer's */
	uint64_t records;		/* delivered */
	uint64_t bad;			/* sub-buffers that could not be walked */
	uint64_t lost;			/* stats' loss counters, last read */
	uint64_t lost_at;		/* ... at this drain of the instance */
	/* following: every record before this was read (CLOCK_MONOTONIC) */
	uint64_t seen_at;
};

/* the tracepoints a following instance reads for itself */
enum { ROLE_NONE, ROLE_NEWTASK, ROLE_EXIT, ROLE_FREE };

struct ltr_ftrace_id {
	int id;
	struct ltr_event *ev;	/* NULL: read for the instance alone */
	int role;		/* ROLE_*: kept enabled for the instance */
	bool on;		/* its enable file says 1 (ltr_ftrace_enable) */
};

struct ltr_ftrace {
	char name[64];
	char path[FT_PATH_MAX];		/* <tracing>/instances/<name> */
	struct tracefs_instance *inst;
	int subbuf_size;
	int commit_size;		/* the kernel's long: 4 or 8 */
	int ncpus;
	int mapped;			/* CPUs read through a mapping */
	char why[160];			/* why a CPU is read, not mapped */
	char reader[256];		/* ltr_session__ftrace_reader()'s */
	/* LDEN_TEST_FTRACE: map:I or reader:I:K, CPU index I's map, or
	 * its Kth GET_READER, fails (EPERM); reader-ahead:I, its first
	 * GET_READER once the walk is past what the kernel counts read;
	 * read: no mapping at all */
	int fail_map, fail_reader, fail_reader_at, fail_ahead;
	uint64_t drains;		/* ltr_ftrace_drain() calls */
	bool ring_off;			/* ltr_ftrace_ring_off() */
	int held_fd;			/* ltr_ftrace_hold(): tracing_on, held */
	bool final;			/* ltr_ftrace_finish(): files closed */
	struct ltr_ftrace_cpu *cpus;
	/* the events in the instance, by tracepoint id (sorted) */
	struct ltr_ftrace_id *ids;
	int nids;
	/*
	 * Following a command (ltr_session__follow(), ftrace-follow.c): its
	 * pid, each record's process, task_newtask's child and clone flags
	 * fields, and the records delivered with their process unknown
	 */
	pid_t follow_pid;
	struct ltr_follow *follow;
	int nt_pid_off, nt_flags_off, nt_flags_size;
	int gd_off;			/* sched_process_exit's group_dead */
	uint64_t unknown;
	/* records of tasks the command did not start, dropped */
	uint64_t foreign;
	/*
	 * A task given the id of one of the command's that exited: the
	 * kernel takes the id out of set_event_pid when the earlier task is
	 * freed, which may come after the fork put it in (follow_gaps())
	 */
	int fr_pid_off;			/* sched_process_free's pid, or -1 */
	struct ft_reuse {
		uint32_t pid;
		uint64_t since;		/* the fork */
		bool open;		/* not proven either way yet */
		bool foreign;		/* the earlier holder not the command's */
	} *reuse;
	size_t nreuse, reuse_cap;
	struct ltr_follow_gap *gaps;	/* ltr_session__follow_gaps() */
	size_t ngaps;
	/* the tasks lden put back with a gap's task (follow_started()),
	 * from when: their records before are missing (follow_doubt()) */
	struct ft_started {
		uint32_t tid;
		uint64_t since;
	} *started;
	size_t nstarted;
	/*
	 * Every task's free on the machine (a perf event on
	 * sched_process_free a CPU, not pid-filtered: the ring has a free
	 * only when one of the command's tasks was on the CPU that ran the
	 * RCU callback), kept in the follow table until the ring was read
	 * past them (follow_frees()); none open: the ring's frees alone
	 */
	struct ft_freering {
		int fd;
		void *base;
		size_t len;
		struct ltr_ring r;
	} *fr;
	int nfr;
	bool frees_short;	/* a free dropped here (no memory) */
};

/* ------------------------------------------------------------------ */

static int write_to(const struct ltr_ftrace *ft, const char *file,
		    const char *val, bool append)
{
	char path[FT_FILE_MAX];
	size_t len = strlen(val);
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", ft->path, file);
	fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	err = n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
	close(fd);
	return err;
}

static int write_file(struct ltr_ftrace *ft, const char *file,
		      const char *val)
{
	return write_to(ft, file, val, false);
}

int ltr_ftrace_write(const struct ltr_session *s, const char *file,
		     const char *val, bool append)
{
	if (!s->ft)
		return -ENOENT;
	return write_to(s->ft, file, val, append);
}

char *ltr_ftrace_read(const struct ltr_session *s, const char *file)
{
	char path[FT_FILE_MAX];

	if (!s->ft) {
		errno = ENOENT;
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", s->ft->path, file);
	return ltr_read_text(path);
}

int ltr_ftrace_open(const struct ltr_session *s, const char *file)
{
	char path[FT_FILE_MAX];

	if (!s->ft) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", s->ft->path, file);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* The kernel's explanation of a failed write, if it logged one. */
static const char *kernel_says(struct ltr_ftrace *ft, char *buf, size_t len)
{
	char *msg = tracefs_error_last(ft->inst);

	snprintf(buf, len, "%s", msg ? msg : "");
	free(msg);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return buf;
}

char *ltr_ftrace_error_last(const struct ltr_session *s)
{
	char buf[512];

	if (!s->ft)
		return NULL;
	kernel_says(s->ft, buf, sizeof(buf));
	return strdup(buf);
}

void ltr_ftrace_error_clear(const struct ltr_session *s)
{
	if (s->ft)
		tracefs_error_clear(s->ft->inst);
}

static void close_readers(struct ltr_ftrace *ft)
{
	for (int i = 0; ft->cpus && i < ft->ncpus; i++) {
		struct ltr_ftrace_cpu *c = &ft->cpus[i];

		for (int k = 0; k < 2; k++) {
			if (c->pipe[k] >= 0)
				close(c->pipe[k]);
			c->pipe[k] = -1;
		}
		c->page_len = c->page_off = 0;
		/* a mapping holds the file, and so the instance, too */
		if (c->map)
			munmap(c->map, c->map_len);
		c->map = NULL;
		c->meta = NULL;
		c->loaded = false;
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		if (c->stats_fd >= 0)
			close(c->stats_fd);
		c->stats_fd = -1;
	}
}

/* the perf rings of sched_process_free (frees_open()), closed */
static void close_frees(struct ltr_ftrace *ft)
{
	for (int i = 0; i < ft->nfr; i++) {
		ltr_ring_fini(&ft->fr[i].r);
		if (ft->fr[i].base)
			munmap(ft->fr[i].base, ft->fr[i].len);
		if (ft->fr[i].fd >= 0)
			close(ft->fr[i].fd);
	}
	free(ft->fr);
	ft->fr = NULL;
	ft->nfr = 0;
}

static void ftrace_free(struct ltr_ftrace *ft)
{
	if (!ft)
		return;
	close_readers(ft);
	if (ft->held_fd >= 0)
		close(ft->held_fd);
	for (int i = 0; ft->cpus && i < ft->ncpus; i++)
		free(ft->cpus[i].page);
	free(ft->cpus);
	free(ft->ids);
	ltr_follow_free(ft->follow);
	close_frees(ft);
	free(ft->reuse);
	free(ft->gaps);
	free(ft->started);
	tracefs_instance_free(ft->inst);
	free(ft);
}

/* The instance's ring size per CPU in KiB, or 0. */
static long default_size_kb(const struct ltr_ftrace *ft)
{
	char path[FT_FILE_MAX];
	long kb;

	snprintf(path, sizeof(path), "%s/buffer_size_kb", ft->path);
	return ltr_read_long(path, &kb) == 0 ? kb : 0;
}

/* The sub-buffer size: the instance's setting (6.7+), else a page. */
static int subbuf_size(struct ltr_ftrace *ft)
{
	char path[FT_FILE_MAX], buf[32];
	long kb = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/buffer_subbuf_size_kb", ft->path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			kb = strtol(buf, NULL, 10);
		}
	}
	return kb > 0 && kb <= 1024 ? (int)kb * 1024 : getpagesize();
}

/*
 * The size of the sub-buffer header's commit word, a kernel long, from
 * events/header_page ("field: local_t commit; offset:8; size:8;"): it
 * is the kernel's, not this program's, that counts.
 */
static int commit_size(const struct ltr_session *s)
{
	char path[PATH_MAX], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/events/header_page", s->tracing_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sizeof(long);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return sizeof(long);
	buf[n] = '\0';
	p = strstr(buf, "commit;");
	p = p ? strstr(p, "size:") : NULL;
	return p && atoi(p + 5) == 4 ? 4 : 8;
}

/*
 * Maps CPU @c's ring: the meta page first, for the size of the whole.
 * Returns 0, or a negative errno: the kernel cannot (before 6.10:
 * -ENODEV), and the caller reads instead.
 */
static int map_cpu(struct ltr_ftrace *ft, struct ltr_ftrace_cpu *c)
{
	size_t pg = (size_t)getpagesize(), len;
	const struct ft_meta *m;
	void *p;

	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, c->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	m = p;
	len = (size_t)m->meta_page_size + (size_t)m->nr_subbufs * m->subbuf_size;
	if (m->meta_struct_len < sizeof(*m) || m->meta_page_size < pg ||
	    m->subbuf_size != (uint32_t)ft->subbuf_size || m->nr_subbufs < 2) {
		munmap(p, pg);
		return -EPROTO;
	}
	munmap(p, pg);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, c->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	c->map = p;
	c->map_len = len;
	c->meta = p;
	return 0;
}

/* CPU @c read with read(): its buffer, and a pipe to splice into */
static int read_setup(struct ltr_ftrace *ft, struct ltr_ftrace_cpu *c)
{
	c->page = malloc((size_t)BATCH * ft->subbuf_size);
	if (!c->page)
		return -ENOMEM;
	/* without a pipe, read() alone (see drain_read) */
	if (pipe2(c->pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		c->pipe[0] = c->pipe[1] = -1;
	return 0;
}

/* LDEN_TEST_FTRACE, a fault for the tests (see struct ltr_ftrace) */
static void test_faults(struct ltr_session *s, struct ltr_ftrace *ft)
{
	const char *f = getenv("LDEN_TEST_FTRACE");

	ft->fail_map = ft->fail_reader = ft->fail_ahead = -1;
	if (!f)
		return;
	if (!strcmp(f, "read"))
		s->ftrace_no_mmap = true;
	else if (sscanf(f, "map:%d", &ft->fail_map) != 1 &&
		 sscanf(f, "reader:%d:%d", &ft->fail_reader,
			&ft->fail_reader_at) != 2 &&
		 sscanf(f, "reader-ahead:%d", &ft->fail_ahead) != 1)
		ft->fail_map = ft->fail_reader = ft->fail_ahead = -1;
}

static int open_readers(struct ltr_session *s, struct ltr_ftrace *ft)
{
	test_faults(s, ft);
	ft->subbuf_size = subbuf_size(ft);
	ft->commit_size = commit_size(s);
	for (int i = 0; i < ft->ncpus; i++) {
		struct ltr_ftrace_cpu *c = &ft->cpus[i];
		struct epoll_event ee = { .events = EPOLLIN };
		char path[FT_FILE_MAX];

		c->cpu = s->cpus[i];
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/trace_pipe_raw",
			 ft->path, c->cpu);
		c->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (c->fd < 0)
			return ltr_error(errno, "cannot open '%s': %s", path,
					 strerror(errno));
		/* read at each drain: opened once (an open and a close a
		 * CPU a tick cost more than the read) */
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats",
			 ft->path, c->cpu);
		c->stats_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (c->stats_fd < 0)
			return ltr_error(errno, "cannot open '%s': %s", path,
					 strerror(errno));
		/* mapped where the kernel can, CPU by CPU */
		if (!s->ftrace_no_mmap) {
			int err = map_cpu(ft, c);

			if (!err && ft->fail_map == i) {
				/* the stand-in: as if the map had failed */
				munmap(c->map, c->map_len);
				c->map = NULL;
				c->meta = NULL;
				err = -EPERM;
			}

			if (!err)
				ft->mapped++;
			else if (!ft->why[0] && err != -ENODEV)
				snprintf(ft->why, sizeof(ft->why),
					 "CPU %d: mmap: %s", c->cpu,
					 strerror(-err));
		}
		if (!c->map && read_setup(ft, c) < 0)
			return ltr_error(ENOMEM, "out of memory");
		ee.data.u32 = (uint32_t)(s->ncpus + i);
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, c->fd, &ee) < 0)
			return ltr_error(errno, "epoll_ctl: %s", strerror(errno));
	}
	return 0;
}

/*
 * mkdir instances/<name> and its settings.  -EEXIST when the name is
 * taken (another session of this process): the caller samples through
 * the perf ring instead.
 */
static int id_insert(struct ltr_ftrace *ft, int id, struct ltr_event *ev,
		     int role);

/* A field's offset in a tracepoint's format text, and its size; or -1. */
static int format_field(const char *fmt, const char *name, int *size)
{
	char key[80];
	const char *p, *o, *z;

	snprintf(key, sizeof(key), " %s;", name);
	p = strstr(fmt, key);
	o = p ? strstr(p, "offset:") : NULL;
	z = o ? strstr(o, "size:") : NULL;
	if (!z)
		return -1;
	*size = atoi(z + 5);
	return atoi(o + 7);
}

/*
 * The offset of sched_process_exit's group_dead in its format @fmt, or -1
 * (before Linux 6.16; LDEN_TEST_NO_GROUP_DEAD: the tests' stand-in)
 */
static int group_dead(const char *fmt)
{
	int size = 0, off = format_field(fmt, "group_dead", &size);

	return getenv("LDEN_TEST_NO_GROUP_DEAD") || size != 1 ? -1 : off;
}

/* Following a command without group_dead: the error, said as the ring's */
static int no_group_dead(void)
{
	return ltr_error(EOPNOTSUPP, "the ftrace ring cannot follow a command on this kernel: sched:sched_process_exit has no group_dead (Linux 6.16+), without which a thread's exec could not be told from its process's end (the perf ring can: --ring perf or auto)");
}

int ltr_ftrace_can_follow(const char *tracing_dir)
{
	char path[PATH_MAX], *fmt;
	int off;

	snprintf(path, sizeof(path), "%s/events/sched/sched_process_exit/format",
		 tracing_dir);
	fmt = ltr_read_text(path);
	if (!fmt)
		return ltr_error(errno, "the ftrace ring cannot follow a command: cannot read the format of sched:sched_process_exit: %s",
				 strerror(errno));
	off = group_dead(fmt);
	free(fmt);
	return off < 0 ? no_group_dead() : 0;
}

/* A tracepoint the instance reads for itself, enabled now; its format in @fmt. */
static int follow_event(struct ltr_session *s, struct ltr_ftrace *ft,
			const char *sys, const char *name, int role,
			char **fmt)
{
	char path[PATH_MAX], *text;
	int id, err;

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", s->tracing_dir,
		 sys, name);
	text = ltr_read_text(path);
	if (!text)
		return ltr_error(errno, "cannot follow the command in tracefs instance '%s': no %s:%s",
				 ft->name, sys, name);
	id = atoi(text);
	free(text);
	if (fmt) {
		snprintf(path, sizeof(path), "%s/events/%s/%s/format",
			 s->tracing_dir, sys, name);
		*fmt = ltr_read_text(path);
		if (!*fmt)
			return ltr_error(errno, "cannot read the format of %s:%s: %s",
					 sys, name, strerror(errno));
	}
	err = id_insert(ft, id, NULL, role);
	if (err < 0)
		return err;
	snprintf(path, sizeof(path), "events/%s/%s/enable", sys, name);
	err = write_file(ft, path, "1");
	if (err < 0)
		return ltr_error(-err, "cannot enable %s:%s in tracefs instance '%s': %s",
				 sys, name, ft->name, strerror(-err));
	return 0;
}

/*
 * Each CPU's ring of frees: 256 KiB, 3,500 frees, the reader woken when
 * a quarter full.  Before, 64 KiB read only at the instance's drains
 * (every 100 ms at best): a machine freeing 21,000 tasks a second
 * (thread and fork churns) dropped thousands of frees a drain, and a
 * reused id's earlier free among them left its new task's records
 * unproven, said possibly missing when none were (test-top-reuse's case
 * of A freed 1 s before B: 4 runs in 20 under such a churn, 0 now)
 */
#define FREE_RING_PAGES 64

/*
 * Every free on the machine, a perf event a CPU on sched_process_free
 * (@id), in the perf ring's clock, the instance's (mono, CLOCK_MONOTONIC):
 * when a reused id's earlier task was freed, so when the kernel took the
 * id out of set_event_pid (its own probe on the tracepoint, run after
 * the others), compared with the fork that put it in (follow_gaps()).
 * Not filtered: a filter on the command's ids would miss those of tasks
 * whose fork was not read yet.  A free costs one sample (a task's exit,
 * about a microsecond); the ring wakes the session's poll when a quarter
 * full, and is read at each drain.  Where the kernel refuses: none, and
 * the ring's own frees are used.
 */
static void frees_open(struct ltr_session *s, struct ltr_ftrace *ft, int id)
{
	size_t len = (size_t)(1 + FREE_RING_PAGES) * getpagesize();
	struct epoll_event ee = { .events = EPOLLIN };

	if (getenv("LDEN_TEST_NO_FREES"))
		return;
	ft->fr = calloc(s->ncpus, sizeof(*ft->fr));
	if (!ft->fr)
		return;
	for (int i = 0; i < s->ncpus; i++) {
		struct perf_event_attr a = { 0 };
		struct ft_freering *f = &ft->fr[i];

		a.size = sizeof(a);
		a.type = PERF_TYPE_TRACEPOINT;
		a.config = (uint64_t)id;
		a.sample_period = 1;
		a.sample_type = LTR_SAMPLE_TYPE;
		a.use_clockid = 1;
		a.clockid = CLOCK_MONOTONIC;
		a.watermark = 1;
		a.wakeup_watermark = (uint32_t)(FREE_RING_PAGES / 4 *
						getpagesize());
		/* the drops, counted even when the ring has no room to say
		 * them (6.0+: every kernel that follows, 6.16+) */
		a.read_format = PERF_FORMAT_LOST;
		f->fd = ltr_perf_open(&a, -1, s->cpus[i], -1, 0);
		ft->nfr = i + 1;
		if (f->fd < 0)
			goto fail;
		f->base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			       f->fd, 0);
		if (f->base == MAP_FAILED) {
			f->base = NULL;
			goto fail;
		}
		f->len = len;
		if (ltr_ring_init(&f->r, f->base, len, f->fd, s->cpus[i]) < 0)
			goto fail;
		ee.data.u32 = (uint32_t)(2 * s->ncpus + i);
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, f->fd, &ee) < 0)
			goto fail;
	}
	return;
fail:
	ltr_debug("frees not read from perf: the ring's own alone");
	close_frees(ft);
}

/*
 * The instance follows the command ltr_session__follow() named, held
 * before its exec: only its tasks' records, and those of every task it
 * starts, from the fork on (options/event-fork: the kernel adds the
 * child at sched_process_fork, before it first runs, and removes a task
 * when it is freed).  task_newtask and sched_process_exit are read for
 * each record's process (ftrace-follow.c).
 */
static int follow_setup(struct ltr_session *s, struct ltr_ftrace *ft)
{
	char *fmt = NULL, pid[32];
	int err, size = 0;
	size_t wait;

	/*
	 * A record waits for its task's fork until every CPU was read past
	 * it: those of two drains at most, each reading at most twice a
	 * CPU's ring (drain_read()).  Beyond (a bound on memory), one is
	 * delivered with its process unknown (LTR_SAMPLE_NO_TGID): before,
	 * 16,384 records, which a child making 30,000 calls on one CPU, its
	 * fork on the other, overflowed with nothing lost
	 */
	wait = (size_t)4 * (size_t)default_size_kb(ft) * 1024 *
	       (size_t)s->ncpus;
	/* for the tests: a bound they can pass */
	if (getenv("LDEN_TEST_FOLLOW_WAIT_BYTES"))
		wait = strtoul(getenv("LDEN_TEST_FOLLOW_WAIT_BYTES"), NULL, 10);
	ft->follow = ltr_follow_new(wait);
	if (!ft->follow || ltr_follow_task(ft->follow, (uint32_t)s->ft_pid,
					   (uint32_t)s->ft_pid, 0) < 0)
		return ltr_error(ENOMEM, "out of memory");
	ft->follow_pid = s->ft_pid;
	/* the filter first: an event enabled before it records every task */
	err = write_file(ft, "options/event-fork", "1");
	snprintf(pid, sizeof(pid), "%d", (int)s->ft_pid);
	if (!err)
		err = write_file(ft, "set_event_pid", pid);
	if (err < 0)
		return ltr_error(-err, "cannot make tracefs instance '%s' follow process %d: %s",
				 ft->name, (int)s->ft_pid, strerror(-err));
	err = follow_event(s, ft, "task", "task_newtask", ROLE_NEWTASK, &fmt);
	if (!err) {
		ft->nt_pid_off = format_field(fmt, "pid", &size);
		if (ft->nt_pid_off < 0 || size != 4)
			err = ltr_error(EPROTO, "task:task_newtask has no 32-bit field pid");
		ft->nt_flags_off = format_field(fmt, "clone_flags",
						&ft->nt_flags_size);
		if (!err && (ft->nt_flags_off < 0 ||
			     (ft->nt_flags_size != 4 && ft->nt_flags_size != 8)))
			err = ltr_error(EPROTO, "task:task_newtask has no field clone_flags");
	}
	free(fmt);
	fmt = NULL;
	if (!err)
		err = follow_event(s, ft, "sched", "sched_process_exit",
				   ROLE_EXIT, &fmt);
	/*
	 * Whether the process ends with the task (6.16+): the leader's exit
	 * with threads alive (pthread_exit, or a thread's exec, which then
	 * takes the process's id) leaves the id the process's
	 */
	if (!err) {
		ft->gd_off = group_dead(fmt);
		if (ft->gd_off < 0)
			err = no_group_dead();
	}
	free(fmt);
	fmt = NULL;
	/*
	 * The frees, where the kernel records them (in the context of
	 * whatever task runs the RCU callback: only while one of the
	 * command's is on that CPU): one before a reused id's fork proves
	 * the id stayed in the filter (follow_gaps())
	 */
	ft->fr_pid_off = -1;
	if (!err)
		err = follow_event(s, ft, "sched", "sched_process_free",
				   ROLE_FREE, &fmt);
	if (!err) {
		ft->fr_pid_off = format_field(fmt, "pid", &size);
		if (ft->fr_pid_off < 0 || size != 4)
			err = ltr_error(EPROTO, "sched:sched_process_free has no 32-bit field pid");
	}
	free(fmt);
	if (!err) {
		char path[PATH_MAX], *text;

		snprintf(path, sizeof(path),
			 "%s/events/sched/sched_process_free/id",
			 s->tracing_dir);
		text = ltr_read_text(path);
		if (text)
			frees_open(s, ft, atoi(text));
		free(text);
	}
	return err < 0 ? err : 0;
}

bool ltr_ftrace_follows(const struct ltr_session *s,
			const struct ltr_event_opts *o)
{
	return s->ft_pid > 0 && o->pid == s->ft_pid && o->inherit &&
	       !o->cgroup;
}

uint64_t ltr_ftrace_unknown_pids(const struct ltr_session *s)
{
	return s->ft ? s->ft->unknown : 0;
}

uint64_t ltr_ftrace_foreign(const struct ltr_session *s)
{
	return s->ft ? s->ft->foreign : 0;
}

const struct ltr_follow_gap *ltr_ftrace_follow_gaps(const struct ltr_session *s,
						    size_t *n)
{
	*n = s->ft ? s->ft->ngaps : 0;
	return s->ft ? s->ft->gaps : NULL;
}

enum ltr_follow_doubt ltr_ftrace_follow_doubt(const struct ltr_session *s,
					      uint32_t pid, uint32_t tid,
					      uint64_t time)
{
	const struct ltr_ftrace *ft = s->ft;

	if (!ft)
		return LTR_DOUBT_NONE;
	for (size_t i = 0; i < ft->ngaps; i++) {
		const struct ltr_follow_gap *g = &ft->gaps[i];

		if ((g->pid == tid || g->pid == pid) && time >= g->since)
			return LTR_DOUBT_GAP;
	}
	for (size_t i = 0; i < ft->nstarted; i++)
		if (ft->started[i].tid == tid && time >= ft->started[i].since)
			return LTR_DOUBT_GAP;
	for (size_t i = 0; i < ft->nreuse; i++) {
		const struct ft_reuse *r = &ft->reuse[i];

		if (r->open && (r->pid == tid || r->pid == pid) &&
		    time >= r->since)
			return LTR_DOUBT_OPEN;
	}
	return LTR_DOUBT_NONE;
}

static int ftrace_create(struct ltr_session *s)
{
	struct ltr_ftrace *ft;
	const char *path;
	char kb[32];
	int err = 0;

	if (s->epfd < 0) {
		s->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (s->epfd < 0)
			return ltr_error(errno, "epoll_create1: %s", strerror(errno));
	}
	ft = calloc(1, sizeof(*ft));
	if (!ft)
		return ltr_error(ENOMEM, "out of memory");
	ft->held_fd = -1;
	ft->ncpus = s->ncpus;
	ft->cpus = calloc(s->ncpus, sizeof(*ft->cpus));
	if (!ft->cpus) {
		free(ft);
		return ltr_error(ENOMEM, "out of memory");
	}
	for (int i = 0; i < ft->ncpus; i++)
		ft->cpus[i].fd = ft->cpus[i].stats_fd =
			ft->cpus[i].pipe[0] = ft->cpus[i].pipe[1] = -1;
	/* named, made and held by owner.c */
	snprintf(ft->name, sizeof(ft->name), "%s", s->group);
	path = ltr_session_instance(s);
	if (!path || snprintf(ft->path, sizeof(ft->path), "%s", path) >=
			     (int)sizeof(ft->path)) {
		err = path ? ltr_error(ENAMETOOLONG, "tracefs path '%s' is too long",
				       path) :
			     -errno;
		if (err == -EEXIST)
			err = ltr_error(EEXIST, "tracefs instance '%s' exists already (another session of this process)",
					s->group);
		ltr_instance_destroy(s);
		ftrace_free(ft);
		return err;
	}
	s->ft = ft;
	ft->inst = tracefs_instance_alloc(s->tracing_dir, ft->name);
	if (!ft->inst) {
		err = ltr_error(ENOMEM, "out of memory");
		goto out_destroy;
	}
	snprintf(kb, sizeof(kb), "%u",
		 (unsigned int)((size_t)s->ring_pages * getpagesize() / 1024));
	if (s->ft_pid > 0 && s->ring_pages_default &&
	    s->ncpus <= FOLLOW_RING_CPUS &&
	    (size_t)s->ring_pages * getpagesize() / 1024 < FOLLOW_RING_KB)
		snprintf(kb, sizeof(kb), "%u", FOLLOW_RING_KB);
	/* before the size: setting it reallocates the ring; some kernels
	 * refuse it (EPERM here): then a page it is */
	write_file(ft, "buffer_subbuf_size_kb", SUBBUF_KB);
	/*
	 * The instance's default (1.4 MiB a CPU, trace_buf_size) holds more
	 * ftrace records than lden's default perf ring holds samples, which
	 * are three times as long: reallocating it costs 10 ms of start
	 */
	if (!s->ring_pages_default || default_size_kb(ft) < RING_MIN_KB ||
	    s->ft_pid > 0)
		err = write_file(ft, "buffer_size_kb", kb);
	if (!err)
		err = write_file(ft, "trace_clock", "mono");
	if (!err)
		err = write_file(ft, "options/overwrite", "0");
	if (err < 0) {
		err = ltr_error(-err, "cannot set up tracefs instance '%s': %s",
				ft->name, strerror(-err));
		goto out_destroy;
	}
	/* 4.18+; before, readers are woken per page */
	write_file(ft, "buffer_percent", WAKEUP_PERCENT);
	if (s->ft_pid > 0) {
		err = follow_setup(s, ft);
		if (err < 0)
			goto out_destroy;
	}
	err = open_readers(s, ft);
	if (err < 0)
		goto out_destroy;
	return 0;

out_destroy:
	ltr_ftrace_destroy(s);
	return err;
}

/* ------------------------------------------------------------------ */
/* Events */

static struct ltr_ftrace_id *id_find(const struct ltr_ftrace *ft, int id)
{
	int lo = 0, hi = ft->nids;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (ft->ids[mid].id == id)
			return &ft->ids[mid];
		if (ft->ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int id_insert(struct ltr_ftrace *ft, int id, struct ltr_event *ev,
		     int role)
{
	struct ltr_ftrace_id *m = realloc(ft->ids, (ft->nids + 1) * sizeof(*m));
	int i;

	if (!m)
		return ltr_error(ENOMEM, "out of memory");
	ft->ids = m;
	for (i = ft->nids; i > 0 && m[i - 1].id > id; i--)
		m[i] = m[i - 1];
	m[i] = (struct ltr_ftrace_id){ .id = id, .ev = ev, .role = role };
	ft->nids++;
	return 0;
}

static int id_add(struct ltr_ftrace *ft, struct ltr_event *ev)
{
	return id_insert(ft, ev->id, ev, ROLE_NONE);
}

static void event_file(const struct ltr_event *ev, const char *file,
		       char *buf, size_t len)
{
	snprintf(buf, len, "events/%s/%s/%s", ev->system, ev->name, file);
}

/* Whether every record of @ev fits a sub-buffer, whatever its strings. */
static bool fits(const struct ltr_ftrace *ft, const struct ltr_event *ev)
{
	if (ft->subbuf_size >= SUBBUF_MIN)
		return true;
	for (int i = 0; i < ev->nfields; i++)
		if (ev->fields[i].dynamic)
			return false;
	return true;
}

/**
 * ltr_ftrace_can_take - whether @ev can sample through the instance
 * @why: out: when not, the reason (static)
 *
 * No kernel state changes.  The instance holds one filter per
 * tracepoint, and traces every task.
 */
bool ltr_ftrace_can_take(const struct ltr_session *s, const struct ltr_event *ev,
			 const struct ltr_event_opts *o, const char **why)
{
	const struct ltr_ftrace *ft = s->ft;
	const struct ltr_ftrace_id *m;

	if (!strcmp(ev->system, "ftrace")) {
		*why = "ftrace:function is a perf event only";
		return false;
	}
	if (o->cgroup) {
		*why = "a tracefs instance cannot count per cgroup";
		return false;
	}
	if (o->pid > 0 && !ltr_ftrace_follows(s, o)) {
		*why = "per task: the count and the records follow the task alike only in perf";
		return false;
	}
	if (s->ft_pid > 0 && !ltr_ftrace_follows(s, o)) {
		*why = "lden's instance follows the command alone (set_event_pid)";
		return false;
	}
	if (ft && ft->follow_pid != s->ft_pid) {
		*why = "lden's instance was made for another scope";
		return false;
	}
	if (ft && !fits(ft, ev)) {
		*why = LTR_FTRACE_TOO_LONG;
		return false;
	}
	if (ltr_probe_is_uprobe(s, ev->system, ev->name)) {
		/* the kernel refuses it (EINTR) while perf counts the probe */
		*why = "a uprobe cannot be in an instance and counted by perf at once";
		return false;
	}
	if (s->ft_refused[0]) {
		*why = s->ft_refused;
		return false;
	}
	if (!ft)
		return true;
	m = id_find(ft, ev->id);
	if (m && m->role && !m->ev && !(o->filter && *o->filter))
		return true;	/* read for the instance: shared, unfiltered */
	if (m && m->role) {
		*why = "lden's instance reads this tracepoint unfiltered, for each record's process";
		return false;
	}
	if (m) {
		*why = "the tracepoint is in lden's instance already, with another filter";
		return false;
	}
	return true;
}

/**
 * ltr_ftrace_add - put @ev in the instance (made on the first call),
 * with its filter, disabled
 *
 * Call ltr_ftrace_can_take() first.  Returns 0 or a negative errno, with
 * the message set: -EFBIG when, the instance made, its records may not
 * fit its sub-buffers (LTR_FTRACE_TOO_LONG).  The instance, once made,
 * stays for the session.
 */
int ltr_ftrace_ensure(struct ltr_session *s)
{
	return s->ft ? 0 : ftrace_create(s);
}

int ltr_ftrace_add(struct ltr_session *s, struct ltr_event *ev,
		   const struct ltr_event_opts *o)
{
	char file[512], msg[512];
	struct ltr_ftrace_id *m;
	struct ltr_ftrace *ft;
	int err;

	err = ltr_ftrace_ensure(s);
	if (err < 0)
		return err;
	ft = s->ft;
	m = id_find(ft, ev->id);
	if (m && m->role && !m->ev) {
		m->ev = ev;	/* enabled already, unfiltered */
		return 0;
	}
	if (!fits(ft, ev))
		return ltr_error(EFBIG, "%s:%s: %s", ev->system, ev->name,
				 LTR_FTRACE_TOO_LONG);
	if (o->filter && *o->filter) {
		event_file(ev, "filter", file, sizeof(file));
		tracefs_error_clear(ft->inst);
		err = write_file(ft, file, o->filter);
		if (err < 0)
			return ltr_error(-err, "the kernel rejected filter '%s' on %s:%s: %s",
					 o->filter, ev->system, ev->name,
					 *kernel_says(ft, msg, sizeof(msg)) ?
						 msg : strerror(-err));
	}
	return id_add(ft, ev);
}

/** ltr_ftrace_enable - start or stop @ev's records */
int ltr_ftrace_enable(struct ltr_session *s, struct ltr_event *ev, bool on)
{
	struct ltr_ftrace_id *m;
	char file[512];
	int err;

	if (!s->ft)
		return ltr_error(EINVAL, "no tracefs instance");
	if (on && s->ft->ring_off)
		return ltr_error(EBUSY, "cannot enable %s:%s: the ring of tracefs instance '%s' was stopped",
				 ev->system, ev->name, s->ft->name);
	m = id_find(s->ft, ev->id);
	if (m && m->role)
		return 0;	/* enabled for the instance, from its start */
	if (m && m->on == on)
		return 0;
	event_file(ev, "enable", file, sizeof(file));
	err = write_file(s->ft, file, on ? "1" : "0");
	if (err < 0)
		return ltr_error(-err, "cannot %s %s:%s in tracefs instance '%s': %s",
				 on ? "enable" : "disable", ev->system,
				 ev->name, s->ft->name, strerror(-err));
	if (m)
		m->on = on;
	return 0;
}

/*
 * ltr_ftrace_hold - the instance's ring refuses records (tracing_on 0)
 * while its events are enabled, @hold, or takes them again, !@hold
 *
 * Enabling an event writes its enable file: the kernel's event_mutex and
 * a probe registered, milliseconds each, while the counting twins, which
 * ltr_session__enable() turns on before, already count.  Hits in between
 * were counted and not recorded: said lost, every start (lden's own
 * openat of the enable file, the kmallocs of the enabling).  Held, the
 * files are written first, the counters enabled, and the ring let go by
 * one write: only that write is between.  A ring already taking records
 * of an event (an enable after the start) is not held: its refused
 * records would be counted nowhere.
 *
 * Return: 1 when held now, 0 when there was nothing to hold or let go,
 * or a negative errno.
 */
int ltr_ftrace_hold(struct ltr_session *s, bool hold)
{
	struct ltr_ftrace *ft = s->ft;
	char path[FT_FILE_MAX];
	int fd, err = 0;

	if (!ft || ft->ring_off || (ft->held_fd >= 0) == hold)
		return 0;
	for (int i = 0; hold && i < ft->nids; i++)
		if (ft->ids[i].on && !ft->ids[i].role)
			return 0;
	/* opened once: an open between the counters and the ring would be
	 * one more hit of an open event counted and not recorded */
	if (hold) {
		snprintf(path, sizeof(path), "%s/tracing_on", ft->path);
		ft->held_fd = open(path, O_WRONLY | O_CLOEXEC);
		if (ft->held_fd < 0)
			err = -errno;
	}
	fd = ft->held_fd;
	if (!err && write(fd, hold ? "0" : "1", 1) != 1)
		err = errno ? -errno : -EIO;
	if (err < 0 || !hold) {
		if (fd >= 0)
			close(fd);
		ft->held_fd = -1;
	}
	if (err < 0)
		return ltr_error(-err, "cannot %s the ring of tracefs instance '%s': %s",
				 hold ? "hold" : "start", ft->name,
				 strerror(-err));
	return 1;
}

/*
 * ltr_ftrace_ring_off - the instance's ring takes no more records, from
 * any of its events, on any CPU: one write to its tracing_on, where
 * writing each event's enable file takes the kernel's event_mutex and
 * unregisters a probe, one event after another (8-29 ms for nine events
 * at a stop, LDEN_DEBUG=timing).  A record refused so is not counted
 * anywhere (the ring's loss counters count a full ring's drops), so the
 * counts of the records stay those of the records written.  The events
 * stay enabled in the instance, writing nothing, until its removal
 * disables them.  For good: ltr_ftrace_enable() then refuses.
 */
int ltr_ftrace_ring_off(struct ltr_session *s)
{
	int err;

	if (!s->ft || s->ft->ring_off)
		return 0;
	err = write_file(s->ft, "tracing_on", "0");
	if (err < 0)
		return ltr_error(-err, "cannot stop the ring of tracefs instance '%s': %s",
				 s->ft->name, strerror(-err));
	s->ft->ring_off = true;
	return 0;
}

/*
 * ltr_ftrace_forget - the records of @ev, disabled, are no longer
 * delivered (those still queued are dropped)
 */
void ltr_ftrace_forget(struct ltr_session *s, struct ltr_event *ev)
{
	struct ltr_ftrace *ft = s->ft;
	struct ltr_ftrace_id *m;

	if (!ft || !(m = id_find(ft, ev->id)) || m->ev != ev)
		return;
	if (m->role) {
		m->ev = NULL;	/* still read for the instance */
		return;
	}
	memmove(m, m + 1, (ft->nids - (m - ft->ids) - 1) * sizeof(*m));
	ft->nids--;
}

/* ------------------------------------------------------------------ */
/* Reading */

/* The records of @pid from @from to @to may be missing. */
static void gap_add(struct ltr_ftrace *ft, uint32_t pid, uint64_t since,
		    uint64_t from, uint64_t to, bool out, bool put_back)
{
	struct ltr_follow_gap *n = realloc(ft->gaps,
					   (ft->ngaps + 1) * sizeof(*n));

	if (!n) {
		/* said at least as one: the last one's is widened */
		if (ft->ngaps)
			ft->gaps[ft->ngaps - 1].to = UINT64_MAX;
		return;
	}
	ft->gaps = n;
	ft->gaps[ft->ngaps++] = (struct ltr_follow_gap){
		.pid = pid, .from = from, .to = to, .taken_out = out,
		.put_back = put_back, .since = since,
	};
}

static uint64_t cpu_lost_now(struct ltr_ftrace *ft, struct ltr_ftrace_cpu *c);

/* Notes task @pid, started at @since with the id of an earlier one. */
static void reuse_add(struct ltr_ftrace *ft, uint32_t pid, uint64_t since)
{
	if (ft->nreuse == ft->reuse_cap) {
		size_t cap = ft->reuse_cap ? ft->reuse_cap * 2 : 8;
		struct ft_reuse *n = realloc(ft->reuse, cap * sizeof(*n));

		if (!n) {
			/* not followed: said as a gap from its start */
			gap_add(ft, pid, since, since, UINT64_MAX, false,
				false);
			return;
		}
		ft->reuse = n;
		ft->reuse_cap = cap;
	}
	ft->reuse[ft->nreuse++] = (struct ft_reuse){
		.pid = pid, .since = since, .open = true,
	};
}

static int free_note(uint64_t id, struct ltr_sample *smp, void *ctx)
{
	struct ltr_ftrace *ft = ctx;
	int32_t pid;

	(void)id;
	if (ft->fr_pid_off < 0 || !smp->raw ||
	    smp->raw_size < (uint32_t)ft->fr_pid_off + 4) {
		ft->frees_short = true;
		return 0;
	}
	memcpy(&pid, (const unsigned char *)smp->raw + ft->fr_pid_off, 4);
	if (ltr_follow_free_keep(ft->follow, (uint32_t)pid, smp->time) < 0)
		ft->frees_short = true;
	return 0;
}

/*
 * Id @tid freed at @time while the command's task forked with it at
 * @since lived: the free of an earlier holder, freed late, took the id
 * out of set_event_pid.  Before, only an earlier task of the command was
 * watched for (reuse_add() at the fork): a task given the id of another
 * process not freed yet lost its records unsaid (test-top-reuse's
 * foreign case: B's 3 calls, 0 counted, nothing said, 4 runs of 4).
 * Noted as a reuse for follow_gaps(), unless it is one already.
 */
static void taken_note(void *ctx, uint32_t tid, uint64_t since,
		       uint64_t time)
{
	struct ltr_ftrace *ft = ctx;

	(void)time;
	for (size_t i = 0; i < ft->nreuse; i++)
		if (ft->reuse[i].pid == tid && ft->reuse[i].since == since)
			return;
	for (size_t i = 0; i < ft->ngaps; i++)
		if (ft->gaps[i].pid == tid && ft->gaps[i].since == since)
			return;
	reuse_add(ft, tid, since);
	if (ft->nreuse && ft->reuse[ft->nreuse - 1].pid == tid)
		ft->reuse[ft->nreuse - 1].foreign = true;
}

/*
 * The frees of the machine's perf rings (frees_open()), or the ring's
 * own: each noted once every CPU of the instance was read past it
 * (@until; all of them with @final), so that the fork of the task freed,
 * which came before, was read and the id is known as the command's
 * (ltr_follow_frees_due()).
 */
static void follow_frees(struct ltr_ftrace *ft, uint64_t until, bool final)
{
	for (int i = 0; i < ft->nfr; i++)
		ltr_ring_drain(&ft->fr[i].r, free_note, ft);
	ltr_follow_frees_due(ft->follow, final ? UINT64_MAX : until,
			     taken_note, ft);
}

/*
 * The frees of the machine not read so far (follow_frees()): dropped in
 * a ring (PERF_RECORD_LOST, or counted by read(): the larger), or here
 * (no memory); UINT64_MAX: none read (no perf ring of them).
 */
static uint64_t frees_dropped(const struct ltr_ftrace *ft)
{
	uint64_t n = ft->frees_short;

	if (!ft->nfr)
		return UINT64_MAX;
	for (int i = 0; i < ft->nfr; i++) {
		uint64_t v[2];	/* the count, the drops (PERF_FORMAT_LOST) */
		uint64_t d = ft->fr[i].r.lost + ft->fr[i].r.bad;

		if (read(ft->fr[i].fd, v, sizeof(v)) == (ssize_t)sizeof(v) &&
		    v[1] > d)
			d = v[1];
		n += d;
	}
	return n;
}

/*
 * Whether @pid is in the instance's set_event_pid (read once into
 * *@text, freed by the caller): 1, 0, or -errno.
 */
static int pid_filtered(const struct ltr_ftrace *ft, char **text, uint32_t pid)
{
	char path[FT_FILE_MAX], *p, *end;

	if (!*text) {
		snprintf(path, sizeof(path), "%s/set_event_pid", ft->path);
		*text = ltr_read_text(path);
		if (!*text)
			return -errno;
	}
	for (p = *text; *p; p = end) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p)
			end = p + 1;
		else if (v == pid)
			return 1;
	}
	return 0;
}

/*
 * Task @tid, put back in the filter at @now with a gap's task: its
 * records before were not written (ltr_session__follow_doubt()).
 */
static void started_add(struct ltr_ftrace *ft, uint32_t tid, uint64_t now)
{
	struct ft_started *n = realloc(ft->started,
				       (ft->nstarted + 1) * sizeof(*n));

	if (!n) {
		/* its rows not marked: the gap's line says it still */
		return;
	}
	ft->started = n;
	ft->started[ft->nstarted++] = (struct ft_started){
		.tid = tid, .since = now,
	};
}

/* Task @tid of process @tgid into the filter if not in it: 1, else 0. */
static int follow_add(struct ltr_ftrace *ft, char **filter, uint32_t tid,
		      uint32_t tgid, uint64_t now)
{
	char v[16];

	if (pid_filtered(ft, filter, tid) != 0)
		return 0;	/* in it (or unreadable) */
	snprintf(v, sizeof(v), "%u", tid);
	if (write_to(ft, "set_event_pid", v, true) < 0 ||
	    ltr_follow_task(ft->follow, tid, tgid, now) < 0)
		return 0;
	started_add(ft, tid, now);
	return 1;
}

/*
 * The tasks started by task @tid (of process @tgid, just put in the
 * filter), and by those: its threads and children and theirs, as /proc
 * has them now, into the filter, each put in before its own are listed
 * (a task it starts after is added by the kernel: event-fork).  How many.
 */
static unsigned int follow_walk(struct ltr_ftrace *ft, char **filter,
				uint32_t tid, uint32_t tgid, uint64_t now,
				bool process, int depth)
{
	char path[96], *text, *p, *end;
	unsigned int n = 0;
	struct dirent *e;
	DIR *d = NULL;

	if (process) {
		snprintf(path, sizeof(path), "/proc/%u/task", tid);
		d = opendir(path);
	}
	for (e = NULL;;) {
		uint32_t t = tid;
		bool added = true;	/* @tid itself: just put in */

		if (d) {
			e = readdir(d);
			if (!e)
				break;
			t = (uint32_t)strtoul(e->d_name, &end, 10);
			if (!t || *end)
				continue;
			added = t == tid ||
				follow_add(ft, filter, t, tgid, now) == 1;
			if (t != tid && added)
				n++;
		}
		/* the children of a thread followed all along were */
		if (added) {
			snprintf(path, sizeof(path), "/proc/%u/task/%u/children",
				 tid, t);
			text = ltr_read_text(path);
			for (p = text; p && *p; p = end) {
				unsigned long c = strtoul(p, &end, 10);

				if (end == p) {
					end = p + 1;
					continue;
				}
				if (follow_add(ft, filter, (uint32_t)c,
					       (uint32_t)c, now) != 1)
					continue;
				n++;
				if (depth < 32)
					n += follow_walk(ft, filter,
							 (uint32_t)c,
							 (uint32_t)c, now,
							 true, depth + 1);
			}
			free(text);
		}
		if (!d)
			break;
	}
	if (d)
		closedir(d);
	return n;
}

/*
 * Task @pid, put back in the filter at @now after a gap: what it started
 * meanwhile (not added by the kernel: it was out) into the filter too:
 * a thread of its process out of the filter while alive was started in
 * a gap too.
 */
static unsigned int follow_started(struct ltr_ftrace *ft, char **filter,
				   uint32_t pid, uint64_t now)
{
	uint32_t tgid = pid;

	ltr_follow_pid(ft->follow, pid, now, &tgid);
	return follow_walk(ft, filter, pid, tgid, now, true, 0);
}

/*
 * Whether the command's task with id @tid forked at @since lives now
 * (in /proc, not a zombie).  lden reads the rings behind the kernel (a
 * slow output blocks it for seconds): a task whose exit it has not read
 * may be gone, freed, its id out of set_event_pid for that.  Before,
 * such an id was taken for one the kernel took out from a living task
 * and put back, a gap said where none was (20,000 threads traced into
 * a pipe read 3 s late: 106 such lines, every call counted).
 */
static bool task_lives(const struct ltr_ftrace *ft, uint32_t tid,
		       uint64_t since)
{
	char path[64], *text, *p;
	uint32_t tgid = tid;
	bool lives;

	ltr_follow_pid(ft->follow, tid, since, &tgid);
	snprintf(path, sizeof(path), "/proc/%u/task/%u/stat", tgid, tid);
	text = ltr_read_text(path);
	if (!text)
		return false;
	p = strrchr(text, ')');
	lives = p && p[1] == ' ' && p[2] && p[2] != 'Z' && p[2] != 'X';
	free(text);
	return lives;
}

/*
 * Each task given the id of an earlier task of the command (clone3's
 * set_tid, ids wrapping): the kernel takes the id out of set_event_pid
 * when the earlier task is freed (sched_process_free, an RCU grace
 * period after it was reaped), which can come after the fork that put
 * the id back for the new task: from then on the new task's records
 * (and its children's forks) are not written.  Proven safe: the earlier
 * task's free before the fork.  Proven taken out: its free after the
 * fork, or the id no longer in set_event_pid while the task lives: lden
 * puts it back, with what the task started meanwhile (follow_started()),
 * and the records in between are said possibly missing (a gap).  Not
 * proven by the end (the free dropped with others of the machine, or
 * not come yet): a gap to the end, with the frees dropped
 * (frees_dropped()), the reason the end says.
 */
static void follow_gaps(struct ltr_ftrace *ft, bool final)
{
	char *filter = NULL;

	for (size_t i = 0; i < ft->nreuse; i++) {
		struct ft_reuse *r = &ft->reuse[i];
		uint64_t at = 0, until, to;
		int order, in;
		char pid[16];
		bool back;

		if (!r->open)
			continue;
		order = ltr_follow_free_order(ft->follow, r->pid, r->since, &at);
		ltr_debug("id %u given again at %" PRIu64 ": the earlier task's free %s (%" PRIu64 "), frees of the machine dropped: %" PRIu64 "\n",
			  r->pid, r->since,
			  order > 0 ? "before" : order < 0 ? "after" :
							     "not seen",
			  at, frees_dropped(ft));
		if (order > 0) {
			r->open = false;
			continue;
		}
		until = ltr_follow_until(ft->follow, r->pid, r->since);
		/* out of the filter, while the task lives (its own free
		 * takes the id out too: lden, behind, may not have read its
		 * exit yet, task_lives()) */
		if (order == 0 && !final) {
			if (until != UINT64_MAX)
				continue;
			in = pid_filtered(ft, &filter, r->pid);
			if (in != 0 || !task_lives(ft, r->pid, r->since))
				continue;	/* in it (or unreadable): wait */
		} else if (order == 0) {
			/*
			 * the free not seen by the end: not proven.  Not
			 * even when no free of the machine was dropped: the
			 * earlier task's may come after the end (an RCU
			 * grace period late)
			 */
			gap_add(ft, r->pid, r->since, r->since, until, false,
				false);
			if (ft->ngaps && ft->gaps[ft->ngaps - 1].pid == r->pid)
				ft->gaps[ft->ngaps - 1].frees_dropped =
					frees_dropped(ft);
			r->open = false;
			continue;
		}
		/* out of the filter: from the free (or the fork) on */
		if (order == 0)
			at = r->since;
		to = until;
		back = false;
		if (until == UINT64_MAX) {
			snprintf(pid, sizeof(pid), "%u", r->pid);
			back = write_to(ft, "set_event_pid", pid, true) == 0;
			if (back)
				to = ltr_now_ns();
		}
		gap_add(ft, r->pid, r->since, at, to, true, back);
		if (ft->ngaps && ft->gaps[ft->ngaps - 1].pid == r->pid)
			ft->gaps[ft->ngaps - 1].foreign = r->foreign;
		if (back)
			ft->gaps[ft->ngaps - 1].started =
				follow_started(ft, &filter, r->pid, to);
		r->open = false;
	}
	free(filter);
	/* the proven ones out */
	for (size_t i = 0; i < ft->nreuse;)
		if (!ft->reuse[i].open)
			ft->reuse[i] = ft->reuse[--ft->nreuse];
		else
			i++;
}

/* Whether the ring dropped a record yet, on any CPU. */
static bool follow_lost(struct ltr_ftrace *ft)
{
	for (int i = 0; i < ft->ncpus; i++)
		if (cpu_lost_now(ft, &ft->cpus[i]))
			return true;
	return false;
}

/*
 * A record of @ev read: counted, and given to @fn unless @ev's records
 * from its time on are counted only (struct ltr_event's muted_from).
 * Returns 1 when given, else 0: the drains' totals are what was given.
 */
static int hand_out(struct ltr_ftrace_cpu *c, struct ltr_event *ev,
		    struct ltr_sample *smp, ltr_sample_fn fn, void *ctx,
		    int *stop)
{
	c->records++;
	ev->records++;
	if (ev->muted_from && smp->time >= ev->muted_from)
		return 0;
	if (fn)
		*stop = fn(smp, ctx);
	return 1;
}

/*
 * A record of a following instance (ftrace-follow.c): with its process,
 * or kept until its task's fork is read; with @force (every CPU was read
 * past it), now: a record of a task still not known is another
 * process's, dropped, unless the ring lost records (then it is
 * delivered, marked; so too when too many wait).  The forks and exits
 * it says are noted.
 */
static int follow_deliver(struct ltr_ftrace *ft, const struct ltr_ftrace_id *m,
			  struct ltr_ftrace_cpu *c, const unsigned char *data,
			  uint32_t size, uint64_t time, uint32_t tid,
			  ltr_sample_fn fn, void *ctx, int *stop, bool force)
{
	struct ltr_follow_says says = { .kind = LTR_FOLLOW_RECORD };
	struct ltr_sample smp;
	uint32_t tgid = 0;
	uint64_t reused;
	bool known;
	int rc;
	/* not known once every CPU was read past it (not: no room to wait) */
	bool sure = force;

	/* in whatever task's context: the freed task is in the record
	 * (read from the perf rings instead where they are open); kept
	 * until every CPU was read past it, as the others (follow_frees()):
	 * the fork of the task freed may be in a CPU's ring read later */
	if (m->role == ROLE_FREE) {
		int32_t freed;

		if (!ft->nfr && ft->fr_pid_off >= 0 &&
		    size >= (uint32_t)ft->fr_pid_off + 4) {
			memcpy(&freed, data + ft->fr_pid_off, 4);
			ltr_follow_free_keep(ft->follow, (uint32_t)freed,
					     time);
		}
		return 0;
	}
	if (m->role == ROLE_NEWTASK &&
	    size >= (uint32_t)(ft->nt_flags_off + ft->nt_flags_size) &&
	    size >= (uint32_t)ft->nt_pid_off + 4) {
		int32_t child;
		uint64_t flags = 0;

		memcpy(&child, data + ft->nt_pid_off, 4);
		if (ft->nt_flags_size == 8) {
			memcpy(&flags, data + ft->nt_flags_off, 8);
		} else {
			uint32_t f32;

			memcpy(&f32, data + ft->nt_flags_off, 4);
			flags = f32;
		}
		says.kind = LTR_FOLLOW_FORK;
		says.child = (uint32_t)child;
		says.thread = flags & CLONE_THREAD;
	} else if (m->role == ROLE_EXIT) {
		says.kind = LTR_FOLLOW_EXIT;
		says.group_dead = size <= (uint32_t)ft->gd_off ||
				  data[ft->gd_off];
	}
	rc = ltr_follow_note(ft->follow, tid, time, &says, !force, &tgid,
			     &reused);
	if (rc == 0) {
		if (ltr_follow_pend(ft->follow, m->id, (int)(c - ft->cpus),
				    time, tid, data, size) == 0)
			return 0;
		/* no room to wait: now, marked */
		rc = ltr_follow_note(ft->follow, tid, time, &says, false,
				     &tgid, &reused);
	}
	known = rc == 1;
	/* an id an earlier task of the command had: the kernel may take it
	 * out of the filter yet (follow_gaps()) */
	if (reused)
		reuse_add(ft, says.child, reused);
	/*
	 * Not the command's, unless a fork was lost: the kernel's pid filter
	 * lets a few records of other tasks through (a task that wakes one
	 * of the command's is traced until it leaves the CPU); every task
	 * the command started has its fork in the ring, or counted lost
	 */
	if (!known && sure && !follow_lost(ft)) {
		ft->foreign++;
		return 0;
	}
	if (!m->ev)
		return 0;
	if (!known)
		ft->unknown++;
	smp = (struct ltr_sample){
		.event = m->ev, .pid = known ? tgid : tid, .tid = tid,
		.time = time, .cpu = (uint32_t)c->cpu,
		.raw_size = size, .raw = data,
		.flags = known ? 0 : LTR_SAMPLE_NO_TGID,
	};
	return hand_out(c, m->ev, &smp, fn, ctx, stop);
}

struct follow_retry_ctx {
	struct ltr_ftrace *ft;
	ltr_sample_fn fn;
	void *ctx;
};

/* A record that waited for its task's fork, delivered now. */
static int follow_redeliver(const struct ltr_follow_rec *r, void *ctx,
			    int *stop)
{
	struct follow_retry_ctx *x = ctx;
	const struct ltr_ftrace_id *m = id_find(x->ft, r->id);

	if (!m)
		return 0; /* removed while its records waited */
	return follow_deliver(x->ft, m, &x->ft->cpus[r->cpu], r->raw, r->size,
			      r->time, r->tid, x->fn, x->ctx, stop, true);
}

/*
 * The records that waited for their task's fork (ltr_follow_retry()):
 * those every CPU was read past (@until) still not known, marked.
 */
static int follow_retry(struct ltr_ftrace *ft, ltr_sample_fn fn, void *ctx,
			int *stop, uint64_t until)
{
	struct follow_retry_ctx x = { .ft = ft, .fn = fn, .ctx = ctx };

	return ltr_follow_retry(ft->follow, until, follow_redeliver, &x, stop);
}

/* One record of CPU @c, found by the walk: to its event, and @fn. */
static int deliver(struct ltr_ftrace *ft, struct ltr_ftrace_cpu *c,
		   const struct ltr_subbuf_rec *r, ltr_sample_fn fn, void *ctx,
		   int *stop)
{
	struct ltr_ftrace_id *m;
	struct ltr_sample smp;
	uint16_t type;
	int32_t pid;

	if (r->size < REC_MIN) {
		c->bad++;
		return 0;
	}
	memcpy(&type, r->data, sizeof(type));
	m = id_find(ft, type);
	if (!m)
		return 0;	/* removed while its records were queued */
	memcpy(&pid, r->data + REC_PID_OFF, sizeof(pid));
	if (ft->follow)
		return follow_deliver(ft, m, c, r->data, r->size,
				      r->ts + (uint64_t)c->ts_off,
				      (uint32_t)pid, fn, ctx, stop, false);
	smp = (struct ltr_sample){
		.event = m->ev, .pid = (uint32_t)pid, .tid = (uint32_t)pid,
		.time = r->ts + (uint64_t)c->ts_off, .cpu = (uint32_t)c->cpu,
		.raw_size = r->size, .raw = r->data,
		.flags = LTR_SAMPLE_NO_TGID,
	};
	return hand_out(c, m->ev, &smp, fn, ctx, stop);
}

/*
 * The read() path (before Linux 6.10), without chasing the writer: a
 * read() of trace_pipe_raw hands out the reader sub-buffer as far as it
 * is written, and when the writer is on it, each read() yields the few
 * records written since the last (12,219 reads for 300,000 records).  So
 * whole sub-buffers come by splice() into a pipe, which the kernel gives
 * only once the writer has left them (-EAGAIN else), BATCH at a time,
 * then one read() of the pipe; the sub-buffer being written is read()
 * only when the caller wants everything (@all: an interval's end, the
 * settle) or when this CPU's last complete read is LTR_FTRACE_LAG_MS
 * old: a record waits that long and the caller's next poll at most.
 * c->complete_at says up to when
 * every record of the CPU was delivered (ltr_session__complete_until()).
 *
 * At most twice what the ring holds a drain (the reader's sub-buffer and
 * the ring's), so that a CPU writing as fast as it is read cannot keep
 * the caller here, while a stopped one is emptied.  *@stop is set when
 * @fn asked to stop; the next call resumes after that record.
 */
/*
 * A sub-buffer loaded into c->w.  The first after the mapping failed
 * (fall_back()) may begin with records delivered from the mapping: the
 * kernel counted as read only what was committed at the last GET_READER.
 * They are skipped, and its times, which the kernel recounts from the
 * reader's own time stamp, are set by the last record delivered.
 */
static void loaded(struct ltr_ftrace_cpu *c)
{
	struct ltr_subbuf_rec r;

	c->loaded = true;
	c->ts_off = 0;
	if (!c->fixup)
		return;
	c->fixup = false;
	if (!c->skip)
		return;
	while (c->w.off < c->skip && ltr_subbuf_next(&c->w, &r) > 0)
		;
	c->ts_off = (int64_t)(c->fix_ts - c->w.ts);
	c->skip = 0;
}

static int drain_read(struct ltr_session *s, struct ltr_ftrace_cpu *c,
		      ltr_sample_fn fn, void *ctx, int *stop, bool all)
{
	struct ltr_ftrace *ft = s->ft;
	uint64_t t0 = ltr_now_ns();
	bool partial = all || t0 - c->complete_at >= LTR_FTRACE_LAG_MS * 1000000ull;
	size_t sb = (size_t)ft->subbuf_size;
	unsigned int subbufs = 0;
	int delivered = 0;

	while (!*stop) {
		struct ltr_subbuf_rec r;
		ssize_t n;
		int rc;

		if (c->loaded) {
			rc = ltr_subbuf_next(&c->w, &r);
			if (rc > 0) {
				delivered += deliver(ft, c, &r, fn, ctx, stop);
				continue;
			}
			c->loaded = false;
			if (rc < 0)
				c->bad++;
		}
		if (c->page_off < c->page_len) {
			n = (ssize_t)(c->page_len - c->page_off < sb ?
				      c->page_len - c->page_off : sb);
			if (ltr_subbuf_load(&c->w, c->page + c->page_off,
					    (size_t)n, ft->commit_size) < 0)
				c->bad++;
			else
				loaded(c);
			c->page_off += (size_t)n;
			continue;
		}
		if (subbufs > 2 * (s->ring_pages + 1))
			break;
		c->page_len = c->page_off = 0;
		n = -1;
		errno = EAGAIN;
		if (c->pipe[1] >= 0)
			n = splice(c->fd, NULL, c->pipe[1], NULL, BATCH * sb,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			/* all of it: the pipe holds nothing else */
			n = read(c->pipe[0], c->page, (size_t)n);
			if (n < 0)
				return ltr_error(errno, "reading the ftrace ring of CPU %d: %s",
						 c->cpu, strerror(errno));
			c->page_len = (size_t)n;
			subbufs += (unsigned int)((size_t)n / sb);
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			/* splice refused: read() alone from now on */
			close(c->pipe[0]);
			close(c->pipe[1]);
			c->pipe[0] = c->pipe[1] = -1;
		}
		if (!partial && c->pipe[1] >= 0)
			break;
		/* no whole sub-buffer left: the one being written */
		n = read(c->fd, c->page, sb);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return ltr_error(errno, "reading the ftrace ring of CPU %d: %s",
					 c->cpu, strerror(errno));
		subbufs++;
		if (n > 0)
			c->page_len = (size_t)n;
		/* without a pipe, read() until the ring is empty */
		if (n > 0 && c->pipe[1] < 0)
			continue;
		/* everything written before t0 is in what was read */
		if (n >= 0 || errno == EAGAIN) {
			c->complete_at = t0;
			partial = false;
		}
		if (n <= 0)
			break;
	}
	return delivered;
}

/*
 * The same through the mapping: the records of the reader sub-buffer,
 * then GET_READER for the next one.  The kernel counts a sub-buffer read
 * as far as it was committed at that call; the walk resumes where it
 * was on the same sub-buffer (more committed since: the writer is on
 * it), from its start on another.
 *
 * When the call hands back the same sub-buffer and the kernel's count of
 * bytes read in it did not move, the ring is empty.  When it moved, the
 * writer may be on that sub-buffer, a few records ahead: chasing it one
 * call per few records cost more than the records (14,500 ioctls for
 * 300,000 records); after SAME_MAX such calls the drain moves on, and
 * the next resumes.  A stopped ring is emptied all the same: each of its
 * sub-buffers takes at most two calls.  At most twice the ring's
 * sub-buffers a drain.
 */
#define SAME_MAX 2

static int get_reader(struct ltr_ftrace *ft, struct ltr_ftrace_cpu *c)
{
	int i = (int)(c - ft->cpus);

	if ((ft->fail_reader == i &&
	     ++c->get_readers == (unsigned int)ft->fail_reader_at) ||
	    (ft->fail_ahead == i && c->loaded &&
	     c->w.off > c->meta->reader_read)) {
		errno = EPERM;
		return -1;
	}
	return ioctl(c->fd, FT_GET_READER);
}

/*
 * GET_READER failed on a mapped ring (an LSM or seccomp refusing the
 * ioctl, a kernel bug): CPU @c is read with read() from now on, said
 * once.  Exact all the same: the kernel counted as read what was
 * committed in the reader sub-buffer at the last call; what the walk
 * delivered beyond comes again first, and is skipped (loaded()).
 */
static int fall_back(struct ltr_session *s, struct ltr_ftrace_cpu *c, int err)
{
	struct ltr_ftrace *ft = s->ft;
	uint32_t read = c->meta->reader_read;

	c->skip = c->loaded && c->w.off > read ? c->w.off - read : 0;
	c->fix_ts = c->w.ts;
	c->fixup = true;
	c->loaded = false;
	munmap(c->map, c->map_len);
	c->map = NULL;
	c->meta = NULL;
	ft->mapped--;
	if (!ft->why[0]) {
		snprintf(ft->why, sizeof(ft->why), "CPU %d: GET_READER: %s",
			 c->cpu, strerror(err));
		ltr_warn("the ftrace ring of CPU %d is read with read() from now on: the kernel refused TRACE_MMAP_IOCTL_GET_READER: %s\n",
			 c->cpu, strerror(err));
	}
	if (read_setup(ft, c) < 0)
		return ltr_error(ENOMEM, "out of memory");
	c->complete_at = 0;
	return 0;
}
static int drain_mapped(struct ltr_session *s, struct ltr_ftrace_cpu *c,
			ltr_sample_fn fn, void *ctx, int *stop)
{
	struct ltr_ftrace *ft = s->ft;
	uint32_t nsub = c->meta->nr_subbufs, size = c->meta->subbuf_size;
	unsigned int calls = 0, same = 0;
	int delivered = 0;

	while (!*stop) {
		struct ltr_subbuf_rec r;
		uint32_t id, was;
		int rc;

		if (c->loaded) {
			rc = ltr_subbuf_next(&c->w, &r);
			if (rc == 0) {
				/* at what was committed: more since? (the
				 * writer may be on this sub-buffer); read
				 * here, not before every record */
				uint32_t commit = ltr_subbuf_commit(
					c->map + c->meta->meta_page_size +
						(size_t)c->id * size,
					ft->commit_size);

				if (commit > c->w.len && commit <= c->w.cap) {
					c->w.len = commit;
					rc = ltr_subbuf_next(&c->w, &r);
				}
			}
			if (rc > 0) {
				delivered += deliver(ft, c, &r, fn, ctx, stop);
				continue;
			}
			if (rc < 0) {
				c->bad++;
				continue;
			}
		}
		if (calls++ > 2 * (nsub + 1))
			break;
		was = c->meta->reader_read;
		if (get_reader(ft, c) < 0) {
			int n;

			if (errno == EAGAIN || errno == EINTR)
				break;
			n = fall_back(s, c, errno);
			if (n == 0)
				n = drain_read(s, c, fn, ctx, stop, true);
			return n < 0 ? n : delivered + n;
		}
		id = __atomic_load_n(&c->meta->reader_id, __ATOMIC_ACQUIRE);
		if (id >= nsub)
			return ltr_error(EPROTO, "the ftrace ring of CPU %d: reader sub-buffer %u of %u",
					 c->cpu, id, nsub);
		if (c->loaded && id == c->id) {
			if (c->meta->reader_read == was || ++same > SAME_MAX)
				break;
			continue;
		}
		same = 0;
		c->id = id;
		c->loaded = true;
		if (ltr_subbuf_load(&c->w, c->map + c->meta->meta_page_size +
						   (size_t)id * size,
				    size, ft->commit_size) < 0)
			c->bad++;
	}
	return delivered;
}

/*
 * For the tests, LDEN_TEST_FOLLOW_LAG_MS: lden behind the kernel, as a
 * slow output makes it, between reading the rings and judging a reused
 * id (follow_gaps()): the tasks it read may exit and be freed meanwhile.
 */
static void lag_for_tests(void)
{
	const char *v = getenv("LDEN_TEST_FOLLOW_LAG_MS");
	struct timespec ts;

	if (!v || atoi(v) <= 0)
		return;
	ts.tv_sec = atoi(v) / 1000;
	ts.tv_nsec = (long)(atoi(v) % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/**
 * ltr_ftrace_drain - deliver what every CPU's ring holds now
 * @all: the sub-buffers being written too (else only once due: see
 *       drain_read())
 */
int ltr_ftrace_drain(struct ltr_session *s, ltr_sample_fn fn, void *ctx,
		     int *stop, bool all)
{
	int total = 0;

	if (!s->ft || s->ft->final)
		return 0;
	s->ft->drains++;
	for (int i = 0; i < s->ft->ncpus && !*stop; i++) {
		struct ltr_ftrace_cpu *c = &s->ft->cpus[i];
		uint64_t t0 = ltr_now_ns();
		int n = c->map ? drain_mapped(s, c, fn, ctx, stop) :
				 drain_read(s, c, fn, ctx, stop, all);

		if (n < 0)
			return n;
		total += n;
		/* read to its end (the mapped ring is), or as far as said */
		if (!*stop)
			c->seen_at = c->map ? t0 : c->complete_at;
	}
	if (s->ft->follow && !*stop) {
		uint64_t until = UINT64_MAX;

		for (int i = 0; i < s->ft->ncpus; i++)
			if (s->ft->cpus[i].seen_at < until)
				until = s->ft->cpus[i].seen_at;
		total += follow_retry(s->ft, fn, ctx, stop, until);
		follow_frees(s->ft, until, false);
		if (s->ft->nreuse) {
			lag_for_tests();
			follow_gaps(s->ft, false);
		}
	}
	return total;
}

/*
 * ltr_ftrace_complete_until - every record older than this was delivered
 * (CLOCK_MONOTONIC ns); UINT64_MAX when no CPU holds records back (the
 * mapped ring is read to the end at each drain)
 */
uint64_t ltr_ftrace_complete_until(const struct ltr_session *s)
{
	uint64_t t = UINT64_MAX;

	for (int i = 0; s->ft && i < s->ft->ncpus; i++) {
		const struct ltr_ftrace_cpu *c = &s->ft->cpus[i];

		if (!c->map && c->pipe[1] >= 0 && c->complete_at < t)
			t = c->complete_at;
	}
	/* a record waiting for its task's fork is not delivered yet */
	if (s->ft && s->ft->follow) {
		uint64_t w = ltr_follow_oldest(s->ft->follow);

		if (w != UINT64_MAX && w && w - 1 < t)
			t = w - 1;
	}
	return t;
}

/*
 * The sum of a CPU's loss counters in per_cpu/cpuN/stats, read from its
 * open file (the kernel prints it anew at offset 0).  The mapped ring's
 * meta page is no substitute (Documentation/trace/ring-buffer-map.rst):
 * its overrun counts what a ring that overwrites lost, not what one that
 * does not dropped ("dropped events"), nor commit overruns, and it is
 * updated only at GET_READER.
 */
static uint64_t cpu_lost(const struct ltr_ftrace_cpu *c)
{
	static const char *const keys[] = {
		"overrun:", "commit overrun:", "dropped events:",
	};
	char buf[1024];
	uint64_t lost = 0;
	ssize_t n;

	if (c->stats_fd < 0)
		return 0;
	n = pread(c->stats_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const char *p = strstr(buf, keys[k]);

		/* "overrun:" must not match inside "commit overrun:" */
		while (p && p != buf && p[-1] != '\n')
			p = strstr(p + 1, keys[k]);
		if (p)
			lost += strtoull(p + strlen(keys[k]), NULL, 10);
	}
	return lost;
}

/*
 * CPU @c's counters, read once per drain of the instance: the callers ask
 * several times a tick (each event's loss, count and shortfall), and a
 * drop that happened since the drain is one of records not yet read, so
 * the figures agree with what was delivered.
 */
static uint64_t cpu_lost_now(struct ltr_ftrace *ft, struct ltr_ftrace_cpu *c)
{
	if (!ft->final && c->lost_at != ft->drains + 1) {
		c->lost = cpu_lost(c);
		c->lost_at = ft->drains + 1;
	}
	return c->lost;
}

/**
 * ltr_ftrace_lost - records the instance's ring dropped
 * @cpu: an index into the session's CPUs, or -1 for all
 *
 * Exact as of the last drain: the kernel counts a drop when it happens,
 * and lden reads the counters again after each drain.  Per ring: shared
 * by every event in the instance.
 */
uint64_t ltr_ftrace_lost(const struct ltr_session *s, int cpu)
{
	uint64_t lost = 0;

	if (!s->ft)
		return 0;
	for (int i = 0; i < s->ft->ncpus; i++) {
		if (cpu >= 0 && i != cpu)
			continue;
		lost += cpu_lost_now(s->ft, &s->ft->cpus[i]) + s->ft->cpus[i].bad;
	}
	return lost;
}

/* ------------------------------------------------------------------ */
/* Teardown */

/**
 * ltr_ftrace_finish - the instance's last records, then its files closed
 *
 * After ltr_ftrace_ring_off() and a quiesce of every CPU (nothing more
 * can come): delivers what the rings still hold, keeps each CPU's loss
 * counters as they are now (with the ring off they cannot grow; read from
 * here on), and closes every file of the instance, so that its removal
 * (ltr_instance_remove_start()) can begin while the perf rings are read.
 * Nothing is done while the ring is on.
 *
 * Return: the records delivered, or a negative errno.
 */
int ltr_ftrace_finish(struct ltr_session *s, ltr_sample_fn fn, void *ctx)
{
	struct ltr_ftrace *ft = s->ft;
	int total = 0, n;

	if (!ft || !ft->ring_off || ft->final)
		return 0;
	do {
		int stop = 0;

		n = ltr_ftrace_drain(s, fn, ctx, &stop, true);
		if (n < 0)
			return n;
		total += n;
	} while (n > 0);
	/* the ring is off and read: a fork not read by now never will be */
	if (ft->follow) {
		int stop = 0;

		total += follow_retry(ft, fn, ctx, &stop, UINT64_MAX);
		follow_frees(ft, UINT64_MAX, true);
		follow_gaps(ft, true);
	}
	for (int i = 0; i < ft->ncpus; i++)
		ft->cpus[i].lost = cpu_lost(&ft->cpus[i]);
	ft->final = true;
	close_readers(ft);
	return total;
}

/** ltr_ftrace_close_readers - close the trace_pipe_raw fds (before a fork) */
void ltr_ftrace_close_readers(struct ltr_session *s)
{
	if (s->ft)
		close_readers(s->ft);
}

/**
 * ltr_ftrace_destroy - remove the instance from the kernel and free it
 *
 * rmdir disables its events and waits, once, for the kernel to be done
 * with them.  The readers are closed first: an open file keeps the
 * instance busy.
 */
void ltr_ftrace_destroy(struct ltr_session *s)
{
	struct ltr_ftrace *ft = s->ft;

	if (ft)
		close_readers(ft);
	ltr_instance_destroy(s);
	s->ft = NULL;
	ftrace_free(ft);
}

/** ltr_ftrace_is_final - whether ltr_ftrace_finish() closed the instance's files */
bool ltr_ftrace_is_final(const struct ltr_session *s)
{
	return s->ft && s->ft->final;
}

/** ltr_ftrace_path - the instance's directory, for the signal handlers */
const char *ltr_ftrace_path(const struct ltr_session *s)
{
	return s->ft ? s->ft->path : NULL;
}

int ltr_ftrace_nevents(const struct ltr_session *s)
{
	return s->ft ? s->ft->nids : 0;
}

const char *ltr_session__ftrace_reader(const struct ltr_session *s)
{
	struct ltr_ftrace *ft = s->ft;

	if (!ft)
		return NULL;
	if (!ft->why[0])
		return ft->mapped == ft->ncpus ? "mmap" :
		       ft->mapped ? "mmap and read" : "read";
	snprintf(ft->reader, sizeof(ft->reader), "%s (%s)",
		 ft->mapped ? "mmap and read" : "read", ft->why);
	return ft->reader;
}

/** ltr_ftrace_name - the instance's name, or NULL while there is none */
const char *ltr_ftrace_name(const struct ltr_session *s)
{
	return s->ft ? s->ft->name : NULL;
}

/*
 * ltr_ftrace_release - unmap the rings and close every file of the
 * instance (an open one keeps it busy), for a signal handler: munmap and
 * close only, nothing freed or written back
 */
void ltr_ftrace_release(const struct ltr_session *s)
{
	for (int i = 0; s->ft && i < s->ft->ncpus; i++) {
		const struct ltr_ftrace_cpu *c = &s->ft->cpus[i];

		if (c->map)
			munmap(c->map, c->map_len);
		if (c->fd >= 0)
			close(c->fd);
		if (c->stats_fd >= 0)
			close(c->stats_fd);
	}
}
