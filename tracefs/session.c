// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The session: tracefs, the online CPUs, one mmap ring per CPU shared by
 * every sampling event on that CPU, and the events themselves.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "internal.h"

#define LTR_DEFAULT_RING_PAGES 512u
/*
 * The perf rings of a session whose first sampled event is scoped (a
 * task, a command, a cgroup), on a machine of at most SCOPED_RING_CPUS
 * CPUs, unless the caller chose a size: 4 MiB a CPU.  A scoped workload
 * is one process flat out (300,000 samples a second here): a 2 MiB ring
 * held 68 ms of it, which a reader kept off a loaded machine's CPUs
 * overran (8,039 of 500,000 lost, said as lost); the memory is the
 * kernel's, mapped, touched only as far as the records go.
 */
#define SCOPED_RING_PAGES 1024u
#define SCOPED_RING_CPUS 8

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * tracefs_tracing_dir() mounts tracefs when it finds none; it returns a
 * cached path, so copy it.
 */
static char *find_tracing_dir(const char *wanted)
{
	const char *dir = wanted;
	char events[PATH_MAX];

	if (!dir)
		dir = tracefs_tracing_dir();
	if (!dir)
		return ltr_error_null(ENODEV,
				      "tracefs is not mounted and could not be mounted on /sys/kernel/tracing (are you root? is CONFIG_TRACING set?)");
	snprintf(events, sizeof(events), "%s/events", dir);
	if (access(dir, X_OK) < 0 && (errno == EACCES || errno == EPERM))
		return ltr_error_null(EACCES, "permission denied reading tracefs at '%s': " LTR_PRIVILEGE_FIX " with read access to tracefs" LTR_PARANOID_FMT,
				      dir, ltr_paranoid());
	if (!is_dir(events))
		return ltr_error_null(ENODEV, "'%s' is not a tracefs directory (no events/)",
				      dir);
	return strdup(dir);
}

const char *ltr_tracing_dir(void)
{
	static char *dir;

	if (!dir)
		dir = find_tracing_dir(NULL);
	return dir;
}

struct ltr_session *ltr_session__new(const struct ltr_session_opts *opts)
{
	struct ltr_session_opts defaults = { 0 };
	struct ltr_session *s;
	unsigned int pages;
	int n;

	ltr_clear_error();
	if (!opts)
		opts = &defaults;
	pages = opts->ring_pages ? opts->ring_pages : LTR_DEFAULT_RING_PAGES;
	if (pages & (pages - 1))
		return ltr_error_null(EINVAL, "ring size of %u pages is not a power of two",
				      pages);

	if (opts->recall_pages & (opts->recall_pages - 1))
		return ltr_error_null(EINVAL, "recall ring size of %u pages is not a power of two",
				      opts->recall_pages);

	s = calloc(1, sizeof(*s));
	if (!s)
		return ltr_error_null(ENOMEM, "out of memory");
	s->epfd = -1;
	s->group_lock = -1;
	s->instance_lock = -1;
	s->ring_pages = pages;
	s->ring_pages_default = !opts->ring_pages;
	s->ftrace_no_mmap = opts->ftrace_read;
	s->wakeup_bytes = opts->wakeup_bytes;
	s->detach_close = opts->detach_close;
	s->ring = opts->ring;
	s->need_tgid = opts->need_tgid;
	s->recall_pages = opts->recall_pages;
	/*
	 * the tests' hooks, read once: every counter read on its own
	 * (readgroup.c), and stand-ins for older kernels
	 */
	s->rg_tried = s->rg_off = getenv("LDEN_TEST_NO_READ_GROUP") != NULL;
	s->test_no_inherit_thread = getenv("LDEN_TEST_NO_INHERIT_THREAD") != NULL;
	s->test_exit_not_per_task = getenv("LDEN_TEST_EXIT_NOT_PER_TASK") != NULL;
	s->sample_cgroup = opts->sample_cgroup &&
			   ltr_has_sample_cgroup(&s->sample_cgroup_why);
	if (ltr_owner_name(s->group, sizeof(s->group)) < 0)
		goto out_free;

	s->tracing_dir = find_tracing_dir(opts->tracing_dir);
	if (!s->tracing_dir)
		goto out_free;

	n = ltr_online_cpus(&s->cpus);
	if (n < 0)
		goto out_free;
	s->ncpus = n;

	/* it says what it removed (LTR_INFO) */
	if (!opts->no_sweep)
		ltr_sweep_stale_groups(s->tracing_dir);
	ltr_clear_error();
	return s;

out_free:
	n = errno;
	ltr_session__free(s);
	errno = n;
	return NULL;
}

const char *ltr_session__tracing_dir(const struct ltr_session *s)
{
	return s->tracing_dir;
}

const char *ltr_session__group(const struct ltr_session *s)
{
	return s->group;
}

bool ltr_session__sample_cgroup(const struct ltr_session *s)
{
	return s->sample_cgroup;
}

int ltr_session__ncpus(const struct ltr_session *s)
{
	return s->ncpus;
}

int ltr_session__follow(struct ltr_session *s, pid_t pid)
{
	if (s->ft || s->events)
		return ltr_error(EBUSY, "the session has events already: it cannot follow a command now");
	/*
	 * Only where the process is shown (trace, top, io): elsewhere the
	 * perf ring's per-task counts stay the reference (a counting twin
	 * and set_event_pid start and stop at other points of a task's life)
	 */
	if (!s->need_tgid)
		return 0;
	/*
	 * The ftrace ring asked for and unable to follow: said now, as the
	 * ring's (its instance is made at the first event, whose name the
	 * error would carry); with auto the perf ring serves, saying why
	 */
	if (s->ring == LTR_RING_FTRACE) {
		int err = ltr_ftrace_can_follow(s->tracing_dir);

		if (err < 0)
			return err;
	}
	s->ft_pid = pid;
	return 0;
}

uint64_t ltr_session__unknown_pids(const struct ltr_session *s)
{
	return ltr_ftrace_unknown_pids(s);
}

uint64_t ltr_session__foreign(const struct ltr_session *s)
{
	return ltr_ftrace_foreign(s);
}

const struct ltr_follow_gap *ltr_session__follow_gaps(const struct ltr_session *s,
						      size_t *n)
{
	return ltr_ftrace_follow_gaps(s, n);
}

enum ltr_follow_doubt ltr_session__follow_doubt(const struct ltr_session *s,
						uint32_t pid, uint32_t tid,
						uint64_t time)
{
	return ltr_ftrace_follow_doubt(s, pid, tid, time);
}

enum ltr_ring_kind ltr_session__ring(const struct ltr_session *s)
{
	return s->ring;
}

const char *ltr_session__instance(const struct ltr_session *s)
{
	return ltr_ftrace_name(s);
}

/* ------------------------------------------------------------------ */
/* Rings: one per CPU, owned by a dummy software event that never samples */

/*
 * What the samples of an event of @s opened with @o carry (NULL: a ring's
 * owner, which writes none): see LTR_SAMPLE_LEAN and LTR_SAMPLE_RING;
 * each with the cgroup id where the session asked for it (top --by
 * cgroup).
 */
static uint64_t sample_type_of(const struct ltr_session *s,
			       const struct ltr_event_opts *o)
{
	uint64_t cgroup = s->sample_cgroup ? PERF_SAMPLE_CGROUP : 0;

	if (!o || o->recall || o->sample_cpu)
		return LTR_SAMPLE_TYPE | cgroup;
	if (o->size_only)
		return LTR_SAMPLE_LEAN | cgroup;
	return LTR_SAMPLE_RING | cgroup;
}

static void fill_sampling_attr(struct ltr_session *s,
			       struct perf_event_attr *a, uint64_t type)
{
	size_t data_bytes = (size_t)s->perf_pages * sysconf(_SC_PAGESIZE);

	a->size = sizeof(*a);
	a->sample_period = 1;
	a->sample_type = type;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->watermark = 1;
	a->wakeup_watermark = s->wakeup_bytes ? s->wakeup_bytes :
						 data_bytes / 4;
	if (a->wakeup_watermark >= data_bytes)
		a->wakeup_watermark = data_bytes / 2;
	a->disabled = 1;
}

static void unmap_rings(struct ltr_session *s)
{
	if (!s->rings)
		return;
	for (int i = 0; i < s->ncpus; i++) {
		struct ltr_ring *r = &s->rings[i];

		if (r->base)
			munmap(r->base, r->map_size);
		if (r->fd >= 0)
			close(r->fd);
		ltr_ring_fini(r);
	}
	free(s->rings);
	s->rings = NULL;
}

/* The perf rings' data pages a CPU, for a first sampled event of @o. */
static unsigned int perf_ring_pages(const struct ltr_session *s,
				    const struct ltr_event_opts *o)
{
	if (s->ring_pages_default && (o->pid > 0 || o->cgroup) &&
	    s->ncpus <= SCOPED_RING_CPUS && s->ring_pages < SCOPED_RING_PAGES)
		return SCOPED_RING_PAGES;
	return s->ring_pages;
}

