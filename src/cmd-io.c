// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden io: file I/O system calls with their paths, results and latencies,
 * as lines, JSON, a per-file and per-process summary, or a flame graph.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "aggregate.h"
#include "clock.h"
#include "io-flame.h"
#include "io-output.h"
#include "io-summary.h"
#include "io-trace.h"
#include "lden.h"
#include "lden-trace.h"
#include "proc.h"
#include "guard.h"
#include "scope.h"

#define SUMMARY_MAX_KEYS 4096

struct io_opts {
	struct lden_scope_opts scope;
	struct lden_guard_opts guard;
	const char *comm;
	const char *path_glob;
	double duration;
	bool json;
	bool quiet;
	bool summary;
	bool sort_bytes;
	const char *flamegraph[LDEN_IO_FLAME_MAX_FILES];
	int nflame;
	const char *flame_format;
	bool weight_latency;
	enum lden_strings strings;
};

struct io_run {
	struct io_opts o;
	struct lden_io_tracer *t;
	struct lden_io_summary *files, *procs;
	struct lden_io_flame *flame;
	uint64_t start_ns;
	uint64_t after_filter;
	struct lden_guard *guard;
	bool per_call;
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void usage(FILE *out)
{
	fputs("usage: lden io [--pid PID[,PID...] [--children] | --cgroup DIR] [--comm NAME]\n"
	      "               [--path GLOB] [--max-rate N] [--max-cpu PCT]\n"
	      "               [-t SEC] [--json] [--summary [--sort latency|bytes]]\n"
	      "               [--flamegraph FILE [--format folded|svg] [--weight count|latency]]\n"
	      "               [--quiet]\n"
	      "               [-- CMD [ARGS]]\n"
	      "\n"
	      "Trace file I/O system calls: who, which file, how many bytes, how long.\n"
	      "\n"
	      "  -p, --pid PID,...      only these processes (and the threads they have)\n"
	      "      --children         with --pid, also the tasks they create\n"
	      "  -g, --cgroup DIR       only the tasks of this cgroup\n"
	      "  -c, --comm NAME        only processes named NAME\n"
	      "  -P, --path GLOB        only calls on paths matching GLOB (fnmatch)\n"
	      "  -t, --duration SEC     stop after SEC seconds\n"
	      "  -j, --json             one JSON object per call, then the statistics\n"
	      "  -s, --summary          per file and per process totals at the end\n"
	      "      --sort KEY         order of the summary: latency (default) or bytes\n"
	      "  -f, --flamegraph FILE  write the calls as a flame graph comm;path;syscall to\n"
	      "                         FILE: a picture if FILE ends in .svg, else folded\n"
	      "                         stacks (may be given up to 4 times)\n"
	      "      --format FMT       the flame graphs' format: folded or svg\n"
	      "  -w, --weight KEY       flame graph value: count (default) or latency (ns)\n"
	      "  -q, --quiet            no line per call\n"
	      "      --strings HOW      open paths: auto (default), exact (copied by\n"
	      "                         the kernel at the call, at a cost), late\n"
	      "                         (read from the process afterwards, marked '?')\n"
	      "  -- CMD [ARGS]          run CMD and trace only it and its children\n"
	      LDEN_GUARD_USAGE
	      "  -h, --help             show this help\n"
	      "\n"
	      "Statistics (tracepoints, mismatches, lost records) go to stderr at the\n"
	      "end.  See lden-io(8).\n",
	      out);
}

static int parse_opts(int argc, char **argv, struct io_opts *o)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "children", no_argument, NULL, 'C' },
		{ "cgroup", required_argument, NULL, 'g' },
		{ "comm", required_argument, NULL, 'c' },
		{ "path", required_argument, NULL, 'P' },
		{ "duration", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "summary", no_argument, NULL, 's' },
		{ "sort", required_argument, NULL, 'S' },
		{ "flamegraph", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ "weight", required_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "strings", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		LDEN_GUARD_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *weight = NULL;
	int c, rc;

	argc = lden_scope_take_command(&o->scope, argc, argv);
	o->guard = (struct lden_guard_opts)LDEN_GUARD_OPTS_INIT;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:g:c:P:t:jsf:w:qh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			if (!*optarg || strlen(optarg) > 15) {
				lden_err("io: invalid --comm value '%s' (1 to 15 characters)",
					 optarg);
				return LDEN_EXIT_USAGE;
			}
			o->comm = optarg;
			break;
		case 'P':
			if (!*optarg) {
				lden_err("io: --path needs a pattern");
				return LDEN_EXIT_USAGE;
			}
			o->path_glob = optarg;
			break;
		case 't':
			if (lden_parse_seconds(optarg, LDEN_ABOVE_ZERO, 1e9,
					       &o->duration) < 0) {
				lden_err("io: invalid --duration value '%s'", optarg);
				return LDEN_EXIT_USAGE;
			}
			break;
		case 'j':
			o->json = true;
			break;
		case 's':
			o->summary = true;
			break;
		case 'S':
			if (strcmp(optarg, "latency") && strcmp(optarg, "bytes")) {
				lden_err("io: invalid --sort value '%s' (latency or bytes)",
					 optarg);
				return LDEN_EXIT_USAGE;
			}
			o->sort_bytes = !strcmp(optarg, "bytes");
			break;
		case 'f':
			if (!*optarg) {
				lden_err("io: --flamegraph needs a file name");
				return LDEN_EXIT_USAGE;
			}
			if (o->nflame == LDEN_IO_FLAME_MAX_FILES) {
				lden_err("io: --flamegraph given more than %d times",
					 LDEN_IO_FLAME_MAX_FILES);
				return LDEN_EXIT_USAGE;
			}
			o->flamegraph[o->nflame++] = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "folded") && strcmp(optarg, "svg")) {
				lden_err("io: invalid --format value '%s' (folded or svg)",
					 optarg);
				return LDEN_EXIT_USAGE;
			}
			o->flame_format = optarg;
			break;
		case 'w':
			if (strcmp(optarg, "count") && strcmp(optarg, "latency")) {
				lden_err("io: invalid --weight value '%s' (count or latency)",
					 optarg);
				return LDEN_EXIT_USAGE;
			}
			weight = optarg;
			o->weight_latency = !strcmp(optarg, "latency");
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'X':
			if (lden_strings_parse(optarg, &o->strings) < 0) {
				lden_err("io: invalid --strings value '%s' (auto, exact or late)",
					 optarg);
				return LDEN_EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			rc = lden_scope_guard_option(&o->scope, &o->guard, c,
						     optarg, "io",
						     argv[optind - 1]);
			if (rc)
				return rc;
		}
	}
	if (optind < argc) {
		lden_err("io: unexpected argument '%s'", argv[optind]);
		return LDEN_EXIT_USAGE;
	}
	if ((weight || o->flame_format) && !o->nflame) {
		lden_err("io: --%s needs --flamegraph", weight ? "weight" : "format");
		return LDEN_EXIT_USAGE;
	}
	if (lden_scope_check(&o->scope, "io") < 0)
		return LDEN_EXIT_USAGE;
	return 0;
}

