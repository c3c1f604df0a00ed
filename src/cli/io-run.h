/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A run of lden io: the file I/O system calls traced (io-trace.c), each
 * call filtered by --comm and --path, printed (lines or JSON), added to
 * the summaries and flame graphs; the statistics at the end.  cmd-io.c is
 * its command line; this is the commands' layer (it prints).
 */
#ifndef LDEN_IO_RUN_H
#define LDEN_IO_RUN_H

#include "cmdline.h"
#include "io-flame.h"
#include "io-summary.h"
#include "io-trace.h"
#include "run.h"

struct lden_io_run_opts {
	struct lden_cmdline c;	/* --time (alias --duration), --json */
	const char *comm;
	const char *path_glob;
	bool quiet;
	bool summary;
	bool sort_bytes;
	const char *flamegraph[LDEN_IO_FLAME_MAX_FILES];
	int nflame;
	const char *flame_format;
	bool weight_latency;
	bool weight_given;
	enum lden_strings strings;
	unsigned int show;	/* LDEN_IO_SHOW_*: --ns, --show-container */
};

struct lden_io_run {
	struct lden_io_run_opts o;
	struct lden_run *run;
	struct lden_io_tracer *t;
	struct lden_io_summary *files, *procs;
	struct lden_io_flame *flame;
	uint64_t start_ns;
	uint64_t after_filter;
	struct lden_guard *guard;	/* the run's */
	struct lden_io_opts io;
	bool per_call;
};

/*
 * lden_io_run__prepare - the tracer's options from the command line (the
 * --pid processes' threads), the summaries and flame graphs.  Returns 0
 * or an exit status after printing the error.
 */
int lden_io_run__prepare(struct lden_io_run *r);

/*
 * lden_io_run__attach - lden_run__attach()'s callback (@ctx the io run):
 * the tracer on @run's session, the guard over it in @g.
 */
int lden_io_run__attach(void *ctx, struct lden_run *run,
			struct lden_guard **g);

/* lden_run__attach()'s enable: the tracer started. */
int lden_io_run__enable(void *ctx);

/* What is traced (stderr), the column names of the lines. */
void lden_io_run__header(const struct lden_io_run *r);

/*
 * lden_io_run__loop - calls until --time, a signal, or every --pid
 * process (the command) gone; then the summaries, the flame graphs and
 * the statistics.  Returns the exit status.
 */
int lden_io_run__loop(struct lden_io_run *r);

/* Frees what the io run holds (not the run, not the options). */
void lden_io_run__release(struct lden_io_run *r);

#endif
