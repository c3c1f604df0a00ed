// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "funclist.h"
#include "kallsyms.h"

/* the kernel's MAX_ERRNO: ERR_PTR values are the top 4095 addresses */
#define ERRNO_MAX 4095

static const char *const type_names[] = {
	[LDEN_RET_VOID] = "void", [LDEN_RET_INT] = "int",
	[LDEN_RET_UINT] = "uint", [LDEN_RET_LONG] = "long",
	[LDEN_RET_BOOL] = "bool", [LDEN_RET_PTR] = "ptr",
};

const char *lden_rettype__name(enum lden_rettype t)
{
	return (size_t)t < sizeof(type_names) / sizeof(type_names[0]) ?
		type_names[t] : "?";
}

static int parse_type(const char *s, enum lden_rettype *t)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (!strcmp(s, type_names[i])) {
			*t = (enum lden_rettype)i;
			return 0;
		}
	}
	return -1;
}

static bool is_ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

void lden_funclist__free(struct lden_funclist *l)
{
	free(l->f);
	l->f = NULL;
	l->n = 0;
}

int lden_funclist__load(const char *path, struct lden_funclist *l, char *err,
		       size_t errlen)
{
	FILE *fp = fopen(path, "re");
	char line[512];
	int lineno = 0, rc = 0;

	l->f = NULL;
	l->n = 0;
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), fp)) {
		char name[128], type[32], rest[8];
		struct lden_func *nf;
		enum lden_rettype t;
		int k;

		lineno++;
		line[strcspn(line, "#\n")] = '\0';
		k = sscanf(line, "%127s %31s %7s", name, type, rest);
		if (k <= 0)
			continue;
		if (k != 2 || !is_ident(name) || strlen(name) >= sizeof(l->f->name)) {
			snprintf(err, errlen, "%s:%d: expected 'FUNCTION TYPE'",
				 path, lineno);
			rc = -1;
		} else if (parse_type(type, &t) < 0) {
			snprintf(err, errlen, "%s:%d: unknown type '%s' (int, uint, long, bool, ptr or void)",
				 path, lineno, type);
			rc = -1;
		} else if (!(nf = realloc(l->f, (size_t)(l->n + 1) * sizeof(*nf)))) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		} else {
			l->f = nf;
			memset(&l->f[l->n], 0, sizeof(l->f[l->n]));
			snprintf(l->f[l->n].name, sizeof(l->f[l->n].name), "%s", name);
			l->f[l->n++].ret = t;
		}
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && !l->n) {
		snprintf(err, errlen, "%s: no functions", path);
		rc = -1;
	}
	fclose(fp);
	if (rc < 0)
		lden_funclist__free(l);
	return rc;
}

int lden_funclist__find(const char *const *dirs, int ndirs, const char *name,
		       char *path, size_t len)
{
	for (int i = ndirs - 1; i >= 0; i--) {
		snprintf(path, len, "%s/%s", dirs[i], name);
		if (access(path, R_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

int lden_funclist__check(struct lden_funclist *l, const struct lden_kallsyms *k)
{
	int n = 0;

	for (int i = 0; i < l->n; i++) {
		l->f[i].present = lden_kallsyms__has(k, l->f[i].name);
		n += l->f[i].present;
	}
	return n;
}

bool lden_rettype__format(enum lden_rettype t, uint64_t raw, char *buf,
			 size_t len, int64_t *num)
{
	int64_t v;

	switch (t) {
	case LDEN_RET_INT:
		v = (int32_t)(uint32_t)raw;
		break;
	case LDEN_RET_UINT:
		v = (uint32_t)raw;
		break;
	case LDEN_RET_LONG:
		v = (int64_t)raw;
		break;
	case LDEN_RET_BOOL:
		v = (uint8_t)raw;
		break;
	case LDEN_RET_PTR:
		if ((int64_t)raw < 0 && (int64_t)raw >= -ERRNO_MAX) {
			v = (int64_t)raw;
			break;
		}
		if (!raw) {
			v = 0;
			break;
		}
		snprintf(buf, len, "0x%" PRIx64, raw);
		return false;
	default:
		snprintf(buf, len, "%s", "");
		return false;
	}
	snprintf(buf, len, "%" PRId64, v);
	*num = v;
	return true;
}