static int map_rings(struct ltr_session *s, const struct ltr_event_opts *o)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t map_size;
	int err;

	if (s->rings)
		return 0;
	s->perf_pages = perf_ring_pages(s, o);
	map_size = (size_t)(s->perf_pages + 1) * page;
	s->rings = calloc(s->ncpus, sizeof(*s->rings));
	if (!s->rings)
		return ltr_error(ENOMEM, "out of memory");
	for (int i = 0; i < s->ncpus; i++)
		s->rings[i].fd = -1;
	if (s->epfd < 0)
		s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0) {
		err = ltr_error(errno, "epoll_create1: %s", strerror(errno));
		goto out_unmap;
	}

	for (int i = 0; i < s->ncpus; i++) {
		struct perf_event_attr a = { 0 };
		struct epoll_event ee = { .events = EPOLLIN, .data.u32 = i };
		struct ltr_ring *r = &s->rings[i];
		void *base;
		int fd;

		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_DUMMY;
		fill_sampling_attr(s, &a, sample_type_of(s, NULL));
		fd = ltr_perf_open(&a, -1, s->cpus[i], -1, 0);
		if (fd < 0) {
			err = ltr_perf_open_error(-fd, "ring buffer");
			goto out_unmap;
		}
		r->fd = fd;
		base = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, 0);
		if (base == MAP_FAILED) {
			err = ltr_error(errno,
					"cannot map a %zu KiB ring on CPU %d: %s (kernel.perf_event_mlock_kb, RLIMIT_MEMLOCK)",
					map_size / 1024, s->cpus[i],
					strerror(errno));
			goto out_unmap;
		}
		err = ltr_ring_init(r, base, map_size, fd, s->cpus[i]);
		if (err < 0) {
			munmap(base, map_size);
			goto out_unmap;
		}
		r->session = s;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ee) < 0) {
			err = ltr_error(errno, "epoll_ctl: %s", strerror(errno));
			goto out_unmap;
		}
	}
	return 0;

out_unmap:
	unmap_rings(s);
	return err;
}

/* ------------------------------------------------------------------ */
/* Sample id -> event */

static int idmap_add(struct ltr_session *s, uint64_t id, struct ltr_event *ev)
{
	struct ltr_id_map *m;
	size_t i;

	m = realloc(s->idmap, (s->nidmap + 1) * sizeof(*m));
	if (!m)
		return ltr_error(ENOMEM, "out of memory");
	s->idmap = m;
	for (i = s->nidmap; i > 0 && m[i - 1].id > id; i--)
		m[i] = m[i - 1];
	m[i].id = id;
	m[i].ev = ev;
	s->nidmap++;
	return 0;
}

static void idmap_remove_event(struct ltr_session *s, struct ltr_event *ev)
{
	size_t j = 0;

	for (size_t i = 0; i < s->nidmap; i++)
		if (s->idmap[i].ev != ev)
			s->idmap[j++] = s->idmap[i];
	s->nidmap = j;
}

static struct ltr_event *idmap_find(const struct ltr_session *s, uint64_t id);

struct ltr_event *ltr_session_event_of(const struct ltr_session *s,
				       uint64_t id)
{
	return idmap_find(s, id);
}

