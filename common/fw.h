/* The firewall: one semantic API, two backends.
 *
 * A vif is allowed exactly its MAC and addresses (anti-spoofing); revoking a
 * vif removes everything that was made for it, in every backend, so that a
 * host that switches backends is never left with stale rules.  What is
 * allowed is decided once, in fw_rules.c, as a list of backend-neutral rules;
 * fw_nft.c and fw_iptc.c only translate it:
 *
 *   nft       table bridge xen: base chain prerouting dispatches through the
 *             verdict map @vifs (iifname -> jump <vif>) to a chain per vif.
 *             One netlink batch per command: atomic, and as cheap with 1000
 *             vifs present as with one.
 *   iptables  libiptc, tables filter of IPv4 and IPv6: FORWARD and INPUT jump
 *             to xen-antispoof, which jumps per vif (physdev-in) to
 *             xen-<vif>.  Under the xtables lock (/run/xtables.lock, as
 *             `iptables -w`).  iptables cannot see ARP or other ethertypes:
 *             only MAC and IPv4/IPv6 sources are checked.
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
};

/* The backend for a `firewall` setting: "nft", "iptables", "none", or NULL
 * / "auto" for the one the host's iptables command uses (legacy: iptables,
 * nft: nft), else nft when the kernel has nf_tables, else iptables.  -1 with
 * errno EINVAL for any other value. */
int fw_choose(const char *setting, enum fw_backend *out);
const char *fw_name(enum fw_backend b);

/* Install (or replace) the anti-spoofing of a bridge port with backend b,
 * after removing whatever the other backend held for it; atomic in each
 * backend.  FW_NONE only removes.  -1 with errno set. */
int fw_vif_allow(enum fw_backend b, const struct fw_vif *v);
/* Remove every rule, chain and map entry made for dev, in every backend.
 * What is already gone is not an error. */
int fw_vif_revoke(const char *dev);

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
};

struct fw_match {
	enum fw_match_kind kind;
	uint16_t val;
	unsigned char mac[6];
	struct args_addr addr;
};

enum fw_verdict { FW_PASS, FW_DROP };

#define FW_RULE_MATCHES 6
struct fw_rule {
	struct fw_match m[FW_RULE_MATCHES];
	int n;
	enum fw_verdict verdict;
	const char *why;	/* the comment, after "<vif>: " */
};

/* The most rules fw_rules_antispoof() makes. */
#define FW_RULES_MAX (24 + 4 * 64)

/* The anti-spoofing rules for v, in order, the first match deciding; at
 * most max.  Returns how many, or -1 with errno E2BIG. */
int fw_rules_antispoof(const struct fw_vif *v, struct fw_rule *out, int max);
/* One rule in nft syntax, comment included, as `nft list ruleset` shows
 * it; -1 with errno ENOSPC when buf is short. */
int fw_rules_format(const char *dev, const struct fw_rule *r, char *buf,
		    size_t len);

/* Backends (fw_nft.c, fw_iptc.c): the same contract as fw_vif_allow() and
 * fw_vif_revoke(), for one backend.  *_present() says, cheaply and without
 * creating anything, whether the backend may hold anything of ours. */
int fw_nft_allow(const struct fw_vif *v, const struct fw_rule *r, int n);
int fw_nft_revoke(const char *dev);
int fw_nft_present(void);
void fw_nft_close(void);
int fw_iptc_allow(const struct fw_vif *v, const struct fw_rule *r, int n);
int fw_iptc_revoke(const char *dev);
int fw_iptc_present(void);

/* The nft batch of an allow, printed by libnftnl one object per line
 * (`nft --debug=netlink` style), for the unit tests' golden files.  Needs
 * no privilege.  malloc'd, NULL with errno set. */
char *fw_nft_dump_allow(const struct fw_vif *v, const struct fw_rule *r, int n);

#endif
