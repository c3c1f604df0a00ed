// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Aggregation in the kernel: a hist trigger on an event of the session's
 * tracefs instance (CONFIG_HIST_TRIGGERS), read back as text.
 *
 * "hist:keys=K[,K2]:vals=V[,V2]:size=N [if FILTER]" makes the kernel keep,
 * per distinct value of the keys, the number of hits and the sum of each
 * value field; the event stays soft-disabled, so no record is written to
 * any ring and none crosses to user space.  The count is the trigger's
 * hits; a hit the map had no room for is counted in "Dropped".
 *
 * One trigger per tracepoint: a second event on the same tracepoint
 * cannot use this path (ltr_event__open() fails with EBUSY).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* distinct keys the kernel keeps (a power of two, 2^7 to 2^17) */
#define HIST_MAP_SIZE 8192

static int split_names(const char *list, char names[][64], int max,
		       const char *what, const struct ltr_event *ev)
{
	int n = 0;

	if (!list || !*list)
		return 0;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");

		if (n == max || !len || len >= 64)
			return ltr_error(EINVAL, "%s:%s: bad hist %s '%s'",
					 ev->system, ev->name, what, list);
		memcpy(names[n], p, len);
		names[n][len] = '\0';
		for (size_t i = 0; i < len; i++)
			if (!isalnum((unsigned char)names[n][i]) &&
			    names[n][i] != '_')
				return ltr_error(EINVAL, "%s:%s: bad hist %s '%s'",
						 ev->system, ev->name, what, list);
		n++;
		p += len;
		if (*p == ',')
			p++;
	}
	return n;
}

bool ltr_hist_supported(const struct ltr_session *s)
{
	return ltr_hist_triggers_supported(s->tracing_dir);
}

/* its README lists the trigger's syntax where the kernel has them */
bool ltr_hist_triggers_supported(const char *tracing_dir)
{
	char path[PATH_MAX], *text;
	bool ok;

	snprintf(path, sizeof(path), "%s/README", tracing_dir);
	text = ltr_read_text(path);
	ok = text && strstr(text, "hist:keys=");
	free(text);
	return ok;
}

/**
 * ltr_hist_trigger - the trigger text for @ev: keys and values, without
 * the filter (" if ..." must come after ":pause" and the like)
 * @buf: out
 *
 * Returns 0 or a negative errno (a field the event does not have, or too
 * many of them).
 */
int ltr_hist_trigger(struct ltr_event *ev, const struct ltr_event_opts *o,
		     char *buf, size_t len)
{
	char keys[LTR_HIST_MAX_KEYS][64], vals[LTR_HIST_MAX_VALS][64];
	int nkeys, nvals;
	size_t off;

	nkeys = split_names(o->hist_keys, keys, LTR_HIST_MAX_KEYS, "keys", ev);
	if (nkeys < 0)
		return nkeys;
	nvals = split_names(o->hist_vals, vals, LTR_HIST_MAX_VALS, "values", ev);
	if (nvals < 0)
		return nvals;
	for (int i = 0; i < nkeys + nvals; i++) {
		const char *f = i < nkeys ? keys[i] : vals[i - nkeys];

		if (!ltr_event__field(ev, f))
			return -errno;
	}
	ev->hist_nkeys = nkeys;
	ev->hist_nvals = nvals;
	for (int i = 0; i < nvals; i++)
		memcpy(ev->hist_vals[i], vals[i], sizeof(ev->hist_vals[i]));
	/* no key: one bucket, by the event's own type */
	off = (size_t)snprintf(buf, len, "hist:keys=");
	for (int i = 0; i < (nkeys ? nkeys : 1); i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "",
					nkeys ? keys[i] : "common_type");
	off += (size_t)snprintf(buf + off, len - off, ":vals=hitcount");
	for (int i = 0; i < nvals; i++)
		off += (size_t)snprintf(buf + off, len - off, ",%s", vals[i]);
	off += (size_t)snprintf(buf + off, len - off, ":size=%d", HIST_MAP_SIZE);
	if (off >= len)
		return ltr_error(E2BIG, "%s:%s: hist trigger too long", ev->system,
				 ev->name);
	return 0;
}

/* "name: 123" at @p (after spaces), the number out; NULL when not that. */
static const char *number_after(const char *p, const char *name,
				uint64_t *v)
{
	size_t n = strlen(name);
	char *end;

	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	if (strncmp(p, name, n) || p[n] != ':')
		return NULL;
	p += n + 1;
	while (*p == ' ')
		p++;
	if (!isdigit((unsigned char)*p))
		return NULL;
	errno = 0;
	*v = strtoull(p, &end, 10);
	return errno ? NULL : end;
}

