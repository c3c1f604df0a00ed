// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden notify's output: header, firings, end (see notify-report.h).
 */
#include <stdio.h>
#include <sys/wait.h>

#include "escape.h"
#include "notify-report.h"

void lden_notify__print_header(FILE *out, const struct lden_notify_report *r)
{
	char mode[300];

	/* a line each: an expression's newlines escaped, as its labels' */
	fprintf(out, "lden: watching ");
	lden_fputs_escaped(out, r->expression, 0);
	fputc('\n', out);
	for (int i = 0; i < r->nevents; i++) {
		lden_attached__mode(&r->att[i], mode, sizeof(mode));
		fputs("  ", out);
		lden_label__print(out, r->st[i].label, 30);
		fprintf(out, " %s (%s)\n", r->att[i].source, mode);
	}
	fprintf(out, "  in ");
	lden_scope__describe(r->scope, out);
	fputc('\n', out);
	if (r->time_limit > 0)
		fprintf(out, "  until it is true, or for at most %g s",
			r->time_limit);
	else
		fprintf(out, "  until it is true");
	if (r->script) {
		fputs("; then runs: ", out);
		lden_fputs_escaped(out, r->script, 0);
	}
	fputc('\n', out);
}

/* ,"events":[...],"guard":[...] */
static void json_events(FILE *out, const struct lden_notify_report *r)
{
	fprintf(out, "\"events\":");
	lden_print_json_stats(out, r->st, r->nevents);
	fputc(',', out);
	lden_guard__print_json(out, r->guard);
}

void lden_notify__print_fire(FILE *out, const struct lden_notify_report *r,
			    double elapsed)
{
	if (!r->json) {
		fprintf(out, "lden: condition true after %.3f s: ", elapsed);
		lden_fputs_escaped(out, r->expression, 0);
		fputc('\n', out);
		lden_print_table(out, r->st, r->nevents);
		return;
	}
	/* the expression's bytes too when not UTF-8 (a filter's string) */
	fprintf(out, "{\"type\":\"fire\",\"elapsed\":%.3f", elapsed);
	lden_json_bytes(out, "expression", r->expression);
	fputc(',', out);
	json_events(out, r);
	fprintf(out, "}\n");
}

static void print_end_json(FILE *out, const struct lden_notify_report *r,
			   enum lden_notify_end why, double elapsed)
{
	static const char *const reasons[] = {
		[LDEN_NOTIFY_END_TIME] = "time",
		[LDEN_NOTIFY_END_COMMAND] = "command",
		[LDEN_NOTIFY_END_SIGNAL] = "signal",
	};
	int st = r->scope->command_status;

	fprintf(out, "{\"type\":\"end\",\"reason\":\"%s\",\"elapsed\":%.3f,"
		"\"fired\":%d,", reasons[why], elapsed, r->fired);
	if (why == LDEN_NOTIFY_END_COMMAND)
		fprintf(out, "\"command_status\":%d,", WIFEXITED(st) ?
			WEXITSTATUS(st) : 128 + WTERMSIG(st));
	json_events(out, r);
	fputc(',', out);
	lden_guard__print_self_json(out, r->guard);
	fprintf(out, "}\n");
}

void lden_notify__print_end(FILE *out, const struct lden_notify_report *r,
			   enum lden_notify_end why, double elapsed)
{
	int st = r->scope->command_status;
	const char *unmet = r->fired ? "" : "; condition not met";

	if (r->json) {
		print_end_json(out, r, why, elapsed);
		return;
	}
	switch (why) {
	case LDEN_NOTIFY_END_COMMAND:
		if (WIFEXITED(st))
			fprintf(out, "lden: command exited with status %d%s\n",
				WEXITSTATUS(st), unmet);
		else
			fprintf(out, "lden: command killed by signal %d%s\n",
				WTERMSIG(st), unmet);
		break;
	case LDEN_NOTIFY_END_TIME:
		if (!r->fired) {
			fprintf(out, "lden: condition not met within %g s: ",
				r->time_limit);
			lden_fputs_escaped(out, r->expression, 0);
			fputc('\n', out);
		} else
			fprintf(out, "lden: stopped after %g s, fired %d time%s\n",
				r->time_limit, r->fired,
				r->fired == 1 ? "" : "s");
		break;
	case LDEN_NOTIFY_END_SIGNAL:
		fprintf(out, "lden: stopped by signal after %.3f s\n", elapsed);
		break;
	}
	lden_print_table(out, r->st, r->nevents);
}
