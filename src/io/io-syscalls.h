/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file I/O system calls lden io traces, as data: for each, its
 * tracepoint name and what its arguments and return value mean to a file
 * descriptor table and to a byte count.
 */
#ifndef LDEN_IO_SYSCALLS_H
#define LDEN_IO_SYSCALLS_H

enum lden_io_kind {
	LDEN_IO_OPEN,		/* path (+ dirfd) in, new fd out */
	LDEN_IO_READ,		/* fd in, bytes read out */
	LDEN_IO_WRITE,		/* fd in, bytes written out */
	LDEN_IO_FD,		/* fd in, a status or an offset out */
	LDEN_IO_CLOSE,		/* fd in: it is gone, whatever the result */
	LDEN_IO_CLOSE_RANGE,	/* fd .. max_fd */
	LDEN_IO_DUP,		/* old fd (+ new fd) in, new fd out */
	LDEN_IO_FCNTL,		/* fd, cmd, arg in: F_DUPFD* make a new fd */
	LDEN_IO_PATH,		/* a path (+ dirfd) in, a status out */
	LDEN_IO_RENAME,		/* two paths (+ dirfds) in */
	LDEN_IO_UNSHARE,	/* flags in: CLONE_FILES gives the task a
				 * descriptor table of its own (not shown:
				 * not a file's call) */
};

/* Argument slots of a call, filled from the enter record by name. */
enum lden_io_arg {
	LDEN_IO_ARG_FD,		/* fd, fildes, oldfd, out_fd, fd_out */
	LDEN_IO_ARG_FD2,	/* newfd (dup2/3), max_fd, in_fd, fd_in */
	LDEN_IO_ARG_DFD,	/* dfd, olddfd */
	LDEN_IO_ARG_DFD2,	/* newdfd */
	LDEN_IO_ARG_PATH,	/* user pointer: filename, pathname, oldname */
	LDEN_IO_ARG_PATH2,	/* user pointer: newname */
	LDEN_IO_ARG_CMD,	/* fcntl cmd, lseek whence */
	LDEN_IO_ARG_ARG,	/* fcntl arg, lseek offset, count */
	LDEN_IO_NARGS,
};

struct lden_io_syscall {
	const char *name;	/* "openat": sys_enter_openat, sys_exit_openat */
	enum lden_io_kind kind;
	/* the enter record's field for each slot, or NULL */
	const char *fields[LDEN_IO_NARGS];
};

/* The table, in a fixed order; @n gets its length. */
const struct lden_io_syscall *lden_io_syscalls(int *n);

#endif
