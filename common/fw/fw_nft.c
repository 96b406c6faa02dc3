#define _GNU_SOURCE
/* The nftables backend: libnftnl builds, libmnl sends, one batch per
 * command so that the kernel applies it whole or not at all.
 *
 *   table bridge xen {                  (inet xen for routed vifs, at
 *       map vifs { type ifname : verdict; }          priority raw)
 *       chain prerouting { type filter hook prerouting priority filter;
 *                          iifname vmap @vifs }
 *       chain vif1.0 { ...the rules of fw_rules.c... }
 *   }
 *   table inet xen {
 *       chain OWNER-prerouting { type nat hook prerouting ...; (empty) }
 *       chain OWNER-postrouting { type nat hook postrouting ...; masquerade }
 *   }
 *
 * Creating with NLM_F_CREATE and no NLM_F_EXCL is idempotent; an existing
 * chain is flushed before its rules are added, so repeating an allow leaves
 * one set.  A revoke deletes the map entry, the rules and the chain; what is
 * already gone is not an error.
 *
 * Two kernel costs shape the code.  Every deletion costs an RCU grace period
 * to someone (fw_nft_close()), so nothing is deleted that need not be.  And
 * adding rules or a jump makes the kernel revalidate every chain reachable
 * from the base chain, all vifs' chains included: on kernels without
 * incremental validation an allow grows with the number of vifs. */
#include "fw_int.h"

/* The libc headers before the kernel's, which defer to them. */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TABLE "xen"
#define BASE_CHAIN "prerouting"
#define MAP "vifs"
#define MAP_ID 1
#define TYPE_IFNAME 41 /* nft's datatype number for ifname */
#define BATCH_MAX (512 * 1024)

/* A base chain's hook.  The bridge and inet prerouting hooks are both
 * number 0 (linux/netfilter_bridge.h clashes with net/if.h). */
struct hook {
	const char *type;
	uint32_t num;
	int32_t prio;
};

/* Anti-spoofing of bridge ports, at the bridge's filter priority. */
static const struct hook bridge_pre = { "filter", 0, -200 };
/* Of routed vifs: at raw priority, before conntrack sees the packet. */
static const struct hook inet_pre = { "filter", NF_INET_PRE_ROUTING, -300 };
/* NAT: dstnat and srcnat priorities. */
static const struct hook nat_pre = { "nat", NF_INET_PRE_ROUTING, -100 };
static const struct hook nat_post = { "nat", NF_INET_POST_ROUTING, 100 };

static struct mnl_socket *nl;
static int sent; /* a batch went out on nl */

static struct mnl_socket *sock(void)
{
	if (nl)
		return nl;
	/* Close-on-exec: a hook must not hold it (see fw_nft_close()). */
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl);
		nl = NULL;
		errno = e;
	}
	return nl;
}

/* Releasing an nfnetlink socket runs nf_tables' NETLINK_URELEASE handler,
 * which takes the commit mutex and waits there for the RCU grace period
 * that frees what recent batches (anyone's) deleted: 5 to 25 ms here, longer
 * than a whole hotplug run, paid by whoever drops the last reference and by
 * every batch queued behind the mutex meanwhile.  So once a batch has gone
 * out, a child that outlives us holds the last reference, and drops it only
 * once the grace period is long over: the toolstack does not wait, and
 * nobody queues behind us.  The child keeps nothing else, and goes when our
 * end of the pipe closes at exit.
 *
 * Measured with bench/run.sh's cycle loop (Linux 6.18, 2 CPUs under a load
 * of 4 to 8; medians of 100, in us): a vif-bridge online+offline with nft
 * takes 14400 deferred, 20600 released at exit; vif-nat 15400 and 21900;
 * offline alone 8800 and 14800, online over an existing chain 10700 and
 * 16200.  Only after a batch: a run that only asked (firewall=iptables
 * looking for our tables) gained nothing and paid the fork, 16300 against
 * 11700 for its cycle.  Not after our own deletions only: an online right
 * after another run's offline then waited for that one's grace period (12800
 * against 5000 to 7700).  A sched_yield() after each batch, to let the
 * destroy worker start early, made no measurable difference with the
 * deferral or without (cycles of 12900 and 11700 us with it and without it,
 * 19500 and 20900 without deferral) and is gone. */
#define RELEASE_DELAY_NS (100 * 1000 * 1000)

/* Close every descriptor but a and b (a child that outlives us must not
 * hold the toolstack's pipes, the log or the lock files). */
static void close_all_but(int a, int b)
{
	unsigned lo = (unsigned)(a < b ? a : b), hi = (unsigned)(a < b ? b : a);

	if (lo > 0)
		close_range(0, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0U, 0);
}

void fw_nft_close(void)
{
	struct timespec delay = { 0, RELEASE_DELAY_NS };
	int p[2];
	char c;

	if (!nl)
		return;
	if (sent && pipe2(p, O_CLOEXEC) == 0) {
		if (fork() == 0) {
			close_all_but(mnl_socket_get_fd(nl), p[0]);
			while (read(p[0], &c, 1) < 0 && errno == EINTR)
				;
			while (nanosleep(&delay, &delay) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		close(p[0]); /* p[1] stays open until we exit */
	}
	mnl_socket_close(nl);
	nl = NULL;
	sent = 0;
}

/* --- building a batch --- */

struct batch {
	struct mnl_nlmsg_batch *b;
	char *buf;
	uint32_t seq;
	int family; /* NFPROTO_BRIDGE or NFPROTO_INET */
	int err;    /* ENOMEM or E2BIG met while building */
};

static int batch_start(struct batch *bt, int family)
{
	bt->family = family;
	/* Zeroed: attribute padding goes to the kernel as it is. */
	bt->buf = calloc(1, BATCH_MAX);
	if (!bt->buf)
		return -1;
	/* The limit leaves room for the message being built past it. */
	bt->b = mnl_nlmsg_batch_start(bt->buf,
				      BATCH_MAX - MNL_SOCKET_BUFFER_SIZE);
	bt->seq = (uint32_t)time(NULL);
	bt->err = 0;
	nftnl_batch_begin(mnl_nlmsg_batch_current(bt->b), bt->seq++);
	mnl_nlmsg_batch_next(bt->b);
	return 0;
}

static void batch_free(struct batch *bt)
{
	mnl_nlmsg_batch_stop(bt->b);
	free(bt->buf);
}

static struct nlmsghdr *msg(struct batch *bt, int type, int flags)
{
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), type,
				     (uint16_t)bt->family, flags, bt->seq++);
}

