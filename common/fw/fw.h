/* The firewall: one semantic API, two backends.
 *
 * Anti-spoofing: a vif is allowed exactly its MAC and addresses; revoking a
 * vif removes everything that was made for it, in every backend, so that a
 * host that switches backends is never left with stale rules.  NAT: an owner
 * (network-nat) sets its masquerading as a whole, and clears it.  What the
 * rules are is decided once, in fw_rules.c, as a list of backend-neutral
 * rules; fw_nft.c and fw_iptc.c only translate it (tests/harness/fwdump.c
 * prints that list as nft text for the golden files, nothing else):
 *
 *   nft       table bridge xen (bridged vifs) and table inet xen (routed
 *             vifs): base chain prerouting holds the rules every vif shares,
 *             which look each vif's MAC and addresses up in sets keyed by
 *             its name (fw_nft.c).  NAT in table
 *             inet xen: base chains <owner>-prerouting and
 *             <owner>-postrouting.  One netlink batch per command: atomic.
 *   iptables  libiptc, tables filter of IPv4 and IPv6: FORWARD and INPUT jump
 *             to xen-antispoof, which jumps per vif (physdev-in when bridged,
 *             -i when routed) to xen-<vif>.  NAT in table nat: PREROUTING
 *             and POSTROUTING jump to xen-<owner>-pre and -post.
 *             Under the xtables lock (/run/xtables.lock, as `iptables -w`).
 *             iptables cannot see ARP or other ethertypes: only MAC and
 *             IPv4/IPv6 sources are checked.
 *
 * network-zones' NAT (SNAT to an external address, 1:1 maps, the DNAT of
 * CreateApp) is not here: it is nft-only and stateful, and goes with the
 * zone's filter rules in one libnftables transaction, so it stays in
 * network-zones' own nft text.
 *
 * This is what the skeletons and the mains call; what fw.c and the backends
 * share is in fw_int.h.
 */
#ifndef XNS_FW_H
#define XNS_FW_H
#include <stddef.h>
#include <stdint.h>

#include "args.h"

enum fw_backend { FW_NONE, FW_NFT, FW_IPTABLES };

/* What a vif may send. */
struct fw_vif {
	const char *dev;	       /* the vif's interface name */
	const unsigned char *mac;      /* the guest's MAC; NULL: not checked */
	const struct args_addr *addrs; /* the `ip` key ... */
	int naddrs; /* ... how many; -1: no key, any address */
	int trunk;  /* 802.1Q-tagged frames allowed */
	int routed; /* a routed (vif-route, vif-nat) device,
		     * not a bridge port: IP checks only */
	int repair; /* a restore: whatever else of dev's the backend holds
		     * goes too (nft reads every vif's to find it) */
};

/* What an owner NATs: IPv4 leaving by out_dev is masqueraded (only from
 * the subnets in from, when nfrom > 0; nothing when out_dev is NULL). */
struct fw_nat {
	const char *owner; /* 1..15 of [A-Za-z0-9_-]: names the chains */
	const char *out_dev;
	const struct args_addr *from;
	int nfrom;
};

/* The backend for a `firewall` setting: "nft", "iptables", "none", or NULL
 * / "auto" for the one the host's iptables command uses (iptables-legacy:
 * iptables; iptables-nft or no iptables at all: nft).  -1 with errno EINVAL
 * for any other value. */
int fw_choose(const char *setting, enum fw_backend *out);
/* fw_choose() of the `firewall` setting (args_setting(): argument,
 * environment, settings file); -1 with errno EINVAL and "invalid firewall
 * 'X': expected ..." in err. */
int fw_setting(enum fw_backend *out, char *err, size_t len);
/* "nft", "iptables" or "none", for messages.  Pure. */
const char *fw_name(enum fw_backend b);
/* The backends built in, their names separated by spaces.  Pure. */
const char *fw_built_in(void);

/* Install (or replace) the anti-spoofing of a vif with backend b, then
 * remove whatever the other backend held for it; atomic in each backend.
 * FW_NONE only removes.  -1 with errno set: the other backend's rules are
 * then still in place. */
int fw_vif_allow(enum fw_backend b, const struct fw_vif *v);
/* Why fw_vif_allow() or fw_nat_set() failed, for messages: what the
 * iptables backend could not do when errno cannot say it ("load kernel
 * module ip_tables: '/sbin/modprobe' exited with status 1": it loads the
 * modules its tables need, as the iptables command does), else
 * strerror(err). */
const char *fw_strerror(int err);
/* Remove every rule, chain and set element made for dev, in every backend.
 * What is already gone is not an error. */
int fw_vif_revoke(const char *dev);
/* The same in backend b alone (FW_NONE: nothing), for an offline that knows
 * the backend its online used: fw_vif_allow(b) removed the others' rules. */
int fw_vif_revoke_in(enum fw_backend b, const char *dev);

/* Set (or replace) owner n->owner's NAT with backend b, after removing
 * whatever the other backend held for it; atomic in each backend.  -1 with
 * errno EINVAL for an invalid owner, else as the backend sets it. */
int fw_nat_set(enum fw_backend b, const struct fw_nat *n);
/* Remove owner's NAT from every backend; what is gone is not an error. */
int fw_nat_clear(const char *owner);

/* Read-only checks, for the guard: they create and change nothing.  Each
 * returns 1 when what it checks is in place; 0 when not, with what is
 * missing in why (one line); -1 with errno when the kernel cannot be read.
 *
 * 1 when everything fw_vif_allow(b, v) makes for v is in place in backend b:
 * for nft the table, its base chain holding exactly the shared rules (count,
 * comments, expressions), and exactly the vif's elements in the sets, each
 * with its comment; for iptables the vif's chain holding exactly its rules
 * (the whole entries, in order) and its dispatch (the rule of xen-antispoof
 * and the jumps to it).  Why, e.g. "table bridge xen not found", "chain
 * prerouting has 3 rules, expected 24", "no element web0 . 10.0.0.5 in set
 * addr4", "element web0 . 10.0.0.9 of set addr4 not expected".  FW_NONE: 1
 * when no backend holds anything for v->dev, else 0 ("rules for web0 left in
 * nft"). */
int fw_vif_check(enum fw_backend b, const struct fw_vif *v, char *why,
		 size_t len);
/* The same for fw_nat_set(b, n): its two chains with their rules, and for
 * iptables the jumps to them.  -1 with errno EINVAL for an invalid owner. */
int fw_nat_check(enum fw_backend b, const struct fw_nat *n, char *why,
		 size_t len);
/* nftables only: 1 when table family name exists and holds at least one
 * rule ("table inet zones holds no rule", "... not found").  family:
 * "inet", "ip", "ip6", "bridge", "arp" or "netdev"; -1 with errno EINVAL for
 * another, or a name that is empty or longer than nft allows. */
int fw_table_check(const char *family, const char *name, char *why, size_t len);
/* The checks keep what they read of the kernel (one read per table, however
 * many vifs are checked: a pass over 1000 vifs stays cheap); this forgets
 * it, so that the next check reads the kernel again.  Call it before each
 * pass.  A change through this API (allow, revoke, NAT set or clear) and
 * fw_close() forget it too. */
void fw_check_reset(void);

/* Release sockets and caches (at exit, for valgrind). */
void fw_close(void);

#endif