/* The process's threads, each traced per task. */
static int add_tasks(struct lden_io_opts *io, pid_t pid)
{
	int n = lden_proc_tasks(pid, io->tasks + io->ntasks,
				LDEN_IO_MAX_TASKS - io->ntasks);

	if (n == -E2BIG) {
		lden_err("io: more than %d threads in the --pid processes",
			 LDEN_IO_MAX_TASKS);
		return -1;
	}
	if (n <= 0) {
		lden_err("io: no process %d (--pid)", (int)pid);
		return -1;
	}
	io->ntasks += n;
	return 0;
}

static bool passes(const struct io_run *r, const struct lden_io_event *ev)
{
	if (r->o.comm && strcmp(ev->comm, r->o.comm))
		return false;
	if (r->o.path_glob &&
	    !(ev->path && !fnmatch(r->o.path_glob, ev->path, 0)) &&
	    !(ev->path2 && !fnmatch(r->o.path_glob, ev->path2, 0)))
		return false;
	return true;
}

static void on_event(const struct lden_io_event *ev, void *ctx)
{
	struct io_run *r = ctx;
	char key[64], fdname[32], marked[LDEN_IO_PATH_MAX + 2];
	const char *path = ev->path;

	if (!passes(r, ev))
		return;
	r->after_filter++;
	if (r->per_call && r->o.json)
		lden_io_print_json(stdout, ev, r->start_ns);
	else if (r->per_call)
		lden_io_print_line(stdout, ev, r->start_ns);
	if (!path) {
		if (ev->fd >= 0)
			snprintf(fdname, sizeof(fdname), "[fd %d]", ev->fd);
		else
			snprintf(fdname, sizeof(fdname), "[none]");
		path = fdname;
	} else if (ev->path_prov == LDEN_PROV_LATE) {
		/* a path read late is another key than the same one copied */
		snprintf(marked, sizeof(marked), "%s?", path);
		path = marked;
	}
	if (r->files) {
		bool failed = ev->ret < 0;

		snprintf(key, sizeof(key), "%s[%u]", ev->comm, ev->pid);
		lden_io_summary__add(r->files, path, ev->latency_ns,
				     ev->bytes_read, ev->bytes_written, failed);
		lden_io_summary__add(r->procs, key, ev->latency_ns,
				     ev->bytes_read, ev->bytes_written, failed);
	}
	if (r->flame)
		lden_io_flame_add(r->flame, ev->comm, path, ev->sys->name,
				  r->o.weight_latency ? ev->latency_ns : 1);
}

