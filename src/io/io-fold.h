/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Folded stacks for flame graphs: "frame;frame;frame VALUE" lines, the
 * input of flamegraph.pl, inferno-flamegraph and speedscope.  Frames have
 * ';' and line breaks replaced by '_'.  At most max_stacks distinct
 * stacks are kept; values of further ones are summed into the stack
 * "[other]" (counted in lden_fold__overflow()).
 */
#ifndef LDEN_IO_FOLD_H
#define LDEN_IO_FOLD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct lden_fold;

struct lden_fold *lden_fold__new(size_t max_stacks);
void lden_fold__free(struct lden_fold *f);

/*
 * lden_fold__add - add @value to the stack of @nframes frames, root first
 * The frames are text as lden shows it (escape.h, LDEN_ESC_SEMICOLON: the
 * caller's escaping reads back to the exact bytes); a ';' or line break
 * still in one is written as that escaping writes it ("\x3b", "\n",
 * "\r"), never as a separator.
 * Returns 0 or -ENOMEM.
 */
int lden_fold__add(struct lden_fold *f, const char *const *frames,
		  int nframes, uint64_t value);

/* Writes the lines sorted by stack; returns 0 or -errno (EIO). */
int lden_fold__write(const struct lden_fold *f, FILE *out);

uint64_t lden_fold__overflow(const struct lden_fold *f);

/* The sum of every value added, and the number of distinct stacks. */
uint64_t lden_fold__total(const struct lden_fold *f);
size_t lden_fold__stacks(const struct lden_fold *f);

/*
 * lden_fold__each - @fn on every stack ("a;b;c", frames root first) with
 * its value, sorted by stack: the frames of a subtree come together.
 * Stops at @fn's first non-zero return and returns it; else 0, or -ENOMEM.
 */
int lden_fold__each(const struct lden_fold *f,
		   int (*fn)(const char *stack, uint64_t value, void *ctx),
		   void *ctx);

/*
 * lden_fold__read - add the lines of @in, as lden_fold__write() writes them
 * ("STACK VALUE"; lines starting with '#' are skipped), at most @max_bytes
 * of them.  Returns the number of stacks read, or -EINVAL (a line without
 * a value), -EFBIG (more than @max_bytes), -ENOMEM, -EIO.
 */
int lden_fold__read(struct lden_fold *f, FILE *in, size_t max_bytes);

#endif
