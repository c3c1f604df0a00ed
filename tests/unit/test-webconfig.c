// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --web-config: the exporters' web configuration read as they read it,
 * every unsupported key and every malformed value refused with its file
 * and line; basic authentication against bcrypt hashes, a passing
 * password remembered, and the CPU that wrong passwords can take bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <crypt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "webconfig.h"

static char dir[PATH_MAX];
static char hash[CRYPT_OUTPUT_SIZE];	/* of "pw", cost 10 */

static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

static void put(const char *name, const char *text)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Loads @text as web.yml; the error, or "" when it loaded. */
static const char *load(const char *text, struct lden_web_config *wc)
{
	static char err[9000];
	char path[PATH_MAX + 64];

	put("web.yml", text);
	snprintf(path, sizeof(path), "%s/web.yml", dir);
	err[0] = '\0';
	if (lden_web_config__load(path, wc, err, sizeof(err)) == 0)
		return "";
	/* the message without the directory */
	return strstr(err, "web.yml:") ? strstr(err, "web.yml:") : err;
}

static void valid(void **state)
{
	struct lden_web_config wc;
	char text[PATH_MAX + 1024];

	snprintf(text, sizeof(text),
		 "# exporters' format\n"
		 "tls_server_config:\n"
		 "  cert_file: c.pem\n"
		 "  key_file: \"%s/k.pem\"\n"
		 "  min_version: TLS13\n"
		 "  client_auth_type: NoClientCert\n"
		 "basic_auth_users:\n"
		 "  alice: '%s'\n"
		 "  bob: %s\n", dir, hash, hash);
	assert_string_equal(load(text, &wc), "");
	assert_string_equal(wc.cert_pem, pem);
	assert_non_null(wc.key_pem);
	assert_true(wc.tls13_only);
	assert_int_equal(wc.nusers, 2);
	assert_string_equal(wc.users[1].name, "bob");
	lden_web_config__free(&wc);

	/* users alone, TLS alone, nothing at all */
	snprintf(text, sizeof(text), "basic_auth_users:\n  a: %s\n", hash);
	assert_string_equal(load(text, &wc), "");
	assert_null(wc.cert_pem);
	lden_web_config__free(&wc);
	assert_string_equal(load("tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n", &wc), "");
	assert_int_equal(wc.nusers, 0);
	lden_web_config__free(&wc);
	assert_string_equal(load("", &wc), "");
	lden_web_config__free(&wc);
}

