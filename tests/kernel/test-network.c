// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The network events, exact on every kernel: each workload counts what
 * its own calls did (sends and receives that moved data, and their
 * bytes) in a shared page, and lden must count the same, on 6.18's
 * sock_*_length tracepoints and on the return probes older kernels fall
 * back on:
 *
 * - blocking TCP over IPv4 and IPv6;
 * - a non-blocking sender that runs into EAGAIN (not counted) and short
 *   sends (counted by what they moved, not what was asked);
 * - UDP over IPv4, IPv6, and from an IPv6 socket to an IPv4-mapped
 *   address (udpv6_sendmsg goes on into udp_sendmsg: counted once),
 *   with a failed non-blocking receive before each real one;
 * - 32 receivers blocked in recv() at once, more than a kretprobe's
 *   default instances (10 on 2 CPUs): none missed;
 * - and, where the source is a kretprobe, the same with 4 instances
 *   (LDEN_KRETPROBE_MAXACTIVE): 28 returns missed, and said so.
 *
 * Every event is scoped to the workload's process and its children, so
 * the machine's other traffic cannot change a count.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "evtest.h"
#include "lden-trace.h"
#include "collect.h"
#include "lden.h"
#include "watch.h"

#define CHUNK 65536
#define TCP_BYTES MIB
#define NB_BYTES MIB
#define UDP_N 50
#define UDP_SIZE 1000
#define RECEIVERS 32
#define RECV_SIZE 100

/* What the workload did, written by it (and its children) */
struct netres {
	uint64_t sends, sent;		/* send() calls that moved data, bytes */
	uint64_t recvs, rcvd;		/* recv() calls that returned data */
	uint64_t eagain;		/* calls that moved nothing */
	uint64_t short_sends;		/* sends that moved less than asked */
};

static struct netres *res;

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* A bound socket on loopback (@family) and its address. */
static int bound_socket(int family, int type, struct addr *a)
{
	int s = socket(family, type | SOCK_CLOEXEC, 0);

	memset(a, 0, sizeof(*a));
	a->ss.ss_family = family;
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;

		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;

		in6->sin6_addr = in6addr_loopback;
		a->len = sizeof(*in6);
	}
	if (s < 0 || bind(s, (struct sockaddr *)&a->ss, a->len) < 0 ||
	    getsockname(s, (struct sockaddr *)&a->ss, &a->len) < 0)
		return -1;
	return s;
}

/* ::ffff:127.0.0.1, port of @v4: an IPv6 socket's way to an IPv4 one */
static void mapped(const struct addr *v4, struct addr *out)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)&v4->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->ss;

	memset(out, 0, sizeof(*out));
	in6->sin6_family = AF_INET6;
	in6->sin6_port = in->sin_port;
	in6->sin6_addr.s6_addr[10] = 0xff;
	in6->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&in6->sin6_addr.s6_addr[12], &in->sin_addr, 4);
	out->len = sizeof(*in6);
}

/* Receives until EOF, counting; 0 or -1. */
static int receive_all(int c, size_t bufsize)
{
	static char buf[CHUNK];
	ssize_t n;

	while ((n = recv(c, buf, bufsize, 0)) > 0) {
		res->recvs++;
		res->rcvd += (uint64_t)n;
	}
	return n < 0 ? -1 : 0;
}

static int wait_ok(pid_t p)
{
	int st;

	return waitpid(p, &st, 0) == p && WIFEXITED(st) && !WEXITSTATUS(st) ?
		       0 : -1;
}

/* ------------------------------------------------------------------ */
/* TCP */

struct tcp_work {
	int family;
	bool nonblocking;
};

/*
 * The non-blocking sender: small buffers, 64 KiB asked each time, until
 * NB_BYTES moved; a call that moves nothing (EAGAIN) waits for room.
 * The receiver starts reading only once the sender has met EAGAIN
 * (@go), so that it surely does.
 */
static int send_nonblocking(int s, int go)
{
	static char buf[CHUNK];
	int small = 4096;

	if (setsockopt(s, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) < 0 ||
	    fcntl(s, F_SETFL, O_NONBLOCK) < 0)
		return 1;
	memset(buf, 'n', sizeof(buf));
	while (res->sent < NB_BYTES) {
		size_t want = NB_BYTES - res->sent < sizeof(buf) ?
			      NB_BYTES - res->sent : sizeof(buf);
		ssize_t n = send(s, buf, want, MSG_NOSIGNAL);
		struct pollfd p = { .fd = s, .events = POLLOUT };

		if (n > 0) {
			res->sends++;
			res->sent += (uint64_t)n;
			res->short_sends += (size_t)n < want;
			continue;
		}
		if (n == 0 || errno != EAGAIN)
			return 2;
		if (!res->eagain++ && write(go, "g", 1) != 1)
			return 3;
		if (poll(&p, 1, EVT_TIMEOUT_MS) != 1)
			return 4;
	}
	return 0;
}

