// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden-exec: the example program of the lden-trace library.
 *
 * By default it prints "exec <pid> <filename>" for every exec on the
 * machine (sched:sched_process_exec, sampling mode).  With --count it
 * counts forks (sched:sched_process_fork) in counting mode, with no ring
 * buffer, and prints the total when stopped.  --event traces another
 * tracepoint the same way, printing its fields.  --mntns adds each exec's
 * mount namespace, the obs example's container view (see mntns.h).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lden-trace.h"
#include "mntns.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(FILE *out)
{
	fputs("usage: lden-exec [--count] [--event SYS:NAME] [--mntns] [--filter EXPR]\n"
	      "                 [--pid PID] [--time SEC] [--quiet] [--ring-pages N]\n"
	      "\n"
	      "Print one line per exec on this machine: 'exec <pid> <filename>'.\n"
	      "\n"
	      "  -c, --count           count forks in counting mode; print 'forks <N>' at the end\n"
	      "  -e, --event SYS:NAME  trace this tracepoint instead\n"
	      "  -m, --mntns           'exec <pid> <mntns> <filename>': the mount namespace\n"
	      "                        inode, '?' if the process moved to another before it\n"
	      "                        could be read, '-' if it exited first\n"
	      "  -f, --filter EXPR     kernel filter, ftrace syntax ('common_pid == 42')\n"
	      "  -p, --pid PID         only this process and the children it creates\n"
	      "  -t, --time SEC        stop after SEC seconds (default: at Ctrl-C)\n"
	      "  -q, --quiet           sampling: decode every record, print only the summary\n"
	      "  -r, --ring-pages N    pages per CPU ring, a power of two (default 512)\n"
	      "  -h, --help            show this help\n"
	      "\n"
	      "Sampling mode ends with 'samples <N> lost <M>' on standard error.\n",
	      out);
}

struct state {
	const struct ltr_field *filename;
	const struct ltr_field *pid;
	struct ltr_event *ev;
	bool exec;
	bool quiet;
	uint64_t samples;
	uint64_t checksum;
	int nfields;
	const struct ltr_field *fields[64];
	struct mntns_view *mntns;	/* --mntns, else NULL */
};

static int on_sample(const struct ltr_sample *s, void *ctx)
{
	struct state *st = ctx;
	const char *str;
	size_t len;
	uint64_t v;

	if (st->mntns && mntns_view_sample(st->mntns, s))
		return 0;
	st->samples++;
	if (st->exec) {
		if (ltr_field__u64(st->pid, s, &v) < 0 ||
		    ltr_field__str(st->filename, s, &str, &len) < 0)
			return 0;
		if (st->mntns)
			mntns_view_exec(st->mntns, (uint32_t)v, s->time, str, len);
		else if (!st->quiet)
			printf("exec %" PRIu64 " %.*s\n", v, (int)len, str);
		return 0;
	}
	if (!st->quiet)
		printf("%s:%s %u", ltr_event__system(s->event),
		       ltr_event__name(s->event), s->pid);
	for (int i = 0; i < st->nfields; i++) {
		const struct ltr_field *f = st->fields[i];

		if (ltr_field__is_string(f)) {
			if (ltr_field__str(f, s, &str, &len) < 0)
				continue;
			st->checksum += len;
			if (!st->quiet)
				printf(" %s=%.*s", ltr_field__name(f), (int)len, str);
		} else if (ltr_field__u64(f, s, &v) == 0) {
			st->checksum += v;
			if (!st->quiet)
				printf(" %s=%" PRId64, ltr_field__name(f), (int64_t)v);
		}
	}
	if (!st->quiet)
		putchar('\n');
	return 0;
}

/* Every field of the event's own part, skipping the common_* header. */
static void collect_fields(struct state *st, struct ltr_event *ev)
{
	const struct ltr_field *f;

	for (int i = 0; (f = ltr_event__field_at(ev, i)); i++) {
		if (!strncmp(ltr_field__name(f), "common_", 7))
			continue;
		if (st->nfields < (int)(sizeof(st->fields) / sizeof(st->fields[0])))
			st->fields[st->nfields++] = f;
	}
}

