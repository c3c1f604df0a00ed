// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * read-burst N SIZE [GO]: reads SIZE bytes from /dev/zero N times (N = 0:
 * until killed), a known number of read(2) calls of a size nothing else
 * uses, for the overhead guard's test; with GO, a fifo, it starts once a
 * line can be read from it.  Exits 1 if any read falls short.  With
 * READ_BURST_CPU=FILE in the environment it writes there, at the end, its
 * own CPU time (user and system) per read, in ns: what tracing its reads
 * costs it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

static void report_cpu(unsigned long n)
{
	const char *path = getenv("READ_BURST_CPU");
	struct rusage ru;
	FILE *f;

	if (!path || !n || getrusage(RUSAGE_SELF, &ru) < 0)
		return;
	f = fopen(path, "we");
	if (!f)
		return;
	fprintf(f, "%.1f\n",
		((ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
		 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3) / n);
	fclose(f);
}

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
	report_cpu(n);
	return 0;
}
