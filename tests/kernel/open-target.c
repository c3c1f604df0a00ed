// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A process for lden trace open tests: waits for a line on stdin, then
 * opens N paths that do not exist (/nonexistent-lden/PID-I) and each
 * existing path given, prints "done", and stays alive (so that its
 * memory can still be read) until stdin closes.
 *
 * usage: open-target N [EXISTING...]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char paths[1000][64];

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	char line[64];

	if (n < 0 || n > 1000) {
		fprintf(stderr, "open-target: N must be 0..1000\n");
		return 2;
	}
	for (int i = 0; i < n; i++)
		snprintf(paths[i], sizeof(paths[i]), "/nonexistent-lden/%d-%d",
			 (int)getpid(), i);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	for (int i = 0; i < n; i++)
		if (open(paths[i], O_RDONLY) >= 0)
			return 1;
	for (int i = 2; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);

		if (fd < 0)
			return 1;
		close(fd);
	}
	printf("done\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		;
	return 0;
}