static struct ltr_event *idmap_find(const struct ltr_session *s, uint64_t id)
{
	size_t lo = 0, hi = s->nidmap;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->idmap[mid].id == id)
			return s->idmap[mid].ev;
		if (s->idmap[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Events */

/* Reads events/<sys>/<name>/<file> into a malloc'd NUL-terminated buffer. */
static char *read_event_file(const struct ltr_session *s, const char *sys,
			     const char *name, const char *file, size_t *len)
{
	char path[PATH_MAX];
	char *buf = NULL;
	size_t size = 0, cap = 0;
	int fd, err;

	if (snprintf(path, sizeof(path), "%s/events/%s/%s/%s", s->tracing_dir,
		     sys, name, file) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t n;

		if (cap - size < 4096) {
			char *nb = realloc(buf, cap + 16384);

			if (!nb)
				goto out_err;
			buf = nb;
			cap += 16384;
		}
		n = read(fd, buf + size, cap - size - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out_err;
		}
		if (n == 0)
			break;
		size += n;
	}
	close(fd);
	buf[size] = '\0';
	if (len)
		*len = size;
	return buf;

out_err:
	err = errno;
	free(buf);
	close(fd);
	errno = err;
	return NULL;
}

static bool valid_name(const char *n)
{
	if (!n || !*n || strlen(n) > 128)
		return false;
	for (; *n; n++)
		if (*n == '/' || *n == '.' || *n == ' ' || *n == '\n')
			return false;
	return true;
}

static void event_free(struct ltr_event *ev)
{
	if (!ev)
		return;
	ltr_readgroup_forget(ev->session, ev);
	for (int i = 0; i < ev->nfds; i++)
		if (ev->fds[i] >= 0)
			close(ev->fds[i]);
	for (int i = 0; i < ev->nfields; i++)
		ltr_field_fini(&ev->fields[i]);
	free(ev->fields);
	free(ev->fds);
	free(ev->sample_ids);
	free(ev->snap);
	ltr_hist_close(ev);
	free(ev->hist_trigger);
	free(ev->hist_filter);
	free(ev->count_filter);
	free(ev->system);
	free(ev->name);
	free(ev);
}

/*
 * An event's format as last read, parsed (issue 18): lden opens a
 * tracepoint two to four times at a start (counted, sampled, in the
 * instance, the signed-size check), each of those once a scope, and
 * parsing the same text again and again was 6% of a start's CPU with
 * every event.  An entry serves only a text equal to its own, byte for
 * byte (the ID: line included): a dynamic event re-created since, whose
 * id the kernel may recycle, is parsed afresh.
 */
struct ltr_format {
	struct ltr_format *next;
	char *system, *name;
	char *text;
	size_t len;
	struct tep_handle *tep;	/* a handle of its own: this event only */
	struct tep_event *te;
};

static void format_free(struct ltr_format *f)
{
	if (!f)
		return;
	tep_free(f->tep);
	free(f->text);
	free(f->system);
	free(f->name);
	free(f);
}

static void formats_free(struct ltr_session *s)
{
	while (s->formats) {
		struct ltr_format *f = s->formats;

		s->formats = f->next;
		format_free(f);
	}
}

/* @text, @len of @ev's format parsed (kept in the session), or NULL. */
static struct tep_event *parsed_format(struct ltr_event *ev, const char *text,
				       size_t len)
{
	struct ltr_session *s = ev->session;
	struct ltr_format *f;

	/*
	 * A text that changed is parsed again below; the old entry stays
	 * until the session ends: an event opened on it still decodes with
	 * its tep_event
	 */
	for (f = s->formats; f; f = f->next)
		if (!strcmp(f->system, ev->system) &&
		    !strcmp(f->name, ev->name) && f->len == len &&
		    !memcmp(f->text, text, len))
			return f->te;
	f = calloc(1, sizeof(*f));
	if (!f)
		goto out_nomem;
	f->system = strdup(ev->system);
	f->name = strdup(ev->name);
	f->text = malloc(len + 1);
	f->tep = tep_alloc();
	if (!f->system || !f->name || !f->text || !f->tep)
		goto out_nomem;
	memcpy(f->text, text, len);
	f->text[len] = '\0';
	f->len = len;
	tep_set_loglevel(TEP_LOG_NONE);
	tep_set_long_size(f->tep, sizeof(long));
	tep_set_page_size(f->tep, getpagesize());
	tep_parse_event(f->tep, f->text, len, ev->system);
	f->te = tep_find_event_by_name(f->tep, ev->system, ev->name);
	if (!f->te) {
		format_free(f);
		ltr_error(EINVAL, "cannot parse the format of '%s:%s'",
			  ev->system, ev->name);
		return NULL;
	}
	f->next = s->formats;
	s->formats = f;
	return f->te;

out_nomem:
	format_free(f);
	ltr_error(ENOMEM, "out of memory");
	return NULL;
}

/*
 * The event's format (@text, read with its id), its fields copied out,
 * and the filter checked against it.
 */
static int load_format(struct ltr_event *ev, const char *filter,
		       const char *text, size_t len)
{
	struct tep_format_field **common = NULL, **fields = NULL;
	struct tep_event *te;
	int ncommon = 0, nfields = 0, err = 0;

	te = parsed_format(ev, text, len);
	if (!te)
		return -errno;

	common = tep_event_common_fields(te);
	fields = tep_event_fields(te);
	for (; common && common[ncommon]; ncommon++)
		;
	for (; fields && fields[nfields]; nfields++)
		;
	ev->fields = calloc(ncommon + nfields + 1, sizeof(*ev->fields));
	if (!ev->fields) {
		err = ltr_error(ENOMEM, "out of memory");
		goto out_free;
	}
	for (int i = 0; i < ncommon + nfields; i++) {
		struct tep_format_field *tf = i < ncommon ? common[i] :
							    fields[i - ncommon];

		err = ltr_field_init(&ev->fields[i], tf);
		if (err < 0)
			goto out_free;
		ev->nfields++;
	}

	/*
	 * ftrace:function filters name functions ("ip == vfs_read"), which
	 * only the kernel can check
	 */
	if (filter && *filter && strcmp(ev->system, "ftrace")) {
		char *msg = NULL;

		if (tracefs_filter_string_verify(te, filter, &msg) < 0) {
			char *nl;

			if (msg) {
				/* keep the one-line explanation */
				while ((nl = strrchr(msg, '\n')) && !nl[1])
					*nl = '\0';
				nl = strrchr(msg, '\n');
			}
			err = ltr_error(EINVAL, "bad filter '%s' on %s:%s: %s",
					filter, ev->system, ev->name,
					msg ? (nl ? nl + 1 : msg) :
					      "rejected");
			free(msg);
			goto out_free;
		}
		free(msg);
	}

out_free:
	free(common);
	free(fields);
	return err;
}

/* Whether @ev writes perf samples (else it counts, or its records go to
 * the instance's ftrace ring). */
static bool perf_samples(const struct ltr_event *ev)
{
	return ev->mode == LTR_MODE_SAMPLE && ev->ring == LTR_RING_PERF;
}

/*
 * Whether the scope of @o is every thread of a process: its threads alive
 * at the open each opened, those created later inherited (inherit_thread,
 * 5.13+), never its child processes unless o->inherit asks for them.
 */
static bool whole_process(const struct ltr_event_opts *o)
{
	return o->pid > 0 && o->threads && !o->cgroup;
}

/*
 * With o->pid and no o->inherit: only the task; with it, the task and
 * every task it creates; with whole_process(), threads created later
 * too, unless the kernel lacks inherit_thread (s->no_inherit_thread).
 */
static void scope_attr(struct ltr_session *s, const struct ltr_event_opts *o,
		       struct perf_event_attr *a)
{
	a->inherit = o->pid > 0 && o->inherit;
	a->inherit_thread = 0;
	/* the tests' stand-in for a kernel before 5.13 */
	if (whole_process(o) && !o->inherit && s->test_no_inherit_thread)
		s->no_inherit_thread = true;
	if (whole_process(o) && !o->inherit && !s->no_inherit_thread) {
		a->inherit = 1;
		a->inherit_thread = 1;
	}
}

/*
 * An EINVAL for @a: which of the newer features does the kernel lack?
 * PERF_FORMAT_LOST (6.0), inherit_thread (5.13), or both: the first of
 * the attr without the one, the other, both that the kernel does not
 * refuse (EINVAL) is taken, with the session's fallback for what it
 * lacks.  Refused all three ways, the EINVAL has another cause: the attr
 * and the session stay as they were (before, any EINVAL with read_format
 * set dropped PERF_FORMAT_LOST for the session, and the events opened
 * with it were then read short).  Once an event has opened with
 * PERF_FORMAT_LOST the kernel has it: it is never blamed again.
 */
static int open_older(struct ltr_session *s, struct perf_event_attr *a,
		      pid_t pid, int cpu, int group_fd, unsigned long flags)
{
	bool lost = (a->read_format & PERF_FORMAT_LOST) && !s->format_lost_ok;
	bool thread = a->inherit_thread;

	for (int drop = 1; drop <= 3; drop++) {
		bool drop_lost = drop & 1, drop_thread = drop & 2;
		struct perf_event_attr t = *a;
		int fd;

		if ((drop_lost && !lost) || (drop_thread && !thread))
			continue;
		if (drop_lost)
			t.read_format &= ~(uint64_t)PERF_FORMAT_LOST;
		if (drop_thread) {
			t.inherit = 0;
			t.inherit_thread = 0;
		}
		fd = ltr_perf_open(&t, pid, cpu, group_fd, flags);
		if (fd == -EINVAL)
			continue;
		/* before 6.0: losses only from the rings' LOST records */
		if (drop_lost)
			s->no_format_lost = true;
		/* before 5.13: threads created later cannot be told from
		 * child processes; the threads alive now are opened each */
		if (drop_thread)
			s->no_inherit_thread = true;
		*a = t;
		return fd;
	}
	return -EINVAL;
}

/*
 * One perf event, with the fallbacks of older kernels (open_older()); an
 * exhausted RLIMIT_NOFILE soft limit raised to the hard one once.
 * Returns the fd, or a negative errno.
 */
static int open_attr(struct ltr_session *s, struct perf_event_attr *a,
		     pid_t pid, int cpu, int group_fd, unsigned long flags)
{
	int fd = ltr_perf_open(a, pid, cpu, group_fd, flags);

	if (fd == -EINVAL)
		fd = open_older(s, a, pid, cpu, group_fd, flags);
	if (fd == -EMFILE && !s->nofile_raised) {
		struct rlimit rl;

		s->nofile_raised = true;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
				fd = ltr_perf_open(a, pid, cpu, group_fd, flags);
		}
	}
	if (fd >= 0 && (a->read_format & PERF_FORMAT_LOST))
		s->format_lost_ok = true;
	return fd;
}

/* RLIMIT_NOFILE, even its hard limit, is too low for the events. */
static int nofile_error(const struct ltr_event_opts *o, const char *what,
			int ncpus)
{
	struct rlimit rl = { 0 };

	getrlimit(RLIMIT_NOFILE, &rl);
	return ltr_error(EMFILE, "too many open files opening '%s': a perf event per %sCPU and event (%d CPUs), %llu files at most (RLIMIT_NOFILE, its hard limit %llu: raise it, ulimit -Hn)",
			 what, whole_process(o) ? "thread, " : "", ncpus,
			 (unsigned long long)rl.rlim_cur,
			 (unsigned long long)rl.rlim_max);
}

/*
 * The event on task @tid, on every CPU: fds ev->nfds .. + ncpus.  On an
 * error none of them stays open; -ESRCH when the task is gone.
 */
static int open_task(struct ltr_event *ev, const struct ltr_event_opts *o,
		     pid_t tid, unsigned long flags, const char *what)
{
	struct ltr_session *s = ev->session;
	int base = ev->nfds, n = s->ncpus, err = 0;
	int *fds = realloc(ev->fds, (base + n) * sizeof(*fds));
	struct ltr_snap *snap = NULL;
	uint64_t *ids;
	/* system-wide: read with the CPU's other counters (readgroup.c) */
	bool grouping = tid == -1 && !flags && !o->group && !o->recall;

	if (fds)
		ev->fds = fds;
	ids = fds ? realloc(ev->sample_ids, (base + n) * sizeof(*ids)) : NULL;
	if (ids) {
		ev->sample_ids = ids;
		snap = realloc(ev->snap, (base + n) * sizeof(*snap));
	}
	if (!snap)
		return ltr_error(ENOMEM, "out of memory");
	ev->snap = snap;
	for (int i = 0; i < n; i++) {
		fds[base + i] = -1;
		ids[base + i] = 0;
		snap[base + i] = (struct ltr_snap){ 0 };
	}
	ev->sample_type = sample_type_of(s, o);

	for (int i = 0; i < n && !err; i++) {
		struct perf_event_attr a = { 0 };
		int fd, group_fd = -1;

		a.type = PERF_TYPE_TRACEPOINT;
		a.size = sizeof(a);
		a.config = ev->id;
		/* the kernel groups only events of one clock: counting ones too */
		a.use_clockid = 1;
		a.clockid = CLOCK_MONOTONIC;
		if (perf_samples(ev))
			fill_sampling_attr(s, &a, ev->sample_type);
		/* a group member follows its leader: enabled, it waits for it */
		a.disabled = !o->group;
		if (o->group)
			group_fd = o->group->fds[i];
		if (o->recall)
			ltr_recall_attr(&a);
		scope_attr(s, o, &a);
		fd = -1;
		/* first: the leaders' open tells an old kernel (readgroup.c) */
		if (grouping)
			group_fd = ltr_readgroup_leader(s, i, perf_samples(ev));
		if (perf_samples(ev) && !s->no_format_lost)
			a.read_format = PERF_FORMAT_LOST;
		if (group_fd >= 0 && !o->group) {
			/* refused in the group (too many, an old kernel): alone */
			fd = ltr_perf_open(&a, tid, s->cpus[i], group_fd, flags);
			if (fd >= 0 && (a.read_format & PERF_FORMAT_LOST))
				s->format_lost_ok = true;
			if (fd >= 0 &&
			    ltr_readgroup_add(s, i, ev, base + i, fd) < 0)
				snap[base + i].grouped = false;
			group_fd = -1;
		}
		if (fd < 0)
			fd = open_attr(s, &a, tid, s->cpus[i], group_fd, flags);
		if (fd == -ESRCH) {
			err = -ESRCH;
			break;
		}
		if (fd == -EMFILE)
			err = nofile_error(o, what, n);
		else if (fd < 0)
			err = ltr_perf_open_error(-fd, what);
		if (err)
			break;
		fds[base + i] = fd;
		if (o->filter && *o->filter &&
		    ioctl(fd, PERF_EVENT_IOC_SET_FILTER, o->filter) < 0) {
			err = ltr_error(errno, "the kernel rejected filter '%s' on %s: %s",
					o->filter, what, strerror(errno));
			break;
		}
		if (!perf_samples(ev))
			continue;
		/* an inherited event's samples go to its parent's ring */
		if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT,
			  o->recall ? ltr_recall_fd(s, i) : s->rings[i].fd) < 0)
			err = ltr_error(errno, "cannot send %s samples to the CPU %d ring: %s",
					what, s->cpus[i], strerror(errno));
		else if (ioctl(fd, PERF_EVENT_IOC_ID, &ids[base + i]) < 0)
			err = ltr_error(errno, "PERF_EVENT_IOC_ID on %s: %s",
					what, strerror(errno));
	}
	if (err) {
		ltr_readgroup_forget(s, ev);
		for (int i = 0; i < n; i++) {
			if (fds[base + i] >= 0)
				close(fds[base + i]);
			snap[base + i].grouped = false;
		}
		return err;
	}
	ev->nfds += n;
	/* an inherited copy's samples carry the id of the event it copies */
	for (int i = 0; perf_samples(ev) && i < n; i++) {
		err = idmap_add(s, ids[base + i], ev);
		if (err < 0)
			return err;
	}
	return 0;
}

