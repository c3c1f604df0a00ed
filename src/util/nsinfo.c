// SPDX-License-Identifier: GPL-2.0-or-later
/* The namespaces and container of a sample's task (see nsinfo.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "container.h"
#include "intmap.h"
#include "nsinfo.h"
#include "proc.h"

#define NSINFO_MAX 16384
#define NSINFO_MAX_AGE 1000000000u

struct lden_nscache {
	struct lden_intmap *map;
	uint64_t unknown;
	struct lden_nsinfo scratch;	/* when the table is full */
};

struct lden_nscache *lden_nscache__new(void)
{
	struct lden_nscache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->map = lden_intmap__new(NSINFO_MAX, sizeof(struct lden_nsinfo));
	if (!c->map) {
		free(c);
		return NULL;
	}
	return c;
}

void lden_nscache__free(struct lden_nscache *c)
{
	if (!c)
		return;
	lden_intmap__free(c->map);
	free(c);
}

/* kthreadd (pid 2 in lden's PID namespace when it is the host's), or -1 */
static pid_t idle_stand_in(void)
{
	char comm[16];

	if (lden_proc__comm(2, comm, sizeof(comm)) == 0 &&
	    !strcmp(comm, "kthreadd"))
		return 2;
	return -1;
}

/* Reads @tid into @out: 0, or -1 when it could not be read at all. */
static int read_task(pid_t tid, struct lden_nsinfo *out)
{
	struct lden_nsinfo n = { .known = true };
	struct ltr_process *p;

	if (tid == 0)
		tid = idle_stand_in();
	if (tid <= 0)
		return -1;
	p = ltr_process__new(tid);
	if (!p)
		return -1;
	for (int k = 0; k < LTR_NS_COUNT; k++)
		if (ltr_process__namespace(p, (enum ltr_ns)k, &n.ns[k]) < 0)
			n.ns[k] = 0;
	/* the container after the inodes: both of the same live task */
	if (lden_container__of_pid(tid, n.container, sizeof(n.container)) < 0 ||
	    ltr_process__namespace(p, LTR_NS_NET, &n.ns[LTR_NS_NET]) == -ESRCH) {
		ltr_process__free(p);
		return -1;
	}
	ltr_process__free(p);
	*out = n;
	return 0;
}

const struct lden_nsinfo *lden_nscache__get(struct lden_nscache *c, pid_t tid)
{
	uint64_t t = lden_now_ns();
	struct lden_nsinfo *ni = lden_intmap__get(c->map, (uint32_t)tid);
	struct lden_nsinfo n;
	bool fresh;

	if (ni && ni->read_at && t - ni->read_at <= NSINFO_MAX_AGE)
		return ni;
	if (!ni)
		ni = lden_intmap__put(c->map, (uint32_t)tid);
	if (!ni) {
		/* full: start again rather than keep the dead forever */
		struct lden_intmap *m = lden_intmap__new(NSINFO_MAX,
							sizeof(*ni));

		if (m) {
			lden_intmap__free(c->map);
			c->map = m;
			ni = lden_intmap__put(c->map, (uint32_t)tid);
		}
	}
	if (!ni) {
		ni = &c->scratch;
		memset(ni, 0, sizeof(*ni));
	}
	fresh = !ni->read_at;
	if (read_task(tid, &n) == 0) {
		*ni = n;
	} else if (!ni->known) {
		/* never read: unknown, counted once per task */
		memset(ni, 0, sizeof(*ni));
		snprintf(ni->container, sizeof(ni->container), "?");
		if (fresh)
			c->unknown++;
	}
	ni->read_at = t;
	return ni;
}

uint64_t lden_nscache__unknown(const struct lden_nscache *c)
{
	return c->unknown;
}

int lden_ns_by(const char *key)
{
	size_t n = strlen(key);
	enum ltr_ns kind;
	char name[16];

	if (n < 3 || n > 8 || strcmp(key + n - 2, "ns"))
		return -1;
	snprintf(name, sizeof(name), "%.*s", (int)(n - 2), key);
	return ltr_ns__from_name(name, &kind) == 0 ? (int)kind : -1;
}
