/* Unit tests: the firewall's rules (common/fw/fw_rules.c) and the nft
 * batches they become (fw_nft.c), against golden files. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "fw_int.h"
#include "fwdump.h"
#include "unit.h"

/* Rules r[0, n) as nft text, a line each, name in the comments. */
static void list_text(const char *name, const struct fw_rule *r, int n,
		      int routed, char *out, size_t len)
{
	char line[512];

	ck_assert_int_gt(n, 0);
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(
			fwdump_rule(name, &r[i], routed, line, sizeof(line)),
			0);
		strncat(out, line, len - strlen(out) - 2);
		strcat(out, "\n");
	}
}

static void rules_text(const struct fw_vif *v, char *out, size_t len)
{
	struct fw_rule rules[FW_RULES_MAX];

	list_text(v->dev, rules, fw_rules_antispoof(v, rules, FW_RULES_MAX),
		  v->routed, out, len);
}

static const unsigned char guest_mac[6] = {
	0x00, 0x16, 0x3e, 0x12, 0x34, 0x56
};

static int parse_addrs(const char *ip, struct args_addr *a)
{
	int n = args_addr_list(ip, a, 8);

	ck_assert_int_ge(n, 0);
	return n;
}

START_TEST(antispoof_rules_golden)
{
	struct args_addr a[8];
	char text[1 << 15];
	struct fw_vif v = { .dev = "vif7.0", .mac = guest_mac, .addrs = a };

	v.naddrs = parse_addrs("192.0.2.7 2001:db8::7 10.1.0.0/23", a);
	rules_text(&v, text, sizeof(text));
	golden("antispoof-addresses.nft", text);

	v.naddrs = -1; /* no ip key */
	rules_text(&v, text, sizeof(text));
	golden("antispoof-no-ip.nft", text);

	v.naddrs = parse_addrs("192.0.2.8", a);
	v.mac = NULL; /* no mac key, a VLAN trunk */
	v.trunk = 1;
	rules_text(&v, text, sizeof(text));
	golden("antispoof-trunk-no-mac.nft", text);

	v.naddrs = parse_addrs("192.0.2.9 2001:db8::9", a);
	v.mac = guest_mac; /* a routed vif: IP only */
	v.routed = 1;
	rules_text(&v, text, sizeof(text));
	golden("antispoof-routed.nft", text);
}
END_TEST

