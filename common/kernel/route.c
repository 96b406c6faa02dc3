#include "route.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "link.h"
#include "netlink.h"

/* The addresses a dump answered: all read before any is acted on (a
 * request sent in the middle of a dump would end it). */
struct addrs {
	int ifindex;
	struct nl_object **a;
	int n, cap, err;
};

static void keep_addr(struct nl_object *obj, void *arg)
{
	struct addrs *k = arg;
	struct nl_object **more;

	if (rtnl_addr_get_ifindex((struct rtnl_addr *)obj) != k->ifindex)
		return;
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 8;
		if (!(more = realloc(k->a, (size_t)k->cap * sizeof(*more)))) {
			k->err = ENOMEM;
			return;
		}
		k->a = more;
	}
	nl_object_get(obj);
	k->a[k->n++] = obj;
}

static int addr_msg(struct nl_msg *msg, void *arg)
{
	nl_msg_parse(msg, keep_addr, arg);
	return NL_OK;
}

/* fn(address, arg) for every address of link name; -1 with errno (ENODEV
 * when there is no such link).  The kernel is asked for that link's
 * addresses only (strict checking on the request: constant cost however
 * many links and addresses the host has); one without strict checking
 * answers all, and keep_addr() keeps the link's. */
static int each_addr(const char *name, void (*fn)(struct rtnl_addr *, void *),
		     void *arg)
{
	struct nl_sock *sk = netlink_sock();
	struct addrs k = { link_index(name), NULL, 0, 0, 0 };
	struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
	struct nl_msg *msg;
	int on = 1, off = 0, fd, ret;

	if (k.ifindex < 0 || !sk)
		return -1;
	ifa.ifa_index = (unsigned)k.ifindex;
	if (!(msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP)) ||
	    nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		errno = ENOMEM;
		return -1;
	}
	fd = nl_socket_get_fd(sk);
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, sizeof(on));
	ret = netlink_query(msg, addr_msg, &k);
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &off, sizeof(off));
	if (ret == 0 && k.err) {
		errno = k.err;
		ret = -1;
	}
	for (int i = 0; i < k.n; i++) {
		if (ret == 0)
			fn((struct rtnl_addr *)k.a[i], arg);
		nl_object_put(k.a[i]);
	}
	free(k.a);
	return ret;
}

static void flush_one(struct rtnl_addr *addr, void *arg)
{
	int *err = arg;

	if (netlink_errno(rtnl_addr_delete(netlink_sock(), addr, 0)) < 0 &&
	    errno != EADDRNOTAVAIL && errno != ENOENT)
		*err = errno;
}

