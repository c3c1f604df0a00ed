// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The session: tracefs, the online CPUs, one mmap ring per CPU shared by
 * every sampling event on that CPU, and the events themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "internal.h"

#define LTR_DEFAULT_RING_PAGES 512u

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
	s->wakeup_bytes = opts->wakeup_bytes;
	s->recall_pages = opts->recall_pages;
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

int ltr_session__ncpus(const struct ltr_session *s)
{
	return s->ncpus;
}

/* ------------------------------------------------------------------ */
/* Rings: one per CPU, owned by a dummy software event that never samples */

static void fill_sampling_attr(struct ltr_session *s,
			       struct perf_event_attr *a)
{
	size_t data_bytes = (size_t)s->ring_pages * sysconf(_SC_PAGESIZE);

	a->size = sizeof(*a);
	a->sample_period = 1;
	a->sample_type = LTR_SAMPLE_TYPE;
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
	if (s->epfd >= 0)
		close(s->epfd);
	s->epfd = -1;
}

static int map_rings(struct ltr_session *s)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t map_size = (size_t)(s->ring_pages + 1) * page;
	int err;

	if (s->rings)
		return 0;
	s->rings = calloc(s->ncpus, sizeof(*s->rings));
	if (!s->rings)
		return ltr_error(ENOMEM, "out of memory");
	for (int i = 0; i < s->ncpus; i++)
		s->rings[i].fd = -1;
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
		fill_sampling_attr(s, &a);
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
	for (int i = 0; i < ev->nfds; i++)
		if (ev->fds[i] >= 0)
			close(ev->fds[i]);
	for (int i = 0; i < ev->nfields; i++)
		ltr_field_fini(&ev->fields[i]);
	free(ev->fields);
	free(ev->fds);
	free(ev->sample_ids);
	free(ev->system);
	free(ev->name);
	free(ev);
}

/*
 * Parses the event's format in a handle of its own, copies the fields
 * out, and checks the filter against it.  A private handle is freed at
 * once: event ids are recycled when dynamic events are re-created, and a
 * long-lived handle would keep answering with the stale format.
 */
static int load_format(struct ltr_event *ev, const char *filter)
{
	struct ltr_session *s = ev->session;
	struct tep_format_field **common = NULL, **fields = NULL;
	struct tep_handle *tep;
	struct tep_event *te;
	char *text;
	size_t len;
	int ncommon = 0, nfields = 0, err = 0;

	text = read_event_file(s, ev->system, ev->name, "format", &len);
	if (!text)
		return ltr_error(errno, "cannot read the format of '%s:%s': %s",
				 ev->system, ev->name, strerror(errno));
	tep = tep_alloc();
	if (!tep) {
		free(text);
		return ltr_error(ENOMEM, "out of memory");
	}
	tep_set_loglevel(TEP_LOG_NONE);
	tep_set_long_size(tep, sizeof(long));
	tep_set_page_size(tep, getpagesize());
	if (tep_parse_event(tep, text, len, ev->system) != 0 &&
	    !tep_find_event_by_name(tep, ev->system, ev->name)) {
		err = ltr_error(EINVAL, "cannot parse the format of '%s:%s'",
				ev->system, ev->name);
		goto out_free;
	}
	te = tep_find_event_by_name(tep, ev->system, ev->name);
	if (!te) {
		err = ltr_error(EINVAL, "cannot parse the format of '%s:%s'",
				ev->system, ev->name);
		goto out_free;
	}

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
	tep_free(tep);
	free(text);
	return err;
}

