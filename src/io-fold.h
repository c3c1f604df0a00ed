/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Folded stacks for flame graphs: "frame;frame;frame VALUE" lines, the
 * input of flamegraph.pl, inferno-flamegraph and speedscope.  Frames have
 * ';' and line breaks replaced by '_'.  At most max_stacks distinct
 * stacks are kept; values of further ones are summed into the stack
 * "[other]" (counted in lden_fold_overflow()).
 */
#ifndef LDEN_IO_FOLD_H
#define LDEN_IO_FOLD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct lden_fold;

struct lden_fold *lden_fold_new(size_t max_stacks);
void lden_fold_free(struct lden_fold *f);

/*
 * lden_fold_add - add @value to the stack of @nframes frames, root first
 * Returns 0 or -ENOMEM.
 */
int lden_fold_add(struct lden_fold *f, const char *const *frames,
		  int nframes, uint64_t value);

/* Writes the lines sorted by stack; returns 0 or -errno (EIO). */
int lden_fold_write(const struct lden_fold *f, FILE *out);

uint64_t lden_fold_overflow(const struct lden_fold *f);

#endif
