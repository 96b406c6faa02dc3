/* What a vif may send, decided once for every backend. */
#include "fw_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

struct builder {
	struct fw_rule *out;
	int n, max;
	int shared; /* fw_rules_shared(): the vif's data looked up in sets */
};

/* Start a rule; the matches follow with the add_* helpers.  Overflow is
 * counted, not written, and reported once at the end. */
static struct fw_rule *rule(struct builder *b, enum fw_verdict verdict,
			    const char *why)
{
	static struct fw_rule scratch;
	struct fw_rule *r = b->n < b->max ? &b->out[b->n] : &scratch;

	b->n++;
	memset(r, 0, sizeof(*r));
	r->verdict = verdict;
	r->why = why;
	return r;
}

static struct fw_match *add(struct fw_rule *r, enum fw_match_kind kind)
{
	struct fw_match *m = &r->m[r->n++];

	m->kind = kind;
	return m;
}

static void add_val(struct fw_rule *r, enum fw_match_kind kind, uint16_t val)
{
	add(r, kind)->val = val;
}

/* A match of kind that val does not. */
static void add_not(struct fw_rule *r, enum fw_match_kind kind, uint16_t val)
{
	struct fw_match *m = add(r, kind);

	m->val = val;
	m->inv = 1;
}

static void add_mac(struct fw_rule *r, enum fw_match_kind kind,
		    const unsigned char *mac)
{
	memcpy(add(r, kind)->mac, mac, 6);
}

/* As a network: a guest's "192.0.2.5/24" is 192.0.2.0/24 (libiptc compares
 * the masked source with the address as given, so host bits never match). */
static void add_addr(struct fw_rule *r, enum fw_match_kind kind,
		     const struct args_addr *a)
{
	args_addr_network(a, &add(r, kind)->addr);
}

static void add_lookup(struct fw_rule *r, enum fw_set set, enum fw_key key,
		       int inv)
{
	struct fw_match *m = add(r, FW_LOOKUP);

	m->set = set;
	m->key = key;
	m->inv = inv;
}

/* The drop of what does not come from the vif's MAC (kind, key: where the
 * MAC is; ethertype: of which frames, 0 for all): per vif, when it has one;
 * shared, for the vifs not in set anymac. */
static void mac_check(struct builder *b, const struct fw_vif *v,
		      uint16_t ethertype, enum fw_match_kind kind,
		      enum fw_key key, const char *why)
{
	struct fw_rule *r;

	if (!b->shared && !v->mac)
		return;
	r = rule(b, FW_DROP, why);
	if (ethertype)
		add_val(r, FW_ETHERTYPE, ethertype);
	if (b->shared) {
		add_lookup(r, FW_SET_MACS, key, 1);
		add_lookup(r, FW_SET_ANYMAC, FW_KEY_NONE, 1);
	} else {
		add_mac(r, kind, v->mac);
	}
}

/* A vif without an ip key sends from any address: per vif, that one rule
 * and no more of ethertype's (1); shared, the same rule for the vifs in set
 * anyip, and the others' rules follow (0). */
static int any_source(struct builder *b, const struct fw_vif *v,
		      uint16_t ethertype, const char *why)
{
	struct fw_rule *r;

	if (!b->shared && v->naddrs >= 0)
		return 0;
	r = rule(b, FW_PASS, why);
	add_val(r, FW_ETHERTYPE, ethertype);
	if (!b->shared)
		return 1;
	add_lookup(r, FW_SET_ANYIP, FW_KEY_NONE, 0);
	return 0;
}

/* What passes from the vif's addresses of family (kind, key: where the
 * source is): per vif, a rule for each; shared, one looking the source up
 * among the vif's hosts (a hash), one among its networks (an interval set:
 * adding to one or deleting from it costs more the more it holds). */
static void sources(struct builder *b, const struct fw_vif *v, int family,
		    uint16_t ethertype, enum fw_match_kind kind,
		    enum fw_key key, const char *why)
{
	struct fw_rule *r;

