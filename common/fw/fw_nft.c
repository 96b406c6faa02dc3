#define _GNU_SOURCE
/* The nftables backend: libnftnl builds, libmnl sends, one batch per
 * command so that the kernel applies it whole or not at all.
 *
 *   table bridge xen {                  (inet xen for routed vifs, at
 *       set vifs { type ifname; }        priority raw)
 *       set trunks, anymac { type ifname; }
 *       set macs { type ifname . ether_addr; }
 *       set addr4 { type ifname . ipv4_addr; }     (hosts)
 *       set addr6 { type ifname . ipv6_addr; }
 *       set net4 { type ifname . ipv4_addr; flags interval; }  (prefixes)
 *       set net6 { type ifname . ipv6_addr; flags interval; }
 *       set anyip { type ifname; }          (no ip key)
 *       set fast4 { type ifname . ether_addr . ipv4_addr; }  (MAC . host)
 *       set fast6 { type ifname . ether_addr . ipv6_addr; }
 *       chain prerouting { type filter hook prerouting priority filter;
 *           iifname . ether saddr . ip saddr @fast4 th sport != 67 accept
 *           ...                          (a guest's usual packet: one lookup)
 *           iifname != @vifs accept
 *           ...the rules of fw_rules_shared(), e.g.
 *           ether type ip iifname . ip saddr @addr4 accept ... }
 *   }
 *   table inet xen {
 *       chain OWNER-prerouting { type nat hook prerouting ...; (empty) }
 *       chain OWNER-postrouting { type nat hook postrouting ...; masquerade }
 *   }
 *
 * A vif is its elements (fw_rules_elems()), each commented with its name;
 * its element of set vifs lists them all ("vif1.0: mac ..., ip ..."), so
 * that a revoke knows what to delete without reading the sets.  The rules
 * are the same for every vif, made once.
 *
 * Why sets, not a chain per vif: adding a rule or a jump makes the kernel
 * revalidate every chain reachable from the base chain (with a chain per
 * vif, all of them: an allow grew with the number of vifs, 2x with 1000),
 * whereas adding elements to a set without verdicts validates nothing, and
 * costs the same however many there are: in a hash.  An interval set
 * (pipapo) rewrites its tables on each change, so a deletion from one of
 * 1000 elements took 40 ms against 12 with 10: hosts go in hashes, only
 * prefixes in the interval sets.
 *
 * Creating with NLM_F_CREATE and no NLM_F_EXCL is idempotent; an allow
 * deletes only the elements the vif no longer needs.  Every deletion costs
 * an RCU grace period to someone (fw_nft_close()), so nothing is deleted
 * that need not be. */
#include "fw_int.h"
#include "lock.h"
#include "release.h"
#include "text.h"

/* The libc headers before the kernel's, which defer to them. */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
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
/* nft's datatype numbers, and how it makes a concatenation's. */
#define TYPE_IPADDR 7
#define TYPE_IP6ADDR 8
#define TYPE_ETHERADDR 9
#define TYPE_IFNAME 41
#define TYPE_BITS 6
/* The most userdata the kernel keeps (NFT_USERDATA_MAXLEN): a comment's
 * type, length and NUL included. */
#define COMMENT_MAX (256 - 3)
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
 * out, the namespace's holder (release.h) takes the last reference, and
 * drops it only once the grace period is long over: the toolstack does not
 * wait, and nobody queues behind us.
 *
 * Measured with bench/run.sh's cycle loop (Linux 6.18, 2 CPUs under a load
 * of 4 to 8; medians of 100, in us), with a child per run then: a
 * vif-bridge online+offline with nft takes 14400 deferred, 20600 released
 * at exit; vif-nat 15400 and 21900; offline alone 8800 and 14800, online
 * over an existing chain 10700 and 16200.  Only after a batch: a run that
 * only asked (firewall=iptables looking for our tables) gained nothing and
 * paid the fork, 16300 against 11700 for its cycle.  Not after our own
 * deletions only: an online right after another run's offline then waited
 * for that one's grace period (12800 against 5000 to 7700).  A
 * sched_yield() after each batch, to let the destroy worker start early,
 * made no measurable difference with the deferral or without (cycles of
 * 12900 and 11700 us with it and without it, 19500 and 20900 without
 * deferral) and is gone. */
