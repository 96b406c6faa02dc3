/* What the firewall's parts share behind fw.h: the backend-neutral rules
 * that fw_rules.c decides and the functions of each backend, which fw.c
 * calls.  Not for the skeletons or the mains (they call fw.h). */
#ifndef XNS_FW_INT_H
#define XNS_FW_INT_H
#include <stddef.h>
#include <stdint.h>

#include "args.h"
#include "fw.h"

/* --- backend-neutral rules (fw_rules.c) --- */

enum fw_match_kind {
	FW_ETHERTYPE,	/* u16 */
	FW_SMAC_NOT,	/* mac: source MAC is not */
	FW_ARP_SHA_NOT, /* mac: ARP sender hardware address is not */
	FW_ARP_SPA,	/* addr: ARP sender protocol address */
	FW_SADDR,	/* addr: IPv4/IPv6 source (with prefix) */
	FW_DADDR,	/* addr: IPv4/IPv6 destination */
	FW_L4PROTO,	/* u8 */
	FW_SPORT,	/* u16: the transport header's first 16 bits, the
			 * source port of FW_L4PROTO's UDP or TCP */
	FW_DPORT,	/* u16 */
	FW_ICMP6_TYPE,	/* u8 */
	FW_IIFNAME,	/* ifname: arriving by */
	FW_OIFNAME,	/* ifname: leaving by */
	FW_LOOKUP,	/* set, key, inv: the arriving interface's name, with
			 * key after it, is (inv: is not) in set */
};

/* The sets of the nft layout, which hold each vif's data (fw_rules_elems())
 * for the rules all vifs share (fw_rules_shared()). */
enum fw_set {
	FW_SET_VIFS,   /* ifname: the vifs with anti-spoofing */
	FW_SET_TRUNKS, /* ifname: the vifs that may send 802.1Q frames */
	FW_SET_ANYMAC, /* ifname: the vifs whose MAC is not checked */
	FW_SET_MACS,   /* ifname . MAC: each other vif's MAC */
	FW_SET_ADDR4,  /* ifname . IPv4 address: what each vif may send from */
	FW_SET_ADDR6, /* ifname . IPv6 address: the same, link-local included */
	FW_SET_NET4,  /* ifname . IPv4 network: the same, a prefix */
	FW_SET_NET6,  /* ifname . IPv6 network */
	FW_SET_ANYIP, /* ifname: the vifs that may send from any address */
	FW_SET_FAST4, /* ifname . MAC . IPv4 address: the vif's MAC with each
		       * of its hosts (ADDR4), for the fast path's one lookup */
	FW_SET_FAST6, /* ifname . MAC . IPv6 address: the same of ADDR6 */
	FW_NSETS
};

/* What FW_LOOKUP puts after the interface's name. */
enum fw_key {
	FW_KEY_NONE,
	FW_KEY_SMAC,	    /* the source MAC */
	FW_KEY_ARP_SHA,	    /* ARP's sender hardware address */
	FW_KEY_ARP_SPA,	    /* ARP's sender protocol address */
	FW_KEY_SADDR4,	    /* the IPv4 source */
	FW_KEY_SADDR6,	    /* the IPv6 source */
	FW_KEY_SMAC_SADDR4, /* the source MAC, then the IPv4 source */
	FW_KEY_SMAC_SADDR6, /* the source MAC, then the IPv6 source */
};

/* The ICMPv6 types a guest may not send. */
#define ICMP6_ROUTER_ADVERT 134
#define ICMP6_REDIRECT 137

struct fw_match {
	enum fw_match_kind kind;
	uint16_t val;
	unsigned char mac[6];
	struct args_addr addr;
	char ifname[16];
	enum fw_set set; /* FW_LOOKUP */
	enum fw_key key;
	int inv; /* FW_LOOKUP, FW_L4PROTO, FW_SPORT: does not match */
};

enum fw_verdict {
	FW_PASS, /* as far as we are concerned */
	FW_DROP,
	FW_MASQ, /* source NAT to the outgoing device's address */
};

/* NAT rules belong to a hook; anti-spoofing rules all to prerouting. */
enum fw_hook { FW_PREROUTING, FW_POSTROUTING };

#define FW_RULE_MATCHES 6
struct fw_rule {
	struct fw_match m[FW_RULE_MATCHES];
	int n;
	enum fw_verdict verdict;
	enum fw_hook hook;
	const char *why; /* the comment, after "<vif or owner>: " */
};

/* The most rules fw_rules_antispoof() makes. */
#define FW_RULES_MAX (24 + 4 * 64)

/* The anti-spoofing rules for v, in order, the first match deciding; at
 * most max.  Returns how many, or -1 with errno E2BIG. */
int fw_rules_antispoof(const struct fw_vif *v, struct fw_rule *out, int max);
/* The anti-spoofing rules of the nft layout, the same for every vif of a
 * kind (bridged, or routed): fw_rules_antispoof()'s with the vif's data
 * looked up in the sets, which fw_rules_elems() fills.  The first rule lets
 * the interfaces that are not vifs of ours pass.  For every vif, what they
 * let pass and drop is what fw_rules_antispoof() makes for it.  At most max;
 * how many, or -1 with errno E2BIG. */
