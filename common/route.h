/* Addresses, routes and neighbours over libnl-route-3. */
#ifndef XNS_ROUTE_H
#define XNS_ROUTE_H

/* Remove every address from the link name; absorbs ENODEV. */
int route_flush_addrs(const char *name);

#endif