static void next(struct batch *bt)
{
	if (!mnl_nlmsg_batch_next(bt->b))
		bt->err = E2BIG;
}

static void add_table(struct batch *bt)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t) {
		bt->err = ENOMEM;
		return;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, TABLE);
	nftnl_table_nlmsg_build_payload(msg(bt, NFT_MSG_NEWTABLE, NLM_F_CREATE),
					t);
	nftnl_table_free(t);
	next(bt);
}

static void add_map(struct batch *bt)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(32);

	if (!s || !ud) {
		bt->err = ENOMEM;
		goto out;
	}
	/* nft reads the ifname keys as strings only with this. */
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, 1);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, MAP);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)bt->family);
	nftnl_set_set_u32(s, NFTNL_SET_ID, MAP_ID);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_MAP);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, TYPE_IFNAME);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, IFNAMSIZ);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 0);
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
			   nftnl_udata_buf_len(ud));
	nftnl_set_nlmsg_build_payload(msg(bt, NFT_MSG_NEWSET, NLM_F_CREATE), s);
	next(bt);
out:
	nftnl_udata_buf_free(ud);
	nftnl_set_free(s);
}

/* A message of type on chain name (a base chain on hook when given). */
static void chain_msg(struct batch *bt, const char *name,
		      const struct hook *hook, int type, int flags)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c) {
		bt->err = ENOMEM;
		return;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (hook) {
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, hook->type);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook->num);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, hook->prio);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	nftnl_chain_nlmsg_build_payload(msg(bt, type, flags), c);
	nftnl_chain_free(c);
	next(bt);
}

/* Chain name, a base chain on hook when hook is given; with excl, the
 * batch fails if it exists. */
static void add_chain(struct batch *bt, const char *name,
		      const struct hook *hook, int excl)
{
	chain_msg(bt, name, hook, NFT_MSG_NEWCHAIN,
		  NLM_F_CREATE | (excl ? NLM_F_EXCL : 0));
}

static void del_chain(struct batch *bt, const char *name)
{
	chain_msg(bt, name, NULL, NFT_MSG_DELCHAIN, 0);
}

/* Delete every rule of chain. */
static void flush_chain(struct batch *bt, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r) {
		bt->err = ENOMEM;
		return;
	}
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_nlmsg_build_payload(msg(bt, NFT_MSG_DELRULE, 0), r);
	nftnl_rule_free(r);
	next(bt);
}

/* The element dev : jump dev of the map, added or deleted. */
static void map_elem(struct batch *bt, const char *dev, int type)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	char key[IFNAMSIZ] = { 0 };

	if (!s || !e) {
		bt->err = ENOMEM;
		nftnl_set_free(s);
		nftnl_set_elem_free(e);
		return;
	}
	strncpy(key, dev, sizeof(key) - 1);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, MAP);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, sizeof(key));
	if (type == NFT_MSG_NEWSETELEM) {
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, NFT_JUMP);
		nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, dev);
	}
	nftnl_set_elem_add(s, e);
	nftnl_set_elems_nlmsg_build_payload(
		msg(bt, type, type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0),
		s);
	nftnl_set_free(s);
	next(bt);
}

/* --- expressions --- */

/* An expression that could not be allocated leaves its rule incomplete:
 * noted here, and the batch is refused (rule_add()). */
static int expr_oom;

static struct nftnl_expr *new_expr(const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (!e)
		expr_oom = 1;
	return e;
}

static void expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	nftnl_rule_add_expr(r, e);
}

static void payload(struct nftnl_rule *r, uint32_t base, uint32_t off,
		    uint32_t len)
{
	struct nftnl_expr *e = new_expr("payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	expr(r, e);
}

static void meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = new_expr("meta");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	expr(r, e);
}

static void cmp(struct nftnl_rule *r, uint32_t op, const void *data,
		uint32_t len)
{
	struct nftnl_expr *e = new_expr("cmp");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	expr(r, e);
}

static void bitwise(struct nftnl_rule *r, const void *mask, uint32_t len)
{
	struct nftnl_expr *e = new_expr("bitwise");
	static const unsigned char zero[16];

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	expr(r, e);
}

static void verdict(struct nftnl_rule *r, const struct fw_rule *fr)
{
	struct nftnl_expr *e;

	if (fr->verdict == FW_MASQ) {
		if (!(e = new_expr("masq")))
			return;
	} else {
		if (!(e = new_expr("immediate")))
			return;
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT,
				   fr->verdict == FW_PASS ? NF_ACCEPT
							  : NF_DROP);
	}
	expr(r, e);
}

static void lookup_map(struct nftnl_rule *r)
{
	struct nftnl_expr *e = new_expr("lookup");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, MAP);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, MAP_ID);
	expr(r, e);
}

static void u16be(struct nftnl_rule *r, uint32_t base, uint32_t off,
		  uint16_t val)
{
	uint16_t be = htons(val);

	payload(r, base, off, 2);
	cmp(r, NFT_CMP_EQ, &be, 2);
}

/* An address or prefix at off, in the shape nft itself generates (so that
 * `nft list` prints it back as a prefix): a byte-aligned prefix loads only
 * its bytes; any other loads, masks and compares the whole address.  A /0
 * matches everything and adds nothing. */
