// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live flame graphs between lden io and the dashboard: see flame-live.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flame-live.h"
#include "number.h"
#include "proc.h"

#define DEFAULT_DIR "/run/lden"

const char *lden_flame_live__dir(void)
{
	const char *dir = getenv("LDEN_RUNTIME_DIR");

	return dir && *dir ? dir : DEFAULT_DIR;
}

/* Whether @st is the caller's own and nobody else may write it. */
static bool ours(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* The directory, made if @make; 0 or a negative errno. */
static int check_dir(bool make)
{
	const char *dir = lden_flame_live__dir();
	struct stat st;

	if (make && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return ours(&st) ? 0 : -EPERM;
}

static void snapshot_path(char *buf, size_t size, pid_t pid, const char *ext)
{
	snprintf(buf, size, "%s/io-%d.folded%s", lden_flame_live__dir(),
		 (int)pid, ext);
}

/* A header line "# KEY: VALUE", the value on one line. */
static void put_header(FILE *out, const char *key, const char *value)
{
	fprintf(out, "# %s: ", key);
	for (const char *p = value; *p; p++)
		fputc(*p == '\n' || *p == '\r' ? ' ' : *p, out);
	fputc('\n', out);
}

/* Whether @pid is a running lden (not a pid since reused by another). */
static bool running_lden(pid_t pid)
{
	char comm[32];

	return lden_proc__comm(pid, comm, sizeof(comm)) == 0 &&
	       !strcmp(comm, "lden");
}

/*
 * The pid of a snapshot's file name "io-PID.folded" as lden writes it
 * (decimal, no sign, space or leading zero), or 0: strtol() also took
 * "io-+5.folded" and "io-05.folded", listed as process 5 beside its own.
 */
static pid_t snapshot_pid(const char *name)
{
	size_t n;
	char num[16];
	unsigned long long pid;

	if (strncmp(name, "io-", 3) || name[3] == '0')
		return 0;
	n = strspn(name + 3, "0123456789");
	if (!n || n >= sizeof(num) || strcmp(name + 3 + n, ".folded"))
		return 0;
	memcpy(num, name + 3, n);
	num[n] = '\0';
	return lden_parse_count(num, 1, INT32_MAX, &pid) == 0 ? (pid_t)pid : 0;
}

/* Removes the snapshots of lden processes that ended without doing so. */
static void sweep(void)
{
	DIR *d = opendir(lden_flame_live__dir());
	struct dirent *e;
	char path[4096];
	pid_t pid;

	while (d && (e = readdir(d)))
		if ((pid = snapshot_pid(e->d_name)) && pid != getpid() &&
		    !running_lden(pid)) {
			snapshot_path(path, sizeof(path), pid, "");
			unlink(path);
		}
	if (d)
		closedir(d);
}

int lden_flame_live__publish(const struct lden_fold *f,
			    const struct lden_flame_meta *m, char *err,
			    size_t errlen)
{
	char tmp[4096], path[4096], num[32];
	FILE *out;
	int fd, rc = check_dir(true);

	if (rc < 0) {
		snprintf(err, errlen, "cannot use '%s': %s",
			 lden_flame_live__dir(), rc == -EPERM ?
			 "not owned by this user, or writable by others" :
			 strerror(-rc));
		return rc;
	}
	snapshot_path(tmp, sizeof(tmp), getpid(), ".tmp");
	snapshot_path(path, sizeof(path), getpid(), "");
	if (access(path, F_OK) < 0)
		sweep();	/* once: at this process's first snapshot */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(-rc));
		return rc;
	}
	put_header(out, "lden-flame", "1");
	put_header(out, "title", m->title);
	put_header(out, "subtitle", m->subtitle);
	put_header(out, "notes", m->notes);
	put_header(out, "unit", m->unit);
	snprintf(num, sizeof(num), "%.3f", m->updated);
	put_header(out, "updated", num);
	rc = lden_fold__write(f, out);
	if (fclose(out) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(-rc));
	}
	return rc;
}

void lden_flame_live__remove(void)
{
	char path[4096];

	snapshot_path(path, sizeof(path), getpid(), "");
	unlink(path);
}

static void copy_field(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* The '#' lines at the top of @in into @m; the rest is left to read. */
static int read_header(FILE *in, struct lden_flame_meta *m)
{
	char line[1024];
	bool magic = false;
	int c;

	while ((c = fgetc(in)) == '#') {
		char *value;
		size_t n;

		if (!fgets(line, sizeof(line), in))
			break;
		n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		value = strstr(line, ": ");
		if (line[0] != ' ' || !value)
			return -EINVAL;
		*value = '\0';
		value += 2;
		if (!strcmp(line + 1, "lden-flame"))
			magic = !strcmp(value, "1");
		else if (!strcmp(line + 1, "title"))
			copy_field(m->title, sizeof(m->title), value);
		else if (!strcmp(line + 1, "subtitle"))
			copy_field(m->subtitle, sizeof(m->subtitle), value);
		else if (!strcmp(line + 1, "notes"))
			copy_field(m->notes, sizeof(m->notes), value);
		else if (!strcmp(line + 1, "unit"))
			copy_field(m->unit, sizeof(m->unit), value);
		else if (!strcmp(line + 1, "updated") &&
			 lden_parse_decimal(value, 0, 1e12, &m->updated) < 0)
			return -EINVAL;	/* "nan" went out as JSON's nan */
	}
	if (c != EOF)
		ungetc(c, in);
	if (!magic || (strcmp(m->unit, "calls") && strcmp(m->unit, "ns")))
		return -EINVAL;
	return 0;
}

/*
 * Opens the snapshot of @pid and reads its header; with @f, its stacks
 * too.  0 or a negative errno.
 */
static int load(pid_t pid, struct lden_fold *f, struct lden_flame_meta *m)
{
	char path[4096];
	struct stat st;
	FILE *in;
	int fd, rc;

	memset(m, 0, sizeof(*m));
	m->pid = pid;
	if (!running_lden(pid))
		return -ENOENT;
	snapshot_path(path, sizeof(path), pid, "");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !ours(&st)) {
		close(fd);
		return -EPERM;
	}
	if ((uint64_t)st.st_size > LDEN_FLAME_LIVE_MAX_BYTES) {
		close(fd);
		return -EFBIG;
	}
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		return -ENOMEM;
	}
	rc = read_header(in, m);
	if (!rc && f) {
		rc = lden_fold__read(f, in, LDEN_FLAME_LIVE_MAX_BYTES);
		rc = rc < 0 ? rc : 0;
	}
	fclose(in);
	return rc;
}

int lden_flame_live__load(pid_t pid, struct lden_fold *f,
			 struct lden_flame_meta *m)
{
	int rc = check_dir(false);

	if (rc < 0)
		return rc == -ENOENT ? -ENOENT : -EPERM;
	return load(pid, f, m);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int lden_flame_live__list(int (*fn)(const struct lden_flame_meta *m,
				   void *ctx), void *ctx)
{
	pid_t pids[256];
	size_t n = 0;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (check_dir(false) < 0)
		return 0;
	d = opendir(lden_flame_live__dir());
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < sizeof(pids) / sizeof(pids[0]))
		if ((pids[n] = snapshot_pid(e->d_name)))
			n++;
	closedir(d);
	qsort(pids, n, sizeof(pids[0]), cmp_pid);
	for (size_t i = 0; i < n && !rc; i++) {
		struct lden_flame_meta m;

		if (load(pids[i], NULL, &m) == 0)
			rc = fn(&m, ctx);
	}
	return rc;
}
