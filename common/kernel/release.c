#define _GNU_SOURCE
/* The holder of a network namespace (release.h).
 *
 * A group of runs shares one: the first run with a socket to release forks
 * it, and the runs after it hand it their sockets (SCM_RIGHTS over the
 * abstract unix socket HOLDER, which is per network namespace) instead of
 * forking.  It takes them until its release instant, the next multiple of
 * 250 ms of the monotonic clock after its parent's exit (its end of a pipe
 * closing), then releases them all at once: the first release waits for
 * the pending grace period, the others find none.  One fork, one exit and
 * one grace period for the group, where a child per run cost each run a
 * fork and an exit, and each release held nf_tables' commit mutex through
 * a grace period at its own moment, stalling whichever run committed then
 * (in a loop of 30 cycles, 14 onlines' batches took 1 to 23 ms instead of
 * 35 to 50 us, with children released 100 ms after their run).  Medians of
 * 60 cycles, interleaved, under a concurrent test run: 5823 us with the
 * holder, 7229 with a child per run.  A holder that is not root's (anyone
 * may bind an abstract name first) is never given a socket, and takes
 * sockets from root's runs only.  The parent binds the name before it
 * forks, so that a second socket of the same run finds the holder. */
#include "release.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RELEASE_EVERY_NS (250 * 1000 * 1000)
#define HOLDER "xen-netscripts-holder"

static socklen_t holder_addr(struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, HOLDER, sizeof(HOLDER) - 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			   sizeof(HOLDER));
}

/* fd handed to this namespace's holder: 0, or -1 (none, not root's, or
 * busy). */
static int hand_over(int fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u = { 0 };
	char c = 0;
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.b,
			    .msg_controllen = sizeof(u.b) };
	struct sockaddr_un a;
	socklen_t len = holder_addr(&a), clen;
	struct ucred cred;
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       0),
	    ret = -1;

	if (s < 0)
		return -1;
	u.h.cmsg_level = SOL_SOCKET;
	u.h.cmsg_type = SCM_RIGHTS;
	u.h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&u.h), &fd, sizeof(int));
	clen = sizeof(cred);
	if (connect(s, (struct sockaddr *)&a, len) == 0 &&
	    getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 &&
	    cred.uid == 0 && sendmsg(s, &m, MSG_NOSIGNAL) == 1)
		ret = 0;
	close(s);
	return ret;
}

/* The holder's name bound and listened on: the socket, or -1 (another
 * holder has it). */
static int listener(void)
{
	struct sockaddr_un a;
	socklen_t len = holder_addr(&a);
	int l = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       0);

	if (l >= 0 &&
	    (bind(l, (struct sockaddr *)&a, len) < 0 || listen(l, 64) < 0)) {
		close(l);
		l = -1;
	}
	return l;
}

/* The next multiple of RELEASE_EVERY_NS of the monotonic clock. */
static struct timespec release_instant(void)
{
	struct timespec at;
	int64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &at);
	ns = ((int64_t)at.tv_sec * 1000000000 + at.tv_nsec) / RELEASE_EVERY_NS *
		     RELEASE_EVERY_NS +
	     RELEASE_EVERY_NS;
	at.tv_sec = ns / 1000000000;
	at.tv_nsec = ns % 1000000000;
	return at;
}

/* Close every descriptor but those of keep[0, 3) (-1: none). */
static void close_all_but(int keep[3])
{
	unsigned from = 0;

	for (int i = 0; i < 3; i++) /* sorted */
		for (int j = i + 1; j < 3; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];

				keep[i] = keep[j];
				keep[j] = t;
			}
	for (int i = 0; i < 3; i++) {
		if (keep[i] < 0)
			continue;
		if ((unsigned)keep[i] > from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

/* The holder, in the child: fd and every one handed over on l (-1: none)
 * are kept until the release instant after our exit (EOF on pipe), then
 * all released at once by _exit().  Holding nothing else, it never touches
 * the toolstack's pipes, the log or the lock files. */
static void hold(int fd, int pipe, int l)
{
	int keep[3] = { fd, pipe, l }, c, got;
	struct timespec at = { 0, 0 }, now, left;
	struct pollfd p[2];
	char buf[CMSG_SPACE(sizeof(int))], b;
	struct iovec iov = { &b, 1 };
	struct msghdr m;
	struct timeval wait = { 0, 100 * 1000 };
	struct ucred cred;
	socklen_t clen;

	close_all_but(keep);
	for (;;) {
		p[0] = (struct pollfd){ .fd = l, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = pipe, .events = POLLIN };
		if (at.tv_sec || at.tv_nsec) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			left.tv_sec = at.tv_sec - now.tv_sec;
			left.tv_nsec = at.tv_nsec - now.tv_nsec;
			if (left.tv_nsec < 0) {
				left.tv_sec--;
				left.tv_nsec += 1000000000;
			}
			if (left.tv_sec < 0)
				break;
		}
		got = ppoll(p, 2, at.tv_sec || at.tv_nsec ? &left : NULL, NULL);
		if (got < 0 && errno != EINTR)
			break;
		if (got > 0 && (p[1].revents & (POLLIN | POLLHUP))) {
			at = release_instant(); /* our parent has exited */
			close(pipe);
			pipe = -1;
		}
		if (got > 0 && (p[0].revents & POLLIN) &&
		    (c = accept4(l, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			m = (struct msghdr){ .msg_iov = &iov,
					     .msg_iovlen = 1,
					     .msg_control = buf,
					     .msg_controllen = sizeof(buf) };
			/* Root's runs only, which send at once.  What one
			 * sends stays open here (a full table releases it now,
			 * in this process, and takes no more). */
			clen = sizeof(cred);
			if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred,
				       &clen) == 0 &&
			    cred.uid == 0 &&
			    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &wait,
				       sizeof(wait)) == 0 &&
			    recvmsg(c, &m, MSG_CMSG_CLOEXEC) > 0 &&
			    (m.msg_flags & MSG_CTRUNC)) {
				close(l);
				l = -1;
			}
			close(c);
		}
	}
	/* No more takers, then everything released at once. */
	if (l >= 0)
		close(l);
	_exit(0);
}

void release_later(int fd)
{
	int p[2], l;

	if (hand_over(fd) == 0 || pipe2(p, O_CLOEXEC) < 0)
		return;
	l = listener(); /* -1: another's, which would not take it */
	if (fork() == 0)
		hold(fd, p[0], l);
	close(p[0]); /* p[1] stays open until we exit */
	if (l >= 0)
		close(l);
}