/* A key "{ name: 123, name2: 4 }": the numbers, in order. */
static const char *parse_keys(const char *p, int nkeys, uint64_t *keys)
{
	p = strchr(p, '{');
	if (!p)
		return NULL;
	p++;
	for (int i = 0; i < nkeys; i++) {
		const char *colon = strchr(p, ':');
		char *end;

		if (!colon)
			return NULL;
		p = colon + 1;
		while (*p == ' ')
			p++;
		errno = 0;
		/* signed keys print as negative numbers */
		keys[i] = *p == '-' ? (uint64_t)strtoll(p, &end, 10) :
				      strtoull(p, &end, 10);
		if (errno || end == p)
			return NULL;
		p = end;
	}
	p = strchr(p, '}');
	return p ? p + 1 : NULL;
}

/**
 * ltr_hist_parse - the buckets and totals of a hist file's text
 * @text:  the file, NUL-terminated
 * @nkeys: the trigger's keys (0: the one common_type bucket)
 * @vals:  the value fields' names, in the trigger's order
 * @h:     out; h->buckets malloc'd (ltr_hist__fini())
 *
 * Returns 0, or -EINVAL when the text is not a histogram of that shape.
 */
int ltr_hist_parse(const char *text, int nkeys, char vals[][64], int nvals,
		   struct ltr_hist *h)
{
	struct ltr_hist r = { .nkeys = nkeys, .nvals = nvals };
	const char *line, *p;
	int cap = 0;

	for (line = text; line && *line; line = strchr(line, '\n') ?
						 strchr(line, '\n') + 1 : NULL) {
		struct ltr_hist_bucket b = { 0 };

		if (*line != '{')
			continue;
		p = parse_keys(line, nkeys ? nkeys : 1, b.keys);
		if (!p || !(p = number_after(p, "hitcount", &b.hits)))
			goto out_bad;
		for (int i = 0; i < nvals; i++)
			if (!(p = number_after(p, vals[i], &b.vals[i])))
				goto out_bad;
		if (!nkeys)
			b.keys[0] = 0;
		if (r.nbuckets == cap) {
			struct ltr_hist_bucket *nb;

			cap = cap ? 2 * cap : 16;
			nb = realloc(r.buckets, cap * sizeof(*nb));
			if (!nb) {
				free(r.buckets);
				return ltr_error(ENOMEM, "out of memory");
			}
			r.buckets = nb;
		}
		r.buckets[r.nbuckets++] = b;
	}
	p = strstr(text, "\nTotals:");
	if (!p || !(p = strstr(p, "Hits:")) ||
	    !number_after(p, "Hits", &r.hits) ||
	    !(p = strstr(p, "Dropped:")) ||
	    !number_after(p, "Dropped", &r.dropped))
		goto out_bad;
	*h = r;
	return 0;

out_bad:
	free(r.buckets);
	return ltr_error(EINVAL, "unexpected hist output");
}

uint64_t ltr_hist__count(const struct ltr_hist *h)
{
	uint64_t n = h->dropped;

	for (int i = 0; i < h->nbuckets; i++)
		n += h->buckets[i].hits;
	return n;
}

void ltr_hist__fini(struct ltr_hist *h)
{
	if (!h)
		return;
	free(h->buckets);
	h->buckets = NULL;
	h->nbuckets = 0;
}

/* The whole hist file, read from its start through the open @fd. */
static char *read_again(int fd)
{
	size_t cap = 16384, len = 0;
	char *text = malloc(cap);

	while (text) {
		ssize_t n = pread(fd, text + len, cap - len - 1, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(text);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (cap - len < 4096) {
			char *more = realloc(text, cap * 2);

			if (!more)
				free(text);
			text = more;
			cap *= 2;
		}
	}
	if (text)
		text[len] = '\0';
	return text;
}

void ltr_hist_close(struct ltr_event *ev)
{
	if (ev->hist_fd_open)
		close(ev->hist_fd);
	ev->hist_fd_open = false;
}

int ltr_event__hist(struct ltr_event *ev, struct ltr_hist *h)
{
	char file[PATH_MAX], *text;
	int err;

	if (ev->mode != LTR_MODE_HIST)
		return ltr_error(EINVAL, "%s:%s is not aggregated in the kernel",
				 ev->system, ev->name);
	snprintf(file, sizeof(file), "events/%s/%s/hist", ev->system, ev->name);
	if (!ev->hist_fd_open) {
		ev->hist_fd = ltr_ftrace_open(ev->session, file);
		ev->hist_fd_open = ev->hist_fd >= 0;
	}
	text = ev->hist_fd_open ? read_again(ev->hist_fd) : NULL;
	if (!text)
		return ltr_error(errno, "cannot read the hist of %s:%s: %s",
				 ev->system, ev->name, strerror(errno));
	err = ltr_hist_parse(text, ev->hist_nkeys, ev->hist_vals,
			     ev->hist_nvals, h);
	free(text);
	return err;
}
