// SPDX-License-Identifier: GPL-2.0-or-later
/* lden io's output formats: a line or a JSON object per call, summary rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "aggregate.h"
#include "escape.h"
#include "guard.h"
#include "io-output.h"
#include "lden-trace.h"
#include "nsinfo.h"

const char *lden_io_errno_name(int64_t ret)
{
	const char *n = NULL;

	if (ret < 0 && ret > -4096)
		n = strerrorname_np((int)-ret);
	return n ? n : "E?";
}

/*
 * --show-container: the container at the call (ev->container), how it was
 * had; --ns: the task's namespaces, as read (nsinfo.h)
 */
static void print_ns_json(FILE *out, const struct lden_io_event *ev,
			  unsigned int show)
{
	if ((show & LDEN_IO_SHOW_CONTAINER) && ev->container) {
		lden_json_bytes(out, "container", ev->container);
		fprintf(out, ",\"container_source\":\"%s\"",
			ev->container_prov == LDEN_PROV_EXACT ? "exact" :
			ev->container_prov == LDEN_PROV_LATE ? "late" :
							      "unknown");
		if (ev->container_prov == LDEN_PROV_NONE && ev->container_why)
			fprintf(out, ",\"container_why\":\"%s\"",
				ev->container_why);
	}
	if (!(show & LDEN_IO_SHOW_NS) || !ev->ns)
		return;
	fputs(",\"ns\":{", out);
	for (int k = 0; k < LTR_NS_COUNT; k++) {
		fprintf(out, "%s\"%s\":", k ? "," : "",
			ltr_ns__name((enum ltr_ns)k));
		if (ev->ns->ns[k])
			fprintf(out, "%llu", (unsigned long long)ev->ns->ns[k]);
		else
			fputs("null", out);
	}
	fprintf(out, "},\"ns_source\":\"%s\"",
		ev->ns->known ? "read" : "unknown");
}

void lden_io_print_json(FILE *out, const struct lden_io_event *ev,
			uint64_t start_ns, unsigned int show)
{
	fprintf(out, "{\"type\":\"call\",\"time\":%.6f",
	       (double)(int64_t)(ev->enter_ns - start_ns) / 1e9);
	lden_json_bytes(out, "comm", ev->comm);
	fprintf(out, ",\"comm_source\":\"%s\"", lden_prov__name(ev->comm_prov));
	fprintf(out, ",\"pid\":%u", ev->pid);
	/* the thread's id: its process could not be told */
	if (ev->pid_unknown)
		fprintf(out, ",\"pid_exact\":false");
	fprintf(out, ",\"tid\":%u,\"syscall\":\"%s\"", ev->tid,
	       ev->sys->name);
	if (ev->fd >= 0)
		fprintf(out, ",\"fd\":%d", ev->fd);
	if (ev->newfd >= 0)
		fprintf(out, ",\"newfd\":%d", ev->newfd);
	if (ev->path) {
		lden_json_bytes(out, "path", ev->path);
		fprintf(out, ",\"path_source\":\"%s\"", lden_prov__name(ev->path_prov));
	}
	if (ev->path2) {
		lden_json_bytes(out, "path2", ev->path2);
		fprintf(out, ",\"path2_source\":\"%s\"",
			lden_prov__name(ev->path2_prov));
	}
	fprintf(out, ",\"ret\":%lld", (long long)ev->ret);
	if (ev->ret < 0)
		fprintf(out, ",\"errno\":\"%s\"", lden_io_errno_name(ev->ret));
	if (ev->sys->kind == LDEN_IO_READ || ev->sys->kind == LDEN_IO_WRITE)
		fprintf(out, ",\"bytes\":%llu", (unsigned long long)(ev->bytes_read +
							      ev->bytes_written));
	fprintf(out, ",\"latency_ns\":%llu", (unsigned long long)ev->latency_ns);
	print_ns_json(out, ev, show);
	fputs("}\n", out);
}

/* A path for the terminal: escaped, '?' after it when read late. */
static void path_text(const char *p, enum lden_prov prov, char *out,
		      size_t len)
{
	size_t k;

	if (!p) {
		snprintf(out, len, "-");
		return;
	}
	/* spaces too: " -> " joins a rename's two paths */
	k = lden_escape__text(p, strlen(p), LDEN_ESC_QMARK_LAST | LDEN_ESC_SPACE,
			      out, len - 4);
	if (prov == LDEN_PROV_LATE)
		snprintf(out + k, len - k, "?");
	else if (prov == LDEN_PROV_PARTIAL)
		snprintf(out + k, len - k, "...?");
}

