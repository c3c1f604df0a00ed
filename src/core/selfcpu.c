// SPDX-License-Identifier: GPL-2.0-or-later
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "selfcpu.h"

#define MAX_THREADS 32

/*
 * Each excluded thread's CPU clock, and what it read last: a thread that
 * ended keeps the time it had (its clock then reads EINVAL, or, once its
 * id is reused, another thread's time: so a thread that ends says so).
 */
static struct {
	clockid_t clock;
	bool done;
	double last;
} threads[MAX_THREADS];
static int nthreads;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static __thread bool registered;

static double seconds(clockid_t c, double fallback)
{
	struct timespec ts;

	if (clock_gettime(c, &ts) < 0)
		return fallback;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void lden_selfcpu__exclude_thread(void)
{
	clockid_t c;

	if (registered)
		return;
	registered = true;
	if (pthread_getcpuclockid(pthread_self(), &c))
		return;
	pthread_mutex_lock(&lock);
	/* beyond the table, a thread counts as tracing: the guard errs strict */
	if (nthreads < MAX_THREADS) {
		threads[nthreads].clock = c;
		threads[nthreads].last = seconds(c, 0);
		nthreads++;
	}
	pthread_mutex_unlock(&lock);
}

void lden_selfcpu__thread_done(void)
{
	clockid_t c;

	if (!registered || pthread_getcpuclockid(pthread_self(), &c))
		return;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nthreads; i++)
		if (!threads[i].done && threads[i].clock == c) {
			threads[i].last = seconds(c, threads[i].last);
			threads[i].done = true;
		}
	pthread_mutex_unlock(&lock);
}

double lden_selfcpu__excluded(void)
{
	double sum = 0;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < nthreads; i++) {
		if (!threads[i].done)
			threads[i].last = seconds(threads[i].clock,
						  threads[i].last);
		sum += threads[i].last;
	}
	pthread_mutex_unlock(&lock);
	return sum;
}

double lden_selfcpu__tracing(void)
{
	double excluded = lden_selfcpu__excluded();
	double all = seconds(CLOCK_PROCESS_CPUTIME_ID, 0);

	return all > excluded ? all - excluded : 0;
}
