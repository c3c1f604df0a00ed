// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A process whose file I/O is known exactly, for lden io's tests.
 *
 *   io-target FIFO file PATH K W    the file recipe (below)
 *   io-target FIFO null N           N one-byte writes to /dev/null
 *
 * It opens FIFO (read-write, so that opening it does not wait for a
 * writer) before anything else, prints "ready", and waits for a byte on
 * it: poll(2), which lden io does not trace, then read(2), which it does.
 * Then the recipe, then it waits for a second byte in the same way and
 * exits.  Between the two bytes it makes exactly these calls:
 *
 * file: fd = openat(PATH, O_CREAT|O_TRUNC|O_RDWR); W writes of K/W bytes;
 *       lseek(fd, 0); W reads of K/W bytes; d1 = dup(fd);
 *       d2 = fcntl(fd, F_DUPFD, 100); write(d1, 10 bytes);
 *       write(d2, 20 bytes); lseek(d1, 0); read(d2, 30 bytes);
 *       close(d2); close(d1); close(fd)
 * null: fd = openat("/dev/null"); N writes of 1 byte; close(fd);
 *       write(1, "done\n")
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void wait_byte(int fifo)
{
	struct pollfd p = { .fd = fifo, .events = POLLIN };
	char c;

	while (poll(&p, 1, -1) != 1)
		;
	if (read(fifo, &c, 1) != 1)
		exit(3);
}

static void must(long got, long want, const char *what)
{
	if (got != want) {
		/* after the go byte: a failure is a failure, whatever it adds */
		fprintf(stderr, "io-target: %s returned %ld, want %ld\n", what,
			got, want);
		exit(4);
	}
}

static void file_recipe(const char *path, long k, long w)
{
	static char buf[1 << 20];
	long chunk = k / w;
	int fd, d1, d2;

	fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0)
		exit(5);
	memset(buf, 'x', (size_t)chunk);
	for (long i = 0; i < w; i++)
		must(write(fd, buf, (size_t)chunk), chunk, "write");
	must(lseek(fd, 0, SEEK_SET), 0, "lseek");
	for (long i = 0; i < w; i++)
		must(read(fd, buf, (size_t)chunk), chunk, "read");
	d1 = dup(fd);
	d2 = fcntl(fd, F_DUPFD, 100);
	must(d2, 100, "fcntl F_DUPFD");
	must(write(d1, buf, 10), 10, "write d1");
	must(write(d2, buf, 20), 20, "write d2");
	must(lseek(d1, 0, SEEK_SET), 0, "lseek d1");
	must(read(d2, buf, 30), 30, "read d2");
	must(close(d2), 0, "close");
	must(close(d1), 0, "close");
	must(close(fd), 0, "close");
}

static void null_recipe(long n)
{
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0)
		exit(5);
	for (long i = 0; i < n; i++)
		must(write(fd, "x", 1), 1, "write");
	close(fd);
	must(write(1, "done\n", 5), 5, "write done");
}

int main(int argc, char **argv)
{
	int fifo;

	if (argc < 3 || ((strcmp(argv[2], "file") || argc != 6) &&
			 (strcmp(argv[2], "null") || argc != 4))) {
		fprintf(stderr, "usage: io-target FIFO file PATH K W | FIFO null N\n");
		return 2;
	}
	fifo = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fifo < 0) {
		perror(argv[1]);
		return 1;
	}
	if (!strcmp(argv[2], "file") &&
	    (atol(argv[4]) <= 0 || atol(argv[5]) <= 0 ||
	     atol(argv[4]) % atol(argv[5]) ||
	     atol(argv[4]) / atol(argv[5]) > 1 << 20)) {
		fprintf(stderr, "io-target: K must be a multiple of W\n");
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	wait_byte(fifo);
	if (!strcmp(argv[2], "file"))
		file_recipe(argv[3], atol(argv[4]), atol(argv[5]));
	else
		null_recipe(atol(argv[3]));
	wait_byte(fifo);
	return 0;
}
