// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden io's flame graphs: see io-flame.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "flame-live.h"
#include "flame-svg.h"
#include "guard.h"
#include "io-flame.h"
#include "io-fold.h"
#include "io-pair.h"
#include "io-summary.h"
#include "io-trace.h"

/* Distinct stacks kept; the rest is summed as "[other]". */
#define FOLD_MAX_STACKS 65536
/* Seconds between two live snapshots. */
#define LIVE_PERIOD 1.0

struct flame_file {
	const char *name;
	FILE *f;
	bool svg;
};

struct lden_io_flame {
	struct lden_fold *fold;
	struct flame_file files[LDEN_IO_FLAME_MAX_FILES];
	int nfiles;
	bool latency;
	uint64_t dropped;		/* calls not added: out of memory */
	struct lden_flame_meta meta;	/* title, totals, notes, unit */
	char host[64];
	double next_live;		/* secs of the next snapshot */
	uint64_t live_total;		/* the fold's total at the last one */
	bool live_off;			/* failed once: no more tries */
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

struct lden_io_flame *lden_io_flame__new(const char *const *files, int nfiles,
					const char *format, bool latency,
					char *err, size_t errlen)
{
	struct lden_io_flame *fl = calloc(1, sizeof(*fl));

	if (!fl || !(fl->fold = lden_fold__new(FOLD_MAX_STACKS))) {
		snprintf(err, errlen, "out of memory");
		lden_io_flame__free(fl);
		return NULL;
	}
	fl->latency = latency;
	for (int i = 0; i < nfiles && i < LDEN_IO_FLAME_MAX_FILES; i++) {
		struct flame_file *ff = &fl->files[fl->nfiles];

		ff->name = files[i];
		ff->svg = format ? !strcmp(format, "svg") :
				   ends_with(files[i], ".svg");
		ff->f = fopen(files[i], "we");
		if (!ff->f) {
			snprintf(err, errlen, "cannot write '%s': %s", files[i],
				 strerror(errno));
			lden_io_flame__free(fl);
			return NULL;
		}
		fl->nfiles++;
	}
	snprintf(fl->meta.title, sizeof(fl->meta.title),
		 "lden io: file I/O %s by process;file;syscall",
		 latency ? "latency" : "calls");
	snprintf(fl->meta.unit, sizeof(fl->meta.unit), "%s",
		 latency ? "ns" : "calls");
	if (gethostname(fl->host, sizeof(fl->host) - 1) < 0)
		snprintf(fl->host, sizeof(fl->host), "?");
	return fl;
}

void lden_io_flame__free(struct lden_io_flame *fl)
{
	if (!fl)
		return;
	for (int i = 0; i < fl->nfiles; i++)
		if (fl->files[i].f)
			fclose(fl->files[i].f);
	if (fl->next_live > 0)
		lden_flame_live__remove();
	lden_fold__free(fl->fold);
	free(fl);
}

/*
 * @s as a frame into @out, escaped (lden_io_flame__add), its first byte
 * too when it is @lead's, then @mark.
 */
static void frame(const char *s, char lead, const char *mark, char *out,
		  size_t len)
{
	size_t k = 0;

	if (lead && *s == lead) {
		k = (size_t)snprintf(out, len, "\\x%02x", (unsigned char)lead);
		s++;
	}
	k += lden_escape__text(s, strlen(s),
			       LDEN_ESC_QMARK_LAST | LDEN_ESC_SEMICOLON,
			       out + k, len - k - strlen(mark));
	snprintf(out + k, len - k, "%s", mark);
}

int lden_io_flame__add(struct lden_io_flame *fl, const char *comm,
		      const char *path, char kind, const char *syscall,
		      uint64_t value)
{
	/* not on the stack: a call's cost must not grow with the longest
	 * path (io runs in one thread) */
	static char p[4 * LDEN_IO_PATH_MAX + 8];
	char c[4 * 64 + 2];
	const char *frames[3] = { c, p, syscall };
	const char *mark = kind == LDEN_IO_KEY_LATE ? "?" : "";
	int rc;

	if (kind == LDEN_IO_KEY_PARTIAL)
		mark = "...?";
	/* a line beginning with '#' is a comment of the folded format */
	frame(comm, '#', "", c, sizeof(c));
	if (kind == LDEN_IO_KEY_FD || kind == LDEN_IO_KEY_NONE)
		snprintf(p, sizeof(p), "%s", path);
	else
		frame(path, kind == LDEN_IO_KEY_EXACT ? '[' : 0, mark, p,
		      sizeof(p));
	rc = lden_fold__add(fl->fold, frames, 3, value);

	if (rc < 0)
		fl->dropped++;
	return rc;
}

/* @part after the parts already in @buf, "; " between them. */
static void append(char *buf, size_t size, const char *part)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? "; " : "", part);
}

