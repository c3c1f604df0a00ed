// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The web configuration file (see webconfig.h), read with libyaml's
 * document loader: two levels of mappings of scalars, each node checked
 * for its kind, so that aliases and odd shapes are refused, not walked.
 */
#include <crypt.h>
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yaml.h>

#include "infile.h"
#include "webconfig.h"

#define MAX_CONFIG (1024 * 1024)
#define MAX_PEM (1024 * 1024)
#define MAX_USERS 64

struct loader {
	yaml_document_t *doc;
	struct lden_web_config *wc;
	const char *path;
	char *dir;		/* of the file, for relative paths */
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int lerr(struct loader *l, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	k = snprintf(l->err, l->errlen, "%s:%zu: ", l->path,
		     n ? n->start_mark.line + 1 : 1);
	if (k >= 0 && (size_t)k < l->errlen) {
		va_start(ap, fmt);
		vsnprintf(l->err + k, l->errlen - k, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
		       (const char *)n->data.scalar.value : NULL;
}

/* A file named in the configuration, relative to its directory, as text. */
static int read_named(struct loader *l, const yaml_node_t *n, char **out)
{
	const char *name = scalar(n);
	char *path, why[4400];
	size_t len;
	int rc;

	if (!name || !*name)
		return lerr(l, n, "expected a file name");
	if (name[0] == '/')
		path = strdup(name);
	else if (asprintf(&path, "%s/%s", l->dir, name) < 0)
		path = NULL;
	if (!path)
		return lerr(l, n, "out of memory");
	rc = lden_read_file(path, MAX_PEM, out, &len, why, sizeof(why));
	free(path);
	if (rc < 0)
		return lerr(l, n, "%s", why);
	if (!strstr(*out, "-----BEGIN ")) {
		free(*out);
		*out = NULL;
		return lerr(l, n, "'%s' is not PEM (no -----BEGIN line)", name);
	}
	return 0;
}

static int load_tls(struct loader *l, const yaml_node_t *map)
{
	struct lden_web_config *wc = l->wc;

	if (map->type != YAML_MAPPING_NODE)
		return lerr(l, map, "tls_server_config: expected a mapping of keys");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(l->doc, p->value);
		const char *k = scalar(kn), *v = scalar(vn);
		char **slot;

		if (!k)
			return lerr(l, kn, "tls_server_config: expected a key");
		if (!strcmp(k, "cert_file") || !strcmp(k, "key_file") ||
		    !strcmp(k, "cert") || !strcmp(k, "key")) {
			slot = k[0] == 'c' ? &wc->cert_pem : &wc->key_pem;
			if (*slot)
				return lerr(l, kn, "tls_server_config: a second %s",
					    k[0] == 'c' ? "certificate" : "key");
			if (strchr(k, '_')) {
				if (read_named(l, vn, slot) < 0)
					return -1;
			} else if (!v || !strstr(v, "-----BEGIN ")) {
				return lerr(l, vn, "tls_server_config: %s: expected PEM text", k);
			} else if (!(*slot = strdup(v))) {
				return lerr(l, vn, "out of memory");
			}
		} else if (!strcmp(k, "min_version")) {
			if (v && !strcmp(v, "TLS13"))
				wc->tls13_only = true;
			else if (!v || strcmp(v, "TLS12"))
				return lerr(l, vn, "tls_server_config: min_version '%s': lden allows TLS12 or TLS13",
					    v ? v : "");
		} else if (!strcmp(k, "client_auth_type")) {
			if (!v || strcmp(v, "NoClientCert"))
				return lerr(l, vn, "tls_server_config: client_auth_type '%s': lden does not check client certificates (only NoClientCert)",
					    v ? v : "");
		} else {
			return lerr(l, kn, "tls_server_config: '%s' is not supported by lden (cert_file, key_file, cert, key, min_version, client_auth_type: NoClientCert)",
				    k);
		}
	}
	if (!wc->cert_pem || !wc->key_pem)
		return lerr(l, map, "tls_server_config: needs both cert_file and key_file");
	return 0;
}

/* A bcrypt hash crypt() takes: its output for a test word has its form. */
static bool valid_bcrypt(const char *hash)
{
	struct crypt_data *cd;
	bool ok;

	if (strncmp(hash, "$2a$", 4) && strncmp(hash, "$2b$", 4) &&
	    strncmp(hash, "$2y$", 4))
		return false;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return false;
	ok = crypt_r("lden", hash, cd) && cd->output[0] == '$' &&
	     strlen(cd->output) == strlen(hash);
	free(cd);
	return ok;
}

static int load_users(struct loader *l, const yaml_node_t *map)
{
	struct lden_web_config *wc = l->wc;
	size_t n;

	if (map->type != YAML_MAPPING_NODE)
		return lerr(l, map, "basic_auth_users: expected a mapping of user: bcrypt hash");
	n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	if (n > MAX_USERS)
		return lerr(l, map, "basic_auth_users: more than %d users", MAX_USERS);
	wc->users = calloc(n + 1, sizeof(*wc->users));
	if (!wc->users)
		return lerr(l, map, "out of memory");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(l->doc, p->value);
		const char *k = scalar(kn), *v = scalar(vn);
		struct lden_web_user *u;

		if (!k || !*k || strchr(k, ':'))
			return lerr(l, kn, "basic_auth_users: expected a user name (no ':')");
		for (int i = 0; i < wc->nusers; i++)
			if (!strcmp(wc->users[i].name, k))
				return lerr(l, kn, "basic_auth_users: '%s' twice", k);
		if (!v || !valid_bcrypt(v))
			return lerr(l, vn, "basic_auth_users: '%s': expected a bcrypt hash ($2y$..., as htpasswd -B makes)",
				    k);
		u = &wc->users[wc->nusers];
		u->name = strdup(k);
		u->hash = strdup(v);
		wc->nusers++;
		if (!u->name || !u->hash)
			return lerr(l, vn, "out of memory");
	}
	return 0;
}

static int load_root(struct loader *l, const yaml_node_t *root)
{
	if (!root)
		return 0;	/* an empty file: nothing to protect with */
	if (root->type != YAML_MAPPING_NODE)
		return lerr(l, root, "expected a mapping (tls_server_config:, basic_auth_users:)");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(l->doc, p->value);
		const char *k = scalar(kn);
		int rc;

		if (!k)
			return lerr(l, kn, "expected a key");
		if (!strcmp(k, "tls_server_config"))
			rc = l->wc->cert_pem ? lerr(l, kn, "a second tls_server_config") :
					       load_tls(l, vn);
		else if (!strcmp(k, "basic_auth_users"))
			rc = l->wc->users ? lerr(l, kn, "a second basic_auth_users") :
					    load_users(l, vn);
		else
			rc = lerr(l, kn, "'%s' is not supported by lden (tls_server_config, basic_auth_users)",
				  k);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int lden_web_config__load(const char *path, struct lden_web_config *wc,
			 char *err, size_t errlen)
{
	struct loader l = { .wc = wc, .path = path, .err = err,
			    .errlen = errlen };
	yaml_parser_t parser;
	yaml_document_t doc;
	char *text, *copy;
	size_t len;
	int rc;

	memset(wc, 0, sizeof(*wc));
	wc->path = strdup(path);
	copy = strdup(path);
	if (!wc->path || !copy) {
		free(copy);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l.dir = strdup(dirname(copy));
	free(copy);
	if (!l.dir || lden_read_file(path, MAX_CONFIG, &text, &len, err,
				     errlen) < 0) {
		free(l.dir);
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		free(text);
		free(l.dir);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%zu: %s", path,
			 parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "not YAML");
		rc = -1;
	} else {
		l.doc = &doc;
		rc = load_root(&l, yaml_document_get_root_node(&doc));
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	free(text);
	free(l.dir);
	return rc;
}

void lden_web_config__free(struct lden_web_config *wc)
{
	if (!wc)
		return;
	for (int i = 0; i < wc->nusers; i++) {
		free(wc->users[i].name);
		free(wc->users[i].hash);
	}
	free(wc->users);
	free(wc->cert_pem);
	if (wc->key_pem) {
		/* a private key: not left in freed memory */
		explicit_bzero(wc->key_pem, strlen(wc->key_pem));
		free(wc->key_pem);
	}
	free(wc->path);
	memset(wc, 0, sizeof(*wc));
}

/* ------------------------------------------------------------------ */
/* Checking a password */

/*
 * What passed, per user: a SHA-256 crypt of the password with a salt made
 * at the first check, so that no password is kept in clear.
 */
static pthread_mutex_t auth_lock = PTHREAD_MUTEX_INITIALIZER;
static char salt[32];
static struct {
	char *user;
	char digest[CRYPT_OUTPUT_SIZE];
} passed[MAX_USERS];
/*
 * The CPU seconds bcrypt checks may still take: refilled at
 * LDEN_WEB_CHECK_CPU a second up to LDEN_WEB_CHECK_CPU, each check's cost
 * taken when it ends (whenever that is: a check a loaded machine spread
 * over a second's boundary costs as much as one that was not).
 */
static double credit = LDEN_WEB_CHECK_CPU;
static double credit_at;	/* CLOCK_MONOTONIC seconds of its last refill */

static void make_salt(void)
{
	static const char abc[] =
		"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	struct timespec ts;
	unsigned long x;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = (unsigned long)ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 20) ^
	    (unsigned long)(uintptr_t)&ts;
	/* the salt only keeps equal passwords of two users apart */
	strcpy(salt, "$5$rounds=1000$");
	for (int i = 0; i < 12; i++) {
		salt[15 + i] = abc[x % 64];
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	}
	salt[27] = '$';
	salt[28] = '\0';
}

static double seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Under auth_lock: the credit refilled for the time since the last refill */
static void refill(void)
{
	double now = seconds(CLOCK_MONOTONIC);

	if (credit_at > 0)
		credit += (now - credit_at) * LDEN_WEB_CHECK_CPU;
	if (credit > LDEN_WEB_CHECK_CPU)
		credit = LDEN_WEB_CHECK_CPU;
	credit_at = now;
}

/* Equal, in a time that depends on the lengths only. */
static bool same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return !d;
}

enum lden_web_auth lden_web_check(const struct lden_web_config *wc,
				  const char *user, const char *password)
{
	/* a hash of "lden" under cost 10: unknown users cost the same */
	static const char dummy[] =
		"$2b$10$Tzujx5.uzaoNvHk9XwdaJOCQ9otKTisN/Dp3X3cGQL8.XCSmkQUBG";
	const struct lden_web_user *u = NULL;
	struct crypt_data *cd;
	enum lden_web_auth res = LDEN_WEB_DENIED;
	char digest[CRYPT_OUTPUT_SIZE] = "";
	int slot = -1;
	double t0;

	if (!user || !password)
		return LDEN_WEB_DENIED;
	for (int i = 0; i < wc->nusers && !u; i++)
		if (!strcmp(wc->users[i].name, user)) {
			u = &wc->users[i];
			slot = i;
		}
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return LDEN_WEB_DENIED;
	pthread_mutex_lock(&auth_lock);
	if (!salt[0])
		make_salt();
	if (u && crypt_r(password, salt, cd))
		snprintf(digest, sizeof(digest), "%s", cd->output);
	if (u && digest[0] && passed[slot].user &&
	    !strcmp(passed[slot].user, user) && same(passed[slot].digest, digest)) {
		pthread_mutex_unlock(&auth_lock);
		free(cd);
		return LDEN_WEB_OK;
	}
	refill();
	if (credit <= 0) {
		pthread_mutex_unlock(&auth_lock);
		free(cd);
		return LDEN_WEB_THROTTLED;
	}
	pthread_mutex_unlock(&auth_lock);

	/* the slow check, outside the lock, and what it cost */
	t0 = seconds(CLOCK_THREAD_CPUTIME_ID);
	if (crypt_r(password, u ? u->hash : dummy, cd) && u &&
	    same(cd->output, u->hash))
		res = LDEN_WEB_OK;
	pthread_mutex_lock(&auth_lock);
	refill();
	credit -= seconds(CLOCK_THREAD_CPUTIME_ID) - t0;
	pthread_mutex_unlock(&auth_lock);
	if (res == LDEN_WEB_OK && digest[0]) {
		pthread_mutex_lock(&auth_lock);
		free(passed[slot].user);
		passed[slot].user = strdup(user);
		snprintf(passed[slot].digest, sizeof(passed[slot].digest), "%s",
			 digest);
		pthread_mutex_unlock(&auth_lock);
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return res;
}
