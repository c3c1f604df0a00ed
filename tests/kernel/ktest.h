/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the tests that run against the live kernel: skip where they
 * cannot run, and child processes that do a known amount of work when told
 * to, so that counts can be scoped to them and asserted exactly.
 */
#ifndef LDEN_KTEST_H
#define LDEN_KTEST_H

#include <stdbool.h>
#include <sys/types.h>

/* Automake's exit status for a skipped test. */
#define KTEST_SKIP 77

/*
 * Exits with status 77 when the test cannot run here: not root, no
 * tracefs (after trying to mount it), or perf events refused.
 */
void ktest_require_tracing(void);

/* The path of a helper program built beside argv[0] (static buffer). */
const char *ktest_helper_path(const char *argv0, const char *name);

struct ktest_child {
	pid_t pid;
	int go_fd;	/* write end: one byte starts the work */
	int pidfd;
};

/*
 * Forks a child that blocks until ktest_child_go(), then calls fn(arg)
 * and exits with its return value.  Returns 0 or -1.
 */
int ktest_child_start(struct ktest_child *c, int (*fn)(void *), void *arg);
void ktest_child_go(struct ktest_child *c);
/*
 * Waits at most timeout_ms for the child; kills it when the time is up.
 * Returns its exit status, or -1 (killed, or crashed).
 */
int ktest_child_wait(struct ktest_child *c, int timeout_ms);

/* Work for a child: fork n times, each grandchild exiting at once. */
int ktest_fork_n(void *n);

/*
 * The lines of a tracefs file that mention "lden_" (dynamic events of
 * lden sessions); malloc'd.
 */
char *ktest_tracefs_lden_lines(const char *file);

/*
 * Whether probe GROUP/NAME (any of the group's probes when NAME is NULL)
 * is listed in tracefs FILE (kprobe_events, uprobe_events) or in
 * dynamic_events.
 */
bool ktest_probe_listed(const char *file, const char *group,
			const char *name);

/*
 * Removes probe GRP_EV ("group/event") that a test made outside the
 * library, through dynamic_events or else FILE (kprobe_events,
 * uprobe_events), then empties GRP_EV; nothing when it is empty.
 */
void ktest_remove_probe(const char *file, char *grp_ev);

/*
 * The probe group of the lden session of process PID, a process of this
 * PID namespace: "lden_<namespace inode>_<pid>" (static buffer).
 */
const char *ktest_group_of(pid_t pid);

/* Whether /proc/kallsyms has a symbol NAME. */
bool ktest_kernel_has(const char *name);

#endif