/* The tids /proc/@pid/task lists, in *@tids (malloc'd); how many, or -errno. */
static int list_threads(pid_t pid, pid_t **tids)
{
	char path[64];
	struct dirent *d;
	int n = 0, cap = 0;
	DIR *dir;

	*tids = NULL;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((d = readdir(dir))) {
		pid_t tid = (pid_t)atoi(d->d_name);

		if (tid <= 0)
			continue;
		if (n == cap) {
			pid_t *t = realloc(*tids, (cap ? 2 * cap : 16) * sizeof(*t));

			if (!t) {
				closedir(dir);
				return -ENOMEM;
			}
			*tids = t;
			cap = cap ? 2 * cap : 16;
		}
		(*tids)[n++] = tid;
	}
	closedir(dir);
	return n;
}

/* Whether a tid of @now[0..@m) is not in @was[0..@n). */
static bool any_new(const pid_t *now, int m, const pid_t *was, int n)
{
	for (int i = 0; i < m; i++) {
		int j = 0;

		while (j < n && was[j] != now[i])
			j++;
		if (j == n)
			return true;
	}
	return false;
}

/* Closes every fd of @ev, forgets its ids: the event as before opening. */
static void close_fds(struct ltr_event *ev)
{
	ltr_readgroup_forget(ev->session, ev);
	for (int i = 0; i < ev->nfds; i++)
		if (ev->fds[i] >= 0)
			close(ev->fds[i]);
	idmap_remove_event(ev->session, ev);
	ev->nfds = 0;
}

#define LTR_THREAD_TRIES 8

/*
 * The event on every thread of process o->pid that /proc/<pid>/task
 * lists, then listed again.  A thread new in the second listing was
 * created during the opens: before its creator's events were open (not
 * inherited) or after (inherited), which nothing tells apart, so the
 * opens start over (closing an event removes its inherited copies).
 * Once a second listing shows no new thread, every thread alive was
 * opened before it could inherit, and any created later inherits from
 * a thread whose events are all open: each counted once.  A thread
 * gone meanwhile (ESRCH) ended before the events are enabled.
 */
static int open_process(struct ltr_event *ev, const struct ltr_event_opts *o,
			const char *what)
{
	pid_t *was = NULL, *now = NULL;
	int n, m = 0, err = 0, tries = 0;
	bool changed = false;

	n = list_threads(o->pid, &was);
	do {
		if (n < 0) {
			err = n == -ENOMEM ? ltr_error(ENOMEM, "out of memory") : n;
			break;
		}
		close_fds(ev);
		for (int i = 0; i < n && !err; i++) {
			err = open_task(ev, o, was[i], 0, what);
			if (err == -ESRCH)
				err = 0;
		}
		if (err)
			break;
		free(now);
		m = list_threads(o->pid, &now);
		if (m < 0) {
			/* the process ended: nothing more to count */
			m = 0;
			break;
		}
		changed = any_new(now, m, was, n);
		free(was);
		was = now;
		n = m;
		now = NULL;
	} while (changed && ++tries < LTR_THREAD_TRIES);
	if (!err && changed)
		ltr_warn("process %d created threads while %s was being opened, %d times: a thread created then may be counted twice or not at all\n",
			 (int)o->pid, what, LTR_THREAD_TRIES);
	free(was);
	free(now);
	if (!err && !ev->nfds)
		err = -ESRCH;
	if (!err)
		ltr_debug("%s: %d threads of process %d (%d tries)\n", what,
			  ev->nfds / ev->session->ncpus, (int)o->pid, tries + 1);
	return err;
}

static int open_on_cpus(struct ltr_event *ev, const struct ltr_event_opts *o)
{
	char what[300];
	int cgroup_fd = -1;
	unsigned long flags = 0;
	pid_t pid = -1;
	int err;

	snprintf(what, sizeof(what), "%s:%s", ev->system, ev->name);
	if (o->cgroup) {
		cgroup_fd = open(o->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cgroup_fd < 0)
			return ltr_error(errno, "cannot open cgroup '%s': %s",
					 o->cgroup, strerror(errno));
		pid = cgroup_fd;
		flags = PERF_FLAG_PID_CGROUP;
	} else if (o->pid > 0) {
		pid = o->pid;
	}

	if (whole_process(o))
		err = open_process(ev, o, what);
	else
		err = open_task(ev, o, pid, flags, what);
	if (err == -ESRCH)
		err = ltr_error(ESRCH, "no process %d to trace", (int)o->pid);
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	return err;
}

/* The trigger of a hist event, with @suffix (":pause"), or removed ("!"). */
static int hist_write(struct ltr_event *ev, const char *prefix,
		      const char *suffix)
{
	char file[512], *line;
	int err;

	snprintf(file, sizeof(file), "events/%s/%s/trigger", ev->system,
		 ev->name);
	if (asprintf(&line, "%s%s%s%s%s", prefix, ev->hist_trigger, suffix,
		     ev->hist_filter ? " if " : "",
		     ev->hist_filter ? ev->hist_filter : "") < 0)
		return -ENOMEM;
	/* appended: O_TRUNC on a trigger file would remove the others */
	err = ltr_ftrace_write(ev->session, file, line, true);
	free(line);
	return err;
}

/*
 * A hist trigger on the event in the session's instance, paused until
 * the event is enabled.
 */
static int open_hist(struct ltr_event *ev, const struct ltr_event_opts *o)
{
	struct ltr_session *s = ev->session;
	char path[PATH_MAX], trigger[4096];
	int err;

	if (o->pid > 0 || o->cgroup || s->ft_pid > 0)
		return ltr_error(EINVAL, "%s:%s: the kernel aggregates system-wide only, not per task or cgroup",
				 ev->system, ev->name);
	snprintf(path, sizeof(path), "%s/events/%s/%s/hist", s->tracing_dir,
		 ev->system, ev->name);
	if (access(path, F_OK) < 0)
		return ltr_error(EOPNOTSUPP, "%s:%s: this kernel has no hist triggers (CONFIG_HIST_TRIGGERS is off)",
				 ev->system, ev->name);
	for (struct ltr_event *o2 = s->events; o2; o2 = o2->next)
		if (o2->mode == LTR_MODE_HIST && o2->id == ev->id)
			return ltr_error(EBUSY, "%s:%s is aggregated in the kernel already (one hist trigger per tracepoint)",
					 ev->system, ev->name);
	err = ltr_hist_trigger(ev, o, trigger, sizeof(trigger));
	if (err < 0)
		return err;
	err = ltr_ftrace_ensure(s);
	if (err < 0)
		return err;
	ev->hist_trigger = strdup(trigger);
	if (o->filter && *o->filter)
		ev->hist_filter = strdup(o->filter);
	if (!ev->hist_trigger || (o->filter && *o->filter && !ev->hist_filter))
		return ltr_error(ENOMEM, "out of memory");
	ltr_ftrace_error_clear(s);
	err = hist_write(ev, "", ":pause");
	if (err < 0) {
		char *msg = ltr_ftrace_error_last(s);

		err = ltr_error(-err, "the kernel refused the hist trigger '%s%s%s' on %s:%s: %s",
				trigger, ev->hist_filter ? " if " : "",
				ev->hist_filter ? ev->hist_filter : "",
				ev->system, ev->name,
				msg && *msg ? msg : strerror(-err));
		free(msg);
		return err;
	}
	/* opened now, paused: a read's open is never one the hist counts */
	snprintf(path, sizeof(path), "events/%s/%s/hist", ev->system,
		 ev->name);
	ev->hist_fd = ltr_ftrace_open(s, path);
	ev->hist_fd_open = ev->hist_fd >= 0;
	return 0;
}

