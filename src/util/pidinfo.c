// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "intmap.h"
#include "pidinfo.h"
#include "proc.h"

#define PIDINFO_MAX 16384
/* distinct cgroup paths kept; past it a new one is "?" (unknown) */
#define CGROUPS_MAX 65536

struct lden_pidinfo_cache {
	struct lden_intmap *map;
	/*
	 * each cgroup path once, under its FNV-1a hash (malloc'd): entries
	 * point at them, and a path is never cut to fit an entry (one cut
	 * could be another cgroup's: two pods' containers)
	 */
	struct lden_intmap *cgroups;
	uint64_t max_age;
	struct lden_pidinfo scratch;	/* when the table is full */
};

struct lden_pidinfo_cache *lden_pidinfo_cache__new(uint64_t max_age_ns)
{
	struct lden_pidinfo_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->map = lden_intmap__new(PIDINFO_MAX, sizeof(struct lden_pidinfo));
	c->cgroups = lden_intmap__new(CGROUPS_MAX, sizeof(char *));
	if (!c->map || !c->cgroups) {
		lden_intmap__free(c->map);
		lden_intmap__free(c->cgroups);
		free(c);
		return NULL;
	}
	c->max_age = max_age_ns;
	return c;
}

static void free_path(uint64_t key, void *val, void *ctx)
{
	(void)key;
	(void)ctx;
	free(*(char **)val);
}

void lden_pidinfo_cache__free(struct lden_pidinfo_cache *c)
{
	if (!c)
		return;
	lden_intmap__free(c->map);
	lden_intmap__each(c->cgroups, free_path, NULL);
	lden_intmap__free(c->cgroups);
	free(c);
}

/* @path kept once in the cache; "?" when it cannot be (full, ENOMEM). */
static const char *intern(struct lden_pidinfo_cache *c, const char *path)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char *s;

	for (const char *p = path; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	if (h == UINT64_MAX)	/* the one key a table cannot hold */
		h--;
	s = lden_intmap__get_ptr(c->cgroups, h);
	if (s)	/* another path of one hash: unknown rather than wrong */
		return strcmp(s, path) ? "?" : s;
	s = strdup(path);
	if (!s || lden_intmap__put_ptr(c->cgroups, h, s) < 0) {
		free(s);
		return "?";
	}
	return s;
}

static const char *read_cgroup(struct lden_pidinfo_cache *c, pid_t pid)
{
	const char *cgroup = "?";
	char path[64], *line = NULL, *v1 = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return cgroup;
	/* "0::/user.slice/..." on v2; without it, a v1 line */
	while (getline(&line, &cap, f) > 0) {
		char *p = strchr(line, ':');

		p = p ? strchr(p + 1, ':') : NULL;
		if (!p)
			continue;
		p[strcspn(p, "\n")] = '\0';
		if (!strncmp(line, "0::", 3)) {
			cgroup = intern(c, p + 1);
			break;
		}
		/* the last: hierarchy 1's */
		free(v1);
		v1 = strdup(p + 1);
	}
	if (!strcmp(cgroup, "?") && v1)
		cgroup = intern(c, v1);
	free(v1);
	free(line);
	fclose(f);
	return cgroup;
}

static void fill(struct lden_pidinfo_cache *c, struct lden_pidinfo *pi,
		 pid_t pid, uint64_t t)
{
	pid_t ppid;

	pi->comm_known = true;
	if (pid == 0) {
		snprintf(pi->comm, sizeof(pi->comm), "swapper");
		pi->uid = 0;
		pi->cgroup = "/";
	} else {
		if (lden_proc__comm(pid, pi->comm, sizeof(pi->comm)) < 0) {
			snprintf(pi->comm, sizeof(pi->comm), "?");
			pi->comm_known = false;
		}
		if (lden_proc__ids(pid, &ppid, &pi->uid) < 0)
			pi->uid = (uid_t)-1;
		pi->cgroup = read_cgroup(c, pid);
	}
	pi->read_at = t;
}

const struct lden_pidinfo *lden_pidinfo__get(struct lden_pidinfo_cache *c,
					    pid_t pid)
{
	uint64_t t = lden_now_ns();
	struct lden_pidinfo *pi = lden_intmap__get(c->map, (uint32_t)pid);

	if (pi && t - pi->read_at <= c->max_age)
		return pi;
	if (!pi)
		pi = lden_intmap__put(c->map, (uint32_t)pid);
	if (!pi) {
		/* full: start again rather than keep the dead forever */
		struct lden_intmap *m = lden_intmap__new(PIDINFO_MAX,
							sizeof(*pi));

		if (m) {
			lden_intmap__free(c->map);
			c->map = m;
			pi = lden_intmap__put(c->map, (uint32_t)pid);
		}
	}
	if (!pi)
		pi = &c->scratch;
	fill(c, pi, pid, t);
	return pi;
}

void lden_pidinfo__forget(struct lden_pidinfo_cache *c, pid_t pid)
{
	lden_intmap__del(c->map, (uint32_t)pid, NULL);
}
