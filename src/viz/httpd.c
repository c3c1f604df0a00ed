// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The embedded HTTP server of `lden visualize`, on libmicrohttpd: one
 * daemon per listener, each with its own polling thread, all sharing one
 * table of routes.  lden binds the socket itself and hands it over
 * (MHD_OPTION_LISTEN_SOCKET), so that a port already in use gets errno's
 * own words, which libmicrohttpd would otherwise only log.
 *
 * Hostile clients: at most MAX_CONNS connections, MAX_PER_CLIENT of them
 * from one address, so that one client cannot take every slot; and every
 * request must be over within REQUEST_DEADLINE seconds of the end of the
 * one before on its connection (or of the connection's start), or a
 * watchdog shuts the connection down: libmicrohttpd's own timeout is an
 * idle one, which a byte every few seconds renews for ever.  The server's
 * threads say they serve (selfcpu.h): the overhead guard leaves their CPU
 * out of lden's tracing cost.
 */
#include <ctype.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http-dl.h"
#include "httpd.h"
#include "selfcpu.h"
#include "webconfig.h"

#define MAX_ROUTES 32
#define MAX_LISTENERS 8
#define MAX_CONNS 64
#define MAX_PER_CLIENT 16
#define REQUEST_DEADLINE 10.0	/* seconds */
#define IDLE_TIMEOUT 10		/* seconds, libmicrohttpd's */
/*
 * Memory for one connection's request (libmicrohttpd's pool): room for
 * some 1000 query arguments, so that a request with too many gets our 400,
 * not a connection closed without a word
 */
#define CONN_MEMORY (128 * 1024)
#define MAX_ARGS 32

struct route {
	char *path;
	bool prefix;	/* path ends in '/': every path under it */
	lden_http_fn fn;
	void *ctx;
};

struct listener {
	struct MHD_Daemon *d;
	struct sockaddr_storage ss;
	socklen_t sslen;
};

/* One open connection, for the watchdog. */
struct conn {
	struct conn *prev, *next;
	int fd;
	double start;		/* of its current request */
	bool shut;
};

struct lden_httpd {
	struct route routes[MAX_ROUTES];
	int nroutes;
	struct listener ls[MAX_LISTENERS];
	int nls;
	/* the watchdog: the open connections, under lock */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t watchdog;
	bool watching, stopping;
	struct conn *conns;
	uint64_t shut_down;	/* connections it ended */
	/* --web-config: TLS, basic authentication; NULL: neither */
	const struct lden_web_config *web;
};

struct lden_http_request {
	struct MHD_Connection *c;
	const char *path;
};

__attribute__((format(printf, 3, 4)))
static int herr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

const char *lden_http_arg(const struct lden_http_request *req,
			  const char *name)
{
	return MHD_lookup_connection_value(req->c, MHD_GET_ARGUMENT_KIND, name);
}

const char *lden_http_path(const struct lden_http_request *req)
{
	return req->path;
}

struct lden_httpd *lden_httpd__new(void)
{
	struct lden_httpd *h = calloc(1, sizeof(*h));
	pthread_condattr_t ca;

	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->wake, &ca);
	pthread_condattr_destroy(&ca);
	return h;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The calling thread serves: its CPU is not tracing cost, and when the
 * CPUs are short the tracing loop goes first (nice 10), so that a flood
 * of requests cannot delay the ticks.
 */
static void serving_thread(void)
{
	static __thread bool done;

	if (done)
		return;
	done = true;
	lden_selfcpu__exclude_thread();
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
}

/* ------------------------------------------------------------------ */
/* The watchdog: a deadline per request that dribbling cannot extend */

static void on_connection(void *cls, struct MHD_Connection *c,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct lden_httpd *h = cls;
	struct conn *cn = *socket_context;

	/* called in the server's own thread: its CPU is no tracing cost */
	serving_thread();
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

		cn = calloc(1, sizeof(*cn));
		if (!cn || !ci) {
			free(cn);
			return;	/* untracked: libmicrohttpd's idle timeout still holds */
		}
		cn->fd = ci->connect_fd;
		cn->start = mono_now();
		pthread_mutex_lock(&h->lock);
		cn->next = h->conns;
		if (h->conns)
			h->conns->prev = cn;
		h->conns = cn;
		pthread_mutex_unlock(&h->lock);
		*socket_context = cn;
		return;
	}
	if (!cn)
		return;
	/* closed: out of the list before libmicrohttpd closes the fd */
	pthread_mutex_lock(&h->lock);
	if (cn->prev)
		cn->prev->next = cn->next;
	else
		h->conns = cn->next;
	if (cn->next)
		cn->next->prev = cn->prev;
	pthread_mutex_unlock(&h->lock);
	free(cn);
	*socket_context = NULL;
}