/*
 * Where a sampling event's records go: the instance's ftrace ring unless
 * it cannot serve (made here on its first use), else the perf rings;
 * ev->ring_why says why.  Returns 0, or a negative errno when the ftrace
 * ring was asked for and cannot serve.
 */
static int choose_ring(struct ltr_event *ev, const struct ltr_event_opts *o)
{
	struct ltr_session *s = ev->session;
	enum ltr_ring_kind want = o->ring ? o->ring : s->ring;
	const char *why = o->ring && o->ring_why ? o->ring_why : "asked for";
	int err;

	if (want == LTR_RING_PERF) {
		ev->ring = LTR_RING_PERF;
		ev->ring_why = why;
		return 0;
	}
	if (s->need_tgid && !ltr_ftrace_follows(s, o))
		why = "the process id is shown: the ftrace ring does not record it";
	else if (s->sample_cgroup)
		why = "the cgroup is shown: the ftrace ring does not record it";
	else if (ltr_ftrace_can_take(s, ev, o, &why)) {
		err = ltr_ftrace_add(s, ev, o);
		if (!err) {
			ev->ring = LTR_RING_FTRACE;
			ev->ring_why = want == LTR_RING_FTRACE ? "asked for" :
				       ltr_ftrace_follows(s, o) ?
					       "the command and its children (set_event_pid)" :
					       "system-wide";
			return 0;
		}
		if (want == LTR_RING_FTRACE)
			return err;
		if (err == -EFBIG) {
			why = LTR_FTRACE_TOO_LONG;
		} else if (!s->ft) {
			/* no instance: the perf ring serves from now on */
			snprintf(s->ft_refused, sizeof(s->ft_refused), "%s",
				 ltr_last_error());
			why = s->ft_refused;
		} else {
			why = "lden's instance refused it";
		}
		ltr_clear_error();
	}
	if (want == LTR_RING_FTRACE)
		return ltr_error(EINVAL, "cannot sample %s:%s through the ftrace ring: %s",
				 ev->system, ev->name, why);
	ev->ring = LTR_RING_PERF;
	ev->ring_why = why;
	return 0;
}

static struct ltr_event *event_open(struct ltr_session *s, const char *system,
				    const char *name,
				    const struct ltr_event_opts *opts);

/*
 * Another event joins the instance's ring: those counted from their
 * records there with opts.shared_counter get a counter, while they have
 * not started (each one's drops would no longer be its own); one already
 * started stays counted from its records, short by up to the ring's
 * drops, said so (ltr_event__count_short()).
 */
static int share_ring(struct ltr_session *s)
{
	for (struct ltr_event *e = s->events; e; e = e->next) {
		struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE };
		int err;

		if (!e->count_records || !e->shared_counter || e->enabled_once)
			continue;
		o.filter = e->count_filter;
		err = open_on_cpus(e, &o);
		if (err < 0)
			return err;
		e->count_records = false;
	}
	return 0;
}

/*
 * Into the session's list, newest first: ltr_session__enable() goes from
 * its end, ltr_session__disable() from its head.  After @before when
 * given (opts.enable_before): enabled just before it, disabled just
 * after it.
 */
static void link_event(struct ltr_session *s, struct ltr_event *ev,
		       struct ltr_event *before)
{
	struct ltr_event **at = &s->events;

	while (before && *at && *at != before)
		at = &(*at)->next;
	if (!before || !*at)
		at = &s->events;
	else
		at = &(*at)->next;
	ev->next = *at;
	*at = ev;
}

/*
 * The tests' stand-in for a kernel whose do_exit() detaches a task's perf
 * events before it fires sched_process_exit (ltr_exit_seen_per_task()):
 * with LDEN_TEST_EXIT_NOT_PER_TASK (when the session was made), that
 * tracepoint opened on a task sees no exit (a filter no record passes)
 */
struct ltr_event *ltr_event__open(struct ltr_session *s, const char *system,
				  const char *name,
				  const struct ltr_event_opts *opts)
{
	struct ltr_event_opts faked;
	struct ltr_event *ev;
	char *f;

	if (!s->test_exit_not_per_task || !opts || opts->pid <= 0 ||
	    !system || !name || strcmp(system, "sched") ||
	    strcmp(name, "sched_process_exit"))
		return event_open(s, system, name, opts);
	if ((opts->filter && *opts->filter ?
		     asprintf(&f, "(%s) && common_pid < 0", opts->filter) :
		     asprintf(&f, "common_pid < 0")) < 0)
		return ltr_error_null(ENOMEM, "out of memory");
	faked = *opts;
	faked.filter = f;
	ev = event_open(s, system, name, &faked);
	free(f);
	return ev;
}

static struct ltr_event *event_open(struct ltr_session *s, const char *system,
				    const char *name,
				    const struct ltr_event_opts *opts)
{
	struct ltr_event_opts defaults = { .mode = LTR_MODE_COUNT };
	struct ltr_event *ev;
	char *format = NULL, *idtext, *end;
	size_t format_len;
	long id;
	int err;

	ltr_clear_error();
	if (!opts)
		opts = &defaults;
	if (!valid_name(system) || !valid_name(name))
		return ltr_error_null(EINVAL, "invalid event name '%s:%s'",
				      system ? system : "", name ? name : "");
	if (opts->mode != LTR_MODE_COUNT && opts->mode != LTR_MODE_SAMPLE &&
	    opts->mode != LTR_MODE_HIST)
		return ltr_error_null(EINVAL, "invalid mode for '%s:%s'",
				      system, name);
	if (opts->group && opts->threads && opts->pid > 0)
		return ltr_error_null(EINVAL, "'%s:%s': a group is of one task, not of every thread of a process",
				      system, name);
	if (opts->group && (opts->group->session != s ||
			    opts->group->nfds != s->ncpus))
		return ltr_error_null(EINVAL, "'%s:%s': its group is an event of another session",
				      system, name);
	if (opts->recall && opts->mode != LTR_MODE_SAMPLE)
		return ltr_error_null(EINVAL, "'%s:%s': only sampling events can be recalled",
				      system, name);

	/* one read for both: the format's "ID:" line is the event's id */
	format = read_event_file(s, system, name, "format", &format_len);
	if (!format) {
		char sysdir[PATH_MAX];

		if (errno == EACCES || errno == EPERM)
			return ltr_error_null(EACCES, "permission denied reading '%s' in tracefs: " LTR_PRIVILEGE_FIX " with read access to tracefs" LTR_PARANOID_FMT,
					      system, ltr_paranoid());
		if (errno != ENOENT)
			return ltr_error_null(errno, "cannot read the id of '%s:%s': %s",
					      system, name, strerror(errno));
		snprintf(sysdir, sizeof(sysdir), "%s/events/%s", s->tracing_dir,
			 system);
		if (!is_dir(sysdir))
			return ltr_error_null(ENOENT, "no event system '%s' on this kernel (event '%s:%s')",
					      system, system, name);
		return ltr_error_null(ENOENT, "no event '%s:%s' on this kernel",
				      system, name);
	}
	idtext = strstr(format, "\nID: ");
	if (!strncmp(format, "ID: ", 4))
		idtext = format;
	else if (idtext)
		idtext++;
	id = idtext ? strtol(idtext + 4, &end, 10) : -1;
	if (!idtext || end == idtext + 4 || (*end != '\n' && *end) || id < 0 ||
	    id > INT_MAX) {
		free(format);
		return ltr_error_null(EINVAL, "bad id for '%s:%s'", system, name);
	}

	ev = calloc(1, sizeof(*ev));
	if (!ev) {
		free(format);
		return ltr_error_null(ENOMEM, "out of memory");
	}
	ev->session = s;
	ev->mode = opts->mode;
	ev->recall = opts->recall;
	ev->id = (int)id;
	ev->system = strdup(system);
	ev->name = strdup(name);
	if (!ev->system || !ev->name) {
		err = ltr_error(ENOMEM, "out of memory");
		goto out_free;
	}

	err = load_format(ev, opts->filter, format, format_len);
	free(format);
	format = NULL;
	if (err < 0)
		goto out_free;
	if (opts->format_only)
		goto out_link;
	if (ev->mode == LTR_MODE_HIST) {
		err = open_hist(ev, opts);
		if (err < 0)
			goto out_free;
		goto out_link;
	}
	if (ev->mode == LTR_MODE_SAMPLE) {
		/* recalled: into the recall rings, which are perf's */
		if (opts->recall) {
			ev->ring = LTR_RING_PERF;
			ev->ring_why = "recalled";
			err = ltr_recall_map(s);
		} else {
			err = choose_ring(ev, opts);
			if (err == 0 && ev->ring == LTR_RING_PERF)
				err = map_rings(s, opts);
		}
		if (err < 0)
			goto out_free;
	}
	/*
	 * counted from its records, alone in the ring: no perf event at all;
	 * in a ring shared (the ring's drops are not said per event), each
	 * counted by the kernel, the others too while none has started
	 */
	if (opts->count_records && ev->mode == LTR_MODE_SAMPLE &&
	    ev->ring == LTR_RING_FTRACE) {
		bool alone = ltr_ftrace_nevents(s) == 1;

		ev->shared_counter = opts->shared_counter;
		ev->count_records = alone || !opts->shared_counter;
		if (!alone)
			err = share_ring(s);
		if (!err && ev->count_records && opts->shared_counter &&
		    !(ev->count_filter = strdup(opts->filter ? opts->filter : "")))
			err = ltr_error(ENOMEM, "out of memory");
		if (err < 0)
			goto out_free;
	}
	if (!ev->count_records)
		err = open_on_cpus(ev, opts);
	if (err < 0)
		goto out_free;

out_link:
	link_event(s, ev, opts->enable_before);
	ltr_debug("opened %s:%s (%s)\n", system, name,
		  ev->mode == LTR_MODE_HIST ? "hist" :
		  ev->mode == LTR_MODE_COUNT ? "counted" :
		  ev->ring == LTR_RING_FTRACE ? "sampled, ftrace ring" :
						"sampled, perf ring");
	return ev;

out_free:
	free(format);
	idmap_remove_event(s, ev);
	ltr_ftrace_forget(s, ev);
	event_free(ev);
	errno = -err;
	return NULL;
}

