/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live flame graphs, from a running `lden io --flamegraph` to the
 * dashboard of `lden visualize`: two processes, one directory.
 *
 * lden io rewrites its folded stacks, at most once a second, as
 * DIR/io-PID.folded (written aside, then renamed: a reader sees a whole
 * file), with '#' header lines that carry what the picture needs (title,
 * totals, notes, unit, when); it removes the file when it ends.  The
 * dashboard lists the files whose process is a running lden and draws
 * one on request; the first snapshot of an lden io removes those of lden
 * processes that ended without removing theirs (SIGKILL).  DIR is
 * $LDEN_RUNTIME_DIR, else /run/lden, made 0700;
 * a directory or file that is not the caller's own, or that others may
 * write, is not used.
 */
#ifndef LDEN_FLAME_LIVE_H
#define LDEN_FLAME_LIVE_H

#include <stddef.h>
#include <sys/types.h>

#include "io-fold.h"

/* A snapshot's largest size the dashboard reads. */
#define LDEN_FLAME_LIVE_MAX_BYTES (64u << 20)

struct lden_flame_meta {
	pid_t pid;		/* the lden io that wrote it */
	double updated;		/* seconds since the epoch */
	char title[128];
	char subtitle[256];
	char notes[256];	/* "" when nothing is missing */
	char unit[8];		/* "calls" or "ns" */
};

/* The directory ($LDEN_RUNTIME_DIR, else /run/lden). */
const char *lden_flame_live__dir(void);

/*
 * lden_flame_live__publish - write @f and @m (m->pid is ignored: this
 * process) as this process's snapshot, making the directory if needed.
 * Returns 0, or a negative errno with @err set.
 */
int lden_flame_live__publish(const struct lden_fold *f,
			    const struct lden_flame_meta *m, char *err,
			    size_t errlen);

/* Removes this process's snapshot, if any. */
void lden_flame_live__remove(void);

/*
 * lden_flame_live__list - @fn on the header of each snapshot whose process
 * is a running lden, by pid.  Returns 0 (also when there is no
 * directory), or @fn's first non-zero return.
 */
int lden_flame_live__list(int (*fn)(const struct lden_flame_meta *m,
				   void *ctx), void *ctx);

/*
 * lden_flame_live__load - the snapshot of @pid into @f (empty) and @m
 * Returns 0, or -ENOENT (none, or its process has gone), -EINVAL (not a
 * snapshot), -EFBIG, -EPERM (not ours, or writable by others), -ENOMEM.
 */
int lden_flame_live__load(pid_t pid, struct lden_fold *f,
			 struct lden_flame_meta *m);

#endif
