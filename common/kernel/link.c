#define _GNU_SOURCE
#include "link.h"

#include <errno.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "netlink.h"
#include "vlan.h"

/* Fetch the link called name; NULL with errno set. */
static struct rtnl_link *get(const char *name)
{
	struct nl_sock *sk = netlink_sock();
	struct rtnl_link *link = NULL;

	if (!sk)
		return NULL;
	if (netlink_errno(rtnl_link_get_kernel(sk, 0, name, &link)) < 0) {
		if (errno == ENOENT || errno == EINVAL)
			errno = ENODEV;
		return NULL;
	}
	return link;
}

static struct rtnl_link *alloc(void);

/* changes to the link the kernel finds by name (IFLA_ALT_IFNAME: any of its
 * names, and never taken for a new one): one request, no lookup first.  -1
 * with errno EINVAL or EOPNOTSUPP from a kernel before 5.5, which has no
 * IFLA_ALT_IFNAME. */
static int change_by_name(const char *name, struct rtnl_link *changes)
{
	struct rtnl_link *none = alloc();
	struct nl_msg *msg = NULL;
	int err;

	if (!none)
		return -1;
	err = rtnl_link_build_change_request(none, changes, 0, &msg);
	rtnl_link_put(none);
	if (netlink_errno(err) < 0)
		return -1;
	if (nla_put_string(msg, IFLA_ALT_IFNAME, name) < 0) {
		nlmsg_free(msg);
		errno = EMSGSIZE;
		return -1;
	}
	return netlink_talk(msg);
}

/* Apply changes to the link called name.  A rename (changes has a name)
 * and an older kernel go by the link's index. */
static int change(const char *name, struct rtnl_link *changes)
{
	struct rtnl_link *link;
	int ret;

	if (!rtnl_link_get_name(changes) &&
	    ((ret = change_by_name(name, changes)) == 0 ||
	     (errno != EINVAL && errno != EOPNOTSUPP))) {
		rtnl_link_put(changes);
		return ret;
	}
	if (!(link = get(name))) {
		rtnl_link_put(changes);
		return -1;
	}
	ret = netlink_errno(rtnl_link_change(netlink_sock(), link, changes, 0));
	rtnl_link_put(link);
	rtnl_link_put(changes);
	return ret < 0 ? -1 : 0;
}

static struct rtnl_link *alloc(void)
{
	struct rtnl_link *l = rtnl_link_alloc();

	if (!l)
		errno = ENOMEM;
	return l;
}

/* A name or an index resolved by ioctl on the netlink socket (the device
 * ioctls work on any socket, in its namespace): no RTM_GETLINK, whose
 * answer describes the whole link (2 KB, its statistics included), 10 us
 * where the ioctl takes half of one.  And before it answers, the kernel
 * (6.x) runs the link's pending carrier events (linkwatch) there and then,
 * with their notifications, which its worker would otherwise run on its
 * own: after a port's up or down, for its bridge too.  A vif-bridge
 * online+offline cycle with nft took 6795 us with its three RTM_GETLINKs
 * (the bridge, the port for the record, the port's master on offline) and
 * 6207 us without them (medians of 300, interleaved; Linux 6.18). */
static int name_ioctl(unsigned long req, struct ifreq *r)
{
	struct nl_sock *sk = netlink_sock();

	if (!sk)
		return -1;
	if (ioctl(nl_socket_get_fd(sk), req, r) < 0) {
		if (errno == ENOENT)
			errno = ENODEV;
		return -1;
	}
	return 0;
}

/* The device ioctl req about the link called name (any of its names,
 * alternative ones included) into r; data (unless NULL) is the ioctl's
 * own argument (SIOCETHTOOL). */
static int ask_data(const char *name, unsigned long req, struct ifreq *r,
		    void *data)
{
	memset(r, 0, sizeof(*r));
	if (strlen(name) >= sizeof(r->ifr_name)) {
		errno = ENODEV;
		return -1;
	}
	strcpy(r->ifr_name, name);
	r->ifr_data = data;
	return name_ioctl(req, r);
}

static int ask(const char *name, unsigned long req, struct ifreq *r)
{
	return ask_data(name, req, r, NULL);
}

