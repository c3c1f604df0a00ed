// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden watch's rules without a kernel: a rules file parsed field by
 * field; malformed files, each with its exact "FILE:LINE: message" and
 * the column its caret points at; durations; files and directories read
 * (FIFOs, devices and oversized files refused); the templates of labels
 * and annotations rendered; and the per-rule state machine driven by a
 * clock of the test's own (for, keep-firing-for, cooldown).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rule-state.h"
#include "rule-template.h"
#include "rules.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char good[] =
	"# a comment\n"
	"rule fork-storm\n"
	"\tdescribe\tmore than {{ 500 }} new tasks a second\n"
	"\twhen\t\tspeed(task.create) > 500\n"
	"\tfor\t\t10s\n"
	"\tkeep-firing-for\t1m30s\n"
	"\tcooldown\t500ms\n"
	"\tlabels\t\tseverity=page team=\"plat form\" rate={{ speed(task.create) }}\n"
	"\tannotation\tsummary {{ speed(task.create) }} tasks/s\n"
	"\taction\t\talertmanager http://127.0.0.1:9093 https://am2:9093/x\n"
	"\taction\t\texec /usr/local/bin/collect-ps.sh --all\n"
	"\taction webhook http://127.0.0.1:8080/hook\n"
	"\taction journal\n"
	"\n"
	"rule quiet\n"
	"  when count(sys.kill) > 0 and size(disk.read) > 1Mi\n"
	"  cgroup /sys/fs/cgroup/app\n";

static void parse_good(void **state)
{
	struct lden_rules rs = { 0 };
	struct lden_rules_error err;
	const struct lden_rule *r;

	assert_int_equal(lden_rules__parse(&rs, good, "x.rules", &err), 0);
	assert_int_equal(rs.n, 2);
	r = lden_rules__find(&rs, "fork-storm");
	assert_non_null(r);
	assert_int_equal(r->line, 2);
	assert_string_equal(r->describe, "more than {{ 500 }} new tasks a second");
	assert_string_equal(r->when, "speed(task.create) > 500");
	assert_int_equal(r->expr->nevents, 1);
	assert_int_equal(r->when_src.line, 4);
	assert_int_equal(r->when_src.col, 7);
	assert_string_equal(r->when_src.file, "x.rules");
	assert_true(r->for_s == 10);
	assert_true(r->keep_firing_s == 90);
	assert_true(r->cooldown_s == 0.5);
	assert_int_equal(r->nlabels, 3);
	assert_string_equal(r->labels[0].name, "severity");
	assert_string_equal(r->labels[0].text, "page");
	assert_string_equal(r->labels[1].name, "team");
	assert_string_equal(r->labels[1].text, "plat form");
	assert_string_equal(r->labels[2].text, "{{ speed(task.create) }}");
	assert_int_equal(r->nannotations, 1);
	assert_string_equal(r->annotations[0].name, "summary");
	assert_string_equal(r->annotations[0].text,
			    "{{ speed(task.create) }} tasks/s");
	assert_int_equal(r->annotations[0].tpl->nparts, 2);
	assert_int_equal(r->nactions, 4);
	assert_int_equal(r->actions[0].kind, LDEN_ACTION_ALERTMANAGER);
	assert_int_equal(r->actions[0].nargs, 2);
	assert_string_equal(r->actions[0].args[1], "https://am2:9093/x");
	assert_int_equal(r->actions[1].kind, LDEN_ACTION_EXEC);
	assert_string_equal(r->actions[1].args[0],
			    "/usr/local/bin/collect-ps.sh --all");
	assert_int_equal(r->actions[2].kind, LDEN_ACTION_WEBHOOK);
	assert_int_equal(r->actions[3].kind, LDEN_ACTION_JOURNAL);
	assert_int_equal(r->actions[3].nargs, 0);
	assert_null(r->cgroup);

	r = lden_rules__find(&rs, "quiet");
	assert_non_null(r);
	assert_int_equal(r->expr->nevents, 2);
	assert_true(r->expr->events[1].need_size);
	assert_string_equal(r->cgroup, "/sys/fs/cgroup/app");
	assert_int_equal(r->nactions, 0);
	assert_true(r->for_s == 0 && r->keep_firing_s == 0);
	lden_rules__free(&rs);
}

