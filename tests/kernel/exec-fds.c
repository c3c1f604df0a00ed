// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Descriptors across an exec, for lden io's tests.
 *
 *   exec-fds A B
 *
 * opens A close-on-exec (fd 3), opens B and moves it to fd 7 (kept
 * across exec); a child process writes 20 bytes to its copy of fd 7
 * and exits at once (B's, in a process that opened nothing); the child
 * and then the parent read(99), an fd neither has (EBADF); then it
 * execs itself.  The new image makes a pipe (fds 3
 * and 4: 3 is free again), writes 100 bytes into it and reads them back
 * (read(3) = 100, a pipe's bytes, not A's), and writes 50 bytes to fd 7
 * (B's), and exits 0 (1 when a call went otherwise).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[100] = { 0 };
	int p[2], fd, status;
	pid_t child;

	if (argc == 2 && !strcmp(argv[1], "stage2")) {
		if (pipe(p) < 0 || write(p[1], buf, 100) != 100 ||
		    read(p[0], buf, 100) != 100 || write(7, buf, 50) != 50)
			return 1;
		return 0;
	}
	if (argc != 3)
		return 2;
	if (open(argv[1], O_RDONLY | O_CLOEXEC) != 3)
		return 1;
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dup2(fd, 7) != 7 || close(fd) < 0)
		return 1;
	child = fork();
	if (child == 0)
		_exit(write(7, buf, 20) == 20 && read(99, buf, 1) < 0 ? 0 : 1);
	if (child < 0 || waitpid(child, &status, 0) != child ||
	    !WIFEXITED(status) || WEXITSTATUS(status) || read(99, buf, 1) >= 0)
		return 1;
	execl("/proc/self/exe", "exec-fds", "stage2", (char *)NULL);
	return 1;
}
