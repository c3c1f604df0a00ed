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

struct lden_pidinfo_cache {
	struct lden_intmap *map;
	uint64_t max_age;
	struct lden_pidinfo scratch;	/* when the table is full */
};

struct lden_pidinfo_cache *lden_pidinfo_cache__new(uint64_t max_age_ns)
{
	struct lden_pidinfo_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->map = lden_intmap__new(PIDINFO_MAX, sizeof(struct lden_pidinfo));
	if (!c->map) {
		free(c);
		return NULL;
	}
	c->max_age = max_age_ns;
	return c;
}

void lden_pidinfo_cache__free(struct lden_pidinfo_cache *c)
{
	if (!c)
		return;
	lden_intmap__free(c->map);
	free(c);
}

static void read_cgroup(pid_t pid, char *buf, size_t len)
{
	char path[64], line[512];
	FILE *f;

	snprintf(buf, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	/* "0::/user.slice/..." on v2; on v1 the first controller's line */
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		p = p ? strchr(p + 1, ':') : NULL;
		if (!p)
			continue;
		p[strcspn(p, "\n")] = '\0';
		snprintf(buf, len, "%s", p + 1);
		if (!strncmp(line, "0::", 3))
			break;
	}
	fclose(f);
}

static void fill(struct lden_pidinfo *pi, pid_t pid, uint64_t t)
{
	pid_t ppid;

	if (pid == 0) {
		snprintf(pi->comm, sizeof(pi->comm), "swapper");
		pi->uid = 0;
		snprintf(pi->cgroup, sizeof(pi->cgroup), "/");
	} else {
		if (lden_proc__comm(pid, pi->comm, sizeof(pi->comm)) < 0)
			snprintf(pi->comm, sizeof(pi->comm), "?");
		if (lden_proc__ids(pid, &ppid, &pi->uid) < 0)
			pi->uid = (uid_t)-1;
		read_cgroup(pid, pi->cgroup, sizeof(pi->cgroup));
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
	fill(pi, pid, t);
	return pi;
}

void lden_pidinfo__forget(struct lden_pidinfo_cache *c, pid_t pid)
{
	lden_intmap__del(c->map, (uint32_t)pid, NULL);
}