void fw_nft_close(void)
{
	if (!nl)
		return;
	if (sent)
		release_later(mnl_socket_get_fd(nl));
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

/* The sets of the layout: each key is the interface's name, then the MAC
 * (mac), then an address (an nft datatype, 0 for none, and its length),
 * each padded to 32 bits; and whether elements are networks (intervals). */
static const struct set_def {
	const char *name;
	int mac;
	uint32_t type, len;
	int interval;
} set_defs[FW_NSETS] = {
	[FW_SET_VIFS] = { "vifs", 0, 0, 0, 0 },
	[FW_SET_TRUNKS] = { "trunks", 0, 0, 0, 0 },
	[FW_SET_ANYMAC] = { "anymac", 0, 0, 0, 0 },
	[FW_SET_MACS] = { "macs", 1, 0, 0, 0 },
	[FW_SET_ADDR4] = { "addr4", 0, TYPE_IPADDR, 4, 0 },
	[FW_SET_ADDR6] = { "addr6", 0, TYPE_IP6ADDR, 16, 0 },
	[FW_SET_NET4] = { "net4", 0, TYPE_IPADDR, 4, 1 },
	[FW_SET_NET6] = { "net6", 0, TYPE_IP6ADDR, 16, 1 },
	[FW_SET_ANYIP] = { "anyip", 0, 0, 0, 0 },
	[FW_SET_FAST4] = { "fast4", 1, TYPE_IPADDR, 4, 0 },
	[FW_SET_FAST6] = { "fast6", 1, TYPE_IP6ADDR, 16, 0 },
};

/* Where the MAC ends in a key, padded: where the address starts. */
#define MAC_PADDED 8

/* Where a set's address starts in its key. */
static uint32_t addr_off(const struct set_def *sd)
{
	return IFNAMSIZ + (sd->mac ? MAC_PADDED : 0);
}

/* A set's key length. */
static uint32_t key_len(const struct set_def *sd)
{
	return addr_off(sd) + (sd->len + 3) / 4 * 4;
}

static void add_set(struct batch *bt, enum fw_set set)
{
	const struct set_def *sd = &set_defs[set];
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(32);
	uint8_t fields[3] = { IFNAMSIZ, (uint8_t)sd->len, 0 };

	if (!s || !ud) {
		bt->err = ENOMEM;
		goto out;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, sd->name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)bt->family);
	nftnl_set_set_u32(s, NFTNL_SET_ID, (uint32_t)set + 1);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len(sd));
	if (sd->mac || sd->type) {
		uint32_t type = TYPE_IFNAME;

		if (sd->mac)
			type = type << TYPE_BITS | TYPE_ETHERADDR;
		if (sd->type)
			type = type << TYPE_BITS | sd->type;
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, type);
		/* The fields, for an interval set only (pipapo's). */
		if (sd->interval) {
			nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, fields, 2);
			nftnl_set_set_u32(s, NFTNL_SET_FLAGS,
					  NFT_SET_INTERVAL | NFT_SET_CONCAT);
		}
	} else {
		/* nft reads the ifname keys as strings only with this. */
		nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, 1);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, TYPE_IFNAME);
		nftnl_set_set_data(s, NFTNL_SET_USERDATA,
				   nftnl_udata_buf_data(ud),
				   nftnl_udata_buf_len(ud));
	}
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

/* The longest key: a name, a MAC and an IPv6 address. */
#define KEY_MAX (IFNAMSIZ + MAC_PADDED + 16)

/* An element as the kernel has it: its set, its key (the interface's
 * name, then the MAC, the address or the network's first address, as the
 * set has them) and, in an interval set, the key of the network's last
 * address. */
struct raw_elem {
	enum fw_set set;
	uint32_t len;
	unsigned char key[KEY_MAX], end[KEY_MAX];
	int odd; /* found with a comment other than its vif's name */
};

/* e of dev as the kernel keys it. */
static void raw_of(const char *dev, const struct fw_elem *e,
		   struct raw_elem *out)
{
	const struct set_def *sd = &set_defs[e->set];
	unsigned char *lo = out->key + addr_off(sd);
	unsigned char *hi = out->end + addr_off(sd);

	memset(out, 0, sizeof(*out));
	out->set = e->set;
	out->len = key_len(sd);
	strncpy((char *)out->key, dev, IFNAMSIZ - 1);
	if (sd->mac)
		memcpy(out->key + IFNAMSIZ, e->mac, 6);
	memcpy(lo, e->addr.a, sd->len);
	if (!sd->interval)
		return;
	memcpy(out->end, out->key, IFNAMSIZ);
	memcpy(hi, e->addr.a, sd->len);
	for (uint32_t bit = (uint32_t)e->addr.prefix; bit < sd->len * 8;
	     bit++) {
		lo[bit / 8] &= (unsigned char)~(0x80 >> bit % 8);
		hi[bit / 8] |= (unsigned char)(0x80 >> bit % 8);
	}
}

static int raw_same(const struct raw_elem *a, const struct raw_elem *b)
{
	return a->set == b->set && !memcmp(a->key, b->key, sizeof(a->key)) &&
	       !memcmp(a->end, b->end, sizeof(a->end));
}

/* Elements e[0, n) of set, added (with comment) or deleted, in one
 * message; none, no message. */
static void elems_msg(struct batch *bt, enum fw_set set,
		      const struct raw_elem *e, int n, const char *comment,
		      int type)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(COMMENT_MAX + 3);
	struct nftnl_set_elem *x;
	int any = 0;

	if (!s || !ud) {
		bt->err = ENOMEM;
		goto out;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, set_defs[set].name);
	nftnl_udata_put_strz(ud, NFTNL_UDATA_SET_ELEM_COMMENT, comment);
	for (int i = 0; i < n; i++) {
		if (e[i].set != set)
			continue;
		if (!(x = nftnl_set_elem_alloc())) {
			bt->err = ENOMEM;
			goto out;
		}
		nftnl_set_elem_set(x, NFTNL_SET_ELEM_KEY, e[i].key, e[i].len);
		if (set_defs[set].interval)
			nftnl_set_elem_set(x, NFTNL_SET_ELEM_KEY_END, e[i].end,
					   e[i].len);
		if (type == NFT_MSG_NEWSETELEM)
			nftnl_set_elem_set(x, NFTNL_SET_ELEM_USERDATA,
					   nftnl_udata_buf_data(ud),
					   nftnl_udata_buf_len(ud));
		nftnl_set_elem_add(s, x);
		any = 1;
	}
	if (any) {
		nftnl_set_elems_nlmsg_build_payload(
			msg(bt, type,
			    type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0),
			s);
		next(bt);
	}
out:
	nftnl_udata_buf_free(ud);
	nftnl_set_free(s);
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

