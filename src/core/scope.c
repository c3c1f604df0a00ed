// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lden.h"
#include "scope.h"

int lden_scope_take_command(struct lden_scope_opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			o->command = argv + i + 1;
			return i;
		}
	}
	return argc;
}

int lden_scope_add_pids(struct lden_scope_opts *o, const char *arg,
			char *err, size_t errlen)
{
	const char *p = arg;

	do {
		char *end;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || (*end && *end != ',') || errno || v <= 0 ||
		    v > 0x3fffffff) {
			snprintf(err, errlen, "invalid --pid value '%s' (expected PID[,PID...])",
				 arg);
			return -1;
		}
		if (o->npids == LDEN_MAX_PIDS) {
			snprintf(err, errlen, "more than %d processes in --pid",
				 LDEN_MAX_PIDS);
			return -1;
		}
		if (kill((pid_t)v, 0) < 0 && errno == ESRCH) {
			snprintf(err, errlen, "no process %ld (--pid)", v);
			return -1;
		}
		o->pids[o->npids++] = (pid_t)v;
		p = *end ? end + 1 : end;
	} while (*p);
	return 0;
}

int lden_scope_check(struct lden_scope_opts *o, char *err, size_t errlen)
{
	struct stat st;
	int kinds = (o->npids > 0) + (o->cgroup != NULL) + (o->command != NULL);

	o->command_pid = -1;
	o->go_fd = -1;
	o->command_status = -1;
	if (kinds > 1) {
		snprintf(err, errlen, "choose one of --pid, --cgroup and -- COMMAND");
		return -1;
	}
	if (o->children && !o->npids) {
		snprintf(err, errlen, "--children needs --pid");
		return -1;
	}
	if (o->command && !o->command[0]) {
		snprintf(err, errlen, "no command after '--'");
		return -1;
	}
	if (o->cgroup && (stat(o->cgroup, &st) < 0 || !S_ISDIR(st.st_mode) ||
			  access(o->cgroup, R_OK | X_OK) < 0)) {
		snprintf(err, errlen, "cannot use cgroup '%s': %s", o->cgroup,
			 errno ? strerror(errno) : "not a directory");
		return -1;
	}
	return 0;
}

bool lden_scope_is_set(const struct lden_scope_opts *o)
{
	return o->npids || o->cgroup || o->command;
}

int lden_scope_count(const struct lden_scope_opts *o)
{
	return o->npids ? o->npids : 1;
}

const struct lden_scope *lden_scope_get(const struct lden_scope_opts *o,
					int i, struct lden_scope *buf)
{
	memset(buf, 0, sizeof(*buf));
	buf->no_twins = o->no_twins;
	if (o->npids) {
		buf->pid = o->pids[i];
		buf->children = o->children;
	} else if (o->command) {
		buf->pid = o->command_pid;
		buf->children = true;
	} else if (o->cgroup) {
		buf->cgroup = o->cgroup;
	} else if (!o->no_twins) {
		return NULL;
	}
	return buf;
}

bool lden_scope__whole(const struct lden_scope *sc)
{
	return !sc || (!sc->pid && !sc->cgroup);
}

void lden_scope_describe(const struct lden_scope_opts *o, FILE *out)
{
	if (o->npids) {
		fprintf(out, "process%s", o->npids > 1 ? "es" : "");
		for (int i = 0; i < o->npids; i++)
			fprintf(out, "%s%d", i ? ", " : " ", (int)o->pids[i]);
		if (o->children)
			fprintf(out, " and the children they create");
	} else if (o->cgroup) {
		fprintf(out, "cgroup %s", o->cgroup);
	} else if (o->command) {
		fprintf(out, "command");
		for (char **a = o->command; *a; a++)
			fprintf(out, " %s", *a);
		fprintf(out, " (pid %d) and its children", (int)o->command_pid);
	} else {
		fprintf(out, "the whole machine");
	}
}

int lden_command_start(struct lden_scope_opts *o)
{
	int p[2];
	char b;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	o->command_pid = fork();
	if (o->command_pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (o->command_pid == 0) {
		close(p[1]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (read(p[0], &b, 1) != 1)
			_exit(127);
		execvp(o->command[0], o->command);
		lden_err("cannot run '%s': %s", o->command[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	o->go_fd = p[1];
	return 0;
}

void lden_command_go(struct lden_scope_opts *o)
{
	char b = 'g';

	if (o->go_fd < 0)
		return;
	if (write(o->go_fd, &b, 1) != 1)
		lden_err("cannot start the command: %s", strerror(errno));
	close(o->go_fd);
	o->go_fd = -1;
}

void lden_command_abandon(struct lden_scope_opts *o)
{
	/* never released: it exits at once, reap it; else it goes on */
	if (o->go_fd >= 0) {
		close(o->go_fd);
		o->go_fd = -1;
		if (o->command_pid > 0)
			waitpid(o->command_pid, NULL, 0);
	}
	o->command_pid = -1;
}

int lden_command_poll(struct lden_scope_opts *o)
{
	int status;

	if (o->command_pid <= 0)
		return 0;
	if (waitpid(o->command_pid, &status, WNOHANG) != o->command_pid)
		return 0;
	o->command_status = status;
	o->command_pid = -1;
	return 1;
}
