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

/* Route dst (with its prefix) out of link name in the main table, with
 * preferred source src (NULL: none) and metric; an existing route with the
 * same destination and metric is replaced. */
int route_add(const struct args_addr *dst, const char *name,
	      const struct args_addr *src, unsigned metric);
/* Delete that route; absorbs ESRCH/ENOENT and ENODEV. */
int route_del(const struct args_addr *dst, const char *name, unsigned metric);

/* Answer neighbour solicitations for IPv6 address a on link name (proxy
 * NDP), or stop; absorbs EEXIST, and ENOENT/ENODEV on removal. */
int route_proxy_ndp(const char *name, const struct args_addr *a, int on);

#endif
