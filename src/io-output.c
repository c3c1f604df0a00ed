// SPDX-License-Identifier: GPL-2.0-or-later
/* lden io's output formats: a line or a JSON object per call, summary rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "io-output.h"

const char *lden_io_errno_name(int64_t ret)
{
	const char *n = NULL;

	if (ret < 0 && ret > -4096)
		n = strerrorname_np((int)-ret);
	return n ? n : "E?";
}

void lden_io_print_json(FILE *out, const struct lden_io_event *ev,
			uint64_t start_ns)
{
	fprintf(out, "{\"type\":\"call\",\"time\":%.6f,\"comm\":",
	       (double)(int64_t)(ev->enter_ns - start_ns) / 1e9);
	lden_json_string(out, ev->comm);
	fprintf(out, ",\"pid\":%u,\"tid\":%u,\"syscall\":\"%s\"", ev->pid, ev->tid,
	       ev->sys->name);
	if (ev->fd >= 0)
		fprintf(out, ",\"fd\":%d", ev->fd);
	if (ev->newfd >= 0)
		fprintf(out, ",\"newfd\":%d", ev->newfd);
	if (ev->path) {
		fprintf(out, ",\"path\":");
		lden_json_string(out, ev->path);
	}
	if (ev->path2) {
		fprintf(out, ",\"path2\":");
		lden_json_string(out, ev->path2);
	}
	fprintf(out, ",\"ret\":%lld", (long long)ev->ret);
	if (ev->ret < 0)
		fprintf(out, ",\"errno\":\"%s\"", lden_io_errno_name(ev->ret));
	if (ev->sys->kind == LDEN_IO_READ || ev->sys->kind == LDEN_IO_WRITE)
		fprintf(out, ",\"bytes\":%llu", (unsigned long long)(ev->bytes_read +
							      ev->bytes_written));
	fprintf(out, ",\"latency_ns\":%llu}\n", (unsigned long long)ev->latency_ns);
}

void lden_io_print_line(FILE *out, const struct lden_io_event *ev,
			uint64_t start_ns)
{
	char res[48], fd[16];

	if (ev->ret < 0)
		snprintf(res, sizeof(res), "%lld %s", (long long)ev->ret,
			 lden_io_errno_name(ev->ret));
	else
		snprintf(res, sizeof(res), "%lld", (long long)ev->ret);
	if (ev->fd >= 0)
		snprintf(fd, sizeof(fd), "%d", ev->fd);
	else
		strcpy(fd, "-");
	fprintf(out, "%12.6f %-15s %7u %7u %-15s %5s %14s %10.1f %s%s%s\n",
	       (double)(int64_t)(ev->enter_ns - start_ns) / 1e9, ev->comm,
	       ev->pid, ev->tid, ev->sys->name, fd, res,
	       (double)ev->latency_ns / 1e3, ev->path ? ev->path : "-",
	       ev->path2 ? " -> " : "", ev->path2 ? ev->path2 : "");
}

void lden_io_print_rows(FILE *out, struct lden_io_summary *sum,
			const char *kind, bool by_bytes, bool json)
{
	const struct lden_io_row **rows;
	size_t n;

	rows = lden_io_summary__rows(sum, by_bytes, &n);
	if (!rows)
		return;
	if (!json)
		fprintf(out, "\n%-8s %10s %8s %14s %14s %14s %12s %12s  %s\n", "", "CALLS",
		       "ERRORS", "READ", "WRITTEN", "LAT_TOTAL_US", "P50_US",
		       "P99_US", !strcmp(kind, "file") ? "FILE" : "PROCESS");
	for (size_t i = 0; i < n; i++) {
		const struct lden_io_row *w = rows[i];
		uint64_t p50 = lden_io_row_quantile(w, 0.5);
		uint64_t p99 = lden_io_row_quantile(w, 0.99);

		if (json) {
			fprintf(out, "{\"type\":\"%s\",\"key\":", kind);
			lden_json_string(out, w->key);
			fprintf(out, ",\"calls\":%llu,\"errors\":%llu,\"bytes_read\":%llu,\"bytes_written\":%llu,\"latency_total_ns\":%llu,\"latency_p50_ns\":%llu,\"latency_p99_ns\":%llu}\n",
			       (unsigned long long)w->calls,
			       (unsigned long long)w->errors,
			       (unsigned long long)w->bytes_read,
			       (unsigned long long)w->bytes_written,
			       (unsigned long long)w->lat_total_ns,
			       (unsigned long long)p50, (unsigned long long)p99);
			continue;
		}
		fprintf(out, "%-8s %10llu %8llu %14llu %14llu %14.1f %12.1f %12.1f  %s\n",
		       kind, (unsigned long long)w->calls,
		       (unsigned long long)w->errors,
		       (unsigned long long)w->bytes_read,
		       (unsigned long long)w->bytes_written,
		       (double)w->lat_total_ns / 1e3, (double)p50 / 1e3,
		       (double)p99 / 1e3, w->key);
	}
	free(rows);
}

