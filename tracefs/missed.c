// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a kprobe could not record.  A kretprobe catches a return only when
 * one of its instances is free at the function's entry; the kernel keeps
 * a fixed number of them per probe (maxactive) and counts each entry it
 * could not take as missed, as it counts a kprobe hit it had to skip
 * (another kprobe running on that CPU).  Those counts are in
 * kprobe_profile, the probe's third column; a count missing them is short,
 * so they are read, and instances are sized so that they are rare.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* the kernel's KRETPROBE_MAXACTIVE_MAX: it refuses more */
#define MAXACTIVE_LIMIT 4096u

/* Threads that exist now: the 4th field of /proc/loadavg, "1/345". */
static unsigned long threads_now(void)
{
	unsigned long running, total = 0;
	FILE *f = fopen("/proc/loadavg", "re");

	if (!f)
		return 0;
	if (fscanf(f, "%*s %*s %*s %lu/%lu", &running, &total) != 2)
		total = 0;
	fclose(f);
	return total;
}

/*
 * ltr_kretprobe_maxactive - the instances to ask for a kretprobe
 *
 * One instance is held by every task between the function's entry and
 * its return, so a function that blocks (a receive waiting for data, a
 * vfork waiting for the child) needs as many as there are tasks blocked
 * in it at once, and any task of the machine may be.  So: twice the
 * threads that exist now (room for as many again to start), at least the
 * kernel's own default (max(10, 2 x possible CPUs), too small for 32
 * blocked receivers on a 2-CPU machine), at most the kernel's limit,
 * 4096.  An instance costs the kernel some 50 bytes (and a pointer per
 * CPU in 6.7+'s object pools): 4096 of them are a few hundred KiB.
 * Beyond that, misses are counted (ltr_event__missed()), never silent.
 * $LDEN_KRETPROBE_MAXACTIVE, 1 to 4096, overrides.
 */
unsigned int ltr_kretprobe_maxactive(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	unsigned long want = 2 * threads_now();
	unsigned long floor = cpus > 5 ? 2 * (unsigned long)cpus : 10;
	const char *force = getenv("LDEN_KRETPROBE_MAXACTIVE");

	/* tests (and users who know better) choose: misses on demand */
	/* decimal digits only: strtoul() took "-1" (as ULONG_MAX), " 5" */
	if (force && *force && !force[strspn(force, "0123456789")] &&
	    strlen(force) <= 4) {
		unsigned long n = strtoul(force, NULL, 10);

		if (n >= 1 && n <= MAXACTIVE_LIMIT)
			return (unsigned int)n;
	}

	if (want < floor)
		want = floor;
	return want > MAXACTIVE_LIMIT ? MAXACTIVE_LIMIT : (unsigned int)want;
}

/* "r64:grp/ev func args" or "p:grp/ev ..." -> "grp/ev" in @out. */
static bool probe_id(const char *line, char *out, size_t len)
{
	const char *colon = strchr(line, ':');
	size_t n;

	if (!colon || colon - line > (long)strcspn(line, " \t"))
		return false;
	n = strcspn(colon + 1, " \t");
	if (!n || n >= len)
		return false;
	memcpy(out, colon + 1, n);
	out[n] = '\0';
	return true;
}

/* The next line of @text at *@pos, NUL-terminated in place; NULL at the end. */
static char *next_line(char *text, size_t *pos)
{
	char *line = text + *pos, *nl;

	if (!*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*pos = nl + 1 - text;
	} else {
		*pos += strlen(line);
	}
	return line;
}

/*
 * One pass: kprobe_events lists "grp/ev" and kprobe_profile "ev hits
 * missed" for the same kprobes in the same order (both walk the kernel's
 * list of dynamic events), but the profile names no group, and two groups
 * may hold events of the same name.  So the two are read and walked side
 * by side; when their names disagree (a probe came or went between the
 * reads) the caller tries again.  Returns 0 with *@missed set, -ENOENT
 * when the probe is not listed, -EAGAIN on a disagreement.  @name NULL:
 * the sum over every probe of @group (0 when it has none).
 */
static int missed_once(const char *dir, const char *group, const char *name,
		       uint64_t *missed)
{
	size_t glen = strlen(group);
	char path[4096], id[160], want[160];
	char *events, *profile, *el, *pl;
	size_t ep = 0, pp = 0;
	int err = -ENOENT;

	snprintf(want, sizeof(want), "%s/%s", group, name ? name : "");
	*missed = 0;
	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	events = ltr_read_text(path);
	if (!events)
		return -errno;
	snprintf(path, sizeof(path), "%s/kprobe_profile", dir);
	profile = ltr_read_text(path);
	if (!profile) {
		err = -errno;
		free(events);
		return err;
	}
	while ((el = next_line(events, &ep))) {
		unsigned long long hits, miss;
		char pname[130];

		if (!probe_id(el, id, sizeof(id)))
			continue;
		pl = next_line(profile, &pp);
		if (!pl || sscanf(pl, " %129s %llu %llu", pname, &hits,
				  &miss) != 3 ||
		    strcmp(pname, strchr(id, '/') ? strchr(id, '/') + 1 : id)) {
			err = -EAGAIN;
			break;
		}
		/* no name: every probe of the group, summed */
		if (!name && !strncmp(id, group, glen) && id[glen] == '/') {
			*missed += miss;
		} else if (name && !strcmp(id, want)) {
			*missed = miss;
			err = 0;
			break;
		}
	}
	if (!name && err == -ENOENT)
		err = 0;
	free(profile);
	free(events);
	return err;
}

/**
 * ltr_event__missed - hits of a kprobe event the kernel could not record
 * @ev:     an event of the session (any kind)
 * @missed: out: for a kprobe or kretprobe of the session's group, the
 *          probe's missed count from kprobe_profile (returns missed for
 *          lack of an instance, and hits skipped while another kprobe ran
 *          on the CPU), for any task, since the probe was created; else 0
 *
 * Returns 0, or a negative errno (the files cannot be read, or the probe
 * is not listed there).
 */
int ltr_event__missed(struct ltr_event *ev, uint64_t *missed)
{
	struct ltr_session *s = ev->session;
	int err = -EAGAIN;

	*missed = 0;
	if (strcmp(ev->system, s->group))
		return 0;
	for (int tries = 0; tries < 5 && err == -EAGAIN; tries++)
		err = missed_once(s->tracing_dir, s->group, ev->name, missed);
	/* not a kprobe (a uprobe of the group): nothing of the kind */
	if (err == -ENOENT)
		return 0;
	if (err < 0)
		return ltr_error(-err, "cannot read the missed count of probe '%s/%s': %s",
				 s->group, ev->name, strerror(-err));
	return 0;
}

/**
 * ltr_session__missed - hits every kprobe and kretprobe of the session's
 * group could not record, summed (as ltr_event__missed() says for one),
 * in one reading of kprobe_profile
 * @s:      the session
 * @missed: out: the sum (0 when the group has no kprobe)
 *
 * Returns 0, or a negative errno (the files cannot be read; none on a
 * kernel without kprobes: 0 then).
 */
int ltr_session__missed(struct ltr_session *s, uint64_t *missed)
{
	int err = -EAGAIN;

	*missed = 0;
	if (!ltr_kprobes_supported(s))
		return 0;
	for (int tries = 0; tries < 5 && err == -EAGAIN; tries++)
		err = missed_once(s->tracing_dir, s->group, NULL, missed);
	if (err < 0)
		return ltr_error(-err, "cannot read the missed counts of group '%s': %s",
				 s->group, strerror(-err));
	return 0;
}