int link_index(const char *name)
{
	struct ifreq r;

	return ask(name, SIOCGIFINDEX, &r) < 0 ? -1 : r.ifr_ifindex;
}

int link_name(const char *name, char out[IFNAMSIZ])
{
	int ifindex = link_index(name);

	return ifindex < 0 ? -1 : link_name_of(ifindex, out);
}

int link_name_of(int ifindex, char out[IFNAMSIZ])
{
	struct ifreq r = { .ifr_ifindex = ifindex };

	if (name_ioctl(SIOCGIFNAME, &r) < 0)
		return -1;
	snprintf(out, IFNAMSIZ, "%.*s", IFNAMSIZ - 1, r.ifr_name);
	return 0;
}

int link_is_loopback(const char *name)
{
	struct ifreq r;

	return ask(name, SIOCGIFFLAGS, &r) < 0 ? -1
					       : !!(r.ifr_flags & IFF_LOOPBACK);
}

int link_mtu(const char *name)
{
	struct ifreq r;

	return ask(name, SIOCGIFMTU, &r) < 0 ? -1 : r.ifr_mtu;
}

static int is_bridge(struct rtnl_link *link)
{
	const char *type = rtnl_link_get_type(link);

	return type && strcmp(type, "bridge") == 0;
}

/* By its driver, as `ethtool -i` names it: "bridge", as the link's kind. */
int link_is_bridge(const char *name)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq r;

	if (ask_data(name, SIOCETHTOOL, &r, &info) < 0)
		/* No driver to name (the loopback device): not a bridge. */
		return errno == EOPNOTSUPP ? 0 : -1;
	return strcmp(info.driver, "bridge") == 0;
}

struct first {
	int index;
	char name[IFNAMSIZ];
};

static void pick_bridge(struct nl_object *obj, void *arg)
{
	struct rtnl_link *link = (struct rtnl_link *)obj;
	struct first *f = arg;
	int idx = rtnl_link_get_ifindex(link);

	if (is_bridge(link) && idx < f->index) {
		f->index = idx;
		snprintf(f->name, IFNAMSIZ, "%s", rtnl_link_get_name(link));
	}
}

int link_first_bridge(char out[IFNAMSIZ])
{
	struct nl_sock *sk = netlink_sock();
	struct nl_cache *cache;
	struct first f = { INT_MAX, "" };

	if (!sk ||
	    netlink_errno(rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache)) < 0)
		return -1;
	nl_cache_foreach(cache, pick_bridge, &f);
	nl_cache_free(cache);
	if (!f.name[0]) {
		errno = ENODEV;
		return -1;
	}
	memcpy(out, f.name, IFNAMSIZ);
	return 0;
}

/* 1 with out filled when name is a bridge, 0 when it is another link; -1
 * with errno ENODEV. */
static int bridge_info(const char *name, struct link_bridge *out)
{
	int br = link_is_bridge(name), mtu;

	if (br <= 0)
		return br;
	snprintf(out->name, IFNAMSIZ, "%s", name);
	if ((out->ifindex = link_index(name)) < 0 || (mtu = link_mtu(name)) < 0)
		return -1;
	out->mtu = (unsigned)mtu;
	return 1;
}

int link_find_bridge(const char *want, struct link_bridge *out)
{
	unsigned n;
	char name[IFNAMSIZ], tail;
	int br;

	if (!want) {
		if (link_first_bridge(name) < 0)
			return -1;
		want = name;
	}
	br = bridge_info(want, out);
	if (br < 0 && sscanf(want, "xenbr%u%c", &n, &tail) == 1) {
		snprintf(name, sizeof(name), "eth%u", n);
		if (bridge_info(name, out) == 1)
			return 0;
		errno = ENODEV;
	}
	if (br < 0)
		return -1;
	if (!br) {
		errno = EMEDIUMTYPE;
		return -1;
	}
	return 0;
}

/* A change to what the link already has is not sent: the kernel would
 * take the message all the same, and tell every listener of a change to a
 * MAC or an MTU that was none.  A netback vif starts down, with MAC
 * fe:ff:ff:ff:ff:ff and MTU 1500: an online's down and MAC took 38 us, 3
 * without them (medians of 80).  What cannot be read is changed. */
