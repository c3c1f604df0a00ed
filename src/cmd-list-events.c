// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden list-events: the catalog, and which source each event uses on this
 * kernel, checked as attaching it would check it (check.c): filters and
 * sizes against the tracepoints' formats, loaded without opening any perf
 * event.  Creates nothing in the kernel (it removes what lden processes
 * that are gone left there, saying so) and reads no kallsyms unless a
 * kprobe fallback has to be looked up.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregate.h"
#include "catalog.h"
#include "check.h"
#include "lden.h"
#include "lden-trace.h"
#include "scope.h"
#include "strcap.h"

static void usage(FILE *out)
{
	fputs("usage: lden list-events [--all] [--json] [--names] [--verbose]\n"
	      "                        [--events-dir DIR]\n"
	      "\n"
	      "List lden's events with the data each gives, the source chosen on this\n"
	      "kernel, and whether it is available here.\n"
	      "\n"
	      "  -a, --all             also list every tracepoint of this kernel\n"
	      "  -j, --json            one JSON array, for scripts\n"
	      "  -n, --names           only the catalog's names, one a line (reads\n"
	      "                        nothing of the kernel; for completion)\n"
	      "  -v, --verbose         describe each event and each source tried\n"
	      "  -d, --events-dir DIR  also read catalog files (*.events) from DIR\n"
	      "  -h, --help            show this help\n",
	      out);
}

/* What the checks of one event found. */
struct verdict {
	bool bad;		/* the catalog entry would fail: reason says */
	char no_size[512];	/* why its size line gives no size here, or "" */
};

static void print_json(const struct lden_resolution *r,
		       const struct verdict *v, bool first)
{
	const struct lden_event_def *d = r->def;
	bool ok = r->src && !v->bad;

	printf("%s\n  {\"name\": ", first ? "" : ",");
	lden_json_string(stdout, d->name);
	printf(", \"description\": ");
	lden_json_string(stdout, d->describe);
	printf(", \"data\": [\"count\", %s\"speed\"], \"available\": %s",
	       r->has_size ? "\"size\", " : "", ok ? "true" : "false");
	printf(", \"source\": ");
	if (r->src)
		lden_json_string(stdout, r->source_text);
	else
		printf("null");
	printf(", \"reason\": ");
	lden_json_string(stdout, r->reason);
	if (v->bad)
		printf(", \"catalog_error\": true");
	if (v->no_size[0]) {
		printf(", \"no_size\": ");
		lden_json_string(stdout, v->no_size);
	}
	if (d->note) {
		printf(", \"note\": ");
		lden_json_string(stdout, d->note);
	}
	printf("}");
}

static int list_tracepoints(const char *dir)
{
	char path[4096], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/available_events", dir);
	f = fopen(path, "re");
	if (!f) {
		lden_err("cannot read %s: %m (run as root)", path);
		return -1;
	}
	printf("\nTRACEPOINTS (use as SYSTEM:NAME)\n");
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
	return 0;
}

/*
 * How the recipes of lden trace (and lden io) would obtain their strings
 * on this kernel, for the whole machine and per process.
 */
