/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event catalog: lden's event names (task.create, disk.read, ...) and,
 * for each, its sources in order of preference, read from text files in
 * kprobe_events/ (see lden-events(5)).  Sources are resolved against
 * this kernel in resolve.h, their size expressions compiled in size.h.
 */
#ifndef LDEN_CATALOG_H
#define LDEN_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

enum lden_source_kind {
	LDEN_SRC_TRACEPOINT,
	LDEN_SRC_KPROBE,
	LDEN_SRC_KRETPROBE,
};

/*
 * A size looked up rather than read: the record's @key field names what
 * an earlier record of SYSTEM:NAME (an allocation) had in its @from_key
 * field, and the size is that record's @size expression ("join ptr
 * kmem:kmalloc ptr bytes_alloc": a kfree is as large as the kmalloc that
 * returned its pointer).  Needs the samples of both events, in user space.
 */
struct lden_join {
	char *key;
	char *system;
	char *name;
	char *from_key;
	char *size;
	int line;
};

/* One tracepoint of a source: the first, or one added with "also". */
struct lden_tp {
	char *system;
	char *name;
	char *filter;		/* kernel filter, or NULL */
	char *size;		/* size expression text, or NULL */
	/* or a size joined to earlier records of other events */
	struct lden_join *joins;
	int njoins;
	int line;
	int size_line;		/* of the size expression */
};

/* at most this many "also" probes in a kprobe source */
#define LDEN_MAX_MORE 7

struct lden_source {
	enum lden_source_kind kind;
	/* tracepoint sources: the tracepoint and its "also"s */
	struct lden_tp *tps;
	int ntps;
	/* kprobe sources: alternative function names, first found wins */
	char **funcs;
	int nfuncs;
	char *fetchargs;	/* kprobe fetch-args, or NULL */
	char *filter;		/* filter on the probe's fields, or NULL */
	char *size;		/* size expression, or NULL */
	/*
	 * kretprobes: returns into these functions are not counted (they
	 * call this one and are probed themselves: "notfrom udpv6_sendmsg")
	 */
	char **notfrom;
	int nnotfrom;
	/*
	 * kprobe sources: more probes ("also kretprobe ..."), each a source
	 * of kind kprobe or kretprobe with no @more of its own, attached with
	 * the first where their function exists
	 */
	struct lden_source *more;
	int nmore;
	int line;
	int size_line;		/* of the size expression */
};

struct lden_event_def {
	char *name;		/* "task.create" */
	char *describe;		/* one line */
	char *note;		/* optional: e.g. "size is new in lden" */
	/* why it cannot be counted per process or cgroup, or NULL */
	char *unscoped;
	struct lden_source *srcs;
	int nsrcs;
	char *file;		/* where it was defined */
	int line;
};

struct lden_catalog {
	struct lden_event_def *defs;
	int ndefs;
	/* private: room in defs, and name -> index + 1 (0: free slot) */
	int cap;
	int *index;
	size_t index_size;	/* a power of two, or 0 */
};

/*
 * lden_catalog__parse - add the events defined in @text to @cat
 * @file: the name used in error messages
 * @err, @errlen: on failure, "FILE:LINE: message"
 *
 * A later definition of the same name replaces the earlier one, so users'
 * directories can override the installed catalog.
 * Returns 0, or -1 with @err set.
 */
int lden_catalog__parse(struct lden_catalog *cat, const char *text,
		       const char *file, char *err, size_t errlen);

/* The largest catalog file read: 16 MiB, some 200,000 events. */
#define LDEN_CATALOG_FILE_MAX (16u << 20)

/*
 * lden_catalog__load - read every "*.events" file of each directory, in
 * order; directories that do not exist are skipped, and so is one given
 * again (the same directory under another path).  Each must be a
 * regular file of at most LDEN_CATALOG_FILE_MAX bytes (never a FIFO or a
 * device, which are refused without a read).
 * Returns 0, or -1 with @err set.
 */
int lden_catalog__load(struct lden_catalog *cat, const char *const *dirs,
		      int ndirs, char *err, size_t errlen);

/*
 * lden_catalog__default_dirs - the installed catalog, /etc/lden/events.d,
 * then $LDEN_EVENTS_PATH (colon-separated), then @extra (may be NULL).
 * Returns how many were written to @dirs (at most @max); they point to
 * static or environment storage, or to @extra.
 */
int lden_catalog__default_dirs(const char **dirs, int max, const char *extra);

void lden_catalog__free(struct lden_catalog *cat);

const struct lden_event_def *lden_catalog__find(const struct lden_catalog *cat,
					       const char *name);

/*
 * lden_catalog__suggest - the known name closest to @name, for "did you
 * mean", or NULL when none is close.
 */
const char *lden_catalog__suggest(const struct lden_catalog *cat,
				 const char *name);

#endif
