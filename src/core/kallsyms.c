// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"

struct sym {
	uint64_t addr;
	char *name;
	char *module;		/* NULL: the kernel itself */
};

struct lden_kallsyms {
	struct sym *syms;	/* by address */
	char **names;		/* by name, borrowed from syms */
	size_t n;
	bool have_addrs;
};

static int cmp_addr(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void lden_kallsyms__free(struct lden_kallsyms *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++) {
		free(k->syms[i].name);
		free(k->syms[i].module);
	}
	free(k->syms);
	free(k->names);
	free(k);
}

static int add(struct lden_kallsyms *k, size_t *cap, uint64_t addr,
	       const char *name, const char *module)
{
	struct sym *s;

	if (k->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 65536;
		struct sym *ns = realloc(k->syms, nc * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		k->syms = ns;
		*cap = nc;
	}
	s = &k->syms[k->n];
	s->addr = addr;
	s->name = strdup(name);
	s->module = module ? strdup(module) : NULL;
	if (!s->name || (module && !s->module)) {
		free(s->name);
		free(s->module);
		return -ENOMEM;
	}
	k->n++;
	if (addr)
		k->have_addrs = true;
	return 0;
}

struct lden_kallsyms *lden_kallsyms__load(const char *path)
{
	struct lden_kallsyms *k = calloc(1, sizeof(*k));
	char line[512];
	size_t cap = 0;
	int err = 0;
	FILE *f;

	if (!k)
		return NULL;
	f = fopen(path ? path : "/proc/kallsyms", "re");
	if (!f) {
		err = errno;
		free(k);
		errno = err;
		return NULL;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		char type, name[256], module[128];
		unsigned long long addr;
		int n;

		/* "ffffffff81000000 T name [module]" */
		n = sscanf(line, "%llx %c %255s [%127[^]]]", &addr, &type, name,
			   module);
		if (n < 3 || (type != 't' && type != 'T'))
			continue;
		err = -add(k, &cap, addr, name, n == 4 ? module : NULL);
	}
	fclose(f);
	if (!err) {
		k->names = malloc((k->n ? k->n : 1) * sizeof(*k->names));
		if (!k->names)
			err = ENOMEM;
	}
	if (err) {
		lden_kallsyms__free(k);
		errno = err;
		return NULL;
	}
	qsort(k->syms, k->n, sizeof(*k->syms), cmp_addr);
	for (size_t i = 0; i < k->n; i++)
		k->names[i] = k->syms[i].name;
	qsort(k->names, k->n, sizeof(*k->names), cmp_name);
	return k;
}

bool lden_kallsyms__has(const struct lden_kallsyms *k, const char *name)
{
	return bsearch(&name, k->names, k->n, sizeof(*k->names),
		       cmp_name) != NULL;
}

int lden_kallsyms__addr_name(const struct lden_kallsyms *k, uint64_t addr,
			    char *buf, size_t len)
{
	size_t lo = 0, hi = k->n;
	const struct sym *s;

	if (!k->have_addrs)
		return -EPERM;
	/* the last symbol at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -ENOENT;
	s = &k->syms[lo - 1];
	snprintf(buf, len, "%s+0x%llx%s%s%s", s->name,
		 (unsigned long long)(addr - s->addr), s->module ? " [" : "",
		 s->module ? s->module : "", s->module ? "]" : "");
	return 0;
}

int lden_kallsyms__ranges(const struct lden_kallsyms *k, const char *name,
			 uint64_t (*ranges)[2], int max)
{
	int n = 0;

	if (!k->have_addrs)
		return -EPERM;
	for (size_t i = 0; i < k->n; i++) {
		if (strcmp(k->syms[i].name, name) || k->syms[i].module)
			continue;
		/* ends where the next function (at another address) starts */
		for (size_t e = i + 1; e < k->n; e++) {
			if (k->syms[e].addr == k->syms[i].addr)
				continue;
			if (n == max)
				return -E2BIG;
			ranges[n][0] = k->syms[i].addr;
			ranges[n][1] = k->syms[e].addr;
			n++;
			break;
		}
	}
	return n;
}

size_t lden_kallsyms__count(const struct lden_kallsyms *k)
{
	return k->n;
}
