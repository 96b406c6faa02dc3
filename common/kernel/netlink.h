/* The one rtnetlink socket a process uses, and the one place where libnl's
 * NLE_* codes become errno values. */
#ifndef XNS_NETLINK_H
#define XNS_NETLINK_H

struct nl_sock;
struct nl_msg;

/* The process's connected NETLINK_ROUTE socket, opened on first use; NULL
 * with errno set. */
struct nl_sock *netlink_sock(void);

/* Close the socket (at exit, so valgrind sees no leak). */
void netlink_close(void);

/* Turn a negative libnl return into -1 with errno set; pass >= 0 through. */
int netlink_errno(int nle);

/* Send msg (consumed), wait for the kernel's acknowledgement; -1 with the
 * kernel's errno. */
int netlink_talk(struct nl_msg *msg);

/* Send the request msg (consumed) and hand the kernel's reply to
 * parse(reply, arg): one message, or each of a dump's (NLM_F_DUMP); -1 with
 * the kernel's errno. */
int netlink_query(struct nl_msg *msg, int (*parse)(struct nl_msg *, void *),
		  void *arg);

#endif