	if (b->shared) {
		r = rule(b, FW_PASS, why);
		add_val(r, FW_ETHERTYPE, ethertype);
		add_lookup(r, family == AF_INET ? FW_SET_ADDR4 : FW_SET_ADDR6,
			   key, 0);
		r = rule(b, FW_PASS, why);
		add_val(r, FW_ETHERTYPE, ethertype);
		add_lookup(r, family == AF_INET ? FW_SET_NET4 : FW_SET_NET6,
			   key, 0);
		return;
	}
	for (int i = 0; i < v->naddrs; i++) {
		if (v->addrs[i].family != family)
			continue;
		r = rule(b, FW_PASS, why);
		add_val(r, FW_ETHERTYPE, ethertype);
		add_addr(r, kind, &v->addrs[i]);
	}
}

static struct args_addr host(int family, const char *s)
{
	struct args_addr a = { .family = family,
			       .prefix = family == AF_INET ? 32 : 128 };

	inet_pton(family, s, a.a);
	return a;
}

/* fe80::/64 with the modified EUI-64 of mac: the link-local address the
 * guest's kernel makes for itself. */
static struct args_addr link_local(const unsigned char *mac)
{
	struct args_addr a = host(AF_INET6, "fe80::");

	a.a[8] = mac[0] ^ 0x02;
	a.a[9] = mac[1];
	a.a[10] = mac[2];
	a.a[11] = 0xff;
	a.a[12] = 0xfe;
	a.a[13] = mac[3];
	a.a[14] = mac[4];
	a.a[15] = mac[5];
	return a;
}

/* The link-local addresses the guest may send from: the one its kernel
 * makes from its MAC, or without a MAC to derive it from, any. */
static struct args_addr guest_link_local(const struct fw_vif *v)
{
	struct args_addr ll;

	if (v->mac)
		return link_local(v->mac);
	ll = host(AF_INET6, "fe80::");
	ll.prefix = 10;
	return ll;
}

static void arp(struct builder *b, const struct fw_vif *v)
{
	struct args_addr any = host(AF_INET, "0.0.0.0");
	struct fw_rule *r;

	mac_check(b, v, ETH_P_ARP, FW_ARP_SHA_NOT, FW_KEY_ARP_SHA,
		  "ARP sender MAC is not the guest's");
	if (any_source(b, v, ETH_P_ARP, "ARP"))
		return;
	r = rule(b, FW_PASS, "ARP probe");
	add_val(r, FW_ETHERTYPE, ETH_P_ARP);
	add_addr(r, FW_ARP_SPA, &any);
	sources(b, v, AF_INET, ETH_P_ARP, FW_ARP_SPA, FW_KEY_ARP_SPA,
		"ARP from the guest's address");
	add_val(rule(b, FW_DROP, "ARP for an address not the guest's"),
		FW_ETHERTYPE, ETH_P_ARP);
}

static void ipv4(struct builder *b, const struct fw_vif *v)
{
	struct args_addr any = host(AF_INET, "0.0.0.0");
	struct args_addr bcast = host(AF_INET, "255.255.255.255");
	struct fw_rule *r;

	r = rule(b, FW_DROP, "DHCP server");
	add_val(r, FW_ETHERTYPE, ETH_P_IP);
	add_val(r, FW_L4PROTO, IPPROTO_UDP);
	add_val(r, FW_SPORT, 67);
	if (any_source(b, v, ETH_P_IP, "IPv4"))
		return;
	sources(b, v, AF_INET, ETH_P_IP, FW_SADDR, FW_KEY_SADDR4,
		"IPv4 from the guest's address");
	r = rule(b, FW_PASS, "DHCP client");
	add_val(r, FW_ETHERTYPE, ETH_P_IP);
	add_addr(r, FW_SADDR, &any);
	add_addr(r, FW_DADDR, &bcast);
	add_val(r, FW_L4PROTO, IPPROTO_UDP);
	add_val(r, FW_SPORT, 68);
	add_val(r, FW_DPORT, 67);
	add_val(rule(b, FW_DROP, "IPv4 from an address not the guest's"),
		FW_ETHERTYPE, ETH_P_IP);
}

