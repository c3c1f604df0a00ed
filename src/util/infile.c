// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "infile.h"

int lden_read_file(const char *path, size_t max, char **out, size_t *len,
		   char *err, size_t errlen)
{
	char *buf = NULL;
	size_t got = 0, cap;
	struct stat st;
	int fd, e;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		goto out_errno;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out_close;
	}
	if ((unsigned long long)st.st_size > max)
		goto out_too_large;
	/* the size may change while we read: read to EOF, within the bound */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap + 1);
	if (!buf) {
		e = ENOMEM;
		goto out_errno;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			goto out_errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max)
			goto out_too_large;
		if (got == cap) {
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *nb = realloc(buf, ncap + 1);

			if (!nb) {
				e = ENOMEM;
				goto out_errno;
			}
			buf = nb;
			cap = ncap;
		}
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;

out_too_large:
	snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
	goto out_close;
out_errno:
	snprintf(err, errlen, "%s: %s", path, strerror(e));
out_close:
	free(buf);
	close(fd);
	return -1;
}