static int open_on_cpus(struct ltr_event *ev, const struct ltr_event_opts *o)
{
	struct ltr_session *s = ev->session;
	char what[300];
	int cgroup_fd = -1;
	unsigned long flags = 0;
	pid_t pid = -1;
	int err = 0;

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

	ev->fds = malloc(s->ncpus * sizeof(*ev->fds));
	ev->sample_ids = calloc(s->ncpus, sizeof(*ev->sample_ids));
	if (!ev->fds || !ev->sample_ids) {
		err = ltr_error(ENOMEM, "out of memory");
		goto out_close_cgroup;
	}
	for (int i = 0; i < s->ncpus; i++)
		ev->fds[i] = -1;
	ev->nfds = s->ncpus;

	for (int i = 0; i < s->ncpus; i++) {
		struct perf_event_attr a = { 0 };
		int fd, group_fd = -1;

		a.type = PERF_TYPE_TRACEPOINT;
		a.size = sizeof(a);
		a.config = ev->id;
		/* the kernel groups only events of one clock: counting ones too */
		a.use_clockid = 1;
		a.clockid = CLOCK_MONOTONIC;
		if (ev->mode == LTR_MODE_SAMPLE)
			fill_sampling_attr(s, &a);
		/* a group member follows its leader: enabled, it waits for it */
		a.disabled = !o->group;
		if (o->group)
			group_fd = o->group->fds[i];
		if (o->recall)
			ltr_recall_attr(&a);
		a.inherit = o->pid > 0 && o->inherit;
		if (ev->mode == LTR_MODE_SAMPLE && !s->no_format_lost)
			a.read_format = PERF_FORMAT_LOST;
		fd = ltr_perf_open(&a, pid, s->cpus[i], group_fd, flags);
		if (fd == -EINVAL && a.read_format) {
			/* before 6.0: losses only from the rings' LOST records */
			s->no_format_lost = true;
			a.read_format = 0;
			fd = ltr_perf_open(&a, pid, s->cpus[i], group_fd, flags);
		}
		if (fd < 0) {
			if (fd == -ESRCH)
				err = ltr_error(ESRCH, "no process %d to trace",
						(int)o->pid);
			else
				err = ltr_perf_open_error(-fd, what);
			goto out_close_cgroup;
		}
		ev->fds[i] = fd;
		if (o->filter && *o->filter &&
		    ioctl(fd, PERF_EVENT_IOC_SET_FILTER, o->filter) < 0) {
			err = ltr_error(errno, "the kernel rejected filter '%s' on %s: %s",
					o->filter, what, strerror(errno));
			goto out_close_cgroup;
		}
		if (ev->mode != LTR_MODE_SAMPLE)
			continue;
		if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT,
			  o->recall ? ltr_recall_fd(s, i) : s->rings[i].fd) < 0) {
			err = ltr_error(errno, "cannot send %s samples to the CPU %d ring: %s",
					what, s->cpus[i], strerror(errno));
			goto out_close_cgroup;
		}
		if (ioctl(fd, PERF_EVENT_IOC_ID, &ev->sample_ids[i]) < 0) {
			err = ltr_error(errno, "PERF_EVENT_IOC_ID on %s: %s",
					what, strerror(errno));
			goto out_close_cgroup;
		}
		err = idmap_add(s, ev->sample_ids[i], ev);
		if (err < 0)
			goto out_close_cgroup;
	}

out_close_cgroup:
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	return err;
}

