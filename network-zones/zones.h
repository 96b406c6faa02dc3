/* network-zones' configuration: one bridge per security zone, its NAT, the
 * port forwards into it, dom0's open ports and the zone firewall, in the
 * statements of the Fridu-in-Xen scripts plus what the other seeds need.
 *
 *   NAME=value                     a variable, used later as $NAME or ${NAME}
 *   CreateZone NAME= NIC= EXT= BR= INT= MASK= [DHCP=first-last]
 *        a zone: bridge BR with address INT/MASK; its guests go out by NIC
 *        (none: no uplink) as EXT (none: the NIC's own address, masqueraded);
 *        DHCP hands out addresses from first to last to any guest (as
 *        libvirt's default NAT network does), besides the fixed leases.
 *   CreateApp NAME= ZONE= EXT=proto:port INT=ip:port
 *        a port forward from EXT's port on the zone's NIC; ZONE=none opens
 *        the port on dom0 itself, INT naming the NIC it is open on.
 *   TuneZone NAME= ZONE= DIR=in|out ACTION=accept|drop|reject PORT=proto:port
 *        traffic into / out of the zone on that port, whatever the peer.
 *   MapAddress NAME= ZONE= EXT=public INT=guest
 *        1:1 NAT of an extra public address to a guest, both ways.
 *   AllowZone FROM=zone TO=zone
 *        let FROM's guests open connections into TO (zones are isolated).
 *
 * '#' starts a comment (also after ';').  Values hold no spaces; quotes
 * around a whole value go as the shell takes them away ("..." expanded,
 * '...' not), and a value holds no other quote, '\' or '`'.  Each value is
 * then checked for its field (interface names: letters, digits, '-', '_'
 * and '.'), so that the ruleset is only ever built from checked values.  A
 * variable is set once.  Errors (a NUL byte too) name the file, the line
 * and the statement.  Limits: ZONES_MAX zones and variables, ZONES_RULES
 * other statements, lines of 1023 bytes, values of 255. */
#ifndef XNS_ZONES_H
#define XNS_ZONES_H
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "args.h"

/* Our nftables table. */
#define ZONES_TABLE "inet xen-zones"

#define ZONES_MAX 32
#define ZONES_NAME 32

struct zone {
	char name[ZONES_NAME];
	char nic[IFNAMSIZ];   /* "": none */
	struct args_addr ext; /* family 0: none */
	char br[IFNAMSIZ];
	struct args_addr in;	  /* dom0's address on br, prefix from MASK */
	struct args_addr pool[2]; /* DHCP=first-last, a dynamic range;
				   * family 0: static leases only */
};

enum zone_action { ZONE_ACCEPT, ZONE_DROP, ZONE_REJECT };

/* Which statement made a rule. */
enum zone_rule_kind {
	ZONE_APP,   /* CreateApp: a forward, or a port of dom0 */
	ZONE_TUNE,  /* TuneZone */
	ZONE_MAP,   /* MapAddress: a 1:1 map */
	ZONE_ALLOW, /* AllowZone */
};

struct zone_rule {
	char name[ZONES_NAME];
	int zone; /* index; -1: dom0 (CreateApp ZONE=none) */
	enum zone_rule_kind kind;
	int proto; /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port, to_port;
	struct args_addr ext, to;
	char nic[IFNAMSIZ]; /* CreateApp ZONE=none: where the port opens */
	int out;	    /* TuneZone DIR=out */
	enum zone_action action;
	int to_zone; /* AllowZone TO */
};

#define ZONES_RULES (ZONES_MAX * 8)

struct zones {
	struct zone z[ZONES_MAX];
	int nz;
	struct zone_rule r[ZONES_RULES];
	int nr;
	char vars[ZONES_MAX][128]; /* "NAME=value" */
	int var_line[ZONES_MAX];   /* where each was set */
	int nvars;
};

/* --- the language (parse.c) --- */

/* Parse a configuration file into zs (which it clears first); -1 with
 * errno and "FILE:LINE: Statement: what is wrong" in err. */