static void payload_to(struct nftnl_rule *r, uint32_t dreg, uint32_t base,
		       uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = new_expr("payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	expr(r, e);
}

static void payload(struct nftnl_rule *r, uint32_t base, uint32_t off,
		    uint32_t len)
{
	payload_to(r, NFT_REG_1, base, off, len);
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

/* Outside the bridge family the link may not be Ethernet. */
static void ethernet(struct nftnl_rule *r, int family)
{
	uint16_t ether = ARPHRD_ETHER;

	if (family == NFPROTO_BRIDGE)
		return;
	meta(r, NFT_META_IIFTYPE);
	cmp(r, NFT_CMP_EQ, &ether, 2);
}

/* The arriving interface's name, and after it (in the registers that
 * follow: NFT_REG_2 is 32-bit register 4, as the kernel reports it) m->key,
 * looked up in set m->set.  A MAC and an address: the address after the
 * MAC's padded 8 bytes, as the set's key has them. */
static void lookup(struct nftnl_rule *r, int family, const struct fw_match *m)
{
	static const struct {
		uint32_t base, off, len;
	} keys[] = {
		[FW_KEY_SMAC] = { NFT_PAYLOAD_LL_HEADER, 6, 6 },
		[FW_KEY_ARP_SHA] = { NFT_PAYLOAD_NETWORK_HEADER, 8, 6 },
		[FW_KEY_ARP_SPA] = { NFT_PAYLOAD_NETWORK_HEADER, 14, 4 },
		[FW_KEY_SADDR4] = { NFT_PAYLOAD_NETWORK_HEADER, 12, 4 },
		[FW_KEY_SADDR6] = { NFT_PAYLOAD_NETWORK_HEADER, 8, 16 },
	};
	enum fw_key first = m->key, then = FW_KEY_NONE;
	struct nftnl_expr *e;

	if (m->key == FW_KEY_SMAC_SADDR4 || m->key == FW_KEY_SMAC_SADDR6) {
		first = FW_KEY_SMAC;
		then = m->key == FW_KEY_SMAC_SADDR4 ? FW_KEY_SADDR4
						    : FW_KEY_SADDR6;
	}
	if (first == FW_KEY_SMAC)
		ethernet(r, family);
	meta(r, NFT_META_IIFNAME);
	if (first != FW_KEY_NONE)
		payload_to(r, NFT_REG_2, keys[first].base, keys[first].off,
			   keys[first].len);
	if (then != FW_KEY_NONE)
		payload_to(r, NFT_REG32_06, keys[then].base, keys[then].off,
			   keys[then].len);
	if (!(e = new_expr("lookup")))
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set_defs[m->set].name);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, (uint32_t)m->set + 1);
	if (m->inv)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS,
				   NFT_LOOKUP_F_INV);
	expr(r, e);
}

