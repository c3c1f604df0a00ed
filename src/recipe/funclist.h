/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A list of kernel functions as data (kprobe_events/socket.functions):
 * each one's name and the C type it returns, which says how to show the
 * raw return register a kretprobe reads.  lden has no debug information,
 * so the list and the types are written down, then checked against
 * /proc/kallsyms at start.
 */
#ifndef LDEN_FUNCLIST_H
#define LDEN_FUNCLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lden_kallsyms;

enum lden_rettype {
	LDEN_RET_VOID,
	LDEN_RET_INT,		/* int: the low 32 bits, signed */
	LDEN_RET_UINT,		/* u32, __poll_t */
	LDEN_RET_LONG,		/* long, ssize_t */
	LDEN_RET_BOOL,		/* the low byte */
	LDEN_RET_PTR,		/* hex, or an ERR_PTR's -errno */
};

struct lden_func {
	char name[64];
	enum lden_rettype ret;
	bool present;		/* in /proc/kallsyms (lden_funclist__check) */
};

struct lden_funclist {
	struct lden_func *f;
	int n;
};

/*
 * lden_funclist__load - read "NAME TYPE" lines ('#' comments, blank lines)
 * from @path into @l (free with lden_funclist__free())
 * Returns 0, or -1 with @err set ("FILE:LINE: unknown type 'x'"); @l is
 * then empty.
 */
int lden_funclist__load(const char *path, struct lden_funclist *l, char *err,
		       size_t errlen);
void lden_funclist__free(struct lden_funclist *l);

/*
 * lden_funclist__find - @name (e.g. "socket.functions") in the first of
 * @dirs, looked at from the last: a later directory replaces an earlier
 * one's file, as the catalog's do.  Writes the path to @path; returns 0,
 * or -ENOENT.
 */
int lden_funclist__find(const char *const *dirs, int ndirs, const char *name,
		       char *path, size_t len);

/*
 * lden_funclist__check - mark which functions @k has (text symbols)
 * Returns how many it has.
 */
int lden_funclist__check(struct lden_funclist *l, const struct lden_kallsyms *k);

/*
 * lden_rettype__format - @raw, the return register, as @t says: the text
 * in @buf ("" for void), and the number in *@num when it is one (not for
 * void and for pointers that are not ERR_PTRs); returns whether it is
 */
bool lden_rettype__format(enum lden_rettype t, uint64_t raw, char *buf,
			 size_t len, int64_t *num);

/* "int", "uint", ... (static) */
const char *lden_rettype__name(enum lden_rettype t);

#endif