static bool scope_gone(const struct io_opts *o)
{
	if (o->scope.command)
		return lden_command_poll((struct lden_scope_opts *)&o->scope);
	if (!o->scope.npids)
		return false;
	for (int i = 0; i < o->scope.npids; i++)
		if (lden_proc_alive(o->scope.pids[i]))
			return false;
	return true;
}

/* The guard's new actions, said once on stderr. */
static int guard_tick(struct io_run *r)
{
	return lden_guard_say(r->guard,
			      lden_io_tracer__guard_tick(r->t, r->guard,
							 lden_now()),
			      "io", "its calls are counted only from now on",
			      NULL, NULL);
}

static int trace_loop(struct io_run *r)
{
	double start = lden_now(), end = start + r->o.duration;
	int err;

	for (;;) {
		double t = lden_now();
		int wait = 20;

		if (got_signal)
			break;
		if (r->o.duration > 0) {
			if (t >= end)
				break;
			if ((end - t) * 1000 < wait)
				wait = (int)((end - t) * 1000) + 1;
		}
		err = lden_io_tracer__poll(r->t, wait, on_event, r);
		if (err < 0 && err != -EINTR) {
			lden_err("io: reading samples: %s", strerror(-err));
			return LDEN_EXIT_FAIL;
		}
		if (guard_tick(r) < 0)
			return LDEN_EXIT_FAIL;
		if (r->flame)
			lden_io_flame_live(r->flame, r->t, r->guard,
					   r->after_filter, lden_now() - start);
		fflush(stdout);
		if (scope_gone(&r->o))
			break;
	}
	lden_io_tracer__finish(r->t, on_event, r);
	return LDEN_EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct io_run r = { 0 };
	struct lden_io_opts io = { .self = getpid() };
	struct ltr_session *s = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	/* woken early: paths are read from processes that may soon exit */
	struct ltr_session_opts so = { .wakeup_bytes = 64 * 1024 };
	struct rlimit rl;
	char err[1024] = "";
	int status;

	status = parse_opts(argc, argv, &r.o);
	if (status)
		return status < 0 ? 0 : status;
	for (int i = 0; i < r.o.scope.npids; i++)
		if (add_tasks(&io, r.o.scope.pids[i]) < 0)
			return LDEN_EXIT_USAGE;
	io.inherit = r.o.scope.children || r.o.scope.command;
	io.cgroup = r.o.scope.cgroup;
	io.strings = r.o.strings;
	io.scope = &r.o.scope;
	/* a perf fd per tracepoint, CPU and task */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	r.per_call = !r.o.quiet &&
		     (r.o.json || (!r.o.summary && !r.o.nflame));
	if (r.o.summary) {
		r.files = lden_io_summary__new(SUMMARY_MAX_KEYS);
		r.procs = lden_io_summary__new(SUMMARY_MAX_KEYS);
	}
	if (r.o.nflame) {
		r.flame = lden_io_flame_new(r.o.flamegraph, r.o.nflame,
					    r.o.flame_format,
					    r.o.weight_latency, err,
					    sizeof(err));
		if (!r.flame) {
			lden_err("io: %s", err);
			status = LDEN_EXIT_USAGE;
			goto out;
		}
	}
	if (r.o.summary && (!r.files || !r.procs)) {
		lden_err("out of memory");
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	status = LDEN_EXIT_FAIL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	s = ltr_session__new(&so);
	if (!s) {
		lden_err("%s", ltr_last_error());
		goto out;
	}
	if (r.o.scope.command) {
		if (lden_command_start(&r.o.scope) < 0) {
			lden_err("io: cannot start the command: %s",
				 strerror(errno));
			goto out;
		}
		io.tasks[io.ntasks++] = r.o.scope.command_pid;
	}
	lden_attach_twins(lden_guard_opts_active(&r.o.guard));
	r.t = lden_io_tracer__new(s, &io, err, sizeof(err));
	r.guard = lden_guard_new(&r.o.guard);
	if (!r.t || !r.guard || lden_io_tracer__guard(r.t, r.guard) < 0) {
		lden_err("%s", r.t ? "out of memory" : err);
		goto out;
	}
	if (lden_io_tracer__start(r.t) < 0) {
		lden_err("%s", ltr_last_error());
		goto out;
	}
	lden_guard_start(r.guard, lden_now());
	r.start_ns = lden_io_tracer__start_ns(r.t);
	fprintf(stderr, "lden: tracing file I/O of ");
	lden_scope_describe(&r.o.scope, stderr);
	fprintf(stderr, "%s\n", r.o.duration > 0 ? "" : "; Ctrl-C to stop");
	{
		char how[2048];

		lden_io_tracer__describe(r.t, how, sizeof(how));
		fprintf(stderr, "lden: %s\n", how);
	}
	if (r.per_call && !r.o.json)
		printf("%12s %-15s %7s %7s %-15s %5s %14s %10s %s\n", "TIME",
		       "COMM", "PID", "TID", "SYSCALL", "FD", "RESULT",
		       "LAT_US", "PATH");
	fflush(stdout);
	lden_command_go(&r.o.scope);
	status = trace_loop(&r);
	if (r.o.summary) {
		lden_io_print_rows(stdout, r.files, "file", r.o.sort_bytes,
				   r.o.json);
		lden_io_print_rows(stdout, r.procs, "process",
				   r.o.sort_bytes, r.o.json);
	}
	if (r.flame &&
	    lden_io_flame_finish(r.flame, r.t, r.guard, r.after_filter,
				 lden_now() - (double)r.start_ns / 1e9, err,
				 sizeof(err)) < 0) {
		lden_err("io: %s", err);
		status = LDEN_EXIT_FAIL;
	}
	lden_io_print_stats(stderr, r.o.json ? stdout : NULL, r.t, r.guard,
			    r.after_filter,
			    lden_now() - (double)r.start_ns / 1e9);

out:
	lden_command_abandon(&r.o.scope);
	lden_guard_free(r.guard);
	lden_io_tracer__free(r.t);
	ltr_session__free(s);
	lden_io_summary__free(r.files);
	lden_io_summary__free(r.procs);
	lden_io_flame_free(r.flame);
	return status;
}

const struct lden_cmd lden_cmd_io = {
	.name = "io",
	.run = run,
	.summary = "trace file I/O syscalls: paths, bytes, latencies, flame graphs",
};
