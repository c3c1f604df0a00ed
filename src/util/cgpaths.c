// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgpaths.h"
#include "container.h"
#include "intmap.h"

/* deeper than any cgroup tree: a bound on the walk's open directories */
#define CG_MAX_DEPTH 64

struct cg_entry {
	char *path;		/* NULL: not found in the walk after its miss */
	/* the container of @path, once asked for; NULL: not yet */
	char *container;
	bool too_long;		/* found, its path longer than PATH_MAX */
};

struct lden_cgpaths {
	char root[PATH_MAX];
	struct lden_intmap *map;	/* id -> struct cg_entry */
	unsigned int walks;
	bool walked;
	/* a container's name when it could not be kept (no memory) */
	char scratch[LDEN_CONTAINER_MAX];
};

void lden_cgroup2_mount(char *buf, size_t len)
{
	char dev[64], dir[4096], type[64];
	FILE *f = fopen("/proc/self/mounts", "re");

	snprintf(buf, len, "/sys/fs/cgroup");
	while (f && fscanf(f, "%63s %4095s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2")) {
			snprintf(buf, len, "%s", dir);
			break;
		}
	if (f)
		fclose(f);
}

struct lden_cgpaths *lden_cgpaths__new(const char *root)
{
	struct lden_cgpaths *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->map = lden_intmap__new(0, sizeof(struct cg_entry));
	if (!c->map) {
		free(c);
		return NULL;
	}
	if (root)
		snprintf(c->root, sizeof(c->root), "%s", root);
	else
		lden_cgroup2_mount(c->root, sizeof(c->root));
	return c;
}

static void free_entry(uint64_t key, void *val, void *ctx)
{
	struct cg_entry *e = val;

	(void)key;
	(void)ctx;
	free(e->path);
	free(e->container);
}

void lden_cgpaths__free(struct lden_cgpaths *c)
{
	if (!c)
		return;
	lden_intmap__each(c->map, free_entry, NULL);
	lden_intmap__free(c->map);
	free(c);
}

/*
 * @id is the directory @rel (under the root): kept, or renamed since;
 * @rel NULL: one whose path does not fit PATH_MAX.
 */
static void seen(struct lden_cgpaths *c, uint64_t id, const char *rel)
{
	struct cg_entry *e = lden_intmap__put(c->map, id);
	char *p;

	if (e && !rel) {
		free(e->path);
		e->path = NULL;
		free(e->container);
		e->container = NULL;
		e->too_long = true;
		return;
	}
	if (!e || (e->path && !strcmp(e->path, rel)))
		return;
	e->too_long = false;
	p = strdup(rel);
	if (!p)
		return;
	free(e->path);
	e->path = p;
	/* its container is the new path's, made when asked for */
	free(e->container);
	e->container = NULL;
}

/*
 * The directories under @fd, whose path under the root is @rel (@rel
 * NULL: too long, and so are theirs).
 */
static void walk_dir(struct lden_cgpaths *c, int fd, char *rel, size_t len,
		     int depth)
{
	DIR *d = fdopendir(fd);
	size_t n = rel ? strlen(rel) : 0;
	struct dirent *de;

	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		bool fits;
		int sub;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		/* a path that does not fit: known as such, not cut */
		fits = rel && snprintf(rel + n, len - n, "%s%s",
				       n > 1 ? "/" : "", de->d_name) <
			      (int)(len - n);
		sub = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sub >= 0 && fstat(sub, &st) == 0) {
			seen(c, (uint64_t)st.st_ino, fits ? rel : NULL);
			if (depth < CG_MAX_DEPTH) {
				walk_dir(c, sub, fits ? rel : NULL, len,
					 depth + 1);
				sub = -1;
			}
		}
		if (sub >= 0)
			close(sub);
		if (rel)
			rel[n] = '\0';
	}
	closedir(d);
}

static void walk(struct lden_cgpaths *c)
{
	char rel[PATH_MAX] = "/";
	struct stat st;
	int fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	c->walks++;
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0)
		seen(c, (uint64_t)st.st_ino, rel);
	walk_dir(c, fd, rel, sizeof(rel), 0);
}

int lden_cgpaths__lookup(struct lden_cgpaths *c, uint64_t id,
			 const char **path)
{
	struct cg_entry *e;

	if (!c->walked) {
		c->walked = true;
		walk(c);
	}
	e = lden_intmap__get(c->map, id);
	if (e)
		goto out;
	/* made since the last walk, or already removed */
	walk(c);
	e = lden_intmap__get(c->map, id);
	if (!e)
		e = lden_intmap__put(c->map, id);	/* a miss, remembered */
out:
	*path = e ? e->path : NULL;
	if (*path)
		return 0;
	return e && e->too_long ? -ENAMETOOLONG : -ENOENT;
}

const char *lden_cgpaths__get(struct lden_cgpaths *c, uint64_t id)
{
	const char *path;

	lden_cgpaths__lookup(c, id, &path);
	return path;
}

int lden_cgpaths__container_of(struct lden_cgpaths *c, uint64_t id,
			       const char **name)
{
	const char *path;
	struct cg_entry *e;
	int rc = lden_cgpaths__lookup(c, id, &path);

	*name = NULL;
	if (rc < 0)
		return rc;
	e = lden_intmap__get(c->map, id);
	if (e && e->container) {
		*name = e->container;
		return 0;
	}
	lden_container__name(path, c->scratch, sizeof(c->scratch));
	if (e)
		e->container = strdup(c->scratch);
	*name = e && e->container ? e->container : c->scratch;
	return 0;
}

const char *lden_cgpaths__container(struct lden_cgpaths *c, uint64_t id)
{
	const char *name;

	lden_cgpaths__container_of(c, id, &name);
	return name;
}

unsigned int lden_cgpaths__walks(const struct lden_cgpaths *c)
{
	return c->walks;
}