/* A rule changed in any field is not the same rule; an identical one is. */
static void same_rule(void **state)
{
	static const char *const changed[] = {
		"rule a\n when count(sys.kill) > 1\n for 2s\n",
		"rule a\n when count(sys.kill) > 0\n for 3s\n",
		"rule a\n when count(sys.kill) > 0\n for 2s\n labels x=1\n",
		"rule a\n when count(sys.kill) > 0\n for 2s\n action journal\n",
		"rule a\n when count(sys.kill) > 0\n for 2s\n cooldown 1s\n",
		"rule a\n when count(sys.kill) > 0\n for 2s\n describe d\n",
	};
	const char *base = "rule a\n when count(sys.kill) > 0\n for 2s\n";
	struct lden_rules a = { 0 }, b = { 0 };
	struct lden_rules_error err;

	assert_int_equal(lden_rules__parse(&a, base, "a", &err), 0);
	/* whitespace and comments do not matter */
	assert_int_equal(lden_rules__parse(&b, "# c\nrule a\n\twhen\tcount(sys.kill) > 0\n  for 2s  \n",
					  "b", &err), 0);
	assert_true(lden_rule__same(&a.rules[0], &b.rules[0]));
	for (size_t i = 0; i < ARRAY_SIZE(changed); i++) {
		lden_rules__free(&b);
		assert_int_equal(lden_rules__parse(&b, changed[i], "b", &err), 0);
		assert_false(lden_rule__same(&a.rules[0], &b.rules[0]));
	}
	lden_rules__free(&a);
	lden_rules__free(&b);
}

/* ------------------------------------------------------------------ */
/* Malformed files: the exact first line and where the caret goes */

struct bad_case {
	const char *text;
	const char *msg;
	int col;	/* the caret's column in the line, -1: no caret line */
	int len;	/* its length (the ~ after ^, plus one) */
};

