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
	FW_SPORT,	/* u16 */
	FW_DPORT,	/* u16 */
	FW_ICMP6_TYPE,	/* u8 */
	FW_IIFNAME,	/* ifname: arriving by */
	FW_OIFNAME,	/* ifname: leaving by */
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
/* The NAT rules for n (its masquerading); -1 with errno E2BIG. */
int fw_rules_nat(const struct fw_nat *n, struct fw_rule *out, int max);
/* 0 when owner is a valid NAT owner name, else -1 with errno EINVAL. */
int fw_owner_valid(const char *owner);

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
int fw_nft_vif_check(const struct fw_vif *v, const struct fw_rule *r, int n,
		     char *why, size_t len);
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
 * allow of a new vif sends, or (v NULL) a NAT set: malloc'd, its size in
 * *len; NULL with errno set.  Sends nothing, needs no privilege: for the
 * unit tests' golden files (tests/harness/fwdump.c). */
void *fw_nft_batch(const struct fw_vif *v, const struct fw_nat *nat,
		   const struct fw_rule *r, int n, size_t *len);

#endif
