// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden watch's journal action: one structured entry a transition,
 * through the journal's API (sd_journal_sendv() of libsystemd, loaded
 * with dlopen() on first use, so that lden does not carry libsystemd and
 * what it pulls in when no rule writes to the journal), else one line
 * of key=value words to syslog (see actions.h).
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "number.h"
#include "actions.h"
#include "aggregate.h"

#define SYSTEMD_SONAME "libsystemd.so.0"
#define MAX_FIELDS 512
#define SYSLOG_SOCKET "/dev/log"
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static __typeof__(sd_journal_sendv) *sendv;

static void load(void)
{
	void *h = dlopen(SYSTEMD_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (h)
		sendv = (__typeof__(sd_journal_sendv) *)dlsym(h, "sd_journal_sendv");
	openlog("lden", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

struct fields {
	struct iovec iov[MAX_FIELDS];
	int n;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static void field(struct fields *f, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int len;

	if (f->n == MAX_FIELDS || f->failed)
		return;
	va_start(ap, fmt);
	len = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (len < 0) {
		f->failed = true;
		return;
	}
	f->iov[f->n].iov_base = s;
	f->iov[f->n++].iov_len = (size_t)len;
}

static int priority(const struct lden_alert *a)
{
	return a->state == LDEN_RULE_FIRING ? LOG_WARNING :
	       a->state == LDEN_RULE_RESOLVED ? LOG_NOTICE : LOG_INFO;
}

static void fields_of(struct fields *f, const struct lden_alert *a)
{
	bool count_exact, size_exact;
	char name[LDEN_ENV_NAME_LEN], note[1024];

	lden_alert__exactness(a, &count_exact, &size_exact, note, sizeof(note));
	field(f, "MESSAGE=lden: rule %s %s (was %s): %s%s%s", a->rule,
	      lden_rule_state__name(a->state), lden_rule_state__name(a->from),
	      a->describe ? a->describe : a->expression,
	      note[0] ? " -- " : "", note);
	field(f, "PRIORITY=%d", priority(a));
	field(f, "SYSLOG_IDENTIFIER=lden");
	field(f, "RULE=%s", a->rule);
	field(f, "STATE=%s", lden_rule_state__name(a->state));
	field(f, "FROM=%s", lden_rule_state__name(a->from));
	field(f, "FIRED=%u", a->fired);
	field(f, "EXPRESSION=%s", a->expression);
	field(f, "COUNT_EXACT=%d", count_exact);
	field(f, "SIZE_EXACT=%d", size_exact);
	if (note[0])
		field(f, "EXACTNESS=%s", note);
	for (int i = 0; i < a->nlabels; i++) {
		lden_env_name(a->labels[i].key, name, sizeof(name));
		field(f, "LABEL_%s=%s", name, a->labels[i].value);
	}
	for (int i = 0; i < a->nvalues; i++) {
		const struct lden_alert_value *v = &a->values[i];
		char num[24];

		lden_env_name_among(a->values[0].name, sizeof(a->values[0]),
				    a->nvalues, i, name, sizeof(name));
		field(f, "LDEN_%s_COUNT=%" PRIu64, name, v->count);
		if (v->has_size)
			field(f, "LDEN_%s_SIZE=%s%s", name,
			      lden_u64_str(v->size, num, sizeof(num)),
			      v->size_valid ? "" : " (size stopped)");
		field(f, "LDEN_%s_SPEED=%.0f%s", name, v->speed,
		      v->speed_estimated ? " (estimated)" : "");
		field(f, "LDEN_%s_LOST=%" PRIu64, name, v->lost);
		field(f, "LDEN_%s_MISSED=%" PRIu64, name, v->missed);
	}
}

/* rule=x state=firing from=pending fired=1 task.create.count=3 ... */
static void to_syslog(const struct lden_alert *a)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	if (!f)
		return;
	fprintf(f, "rule=%s state=%s from=%s fired=%u", a->rule,
		lden_rule_state__name(a->state), lden_rule_state__name(a->from),
		a->fired);
	for (int i = 0; i < a->nvalues; i++) {
		const struct lden_alert_value *v = &a->values[i];
		char num[24];

		fprintf(f, " %s.count=%" PRIu64, v->name, v->count);
		if (v->has_size)
			fprintf(f, " %s.size=%s%s", v->name,
				lden_u64_str(v->size, num, sizeof(num)),
				v->size_valid ? "" : "(stopped)");
		fprintf(f, " %s.speed=%s%.0f", v->name,
			v->speed_estimated ? "~" : "", v->speed);
		if (v->lost)
			fprintf(f, " %s.lost=%" PRIu64, v->name, v->lost);
		if (v->missed)
			fprintf(f, " %s.missed=%" PRIu64, v->name, v->missed);
	}
	if (fclose(f) == 0)
		syslog(priority(a), "%s", line);
	free(line);
}

int lden_deliver_journal(const struct lden_alert *a, const char **via,
			 char *err, size_t errlen)
{
	struct fields f = { .n = 0 };
	int rc = -ENOSYS;

	pthread_once(&once, load);
	/* sd_journal_sendv() says nothing when journald is not there */
	if (sendv && access(JOURNAL_SOCKET, W_OK) < 0)
		rc = -errno;
	else if (sendv) {
		fields_of(&f, a);
		rc = f.failed ? -ENOMEM : sendv(f.iov, f.n);
		for (int i = 0; i < f.n; i++)
			free(f.iov[i].iov_base);
	}
	if (rc == 0) {
		*via = "journal";
		return 0;
	}
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "journal: out of memory");
		return -1;
	}
	/* no libsystemd, or no journald listening: the system's syslog,
	 * if there is one (syslog(3) would lose the line without a word) */
	if (access(SYSLOG_SOCKET, W_OK) < 0) {
		snprintf(err, errlen, "no journal (%s%s%s) and no syslog (%s: %s)",
			 sendv ? JOURNAL_SOCKET : "no " SYSTEMD_SONAME,
			 sendv ? ": " : "", sendv ? strerror(-rc) : "",
			 SYSLOG_SOCKET, strerror(errno));
		return -1;
	}
	to_syslog(a);
	*via = "syslog";
	return 0;
}