static void addr(struct nftnl_rule *r, uint32_t off, const struct args_addr *a)
{
	uint32_t full = a->family == AF_INET ? 4 : 16;
	uint32_t len = (uint32_t)(a->prefix + 7) / 8;
	unsigned char val[16], mask[16] = { 0 };

	if (!len)
		return;
	memcpy(val, a->a, full);
	if (a->prefix % 8 == 0) {
		payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, len);
	} else {
		memset(mask, 0xff, len - 1);
		mask[len - 1] = (unsigned char)(0xff << (8 - a->prefix % 8));
		val[len - 1] &= mask[len - 1];
		memset(val + len, 0, full - len);
		payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, full);
		bitwise(r, mask, full);
		len = full;
	}
	cmp(r, NFT_CMP_EQ, val, len);
}

static void ifname(struct nftnl_rule *r, uint32_t key, const char *name)
{
	char buf[IFNAMSIZ] = { 0 };

	strncpy(buf, name, sizeof(buf) - 1);
	meta(r, key);
	cmp(r, NFT_CMP_EQ, buf, sizeof(buf));
}

/* In the bridge family the ethertype is the link header's; in the inet
 * family only IPv4 and IPv6 arrive, told apart by the hook's protocol. */
static void match(struct nftnl_rule *r, int family, const struct fw_match *m)
{
	int v6 = m->addr.family == AF_INET6;
	uint8_t b = (uint8_t)m->val;

	switch (m->kind) {
	case FW_ETHERTYPE:
		if (family == NFPROTO_BRIDGE) {
			u16be(r, NFT_PAYLOAD_LL_HEADER, 12, m->val);
		} else {
			b = m->val == ETH_P_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
			meta(r, NFT_META_NFPROTO);
			cmp(r, NFT_CMP_EQ, &b, 1);
		}
		break;
	case FW_IIFNAME:
		ifname(r, NFT_META_IIFNAME, m->ifname);
		break;
	case FW_OIFNAME:
		ifname(r, NFT_META_OIFNAME, m->ifname);
		break;
	case FW_SMAC_NOT: {
		/* Outside the bridge family the link may not be Ethernet. */
		uint16_t ether = ARPHRD_ETHER;

		if (family != NFPROTO_BRIDGE) {
			meta(r, NFT_META_IIFTYPE);
			cmp(r, NFT_CMP_EQ, &ether, 2);
		}
		payload(r, NFT_PAYLOAD_LL_HEADER, 6, 6);
		cmp(r, NFT_CMP_NEQ, m->mac, 6);
		break;
	}
	case FW_ARP_SHA_NOT:
		payload(r, NFT_PAYLOAD_NETWORK_HEADER, 8, 6);
		cmp(r, NFT_CMP_NEQ, m->mac, 6);
		break;
	case FW_ARP_SPA:
		addr(r, 14, &m->addr);
		break;
	case FW_SADDR:
		addr(r, v6 ? 8 : 12, &m->addr);
		break;
	case FW_DADDR:
		addr(r, v6 ? 24 : 16, &m->addr);
		break;
	case FW_L4PROTO:
		meta(r, NFT_META_L4PROTO);
		cmp(r, NFT_CMP_EQ, &b, 1);
		break;
	case FW_SPORT:
		u16be(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, m->val);
		break;
	case FW_DPORT:
		u16be(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, m->val);
		break;
	case FW_ICMP6_TYPE:
		payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
		cmp(r, NFT_CMP_EQ, &b, 1);
		break;
	}
}

static struct nftnl_rule *rule_alloc(struct batch *bt, const char *chain,
				     const char *comment)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_udata_buf *ud;

	if (!r) {
		bt->err = ENOMEM;
		return NULL;
	}
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t)bt->family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	if (comment) {
		ud = nftnl_udata_buf_alloc(strlen(comment) + 8);
		if (!ud) {
			nftnl_rule_free(r);
			bt->err = ENOMEM;
			return NULL;
		}
		nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment);
		nftnl_rule_set_data(r, NFTNL_RULE_USERDATA,
				    nftnl_udata_buf_data(ud),
				    nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	return r;
}

static void rule_add(struct batch *bt, struct nftnl_rule *r)
{
	if (expr_oom) {
		bt->err = ENOMEM;
		nftnl_rule_free(r);
		return;
	}
	nftnl_rule_nlmsg_build_payload(
		msg(bt, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND), r);
	nftnl_rule_free(r);
	next(bt);
}

static void dispatcher(struct batch *bt)
{
	struct nftnl_rule *r = rule_alloc(bt, BASE_CHAIN, NULL);

	if (!r)
		return;
	meta(r, NFT_META_IIFNAME);
	lookup_map(r);
	rule_add(bt, r);
}

/* Rule fr of chain, name in its comment; NULL with bt->err set. */
static struct nftnl_rule *rule_of(struct batch *bt, const char *chain,
				  const char *name, const struct fw_rule *fr)
{
	char comment[128];
	struct nftnl_rule *r;

	snprintf(comment, sizeof(comment), "%s: %s", name, fr->why);
	if (!(r = rule_alloc(bt, chain, comment)))
		return NULL;
	for (int j = 0; j < fr->n; j++)
		match(r, bt->family, &fr->m[j]);
	verdict(r, fr);
	return r;
}

/* rules into chain, those of hook only; name goes into the comments. */
static void add_rules(struct batch *bt, const char *chain, const char *name,
		      const struct fw_rule *rules, int n, enum fw_hook hook)
{
	for (int i = 0; i < n && !bt->err; i++) {
		struct nftnl_rule *r;

		if (rules[i].hook != hook)
			continue;
		if (!(r = rule_of(bt, chain, name, &rules[i])))
			return;
		rule_add(bt, r);
	}
}

/* What an allow finds already in place: deleting nothing that need not
 * be deleted matters, because every deletion costs an RCU grace period
 * (see fw_nft_close()). */
struct state {
	int dispatcher; /* the base chain holds its one rule */
	int chain;	/* the vif's chain exists */
};

static int vif_family(const struct fw_vif *v)
{
	return v->routed ? NFPROTO_INET : NFPROTO_BRIDGE;
}