int route_flush_addrs(const char *name)
{
	int err = 0;

	if (each_addr(name, flush_one, &err) < 0)
		return errno == ENODEV ? 0 : -1;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* An nl_addr for a; NULL with errno ENOMEM. */
static struct nl_addr *nladdr(const struct args_addr *a)
{
	struct nl_addr *n =
		nl_addr_build(a->family, a->a, a->family == AF_INET ? 4 : 16);

	if (!n) {
		errno = ENOMEM;
		return NULL;
	}
	nl_addr_set_prefixlen(n, a->prefix);
	return n;
}

struct best {
	int ifindex;
	unsigned metric;
};

static void default_one(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct best *b = arg;
	struct rtnl_nexthop *nh;

	if (rtnl_route_get_table(r) != RT_TABLE_MAIN ||
	    rtnl_route_get_type(r) != RTN_UNICAST ||
	    nl_addr_get_prefixlen(rtnl_route_get_dst(r)) != 0 ||
	    rtnl_route_get_nnexthops(r) < 1)
		return;
	if (b->ifindex > 0 && rtnl_route_get_priority(r) >= b->metric)
		return;
	nh = rtnl_route_nexthop_n(r, 0);
	b->ifindex = rtnl_route_nh_get_ifindex(nh);
	b->metric = rtnl_route_get_priority(r);
}

int route_default_dev(char dev[16])
{
	struct nl_sock *sk = netlink_sock();
	struct best b = { 0, 0 };
	struct nl_cache *cache;

	if (!sk ||
	    netlink_errno(rtnl_route_alloc_cache(sk, AF_INET, 0, &cache)) < 0)
		return -1;
	nl_cache_foreach(cache, default_one, &b);
	nl_cache_free(cache);
	if (b.ifindex <= 0) {
		errno = ENETUNREACH;
		return -1;
	}
	return link_name_of(b.ifindex, dev);
}

static void primary_one(struct rtnl_addr *a, void *arg)
{
	struct nl_addr *local = rtnl_addr_get_local(a);
	struct args_addr *out = arg;

	if (out->family || rtnl_addr_get_family(a) != AF_INET || !local ||
	    (rtnl_addr_get_flags(a) & IFA_F_SECONDARY))
		return;
	out->family = AF_INET;
	out->prefix = 32;
	memcpy(out->a, nl_addr_get_binary_addr(local), 4);
}

int route_primary_addr(const char *name, struct args_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (each_addr(name, primary_one, out) < 0)
		return -1;
	if (!out->family) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	return 0;
}

/* An rtnl_addr for a on link name; NULL with errno set. */
static struct rtnl_addr *addr_obj(const char *name, const struct args_addr *a)
{
	int ifindex = link_index(name);
	struct rtnl_addr *obj;
	struct nl_addr *local;

	if (ifindex < 0)
		return NULL;
	if (!(local = nladdr(a)))
		return NULL;
	if (!(obj = rtnl_addr_alloc())) {
		nl_addr_put(local);
		errno = ENOMEM;
		return NULL;
	}
	rtnl_addr_set_ifindex(obj, ifindex);
	rtnl_addr_set_family(obj, a->family);
	rtnl_addr_set_local(obj, local);
	rtnl_addr_set_prefixlen(obj, a->prefix);
	nl_addr_put(local);
	return obj;
}

int route_addr_add(const char *name, const struct args_addr *a)
{
	struct rtnl_addr *obj = addr_obj(name, a);
	int ret;

	if (!obj)
		return -1;
	ret = netlink_errno(rtnl_addr_add(netlink_sock(), obj, 0));
	rtnl_addr_put(obj);
	return ret < 0 && errno != EEXIST ? -1 : 0;
}

int route_addr_del(const char *name, const struct args_addr *a)
{
	struct rtnl_addr *obj = addr_obj(name, a);
	int ret;

	if (!obj)
		return errno == ENODEV ? 0 : -1;
	ret = netlink_errno(rtnl_addr_delete(netlink_sock(), obj, 0));
	rtnl_addr_put(obj);
	return ret < 0 && errno != EADDRNOTAVAIL && errno != ENOENT ? -1 : 0;
}

/* The route dst via link name, metric; NULL with errno set. */
static struct rtnl_route *route_obj(const struct args_addr *dst,
				    const char *name, unsigned metric,
				    int proto)
{
	int ifindex = link_index(name);
	struct rtnl_nexthop *nh;
	struct rtnl_route *r;
	struct nl_addr *d;

	if (ifindex < 0)
		return NULL;
	if (!(d = nladdr(dst)))
		return NULL;
	if (!(r = rtnl_route_alloc()) || !(nh = rtnl_route_nh_alloc())) {
		if (r)
			rtnl_route_put(r);
		nl_addr_put(d);
		errno = ENOMEM;
		return NULL;
	}
	rtnl_route_set_family(r, (uint8_t)dst->family);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, (uint8_t)proto);
	rtnl_route_set_scope(r, RT_SCOPE_LINK);
	rtnl_route_set_type(r, RTN_UNICAST);
	rtnl_route_set_dst(r, d);
	rtnl_route_set_priority(r, metric);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(r, nh);
	nl_addr_put(d);
	return r;
}

int route_add(const struct args_addr *dst, const char *name,
	      const struct args_addr *src, unsigned metric, int proto)
{
	struct rtnl_route *r = route_obj(dst, name, metric, proto);
	struct nl_addr *s;
	int ret;

	if (!r)
		return -1;
	if (src) {
		if (!(s = nladdr(src))) {
			rtnl_route_put(r);
			return -1;
		}
		rtnl_route_set_pref_src(r, s);
		nl_addr_put(s);
	}
	ret = netlink_errno(rtnl_route_add(netlink_sock(), r, NLM_F_REPLACE));
	rtnl_route_put(r);
	return ret < 0 ? -1 : 0;
}

int route_del(const struct args_addr *dst, const char *name, unsigned metric)
{
	struct rtnl_route *r = route_obj(dst, name, metric, RTPROT_UNSPEC);
	int ret;

	if (!r)
		return errno == ENODEV ? 0 : -1;
	ret = netlink_errno(rtnl_route_delete(netlink_sock(), r, 0));
	rtnl_route_put(r);
	return ret < 0 && errno != ESRCH && errno != ENOENT ? -1 : 0;
}

