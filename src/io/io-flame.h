/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lden io's flame graphs: the calls folded as comm;path;syscall, written
 * at the end to each --flamegraph FILE as folded text or as an SVG
 * picture (by --format, else by the name: FILE.svg is a picture), and
 * meanwhile published for the dashboard (flame-live.h).
 */
#ifndef LDEN_IO_FLAME_H
#define LDEN_IO_FLAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --flamegraph may be given this many times. */
#define LDEN_IO_FLAME_MAX_FILES 4

struct lden_io_flame;
struct lden_io_tracer;
struct lden_guard;

/*
 * lden_io_flame__new - open @files (so that a bad name is an error before
 * tracing starts); @format is "folded", "svg" or NULL (by the name);
 * values are calls, or latencies in ns with @latency.
 * Returns the object, or NULL with @err set.
 */
struct lden_io_flame *lden_io_flame__new(const char *const *files, int nfiles,
					const char *format, bool latency,
					char *err, size_t errlen);

/* Frees, closing files not written and removing the live snapshot. */
void lden_io_flame__free(struct lden_io_flame *fl);

/*
 * lden_io_flame__add - one call of @comm on @path, whose kind
 * (io-summary.h's LDEN_IO_KEY_*) says how it was had: exact, late,
 * partial, or lden's own "[fd N]" or "[none]"
 *
 * The names are frames as the text shows them (escape.h), ';' as "\x3b"
 * too, so that any bytes make one frame and read back exactly; a path
 * read late ends in lden's '?' ("...?" cut short), an exact path's own
 * last '?' and first '[' are escaped (never a mark or a bucket), and a
 * name's first '#' (a comment of the folded format).
 * Returns 0 or -ENOMEM.
 */
int lden_io_flame__add(struct lden_io_flame *fl, const char *comm,
		      const char *path, char kind, const char *syscall,
		      uint64_t value);

/*
 * What the pictures say besides the frames: the calls after filters,
 * the tracer's lost records and the syscalls the guard switched to
 * counting (their calls are not in the graph), for a run of @secs.
 */
void lden_io_flame__context(struct lden_io_flame *fl,
			   struct lden_io_tracer *t, struct lden_guard *g,
			   uint64_t calls, double secs);

/*
 * lden_io_flame__live - publish the graph for the dashboard when a second
 * has passed since the last time (@secs from the start) and it has
 * changed; the first failure is said once on stderr, then no more tries.
 */
void lden_io_flame__live(struct lden_io_flame *fl, struct lden_io_tracer *t,
			struct lden_guard *g, uint64_t calls, double secs);

/* Writes every file.  Returns 0, or -1 with @err set. */
int lden_io_flame__finish(struct lden_io_flame *fl, struct lden_io_tracer *t,
			 struct lden_guard *g, uint64_t calls, double secs,
			 char *err, size_t errlen);

#endif
