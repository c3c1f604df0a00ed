/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Numbers given on the command line, as a user writes them: decimal
 * digits only.  strtod() and strtol() also take what no user means as a
 * duration or a count ("0x10", "1e3", "inf", "nan", " 5", "+5"), so they
 * are not used for options.
 */
#ifndef LDEN_NUMBER_H
#define LDEN_NUMBER_H

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

#endif