/* The 16 bits at off are (inv: are not) val. */
static void u16be(struct nftnl_rule *r, uint32_t base, uint32_t off,
		  uint16_t val, int inv)
{
	uint16_t be = htons(val);

	payload(r, base, off, 2);
	cmp(r, inv ? NFT_CMP_NEQ : NFT_CMP_EQ, &be, 2);
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
			u16be(r, NFT_PAYLOAD_LL_HEADER, 12, m->val, 0);
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
	case FW_SMAC_NOT:
		ethernet(r, family);
		payload(r, NFT_PAYLOAD_LL_HEADER, 6, 6);
		cmp(r, NFT_CMP_NEQ, m->mac, 6);
		break;
	case FW_LOOKUP:
		lookup(r, family, m);
		break;
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
		cmp(r, m->inv ? NFT_CMP_NEQ : NFT_CMP_EQ, &b, 1);
		break;
	case FW_SPORT:
		u16be(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, m->val, m->inv);
		break;
	case FW_DPORT:
		u16be(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, m->val, 0);
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

/* Rule fr of chain, name in its comment (none: the rules every vif
 * shares); NULL with bt->err set. */
static struct nftnl_rule *rule_of(struct batch *bt, const char *chain,
				  const char *name, const struct fw_rule *fr)
{
	char comment[128];
	struct nftnl_rule *r;

	snprintf(comment, sizeof(comment), "%s%s%s", name ? name : "",
		 name ? ": " : "", fr->why);
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

/* A vif's elements: what an allow makes, or what a revoke finds. */
struct vif_elems {
	struct raw_elem e[FW_ELEMS_MAX];
	int n;
	char comment[COMMENT_MAX + 1]; /* of its element of set vifs */
};

/* What is left of the layout before sets (0.11.0: map vifs, ifname :
 * jump <vif>, and a chain per vif), which an allow that makes the
 * skeleton deletes: its vifs are then without anti-spoofing until they
 * are allowed again (the guard reports them, its restore allows them). */
struct old_layout {
	int map; /* set vifs is that map */
	char (*chains)[NFT_CHAIN_MAXNAMELEN];
	int n;
};

/* The table, its sets and the base chain with the shared rules r[0, n),
 * made or (the chain) emptied and filled; what is left of old deleted. */
static void skeleton(struct batch *bt, const struct fw_rule *r, int n,
		     const struct old_layout *old)
{
	add_table(bt);
	if (old && old->map) {
		struct nftnl_set *s = nftnl_set_alloc();

		add_chain(bt, BASE_CHAIN, NULL, 0);
		flush_chain(bt, BASE_CHAIN);
		if (!s) {
			bt->err = ENOMEM;
			return;
		}
		nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
		nftnl_set_set_str(s, NFTNL_SET_NAME,
				  set_defs[FW_SET_VIFS].name);
		nftnl_set_nlmsg_build_payload(msg(bt, NFT_MSG_DELSET, 0), s);
		nftnl_set_free(s);
		next(bt);
		for (int i = 0; i < old->n; i++) {
			flush_chain(bt, old->chains[i]);
			del_chain(bt, old->chains[i]);
		}
	}
	for (int s = 0; s < FW_NSETS; s++)
		add_set(bt, (enum fw_set)s);
	add_chain(bt, BASE_CHAIN,
		  bt->family == NFPROTO_INET ? &inet_pre : &bridge_pre, 0);
	flush_chain(bt, BASE_CHAIN);
	add_rules(bt, BASE_CHAIN, NULL, r, n, FW_PREROUTING);
}

/* Delete the elements of old that want (NULL: none) does not hold, and add
 * want's, all in one batch (the kernel applies it whole): every deletion
 * before the additions, so an element whose comment changes (the vif's
 * element of set vifs lists its data) is deleted and added again; the
 * others are commented with the vif's name. */
static void change_elems(struct batch *bt, const char *dev,
			 const struct vif_elems *old,
			 const struct vif_elems *want)
{
	struct raw_elem gone[FW_ELEMS_MAX];
	int ngone = 0, keep;

	for (int i = 0; old && i < old->n; i++) {
		keep = 0;
		for (int j = 0; want && j < want->n && !keep; j++)
			keep = raw_same(&old->e[i], &want->e[j]) &&
			       !old->e[i].odd &&
			       (old->e[i].set != FW_SET_VIFS ||
				!strcmp(old->comment, want->comment));
		if (!keep)
			gone[ngone++] = old->e[i];
	}
	for (int s = FW_NSETS - 1; s >= 0; s--)
		elems_msg(bt, (enum fw_set)s, gone, ngone, dev,
			  NFT_MSG_DELSETELEM);
	for (int s = 0; want && s < FW_NSETS; s++)
		elems_msg(bt, (enum fw_set)s, want->e, want->n,
			  s == FW_SET_VIFS ? want->comment : dev,
			  NFT_MSG_NEWSETELEM);
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
static int exchange(struct nlmsghdr *nlh, char *buf, size_t size, uint32_t seq,
		    int dump, mnl_cb_t cb, void *data);

static int ask_once(int family, uint16_t type, const char *table,
		    const char *name, mnl_cb_t cb, void *data)
{
	static uint32_t asked;
	char buf[DUMP_BUF];
	uint32_t seq = (uint32_t)time(NULL) + ++asked;
	int dump = type == NFT_MSG_GETRULE || type == NFT_MSG_GETSETELEM ||
		   (type == NFT_MSG_GETCHAIN && !name);
	struct nlmsghdr *nlh;

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
	} else if (type == NFT_MSG_GETSETELEM || type == NFT_MSG_GETSET) {
		struct nftnl_set *s = nftnl_set_alloc();

		if (!s)
			return -1;
		nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
		nftnl_set_set_str(s, NFTNL_SET_NAME, name);
		if (type == NFT_MSG_GETSET)
			nftnl_set_nlmsg_build_payload(nlh, s);
		else
			nftnl_set_elems_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
	}
	return exchange(nlh, buf, sizeof(buf), seq, dump, cb, data);
}

/* Send request nlh (in buf, of size) and read its answers, each to cb. */
static int exchange(struct nlmsghdr *nlh, char *buf, size_t size, uint32_t seq,
		    int dump, mnl_cb_t cb, void *data)
{
	ssize_t len;
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		len = mnl_socket_recvfrom(nl, buf, size);
		if (len < 0)
			return -1;
		ret = mnl_cb_run(buf, (size_t)len, seq,
				 mnl_socket_get_portid(nl), cb, data);
	} while (ret > 0);
	if (ret < 0 && errno == ENOENT)
		return 0;
	if (ret < 0 && dump) {
		int e = errno;

		drain(buf, size, len, seq);
		errno = e;
	}
	return ret < 0 ? -1 : 0;
}

/* How many objects of our table the kernel has in family: GETTABLE (the
 * table) or GETCHAIN (chain name).  What does not exist counts 0.  Reads
 * only. */
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

static int chain_use(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	int ret = MNL_CB_ERROR;

	if (c && nftnl_chain_nlmsg_parse(nlh, c) == 0 &&
	    nftnl_chain_is_set(c, NFTNL_CHAIN_USE)) {
		*(int *)data = (int)nftnl_chain_get_u32(c, NFTNL_CHAIN_USE);
		ret = MNL_CB_OK;
	} else {
		errno = c ? EPROTO : ENOMEM;
	}
	if (c)
		nftnl_chain_free(c);
	return ret;
}

/* How many rules the base chain of table xen of family holds (0: no such
 * chain): its use count, in one answer, where a dump of the rules answers
 * with every rule's expressions (21 us per online against 71, medians of
 * 80).  The kernel counts a chain's rules and the jumps to it, and nothing
 * may jump to a base chain.  Reads only. */
static int base_rules(int family)
{
	int n = 0;

	return ask_once(family, NFT_MSG_GETCHAIN, TABLE, BASE_CHAIN, chain_use,
			&n) < 0
		       ? -1
		       : n;
}

/* What elem_comment() looks for. */
struct comment {
	char *out;
	size_t len;
};

static int find_comment(const struct nftnl_udata *attr, void *data)
{
	struct comment *c = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_ELEM_COMMENT)
		snprintf(c->out, c->len, "%.*s", (int)nftnl_udata_len(attr),
			 (const char *)nftnl_udata_get(attr));
	return 0;
}

/* The comment of element e, in out (empty when it has none). */
static void elem_comment(struct nftnl_set_elem *e, char *out, size_t len)
{
	struct comment c = { out, len };
	uint32_t ulen = 0;
	const void *ud = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &ulen);

	out[0] = 0;
	if (ud)
		nftnl_udata_parse(ud, ulen, find_comment, &c);
}

/* Element x of set as a raw_elem, with its comment. */
static void raw_from(struct nftnl_set_elem *x, enum fw_set set,
		     struct raw_elem *out, char *comment, size_t len)
{
	uint32_t klen = 0, elen = 0;
	const void *key = nftnl_set_elem_get(x, NFTNL_SET_ELEM_KEY, &klen);
	const void *end = nftnl_set_elem_get(x, NFTNL_SET_ELEM_KEY_END, &elen);