static int send_blocking(int s)
{
	static char buf[CHUNK];

	memset(buf, 't', sizeof(buf));
	while (res->sent < TCP_BYTES) {
		size_t want = TCP_BYTES - res->sent < sizeof(buf) ?
			      TCP_BYTES - res->sent : sizeof(buf);
		ssize_t n = send(s, buf, want, MSG_NOSIGNAL);

		if (n <= 0)
			return 1;
		res->sends++;
		res->sent += (uint64_t)n;
	}
	return 0;
}

/* A grandchild sends, the child receives; both count. */
static int work_tcp(void *arg)
{
	const struct tcp_work *w = arg;
	int ls, c, go[2], rc;
	struct addr a;
	char b;
	pid_t p;

	ls = bound_socket(w->family, SOCK_STREAM, &a);
	if (ls < 0 || listen(ls, 1) < 0 || pipe2(go, O_CLOEXEC) < 0)
		return 10;
	p = fork();
	if (p < 0)
		return 11;
	if (p == 0) {
		int s = socket(w->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		close(ls);
		close(go[0]);
		if (s < 0 || connect(s, (struct sockaddr *)&a.ss, a.len) < 0)
			_exit(12);
		rc = w->nonblocking ? send_nonblocking(s, go[1]) :
				      send_blocking(s);
		close(s);
		_exit(rc);
	}
	close(go[1]);
	c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	close(ls);
	if (c < 0)
		return 13;
	/* the non-blocking sender says when it met a full buffer */
	if (w->nonblocking && read(go[0], &b, 1) != 1)
		return 14;
	close(go[0]);
	/* small reads: the sender keeps finding the buffer full */
	if (receive_all(c, w->nonblocking ? 4096 : CHUNK) < 0)
		return 15;
	close(c);
	return wait_ok(p) < 0 ? 16 : 0;
}

struct tcp_events {
	struct lden_attached send, recv, usend, urecv;
};

static void attach_all(struct fx *f, struct tcp_events *e, bool sized_tcp)
{
	pid_t pid = f->child.pid;

	evt_attach(f, "network.tcp_send", sized_tcp, NULL, pid, &e->send, NULL);
	evt_attach(f, "network.tcp_recv", sized_tcp, NULL, pid, &e->recv, NULL);
	evt_attach(f, "network.udp_send", !sized_tcp, NULL, pid, &e->usend,
		   NULL);
	evt_attach(f, "network.udp_recv", !sized_tcp, NULL, pid, &e->urecv,
		   NULL);
}

static void tcp(void **state, int family, bool nonblocking)
{
	struct fx *f = *state;
	struct tcp_work w = { .family = family, .nonblocking = nonblocking };
	const char *how = family == AF_INET6 ? "IPv6" : "IPv4";
	uint64_t bytes = nonblocking ? NB_BYTES : TCP_BYTES;
	struct tcp_events e;
	char what[96];

	res = evt_shared(sizeof(*res));
	evt_start_child(f, work_tcp, &w);
	attach_all(f, &e, true);
	assert_int_equal(evt_run(f), 0);
	evt_check_samples(f, &e.send);
	evt_check_samples(f, &e.recv);
	assert_int_equal(res->sent, bytes);
	assert_int_equal(res->rcvd, bytes);
	if (nonblocking) {
		/* else the test proves nothing */
		assert_true(res->eagain > 0);
		print_message("  (%llu sends that moved nothing, %llu short)\n",
			      (unsigned long long)res->eagain,
			      (unsigned long long)res->short_sends);
		snprintf(what, sizeof(what), "count (%s, non-blocking, EAGAIN)",
			 how);
	} else {
		snprintf(what, sizeof(what), "count (%s)", how);
	}
	evt_exactly(&e.send, what, evt_count(&e.send), res->sends);
	evt_exactly(&e.send, "size", evt_size(&e.send), bytes);
	evt_exactly(&e.recv, what, evt_count(&e.recv), res->recvs);
	evt_exactly(&e.recv, "size", evt_size(&e.recv), bytes);
	/* the protocol filters keep TCP out of the UDP events */
	evt_exactly(&e.usend, "count (TCP traffic only)", evt_count(&e.usend), 0);
	evt_exactly(&e.urecv, "count (TCP traffic only)", evt_count(&e.urecv), 0);
	munmap(res, sizeof(*res));
}

static void tcp_ipv4(void **state)
{
	tcp(state, AF_INET, false);
}

static void tcp_ipv6(void **state)
{
	tcp(state, AF_INET6, false);
}

static void tcp_nonblocking(void **state)
{
	tcp(state, AF_INET, true);
}

static void tcp_nonblocking_ipv6(void **state)
{
	tcp(state, AF_INET6, true);
}

/* ------------------------------------------------------------------ */
/* UDP */

struct udp_work {
	int rfamily;		/* the receiver's */
	int sfamily;		/* the sender's */
};

/*
 * A grandchild sends UDP_N datagrams; the child reads each before the
 * next is sent (an ack on a pipe), so none can overflow its buffer, and
 * tries a non-blocking read first, which finds nothing (not counted).
 */
static int work_udp(void *arg)
{
	const struct udp_work *w = arg;
	char buf[2 * UDP_SIZE], ch = 'a';
	struct addr a, to;
	int r, ack[2];
	pid_t p;

	r = bound_socket(w->rfamily, SOCK_DGRAM, &a);
	if (r < 0 || pipe2(ack, O_CLOEXEC) < 0)
		return 1;
	to = a;
	if (w->sfamily != w->rfamily)
		mapped(&a, &to);
	p = fork();
	if (p < 0)
		return 2;
	if (p == 0) {
		int s = socket(w->sfamily, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		close(ack[1]);
		memset(buf, 'u', sizeof(buf));
		for (int i = 0; i < UDP_N; i++) {
			if (sendto(s, buf, UDP_SIZE, 0, (struct sockaddr *)&to.ss,
				   to.len) != UDP_SIZE)
				_exit(1);
			res->sends++;
			res->sent += UDP_SIZE;
			if (read(ack[0], &ch, 1) != 1)
				_exit(2);
		}
		_exit(0);
	}
	close(ack[0]);
	for (int i = 0; i < UDP_N; i++) {
		ssize_t n = recv(r, buf, sizeof(buf), MSG_DONTWAIT);

		/* nothing yet, or already there: both are fine */
		if (n < 0 && errno == EAGAIN)
			res->eagain++;
		else if (n == UDP_SIZE)
			goto got;
		else
			return 3;
		if (recv(r, buf, sizeof(buf), 0) != UDP_SIZE)
			return 4;
got:
		res->recvs++;
		res->rcvd += UDP_SIZE;
		if (write(ack[1], &ch, 1) != 1)
			return 5;
	}
	close(ack[1]);
	close(r);
	return wait_ok(p) < 0 ? 6 : 0;
}

static void udp(void **state, int rfamily, int sfamily, const char *how)
{
	struct fx *f = *state;
	struct udp_work w = { .rfamily = rfamily, .sfamily = sfamily };
	struct tcp_events e;
	char what[96];

	res = evt_shared(sizeof(*res));
	evt_start_child(f, work_udp, &w);
	attach_all(f, &e, false);
	assert_int_equal(evt_run(f), 0);
	evt_check_samples(f, &e.usend);
	evt_check_samples(f, &e.urecv);
	assert_int_equal(res->sends, UDP_N);
	assert_int_equal(res->recvs, UDP_N);
	print_message("  (%llu receives that found nothing)\n",
		      (unsigned long long)res->eagain);
	snprintf(what, sizeof(what), "count (%s)", how);
	evt_exactly(&e.usend, what, evt_count(&e.usend), UDP_N);
	evt_exactly(&e.usend, "size", evt_size(&e.usend),
		    (uint64_t)UDP_N * UDP_SIZE);
	evt_exactly(&e.urecv, what, evt_count(&e.urecv), UDP_N);
	evt_exactly(&e.urecv, "size", evt_size(&e.urecv),
		    (uint64_t)UDP_N * UDP_SIZE);
	evt_exactly(&e.send, "count (UDP traffic only)", evt_count(&e.send), 0);
	evt_exactly(&e.recv, "count (UDP traffic only)", evt_count(&e.recv), 0);
	munmap(res, sizeof(*res));
}

static void udp_ipv4(void **state)
{
	udp(state, AF_INET, AF_INET, "IPv4");
}

static void udp_ipv6(void **state)
{
	udp(state, AF_INET6, AF_INET6, "IPv6");
}

static void udp_ipv4_mapped(void **state)
{
	udp(state, AF_INET, AF_INET6, "IPv6 socket to IPv4-mapped");
}

/* ------------------------------------------------------------------ */
/* Receivers blocked at once */

struct receiver {
	pthread_t t;
	int fd;
	pid_t tid;
	int rc;
};

static void *receive_one(void *arg)
{
	struct receiver *r = arg;
	char buf[RECV_SIZE];

	r->tid = (pid_t)syscall(SYS_gettid);
	r->rc = recv(r->fd, buf, sizeof(buf), MSG_WAITALL) == RECV_SIZE ? 0 : 1;
	return NULL;
}

/* Whether thread @tid is in recvfrom(2) now: /proc's syscall file. */
static bool in_recv(pid_t tid)
{
	char path[64], line[256];
	bool yes = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f))
		yes = atol(line) == SYS_recvfrom;
	fclose(f);
	return yes;
}

