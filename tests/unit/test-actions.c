// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden watch's actions without a kernel: an alert as lden's JSON and as
 * Alertmanager's; a command's environment and exit status, and a command
 * that overruns killed with what it started; a server that accepts and
 * never answers holds up its own channel only: its queue fills, the rest
 * are dropped and counted, and another channel delivers meanwhile; a
 * refused connection counted as failed, with its reason.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "actions.h"

static struct lden_alert *make_alert(enum lden_rule_state from,
				     enum lden_rule_state to)
{
	struct lden_alert *a = lden_alert__new();

	assert_non_null(a);
	a->rule = strdup("fork-storm");
	a->expression = strdup("speed(task.create) > 500");
	a->describe = strdup("more than 500 \"new\" tasks");
	a->host = strdup("h1");
	a->from = from;
	a->state = to;
	a->at = 1795338001.25;
	a->starts_at = 1795338000.0;
	a->ends_at = to == LDEN_RULE_RESOLVED ? a->at : 0;
	a->valid_for = 240;
	a->elapsed = 12.5;
	a->fired = 2;
	assert_int_equal(lden_alert__add_kv(&a->labels, &a->nlabels, "severity", "page"), 0);
	assert_int_equal(lden_alert__add_kv(&a->annotations, &a->nannotations,
					   "summary", "812 tasks/s"), 0);
	a->values = calloc(2, sizeof(*a->values));
	a->nvalues = 2;
	snprintf(a->values[0].name, sizeof(a->values[0].name), "task.create");
	a->values[0].count = 9000;
	a->values[0].speed = 812;
	snprintf(a->values[1].name, sizeof(a->values[1].name), "disk.read");
	a->values[1].has_size = true;
	a->values[1].size = 4096;
	a->values[1].size_valid = true;
	a->values[1].count = 1;
	return a;
}

static char *to_string(void (*fn)(FILE *, const struct lden_alert *),
		       const struct lden_alert *a)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	assert_non_null(f);
	fn(f, a);
	assert_int_equal(fclose(f), 0);
	return s;
}

static void json_shapes(void **state)
{
	struct lden_alert *a = make_alert(LDEN_RULE_PENDING, LDEN_RULE_FIRING);
	char *s = to_string(lden_alert__print_json, a);

	assert_string_equal(s,
		"{\"type\":\"transition\",\"rule\":\"fork-storm\",\"from\":\"pending\","
		"\"state\":\"firing\",\"at\":\"2026-11-22T09:00:01.250Z\",\"elapsed\":12.500,"
		"\"fired\":2,\"host\":\"h1\",\"expression\":\"speed(task.create) > 500\","
		"\"describe\":\"more than 500 \\\"new\\\" tasks\",\"labels\":{\"severity\":\"page\"},"
		"\"annotations\":{\"summary\":\"812 tasks/s\"},\"values\":["
		"{\"name\":\"task.create\",\"count\":9000,\"size\":null,\"speed\":812,\"lost\":0,"
		"\"missed\":0,\"count_exact\":true},"
		"{\"name\":\"disk.read\",\"count\":1,\"size\":4096,\"size_valid\":true,\"speed\":0,\"lost\":0,"
		"\"missed\":0,\"count_exact\":true}],\"count_exact\":true,\"size_exact\":true}");
	free(s);
	/* firing: endsAt is when the resends would be overdue */
	s = to_string(lden_alert__print_am, a);
	assert_string_equal(s,
		"{\"labels\":{\"alertname\":\"fork-storm\",\"host\":\"h1\",\"severity\":\"page\"},"
		"\"annotations\":{\"summary\":\"812 tasks/s\"},"
		"\"startsAt\":\"2026-11-22T09:00:00.000Z\",\"endsAt\":\"2026-11-22T09:04:01.250Z\"}");
	free(s);
	lden_alert__unref(a);
	a = make_alert(LDEN_RULE_FIRING, LDEN_RULE_RESOLVED);
	a->generator_url = strdup("http://127.0.0.1:5601/#rule=fork-storm");
	s = to_string(lden_alert__print_am, a);
	assert_non_null(strstr(s, "\"endsAt\":\"2026-11-22T09:00:01.250Z\","
			       "\"generatorURL\":\"http://127.0.0.1:5601/#rule=fork-storm\"}"));
	free(s);
	lden_alert__unref(a);
}