int route_proxy_ndp(const char *name, const struct args_addr *a, int on)
{
	int ifindex = link_index(name), ret;
	struct rtnl_neigh *n;
	struct nl_addr *dst;

	if (ifindex < 0)
		return !on && errno == ENODEV ? 0 : -1;
	if (!(dst = nladdr(a)))
		return -1;
	if (!(n = rtnl_neigh_alloc())) {
		nl_addr_put(dst);
		errno = ENOMEM;
		return -1;
	}
	rtnl_neigh_set_ifindex(n, ifindex);
	rtnl_neigh_set_family(n, AF_INET6);
	rtnl_neigh_set_dst(n, dst);
	rtnl_neigh_set_flags(n, NTF_PROXY);
	if (on)
		ret = netlink_errno(rtnl_neigh_add(
			netlink_sock(), n, NLM_F_CREATE | NLM_F_REPLACE));
	else
		ret = netlink_errno(rtnl_neigh_delete(netlink_sock(), n, 0));
	rtnl_neigh_put(n);
	nl_addr_put(dst);
	if (ret < 0 && !on && (errno == ENOENT || errno == ESRCH))
		return 0;
	return ret < 0 ? -1 : 0;
}

/* What route_same() and route_has_proxy_ndp() look for in a dump. */
struct want {
	const struct args_addr *a;
	int ifindex;
	struct route_same *out; /* route_same(): up to max found */
	int max;
	int found;
};

/* Whether the attribute holds exactly address a. */
static int attr_is(const struct nlattr *at, const struct args_addr *a)
{
	size_t len = a->family == AF_INET ? 4 : 16;

	return at && nla_len(at) == (int)len &&
	       !memcmp(nla_data(at), a->a, len);
}

static int want_route(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const struct rtmsg *r = nlmsg_data(nlh);
	struct nlattr *tb[RTA_MAX + 1];
	struct want *w = arg;
	uint32_t table;

	if (nlmsg_parse(nlh, sizeof(*r), tb, RTA_MAX, NULL) < 0)
		return NL_OK;
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : r->rtm_table;
	if (r->rtm_family != w->a->family || table != RT_TABLE_MAIN ||
	    r->rtm_dst_len != w->a->prefix || !attr_is(tb[RTA_DST], w->a) ||
	    !tb[RTA_OIF] || (int)nla_get_u32(tb[RTA_OIF]) != w->ifindex)
		return NL_OK;
	if (w->found < w->max) {
		w->out[w->found].metric =
			tb[RTA_PRIORITY] ? nla_get_u32(tb[RTA_PRIORITY]) : 0;
		w->out[w->found].proto = r->rtm_protocol;
	}
	w->found++;
	return NL_OK;
}

static int want_proxy(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	const struct ndmsg *nd = nlmsg_data(nlh);
	struct nlattr *tb[NDA_MAX + 1];
	struct want *w = arg;

	if (nlmsg_parse(nlh, sizeof(*nd), tb, NDA_MAX, NULL) == 0 &&
	    nd->ndm_ifindex == w->ifindex && attr_is(tb[NDA_DST], w->a))
		w->found = 1;
	return NL_OK;
}

/* Dump (type: RTM_GETROUTE or RTM_GETNEIGH, with header hdr) through fn
 * looking for w; how many found, -1 with errno. */
