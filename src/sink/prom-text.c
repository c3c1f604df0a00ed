// SPDX-License-Identifier: GPL-2.0-or-later
/* Pieces of Prometheus's text format (see prom-text.h). */
#include <stdint.h>
#include <string.h>

#include "prom-text.h"
#include "text.h"

void lden_prom_family(FILE *out, const char *name, const char *type,
		      const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void lden_prom_label_value(FILE *out, const char *s)
{
	fputc('"', out);
	while (*s) {
		unsigned char c = (unsigned char)*s;
		uint32_t cp;
		size_t k;

		if (c == '\\')
			fputs("\\\\", out);
		else if (c == '"')
			fputs("\\\"", out);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x80)
			fputc(c, out);
		else if ((k = ltr_utf8_seq(s, strnlen(s, 4), &cp)) > 0) {
			fwrite(s, 1, k, out);
			s += k;
			continue;
		} else {
			/*
			 * the format is UTF-8: one malformed byte fails the
			 * whole scrape; it is U+FFFD, as in lden's JSON
			 */
			fputs("\xef\xbf\xbd", out);
		}
		s++;
	}
	fputc('"', out);
}