void ltr_event__close(struct ltr_event *ev)
{
	struct ltr_session *s;
	struct ltr_event **pp;

	if (!ev)
		return;
	s = ev->session;
	ltr_event__disable(ev);
	if (ev->mode == LTR_MODE_HIST)
		hist_write(ev, "!", "");
	for (pp = &s->events; *pp; pp = &(*pp)->next) {
		if (*pp == ev) {
			*pp = ev->next;
			break;
		}
	}
	idmap_remove_event(s, ev);
	ltr_ftrace_forget(s, ev);
	event_free(ev);
}

struct ltr_session *ltr_event__session(const struct ltr_event *ev)
{
	return ev->session;
}

const char *ltr_event__system(const struct ltr_event *ev)
{
	return ev->system;
}

const char *ltr_event__name(const struct ltr_event *ev)
{
	return ev->name;
}

enum ltr_mode ltr_event__mode(const struct ltr_event *ev)
{
	return ev->mode;
}

enum ltr_ring_kind ltr_event__ring(const struct ltr_event *ev)
{
	return ev->mode == LTR_MODE_SAMPLE ? ev->ring : LTR_RING_AUTO;
}

uint64_t ltr_event__sample_type(const struct ltr_event *ev)
{
	return ev->mode == LTR_MODE_SAMPLE && ev->ring == LTR_RING_PERF ?
	       ev->sample_type : 0;
}

const char *ltr_event__ring_why(const struct ltr_event *ev)
{
	return ev->mode == LTR_MODE_SAMPLE && ev->ring_why ? ev->ring_why : "";
}

const char *ltr_event__ring_reader(const struct ltr_event *ev)
{
	const char *how = NULL;

	if (ltr_event__ring(ev) == LTR_RING_FTRACE)
		how = ltr_session__ftrace_reader(ev->session);
	return how ? how : "";
}

void ltr_event__set_user(struct ltr_event *ev, void *user)
{
	ev->user = user;
}

void *ltr_event__user(const struct ltr_event *ev)
{
	return ev->user;
}

static int event_ioctl(struct ltr_event *ev, unsigned long req)
{
	for (int i = 0; i < ev->nfds; i++)
		if (ioctl(ev->fds[i], req, 0) < 0)
			return ltr_error(errno, "cannot %s %s:%s: %s",
					 req == PERF_EVENT_IOC_ENABLE ?
						 "enable" : "disable",
					 ev->system, ev->name,
					 strerror(errno));
	return 0;
}

/* The ftrace ring's side of an event: its records, not its counter. */
static bool in_instance(const struct ltr_event *ev)
{
	return ev->mode == LTR_MODE_SAMPLE && ev->ring == LTR_RING_FTRACE;
}

int ltr_event__enable(struct ltr_event *ev)
{
	int err;

	if (ev->mode == LTR_MODE_HIST)
		return hist_write(ev, "", ":cont") ?
			ltr_error(errno, "cannot enable the hist of %s:%s",
				  ev->system, ev->name) : 0;
	ev->enabled_once = true;
	err = event_ioctl(ev, PERF_EVENT_IOC_ENABLE);

	if (!err && in_instance(ev) && !ev->stopped)
		err = ltr_ftrace_enable(ev->session, ev, true);
	return err;
}

int ltr_event__disable(struct ltr_event *ev)
{
	int err = 0;

	if (ev->mode == LTR_MODE_HIST)
		return hist_write(ev, "", ":pause") ?
			ltr_error(errno, "cannot pause the hist of %s:%s",
				  ev->system, ev->name) : 0;
	/* the records first: none then goes uncounted */
	if (in_instance(ev) && !ev->stopped)
		err = ltr_ftrace_enable(ev->session, ev, false);
	return event_ioctl(ev, PERF_EVENT_IOC_DISABLE) ?: err;
}

int ltr_event__stop_sampling(struct ltr_event *ev)
{
	int err;

	if (!in_instance(ev))
		return ltr_error(EOPNOTSUPP, "%s:%s: only an event on the ftrace ring keeps counting without its samples",
				 ev->system, ev->name);
	if (ev->stopped || ev->muted_from)
		return 0;
	/* its records are its count: they go on, read and not delivered */
	if (ev->count_records) {
		ev->muted_from = ltr_now_ns();
		ev->stopped_at = ev->muted_from;
		return 0;
	}
	err = ltr_ftrace_enable(ev->session, ev, false);
	if (err)
		return err;
	/* after the write: every record it wrote is older */
	ev->stopped_at = ltr_now_ns();
	ev->stopped = true;
	return 0;
}

/* from the last of the list: the order the events were opened in */
static int enable_from(struct ltr_event *ev)
{
	int err;

	if (!ev)
		return 0;
	err = enable_from(ev->next);
	return err < 0 ? err : ltr_event__enable(ev);
}

/*
 * Events are enabled in the order they were opened and disabled in the
 * reverse order (lden opens a counting twin before its sampling event:
 * counting is on whenever sampling is).
 */
int ltr_session__enable(struct ltr_session *s)
{
	int held = ltr_ftrace_hold(s, true), err = held < 0 ? held : 0;

	/* held: the instance's events first, then every counter */
	for (struct ltr_event *ev = s->events; held > 0 && ev && !err;
	     ev = ev->next)
		if (in_instance(ev) && !ev->stopped) {
			ev->enabled_once = true;
			err = ltr_ftrace_enable(s, ev, true);
		}
	if (!err)
		err = enable_from(s->events);
	if (held > 0) {
		int rc = ltr_ftrace_hold(s, false);

		if (!err && rc < 0)
			err = rc;
	}
	ltr_debug("events enabled\n");
	return err;
}

/*
 * The instance's ring is stopped first, all its events at once, before
 * any counter: its records still stop before their counts do.
 */
int ltr_session__disable(struct ltr_session *s)
{
	int ret = ltr_ftrace_ring_off(s);
	bool off = !ret;


	for (struct ltr_event *ev = s->events; ev; ev = ev->next) {
		/* its records stopped with the ring, its counter goes below */
		int err = in_instance(ev) && off ?
			  event_ioctl(ev, PERF_EVENT_IOC_DISABLE) :
			  ltr_event__disable(ev);

		if (err < 0 && !ret)
			ret = err;
	}
	ltr_debug("events disabled\n");
	return ret;
}

/* The counter of one fd: {value} or {value, lost} per read_format. */
static int read_counter(struct ltr_event *ev, int i, uint64_t v[2])
{
	bool with_lost = perf_samples(ev) && !ev->session->no_format_lost;
	size_t want = (with_lost ? 2 : 1) * sizeof(uint64_t);
	ssize_t n;

	/* read with its CPU's group this tick (ltr_session__hold_counters) */
	if (ev->snap && ev->snap[i].held) {
		v[0] = ev->snap[i].v[0];
		v[1] = ev->snap[i].v[1];
		return 0;
	}
	v[1] = 0;
	do
		n = read(ev->fds[i], v, want);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)want)
		return ltr_error(n < 0 ? errno : EIO,
				 "cannot read the counter of %s:%s: %s",
				 ev->system, ev->name,
				 n < 0 ? strerror(errno) : "short read");
	return 0;
}

/*
 * A hist event's totals: every hit, and those it could not aggregate.
 * The kernel's map holds the hits it took; one that found the map full
 * (or lost a race for a slot too often) is counted in "Dropped:" only,
 * so the event's hits are the two together (ltr_hist__count()).
 */
