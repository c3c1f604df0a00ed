// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The notify expression parser under libFuzzer (as libbpf's
 * fuzz/bpf-object-fuzzer.c): parse, then evaluate what parsed or format
 * the error of what did not, and free.
 *
 * Built with --enable-fuzzing (clang, -fsanitize=fuzzer) this is the
 * fuzzer; otherwise main() below replays every file of the seed corpus and
 * of the regressions (inputs that once crashed) through the same function,
 * as a test of make check.
 *
 * Each input runs in a thread with a stack of STACK_SIZE, smaller than
 * the 2 MiB a service often gets (systemd, containers): recursion that
 * only a long input reaches (a chain of 60,000 terms once did) crashes
 * here, not in the field.  The fuzzer must be let make such inputs:
 * 'make fuzz-short' passes -max_len beyond the parser's own limit.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

#define STACK_SIZE (512 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input, NUL-terminated: parse, evaluate or format the error. */
static void *one_input(void *arg)
{
	/* more values than the parser allows events (64) */
	static struct lden_expr_values vals[128];
	struct lden_expr_error err;
	struct lden_expr *e;
	char *text = arg, buf[512];
	for (int i = 0; i < 128; i++)
		vals[i] = (struct lden_expr_values){ i, i * 4096.0, i % 3 };
	e = lden_expr__parse(text, &err);
	if (e) {
		char label[300];

		lden_expr__eval(e, vals);
		for (int i = 0; i < e->nevents; i++)
			lden_expr_event__label(&e->events[i], label,
					      sizeof(label));
		if (e->nevents) {
			lden_expr_error__at(&err, &e->events[e->nevents - 1],
					   "%s", "check");
			lden_expr__format_error(text, &err, buf, sizeof(buf));
		}
		lden_expr__free(e);
	} else {
		if (err.pos < 0 || err.len < 1 || err.pos > (int)strlen(text) ||
		    !err.msg[0])
			abort();	/* the caret must point into the text */
		lden_expr__format_error(text, &err, buf, sizeof(buf));
		/* a tiny buffer too: truncated, never overrun */
		lden_expr__format_error(text, &err, buf, 8);
	}
	return NULL;
}

/*
 * The one thread with the small stack, made once (a thread per input
 * costs more than the input), handed each input in turn.
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static char *pending;
static bool done;

static void *worker(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!pending)
			pthread_cond_wait(&cond, &lock);
		pthread_mutex_unlock(&lock);
		one_input(pending);
		pthread_mutex_lock(&lock);
		pending = NULL;
		done = true;
		pthread_cond_broadcast(&cond);
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool started;
	char *text;

	if (!started) {
		pthread_attr_t attr;
		pthread_t t;

		if (pthread_attr_init(&attr) ||
		    pthread_attr_setstacksize(&attr, STACK_SIZE) ||
		    pthread_create(&t, &attr, worker, NULL))
			abort();
		pthread_attr_destroy(&attr);
		started = true;
	}
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	pthread_mutex_lock(&lock);
	done = false;
	pending = text;
	pthread_cond_broadcast(&cond);
	while (!done)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	free(text);
	return 0;
}

#ifndef LDEN_LIBFUZZER
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *data = NULL;
	size_t size = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "fuzz-expr: cannot open '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	do {
		if (size == cap) {
			uint8_t *d = realloc(data, cap = cap ? cap * 2 : 4096);

			if (!d) {
				free(data);
				fclose(f);
				return -1;
			}
			data = d;
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

/* Every regular file of @dir; returns how many, or -1. */
static int run_dir(const char *dir)
{
	struct dirent **names;
	int n, runs = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "fuzz-expr: cannot read '%s': %s\n", dir,
			strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];

		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 names[i]->d_name);
			if (run_file(path) < 0)
				runs = -1;
			else if (runs >= 0)
				runs++;
		}
		free(names[i]);
	}
	free(names);
	return runs;
}

int main(int argc, char **argv)
{
	static const char *const dirs[] = {
		LDEN_FUZZ_DIR "/corpus", LDEN_FUZZ_DIR "/regressions",
	};
	int total = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (run_file(argv[i]) < 0)
				return 1;
		printf("fuzz-expr: %d inputs\n", argc - 1);
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		int n = run_dir(dirs[i]);

		if (n < 0)
			return 1;
		printf("fuzz-expr: %d inputs from %s\n", n, dirs[i]);
		total += n;
	}
	/* an empty corpus would test nothing */
	return total > 0 ? 0 : 1;
}
#endif
