// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden: the command table and dispatch.  Each command lives in a file of
 * its own and describes itself with a struct lden_cmd.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog.h"
#include "collect.h"
#include "resolve.h"
#include "cli.h"
#include "lden.h"
#include "lden-trace.h"
#include "number.h"

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct lden_cmd cmd_help_row = {
	"help", cmd_help, "show this help, or a command's: lden help COMMAND",
};
static const struct lden_cmd cmd_version_row = {
	"version", cmd_version, "print the version",
};

static const struct lden_cmd *const commands[] = {
	&lden_cmd_notify,
	&lden_cmd_watch,
	&lden_cmd_visualize,
	&lden_cmd_list_events,
	&lden_cmd_trace,
	&lden_cmd_top,
	&lden_cmd_io,
	&cmd_help_row,
	&cmd_version_row,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int lden_load_catalog(struct lden_catalog *cat, const char *extra_dir)
{
	const char *dirs[16];
	char err[1024];
	struct stat st;
	int n = lden_catalog__default_dirs(dirs, 16, extra_dir);

	/* the installed and system directories are optional; this one not */
	if (extra_dir && stat(extra_dir, &st) < 0) {
		lden_err("cannot read event directory '%s': %s", extra_dir,
			 strerror(errno));
		return -1;
	}
	if (extra_dir && !S_ISDIR(st.st_mode)) {
		lden_err("cannot read event directory '%s': not a directory",
			 extra_dir);
		return -1;
	}

	/* what was loaded before the error is freed here, for every caller */
	if (lden_catalog__load(cat, dirs, n, err, sizeof(err)) < 0) {
		lden_err("bad event catalog: %s", err);
		lden_catalog__free(cat);
		return -1;
	}
	if (!cat->ndefs) {
		lden_err("no event catalog found (looked in %s and %s)", dirs[0],
			 dirs[1]);
		return -1;
	}
	return 0;
}

int lden_load_catalog_kernel(struct lden_catalog *cat, const char *extra_dir,
			     struct lden_kernel **k)
{
	const char *dir;

	if (lden_load_catalog(cat, extra_dir) < 0)
		return LDEN_EXIT_USAGE;
	dir = ltr_tracing_dir();
	if (!dir) {
		lden_err("%s", ltr_last_error());
		return LDEN_EXIT_FAIL;
	}
	*k = lden_kernel__new(dir);
	if (!*k) {
		lden_err("out of memory");
		return LDEN_EXIT_FAIL;
	}
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lden [--version] [--help] COMMAND [ARGS]\n"
		"\n"
		"Count kernel events through tracepoints and perf_event_open, without BPF.\n"
		"\n"
		"commands:\n");
	/* two spaces after the name whatever its length: the completion and
	 * tests/cli/test-docs.sh read the commands from these rows */
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-11s  %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(out, "\n'lden COMMAND --help' shows a command's options.\n");
}

static int cmd_version(int argc, char **argv)
{
	printf("lden %s\n", PACKAGE_VERSION);
	return 0;
}

static const struct lden_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	static char help_opt[] = "--help";
	const struct lden_cmd *cmd;
	char *args[] = { NULL, help_opt, NULL };

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		lden_err("unknown command '%s' (see 'lden --help')", argv[1]);
		return LDEN_EXIT_USAGE;
	}
	args[0] = (char *)cmd->name;
	lden_cli__set_command(cmd->name);
	return cmd->run(2, args);
}

/* A full disk or a closed pipe on stdout is an error, not a success. */
static int close_stdout(int status)
{
	int err = lden_stdout_errno;

	if (!err && fflush(stdout) != 0)
		err = errno;
	if (!err && ferror(stdout))
		err = -1;	/* an earlier write: its errno is gone */
	if (fclose(stdout) != 0 && !err)
		err = errno;
	if (!err)
		return status;
	/* the reader went away (SIGPIPE stopped the run): nothing to say */
	if (err != EPIPE && lden_stop_signal != SIGPIPE)
		lden_err("write error on stdout%s%s", err > 0 ? ": " : "",
			 err > 0 ? strerror(err) : "");
	return status ? status : LDEN_EXIT_FAIL;
}

__attribute__((format(printf, 2, 0)))
static int print_library_message(enum ltr_log_level level, const char *fmt,
				 va_list ap)
{
	/* warnings, and what a sweep removed (LTR_INFO); debugging on demand */
	if (level == LTR_DEBUG) {
		if (!lden_cli__debugging())
			return 0;
		lden_cli__debug_prefix(stderr);
		return vfprintf(stderr, fmt, ap);
	}
	fputs("lden: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

/*
 * The environment's numbers, decimal as options' are: the library read
 * LDEN_KRETPROBE_MAXACTIVE with strtoul(), so "-1" was 4096, "5000"
 * 4096 and "0x10" silently its own choice.
 */
static bool env_ok(void)
{
	const char *v = getenv("LDEN_KRETPROBE_MAXACTIVE");
	unsigned long long n;

	if (!v || !*v || lden_parse_count(v, 1, 4096, &n) == 0)
		return true;
	lden_cli__err("invalid LDEN_KRETPROBE_MAXACTIVE '%s' (expected 1 to 4096)",
		      v);
	return false;
}

int main(int argc, char **argv)
{
	const struct lden_cmd *cmd;

	lden_cli__debug_init();
	ltr_set_print(print_library_message);
	lden_debug("started (times since here)");
	if (argc < 2) {
		usage(stderr);
		return LDEN_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return close_stdout(cmd_help(1, argv + 1));
	if (!strcmp(argv[1], "--version"))
		return close_stdout(cmd_version(argc - 1, argv + 1));
	cmd = find_command(argv[1]);
	if (!cmd) {
		lden_err("unknown command '%s' (see 'lden --help')", argv[1]);
		return LDEN_EXIT_USAGE;
	}
	lden_cli__set_command(cmd->name);
	if (!env_ok())
		return LDEN_EXIT_USAGE;
	return close_stdout(cmd->run(argc - 1, argv + 1));
}
