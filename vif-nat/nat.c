/* vif-nat's addresses: the guest's, the router's and the host name, as the
 * shell version derived them. */
#include "nat.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nat_derive(unsigned domid, unsigned handle, const struct args_addr *addrs,
	       int naddrs, struct args_addr *guest, struct args_addr *router,
	       char *hostname, size_t len)
{
	int i;

	memset(guest, 0, sizeof(*guest));
	if (naddrs > 0) {
		for (i = 0; i < naddrs && addrs[i].family != AF_INET; i++)
			;
		if (i == naddrs) {
			errno = EINVAL;
			return -1;
		}
		*guest = addrs[i];
	} else {
		if (domid > 0xffff || handle + 1 > 254) {
			errno = ERANGE;
			return -1;
		}
		guest->family = AF_INET;
		guest->a[0] = 10;
		guest->a[1] = (unsigned char)(domid / 256);
		guest->a[2] = (unsigned char)(domid % 256);
		guest->a[3] = (unsigned char)(handle + 1);
	}
	guest->prefix = 32;
	if (guest->a[3] + 127 > 254) {
		errno = ERANGE;
		return -1;
	}
	*router = *guest;
	router->a[3] = (unsigned char)(guest->a[3] + 127);
	if (handle == 0)
		snprintf(hostname, len, "dom%u", domid);
	else
		snprintf(hostname, len, "dom%u-%u", domid, handle + 1);
	return 0;
}

int nat_addresses(struct vif *v, struct args_addr *guest,
		  struct args_addr *router, char *hostname, size_t hlen,
		  char *err, size_t len)
{
	unsigned long handle = v->devid;
	char *val = vif_key(v, "handle");

	if (val && args_uint(val, 0, 253, &handle) < 0) {
		snprintf(err, len, "invalid handle '%s'", val);
		free(val);
		return -1;
	}
	free(val);
	if (nat_derive(v->domid, (unsigned)handle, v->addrs, v->naddrs, guest,
		       router, hostname, hlen) < 0) {
		snprintf(err, len, "no NAT address for %s: %s", v->dev,
			 errno == ERANGE
				 ? "the router's address (the guest's + 127) "
				   "would pass .254"
				 : "ip holds no IPv4 address");
		return -1;
	}
	return 0;
}