static const struct bad_case bad_cases[] = {
	{ "when count(sys.kill) > 1\n",
	  "f.rules:1: 'when' before any 'rule' line", 0, 4 },
	{ "rule\n", "f.rules:1: 'rule' needs a name", 4, 1 },
	{ "rule a b\n",
	  "f.rules:1: invalid rule name 'a b' (letters, digits and _ . : -, at most 128, first a letter or digit)", 5, 3 },
	{ "rule -x\n when count(sys.kill) > 1\n",
	  "f.rules:1: invalid rule name '-x' (letters, digits and _ . : -, at most 128, first a letter or digit)", 5, 2 },
	{ "rule a\n when count(sys.kill) > 1\nrule a\n when count(sys.kill) > 2\n",
	  "f.rules:3: rule 'a' defined twice (first at f.rules:1)", 5, 1 },
	{ "rule a\n describe x\n",
	  "f.rules:1: rule 'a' has no 'when' line", -1, 0 },
	{ "rule a\n when count(sys.kill) > 1\n wehn x\n",
	  "f.rules:3: unknown keyword 'wehn' (expected rule, describe, when, for, keep-firing-for, cooldown, labels, annotation, action or cgroup)", 1, 4 },
	{ "rule a\n when\n", "f.rules:2: 'when' needs a value", 1, 4 },
	{ "rule a\n when count(sys.kill) > 1\n when count(sys.kill) > 2\n",
	  "f.rules:3: a second 'when' line for rule 'a'", 1, 4 },
	{ "rule a\n when count(task.create)\n",
	  "f.rules:2: the expression is a number, not a condition: compare it, e.g. '> 100'", 6, 18 },
	{ "rule a\n\twhen\tcount(task.create) >\n",
	  "f.rules:2: expected a value, found the end", 26, 1 },
	{ "rule a\n when countt(task.create) > 1\n",
	  "f.rules:2: unknown data 'countt' (expected count, size or speed)", 6, 6 },
	{ "rule a\n when count(sys.kill) > 1\n for 10\n",
	  "f.rules:3: invalid duration '10' (expected a number and a unit: 500ms, 10s, 5m, 1h, 1d)", 5, 2 },
	{ "rule a\n when count(sys.kill) > 1\n for 10 s\n",
	  "f.rules:3: invalid duration '10 s' (expected a number and a unit: 500ms, 10s, 5m, 1h, 1d)", 5, 2 },
	{ "rule a\n when count(sys.kill) > 1\n for -1s\n",
	  "f.rules:3: invalid duration '-1s' (expected a number and a unit: 500ms, 10s, 5m, 1h, 1d)", 5, 3 },
	{ "rule a\n when count(sys.kill) > 1\n keep-firing-for 5y\n",
	  "f.rules:3: invalid duration '5y' (expected a number and a unit: 500ms, 10s, 5m, 1h, 1d)", 17, 2 },
	{ "rule a\n when count(sys.kill) > 1\n cooldown 400d\n",
	  "f.rules:3: invalid duration '400d' (expected a number and a unit: 500ms, 10s, 5m, 1h, 1d)", 10, 4 },
	{ "rule a\n when count(sys.kill) > 1\n for 1s\n for 2s\n",
	  "f.rules:4: a second 'for' line for rule 'a'", 1, 3 },
	{ "rule a\n when count(sys.kill) > 1\n labels severity\n",
	  "f.rules:3: expected NAME=VALUE, got 'severity'", 8, 8 },
	{ "rule a\n when count(sys.kill) > 1\n labels 1x=y\n",
	  "f.rules:3: invalid label name '1x' (letters, digits and '_', not first a digit)", 8, 2 },
	{ "rule a\n when count(sys.kill) > 1\n labels alertname=x\n",
	  "f.rules:3: label 'alertname' is lden's own (the rule's name and the host)", 8, 9 },
	{ "rule a\n when count(sys.kill) > 1\n labels host=x\n",
	  "f.rules:3: label 'host' is lden's own (the rule's name and the host)", 8, 4 },
	{ "rule a\n when count(sys.kill) > 1\n labels a=1 a=2\n",
	  "f.rules:3: label 'a' given twice (first at line 3)", 12, 1 },
	/* one environment variable for two names: the last value would win */
	{ "rule a\n when count(sys.kill) > 1\n labels sev=1 SEV=2\n",
	  "f.rules:3: label 'SEV' and 'sev' (line 3) would be one variable, LDEN_LABEL_SEV, in an exec action's environment: rename one", 14, 3 },
	{ "rule a\n when count(sys.kill) > 1\n labels a_b=1\n labels a__b=2\n",
	  "f.rules:4: label 'a__b' and 'a_b' (line 3) would be one variable, LDEN_LABEL_A_B, in an exec action's environment: rename one", 8, 4 },
	{ "rule a\n when count(sys.kill) > 1\n labels _=1\n",
	  "f.rules:3: label '_' has no letter or digit: it cannot be named in an exec action's environment", 8, 1 },
	{ "rule a\n when count(sys.kill) > 1\n annotation Summary x\n annotation summary y\n",
	  "f.rules:4: annotation 'summary' and 'Summary' (line 3) would be one variable, LDEN_ANNOTATION_SUMMARY, in an exec action's environment: rename one", 12, 7 },
	{ "rule a\n when count(sys.kill) > 1\n labels a=\n",
	  "f.rules:3: label 'a' has no value", 8, 2 },
	{ "rule a\n when count(sys.kill) > 1\n labels a=\"b c\n",
	  "f.rules:3: unterminated '\"' in a label value", 10, 1 },
	{ "rule a\n when count(sys.kill) > 1\n labels a=\"b\"c\n",
	  "f.rules:3: expected a space after the value of label 'a'", 13, 1 },
	{ "rule a\n when count(sys.kill) > 1\n annotation summary\n",
	  "f.rules:3: annotation 'summary' has no text", 12, 7 },
	{ "rule a\n when count(sys.kill) > 1\n annotation s {{ speed(task.create) \n",
	  "f.rules:3: unclosed '{{' (expected '}}')", 14, 2 },
	{ "rule a\n when count(sys.kill) > 1\n annotation s rate }} x\n",
	  "f.rules:3: '}}' without '{{'", 19, 2 },
	{ "rule a\n when count(sys.kill) > 1\n annotation s {{ }}\n",
	  "f.rules:3: empty '{{ }}': put a value in it, e.g. '{{ speed(task.create) }}'", 14, 5 },
	{ "rule a\n when count(sys.kill) > 1\n annotation s {{ speed(task.create) > 1 }}\n",
	  "f.rules:3: this is a condition, not a number: a value is wanted here", 17, 22 },
	{ "rule a\n when count(sys.kill) > 1\n annotation s x {{ speed(task.create }}\n",
	  "f.rules:3: missing ')'", 24, 1 },
	{ "rule a\n describe d\n when count(sys.kill) > 1\n annotation description x\n",
	  "f.rules:4: annotation 'description' is the rule's 'describe' line", 12, 11 },
	{ "rule a\n when count(sys.kill) > 1\n action pager http://x\n",
	  "f.rules:3: unknown action 'pager' (expected alertmanager, webhook, exec or journal)", 8, 5 },
	{ "rule a\n when count(sys.kill) > 1\n action alertmanager\n",
	  "f.rules:3: action alertmanager needs one or more URLs", 8, 12 },
	{ "rule a\n when count(sys.kill) > 1\n action alertmanager 127.0.0.1:9093\n",
	  "f.rules:3: invalid URL '127.0.0.1:9093' (expected http://HOST[:PORT][/PATH] or https://...)", 21, 14 },
	{ "rule a\n when count(sys.kill) > 1\n action webhook http://a http://b\n",
	  "f.rules:3: action webhook takes one URL (one action per URL)", 25, 8 },
	{ "rule a\n when count(sys.kill) > 1\n action webhook ftp://a/\n",
	  "f.rules:3: invalid URL 'ftp://a/' (expected http://HOST[:PORT][/PATH] or https://...)", 16, 8 },
	{ "rule a\n when count(sys.kill) > 1\n action webhook http:///x\n",
	  "f.rules:3: invalid URL 'http:///x' (expected http://HOST[:PORT][/PATH] or https://...)", 16, 9 },
	{ "rule a\n when count(sys.kill) > 1\n action exec\n",
	  "f.rules:3: action exec needs a command", 8, 4 },
	{ "rule a\n when count(sys.kill) > 1\n action journal now\n",
	  "f.rules:3: action journal takes no value", 16, 3 },
	{ "rule a\n when count(sys.kill) > 1\n cgroup app\n",
	  "f.rules:3: cgroup 'app' is not an absolute path (/sys/fs/cgroup/...)", 8, 3 },
	{ "rule a\n when count(sys.kill) > 1\n cgroup /a\n cgroup /b\n",
	  "f.rules:4: a second 'cgroup' line for rule 'a'", 1, 6 },
	{ "rule a\n when count(sys.kill) > 1\n describe x\x1b[2Jy\n",
	  "f.rules:3: control byte 0x1b in column 12 (a rules file is text)", -1, 0 },
	{ "rule a\n when count(sys.kill) > 1\n describe x\n describe y\n",
	  "f.rules:4: a second 'describe' line for rule 'a'", 1, 8 },
};

