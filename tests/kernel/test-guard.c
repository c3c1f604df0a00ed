// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The overhead guard against the live kernel: a sampled event switched to
 * counting keeps an exact count (between two bursts, in the middle of
 * one, with children running at the switch and started after it), hits
 * counted and never sampled are said lost, and
 * lden_guard__tick() decides as documented, driven with chosen times.
 *
 * The event is guard.read: read(2) calls of 4093 bytes, scoped to a child
 * process, its size the bytes asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "attach.h"
#include "catalog.h"
#include "guard.h"
#include "ktest.h"
#include "lden-trace.h"
#include "resolve.h"
#include "scope.h"

#define SIZE 4093

static struct lden_catalog cat;

struct fx {
	struct ltr_session *s;
	struct lden_kernel *k;
	pid_t child;
	int go[2];	/* parent -> child: one byte per phase */
	int done[2];	/* child -> parent: one byte per phase done */
	struct lden_attached a[2];
	int na;
};

static void reads(unsigned long n)
{
	static char buf[SIZE];
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		_exit(3);
	for (unsigned long i = 0; i < n; i++)
		if (read(fd, buf, SIZE) != SIZE)
			_exit(4);
	close(fd);
}

static void wait_byte(int fd)
{
	char b;

	if (read(fd, &b, 1) != 1)
		_exit(5);
}

static void post(int fd)
{
	if (write(fd, "x", 1) != 1)
		_exit(6);
}

/*
 * The child: phase 0 reads n[0] times; phase 1 forks a grandchild that
 * reads n[1] times and reads n[2] times itself.  Each phase starts on a
 * byte from the parent and ends with a byte to it.
 */
static void start_child(struct fx *f, const unsigned long n[3])
{
	assert_int_equal(pipe2(f->go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(f->done, O_CLOEXEC), 0);
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0) {
		pid_t g;
		int st;

		wait_byte(f->go[0]);
		reads(n[0]);
		post(f->done[1]);
		wait_byte(f->go[0]);
		g = fork();
		if (g == 0) {
			reads(n[1]);
			_exit(0);
		}
		reads(n[2]);
		if (g < 0 || waitpid(g, &st, 0) != g || st != 0)
			_exit(7);
		post(f->done[1]);
		_exit(0);
	}
}

static void attach(struct fx *f, bool need_size, const char *filter)
{
	const struct lden_event_def *d = lden_catalog__find(&cat, "guard.read");
	struct lden_scope scope = { .pid = f->child, .children = true };
	struct lden_resolution r;
	char err[1024];

	assert_non_null(d);
	assert_int_equal(lden_resolve(f->k, d, &r), 0);
	if (lden_attach(f->s, &r, need_size, filter, &scope, &f->a[f->na],
			err, sizeof(err)) < 0)
		fail_msg("attach: %s", err);
	assert_int_equal(f->a[f->na].sampling, need_size);
	f->na++;
}

static int add_sample(const struct ltr_sample *s, void *ctx)
{
	(void)ctx;
	lden_attached__add_sample(s);
	return 0;
}

static uint64_t count_of(struct lden_attached *a)
{
	uint64_t c;

	if (lden_attached__count(a, &c) < 0)
		fail_msg("count: %s", ltr_last_error());
	return c;
}

/* Drains the rings until the child posts a byte (phase done). */
static void until_done(struct fx *f)
{
	int fl = fcntl(f->done[0], F_GETFL);
	time_t end = time(NULL) + 60;
	char b;

	fcntl(f->done[0], F_SETFL, fl | O_NONBLOCK);
	while (read(f->done[0], &b, 1) != 1) {
		assert_true(time(NULL) < end);
		assert_true(ltr_session__poll(f->s, 10, add_sample, NULL) >= 0 ||
			    errno == EINTR);
	}
	fcntl(f->done[0], F_SETFL, fl);
	assert_true(ltr_session__drain(f->s, add_sample, NULL) >= 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->s = ltr_session__new(NULL);
	f->k = lden_kernel__new(ltr_tracing_dir());
	f->go[0] = f->go[1] = f->done[0] = f->done[1] = -1;
	*state = f;
	return f->s && f->k ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, NULL, 0);
	}
	for (int i = 0; i < 2; i++) {
		if (f->go[i] >= 0)
			close(f->go[i]);
		if (f->done[i] >= 0)
			close(f->done[i]);
	}
	for (int i = 0; i < f->na; i++)
		lden_attached__release(&f->a[i]);
	ltr_session__free(f->s);
	lden_kernel__free(f->k);
	free(f);
	return 0;
}