static void invalid(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "a: [1\n", "web.yml:2: did not find expected ',' or ']'" },
		{ "- x\n", "web.yml:1: expected a mapping (tls_server_config:, basic_auth_users:)" },
		{ "http_server_config:\n  http2: false\n",
		  "web.yml:1: 'http_server_config' is not supported by lden (tls_server_config, basic_auth_users)" },
		{ "tls_server_config:\n  cert_file: c.pem\n",
		  "web.yml:2: tls_server_config: needs both cert_file and key_file" },
		{ "tls_server_config: x\n",
		  "web.yml:1: tls_server_config: expected a mapping of keys" },
		{ "tls_server_config:\n  cert_file: c.pem\n  key_file: none.pem\n",
		  "web.yml:3: " },	/* + the path: No such file */
		{ "tls_server_config:\n  cert_file: notpem.txt\n  key_file: k.pem\n",
		  "web.yml:2: 'notpem.txt' is not PEM (no -----BEGIN line)" },
		{ "tls_server_config:\n  cert: plain\n",
		  "web.yml:2: tls_server_config: cert: expected PEM text" },
		{ "tls_server_config:\n  min_version: TLS11\n",
		  "web.yml:2: tls_server_config: min_version 'TLS11': lden allows TLS12 or TLS13" },
		{ "tls_server_config:\n  client_auth_type: RequireAndVerifyClientCert\n",
		  "web.yml:2: tls_server_config: client_auth_type 'RequireAndVerifyClientCert': lden does not check client certificates (only NoClientCert)" },
		{ "tls_server_config:\n  cipher_suites: [a]\n",
		  "web.yml:2: tls_server_config: 'cipher_suites' is not supported by lden (cert_file, key_file, cert, key, min_version, client_auth_type: NoClientCert)" },
		{ "basic_auth_users:\n  u: plain\n",
		  "web.yml:2: basic_auth_users: 'u': expected a bcrypt hash ($2y$..., as htpasswd -B makes)" },
		{ "basic_auth_users:\n  u: $2y$10$short\n",
		  "web.yml:2: basic_auth_users: 'u': expected a bcrypt hash ($2y$..., as htpasswd -B makes)" },
		{ "basic_auth_users:\n  u: $1$abc$def\n",
		  "web.yml:2: basic_auth_users: 'u': expected a bcrypt hash ($2y$..., as htpasswd -B makes)" },
		{ "basic_auth_users:\n  a:b: x\n",
		  "web.yml:2: basic_auth_users: expected a user name (no ':')" },
		{ "basic_auth_users: [a]\n",
		  "web.yml:1: basic_auth_users: expected a mapping of user: bcrypt hash" },
		/* an alias is no scalar: refused, not followed */
		{ "basic_auth_users:\n  u: &h x\n  v: *h\n",
		  "web.yml:2: basic_auth_users: 'u': expected a bcrypt hash ($2y$..., as htpasswd -B makes)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lden_web_config wc;
		const char *got = load(cases[i].text, &wc);

		if (strncmp(got, cases[i].err, strlen(cases[i].err)) || !*got)
			fail_msg("case %zu: got '%s', want '%s'", i, got,
				 cases[i].err);
		lden_web_config__free(&wc);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* this thread's CPU time */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void check_passwords(void **state)
{
	struct lden_web_config wc;
	char text[1024];
	double t, slow, fast, start, spent = 0;
	int throttled = 0, denied = 0;

	snprintf(text, sizeof(text), "basic_auth_users:\n  alice: %s\n", hash);
	assert_string_equal(load(text, &wc), "");
	/*
	 * first a bcrypt check, then the remembered digest: much less CPU
	 * (this thread's time, which a loaded machine does not stretch)
	 */
	t = cpu_now();
	assert_int_equal(lden_web_check(&wc, "alice", "pw"), LDEN_WEB_OK);
	slow = cpu_now() - t;
	t = cpu_now();
	assert_int_equal(lden_web_check(&wc, "alice", "pw"), LDEN_WEB_OK);
	fast = cpu_now() - t;
	assert_true(fast < slow);
	assert_int_equal(lden_web_check(&wc, "alice", "pW"), LDEN_WEB_DENIED);
	assert_int_equal(lden_web_check(&wc, "alice", NULL), LDEN_WEB_DENIED);
	assert_int_equal(lden_web_check(&wc, NULL, "pw"), LDEN_WEB_DENIED);

	/*
	 * wrong passwords in a burst: a fifth of a CPU a second, then 429.
	 * On a loaded machine this thread may get less than that, and then
	 * nothing is to be throttled: so guesses go on until one is throttled
	 * or 15 s have passed, and no check may be let through once the
	 * checks took more than the credit (a fifth of a CPU at the start and
	 * a fifth of a CPU a second since; the last check may straddle it).
	 */
	start = now();
	for (double end = start + 15; !throttled && now() < end;) {
		double c0 = cpu_now();
		enum lden_web_auth a = lden_web_check(&wc, denied % 2 ? "alice" :
							     "mallory", "guess");
		double c = cpu_now() - c0;

		throttled += a == LDEN_WEB_THROTTLED;
		denied += a == LDEN_WEB_DENIED;
		if (a == LDEN_WEB_DENIED) {
			if (spent > LDEN_WEB_CHECK_CPU * (1 + now() - start))
				fail_msg("%.3f s of checks in %.3f s, none throttled",
					 spent + c, now() - start);
			spent += c;
		}
	}
	/* none throttled: only a thread that had under a fifth of a CPU */
	assert_true(throttled > 0 || now() - start >= 15);
	assert_true(denied > 0);
	/* the remembered password needs no check: never throttled */
	assert_int_equal(lden_web_check(&wc, "alice", "pw"), LDEN_WEB_OK);
	lden_web_config__free(&wc);
}

static int setup(void **state)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/lden-test-web.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!cd || !mkdtemp(dir) ||
	    !crypt_gensalt_rn("$2b$", 10, NULL, 0, cd->setting,
			      sizeof(cd->setting)) ||
	    !crypt_r("pw", cd->setting, cd))
		return -1;
	snprintf(hash, sizeof(hash), "%s", cd->output);
	free(cd);
	put("c.pem", pem);
	put("k.pem", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
	put("notpem.txt", "hello\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid),
		cmocka_unit_test(invalid),
		cmocka_unit_test(check_passwords),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
