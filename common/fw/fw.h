/* The firewall: one semantic API, two backends.
 *
 * Anti-spoofing: a vif is allowed exactly its MAC and addresses; revoking a
 * vif removes everything that was made for it, in every backend, so that a
 * host that switches backends is never left with stale rules.  NAT: an owner
 * (a script, a zone) sets its masquerading and port forwards as a whole, and
 * clears them.  What the rules are is decided once, in fw_rules.c, as a list
 * of backend-neutral rules; fw_nft.c and fw_iptc.c only translate it:
 *
 *   nft       table bridge xen (bridged vifs) and table inet xen (routed
 *             vifs): base chain prerouting dispatches through the verdict map
 *             @vifs (iifname -> jump <vif>) to a chain per vif.  NAT in table
 *             inet xen: base chains <owner>-prerouting and
 *             <owner>-postrouting.  One netlink batch per command: atomic.
 *   iptables  libiptc, tables filter of IPv4 and IPv6: FORWARD and INPUT jump
 *             to xen-antispoof, which jumps per vif (physdev-in when bridged,
 *             -i when routed) to xen-<vif>.  NAT in table nat: PREROUTING
 *             and POSTROUTING jump to xen-<owner>-pre and -post.
 *             Under the xtables lock (/run/xtables.lock, as `iptables -w`).
 *             iptables cannot see ARP or other ethertypes: only MAC and
 *             IPv4/IPv6 sources are checked.
 */
#ifndef XNS_FW_H
#define XNS_FW_H
#include <stddef.h>
#include <stdint.h>

#include "args.h"

enum fw_backend { FW_NONE, FW_NFT, FW_IPTABLES };

/* What a vif may send. */
struct fw_vif {
	const char *dev;		/* the vif's interface name */
	const unsigned char *mac;	/* the guest's MAC; NULL: not checked */
	const struct args_addr *addrs;	/* the `ip` key ... */
	int naddrs;			/* ... how many; -1: no key, any address */
	int trunk;			/* 802.1Q-tagged frames allowed */
	int routed;			/* a routed (vif-route, vif-nat) device,
					 * not a bridge port: IP checks only */
};

/* A port forward: proto (IPPROTO_TCP or IPPROTO_UDP) to ext:port (any
 * local address when ext.prefix is 0, arriving by in_dev when given) goes to
 * to:to_port. */
struct fw_forward {
	int proto;
	struct args_addr ext;
	uint16_t port;
	struct args_addr to;
	uint16_t to_port;
	const char *in_dev;
};

/* What an owner NATs: IPv4 leaving by out_dev is masqueraded (only from
 * the subnets in from, when nfrom > 0; none when out_dev is NULL), and the
 * forwards are made. */
struct fw_nat {
	const char *owner;	/* 1..15 of [A-Za-z0-9_-]: names the chains */
	const char *out_dev;
	const struct args_addr *from;
	int nfrom;
	const struct fw_forward *fwd;
	int nfwd;
};

/* The backend for a `firewall` setting: "nft", "iptables", "none", or NULL
 * / "auto" for the one the host's iptables command uses (iptables-legacy:
 * iptables; iptables-nft or no iptables at all: nft).  -1 with errno EINVAL
 * for any other value. */
int fw_choose(const char *setting, enum fw_backend *out);
const char *fw_name(enum fw_backend b);

/* Install (or replace) the anti-spoofing of a vif with backend b, after
 * removing whatever the other backend held for it; atomic in each backend.
 * FW_NONE only removes.  -1 with errno set. */
int fw_vif_allow(enum fw_backend b, const struct fw_vif *v);
/* Remove every rule, chain and map entry made for dev, in every backend.
 * What is already gone is not an error. */
int fw_vif_revoke(const char *dev);

/* Set (or replace) owner n->owner's NAT with backend b, after removing
 * whatever the other backend held for it; atomic in each backend.  -1 with
 * errno EINVAL for an invalid owner, else as the backend sets it. */
int fw_nat_set(enum fw_backend b, const struct fw_nat *n);
/* Remove owner's NAT from every backend; what is gone is not an error. */
int fw_nat_clear(const char *owner);

