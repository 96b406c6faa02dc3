#include "route.h"

#include <errno.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>

#include "link.h"
#include "netlink.h"

struct flush {
	int ifindex;
	int err;
};

static void flush_one(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *addr = (struct rtnl_addr *)obj;
	struct flush *f = arg;

	if (rtnl_addr_get_ifindex(addr) != f->ifindex)
		return;
	if (netlink_errno(rtnl_addr_delete(netlink_sock(), addr, 0)) < 0 &&
	    errno != EADDRNOTAVAIL && errno != ENOENT)
		f->err = errno;
}

int route_flush_addrs(const char *name)
{
	struct nl_sock *sk = netlink_sock();
	struct flush f = { link_index(name), 0 };
	struct nl_cache *cache;

	if (f.ifindex < 0)
		return errno == ENODEV ? 0 : -1;
	if (!sk || netlink_errno(rtnl_addr_alloc_cache(sk, &cache)) < 0)
		return -1;
	nl_cache_foreach(cache, flush_one, &f);
	nl_cache_free(cache);
	if (f.err) {
		errno = f.err;
		return -1;
	}
	return 0;
}