void lden_io_print_line(FILE *out, const struct lden_io_event *ev,
			uint64_t start_ns, unsigned int show)
{
	/* not on the stack: printed for every call (one thread) */
	static char p1[4 * LDEN_IO_PATH_MAX], p2[4 * LDEN_IO_PATH_MAX];
	char res[48], fd[16], comm[80], pid[16];
	size_t k;

	if (ev->ret < 0)
		snprintf(res, sizeof(res), "%lld %s", (long long)ev->ret,
			 lden_io_errno_name(ev->ret));
	else
		snprintf(res, sizeof(res), "%lld", (long long)ev->ret);
	if (ev->fd >= 0)
		snprintf(fd, sizeof(fd), "%d", ev->fd);
	else
		strcpy(fd, "-");
	/* a '?' ending the name escaped: a bare one after it is the mark */
	k = lden_escape__text(ev->comm, strlen(ev->comm),
			      LDEN_ESC_QMARK_LAST | LDEN_ESC_SPACE, comm,
			      sizeof(comm) - 1);
	if (ev->comm_prov == LDEN_PROV_LATE)
		snprintf(comm + k, sizeof(comm) - k, "?");
	path_text(ev->path, ev->path_prov, p1, sizeof(p1));
	path_text(ev->path2, ev->path2_prov, p2, sizeof(p2));
	/* '?' after it: the thread's id, its process not known */
	snprintf(pid, sizeof(pid), "%u%s", ev->pid, ev->pid_unknown ? "?" : "");
	fprintf(out, "%12.6f %-15s %7s %7u ",
		(double)(int64_t)(ev->enter_ns - start_ns) / 1e9, comm,
		pid, ev->tid);
	if ((show & LDEN_IO_SHOW_CONTAINER) && ev->container) {
		const char *n = ev->container;
		char c[4 * LDEN_CONTAINER_MAX + 1];
		size_t len;

		/* any bytes a cgroup's name holds: escaped, spaces too;
		 * exact, or '?' after it: read at the task's first record
		 * (late); '?' alone: unknown */
		if (ev->container_prov == LDEN_PROV_NONE)
			snprintf(c, sizeof(c), "?");
		else {
			len = lden_escape__text(n, strlen(n),
						LDEN_ESC_QMARK_LAST |
						LDEN_ESC_SPACE, c,
						sizeof(c) - 1);
			c[len] = ev->container_prov == LDEN_PROV_LATE ? '?' :
									'\0';
			c[len + 1] = '\0';
		}
		fprintf(out, "%-12s ", c);
	}
	fprintf(out, "%-15s %5s %14s %10.1f %s%s%s\n", ev->sys->name, fd, res,
	       (double)ev->latency_ns / 1e3, p1,
	       ev->path2 ? " -> " : "", ev->path2 ? p2 : "");
}

static const char *key_source(char kind)
{
	switch (kind) {
	case LDEN_IO_KEY_EXACT:		return "exact";
	case LDEN_IO_KEY_LATE:		return "late";
	case LDEN_IO_KEY_PARTIAL:	return "partial";
	case LDEN_IO_KEY_FD:		return "fd";
	case LDEN_IO_KEY_NONE:		return "none";
	default:			return "other";
	}
}

/*
 * A summary row's key in the text, the last column (its spaces split
 * nothing): a path read late ends in lden's '?' ("...?" cut), so an
 * exact path's own last '?' is escaped, and its first '[' or '(' too,
 * so that it never reads as lden's "[fd N]", "[none]" or "(other)".
 */
static void print_key(FILE *out, const char *key)
{
	const char *name = key + 1;

	switch (key[0]) {
	case LDEN_IO_KEY_EXACT:
		if (*name == '[' || *name == '(')
			fprintf(out, "\\x%02x", (unsigned char)*name++);
		lden_fputs_escaped(out, name, LDEN_ESC_QMARK_LAST);
		return;
	case LDEN_IO_KEY_LATE:
	case LDEN_IO_KEY_PARTIAL:
		lden_fputs_escaped(out, name, LDEN_ESC_QMARK_LAST);
		fputs(key[0] == LDEN_IO_KEY_LATE ? "?" : "...?", out);
		return;
	case LDEN_IO_KEY_PROCESS:
		lden_fputs_escaped(out, name, 0);
		return;
	default:	/* lden's own buckets */
		fputs(name, out);
	}
}

