#ifndef XNS_NAT_H
#define XNS_NAT_H
#include <stddef.h>

#include "args.h"
#include "vif.h"

/* vif-nat's addresses, derived as the shell version did: the guest's is the
 * first IPv4 address of the ip key (naddrs > 0), else 10.<domid/256>.
 * <domid%256>.<handle+1>; the router's is the same with 127 added to the
 * last octet; the host name is domD, or domD-<handle+1> when handle is not
 * 0.  Both addresses as /32.  -1 with errno ERANGE when an octet would pass
 * 254, EINVAL when ip holds no IPv4 address.  Pure. */
int nat_derive(unsigned domid, unsigned handle, const struct args_addr *addrs,
	       int naddrs, struct args_addr *guest, struct args_addr *router,
	       char *hostname, size_t len);

/* nat_derive() for this vif, its handle from the backend key (else the
 * devid); -1 with a message in err. */
int nat_addresses(struct vif *v, struct args_addr *guest,
		  struct args_addr *router, char *hostname, size_t hlen,
		  char *err, size_t len);

#endif