/* This program's own mount namespace: lines with another ran elsewhere. */
static int show_own_mntns(void)
{
	struct ltr_process *self = ltr_process__new(getpid());
	uint64_t ino;
	int err = self ? ltr_process__namespace(self, LTR_NS_MNT, &ino) : -errno;

	ltr_process__free(self);
	if (err < 0) {
		fprintf(stderr, "lden-exec: %s\n", ltr_last_error());
		return err;
	}
	fprintf(stderr, "lden-exec: mount namespace of lden-exec: %" PRIu64 "\n", ino);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", no_argument, NULL, 'c' },
		{ "event", required_argument, NULL, 'e' },
		{ "mntns", no_argument, NULL, 'm' },
		{ "filter", required_argument, NULL, 'f' },
		{ "pid", required_argument, NULL, 'p' },
		{ "time", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "ring-pages", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ltr_session_opts sopts = { 0 };
	struct ltr_event_opts eopts = { .mode = LTR_MODE_SAMPLE };
	struct state st = { 0 };
	struct ltr_session *s = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	const char *event = NULL;
	char *system, *name, *end;
	double seconds = 0, deadline = 0;
	bool count = false, mntns = false;
	int c, status = 1;

	while ((c = getopt_long(argc, argv, "ce:mf:p:t:qr:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			count = true;
			break;
		case 'e':
			event = optarg;
			break;
		case 'm':
			mntns = true;
			break;
		case 'f':
			eopts.filter = optarg;
			break;
		case 'p':
			eopts.pid = (pid_t)strtol(optarg, &end, 10);
			if (*end || eopts.pid <= 0) {
				fprintf(stderr, "lden-exec: invalid pid '%s'\n", optarg);
				return 2;
			}
			eopts.inherit = true;
			break;
		case 't':
			seconds = strtod(optarg, &end);
			if (*end || seconds <= 0) {
				fprintf(stderr, "lden-exec: invalid time '%s'\n", optarg);
				return 2;
			}
			break;
		case 'q':
			st.quiet = true;
			break;
		case 'r':
			sopts.ring_pages = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !sopts.ring_pages) {
				fprintf(stderr, "lden-exec: invalid ring size '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "lden-exec: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (mntns && (count || event)) {
		fprintf(stderr, "lden-exec: --mntns goes with the exec lines, not with --%s\n",
			count ? "count" : "event");
		return 2;
	}
	if (!event)
		event = count ? "sched:sched_process_fork" : "sched:sched_process_exec";
	system = strdup(event);
	name = system ? strchr(system, ':') : NULL;
	if (!name || !name[1] || name == system) {
		fprintf(stderr, "lden-exec: event '%s' is not SYSTEM:NAME\n", event);
		free(system);
		return 2;
	}
	*name++ = '\0';
	if (count)
		eopts.mode = LTR_MODE_COUNT;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	s = ltr_session__new(&sopts);
	if (!s) {
		fprintf(stderr, "lden-exec: %s\n", ltr_last_error());
		goto out;
	}
	st.ev = ltr_event__open(s, system, name, &eopts);
	if (!st.ev) {
		fprintf(stderr, "lden-exec: %s\n", ltr_last_error());
		status = errno == ENOENT || errno == EINVAL ? 2 : 1;
		goto out;
	}
	st.exec = !strcmp(system, "sched") && !strcmp(name, "sched_process_exec");
	if (st.exec) {
		st.filename = ltr_event__field(st.ev, "filename");
		st.pid = ltr_event__field(st.ev, "pid");
		if (!st.filename || !st.pid) {
			fprintf(stderr, "lden-exec: %s\n", ltr_last_error());
			goto out;
		}
	} else {
		collect_fields(&st, st.ev);
	}
	if (mntns && show_own_mntns() < 0)
		goto out;
	if (mntns) {
		struct ltr_event_opts scope = eopts;

		scope.filter = NULL;
		st.mntns = mntns_view_new(s, &scope, stdout);
		if (!st.mntns) {
			fprintf(stderr, "lden-exec: %s\n", ltr_last_error());
			goto out;
		}
	}
	if (ltr_session__enable(s) < 0) {
		fprintf(stderr, "lden-exec: %s\n", ltr_last_error());
		goto out;
	}
	fprintf(stderr, "lden-exec: tracing %s:%s (%s mode), Ctrl-C to stop\n",
		system, name, count ? "counting" : "sampling");

	if (seconds > 0)
		deadline = now() + seconds;
	while (!stop) {
		int wait_ms = 100, n;

		if (deadline) {
			double left = deadline - now();

			if (left <= 0)
				break;
			if (left < 0.1)
				wait_ms = (int)(left * 1000) + 1;
		}
		n = ltr_session__poll(s, wait_ms, on_sample, &st);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "lden-exec: %s\n", strerror(-n));
			goto out;
		}
		if (st.mntns) {
			/* every record before this drain is in the rings */
			uint64_t from = mntns_now();

			n = ltr_session__drain(s, on_sample, &st);
			if (n < 0) {
				fprintf(stderr, "lden-exec: %s\n", strerror(-n));
				goto out;
			}
			mntns_view_flush(st.mntns, from);
		}
		if (!st.quiet)
			fflush(stdout);
	}
	ltr_session__disable(s);

	if (count) {
		uint64_t total;

		if (ltr_event__count(st.ev, &total) < 0) {
			fprintf(stderr, "lden-exec: %s\n", ltr_last_error());
			goto out;
		}
		if (!strcmp(event, "sched:sched_process_fork"))
			printf("forks %" PRIu64 "\n", total);
		else
			printf("%s:%s %" PRIu64 "\n", system, name, total);
	} else {
		if (ltr_session__drain(s, on_sample, &st) < 0)
			goto out;
		if (st.mntns)
			mntns_view_flush(st.mntns, UINT64_MAX);
		fprintf(stderr, "samples %" PRIu64 " lost %" PRIu64 "\n",
			st.samples, ltr_session__lost(s, -1));
	}
	status = 0;
out:
	mntns_view_free(st.mntns);
	ltr_session__free(s);
	free(system);
	if (fflush(stdout) != 0 || ferror(stdout))
		status = status ? status : 1;
	return status;
}