int zones_parse_file(const char *path, struct zones *zs, char *err, size_t len);
/* The same for text held in memory, named file in messages. */
int zones_parse_text(const char *file, const char *text, struct zones *zs,
		     char *err, size_t len);
/* Add the zone of a network-script argument "BR:ADDRESS:MASK" (the seed's
 * invocation): a zone named after the bridge, no uplink. */
int zones_add_bridge_spec(struct zones *zs, const char *spec, char *err,
			  size_t len);

/* The zone's network address and netmask, both as hosts (/32).  Pure. */
void zones_network(const struct zone *z, struct args_addr *net,
		   struct args_addr *mask);
/* 1 when a is in z's network, else 0.  Pure. */
int zones_in_network(const struct zone *z, const struct args_addr *a);

/* --- the plan (plan.c) --- */

/* The zones' nftables ruleset, table inet xen-zones, as nft input: the
 * administrator's chains before-input, after-input, before-forward and
 * after-forward are created when missing and never flushed; ours are
 * replaced whole.  Applied in one transaction.  -1 with errno ENOSPC. */
int zones_render_nft(const struct zones *zs, char *buf, size_t len);
/* The whole plan in words and nft syntax: bridges and their addresses,
 * external addresses, sysctls, then the ruleset.  -1 with errno ENOSPC. */
int zones_render_plan(const struct zones *zs, char *buf, size_t len);
/* "tcp" or "udp" (IPPROTO_TCP, anything else).  Pure. */
const char *zones_proto(int p);
/* "accept", "drop" or "reject": the nft verdict, and the word of the plan. */
const char *zones_action(enum zone_action a);

/* --- nft text through libnftables (nft.c) --- */

/* nft input text applied in one transaction; -1 with nft's first error
 * line in err. */
int zones_nft_apply(const char *text, char *err, size_t len);
/* The same batch checked by the kernel and not committed (a check-only
 * batch, `nft -c`): nothing changes.  Interfaces matched by name need not
 * exist. */
int zones_nft_check(const char *text, char *err, size_t len);
/* `nft list WHAT` into out; -1 with errno and nft's first error line in
 * err (as zones_nft_apply()). */
int zones_nft_list(const char *what, char *out, size_t outlen, char *err,
		   size_t len);

/* --- on the host: network-zones start, stop, status (host.c) --- */

struct net;

/* Make the host what zs says: each zone's bridge (created when missing:
 * STP off, forward delay 0) with its address, up; the external and mapped
 * addresses on their NICs; IPv4 forwarding; the ruleset.  What it creates
 * goes into n's state; what an earlier start created and zs no longer has
 * is removed (bridges only when no port is left).  Fatal on failure. */
void zones_up(struct net *n, const struct zones *zs);

/* Remove what zones_up() created, as its state says: our chains (the table
 * too unless the administrator's chains hold rules), the addresses, the
 * bridges that have no port left (the others stay, with a warning); the
 * sysctls go back.  Warnings only. */
void zones_down(struct net *n);
/* Print each zone: bridge, address, attached vifs, NAT and forwards, from
 * n's state, to stdout.  Cannot fail. */
void zones_print_status(struct net *n);

/* --- DHCP (dhcp.c) --- */

/* DHCP for the zones, as the seed had it from /etc/ethers and /etc/hosts:
 * the MAC/address pairs (an ethers entry may name a host of the hosts file)
 * that fall in a zone's network become dnsmasq's dhcp-hostsfile, and a
 * dnsmasq configuration serving each zone's bridge with its address as the
 * router is written beside it (rundir/network-zones.dnsmasq.conf, .hosts),
 * for xen-zones-dhcp.service; a running dnsmasq (its pid file there) is told
 * to reread the hosts.  Returns how many hosts; -1 with errno. */
int zones_dhcp_write(const struct zones *zs, const char *ethers,
		     const char *hosts, const char *rundir, char *err,
		     size_t len);

#endif