static int batch_end(struct batch *bt)
{
	nftnl_batch_end(mnl_nlmsg_batch_current(bt->b), bt->seq++);
	next(bt);
	if (bt->err) {
		errno = bt->err;
		batch_free(bt);
		return -1;
	}
	return 0;
}

/* The allow: the skeleton unless it is whole, then the vif's chain, made
 * (exclusively: a concurrent maker fails the batch, which is then retried
 * as a rebuild) or flushed and refilled, and its map entry. */
static int build_allow(struct batch *bt, const struct fw_vif *v,
		       const struct fw_rule *r, int n, const struct state *st)
{
	if (batch_start(bt, vif_family(v)) < 0)
		return -1;
	if (!st->dispatcher) {
		add_table(bt);
		add_map(bt);
		add_chain(bt, BASE_CHAIN, v->routed ? &inet_pre : &bridge_pre,
			  0);
		flush_chain(bt, BASE_CHAIN);
		dispatcher(bt);
	}
	add_chain(bt, v->dev, NULL, !st->chain);
	if (st->chain)
		flush_chain(bt, v->dev);
	add_rules(bt, v->dev, v->dev, r, n, FW_PREROUTING);
	map_elem(bt, v->dev, NFT_MSG_NEWSETELEM);
	return batch_end(bt);
}

/* The NAT chains of an owner. */
static void nat_chains(const char *owner, char *pre, char *post, size_t len)
{
	snprintf(pre, len, "%s-prerouting", owner);
	snprintf(post, len, "%s-postrouting", owner);
}

/* The owner's two base chains, made or emptied, and filled. */
static int build_nat(struct batch *bt, const struct fw_nat *nat,
		     const struct fw_rule *r, int n, int exists)
{
	char pre[64], post[64];

	nat_chains(nat->owner, pre, post, sizeof(pre));
	if (batch_start(bt, NFPROTO_INET) < 0)
		return -1;
	add_table(bt);
	add_chain(bt, pre, &nat_pre, 0);
	add_chain(bt, post, &nat_post, 0);
	if (exists) {
		flush_chain(bt, pre);
		flush_chain(bt, post);
	}
	add_rules(bt, pre, nat->owner, r, n, FW_PREROUTING);
	add_rules(bt, post, nat->owner, r, n, FW_POSTROUTING);
	return batch_end(bt);
}

/* --- talking to the kernel --- */

/* nfnetlink handles a batch inside sendmsg(), so every answer is queued
 * when it returns: read without waiting until there is nothing left.
 * Without NLM_F_ACK only errors answer. */
static int send_batch(struct batch *bt)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret = 0, err = 0;
	ssize_t len;

	if (!sock())
		return -1;
	sent = 1;
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(bt->b),
			      mnl_nlmsg_batch_size(bt->b)) < 0)
		return -1;
	while ((len = recv(mnl_socket_get_fd(nl), buf, sizeof(buf),
			   MSG_DONTWAIT)) > 0) {
		if (mnl_cb_run(buf, (size_t)len, 0, mnl_socket_get_portid(nl),
			       NULL, NULL) < 0 &&
		    !err)
			err = errno;
	}
	if (len < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		err = errno;
	if (err) {
		errno = err;
		ret = -1;
	}
	return ret;
}

static int count_reply(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	++*(int *)data;
	return MNL_CB_OK;
}

/* A dump's answers come in messages of up to 32 KiB (the most the kernel
 * fills); a smaller buffer would cut them. */
#define DUMP_BUF 32768

/* After a dump failed half-way (a callback's error, or NLM_F_DUMP_INTR,
 * which libmnl reports at once), read it to its end: what is left of it
 * must not be taken for the answer to the next request.  buf holds the
 * last len bytes read. */
static void drain(char *buf, size_t size, ssize_t len, uint32_t seq)
{
	const struct nlmsghdr *nlh;
	int left;

	for (;;) {
		left = (int)len;
		for (nlh = (const struct nlmsghdr *)buf;
		     mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			if (nlh->nlmsg_seq == seq &&
			    (nlh->nlmsg_type == NLMSG_DONE ||
			     nlh->nlmsg_type == NLMSG_ERROR))
				return;
		if ((len = mnl_socket_recvfrom(nl, buf, size)) <= 0)
			return;
	}
}

/* Ask the kernel about objects of family, each answer to cb: GETTABLE
 * (table), GETCHAIN (chain name of table; every chain of the family,
 * dumped, when name is NULL), GETRULE (the rules of table, of its chain
 * name only when given, dumped), GETSETELEM (the elements of set name of
 * table, dumped) or GETGEN (the ruleset's generation).  What does not
 * exist answers nothing.  Reads only. */
static int ask_once(int family, uint16_t type, const char *table,
		    const char *name, mnl_cb_t cb, void *data)
{
	static uint32_t asked;
	char buf[DUMP_BUF];
	uint32_t seq = (uint32_t)time(NULL) + ++asked;
	int dump = type == NFT_MSG_GETRULE || type == NFT_MSG_GETSETELEM ||
		   (type == NFT_MSG_GETCHAIN && !name);
	struct nlmsghdr *nlh;
	ssize_t len;
	int ret;

	if (!sock())
		return -1;
	memset(buf, 0, 1024); /* the request; padding is sent as it is */
	nlh = nftnl_nlmsg_build_hdr(buf, type, (uint16_t)family,
				    dump ? NLM_F_DUMP : NLM_F_ACK, seq);
	if (type == NFT_MSG_GETTABLE) {
		struct nftnl_table *t = nftnl_table_alloc();

		if (!t)
			return -1;
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
		nftnl_table_nlmsg_build_payload(nlh, t);
		nftnl_table_free(t);
	} else if (type == NFT_MSG_GETCHAIN) {
		struct nftnl_chain *c = nftnl_chain_alloc();

		if (!c)
			return -1;
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
		if (name)
			nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
		nftnl_chain_nlmsg_build_payload(nlh, c);
		nftnl_chain_free(c);
	} else if (type == NFT_MSG_GETRULE) {
		struct nftnl_rule *r = nftnl_rule_alloc();

		if (!r)
			return -1;
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
		if (name)
			nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, name);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nftnl_rule_free(r);
	} else if (type == NFT_MSG_GETSETELEM) {
		struct nftnl_set *s = nftnl_set_alloc();

		if (!s)
			return -1;
		nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
		nftnl_set_set_str(s, NFTNL_SET_NAME, name);
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0)
			return -1;
		ret = mnl_cb_run(buf, (size_t)len, seq,
				 mnl_socket_get_portid(nl), cb, data);
	} while (ret > 0);
	if (ret < 0 && errno == ENOENT)
		return 0;
	if (ret < 0 && dump) {
		int e = errno;

		drain(buf, sizeof(buf), len, seq);
		errno = e;
	}
	return ret < 0 ? -1 : 0;
}

