/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's symbol table, /proc/kallsyms: whether a function exists
 * (for kprobe sources), and which function an address lies in (drop
 * locations as "function+0x1c").  Read once, kept sorted by address and
 * by name.
 */
#ifndef LDEN_KALLSYMS_H
#define LDEN_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lden_kallsyms;

/*
 * lden_kallsyms__load - read the text symbols (t, T) of @path
 * @path: NULL for /proc/kallsyms; another file for tests
 * Returns the table (free with lden_kallsyms__free()), or NULL with errno
 * set.  As non-root the addresses are all zero: then lookups by address
 * fail with -EPERM.
 */
struct lden_kallsyms *lden_kallsyms__load(const char *path);
void lden_kallsyms__free(struct lden_kallsyms *k);

bool lden_kallsyms__has(const struct lden_kallsyms *k, const char *name);

/*
 * lden_kallsyms__addr_name - "function+0xoff" (and " [module]") of @addr
 * Returns 0, -ENOENT when @addr lies before the first symbol, -EPERM when
 * the table has no addresses.
 */
int lden_kallsyms__addr_name(const struct lden_kallsyms *k, uint64_t addr,
			    char *buf, size_t len);

/*
 * lden_kallsyms__ranges - where the kernel's (not a module's) functions
 * called @name lie: [start, end) pairs into @ranges, at most @max
 * (static functions of the same name may be several)
 * Returns how many (0: none), -EPERM when the table has no addresses,
 * -E2BIG when there are more than @max.
 */
int lden_kallsyms__ranges(const struct lden_kallsyms *k, const char *name,
			 uint64_t (*ranges)[2], int max);

size_t lden_kallsyms__count(const struct lden_kallsyms *k);

#endif