/* Release sockets and caches (at exit, for valgrind). */
void fw_close(void);

/* --- backend-neutral rules (fw_rules.c) --- */

enum fw_match_kind {
	FW_ETHERTYPE,		/* u16 */
	FW_SMAC_NOT,		/* mac: source MAC is not */
	FW_ARP_SHA_NOT,		/* mac: ARP sender hardware address is not */
	FW_ARP_SPA,		/* addr: ARP sender protocol address */
	FW_SADDR,		/* addr: IPv4/IPv6 source (with prefix) */
	FW_DADDR,		/* addr: IPv4/IPv6 destination */
	FW_L4PROTO,		/* u8 */
	FW_SPORT,		/* u16 */
	FW_DPORT,		/* u16 */
	FW_ICMP6_TYPE,		/* u8 */
	FW_IIFNAME,		/* ifname: arriving by */
	FW_OIFNAME,		/* ifname: leaving by */
};

struct fw_match {
	enum fw_match_kind kind;
	uint16_t val;
	unsigned char mac[6];
	struct args_addr addr;
	char ifname[16];
};

enum fw_verdict {
	FW_PASS,		/* as far as we are concerned */
	FW_DROP,
	FW_MASQ,		/* source NAT to the outgoing device's address */
	FW_DNAT,		/* destination NAT to the rule's to:to_port */
};

/* NAT rules belong to a hook; anti-spoofing rules all to prerouting. */
enum fw_hook { FW_PREROUTING, FW_POSTROUTING };

#define FW_RULE_MATCHES 6
struct fw_rule {
	struct fw_match m[FW_RULE_MATCHES];
	int n;
	enum fw_verdict verdict;
	enum fw_hook hook;
	struct args_addr to;	/* FW_DNAT */
	uint16_t to_port;	/* FW_DNAT; 0: unchanged */
	const char *why;	/* the comment, after "<vif or owner>: " */
};

/* The most rules fw_rules_antispoof() makes. */
#define FW_RULES_MAX (24 + 4 * 64)

/* The anti-spoofing rules for v, in order, the first match deciding; at
 * most max.  Returns how many, or -1 with errno E2BIG. */
int fw_rules_antispoof(const struct fw_vif *v, struct fw_rule *out, int max);
/* The NAT rules for n (masquerading, then forwards); -1 with errno E2BIG. */
int fw_rules_nat(const struct fw_nat *n, struct fw_rule *out, int max);
/* 0 when owner is a valid NAT owner name, else -1 with errno EINVAL. */
int fw_owner_valid(const char *owner);
/* One rule in nft syntax for a table of family bridge (routed 0) or inet
 * (routed 1), comment included, as `nft list ruleset` shows it, with name
 * (the vif or owner) in the comment; -1 with errno ENOSPC when buf is
 * short. */
int fw_rules_format(const char *name, const struct fw_rule *r, int routed,
		    char *buf, size_t len);

/* Backends (fw_nft.c, fw_iptc.c): the same contract as fw_vif_allow() and
 * fw_vif_revoke(), for one backend.  *_present() says, cheaply and without
 * creating anything, whether the backend may hold anything of ours. */
int fw_nft_allow(const struct fw_vif *v, const struct fw_rule *r, int n);
int fw_nft_revoke(const char *dev);
int fw_nft_nat_set(const struct fw_nat *nat, const struct fw_rule *r, int n);
int fw_nft_nat_clear(const char *owner);
int fw_nft_present(void);
void fw_nft_close(void);
int fw_iptc_allow(const struct fw_vif *v, const struct fw_rule *r, int n);
int fw_iptc_revoke(const char *dev);
int fw_iptc_nat_set(const struct fw_nat *nat, const struct fw_rule *r, int n);
int fw_iptc_nat_clear(const char *owner);
int fw_iptc_present(void);

/* The nft batch of an allow of a new vif, or (v NULL) of a NAT set, printed
 * by libnftnl one object per line (`nft --debug=netlink` style), for the
 * unit tests' golden files.  Needs no privilege.  malloc'd, NULL with errno
 * set. */
char *fw_nft_dump(const struct fw_vif *v, const struct fw_nat *nat,
		  const struct fw_rule *r, int n);

#endif