	memset(out, 0, sizeof(*out));
	out->set = set;
	out->len = klen;
	if (key)
		memcpy(out->key, key,
		       klen < sizeof(out->key) ? klen : sizeof(out->key));
	if (set_defs[set].interval)
		memcpy(out->end, end ? end : key,
		       (end ? elen : klen) < sizeof(out->end)
			       ? (end ? elen : klen)
			       : sizeof(out->end));
	elem_comment(x, comment, len);
}

/* What walk_elems() hands each element of an answer to; err: ENOMEM, or
 * EPROTO for an answer libnftnl cannot parse. */
struct elem_walk {
	int (*fn)(struct nftnl_set_elem *e, void *arg);
	void *arg;
	int err;
};

/* The callback of a request for set elements: each to w->fn. */
static int walk_elems(const struct nlmsghdr *nlh, void *data)
{
	struct elem_walk *w = data;
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s || nftnl_set_elems_nlmsg_parse(nlh, s) < 0)
		w->err = s ? EPROTO : ENOMEM;
	else
		nftnl_set_elem_foreach(s, w->fn, w->arg);
	if (s)
		nftnl_set_free(s);
	return MNL_CB_OK;
}

/* What a sweep gathers: the elements keyed dev of one set. */
struct sweep {
	const char *dev;
	enum fw_set set;
	struct vif_elems *out;
	int err;
};

static int sweep_elem(struct nftnl_set_elem *x, void *data)
{
	struct sweep *sw = data;
	struct raw_elem e;
	char comment[COMMENT_MAX + 1];

	raw_from(x, sw->set, &e, comment, sizeof(comment));
	if (strncmp((const char *)e.key, sw->dev, IFNAMSIZ))
		return 0;
	if (sw->out->n == FW_ELEMS_MAX) {
		sw->err = E2BIG;
		return -1;
	}
	if (sw->set == FW_SET_VIFS)
		memcpy(sw->out->comment, comment, sizeof(comment));
	else
		e.odd = strcmp(comment, sw->dev) != 0;
	sw->out->e[sw->out->n++] = e;
	return 0;
}

/* Every element of dev in table xen of family, read from every set: what
 * a revoke deletes when the vif's element of set vifs does not say (a
 * list too long for a comment, or one not ours).  Reads them all: the
 * exception. */
static int sweep(int family, const char *dev, struct vif_elems *out)
{
	out->n = 0;
	out->comment[0] = 0;
	for (int s = 0; s < FW_NSETS; s++) {
		struct sweep sw = { dev, (enum fw_set)s, out, 0 };
		struct elem_walk w = { sweep_elem, &sw, 0 };

		if (ask_once(family, NFT_MSG_GETSETELEM, TABLE,
			     set_defs[s].name, walk_elems, &w) < 0)
			return -1;
		if (w.err || sw.err) {
			errno = w.err ? w.err : sw.err;
			return -1;
		}
	}
	return out->n > 0;
}

/* The elements of v as an allow makes them. */
static int elems_of(const struct fw_vif *v, struct vif_elems *out)
{
	struct fw_elem e[FW_ELEMS_MAX];

	if ((out->n = fw_rules_elems(v, e, FW_ELEMS_MAX)) < 0)
		return -1;
	for (int i = 0; i < out->n; i++)
		raw_of(v->dev, &e[i], &out->e[i]);
	if (fw_rules_elems_format(v->dev, e, out->n, out->comment,
				  sizeof(out->comment)) < 0)
		snprintf(out->comment, sizeof(out->comment),
			 "%s: more than a comment holds", v->dev);
	return 0;
}

static int keep_first_elem(struct nftnl_set_elem *x, void *data)
{
	struct sweep *sw = data;
	char *comment = sw->out->comment;

	raw_from(x, FW_SET_VIFS, &sw->out->e[0], comment, COMMENT_MAX + 1);
	sw->out->n = 1;
	return -1;
}

/* The elements of dev in table xen of family: those its element of set
 * vifs lists, read alone (the cost of one element, however many vifs
 * there are); all that are there with sweep.  0 when it has none (its
 * element of set vifs is not there), 1, or -1 with errno. */
static int find_elems(int family, const char *dev, struct vif_elems *out,
		      int all)
{
	struct fw_elem e[FW_ELEMS_MAX];
	struct sweep sw = { dev, FW_SET_VIFS, out, 0 };
	struct elem_walk w = { keep_first_elem, &sw, 0 };
	char buf[DUMP_BUF];
	static uint32_t asked;
	uint32_t seq = (uint32_t)time(NULL) + ++asked;
	struct nlmsghdr *nlh;
	struct vif_elems one = { .n = 0 };
	struct raw_elem key;
	struct fw_elem vif = { .set = FW_SET_VIFS };
	struct nftnl_set *s;
	struct nftnl_set_elem *x;
	int n;

	if (all)
		return sweep(family, dev, out);
	out->n = 0;
	out->comment[0] = 0;
	if (!sock())
		return -1;
	raw_of(dev, &vif, &key);
	if (!(s = nftnl_set_alloc()) || !(x = nftnl_set_elem_alloc())) {
		if (s)
			nftnl_set_free(s);
		errno = ENOMEM;
		return -1;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, set_defs[FW_SET_VIFS].name);
	nftnl_set_elem_set(x, NFTNL_SET_ELEM_KEY, key.key, key.len);
	nftnl_set_elem_add(s, x);
	memset(buf, 0, 1024);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, (uint16_t)family,
				    NLM_F_ACK, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	sw.out = &one;
	if (exchange(nlh, buf, sizeof(buf), seq, 0, walk_elems, &w) < 0)
		/* No table, set or element: nothing of dev. */
		return errno == ENOENT || errno == EOPNOTSUPP ? 0 : -1;
	if (w.err) {
		errno = w.err;
		return -1;
	}
	if (!one.n)
		return 0;
	if ((n = fw_rules_elems_parse(dev, one.comment, e, FW_ELEMS_MAX)) < 0)
		return sweep(family, dev, out);
	for (int i = 0; i < n; i++)
		raw_of(dev, &e[i], &out->e[i]);
	out->n = n;
	memcpy(out->comment, one.comment, sizeof(out->comment));
	return 1;
}

