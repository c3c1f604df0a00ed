// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A process seen through procfs: its namespaces.
 *
 * The object holds a descriptor of the directory /proc/PID, opened once.
 * procfs ties that directory to the process it was opened for, not to the
 * number: once that process has exited, every lookup through it fails
 * with ESRCH, even when the number has been given to a new process.  So a
 * namespace read through the object is the one of the process the caller
 * meant, or an error, never another process's.
 *
 * A namespace link (/proc/PID/ns/net) is a symbolic link into nsfs: the
 * inode of its target is the namespace's identity, the number in
 * "net:[4026531833]".  Following it needs ptrace read access to the
 * process (EACCES without); the link itself exists for every kind this
 * kernel was built with, and cannot be followed once the process is a
 * zombie (ENOENT).  Those three cases are told apart below.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct ltr_process {
	pid_t pid;
	int dirfd;		/* O_PATH of /proc/PID */
};

/* The names of the links in /proc/PID/ns, in enum ltr_ns order. */
static const char *const ns_names[LTR_NS_COUNT] = {
	[LTR_NS_NET] = "net",
	[LTR_NS_IPC] = "ipc",
	[LTR_NS_UTS] = "uts",
	[LTR_NS_MNT] = "mnt",
	[LTR_NS_PID] = "pid",
	[LTR_NS_USER] = "user",
	[LTR_NS_CGROUP] = "cgroup",
};

const char *ltr_ns__name(enum ltr_ns kind)
{
	if ((unsigned int)kind >= LTR_NS_COUNT)
		return NULL;
	return ns_names[kind];
}

int ltr_ns__from_name(const char *name, enum ltr_ns *kind)
{
	for (int i = 0; name && i < LTR_NS_COUNT; i++)
		if (!strcmp(name, ns_names[i])) {
			*kind = (enum ltr_ns)i;
			return 0;
		}
	return ltr_error(EINVAL, "unknown namespace '%s' (net, ipc, uts, mnt, pid, user or cgroup)",
			 name ? name : "");
}

struct ltr_process *ltr_process__new_at(const char *proc_dir, pid_t pid)
{
	struct ltr_process *p;
	char path[PATH_MAX];

	if (pid <= 0)
		return ltr_error_null(EINVAL, "invalid pid %d", (int)pid);
	if (!proc_dir)
		proc_dir = "/proc";
	if ((size_t)snprintf(path, sizeof(path), "%s/%d", proc_dir,
			     (int)pid) >= sizeof(path))
		return ltr_error_null(ENAMETOOLONG, "proc directory '%s': name too long",
				      proc_dir);
	p = calloc(1, sizeof(*p));
	if (!p)
		return ltr_error_null(ENOMEM, "out of memory");
	p->pid = pid;
	p->dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (p->dirfd < 0) {
		int err = errno == ENOENT ? ESRCH : errno;

		free(p);
		if (err == ESRCH)
			return ltr_error_null(ESRCH, "no process %d", (int)pid);
		return ltr_error_null(err, "cannot open '%s': %s", path,
				      strerror(err));
	}
	return p;
}

struct ltr_process *ltr_process__new(pid_t pid)
{
	return ltr_process__new_at(NULL, pid);
}

void ltr_process__free(struct ltr_process *p)
{
	if (!p)
		return;
	if (p->dirfd >= 0)
		close(p->dirfd);
	free(p);
}

pid_t ltr_process__pid(const struct ltr_process *p)
{
	return p->pid;
}

int ltr_process__namespace(const struct ltr_process *p, enum ltr_ns kind,
			   uint64_t *inode)
{
	const char *name = ltr_ns__name(kind);
	char link[32];
	struct stat st;
	int err;

	if (!name)
		return ltr_error(EINVAL, "invalid namespace kind %d", (int)kind);
	snprintf(link, sizeof(link), "ns/%s", name);
	if (fstatat(p->dirfd, link, &st, 0) == 0) {
		*inode = (uint64_t)st.st_ino;
		return 0;
	}
	err = errno;
	if (err == ENOENT) {
		/* the link there but not its target: a zombie */
		if (fstatat(p->dirfd, link, &st, AT_SYMLINK_NOFOLLOW) == 0)
			err = ESRCH;
		else if (errno == ENOENT)
			return ltr_error(EOPNOTSUPP, "no %s namespaces on this kernel",
					 name);
		else
			err = errno;
	}
	switch (err) {
	case ESRCH:
		return ltr_error(ESRCH, "process %d has exited", (int)p->pid);
	case EACCES:
	case EPERM:
		return ltr_error(EACCES, "permission denied reading the %s namespace of process %d: "
				 "run as root or as its user, or grant CAP_SYS_PTRACE",
				 name, (int)p->pid);
	default:
		return ltr_error(err, "cannot read the %s namespace of process %d: %s",
				 name, (int)p->pid, strerror(err));
	}
}
