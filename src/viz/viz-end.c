// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The end report of lden visualize (viz-end.h).
 */
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include <json-c/json.h>

#include "guard.h"
#include "viz.h"
#include "viz-end.h"
#include "viz-sinks.h"

static void totals(const struct lden_viz *v, uint64_t *total, uint64_t *lost,
		   uint64_t *missed)
{
	*total = 0;
	*missed = 0;
	for (int i = 0; i < v->n; i++) {
		*total += v->st[i].count;
		*missed += v->st[i].missed;
	}
	*lost = lden_lost_total(v->st, v->n);
}

void lden_viz__print_end(FILE *out, const struct lden_viz *v,
			const struct lden_viz_end *e,
			const struct lden_viz_sinks *sinks)
{
	int cs = e->command_status;
	uint64_t total, lost, missed;

	totals(v, &total, &lost, &missed);
	if (!strcmp(e->reason, "command") && WIFEXITED(cs))
		fprintf(out, "lden: the command exited with status %d",
			WEXITSTATUS(cs));
	else if (!strcmp(e->reason, "command"))
		fprintf(out, "lden: the command was killed by signal %d",
			WTERMSIG(cs));
	else
		fprintf(out, "lden: stopped by %s",
			!strcmp(e->reason, "time") ? "--time" : e->reason);
	fprintf(out, " after %.3f s: %s%llu events counted, %llu records lost",
		e->elapsed, missed ? "at least " : "",
		(unsigned long long)total, (unsigned long long)lost);
	if (missed)
		fprintf(out, ", %llu hits missed by kprobes (counts short by up to that)",
			(unsigned long long)missed);
	fputc('\n', out);
	lden_viz_sinks__report(sinks, out);
}

void lden_viz__print_end_json(FILE *out, const struct lden_viz *v,
			     const struct lden_viz_end *e,
			     const struct lden_viz_sinks *sinks,
			     const struct lden_guard *guard)
{
	struct json_object *o = json_object_new_object();
	uint64_t total, lost, missed;
	const char *js;
	char num[64];

	totals(v, &total, &lost, &missed);
	json_object_object_add(o, "type", json_object_new_string("end"));
	json_object_object_add(o, "host", json_object_new_string(v->host));
	json_object_object_add(o, "reason", json_object_new_string(e->reason));
	if (!strcmp(e->reason, "command")) {
		int cs = e->command_status;

		json_object_object_add(o, "command_status", json_object_new_int(
					       WIFEXITED(cs) ? WEXITSTATUS(cs) :
					       128 + WTERMSIG(cs)));
	}
	snprintf(num, sizeof(num), "%.3f", e->elapsed);
	json_object_object_add(o, "elapsed",
			       json_object_new_double_s(e->elapsed, num));
	json_object_object_add(o, "ticks", json_object_new_uint64(v->seq));
	json_object_object_add(o, "lost_total", json_object_new_uint64(lost));
	json_object_object_add(o, "missed_total", json_object_new_uint64(missed));
	json_object_object_add(o, "events", lden_viz__totals_json(v));
	json_object_object_add(o, "sinks", lden_viz_sinks__json(sinks));
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					       JSON_C_TO_STRING_NOSLASHESCAPE);
	/* the guard's part, as lden notify prints it: before the last brace */
	fprintf(out, "%.*s,", (int)strlen(js) - 1, js);
	lden_guard__print_json(out, guard);
	fputc(',', out);
	lden_guard__print_self_json(out, guard);
	fprintf(out, "}\n");
	json_object_put(o);
}
