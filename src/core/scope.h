/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a command traces: the whole machine, some processes (--pid, with
 * --children), a cgroup (--cgroup), or a command it runs (-- CMD ARGS);
 * the options that say it; and struct lden_scope, one of them as an
 * event is attached to it (attach.h).
 */
#ifndef LDEN_SCOPE_H
#define LDEN_SCOPE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Where events are counted: everywhere, one process tree, one cgroup; and
 * how they are attached there (attach.h).
 */
struct lden_scope {
	pid_t pid;
	/*
	 * pid is a process: all its threads, those alive at the start and
	 * those it creates later; else (a thread named alone) that thread
	 */
	bool threads;
	bool children;
	const char *cgroup;
	/*
	 * Sampled parts get no counting twin: the twin lets the overhead
	 * guard switch a source to counting without losing a count, and
	 * costs about 40 ns per event; a command whose guard cannot act (no
	 * --max-rate, no CPU budget: lden_guard_opts__active()) goes without.
	 */
	bool no_twins;
};

#define LDEN_MAX_PIDS 16

struct lden_scope_opts {
	pid_t pids[LDEN_MAX_PIDS];
	int npids;
	bool children;
	const char *cgroup;
	const char *container;	/* --container NAME: resolved into cgroup */
	char *container_dir;	/* its cgroup directory (owned) */
	uint64_t netns;		/* --netns: the inode, 0 for any */
	char **command;		/* argv after "--", or NULL */
	pid_t command_pid;	/* started, waiting for lden_command_go() */
	int go_fd;
	int command_status;	/* wait status once it exited, else -1 */
	bool no_twins;		/* each lden_scope's no_twins */
};

/*
 * lden_scope__take_command - everything after "--" in @argv is the
 * command to run (o->command); returns the argc before the "--".
 */
int lden_scope__take_command(struct lden_scope_opts *o, int argc, char **argv);

/*
 * Parses "PID[,PID...]"; returns 0, or -1 when bad with the error in @err
 * ("invalid --pid value ...", without the command's name).
 */
int lden_scope__add_pids(struct lden_scope_opts *o, const char *arg,
			char *err, size_t errlen);

/*
 * lden_scope__set_netns - "--netns INODE|PID": a number up to the largest
 * pid (2^22) is a process, whose network namespace it means; a bigger one
 * the inode of a namespace some process or /run/netns holds.  Returns 0,
 * or -1 with the error in @err.
 */
int lden_scope__set_netns(struct lden_scope_opts *o, const char *arg,
			 char *err, size_t errlen);

/*
 * lden_scope__find_container - the cgroup directory (malloc'd) of the
 * container named @name (container.h's name: a runtime's short id or
 * its full id, a machine's name, a unit) under the cgroup v2 mount @root (NULL: where
 * /proc/self/mounts has cgroup2): the outermost cgroup that names it.
 * Returns NULL with the error in @err (none, or two apart).
 */
char *lden_scope__find_container(const char *root, const char *name,
				char *err, size_t errlen);

/* Checks the combination; returns 0, or -1 with the error in @err. */
int lden_scope__check(struct lden_scope_opts *o, char *err, size_t errlen);

bool lden_scope__is_set(const struct lden_scope_opts *o);

/* What a scope counts in: lden_plan__check()'s @scoped. */
enum lden_scope_kind {
	LDEN_SCOPE_NONE,	/* the whole machine */
	LDEN_SCOPE_CGROUP,	/* a cgroup (--cgroup, --container) */
	LDEN_SCOPE_TASKS,	/* events opened on pids: --pid, -- COMMAND */
};

enum lden_scope_kind lden_scope__kind(const struct lden_scope_opts *o);

/* How many times each event is attached (one per pid), at least 1. */
int lden_scope__count(const struct lden_scope_opts *o);

/*
 * The i-th scope, or NULL for the whole machine attached as by default
 * (with counting twins); @buf with pid 0 and no cgroup for the whole
 * machine without them.
 */
const struct lden_scope *lden_scope__get(const struct lden_scope_opts *o,
					int i, struct lden_scope *buf);

/* Whether @pid is a process (a thread group's leader), not a thread of one. */
bool lden_scope__is_process(pid_t pid);

/* Whether @sc (from lden_scope__get(), NULL too) is the whole machine. */
bool lden_scope__whole(const struct lden_scope *sc);

/* Frees what the options hold (the container's directory). */
void lden_scope__release(struct lden_scope_opts *o);

/* "pid 42 and its children", "cgroup /sys/fs/cgroup/x", "command make" */
void lden_scope__describe(const struct lden_scope_opts *o, FILE *out);

/*
 * The command: forked at once, blocked until lden_command_go() so that
 * it is traced from its first instruction; lden_command_abandon() makes
 * it exit (127) without running if it was not released, and otherwise
 * leaves it running (lden may stop before it, when the condition fires).
 */
int lden_command_start(struct lden_scope_opts *o);
void lden_command_go(struct lden_scope_opts *o);
void lden_command_abandon(struct lden_scope_opts *o);
/* 1 once it has exited (status in command_status), else 0. */
int lden_command_poll(struct lden_scope_opts *o);

#endif