static void bad_files(void **state)
{
	int failed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct lden_rules rs = { 0 };
		struct lden_rules_error err;
		char buf[2048];

		if (lden_rules__parse(&rs, c->text, "f.rules", &err) == 0) {
			print_error("case %zu parsed: %s\n", i, c->text);
			failed++;
			lden_rules__free(&rs);
			continue;
		}
		if (strcmp(err.msg, c->msg)) {
			print_error("case %zu:\n  want %s\n  got  %s\n", i,
				    c->msg, err.msg);
			failed++;
		}
		if (err.col != c->col || (c->col >= 0 && err.len != c->len)) {
			print_error("case %zu (%s): caret at %d len %d, want %d len %d\n",
				    i, c->msg, err.col, err.len, c->col, c->len);
			failed++;
		}
		/* a rules set that failed keeps nothing of the file */
		assert_int_equal(rs.n, 0);
		lden_rules__format_error(&err, buf, sizeof(buf));
		assert_memory_equal(buf, c->msg, strlen(c->msg));
		if (c->col >= 0)
			assert_non_null(strstr(buf, "\n  "));
		lden_rules__free(&rs);
	}
	assert_int_equal(failed, 0);
	assert_true(ARRAY_SIZE(bad_cases) >= 30);
}

/*
 * Tabs are expanded to spaces (stops every 8 columns) in the line and
 * under it, so the caret is under the column at fault on any terminal,
 * and no \x09 reaches it.
 */
static void caret_with_tabs(void **state)
{
	struct lden_rules rs = { 0 };
	struct lden_rules_error err;
	char buf[1024];

	assert_int_equal(lden_rules__parse(&rs, "rule a\n\twhen\tcount(x.y) > \n",
					  "t.rules", &err), -1);
	lden_rules__format_error(&err, buf, sizeof(buf));
	assert_string_equal(buf, "t.rules:2: expected a value, found the end\n"
			    "          when    count(x.y) > \n"
			    "                              ^");
	lden_rules__free(&rs);
}

