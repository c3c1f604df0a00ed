// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * read-burst N SIZE [GO]: reads SIZE bytes from /dev/zero N times (N = 0:
 * until killed), a known number of read(2) calls of a size nothing else
 * uses, for the overhead guard's test; with GO, a fifo, it starts once a
 * line can be read from it.  Exits 1 if any read falls short.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[65536];
	unsigned long n, size;
	int fd;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: read-burst N SIZE [GO]\n");
		return 2;
	}
	n = strtoul(argv[1], NULL, 10);
	size = strtoul(argv[2], NULL, 10);
	if (!size || size > sizeof(buf))
		return 2;
	if (argc == 4) {
		FILE *go = fopen(argv[3], "re");

		if (!go || !fgets(buf, sizeof(buf), go)) {
			perror(argv[3]);
			return 1;
		}
		fclose(go);
	}
	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("/dev/zero");
		return 1;
	}
	for (unsigned long i = 0; !n || i < n; i++)
		if (read(fd, buf, size) != (ssize_t)size)
			return 1;
	return 0;
}
