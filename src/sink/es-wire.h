/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the Elasticsearch sink says to the server and how it reads the
 * answers: the index template, the _bulk body (NDJSON), the bulk
 * response's per-item verdicts, an error response's reason.  No I/O.
 */
#ifndef LDEN_ES_WIRE_H
#define LDEN_ES_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "es-queue.h"

/*
 * Bumped whenever the template changes, so servers get the new one.
 * 1: the first; 2: "size_valid" (boolean); 3: "missed" (long) and
 * "count_exact" (boolean); 4: "speed_estimated" (boolean) and
 * "speed_span" (double); 5: "lost_shared" and "size_overflow" (boolean);
 * 6: the counts and sizes (count, size, count_total, size_total, lost,
 * missed) "unsigned_long" where the server has it (Elasticsearch 7.10,
 * OpenSearch 2.8), else "long" as before, and "capped" (boolean).
 */
#define LDEN_ES_TEMPLATE_VERSION 6

/*
 * A "long" holds at most 2^63 - 1: where the template maps the counts and
 * sizes so, a larger one (which the server would refuse, and the document
 * with it) is sent as this, the document marked "capped":true (and
 * "size_overflow":true when it is a size).
 */
#define LDEN_ES_LONG_MAX UINT64_C(9223372036854775807)

/* A growable byte buffer; free p. */
struct lden_es_buf {
	char *p;
	size_t len;
	size_t cap;
};

/* Appends @n bytes; 0, or -ENOMEM. */
int lden_es_buf__add(struct lden_es_buf *b, const char *s, size_t n);

/*
 * lden_es_wire__server_u64 - whether the server whose answer to GET / is
 * @body maps "unsigned_long": Elasticsearch 7.10 or later, OpenSearch 2.8
 * or later.  An answer without a version it can read: false (long, and
 * values past 2^63 - 1 capped and marked).
 */
bool lden_es_wire__server_u64(const char *body, size_t len);

/*
 * lden_es_wire__template - the body of PUT /_index_template/@index: a data
 * stream for "@index*" with the document's mappings, the counts and sizes
 * "unsigned_long" when @u64, else "long".  Appended to @b; 0 or -ENOMEM.
 */
int lden_es_wire__template(struct lden_es_buf *b, const char *index,
			   bool u64);

/*
 * lden_es_wire__template_current - whether the answer to
 * GET /_index_template/NAME holds a template to keep: a newer lden's
 * (left alone, so that two versions writing to one cluster do not replace
 * each other's template at every start), or this version's mapping the
 * counts and sizes as @u64 says.  An older one, one without a version,
 * this version's mapping them otherwise (a server upgraded since) or no
 * answer: 0, to be replaced.
 * @got_u64: when kept, whether it maps them "unsigned_long"
 */
int lden_es_wire__template_current(const char *body, size_t len, bool u64,
				   bool *got_u64);

/* Whether a count or size of @d passes LDEN_ES_LONG_MAX. */
bool lden_es_wire__capped(const struct lden_es_doc *d);

/*
 * lden_es_wire__bulk - append the _bulk lines of @docs to @b: a create
 * action into data stream @index with an id derived from the point (so a
 * repeated request cannot duplicate it), then the document.  Stops before
 * @b would pass @max_bytes (but takes at least one document).
 * @u64: the template maps the counts and sizes "unsigned_long": each is
 * sent exact; else one past LDEN_ES_LONG_MAX is sent as it, marked.
 * Returns how many documents it appended, or -ENOMEM.
 */
long lden_es_wire__bulk(struct lden_es_buf *b, const char *index,
			const struct lden_es_doc *docs, size_t n,
			size_t max_bytes, bool u64);

enum lden_es_verdict {
	LDEN_ES_OK,	/* stored (or was already: 409 on create) */
	LDEN_ES_RETRY,	/* 429 or 5xx: try again later */
	LDEN_ES_DROP,	/* rejected for good (mapping error, 400) */
};

/*
 * lden_es_wire__bulk_response - the verdict on each of the @n documents
 * of a bulk request from its 200 response @body, in @v.  The first drop's
 * "type: reason" goes to @reason (left alone when nothing is dropped).
 * Returns 0, or -EPROTO when the response is not a bulk response for @n
 * documents.
 */
int lden_es_wire__bulk_response(const char *body, size_t len, size_t n,
				enum lden_es_verdict *v, char *reason,
				size_t reasonlen);

/*
 * lden_es_wire__error_reason - "type: reason" from an Elasticsearch error
 * response, else the start of @body on one line, in @buf
 */
void lden_es_wire__error_reason(const char *body, size_t len, char *buf,
				size_t buflen);

#endif