/* One batch of family: old's elements that want (NULL: none) does not
 * hold deleted, want's added, and first the skeleton unless whole. */
static int send_change(int family, const char *dev, const struct fw_rule *r,
		       int n, const struct old_layout *layout, int whole,
		       const struct vif_elems *old,
		       const struct vif_elems *want)
{
	struct batch bt;
	int ret;

	if (batch_start(&bt, family) < 0)
		return -1;
	if (!whole)
		skeleton(&bt, r, n, layout);
	change_elems(&bt, dev, old, want);
	if (batch_end(&bt) < 0)
		return -1;
	ret = send_batch(&bt);
	batch_free(&bt);
	return ret;
}

/* dev's elements deleted from table xen of family; nothing to delete, no
 * batch, and no deletion's grace period. */
static int revoke_family(int family, const char *dev, int all)
{
	struct vif_elems old;
	int ret;

	if ((ret = find_elems(family, dev, &old, all)) <= 0)
		return ret;
	if (send_change(family, dev, NULL, 0, NULL, 1, &old, NULL) == 0)
		return 0;
	if (errno != ENOENT || all)
		return -1;
	/* Not all that its comment lists was there: what is. */
	if ((ret = find_elems(family, dev, &old, 1)) <= 0)
		return ret;
	return send_change(family, dev, NULL, 0, NULL, 1, &old, NULL);
}

static struct dump *dump_get(int family, const char *name);
static int chain_check(struct dump *d, const char *chain, const char *name,
		       const struct fw_rule *r, int n, enum fw_hook hook,
		       char *why, size_t len);

/* a, an array of n items of size, with room for one more (grown in
 * powers of two): a itself or its new place; NULL with errno ENOMEM. */
static void *grow(void *a, int n, size_t size)
{
	if (n != 0 && (n < 16 || (n & (n - 1))))
		return a;
	return realloc(a, (size_t)(n ? 2 * n : 16) * size);
}

static int keep_set_flags(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (s && nftnl_set_nlmsg_parse(nlh, s) == 0 &&
	    nftnl_set_is_set(s, NFTNL_SET_FLAGS))
		*(uint32_t *)data = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

static int keep_old_chain(struct nftnl_set_elem *e, void *data)
{
	struct old_layout *o = data;
	const char *chain = nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN);
	char(*more)[NFT_CHAIN_MAXNAMELEN];

	if (!chain || !strcmp(chain, BASE_CHAIN))
		return 0;
	if (!(more = grow(o->chains, o->n, sizeof(*o->chains))))
		return -1;
	o->chains = more;
	snprintf(o->chains[o->n++], sizeof(*o->chains), "%s", chain);
	return 0;
}

/* What is left in table xen of family of the layout before sets (read
 * only when the skeleton is made). */
static int old_layout(int family, struct old_layout *o)
{
	struct elem_walk w = { keep_old_chain, o, 0 };
	uint32_t flags = 0;

	if (ask_once(family, NFT_MSG_GETSET, TABLE, set_defs[FW_SET_VIFS].name,
		     keep_set_flags, &flags) < 0)
		return errno == ENOENT || errno == EOPNOTSUPP ? 0 : -1;
	if (!(o->map = (flags & NFT_SET_MAP) != 0))
		return 0;
	if (ask_once(family, NFT_MSG_GETSETELEM, TABLE,
		     set_defs[FW_SET_VIFS].name, walk_elems, &w) < 0)
		return -1;
	if (w.err) {
		errno = w.err;
		return -1;
	}
	return 0;
}

/* Whether the base chain of table xen of family holds exactly r[0, n). */
static int rules_same(int family, const struct fw_rule *r, int n)
{
	struct dump *d = dump_get(family, TABLE);
	char why[128];

	return d ? chain_check(d, BASE_CHAIN, NULL, r, n, FW_PREROUTING, why,
			       sizeof(why))
		 : -1;
}

/* Held by the run that converts the layout before sets (whose map vifs it
 * deletes): see fw_nft_allow(). */
#define LAYOUT_LOCK "xen-netscripts-nft-layout"

int fw_nft_allow(const struct fw_vif *v)
{
	int family = vif_family(v), n, rules, ret = -1, whole, lock = -1;
	struct fw_rule r[FW_SHARED_MAX];
	struct old_layout layout = { 0, NULL, 0 };
	struct vif_elems old, want;

again:
	/* A vif moving between bridged and routed leaves its other table. */
	if (revoke_family(v->routed ? NFPROTO_BRIDGE : NFPROTO_INET, v->dev,
			  v->repair) < 0 ||
	    (n = fw_rules_shared(v->routed, r, FW_SHARED_MAX)) < 0 ||
	    elems_of(v, &want) < 0 || (rules = base_rules(family)) < 0 ||
	    find_elems(family, v->dev, &old, v->repair) < 0)
		goto out;
	/* A repair reads the rules, one of which may differ. */
	whole = rules == n && (!v->repair || rules_same(family, r, n) > 0);
	if (!whole && old_layout(family, &layout) < 0)
		goto out;
	/* Converting deletes set vifs, which a concurrent run converting too
	 * would delete again with the elements the first one added: one run
	 * at a time, each reading everything again under the lock. */
	if (layout.map && lock < 0) {
		free(layout.chains);
		layout = (struct old_layout){ 0, NULL, 0 };
		if ((lock = lock_claim(LAYOUT_LOCK)) < 0)
			return -1;
		goto again;
	}
	ret = send_change(family, v->dev, r, n, &layout, whole, &old, &want);
	if (ret < 0 && errno == ENOENT && old.n &&
	    find_elems(family, v->dev, &old, 1) >= 0)
		ret = send_change(family, v->dev, r, n, &layout, whole, &old,
				  &want);
out:
	free(layout.chains);
	if (lock >= 0) {
		int e = errno;

		lock_release(LAYOUT_LOCK, lock);
		errno = e;
	}
	return ret;
}