int fw_rules_shared(int routed, struct fw_rule *out, int max);
/* The most rules fw_rules_shared() makes. */
#define FW_SHARED_MAX 32

/* One element of a set of the nft layout: the vif's name, and the MAC
 * (FW_SET_MACS, FW_SET_FAST4, FW_SET_FAST6) and the address or network
 * (FW_SET_ADDR4 ... FW_SET_NET6, FW_SET_FAST4, FW_SET_FAST6). */
struct fw_elem {
	enum fw_set set;
	unsigned char mac[6];
	struct args_addr addr;
};

/* The most elements fw_rules_elems() makes: vifs, trunks, the MAC or
 * anymac, 64 addresses and the link-local one (no ip key: anyip), and
 * those 65 again with the MAC (the fast path's). */
#define FW_ELEMS_MAX (3 + 2 * (64 + 1))

/* The elements that v needs in the sets for fw_rules_shared() to do what
 * fw_rules_antispoof() does for it: an address within another of the vif's
 * is left out (an interval set holds no overlaps); no ip key is set anyip's
 * element; with a MAC, each host address is in set fast4 or fast6 with it
 * too.  At most max; how many, or -1 with errno E2BIG. */
int fw_rules_elems(const struct fw_vif *v, struct fw_elem *out, int max);
/* The elements e[0, n) of dev as one line, "DEV: trunk mac M ip A B" (mac
 * any, ip any: not checked; trunk only for a trunk)
 * (the comment of dev's element of set vifs, so that `nft list` shows what
 * each vif may send, and a revoke knows what to delete); -1 with errno
 * ENOSPC when len is short. */
int fw_rules_elems_format(const char *dev, const struct fw_elem *e, int n,
			  char *buf, size_t len);
/* The elements of such a line, at most max; how many, or -1 with errno
 * EINVAL (not such a line, or another dev's) or E2BIG. */
int fw_rules_elems_parse(const char *dev, const char *line, struct fw_elem *out,
			 int max);

/* The NAT rules for n (its masquerading); -1 with errno E2BIG. */
int fw_rules_nat(const struct fw_nat *n, struct fw_rule *out, int max);
/* 0 when owner is a valid NAT owner name, else -1 with errno EINVAL. */
int fw_owner_valid(const char *owner);

/* Backends (fw_nft.c, fw_iptc.c): the same contract as fw_vif_allow() and
 * fw_vif_revoke(), for one backend.  nft's revoke and NAT clear create
 * nothing and succeed where there is nothing (no table, or no nf_tables);
 * fw_iptc_present() says, cheaply and without creating anything, whether
 * iptables may hold anything of ours. */
int fw_nft_allow(const struct fw_vif *v);
int fw_nft_revoke(const char *dev);
/* fw_nft_revoke() of whatever the sets hold of dev, read from them all
 * (fw_vif.repair). */
int fw_nft_revoke_all(const char *dev);
int fw_nft_nat_set(const struct fw_nat *nat, const struct fw_rule *r, int n);
int fw_nft_nat_clear(const char *owner);
void fw_nft_close(void);
int fw_iptc_allow(const struct fw_vif *v, const struct fw_rule *r, int n);
int fw_iptc_revoke(const char *dev);
int fw_iptc_nat_set(const struct fw_nat *nat, const struct fw_rule *r, int n);
int fw_iptc_nat_clear(const char *owner);
int fw_iptc_present(void);
/* What the last fw_iptc_allow() or fw_iptc_nat_set() could not do when
 * errno cannot say it (a kernel module it could not load); NULL if none. */
const char *fw_iptc_error(void);

/* A check's answer that something is not in place: why, as printf
 * writes it (truncated to len), and 0. */
int fw_why(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The checks of fw.h for one backend, against the rules r that allow or
 * nat_set would install; *_holds() says whether the backend holds anything
 * of a vif (dev) or, with nat, of a NAT owner.  All read through a cache
 * that *_check_reset() forgets.  No table is created, no lock taken. */
int fw_nft_vif_check(const struct fw_vif *v, char *why, size_t len);
int fw_nft_nat_check(const struct fw_nat *nat, const struct fw_rule *r, int n,
		     char *why, size_t len);
int fw_nft_table_check(const char *family, const char *name, char *why,
		       size_t len);
int fw_nft_holds(const char *name, int nat);
void fw_nft_check_reset(void);
int fw_iptc_vif_check(const struct fw_vif *v, const struct fw_rule *r, int n,
		      char *why, size_t len);
int fw_iptc_nat_check(const struct fw_nat *nat, const struct fw_rule *r, int n,
		      char *why, size_t len);
int fw_iptc_holds(const char *name, int nat);
void fw_iptc_check_reset(void);

/* The nft batch (netlink messages, batch begin and end included) that an
 * allow of a new vif sends on a host without any (the rules of
 * fw_rules_shared() and the vif's elements: r and n are not used), or (v
 * NULL) a NAT set of the rules r[0, n): malloc'd, its size in *len; NULL
 * with errno set.  Sends nothing, needs no privilege: for the
 * unit tests' golden files (tests/harness/fwdump.c). */
void *fw_nft_batch(const struct fw_vif *v, const struct fw_nat *nat,
		   const struct fw_rule *r, int n, size_t *len);

#endif