int link_set_up(const char *name, int up)
{
	struct rtnl_link *c;
	struct ifreq r;

	if (ask(name, SIOCGIFFLAGS, &r) == 0 && !(r.ifr_flags & IFF_UP) == !up)
		return 0;
	if (!(c = alloc()))
		return -1;
	if (up)
		rtnl_link_set_flags(c, IFF_UP);
	else
		rtnl_link_unset_flags(c, IFF_UP);
	return change(name, c);
}

int link_set_mac(const char *name, const unsigned char mac[6])
{
	struct rtnl_link *c;
	struct nl_addr *a;
	struct ifreq r;

	if (ask(name, SIOCGIFHWADDR, &r) == 0 &&
	    !memcmp(r.ifr_hwaddr.sa_data, mac, 6))
		return 0;
	if (!(c = alloc()))
		return -1;
	a = nl_addr_build(AF_LLC, mac, 6);
	if (!a) {
		rtnl_link_put(c);
		errno = ENOMEM;
		return -1;
	}
	rtnl_link_set_addr(c, a);
	nl_addr_put(a);
	return change(name, c);
}

int link_set_mtu(const char *name, unsigned mtu)
{
	struct rtnl_link *c;
	struct ifreq r;

	if (ask(name, SIOCGIFMTU, &r) == 0 && (unsigned)r.ifr_mtu == mtu)
		return 0;
	if (!(c = alloc()))
		return -1;
	rtnl_link_set_mtu(c, mtu);
	return change(name, c);
}

/* Add an alternative name to the link ifindex (RTM_NEWLINKPROP); absorbs
 * EEXIST and EOPNOTSUPP, as link_add_altname(). */
static int add_altname(int ifindex, const char *alt)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINKPROP, NLM_F_EXCL);
	struct nlattr *props;

	if (!msg) {
		errno = ENOMEM;
		return -1;
	}
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    !(props = nla_nest_start(msg, IFLA_PROP_LIST | NLA_F_NESTED)) ||
	    nla_put_string(msg, IFLA_ALT_IFNAME, alt) < 0) {
		nlmsg_free(msg);
		errno = EMSGSIZE;
		return -1;
	}
	nla_nest_end(msg, props);
	if (netlink_talk(msg) < 0 && errno != EOPNOTSUPP && errno != EEXIST)
		return -1;
	return 0;
}

int link_add_altname(const char *name, const char *alt)
{
	int idx = link_index(name);

	return idx < 0 ? -1 : add_altname(idx, alt);
}

int link_rename(const char *name, const char *newname, const char *alias)
{
	struct rtnl_link *c;
	int idx;

	if (link_index(newname) >= 0) {
		errno = EEXIST;
		return -1;
	}
	idx = link_index(name);
	if (idx < 0 || !(c = alloc()))
		return -1;
	rtnl_link_set_name(c, newname);
	if (alias)
		rtnl_link_set_ifalias(c, alias);
	if (change(name, c) < 0)
		return -1;
	return add_altname(idx, name);
}

int link_has_alias(const char *name, const char *alias)
{
	struct rtnl_link *link = get(name);
	const char *have;
	int ret;

	if (!link)
		return -1;
	have = rtnl_link_get_ifalias(link);
	ret = have && strcmp(have, alias) == 0;
	rtnl_link_put(link);
	return ret;
}

/* out from link; its master's name is a lookup of its own. */
static int fill_info(struct rtnl_link *link, struct link_info *out)
{
	int master = rtnl_link_get_master(link);

	snprintf(out->name, IFNAMSIZ, "%s", rtnl_link_get_name(link));
	out->ifindex = rtnl_link_get_ifindex(link);
	out->up = !!(rtnl_link_get_flags(link) & IFF_UP);
	out->carrier = !!(rtnl_link_get_flags(link) & IFF_LOWER_UP);
	out->mtu = rtnl_link_get_mtu(link);
	out->master[0] = 0;
	return master > 0 ? link_name_of(master, out->master) : 0;
}

int link_info(const char *name, struct link_info *out)
{
	struct rtnl_link *link = get(name);
	int ret;

	if (!link)
		return -1;
	ret = fill_info(link, out);
	rtnl_link_put(link);
	return ret;
}