/* A request answered: the next one on the connection has its own time. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct lden_httpd *h = cls;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *cn = ci ? ci->socket_context : NULL;

	(void)con_cls;
	(void)toe;
	if (!cn)
		return;
	pthread_mutex_lock(&h->lock);
	cn->start = mono_now();
	pthread_mutex_unlock(&h->lock);
}

static void *watchdog(void *arg)
{
	struct lden_httpd *h = arg;

	serving_thread();
	pthread_mutex_lock(&h->lock);
	while (!h->stopping) {
		double now = mono_now();
		struct timespec ts;

		for (struct conn *cn = h->conns; cn; cn = cn->next) {
			if (cn->shut || now - cn->start <= REQUEST_DEADLINE)
				continue;
			/* the fd is the connection's until on_connection() drops it,
			 * under this lock; libmicrohttpd sees the end and closes */
			shutdown(cn->fd, SHUT_RDWR);
			cn->shut = true;
			h->shut_down++;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&h->wake, &h->lock, &ts);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

int lden_httpd__route(struct lden_httpd *h, const char *path, lden_http_fn fn,
		     void *ctx)
{
	struct route *r;
	size_t len = strlen(path);

	if (h->nls || path[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	if (h->nroutes == MAX_ROUTES) {
		errno = ENOSPC;
		return -1;
	}
	r = &h->routes[h->nroutes];
	r->path = strdup(path);
	if (!r->path)
		return -1;
	r->prefix = path[len - 1] == '/';
	r->fn = fn;
	r->ctx = ctx;
	h->nroutes++;
	return 0;
}

/* Exact matches first, then the longest prefix route. */
static const struct route *find_route(const struct lden_httpd *h,
				      const char *path)
{
	const struct route *best = NULL;
	size_t best_len = 0;

	for (int i = 0; i < h->nroutes; i++) {
		const struct route *r = &h->routes[i];
		size_t len = strlen(r->path);

		if (!r->prefix && !strcmp(r->path, path))
			return r;
		if (r->prefix && !strncmp(r->path, path, len) && len > best_len) {
			best = r;
			best_len = len;
		}
	}
	return best;
}

static void add_headers(struct MHD_Response *resp, const char *type)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (type)
		MHD_add_response_header(resp, "Content-Type", type);
}

/* A reply with a static text body: errors, and 405. */
static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned int status,
				  const char *text)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
					       MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	add_headers(resp, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, "Allow", "GET, HEAD");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * Basic authentication against the web configuration's users: false
 * with the reply queued in *@refused (401 asking for a password, or 429
 * when too many passwords are being tried) when the request may not go on.
 */
static bool authorized(struct lden_httpd *h, struct MHD_Connection *c,
		       enum MHD_Result *refused)
{
	static const char nope[] = "a user name and password are needed\n";
	static const char busy[] = "too many password checks: try again in a second\n";
	struct MHD_Response *resp;
	enum lden_web_auth a;
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(c, &pass);

