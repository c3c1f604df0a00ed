// SPDX-License-Identifier: GPL-2.0-or-later
#include "io-syscalls.h"

#define F(slot, name) [LDEN_IO_ARG_##slot] = name

/*
 * Field names as in the kernel's syscall tracepoint formats
 * (events/syscalls/sys_enter_NAME/format), which keep the names of the
 * SYSCALL_DEFINE arguments.  Calls missing on a kernel are skipped.
 */
static const struct lden_io_syscall table[] = {
	{ "open", LDEN_IO_OPEN, { F(PATH, "filename"), F(CMD, "flags") } },
	{ "openat", LDEN_IO_OPEN, { F(DFD, "dfd"), F(PATH, "filename"),
				    F(CMD, "flags") } },
	{ "openat2", LDEN_IO_OPEN, { F(DFD, "dfd"), F(PATH, "filename") } },
	{ "creat", LDEN_IO_OPEN, { F(PATH, "pathname") } },
	{ "read", LDEN_IO_READ, { F(FD, "fd"), F(ARG, "count") } },
	{ "write", LDEN_IO_WRITE, { F(FD, "fd"), F(ARG, "count") } },
	{ "pread64", LDEN_IO_READ, { F(FD, "fd"), F(ARG, "count") } },
	{ "pwrite64", LDEN_IO_WRITE, { F(FD, "fd"), F(ARG, "count") } },
	{ "readv", LDEN_IO_READ, { F(FD, "fd") } },
	{ "writev", LDEN_IO_WRITE, { F(FD, "fd") } },
	{ "preadv", LDEN_IO_READ, { F(FD, "fd") } },
	{ "pwritev", LDEN_IO_WRITE, { F(FD, "fd") } },
	{ "preadv2", LDEN_IO_READ, { F(FD, "fd") } },
	{ "pwritev2", LDEN_IO_WRITE, { F(FD, "fd") } },
	/* bytes copied are counted as written to the output fd */
	{ "sendfile64", LDEN_IO_WRITE, { F(FD, "out_fd"), F(FD2, "in_fd") } },
	{ "copy_file_range", LDEN_IO_WRITE, { F(FD, "fd_out"),
					      F(FD2, "fd_in") } },
	{ "close", LDEN_IO_CLOSE, { F(FD, "fd") } },
	{ "close_range", LDEN_IO_CLOSE_RANGE, { F(FD, "fd"),
						F(FD2, "max_fd"),
						F(CMD, "flags") } },
	{ "dup", LDEN_IO_DUP, { F(FD, "fildes") } },
	{ "dup2", LDEN_IO_DUP, { F(FD, "oldfd"), F(FD2, "newfd") } },
	{ "dup3", LDEN_IO_DUP, { F(FD, "oldfd"), F(FD2, "newfd"),
				 F(CMD, "flags") } },
	{ "fcntl", LDEN_IO_FCNTL, { F(FD, "fd"), F(CMD, "cmd"),
				    F(ARG, "arg") } },
	{ "fsync", LDEN_IO_FD, { F(FD, "fd") } },
	{ "fdatasync", LDEN_IO_FD, { F(FD, "fd") } },
	{ "sync_file_range", LDEN_IO_FD, { F(FD, "fd") } },
	{ "lseek", LDEN_IO_FD, { F(FD, "fd"), F(ARG, "offset"),
				 F(CMD, "whence") } },
	{ "ftruncate", LDEN_IO_FD, { F(FD, "fd"), F(ARG, "length") } },
	{ "fallocate", LDEN_IO_FD, { F(FD, "fd") } },
	{ "truncate", LDEN_IO_PATH, { F(PATH, "path"), F(ARG, "length") } },
	{ "unlink", LDEN_IO_PATH, { F(PATH, "pathname") } },
	{ "unlinkat", LDEN_IO_PATH, { F(DFD, "dfd"), F(PATH, "pathname") } },
	{ "mkdir", LDEN_IO_PATH, { F(PATH, "pathname") } },
	{ "mkdirat", LDEN_IO_PATH, { F(DFD, "dfd"), F(PATH, "pathname") } },
	{ "rmdir", LDEN_IO_PATH, { F(PATH, "pathname") } },
	{ "rename", LDEN_IO_RENAME, { F(PATH, "oldname"),
				      F(PATH2, "newname") } },
	{ "renameat", LDEN_IO_RENAME, { F(DFD, "olddfd"), F(PATH, "oldname"),
					F(DFD2, "newdfd"),
					F(PATH2, "newname") } },
	{ "renameat2", LDEN_IO_RENAME, { F(DFD, "olddfd"), F(PATH, "oldname"),
					 F(DFD2, "newdfd"),
					 F(PATH2, "newname") } },
	{ "unshare", LDEN_IO_UNSHARE, { F(CMD, "unshare_flags") } },
};

const struct lden_io_syscall *lden_io_syscalls(int *n)
{
	*n = (int)(sizeof(table) / sizeof(table[0]));
	return table;
}