/* How many objects of our table the kernel has in family: GETTABLE (the
 * table), GETCHAIN (chain name) or GETRULE (the rules of chain name).
 * What does not exist counts 0.  Reads only. */
static int query_once(int family, uint16_t type, const char *name)
{
	int count = 0;

	if (ask_once(family, type, TABLE, name, count_reply, &count) < 0)
		return -1;
	return count;
}

/* A dump that a concurrent batch interrupts (NLM_F_DUMP_INTR) fails with
 * EINTR: it is simply asked again. */
static int query(int family, uint16_t type, const char *name)
{
	int n, tries = 0;

	while ((n = query_once(family, type, name)) < 0 && errno == EINTR &&
	       ++tries < 20)
		;
	return n;
}

static int fw_nft_revoke_family(int family, const char *dev);

int fw_nft_allow(const struct fw_vif *v, const struct fw_rule *r, int n)
{
	int family = vif_family(v), ret, rules;
	struct state st;
	struct batch bt;

	/* A vif moving between bridged and routed leaves its other chain. */
	if (fw_nft_revoke_family(v->routed ? NFPROTO_BRIDGE : NFPROTO_INET,
				 v->dev) < 0)
		return -1;
	if ((rules = query(family, NFT_MSG_GETRULE, BASE_CHAIN)) < 0 ||
	    (st.chain = query(family, NFT_MSG_GETCHAIN, v->dev)) < 0)
		return -1;
	st.dispatcher = rules == 1;
	if (build_allow(&bt, v, r, n, &st) < 0)
		return -1;
	ret = send_batch(&bt);
	batch_free(&bt);
	if (ret < 0 && errno == EEXIST && !st.chain) {
		st.chain = 1;
		if (build_allow(&bt, v, r, n, &st) < 0)
			return -1;
		ret = send_batch(&bt);
		batch_free(&bt);
	}
	return ret;
}

/* The vif's map entry, rules and chain deleted.  With ensure, they are
 * first added (idempotently, in the same batch), so that nothing the batch
 * deletes can be missing: for a chain left without its entry, or one that
 * a concurrent revoke took.  Adding a jump makes the kernel revalidate the
 * whole table, so that is only the fallback. */
static int revoke_batch(int family, const char *dev, int ensure)
{
	struct batch bt;
	int ret;

	if (batch_start(&bt, family) < 0)
		return -1;
	if (ensure) {
		add_table(&bt);
		add_map(&bt);
		add_chain(&bt, dev, NULL, 0);
		map_elem(&bt, dev, NFT_MSG_NEWSETELEM);
	}
	map_elem(&bt, dev, NFT_MSG_DELSETELEM);
	flush_chain(&bt, dev);
	del_chain(&bt, dev);
	if (batch_end(&bt) < 0)
		return -1;
	ret = send_batch(&bt);
	batch_free(&bt);
	return ret;
}

static int fw_nft_revoke_family(int family, const char *dev)
{
	int ret;

	/* Nothing to delete: no batch, and no deletion's grace period. */
	if ((ret = query(family, NFT_MSG_GETCHAIN, dev)) <= 0)
		return ret;
	if (revoke_batch(family, dev, 0) == 0)
		return 0;
	return errno == ENOENT ? revoke_batch(family, dev, 1) : -1;
}

int fw_nft_revoke(const char *dev)
{
	int a = fw_nft_revoke_family(NFPROTO_BRIDGE, dev);
	int b = fw_nft_revoke_family(NFPROTO_INET, dev);

	return a < 0 || b < 0 ? -1 : 0;
}

int fw_nft_nat_set(const struct fw_nat *nat, const struct fw_rule *r, int n)
{
	char pre[64], post[64];
	struct batch bt;
	int exists, ret;

	nat_chains(nat->owner, pre, post, sizeof(pre));
	if ((exists = query(NFPROTO_INET, NFT_MSG_GETCHAIN, pre)) < 0)
		return -1;
	if (build_nat(&bt, nat, r, n, exists) < 0)
		return -1;
	ret = send_batch(&bt);
	batch_free(&bt);
	return ret;
}

int fw_nft_nat_clear(const char *owner)
{
	char pre[64], post[64];
	struct batch bt;
	int ret;

	nat_chains(owner, pre, post, sizeof(pre));
	if ((ret = query(NFPROTO_INET, NFT_MSG_GETCHAIN, pre)) <= 0)
		return ret;
	if (batch_start(&bt, NFPROTO_INET) < 0)
		return -1;
	add_table(&bt);
	add_chain(&bt, pre, &nat_pre, 0);
	add_chain(&bt, post, &nat_post, 0);
	flush_chain(&bt, pre);
	flush_chain(&bt, post);
	del_chain(&bt, pre);
	del_chain(&bt, post);
	if (batch_end(&bt) < 0)
		return -1;
	ret = send_batch(&bt);
	batch_free(&bt);
	return ret;
}

/* Whether table bridge xen or inet xen exists: nothing is created. */
int fw_nft_present(void)
{
	int a, b;

	if (!sock())
		return errno == EPROTONOSUPPORT ? 0 : -1;
	a = query(NFPROTO_BRIDGE, NFT_MSG_GETTABLE, NULL);
	b = query(NFPROTO_INET, NFT_MSG_GETTABLE, NULL);
	if (a < 0 || b < 0)
		return errno == EOPNOTSUPP ? 0 : -1;
	return a > 0 || b > 0;
}

