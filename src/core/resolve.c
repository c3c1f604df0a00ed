// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Resolution: the first source of a catalog event that this kernel has.
 * Tracepoints are looked up in tracefs; kprobe sources need kprobe_events
 * and a function in kallsyms, which is read only when such a source is
 * reached (never on kernels where every event has a tracepoint).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "kallsyms.h"
#include "lden-trace.h"
#include "resolve.h"

struct lden_kernel {
	char *tracing_dir;
	bool kprobes;
	bool tracefs_readable;
	bool kallsyms_loaded;
	struct lden_kallsyms *ksyms;	/* NULL until needed, or unreadable */
};

struct lden_kernel *lden_kernel__new(const char *tracing_dir)
{
	struct lden_kernel *k = calloc(1, sizeof(*k));
	char path[4096];

	if (!k)
		return NULL;
	k->tracing_dir = strdup(tracing_dir);
	if (!k->tracing_dir) {
		free(k);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/kprobe_events", tracing_dir);
	k->kprobes = access(path, F_OK) == 0;
	snprintf(path, sizeof(path), "%s/events", tracing_dir);
	k->tracefs_readable = access(path, R_OK | X_OK) == 0;
	return k;
}

void lden_kernel__free(struct lden_kernel *k)
{
	if (!k)
		return;
	lden_kallsyms__free(k->ksyms);
	free(k->tracing_dir);
	free(k);
}

const char *lden_kernel__tracing_dir(const struct lden_kernel *k)
{
	return k->tracing_dir;
}

static bool has_function(struct lden_kernel *k, const char *name)
{
	if (!k->kallsyms_loaded) {
		k->kallsyms_loaded = true;
		k->ksyms = lden_kallsyms__load(NULL);
	}
	return k->ksyms && lden_kallsyms__has(k->ksyms, name);
}

static bool has_tracepoint(const struct lden_kernel *k, const struct lden_tp *tp)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", k->tracing_dir,
		 tp->system, tp->name);
	return access(path, F_OK) == 0;
}

/*
 * Whether every field a size expression names is in the tracepoint's
 * format (fields come and go between kernel versions: mark_victim's rss
 * arrived in 6.8).  A textual check: no format parse.
 */
static bool size_fields_present(const struct lden_kernel *k,
				 const struct lden_tp *tp, const char *expr)
{
	char path[4096], fmt[16384], name[130];
	const char *p = expr;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/%s/%s/format", k->tracing_dir,
		 tp->system, tp->name);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(fmt, 1, sizeof(fmt) - 1, f);
	fclose(f);
	fmt[n] = '\0';
	while (*p) {
		size_t len;

		if (!isalpha((unsigned char)*p) && *p != '_') {
			/* skip numbers whole, so 0x1f is not a name */
			if (isdigit((unsigned char)*p))
				while (isalnum((unsigned char)*p))
					p++;
			else
				p++;
			continue;
		}
		len = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (len < 120 && strncmp(p, "PAGE_SIZE", len)) {
			char with_semi[132], with_br[132];

			memcpy(name, p, len);
			name[len] = '\0';
			snprintf(with_semi, sizeof(with_semi), " %s;", name);
			snprintf(with_br, sizeof(with_br), " %s[", name);
			if (!strstr(fmt, with_semi) && !strstr(fmt, with_br))
				return false;
		}
		p += len;
	}
	return true;
}

/*
 * Whether a joined size can be had: this tracepoint's key field, and at
 * least one of the events it joins to, with theirs and their size's.
 */
static bool join_present(const struct lden_kernel *k, const struct lden_tp *tp)
{
	char key[140];
	bool any = false;

	snprintf(key, sizeof(key), "%s", tp->joins[0].key);
	if (!size_fields_present(k, tp, key))
		return false;
	for (int j = 0; j < tp->njoins && !any; j++) {
		const struct lden_join *jn = &tp->joins[j];
		struct lden_tp from = { .system = jn->system, .name = jn->name };
		char need[600];

		snprintf(need, sizeof(need), "%s + %s", jn->from_key, jn->size);
		any = has_tracepoint(k, &from) &&
		      size_fields_present(k, &from, need);
	}
	return any;
}

