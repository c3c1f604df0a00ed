// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * perf_event_open(2) and what its errors mean for the user: which CPUs to
 * open on, and which privilege is missing when the kernel says no.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/*
 * LDEN_TEST_NO_FORMAT_LOST: the tests' stand-in for a kernel before 6.0,
 * which refuses PERF_FORMAT_LOST as an unknown read_format bit (EINVAL)
 * and so takes the fallbacks an old kernel's refusal takes.
 */
static bool refuse_format_lost(const struct perf_event_attr *attr)
{
	return (attr->read_format & PERF_FORMAT_LOST) &&
	       getenv("LDEN_TEST_NO_FORMAT_LOST");
}

int ltr_perf_open(struct perf_event_attr *attr, pid_t pid, int cpu,
		  int group_fd, unsigned long flags)
{
	long fd;

	if (refuse_format_lost(attr))
		return -EINVAL;
	fd = syscall(SYS_perf_event_open, attr, pid, cpu, group_fd,
			  flags | PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : (int)fd;
}

/*
 * ltr_online_cpus - the online CPU numbers, from sysfs rather than a count,
 * because CPUs need not be numbered 0..n-1.
 * Returns how many, with *cpus malloc'd (caller frees), or a negative errno.
 */
int ltr_online_cpus(int **cpus)
{
	char buf[4096];
	char *p, *end;
	int *list = NULL;
	int n = 0, cap = 0;

	if (ltr_read_into("/sys/devices/system/cpu/online", buf,
			    sizeof(buf)) < 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		if (c < 1)
			return ltr_error(ENODEV, "cannot tell which CPUs are online");
		snprintf(buf, sizeof(buf), "0-%ld", c - 1);
	}
	for (p = buf; *p && *p != '\n';) {
		long lo, hi;

		lo = strtol(p, &end, 10);
		if (end == p || lo < 0)
			goto out_bad;
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo)
				goto out_bad;
		}
		for (long c = lo; c <= hi; c++) {
			if (n == cap) {
				int *nl;

				cap = cap ? cap * 2 : 16;
				nl = realloc(list, cap * sizeof(*list));
				if (!nl) {
					free(list);
					return ltr_error(ENOMEM, "out of memory");
				}
				list = nl;
			}
			list[n++] = (int)c;
		}
		p = end;
		if (*p == ',')
			p++;
	}
	if (!n)
		goto out_bad;
	*cpus = list;
	return n;

out_bad:
	free(list);
	return ltr_error(EINVAL, "cannot parse /sys/devices/system/cpu/online");
}

/* Capability bits from /proc/self/status CapEff. */
static bool has_capability(int cap)
{
	char buf[4096];
	char *line;
	unsigned long long eff;

	if (ltr_read_into("/proc/self/status", buf, sizeof(buf)) < 0)
		return false;
	line = strstr(buf, "CapEff:");
	if (!line || sscanf(line + 7, "%llx", &eff) != 1)
		return false;
	return eff & (1ULL << cap);
}

#define LTR_CAP_SYS_ADMIN 21
#define LTR_CAP_PERFMON 38

const char *ltr_paranoid(void)
{
	static char paranoid[32];

	if (ltr_read_into("/proc/sys/kernel/perf_event_paranoid",
			    paranoid, sizeof(paranoid)) > 0)
		paranoid[strcspn(paranoid, "\n")] = '\0';
	else
		snprintf(paranoid, sizeof(paranoid), "unknown");
	return paranoid;
}

/**
 * ltr_perf_open_error - explain a perf_event_open() failure
 * @err:  the positive errno
 * @what: the event, "sched:sched_switch"
 *
 * Returns -@err with the message set for ltr_last_error().
 */
int ltr_perf_open_error(int err, const char *what)
{
	switch (err) {
	case EACCES:
	case EPERM:
		if (!has_capability(LTR_CAP_PERFMON) &&
		    !has_capability(LTR_CAP_SYS_ADMIN))
			return ltr_error(err,
					 "permission denied opening '%s': " LTR_PRIVILEGE_FIX LTR_PARANOID_FMT,
					 what, ltr_paranoid());
		return ltr_error(err,
				 "permission denied opening '%s' although CAP_PERFMON is held: a security module or lockdown refuses it" LTR_PARANOID_FMT,
				 what, ltr_paranoid());
	case ENOENT:
	case ENODEV:
	case EOPNOTSUPP:
		return ltr_error(err, "this kernel cannot open '%s' as a perf event: %s",
				 what, strerror(err));
	case EMFILE:
	case ENFILE:
		return ltr_error(err, "too many open files opening '%s' (one per CPU per event; raise 'ulimit -n')",
				 what);
	case EBUSY:
		return ltr_error(err, "'%s' is busy: %s", what, strerror(err));
	default:
		return ltr_error(err, "cannot open '%s': %s", what, strerror(err));
	}
}
