// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "proc.h"

/*
 * A kernel without CONFIG_CROSS_MEMORY_ATTACH (tinyconfig-based ones:
 * the kernel matrix's nobpf 6.1) has no process_vm_readv (ENOSYS); the
 * same bytes are read from /proc/PID/mem, which needs the same ptrace
 * access.  Returns what process_vm_readv would: bytes, or -1 and errno.
 */
static ssize_t read_mem(pid_t pid, void *buf, size_t len, uint64_t at)
{
	static bool no_vm_readv;
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)at, len };
	char path[64];
	ssize_t n;
	int fd, err;

	if (!no_vm_readv) {
		n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n >= 0 || errno != ENOSYS)
			return n;
		no_vm_readv = true;
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* offsets are addresses: past 2^63 none can be read this way */
	if (at > (uint64_t)INT64_MAX) {
		close(fd);
		errno = EFAULT;
		return -1;
	}
	n = pread(fd, buf, len, (off_t)at);
	err = errno;
	close(fd);
	/* an unmapped address reads as EIO from /proc/PID/mem */
	errno = n < 0 && err == EIO ? EFAULT : err;
	return n;
}

/* Reads in pieces that end at page boundaries: the string may end just
 * before an unmapped page, and process_vm_readv stops at the first fault. */
ssize_t lden_proc__read_str(pid_t pid, uint64_t addr, char *buf, size_t len)
{
	const size_t page = 4096;
	size_t got = 0;

	if (len == 0)
		return -EINVAL;
	while (got < len - 1) {
		uint64_t at = addr + got;
		size_t want = page - (size_t)(at % page);
		ssize_t n;
		char *nul;

		if (want > len - 1 - got)
			want = len - 1 - got;
		n = read_mem(pid, buf + got, want, at);
		if (n <= 0) {
			buf[got] = '\0';
			if (got)
				return (ssize_t)got;
			return n < 0 ? -errno : -EFAULT;
		}
		nul = memchr(buf + got, '\0', (size_t)n);
		if (nul)
			return nul - buf;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

static int read_small(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

int lden_proc__comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	int n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	n = read_small(path, buf, len);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n < 0 ? n : 0;
}

int lden_proc__fd_path(pid_t pid, int fd, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int lden_proc__fd_flags(pid_t pid, int fd, int *flags)
{
	char path[64], buf[512], *f, *end;
	unsigned long v;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	f = strstr(buf, "\nflags:");
	if (!f)
		return -EINVAL;
	errno = 0;
	v = strtoul(f + 7, &end, 8);
	if (errno || end == f + 7)
		return -EINVAL;
	*flags = (int)v;
	return 0;
}

int lden_proc__cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	int n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = read_small(path, buf, len);
	if (n < 0) {
		buf[0] = '\0';
		return n;
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	buf[n] = '\0';
	for (int i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	return 0;
}

int lden_proc__ids(pid_t pid, pid_t *ppid, uid_t *uid)
{
	char path[64], buf[2048];
	const char *p;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	p = strstr(buf, "\nPPid:");
	if (!p || sscanf(p + 6, "%d", ppid) != 1)
		return -EINVAL;
	p = strstr(buf, "\nUid:");
	if (!p || sscanf(p + 5, "%u", uid) != 1)
		return -EINVAL;
	return 0;
}

pid_t lden_proc__tgid(pid_t tid)
{
	char path[64], buf[1024];
	const char *p;
	int tgid;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return tid;
	p = strstr(buf, "\nTgid:");
	return p && sscanf(p + 6, "%d", &tgid) == 1 && tgid > 0 ? tgid : tid;
}

bool lden_proc__alive(pid_t pid)
{
	char path[64], buf[512], *p;
	bool live = false;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = read_small(path, buf, sizeof(buf));
	/* the state follows the name, which may hold ") " itself */
	if (n > 0 && (p = strrchr(buf, ')')))
		live = p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	return live;
}

bool lden_proc__alive_since(pid_t pid, uint64_t mono)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	long tck = sysconf(_SC_CLK_TCK);
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = read_small(path, buf, sizeof(buf));
	/* after the name (which may hold ") "): state, then 19 fields to
	 * starttime */
	if (n <= 0 || tck <= 0 || !(p = strrchr(buf, ')')) || p[1] != ' ' ||
	    p[2] == 'Z' || p[2] == 'X')
		return false;
	p += 2;
	for (int f = 3; f < 22 && p; f++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", &start) != 1)
		return false;
	return start <= mono / (1000000000ull / (unsigned long long)tck);
}

int lden_proc__wait_until(pid_t pid, double deadline,
			  bool (*stop)(void *ctx), void *ctx, int *st)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0), rc;

	for (;;) {
		pid_t r = waitpid(pid, st, WNOHANG);
		double left = deadline ? deadline - lden_now() : 1;

		if (r == pid) {
			rc = 1;
			break;
		}
		if (r < 0 && errno != EINTR) {
			rc = -1;
			break;
		}
		if (left <= 0 || (stop && stop(ctx))) {
			rc = 0;
			break;
		}
		if (pfd >= 0) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };

			poll(&p, 1, left > 0.1 ? 100 : (int)(left * 1000) + 1);
		} else {
			/* kernels before 5.3: look again every 10 ms */
			struct timespec ts = { 0, 10000000L };

			nanosleep(&ts, NULL);
		}
	}
	if (pfd >= 0)
		close(pfd);
	return rc;
}