static bool has(char **env, const char *kv);
static bool has_prefix(char **env, const char *prefix);

/* Frees what lden_alert__env() made. */
static void free_env(char **env)
{
	for (int i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

/*
 * A transition on short numbers says so: each event's missed hits and
 * lost records, the rule's count_exact and size_exact, and one note
 * naming what is short and by how much; an exact one has no note.
 */
static void exactness(void **state)
{
	struct lden_alert *a = make_alert(LDEN_RULE_PENDING, LDEN_RULE_FIRING);
	bool count_exact, size_exact;
	char note[1024], *s, **env;

	lden_alert__exactness(a, &count_exact, &size_exact, note, sizeof(note));
	assert_true(count_exact);
	assert_true(size_exact);
	assert_string_equal(note, "");
	/* records lost: the count stays exact, the size does not */
	a->values[1].lost = 5;
	lden_alert__exactness(a, &count_exact, &size_exact, note, sizeof(note));
	assert_true(count_exact);
	assert_false(size_exact);
	assert_string_equal(note, "not exact: size(disk.read) without 5 lost records");
	/* a kretprobe's misses: the count is short */
	a->values[0].missed = 28;
	lden_alert__exactness(a, &count_exact, &size_exact, note, sizeof(note));
	assert_false(count_exact);
	assert_string_equal(note,
		"not exact: task.create short by up to 28 (hits its kprobes missed); "
		"size(disk.read) without 5 lost records");
	s = to_string(lden_alert__print_json, a);
	assert_non_null(strstr(s, "\"speed\":812,\"lost\":0,\"missed\":28,\"count_exact\":false}"));
	assert_non_null(strstr(s, "\"lost\":5,\"missed\":0,\"count_exact\":true}],"
			       "\"count_exact\":false,\"size_exact\":false,\"exactness\":"
			       "\"not exact: task.create short by up to 28"));
	free(s);
	env = lden_alert__env(a);
	assert_non_null(env);
	assert_true(has(env, "LDEN_TASK_CREATE_MISSED=28"));
	assert_true(has(env, "LDEN_DISK_READ_LOST=5"));
	assert_true(has(env, "LDEN_DISK_READ_MISSED=0"));
	free_env(env);
	/* a sized count missed: both short; a joined size's unsized frees */
	a->values[0].missed = 0;
	a->values[1].lost = 0;
	a->values[1].missed = 3;
	a->values[1].joined = true;
	a->values[1].unsized = 7;
	lden_alert__exactness(a, &count_exact, &size_exact, note, sizeof(note));
	assert_false(count_exact);
	assert_false(size_exact);
	assert_string_equal(note,
		"not exact: disk.read count and size short by up to 3 (hits its kprobes missed); "
		"size(disk.read) without 7 unsized occurrences");
	s = to_string(lden_alert__print_json, a);
	assert_non_null(strstr(s, "\"missed\":3,\"count_exact\":false,\"unsized\":7}"));
	free(s);
	/* the guard stopped the size; a note too small is cut, not overrun */
	a->values[1].missed = 0;
	a->values[1].unsized = 0;
	a->values[1].size_valid = false;
	lden_alert__exactness(a, &count_exact, &size_exact, note, 20);
	assert_true(count_exact);
	assert_false(size_exact);
	assert_string_equal(note, "not exact: size(dis");
	/*
	 * a speed that is not the last second's (lden stopped or late): the
	 * counts stay exact, the note, the JSON value and the environment
	 * say it is an average
	 */
	a->values[1].size_valid = true;
	a->values[0].speed_estimated = true;
	a->values[0].speed_span = 3.25;
	lden_alert__exactness(a, &count_exact, &size_exact, note, sizeof(note));
	assert_true(count_exact);
	assert_true(size_exact);
	assert_string_equal(note,
		"not exact: speed(task.create) estimated, the average per second over the last 3.250 s (no tick a second ago: lden was stopped or late)");
	s = to_string(lden_alert__print_json, a);
	assert_non_null(strstr(s, "\"speed\":812,\"lost\":0,\"missed\":0,\"count_exact\":true,"
			       "\"speed_estimated\":true,\"speed_span\":3.250}"));
	assert_non_null(strstr(s, "\"exactness\":\"not exact: speed(task.create) estimated"));
	assert_null(strstr(s, "\"count_exact\":true,\"speed_estimated\":true,\"speed_span\":3.250},{\"name\":\"disk.read\",\"count\":1,\"size\":4096,\"size_valid\":true,\"speed\":0,\"lost\":0,\"missed\":0,\"count_exact\":true,\"speed_estimated\""));
	free(s);
	/* in lden's first second: the span since its first tick, said so */
	a->values[0].speed_span = 0.4;
	lden_alert__exactness(a, &count_exact, &size_exact, note, sizeof(note));
	assert_string_equal(note,
		"not exact: speed(task.create) estimated, the average per second over the 0.400 s since lden's first tick (lden started less than a second before)");
	a->values[0].speed_span = 3.25;
	env = lden_alert__env(a);
	assert_non_null(env);
	assert_true(has(env, "LDEN_TASK_CREATE_SPEED_ESTIMATED=1"));
	assert_true(has(env, "LDEN_DISK_READ_SPEED_ESTIMATED=0"));
	assert_true(has(env, "LDEN_DISK_READ_SIZE_VALID=1"));
	free_env(env);
	/*
	 * an average's fraction rounded as the text line shows it ("~813/s"),
	 * not cut; a size the guard stopped said in the environment too
	 */
	a->values[0].speed = 812.6;
	a->values[1].size_valid = false;
	env = lden_alert__env(a);
	assert_non_null(env);
	assert_true(has(env, "LDEN_TASK_CREATE_SPEED=813"));
	assert_true(has(env, "LDEN_DISK_READ_SIZE_VALID=0"));
	assert_false(has_prefix(env, "LDEN_TASK_CREATE_SIZE_VALID="));
	free_env(env);
	lden_alert__unref(a);
}

static bool has(char **env, const char *kv)
{
	for (int i = 0; env[i]; i++)
		if (!strcmp(env[i], kv))
			return true;
	return false;
}

static bool has_prefix(char **env, const char *prefix)
{
	for (int i = 0; env[i]; i++)
		if (!strncmp(env[i], prefix, strlen(prefix)))
			return true;
	return false;
}

static void environment(void **state)
{
	struct lden_alert *a = make_alert(LDEN_RULE_PENDING, LDEN_RULE_FIRING);
	char **env;

	setenv("LDEN_RULE", "stale", 1);
	env = lden_alert__env(a);
	assert_non_null(env);
	assert_true(has(env, "LDEN_RULE=fork-storm"));
	assert_false(has(env, "LDEN_RULE=stale"));
	assert_true(has(env, "LDEN_STATE=firing"));
	assert_true(has(env, "LDEN_FROM=pending"));
	assert_true(has(env, "LDEN_FIRED=2"));
	assert_true(has(env, "LDEN_ELAPSED=12.500"));
	assert_true(has(env, "LDEN_LABEL_SEVERITY=page"));
	assert_true(has(env, "LDEN_ANNOTATION_SUMMARY=812 tasks/s"));
	assert_true(has(env, "LDEN_TASK_CREATE_COUNT=9000"));
	assert_true(has(env, "LDEN_TASK_CREATE_SPEED=812"));
	assert_false(has(env, "LDEN_TASK_CREATE_SIZE=0"));
	assert_true(has(env, "LDEN_DISK_READ_SIZE=4096"));
	free_env(env);
	unsetenv("LDEN_RULE");
	lden_alert__unref(a);
}

/*
 * Two events with one environment name (the filters' operators are not
 * letters): each its own variables, X__1_* and X__2_*, and no X_* that
 * would hold the last one's values only
 */
static void environment_names_shared(void **state)
{
	struct lden_alert *a = make_alert(LDEN_RULE_PENDING, LDEN_RULE_FIRING);
	char **env;

	(void)state;
	snprintf(a->values[0].name, sizeof(a->values[0].name),
		 "syscalls:sys_exit_openat[ret < 0]");
	a->values[0].count = 17;
	snprintf(a->values[1].name, sizeof(a->values[1].name),
		 "syscalls:sys_exit_openat[ret >= 0]");
	a->values[1].count = 21;
	env = lden_alert__env(a);
	assert_non_null(env);
	assert_true(has(env, "LDEN_SYSCALLS_SYS_EXIT_OPENAT_RET_0__1_COUNT=17"));
	assert_true(has(env, "LDEN_SYSCALLS_SYS_EXIT_OPENAT_RET_0__2_COUNT=21"));
	for (int i = 0; env[i]; i++)
		assert_null(strstr(env[i], "_RET_0_COUNT="));
	free_env(env);
	lden_alert__unref(a);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void exec_command(void **state)
{
	struct lden_alert *a = make_alert(LDEN_RULE_FIRING, LDEN_RULE_RESOLVED);
	char dir[] = "/tmp/lden-exec-XXXXXX", cmd[1024], path[256], err[256];
	double t0;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	snprintf(cmd, sizeof(cmd), "echo \"$LDEN_RULE $LDEN_STATE $LDEN_TASK_CREATE_COUNT\" > %s",
		 path);
	assert_int_equal(lden_deliver_exec(cmd, a, 5, NULL, err, sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(cmd, sizeof(cmd), f));
	fclose(f);
	assert_string_equal(cmd, "fork-storm resolved 9000\n");
	unlink(path);

	assert_int_equal(lden_deliver_exec("exit 3", a, 5, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "exit 3: exited with status 3");

	/* an overrun: killed at the timeout, with the child it started (3 s:
	 * time enough for a shell to start on a loaded machine) */
	snprintf(path, sizeof(path), "%s/pid", dir);
	snprintf(cmd, sizeof(cmd), "sleep 60 & echo $! > %s.tmp; mv %s.tmp %s; wait",
		 path, path, path);
	t0 = mono();
	assert_int_equal(lden_deliver_exec(cmd, a, 3, NULL, err, sizeof(err)), -1);
	assert_true(mono() - t0 < 10);
	assert_non_null(strstr(err, ": killed after 3 s"));
	f = fopen(path, "r");
	assert_non_null(f);
	{
		int pid = 0, tries = 0;

		assert_int_equal(fscanf(f, "%d", &pid), 1);
		/* the sleep went with its group (reaped by init: wait for it) */
		while (kill(pid, 0) == 0 && tries++ < 100)
			usleep(20000);
		assert_int_equal(kill(pid, 0), -1);
	}
	fclose(f);
	unlink(path);
	rmdir(dir);
	lden_alert__unref(a);
}

/* A loopback listener that never accepts: connects, never answers. */
static int hanging_server(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* A port nothing listens on: bound, never listening. */
static int refusing_port(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void wait_stats(struct lden_actions *acts, int ch,
		       struct lden_action_stats *st, uint64_t sent,
		       uint64_t failed)
{
	for (int i = 0; i < 500; i++) {
		lden_actions__stats(acts, ch, st);
		if (st->sent >= sent && st->failed >= failed)
			return;
		usleep(10000);
	}
	fail_msg("channel %d: sent %" PRIu64 " failed %" PRIu64 ", want %" PRIu64
		 " and %" PRIu64, ch, st->sent, st->failed, sent, failed);
}

static void hanging_and_refusing(void **state)
{
	struct lden_actions_opts o = { .timeout = 1.0, .queue_max = 2 };
	struct lden_actions *acts = lden_actions__new(&o);
	struct lden_alert *a = make_alert(LDEN_RULE_PENDING, LDEN_RULE_FIRING);
	char dir[] = "/tmp/lden-act-XXXXXX", url[128], url2[128], cmd[300];
	struct lden_rule_action hang = { .kind = LDEN_ACTION_WEBHOOK, .nargs = 1 };
	struct lden_rule_action refuse = { .kind = LDEN_ACTION_ALERTMANAGER, .nargs = 1 };
	struct lden_rule_action run = { .kind = LDEN_ACTION_EXEC, .nargs = 1 };
	struct lden_action_stats st;
	char *hargs[1] = { url }, *rargs[1] = { url2 }, *eargs[1] = { cmd };
	int hport, rport, hfd, rfd, dropped = 0;

	assert_non_null(acts);
	assert_non_null(mkdtemp(dir));
	hfd = hanging_server(&hport);
	rfd = refusing_port(&rport);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", hport);
	snprintf(url2, sizeof(url2), "http://127.0.0.1:%d", rport);
	snprintf(cmd, sizeof(cmd), "echo x >> %s/ran", dir);
	hang.args = hargs;
	refuse.args = rargs;
	run.args = eargs;

	/* one in flight, two queued, the other three dropped at once */
	for (int i = 0; i < 6; i++) {
		int n = lden_actions__send(acts, &hang, a);

		assert_true(n >= 0);
		dropped += n;
		if (i == 0)	/* let the worker take the first */
			usleep(200000);
	}
	assert_int_equal(dropped, 3);
	/* meanwhile another channel goes on */
	for (int i = 0; i < 2; i++)
		assert_int_equal(lden_actions__send(acts, &run, a), 0);
	assert_int_equal(lden_actions__send(acts, &refuse, a), 0);
	assert_int_equal(lden_actions__nchannels(acts), 3);
	wait_stats(acts, 1, &st, 2, 0);
	assert_int_equal(st.kind, LDEN_ACTION_EXEC);
	assert_int_equal(st.dropped, 0);
	wait_stats(acts, 2, &st, 0, 1);
	if (!strstr(st.last_error, "/api/v2/alerts: Failed to connect to 127.0.0.1"))
		fail_msg("%s", st.last_error);
	lden_actions__stats(acts, 0, &st);
	assert_int_equal(st.dropped, 3);
	assert_true(st.queued >= 2);
	/* the hanging one times out, request after request */
	wait_stats(acts, 0, &st, 0, 1);
	assert_non_null(strstr(st.last_error, url));
	if (!strstr(st.last_error, "/hook: Operation timed out after 10"))
		fail_msg("%s", st.last_error);
	assert_string_equal(st.target, url);
	lden_alert__unref(a);
	/* a short drain: what is still queued is dropped, counted */
	lden_actions__flush(acts, 0.1);
	lden_actions__stats(acts, 0, &st);
	/* in flight, queued or dropped: all five accounted for */
	assert_int_equal(st.sent + st.failed + st.dropped, 6);
	lden_actions__free(acts);
	close(hfd);
	close(rfd);
	snprintf(cmd, sizeof(cmd), "%s/ran", dir);
	unlink(cmd);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_shapes),
		cmocka_unit_test(exactness),
		cmocka_unit_test(environment),
		cmocka_unit_test(environment_names_shared),
		cmocka_unit_test(exec_command),
		cmocka_unit_test(hanging_and_refusing),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
