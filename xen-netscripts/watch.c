/* watch: wake on the kernel's notifications of what can take protection
 * away, then run a pass.  nftables: every ruleset change (NFNLGRP_NFTABLES:
 * a flush, a table deleted, a rule removed).  rtnetlink: links (a port
 * detached, a device down or renamed), addresses, routes, and the
 * forwarding and proxy settings (netconf).  iptables-legacy sends nothing:
 * there the pass's own period (a second) is the only way to notice.  A
 * link's carrier is passed on as its notification is read (follow.c), and
 * the timer's repeats run between passes. */
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

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* linux/if.h's, which net/if.h clashes with */
#endif

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

/* Read all that is queued, telling w of each link's carrier (w NULL: a
 * socket without links); whether anything was. */
static int drain(int fd, const struct guard_watcher *w)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int any = 0;
	ssize_t k;

	while ((k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0 ||
	       (k < 0 && errno == ENOBUFS)) {
		any = 1;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
		     w && k > 0 && NLMSG_OK(h, (size_t)k);
		     h = NLMSG_NEXT(h, k)) {
			const struct ifinfomsg *ifi = NLMSG_DATA(h);

			if (h->nlmsg_type == RTM_NEWLINK &&
			    h->nlmsg_len >= NLMSG_LENGTH(sizeof(*ifi)))
				w->link(w->arg, ifi->ifi_index,
					!!(ifi->ifi_flags & IFF_LOWER_UP));
		}
	}
	return any;
}

long guard_now_ms(void)
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

/* Wait up to ms for events, telling w of links as they come and running
 * its timer meanwhile; whether any came. */
static int events(struct pollfd fds[2], const struct guard_watcher *w, int ms)
{
	int any = 0;
	long end = guard_now_ms() + ms, left;

	while ((left = end - guard_now_ms()) > 0) {
		int due = w->timer(w->arg);

		if (due >= 0 && due < left)
			left = due;
		if (poll(fds, 2, (int)left) > 0)
			any |= drain(fds[0].fd, w) | drain(fds[1].fd, NULL);
	}
	return any;
}

int guard_watch(const struct guard_watcher *w)
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
	last = guard_now_ms();
	period = w->pass(w->arg);
	while (!stop) {
		long wait = last + period - guard_now_ms();
		int due = w->timer(w->arg), k;
		struct timespec t;
		long first;

		if (due >= 0 && due < wait)
			wait = due;
		wait = wait < 0 ? 0 : wait;
		t.tv_sec = wait / 1000;
		t.tv_nsec = wait % 1000 * 1000000L;
		k = ppoll(fds, 2, &t, &open);
		if (stop)
			break;
		if (k < 0 && errno != EINTR) {
			log_err("wait for notifications: %m");
			rc = -1;
			break;
		}
		if (k > 0) {
			/* A link's carrier is followed now (drain); the rest
			 * waits for the burst to settle and the gap. */
			first = guard_now_ms();
			drain(fds[0].fd, w);
			drain(fds[1].fd, NULL);
			while (events(fds, w, SETTLE_MS) &&
			       guard_now_ms() - first < SETTLE_MAX_MS)
				;
		} else if (guard_now_ms() < last + period) {
			continue; /* the timer's turn */
		}
		if (guard_now_ms() - last < GAP_MS)
			events(fds, w, (int)(GAP_MS - (guard_now_ms() - last)));
		drain(fds[0].fd, w);
		drain(fds[1].fd, NULL);
		last = guard_now_ms();
		period = w->pass(w->arg);
	}
	close(fds[0].fd);
	close(fds[1].fd);
	log_info("stopped watching");
	return rc;
}