START_TEST(antispoof_rules_limits)
{
	struct fw_rule rules[4];
	struct fw_vif v = { .dev = "vif1.0", .mac = guest_mac, .naddrs = -1 };
	char buf[16];

	ck_assert_int_eq(fw_rules_antispoof(&v, rules, 4), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_eq(fw_rules_antispoof(&v, rules, 1), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_gt(fw_rules_antispoof(&v,
					    (struct fw_rule[FW_RULES_MAX]){ 0 },
					    FW_RULES_MAX),
			 4);
	rules[0] =
		(struct fw_rule){ .verdict = FW_DROP, .why = "a long reason" };
	ck_assert_int_eq(fwdump_rule("vif1.0", &rules[0], 0, buf, sizeof(buf)),
			 -1);
	ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

START_TEST(nft_batch_golden)
{
	struct fw_rule rules[FW_RULES_MAX];
	struct args_addr a[8];
	struct fw_vif v = { .dev = "vif7.0", .mac = guest_mac, .addrs = a };
	char *dump;
	int n;

	v.naddrs = parse_addrs("192.0.2.7 2001:db8::7 10.1.0.0/23", a);
	n = fw_rules_antispoof(&v, rules, FW_RULES_MAX);
	ck_assert_int_gt(n, 0);
	dump = fwdump_batch(&v, NULL, rules, n);
	ck_assert_ptr_nonnull(dump);
	golden("allow-vif7.0.batch", dump);
	free(dump);

	v.routed = 1;
	n = fw_rules_antispoof(&v, rules, FW_RULES_MAX);
	ck_assert_int_gt(n, 0);
	dump = fwdump_batch(&v, NULL, rules, n);
	ck_assert_ptr_nonnull(dump);
	golden("allow-routed-vif7.0.batch", dump);
	free(dump);
}
END_TEST

static void shared_text(int routed, char *out, size_t len)
{
	struct fw_rule rules[FW_SHARED_MAX];

	list_text(NULL, rules, fw_rules_shared(routed, rules, FW_SHARED_MAX),
		  routed, out, len);
}

/* The rules every vif shares (the nft layout), and their limit. */
START_TEST(shared_rules_golden)
{
	struct fw_rule rules[FW_SHARED_MAX];
	char text[1 << 14];
	int n;

	shared_text(0, text, sizeof(text));
	golden("antispoof-shared.nft", text);
	shared_text(1, text, sizeof(text));
	golden("antispoof-shared-routed.nft", text);
	n = fw_rules_shared(0, rules, FW_SHARED_MAX);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(fw_rules_shared(0, rules, n), n);
	ck_assert_int_eq(fw_rules_shared(0, rules, n - 1), -1);
	ck_assert_int_eq(errno, E2BIG);
}
END_TEST

static int elems_text(const struct fw_vif *v, char *out, size_t len)
{
	struct fw_elem e[FW_ELEMS_MAX], back[FW_ELEMS_MAX];
	int n = fw_rules_elems(v, e, FW_ELEMS_MAX);

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(fw_rules_elems_format(v->dev, e, n, out, len), 0);
	/* What a revoke reads back is what the allow made. */
	ck_assert_int_eq(fw_rules_elems_parse(v->dev, out, back, FW_ELEMS_MAX),
			 n);
	ck_assert_int_eq(memcmp(e, back, (size_t)n * sizeof(*e)), 0);
	return n;
}

/* A vif's elements, and the line that lists them (its element of set
 * vifs' comment), read back. */
START_TEST(elems_format_parse)
{
	struct args_addr a[FW_ELEMS_MAX];
	struct fw_elem e[FW_ELEMS_MAX];
	struct fw_vif v = { .dev = "vif7.0", .mac = guest_mac, .addrs = a };
	char text[4096];

	/* 10.1.1.5 is inside 10.1.0.0/23: an interval set holds one. */
	v.naddrs = parse_addrs("192.0.2.7 2001:db8::7 10.1.0.0/23 10.1.1.5", a);
	ck_assert_int_eq(elems_text(&v, text, sizeof(text)), 9);
	/* Hosts in the hashes, the prefix in the interval set; the hosts
	 * again with the MAC, for the fast path. */
	ck_assert_int_eq(fw_rules_elems(&v, e, FW_ELEMS_MAX), 9);
	ck_assert_int_eq(e[2].set, FW_SET_ADDR4);
	ck_assert_int_eq(e[3].set, FW_SET_ADDR6);
	ck_assert_int_eq(e[4].set, FW_SET_NET4);
	ck_assert_int_eq(e[5].set, FW_SET_ADDR6);
	for (int i = 6; i < 9; i++) {
		static const int host[] = { 2, 3, 5 };

		ck_assert_int_eq(e[i].set,
				 i == 6 ? FW_SET_FAST4 : FW_SET_FAST6);
		ck_assert_int_eq(memcmp(e[i].mac, guest_mac, 6), 0);
		ck_assert_int_eq(memcmp(&e[i].addr, &e[host[i - 6]].addr,
					sizeof(e[i].addr)),
				 0);
	}
	ck_assert_str_eq(text, "vif7.0: mac 00:16:3e:12:34:56 ip 192.0.2.7 "
			       "2001:db8::7 10.1.0.0/23 "
			       "fe80::216:3eff:fe12:3456");
	v.naddrs = -1; /* any address: no fast path */
	ck_assert_int_eq(elems_text(&v, text, sizeof(text)), 3);
	ck_assert_str_eq(text, "vif7.0: mac 00:16:3e:12:34:56 ip any");
	v.naddrs = parse_addrs("192.0.2.8 192.0.2.8", a);
	v.mac = NULL; /* any MAC: no fast path */
	v.trunk = 1;
	ck_assert_int_eq(elems_text(&v, text, sizeof(text)), 5);
	ck_assert_str_eq(text, "vif7.0: trunk mac any ip 192.0.2.8 fe80::/10");
	v.routed = 1; /* no trunk for a routed vif */
	elems_text(&v, text, sizeof(text));
	ck_assert_str_eq(text, "vif7.0: mac any ip 192.0.2.8 fe80::/10");

	ck_assert_int_eq(fw_rules_elems_format("vif7.0", e, 0, text, 8), 0);
	ck_assert_str_eq(text, "vif7.0:");
	ck_assert_int_eq(fw_rules_elems_format("vif7.0", e, 0, text, 7), -1);
	ck_assert_int_eq(errno, ENOSPC);

	static const char *const bad[] = {
		"vif8.0: mac any",	     /* another vif's */
		"vif7.0 mac any",	     /* no colon */
		"vif7.0: mac zz",	     /* not a MAC */
		"vif7.0: 10.0.0.1",	     /* an address before ip */
		"vif7.0: ip 10.0.0.1 x",     /* not an address */
		"vif7.0: ip 10.0.0.1 ip ::", /* ip twice */
		"vif7.0: more than a comment holds",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_msg(fw_rules_elems_parse("vif7.0", bad[i], e,
						   FW_ELEMS_MAX) == -1 &&
				      errno == EINVAL,
			      "%s", bad[i]);
	}
	ck_assert_int_eq(fw_rules_elems_parse("vif7.0", "vif7.0: trunk", e, 2),
			 2);
	ck_assert_int_eq(fw_rules_elems_parse("vif7.0", "vif7.0: trunk", e, 1),
			 -1);
	ck_assert_int_eq(errno, E2BIG);
	/* The fast path's element counts too. */
	ck_assert_int_eq(fw_rules_elems_parse(
				 "vif7.0",
				 "vif7.0: mac 00:16:3e:12:34:56 ip 192.0.2.7",
				 e, 4),
			 4);
	ck_assert_int_eq(e[3].set, FW_SET_FAST4);
	ck_assert_int_eq(fw_rules_elems_parse(
				 "vif7.0",
				 "vif7.0: mac 00:16:3e:12:34:56 ip 192.0.2.7",
				 e, 3),
			 -1);
	ck_assert_int_eq(errno, E2BIG);
}
END_TEST

/* FW_ELEMS_MAX: 64 addresses (vif.h's VIF_MAX_ADDRS), a trunk's and a
 * MAC's element and the link-local address, and the 65 addresses again
 * with the MAC, fill it; one more address does not fit. */
START_TEST(elems_limits)
{
	struct args_addr a[FW_ELEMS_MAX];
	struct fw_elem e[FW_ELEMS_MAX];
	struct fw_vif v = {
		.dev = "vif7.0", .mac = guest_mac, .addrs = a, .trunk = 1
	};

	for (int i = 0; i < 65; i++) {
		char s[32];

		snprintf(s, sizeof(s), "10.0.%d.1", i);
		ck_assert_int_eq(args_addr(s, &a[i]), 0);
	}
	v.naddrs = 64;
	ck_assert_int_eq(fw_rules_elems(&v, e, FW_ELEMS_MAX), FW_ELEMS_MAX);
	ck_assert_int_eq(fw_rules_elems(&v, e, FW_ELEMS_MAX - 1), -1);
	ck_assert_int_eq(errno, E2BIG);
	v.naddrs = 65;
	ck_assert_int_eq(fw_rules_elems(&v, e, FW_ELEMS_MAX), -1);
	ck_assert_int_eq(errno, E2BIG);
}
END_TEST

/* A frame as the rules see it. */
struct frame {
	uint16_t ethertype;
	unsigned char smac[6], sha[6];
	struct args_addr spa, saddr, daddr; /* spa: ARP's */
	uint16_t l4, sport, dport, icmp6;
};

/* An element of the sets, and the vif it is of. */
struct owned {
	const char *dev;
	struct fw_elem e;
};

/* Whether the sets hold, in set, dev followed by mac or a. */
static int in_sets(const struct owned *o, int n, const char *dev,
		   enum fw_set set, const unsigned char *mac,
		   const struct args_addr *a)
{
	for (int i = 0; i < n; i++) {
		const struct fw_elem *e = &o[i].e;

		if (!strcmp(o[i].dev, dev) && e->set == set &&
		    (!mac || !memcmp(mac, e->mac, 6)) &&
		    (!a || (a->family == e->addr.family &&
			    args_addr_holds(&e->addr, a))))
			return 1;
	}
	return 0;
}

/* Whether m matches frame f arriving by dev; the sets hold e[0, n) (the
 * lookups). */
static int matches(const struct fw_match *m, const struct frame *f,
		   const char *dev, const struct owned *e, int n)
{
	const struct args_addr *src = &f->saddr;
	int hit;

	switch (m->kind) {
	case FW_ETHERTYPE:
		return f->ethertype == m->val;
	case FW_SMAC_NOT:
		return memcmp(f->smac, m->mac, 6) != 0;
	case FW_ARP_SHA_NOT:
		return memcmp(f->sha, m->mac, 6) != 0;
	case FW_ARP_SPA:
		return args_addr_holds(&m->addr, &f->spa);
	case FW_SADDR:
	case FW_DADDR:
		src = m->kind == FW_SADDR ? &f->saddr : &f->daddr;
		return src->family == m->addr.family &&
		       args_addr_holds(&m->addr, src);
	case FW_L4PROTO:
		return (f->l4 == m->val) != m->inv;
	case FW_SPORT:
		return (f->sport == m->val) != m->inv;
	case FW_DPORT:
		return f->dport == m->val;
	case FW_ICMP6_TYPE:
		return f->icmp6 == m->val;
	case FW_LOOKUP:
		switch (m->key) {
		case FW_KEY_NONE:
			hit = in_sets(e, n, dev, m->set, NULL, NULL);
			break;
		case FW_KEY_SMAC:
		case FW_KEY_ARP_SHA:
			hit = in_sets(e, n, dev, m->set,
				      m->key == FW_KEY_SMAC ? f->smac : f->sha,
				      NULL);
			break;
		case FW_KEY_ARP_SPA:
			hit = in_sets(e, n, dev, m->set, NULL, &f->spa);
			break;
		case FW_KEY_SMAC_SADDR4:
		case FW_KEY_SMAC_SADDR6:
			hit = in_sets(e, n, dev, m->set, f->smac, &f->saddr);
			break;
		default:
			hit = in_sets(e, n, dev, m->set, NULL, &f->saddr);
			break;
		}
		return hit != m->inv;
	default:
		return 0;
	}
}

/* The verdict of rules r[0, n) on f: the first rule all of whose matches
 * hold decides; none, it passes. */
static enum fw_verdict verdict_of(const struct fw_rule *r, int n,
				  const struct frame *f, const char *dev,
				  const struct owned *e, int ne)
{
	for (int i = 0; i < n; i++) {
		int all = 1;

		for (int j = 0; j < r[i].n && all; j++)
			all = matches(&r[i].m[j], f, dev, e, ne);
		if (all)
			return r[i].verdict;
	}
	return FW_PASS;
}

static struct args_addr addr_of(const char *s)
{
	struct args_addr a;

	ck_assert_int_eq(args_addr(s, &a), 0);
	return a;
}

/* What the shared rules with a vif's elements let pass and drop is what
 * its own rules do: frames of every kind, from its addresses and MAC and
 * from others (another vif's among them), for vifs of every kind. */
START_TEST(shared_rules_same_verdicts)
{
	static const unsigned char other_mac[6] = { 0x00, 0x16, 0x3e,
						    0x99, 0x99, 0x99 };
	static const char *const v4[] = { "192.0.2.7", "10.1.1.200",
					  "10.1.2.1",  "192.0.2.99",
					  "0.0.0.0",   "198.51.100.9" };
	static const char *const v6[] = { "2001:db8::7",
					  "fe80::216:3eff:fe12:3456", "fe80::1",
					  "2001:db8::99", "::" };
	static const struct {
		const char *ip;
		int nomac, trunk, routed;
	} vifs[] = {
		{ "192.0.2.7 2001:db8::7 10.1.0.0/23", 0, 0, 0 },
		{ NULL, 0, 0, 0 },
		{ "192.0.2.7", 1, 1, 0 },
		{ "192.0.2.7 2001:db8::7", 0, 0, 1 },
	};
	struct fw_rule own[FW_RULES_MAX], shared[FW_SHARED_MAX];
	struct fw_elem e[FW_ELEMS_MAX];
	struct owned sets[2 * FW_ELEMS_MAX];
	struct args_addr a[8], b[8];
	int checked = 0;

	for (size_t k = 0; k < sizeof(vifs) / sizeof(vifs[0]); k++) {
		struct fw_vif v = {
			.dev = "vif7.0",
			.mac = vifs[k].nomac ? NULL : guest_mac,
			.addrs = a,
			.naddrs = vifs[k].ip ? parse_addrs(vifs[k].ip, a) : -1,
			.trunk = vifs[k].trunk,
			.routed = vifs[k].routed
		};
		/* Another vif, whose elements must grant vif7.0 nothing. */
		struct fw_vif w = { .dev = "vif9.0",
				    .mac = other_mac,
				    .addrs = b,
				    .naddrs = parse_addrs(
					    "192.0.2.99 2001:db8::99", b),
				    .trunk = 1,
				    .routed = vifs[k].routed };
		int n = fw_rules_antispoof(&v, own, FW_RULES_MAX);
		int ns = fw_rules_shared(v.routed, shared, FW_SHARED_MAX);
		int ne = fw_rules_elems(&v, e, FW_ELEMS_MAX), nsets = 0;
		static const uint16_t types[] = { ETH_P_IP, ETH_P_ARP,
						  ETH_P_IPV6, ETH_P_8021Q,
						  0x88cc };

		ck_assert_int_gt(n, 0);
		ck_assert_int_gt(ns, 0);
		ck_assert_int_gt(ne, 0);
		for (int i = 0; i < ne; i++)
			sets[nsets++] = (struct owned){ "vif7.0", e[i] };
		ne = fw_rules_elems(&w, e, FW_ELEMS_MAX);
		ck_assert_int_gt(ne, 0);
		for (int i = 0; i < ne; i++)
			sets[nsets++] = (struct owned){ "vif9.0", e[i] };
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			size_t nsrc = types[t] == ETH_P_IPV6 ? 5 : 6;

			if (v.routed && types[t] != ETH_P_IP &&
			    types[t] != ETH_P_IPV6)
				continue;
			for (size_t s = 0; s < nsrc; s++)
				for (int variant = 0; variant < 16; variant++) {
					struct frame f = { .ethertype =
								   types[t] };
					enum fw_verdict x, y;

					memcpy(f.smac,
					       variant & 1 ? other_mac
							   : guest_mac,
					       6);
					memcpy(f.sha,
					       variant & 2 ? other_mac
							   : guest_mac,
					       6);
					f.saddr = addr_of(types[t] == ETH_P_IPV6
								  ? v6[s]
								  : v4[s]);
					f.spa = f.saddr;
					f.daddr = addr_of(
						types[t] == ETH_P_IPV6
							? "ff02::1"
							: "255.255.255.255");
					f.l4 = types[t] == ETH_P_IPV6 &&
							       variant & 4
						       ? IPPROTO_ICMPV6
						       : IPPROTO_UDP;
					f.icmp6 = variant & 8
							  ? ICMP6_ROUTER_ADVERT
							  : 135;
					f.sport =
						variant & 8
							? (types[t] == ETH_P_IPV6
								   ? 547
								   : 67)
							: 68;
					f.dport = 67;
					x = verdict_of(own, n, &f, "vif7.0",
						       NULL, 0);
					y = verdict_of(shared, ns, &f, "vif7.0",
						       sets, nsets);
					ck_assert_msg(
						x == y,
						"vif %zu, ethertype 0x%04x, source %zu, variant %d: own %d, shared %d",
						k, types[t], s, variant, x, y);
					checked++;
				}
		}
	}
	ck_assert_int_gt(checked, 1000);
}
END_TEST

static struct fw_nat nat_example(struct args_addr *from)
{
	ck_assert_int_eq(args_addr("10.0.0.0/16", &from[0]), 0);
	ck_assert_int_eq(args_addr("10.1.0.0/24", &from[1]), 0);
	return (struct fw_nat){ .owner = "network-nat",
				.out_dev = "eth0",
				.from = from,
				.nfrom = 2 };
}

START_TEST(nat_rules_and_batch_golden)
{
	struct args_addr from[2];
	struct fw_nat nat = nat_example(from);
	struct fw_rule rules[8];
	char text[4096] = "", line[512], *dump;
	int n = fw_rules_nat(&nat, rules, 8);

	ck_assert_int_eq(n, 2);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(fwdump_rule(nat.owner, &rules[i], 1, line,
					     sizeof(line)),
				 0);
		strcat(text, rules[i].hook == FW_PREROUTING ? "prerouting: "
							    : "postrouting: ");
		strcat(strcat(text, line), "\n");
	}
	golden("nat.nft", text);
	dump = fwdump_batch(NULL, &nat, rules, n);
	ck_assert_ptr_nonnull(dump);
	golden("nat.batch", dump);
	free(dump);

	nat.nfrom = 0; /* everything out of eth0 */
	ck_assert_int_eq(fw_rules_nat(&nat, rules, 8), 1);
	ck_assert_int_eq(fw_rules_nat(&nat, rules, 0), -1);
	ck_assert_int_eq(errno, E2BIG);
}
END_TEST

START_TEST(nat_owner_names)
{
	ck_assert_int_eq(fw_owner_valid("network-nat"), 0);
	ck_assert_int_eq(fw_owner_valid("zone_dmz2"), 0);
	ck_assert_int_eq(fw_owner_valid(""), -1);
	ck_assert_int_eq(fw_owner_valid(NULL), -1);
	ck_assert_int_eq(fw_owner_valid("a-name-too-long!"), -1);
	ck_assert_int_eq(fw_owner_valid("sixteen-chars-xx"), -1);
	ck_assert_int_eq(fw_owner_valid("no spaces"), -1);
	ck_assert_int_eq(fw_owner_valid("no/slash"), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

Suite *fw_rules_suite(void)
{
	const TTest *tests[] = { antispoof_rules_golden,
				 antispoof_rules_limits,
				 nft_batch_golden,
				 nat_rules_and_batch_golden,
				 nat_owner_names,
				 shared_rules_golden,
				 elems_format_parse,
				 elems_limits,
				 shared_rules_same_verdicts,
				 NULL };

	return unit_suite("fw_rules", tests);
}
