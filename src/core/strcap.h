/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strings copied at the call: the path an open was given, the argument
 * list an exec was given, as the program passed them, and how each was
 * obtained.
 *
 * Syscall tracepoints carry only pointers; reading the string from the
 * process when the record reaches lden is too late for a buffer the
 * program has reused or a process that has exited.  So, per kernel, the
 * first of these that works (lden_strcap__choose):
 *
 *  - kprobe: a kprobe on the kernel function that receives the user
 *    pointer, with fetch-args that copy the string (+0($argN):ustring);
 *  - tracepoint: syscall tracepoints that carry the string themselves
 *    (a string field named after the pointer field in their format);
 *  - uprobe: uprobes on the C library's entry points (open, openat, ...,
 *    execve, execveat) of the libraries the traced processes map, each
 *    copying the string when the function is entered; programs that make
 *    the system call themselves (static ones, Go) are not covered;
 *  - late: none of these, or not wanted: the caller reads the process's
 *    memory (or /proc) when the record arrives, and says so.
 *
 * The capture records are matched to the call they belong to in time
 * order, per thread: an open's capture by thread and pointer, an exec's
 * by thread and file name.  A capture that cannot be matched is never
 * used; the call's string is then read late or unavailable, and counted
 * as such.
 */
#ifndef LDEN_STRCAP_H
#define LDEN_STRCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attach.h"

struct ltr_session;
struct ltr_sample;
struct ltr_event;
struct lden_scope_opts;
struct lden_scope;

enum lden_strcap_kind {
	LDEN_STRCAP_OPEN,	/* the path of open, openat, openat2, creat */
	LDEN_STRCAP_EXEC,	/* the file name and argv of execve(at) */
};

enum lden_strcap_method {
	LDEN_STRCAP_LATE,
	LDEN_STRCAP_KPROBE,
	LDEN_STRCAP_TRACEPOINT,
	LDEN_STRCAP_UPROBE,
};

/* The user's choice, --strings auto|exact|late. */
enum lden_strings {
	LDEN_STRINGS_AUTO,	/* exact where it is cheap (see choose) */
	LDEN_STRINGS_EXACT,	/* exact wherever the kernel can */
	LDEN_STRINGS_LATE,	/* read late, marked */
};

/* How one string was obtained. */
enum lden_prov {
	LDEN_PROV_EXACT,	/* copied by the kernel at the call */
	LDEN_PROV_LATE,		/* read from the process afterwards */
	LDEN_PROV_NONE,		/* unavailable */
	LDEN_PROV_PARTIAL,	/* copied at the call, but maybe cut short by
				 * the kernel's limit (a string near 4 KiB, or
				 * a record the probe had to clip) */
};

/*
 * lden_strings__parse - "auto", "exact" or "late" into @out
 * Returns 0, or -1 for anything else.
 */
int lden_strings__parse(const char *arg, enum lden_strings *out);

/* "exact", "late", "unavailable": the JSON value of a provenance. */
const char *lden_prov__name(enum lden_prov p);

struct lden_strcap;

/*
 * lden_strcap__new - an empty capture for @kind, method late until
 * lden_strcap__choose()
 * Returns it (free with lden_strcap__free() before the session), or NULL.
 */
struct lden_strcap *lden_strcap__new(enum lden_strcap_kind kind);
void lden_strcap__free(struct lden_strcap *c);

/*
 * lden_strcap__choose - pick the method for this kernel, @want and
 * @scope, and create its probes in the session (removed with it)
 * @enter_system, @enter_name: the tracepoint whose string field the
 *                tracepoint method would read ("syscalls",
 *                "sys_enter_openat"), or NULL
 *
 * With LDEN_STRINGS_AUTO, kprobes and tracepoints are used wherever they
 * exist; uprobes (about 5 us per call in every process that maps the
 * library, on the machines this was measured on) only for exec, and for
 * opens when the scope is per process (--pid, -- COMMAND), where only
 * the traced processes' calls are recorded; the trap is every mapping
 * process's only where lden_strcap__attach() opens the probe for every
 * task (exec's, and --strings exact's).  LDEN_TEST_STRINGS_VIA=kprobe|tracepoint|
 * uprobe|late in the environment forces a method (tests).
 *
 * Returns 0, or -1 with @err set: @want exact on a kernel with no exact
 * method (the caller exits 2), or a probe the kernel refused.
 */
