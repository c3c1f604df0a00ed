// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden trace exec: new programs with their arguments (bpftrace's
 * execsnoop job).  sched:sched_process_exec carries the file name and
 * the pid but no argv, so the argument list is read from
 * /proc/PID/cmdline as soon as the sample arrives; a process that has
 * already exited (or exec'd again) by then shows an empty one.
 */
#include <stdio.h>
#include <string.h>

#include "lden-trace.h"
#include "proc.h"
#include "recipe.h"
#include "row.h"

static int exec_attach(struct lden_recipe *r, struct ltr_session *s,
		       const struct lden_scope *scope, char *err,
		       size_t errlen)
{
	return lden_recipe_open_event(r, s, "sched", "sched_process_exec",
				      NULL, scope, 0, err, errlen);
}

/* "ppid SEP uid SEP comm SEP argv": the new program's, read now */
static void exec_capture(struct lden_recipe *r, const struct ltr_sample *s,
			 char *extra, size_t len)
{
	char comm[64] = "?", argv[4096] = "";
	pid_t pid = (pid_t)s->pid, ppid = -1;
	uid_t uid = (uid_t)-1;

	lden_proc_ids(pid, &ppid, &uid);
	lden_proc_comm(pid, comm, sizeof(comm));
	lden_proc_cmdline(pid, argv, sizeof(argv));
	lden_recipe_printable(comm);
	lden_recipe_printable(argv);
	snprintf(extra, len, "%d" LDEN_SEP "%d" LDEN_SEP "%s" LDEN_SEP "%s",
		 (int)ppid, uid == (uid_t)-1 ? -1 : (int)uid, comm, argv);
}

static int exec_sample(struct lden_recipe *r, const struct ltr_sample *s,
		       const char *extra, struct lden_row *row)
{
	const struct ltr_field *f = ltr_event__field(s->event, "filename");
	char ppid[16], uid[16], comm[64], argv[4096];
	const char *file = "?";
	size_t n = 1;

	if (f && ltr_field__str(f, s, &file, &n) < 0) {
		file = "?";
		n = 1;
	}
	lden_recipe_part(extra, 0, ppid, sizeof(ppid));
	lden_recipe_part(extra, 1, uid, sizeof(uid));
	lden_recipe_part(extra, 2, comm, sizeof(comm));
	lden_recipe_part(extra, 3, argv, sizeof(argv));
	lden_row_add(row, "pid", true, "%u", s->pid);
	lden_row_add(row, "ppid", strcmp(ppid, "-1") != 0, "%s",
		     strcmp(ppid, "-1") ? ppid : "?");
	lden_row_add(row, "uid", strcmp(uid, "-1") != 0, "%s",
		     strcmp(uid, "-1") ? uid : "?");
	lden_row_add(row, "comm", false, "%s", comm);
	lden_row_add(row, "filename", false, "%.*s", (int)n, file);
	lden_row_add(row, "argv", false, "%s", argv);
	return 1;
}

const struct lden_recipe_def lden_recipe_exec = {
	.name = "exec",
	.command = "trace",
	.summary = "new programs: pid, ppid, uid, comm, file name, arguments",
	.columns = "PID PPID UID COMM FILENAME ARGV",
	.attach = exec_attach,
	.capture = exec_capture,
	.sample = exec_sample,
};