static void ipv6(struct builder *b, const struct fw_vif *v)
{
	static const uint16_t icmp_drop[] = { ICMP6_ROUTER_ADVERT,
					      ICMP6_REDIRECT };
	static const char *const icmp_why[] = { "router advertisement",
						"ICMPv6 redirect" };
	struct args_addr any = host(AF_INET6, "::"), ll;
	struct fw_rule *r;

	for (int i = 0; i < 2; i++) {
		r = rule(b, FW_DROP, icmp_why[i]);
		add_val(r, FW_ETHERTYPE, ETH_P_IPV6);
		add_val(r, FW_L4PROTO, IPPROTO_ICMPV6);
		add_val(r, FW_ICMP6_TYPE, icmp_drop[i]);
	}
	r = rule(b, FW_DROP, "DHCPv6 server");
	add_val(r, FW_ETHERTYPE, ETH_P_IPV6);
	add_val(r, FW_L4PROTO, IPPROTO_UDP);
	add_val(r, FW_SPORT, 547);
	if (any_source(b, v, ETH_P_IPV6, "IPv6"))
		return;
	/* Shared, the link-local address is one of the vif's in the set. */
	if (!b->shared) {
		ll = guest_link_local(v);
		r = rule(b, FW_PASS, "IPv6 link-local");
		add_val(r, FW_ETHERTYPE, ETH_P_IPV6);
		add_addr(r, FW_SADDR, &ll);
	}
	sources(b, v, AF_INET6, ETH_P_IPV6, FW_SADDR, FW_KEY_SADDR6,
		"IPv6 from the guest's address");
	r = rule(b, FW_PASS, "duplicate address detection");
	add_val(r, FW_ETHERTYPE, ETH_P_IPV6);
	add_addr(r, FW_SADDR, &any);
	add_val(r, FW_L4PROTO, IPPROTO_ICMPV6);
	add_val(rule(b, FW_DROP, "IPv6 from an address not the guest's"),
		FW_ETHERTYPE, ETH_P_IPV6);
}

/* Shared, first: what the rules below would let pass in the end, in one
 * lookup: IPv4 or IPv6 from the guest's MAC and one of its host addresses
 * (sets fast4, fast6).  Neither a DHCP server's source port nor (IPv6) an
 * ICMPv6 type to drop: those, and anything else, go the long way (a
 * fragment too, whose transport header nft does not read). */
static void fast_path(struct builder *b)
{
	struct fw_rule *r;

	r = rule(b, FW_PASS, "IPv4 from the guest's MAC and address");
	add_val(r, FW_ETHERTYPE, ETH_P_IP);
	add_lookup(r, FW_SET_FAST4, FW_KEY_SMAC_SADDR4, 0);
	add_not(r, FW_SPORT, 67);
	r = rule(b, FW_PASS, "IPv6 from the guest's MAC and address");
	add_val(r, FW_ETHERTYPE, ETH_P_IPV6);
	add_lookup(r, FW_SET_FAST6, FW_KEY_SMAC_SADDR6, 0);
	add_not(r, FW_L4PROTO, IPPROTO_ICMPV6);
	add_not(r, FW_SPORT, 547);
}

static int finish(const struct builder *b)
{
	if (b->n > b->max) {
		errno = E2BIG;
		return -1;
	}
	return b->n;
}

/* A routed device's packets reach IPv4 or IPv6 only: no ARP, no other
 * ethertypes, no VLAN tags to check.  Shared, the first rule lets pass
 * what does not arrive by a vif of ours. */
static int antispoof(const struct fw_vif *v, struct fw_rule *out, int max,
		     int shared)
{
	struct builder b = { out, 0, max, shared };
	struct fw_rule *r;

	if (shared) {
		fast_path(&b);
		add_lookup(rule(&b, FW_PASS, "not a vif"), FW_SET_VIFS,
			   FW_KEY_NONE, 1);
	}
	mac_check(&b, v, 0, FW_SMAC_NOT, FW_KEY_SMAC,
		  "source MAC is not the guest's");
	if (v->trunk && !v->routed) {
		r = rule(&b, FW_PASS, "VLAN trunk");
		add_val(r, FW_ETHERTYPE, ETH_P_8021Q);
		if (shared)
			add_lookup(r, FW_SET_TRUNKS, FW_KEY_NONE, 0);
	}
	if (!v->routed)
		arp(&b, v);
	ipv4(&b, v);
	ipv6(&b, v);
	if (!v->routed)
		rule(&b, FW_DROP, "not IPv4, ARP or IPv6");
	return finish(&b);
}