/* An error in a later file drops that file's rules, not the earlier. */
static void error_keeps_earlier(void **state)
{
	struct lden_rules rs = { 0 };
	struct lden_rules_error err;

	assert_int_equal(lden_rules__parse(&rs, "rule a\n when count(sys.kill) > 0\n",
					  "1.rules", &err), 0);
	assert_int_equal(lden_rules__parse(&rs, "rule b\n when count(sys.kill) > 0\nrule c\n",
					  "2.rules", &err), -1);
	assert_string_equal(err.msg, "2.rules:3: rule 'c' has no 'when' line");
	assert_int_equal(rs.n, 1);
	assert_int_equal(lden_rules__parse(&rs, "rule a\n when count(sys.kill) > 0\n",
					  "3.rules", &err), -1);
	assert_string_equal(err.msg, "3.rules:1: rule 'a' defined twice (first at 1.rules:1)");
	lden_rules__free(&rs);
}

/*
 * Hostile input, a poor man's fuzzing (run under ASan and UBSan in CI):
 * the good file mutated 20,000 times (bytes flipped, inserted from a set
 * that matters to the parser, deleted, lines doubled), with a fixed seed.
 * Whatever it parses to, nothing crashes or leaks, and an error always
 * names the file and a line that exists, its caret inside that line.
 */
static void mutated_files(void **state)
{
	static const char special[] = "{}()[]=\"\\ \t\n#:.-_0s";
	size_t glen = strlen(good);
	unsigned int seed = 19;

	for (int iter = 0; iter < 20000; iter++) {
		char text[4096], buf[256];
		struct lden_rules rs = { 0 };
		struct lden_rules_error err;
		size_t len = glen;
		int lines = 1;

		memcpy(text, good, glen + 1);
		for (int m = 0; m < 1 + iter % 6; m++) {
			size_t at = (size_t)rand_r(&seed) % (len + 1);
			int op = rand_r(&seed) % 4;
			char c = rand_r(&seed) % 2 ?
				 special[rand_r(&seed) % (sizeof(special) - 1)] :
				 (char)(1 + rand_r(&seed) % 255);

			if (op == 0 && at < len) {
				text[at] = c;
			} else if (op == 1 && len + 2 < sizeof(text)) {
				memmove(text + at + 1, text + at, len - at + 1);
				text[at] = c;
				len++;
			} else if (op == 2 && at < len) {
				memmove(text + at, text + at + 1, len - at);
				len--;
			} else if (len * 2 + 1 < sizeof(text)) {
				memmove(text + len, text, len + 1);
				len *= 2;
			}
		}
		text[len] = '\0';
		for (size_t i = 0; i < strlen(text); i++)
			lines += text[i] == '\n';
		if (lden_rules__parse(&rs, text, "m.rules", &err) < 0) {
			int line = atoi(err.msg + strlen("m.rules:"));

			if (strncmp(err.msg, "m.rules:", 8) || line < 1 ||
			    line > lines)
				fail_msg("iteration %d: '%s' (%d lines)", iter,
					 err.msg, lines);
			if (err.col > (int)strlen(err.line) + 1)
				fail_msg("iteration %d: caret at %d past '%s'",
					 iter, err.col, err.line);
			lden_rules__format_error(&err, buf, sizeof(buf));
			lden_rules__format_error(&err, buf, 8);
		}
		lden_rules__free(&rs);
	}
}

static void durations(void **state)
{
	static const struct { const char *s; double v; } ok[] = {
		{ "0s", 0 }, { "500ms", 0.5 }, { "10s", 10 }, { "1.5s", 1.5 },
		{ "5m", 300 }, { "1h", 3600 }, { "1d", 86400 },
		{ "1m30s", 90 }, { "1h0m1s", 3601 },
	};
	static const char *const bad[] = {
		"", "10", "s", "1x", "-1s", "1 s", "1sm", "1e400s", "400d",
		" 1s", "1s ", "0x10s",
	};
	double v;

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(lden_parse_duration(ok[i].s, &v), 0);
		assert_true(fabs(v - ok[i].v) < 1e-9);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (lden_parse_duration(bad[i], &v) == 0)
			fail_msg("'%s' parsed as %g", bad[i], v);
}