void lden_io_flame__context(struct lden_io_flame *fl,
			   struct lden_io_tracer *t, struct lden_guard *g,
			   uint64_t calls, double secs)
{
	struct lden_flame_meta *m = &fl->meta;
	uint64_t total = lden_fold__total(fl->fold);
	struct lden_io_stats st;
	char part[256], names[160] = "";

	if (fl->latency)
		snprintf(m->subtitle, sizeof(m->subtitle),
			 "%.6f s of latency in %llu calls over %.1f s on %s",
			 (double)total / 1e9, (unsigned long long)calls, secs,
			 fl->host);
	else
		snprintf(m->subtitle, sizeof(m->subtitle),
			 "%llu calls over %.1f s on %s",
			 (unsigned long long)total, secs, fl->host);
	m->notes[0] = '\0';
	lden_io_tracer__stats(t, &st);
	if (st.lost) {
		snprintf(part, sizeof(part), "%llu records lost",
			 (unsigned long long)st.lost);
		append(m->notes, sizeof(m->notes), part);
	}
	for (int i = 0; g && i < lden_guard__nactions(g); i++) {
		size_t len = strlen(names);

		snprintf(names + len, sizeof(names) - len, "%s%s",
			 len ? ", " : "", lden_guard__action(g, i)->event);
	}
	if (names[0]) {
		snprintf(part, sizeof(part),
			 "the guard switched %s to counting: later calls missing",
			 names);
		append(m->notes, sizeof(m->notes), part);
	}
	if (fl->dropped) {
		snprintf(part, sizeof(part), "%llu calls left out (out of memory)",
			 (unsigned long long)fl->dropped);
		append(m->notes, sizeof(m->notes), part);
	}
	if (m->notes[0]) {
		memmove(m->notes + 12, m->notes, sizeof(m->notes) - 12);
		memcpy(m->notes, "incomplete: ", 12);
		m->notes[sizeof(m->notes) - 1] = '\0';
	}
	if (lden_fold__overflow(fl->fold)) {
		snprintf(part, sizeof(part),
			 "%llu calls beyond %d distinct stacks summed as [other]",
			 (unsigned long long)lden_fold__overflow(fl->fold),
			 FOLD_MAX_STACKS);
		append(m->notes, sizeof(m->notes), part);
	}
}

void lden_io_flame__live(struct lden_io_flame *fl, struct lden_io_tracer *t,
			struct lden_guard *g, uint64_t calls, double secs)
{
	char err[512];
	struct timespec ts;

	if (fl->live_off || secs < fl->next_live)
		return;
	fl->next_live = secs + LIVE_PERIOD;
	if (fl->live_total == lden_fold__total(fl->fold) && fl->live_total)
		return;
	lden_io_flame__context(fl, t, g, calls, secs);
	clock_gettime(CLOCK_REALTIME, &ts);
	fl->meta.updated = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (lden_flame_live__publish(fl->fold, &fl->meta, err, sizeof(err)) < 0) {
		fprintf(stderr, "lden: warning: io: no live flame graph for the dashboard: %s\n",
			err);
		fl->live_off = true;
		return;
	}
	fl->live_total = lden_fold__total(fl->fold);
}

int lden_io_flame__finish(struct lden_io_flame *fl, struct lden_io_tracer *t,
			 struct lden_guard *g, uint64_t calls, double secs,
			 char *err, size_t errlen)
{
	struct lden_flame_opts o = { .script = true };
	int rc = 0;

	lden_io_flame__context(fl, t, g, calls, secs);
	o.title = fl->meta.title;
	o.subtitle = fl->meta.subtitle;
	o.notes = fl->meta.notes;
	o.unit = fl->meta.unit;
	for (int i = 0; i < fl->nfiles; i++) {
		struct flame_file *ff = &fl->files[i];
		int werr = ff->svg ? lden_flame_svg__write(fl->fold, &o, ff->f) :
				     lden_fold__write(fl->fold, ff->f);

		if (fclose(ff->f) != 0 && !werr)
			werr = -errno;
		ff->f = NULL;
		if (werr && !rc) {
			snprintf(err, errlen, "cannot write '%s': %s", ff->name,
				 strerror(-werr));
			rc = -1;
		}
	}
	return rc;
}
