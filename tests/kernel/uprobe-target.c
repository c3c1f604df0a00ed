// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uprobe-target - call a probe-able function a known number of times.
 *
 *   uprobe-target N [--wait]
 *
 * Calls lden_uprobe_target_fn(i) for i = 0 .. N-1, in order, and exits 0.
 * With --wait it first reads one byte from stdin, so a test can start it,
 * attach, then let it run (the tests here instead open their events on the
 * child before it execs us, which needs no such handshake).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int lden_uprobe_target_fn(int i);

/*
 * noinline and used keep one real call per iteration and the symbol in
 * .symtab; the empty asm makes the argument and memory "used", so the
 * compiler can neither fold the calls nor drop them.
 */
__attribute__((noinline, used)) int lden_uprobe_target_fn(int i)
{
	__asm__ volatile("" : : "r"(i) : "memory");
	return i + 1;
}

int main(int argc, char **argv)
{
	volatile long sum = 0;
	char *end;
	long n;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--wait"))) {
		fprintf(stderr, "usage: uprobe-target N [--wait]\n");
		return 2;
	}
	n = strtol(argv[1], &end, 10);
	if (*end || end == argv[1] || n < 0 || n > 100000000) {
		fprintf(stderr, "uprobe-target: bad count '%s'\n", argv[1]);
		return 2;
	}
	if (argc == 3) {
		char b;

		if (read(STDIN_FILENO, &b, 1) != 1) {
			fprintf(stderr, "uprobe-target: no start byte on stdin\n");
			return 2;
		}
	}
	for (long i = 0; i < n; i++)
		sum += lden_uprobe_target_fn((int)i);
	return sum == n * (n + 1) / 2 ? 0 : 1;
}
