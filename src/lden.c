// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden: the command table and dispatch.  Each command lives in a file of
 * its own and describes itself with a struct lden_cmd.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lden_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct lden_cmd commands[] = {
	{ "help", cmd_help, "show this help, or a command's" },
	{ "version", cmd_version, "print the version" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lden [--version] [--help] COMMAND [ARGS]\n"
		"\n"
		"Count kernel events through tracepoints and perf_event_open, without BPF.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].help);
}

static int cmd_version(int argc, char **argv)
{
	printf("lden %s\n", PACKAGE_VERSION);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

static const struct lden_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* A full disk or a closed pipe on stdout is an error, not a success. */
static int close_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno != EPIPE)
			fprintf(stderr, "lden: write error: %s\n", strerror(errno));
		return status ? status : 1;
	}
	return status;
}

int main(int argc, char **argv)
{
	const struct lden_cmd *cmd;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return close_stdout(cmd_help(argc - 1, argv + 1));
	if (!strcmp(argv[1], "--version"))
		return close_stdout(cmd_version(argc - 1, argv + 1));
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "lden: unknown command '%s' (see 'lden --help')\n",
			argv[1]);
		return 2;
	}
	return close_stdout(cmd->run(argc - 1, argv + 1));
}
