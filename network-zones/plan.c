#define _GNU_SOURCE
/* What network-zones plans: the zones' nftables ruleset and the plan in
 * words (network-zones plan), from parsed zones; pure. */
#include "zones.h"

#include "args.h"
#include "text.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* The zone's network, e.g. 10.10.1.0/24. */
static struct args_addr_text subnet(const struct zone *z)
{
	struct args_addr n;

	args_addr_network(&z->in, &n);
	return args_addr_text(&n);
}

const char *zones_proto(int p)
{
	return p == IPPROTO_TCP ? "tcp" : "udp";
}

const char *zones_action(enum zone_action a)
{
	static const char *const name[] = { "accept", "drop", "reject" };

	return name[a];
}

static void bridges_set(struct text *o, const struct zones *zs)
{
	text_put(o, "{ ");
	for (int i = 0; i < zs->nz; i++)
		text_put(o, "%s\"%s\"", i ? ", " : "", zs->z[i].br);
	text_put(o, " }");
}

static void rule(struct text *o, const char *chain)
{
	text_put(o, "add rule " ZONES_TABLE " %s ", chain);
}

/* The i-th interface dom0 is closed on: the zones' bridges, their NICs,
 * the NICs of CreateApp ZONE=none ("" for none). */
static const char *closed_dev(const struct zones *zs, int i)
{
	if (i < zs->nz)
		return zs->z[i].br;
	if (i < 2 * zs->nz)
		return zs->z[i - zs->nz].nic;
	i -= 2 * zs->nz;
	return zs->r[i].kind == ZONE_APP ? zs->r[i].nic : "";
}

static void input(struct text *o, const struct zones *zs)
{
	int first = 1;

	rule(o, "input");
	text_put(o, "ct state established,related accept\n");
	rule(o, "input");
	text_put(o, "jump before-input\n");
	for (int i = 0; i < zs->nr; i++) {
		const struct zone_rule *r = &zs->r[i];

		if (r->kind != ZONE_APP || r->zone >= 0)
			continue;
		rule(o, "input");
		text_put(o,
			 "iifname \"%s\" %s dport %u accept comment \"%s\"\n",
			 r->nic, zones_proto(r->proto), r->port, r->name);
	}
	if (zs->nz) {
		rule(o, "input");
		text_put(o, "iifname ");
		bridges_set(o, zs);
		text_put(
			o,
			" udp dport { 53, 67 } accept comment \"DNS and DHCP for the zones\"\n");
		rule(o, "input");
		text_put(o, "iifname ");
		bridges_set(o, zs);
		text_put(
			o,
			" tcp dport 53 accept comment \"DNS for the zones\"\n");
	}
	rule(o, "input");
	text_put(o, "meta l4proto { icmp, ipv6-icmp } accept\n");
	rule(o, "input");
	text_put(o, "jump after-input\n");
	/* Closed: the zones' bridges, and every NIC a zone or an app names,
	 * each once. */
	for (int i = 0; i < 2 * zs->nz + zs->nr; i++) {
		const char *dev = closed_dev(zs, i);
		int seen = !*dev;

		for (int j = 0; j < i && !seen; j++)
			seen = !strcmp(closed_dev(zs, j), dev);
		if (seen)
			continue;
		if (first)
			rule(o, "input");
		text_put(o, "%s\"%s\"", first ? "iifname { " : ", ", dev);
		first = 0;
	}
	if (!first)
		text_put(
			o,
			" } drop comment \"dom0 opens only what CreateApp says\"\n");
}

static void forward(struct text *o, const struct zones *zs)
{
	rule(o, "forward");
	text_put(o, "ct state established,related accept\n");
	rule(o, "forward");
	text_put(o, "jump before-forward\n");
	for (int i = 0; i < zs->nr; i++) {
		const struct zone_rule *r = &zs->r[i];

		if (r->kind != ZONE_TUNE)
			continue;
		rule(o, "forward");
		text_put(o, "%s \"%s\" %s dport %u %s comment \"%s: %s %s\"\n",
			 r->out ? "iifname" : "oifname", zs->z[r->zone].br,
			 zones_proto(r->proto), r->port,
			 zones_action(r->action), r->name, zs->z[r->zone].name,
			 r->out ? "out" : "in");
	}
	rule(o, "forward");
	text_put(
		o,
		"ct status dnat accept comment \"port forwards and mapped addresses\"\n");
	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];

		rule(o, "forward");
		text_put(
			o,
			"iifname \"%s\" oifname \"%s\" accept comment \"%s: within\"\n",
			z->br, z->br, z->name);
		if (z->nic[0]) {
			rule(o, "forward");
			text_put(
				o,
				"iifname \"%s\" oifname \"%s\" accept comment \"%s: out by %s\"\n",
				z->br, z->nic, z->name, z->nic);
		}
	}
	for (int i = 0; i < zs->nr; i++) {
		const struct zone_rule *r = &zs->r[i];

		if (r->kind != ZONE_ALLOW)
			continue;
		rule(o, "forward");
		text_put(
			o,
			"iifname \"%s\" oifname \"%s\" accept comment \"%s to %s\"\n",
			zs->z[r->zone].br, zs->z[r->to_zone].br,
			zs->z[r->zone].name, zs->z[r->to_zone].name);
	}
	rule(o, "forward");
	text_put(o, "jump after-forward\n");
	if (zs->nz) {
		rule(o, "forward");
		text_put(o, "iifname ");
		bridges_set(o, zs);
		text_put(o, " drop comment \"zones are isolated\"\n");
		rule(o, "forward");
		text_put(o, "oifname ");
		bridges_set(o, zs);
		text_put(o, " drop comment \"zones are isolated\"\n");
	}
}

