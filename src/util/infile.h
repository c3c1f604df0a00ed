/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Input files (catalog files, the dashboard's files, the web configuration)
 * read whole, the way a hostile path cannot abuse: opened without
 * blocking (a FIFO would wait for a writer for ever), refused unless a
 * regular file (/dev/zero never ends), and never more than a bound.
 */
#ifndef LDEN_INFILE_H
#define LDEN_INFILE_H

#include <stddef.h>

/*
 * lden_read_file - the bytes of @path, NUL-terminated, in *@out (malloc'd,
 * the caller frees), their number in *@len
 * @max: the most it may hold; a larger file is refused, not cut
 * Returns 0, or -1 with "PATH: reason" in @err ("not a regular file",
 * "larger than N bytes", strerror).
 */
int lden_read_file(const char *path, size_t max, char **out, size_t *len,
		   char *err, size_t errlen);

#endif