/* A quantile in microseconds, after '~' when estimated. */
static const char *quantile_us(uint64_t ns, bool exact, char *buf, size_t len)
{
	snprintf(buf, len, "%s%.1f", exact ? "" : "~", (double)ns / 1e3);
	return buf;
}

void lden_io_print_rows(FILE *out, struct lden_io_summary *sum,
			const char *kind, bool by_bytes, bool json)
{
	const struct lden_io_row **rows;
	size_t n;
	bool estimated = false;

	rows = lden_io_summary__rows(sum, by_bytes, &n);
	if (!rows)
		return;
	if (!json)
		fprintf(out, "\n%-8s %10s %8s %14s %14s %14s %12s %12s  %s\n", "", "CALLS",
		       "ERRORS", "READ", "WRITTEN", "LAT_TOTAL_US", "P50_US",
		       "P99_US", !strcmp(kind, "file") ? "FILE" : "PROCESS");
	for (size_t i = 0; i < n; i++) {
		const struct lden_io_row *w = rows[i];
		bool p50_exact, p99_exact;
		uint64_t p50 = lden_io_row__quantile(w, 0.5, &p50_exact);
		uint64_t p99 = lden_io_row__quantile(w, 0.99, &p99_exact);
		char rb[24], wb[24], q50[32], q99[32];

		estimated |= !p50_exact || !p99_exact;

		if (json) {
			/* the exact bytes too ("key_hex") when not UTF-8 */
			fprintf(out, "{\"type\":\"%s\"", kind);
			lden_json_bytes(out, "key", w->key + 1);
			if (w->key[0] != LDEN_IO_KEY_PROCESS)
				fprintf(out, ",\"key_source\":\"%s\"",
					key_source(w->key[0]));
			fprintf(out, ",\"calls\":%llu,\"errors\":%llu,\"bytes_read\":%llu,\"bytes_written\":%llu,\"latency_total_ns\":%llu,\"latency_p50_ns\":%llu,\"latency_p99_ns\":%llu",
			       (unsigned long long)w->calls,
			       (unsigned long long)w->errors,
			       (unsigned long long)w->bytes_read,
			       (unsigned long long)w->bytes_written,
			       (unsigned long long)w->lat_total_ns,
			       (unsigned long long)p50, (unsigned long long)p99);
			/* a histogram bucket's middle, not a call's latency */
			if (!p50_exact)
				fputs(",\"latency_p50_estimated\":true", out);
			if (!p99_exact)
				fputs(",\"latency_p99_estimated\":true", out);
			/* sums past 2^64 - 1 (number.h): a mark, not a wrap */
			if (lden_u64_over(w->bytes_read))
				fputs(",\"bytes_read_overflow\":true", out);
			if (lden_u64_over(w->bytes_written))
				fputs(",\"bytes_written_overflow\":true", out);
			fputs("}\n", out);
			continue;
		}
		fprintf(out, "%-8s %10llu %8llu %14s %14s %14.1f %12s %12s  ",
			kind, (unsigned long long)w->calls,
			(unsigned long long)w->errors,
			lden_u64_str(w->bytes_read, rb, sizeof(rb)),
			lden_u64_str(w->bytes_written, wb, sizeof(wb)),
			(double)w->lat_total_ns / 1e3,
			quantile_us(p50, p50_exact, q50, sizeof(q50)),
			quantile_us(p99, p99_exact, q99, sizeof(q99)));
		print_key(out, w->key);
		fputc('\n', out);
	}
	if (estimated && !json)
		fprintf(out, "~: estimated, the middle of a histogram bucket (8 a power of two: within 1/16 of a call's latency); a row's shortest and longest call are exact\n");
	free(rows);
}

/*
 * What the guard did: on @err, a line per syscall it switched; on @json,
 * ,"guard":[..],"self":{..},"counted":{"write":N,..} (the calls of the
 * switched syscalls, counted by the kernel, exact).
 */
