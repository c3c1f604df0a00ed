// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The workloads of the exact-strings tests: programs whose every string
 * is known, the kinds that late reads get wrong.
 *
 *   strings-target reuse N ...  N opens of missing paths, each name built
 *                               in the same stack buffer just before its
 *                               open: /nonexistent-lden/PID-I (further
 *                               arguments only tell processes apart)
 *   strings-target handoff N FILE  N opens of missing paths as reuse
 *                               makes them, back to back, then waits
 *                               (up to 60 s) for FILE to exist: every
 *                               call's buffer given to the next but the
 *                               last's, held alive to be read
 *   strings-target storm SEC N  for SEC seconds, opens and closes of
 *                               /etc/hostname as fast as it can, and N
 *                               opens of missing paths spread among them
 *                               (reused buffer, as above); prints
 *                               "opens/s R" on stderr at the end
 *   strings-target write DIR N  creates DIR/f0 .. DIR/fN-1 and writes
 *                               I+1 bytes to file I, then exits
 *   strings-target odd DIR      opens DIR/ plus each of a name with a
 *                               terminal escape sequence and a newline,
 *                               and a name that is not UTF-8 (missing)
 *   strings-target long L...    for each L, opens a missing path of
 *                               exactly L bytes that starts with
 *                               /nonexistent-lden/long-L/ (then parts of
 *                               200 bytes), near and past the kernel's
 *                               copy limits (4095 is the longest path
 *                               the kernel takes)
 *   strings-target mapped FILE  opens the path FILE holds (NUL-ended),
 *                               from a mapping of FILE not touched
 *                               before (a probe's copy faults), then
 *                               waits for a line on stdin
 *   strings-target exec-retry PROG  execve of PROG through the C library
 *                               with arguments "PROG libc-call" that
 *                               fails (an environment string at a bad
 *                               address: EFAULT, after the C library's
 *                               entry was passed), then the system call
 *                               itself, bypassing the C library, with
 *                               "PROG raw-call"
 *   strings-target fexec PROG ARG...  PROG run by fexecve (execveat of
 *                               an fd with an empty path), as ARG...
 *   strings-target rewrite DIR N  prints "ready", waits for a line on
 *                               stdin, then N times builds DIR/fI in one
 *                               buffer, creates that file, writes I+1
 *                               bytes built in the same buffer over the
 *                               path, closes it; prints "done" and lives
 *                               until end of file on stdin (traced by
 *                               --pid: a string read late from its
 *                               memory is another call's, or contents)
 *   strings-target hostile STEP...  each STEP in turn, every string given
 *                               as hex (any byte but NUL, which ends it):
 *                                 name HEX   prctl(PR_SET_NAME) (the
 *                                            kernel keeps 15 bytes)
 *                                 open HEX   open(O_RDONLY), closed
 *                                 creat HEX  open(O_CREAT|O_WRONLY),
 *                                            1 byte written, closed
 *                                 flip A B N N opens of one buffer, A
 *                                            written into it before
 *                                            each, while a thread keeps
 *                                            writing B (as long) over
 *                                            it: what the kernel took
 *                                            is A when the open
 *                                            succeeds (give A as an
 *                                            existing file, B missing);
 *                                            a read after the call
 *                                            sees B or A; prints "flip
 *                                            OK of N"
 *                                 wait       prints "ready", then
 *                                            waits for a line on stdin
 *                                 exec HEX HEX...  execve of the first
 *                                            with the rest as argv (the
 *                                            last step)
 *                               prints "ok STEP" on stdout after each
 *
 * It exits at once when done: the tests trace it with -- COMMAND, so a
 * string read from its memory afterwards is gone.  Built twice: dynamic
 * (the C library's entry points are probed) and static (they are not).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One missing path, built in @buf (reused by every call). */
static int open_missing(char *buf, size_t len, long i)
{
	snprintf(buf, len, "/nonexistent-lden/%d-%ld", (int)getpid(), i);
	return open(buf, O_RDONLY) < 0 ? 0 : 1;
}

static int reuse(long n)
{
	char buf[64];
	int bad = 0;

	for (long i = 0; i < n; i++)
		bad |= open_missing(buf, sizeof(buf), i);
	return bad;
}

static int handoff(long n, const char *file)
{
	int bad = reuse(n);

	for (int i = 0; i < 60 * 200 && access(file, F_OK); i++)
		usleep(5000);
	return bad;
}

static int storm(double secs, long n)
{
	double t0 = now(), el = 0;
	long opens = 0, done = 0;
	char buf[64];
	int bad = 0;

	while (el < secs || done < n) {
		for (int k = 0; k < 1000; k++) {
			int fd = open("/etc/hostname", O_RDONLY);

			if (fd < 0)
				return 3;
			close(fd);
		}
		opens += 1000;
		el = now() - t0;
		/* the missing ones evenly over the run */
		while (done < n && (el >= secs || done < (long)(n * el / secs)))
			bad |= open_missing(buf, sizeof(buf), done++);
	}
	fprintf(stderr, "opens/s %.0f\n", (double)opens / el);
	return bad;
}

static int write_files(const char *dir, long n)
{
	static char data[65536];
	char path[4096];

	memset(data, 'x', sizeof(data));
	for (long i = 0; i < n && i < (long)sizeof(data); i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
		if (fd < 0 || write(fd, data, (size_t)i + 1) != i + 1)
			return 4;
		close(fd);
	}
	return 0;
}

static int odd(const char *dir)
{
	char path[4096];
	int fd;

	/* ESC [31m, a newline, a backslash and a trailing '?' */
	snprintf(path, sizeof(path), "%s/\x1b[31mred\nline\\x?", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (fd < 0)
		return 5;
	close(fd);
	/* 0xff is never UTF-8 */
	snprintf(path, sizeof(path), "%s/bad\xff" "byte", dir);
	return open(path, O_RDONLY) < 0 ? 0 : 6;
}

/*
 * The path in FILE's first page, mapped and never touched before the
 * open: the kernel's getname() faults the page in, a probe's copy at the
 * call cannot (it leaves nothing).  Then waits for a line on stdin, so
 * the process is still there when its open's record is read.
 */
static int mapped(const char *file)
{
	char line[16];
	void *m;
	int fd = open(file, O_RDONLY), r;

	if (fd < 0)
		return 7;
	m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 7;
	r = open((const char *)m, O_RDONLY) < 0 ? 0 : 8;
	if (!fgets(line, sizeof(line), stdin))
		return 9;
	return r;
}

static int long_paths(int n, char **lens)
{
	static char path[65536];

	for (int i = 0; i < n; i++) {
		long len = atol(lens[i]);
		int k;

		if (len < 40 || len >= (long)sizeof(path))
			return 7;
		k = snprintf(path, sizeof(path), "/nonexistent-lden/long-%ld/",
			     len);
		for (long j = k; j < len; j++)
			path[j] = (j - k) % 201 == 200 ? '/' : 'a';
		path[len] = '\0';
		if (path[len - 1] == '/')
			path[len - 1] = 'z';
		if (open(path, O_RDONLY) >= 0)
			return 8;
	}
	return 0;
}

static int exec_retry(char *prog)
{
	static char libc_arg[] = "libc-call", raw_arg[] = "raw-call";
	char *libc_call[] = { prog, libc_arg, NULL };
	char *raw_call[] = { prog, raw_arg, NULL };
	char *bad_env[] = { (char *)8, NULL };
	char *env[] = { NULL };

	execve(prog, libc_call, bad_env);
	syscall(SYS_execve, prog, raw_call, env);
	return 9;
}

static int rewrite(const char *dir, long n)
{
	static char buf[8192];
	char line[16];

	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 10;
	for (long i = 0; i < n && i < (long)sizeof(buf); i++) {
		int fd;

		snprintf(buf, sizeof(buf), "%s/f%ld", dir, i);
		fd = open(buf, O_CREAT | O_TRUNC | O_WRONLY, 0644);
		if (fd < 0)
			return 11;
		memset(buf, 'a' + i % 26, (size_t)i + 1);
		if (write(fd, buf, (size_t)i + 1) != i + 1)
			return 12;
		close(fd);
	}
	printf("done\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		;
	return 0;
}

static int fexec(const char *prog, char **args)
{
	char *env[] = { NULL };
	int fd = open(prog, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		fexecve(fd, args, env);
	return 10;
}

/* @hex's bytes into a new string (odd digits and NUL bytes refused) */
static char *unhex(const char *hex)
{
	size_t n = strlen(hex);
	char *s = n % 2 ? NULL : malloc(n / 2 + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1 || !b) {
			free(s);
			return NULL;
		}
		s[i] = (char)b;
	}
	s[n / 2] = '\0';
	return s;
}

static struct flip {
	char *buf, *a, *b;
	size_t len;
	atomic_int stop;
} fl;

/* B over the buffer as fast as it can, A's writer waiting for nothing */
static void *flipper(void *arg)
{
	(void)arg;
	while (!atomic_load(&fl.stop))
		memcpy(fl.buf, fl.b, fl.len);
	return NULL;
}

/*
 * @n opens of a buffer @a is written into just before each, while a
 * thread writes @b over it: the kernel takes @a, @b or a mix, and the
 * open's result says whether it took @a (an existing file; @b missing).
 * Returns how many opens succeeded, -1 on failure.
 */
static long flip(const char *a, const char *b, long n)
{
	size_t la = strlen(a) + 1, lb = strlen(b) + 1;
	pthread_t t;
	long ok = 0;

	fl.len = la > lb ? la : lb;
	fl.buf = calloc(1, fl.len);
	fl.a = calloc(1, fl.len);
	fl.b = calloc(1, fl.len);
	if (!fl.buf || !fl.a || !fl.b)
		return -1;
	memcpy(fl.a, a, la);
	memcpy(fl.b, b, lb);
	if (pthread_create(&t, NULL, flipper, NULL))
		return -1;
	for (long i = 0; i < n; i++) {
		int fd;

		memcpy(fl.buf, fl.a, fl.len);
		fd = open(fl.buf, O_RDONLY);
		if (fd >= 0) {
			ok++;
			close(fd);
		}
	}
	atomic_store(&fl.stop, 1);
	pthread_join(t, NULL);
	return ok;
}

static int hostile(int argc, char **argv)
{
	char line[16];

	for (int i = 0; i < argc; i++) {
		const char *step = argv[i];
		char *s = NULL, *t = NULL;
		int need = !strcmp(step, "wait") ? 0 :
			   !strcmp(step, "flip") ? 3 : 1;
		long r = 0;

		if (i + need >= argc || (need && !(s = unhex(argv[i + 1]))))
			return 20;
		if (!strcmp(step, "name")) {
			r = prctl(PR_SET_NAME, s, 0, 0, 0);
		} else if (!strcmp(step, "open")) {
			int fd = open(s, O_RDONLY);

			r = fd >= 0 ? close(fd) : 0;
		} else if (!strcmp(step, "creat")) {
			int fd = open(s, O_CREAT | O_WRONLY | O_TRUNC, 0644);

			r = fd < 0 || write(fd, "x", 1) != 1 || close(fd);
		} else if (!strcmp(step, "flip")) {
			t = unhex(argv[i + 2]);
			r = t ? flip(s, t, atol(argv[i + 3])) : -1;
			if (r >= 0)
				printf("flip %ld of %ld\n", r, atol(argv[i + 3]));
			r = r < 0;
		} else if (!strcmp(step, "wait")) {
			printf("ready\n");
			fflush(stdout);
			/* end of file goes on as a line does */
			if (!fgets(line, sizeof(line), stdin))
				line[0] = '\0';
		} else if (!strcmp(step, "exec")) {
			char **args = calloc((size_t)argc, sizeof(*args));

			for (int k = i + 2; args && k < argc; k++)
				if (!(args[k - i - 2] = unhex(argv[k])))
					return 20;
			fflush(stdout);
			if (args)
				execv(s, args);
			return 21;
		} else {
			return 20;
		}
		free(s);
		free(t);
		if (r)
			return 22;
		printf("ok %s\n", step);
		fflush(stdout);
		i += need;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "hostile"))
		return hostile(argc - 2, argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "reuse"))
		return reuse(atol(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "handoff"))
		return handoff(atol(argv[2]), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "storm"))
		return storm(atof(argv[2]), atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "mapped"))
		return mapped(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "write"))
		return write_files(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "odd"))
		return odd(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "long"))
		return long_paths(argc - 2, argv + 2);
	if (argc == 3 && !strcmp(argv[1], "exec-retry"))
		return exec_retry(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "fexec"))
		return fexec(argv[2], argv + 3);
	if (argc == 4 && !strcmp(argv[1], "rewrite"))
		return rewrite(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: strings-target reuse N [ARG...] | handoff N FILE | storm SEC N | write DIR N | odd DIR | mapped FILE | long L... | exec-retry PROG | fexec PROG ARG... | rewrite DIR N | hostile STEP...\n");
	return 2;
}
