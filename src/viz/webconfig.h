/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --web-config FILE: TLS and basic authentication for lden's HTTP server,
 * in the format Prometheus exporters read (exporter-toolkit's web
 * configuration), so that a scraper configured for one speaks to lden:
 *
 *   tls_server_config:
 *     cert_file: server.crt      # PEM; relative to FILE's directory
 *     key_file: server.key
 *     min_version: TLS12         # or TLS13; TLS 1.2 is the least allowed
 *   basic_auth_users:
 *     alice: $2y$10$...          # bcrypt hashes ($2a$, $2b$, $2y$)
 *
 * Keys lden does not implement (client certificates, cipher suites,
 * http_server_config) are refused by name, never ignored.
 */
#ifndef LDEN_WEBCONFIG_H
#define LDEN_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct lden_web_user {
	char *name;
	char *hash;
};

struct lden_web_config {
	char *path;
	char *cert_pem;		/* NULL: no TLS */
	char *key_pem;
	bool tls13_only;
	struct lden_web_user *users;
	int nusers;		/* 0: no authentication */
};

/*
 * lden_web_config__load - read and check @path (a regular file of at most
 * 1 MiB: lden_read_file()), with the certificate and key it names
 * Returns 0, or -1 with "FILE:LINE: message" in @err; free @wc with
 * lden_web_config__free() either way.
 */
int lden_web_config__load(const char *path, struct lden_web_config *wc,
			 char *err, size_t errlen);

void lden_web_config__free(struct lden_web_config *wc);

enum lden_web_auth {
	LDEN_WEB_OK,
	LDEN_WEB_DENIED,	/* no such user, or a wrong password */
	LDEN_WEB_THROTTLED,	/* password checks took their CPU share */
};

/*
 * lden_web_check - whether @user with @password may in (thread-safe)
 * A bcrypt check costs tens of ms of CPU on purpose: a password that
 * passed is remembered (as a salted SHA-256 crypt, not in clear), and
 * checks stop while they took more than LDEN_WEB_CHECK_CPU seconds of CPU
 * a second (a credit refilled at that rate), so that a flood of wrong
 * passwords cannot take a CPU, whatever the hashes' cost.  Unknown users
 * cost a check as known ones do.
 */
enum lden_web_auth lden_web_check(const struct lden_web_config *wc,
				  const char *user, const char *password);

/* CPU seconds of bcrypt checks a second: a fifth of a CPU */
#define LDEN_WEB_CHECK_CPU 0.2

#endif
