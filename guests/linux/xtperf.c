// SPDX-License-Identifier: MIT
/*
 * xtperf: the network benchmark of `make bench-linux`, a static program in
 * the Linux guest kit's initramfs (guests/linux/mkkit.py builds it, /init
 * runs it: steps perf-server and perf-client, docs/linux.md).
 *
 *   xtperf server
 *       TCP port 5201: each connection says what it is in its first byte:
 *       'R' request/response (every byte read is written back), 'S' a
 *       stream (read to the end, then the byte count back as 8 bytes), 'M'
 *       an MTU change (4 bytes, little endian: eth0's MTU is set with
 *       busybox ip, one byte back when done). UDP port 5201: every datagram
 *       is sent back. Runs until killed.
 *   xtperf client PEER TEST SIZE COUNT
 *       TEST is TCP_RR, UDP_RR (COUNT transactions of SIZE bytes each
 *       way), PING (COUNT ICMP echoes of SIZE bytes of data), TCP_STREAM
 *       (COUNT bytes; SIZE is the MTU both ends use for it, set first with
 *       'M'; the MTU change and the connection are not timed). Prints one
 *       line:
 *       "xtalk-linux: perf test=T size=S ops=N value=V unit=U ns=D
 *        exits=E exits_io=I exits_mmio=M vmm_cycles=C copies=P frames=F"
 *       value: transactions per second, bytes per second or microseconds
 *       per round trip, of the guest's own clock (CLOCK_MONOTONIC); the
 *       counters are the differences of two XTALK_HC_COUNTERS snapshots
 *       around the test (the VMM's, for the whole machine when the guest
 *       has counters = machine; "na" without user_counters = on).
 *   xtperf counters
 *       one snapshot, for a look by hand.
 *
 * Everything is checked: a short read, a byte that does not come back as
 * sent or a lost datagram ends the program with status 1 and a message.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/hypercall_abi.h"

#define PORT 5201
#define MAX_MSG 65536
#define UDP_TIMEOUT_MS 2000

static void die(const char *what)
{
	fprintf(stderr, "xtperf: %s: %s\n", what, errno ? strerror(errno) : "failed");
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* ---------------------------------------------------------------- counters */

static sigjmp_buf no_vmcall;

static void on_fault(int sig)
{
	(void)sig;
	siglongjmp(no_vmcall, 1);
}

/* XTALK_HC_COUNTERS from user space: false where the VMM says #UD
 * (user_counters off) or the result is not a whole snapshot. */
static bool counters(struct xtalk_counters *c)
{
	struct sigaction sa = { .sa_handler = on_fault }, old, old_segv;
	volatile bool ok = false;
	long rax = XTALK_HC_COUNTERS;

	memset(c, 0, sizeof(*c));
	/* xtalk answers #UD (SIGILL); other hypervisors may raise #GP. */
	sigaction(SIGILL, &sa, &old);
	sigaction(SIGSEGV, &sa, &old_segv);
	if (!sigsetjmp(no_vmcall, 1)) {
		__asm__ volatile("vmcall"
				 : "+a"(rax)
				 : "D"(c), "S"(sizeof(*c))
				 : "memory");
		ok = rax == (long)sizeof(*c) && c->version == XTALK_COUNTERS_VERSION;
	}
	sigaction(SIGILL, &old, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return ok;
}

/* ---------------------------------------------------------------- I/O */

static void write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			die("write");
		p += k;
		n -= (size_t)k;
	}
}

/* n bytes, or false at the end of the stream before the first. */
static bool read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, p + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			die("read");
		if (k == 0) {
			if (!got)
				return false;
			errno = 0;
			die("short read");
		}
		got += (size_t)k;
	}
	return true;
}

static int tcp_connect(const char *peer)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || inet_pton(AF_INET, peer, &a.sin_addr) != 1)
		die("socket");
	for (int tries = 0; connect(fd, (struct sockaddr *)&a, sizeof(a)); tries++) {
		if (tries == 100)
			die("connect");
		sleep(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void set_mtu(unsigned mtu)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "ip link set dev eth0 mtu %u", mtu);
	if (system(cmd))
		die(cmd);
}

/* ---------------------------------------------------------------- server */

static void serve_tcp(int c)
{
	static char buf[MAX_MSG];
	char kind;
	ssize_t k;

	if (!read_all(c, &kind, 1))
		return;
	if (kind == 'R') {
		while ((k = read(c, buf, sizeof(buf))) > 0)
			write_all(c, buf, (size_t)k);
	} else if (kind == 'S') {
		uint64_t total = 0;

		while ((k = read(c, buf, sizeof(buf))) > 0)
			total += (uint64_t)k;
		write_all(c, &total, sizeof(total));
	} else if (kind == 'M') {
		uint32_t mtu;

		if (read_all(c, &mtu, sizeof(mtu))) {
			set_mtu(mtu);
			write_all(c, "k", 1);
		}
	}
}