void *fw_nft_batch(const struct fw_vif *v, const struct fw_nat *nat,
		   const struct fw_rule *r, int n, size_t *len)
{
	struct state st = { 0, 0 };
	struct batch bt;
	void *out;

	if ((v ? build_allow(&bt, v, r, n, &st)
	       : build_nat(&bt, nat, r, n, 0)) < 0)
		return NULL;
	*len = mnl_nlmsg_batch_size(bt.b);
	if ((out = malloc(*len)))
		memcpy(out, mnl_nlmsg_batch_head(bt.b), *len);
	batch_free(&bt);
	return out;
}

/* --- reading back: the checks --- */

/* A chain of a dumped table: its rules are rules[first, first + n) of
 * the table's. */
struct dumped_chain {
	struct nftnl_chain *c;
	const char *name;
	int first, n;
};

/* What the checks read of one table, once per pass (fw_nft_check_reset()
 * forgets it): whether it exists, its chains sorted by name, its rules in
 * the kernel's order (a chain's together), and, for our own tables, the
 * elements of map @vifs sorted by key.  err: what went wrong while the
 * dump was read (ENOMEM, EPROTO for an answer libnftnl cannot parse). */
struct dump {
	struct dump *next;
	int family;
	char *name;
	int exists;
	struct dumped_chain *chains;
	int nchains;
	struct nftnl_rule **rules;
	int nrules;
	struct nftnl_set *map;
	struct nftnl_set_elem **elems;
	int nelems;
	int err;
};

static struct dump *dumps;

/* a, an array of n items of size, with room for one more (grown in
 * powers of two): a itself or its new place; NULL with errno ENOMEM. */
static void *grow(void *a, int n, size_t size)
{
	if (n != 0 && (n < 16 || (n & (n - 1))))
		return a;
	return realloc(a, (size_t)(n ? 2 * n : 16) * size);
}

/* Empty d, but for its family and name. */
static void dump_clear(struct dump *d)
{
	for (int i = 0; i < d->nchains; i++)
		nftnl_chain_free(d->chains[i].c);
	for (int i = 0; i < d->nrules; i++)
		nftnl_rule_free(d->rules[i]);
	if (d->map)
		nftnl_set_free(d->map);
	free(d->chains);
	free(d->rules);
	free(d->elems);
	d->chains = NULL;
	d->rules = NULL;
	d->map = NULL;
	d->elems = NULL;
	d->nchains = d->nrules = d->nelems = d->exists = d->err = 0;
}

void fw_nft_check_reset(void)
{
	struct dump *d;

	while ((d = dumps)) {
		dumps = d->next;
		dump_clear(d);
		free(d->name);
		free(d);
	}
}

static int keep_gen(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *g = nftnl_gen_alloc();

	if (g && nftnl_gen_nlmsg_parse(nlh, g) == 0)
		*(uint32_t *)data = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
	nftnl_gen_free(g);
	return MNL_CB_OK;
}

/* The callbacks keep what the dump answers; an error is kept in d->err
 * and the dump read to its end. */
static int keep_chain(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct dumped_chain *more;
	const char *table;

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		d->err = c ? EPROTO : ENOMEM;
		goto out;
	}
	/* A dump of chains is the whole family's. */
	table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	if (!table || strcmp(table, d->name))
		goto out;
	if (!(more = grow(d->chains, d->nchains, sizeof(*d->chains)))) {
		d->err = ENOMEM;
		goto out;
	}
	d->chains = more;
	d->chains[d->nchains++] = (struct dumped_chain){
		c, nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), 0, 0
	};
	return MNL_CB_OK;
out:
	if (c)
		nftnl_chain_free(c);
	return MNL_CB_OK;
}

static int keep_rule(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct nftnl_rule *r = nftnl_rule_alloc(), **more;

	if (!r || !(more = grow(d->rules, d->nrules, sizeof(*d->rules)))) {
		d->err = ENOMEM;
		goto out;
	}
	d->rules = more;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		d->err = EPROTO;
		goto out;
	}
	d->rules[d->nrules++] = r;
	return MNL_CB_OK;
out:
	if (r)
		nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int keep_elems(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;

	if (nftnl_set_elems_nlmsg_parse(nlh, d->map) < 0)
		d->err = ENOMEM;
	return MNL_CB_OK;
}

static int list_elem(struct nftnl_set_elem *e, void *data)
{
	struct dump *d = data;
	struct nftnl_set_elem **more;

	if (!(more = grow(d->elems, d->nelems, sizeof(*d->elems))))
		return -1;
	d->elems = more;
	d->elems[d->nelems++] = e;
	return 0;
}

static int chain_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dumped_chain *)a)->name,
		      ((const struct dumped_chain *)b)->name);
}

/* Map elements by key: an ifname, padded with zeros to IFNAMSIZ. */
static int key_cmp(const void *key, uint32_t len, struct nftnl_set_elem *e)
{
	uint32_t elen = 0;
	const void *ekey = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &elen);

	if (len != elen)
		return len < elen ? -1 : 1;
	return len ? memcmp(key, ekey, len) : 0;
}

static int elem_cmp(const void *a, const void *b)
{
	struct nftnl_set_elem *x = *(struct nftnl_set_elem *const *)a;
	uint32_t len = 0;
	const void *key = nftnl_set_elem_get(x, NFTNL_SET_ELEM_KEY, &len);

	return key_cmp(key, len, *(struct nftnl_set_elem *const *)b);
}

static int name_elem_cmp(const void *name, const void *b)
{
	return key_cmp(name, IFNAMSIZ, *(struct nftnl_set_elem *const *)b);
}

static struct dumped_chain *dumped_chain(struct dump *d, const char *name)
{
	struct dumped_chain key = { .name = name };

