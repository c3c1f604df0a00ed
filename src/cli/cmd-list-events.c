// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden list-events: the catalog, and which source each event uses on this
 * kernel, checked as attaching it would check it (check.c): filters and
 * sizes against the tracepoints' formats, loaded without opening any perf
 * event.  Creates nothing in the kernel (it removes what lden processes
 * that are gone left there, saying so) and reads no kallsyms unless a
 * kprobe fallback has to be looked up.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "lden.h"
#include "list-run.h"

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

/* Returns 0, -1 after --help, or LDEN_EXIT_USAGE. */
static int parse_opts(int argc, char **argv, struct lden_list *l)
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
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ajnvd:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': l->all = true; break;
		case 'j': l->json = true; break;
		case 'n': l->names = true; break;
		case 'v': l->verbose = true; break;
		case 'd': l->extra = optarg; break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return LDEN_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		lden_cli__err("unexpected argument '%s'", argv[optind]);
		return LDEN_EXIT_USAGE;
	}
	return 0;
}


static int run(int argc, char **argv)
{
	struct lden_list l = { 0 };
	int status = parse_opts(argc, argv, &l);

	if (status)
		return status < 0 ? 0 : status;
	if (lden_load_catalog(&l.cat, l.extra) < 0)
		return LDEN_EXIT_USAGE;
	if (l.names) {
		for (int i = 0; i < l.cat.ndefs; i++)
			puts(l.cat.defs[i].name);
		status = 0;
	} else if (lden_list__open(&l) < 0 || lden_list__print(&l) < 0) {
		status = LDEN_EXIT_FAIL;
	} else if (l.nbad) {
		lden_cli__err("%d event(s) of the catalog would fail to attach (see STATUS)",
			     l.nbad);
		status = LDEN_EXIT_USAGE;
	} else {
		/* the README: missing privileges exit 1 */
		status = l.denied ? LDEN_EXIT_FAIL : 0;
	}
	lden_list__release(&l);
	return status;
}

const struct lden_cmd lden_cmd_list_events = {
	.name = "list-events",
	.run = run,
	.summary = "list the events, their data and their source on this kernel",
};