static void finish_child(struct fx *f)
{
	int st;

	assert_int_equal(waitpid(f->child, &st, 0), f->child);
	f->child = 0;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/*
 * Switched between two bursts: the size is exactly the first burst's,
 * the count both bursts', the grandchild's reads included.
 */
static void switch_between_bursts(void **state)
{
	const unsigned long n[3] = { 30000, 20000, 10000 };
	struct fx *f = *state;
	struct lden_attached *a = &f->a[0];
	uint64_t lost, lost2;

	start_child(f, n);
	attach(f, true, NULL);
	assert_int_equal(ltr_session__enable(f->s), 0);
	post(f->go[1]);
	until_done(f);
	assert_int_equal(count_of(a), n[0]);
	assert_int_equal(lden_attached__stop_sampling(a, f->s, add_sample, NULL), 0);
	assert_false(a->sampling);
	assert_true(a->size_stopped);
	assert_int_equal(a->samples, n[0]);
	assert_int_equal(a->size_total, (uint64_t)n[0] * SIZE);
	assert_int_equal(lden_attached__lost(a, &lost), 0);
	for (int p = 0; p < a->nparts; p++)
		assert_int_equal(ltr_event__mode(a->parts[p].ev), LTR_MODE_COUNT);
	/* stopping again does nothing */
	assert_int_equal(lden_attached__stop_sampling(a, f->s, add_sample, NULL), 0);

	post(f->go[1]);
	until_done(f);
	finish_child(f);
	assert_int_equal(count_of(a), n[0] + n[1] + n[2]);
	assert_int_equal(a->samples, n[0]);
	assert_int_equal(a->size_total, (uint64_t)n[0] * SIZE);
	assert_int_equal(lden_attached__lost(a, &lost2), 0);
	assert_int_equal(lost2, lost);
	print_message("  count %lu after the switch, size frozen at %llu\n",
		      n[0] + n[1] + n[2], (unsigned long long)a->size_total);
}

/* A sample that never reaches lden: thrown away in the drain. */
static int discard(const struct ltr_sample *s, void *ctx)
{
	(void)s;
	(void)ctx;
	return 0;
}

/*
 * Hits counted whose samples never arrive are said lost, never hidden:
 * the kernel can count a hit and drop its sample with no LOST record
 * (6.18 under load), which a drain that throws the samples away stands
 * in for here.  Settled, every hit of the burst is lost, the count exact.
 */
static void unarrived_said_lost(void **state)
{
	const unsigned long n[3] = { 3000, 0, 0 };
	struct fx *f = *state;
	struct lden_attached *a = &f->a[0];
	uint64_t lost;

	start_child(f, n);
	attach(f, true, NULL);
	assert_int_equal(ltr_session__enable(f->s), 0);
	post(f->go[1]);
	wait_byte(f->done[0]);
	assert_int_equal(ltr_session__disable(f->s), 0);
	assert_int_equal(lden_attached__settle(a, 1, f->s, discard, NULL), 0);
	assert_int_equal(count_of(a), n[0]);
	assert_int_equal(a->samples, 0);
	assert_int_equal(lden_attached__lost(a, &lost), 0);
	assert_int_equal(lost, n[0]);
	print_message("  %lu hits counted, no sample arrived: %llu said lost\n",
		      n[0], (unsigned long long)lost);
}

/*
 * The counting twin is not tied to its sampling event: hits the sampling
 * event misses (here: disabled alone) are still counted, and the
 * difference is said lost, live and once settled.
 */
static void twin_counts_what_sampling_misses(void **state)
{
	const unsigned long n[3] = { 2000, 0, 0 };
	struct fx *f = *state;
	struct lden_attached *a = &f->a[0];
	uint64_t lost;

	start_child(f, n);
	attach(f, true, NULL);
	assert_non_null(a->parts[0].counter);
	assert_int_equal(ltr_session__enable(f->s), 0);
	assert_int_equal(ltr_event__disable(a->parts[0].ev), 0);
	post(f->go[1]);
	wait_byte(f->done[0]);
	assert_int_equal(count_of(a), n[0]);
	assert_int_equal(lden_attached__lost(a, &lost), 0);
	assert_int_equal(lost, n[0]);
	assert_int_equal(ltr_session__disable(f->s), 0);
	assert_int_equal(lden_attached__settle(a, 1, f->s, add_sample, NULL), 0);
	assert_int_equal(a->samples, 0);
	assert_int_equal(lden_attached__lost(a, &lost), 0);
	assert_int_equal(lost, n[0]);
}

/*
 * Switched in the middle of a burst of a million reads: the count is
 * still exactly the burst; the size is the sampled part, every sample
 * of which was delivered before the sampling event was closed.
 */
static void switch_mid_burst(void **state)
{
	const unsigned long n[3] = { 1000000, 0, 0 };
	struct fx *f = *state;
	struct lden_attached *a = &f->a[0];
	time_t end = time(NULL) + 60;
	uint64_t samples, lost;

	start_child(f, n);
	attach(f, true, NULL);
	assert_int_equal(ltr_session__enable(f->s), 0);
	post(f->go[1]);
	while (count_of(a) < 50000) {
		assert_true(time(NULL) < end);
		assert_true(ltr_session__poll(f->s, 1, add_sample, NULL) >= 0);
	}
	assert_int_equal(lden_attached__stop_sampling(a, f->s, add_sample, NULL), 0);
	samples = a->samples;
	assert_int_equal(lden_attached__lost(a, &lost), 0);
	until_done(f);
	post(f->go[1]);
	until_done(f);
	finish_child(f);
	assert_int_equal(count_of(a), n[0]);
	assert_int_equal(a->samples, samples);
	assert_int_equal(a->size_total, samples * SIZE);
	/* every event before the switch was sampled or counted as lost */
	assert_true(samples + lost >= 50000);
	assert_true(samples + lost < n[0]);
	print_message("  switched after %llu samples (%llu lost) of %lu reads; count exact\n",
		      (unsigned long long)samples, (unsigned long long)lost, n[0]);
}

static void burn_cpu(double seconds)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	while (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
}

/* A guard over f->a[0] and f->a[1], events enabled, started at t = 100 s. */
static struct lden_guard *guard_of_two(struct fx *f,
				       const struct lden_guard_opts *o,
				       const char *label0, const char *label1)
{
	struct lden_guard *g = lden_guard__new(o);

	assert_non_null(g);
	assert_int_equal(lden_guard__add(g, label0, &f->a[0]), 0);
	assert_int_equal(lden_guard__add(g, label1, &f->a[1]), 1);
	assert_int_equal(ltr_session__enable(f->s), 0);
	lden_guard__start(g, 100.0);
	return g;
}

/*
 * --max-rate: judged only over a whole second; the sampled source above
 * the limit is switched once; a counted one at the same rate never is.
 */
static void guard_rate(void **state)
{
	const unsigned long n[3] = { 5000, 0, 0 };
	struct lden_guard_opts o = { .max_rate = 1000, .max_cpu = 0 };
	struct fx *f = *state;
	const struct lden_guard_action *act;
	struct lden_guard *g;
	char msg[512];

	start_child(f, n);
	attach(f, true, NULL);
	attach(f, false, NULL);
	g = guard_of_two(f, &o, "sampled", "counted");
	post(f->go[1]);
	until_done(f);
	assert_int_equal(count_of(&f->a[1]), n[0]);

	/* half a second: 10000/s, but not a whole second yet */
	assert_int_equal(lden_guard__tick(g, f->s, 100.5, add_sample, NULL), 0);
	assert_true(lden_guard__source_rate(g, 0) > 9999);
	/* closer than 100 ms to the last look: not even measured */
	assert_int_equal(lden_guard__tick(g, f->s, 100.55, add_sample, NULL), 0);
	assert_int_equal(lden_guard__tick(g, f->s, 101.25, add_sample, NULL), 1);
	assert_int_equal(lden_guard__nactions(g), 1);
	act = lden_guard__action(g, 0);
	assert_string_equal(act->event, "sampled");
	assert_int_equal(act->reason, LDEN_GUARD_RATE);
	assert_true(act->rate > 3999 && act->rate < 4001);	/* 5000 / 1.25 */
	assert_true(act->limit == 1000);
	assert_true(act->at == 1.25);
	assert_int_equal(act->size, (uint64_t)n[0] * SIZE);
	assert_true(f->a[0].size_stopped);
	assert_false(f->a[1].size_stopped);
	lden_guard__message(act, msg, sizeof(msg));
	assert_string_equal(msg, "guard: 'sampled' sampled at 4000 events/s (limit 1000): counted from now on, its size is no longer updated");
	/* once */
	assert_int_equal(lden_guard__tick(g, f->s, 101.4, add_sample, NULL), 0);
	assert_int_equal(lden_guard__nactions(g), 1);
	post(f->go[1]);
	until_done(f);
	finish_child(f);
	assert_int_equal(count_of(&f->a[0]), n[0]);
	lden_guard__free(g);
}

/*
 * --max-cpu: judged over whole windows only; the busiest sampled source
 * goes first; a source with no events in the window is never switched.
 */
static void guard_cpu(void **state)
{
	const unsigned long n[3] = { 3000, 0, 0 };
	struct lden_guard_opts o = { .max_rate = 0, .max_cpu = 1 };
	struct fx *f = *state;
	struct lden_guard *g;

	start_child(f, n);
	attach(f, true, "fd > 100000");	/* sampled, never hit */
	attach(f, true, NULL);
	g = guard_of_two(f, &o, "idle", "busy");
	assert_int_equal(lden_guard__tick(g, f->s, 102.0, add_sample, NULL), 0);
	/* in the last second: the reads, and more than 1% of 3 s of CPU */
	post(f->go[1]);
	until_done(f);
	burn_cpu(0.1);
	assert_int_equal(lden_guard__tick(g, f->s, 103.1, add_sample, NULL), 1);
	assert_true(lden_guard__cpu_pct(g) > 1);
	assert_string_equal(lden_guard__action(g, 0)->event, "busy");
	assert_int_equal(lden_guard__action(g, 0)->reason, LDEN_GUARD_CPU);
	assert_true(lden_guard__action(g, 0)->limit == 1);
	assert_true(f->a[1].size_stopped);
	assert_false(f->a[0].size_stopped);
	/*
	 * a new window starts after the switch, judged again at 107.1: over
	 * budget still, but the only source left sampled had no events, and
	 * counting it would save nothing: it stays sampled
	 */
	assert_int_equal(lden_guard__tick(g, f->s, 104.0, add_sample, NULL), 0);
	burn_cpu(0.1);
	assert_int_equal(lden_guard__tick(g, f->s, 106.0, add_sample, NULL), 0);
	assert_int_equal(lden_guard__tick(g, f->s, 107.1, add_sample, NULL), 0);
	assert_false(f->a[0].size_stopped);
	burn_cpu(0.1);
	assert_int_equal(lden_guard__tick(g, f->s, 111.0, add_sample, NULL), 0);
	assert_int_equal(lden_guard__nactions(g), 1);
	post(f->go[1]);
	until_done(f);
	finish_child(f);
	assert_int_equal(count_of(&f->a[1]), n[0]);
	assert_int_equal(count_of(&f->a[0]), 0);
	lden_guard__free(g);
}

/* guard.read, as in tests/cli/guard.events (written here: the qemu
 * kernel matrix runs this test without the source tree) */
static const char guard_events[] =
	"event guard.read\n"
	"\tdescribe\tread(2) calls of 4093 bytes\n"
	"\ttracepoint\tsyscalls:sys_enter_read if count == 4093\n"
	"\tsize\t\tcount\n";

static int group_setup(void **state)
{
	char dirbuf[] = "/tmp/lden-test-guard.XXXXXX", path[64], err[1024];
	const char *dir = dirbuf;
	FILE *fp;
	int rc;

	(void)state;
	ltr_set_print(NULL);
	if (!mkdtemp(dirbuf))
		return -1;
	snprintf(path, sizeof(path), "%s/guard.events", dirbuf);
	fp = fopen(path, "we");
	if (!fp)
		return -1;
	fputs(guard_events, fp);
	rc = fclose(fp);
	if (rc == 0)
		rc = lden_catalog__load(&cat, &dir, 1, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", path, err);
	unlink(path);
	rmdir(dirbuf);
	return rc < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	lden_catalog__free(&cat);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(switch_between_bursts),
		T(switch_mid_burst),
		T(unarrived_said_lost),
		T(twin_counts_what_sampling_misses),
		T(guard_rate),
		T(guard_cpu),
	};

	ktest_require_tracing();
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
