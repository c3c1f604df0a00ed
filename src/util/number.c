// SPDX-License-Identifier: GPL-2.0-or-later
/* Decimal numbers of options (see number.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"

static int invalid(void)
{
	errno = EINVAL;
	return -EINVAL;
}

static int out_of_range(void)
{
	errno = ERANGE;
	return -ERANGE;
}

int lden_parse_decimal(const char *arg, double lo, double hi, double *out)
{
	static const char digits[] = "0123456789";
	size_t whole = strspn(arg, digits), frac = 0;
	double v;

	if (arg[whole] == '.')
		frac = strspn(arg + whole + 1, digits);
	if (!whole && !frac)
		return invalid();
	if (arg[whole + (arg[whole] == '.' ? 1 + frac : 0)])
		return invalid();
	/* only digits and one point now: strtod reads them as decimal */
	errno = 0;
	v = strtod(arg, NULL);
	if (!isfinite(v) || v < lo || v > hi)
		return out_of_range();
	*out = v;
	return 0;
}

int lden_parse_count(const char *arg, unsigned long long lo,
		     unsigned long long hi, unsigned long long *out)
{
	unsigned long long v;

	if (!*arg || arg[strspn(arg, "0123456789")])
		return invalid();
	errno = 0;
	v = strtoull(arg, NULL, 10);
	if (errno == ERANGE || v < lo || v > hi)
		return out_of_range();
	*out = v;
	return 0;
}

char *lden_u64_str(uint64_t v, char *buf, size_t len)
{
	if (lden_u64_over(v))
		snprintf(buf, len, "overflow");
	else
		snprintf(buf, len, "%" PRIu64, v);
	return buf;
}