static void nat(struct text *o, const struct zones *zs)
{
	for (int i = 0; i < zs->nr; i++) {
		const struct zone_rule *r = &zs->r[i];
		const struct zone *z;

		if (r->zone < 0 || (r->kind != ZONE_APP && r->kind != ZONE_MAP))
			continue;
		z = &zs->z[r->zone];
		rule(o, "prerouting");
		if (r->kind == ZONE_MAP) {
			text_put(o,
				 "ip daddr %s dnat ip to %s comment \"%s\"\n",
				 args_addr_text(&r->ext).s,
				 args_addr_text(&r->to).s, r->name);
			rule(o, "postrouting");
			text_put(
				o,
				"oifname \"%s\" ip saddr %s snat ip to %s comment \"%s\"\n",
				z->nic, args_addr_text(&r->to).s,
				args_addr_text(&r->ext).s, r->name);
			continue;
		}
		text_put(o, "iifname \"%s\" ", z->nic);
		if (z->ext.family)
			text_put(o, "ip daddr %s ", args_addr_text(&z->ext).s);
		text_put(o, "%s dport %u dnat ip to %s:%u comment \"%s\"\n",
			 zones_proto(r->proto), r->port,
			 args_addr_text(&r->to).s, r->to_port, r->name);
	}
	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];

		if (!z->nic[0])
			continue;
		rule(o, "postrouting");
		text_put(o, "oifname \"%s\" ip saddr %s ", z->nic, subnet(z).s);
		if (z->ext.family)
			text_put(o, "snat ip to %s comment \"%s: out as %s\"\n",
				 args_addr_text(&z->ext).s, z->name,
				 args_addr_text(&z->ext).s);
		else
			text_put(
				o,
				"masquerade comment \"%s: out as %s's address\"\n",
				z->name, z->nic);
	}
}

int zones_render_nft(const struct zones *zs, char *buf, size_t len)
{
	static const char *const admin[] = { "before-input", "after-input",
					     "before-forward",
					     "after-forward" };
	static const char *const ours[][2] = {
		{ "input",
		  "type filter hook input priority filter; policy accept;" },
		{ "forward",
		  "type filter hook forward priority filter; policy accept;" },
		{ "prerouting",
		  "type nat hook prerouting priority dstnat; policy accept;" },
		{ "postrouting",
		  "type nat hook postrouting priority srcnat; policy accept;" },
	};
	struct text o = TEXT_INIT(buf, len);

	text_put(&o, "add table " ZONES_TABLE "\n");
	for (size_t i = 0; i < 4; i++)
		text_put(&o, "add chain " ZONES_TABLE " %s\n", admin[i]);
	for (size_t i = 0; i < 4; i++)
		text_put(&o,
			 "add chain " ZONES_TABLE
			 " %s { %s }\nflush chain " ZONES_TABLE " %s\n",
			 ours[i][0], ours[i][1], ours[i][0]);
	input(&o, zs);
	forward(&o, zs);
	nat(&o, zs);
	if (o.full) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

int zones_render_plan(const struct zones *zs, char *buf, size_t len)
{
	struct text o = TEXT_INIT(buf, len);
	size_t used;

	text_put(&o, "# zones\n");
	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];

		text_put(&o, "#   %s: bridge %s, address %s (network %s), ",
			 z->name, z->br, args_addr_text(&z->in).s, subnet(z).s);
		if (z->pool[0].family)
			text_put(&o, "DHCP %s-%s, ",
				 args_addr_text(&z->pool[0]).s,
				 args_addr_text(&z->pool[1]).s);
		if (!z->nic[0])
			text_put(&o, "no uplink\n");
		else if (z->ext.family)
			text_put(&o, "out by %s as %s (added to %s)\n", z->nic,
				 args_addr_text(&z->ext).s, z->nic);
		else
			text_put(&o, "out by %s, masqueraded\n", z->nic);
	}
	for (int i = 0; i < zs->nr; i++)
		if (zs->r[i].kind == ZONE_MAP)
			text_put(&o, "#   %s: %s is %s (added to %s)\n",
				 zs->r[i].name, args_addr_text(&zs->r[i].ext).s,
				 args_addr_text(&zs->r[i].to).s,
				 zs->z[zs->r[i].zone].nic);
	text_put(&o, "# sysctl net.ipv4.ip_forward = 1\n");
	if (o.full) {
		errno = ENOSPC;
		return -1;
	}
	used = len - o.left;
	return zones_render_nft(zs, buf + used, len - used);
}
