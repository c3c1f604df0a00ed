/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the Elasticsearch sink says to the server and how it reads the
 * answers: the index template, the _bulk body (NDJSON), the bulk
 * response's per-item verdicts, an error response's reason.  No I/O.
 */
#ifndef LDEN_ES_WIRE_H
#define LDEN_ES_WIRE_H

#include <stddef.h>

#include "es-queue.h"

/*
 * Bumped whenever the template changes, so servers get the new one.
 * 1: the first; 2: "size_valid" (boolean); 3: "missed" (long) and
 * "count_exact" (boolean); 4: "speed_estimated" (boolean) and
 * "speed_span" (double); 5: "lost_shared" and "size_overflow" (boolean).
 */
#define LDEN_ES_TEMPLATE_VERSION 5

/* A growable byte buffer; free p. */
struct lden_es_buf {
	char *p;
	size_t len;
	size_t cap;
};

/* Appends @n bytes; 0, or -ENOMEM. */
int lden_es_buf__add(struct lden_es_buf *b, const char *s, size_t n);

/*
 * lden_es_wire__template - the body of PUT /_index_template/@index: a data
 * stream for "@index*" with the document's mappings.  Appended to @b;
 * 0 or -ENOMEM.
 */
int lden_es_wire__template(struct lden_es_buf *b, const char *index);

/*
 * lden_es_wire__template_current - whether the answer to
 * GET /_index_template/NAME holds a template of this version or a newer
 * one (installed by a newer lden: left alone, so that two versions writing
 * to one cluster do not replace each other's template at every start).
 * An older one, one without a version or no answer: 0, to be replaced.
 */
int lden_es_wire__template_current(const char *body, size_t len);

/*
 * lden_es_wire__bulk - append the _bulk lines of @docs to @b: a create
 * action into data stream @index with an id derived from the point (so a
 * repeated request cannot duplicate it), then the document.  Stops before
 * @b would pass @max_bytes (but takes at least one document).
 * Returns how many documents it appended, or -ENOMEM.
 */
long lden_es_wire__bulk(struct lden_es_buf *b, const char *index,
			const struct lden_es_doc *docs, size_t n,
			size_t max_bytes);

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