	a = lden_web_check(h->web, user, pass);
	if (pass) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	if (user)
		MHD_free(user);
	if (a == LDEN_WEB_OK)
		return true;
	resp = MHD_create_response_from_buffer(
		a == LDEN_WEB_THROTTLED ? strlen(busy) : strlen(nope),
		(void *)(a == LDEN_WEB_THROTTLED ? busy : nope),
		MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		*refused = MHD_NO;
		return false;
	}
	add_headers(resp, "text/plain; charset=utf-8");
	if (a == LDEN_WEB_THROTTLED) {
		MHD_add_response_header(resp, "Retry-After", "1");
		*refused = MHD_queue_response(c, 429, resp);
	} else {
		*refused = MHD_queue_basic_auth_fail_response(c, "lden", resp);
	}
	MHD_destroy_response(resp);
	return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct lden_httpd *h = cls;
	struct lden_http_request req = { .c = c, .path = url };
	struct lden_http_reply rep = { .status = 200 };
	struct MHD_Response *resp;
	const struct route *r;
	enum MHD_Result ret;

	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method not allowed: lden serves GET and HEAD only\n");
	serving_thread();
	if (h->web && h->web->nusers) {
		enum MHD_Result refused;

		if (!authorized(h, c, &refused))
			return refused;
	}
	if (MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, NULL, NULL) >
	    MAX_ARGS)
		return reply_text(c, MHD_HTTP_BAD_REQUEST,
				  "too many query arguments\n");
	r = find_route(h, url);
	if (!r)
		return reply_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
	if (r->fn(r->ctx, &req, &rep) < 0) {
		free(rep.body);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "internal error\n");
	}
	if (rep.status == 404 && !rep.body)
		return reply_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
	if (rep.body)
		resp = MHD_create_response_from_buffer(rep.len, rep.body,
						       MHD_RESPMEM_MUST_FREE);
	else
		resp = MHD_create_response_from_buffer(0, NULL,
						       MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(rep.body);
		return MHD_NO;
	}
	add_headers(resp, rep.content_type);
	ret = MHD_queue_response(c, (unsigned int)rep.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * "[ADDR:]PORT" into a socket address: "5601" (loopback), "0.0.0.0:5601",
 * "[::1]:5601", "localhost:5601".  Returns 0, or -1 with @err set.
 */
static int parse_addr(const char *spec, struct sockaddr_storage *ss,
		      socklen_t *sslen, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char host[256];
	const char *port, *colon;
	char *end;
	long p;
	int rc;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (!close || close[1] != ':' || close == spec + 1)
			return herr(err, errlen, "invalid address '%s' (expected [ADDR:]PORT)",
				    spec);
		snprintf(host, sizeof(host), "%.*s", (int)(close - spec - 1),
			 spec + 1);
		port = close + 2;
		hints.ai_family = AF_INET6;
		hints.ai_flags |= AI_NUMERICHOST;
	} else if ((colon = strrchr(spec, ':'))) {
		if (colon == spec || memchr(spec, ':', (size_t)(colon - spec)))
			return herr(err, errlen, "invalid address '%s' (expected [ADDR:]PORT; IPv6 in brackets)",
				    spec);
		if ((size_t)(colon - spec) >= sizeof(host))
			return herr(err, errlen, "invalid address '%s' (host name too long)",
				    spec);
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		port = colon + 1;
	} else {
		snprintf(host, sizeof(host), "127.0.0.1");
		port = spec;
	}
	errno = 0;
	p = strtol(port, &end, 10);
	if (!isdigit((unsigned char)*port) || *end || errno || p < 1 ||
	    p > 65535)
		return herr(err, errlen, "invalid port '%s' in '%s' (expected 1 to 65535)",
			    port, spec);
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc)
		return herr(err, errlen, "invalid address '%s': %s", spec,
			    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sslen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

int lden_httpd__check_addr(const char *addr, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return parse_addr(addr, &ss, &len, err, errlen);
}

/* "127.0.0.1:5601", "[::1]:9464" */
static void format_addr(const struct sockaddr_storage *ss, char *buf,
			size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(s4->sin_port));
	}
}

