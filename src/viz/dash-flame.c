// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dashboard's live flame graphs: see dash-flame.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dash-flame.h"
#include "flame-live.h"
#include "flame-svg.h"

/* As many stacks as lden io keeps. */
#define MAX_STACKS 65536

static int add_graph(const struct lden_flame_meta *m, void *ctx)
{
	json_object *g = json_object_new_object();
	char when[32];

	if (!g)
		return -ENOMEM;
	json_object_object_add(g, "pid", json_object_new_int(m->pid));
	json_object_object_add(g, "title", json_object_new_string(m->title));
	json_object_object_add(g, "subtitle", json_object_new_string(m->subtitle));
	json_object_object_add(g, "notes", json_object_new_string(m->notes));
	json_object_object_add(g, "unit", json_object_new_string(m->unit));
	snprintf(when, sizeof(when), "%.3f", m->updated);
	json_object_object_add(g, "updated", json_object_new_double_s(m->updated, when));
	if (json_object_array_add(ctx, g)) {
		json_object_put(g);
		return -ENOMEM;
	}
	return 0;
}

int lden_dash_flame__list(char **body, size_t *len)
{
	json_object *o = json_object_new_object();
	json_object *graphs = json_object_new_array();
	const char *s;
	int rc = -ENOMEM;

	if (!o || !graphs || lden_flame_live__list(add_graph, graphs)) {
		json_object_put(graphs);
		goto out;
	}
	json_object_object_add(o, "dir",
			       json_object_new_string(lden_flame_live__dir()));
	json_object_object_add(o, "graphs", graphs);
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, len);
	*body = s ? strdup(s) : NULL;
	rc = *body ? 0 : -ENOMEM;
out:
	json_object_put(o);
	return rc;
}

static int message(int status, const char *text, char **body, size_t *len)
{
	*body = strdup(text);
	if (!*body)
		return -ENOMEM;
	*len = strlen(text);
	return status;
}

int lden_dash_flame__svg(const char *arg, char **body, size_t *len)
{
	struct lden_flame_opts o = { .script = false };
	struct lden_flame_meta m;
	struct lden_fold *f;
	FILE *out;
	char *end;
	long pid;
	int rc;

	errno = 0;
	pid = arg ? strtol(arg, &end, 10) : 0;
	if (!arg || !isdigit((unsigned char)*arg) || *end || errno ||
	    pid <= 0 || pid > INT32_MAX)
		return message(400, "bad 'pid': want a process id\n", body, len);
	f = lden_fold__new(MAX_STACKS);
	if (!f)
		return -ENOMEM;
	rc = lden_flame_live__load((pid_t)pid, f, &m);
	if (rc < 0) {
		lden_fold__free(f);
		if (rc == -ENOMEM)
			return rc;
		return message(404, "no live flame graph of that process\n",
			       body, len);
	}
	o.title = m.title;
	o.subtitle = m.subtitle;
	o.notes = m.notes;
	o.unit = m.unit;
	out = open_memstream(body, len);
	rc = out ? lden_flame_svg__write(f, &o, out) : -ENOMEM;
	if (out && fclose(out) != 0 && !rc)
		rc = -ENOMEM;
	lden_fold__free(f);
	if (rc < 0 && out) {
		free(*body);
		*body = NULL;
	}
	return rc < 0 ? -ENOMEM : 0;
}
