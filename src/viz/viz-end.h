/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The end of lden visualize: why it stopped, how long it ran, what it
 * counted and lost, what each sink did and what the guard did; as one
 * JSON object (-o json) or a few lines.
 */
#ifndef LDEN_VIZ_END_H
#define LDEN_VIZ_END_H

#include <stdio.h>

struct lden_viz;
struct lden_viz_sinks;
struct lden_guard;

struct lden_viz_end {
	const char *reason;	/* "command", "time", or the signal's name */
	int command_status;	/* the wait status, when reason is "command" */
	double elapsed;		/* seconds since the events were enabled */
};

/*
 * lden_viz__print_end - "lden: stopped by SIGINT after 3.100 s: 1234
 * events counted, 0 records lost" and the sinks' lines
 */
void lden_viz__print_end(FILE *out, const struct lden_viz *v,
			const struct lden_viz_end *e,
			const struct lden_viz_sinks *sinks);

/*
 * lden_viz__print_end_json - {"type":"end","host":..,"reason":..,
 * ["command_status":..,]"elapsed":..,"ticks":..,"lost_total":..,
 * "events":[..],"sinks":{..},"guard":[..],"self":{..}} and a newline
 */
void lden_viz__print_end_json(FILE *out, const struct lden_viz *v,
			     const struct lden_viz_end *e,
			     const struct lden_viz_sinks *sinks,
			     const struct lden_guard *guard);

#endif
