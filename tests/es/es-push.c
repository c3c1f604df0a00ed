// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * es-push: drives the Elasticsearch sink as visualize does, with numbers
 * the test knows.  Opens lden_sink_es, pushes --ticks ticks (one every
 * --every ms) of --events points each, flushes, and prints what the sink
 * says it did, plus the longest tick() and the peak RSS before and after.
 *
 * Point e of tick i (both from 0): event "test.e<e>", count e + 1,
 * count_total (i + 1) * (e + 1); odd e are sampled, with size 100 * count.
 * With --stop-size-at K, from tick K on the odd events are as the overhead
 * guard leaves them: counted, size_stopped, size_total frozen at its value
 * after tick K - 1 (and a size that means nothing).
 * With --value V, every count and size of every point (lost and missed
 * too) is V instead (2^64 - 1: what a "long" cannot hold).
 *
 * Exit: 0, 3 when the sink would not open (its message on stderr), 2 for
 * bad arguments.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sink.h"

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long hwm_kb(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "index", required_argument, NULL, 'i' },
		{ "ca", required_argument, NULL, 'c' },
		{ "required", no_argument, NULL, 'r' },
		{ "ticks", required_argument, NULL, 'k' },
		{ "every", required_argument, NULL, 'e' },
		{ "events", required_argument, NULL, 'n' },
		{ "stop-size-at", required_argument, NULL, 's' },
		{ "value", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct lden_viz_conf conf = { .host = "es-push-host", .interval = 1,
				      .es_index = "lden" };
	struct lden_sink_stats st = { 0 };
	long ticks = 10, every_ms = 100, nev = 3, hwm_start, stop_at = -1;
	unsigned long long value = 0;
	bool have_value = false;
	struct lden_point *points;
	char (*names)[32], (*sources)[64];
	char err[512];
	double max_tick = 0, next;
	void *state;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': conf.es_url = optarg; break;
		case 'i': conf.es_index = optarg; break;
		case 'c': conf.es_ca_file = optarg; break;
		case 'r': conf.es_required = true; break;
		case 'k': ticks = atol(optarg); break;
		case 'e': every_ms = atol(optarg); break;
		case 'n': nev = atol(optarg); break;
		case 's': stop_at = atol(optarg); break;
		case 'v':
			value = strtoull(optarg, NULL, 10);
			have_value = true;
			break;
		default: return 2;
		}
	}
	if (!conf.es_url || ticks < 0 || every_ms < 0 || nev < 1 ||
	    nev > 10000) {
		fprintf(stderr, "usage: es-push --url URL [--index NAME] "
				"[--ca FILE] [--required] [--ticks K] [--every MS] "
				"[--events N] [--stop-size-at K] [--value V]\n");
		return 2;
	}
	conf.interval = (double)every_ms / 1000.0;
	points = calloc((size_t)nev, sizeof(*points));
	names = calloc((size_t)nev, sizeof(*names));
	sources = calloc((size_t)nev, sizeof(*sources));
	if (!points || !names || !sources)
		return 1;
	state = lden_sink_es.open(&conf, err, sizeof(err));
	if (!state) {
		fprintf(stderr, "es-push: %s\n", err);
		free(points);
		free(names);
		free(sources);
		return 3;
	}
	printf("open\n");
	fflush(stdout);
	hwm_start = hwm_kb();
	next = mono();
	for (long i = 0; i < ticks; i++) {
		struct lden_tick t = {
			.time = wall(),
			.elapsed = (double)i * conf.interval,
			.interval = conf.interval,
			.seq = (uint64_t)i,
			.host = conf.host,
			.points = points,
			.npoints = (int)nev,
		};
		struct timespec ts;
		double t0;

		for (long e = 0; e < nev; e++) {
			uint64_t n = (uint64_t)e + 1;
			bool stopped = e % 2 && stop_at >= 0 && i >= stop_at;
			long sized = stopped ? stop_at : i + 1;

			snprintf(names[e], sizeof(names[e]), "test.e%ld", e);
			snprintf(sources[e], sizeof(sources[e]),
				 "tracepoint test:e%ld", e);
			points[e] = (struct lden_point){
				.event = names[e],
				.source = sources[e],
				.sampling = e % 2 && !stopped,
				.has_size = e % 2,
				.size_stopped = stopped,
				.count = n,
				.size = stopped ? 12345 : e % 2 ? 100 * n : 0,
				.count_total = (uint64_t)(i + 1) * n,
				.size_total = e % 2 ?
					(uint64_t)sized * n * 100 : 0,
				.speed = conf.interval > 0 ?
					(double)n / conf.interval : 0,
			};
			if (have_value) {
				points[e].count = points[e].count_total = value;
				points[e].lost = points[e].missed = value;
				if (e % 2)
					points[e].size = points[e].size_total =
						value;
			}
		}
		t0 = mono();
		lden_sink_es.tick(state, &t);
		if (mono() - t0 > max_tick)
			max_tick = mono() - t0;
		next += conf.interval;
		ts.tv_sec = (time_t)next;
		ts.tv_nsec = (long)((next - (double)ts.tv_sec) * 1e9);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	lden_sink_es.flush(state, 3.0);
	lden_sink_es.stats(state, &st);
	printf("pushed %ld sent %" PRIu64 " dropped %" PRIu64 " unknown %" PRIu64 " capped %" PRIu64 " retries %" PRIu64 " queued %" PRIu64 " max_tick_us %.0f hwm_start_kb %ld "
	       "hwm_end_kb %ld\n",
	       ticks * nev, st.sent, st.dropped, st.unknown,
	       st.capped,
	       st.retries, st.queued, max_tick * 1e6, hwm_start, hwm_kb());
	printf("last_error %s\n", st.last_error);
	lden_sink_es.close(state);
	free(points);
	free(names);
	free(sources);
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
