// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sizes summed in the kernel by hist triggers (LTR_MODE_HIST), against
 * the sampling path on the same workload.  Needs CONFIG_HIST_TRIGGERS:
 * on kernels without, the one check is that asking for it fails with
 * EOPNOTSUPP and says why; the qemu matrix (Debian 6.1, 6.12) runs the
 * rest.
 *
 * A child makes N write(2) calls to /dev/null of 1..N bytes (the
 * sys_enter_write "count" field), scoped by a filter on its pid:
 * - the hist's hits are N and its sum N(N+1)/2, and the perf ring,
 *   sampled in the same run, delivers the same N records with the same
 *   sum;
 * - lden's size plans give, from the kernel's hist, what evaluating the
 *   expression on every sampled record gives: linear ("count * 3 + 1")
 *   and grouped by the field ("count * count");
 * - the trigger counts only while the event is enabled;
 * - per task, or a second hist on the tracepoint, is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "resolve.h"
#include "size.h"
#include "ktest.h"
#include "lden-trace.h"

#define TIMEOUT_MS 60000
#define N_WRITES 300

static char buf[N_WRITES];

static int write_n(void *arg)
{
	int n = *(int *)arg, fd = open("/dev/null", O_WRONLY);

	if (fd < 0)
		return 2;
	for (int i = 1; i <= n; i++)
		if (write(fd, buf, (size_t)i) != i)
			return 3;
	close(fd);
	return 0;
}

/*
 * lden's two kinds of plan, each on a tracepoint of its own (one trigger
 * per tracepoint, one instance per process): grouped by the field on the
 * write's entry, linear in the field on its exit (ret: the bytes written)
 */
static const char *const tps[] = { "sys_enter_write", "sys_exit_write" };
static const char *const exprs[] = { "count * count", "ret * 3 + 1" };

struct sums {
	struct ltr_event *ev[2];
	const struct ltr_field *field[2];
	struct lden_size_expr *e[2];
	uint64_t n[2], sum[2], size[2];
};

static int on_sample(const struct ltr_sample *s, void *ctx)
{
	struct sums *x = ctx;
	int i = s->event == x->ev[0] ? 0 : s->event == x->ev[1] ? 1 : -1;
	uint64_t v;

	if (i < 0 || ltr_field__u64(x->field[i], s, &v) < 0)
		return 0;
	x->n[i]++;
	x->sum[i] += v;
	x->size[i] += lden_size_expr__eval(x->e[i], s);
	return 0;
}

static void filter_on(char *f, size_t len, pid_t pid)
{
	snprintf(f, len, "common_pid == %d", (int)pid);
}

static void hist_against_sampling(void **state)
{
	static const char *const fields[] = { "count", "ret" };
	const uint64_t total = (uint64_t)N_WRITES * (N_WRITES + 1) / 2;
	struct ltr_session_opts perf_opts = { .ring = LTR_RING_PERF };
	struct ltr_session *k = ltr_session__new(NULL);
	struct ltr_session *p = ltr_session__new(&perf_opts);
	struct lden_size_hist plan[2];
	struct ltr_event *hist[2];
	struct sums x = { 0 };
	struct ktest_child c;
	struct ltr_hist h;
	char filter[64], err[128];
	int n = N_WRITES;
	uint64_t count, sum;

	assert_non_null(k);
	assert_non_null(p);
	assert_int_equal(ktest_child_start(&c, write_n, &n), 0);
	filter_on(filter, sizeof(filter), c.pid);
	for (int i = 0; i < 2; i++) {
		/* the sampling path, through the perf ring */
		x.ev[i] = ltr_event__open(p, "syscalls", tps[i],
					  &(struct ltr_event_opts){
						  .mode = LTR_MODE_SAMPLE,
						  .filter = filter });
		if (!x.ev[i])
			fail_msg("open sampled: %s", ltr_last_error());
		x.field[i] = ltr_event__field(x.ev[i], fields[i]);
		assert_non_null(x.field[i]);
		x.e[i] = lden_size_expr__compile(exprs[i], x.ev[i], err, sizeof(err));
		assert_non_null(x.e[i]);

		/* the kernel's, as lden plans it */
		assert_int_equal(lden_size_hist__plan(exprs[i], &plan[i]), 0);
		assert_true(plan[i].linear == (i == 1));
		hist[i] = ltr_event__open(k, "syscalls", tps[i],
					  &(struct ltr_event_opts){
						  .mode = LTR_MODE_HIST,
						  .filter = filter,
						  .hist_keys = plan[i].keys,
						  .hist_vals = plan[i].vals });
		if (!hist[i])
			fail_msg("open hist %s: %s", exprs[i], ltr_last_error());
	}
	/* one trigger per tracepoint */
	assert_null(ltr_event__open(k, "syscalls", tps[0],
				    &(struct ltr_event_opts){
					    .mode = LTR_MODE_HIST,
					    .hist_vals = "count" }));
	assert_int_equal(errno, EBUSY);
	assert_int_equal(ltr_session__enable(k), 0);
	assert_int_equal(ltr_session__enable(p), 0);
	ktest_child_go(&c);
	assert_int_equal(ktest_child_wait(&c, TIMEOUT_MS), 0);
	assert_int_equal(ltr_session__disable(p), 0);
	assert_int_equal(ltr_session__disable(k), 0);
	assert_true(ltr_session__drain(p, on_sample, &x) >= 0);
	assert_int_equal(ltr_session__lost(p, -1), 0);

	for (int i = 0; i < 2; i++) {
		struct lden_size_expr *e = lden_size_expr__compile(exprs[i], hist[i],
							     err, sizeof(err));

		/* the sampling path saw every write, 1..N bytes */
		assert_int_equal(x.n[i], N_WRITES);
		assert_int_equal(x.sum[i], total);
		assert_non_null(e);
		assert_true(lden_size_hist__exact(e, &plan[i]));
		assert_int_equal(ltr_event__hist(hist[i], &h), 0);
		print_message("%s: kernel %llu, samples %llu (%d groups)\n",
			      exprs[i],
			      (unsigned long long)lden_size_hist__total(e, &plan[i], &h),
			      (unsigned long long)x.size[i], h.nbuckets);
		assert_int_equal(h.hits, x.n[i]);
		assert_int_equal(h.dropped, 0);
		assert_int_equal(lden_size_hist__total(e, &plan[i], &h), x.size[i]);
		/* the plain sum, from either kind of hist */
		sum = 0;
		for (int b = 0; b < h.nbuckets; b++)
			sum += plan[i].linear ? h.buckets[b].vals[0] :
						h.buckets[b].keys[0] * h.buckets[b].hits;
		assert_int_equal(sum, total);
		if (!plan[i].linear)
			assert_int_equal(h.nbuckets, N_WRITES);
		ltr_hist__fini(&h);
		assert_int_equal(ltr_event__count(hist[i], &count), 0);
		assert_int_equal(count, x.n[i]);
		lden_size_expr__free(e);
		lden_size_expr__free(x.e[i]);
	}
	ltr_session__free(p);
	ltr_session__free(k);
}