static int hist_totals(struct ltr_event *ev, uint64_t *hits,
		       uint64_t *dropped)
{
	struct ltr_hist h;
	int err = ltr_event__hist(ev, &h);

	if (err < 0)
		return err;
	*hits = ltr_hist__count(&h);
	*dropped = h.dropped;
	ltr_hist__fini(&h);
	return 0;
}

int ltr_event__count(struct ltr_event *ev, uint64_t *count)
{
	uint64_t total = 0, v[2];

	if (ev->mode == LTR_MODE_HIST)
		return hist_totals(ev, count, &v[1]);
	if (ev->count_records) {
		/* alone in the ring, its drops are its own */
		*count = ev->records + (ltr_ftrace_nevents(ev->session) == 1 ?
					ltr_ftrace_lost(ev->session, -1) : 0);
		return 0;
	}
	for (int i = 0; i < ev->nfds; i++) {
		int err = read_counter(ev, i, v);

		if (err < 0)
			return err;
		total += v[0];
	}
	*count = total;
	return 0;
}

int ltr_event__lost(struct ltr_event *ev, uint64_t *lost)
{
	uint64_t total = 0, v[2];

	if (in_instance(ev)) {
		*lost = ltr_ftrace_lost(ev->session, -1);
		return 0;
	}
	/* hits counted, not aggregated: their sums are missing */
	if (ev->mode == LTR_MODE_HIST)
		return hist_totals(ev, &v[0], lost);
	if (ev->mode != LTR_MODE_SAMPLE || ev->session->no_format_lost) {
		*lost = 0;
		return ev->mode == LTR_MODE_SAMPLE ?
			       ltr_error(EOPNOTSUPP, "this kernel does not count lost samples per event (before 6.0)") :
			       0;
	}
	for (int i = 0; i < ev->nfds; i++) {
		int err = read_counter(ev, i, v);

		if (err < 0)
			return err;
		total += v[1];
	}
	*lost = total;
	return 0;
}

bool ltr_event__counts_records(const struct ltr_event *ev)
{
	return ev->count_records;
}

uint64_t ltr_event__sampling_stopped_at(const struct ltr_event *ev)
{
	return ev->stopped_at;
}

bool ltr_event__lost_shared(const struct ltr_event *ev)
{
	return in_instance(ev);
}

int ltr_event__count_short(struct ltr_event *ev, uint64_t *short_by)
{
	/* alone in the ring, its drops are counted (ltr_event__count) */
	*short_by = 0;
	if (ev->count_records && ltr_ftrace_nevents(ev->session) > 1)
		*short_by = ltr_ftrace_lost(ev->session, -1);
	return 0;
}

const struct ltr_field *ltr_event__field(struct ltr_event *ev,
					 const char *name)
{
	for (int i = 0; i < ev->nfields; i++)
		if (!strcmp(ev->fields[i].name, name))
			return &ev->fields[i];
	return ltr_error_null(ENOENT, "event %s:%s has no field '%s'",
			      ev->system, ev->name, name);
}

const struct ltr_field *ltr_event__field_at(const struct ltr_event *ev, int i)
{
	return i >= 0 && i < ev->nfields ? &ev->fields[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* Reading samples */

struct dispatch {
	struct ltr_session *s;
	ltr_sample_fn fn;
	void *ctx;
	int stop;
};

static int dispatch_sample(uint64_t id, struct ltr_sample *sample, void *ctx)
{
	struct dispatch *d = ctx;

	/* the ring found it already, to parse the record */
	if (!sample->event)
		sample->event = idmap_find(d->s, id);
	if (!sample->event)
		return 0;	/* an event closed while its samples were queued */
	sample->event->delivered++;
	d->stop = d->fn(sample, d->ctx);
	return d->stop;
}

static int drain(struct ltr_session *s, ltr_sample_fn fn, void *ctx, bool all)
{
	struct dispatch d = { .s = s, .fn = fn, .ctx = ctx };
	int total = 0, n;

	for (int i = 0; s->rings && i < s->ncpus && !d.stop; i++) {
		n = ltr_ring_drain(&s->rings[i], dispatch_sample, &d);
		if (n < 0)
			return n;
		total += n;
	}
	if (d.stop)
		return total;
	n = ltr_ftrace_drain(s, fn, ctx, &d.stop, all);
	return n < 0 ? n : total + n;
}

int ltr_session__drain(struct ltr_session *s, ltr_sample_fn fn, void *ctx)
{
	return drain(s, fn, ctx, true);
}

uint64_t ltr_session__complete_until(const struct ltr_session *s)
{
	return ltr_ftrace_complete_until(s);
}

int ltr_session__poll(struct ltr_session *s, int timeout_ms,
		      ltr_sample_fn fn, void *ctx)
{
	struct epoll_event ev[16];

	if (!s->rings && !s->ft) {
		struct timespec ts;

		if (timeout_ms < 0)
			return ltr_error(EINVAL, "nothing to wait for: no sampling event is open");
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		if (nanosleep(&ts, NULL) < 0)
			return -errno;
		return 0;
	}
	if (epoll_wait(s->epfd, ev, 16, timeout_ms) < 0)
		return -errno;
	return drain(s, fn, ctx, false);
}

/*
 * Hits of the sampling events (recall ones overwrite: not theirs) that
 * neither were delivered nor are counted lost by the kernel.
 */
static uint64_t unarrived(struct ltr_session *s)
{
	uint64_t want = 0, got = 0, c, l;

	for (struct ltr_event *ev = s->events; ev; ev = ev->next) {
		/* the ftrace ring's drops are counted by the ring itself
		 * (ltr_ftrace_lost()) */
		if (!perf_samples(ev) || ev->recall ||
		    ltr_event__count(ev, &c) < 0)
			continue;
		/* before 6.0: the rings' LOST records, summed below */
		if (ltr_event__lost(ev, &l) < 0)
			l = 0;
		want += c;
		got += ev->delivered + l;
	}
	if (s->no_format_lost)
		for (int i = 0; s->rings && i < s->ncpus; i++)
			got += s->rings[i].lost;
	return want > got ? want - got : 0;
}

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 +
	       (b->tv_nsec - a->tv_nsec) / 1000000;
}

/*
 * ltr_session__quiesce - once it returns, every record whose writing began
 * before the call, on any of the session's CPUs, is written: a hit counts
 * and writes its perf sample, or its ftrace record, with preemption off on
 * its CPU, so a CPU that has run this thread since has finished it.  The
 * thread runs on each other CPU in turn (sched_setaffinity() returns on
 * the CPU it asked for), then on those it ran on before.  0, or a negative errno
 * when a CPU cannot be visited (a cpuset without it): then nothing proves
 * the rings complete, and the caller waits for them.
 */
int ltr_session__quiesce(struct ltr_session *s)
{
	int max = 0, err = 0;
	cpu_set_t *old, *one;
	size_t size;

	for (int i = 0; i < s->ncpus; i++)
		if (s->cpus[i] + 1 > max)
			max = s->cpus[i] + 1;
	if (max < CPU_SETSIZE)
		max = CPU_SETSIZE;
	size = CPU_ALLOC_SIZE(max);
	old = CPU_ALLOC(max);
	one = CPU_ALLOC(max);
	if (!old || !one) {
		err = -ENOMEM;
		goto out;
	}
	if (sched_getaffinity(0, size, old) < 0) {
		err = -errno;
		goto out;
	}
	for (int i = 0, here = sched_getcpu(); i < s->ncpus && !err; i++) {
		/*
		 * The CPU this thread is on has nothing half-written: a
		 * writer there ran before the thread did, or interrupted it
		 * and returned; only the others are visited (a hop is a wait
		 * for a turn there, 5-15 ms under load, 100 ms and more now
		 * and then)
		 */
		if (s->cpus[i] == here)
			continue;
		CPU_ZERO_S(size, one);
		CPU_SET_S(s->cpus[i], size, one);
		if (sched_setaffinity(0, size, one) < 0)
			err = -errno;
		/* on that CPU now; never seen otherwise, but said if so */
		else if (sched_getcpu() != s->cpus[i])
			err = -EAGAIN;
	}
	if (sched_setaffinity(0, size, old) < 0 && !err)
		err = -errno;
out:
	CPU_FREE(old);
	CPU_FREE(one);
	return err;
}

/*
 * At the end (the instance's ring off, the CPUs quiesced): its last
 * records, then its removal begun, while the perf rings are still read
 * and the last values go out: the kernel's removal is mostly an RCU wait
 * (30-90 ms under load).  Not while a hist is in it: its file is read
 * for the last values.  Returns the records delivered, or a negative
 * errno.
 */
static int finish_instance(struct ltr_session *s, ltr_sample_fn fn, void *ctx)
{
	int n;

	for (struct ltr_event *ev = s->events; ev; ev = ev->next)
		if (ev->mode == LTR_MODE_HIST)
			return 0;
	n = ltr_ftrace_finish(s, fn, ctx);
	if (n < 0 || !ltr_ftrace_is_final(s))
		return n;
	if (ltr_instance_remove_start(s) == 0)
		ltr_debug("the instance's last records read; removing it\n");
	return n;
}

/*
 * After ltr_session__disable(): every record of the session's events
 * delivered, once the CPUs are quiesced (above).  A hit the kernel
 * counted and neither wrote nor counted lost never comes (kmem:kfree: 1
 * to 19 of ~15,000 a second on 6.18, none later, whether or not the
 * rings were read meanwhile): such hits are the session's unarrived ones,
 * in ltr_session__lost(s, -1), as after ltr_session__settle().  Returns
 * how many were delivered, or a negative errno: -EAGAIN when the CPUs
 * could not be quiesced (then the caller waits, as ltr_session__settle()
 * does).
 */
int ltr_session__drain_final(struct ltr_session *s, ltr_sample_fn fn,
			     void *ctx)
{
	int total, n, err = ltr_session__quiesce(s);

	if (err < 0) {
		ltr_debug("cannot run on every CPU (%s): waiting for the last samples instead\n",
			  strerror(-err));
		return -EAGAIN;
	}
	ltr_debug("every CPU quiesced\n");
	/*
	 * The instance first, so that its removal overlaps the perf rings'
	 * reading: this batch is not in time order across the rings, which
	 * no reader needs (trace, top and io put records in order by their
	 * times; the size join waits for a free's allocation from any ring)
	 */
	total = finish_instance(s, fn, ctx);
	if (total < 0)
		return total;
	do {
		n = ltr_session__drain(s, fn, ctx);
		if (n < 0)
			return n;
		total += n;
	} while (n > 0);
	/* every CPU quiesced: what has not come never will */
	s->unarrived = unarrived(s);
	if (s->unarrived)
		ltr_debug("%llu samples counted, never written nor counted lost\n",
			  (unsigned long long)s->unarrived);
	return total;
}

/*
 * A sample counted before the events were disabled is in its ring within
 * microseconds: its writer runs with preemption off.  Yet a few hits of
 * some tracepoints are counted and never written, nor counted lost, by
 * the kernel (kmem:kfree here: 4 to 23 of ~45,000 in 3 s, 6.18; as many
 * with the rings left unread until the end, none arriving 300 ms later,
 * none of 3.3 million getppid calls); waiting
 * the whole timeout for them made every such stop 200 ms.  So the wait
 * also ends when nothing has come for this long; what has not come then
 * is counted lost, as after the timeout.
 */
int ltr_session__settle(struct ltr_session *s, int timeout_ms,
			ltr_sample_fn fn, void *ctx)
{
	struct timespec t0, t, last, nap = { 0, 1000000 };
	int total = 0, n;

	n = ltr_session__disable(s);
	if (n < 0)
		return n;
	/* its unarrived hits counted, when it could quiesce the CPUs */
	n = ltr_session__drain_final(s, fn, ctx);
	if (n != -EAGAIN)
		return n;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	last = t0;
	for (;;) {
		n = ltr_session__drain(s, fn, ctx);
		if (n < 0)
			return n;
		total += n;
		s->unarrived = unarrived(s);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (n > 0)
			last = t;
		if (!s->unarrived || ms_between(&t0, &t) >= timeout_ms ||
		    ms_between(&last, &t) >= LTR_SETTLE_QUIET_MS) {
			if (s->unarrived)
				ltr_debug("%llu samples never arrived\n",
					  (unsigned long long)s->unarrived);
			return total;
		}
		nanosleep(&nap, NULL);
	}
}

uint64_t ltr_session__unarrived(const struct ltr_session *s)
{
	return s->unarrived;
}

/*
 * The kernel writes a LOST record only once the ring has room again, so
 * the rings' tally lags; the per-event counters (PERF_FORMAT_LOST, 6.0+)
 * are current.  Both count the same drops: take the larger.  The ftrace
 * ring's drops are another ring's: added.
 */
uint64_t ltr_session__lost(const struct ltr_session *s, int cpu)
{
	uint64_t from_rings = 0, from_events = 0;

	for (int i = 0; s->rings && i < s->ncpus; i++) {
		if (cpu >= 0 && i != cpu)
			continue;
		from_rings += s->rings[i].lost;
		if (s->no_format_lost)
			continue;
		for (struct ltr_event *ev = s->events; ev; ev = ev->next) {
			uint64_t v[2];

			/* a recall ring overwrites, never loses */
			if (!perf_samples(ev) || ev->recall)
				continue;
			/* the CPU's fd of each thread (ev->fds: per thread,
			 * per CPU) */
			for (int k = i; k < ev->nfds; k += s->ncpus)
				if (read_counter(ev, k, v) == 0)
					from_events += v[1];
		}
	}
	/* after a settle or a final drain: what never came is lost too */
	return (from_events > from_rings ? from_events : from_rings) +
	       ltr_ftrace_lost(s, cpu) + (cpu < 0 ? s->unarrived : 0);
}

uint64_t ltr_session__full_marks(struct ltr_session *s)
{
	uint64_t marks = 0;

	for (int i = 0; s->rings && i < s->ncpus; i++) {
		struct ltr_ring *r = &s->rings[i];
		struct perf_event_mmap_page *pg = r->base;

		if (!pg)
			continue;
		ltr_ring_note(r, __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE),
			      __atomic_load_n(&pg->data_tail, __ATOMIC_RELAXED));
		/* and its LOST records, which come later (before 6.0 the
		 * only count of drops: ltr_session__lost()) */
		marks += r->full_marks + r->lost;
	}
	return marks;
}