/* ------------------------------------------------------------------ */
/* Files and directories */

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void files(void **state)
{
	struct lden_rules rs = { 0 };
	struct lden_rules_error err;
	const char *paths[2];
	char path[256];

	snprintf(dir, sizeof(dir), "/tmp/lden-rules-XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_file("b.rules", "rule b\n when count(sys.kill) > 0\n");
	write_file("a.rules", "rule a\n when count(sys.kill) > 0\n");
	write_file("c.txt", "not rules at all\n");
	write_file(".hidden.rules", "junk\n");
	paths[0] = dir;
	/* *.rules only, in name order */
	assert_int_equal(lden_rules__load(&rs, paths, 1, false, &err), 0);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.rules[0].name, "a");
	assert_string_equal(rs.rules[1].name, "b");
	lden_rules__free(&rs);

	/* a missing directory: skipped or an error, as asked */
	snprintf(path, sizeof(path), "%s/none", dir);
	paths[0] = path;
	assert_int_equal(lden_rules__load(&rs, paths, 1, true, &err), 0);
	assert_int_equal(rs.n, 0);
	assert_int_equal(lden_rules__load(&rs, paths, 1, false, &err), -1);
	assert_non_null(strstr(err.msg, "No such file or directory"));
	assert_int_equal(err.col, -1);

	/* a FIFO is refused at once, not waited on */
	snprintf(path, sizeof(path), "%s/fifo.rules", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	paths[0] = path;
	assert_int_equal(lden_rules__load(&rs, paths, 1, false, &err), -1);
	assert_non_null(strstr(err.msg, "fifo.rules: not a regular file"));
	paths[0] = dir;
	assert_int_equal(lden_rules__load(&rs, paths, 1, false, &err), -1);
	assert_non_null(strstr(err.msg, "fifo.rules: not a regular file"));
	unlink(path);

	/* a device, and a file over the bound */
	paths[0] = "/dev/zero";
	assert_int_equal(lden_rules__load(&rs, paths, 1, false, &err), -1);
	assert_string_equal(err.msg, "/dev/zero: not a regular file");
	snprintf(path, sizeof(path), "%s/big.rules", dir);
	assert_int_equal(truncate(path, 0) == 0 || errno == ENOENT, 1);
	{
		int fd = open(path, O_WRONLY | O_CREAT, 0600);

		assert_true(fd >= 0);
		assert_int_equal(ftruncate(fd, LDEN_RULES_FILE_MAX + 1), 0);
		close(fd);
	}
	paths[0] = path;
	assert_int_equal(lden_rules__load(&rs, paths, 1, false, &err), -1);
	assert_non_null(strstr(err.msg, "big.rules: larger than 4194304 bytes"));
	unlink(path);

	/* a NUL byte */
	snprintf(path, sizeof(path), "%s/nul.rules", dir);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fwrite("rule a\n\0x", 1, 9, f);
		fclose(f);
	}
	assert_int_equal(lden_rules__load(&rs, paths, 1, false, &err), -1);
	assert_non_null(strstr(err.msg, "nul.rules: not a text file (a NUL byte)"));
	unlink(path);

	/* two paths: a file and a directory */
	snprintf(path, sizeof(path), "%s/a.rules", dir);
	paths[0] = path;
	paths[1] = dir;
	assert_int_equal(lden_rules__load(&rs, paths, 2, false, &err), -1);
	assert_memory_equal(err.msg + strlen(dir) + 1,
			    "a.rules:1: rule 'a' defined twice (first at ", 44);
	lden_rules__free(&rs);
	snprintf(path, sizeof(path), "%s/a.rules", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/b.rules", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/c.txt", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/.hidden.rules", dir);
	unlink(path);
	rmdir(dir);
}

/* ------------------------------------------------------------------ */
/* Templates */

/*
 * @ctx NULL: exact numbers; else the LDEN_TPL_* bits each use reads:
 * size() the size bits, count() the count's, speed() the speed's
 */
static void fake_value(const struct lden_expr *e, unsigned int *marks,
		       void *ctx, char *buf, size_t len)
{
	unsigned int give = ctx ? *(const unsigned int *)ctx : 0;

	struct lden_expr_values v[4];

	for (int i = 0; i < e->nevents; i++) {
		v[i] = (struct lden_expr_values){
			.count = 1048576, .size = 3, .speed = 812.25 };
		/* big.y: a size past 2^53, given exact (and rounded in its
		 * double, as a caller's would be) */
		if (!strcmp(e->events[i].name, "big.y"))
			v[i] = (struct lden_expr_values){
				.count = 3, .size = 9007199254740993.0,
				.speed = 1, .exact = true, .icount = 3,
				.isize = 9007199254740993ull };
		if (e->events[i].need_size)
			*marks |= give & (LDEN_TPL_SIZE_STOPPED |
					  LDEN_TPL_SIZE_SHORT);
		if (e->events[i].need_count)
			*marks |= give & LDEN_TPL_COUNT_SHORT;
		if (e->events[i].need_speed)
			*marks |= give & LDEN_TPL_SPEED_ESTIMATED;
	}
	lden_expr__format_value(e, v, buf, len);
}

static void templates(void **state)
{
	static const struct { const char *in, *out, *stale; } cases[] = {
		{ "no value", "no value", "no value" },
		{ "{{ speed(task.create) }} tasks/s", "812.25 tasks/s", NULL },
		{ "{{count(x.y)}}", "1048576", NULL },
		{ "a {{ count(x.y) / 3 }} b", "a 349525.333 b", NULL },
		{ "{{ size(x.y) }}B", "3B", "3 (size stopped)B" },
		{ "{{ size(x.y) - size(x.y) }}", "0", NULL },
		{ "{{ 0 / 0 }}", "NaN", NULL },
		{ "{{ -count(x.y) }}", "-1048576", NULL },
		{ "{{ 1 / 3000 }}", "0.000333", NULL },
		{ "x{{ 1 }}{{ 2 }}y", "x12y", NULL },
		/* past 2^53: a size and what is computed of it exactly in full
		 * (a double has ...992), a fraction of it marked '~' */
		{ "{{ size(big.y) }}", "9007199254740993", NULL },
		{ "{{ size(big.y) * 1000 + 7 }}", "9007199254740993007", NULL },
		{ "{{ size(big.y) * 3 / 3 - count(big.y) }}", "9007199254740990", NULL },
		{ "{{ size(big.y) % 10 }}", "3", NULL },
		{ "{{ size(big.y) / 4 }}", "~2251799813685248", NULL },
		{ "{{ size(big.y) / 2 }}", "~4503599627370496", NULL },
		{ "{{ 18446744073709551615 * 2 }}", "36893488147419103230", NULL },
		{ "{{ 1e17 + 1 }}", "~1e+17", NULL },
	};
	static const struct { const char *in; unsigned int give; const char *out; } marked[] = {
		{ "{{ speed(task.create) }} tasks/s", LDEN_TPL_SPEED_ESTIMATED,
		  "812.25 (speed estimated) tasks/s" },
		{ "{{ count(x.y) }}", LDEN_TPL_COUNT_SHORT,
		  "1048576 (count short)" },
		{ "{{ count(x.y) }}", LDEN_TPL_SPEED_ESTIMATED | LDEN_TPL_SIZE_SHORT,
		  "1048576" },
		{ "{{ size(x.y) }}", LDEN_TPL_SIZE_SHORT, "3 (size short)" },
		{ "{{ size(x.y) / count(x.y) + speed(x.y) }}",
		  LDEN_TPL_SIZE_SHORT | LDEN_TPL_COUNT_SHORT |
		  LDEN_TPL_SPEED_ESTIMATED,
		  "812.25 (size short, count short, speed estimated)" },
		{ "{{ size(x.y) }} {{ speed(x.y) }}",
		  LDEN_TPL_SIZE_STOPPED | LDEN_TPL_SPEED_ESTIMATED,
		  "3 (size stopped) 812.25 (speed estimated)" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct lden_expr_error err;
		struct lden_template *t = lden_template__parse(cases[i].in, &err);
		char *s;

		if (!t)
			fail_msg("'%s': %s", cases[i].in, err.msg);
		s = lden_template__render(t, fake_value, NULL);
		assert_string_equal(s, cases[i].out);
		free(s);
		if (cases[i].stale) {
			unsigned int give = LDEN_TPL_SIZE_STOPPED;

			s = lden_template__render(t, fake_value, &give);
			assert_string_equal(s, cases[i].stale);
			free(s);
		}
		lden_template__free(t);
	}
	/*
	 * a value that reads a number not exact says which, as the table
	 * marks it ('~' speed, '>=' count); only for the numbers it reads
	 */
	for (size_t i = 0; i < ARRAY_SIZE(marked); i++) {
		struct lden_expr_error err;
		struct lden_template *t = lden_template__parse(marked[i].in, &err);
		unsigned int give = marked[i].give;
		char *s;

		if (!t)
			fail_msg("'%s': %s", marked[i].in, err.msg);
		s = lden_template__render(t, fake_value, &give);
		assert_string_equal(s, marked[i].out);
		free(s);
		lden_template__free(t);
	}
}

static void format_values(void **state)
{
	static const struct { double v; const char *s; } cases[] = {
		{ 0, "0" }, { 18446744073709551615.0, "~1.8446744073709552e+19" },
		{ 9007199254740992.0, "~9007199254740992" },
		{ 9007199254740991.0, "9007199254740991" }, { 2.5, "2.5" },
		{ -0.125, "-0.125" }, { 1e-9, "1e-09" }, { INFINITY, "+Inf" },
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		lden_format_value(cases[i].v, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].s);
	}
}

/* ------------------------------------------------------------------ */
/* The state machine, on the test's clock */

/* step the machine with a string of truths, one a second from @t0: each
 * char t/f; returns the states after each step as letters i/p/F/r */
static void run(struct lden_rule_sm *sm, const char *truths, double t0,
		double dt, char *out)
{
	for (int i = 0; truths[i]; i++) {
		static const char letters[] = "ipFr";

		lden_rule_sm__step(sm, truths[i] == 't', t0 + i * dt, NULL);
		out[i] = letters[sm->state];
	}
	out[strlen(truths)] = '\0';
}

static void state_machine(void **state)
{
	static const struct {
		double for_s, keep_s, cool_s;
		const char *truths, *states;
		unsigned int fired;
	} cases[] = {
		/* no for: fires at the first true tick, resolves at the first false */
		{ 0, 0, 0, "fttfft", "iFFrrF", 2 },
		/* for 3 s: a 2 s burst is held back, 3 s of truth fires */
		{ 3, 0, 0, "ttfftttt", "ppiipppF", 1 },
		{ 3, 0, 0, "tftftftf", "pipipipi", 0 },
		/* keep-firing-for 2 s: a 1 s dip does not resolve, 2 s do */
		{ 0, 2, 0, "tftffft", "FFFFFrF", 2 },
		{ 0, 2, 0, "tfffff", "FFFrrr", 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct lden_rule_sm sm;
		char got[32];

		lden_rule_sm__init(&sm, cases[i].for_s, cases[i].keep_s,
				  cases[i].cool_s, 100);
		run(&sm, cases[i].truths, 100, 1, got);
		if (strcmp(got, cases[i].states))
			fail_msg("case %zu (%s): want %s, got %s", i,
				 cases[i].truths, cases[i].states, got);
		assert_int_equal(sm.fired, cases[i].fired);
	}
}

static void cooldown(void **state)
{
	struct lden_rule_sm sm;
	enum lden_rule_state from;
	char got[32];

	lden_rule_sm__init(&sm, 0, 0, 4, 0);
	/* fires at 0, resolves at 1, true at 2 and 3: pending (cooldown
	 * until 4), fires at 4 */
	run(&sm, "tftttt", 0, 1, got);
	assert_string_equal(got, "FrppFF");
	assert_int_equal(sm.fired, 2);
	assert_true(sm.fired_at == 4);

	/* transitions say where from */
	lden_rule_sm__init(&sm, 1, 0, 0, 0);
	assert_true(lden_rule_sm__step(&sm, true, 0, &from));
	assert_int_equal(from, LDEN_RULE_INACTIVE);
	assert_int_equal(sm.state, LDEN_RULE_PENDING);
	assert_false(lden_rule_sm__step(&sm, true, 0.5, &from));
	assert_true(lden_rule_sm__step(&sm, true, 1.0, &from));
	assert_int_equal(from, LDEN_RULE_PENDING);
	assert_int_equal(sm.state, LDEN_RULE_FIRING);
	assert_true(sm.since == 1.0);
	assert_true(lden_rule_sm__step(&sm, false, 1.1, &from));
	assert_int_equal(from, LDEN_RULE_FIRING);
	assert_string_equal(lden_rule_state__name(sm.state), "resolved");
	assert_string_equal(lden_rule_state__name(LDEN_RULE_INACTIVE), "inactive");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_good),
		cmocka_unit_test(same_rule),
		cmocka_unit_test(bad_files),
		cmocka_unit_test(caret_with_tabs),
		cmocka_unit_test(error_keeps_earlier),
		cmocka_unit_test(mutated_files),
		cmocka_unit_test(durations),
		cmocka_unit_test(files),
		cmocka_unit_test(templates),
		cmocka_unit_test(format_values),
		cmocka_unit_test(state_machine),
		cmocka_unit_test(cooldown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