int fw_rules_antispoof(const struct fw_vif *v, struct fw_rule *out, int max)
{
	return antispoof(v, out, max, 0);
}

int fw_rules_shared(int routed, struct fw_rule *out, int max)
{
	struct fw_vif v = { .routed = routed, .trunk = 1 };

	return antispoof(&v, out, max, 1);
}

int fw_owner_valid(const char *owner)
{
	size_t len = owner ? strlen(owner) : 0;

	if (len == 0 || len > 15)
		goto bad;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)owner[i]) && owner[i] != '-' &&
		    owner[i] != '_')
			goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

static void add_ifname(struct fw_rule *r, enum fw_match_kind kind,
		       const char *name)
{
	snprintf(add(r, kind)->ifname, IFNAMSIZ, "%s", name);
}

int fw_rules_nat(const struct fw_nat *n, struct fw_rule *out, int max)
{
	struct builder b = { out, 0, max, 0 };
	struct fw_rule *r;

	for (int i = 0; n->out_dev && i < (n->nfrom ? n->nfrom : 1); i++) {
		r = rule(&b, FW_MASQ, "masquerade");
		r->hook = FW_POSTROUTING;
		add_val(r, FW_ETHERTYPE, ETH_P_IP);
		add_ifname(r, FW_OIFNAME, n->out_dev);
		if (n->nfrom)
			add_addr(r, FW_SADDR, &n->from[i]);
	}
	return finish(&b);
}

/* Whether one of a[0, n) other than a[i] holds a[i] (the first of equal
 * ones is kept). */
static int held(const struct args_addr *a, int n, int i)
{
	for (int j = 0; j < n; j++)
		if (j != i && args_addr_holds(&a[j], &a[i]) &&
		    (j < i || !args_addr_holds(&a[i], &a[j])))
			return 1;
	return 0;
}

/* The set of a's elements: a host's hash, or a network's interval set. */
static enum fw_set addr_set(const struct args_addr *a)
{
	int v4 = a->family == AF_INET;

	if (a->prefix == (v4 ? 32 : 128))
		return v4 ? FW_SET_ADDR4 : FW_SET_ADDR6;
	return v4 ? FW_SET_NET4 : FW_SET_NET6;
}

/* The next element, of set; past max, counted but not kept. */
static struct fw_elem *elem(struct fw_elem *out, int *n, int max,
			    enum fw_set set)
{
	static struct fw_elem scratch;
	struct fw_elem *e = *n < max ? &out[*n] : &scratch;

	++*n;
	memset(e, 0, sizeof(*e));
	e->set = set;
	return e;
}

/* After the n elements of out: each host address among them again with
 * the MAC among them, if any, in set fast4 or fast6; the new count (past
 * max, those that did not fit are counted). */
static int fast_elems(struct fw_elem *out, int n, int max)
{
	const struct fw_elem *mac = NULL;
	int all = n;

	for (int i = 0; i < n && i < max; i++)
		if (out[i].set == FW_SET_MACS)
			mac = &out[i];
	for (int i = 0; mac && i < n && i < max; i++) {
		struct fw_elem *e;

		if (out[i].set != FW_SET_ADDR4 && out[i].set != FW_SET_ADDR6)
			continue;
		e = elem(out, &all, max,
			 out[i].set == FW_SET_ADDR4 ? FW_SET_FAST4
						    : FW_SET_FAST6);
		memcpy(e->mac, mac->mac, 6);
		e->addr = out[i].addr;
	}
	return all;
}

