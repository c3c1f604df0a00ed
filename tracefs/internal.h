/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private bodies and helpers of the lden-trace library.  Not installed.
 */
#ifndef LDEN_TRACE_INTERNAL_H
#define LDEN_TRACE_INTERNAL_H

#include <linux/perf_event.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "lden-trace.h"

struct tep_handle;
struct tep_event;
struct tep_format_field;
struct tracefs_dynevent;

/* ------------------------------------------------------------------ */
/* error.c: last-error message and the print hook */

/*
 * Records a one-line message for ltr_last_error(), sets errno to @err and
 * returns -@err, so callers can write "return ltr_error(EINVAL, ...)".
 */
int ltr_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same, for pointer functions: returns NULL. */
void *ltr_error_null(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ltr_clear_error(void);
void ltr_log(enum ltr_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define ltr_warn(...) ltr_log(LTR_WARN, __VA_ARGS__)
#define ltr_info(...) ltr_log(LTR_INFO, __VA_ARGS__)
#define ltr_debug(...) ltr_log(LTR_DEBUG, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* decode.c: fields resolved once, read with bounds checks */

enum ltr_field_kind {
	LTR_FIELD_NUMBER,	/* integer of 1, 2, 4 or 8 bytes */
	LTR_FIELD_STR_FIXED,	/* char name[N] */
	LTR_FIELD_STR_DYN,	/* __data_loc char[]: offset from record start */
	LTR_FIELD_STR_REL,	/* __rel_loc char[]: offset from after the field */
	LTR_FIELD_OTHER,	/* arrays of numbers, dynamic non-strings */
};

struct ltr_field {
	char *name;
	uint32_t offset;	/* in the raw record */
	uint32_t size;		/* bytes the field occupies */
	/*
	 * Bytes that carry the value: the declared C type's size when the
	 * record stores it in a wider slot (syscall arguments are 8-byte
	 * slots, "int fd" included), else size.
	 */
	uint32_t value_size;
	bool is_signed;
	enum ltr_field_kind kind;
	char *type;		/* the format's C type, "void *", "__u8[4]" */
	bool dynamic;		/* __data_loc or __rel_loc: any length */
};

/*
 * ltr_field_init - fill @f from a parsed format field
 * Returns 0, or -ENOMEM.  Release with ltr_field_fini().
 */
int ltr_field_init(struct ltr_field *f, const struct tep_format_field *tf);
void ltr_field_fini(struct ltr_field *f);

/* Bounds-checked readers of one raw record; see ltr_field__u64() etc. */
int ltr_decode_u64(const struct ltr_field *f, const void *raw,
		   size_t raw_size, uint64_t *val);
int ltr_decode_s64(const struct ltr_field *f, const void *raw,
		   size_t raw_size, int64_t *val);
int ltr_decode_str(const struct ltr_field *f, const void *raw,
		   size_t raw_size, const char **str, size_t *len);

/* ------------------------------------------------------------------ */
/* ring.c: one perf mmap ring, the head/tail protocol */

#ifndef PERF_SAMPLE_CGROUP
#define PERF_SAMPLE_CGROUP (1U << 21)	/* Linux 5.7 */
#endif

/*
 * sample_type of the session's sampling events: LTR_SAMPLE_RING, whose
 * CPU is the ring's (each CPU's events write to that CPU's ring, so the
 * ring says it exactly and the kernel need not write it), or
 * LTR_SAMPLE_LEAN where the reader reads the raw record alone
 * (opts.size_only): the thread and the time cost the kernel a field each
 * per record (the time, read from the event's clock, the most), for
 * nothing there.  LTR_SAMPLE_TYPE, the CPU written too, for the recall
 * rings (their walk reads it) and opts.sample_cpu.  With
 * ltr_session_opts.sample_cgroup, PERF_SAMPLE_CGROUP too.  Chosen in one
 * place, session.c's sample_type_of().
 */
#define LTR_SAMPLE_TYPE (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | \
			 PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW)
#define LTR_SAMPLE_LEAN (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_RAW)
#define LTR_SAMPLE_RING (LTR_SAMPLE_TYPE & ~(uint64_t)PERF_SAMPLE_CPU)

struct ltr_ring {
	void *base;		/* the mmap: struct perf_event_mmap_page first */
	size_t map_size;	/* (1 + 2^n) pages */
	unsigned char *data;	/* the data area */
	uint64_t data_size;	/* a power of two */
	unsigned char *scratch;	/* 64 KiB copy-out for records that wrap */
	uint64_t lost;		/* PERF_RECORD_LOST + PERF_RECORD_LOST_SAMPLES */
	uint64_t samples;	/* PERF_RECORD_SAMPLE delivered */
	uint64_t bad;		/* records too short to parse (skipped) */
	/*
	 * ltr_ring_note(): the tail at the last note, and how many notes
	 * found that the ring may have been full since the one before
	 */
	uint64_t note_tail;
	uint64_t full_marks;
	int fd;			/* the ring owner's perf fd, or -1 */
	int cpu;
	/*
	 * the session whose events write here: each record parsed as its
	 * event's sample_type says; NULL: every record is LTR_SAMPLE_TYPE
	 */
	const struct ltr_session *session;
	struct ltr_recall_index *index;	/* recall rings: see recall.c */
};

/*
 * Called per PERF_RECORD_SAMPLE with the sample's PERF_SAMPLE_IDENTIFIER
 * id; s->event is NULL (the caller maps @id to an event).  Return
 * non-zero to stop after this record.
 */
typedef int (*ltr_ring_sample_fn)(uint64_t id, struct ltr_sample *s,
				  void *ctx);

/*
 * ltr_ring_init - set up @r over an existing mapping
 * @base: the mmap'ed area (or, in tests, any buffer laid out the same way)
 * @map_size: its length, one header page plus 2^n data pages
 * Allocates the scratch buffer.  Returns 0 or -ENOMEM/-EINVAL.
 */
int ltr_ring_init(struct ltr_ring *r, void *base, size_t map_size, int fd,
		  int cpu);
/* Frees the scratch buffer; does not munmap or close. */
void ltr_ring_fini(struct ltr_ring *r);

/*
 * ltr_ring_layout - the data area of a perf mmap of @map_size bytes (one
 * header page, then 2^n pages), from its header or the page size
 * Returns 0, or -EINVAL when it is not a ring.
 */
int ltr_ring_layout(void *base, size_t map_size, unsigned char **data,
		    uint64_t *data_size);

/* Copies @len bytes at offset @off of a ring's data (may wrap) to @dst. */
void ltr_ring_copy(const unsigned char *data, uint64_t size, uint64_t off,
		   void *dst, size_t len);

/*
 * ltr_ring_drain - consume every record between tail and head
 * Samples go to @fn; LOST and LOST_SAMPLES are added to r->lost; other
 * record types are skipped.  The tail is published (release) after each
 * record, so the kernel can reuse space during long batches.
 * Returns the number of samples delivered, or a negative errno.
 */
int ltr_ring_drain(struct ltr_ring *r, ltr_ring_sample_fn fn, void *ctx);

/*
 * ltr_ring_note - a look at the ring's head (@head, read with acquire,
 * the tail then @tail): counts in r->full_marks whether the ring may
 * have been full since the last look, when the kernel may have dropped a
 * record.  Done by every drain; ltr_session__full_marks() looks too.
 */
void ltr_ring_note(struct ltr_ring *r, uint64_t head, uint64_t tail);

/*
 * ltr_parse_sample - split one PERF_RECORD_SAMPLE laid out as
 * LTR_SAMPLE_TYPE says (ltr_parse_sample_as: as @type says, see ring.c).
 * Returns 0 or -EINVAL when it is too short.
 */
int ltr_parse_sample(const struct perf_event_header *h, uint64_t *id,
		     struct ltr_sample *s);
int ltr_parse_sample_as(const struct perf_event_header *h, uint64_t type,
			uint64_t *id, struct ltr_sample *s);

/* ------------------------------------------------------------------ */
/*
 * recall.c: backward, overwritten rings, read on demand; each a struct
 * ltr_ring over a read-only mapping, its scratch the record being read
 */

/*
 * ltr_recall_walk - the samples of @tid (0: all) in [@since, @until] in
 * @n rings, newest first; see recall.c.  Returns 1 (stopped by @fn), 0
 * (@since or the oldest record reached), -ENODATA (history overwritten
 * before this point).
 */
int ltr_recall_walk(struct ltr_ring *rings, int n, uint32_t tid,
		    uint64_t since, uint64_t until, ltr_ring_sample_fn fn,
		    void *ctx);
/* Frees what ltr_recall_walk() learnt of @r (not the ring itself). */
void ltr_recall_index_free(struct ltr_ring *r);
/* session.c's hooks: attr bits, the rings, the fd events output to */
void ltr_recall_attr(struct perf_event_attr *a);
int ltr_recall_map(struct ltr_session *s);
void ltr_recall_unmap(struct ltr_session *s);
int ltr_recall_fd(const struct ltr_session *s, int cpu_index);

/* ------------------------------------------------------------------ */
/* owner.c: names and liveness of the session's tracefs objects */

/* "lden_" + 20 digits + "_" + 10 digits + NUL, rounded up */
#define LTR_OWNER_NAME_MAX 48

/* "lden_<pidns inode>_<pid>" in @buf; 0 or -ENAMETOOLONG */
int ltr_owner_name(char *buf, size_t size);
/* whether @len bytes at @name are exactly such a name */
bool ltr_owner_name_match(const char *name, size_t len);
/* a shared lock on a directory just created: the fd, or -ENOENT (swept) */
int ltr_owner_lock(const char *path);
/* instances/<group>, made and held on the first call (borrowed), or NULL */
const char *ltr_session_instance(struct ltr_session *s);
/*
 * Its rmdir begun in a thread of its own, every file of it closed: 0, or
 * a negative errno (no thread: ltr_instance_destroy() does it all)
 */
int ltr_instance_remove_start(struct ltr_session *s);
/* rmdir of that instance (or the wait for the one begun), by ltr_session__free() */
void ltr_instance_destroy(struct ltr_session *s);

/* ------------------------------------------------------------------ */
/* session.c, perf.c: the session and its events */

struct ltr_event {
	struct ltr_session *session;
	struct ltr_event *next;
	char *system;
	char *name;
	enum ltr_mode mode;
	enum ltr_ring_kind ring;	/* sampling: PERF or FTRACE */
	const char *ring_why;
	bool stopped;		/* ltr_event__stop_sampling() */
	/* opts.count_records: no perf counter, ltr_event__count() is this */
	bool count_records;
	uint64_t records;	/* read from the ftrace ring */
	/*
	 * counted from its records and stopped (ltr_event__stop_sampling()):
	 * its records from this time on (CLOCK_MONOTONIC ns) are counted,
	 * not delivered; 0 while they are
	 */
	uint64_t muted_from;
	/* stopped by ltr_event__stop_sampling() at (CLOCK_MONOTONIC ns) */
	uint64_t stopped_at;
	/* counted from its records: its filter, for a counter if the ring
	 * comes to be shared before it is enabled (share_ring()) */
	char *count_filter;
	bool enabled_once;	/* ltr_event__enable() was called */
	bool shared_counter;	/* opts.shared_counter */
	/* LTR_MODE_HIST: the trigger, and the shape of its output */
	char *hist_trigger;
	char *hist_filter;	/* its " if" clause, or NULL */
	int hist_nkeys, hist_nvals;
	/*
	 * its hist file, kept open and read again from offset 0: opened
	 * anew each read, it was an openat of lden's own a read, which a
	 * hist on sys_*_openat counted (some 40 a second); hist_fd_open
	 * says whether hist_fd holds it
	 */
	int hist_fd;
	bool hist_fd_open;
	char hist_vals[LTR_HIST_MAX_VALS][64];
	bool recall;		/* into the recall rings: never loses */
	int id;			/* tracepoint id, from events/<sys>/<name>/id */
	int nfds;		/* one per CPU, of each task: [task][cpu] */
	int *fds;
	uint64_t *sample_ids;	/* PERF_EVENT_IOC_ID of each fd */
	uint64_t sample_type;	/* of its perf samples: see LTR_SAMPLE_TYPE */
	struct ltr_field *fields;
	int nfields;
	void *user;
	uint64_t delivered;	/* samples handed to a reader */
	/*
	 * a value of each fd: read with its CPU's group (readgroup.c) and
	 * held (ltr_session__hold_counters()), {count, lost}
	 */
	struct ltr_snap {
		uint64_t v[2];
		bool grouped;	/* a member of its CPU's read group */
		bool held;	/* v is this tick's: read_counter() uses it */
	} *snap;
};

/* readgroup.c: the system-wide counters of one CPU, read at once */
struct ltr_readgroup {
	int fd;			/* the leader, or -1 */
	int n, cap;
	struct ltr_member {
		uint64_t id;	/* PERF_EVENT_IOC_ID */
		struct ltr_event *ev;
		int idx;	/* in ev->fds */
	} *m;
	uint64_t *buf;
	size_t buflen;
};

struct ltr_probe {
	struct ltr_probe *next;
	/* written by libtracefs, or, when NULL, @create_line by probe.c */
	struct tracefs_dynevent *dyn;
	char *create_line;
	char *name;
	/* "-:<group>/<name>\n", written by the signal handler */
	char *remove_line;
	/* file the removal line goes to (dynamic_events, or the per-type one) */
	char *remove_path;
};

struct ltr_session {
	char *tracing_dir;
	/* "lden_<pidns inode>_<pid>": the probe group and the instance */
	char group[LTR_OWNER_NAME_MAX];
	int group_lock;		/* holds events/<group> once it exists, or -1 */
	char *instance_path;	/* instances/<group>, once made, or NULL */
	int instance_lock;	/* holds it, or -1 */
	/* ltr_instance_remove_start(): the thread doing its rmdir, and the
	 * rmdir's errno (0: done) once joined */
	pthread_t instance_remover;
	bool instance_removing;
	int instance_rmdir_errno;
	int ncpus;
	int *cpus;		/* online CPU numbers */
	unsigned int ring_pages;
	bool ring_pages_default;	/* not asked for: opts->ring_pages 0 */
	/* the perf rings' data pages a CPU, set when they are mapped */
	unsigned int perf_pages;
	bool ftrace_no_mmap;		/* opts->ftrace_read */
	unsigned int wakeup_bytes;
	bool detach_close;
	enum ltr_ring_kind ring;
	bool need_tgid;
	/* ltr_session__follow(): the command the instance may follow, or 0 */
	pid_t ft_pid;
	/* the instance, once an event needed it */
	struct ltr_ftrace *ft;
	/* why there is none, when making it failed: the perf ring serves */
	char ft_refused[256];
	struct ltr_ring *rings;	/* ncpus entries, mapped on first sampling open */
	/* ncpus recall rings, mapped on the first opts->recall open */
	struct ltr_ring *recall;
	unsigned int recall_pages;
	int epfd;
	struct ltr_event *events;
	struct ltr_probe *probes;
	bool no_format_lost;	/* kernel before 6.0: no PERF_FORMAT_LOST */
	bool format_lost_ok;	/* an event opened with it: never dropped */
	/*
	 * opts->sample_cgroup, and the kernel has PERF_SAMPLE_CGROUP, and
	 * the cgroups have perf state of their own (support.c); else why
	 * not (static)
	 */
	bool sample_cgroup;
	const char *sample_cgroup_why;
	/* kernel before 5.13: no inherit_thread, a process's later threads
	 * cannot be counted without its children */
	bool no_inherit_thread;
	bool nofile_raised;	/* RLIMIT_NOFILE's soft limit raised once */
	/* ltr_session__settle(): hits counted that neither arrived nor were
	 * said lost (throttled, or still being written at the end) */
	uint64_t unarrived;
	/* sample id -> event, sorted by id for bsearch */
	struct ltr_id_map {
		uint64_t id;
		struct ltr_event *ev;
	} *idmap;
	size_t nidmap;
	/* readgroup.c: ncpus groups, once the first eligible event opened */
	struct ltr_readgroup *rg;
	bool rg_tried;
	bool rg_off;		/* none: no leader, or LDEN_TEST_NO_READ_GROUP */
	/* the tests' hooks (LDEN_TEST_*), read when the session is made */
	bool test_no_inherit_thread;
	bool test_exit_not_per_task;
	bool rg_lost;		/* the leaders read PERF_FORMAT_LOST */
	int rg_depth;		/* ltr_session__hold_counters() not released */
	/* session.c: each event's format as last parsed, for its next open */
	struct ltr_format *formats;
};

/*
 * readgroup.c: the leader's fd of CPU @cpu_index for a new system-wide
 * member (@samples: a sampled event, which needs lost counts), or -1
 */
int ltr_readgroup_leader(struct ltr_session *s, int cpu_index, bool samples);
/*
 * @fd, opened in that group, is (to be) ev->fds[@idx]: a member.  0, or
 * -errno (the group is then not read at once: its read has a member
 * more than it knows)
 */
int ltr_readgroup_add(struct ltr_session *s, int cpu_index,
		      struct ltr_event *ev, int idx, int fd);
/* @ev's fds are no members any more (about to be closed) */
void ltr_readgroup_forget(struct ltr_session *s, struct ltr_event *ev);
/* the leaders' fds into @fds (ncpus at most); how many */
int ltr_readgroup_fds(const struct ltr_session *s, int *fds);
void ltr_readgroups_close(struct ltr_session *s);

/* The event whose samples carry PERF_SAMPLE_IDENTIFIER @id, or NULL. */
struct ltr_event *ltr_session_event_of(const struct ltr_session *s,
				       uint64_t id);

/* perf.c */
int ltr_perf_open(struct perf_event_attr *attr, pid_t pid, int cpu,
		  int group_fd, unsigned long flags);
/* Reads /sys/devices/system/cpu/online into a malloc'd array. */
int ltr_online_cpus(int **cpus);
/* Explains an errno from perf_event_open in terms of privileges. */
int ltr_perf_open_error(int err, const char *what);
/*
 * The fix every permission error names, to follow a "permission denied
 * ...: " prefix; the caller adds LTR_PARANOID_FMT with ltr_paranoid().
 */
#define LTR_PRIVILEGE_FIX "run as root, or grant CAP_PERFMON (and CAP_SYS_ADMIN for kprobes)"
#define LTR_PARANOID_FMT " (kernel.perf_event_paranoid is %s)"
/* kernel.perf_event_paranoid as text, or "unknown"; a static buffer. */
const char *ltr_paranoid(void);

/*
 * reaper.c: a detached process closes @fds (sorted in place, room for
 * n + 1) once the caller closed its copies and then ltr_detached_release()
 * let it; 0 or -errno
 */
struct ltr_detached {
	int release;	/* the pipe's end whose close lets it go, or -1 */
	pid_t child;	/* the child that made it, to reap, or -1 */
};
int ltr_close_detached(int *fds, int n, struct ltr_detached *d);
void ltr_detached_release(struct ltr_detached *d);
/*
 * support.c: whether perf samples can carry the cgroup id (5.7+, and
 * CONFIG_CGROUP_PERF); LDEN_TEST_NO_SAMPLE_CGROUP stands in for a kernel
 * without
 */
bool ltr_has_sample_cgroup(const char **why);
/* its reason for a kernel without PERF_SAMPLE_CGROUP */
#define LTR_NO_SAMPLE_CGROUP "this kernel's samples carry no cgroup id (PERF_SAMPLE_CGROUP, Linux 5.7)"
/* support.c: a number from a small file (tracefs ids); 0 or -errno */
int ltr_read_long(const char *path, long *val);
/* support.c: CLOCK_MONOTONIC now, in ns (the rings' clock) */
uint64_t ltr_now_ns(void);
/*
 * support.c: a small file's first bytes into @buf (NUL-terminated, cut at
 * @size - 1); the bytes read, or -errno
 */
int ltr_read_into(const char *path, char *buf, size_t size);

/* probe.c: create and remove the session's dynamic events */
void ltr_probe_destroy_all(struct ltr_session *s);
/*
 * A whole tracefs file (they report size 0: read to EOF), malloc'd and
 * NUL-terminated; NULL with errno set.
 */
char *ltr_read_text(const char *path);
/* Whether SYSTEM:NAME is a uprobe or uretprobe the session made. */
bool ltr_probe_is_uprobe(const struct ltr_session *s, const char *system,
			 const char *name);

/* subbuf.c: a walk over one ftrace sub-buffer's records (see there) */
struct ltr_subbuf {
	const unsigned char *data;	/* the events, after the header */
	uint32_t cap;			/* bytes readable at data */
	uint32_t len;			/* bytes committed */
	uint32_t off;			/* the next event */
	uint32_t discarded;		/* discarded events skipped */
	uint64_t ts;			/* the time of the last event */
};

struct ltr_subbuf_rec {
	const unsigned char *data;
	uint32_t size;
	uint64_t ts;
};

uint32_t ltr_subbuf_commit(const void *page, int commit_size);
int ltr_subbuf_load(struct ltr_subbuf *w, const void *page, size_t size,
		    int commit_size);
int ltr_subbuf_next(struct ltr_subbuf *w, struct ltr_subbuf_rec *rec);

/* ftrace.c: the session's tracefs instance and its ring (see there) */
struct ltr_ftrace;
#define LTR_FTRACE_TOO_LONG "its records can be longer than this kernel's ftrace sub-buffers"
bool ltr_ftrace_can_take(const struct ltr_session *s,
			 const struct ltr_event *ev,
			 const struct ltr_event_opts *o, const char **why);
int ltr_ftrace_add(struct ltr_session *s, struct ltr_event *ev,
		   const struct ltr_event_opts *o);
int ltr_ftrace_enable(struct ltr_session *s, struct ltr_event *ev, bool on);
/* The ring refuses records while the session's events are enabled. */
int ltr_ftrace_hold(struct ltr_session *s, bool hold);
/* The instance's ring takes no more records (tracing_on 0), for good. */
int ltr_ftrace_ring_off(struct ltr_session *s);
/* Ring off and CPUs quiesced: the last records, the losses kept, files closed. */
int ltr_ftrace_finish(struct ltr_session *s, ltr_sample_fn fn, void *ctx);
bool ltr_ftrace_is_final(const struct ltr_session *s);
void ltr_ftrace_forget(struct ltr_session *s, struct ltr_event *ev);
int ltr_ftrace_drain(struct ltr_session *s, ltr_sample_fn fn, void *ctx,
		     int *stop, bool all);
uint64_t ltr_ftrace_complete_until(const struct ltr_session *s);
uint64_t ltr_ftrace_lost(const struct ltr_session *s, int cpu);
/* how many events the instance holds */
int ltr_ftrace_nevents(const struct ltr_session *s);
void ltr_ftrace_close_readers(struct ltr_session *s);
void ltr_ftrace_destroy(struct ltr_session *s);
const char *ltr_ftrace_path(const struct ltr_session *s);
const char *ltr_ftrace_name(const struct ltr_session *s);
/* munmap and close only (async-signal-safe): an open file or a mapping holds the instance */
void ltr_ftrace_release(const struct ltr_session *s);
/* whether @o's scope is the command the instance follows (ltr_session__follow()) */
/*
 * ltr_ftrace_can_follow - whether the instance's ftrace ring can follow a
 * command on the kernel under @tracing_dir (sched_process_exit has
 * group_dead, 6.16+): 0, or a negative errno with the reason said as the
 * ring's, naming no event
 */
int ltr_ftrace_can_follow(const char *tracing_dir);

bool ltr_ftrace_follows(const struct ltr_session *s,
			const struct ltr_event_opts *o);
/* records delivered with their process unknown (LTR_SAMPLE_NO_TGID) */
uint64_t ltr_ftrace_unknown_pids(const struct ltr_session *s);
/* records of tasks outside the command the kernel let through, dropped */
uint64_t ltr_ftrace_foreign(const struct ltr_session *s);
const struct ltr_follow_gap *ltr_ftrace_follow_gaps(const struct ltr_session *s,
						    size_t *n);
enum ltr_follow_doubt ltr_ftrace_follow_doubt(const struct ltr_session *s,
					      uint32_t pid, uint32_t tid,
					      uint64_t time);

/* ftrace-follow.c: the process of each record of a following instance */
struct ltr_follow;
struct ltr_follow_rec {
	int id;			/* the record's tracepoint */
	int cpu;		/* index in the instance's CPUs */
	uint64_t time;
	uint32_t tid, size;
	unsigned char *raw;
};
struct ltr_follow *ltr_follow_new(size_t max_bytes);
void ltr_follow_free(struct ltr_follow *f);
int ltr_follow_task(struct ltr_follow *f, uint32_t tid, uint32_t tgid,
		    uint64_t since);
void ltr_follow_exit(struct ltr_follow *f, uint32_t tid, uint64_t time);
/* what a record says of its tasks (ltr_follow_note()) */
enum ltr_follow_kind {
	LTR_FOLLOW_RECORD,
	LTR_FOLLOW_FORK,
	LTR_FOLLOW_EXIT,
};
struct ltr_follow_says {
	enum ltr_follow_kind kind;
	uint32_t child; /* LTR_FOLLOW_FORK: the new task */
	bool thread;	/* LTR_FOLLOW_FORK: CLONE_THREAD */
	/* LTR_FOLLOW_EXIT: its process's last task (or not known) */
	bool group_dead;
};
int ltr_follow_note(struct ltr_follow *f, uint32_t tid, uint64_t time,
		    const struct ltr_follow_says *w, bool may_wait,
		    uint32_t *tgid, uint64_t *reused);
/* a waiting record to deliver now: how many delivered */
typedef int (*ltr_follow_fn)(const struct ltr_follow_rec *r, void *ctx,
			     int *stop);
int ltr_follow_retry(struct ltr_follow *f, uint64_t until, ltr_follow_fn fn,
		     void *ctx, int *stop);
bool ltr_follow_known(const struct ltr_follow *f, uint32_t tid);
uint64_t ltr_follow_since(const struct ltr_follow *f, uint32_t tid);
void ltr_follow_freed(struct ltr_follow *f, uint32_t tid, uint64_t time);
int ltr_follow_free_keep(struct ltr_follow *f, uint32_t tid, uint64_t time);
/* a free of id @tid at @time in the life of the task forked at @since */
typedef void (*ltr_follow_taken_fn)(void *ctx, uint32_t tid, uint64_t since,
				    uint64_t time);
void ltr_follow_frees_due(struct ltr_follow *f, uint64_t until,
			  ltr_follow_taken_fn fn, void *ctx);
int ltr_follow_free_order(const struct ltr_follow *f, uint32_t tid,
			  uint64_t since, uint64_t *at);
uint64_t ltr_follow_until(const struct ltr_follow *f, uint32_t tid,
			  uint64_t since);
int ltr_follow_pid(const struct ltr_follow *f, uint32_t tid, uint64_t time,
		   uint32_t *tgid);
int ltr_follow_pend(struct ltr_follow *f, int id, int cpu, uint64_t time,
		    uint32_t tid, const void *raw, uint32_t size);
struct ltr_follow_rec *ltr_follow_pending(struct ltr_follow *f, size_t *n);
void ltr_follow_drop(struct ltr_follow *f, size_t i);
uint64_t ltr_follow_oldest(const struct ltr_follow *f);
/* Makes the instance if there is none yet; 0 or a negative errno. */
int ltr_ftrace_ensure(struct ltr_session *s);
/* An instance file ("events/S/E/hist"), malloc'd; NULL with errno set. */
char *ltr_ftrace_read(const struct ltr_session *s, const char *file);
/* An instance file opened to read (O_CLOEXEC); -1 with errno set. */
int ltr_ftrace_open(const struct ltr_session *s, const char *file);
/* The instance's last error_log entry, one line, malloc'd, or NULL. */
char *ltr_ftrace_error_last(const struct ltr_session *s);
void ltr_ftrace_error_clear(const struct ltr_session *s);
/* Writes @val to an instance file, appended (no O_TRUNC) when @append. */
int ltr_ftrace_write(const struct ltr_session *s, const char *file,
		     const char *val, bool append);

/* hist.c: hist triggers (see there) */
int ltr_hist_trigger(struct ltr_event *ev, const struct ltr_event_opts *o,
		     char *buf, size_t len);
int ltr_hist_parse(const char *text, int nkeys, char vals[][64], int nvals,
		   struct ltr_hist *h);
/* Closes @ev's hist file if open (before the instance is removed). */
void ltr_hist_close(struct ltr_event *ev);
/* Whether the kernel has hist triggers (its tracefs README says so). */
bool ltr_hist_supported(const struct ltr_session *s);

/* missed.c: instances for a kretprobe, sized for this machine */
unsigned int ltr_kretprobe_maxactive(void);

/* elf.c: symbol to file offset, for uprobes */
int ltr_elf_symbol_offset(const char *path, const char *symbol,
			  uint64_t *offset);

#endif /* LDEN_TRACE_INTERNAL_H */
