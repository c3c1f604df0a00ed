/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The namespaces and the container of the task behind a sample: its seven
 * namespace inodes (ltr_process__namespace()) and its container's name
 * (container.h), read from /proc/TID at the task's first sample and again
 * once its entry is older than a second (a task that setns()es or
 * unshare()s shows its new namespaces from that read on).  A task that
 * exited before its first read is unknown: never guessed, counted.
 */
#ifndef LDEN_NSINFO_H
#define LDEN_NSINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "container.h"
#include "lden-trace.h"

struct lden_nscache;

struct lden_nsinfo {
	uint64_t ns[LTR_NS_COUNT];	/* inodes, by enum ltr_ns; 0 unknown */
	char container[LDEN_CONTAINER_MAX]; /* container.h's, "?" unknown */
	bool known;			/* read from /proc at least once */
	uint64_t read_at;		/* CLOCK_MONOTONIC ns */
};

/* Returns the cache (lden_nscache__free()), or NULL (ENOMEM). */
struct lden_nscache *lden_nscache__new(void);
void lden_nscache__free(struct lden_nscache *c);

/*
 * lden_nscache__get - the namespaces of task @tid (borrowed, valid until
 * the next call; never NULL): read now when not known or older than a
 * second.  A re-read that fails (the task exited) keeps what was read
 * while it lived.  The idle task (0) has the namespaces of kthreadd.
 */
const struct lden_nsinfo *lden_nscache__get(struct lden_nscache *c, pid_t tid);

/* Tasks whose namespaces could not be read (exited before the read). */
uint64_t lden_nscache__unknown(const struct lden_nscache *c);

/*
 * lden_ns_by - the namespace kind of a --by key ("netns", "pidns",
 * "mntns", "userns", "cgroupns", "ipcns", "utsns"), or -1
 */
int lden_ns_by(const char *key);

#endif
