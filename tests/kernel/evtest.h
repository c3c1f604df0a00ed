/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the tests of catalog events share (test-events, test-network):
 * the catalog, a session per test, a child that works when told, events
 * attached to it, its run with the rings emptied as it goes, and checks
 * that print one row of the exactness table each:
 *
 *   ROW|event|source|what|expected|counted
 *
 * (expected is "N", or "lo..hi" where the kernel cannot be made to do an
 * exact amount), collected by tests/kernel-matrix/run into a table per
 * kernel.
 */
#ifndef LDEN_EVTEST_H
#define LDEN_EVTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "attach.h"
#include "catalog.h"
#include "ktest.h"

struct lden_kernel;
struct lden_resolution;
struct lden_size_expr;

#define EVT_TIMEOUT_MS 60000
#define MIB (UINT64_C(1) << 20)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

extern struct lden_catalog evt_cat;
/* a directory on a block device where there is one (LDEN_TEST_DISK_DIR) */
extern char evt_tmpdir[256];
extern bool evt_tmpdir_on_disk;

struct fx {
	struct ltr_session *s;
	struct lden_kernel *k;
	bool sampling;
	struct ktest_child child;
	bool child_started;
	bool child_waited;
	char files[4][512];
	int nfiles;
	char cgroup[512];
	char cgmount[300];	/* a cgroup2 mount of the test's, or "" */
	/* size expressions of what evt_attach() attached, freed in teardown */
	struct lden_size_expr *sizes[32];
	int nsizes;
	/* their joins, likewise (the attached events are on the stack) */
	struct lden_sizejoin *joins[8];
	int njoins;
};

/* cmocka group and test fixtures; @state is a struct fx * */
int evt_group_setup(void **state);
int evt_group_teardown(void **state);
int evt_setup(void **state);
int evt_teardown(void **state);

/* A unique file name in evt_tmpdir, removed in teardown. */
const char *evt_temp_file(struct fx *f, const char *what);
void evt_require_disk(void);

void evt_start_child(struct fx *f, int (*fn)(void *), void *arg);

/*
 * Resolves @name on this kernel and attaches it; @pid > 0 scopes it to
 * that process and the children it creates afterwards.  @res may be NULL.
 */
void evt_attach(struct fx *f, const char *name, bool need_size,
		const char *filter, pid_t pid, struct lden_attached *a,
		struct lden_resolution *res);

/*
 * Starts the events, lets the child work, empties the rings while it
 * does, then stops the events.  Returns the child's exit status, -1 when
 * it was killed.
 */
int evt_run(struct fx *f);

uint64_t evt_count(struct lden_attached *a);
/* the size: the samples' sum, or the kernel's (hist triggers) */
uint64_t evt_size(struct lden_attached *a);
/* Sampled: nothing lost, nothing missed, every hit counted sampled. */
void evt_check_samples(struct fx *f, struct lden_attached *a);

/* One row, asserted: @what of @a ("count", "size [ret > 0]"...). */
void evt_exactly(const struct lden_attached *a, const char *what,
		 uint64_t counted, uint64_t expected);
void evt_in_range(const struct lden_attached *a, const char *what,
		  uint64_t counted, uint64_t lo, uint64_t hi);

/* A shared page the child and its children report what they did in. */
void *evt_shared(size_t size);

#endif
