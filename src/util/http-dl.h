/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libcurl (the Elasticsearch sink) and libmicrohttpd (/metrics and the
 * dashboard), loaded at run time by the visualize sinks that use them.
 *
 * lden is not linked with either: with what they pull in (TLS, Kerberos,
 * LDAP, ...) they were two thirds of every command's resident memory and
 * a fifth of its start-up, for two sinks of one command.  http-dl.c
 * defines the functions lden calls under the libraries' own names and
 * forwards each call to the library loaded here, so the code that uses
 * them is written as against the libraries themselves.
 */
#ifndef LDEN_HTTP_DL_H
#define LDEN_HTTP_DL_H

#include <stddef.h>

/*
 * lden_http_dl__curl - load libcurl, once (thread-safe)
 * Returns 0, or -1 with @err set to a one-line message naming the library
 * and the Debian package that has it.  Call it before any curl_*()
 * function: those abort with a message when the library is not loaded.
 */
int lden_http_dl__curl(char *err, size_t errlen);

/* lden_http_dl__mhd - the same for libmicrohttpd and the MHD_*() calls */
int lden_http_dl__mhd(char *err, size_t errlen);

#endif
