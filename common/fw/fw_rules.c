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

struct builder {
	struct fw_rule *out;
	int n, max;
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

static void arp(struct builder *b, const struct fw_vif *v)
{
	struct args_addr any = host(AF_INET, "0.0.0.0");
	struct fw_rule *r;

	if (v->mac) {
		r = rule(b, FW_DROP, "ARP sender MAC is not the guest's");
		add_val(r, FW_ETHERTYPE, ETH_P_ARP);
		add_mac(r, FW_ARP_SHA_NOT, v->mac);
	}
	if (v->naddrs < 0) {
		add_val(rule(b, FW_PASS, "ARP"), FW_ETHERTYPE, ETH_P_ARP);
		return;
	}
	r = rule(b, FW_PASS, "ARP probe");
	add_val(r, FW_ETHERTYPE, ETH_P_ARP);
	add_addr(r, FW_ARP_SPA, &any);
	for (int i = 0; i < v->naddrs; i++) {
		if (v->addrs[i].family != AF_INET)
			continue;
		r = rule(b, FW_PASS, "ARP from the guest's address");
		add_val(r, FW_ETHERTYPE, ETH_P_ARP);
		add_addr(r, FW_ARP_SPA, &v->addrs[i]);
	}
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
	if (v->naddrs < 0) {
		add_val(rule(b, FW_PASS, "IPv4"), FW_ETHERTYPE, ETH_P_IP);
		return;
	}
	for (int i = 0; i < v->naddrs; i++) {
		if (v->addrs[i].family != AF_INET)
			continue;
		r = rule(b, FW_PASS, "IPv4 from the guest's address");
		add_val(r, FW_ETHERTYPE, ETH_P_IP);
		add_addr(r, FW_SADDR, &v->addrs[i]);
	}
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
	if (v->naddrs < 0) {
		add_val(rule(b, FW_PASS, "IPv6"), FW_ETHERTYPE, ETH_P_IPV6);
		return;
	}
	/* Without a MAC to derive it from, any link-local address. */
	if (v->mac) {
		ll = link_local(v->mac);
	} else {
		ll = host(AF_INET6, "fe80::");
		ll.prefix = 10;
	}
	r = rule(b, FW_PASS, "IPv6 link-local");
	add_val(r, FW_ETHERTYPE, ETH_P_IPV6);
	add_addr(r, FW_SADDR, &ll);
	for (int i = 0; i < v->naddrs; i++) {
		if (v->addrs[i].family != AF_INET6)
			continue;
		r = rule(b, FW_PASS, "IPv6 from the guest's address");
		add_val(r, FW_ETHERTYPE, ETH_P_IPV6);
		add_addr(r, FW_SADDR, &v->addrs[i]);
	}
	r = rule(b, FW_PASS, "duplicate address detection");
	add_val(r, FW_ETHERTYPE, ETH_P_IPV6);
	add_addr(r, FW_SADDR, &any);
	add_val(r, FW_L4PROTO, IPPROTO_ICMPV6);
	add_val(rule(b, FW_DROP, "IPv6 from an address not the guest's"),
		FW_ETHERTYPE, ETH_P_IPV6);
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
 * ethertypes, no VLAN tags to check. */
int fw_rules_antispoof(const struct fw_vif *v, struct fw_rule *out, int max)
{
	struct builder b = { out, 0, max };

	if (v->mac)
		add_mac(rule(&b, FW_DROP, "source MAC is not the guest's"),
			FW_SMAC_NOT, v->mac);
	if (v->trunk && !v->routed)
		add_val(rule(&b, FW_PASS, "VLAN trunk"), FW_ETHERTYPE,
			ETH_P_8021Q);
	if (!v->routed)
		arp(&b, v);
	ipv4(&b, v);
	ipv6(&b, v);
	if (!v->routed)
		rule(&b, FW_DROP, "not IPv4, ARP or IPv6");
	return finish(&b);
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
	struct builder b = { out, 0, max };
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
