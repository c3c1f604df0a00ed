/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef LDEN_ARGV_H
#define LDEN_ARGV_H

struct option;

/*
 * lden_take_dash_expression - an expression that begins with '-' is no
 * option, but getopt would take "-count(x) < 1" for -c with the value
 * "ount(x) < 1".  Takes the first argument that reads as an expression
 * ('-' then a number, '(' or count( size( speed() and is no option's value
 * out of @argv (before "--"), shifting the rest down, and returns it, or
 * NULL.  @optstring is getopt's, without a leading ':'.
 */
const char *lden_take_dash_expression(int *argc, char **argv,
				      const struct option *longopts,
				      const char *optstring);

#endif
