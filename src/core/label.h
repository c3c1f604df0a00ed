/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bound on an event's label, the name users see and every table,
 * environment variable, JSON member and guard entry is keyed by:
 * "task.create", "custom(vfs_read)", "syscalls:sys_exit_openat[ret < 0]".
 *
 * A label is never cut: two events whose filters differ only past a cut
 * would share a row, an environment name, a guard entry.  The parser
 * refuses an event whose label does not fit (lden_expr__parse()), so that
 * every buffer of LDEN_LABEL_LEN holds every label whole.  The bound is
 * above what the kernel takes: a filter is at most a page (4095 bytes,
 * PERF_EVENT_IOC_SET_FILTER's limit), joined with lden's own parts.
 */
#ifndef LDEN_LABEL_H
#define LDEN_LABEL_H

#define LDEN_LABEL_LEN 4608		/* with its NUL */

#endif