int link_master(const char *name, char out[IFNAMSIZ])
{
	struct link_info li;

	if (link_info(name, &li) < 0)
		return -1;
	memcpy(out, li.master, IFNAMSIZ);
	return 0;
}

int link_enslave(const char *name, int bridge)
{
	struct rtnl_link *c = alloc();

	if (!c)
		return -1;
	rtnl_link_set_master(c, bridge);
	return change(name, c);
}

int link_release(const char *name)
{
	struct rtnl_link *c = alloc();

	if (!c)
		return -1;
	rtnl_link_set_master(c, 0);
	if (change(name, c) < 0)
		return errno == ENODEV ? 0 : -1;
	return 0;
}

int link_is_netback(const char *name, unsigned domid, unsigned devid)
{
	char path[64 + IFNAMSIZ], target[PATH_MAX], want[32];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/device", name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	snprintf(want, sizeof(want), "vif-%u-%u", domid, devid);
	return strcmp(base, want) == 0;
}

/* Bridge VLANs: RTM_GETLINK / RTM_NEWLINK with IFLA_BR_VLAN_FILTERING, and
 * RTM_SETLINK / RTM_DELLINK in the AF_BRIDGE family for port membership. */

static int parse_filtering(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1],
		*br[IFLA_BR_MAX + 1];

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX,
			NULL) < 0 ||
	    !tb[IFLA_LINKINFO] ||
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !li[IFLA_INFO_DATA] ||
	    nla_parse_nested(br, IFLA_BR_MAX, li[IFLA_INFO_DATA], NULL) < 0 ||
	    !br[IFLA_BR_VLAN_FILTERING])
		return NL_SKIP;
	*(int *)arg = nla_get_u8(br[IFLA_BR_VLAN_FILTERING]);
	return NL_OK;
}

int link_vlan_filtering(const char *bridge)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;
	int on = -1;

	if ((ifi.ifi_index = link_index(bridge)) < 0)
		return -1;
	msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		errno = ENOMEM;
		return -1;
	}
	if (netlink_query(msg, parse_filtering, &on) < 0)
		return -1;
	if (on < 0) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return on;
}

/* A bridge attribute and its value, of size 1 or 4. */
struct br_attr {
	int type, size;
	uint32_t val;
};

/* RTM_NEWLINK of a bridge with attrs: the bridge ifindex, or (ifindex 0) a
 * new one called name; -1 with the kernel's errno. */
static int bridge_talk(int ifindex, const char *name, int flags,
		       const struct br_attr *attrs, int n)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, flags);
	struct nlattr *info, *data;
	int bad;

	bad = !msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	      (name && nla_put_string(msg, IFLA_IFNAME, name) < 0) ||
	      !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
	      nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0 ||
	      !(data = nla_nest_start(msg, IFLA_INFO_DATA));
	for (int i = 0; !bad && i < n; i++)
		bad = (attrs[i].size == 1 ? nla_put_u8(msg, attrs[i].type,
						       (uint8_t)attrs[i].val)
					  : nla_put_u32(msg, attrs[i].type,
							attrs[i].val)) < 0;
	if (bad) {
		nlmsg_free(msg);
		errno = ENOMEM;
		return -1;
	}
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	return netlink_talk(msg);
}

int link_set_vlan_filtering(const char *bridge, int on)
{
	struct br_attr a = { IFLA_BR_VLAN_FILTERING, 1, on ? 1 : 0 };
	int ifindex = link_index(bridge);

	return ifindex < 0 ? -1 : bridge_talk(ifindex, NULL, 0, &a, 1);
}