static int dump_find(int type, const void *hdr, size_t len,
		     int (*fn)(struct nl_msg *, void *), struct want *w)
{
	struct nl_msg *msg;

	if (w->ifindex < 0)
		return errno == ENODEV ? 0 : -1;
	if (!(msg = nlmsg_alloc_simple(type, NLM_F_DUMP)) ||
	    nlmsg_append(msg, (void *)hdr, len, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		errno = ENOMEM;
		return -1;
	}
	return netlink_query(msg, fn, w) < 0 ? -1 : w->found;
}

int route_same(const struct args_addr *dst, const char *name,
	       struct route_same *out, int max)
{
	struct rtmsg r = { .rtm_family = (unsigned char)dst->family };
	struct want w = { dst, link_index(name), out, max, 0 };

	return dump_find(RTM_GETROUTE, &r, sizeof(r), want_route, &w);
}

int route_has(const struct args_addr *dst, const char *name, unsigned metric)
{
	struct route_same r[ROUTE_SAME_MAX];
	int n = route_same(dst, name, r, ROUTE_SAME_MAX);

	for (int i = 0; i < n && i < ROUTE_SAME_MAX; i++)
		if (r[i].metric == metric)
			return 1;
	return n < 0 ? -1 : 0;
}

/* Delete the routes of dst through name but the one with metric keep (-1:
 * all of them). */
static int del_others(const struct args_addr *dst, const char *name, long keep)
{
	struct route_same r[ROUTE_SAME_MAX];
	int n, gone;

	do {
		if ((n = route_same(dst, name, r, ROUTE_SAME_MAX)) < 0)
			return -1;
		gone = 0;
		for (int i = 0; i < n && i < ROUTE_SAME_MAX; i++) {
			if ((long)r[i].metric == keep)
				continue;
			if (route_del(dst, name, r[i].metric) < 0)
				return -1;
			gone++;
		}
	} while (n > ROUTE_SAME_MAX && gone);
	return 0;
}

int route_announce(const struct args_addr *dst, const char *name,
		   const struct args_addr *src, unsigned metric,
		   unsigned announced, int on)
{
	unsigned want = on ? announced : metric;

	if (route_add(dst, name, src, want,
		      on ? ROUTE_PROTO_XEN : RTPROT_BOOT) < 0)
		return -1;
	return del_others(dst, name, want);
}

int route_del_all(const struct args_addr *dst, const char *name)
{
	return del_others(dst, name, -1);
}

int route_has_proxy_ndp(const char *name, const struct args_addr *a)
{
	/* NTF_PROXY in the request: the kernel dumps its proxy table. */
	struct ndmsg nd = { .ndm_family = AF_INET6, .ndm_flags = NTF_PROXY };
	struct want w = { a, link_index(name), NULL, 0, 0 };

	return dump_find(RTM_GETNEIGH, &nd, sizeof(nd), want_proxy, &w);
}

struct has {
	const struct args_addr *a;
	int found;
};

static void has_one(struct rtnl_addr *ra, void *arg)
{
	struct nl_addr *local = rtnl_addr_get_local(ra);
	struct has *h = arg;

	if (local && rtnl_addr_get_family(ra) == h->a->family &&
	    !memcmp(nl_addr_get_binary_addr(local), h->a->a,
		    h->a->family == AF_INET ? 4 : 16))
		h->found = 1;
}

int route_has_addr(const char *name, const struct args_addr *a)
{
	struct has h = { a, 0 };

	return each_addr(name, has_one, &h) < 0 ? -1 : h.found;
}

/* --- route_addr_taken() ----------------------------------------------------
 */

struct taken {
	const struct args_addr *a;
	int own[2]; /* dev's and its twin's ifindex, or -1 */
	struct nl_cache *addrs;
	char *why;
	size_t len;
	int found;
};

/* n as an args_addr of its own prefix; -1 when it is not of a's family. */
static int from_nl(struct nl_addr *n, int family, struct args_addr *out)
{
	unsigned len = family == AF_INET ? 4 : 16;

	/* A default route's destination has no bytes. */
	if (!n || nl_addr_get_family(n) != family ||
	    (nl_addr_get_len(n) != len && nl_addr_get_len(n) != 0))
		return -1;
	memset(out, 0, sizeof(*out));
	out->family = family;
	out->prefix = (int)nl_addr_get_prefixlen(n);
	if (nl_addr_get_len(n))
		memcpy(out->a, nl_addr_get_binary_addr(n), len);
	else
		out->prefix = 0;
	return 0;
}

/* n (a single address) lies in t->a. */
static int in_a(struct taken *t, struct nl_addr *n, struct args_addr *out)
{
	if (from_nl(n, t->a->family, out) < 0)
		return 0;
	out->prefix = t->a->family == AF_INET ? 32 : 128;
	return args_addr_holds(t->a, out);
}

static int own(const struct taken *t, int ifindex)
{
	return ifindex > 0 && (ifindex == t->own[0] || ifindex == t->own[1]);
}

static void say(struct taken *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(struct taken *t, const char *fmt, ...)
{
	va_list ap;

	if (t->found)
		return;
	t->found = 1;
	va_start(ap, fmt);
	vsnprintf(t->why, t->len, fmt, ap);
	va_end(ap);
}

static void taken_addr(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *ra = (struct rtnl_addr *)obj;
	struct taken *t = arg;
	char s[INET6_ADDRSTRLEN + 4], dev[IFNAMSIZ] = "?";
	struct args_addr x;
	int ifindex = rtnl_addr_get_ifindex(ra);

	if (t->found || own(t, ifindex) ||
	    !in_a(t, rtnl_addr_get_local(ra), &x))
		return;
	link_name_of(ifindex, dev);
	args_addr_format(&x, s, sizeof(s));
	say(t, "%s is dom0's own address, on %s", s, dev);
}

struct subnet {
	int ifindex;
	const struct args_addr *net;
	int found;
};

static void subnet_one(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *ra = (struct rtnl_addr *)obj;
	struct subnet *sn = arg;
	struct args_addr x;

	if (rtnl_addr_get_ifindex(ra) != sn->ifindex ||
	    from_nl(rtnl_addr_get_local(ra), sn->net->family, &x) < 0)
		return;
	x.prefix = sn->net->family == AF_INET ? 32 : 128;
	if (args_addr_holds(sn->net, &x))
		sn->found = 1;
}

/* Link ifindex has an address in net: net is its own subnet. */
static int subnet_of(struct taken *t, int ifindex, const struct args_addr *net)
{
	struct subnet sn = { ifindex, net, 0 };

	nl_cache_foreach(t->addrs, subnet_one, &sn);
	return sn.found;
}

static void taken_route(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct taken *t = arg;
	int n = rtnl_route_get_nnexthops(r), gateways = 0;
	char d[INET6_ADDRSTRLEN + 4], g[INET6_ADDRSTRLEN + 4],
		dev[IFNAMSIZ] = "?";
	char table[24] = "";
	struct args_addr dst, gw;

	if (t->found || from_nl(rtnl_route_get_dst(r), t->a->family, &dst) < 0)
		return;
	if (dst.prefix == 0)
		snprintf(d, sizeof(d), "default");
	else
		args_addr_format(&dst, d, sizeof(d));
	if (rtnl_route_get_table(r) != RT_TABLE_MAIN)
		snprintf(table, sizeof(table), " in table %u",
			 rtnl_route_get_table(r));
	for (int i = 0; i < n; i++) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, i);
		int ifindex = rtnl_route_nh_get_ifindex(nh);

		if (!rtnl_route_nh_get_gateway(nh))
			continue;
		gateways++;
		if (own(t, ifindex) ||
		    !in_a(t, rtnl_route_nh_get_gateway(nh), &gw))
			continue;
		link_name_of(ifindex, dev);
		args_addr_format(&gw, g, sizeof(g));
		say(t, "%s is the gateway of dom0's route to %s via %s%s", g, d,
		    dev, table);
		return;
	}
	if (rtnl_route_get_type(r) == RTN_BROADCAST ||
	    rtnl_route_get_type(r) == RTN_ANYCAST) {
		int ifindex = n ? rtnl_route_nh_get_ifindex(
					  rtnl_route_nexthop_n(r, 0))
				: 0;

		if (!own(t, ifindex) && args_addr_holds(t->a, &dst)) {
			link_name_of(ifindex, dev);
			say(t, "%s is the %s address of %s", d,
			    rtnl_route_get_type(r) == RTN_BROADCAST
				    ? "broadcast"
				    : "anycast",
			    dev);
		}
		return;
	}
	if (gateways || dst.prefix == 0 ||
	    rtnl_route_get_table(r) != RT_TABLE_MAIN ||
	    rtnl_route_get_type(r) != RTN_UNICAST)
		return;
	for (int i = 0; i < n; i++) {
		int ifindex =
			rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(r, i));

		if (own(t, ifindex))
			continue;
		if (args_addr_holds(t->a, &dst) ||
		    (args_addr_holds(&dst, t->a) &&
		     !subnet_of(t, ifindex, &dst))) {
			link_name_of(ifindex, dev);
			say(t, "a route to %s goes through %s", d, dev);
			return;
		}
	}
}

int route_addr_taken(const struct args_addr *a, const char *dev,
		     const char *twin, char *why, size_t len)
{
	struct nl_sock *sk = netlink_sock();
	struct taken t = {
		a,    { link_index(dev), twin ? link_index(twin) : -1 },
		NULL, why,
		len,  0
	};
	struct nl_cache *routes;

	if (!sk || netlink_errno(rtnl_addr_alloc_cache(sk, &t.addrs)) < 0)
		return -1;
	if (netlink_errno(rtnl_route_alloc_cache(sk, a->family, 0, &routes)) <
	    0) {
		nl_cache_free(t.addrs);
		return -1;
	}
	nl_cache_foreach(t.addrs, taken_addr, &t);
	nl_cache_foreach(routes, taken_route, &t);
	nl_cache_free(routes);
	nl_cache_free(t.addrs);
	return t.found;
}
