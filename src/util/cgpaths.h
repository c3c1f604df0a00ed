/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup v2 ids to paths.  A perf sample can carry its task's cgroup id
 * (PERF_SAMPLE_CGROUP): the id of the cgroup at the event, the inode
 * number of its directory in the cgroup2 file system.  The ids are
 * resolved by walking that file system once, and again when an id is not
 * found (a cgroup made since); an id still not found names a cgroup
 * already removed: unknown, remembered so that it costs one walk.
 */
#ifndef LDEN_CGPATHS_H
#define LDEN_CGPATHS_H

#include <stdint.h>

#include <stddef.h>

struct lden_cgpaths;

/* Where cgroup v2 is mounted (/sys/fs/cgroup, or .../unified in hybrid). */
void lden_cgroup2_mount(char *buf, size_t len);

/*
 * lden_cgpaths__new - a resolver over the cgroup2 file system at @root
 * (NULL: where /proc/self/mounts says, else /sys/fs/cgroup)
 * Returns it (free with lden_cgpaths__free()), or NULL (ENOMEM).
 */
struct lden_cgpaths *lden_cgpaths__new(const char *root);

void lden_cgpaths__free(struct lden_cgpaths *c);

/*
 * lden_cgpaths__get - the path of cgroup @id under the root ("/",
 * "/a/b"), borrowed until the next call; NULL when no directory has it
 */
const char *lden_cgpaths__get(struct lden_cgpaths *c, uint64_t id);

/*
 * lden_cgpaths__lookup - the same, and why not: 0 with *@path set,
 * -ENAMETOOLONG for a cgroup whose path is longer than PATH_MAX (not
 * cut: it would name another), -ENOENT when no directory has the id
 * (removed before the walk); *@path NULL then
 */
int lden_cgpaths__lookup(struct lden_cgpaths *c, uint64_t id,
			 const char **path);

/*
 * lden_cgpaths__container - the container of cgroup @id
 * (lden_container__name() of its path, LDEN_CONTAINER_MAX at most),
 * made at its first call and kept beside the path: made again only when
 * a walk finds the cgroup under another path.  Borrowed until the next
 * call; NULL when no directory has @id.
 */
const char *lden_cgpaths__container(struct lden_cgpaths *c, uint64_t id);

/*
 * lden_cgpaths__container_of - the same, and why not, in one lookup:
 * 0 with *@name set, or lden_cgpaths__lookup()'s -ENAMETOOLONG or
 * -ENOENT with *@name NULL
 */
int lden_cgpaths__container_of(struct lden_cgpaths *c, uint64_t id,
			       const char **name);

/* Walks of the file system so far (one at the start, one per miss). */
unsigned int lden_cgpaths__walks(const struct lden_cgpaths *c);

#endif
