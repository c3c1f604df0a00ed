// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#include "cgpaths.h"
#include "escape.h"
#include "container.h"
#include "lden-trace.h"
#include "lden.h"
#include "proc.h"
#include "scope.h"

/*
 * A name or path the user gave, quoted in a message: escaped (a line
 * break in it would make two lines), cut visibly when long (a path of
 * 4096 bytes left no room for the reason).
 */
#define Q(s) lden_escape__quote((s), (char[200]){ 0 }, 200)

/* pid_max's limit (PID_MAX_LIMIT): a bigger number is a namespace inode */
#define PID_LIMIT (1L << 22)

int lden_scope__take_command(struct lden_scope_opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			o->command = argv + i + 1;
			return i;
		}
	}
	return argc;
}

int lden_scope__add_pids(struct lden_scope_opts *o, const char *arg,
			char *err, size_t errlen)
{
	const char *p = arg;

	do {
		char *end;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		/* digits only: strtol takes " 5" and "+5" too */
		if (!isdigit((unsigned char)*p) || (*end && *end != ',') ||
		    errno || v <= 0 || v > 0x3fffffff) {
			snprintf(err, errlen, "invalid --pid value '%s' (expected PID[,PID...])",
				 Q(arg));
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
		/*
		 * a task named twice, or a thread with its process (which
		 * has all of its threads), counts once: the process stays
		 */
		for (int i = 0; i < o->npids && v; i++) {
			if (o->pids[i] == (pid_t)v ||
			    o->pids[i] == lden_proc__tgid((pid_t)v))
				v = 0;
			else if (lden_proc__tgid(o->pids[i]) == (pid_t)v)
				o->pids[i] = o->pids[--o->npids], i--;
		}
		if (v)
			o->pids[o->npids++] = (pid_t)v;
		p = *end ? end + 1 : end;
	} while (*p);
	return 0;
}

/* Whether a process or a /run/netns name holds net namespace @inode. */
static bool netns_exists(uint64_t inode)
{
	const char *dirs[] = { "/proc", "/run/netns" };
	bool found = false;

	for (size_t d = 0; d < 2 && !found; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;

		while (dir && !found && (e = readdir(dir))) {
			char path[300];
			struct stat st;

			if (d == 0 && (e->d_name[0] < '1' || e->d_name[0] > '9'))
				continue;
			snprintf(path, sizeof(path), d ? "%s/%s" : "%s/%s/ns/net",
				 dirs[d], e->d_name);
			found = stat(path, &st) == 0 && st.st_ino == inode;
		}
		if (dir)
			closedir(dir);
	}
	return found;
}

int lden_scope__set_netns(struct lden_scope_opts *o, const char *arg,
			 char *err, size_t errlen)
{
	struct ltr_process *p;
	unsigned long long v;
	char *end;
	int rc;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (!isdigit((unsigned char)*arg) || *end || errno || v == 0) {
		snprintf(err, errlen, "invalid --netns value '%s' (expected a namespace inode or a PID)",
			 Q(arg));
		return -1;
	}
	if (v > PID_LIMIT) {
		if (!netns_exists(v)) {
			snprintf(err, errlen, "no network namespace %llu (--netns: no process or /run/netns name holds it)",
				 v);
			return -1;
		}
		o->netns = v;
		return 0;
	}
	p = ltr_process__new((pid_t)v);
	rc = p ? ltr_process__namespace(p, LTR_NS_NET, &o->netns) : -errno;
	ltr_process__free(p);
	if (rc < 0) {
		snprintf(err, errlen, rc == -ESRCH ? "no process %llu (--netns)" :
			 "cannot read the network namespace of process %llu (--netns): %s",
			 v, strerror(-rc));
		return -1;
	}
	return 0;
}

/* nftw() has no context: the search's */
static struct {
	const char *name;
	char *found;
	int more;		/* another match apart from found */
} search;

static int visit(const char *path, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	char buf[LDEN_CONTAINER_MAX], comp[300];
	size_t n;

	(void)st;
	if (flag != FTW_D || ftw->level == 0)
		return 0;
	snprintf(comp, sizeof(comp), "/%s", path + ftw->base);
	lden_container__name(comp, buf, sizeof(buf));
	/* the short id shown, or the full id the runtime prints */
	if (strcmp(buf, search.name) &&
	    !(strlen(search.name) == 64 && !strncmp(buf, search.name, 12) &&
	      strstr(comp, search.name)))
		return 0;
	if (search.found) {
		n = strlen(search.found);
		if (strncmp(path, search.found, n) || path[n] != '/')
			search.more++;
		return 0;
	}
	search.found = strdup(path);
	return search.found ? 0 : -1;
}

char *lden_scope__find_container(const char *root, const char *name,
				char *err, size_t errlen)
{
	char where[4096];
	char *found;

	if (!root) {
		lden_cgroup2_mount(where, sizeof(where));
		root = where;
	}
	if (!*name || !strcmp(name, LDEN_CONTAINER_HOST)) {
		snprintf(err, errlen, "invalid --container value '%s' (a container's name, short id or unit)",
			 Q(name));
		return NULL;
	}
	search.name = name;
	search.found = NULL;
	search.more = 0;
	if (nftw(root, visit, 32, FTW_PHYS) < 0 && !search.found) {
		snprintf(err, errlen, "cannot search the cgroups under %s for --container: %s",
			 root, strerror(errno));
		return NULL;
	}
	found = search.found;
	if (!found)
		snprintf(err, errlen, "unknown container '%s' (no cgroup under %s names it)",
			 Q(name), root);
	else if (search.more) {
		snprintf(err, errlen, "container '%s' is ambiguous: %s and %d more cgroup%s name it",
			 Q(name), Q(found), search.more,
			 search.more > 1 ? "s" : "");
		free(found);
		found = NULL;
	}
	return found;
}

void lden_scope__release(struct lden_scope_opts *o)
{
	free(o->container_dir);
	o->container_dir = NULL;
}

/*
 * Whether the cgroup v1 hierarchy of device @dev (each has its own) holds
 * the perf_event controller, from its mount's super options in
 * /proc/self/mountinfo ("... - cgroup cgroup rw,perf_event"); true when
 * that cannot be told, for the kernel to judge.
 */
static bool v1_perf_event(dev_t dev)
{
	char line[4096];
	bool found = false, perf = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return true;
	while (!found && fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - cgroup "), *opts, *tok, *save;
		unsigned int maj, min;

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..." */
		if (!dash || sscanf(line, "%*d %*d %u:%u", &maj, &min) != 2 ||
		    maj != major(dev) || min != minor(dev))
			continue;
		found = true;
		/* " - cgroup SOURCE OPTIONS" */
		opts = strchr(dash + strlen(" - cgroup "), ' ');
		if (!opts)
			break;
		opts[strcspn(opts, "\n")] = '\0';
		for (tok = strtok_r(opts + 1, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			perf |= !strcmp(tok, "perf_event");
	}
	fclose(f);
	return !found || perf;
}

int lden_scope__check(struct lden_scope_opts *o, char *err, size_t errlen)
{
	struct stat st;
	struct statfs fs;
	int kinds = (o->npids > 0) + (o->cgroup != NULL) + (o->command != NULL) +
		    (o->container != NULL);

	o->command_pid = -1;
	o->go_fd = -1;
	o->command_status = -1;
	if (kinds > 1) {
		snprintf(err, errlen, "choose one of --pid, --cgroup, --container and -- COMMAND");
		return -1;
	}
	if (o->container && !o->container_dir) {
		o->container_dir = lden_scope__find_container(NULL, o->container,
							     err, errlen);
		if (!o->container_dir)
			return -1;
		o->cgroup = o->container_dir;
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
		snprintf(err, errlen, "cannot use cgroup '%s': %s", Q(o->cgroup),
			 errno ? strerror(errno) : "not a directory");
		return -1;
	}
	/* '/', /tmp, the tmpfs over v1 hierarchies: the kernel said EBADF */
	if (o->cgroup && (statfs(o->cgroup, &fs) < 0 ||
			  (fs.f_type != CGROUP2_SUPER_MAGIC &&
			   fs.f_type != CGROUP_SUPER_MAGIC))) {
		snprintf(err, errlen, "cannot use cgroup '%s': not a cgroup directory (one under the cgroup v2 mount, or the v1 perf_event hierarchy)",
			 Q(o->cgroup));
		return -1;
	}
	/* another v1 hierarchy: the kernel said ENOENT on the first event */
	if (o->cgroup && fs.f_type == CGROUP_SUPER_MAGIC &&
	    !v1_perf_event(st.st_dev)) {
		snprintf(err, errlen, "cannot use cgroup '%s': its cgroup v1 hierarchy has no perf_event controller (perf counts by the cgroups of the v1 perf_event hierarchy, or of cgroup v2)",
			 Q(o->cgroup));
		return -1;
	}
	return 0;
}

bool lden_scope__is_set(const struct lden_scope_opts *o)
{
	return o->npids || o->cgroup || o->command;
}

enum lden_scope_kind lden_scope__kind(const struct lden_scope_opts *o)
{
	if (o->npids || o->command)
		return LDEN_SCOPE_TASKS;
	return o->cgroup ? LDEN_SCOPE_CGROUP : LDEN_SCOPE_NONE;
}

int lden_scope__count(const struct lden_scope_opts *o)
{
	return o->npids ? o->npids : 1;
}

const struct lden_scope *lden_scope__get(const struct lden_scope_opts *o,
					int i, struct lden_scope *buf)
{
	memset(buf, 0, sizeof(*buf));
	buf->no_twins = o->no_twins;
	if (o->npids) {
		buf->pid = o->pids[i];
		buf->threads = lden_scope__is_process(buf->pid);
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

bool lden_scope__is_process(pid_t pid)
{
	return lden_proc__tgid(pid) == pid;
}

bool lden_scope__whole(const struct lden_scope *sc)
{
	return !sc || (!sc->pid && !sc->cgroup);
}

void lden_scope__describe(const struct lden_scope_opts *o, FILE *out)
{
	if (o->npids) {
		bool threads = false;

		for (int i = 0; i < o->npids; i++)
			threads |= !lden_scope__is_process(o->pids[i]);
		if (!threads)
			fprintf(out, "process%s", o->npids > 1 ? "es" : "");
		for (int i = 0; i < o->npids; i++) {
			pid_t p = o->pids[i];

			/* a thread named alone counts alone: say which */
			fprintf(out, "%s", i ? ", " : threads ? "" : " ");
			if (!threads)
				fprintf(out, "%d", (int)p);
			else if (lden_scope__is_process(p))
				fprintf(out, "process %d", (int)p);
			else
				fprintf(out, "thread %d of process %d", (int)p,
					(int)lden_proc__tgid(p));
		}
		if (o->children)
			fprintf(out, " and the children they create");
	} else if (o->container) {
		/* a directory's name is its maker's (a delegated cgroup's
		 * user): any byte, escaped as everything lden shows */
		fputs("container ", out);
		lden_fputs_escaped(out, o->container, 0);
		fputs(" (cgroup ", out);
		lden_fputs_escaped(out, o->cgroup, 0);
		fputc(')', out);
	} else if (o->cgroup) {
		fputs("cgroup ", out);
		lden_fputs_escaped(out, o->cgroup, 0);
	} else if (o->command) {
		fprintf(out, "command");
		for (char **a = o->command; *a; a++) {
			fputc(' ', out);
			lden_fputs_escaped(out, *a, 0);
		}
		fprintf(out, " (pid %d) and its children", (int)o->command_pid);
	} else if (!o->netns) {
		fprintf(out, "the whole machine");
	}
	if (o->netns)
		fprintf(out, "%snetwork namespace %llu (filtered in user space, by each task's namespace read at its first sample)",
			o->npids || o->cgroup || o->command ? ", in " : "",
			(unsigned long long)o->netns);
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
		lden_err("cannot run '%s': %s", Q(o->command[0]),
			 strerror(errno));
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
