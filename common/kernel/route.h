/* Addresses, routes and neighbours over libnl-route-3. */
#ifndef XNS_ROUTE_H
#define XNS_ROUTE_H

#include "args.h"

/* Remove every address from the link name; absorbs ENODEV. */
int route_flush_addrs(const char *name);

/* The device of the main table's IPv4 default route (the lowest metric);
 * -1 with errno ENETUNREACH when there is none. */
int route_default_dev(char dev[16]);
/* The first primary IPv4 address of link name; -1 with errno
 * EADDRNOTAVAIL when it has none, ENODEV when there is no such link. */
int route_primary_addr(const char *name, struct args_addr *out);

/* 1 when link name has address a (any prefix), 0 when not, -1 with errno. */
int route_has_addr(const char *name, const struct args_addr *a);
/* Add address a (with its prefix) to link name; absorbs EEXIST. */
int route_addr_add(const char *name, const struct args_addr *a);
/* Remove address a from link name; absorbs EADDRNOTAVAIL and ENODEV. */
int route_addr_del(const char *name, const struct args_addr *a);

/* The protocol of a guest's routes while they are announced: while its
 * guest runs here (etc/iproute2/rt_protos.d/xen-netscripts.conf names it
 * "xen"; a routing daemon exports the routes of this protocol).  Not
 * announced, they are RTPROT_BOOT.  220: not in iproute2's list, and not
 * claimed by BIRD (12), FRR's zebra (11, 12, 42, 186-198) or
 * systemd-networkd (3, 4, 9, 16). */
#define ROUTE_PROTO_XEN 220

/* Route dst (with its prefix) out of link name in the main table, with
 * preferred source src (NULL: none), metric and protocol proto (RTPROT_*
 * or ROUTE_PROTO_XEN); an existing route with the same destination and
 * metric is replaced (its protocol too). */
int route_add(const struct args_addr *dst, const char *name,
	      const struct args_addr *src, unsigned metric, int proto);
/* A guest's route dst through link name, announced (protocol
 * ROUTE_PROTO_XEN, metric announced) when on, else not (RTPROT_BOOT,
 * metric), and no other route of dst through name: the new one is made
 * before the others go, so dst is never unrouted. */
int route_announce(const struct args_addr *dst, const char *name,
		   const struct args_addr *src, unsigned metric,
		   unsigned announced, int on);
/* Delete that route (whatever its protocol); absorbs ESRCH/ENOENT and
 * ENODEV. */
int route_del(const struct args_addr *dst, const char *name, unsigned metric);

/* Delete every route of dst (its prefix exactly) through link name, whatever
 * its metric and protocol; absorbs ENODEV. */
int route_del_all(const struct args_addr *dst, const char *name);

/* A route of dst through a link: its metric and protocol. */
struct route_same {
	unsigned metric;
	int proto;
};
#define ROUTE_SAME_MAX 8
/* The main table's routes of dst (its prefix exactly) out of link name, the
 * first max of them into out: how many there are (more than max, maybe), 0
 * when none (or there is no such link), -1 with errno. */
int route_same(const struct args_addr *dst, const char *name,
	       struct route_same *out, int max);
/* 1 when one of them has metric, 0 when not, -1 with errno. */
int route_has(const struct args_addr *dst, const char *name, unsigned metric);
/* 1 when link name answers neighbour solicitations for IPv6 address a
 * (route_proxy_ndp()), 0 when not (or no such link), -1 with errno. */
int route_has_proxy_ndp(const char *name, const struct args_addr *a);

/* Answer neighbour solicitations for IPv6 address a on link name (proxy
 * NDP), or stop; absorbs EEXIST, and ENOENT/ENODEV on removal. */
int route_proxy_ndp(const char *name, const struct args_addr *a, int on);

/* Whether giving the guest behind link dev the address or network a takes
 * traffic from dom0 or from another link: 1, with what is taken in why,
 * when a holds an address of another link (dom0's own, or another vif's),
 * a broadcast or anycast address of one (the local table's), or the
 * gateway of a route through another link (any table); or when a route of the
 * main table through another link, without a gateway and not a /0, lies in a
 * (another guest's route) or holds a without being that link's own subnet (the
 * link has no address in it).  0 when none, -1 with errno.  twin (NULL: none)
 * names a link that counts as dev: the same guest's other device. */
int route_addr_taken(const struct args_addr *a, const char *dev,
		     const char *twin, char *why, size_t len);

#endif