struct ltr_event *ltr_event__open(struct ltr_session *s, const char *system,
				  const char *name,
				  const struct ltr_event_opts *opts)
{
	struct ltr_event_opts defaults = { .mode = LTR_MODE_COUNT };
	struct ltr_event *ev;
	char *idtext, *end;
	long id;
	int err;

	ltr_clear_error();
	if (!opts)
		opts = &defaults;
	if (!valid_name(system) || !valid_name(name))
		return ltr_error_null(EINVAL, "invalid event name '%s:%s'",
				      system ? system : "", name ? name : "");
	if (opts->mode != LTR_MODE_COUNT && opts->mode != LTR_MODE_SAMPLE)
		return ltr_error_null(EINVAL, "invalid mode for '%s:%s'",
				      system, name);
	if (opts->group && (opts->group->session != s ||
			    opts->group->nfds != s->ncpus))
		return ltr_error_null(EINVAL, "'%s:%s': its group is an event of another session",
				      system, name);
	if (opts->recall && opts->mode != LTR_MODE_SAMPLE)
		return ltr_error_null(EINVAL, "'%s:%s': only sampling events can be recalled",
				      system, name);

	idtext = read_event_file(s, system, name, "id", NULL);
	if (!idtext) {
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
	id = strtol(idtext, &end, 10);
	free(idtext);
	if (end == idtext || id < 0 || id > INT_MAX)
		return ltr_error_null(EINVAL, "bad id for '%s:%s'", system, name);

	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return ltr_error_null(ENOMEM, "out of memory");
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

	err = load_format(ev, opts->filter);
	if (err < 0)
		goto out_free;
	if (opts->format_only)
		goto out_link;
	if (ev->mode == LTR_MODE_SAMPLE) {
		err = opts->recall ? ltr_recall_map(s) : map_rings(s);
		if (err < 0)
			goto out_free;
	}
	err = open_on_cpus(ev, opts);
	if (err < 0)
		goto out_free;

out_link:
	ev->next = s->events;
	s->events = ev;
	return ev;

out_free:
	idmap_remove_event(s, ev);
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
	for (pp = &s->events; *pp; pp = &(*pp)->next) {
		if (*pp == ev) {
			*pp = ev->next;
			break;
		}
	}
	idmap_remove_event(s, ev);
	event_free(ev);
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

int ltr_event__enable(struct ltr_event *ev)
{
	return event_ioctl(ev, PERF_EVENT_IOC_ENABLE);
}

int ltr_event__disable(struct ltr_event *ev)
{
	return event_ioctl(ev, PERF_EVENT_IOC_DISABLE);
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
	return enable_from(s->events);
}

int ltr_session__disable(struct ltr_session *s)
{
	int ret = 0;

	for (struct ltr_event *ev = s->events; ev; ev = ev->next) {
		int err = ltr_event__disable(ev);

		if (err < 0 && !ret)
			ret = err;
	}
	return ret;
}

/* The counter of one fd: {value} or {value, lost} per read_format. */
static int read_counter(struct ltr_event *ev, int i, uint64_t v[2])
{
	bool with_lost = ev->mode == LTR_MODE_SAMPLE &&
			 !ev->session->no_format_lost;
	size_t want = (with_lost ? 2 : 1) * sizeof(uint64_t);
	ssize_t n;

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

int ltr_event__count(struct ltr_event *ev, uint64_t *count)
{
	uint64_t total = 0, v[2];

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

	sample->event = idmap_find(d->s, id);
	if (!sample->event)
		return 0;	/* an event closed while its samples were queued */
	sample->event->delivered++;
	d->stop = d->fn(sample, d->ctx);
	return d->stop;
}

int ltr_session__drain(struct ltr_session *s, ltr_sample_fn fn, void *ctx)
{
	struct dispatch d = { .s = s, .fn = fn, .ctx = ctx };
	int total = 0;

	if (!s->rings)
		return 0;
	for (int i = 0; i < s->ncpus && !d.stop; i++) {
		int n = ltr_ring_drain(&s->rings[i], dispatch_sample, &d);

		if (n < 0)
			return n;
		total += n;
	}
	return total;
}

int ltr_session__poll(struct ltr_session *s, int timeout_ms,
		      ltr_sample_fn fn, void *ctx)
{
	struct epoll_event ev[16];

	if (!s->rings) {
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
	return ltr_session__drain(s, fn, ctx);
}

/*
 * Hits of the sampling events (recall ones overwrite: not theirs) that
 * neither were delivered nor are counted lost by the kernel.
 */
static uint64_t unarrived(struct ltr_session *s)
{
	uint64_t want = 0, got = 0, c, l;

	for (struct ltr_event *ev = s->events; ev; ev = ev->next) {
		if (ev->mode != LTR_MODE_SAMPLE || ev->recall ||
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

int ltr_session__settle(struct ltr_session *s, int timeout_ms,
			ltr_sample_fn fn, void *ctx)
{
	struct timespec t0, t, nap = { 0, 1000000 };
	int total = 0, n;

	n = ltr_session__disable(s);
	if (n < 0)
		return n;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		n = ltr_session__drain(s, fn, ctx);
		if (n < 0)
			return n;
		total += n;
		s->unarrived = unarrived(s);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (!s->unarrived || (t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 >= timeout_ms)
			return total;
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
 * are current.  Both count the same drops: take the larger.
 */
uint64_t ltr_session__lost(const struct ltr_session *s, int cpu)
{
	uint64_t from_rings = 0, from_events = 0;

	if (!s->rings)
		return 0;
	for (int i = 0; i < s->ncpus; i++) {
		if (cpu >= 0 && i != cpu)
			continue;
		from_rings += s->rings[i].lost;
		if (s->no_format_lost)
			continue;
		for (struct ltr_event *ev = s->events; ev; ev = ev->next) {
			uint64_t v[2];

			/* a recall ring overwrites, never loses */
			if (ev->mode == LTR_MODE_SAMPLE && !ev->recall &&
			    read_counter(ev, i, v) == 0)
				from_events += v[1];
		}
	}
	/* after ltr_session__settle(): what never came is lost too */
	return (from_events > from_rings ? from_events : from_rings) +
	       (cpu < 0 ? s->unarrived : 0);
}

/* ------------------------------------------------------------------ */

void ltr_session__free(struct ltr_session *s)
{
	if (!s)
		return;
	/* Probes can only be removed once no perf fd refers to them. */
	ltr_session__disable(s);
	while (s->events) {
		struct ltr_event *ev = s->events;

		s->events = ev->next;
		event_free(ev);
	}
	unmap_rings(s);
	ltr_recall_unmap(s);
	ltr_instance_destroy(s);
	ltr_probe_destroy_all(s);
	free(s->idmap);
	free(s->cpus);
	free(s->tracing_dir);
	free(s);
}