/* Counted only while enabled: paused before, and after. */
static void paused_until_enabled(void **state)
{
	struct ltr_session *s = ltr_session__new(NULL);
	struct ktest_child before, during, after;
	struct ltr_event *ev;
	int n = 50, m = 70;
	char filter[200];
	uint64_t count;

	assert_non_null(s);
	assert_int_equal(ktest_child_start(&before, write_n, &n), 0);
	assert_int_equal(ktest_child_start(&during, write_n, &m), 0);
	assert_int_equal(ktest_child_start(&after, write_n, &n), 0);
	snprintf(filter, sizeof(filter),
		 "common_pid == %d || common_pid == %d || common_pid == %d",
		 (int)before.pid, (int)during.pid, (int)after.pid);
	ev = ltr_event__open(s, "syscalls", "sys_enter_write",
			     &(struct ltr_event_opts){ .mode = LTR_MODE_HIST,
						       .filter = filter });
	if (!ev)
		fail_msg("open hist: %s", ltr_last_error());
	ktest_child_go(&before);
	assert_int_equal(ktest_child_wait(&before, TIMEOUT_MS), 0);
	assert_int_equal(ltr_event__enable(ev), 0);
	ktest_child_go(&during);
	assert_int_equal(ktest_child_wait(&during, TIMEOUT_MS), 0);
	assert_int_equal(ltr_event__disable(ev), 0);
	ktest_child_go(&after);
	assert_int_equal(ktest_child_wait(&after, TIMEOUT_MS), 0);
	assert_int_equal(ltr_event__count(ev, &count), 0);
	assert_int_equal(count, (uint64_t)m);
	ltr_session__free(s);
}

static void refused_per_task(void **state)
{
	struct ltr_session *s = ltr_session__new(NULL);

	assert_non_null(s);
	assert_null(ltr_event__open(s, "syscalls", "sys_enter_write",
				    &(struct ltr_event_opts){
					    .mode = LTR_MODE_HIST,
					    .pid = getpid() }));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(ltr_last_error(), "system-wide"));
	/* a field the event does not have */
	assert_null(ltr_event__open(s, "syscalls", "sys_enter_write",
				    &(struct ltr_event_opts){
					    .mode = LTR_MODE_HIST,
					    .hist_vals = "nosuch" }));
	assert_int_equal(errno, ENOENT);
	ltr_session__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hist_against_sampling),
		cmocka_unit_test(paused_until_enabled),
		cmocka_unit_test(refused_per_task),
	};
	struct ltr_session *s;
	const char *why;

	ktest_require_tracing();
	s = ltr_session__new(NULL);
	if (!s)
		return 99;
	if (!ltr_session__supports(s, LTR_FEATURE_HIST_TRIGGERS, &why)) {
		/* the one thing to check here: the refusal says why */
		struct ltr_event *ev = ltr_event__open(s, "syscalls", "sys_enter_write",
			&(struct ltr_event_opts){ .mode = LTR_MODE_HIST });
		int ok = !ev && errno == EOPNOTSUPP &&
			 strstr(ltr_last_error(), "CONFIG_HIST_TRIGGERS");

		fprintf(stderr, "%s: %s\n", ok ? "SKIP" : "FAIL", ok ? why :
			ltr_last_error());
		ltr_session__free(s);
		return ok ? KTEST_SKIP : 1;
	}
	ltr_session__free(s);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