static int put_vlan(struct nl_msg *msg, unsigned vid, unsigned flags)
{
	struct bridge_vlan_info vi = { .flags = (__u16)flags,
				       .vid = (__u16)vid };

	return nla_put(msg, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
}

/* One request adding (RTM_SETLINK) or deleting (RTM_DELLINK) the VLANs v of
 * the port for which vlan_is_member(spec, v) == keep, runs of equal flags
 * sent as ranges. */
static int port_vlans(int ifindex, int cmd, const struct vlan_spec *spec,
		      int keep)
{
	struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE,
				 .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_size(65536);
	struct nlattr *afspec;
	int n = 0;

	if (!msg || !nlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, cmd, 0, 0) ||
	    nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    !(afspec = nla_nest_start(msg, IFLA_AF_SPEC)))
		goto nomem;
	for (unsigned v = 1; v <= VLAN_MAX; v++) {
		unsigned flags, end = v;

		if (vlan_is_member(spec, v) != keep)
			continue;
		flags = vlan_is_untagged(spec, v) ? BRIDGE_VLAN_INFO_UNTAGGED
						  : 0;
		if (v == spec->pvid) {
			if (put_vlan(msg, v, flags | BRIDGE_VLAN_INFO_PVID) < 0)
				goto nomem;
			n++;
			continue;
		}
		while (end < VLAN_MAX &&
		       vlan_is_member(spec, end + 1) == keep &&
		       end + 1 != spec->pvid &&
		       (vlan_is_untagged(spec, end + 1)
				? BRIDGE_VLAN_INFO_UNTAGGED
				: 0u) == flags)
			end++;
		if (end == v) {
			if (put_vlan(msg, v, flags) < 0)
				goto nomem;
		} else if (put_vlan(msg, v,
				    flags | BRIDGE_VLAN_INFO_RANGE_BEGIN) < 0 ||
			   put_vlan(msg, end,
				    flags | BRIDGE_VLAN_INFO_RANGE_END) < 0) {
			goto nomem;
		}
		n++;
		v = end;
	}
	nla_nest_end(msg, afspec);
	if (n == 0) {
		nlmsg_free(msg);
		return 0;
	}
	return netlink_talk(msg);
nomem:
	nlmsg_free(msg);
	errno = ENOMEM;
	return -1;
}

int link_set_port_vlans(const char *port, const struct vlan_spec *spec)
{
	int idx = link_index(port);

	if (idx < 0)
		return -1;
	/* Add first, then remove the rest (VLAN 1, which the kernel gives
	 * every new port, among them), so that a repeated online never leaves
	 * the port without its VLANs. */
	if (port_vlans(idx, RTM_SETLINK, spec, 1) < 0)
		return -1;
	return port_vlans(idx, RTM_DELLINK, spec, 0);
}

int link_create_bridge(const char *name)
{
	static const struct br_attr attrs[] = {
		{ IFLA_BR_STP_STATE, 4, 0 }, { IFLA_BR_FORWARD_DELAY, 4, 0 }
	};
	int is;

	if ((is = link_is_bridge(name)) >= 0) {
		if (is)
			return 0;
		errno = EMEDIUMTYPE;
		return -1;
	}
	if (bridge_talk(0, name, NLM_F_CREATE | NLM_F_EXCL, attrs, 2) < 0)
		return errno == EEXIST && link_is_bridge(name) == 1 ? 0 : -1;
	return 1;
}

int link_delete(const char *name)
{
	struct rtnl_link *link = get(name);
	int ret;

	if (!link)
		return errno == ENODEV ? 0 : -1;
	ret = netlink_errno(rtnl_link_delete(netlink_sock(), link));
	rtnl_link_put(link);
	return ret < 0 && errno != ENODEV ? -1 : 0;
}

struct ports {
	int master;
	char *out;
	size_t len, used;
};

static void add_port(struct nl_object *obj, void *arg)
{
	struct rtnl_link *l = (struct rtnl_link *)obj;
	struct ports *p = arg;
	int n;

	if (rtnl_link_get_master(l) != p->master || p->used >= p->len)
		return;
	n = snprintf(p->out + p->used, p->len - p->used, "%s%s",
		     p->used ? " " : "", rtnl_link_get_name(l));
	if (n > 0)
		p->used += (size_t)n;
}

int link_ports(const char *bridge, char *out, size_t len)
{
	struct nl_sock *sk = netlink_sock();
	struct ports p = { link_index(bridge), out, len, 0 };
	struct nl_cache *cache;

	if (p.master < 0)
		return -1;
	out[0] = 0;
	if (!sk ||
	    netlink_errno(rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache)) < 0)
		return -1;
	nl_cache_foreach(cache, add_port, &p);
	nl_cache_free(cache);
	return 0;
}
