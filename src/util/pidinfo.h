/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What lden shows about the process or thread behind a sample: its comm,
 * uid and cgroup, read from /proc when the sample arrives and kept for a
 * short while, so that a busy process is not looked up per event.  A
 * process that exited before its sample was read shows as "?".
 */
#ifndef LDEN_PIDINFO_H
#define LDEN_PIDINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct lden_pidinfo_cache;

struct lden_pidinfo {
	char comm[16];		/* "?" when it could not be read: see */
	bool comm_known;	/* false then ("?" may be a name too) */
	uid_t uid;		/* (uid_t)-1 when unknown */
	/*
	 * the cgroup v2 path (or the first v1 line's), whole; "?" when
	 * unknown.  Borrowed from the cache, valid until it is freed.
	 */
	const char *cgroup;
	uint64_t read_at;	/* CLOCK_MONOTONIC ns */
};

/*
 * @max_age_ns: how long an entry is trusted (comm changes at exec)
 * Returns the cache (lden_pidinfo_cache__free()), or NULL (ENOMEM).
 */
struct lden_pidinfo_cache *lden_pidinfo_cache__new(uint64_t max_age_ns);
void lden_pidinfo_cache__free(struct lden_pidinfo_cache *c);

/*
 * The info of @pid (borrowed, valid until the next call); never NULL.
 * @pid may be a thread's id: /proc/TID, not listed but there, is that
 * thread's, whose cgroup may not be its process's (cgroup v2's threaded
 * mode puts threads of one process in different cgroups).
 */
const struct lden_pidinfo *lden_pidinfo__get(struct lden_pidinfo_cache *c,
					    pid_t pid);

/* Forget @pid (it exec'd or exited). */
void lden_pidinfo__forget(struct lden_pidinfo_cache *c, pid_t pid);

#endif
