// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "io-map.h"
#include "io-summary.h"

struct lden_io_summary {
	struct lden_strmap rows;	/* key -> struct lden_io_row */
	struct lden_io_row *other;
	size_t max_keys;
};

#define OTHER_KEY "o(other)"	/* LDEN_IO_KEY_OTHER */

struct lden_io_summary *lden_io_summary__new(size_t max_keys)
{
	struct lden_io_summary *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->max_keys = max_keys;
	return s;
}

void lden_io_summary__free(struct lden_io_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->rows.cap; i++)
		free(s->rows.vals[i]);
	lden_strmap__fini(&s->rows);
	free(s);
}

int lden_hist_bucket(uint64_t ns)
{
	int e;

	if (ns < 8)
		return (int)ns;
	e = 63 - __builtin_clzll(ns);	/* 2^e <= ns < 2^(e+1), e >= 3 */
	return (e - 2) * 8 + (int)((ns >> (e - 3)) & 7);
}

uint64_t lden_hist_value(int bucket)
{
	int e, sub;
	uint64_t lo, width;

	if (bucket < 8)
		return (uint64_t)bucket;
	e = bucket / 8 + 2;
	sub = bucket % 8;
	width = 1ULL << (e - 3);
	lo = (1ULL << e) + (uint64_t)sub * width;
	/* the middle of the bucket */
	return lo + width / 2;
}

static struct lden_io_row *row_for(struct lden_io_summary *s, const char *key)
{
	struct lden_io_row *r = lden_strmap__get(&s->rows, key);

	if (r)
		return r;
	if (s->rows.n >= s->max_keys) {
		key = OTHER_KEY;
		r = lden_strmap__get(&s->rows, key);
		if (r)
			return r;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	if (lden_strmap__put(&s->rows, key, r) < 0) {
		free(r);
		return NULL;
	}
	return r;
}

int lden_io_summary__add(struct lden_io_summary *s, const char *key,
			 uint64_t latency_ns, uint64_t bytes_read,
			 uint64_t bytes_written, bool failed)
{
	struct lden_io_row *r = row_for(s, key);

	if (!r)
		return -ENOMEM;
	r->calls++;
	r->errors += failed;
	r->bytes_read = lden_u64_add(r->bytes_read, bytes_read);
	r->bytes_written = lden_u64_add(r->bytes_written, bytes_written);
	r->lat_total_ns = lden_u64_add(r->lat_total_ns, latency_ns);
	if (r->calls == 1 || latency_ns < r->lat_min_ns)
		r->lat_min_ns = latency_ns;
	if (latency_ns > r->lat_max_ns)
		r->lat_max_ns = latency_ns;
	r->hist[lden_hist_bucket(latency_ns)]++;
	return 0;
}

static bool sort_by_bytes;

static int cmp_rows(const void *a, const void *b)
{
	const struct lden_io_row *x = *(const struct lden_io_row *const *)a;
	const struct lden_io_row *y = *(const struct lden_io_row *const *)b;
	uint64_t vx, vy;

	if (sort_by_bytes) {
		vx = x->bytes_read + x->bytes_written;
		vy = y->bytes_read + y->bytes_written;
	} else {
		vx = x->lat_total_ns;
		vy = y->lat_total_ns;
	}
	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->key, y->key);
}

const struct lden_io_row **lden_io_summary__rows(struct lden_io_summary *s,
						 bool by_bytes, size_t *n)
{
	const struct lden_io_row **rows = malloc((s->rows.n + 1) *
						 sizeof(*rows));
	size_t k = 0;

	if (!rows)
		return NULL;
	for (size_t i = 0; i < s->rows.cap; i++) {
		struct lden_io_row *r = s->rows.vals[i];

		if (!s->rows.keys[i])
			continue;
		r->key = s->rows.keys[i];
		rows[k++] = r;
	}
	sort_by_bytes = by_bytes;
	qsort(rows, k, sizeof(*rows), cmp_rows);
	*n = k;
	return rows;
}

uint64_t lden_io_row__quantile(const struct lden_io_row *r, double q,
			       bool *exact)
{
	uint64_t total = 0, want, seen = 0, v;

	*exact = true;
	for (int i = 0; i < LDEN_HIST_BUCKETS; i++)
		total += r->hist[i];
	if (!total)
		return 0;
	want = (uint64_t)(q * (double)total + 0.999999);
	if (want < 1)
		want = 1;
	/* the first and the last call are known exactly */
	if (want == 1 || r->lat_min_ns == r->lat_max_ns)
		return r->lat_min_ns;
	if (want >= total)
		return r->lat_max_ns;
	for (int i = 0; i < LDEN_HIST_BUCKETS; i++) {
		seen += r->hist[i];
		if (seen < want)
			continue;
		/* a bucket of one value (under 16 ns) is exact too */
		*exact = i < 16;
		v = lden_hist_value(i);
		return v < r->lat_min_ns ? r->lat_min_ns :
		       v > r->lat_max_ns ? r->lat_max_ns :
					   v;
	}
	return 0;
}
