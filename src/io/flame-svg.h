/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A flame graph as one self-contained SVG file: the folded stacks of an
 * lden_fold drawn as frames sized by their value, with a title, the
 * totals, and what the data lacks.  The interactive part (the frame and
 * its share under the pointer, click to zoom, search) is
 * dashboard/flame.js, embedded in the file or, on the dashboard, loaded
 * by the page.  Nothing is fetched from elsewhere (no script, no font: the
 * reader's own monospace), nothing is styled inline (presentation
 * attributes only), so the dashboard's Content-Security-Policy holds.
 *
 * Every frame is a <g> with data-s (where it starts, in the stacks'
 * units from the left), data-v (its value) and data-d (its depth, the
 * root "all" 0); its <rect> spans exactly [pos(s), pos(s + v)), with pos
 * rounded to 1/100 px, so the widths of a frame's children add up to the
 * frame's own (less its self value) and the root's to the total.
 */
#ifndef LDEN_FLAME_SVG_H
#define LDEN_FLAME_SVG_H

#include <stdbool.h>
#include <stdio.h>

#include "io-fold.h"

struct lden_flame_opts {
	const char *title;	/* "lden io: file I/O by calls" */
	const char *subtitle;	/* the totals, or NULL */
	const char *notes;	/* what is missing or merged, or NULL: shown in red */
	const char *unit;	/* "calls" (counts) or "ns" (times) */
	bool script;		/* embed dashboard/flame.js (a file, not the dashboard) */
};

/* Frames' area width in px: the SVG is 1200 px wide with 10 px margins. */
#define LDEN_FLAME_WIDTH 1180

/*
 * lden_flame_svg__write - the flame graph of @f on @out
 * Returns 0, or -ENOMEM, or -EIO (@out failed).
 */
int lden_flame_svg__write(const struct lden_fold *f,
			 const struct lden_flame_opts *o, FILE *out);

/* The interactive script (dashboard/flame.js), for the dashboard to serve. */
extern const char lden_flame_js[];

#endif
