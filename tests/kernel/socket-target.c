// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Known socket calls over loopback, for lden trace socket's tests: each
 * made with syscall(2), so that the C library cannot turn one into
 * another (send into sendto), from one thread, in a fixed order; after
 * each, a line "NAME RESULT" on stdout (the raw result: -errno on
 * failure), after a first line "pid PID".  Two fail on purpose: a connect to a port nobody listens on
 * (-ECONNREFUSED) and a bind on a descriptor that is not open (-EBADF).
 *
 *   socket-target [wait | block | loop N]
 *
 * "wait": read a byte from stdin first (a tracer attaches meanwhile).
 * "block": only a receive that blocks (print "ready", then a recvfrom on
 * one end of a socket pair) until SIGUSR1 interrupts it (-EINTR), then a
 * shutdown: a tracer started meanwhile sees a return without its entry.
 * "loop N": a socket, then N getsockopt calls on it, quietly, then
 * "getsockopt N" (for the overhead guard).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static long said(const char *name, long rc)
{
	long r = rc < 0 ? -errno : rc;

	printf("%s %ld\n", name, r);
	fflush(stdout);
	return r;
}

#define CALL(name, ...) said(#name, syscall(SYS_##name, __VA_ARGS__))

static void on_usr1(int sig)
{
	(void)sig;
}

static int block(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	char buf[8];
	int p[2];

	if (sigaction(SIGUSR1, &sa, NULL) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, p) < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	CALL(recvfrom, p[0], buf, sizeof(buf), 0, NULL, NULL);
	CALL(shutdown, p[0], SHUT_RDWR);
	return 0;
}

static int loop(long n)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), err;
	socklen_t len;
	long ok = 0;

	if (s < 0)
		return 1;
	for (long i = 0; i < n; i++) {
		len = sizeof(err);
		ok += syscall(SYS_getsockopt, s, SOL_SOCKET, SO_ERROR, &err,
			      &len) == 0;
	}
	printf("getsockopt %ld\n", ok);
	return ok == n ? 0 : 1;
}

static void die(const char *what)
{
	fprintf(stderr, "socket-target: %s failed\n", what);
	exit(1);
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET }, peer, closed;
	socklen_t alen = sizeof(addr), plen = sizeof(peer);
	char buf[64], msg[] = "hello-lden";
	struct iovec iov = { .iov_base = msg, .iov_len = 3 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int one = 1, err = -1, pair[2];
	socklen_t elen = sizeof(err);
	long s, c, a, d;

	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	if (argc > 1 && !strcmp(argv[1], "block"))
		return block();
	if (argc > 2 && !strcmp(argv[1], "loop"))
		return loop(atol(argv[2]));
	if (argc > 1 && !strcmp(argv[1], "wait") && read(0, buf, 1) != 1)
		die("wait");
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	closed = addr;

	s = CALL(socket, AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		die("socket");
	CALL(setsockopt, s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (CALL(bind, s, &addr, sizeof(addr)) < 0)
		die("bind");
	CALL(getsockname, s, &addr, &alen);
	if (CALL(listen, s, 4) < 0)
		die("listen");
	c = CALL(socket, AF_INET, SOCK_STREAM, 0);
	if (CALL(connect, c, &addr, sizeof(addr)) < 0)
		die("connect");
	a = CALL(accept, s, &peer, &plen);
	if (a < 0)
		die("accept");
	CALL(getpeername, a, &peer, &plen);
	CALL(sendto, c, msg, 10, 0, NULL, 0);
	CALL(recvfrom, a, buf, sizeof(buf), 0, NULL, NULL);
	CALL(sendmsg, c, &mh, 0);
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	CALL(recvmsg, a, &mh, 0);
	CALL(getsockopt, c, SOL_SOCKET, SO_ERROR, &err, &elen);
	CALL(shutdown, c, SHUT_WR);
	/* the end of the stream: 0 bytes */
	CALL(recvfrom, a, buf, sizeof(buf), 0, NULL, NULL);

	/* a port nobody listens on: one just bound, then closed */
	d = CALL(socket, AF_INET, SOCK_STREAM, 0);
	closed.sin_port = 0;
	CALL(bind, d, &closed, sizeof(closed));
	alen = sizeof(closed);
	CALL(getsockname, d, &closed, &alen);
	close((int)d);
	d = CALL(socket, AF_INET, SOCK_STREAM, 0);
	CALL(connect, d, &closed, sizeof(closed));
	CALL(bind, 1000000, &addr, sizeof(addr));
	CALL(socketpair, AF_UNIX, SOCK_STREAM, 0, pair);

	close((int)d);
	close((int)a);
	close((int)c);
	close((int)s);
	close(pair[0]);
	close(pair[1]);
	return 0;
}