/* Whether errno says that this host has no nf_tables (no nfnetlink, or
 * no nf_tables module): then nothing of ours is there to delete. */
static int no_nftables(void)
{
	return errno == EPROTONOSUPPORT || errno == EOPNOTSUPP;
}

static int revoke_both(const char *dev, int all)
{
	static const int families[] = { NFPROTO_BRIDGE, NFPROTO_INET };
	int ret = 0;

	for (int i = 0; i < 2; i++)
		if (revoke_family(families[i], dev, all) < 0 && !no_nftables())
			ret = -1;
	return ret;
}

int fw_nft_revoke(const char *dev)
{
	return revoke_both(dev, 0);
}

int fw_nft_revoke_all(const char *dev)
{
	return revoke_both(dev, 1);
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
		return ret < 0 && no_nftables() ? 0 : ret;
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
void *fw_nft_batch(const struct fw_vif *v, const struct fw_nat *nat,
		   const struct fw_rule *r, int n, size_t *len)
{
	struct fw_rule shared[FW_SHARED_MAX];
	struct vif_elems *want = NULL;
	struct batch bt;
	void *out;

	if (v) {
		if (!(want = malloc(sizeof(*want))) || elems_of(v, want) < 0 ||
		    (n = fw_rules_shared(v->routed, shared, FW_SHARED_MAX)) <
			    0 ||
		    batch_start(&bt, vif_family(v)) < 0) {
			free(want);
			return NULL;
		}
		skeleton(&bt, shared, n, NULL);
		change_elems(&bt, v->dev, NULL, want);
		free(want);
		if (batch_end(&bt) < 0)
			return NULL;
	} else if (build_nat(&bt, nat, r, n, 0) < 0) {
		return NULL;
	}
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
 * elements of each set sorted by key.  err: what went wrong while the
 * dump was read (ENOMEM, EPROTO for an answer libnftnl cannot parse). */
struct dumped_elem {
	struct raw_elem e;
	char *comment;
};

struct dumped_set {
	struct dumped_elem *e;
	int n;
};

struct dump {
	struct dump *next;
	int family;
	char *name;
	int exists;
	struct dumped_chain *chains;
	int nchains;
	struct nftnl_rule **rules;
	int nrules;
	struct dumped_set sets[FW_NSETS];
	int err;
};

static struct dump *dumps;

/* Empty d, but for its family and name. */
static void dump_clear(struct dump *d)
{
	for (int i = 0; i < d->nchains; i++)
		nftnl_chain_free(d->chains[i].c);
	for (int i = 0; i < d->nrules; i++)
		nftnl_rule_free(d->rules[i]);
	for (int s = 0; s < FW_NSETS; s++) {
		for (int i = 0; i < d->sets[s].n; i++)
			free(d->sets[s].e[i].comment);
		free(d->sets[s].e);
		d->sets[s].e = NULL;
		d->sets[s].n = 0;
	}
	free(d->chains);
	free(d->rules);
	d->chains = NULL;
	d->rules = NULL;
	d->nchains = d->nrules = d->exists = d->err = 0;
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

/* What keep_elem() fills: set of dump d. */
struct keeping {
	struct dump *d;
	enum fw_set set;
};

static int keep_elem(struct nftnl_set_elem *x, void *data)
{
	struct keeping *k = data;
	struct dumped_set *ds = &k->d->sets[k->set];
	struct dumped_elem *more;
	char comment[COMMENT_MAX + 1];

	if (!(more = grow(ds->e, ds->n, sizeof(*ds->e)))) {
		k->d->err = ENOMEM;
		return -1;
	}
	ds->e = more;
	raw_from(x, k->set, &ds->e[ds->n].e, comment, sizeof(comment));
	if (!(ds->e[ds->n].comment = strdup(comment))) {
		k->d->err = ENOMEM;
		return -1;
	}
	ds->n++;
	return 0;
}

/* Dumped elements by key, then end. */
static int elem_cmp(const void *a, const void *b)
{
	const struct raw_elem *x = &((const struct dumped_elem *)a)->e;
	const struct raw_elem *y = &((const struct dumped_elem *)b)->e;
	int c = memcmp(x->key, y->key, sizeof(x->key));

	return c ? c : memcmp(x->end, y->end, sizeof(x->end));
}

static int chain_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dumped_chain *)a)->name,
		      ((const struct dumped_chain *)b)->name);
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
	for (int s = 0; !strcmp(d->name, TABLE) && s < FW_NSETS; s++) {
		struct keeping k = { d, (enum fw_set)s };
		struct elem_walk w = { keep_elem, &k, 0 };

		if (ask_once(d->family, NFT_MSG_GETSETELEM, d->name,
			     set_defs[s].name, walk_elems, &w) < 0)
			return -1;
		if (w.err)
			d->err = w.err;
		if (d->sets[s].n)
			qsort(d->sets[s].e, (size_t)d->sets[s].n,
			      sizeof(*d->sets[s].e), elem_cmp);
	}
	if (d->err) {
		errno = d->err;
		return -1;
	}
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
	/* No expression of ours has attributes past the first 16.  A
	 * lookup's set id names its set only in the batch that makes it. */
	for (uint16_t a = NFTNL_EXPR_BASE; a < 16; a++) {
		if (!nftnl_expr_is_set(want, a) ||
		    (a == NFTNL_EXPR_LOOKUP_SET_ID &&
		     !strcmp(nftnl_expr_get_str(want, NFTNL_EXPR_NAME),
			     "lookup")))
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
						"chain %s: rule %d differs, expected '%s%s%s'",
						chain, k, name ? name : "",
						name ? ": " : "", r[i].why);
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