__attribute__((format(printf, 2, 3)))
static void tried(struct lden_resolution *res, const char *fmt, ...)
{
	size_t used = strlen(res->tried);
	va_list ap;

	if (used >= sizeof(res->tried) - 3)
		return;
	if (used) {
		memcpy(res->tried + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(res->tried + used, sizeof(res->tried) - used, fmt, ap);
	va_end(ap);
}

static const char *probe_kind(const struct lden_source *s)
{
	return s->kind == LDEN_SRC_KPROBE ? "kprobe" : "kretprobe";
}

/*
 * The "also" probes of a kprobe source whose function this kernel has
 * (udpv6_sendmsg, tcp_sendpage...), and the source's text: "kretprobe
 * udp_sendmsg (+2 more)".
 */
static void resolve_more(struct lden_kernel *k, const struct lden_source *s,
			 struct lden_resolution *res)
{
	int found = 0;

	for (int m = 0; m < s->nmore && m < LDEN_MAX_MORE; m++) {
		const struct lden_source *ms = &s->more[m];

		res->more_funcs[m] = NULL;
		for (int f = 0; f < ms->nfuncs && !res->more_funcs[m]; f++)
			if (has_function(k, ms->funcs[f]))
				res->more_funcs[m] = ms->funcs[f];
		if (res->more_funcs[m])
			found++;
		else
			tried(res, "%s %s: no such kernel function (not attached)",
			      probe_kind(ms), ms->funcs[0]);
	}
	if (found)
		snprintf(res->source_text, sizeof(res->source_text),
			 "%s %s (+%d more)", probe_kind(s), res->func, found);
	else
		snprintf(res->source_text, sizeof(res->source_text), "%s %s",
			 probe_kind(s), res->func);
}

int lden_kernel__has_function(struct lden_kernel *k, const char *name)
{
	if (has_function(k, name))
		return 1;
	return k->ksyms ? 0 : -1;
}

const char *lden_kernel__unseen_per_task(struct lden_kernel *k,
					 const char *system, const char *name)
{
	if (strcmp(system, "sched") || strcmp(name, "sched_process_exit"))
		return NULL;
	/* not told (an error): the open says what is wrong */
	if (ltr_exit_seen_per_task(k->tracing_dir) != 0)
		return NULL;
	return "a task's own perf events do not see it on this kernel (do_exit() detaches them before it fires)";
}

/*
 * Whether a tracepoint source cannot count per task here: each of its
 * tracepoints present is unseen (said in res->tried).
 */
static bool unseen_per_task(struct lden_kernel *k, const struct lden_source *s,
			    struct lden_resolution *res)
{
	bool any = false;

	for (int t = 0; t < s->ntps && t < 8; t++) {
		const char *why;

		if (!res->tp_present[t])
			continue;
		why = lden_kernel__unseen_per_task(k, s->tps[t].system,
						   s->tps[t].name);
		if (!why)
			return false;
		tried(res, "tracepoint %s:%s: not per process: %s",
		      s->tps[t].system, s->tps[t].name, why);
		any = true;
	}
	return any;
}

int lden_resolve(struct lden_kernel *k, const struct lden_event_def *def,
		 struct lden_resolution *res)
{
	return lden_resolve_scoped(k, def, false, res);
}

int lden_resolve_scoped(struct lden_kernel *k,
			const struct lden_event_def *def, bool per_task,
			struct lden_resolution *res)
{
	memset(res, 0, sizeof(*res));
	res->def = def;
	if (!k->tracefs_readable) {
		snprintf(res->reason, sizeof(res->reason),
			 "cannot read tracefs at %s (run as root)", k->tracing_dir);
		return -1;
	}
	bool unseen = false;

	for (int i = 0; i < def->nsrcs; i++) {
		const struct lden_source *s = &def->srcs[i];

		if (s->kind == LDEN_SRC_TRACEPOINT) {
			int found = 0;

			for (int t = 0; t < s->ntps && t < 8; t++) {
				res->tp_present[t] = has_tracepoint(k, &s->tps[t]);
				found += res->tp_present[t];
				if (!res->tp_present[t])
					tried(res, "tracepoint %s:%s: not on this kernel",
					      s->tps[t].system, s->tps[t].name);
			}
			if (!found)
				continue;
			if (per_task && unseen_per_task(k, s, res)) {
				unseen = true;
				continue;
			}
			res->src = s;
			res->has_size = false;
			for (int t = 0; t < s->ntps; t++)
				if (res->tp_present[t] &&
				    (s->tps[t].size ?
				     size_fields_present(k, &s->tps[t], s->tps[t].size) :
				     s->tps[t].njoins && join_present(k, &s->tps[t])))
					res->has_size = true;
			snprintf(res->source_text, sizeof(res->source_text),
				 "tracepoint %s:%s%s", s->tps[0].system,
				 s->tps[0].name, s->ntps > 1 ? " (+more)" : "");
			for (int t = 0; t < s->ntps; t++) {
				if (res->tp_present[t]) {
					snprintf(res->source_text,
						 sizeof(res->source_text),
						 "tracepoint %s:%s%s",
						 s->tps[t].system, s->tps[t].name,
						 found > 1 ? " (+more)" : "");
					break;
				}
			}
			return 0;
		}

		if (!k->kprobes) {
			tried(res, "%s %s: this kernel has no kprobe_events (CONFIG_KPROBES is off)",
			      s->kind == LDEN_SRC_KPROBE ? "kprobe" : "kretprobe",
			      s->funcs[0]);
			continue;
		}
		for (int f = 0; f < s->nfuncs; f++) {
			if (has_function(k, s->funcs[f])) {
				res->src = s;
				res->func = s->funcs[f];
				res->has_size = s->size != NULL;
				resolve_more(k, s, res);
				return 0;
			}
			tried(res, "%s %s: no such kernel function",
			      s->kind == LDEN_SRC_KPROBE ? "kprobe" : "kretprobe",
			      s->funcs[f]);
		}
	}
	/* the reason a user can act on: what its sources needed */
	bool tps = false, probes = false;

	for (int i = 0; i < def->nsrcs; i++) {
		tps |= def->srcs[i].kind == LDEN_SRC_TRACEPOINT;
		probes |= def->srcs[i].kind != LDEN_SRC_TRACEPOINT;
	}
	if (unseen)
		snprintf(res->reason, sizeof(res->reason),
			 "%s", k->kprobes || !probes ?
			 "per process, its tracepoint is not seen on this kernel (do_exit() detaches a task's perf events before it fires), and it has no other source here; count it in a --cgroup or the whole machine" :
			 "per process, its tracepoint is not seen on this kernel (do_exit() detaches a task's perf events before it fires), and its kprobe fallback needs kprobes (CONFIG_KPROBES is off); count it in a --cgroup or the whole machine");
	else if (!k->kprobes && probes)
		snprintf(res->reason, sizeof(res->reason), "%s",
			 tps ? "no tracepoint for it on this kernel, and no kprobe support (CONFIG_KPROBES is off)" :
			       "it needs kprobes, and this kernel has no kprobe support (CONFIG_KPROBES is off)");
	else if (!probes)
		snprintf(res->reason, sizeof(res->reason),
			 "its tracepoint is not on this kernel");
	else
		snprintf(res->reason, sizeof(res->reason),
			 "none of its tracepoints or kernel functions exist on this kernel");
	return -1;
}