static int server(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT),
				 .sin_addr = { htonl(INADDR_ANY) } };
	int one = 1, t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);

	if (t < 0 || u < 0)
		die("socket");
	setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(t, (struct sockaddr *)&a, sizeof(a)) || listen(t, 8) ||
	    bind(u, (struct sockaddr *)&a, sizeof(a)))
		die("bind");
	signal(SIGCHLD, SIG_IGN);
	if (fork() == 0) {	/* UDP echo */
		static char buf[MAX_MSG];

		for (;;) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t k = recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

			if (k >= 0)
				sendto(u, buf, (size_t)k, 0, (struct sockaddr *)&from, fl);
		}
	}
	for (;;) {
		int c = accept(t, NULL, NULL);

		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (fork() == 0) {
			signal(SIGCHLD, SIG_DFL);	/* system() waits for its shell */
			serve_tcp(c);
			_exit(0);
		}
		close(c);
	}
}

/* ---------------------------------------------------------------- client */

static void fill(char *buf, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(seed * 131 + i * 7 + (i >> 8));
}

static void tcp_rr(const char *peer, size_t size, unsigned count)
{
	static char out[MAX_MSG], in[MAX_MSG];
	int fd = tcp_connect(peer);

	write_all(fd, "R", 1);
	for (unsigned i = 0; i < count; i++) {
		fill(out, size, i);
		write_all(fd, out, size);
		if (!read_all(fd, in, size) || memcmp(in, out, size)) {
			errno = 0;
			die("TCP_RR: the response is not the request");
		}
	}
	close(fd);
}

static void udp_rr(const char *peer, size_t size, unsigned count)
{
	static char out[MAX_MSG], in[MAX_MSG];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || inet_pton(AF_INET, peer, &a.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)))
		die("UDP socket");
	for (unsigned i = 0; i < count; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		fill(out, size, i);
		write_all(fd, out, size);
		if (poll(&p, 1, UDP_TIMEOUT_MS) != 1 || read(fd, in, sizeof(in)) != (ssize_t)size ||
		    memcmp(in, out, size)) {
			errno = 0;
			die("UDP_RR: a datagram was lost or changed");
		}
	}
	close(fd);
}

static uint16_t icmp_sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

/* COUNT echoes, one at a time; the mean round trip in ns. */
static uint64_t ping(const char *peer, size_t size, unsigned count)
{
	static uint8_t out[MAX_MSG], in[MAX_MSG + 64];
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	uint64_t total = 0;

	if (fd < 0 || inet_pton(AF_INET, peer, &a.sin_addr) != 1)
		die("raw socket");
	for (unsigned i = 0; i < count; i++) {
		struct icmphdr *h = (struct icmphdr *)out;
		uint64_t t0;

		memset(h, 0, sizeof(*h));
		h->type = ICMP_ECHO;
		h->un.echo.id = htons((uint16_t)getpid());
		h->un.echo.sequence = htons((uint16_t)i);
		fill((char *)out + sizeof(*h), size, i);
		h->checksum = icmp_sum(out, sizeof(*h) + size);
		t0 = now_ns();
		if (sendto(fd, out, sizeof(*h) + size, 0, (struct sockaddr *)&a, sizeof(a)) < 0)
			die("ping: send");
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t k;
			const struct icmphdr *r;
			size_t ihl;

			if (poll(&p, 1, UDP_TIMEOUT_MS) != 1) {
				errno = 0;
				die("ping: no reply");
			}
			k = read(fd, in, sizeof(in));
			if (k < 20)
				continue;
			ihl = (size_t)(in[0] & 0xf) * 4;
			r = (const struct icmphdr *)(in + ihl);
			if ((size_t)k < ihl + sizeof(*r) || r->type != ICMP_ECHOREPLY ||
			    r->un.echo.id != h->un.echo.id || r->un.echo.sequence != h->un.echo.sequence)
				continue;
			if ((size_t)k != ihl + sizeof(*r) + size ||
			    memcmp(in + ihl + sizeof(*r), out + sizeof(*h), size)) {
				errno = 0;
				die("ping: the reply's data is not what was sent");
			}
			break;
		}
		total += now_ns() - t0;
	}
	close(fd);
	return total / count;
}

/*
 * A stream at MTU mtu: both ends set to it first ('M' to the peer), then
 * the connection, all before the clock starts (an MTU change resets the
 * NIC: the link comes back only after a while, which is not the stream's
 * time). The connected socket, 'S' already sent.
 */