static void print_guard(FILE *err, FILE *json, struct lden_io_tracer *t,
			struct lden_guard *g)
{
	char note[256];
	uint64_t calls;

	if (!g)
		return;
	if (json) {
		fputc(',', json);
		lden_guard__print_json(json, g);
		fputc(',', json);
		lden_guard__print_self_json(json, g);
		fputs(",\"counted\":{", json);
	}
	for (int i = 0; i < lden_guard__nactions(g); i++) {
		const struct lden_guard_action *a = lden_guard__action(g, i);

		if (lden_io_tracer__calls(t, a->event, &calls) < 0)
			continue;
		if (json) {
			fprintf(json, "%s", i ? "," : "");
			lden_json_string(json, a->event);
			fprintf(json, ":%llu", (unsigned long long)calls);
		} else {
			lden_guard__note(a, "switched to counting", note,
					sizeof(note));
			fprintf(err, "  %s: %s; %llu calls in all\n", a->event,
				note, (unsigned long long)calls);
		}
	}
	if (json)
		fputc('}', json);
}

void lden_io_print_stats(FILE *err, FILE *json, struct lden_io_tracer *t,
			 struct lden_guard *g, uint64_t after_filter,
			 double secs)
{
	struct lden_io_stats st;
	uint64_t mism;
	double d = secs > 0 ? secs : 1e-9;
	char whose[160] = "";

	lden_io_tracer__stats(t, &st);
	mism = lden_io_pair__mismatches(&st.pair);
	/* lden's own task records are not the syscalls' */
	if (st.lost && st.lost_split)
		snprintf(whose, sizeof(whose), " (%llu of the syscalls, %llu of lden's process tracker%s)",
			 (unsigned long long)(st.lost - st.lost_tracker),
			 (unsigned long long)st.lost_tracker,
			 st.lost_tracker ? ": names may be unknown" : "");
	else if (st.lost)
		snprintf(whose, sizeof(whose), " (of the syscalls and lden's process tracker: counted together)");
	fprintf(err,
		"lden: io statistics over %.3f s:\n"
		"  tracepoints %llu (%.1f/s), %d opened, %d syscalls missing on this kernel\n"
		"  mismatches %llu (%.3f%%): %llu exits without enter, %llu enters without exit, %llu other syscall\n"
		"  syscalls %llu (%.1f/s), after filters %llu (%.1f/s), in flight at the end %llu\n"
		"  open paths: %llu exact (copied at the call), %llu late (read afterwards, marked ?), %llu partial (cut, marked ...?), %llu unavailable\n"
		"  process names: %llu calls named by a fork, exec, rename or exit (exact), %llu read from /proc (late, marked ?), %llu unavailable (gone, ?); %llu fork and rename records\n"
		"  lost records %llu%s\n"
		"  memory: %llu processes (%llu evicted), %llu fds (%llu not kept), %llu enters refused, %llu looked up in /proc (%llu failed), %llu order overflows\n",
		secs, (unsigned long long)st.tracepoints, (double)st.tracepoints / d,
		st.tracepoints_opened, st.syscalls_missing,
		(unsigned long long)mism,
		st.tracepoints ? 100.0 * (double)mism / (double)st.tracepoints : 0.0,
		(unsigned long long)st.pair.exit_without_enter,
		(unsigned long long)st.pair.enter_without_exit,
		(unsigned long long)st.pair.other_syscall,
		(unsigned long long)st.syscalls, (double)st.syscalls / d,
		(unsigned long long)after_filter, (double)after_filter / d,
		(unsigned long long)(st.pair.enters - st.pair.paired -
				     st.pair.enter_without_exit -
				     st.pair.other_syscall - st.pair.dropped -
				     st.pair.refused),
		(unsigned long long)st.open_paths[LDEN_PROV_EXACT],
		(unsigned long long)st.open_paths[LDEN_PROV_LATE],
		(unsigned long long)st.open_paths[LDEN_PROV_PARTIAL],
		(unsigned long long)st.open_paths[LDEN_PROV_NONE],
		(unsigned long long)st.comms[LDEN_PROV_EXACT],
		(unsigned long long)st.comms[LDEN_PROV_LATE],
		(unsigned long long)st.comms[LDEN_PROV_NONE],
		(unsigned long long)st.name_records,
		(unsigned long long)st.lost, whose,
		(unsigned long long)st.fdt.procs,
		(unsigned long long)st.fdt.procs_evicted,
		(unsigned long long)st.fdt.fds,
		(unsigned long long)st.fdt.fds_refused,
		(unsigned long long)st.pair.refused,
		(unsigned long long)st.fdt.proc_lookups,
		(unsigned long long)st.fdt.proc_failures,
		(unsigned long long)st.order_forced);
	if (st.fd_names_withheld)
		fprintf(err, "  fd names not shown: %llu calls on an fd closed, opened or replaced between the call and lden's read of it in /proc (another file's name then)\n",
			(unsigned long long)st.fd_names_withheld);
	if (st.unknown_pids)
		fprintf(err, "  records of a process not known (a fork not read: lost): %llu, shown with the thread id as the pid\n",
			(unsigned long long)st.unknown_pids);
	if (st.follow_gaps)
		fprintf(err, "  processes given the id of an earlier one of the command whose records may be missing (the kernel's pid filter lost the id): %llu, said above\n",
			(unsigned long long)st.follow_gaps);
	if (st.foreign)
		fprintf(err, "  records of other processes let through by the kernel's pid filter, dropped: %llu\n",
			(unsigned long long)st.foreign);
	print_guard(err, NULL, t, g);
	if (!json)
		return;
	fprintf(json, "{\"type\":\"stats\",\"open_paths\":{\"exact\":%llu,\"late\":%llu,\"partial\":%llu,\"unavailable\":%llu},\"comms\":{\"exact\":%llu,\"late\":%llu,\"unavailable\":%llu},\"name_records\":%llu,\"duration\":%.6f,\"tracepoints\":%llu,\"tracepoints_per_s\":%.1f,\"mismatches\":%llu,\"exit_without_enter\":%llu,\"enter_without_exit\":%llu,\"other_syscall\":%llu,\"syscalls\":%llu,\"syscalls_per_s\":%.1f,\"syscalls_after_filter\":%llu,\"lost\":%llu,\"procs_evicted\":%llu,\"fds_not_kept\":%llu,\"enters_refused\":%llu,\"proc_lookups\":%llu,\"order_overflows\":%llu,\"unknown_pids\":%llu,\"foreign\":%llu,\"follow_gaps\":%llu",
	       (unsigned long long)st.open_paths[LDEN_PROV_EXACT],
	       (unsigned long long)st.open_paths[LDEN_PROV_LATE],
	       (unsigned long long)st.open_paths[LDEN_PROV_PARTIAL],
	       (unsigned long long)st.open_paths[LDEN_PROV_NONE],
	       (unsigned long long)st.comms[LDEN_PROV_EXACT],
	       (unsigned long long)st.comms[LDEN_PROV_LATE],
	       (unsigned long long)st.comms[LDEN_PROV_NONE],
	       (unsigned long long)st.name_records,
	       secs, (unsigned long long)st.tracepoints,
	       (double)st.tracepoints / d, (unsigned long long)mism,
	       (unsigned long long)st.pair.exit_without_enter,
	       (unsigned long long)st.pair.enter_without_exit,
	       (unsigned long long)st.pair.other_syscall,
	       (unsigned long long)st.syscalls, (double)st.syscalls / d,
	       (unsigned long long)after_filter,
	       (unsigned long long)st.lost,
	       (unsigned long long)st.fdt.procs_evicted,
	       (unsigned long long)st.fdt.fds_refused,
	       (unsigned long long)st.pair.refused,
	       (unsigned long long)st.fdt.proc_lookups,
	       (unsigned long long)st.order_forced,
	       (unsigned long long)st.unknown_pids,
	       (unsigned long long)st.foreign,
	       (unsigned long long)st.follow_gaps);
	fprintf(json, ",\"fd_names_withheld\":%llu",
		(unsigned long long)st.fd_names_withheld);
	/* "lost" is all; lden's own task records apart where told */
	if (st.lost_split)
		fprintf(json, ",\"lost_events\":%llu,\"lost_tracker\":%llu",
			(unsigned long long)(st.lost - st.lost_tracker),
			(unsigned long long)st.lost_tracker);
	else
		fputs(",\"lost_split\":false", json);
	print_guard(NULL, json, t, g);
	fputs("}\n", json);
}