	return d->nchains ? bsearch(&key, d->chains, (size_t)d->nchains,
				    sizeof(*d->chains), chain_cmp)
			  : NULL;
}

/* Read table d->family d->name: whether it exists, then its chains, its
 * rules and (ours) its map's elements, and index them.  A family or a
 * kernel without nf_tables holds nothing. */
static int dump_read_once(struct dump *d)
{
	struct dumped_chain *c = NULL;
	int n = 0;

	if (!sock())
		return errno == EPROTONOSUPPORT ? 0 : -1;
	if (ask_once(d->family, NFT_MSG_GETTABLE, d->name, NULL, count_reply,
		     &n) < 0)
		return errno == EOPNOTSUPP ? 0 : -1;
	if (!(d->exists = n > 0))
		return 0;
	if (ask_once(d->family, NFT_MSG_GETCHAIN, d->name, NULL, keep_chain,
		     d) < 0 ||
	    ask_once(d->family, NFT_MSG_GETRULE, d->name, NULL, keep_rule, d) <
		    0)
		return -1;
	if (!strcmp(d->name, TABLE)) {
		if (!(d->map = nftnl_set_alloc()))
			return -1;
		if (ask_once(d->family, NFT_MSG_GETSETELEM, d->name, MAP,
			     keep_elems, d) < 0)
			return -1;
	}
	if (d->err) {
		errno = d->err;
		return -1;
	}
	if (d->map && nftnl_set_elem_foreach(d->map, list_elem, d) < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (d->nelems)
		qsort(d->elems, (size_t)d->nelems, sizeof(*d->elems), elem_cmp);
	if (d->nchains)
		qsort(d->chains, (size_t)d->nchains, sizeof(*d->chains),
		      chain_cmp);
	/* A dump holds a chain's rules together. */
	for (int i = 0; i < d->nrules; i++) {
		const char *name =
			nftnl_rule_get_str(d->rules[i], NFTNL_RULE_CHAIN);

		if (!name)
			continue;
		if (!c || strcmp(c->name, name)) {
			if (!(c = dumped_chain(d, name)))
				continue;
			c->first = i;
		}
		c->n++;
	}
	return 0;
}

/* The ruleset's generation, which every batch moves on. */
static int generation(uint32_t *gen)
{
	*gen = 0;
	if (!sock())
		return errno == EPROTONOSUPPORT ? 0 : -1;
	if (ask_once(NFPROTO_UNSPEC, NFT_MSG_GETGEN, NULL, NULL, keep_gen,
		     gen) < 0)
		return errno == EOPNOTSUPP ? 0 : -1;
	return 0;
}

/* Table family name as the kernel has it now, read once per pass, all of
 * it from one generation of the ruleset (read again, a few times, while
 * batches change it).  NULL with errno set. */
static struct dump *dump_get(int family, const char *name)
{
	uint32_t gen = 0, before = 0;
	struct dump *d;
	int tries = 0, ret;

	for (d = dumps; d; d = d->next)
		if (d->family == family && !strcmp(d->name, name))
			return d;
	if (!(d = calloc(1, sizeof(*d))) || !(d->name = strdup(name))) {
		free(d);
		return NULL;
	}
	d->family = family;
	do {
		dump_clear(d);
		if ((ret = generation(&before)) == 0 &&
		    (ret = dump_read_once(d)) == 0)
			ret = generation(&gen);
	} while (((ret < 0 && errno == EINTR) || (ret == 0 && gen != before)) &&
		 ++tries < 20);
	if (ret < 0) {
		int e = errno;

		dump_clear(d);
		free(d->name);
		free(d);
		errno = e;
		return NULL;
	}
	d->next = dumps;
	dumps = d;
	return d;
}

/* The nft family names of fw_table_check() and the messages. */
static const struct {
	const char *name;
	int family;
} family_names[] = {
	{ "inet", NFPROTO_INET }, { "ip", NFPROTO_IPV4 },
	{ "ip6", NFPROTO_IPV6 },  { "bridge", NFPROTO_BRIDGE },
	{ "arp", NFPROTO_ARP },	  { "netdev", NFPROTO_NETDEV },
};

static const char *family_name(int family)
{
	for (size_t i = 0; i < sizeof(family_names) / sizeof(family_names[0]);
	     i++)
		if (family_names[i].family == family)
			return family_names[i].name;
	return "?";
}

/* Whether the kernel's expression got is want as we build it: the same
 * kind, and each attribute that we set the same (the kernel reports some
 * that we leave to their default, such as bitwise's operation). */
static int expr_same(const struct nftnl_expr *want,
		     const struct nftnl_expr *got)
{
	uint32_t wl, gl;
	const void *w, *g;

	if (strcmp(nftnl_expr_get_str(want, NFTNL_EXPR_NAME),
		   nftnl_expr_get_str(got, NFTNL_EXPR_NAME)))
		return 0;
	/* No expression of ours has attributes past the first 16. */
	for (uint16_t a = NFTNL_EXPR_BASE; a < 16; a++) {
		if (!nftnl_expr_is_set(want, a))
			continue;
		w = nftnl_expr_get(want, a, &wl);
		g = nftnl_expr_get(got, a, &gl);
		if (!g || wl != gl || memcmp(w, g, wl))
			return 0;
	}
	return 1;
}

/* Whether the kernel's rule got is want: its comment and its expressions.
 * -1 with errno ENOMEM. */
static int rule_same(const struct nftnl_rule *want,
		     const struct nftnl_rule *got)
{
	struct nftnl_expr_iter *wi = nftnl_expr_iter_create(want);
	struct nftnl_expr_iter *gi = nftnl_expr_iter_create(got);
	struct nftnl_expr *we, *ge;
	uint32_t wl = 0, gl = 0;
	const void *w = nftnl_rule_get_data(want, NFTNL_RULE_USERDATA, &wl);
	const void *g = nftnl_rule_get_data(got, NFTNL_RULE_USERDATA, &gl);
	int same = g && wl == gl && !memcmp(w, g, wl);

	if (!wi || !gi) {
		same = -1;
		errno = ENOMEM;
	}
	while (same > 0) {
		we = nftnl_expr_iter_next(wi);
		ge = nftnl_expr_iter_next(gi);
		if (!we || !ge) {
			same = !we && !ge;
			break;
		}
		same = expr_same(we, ge);
	}
	if (wi)
		nftnl_expr_iter_destroy(wi);
	if (gi)
		nftnl_expr_iter_destroy(gi);
	return same;
}

/* Whether chain of table d holds exactly the rules of hook of r, as
 * add_rules() makes them with name: 1, or 0 with why. */
static int chain_check(struct dump *d, const char *chain, const char *name,
		       const struct fw_rule *r, int n, enum fw_hook hook,
		       char *why, size_t len)
{
	struct batch bt = { .family = d->family }; /* for rule_of() only */
	struct dumped_chain *c = dumped_chain(d, chain);
	int want = 0, k = 0, same;

	if (!c)
		return fw_why(why, len, "chain %s not found in table %s %s",
			      chain, family_name(d->family), d->name);
	for (int i = 0; i < n; i++)
		want += r[i].hook == hook;
	if (c->n != want)
		return fw_why(why, len, "chain %s has %d rule%s, expected %d",
			      chain, c->n, c->n == 1 ? "" : "s", want);
	for (int i = 0; i < n; i++) {
		struct nftnl_rule *x;

		if (r[i].hook != hook)
			continue;
		if (!(x = rule_of(&bt, chain, name, &r[i])) || expr_oom) {
			if (x)
				nftnl_rule_free(x);
			errno = ENOMEM;
			return -1;
		}
		same = rule_same(x, d->rules[c->first + k++]);
		nftnl_rule_free(x);
		if (same <= 0)
			return same < 0
				       ? -1
				       : fw_why(why, len,
						"chain %s: rule %d differs, expected '%s: %s'",
						chain, k, name, r[i].why);
	}
	return 1;
}

/* Whether table d exists: 1, or 0 with why. */
static int table_exists(const struct dump *d, char *why, size_t len)
{
	if (d->exists)
		return 1;
	return fw_why(why, len, "table %s %s not found", family_name(d->family),
		      d->name);
}

/* Whether map @vifs of d sends dev to its chain. */
static int dispatched(const struct dump *d, const char *dev)
{
	struct nftnl_set_elem **e = NULL;
	char key[IFNAMSIZ] = { 0 };
	const char *chain;

	strncpy(key, dev, sizeof(key) - 1);
	if (d->nelems)
		e = bsearch(key, d->elems, (size_t)d->nelems, sizeof(*d->elems),
			    name_elem_cmp);
	if (!e)
		return 0;
	chain = nftnl_set_elem_get_str(*e, NFTNL_SET_ELEM_CHAIN);
	return nftnl_set_elem_get_u32(*e, NFTNL_SET_ELEM_VERDICT) ==
		       (uint32_t)NFT_JUMP &&
	       chain && !strcmp(chain, dev);
}

int fw_nft_vif_check(const struct fw_vif *v, const struct fw_rule *r, int n,
		     char *why, size_t len)
{
	struct dump *d = dump_get(vif_family(v), TABLE);
	struct dumped_chain *base;
	int ret;

	if (!d)
		return -1;
	if ((ret = table_exists(d, why, len)) <= 0)
		return ret;
	/* The base chain holds the one rule that looks the map up. */
	if (!(base = dumped_chain(d, BASE_CHAIN)))
		return fw_why(why, len, "chain %s not found in table %s %s",
			      BASE_CHAIN, family_name(d->family), d->name);
	if (base->n != 1)
		return fw_why(why, len, "chain %s has %d rules, expected 1",
			      BASE_CHAIN, base->n);
	if ((ret = chain_check(d, v->dev, v->dev, r, n, FW_PREROUTING, why,
			       len)) <= 0)
		return ret;
	if (!dispatched(d, v->dev))
		return fw_why(why, len, "no dispatch to chain %s in map %s",
			      v->dev, MAP);
	return 1;
}

int fw_nft_nat_check(const struct fw_nat *nat, const struct fw_rule *r, int n,
		     char *why, size_t len)
{
	struct dump *d = dump_get(NFPROTO_INET, TABLE);
	char pre[64], post[64];
	int ret;

	if (!d)
		return -1;
	nat_chains(nat->owner, pre, post, sizeof(pre));
	if ((ret = table_exists(d, why, len)) <= 0 ||
	    (ret = chain_check(d, pre, nat->owner, r, n, FW_PREROUTING, why,
			       len)) <= 0)
		return ret;
	return chain_check(d, post, nat->owner, r, n, FW_POSTROUTING, why, len);
}

int fw_nft_holds(const char *name, int nat)
{
	static const int families[] = { NFPROTO_BRIDGE, NFPROTO_INET };
	char pre[64], post[64];
	struct dump *d;

	nat_chains(name, pre, post, sizeof(pre));
	for (size_t i = nat ? 1 : 0; i < 2; i++) {
		if (!(d = dump_get(families[i], TABLE)))
			return -1;
		if (nat ? dumped_chain(d, pre) || dumped_chain(d, post)
			: dumped_chain(d, name) != NULL)
			return 1;
	}
	return 0;
}

int fw_nft_table_check(const char *family, const char *name, char *why,
		       size_t len)
{
	size_t i, n = sizeof(family_names) / sizeof(family_names[0]);
	struct dump *d;

	for (i = 0; i < n && strcmp(family_names[i].name, family); i++)
		;
	if (i == n || !*name || strlen(name) >= NFT_TABLE_MAXNAMELEN) {
		errno = EINVAL;
		return -1;
	}
	if (!(d = dump_get(family_names[i].family, name)))
		return -1;
	if (!d->exists)
		return table_exists(d, why, len);
	if (!d->nrules)
		return fw_why(why, len, "table %s %s holds no rule", family,
			      name);
	return 1;
}
