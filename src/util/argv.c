// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Command lines that getopt alone would misread.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include "argv.h"

/* Whether @a, which starts with '-', is an expression ("-count(x) < 1"). */
static bool dash_expression(const char *a)
{
	static const char *const data[] = { "count", "size", "speed" };

	a++;
	while (*a == ' ' || *a == '\t')
		a++;
	if (*a == '(' || *a == '.' || isdigit((unsigned char)*a))
		return true;
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(data[i]);

		if (!strncmp(a, data[i], n)) {
			a += n;
			while (*a == ' ' || *a == '\t')
				a++;
			return *a == '(';
		}
	}
	return false;
}

/* Whether option word @w leaves its value to the next argument. */
static bool value_follows(const char *w, const struct option *longopts,
			  const char *optstring)
{
	if (w[1] == '-') {
		size_t n = strcspn(w + 2, "=");

		if (w[2 + n] == '=')
			return false;
		for (const struct option *o = longopts; o->name; o++)
			if (!strncmp(o->name, w + 2, n))
				return o->has_arg == required_argument;
		return false;
	}
	for (const char *c = w + 1; *c; c++) {
		const char *at = strchr(optstring, *c);

		if (at && at[1] == ':')
			return !c[1];	/* "-t" "60", not "-t60" */
	}
	return false;
}

const char *lden_take_dash_expression(int *argc, char **argv,
					const struct option *longopts,
					const char *optstring)
{
	for (int i = 1; i < *argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1])
			continue;
		if (dash_expression(a)) {
			memmove(&argv[i], &argv[i + 1],
				(size_t)(*argc - i) * sizeof(*argv));
			(*argc)--;
			return a;
		}
		if (value_follows(a, longopts, optstring))
			i++;
	}
	return NULL;
}

