// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden list-events: the catalog, and which source each event uses on this
 * kernel.  Creates nothing in the kernel and reads no kallsyms unless a
 * kprobe fallback has to be looked up.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "catalog.h"
#include "lden.h"
#include "lden-trace.h"

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

static void print_json(const struct lden_resolution *r, bool first)
{
	const struct lden_event_def *d = r->def;

	printf("%s\n  {\"name\": ", first ? "" : ",");
	lden_json_string(stdout, d->name);
	printf(", \"description\": ");
	lden_json_string(stdout, d->describe);
	printf(", \"data\": [\"count\", %s\"speed\"], \"available\": %s",
	       r->has_size ? "\"size\", " : "", r->src ? "true" : "false");
	printf(", \"source\": ");
	if (r->src)
		lden_json_string(stdout, r->source_text);
	else
		printf("null");
	printf(", \"reason\": ");
	lden_json_string(stdout, r->reason);
	if (d->note) {
		printf(", \"note\": ");
		lden_json_string(stdout, d->note);
	}
	printf("}");
}

/* Another catalog event whose source is the same tracepoint, or NULL. */
static const char *shares_tracepoint(const struct lden_catalog *cat,
				     const struct lden_resolution *rs, int i)
{
	const struct lden_source *a = rs[i].src;

	if (!a || a->kind != LDEN_SRC_TRACEPOINT)
		return NULL;
	for (int j = 0; j < cat->ndefs; j++) {
		const struct lden_source *b = rs[j].src;

		if (j == i || !b || b->kind != LDEN_SRC_TRACEPOINT || !rs[j].has_size)
			continue;
		if (!strcmp(a->tps[0].system, b->tps[0].system) &&
		    !strcmp(a->tps[0].name, b->tps[0].name))
			return cat->defs[j].name;
	}
	return NULL;
}

/*
 * How a size is read on this kernel, and why: summed in the kernel, or
 * sampled through which ring (--verbose).
 */
static void print_size_path(const struct lden_catalog *cat,
			    const struct lden_resolution *rs, int i,
			    bool hist)
{
	const struct lden_source *src = rs[i].src;
	const char *other = shares_tracepoint(cat, rs, i);
	const char *size = src->kind == LDEN_SRC_TRACEPOINT ? src->tps[0].size :
							       src->size;
	struct lden_size_hist plan;

	if (hist && size && lden_size_hist_plan(size, &plan) == 0)
		printf("    size: summed in the kernel by a hist trigger (%s %s)\n",
		       plan.linear ? "sum of" : "grouped by",
		       plan.linear ? plan.vals : plan.keys);
	else
		printf("    size: sampled through the ftrace ring of lden's instance%s\n",
		       hist ? " (its size cannot be summed in the kernel)" :
			      " (no hist triggers here: CONFIG_HIST_TRIGGERS)");
	printf("    size per process or cgroup: sampled through the perf ring\n");
	if (other && hist)
		printf("    size with %s: one of the two sampled through the ftrace ring (one hist trigger per tracepoint)\n",
		       other);
	else if (other)
		printf("    size with %s: one of the two sampled through the perf ring (one filter per tracepoint in an instance)\n",
		       other);
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
	struct lden_resolution *rs = NULL;
	struct lden_kernel *k = NULL;
	bool hist;
	const char *extra = NULL, *dir;
	bool all = false, json = false, verbose = false, new_sizes = false;
	bool names = false;
	int c, status = LDEN_EXIT_FAIL;

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
	} else if (!dir) {
		lden_err("%s", ltr_last_error());
		goto out;
	}
	k = lden_kernel_new(dir);
	rs = calloc(cat.ndefs ? cat.ndefs : 1, sizeof(*rs));
	if (!k || !rs) {
		lden_err("out of memory");
		goto out;
	}
	hist = ltr_hist_triggers_supported(dir);
	for (int i = 0; i < cat.ndefs; i++)
		lden_resolve(k, &cat.defs[i], &rs[i]);

	if (json)
		printf("[");
	else
		printf("%-28s %-18s %-48s %s\n", "NAME", "DATA", "SOURCE", "STATUS");
	for (int i = 0; i < cat.ndefs; i++) {
		const struct lden_resolution r = rs[i];

		new_sizes |= r.has_size && cat.defs[i].note;
		if (json) {
			print_json(&r, i == 0);
			continue;
		}
		printf("%-28s %-18s %-48s %s%s\n", cat.defs[i].name,
		       !r.has_size ? "count speed" :
		       cat.defs[i].note ? "count size+ speed" :
					  "count size speed",
		       r.src ? r.source_text : "-",
		       r.src ? "ok" : "unavailable: ", r.src ? "" : r.reason);
		if (verbose) {
			printf("    %s\n", cat.defs[i].describe);
			if (cat.defs[i].note)
				printf("    note: %s\n", cat.defs[i].note);
			if (r.tried[0])
				printf("    skipped: %s\n", r.tried);
			if (r.src && r.has_size)
				print_size_path(&cat, rs, i, hist);
			else if (r.src)
				printf("    counted by the kernel (a perf counter per CPU)\n");
			printf("    defined in %s:%d\n", cat.defs[i].file,
			       cat.defs[i].line);
		}
	}
	if (json)
		printf("\n]\n");
	else if (new_sizes)
		printf("\nsize+: a size LDEN did not have (see --verbose)\n");
	if (all && !json && list_tracepoints(dir) < 0)
		goto out;
	status = 0;
out:
	free(rs);
	lden_kernel_free(k);
	lden_catalog_free(&cat);
	return status;
}

const struct lden_cmd lden_cmd_list_events = {
	.name = "list-events",
	.run = run,
	.summary = "list the events, their data and their source on this kernel",
};