static int bind_socket(const struct sockaddr_storage *ss, socklen_t sslen,
		       char *err, size_t errlen)
{
	char name[80];
	int fd, one = 1;

	format_addr(ss, name, sizeof(name));
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return herr(err, errlen, "cannot listen on %s: %s", name,
			    strerror(errno));
	/* a restart must not wait for the old connections' TIME_WAIT */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, sslen) < 0 ||
	    listen(fd, 64) < 0) {
		herr(err, errlen, "cannot listen on %s: %s", name,
		     strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static bool same_addr(const struct listener *l,
		      const struct sockaddr_storage *ss, socklen_t len)
{
	return l->sslen == len && !memcmp(&l->ss, ss, len);
}

int lden_httpd__listen(struct lden_httpd *h, const char *addr, char *err,
		      size_t errlen)
{
	struct MHD_OptionItem tls[4] = {
		[0 ... 3] = { MHD_OPTION_END, 0, NULL },
	};
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	struct sockaddr_storage ss = { 0 };
	struct listener *l;
	sigset_t all, old;
	socklen_t sslen;
	int fd;

	if (parse_addr(addr, &ss, &sslen, err, errlen) < 0 ||
	    lden_http_dl__mhd(err, errlen) < 0)
		return -1;
	/* the same address twice (--prometheus on the dashboard's port):
	 * every route is on every listener already */
	for (int i = 0; i < h->nls; i++)
		if (same_addr(&h->ls[i], &ss, sslen))
			return 0;
	if (h->nls == MAX_LISTENERS)
		return herr(err, errlen, "cannot listen on %s: too many listeners",
			    addr);
	fd = bind_socket(&ss, sslen, err, errlen);
	if (fd < 0)
		return -1;
	if (!h->watching) {
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		h->watching = !pthread_create(&h->watchdog, NULL, watchdog, h);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!h->watching) {
			close(fd);
			return herr(err, errlen, "cannot listen on %s: cannot start a thread",
				    addr);
		}
	}
	l = &h->ls[h->nls];
	if (h->web && h->web->cert_pem) {
		tls[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
						  h->web->cert_pem };
		tls[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
						  h->web->key_pem };
		/* TLS 1.2 at least, as exporters; 1.3 only when asked */
		tls[2] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
			(void *)(h->web->tls13_only ?
				 "NORMAL:-VERS-ALL:+VERS-TLS1.3" :
				 "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2") };
		flags |= MHD_USE_TLS;
	}
	/* signals go to the program's thread, not to the server's */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	l->d = MHD_start_daemon(flags |
				(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, on_request, h,
				MHD_OPTION_ARRAY, tls,
				MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				(unsigned int)MAX_PER_CLIENT,
				MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned int)IDLE_TIMEOUT,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				(size_t)CONN_MEMORY,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!l->d) {
		char name[80];

		format_addr(&ss, name, sizeof(name));
		close(fd);
		if (flags & MHD_USE_TLS)
			return herr(err, errlen, "cannot listen on %s with TLS: the certificate or key of '%s' was refused (is key_file the key of cert_file?)",
				    name, h->web->path);
		return herr(err, errlen, "cannot listen on %s: the HTTP server did not start",
			    name);
	}
	l->ss = ss;
	l->sslen = sslen;
	h->nls++;
	return 0;
}

void lden_httpd__protect(struct lden_httpd *h,
			const struct lden_web_config *web)
{
	h->web = web;
}

bool lden_httpd__loopback(const char *addr)
{
	struct sockaddr_storage ss;
	char err[256];
	socklen_t len;

	if (parse_addr(addr, &ss, &len, err, sizeof(err)) < 0)
		return false;
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)&ss;

		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	}
	return (ntohl(((const struct sockaddr_in *)(const void *)&ss)->sin_addr.s_addr) >> 24) == 127;
}

void lden_httpd__exposure(const struct lden_web_config *w, const char *what,
			 const char *addr, char *buf, size_t len)
{
	bool tls = w && w->cert_pem, users = w && w->nusers;

	buf[0] = '\0';
	if (lden_httpd__loopback(addr) || (tls && users))
		return;
	snprintf(buf, len, "warning: %s on %s%s is reachable beyond this host %s%s",
		 what, strchr(addr, ':') ? "" : "127.0.0.1:", addr,
		 tls ? "without a password (no basic_auth_users in --web-config)" :
		 users ? "unencrypted, passwords included (no tls_server_config in --web-config)" :
			 "unencrypted and without a password",
		 w ? "" : " (--web-config FILE adds TLS and basic authentication)");
}

uint64_t lden_httpd__shut_down(struct lden_httpd *h)
{
	uint64_t n;

	pthread_mutex_lock(&h->lock);
	n = h->shut_down;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void lden_httpd__free(struct lden_httpd *h)
{
	if (!h)
		return;
	for (int i = 0; i < h->nls; i++)
		MHD_stop_daemon(h->ls[i].d);
	if (h->watching) {
		pthread_mutex_lock(&h->lock);
		h->stopping = true;
		pthread_cond_signal(&h->wake);
		pthread_mutex_unlock(&h->lock);
		pthread_join(h->watchdog, NULL);
	}
	for (int i = 0; i < h->nroutes; i++)
		free(h->routes[i].path);
	pthread_cond_destroy(&h->wake);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