/*
 * RECEIVERS threads, each blocked in recv() on a connection of its own;
 * once /proc shows them all in recvfrom, each gets RECV_SIZE bytes.
 */
static int work_receivers(void *arg)
{
	static struct receiver r[RECEIVERS];
	int ls, peers[RECEIVERS], rc = 0;
	char data[RECV_SIZE];
	struct addr a;

	(void)arg;
	memset(data, 'r', sizeof(data));
	ls = bound_socket(AF_INET, SOCK_STREAM, &a);
	if (ls < 0 || listen(ls, RECEIVERS) < 0)
		return 1;
	for (int i = 0; i < RECEIVERS; i++) {
		peers[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (peers[i] < 0 ||
		    connect(peers[i], (struct sockaddr *)&a.ss, a.len) < 0)
			return 2;
		r[i].fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (r[i].fd < 0)
			return 3;
		if (pthread_create(&r[i].t, NULL, receive_one, &r[i]))
			return 4;
	}
	for (int i = 0, tries = 0; i < RECEIVERS; tries++) {
		if (tries > 6000)	/* 60 s */
			return 5;
		if (__atomic_load_n(&r[i].tid, __ATOMIC_ACQUIRE) &&
		    in_recv(r[i].tid)) {
			i++;
			continue;
		}
		usleep(10000);
	}
	for (int i = 0; i < RECEIVERS; i++)
		if (send(peers[i], data, sizeof(data), MSG_NOSIGNAL) !=
		    (ssize_t)sizeof(data))
			return 6;
	for (int i = 0; i < RECEIVERS; i++) {
		pthread_join(r[i].t, NULL);
		rc |= r[i].rc;
		close(r[i].fd);
		close(peers[i]);
	}
	close(ls);
	return rc ? 7 : 0;
}

static void blocked_receivers(void **state)
{
	struct fx *f = *state;
	struct lden_attached recv;
	uint64_t missed;

	evt_start_child(f, work_receivers, NULL);
	evt_attach(f, "network.tcp_recv", true, NULL, f->child.pid, &recv, NULL);
	assert_int_equal(evt_run(f), 0);
	evt_check_samples(f, &recv);
	assert_int_equal(lden_attached__missed(&recv, &missed), 0);
	evt_exactly(&recv, "count (32 receivers blocked at once)",
		    evt_count(&recv), RECEIVERS);
	evt_exactly(&recv, "size", evt_size(&recv),
		    (uint64_t)RECEIVERS * RECV_SIZE);
	evt_exactly(&recv, "missed", missed, 0);
}

/*
 * The same with 4 instances for the kretprobe: the kernel misses 28
 * returns, and lden reads that it did.  (Tracepoint kernels miss
 * nothing: skipped there.)
 */
static void missed_returns(void **state)
{
	struct fx *f = *state;
	struct lden_attached recv;
	uint64_t missed;

	setenv("LDEN_KRETPROBE_MAXACTIVE", "4", 1);
	evt_start_child(f, work_receivers, NULL);
	evt_attach(f, "network.tcp_recv", false, NULL, f->child.pid, &recv,
		   NULL);
	unsetenv("LDEN_KRETPROBE_MAXACTIVE");
	if (recv.parts[0].ev &&
	    strcmp(ltr_event__system(recv.parts[0].ev),
		   ltr_session__group(f->s))) {
		print_message("SKIP: %s: no return probe to miss\n", recv.source);
		print_message("ROW|network.tcp_recv|%s|missed (kretprobe of 4 instances, 32 blocked)|not on this kernel: a tracepoint|-\n",
			      recv.source);
		assert_int_equal(evt_run(f), 0);
		skip();
	}
	assert_int_equal(evt_run(f), 0);
	assert_int_equal(lden_attached__missed(&recv, &missed), 0);
	/* the first 4 to block took the instances; nothing else here
	 * (the guest) enters tcp_recvmsg */
	evt_exactly(&recv, "count (kretprobe of 4 instances, 32 blocked)",
		    evt_count(&recv), 4);
	evt_exactly(&recv, "missed (kretprobe of 4 instances, 32 blocked)",
		    missed, RECEIVERS - 4);
}

/*
 * lden watch on the same short count: the rule fires on the 4 returns
 * seen, and its transition says that the count is short by up to 28
 * (JSON "missed", "count_exact":false, the "exactness" note), never a
 * silent 4.
 */
static void watch_missed_returns(void **state)
{
	struct fx *f = *state;
	struct lden_scope_opts scope = { .npids = 1, .children = true };
	struct lden_watch_conf conf = { .host = "guest", .json = true,
					.resend = 60 };
	struct lden_rules rs = { 0 };
	struct lden_rules_error err;
	struct lden_watch w;
	const struct lden_attached *a;
	char *out = NULL;
	size_t len = 0;

	setenv("LDEN_KRETPROBE_MAXACTIVE", "4", 1);
	evt_start_child(f, work_receivers, NULL);
	scope.pids[0] = f->child.pid;
	conf.out = open_memstream(&out, &len);
	assert_non_null(conf.out);
	lden_watch__init(&w, &conf, f->s, f->k, &evt_cat, &scope);
	assert_int_equal(lden_rules__parse(&rs,
		"rule short\n\twhen count(network.tcp_recv) >= 4\n",
		"short.rules", &err), 0);
	if (lden_watch__bind(&w, &rs, lden_now(), false, &err) < 0)
		fail_msg("bind: %s", err.msg);
	unsetenv("LDEN_KRETPROBE_MAXACTIVE");
	assert_int_equal(w.ev.n, 1);
	a = &w.ev.ev[0]->att[0];
	if (a->parts[0].ev && strcmp(ltr_event__system(a->parts[0].ev),
				     ltr_session__group(f->s))) {
		print_message("SKIP: %s: no return probe to miss\n", a->source);
		assert_int_equal(evt_run(f), 0);
		lden_watch__free(&w);
		fclose(conf.out);
		free(out);
		skip();
	}
	assert_int_equal(evt_run(f), 0);
	assert_int_equal(lden_watch__tick(&w, lden_now(), 1e9), 0);
	assert_int_equal(w.r[0]->sm.state, LDEN_RULE_FIRING);
	assert_false(lden_watch_rule__count_exact(w.r[0]));
	assert_int_equal(fflush(conf.out), 0);
	print_message("%s", out);
	assert_non_null(strstr(out, "\"state\":\"firing\""));
	assert_non_null(strstr(out, "\"count\":4,\"size\":null,\"speed\":"));
	/*
	 * a tick a slow guest made late marks the speed estimated, between
	 * the value's fields and its end: both as they must be
	 */
	assert_non_null(strstr(out, ",\"lost\":0,\"missed\":28,\"count_exact\":false"));
	assert_true(strstr(out, ",\"count_exact\":false}],") ||
		    strstr(out, ",\"count_exact\":false,\"speed_estimated\":true,\"speed_span\":"));
	/* (then, in watch's first second, its speed said estimated) */
	assert_non_null(strstr(out, "}],\"count_exact\":false,\"size_exact\":true,"
			       "\"exactness\":\"not exact: network.tcp_recv short by up to 28 "
			       "(hits its kprobes missed)"));
	evt_exactly(a, "watch: a rule's missed (kretprobe of 4 instances, 32 blocked)",
		    w.r[0]->ev[0].we->st.missed - w.r[0]->ev[0].missed0,
		    RECEIVERS - 4);
	lden_watch__free(&w);
	fclose(conf.out);
	free(out);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, evt_setup, evt_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(tcp_ipv4),
		T(tcp_ipv6),
		T(tcp_nonblocking),
		T(tcp_nonblocking_ipv6),
		T(udp_ipv4),
		T(udp_ipv6),
		T(udp_ipv4_mapped),
		T(blocked_receivers),
		T(missed_returns),
		T(watch_missed_returns),
	};

	ktest_require_tracing();
	return cmocka_run_group_tests(tests, evt_group_setup, evt_group_teardown);
}
