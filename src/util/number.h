/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Numbers given on the command line, as a user writes them: decimal
 * digits only.  strtod() and strtol() also take what no user means as a
 * duration or a count ("0x10", "1e3", "inf", "nan", " 5", "+5"), so they
 * are not used for options.
 */
#ifndef LDEN_NUMBER_H
#define LDEN_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * lden_parse_decimal - @arg, all of it, as DIGITS, DIGITS.DIGITS or
 * .DIGITS, in [@lo, @hi]
 * @out: written only on success
 * Returns 0, -EINVAL (errno too) when @arg is not such a number (a sign,
 * an exponent, hexadecimal, "inf", white space), or -ERANGE when it is
 * one outside [@lo, @hi].
 */
int lden_parse_decimal(const char *arg, double lo, double hi, double *out);

/*
 * lden_parse_count - @arg, all of it, as decimal digits, in [@lo, @hi]
 * @out: written only on success
 * Returns 0, -EINVAL or -ERANGE as lden_parse_decimal() does.
 */
int lden_parse_count(const char *arg, unsigned long long lo,
		     unsigned long long hi, unsigned long long *out);

/*
 * Sums of sizes saturate: a sum that would pass 2^64 - 1 stays
 * LDEN_U64_OVER, never wraps, and is shown marked ("overflow" in text,
 * a "..._overflow": true beside the number in JSON).  A size is a
 * uint64_t, a sum of them reaching 2^64 - 1 exactly is taken as passed.
 */
#define LDEN_U64_OVER UINT64_MAX

static inline uint64_t lden_u64_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? LDEN_U64_OVER : r;
}

static inline uint64_t lden_u64_mul(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? LDEN_U64_OVER : r;
}

/* @now - @then of a saturated running sum: overflow stays overflow */
static inline uint64_t lden_u64_since(uint64_t now, uint64_t then)
{
	return now == LDEN_U64_OVER ? LDEN_U64_OVER : now - then;
}

static inline bool lden_u64_over(uint64_t v)
{
	return v == LDEN_U64_OVER;
}

/*
 * lden_u64_str - @v in decimal into @buf (at least 21 bytes), or
 * "overflow" when it is LDEN_U64_OVER.  Returns @buf.
 */
char *lden_u64_str(uint64_t v, char *buf, size_t len);

#endif
