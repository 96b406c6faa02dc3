#include "netlink.h"

#include <errno.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

static struct nl_sock *sk;

struct nl_sock *netlink_sock(void)
{
	int err;

	if (sk)
		return sk;
	sk = nl_socket_alloc();
	if (!sk) {
		errno = ENOMEM;
		return NULL;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		nl_socket_free(sk);
		sk = NULL;
		netlink_errno(err);
		return NULL;
	}
	return sk;
}

void netlink_close(void)
{
	if (sk)
		nl_socket_free(sk);
	sk = NULL;
}

int netlink_errno(int nle)
{
	static const struct {
		int nle, err;
	} map[] = {
		{ NLE_INTR, EINTR },
		{ NLE_BAD_SOCK, EBADF },
		{ NLE_AGAIN, EAGAIN },
		{ NLE_NOMEM, ENOMEM },
		{ NLE_EXIST, EEXIST },
		{ NLE_INVAL, EINVAL },
		{ NLE_RANGE, ERANGE },
		{ NLE_MSGSIZE, EMSGSIZE },
		{ NLE_OPNOTSUPP, EOPNOTSUPP },
		{ NLE_AF_NOSUPPORT, EAFNOSUPPORT },
		{ NLE_OBJ_NOTFOUND, ENOENT },
		{ NLE_NOATTR, ENOENT },
		{ NLE_MISSING_ATTR, EINVAL },
		{ NLE_AF_MISMATCH, EINVAL },
		{ NLE_SEQ_MISMATCH, EPROTO },
		{ NLE_MSG_OVERFLOW, EMSGSIZE },
		{ NLE_MSG_TRUNC, EMSGSIZE },
		{ NLE_NOADDR, EADDRNOTAVAIL },
		{ NLE_SRCRT_NOSUPPORT, EOPNOTSUPP },
		{ NLE_MSG_TOOSHORT, EPROTO },
		{ NLE_MSGTYPE_NOSUPPORT, EOPNOTSUPP },
		{ NLE_OBJ_MISMATCH, EINVAL },
		{ NLE_NOCACHE, ENOENT },
		{ NLE_BUSY, EBUSY },
		{ NLE_PROTO_MISMATCH, EPROTO },
		{ NLE_NOACCESS, EACCES },
		{ NLE_PERM, EPERM },
		{ NLE_PKTLOC_FILE, ENOENT },
		{ NLE_PARSE_ERR, EPROTO },
		{ NLE_NODEV, ENODEV },
		{ NLE_IMMUTABLE, EPERM },
		{ NLE_DUMP_INTR, EINTR },
		{ NLE_ATTRSIZE, EMSGSIZE },
	};

	if (nle >= 0)
		return nle;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].nle == -nle) {
			errno = map[i].err;
			return -1;
		}
	errno = EIO;
	return -1;
}

/* Send msg (consumed); the socket, or NULL with errno set. */
static struct nl_sock *send_msg(struct nl_msg *msg)
{
	struct nl_sock *s = netlink_sock();
	int err;

	if (!s) {
		nlmsg_free(msg);
		return NULL;
	}
	err = nl_send_auto(s, msg);
	nlmsg_free(msg);
	if (err < 0) {
		netlink_errno(err);
		return NULL;
	}
	return s;
}

int netlink_talk(struct nl_msg *msg)
{
	struct nl_sock *s = send_msg(msg);

	return s ? netlink_errno(nl_wait_for_ack(s)) : -1;
}

int netlink_query(struct nl_msg *msg, int (*parse)(struct nl_msg *, void *),
		  void *arg)
{
	/* A dump ends with NLMSG_DONE, which nl_recvmsgs() waits for; the
	 * kernel sends no ACK after it. */
	int dump = nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP;
	struct nl_sock *s = send_msg(msg);
	struct nl_cb *orig, *cb;
	int err;

	if (!s)
		return -1;
	orig = nl_socket_get_cb(s);
	cb = nl_cb_clone(orig);
	nl_cb_put(orig);
	if (!cb) {
		errno = ENOMEM;
		return -1;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, parse, arg);
	/* The reply, then the ACK behind it: left queued, it would answer the
	 * next request. */
	err = nl_recvmsgs(s, cb);
	nl_cb_put(cb);
	if (err >= 0 && !dump)
		err = nl_wait_for_ack(s);
	return netlink_errno(err);
}