/* ------------------------------------------------------------------ */

/* Closes the events of the probes in the session's group. */
static void free_probe_events(struct ltr_session *s)
{
	struct ltr_event **pp = &s->events;

	while (*pp) {
		struct ltr_event *ev = *pp;

		if (strcmp(ev->system, s->group)) {
			pp = &ev->next;
			continue;
		}
		*pp = ev->next;
		event_free(ev);
	}
}

/*
 * The fds of the tracepoints' events to a detached process; ours then
 * close at once.  The probes' events are closed here first: the process
 * starts with a copy of every fd, and a copy of a probe's would keep the
 * probe from being removed.  *@d is for ltr_detached_release() once ours
 * are closed; its release is -1 when there is nothing to close them: then
 * the closes are done here.
 */
static void detach_tracepoint_fds(struct ltr_session *s, struct ltr_detached *d)
{
	struct ltr_event *ev;
	int *fds, n = 0;

	d->release = d->child = -1;
	free_probe_events(s);
	for (ev = s->events; ev; ev = ev->next)
		n += ev->nfds;
	fds = malloc((n + s->ncpus + 1) * sizeof(*fds));
	if (!fds)
		return;
	n = 0;
	for (ev = s->events; ev; ev = ev->next) {
		for (int i = 0; i < ev->nfds; i++)
			if (ev->fds[i] >= 0)
				fds[n++] = ev->fds[i];
	}
	/* the read groups' leaders: tracepoint users to tear down too */
	n += ltr_readgroup_fds(s, fds + n);
	if (ltr_close_detached(fds, n, d) < 0)
		ltr_debug("closing %d perf events here: no process to do it\n", n);
	free(fds);
}

void ltr_session__free(struct ltr_session *s)
{
	struct ltr_detached d = { .release = -1, .child = -1 };

	if (!s)
		return;
	/* the instance's events stop with it, below, all at once */
	for (struct ltr_event *ev = s->events; ev; ev = ev->next)
		event_ioctl(ev, PERF_EVENT_IOC_DISABLE);
	/* it cannot be removed while a file of it is open, in any process */
	ltr_ftrace_close_readers(s);
	for (struct ltr_event *ev = s->events; ev; ev = ev->next)
		ltr_hist_close(ev);
	/* nor a probe while a perf fd refers to it */
	ltr_debug("events disabled, readers closed\n");
	/*
	 * Nothing of the instance is open now, and nothing below opens it:
	 * its removal, mostly the kernel's RCU wait, goes on meanwhile
	 * (ltr_instance_remove_start()); the fork below copies no file of it
	 */
	if (ltr_instance_remove_start(s) < 0)
		ltr_debug("removing the instance here: no thread to do it\n");
	if (s->detach_close)
		detach_tracepoint_fds(s, &d);
	while (s->events) {
		struct ltr_event *ev = s->events;

		s->events = ev->next;
		event_free(ev);
	}
	ltr_readgroups_close(s);
	ltr_debug("perf events closed\n");
	unmap_rings(s);
	ltr_recall_unmap(s);
	/* before the probes: one enabled in the instance cannot be removed */
	ltr_ftrace_destroy(s);
	ltr_debug("instance removed\n");
	ltr_probe_destroy_all(s);
	ltr_debug("probes removed\n");
	/*
	 * lden-close goes last: each of its closes holds the kernel's
	 * event_mutex through an RCU wait, which the instance's removal and
	 * the probes' take too; released before, it made them wait for one
	 * close or several (the rmdir 27-96 ms under load)
	 */
	ltr_detached_release(&d);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s->idmap);
	free(s->cpus);
	formats_free(s);
	free(s->tracing_dir);
	free(s);
}