static void print_strings(const char *dir)
{
	static const struct {
		const char *what;
		enum lden_strcap_kind kind;
	} uses[] = {
		{ "trace exec", LDEN_STRCAP_EXEC },
		{ "trace open, io", LDEN_STRCAP_OPEN },
	};
	struct ltr_session_opts so = { .tracing_dir = dir, .no_sweep = true };
	struct ltr_session *s = ltr_session__new(&so);
	struct lden_scope_opts whole = { .npids = 0 }, one = { .npids = 1 };
	char how[2048], err[512];

	if (!s)
		return;
	one.pids[0] = getpid();
	printf("\nstrings of the recipes (see lden-trace(8), EXACT STRINGS):\n");
	for (size_t i = 0; i < sizeof(uses) / sizeof(uses[0]); i++) {
		for (int per = 0; per < 2; per++) {
			struct lden_strcap *c = lden_strcap_new(uses[i].kind);

			if (!c)
				break;
			if (lden_strcap_plan(c, s, LDEN_STRINGS_AUTO,
					     per ? &one : &whole, "syscalls",
					     "sys_enter_openat", err,
					     sizeof(err)) == 0) {
				lden_strcap_describe(c, how, sizeof(how));
				printf("  %s, %s: %s\n", uses[i].what,
				       per ? "per process" : "whole machine", how);
			}
			lden_strcap_free(c);
		}
	}
	ltr_session__free(s);
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "names", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "events-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lden_catalog cat = { 0 };
	struct lden_kernel *k = NULL;
	struct ltr_session *s = NULL;
	const char *extra = NULL, *dir;
	bool all = false, json = false, verbose = false, new_sizes = false;
	bool names = false, denied = false;
	int c, nbad = 0, status = LDEN_EXIT_FAIL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ajnvd:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'j':
			json = true;
			break;
		case 'n':
			names = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'd':
			extra = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return LDEN_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		lden_err("list-events: unexpected argument '%s'", argv[optind]);
		return LDEN_EXIT_USAGE;
	}
	if (lden_load_catalog(&cat, extra) < 0)
		return LDEN_EXIT_USAGE;
	if (names) {
		for (int i = 0; i < cat.ndefs; i++)
			puts(cat.defs[i].name);
		status = 0;
		goto out;
	}
	dir = ltr_tracing_dir();
	if (!dir && errno == EACCES) {
		/* the catalog still lists, each event saying why it cannot be checked */
		lden_err("%s", ltr_last_error());
		dir = "/sys/kernel/tracing";
		denied = true;
	} else if (!dir) {
		lden_err("%s", ltr_last_error());
		goto out;
	}
	/*
	 * what crashed lden processes left, removed as a session would (the
	 * library's liveness test; it says what it removed): a listing is
	 * often the first thing run after a crash.  Not as a user who may
	 * only read tracefs: nothing to sweep then.
	 */
	if (access(dir, W_OK) == 0)
		ltr_sweep_stale_groups(dir);
	k = lden_kernel_new(dir);
	if (!k) {
		lden_err("out of memory");
		goto out;
	}
	if (!denied) {
		s = ltr_session__new(&(struct ltr_session_opts){ .tracing_dir = dir });
		if (!s) {
			lden_err("%s", ltr_last_error());
			goto out;
		}
	}

	if (json)
		printf("[");
	else
		printf("%-28s %-18s %-48s %s\n", "NAME", "DATA", "SOURCE", "STATUS");
	for (int i = 0; i < cat.ndefs; i++) {
		struct verdict v = { 0 };
		struct lden_resolution r;

		lden_resolve(k, &cat.defs[i], &r);
		if (s && r.src) {
			int rc = lden_check_source(s, &r, r.reason,
						   sizeof(r.reason));

			v.bad = rc == -1;
			denied |= rc == -2;
			if (rc == -2)
				r.src = NULL;
			lden_check_no_size(s, &r, v.no_size, sizeof(v.no_size));
		}
		nbad += v.bad;
		new_sizes |= r.has_size && cat.defs[i].note;
		if (json) {
			print_json(&r, &v, i == 0);
			continue;
		}
		printf("%-28s %-18s %-48s %s%s", cat.defs[i].name,
		       !r.has_size ? "count speed" :
		       cat.defs[i].note ? "count size+ speed" :
					  "count size speed",
		       r.src ? r.source_text : "-",
		       v.bad ? "error: " : r.src ? "ok" : "unavailable: ",
		       r.src && !v.bad ? "" : r.reason);
		if (v.no_size[0])
			printf(" (no size here: %s)", v.no_size);
		putchar('\n');
		if (verbose) {
			printf("    %s\n", cat.defs[i].describe);
			if (cat.defs[i].note)
				printf("    note: %s\n", cat.defs[i].note);
			if (r.tried[0])
				printf("    skipped: %s\n", r.tried);
			printf("    defined in %s:%d\n", cat.defs[i].file,
			       cat.defs[i].line);
		}
	}
	if (json)
		printf("\n]\n");
	else if (new_sizes)
		printf("\nsize+: a size LDEN did not have (see --verbose)\n");
	if (verbose && !json)
		print_strings(dir);
	if (all && !json && list_tracepoints(dir) < 0)
		goto out;
	if (nbad) {
		lden_err("list-events: %d event(s) of the catalog would fail to attach (see STATUS)",
			 nbad);
		status = LDEN_EXIT_USAGE;
		goto out;
	}
	if (denied) {
		/* the README: missing privileges exit 1 */
		status = LDEN_EXIT_FAIL;
		goto out;
	}
	status = 0;
out:
	ltr_session__free(s);
	lden_kernel_free(k);
	lden_catalog_free(&cat);
	return status;
}

const struct lden_cmd lden_cmd_list_events = {
	.name = "list-events",
	.run = run,
	.summary = "list the events, their data and their source on this kernel",
};