/* Element e as nft shows it: "vif1.0", "vif1.0 . 00:16:3e:00:00:01",
 * "vif1.0 . 10.0.0.0/24", "vif1.0 . 00:16:3e:00:00:01 . 10.0.0.1". */
static void elem_text(const struct raw_elem *e, char *out, size_t len)
{
	const struct set_def *sd = &set_defs[e->set];
	struct args_addr a = { .family = sd->len == 4 ? AF_INET : AF_INET6 };
	char mac[ARGS_MAC_LEN] = "";
	const unsigned char *lo = e->key + addr_off(sd);
	const unsigned char *hi = e->end + addr_off(sd);
	struct text t = TEXT_INIT(out, len);

	text_put(&t, "%.*s", IFNAMSIZ, e->key);
	if (sd->mac) {
		args_mac_format(e->key + IFNAMSIZ, mac, sizeof(mac));
		text_put(&t, " . %s", mac);
	}
	if (!sd->type)
		return;
	memcpy(a.a, lo, sd->len);
	if (!sd->interval)
		a.prefix = (int)sd->len * 8;
	while (a.prefix < (int)sd->len * 8 &&
	       !((lo[a.prefix / 8] ^ hi[a.prefix / 8]) &
		 (0x80 >> a.prefix % 8)))
		a.prefix++;
	text_put(&t, " . %s", args_addr_text(&a).s);
}

/* The element of set ds keyed e, or NULL. */
static struct dumped_elem *dumped_elem(const struct dumped_set *ds,
				       const struct raw_elem *e)
{
	struct dumped_elem key = { *e, NULL };

	return ds->n ? bsearch(&key, ds->e, (size_t)ds->n, sizeof(*ds->e),
			       elem_cmp)
		     : NULL;
}

/* Whether the sets of d hold exactly the elements of want, commented as
 * an allow comments them: 1, or 0 with why. */
static int elems_check(const struct dump *d, const char *dev,
		       const struct vif_elems *want, char *why, size_t len)
{
	char text[IFNAMSIZ + 3 + ARGS_MAC_LEN + 3 + ARGS_ADDR_LEN];
	const struct dumped_elem *got;

	/* Its element of set vifs first (without it, nothing of the vif is
	 * checked), its comment (what the vif was allowed) last. */
	if (!(got = dumped_elem(&d->sets[FW_SET_VIFS], &want->e[0])))
		return fw_why(why, len, "no element %s in set %s", dev,
			      set_defs[FW_SET_VIFS].name);
	for (int i = 1; i < want->n; i++) {
		const struct raw_elem *e = &want->e[i];
		const struct dumped_elem *x = dumped_elem(&d->sets[e->set], e);

		elem_text(e, text, sizeof(text));
		if (!x)
			return fw_why(why, len, "no element %s in set %s", text,
				      set_defs[e->set].name);
		if (strcmp(x->comment, dev))
			return fw_why(
				why, len,
				"element %s of set %s: comment '%s', expected '%s'",
				text, set_defs[e->set].name, x->comment, dev);
	}
	/* Whatever else of dev's is there lets it send more. */
	for (int s = 0; s < FW_NSETS; s++) {
		const struct dumped_set *ds = &d->sets[s];

		for (int i = 0; i < ds->n; i++) {
			int wanted = 0;

			if (strncmp((const char *)ds->e[i].e.key, dev,
				    IFNAMSIZ))
				continue;
			for (int j = 0; j < want->n && !wanted; j++)
				wanted = raw_same(&ds->e[i].e, &want->e[j]);
			if (wanted)
				continue;
			elem_text(&ds->e[i].e, text, sizeof(text));
			return fw_why(why, len,
				      "element %s of set %s not expected", text,
				      set_defs[s].name);
		}
	}
	if (strcmp(got->comment, want->comment))
		return fw_why(
			why, len,
			"element %s of set %s: comment '%s', expected '%s'",
			dev, set_defs[FW_SET_VIFS].name, got->comment,
			want->comment);
	return 1;
}

int fw_nft_vif_check(const struct fw_vif *v, char *why, size_t len)
{
	struct dump *d = dump_get(vif_family(v), TABLE);
	struct fw_rule r[FW_SHARED_MAX];
	struct vif_elems want;
	int n, ret;

	if (!d)
		return -1;
	if ((ret = table_exists(d, why, len)) <= 0)
		return ret;
	if ((n = fw_rules_shared(v->routed, r, FW_SHARED_MAX)) < 0 ||
	    elems_of(v, &want) < 0)
		return -1;
	if ((ret = chain_check(d, BASE_CHAIN, NULL, r, n, FW_PREROUTING, why,
			       len)) <= 0)
		return ret;
	return elems_check(d, v->dev, &want, why, len);
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

/* Whether a set of d holds an element of dev. */
static int holds_elems(const struct dump *d, const char *dev)
{
	for (int s = 0; s < FW_NSETS; s++)
		for (int i = 0; i < d->sets[s].n; i++)
			if (!strncmp((const char *)d->sets[s].e[i].e.key, dev,
				     IFNAMSIZ))
				return 1;
	return 0;
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
			: holds_elems(d, name))
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
