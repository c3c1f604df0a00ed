/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lden top's table: a few numbers (count, size, packets...) summed per
 * key, where a key is one or more column values joined by LDEN_SEP
 * (recipe.h): "1234" LDEN_SEP "0" LDEN_SEP "lo".  Bounded: past the maximum number of keys, new keys
 * are summed under "(other)".
 */
#ifndef LDEN_TALLY_H
#define LDEN_TALLY_H

#include <stddef.h>
#include <stdint.h>

#define LDEN_TALLY_VALUES 4
#define LDEN_TALLY_OTHER "(other)"

struct lden_tally;

struct lden_tally_row {
	char *key;
	uint64_t v[LDEN_TALLY_VALUES];
};

/* Returns the table (lden_tally__free()), or NULL (ENOMEM). */
struct lden_tally *lden_tally__new(size_t max_keys);
void lden_tally__free(struct lden_tally *t);

/* Adds @v (LDEN_TALLY_VALUES numbers) to @key's row; 0 or -ENOMEM. */
int lden_tally__add(struct lden_tally *t, const char *key, const uint64_t *v);

/*
 * lden_tally__sorted - the rows, largest value @col first (then by key)
 * Returns how many; *@rows is borrowed until the next add or reset.
 */
size_t lden_tally__sorted(struct lden_tally *t, int col,
			 const struct lden_tally_row **rows);

/* Empties the table (for the next interval). */
void lden_tally__reset(struct lden_tally *t);

#endif
