// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden trace tcp-accept: incoming TCP connections and the process that
 * accepted each (SystemTap's tcp_connections.stp), IPv4 and IPv6.
 *
 * sock:inet_sock_set_state from TCP_SYN_RECV to TCP_ESTABLISHED is the
 * listening side's handshake completing; it runs in softirq context, so
 * its pid is whoever was on the CPU.  The process comes from the exit of
 * accept(2)/accept4(2) returning a descriptor: as soon as that sample
 * arrives, the descriptor is duplicated from the process (pidfd_getfd)
 * and its local port and peer address read, which names the connection
 * the handshake announced.  A connection nobody accepts with accept(2)
 * (io_uring, or never accepted) prints nothing; at most ACCEPT_PENDING
 * handshakes wait for their accept.
 *
 * The command is the accepting thread's name at the accept's record
 * when lden saw the thread start or rename (comms.h), else read from
 * /proc as the record arrived (marked late); the uid is always read
 * then (no record carries it: marked late).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lden-trace.h"
#include "proc.h"
#include "recipe.h"
#include "row.h"
#include "scope.h"
#include "symbolic.h"

#define ACCEPT_PENDING 1024

enum { ROLE_STATE = 1, ROLE_ACCEPT };

struct conn {
	char key[96];		/* "lport SEP raddr SEP rport" */
	uint64_t time;
};

struct accept_state {
	struct conn pending[ACCEPT_PENDING];	/* a ring, oldest overwritten */
	unsigned int next;
};

static int state_value(struct lden_recipe *r, const char *name, int dflt)
{
	struct lden_symbolic *t = lden_symbolic__load(r->tracing_dir, "sock",
						     "inet_sock_set_state",
						     "newstate");
	int64_t v = dflt;

	if (t)
		lden_symbolic__value(t, name, &v);
	lden_symbolic__free(t);
	return (int)v;
}

static int accept_attach(struct lden_recipe *r, struct ltr_session *s,
			 const struct lden_scope *scope, char *err,
			 size_t errlen)
{
	static const char *const calls[] = { "sys_exit_accept4",
					      "sys_exit_accept" };
	/* the whole machine, attached as the scopes are (twins or not) */
	struct lden_scope machine = {
		.no_twins = scope && scope->no_twins,
	};
	char filter[128];

	if (!r->priv) {
		r->priv = calloc(1, sizeof(struct accept_state));
		if (!r->priv) {
			snprintf(err, errlen, "tcp-accept: out of memory");
			return -1;
		}
		/* the handshake runs in softirq: not scoped to a process */
		snprintf(filter, sizeof(filter),
			 "protocol == %d && oldstate == %d && newstate == %d",
			 IPPROTO_TCP, state_value(r, "TCP_SYN_RECV", 3),
			 state_value(r, "TCP_ESTABLISHED", 1));
		if (lden_recipe__open_event(r, s, "sock", "inet_sock_set_state",
					   filter, &machine, ROLE_STATE, err,
					   errlen) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (!lden_recipe__has_event(r, "syscalls", calls[i]))
			continue;
		if (lden_recipe__open_event(r, s, "syscalls", calls[i],
					   "ret >= 0", scope, ROLE_ACCEPT, err,
					   errlen) < 0)
			return -1;
	}
	return 0;
}

static void addr_text(int family, const void *addr, char *buf, size_t len)
{
	if (!inet_ntop(family, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

/*
 * At accept's exit: "lport SEP raddr SEP rport SEP uid SEP comm", the
 * name last: it may hold LDEN_SEP (any byte but NUL), read as the rest
 */
static size_t accept_capture(struct lden_recipe *r,
			     const struct ltr_sample *s, char *extra,
			     size_t len)
{
	const struct ltr_field *f = ltr_event__field(s->event, "ret");
	struct sockaddr_storage local, peer;
	socklen_t ll = sizeof(local), pl = sizeof(peer);
	char comm[64] = "", raddr[INET6_ADDRSTRLEN];
	int64_t fd = -1;
	int pidfd, sock;
	pid_t ppid;
	uid_t uid = (uid_t)-1;
	int lport, rport;

	if (lden_recipe__role(s) != ROLE_ACCEPT || !f ||
	    ltr_field__s64(f, s, &fd) < 0 || fd < 0)
		return 0;
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)s->pid, 0);
	if (pidfd < 0)
		return 0;
	sock = (int)syscall(SYS_pidfd_getfd, pidfd, (int)fd, 0);
	close(pidfd);
	if (sock < 0)
		return 0;
	if (getsockname(sock, (struct sockaddr *)&local, &ll) < 0 ||
	    getpeername(sock, (struct sockaddr *)&peer, &pl) < 0 ||
	    local.ss_family != peer.ss_family) {
		close(sock);
		return 0;
	}
	close(sock);
	if (peer.ss_family == AF_INET) {
		const struct sockaddr_in *l = (void *)&local, *p = (void *)&peer;

		lport = ntohs(l->sin_port);
		rport = ntohs(p->sin_port);
		addr_text(AF_INET, &p->sin_addr, raddr, sizeof(raddr));
	} else if (peer.ss_family == AF_INET6) {
		const struct sockaddr_in6 *l = (void *)&local, *p = (void *)&peer;

		lport = ntohs(l->sin6_port);
		rport = ntohs(p->sin6_port);
		/* a v4 client of a v6 socket: the handshake says AF_INET */
		if (IN6_IS_ADDR_V4MAPPED(&p->sin6_addr))
			addr_text(AF_INET, &p->sin6_addr.s6_addr[12], raddr,
				  sizeof(raddr));
		else
			addr_text(AF_INET6, &p->sin6_addr, raddr,
				  sizeof(raddr));
	} else {
		return 0;	/* a unix socket */
	}
	/* late, both: used when nothing exact is known at the record */
	if (lden_proc__comm((pid_t)s->tid, comm, sizeof(comm)) < 0)
		comm[0] = '\0';	/* gone: not a process named "?" */
	lden_proc__ids((pid_t)s->pid, &ppid, &uid);
	snprintf(extra, len, "%d" LDEN_SEP "%s" LDEN_SEP "%d" LDEN_SEP "%d"
		 LDEN_SEP "%s", lport, raddr, rport,
		 uid == (uid_t)-1 ? -1 : (int)uid, comm);
	return strlen(extra) + 1;
}

static int u16_field(const struct ltr_sample *s, const char *name)
{
	const struct ltr_field *f = ltr_event__field(s->event, name);
	uint64_t v = 0;

	if (f)
		ltr_field__u64(f, s, &v);
	return (int)v;
}

/* The handshake's "lport SEP raddr SEP rport", the same as capture's. */
static void state_key(const struct ltr_sample *s, char *key, size_t len)
{
	const struct ltr_field *f;
	char raddr[INET6_ADDRSTRLEN] = "?";
	const void *b;
	size_t n;
	int family = u16_field(s, "family");

	if (family == AF_INET6) {
		f = ltr_event__field(s->event, "daddr_v6");
		if (f && ltr_field__bytes(f, s, &b, &n) == 0 && n == 16) {
			struct in6_addr a;

			/* a v4 client of a dual-stack socket, as capture says */
			memcpy(&a, b, sizeof(a));
			if (IN6_IS_ADDR_V4MAPPED(&a))
				addr_text(AF_INET, &a.s6_addr[12], raddr,
					  sizeof(raddr));
			else
				addr_text(AF_INET6, &a, raddr, sizeof(raddr));
		}
	} else {
		f = ltr_event__field(s->event, "daddr");
		if (f && ltr_field__bytes(f, s, &b, &n) == 0 && n == 4)
			addr_text(AF_INET, b, raddr, sizeof(raddr));
	}
	snprintf(key, len, "%d" LDEN_SEP "%s" LDEN_SEP "%d",
		 u16_field(s, "sport"), raddr, u16_field(s, "dport"));
}

static int accept_sample(struct lden_recipe *r, const struct ltr_sample *s,
			 const char *extra, size_t elen,
			 struct lden_row *row)
{
	struct accept_state *st = r->priv;
	char key[96], port[16], raddr[INET6_ADDRSTRLEN + 8], comm[64], late[64];
	char uid[16];
	enum lden_prov uprov, cprov;

	if (lden_recipe__role(s) == ROLE_STATE) {
		struct conn *c = &st->pending[st->next++ % ACCEPT_PENDING];

		state_key(s, c->key, sizeof(c->key));
		c->time = s->time;
		return 0;
	}
	if (!extra || !*extra)
		return 0;	/* not TCP, or the descriptor was gone */
	lden_recipe__part(extra, 0, port, sizeof(port));
	lden_recipe__part(extra, 1, raddr, sizeof(raddr));
	snprintf(key, sizeof(key), "%s" LDEN_SEP "%s" LDEN_SEP, port, raddr);
	lden_recipe__part(extra, 2, key + strlen(key), sizeof(key) - strlen(key));
	for (unsigned int i = 0; i < ACCEPT_PENDING; i++) {
		struct conn *c = &st->pending[i];

		if (!c->time || strcmp(c->key, key))
			continue;
		c->time = 0;
		c->key[0] = '\0';
		lden_recipe__part(extra, 3, uid, sizeof(uid));
		lden_recipe__rest(extra, 4, late, sizeof(late));
		/* neither record carries the uid: read at arrival */
		uprov = strcmp(uid, "-1") ? LDEN_PROV_LATE : LDEN_PROV_NONE;
		lden_recipe__count(r, uprov);
		lden_row__add_num(row, "uid", uid, uprov);
		cprov = lden_recipe__name(r, (pid_t)s->tid, late, comm,
					 sizeof(comm));
		lden_recipe__count(r, cprov);
		lden_row__add_str(row, "cmd", comm, cprov);
		lden_row__add(row, "pid", true, "%u", s->pid);
		lden_row__add(row, "port", true, "%s", port);
		lden_row__add(row, "ip_source", false, "%s", raddr);
		return 1;
	}
	r->unmatched++;		/* a TCP accept without its handshake */
	return 0;
}

static void accept_free(struct lden_recipe *r)
{
	free(r->priv);
	r->priv = NULL;
}

const struct lden_recipe_def lden_recipe_tcp_accept = {
	.name = "tcp-accept",
	.command = "trace",
	.summary = "accepted TCP connections: uid, command, pid, port, source",
	.columns = "UID CMD PID PORT IP_SOURCE",
	.names = true,
	.attach = accept_attach,
	.capture = accept_capture,
	.sample = accept_sample,
	.free = accept_free,
};
