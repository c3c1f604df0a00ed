// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Container names from cgroup paths: see container.h for the namings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "container.h"

/* A runtime's full container id: 64 hex digits (sha256). */
#define ID_LEN 64
/* What is shown of it, as docker ps and podman ps show it. */
#define SHORT_ID 12

enum match { MATCH_NONE, MATCH_SERVICE, MATCH_CONTAINER };

/* Runtimes' cgroups: prefix, the id, suffix ("" for none). */
static const struct {
	const char *prefix;
	const char *suffix;
} runtimes[] = {
	{ "docker-", ".scope" },
	{ "cri-containerd-", ".scope" },
	{ "crio-", ".scope" },
	{ "libpod-", ".scope" },
	{ "libpod-", "" },
	{ "", "" },		/* the cgroupfs drivers: the id alone */
};

static bool is_id(const char *s, size_t n)
{
	if (n != ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * @n bytes of @s into @buf, systemd's \xNN undone when @unescape: the
 * exact bytes (a '_' for each odd one made "a\nb" and "a_b" one
 * container), escaped where shown.
 */
static void copy_name(const char *s, size_t n, bool unescape, char *buf,
		      size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		/* not "\x00": a NUL would end the name there, cut */
		if (unescape && c == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    hex_digit(s[i + 2]) >= 0 && hex_digit(s[i + 3]) >= 0 &&
		    (hex_digit(s[i + 2]) | hex_digit(s[i + 3]))) {
			c = (unsigned char)(hex_digit(s[i + 2]) * 16 +
					    hex_digit(s[i + 3]));
			i += 3;
		}
		buf[o++] = (char)c;
	}
	if (size)
		buf[o] = '\0';
}

static bool has_affixes(const char *c, size_t n, const char *prefix,
			const char *suffix, const char **mid, size_t *len)
{
	size_t p = strlen(prefix), s = strlen(suffix);

	if (n < p + s || strncmp(c, prefix, p) ||
	    strncmp(c + n - s, suffix, s))
		return false;
	*mid = c + p;
	*len = n - p - s;
	return true;
}

/* What the path component @c (@n bytes) names, written to @buf. */
static enum match component(const char *c, size_t n, char *buf, size_t size)
{
	const char *mid;
	size_t len;

	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		if (has_affixes(c, n, runtimes[i].prefix, runtimes[i].suffix,
				&mid, &len) && is_id(mid, len)) {
			copy_name(mid, SHORT_ID, false, buf, size);
			return MATCH_CONTAINER;
		}
	if (has_affixes(c, n, "machine-", ".scope", &mid, &len) && len) {
		copy_name(mid, len, true, buf, size);
		return MATCH_CONTAINER;
	}
	if (has_affixes(c, n, "", ".service", &mid, &len) && len) {
		copy_name(c, n, false, buf, size);
		return MATCH_SERVICE;
	}
	return MATCH_NONE;
}

/* The container of @path (@n bytes), or MATCH_NONE with @buf untouched. */
static enum match path_match(const char *path, size_t n, char *buf,
			     size_t size)
{
	enum match best = MATCH_NONE;
	char name[LDEN_CONTAINER_MAX];
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		enum match m;

		while (j < n && path[j] != '/')
			j++;
		m = j > i ? component(path + i, j - i, name, sizeof(name)) :
			    MATCH_NONE;
		/* inner wins over outer of the same kind */
		if (m != MATCH_NONE && m >= best) {
			best = m;
			snprintf(buf, size, "%s", name);
		}
		i = j + 1;
	}
	return best;
}

const char *lden_container__name(const char *cgroup_path, char *buf,
				size_t size)
{
	if (!size)
		return buf;
	if (path_match(cgroup_path, strlen(cgroup_path), buf, size) ==
	    MATCH_NONE)
		snprintf(buf, size, "%s", LDEN_CONTAINER_HOST);
	return buf;
}

enum pass { PASS_V2, PASS_SYSTEMD, PASS_V1 };

/* Whether line "ID:CONTROLLERS:PATH" is one pass @p looks at. */
static bool line_in_pass(const char *line, const char *colon1,
			 const char *colon2, enum pass p)
{
	bool v2 = colon1 - line == 1 && line[0] == '0' && colon2 == colon1 + 1;
	bool systemd = (size_t)(colon2 - colon1 - 1) == strlen("name=systemd") &&
		       !strncmp(colon1 + 1, "name=systemd", 12);

	switch (p) {
	case PASS_V2:
		return v2;
	case PASS_SYSTEMD:
		return systemd;
	default:
		return !v2 && !systemd;
	}
}

const char *lden_container__of_cgroup_file(const char *text, char *buf,
					  size_t size)
{
	if (!size)
		return buf;
	for (enum pass p = PASS_V2; p <= PASS_V1; p++) {
		for (const char *line = text; line && *line;) {
			const char *end = strchr(line, '\n');
			const char *colon1, *colon2;
			size_t n = end ? (size_t)(end - line) : strlen(line);

			colon1 = memchr(line, ':', n);
			colon2 = colon1 ? memchr(colon1 + 1, ':',
						 n - (size_t)(colon1 + 1 - line)) :
					  NULL;
			if (colon2 && line_in_pass(line, colon1, colon2, p) &&
			    path_match(colon2 + 1, n - (size_t)(colon2 + 1 - line),
				       buf, size) != MATCH_NONE)
				return buf;
			line = end ? end + 1 : NULL;
		}
	}
	snprintf(buf, size, "%s", LDEN_CONTAINER_HOST);
	return buf;
}

int lden_container__of_pid(pid_t pid, char *buf, size_t size)
{
	char path[64], text[8192];
	size_t len = 0;
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	while (len + 1 < sizeof(text) &&
	       (n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)n;
	n = n < 0 ? -errno : 0;
	close(fd);
	if (n < 0)
		return (int)n == -ENOENT ? -ESRCH : (int)n;
	text[len] = '\0';
	lden_container__of_cgroup_file(text, buf, size);
	return 0;
}