static int tcp_stream_setup(const char *peer, unsigned mtu)
{
	uint32_t m = mtu;
	char ok;
	int fd = tcp_connect(peer);

	write_all(fd, "M", 1);
	write_all(fd, &m, sizeof(m));
	if (!read_all(fd, &ok, 1))
		die("MTU change");
	close(fd);
	set_mtu(mtu);
	fd = tcp_connect(peer);
	write_all(fd, "S", 1);
	return fd;
}

/* COUNT bytes on fd; the peer must have counted every one. */
static void tcp_stream(int fd, uint64_t count)
{
	static char buf[MAX_MSG];
	uint64_t sent = 0, got = 0;

	fill(buf, sizeof(buf), 7);
	while (sent < count) {
		size_t n = count - sent < sizeof(buf) ? (size_t)(count - sent) : sizeof(buf);

		write_all(fd, buf, n);
		sent += n;
	}
	shutdown(fd, SHUT_WR);
	if (!read_all(fd, &got, sizeof(got)) || got != count) {
		errno = 0;
		die("TCP_STREAM: the peer did not get every byte");
	}
	close(fd);
}

static void print_counter(const char *name, bool ok, uint64_t a, uint64_t b)
{
	if (ok)
		printf(" %s=%llu", name, (unsigned long long)(b - a));
	else
		printf(" %s=na", name);
}

static int client(const char *peer, const char *test, unsigned long size, unsigned long long count)
{
	struct xtalk_counters c0, c1;
	bool ok0, ok1;
	uint64_t t0, t1, rtt = 0;
	double value;
	const char *unit;
	int fd = -1;

	if (!count || size > MAX_MSG - 64) {
		errno = EINVAL;
		die("size or count");
	}
	if (!strcmp(test, "TCP_STREAM"))
		fd = tcp_stream_setup(peer, (unsigned)size);
	ok0 = counters(&c0);
	t0 = now_ns();
	if (!strcmp(test, "TCP_RR"))
		tcp_rr(peer, size, (unsigned)count);
	else if (!strcmp(test, "UDP_RR"))
		udp_rr(peer, size, (unsigned)count);
	else if (!strcmp(test, "PING"))
		rtt = ping(peer, size, (unsigned)count);
	else if (!strcmp(test, "TCP_STREAM"))
		tcp_stream(fd, count);
	else {
		errno = EINVAL;
		die(test);
	}
	t1 = now_ns();
	ok1 = counters(&c1);
	if (!strcmp(test, "PING")) {
		value = (double)rtt / 1000.0;
		unit = "us";
	} else if (!strcmp(test, "TCP_STREAM")) {
		value = (double)count * 1e9 / (double)(t1 - t0);
		unit = "bytes/s";
	} else {
		value = (double)count * 1e9 / (double)(t1 - t0);
		unit = "trans/s";
	}
	printf("xtalk-linux: perf test=%s size=%lu ops=%llu value=%.1f unit=%s ns=%llu", test,
	       size, count, value, unit, (unsigned long long)(t1 - t0));
	print_counter("exits", ok0 && ok1, c0.exits, c1.exits);
	print_counter("exits_io", ok0 && ok1, c0.exits_io, c1.exits_io);
	print_counter("exits_mmio", ok0 && ok1, c0.exits_mmio, c1.exits_mmio);
	print_counter("exits_hlt", ok0 && ok1, c0.exits_hlt, c1.exits_hlt);
	print_counter("irqs", ok0 && ok1, c0.irqs, c1.irqs);
	print_counter("vmm_cycles", ok0 && ok1, c0.vmm_cycles, c1.vmm_cycles);
	print_counter("copies", ok0 && ok1, c0.copies, c1.copies);
	print_counter("frames", ok0 && ok1, c0.frames, c1.frames);
	printf("\n");
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct xtalk_counters c;

	if (argc == 2 && !strcmp(argv[1], "server"))
		return server();
	if (argc == 6 && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], strtoul(argv[4], NULL, 0),
			      strtoull(argv[5], NULL, 0));
	if (argc == 2 && !strcmp(argv[1], "counters")) {
		if (!counters(&c)) {
			printf("xtalk-linux: counters na\n");
			return 1;
		}
		printf("xtalk-linux: counters exits=%llu vmm_cycles=%llu copies=%llu frames=%llu\n",
		       (unsigned long long)c.exits, (unsigned long long)c.vmm_cycles,
		       (unsigned long long)c.copies, (unsigned long long)c.frames);
		return 0;
	}
	fprintf(stderr, "usage: xtperf server | client PEER TEST SIZE COUNT | counters\n");
	return 2;
}
