/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What lden reads from a traced process itself: a string at an address
 * (syscall tracepoints carry only the pointer), its name, what one of its
 * file descriptors refers to.  All of it is read after the event, so a
 * process that has exited or changed the memory since gives an error, not
 * a wrong answer.
 */
#ifndef LDEN_PROC_H
#define LDEN_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * lden_proc__read_str - the NUL-terminated string at @addr in @pid
 * Reads at most @len - 1 bytes; the result is always terminated.
 * Returns its length, or -errno (-ESRCH: gone, -EFAULT: not mapped).
 */
ssize_t lden_proc__read_str(pid_t pid, uint64_t addr, char *buf, size_t len);

/* The process's comm (/proc/PID/comm, no newline); -errno when gone. */
int lden_proc__comm(pid_t pid, char *buf, size_t len);

/* The target of /proc/PID/fd/FD ("/etc/passwd", "pipe:[123]"). */
int lden_proc__fd_path(pid_t pid, int fd, char *buf, size_t len);

/*
 * The "flags:" of /proc/PID/fdinfo/FD into @flags (octal there): the
 * file's open flags, with O_CLOEXEC when an exec closes the fd.
 */
int lden_proc__fd_flags(pid_t pid, int fd, int *flags);

/*
 * The argument list from /proc/PID/cmdline, NULs turned into spaces;
 * an empty string for a kernel thread or a process that already exited.
 */
int lden_proc__cmdline(pid_t pid, char *buf, size_t len);

/* Its parent's pid and its real uid, from /proc/PID/status; -errno. */
int lden_proc__ids(pid_t pid, pid_t *ppid, uid_t *uid);
/* Whether @pid exists and is not a zombie. */
/* The process (thread group) of task @tid, or @tid when /proc does not say. */
pid_t lden_proc__tgid(pid_t tid);

/*
 * lden_proc__wait_until - waits for the child @pid until @deadline
 * (lden_now(); 0: none) or until @stop(@ctx) says so (asked every 100 ms
 * at most; NULL: never), woken by a pidfd where the kernel has them (5.3)
 * Returns 1 when it ended (its status in *@st), 0 when not, -1 on an
 * error (errno).
 */
int lden_proc__wait_until(pid_t pid, double deadline,
			  bool (*stop)(void *ctx), void *ctx, int *st);

bool lden_proc__alive(pid_t pid);

/*
 * lden_proc__alive_since - whether process @pid exists, is not a zombie,
 * and started at or before @mono (CLOCK_MONOTONIC ns): the one that had
 * the pid then, not a later one given it again.  Its start is the boot
 * clock's in clock ticks (/proc/PID/stat), rounded down; the boot clock
 * runs ahead of the monotonic one by the time suspended, so after a
 * suspend it may say false for the same process, never true for a later
 * one started a tick or more after @mono.
 */
bool lden_proc__alive_since(pid_t pid, uint64_t mono);

#endif
