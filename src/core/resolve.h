/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resolution: which source of a catalog event this kernel has (resolve.c),
 * and the cached view of the kernel it is looked up in.
 */
#ifndef LDEN_RESOLVE_H
#define LDEN_RESOLVE_H

#include <stdbool.h>

#include "catalog.h"

struct lden_resolution {
	const struct lden_event_def *def;
	const struct lden_source *src;	/* NULL: unavailable */
	const char *func;		/* kprobe sources: the function found */
	/* ... and for each of src->more, its function, or NULL when absent */
	const char *more_funcs[LDEN_MAX_MORE];
	bool tp_present[8];		/* tracepoint sources: which exist */
	bool has_size;
	char source_text[256];		/* "tracepoint sched:sched_process_fork" */
	char reason[512];		/* why unavailable, or "" */
	char tried[1024];		/* each source tried and why skipped */
};

struct lden_kernel;	/* what this kernel offers, cached */

/*
 * lden_kernel__new - look at tracefs (no probes created, no full kallsyms
 * parse: function names are looked up only when a kprobe source is
 * reached).  Returns NULL with errno set.
 */
struct lden_kernel *lden_kernel__new(const char *tracing_dir);
void lden_kernel__free(struct lden_kernel *k);
const char *lden_kernel__tracing_dir(const struct lden_kernel *k);

/*
 * lden_resolve - choose the first source of @def this kernel has.
 * Returns 0 when a source was found, -1 (with res->reason) when none.
 */
int lden_resolve(struct lden_kernel *k, const struct lden_event_def *def,
		 struct lden_resolution *res);

/*
 * lden_resolve_scoped - the same, for events counted per task (@per_task:
 * on pids, --pid or -- COMMAND): a tracepoint a task's own perf events
 * cannot see on this kernel (lden_kernel__unseen_per_task()) is skipped
 * for the next source, and said in res->tried.
 */
int lden_resolve_scoped(struct lden_kernel *k,
			const struct lden_event_def *def, bool per_task,
			struct lden_resolution *res);

/*
 * lden_kernel__unseen_per_task - why the tracepoint "system:name" is not
 * seen by events opened on a pid on this kernel (sched:sched_process_exit
 * where do_exit() detaches the task's perf events before firing it:
 * ltr_exit_seen_per_task(), tried once and cached), or NULL when it is.
 */
/*
 * lden_kernel__has_function - whether kallsyms has the text symbol
 * @name: 1, 0, or -1 when it cannot be read (not told)
 */
int lden_kernel__has_function(struct lden_kernel *k, const char *name);

const char *lden_kernel__unseen_per_task(struct lden_kernel *k,
					 const char *system, const char *name);

#endif