int fw_rules_elems(const struct fw_vif *v, struct fw_elem *out, int max)
{
	struct args_addr nets[FW_ELEMS_MAX];
	int n = 0, nnets = 0;

	if (v->naddrs > FW_ELEMS_MAX - 3) {
		errno = E2BIG;
		return -1;
	}
	elem(out, &n, max, FW_SET_VIFS);
	if (v->trunk && !v->routed)
		elem(out, &n, max, FW_SET_TRUNKS);
	if (v->mac)
		memcpy(elem(out, &n, max, FW_SET_MACS)->mac, v->mac, 6);
	else
		elem(out, &n, max, FW_SET_ANYMAC);
	if (v->naddrs < 0) {
		elem(out, &n, max, FW_SET_ANYIP);
	} else {
		for (int i = 0; i < v->naddrs; i++)
			args_addr_network(&v->addrs[i], &nets[nnets++]);
		nets[nnets++] = guest_link_local(v);
	}
	for (int i = 0; i < nnets; i++)
		if (!held(nets, nnets, i))
			elem(out, &n, max, addr_set(&nets[i]))->addr = nets[i];
	n = fast_elems(out, n, max);
	if (n > max) {
		errno = E2BIG;
		return -1;
	}
	return n;
}

int fw_rules_elems_format(const char *dev, const struct fw_elem *e, int n,
			  char *buf, size_t len)
{
	char mac[ARGS_MAC_LEN];
	struct text t = TEXT_INIT(buf, len);
	const char *sep = " ip";

	text_put(&t, "%s:", dev);
	for (int i = 0; i < n; i++) {
		switch (e[i].set) {
		case FW_SET_MACS:
			args_mac_format(e[i].mac, mac, sizeof(mac));
			text_put(&t, " mac %s", mac);
			break;
		case FW_SET_ANYMAC:
			text_put(&t, " mac any");
			break;
		case FW_SET_TRUNKS:
			text_put(&t, " trunk");
			break;
		case FW_SET_ADDR4:
		case FW_SET_ADDR6:
		case FW_SET_NET4:
		case FW_SET_NET6:
			text_put(&t, "%s %s", sep,
				 args_addr_text(&e[i].addr).s);
			sep = "";
			break;
		case FW_SET_ANYIP:
			text_put(&t, "%s any", sep);
			sep = "";
			break;
		default:
			break;
		}
	}
	if (t.full) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

int fw_rules_elems_parse(const char *dev, const char *line, struct fw_elem *out,
			 int max)
{
	char word[ARGS_ADDR_LEN];
	size_t dlen = strlen(dev);
	int n = 0, ip = 0, len;
	struct fw_elem e;

	if (strncmp(line, dev, dlen) || line[dlen] != ':')
		goto bad;
	line += dlen + 1;
	memset(out, 0, (size_t)max * sizeof(*out));
	if (max < 1)
		goto big;
	out[n++].set = FW_SET_VIFS;
	while (sscanf(line, " %49s%n", word, &len) == 1) {
		line += len;
		memset(&e, 0, sizeof(e));
		if (!strcmp(word, "trunk")) {
			e.set = FW_SET_TRUNKS;
		} else if (!strcmp(word, "ip") && !ip) {
			ip = 1;
			continue;
		} else if (!strcmp(word, "mac") &&
			   sscanf(line, " %49s%n", word, &len) == 1) {
			line += len;
			e.set = FW_SET_MACS;
			if (!strcmp(word, "any"))
				e.set = FW_SET_ANYMAC;
			else if (args_mac(word, e.mac) < 0)
				goto bad;
		} else if (ip && !strcmp(word, "any")) {
			e.set = FW_SET_ANYIP;
		} else if (ip && args_addr(word, &e.addr) == 0) {
			e.set = addr_set(&e.addr);
		} else {
			goto bad;
		}
		if (n == max)
			goto big;
		out[n++] = e;
	}
	if (*line)
		goto bad;
	if ((n = fast_elems(out, n, max)) > max)
		goto big;
	return n;
big:
	errno = E2BIG;
	return -1;
bad:
	errno = EINVAL;
	return -1;
}
