/* watch: wake on the kernel's notifications of what can take protection
 * away, then run a pass.  nftables: every ruleset change (NFNLGRP_NFTABLES:
 * a flush, a table deleted, a rule removed).  rtnetlink: links (a port
 * detached, a device down or renamed), addresses, routes, and the
 * forwarding and proxy settings (netconf).  iptables-legacy sends nothing:
 * there the pass's own period (a second) is the only way to notice. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "log.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A netlink socket of protocol that receives groups; -1 with errno. */
static int listen_to(int protocol, const unsigned *groups, int n)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			protocol);
	int big = 1 << 20;

	if (fd < 0)
		return -1;
	/* Overflow only loses notifications, never the pass they cause. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	for (int i = 0; i < n; i++)
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			       &groups[i], sizeof(groups[i])) < 0)
			goto fail;
	return fd;
fail:;
	int e = errno;

	close(fd);
	errno = e;
	return -1;
}

/* Read all that is queued; whether anything was. */
static int drain(int fd)
{
	char buf[16384];
	int any = 0;
	ssize_t k;

	while ((k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0 ||
	       (k < 0 && errno == ENOBUFS))
		any = 1;
	return any;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A burst (a flush deletes many objects, a restore makes many) is
 * waited out, a little: the pass comes at most SETTLE_MS after its last
 * event and SETTLE_MAX_MS after its first.  Passes are at least GAP_MS
 * apart, so that a stream of events (a guest flapping its carrier, a
 * routing daemon's churn) costs at most a few passes a second. */
#define SETTLE_MS 10
#define SETTLE_MAX_MS 100
#define GAP_MS 250

int guard_watch(int (*pass)(void *arg), void *arg)
{
	static const unsigned rt[] = {
		RTNLGRP_LINK,	     RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
		RTNLGRP_IPV4_ROUTE,  RTNLGRP_IPV6_ROUTE,  RTNLGRP_IPV4_NETCONF,
		RTNLGRP_IPV6_NETCONF
	};
	static const unsigned nf[] = { NFNLGRP_NFTABLES };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, open;
	struct pollfd fds[2];
	int period, e, rc = 0;
	long last;

	/* SIGTERM and SIGINT are taken only while waiting (ppoll), so that
	 * a pass and its restores always finish; the scripts it runs must be
	 * waited for, whatever SIGCHLD was inherited as. */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &open);
	sigdelset(&open, SIGTERM);
	sigdelset(&open, SIGINT);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fds[0].fd = listen_to(NETLINK_ROUTE, rt, sizeof(rt) / sizeof(rt[0]));
	fds[1].fd = listen_to(NETLINK_NETFILTER, nf, 1);
	if (fds[0].fd < 0 || fds[1].fd < 0) {
		e = errno;
		log_err("listen to the kernel's notifications: %m");
		if (fds[0].fd >= 0)
			close(fds[0].fd);
		errno = e;
		return -1;
	}
	fds[0].events = fds[1].events = POLLIN;
	log_info("watching (nftables and rtnetlink notifications)");
	last = now_ms();
	period = pass(arg);
	while (!stop) {
		struct timespec t = { period / 1000, period % 1000 * 1000000L };
		int k = ppoll(fds, 2, &t, &open);
		long first;

		if (stop)
			break;
		if (k < 0 && errno != EINTR) {
			log_err("wait for notifications: %m");
			rc = -1;
			break;
		}
		if (k > 0) {
			first = now_ms();
			while ((drain(fds[0].fd) | drain(fds[1].fd)) &&
			       now_ms() - first < SETTLE_MAX_MS)
				poll(fds, 2, SETTLE_MS);
		}
		if (now_ms() - last < GAP_MS)
			poll(NULL, 0, (int)(GAP_MS - (now_ms() - last)));
		drain(fds[0].fd);
		drain(fds[1].fd);
		last = now_ms();
		period = pass(arg);
	}
	close(fds[0].fd);
	close(fds[1].fd);
	log_info("stopped watching");
	return rc;
}