int lden_strcap__choose(struct lden_strcap *c, struct ltr_session *s,
		       enum lden_strings want,
		       const struct lden_scope_opts *scope,
		       const char *enter_system, const char *enter_name,
		       char *err, size_t errlen);

/*
 * lden_strcap__plan - the same choice, nothing created in the kernel: for
 * saying what lden would do (lden list-events --verbose); @c is then
 * only for lden_strcap__describe()
 */
int lden_strcap__plan(struct lden_strcap *c, struct ltr_session *s,
		     enum lden_strings want, const struct lden_scope_opts *scope,
		     const char *enter_system, const char *enter_name,
		     char *err, size_t errlen);

enum lden_strcap_method lden_strcap__method(const struct lden_strcap *c);

/*
 * lden_strcap__describe - one line for the header: how strings are
 * obtained, and what is not covered ("paths copied at the call by
 * uprobes on /lib/x86_64-linux-gnu/libc.so.6 (open openat ...); calls
 * that bypass it are read late, marked '?'").
 */
void lden_strcap__describe(const struct lden_strcap *c, char *buf,
			  size_t len);

/*
 * lden_strcap__attach - open the capture events for @scope, sampled, or
 * into the recall rings (@recall), with @filter (may be NULL); for
 * uprobes on a task (@scope's pid), also one counting event per probe
 * for every task, once, without which the kernel loses the per-task
 * events' hits in storms of short-lived children (strcap.c, anchor())
 * Returns 0, or -1 with @err set.
 */
int lden_strcap__attach(struct lden_strcap *c, struct ltr_session *s,
		       const struct lden_scope *scope, const char *filter,
		       bool recall, char *err, size_t errlen);

/* The events opened (for the overhead guard), borrowed. */
int lden_strcap__nattached(const struct lden_strcap *c);
struct lden_attached *lden_strcap__attached(const struct lden_strcap *c,
					   int i);

/* Whether @s is one of the capture events' samples. */
bool lden_strcap__owns(const struct lden_strcap *c, const struct ltr_sample *s);

/*
 * lden_strcap__feed - a capture sample, in time order: kept for its
 * thread until the call it belongs to takes it
 * Returns true when @s was a capture sample (kept or not).
 */
bool lden_strcap__feed(struct lden_strcap *c, const struct ltr_sample *s);

/*
 * lden_strcap__enter - an enter sample of an open with path pointer @ptr,
 * in time order: with the tracepoint method, the string it carries
 * (field @field's string twin) is kept as the call's capture
 */
void lden_strcap__enter(struct lden_strcap *c, const struct ltr_sample *s,
		       const char *field, uint64_t ptr);

/*
 * lden_strcap__take_path - the path thread @tid's open with pointer @ptr
 * was given, if a capture of it was seen (at or before @until); every
 * capture of @tid up to @until is used up
 * @comm: out (may be NULL): the task's name at the call, when the
 *        capture copied it (else left as it is)
 * Returns 1 with the path in @buf (NUL-terminated), 2 with the path in
 * @buf when it may be cut short (by the kernel's copy, or at @len): shown
 * as partial, never as exact, or 0.
 */
int lden_strcap__take_path(struct lden_strcap *c, uint32_t tid, uint64_t ptr,
			  uint64_t until, char *buf, size_t len, char *comm,
			  size_t clen);

/*
 * lden_strcap__take_exec - the argument list of thread @tid's exec of
 * @file (the name sched_process_exec carries, @flen bytes)
 * @argv: out: the arguments, NUL-separated, @argc of them
 * @partial: out: more arguments than were copied, or one that did not fit
 * Returns 1, or 0 when no capture matches.
 */
int lden_strcap__take_exec(struct lden_strcap *c, uint32_t tid,
			  const char *file, size_t flen, uint64_t until,
			  char *argv, size_t len, int *argc, bool *partial);

/* A thread exited: its captures go. */
void lden_strcap__forget(struct lden_strcap *c, uint32_t tid);

/* Counting each string shown, by provenance (the end summary). */
void lden_strcap__count(struct lden_strcap *c, enum lden_prov p);
uint64_t lden_strcap__counted(const struct lden_strcap *c, enum lden_prov p);
/* captures never taken (their call was not seen) or not kept (table full) */
uint64_t lden_strcap__unused(const struct lden_strcap *c);

#endif
