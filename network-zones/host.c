#define _GNU_SOURCE
/* network-zones on the host: start (zones_up, converging from what an
 * earlier start made), stop (zones_down) and status. */
#include "zones.h"

#include "args.h"
#include "link.h"
#include "log.h"
#include "net.h"
#include "route.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RULESET_MAX (256 * 1024)

/* Whether zs has a zone on bridge br (converge() keeps what it wants and
 * undoes the rest of what an earlier start made). */
static int wanted_bridge(const struct zones *zs, const char *br)
{
	for (int i = 0; i < zs->nz; i++)
		if (!strcmp(zs->z[i].br, br))
			return 1;
	return 0;
}

/* "DEV ADDRESS" */
static int parse_dev_addr(const char *line, char *dev, struct args_addr *a)
{
	char addrbuf[64];

	if (sscanf(line, "%15s %63s", dev, addrbuf) != 2 ||
	    args_addr(addrbuf, a) < 0)
		return -1;
	return 0;
}

/* Whether zs puts a on dev: a zone's address on its bridge or its external
 * address on its uplink. */
static int wanted_addr(const struct zones *zs, const char *dev,
		       const struct args_addr *a)
{
	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];

		if (!strcmp(z->br, dev) && !memcmp(z->in.a, a->a, 4))
			return 1;
		if (!strcmp(z->nic, dev) && z->ext.family &&
		    !memcmp(z->ext.a, a->a, 4))
			return 1;
	}
	for (int i = 0; i < zs->nr; i++)
		if (zs->r[i].kind == ZONE_MAP &&
		    !strcmp(zs->z[zs->r[i].zone].nic, dev) &&
		    !memcmp(zs->r[i].ext.a, a->a, 4))
			return 1;
	return 0;
}

/* A bridge start made, deleted unless vifs are still on it: 1 when it
 * stays. */
static int bridge_stays(const char *br)
{
	char ports[512];

	if (link_ports(br, ports, sizeof(ports)) < 0) {
		if (errno != ENODEV)
			log_warn("list the ports of %s: %m", br);
		return 0;
	}
	if (ports[0]) {
		log_warn("bridge %s still has %s: left in place", br, ports);
		return 1;
	}
	if (link_delete(br) < 0)
		log_warn("delete bridge %s: %m", br);
	return 0;
}

/* The state's "bridge" and "addr" lines: kept while zs (NULL at stop)
 * wants them, else undone. */
static int keep_bridge(const char *br, void *zs)
{
	return (zs && wanted_bridge(zs, br)) || bridge_stays(br);
}

static int keep_addr(const char *line, void *zs)
{
	char dev[IFNAMSIZ];
	struct args_addr a;

	if (parse_dev_addr(line, dev, &a) < 0)
		return 0;
	if (zs && wanted_addr(zs, dev, &a))
		return 1;
	if (route_addr_del(dev, &a) < 0)
		log_warn("remove %s: %m", line);
	return 0;
}

/* What an earlier start made that zs does not want any more. */
static void converge(struct net *n, const struct zones *zs)
{
	state_filter(&n->st, "bridge", keep_bridge, (void *)zs);
	state_filter(&n->st, "addr", keep_addr, (void *)zs);
}

/* Put a on dev, remembering it when it was not there. */
static void own_addr(struct net *n, const char *dev, const struct args_addr *a)
{
	char text[64];
	int has = route_has_addr(dev, a);

	args_addr_format(a, text, sizeof(text));
	if (has < 0)
		net_abort(n, "read the addresses of %s: %m", dev);
	if (has)
		return;
	if (route_addr_add(dev, a) < 0)
		net_abort(n, "add %s to %s: %m", text, dev);
	n->changed = 1;
	net_state_add(n, "addr %s %s", dev, text);
}

static void say(struct net *n, const struct zones *zs)
{
	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];

		net_state_add(n, "zone %s %s", z->name, z->br);
		if (!z->nic[0])
			net_state_add(n, "say zone %s: bridge %s %s, no uplink",
				      z->name, z->br, args_addr_text(&z->in).s);
		else
			net_state_add(
				n, "say zone %s: bridge %s %s, out by %s as %s",
				z->name, z->br, args_addr_text(&z->in).s,
				z->nic,
				z->ext.family ? args_addr_text(&z->ext).s
					      : "its address (masquerade)");
	}
	for (int i = 0; i < zs->nr; i++) {
		const struct zone_rule *r = &zs->r[i];

		if (r->kind == ZONE_APP && r->zone < 0)
			net_state_add(n, "say open on dom0: %s:%u on %s (%s)",
				      zones_proto(r->proto), r->port, r->nic,
				      r->name);
		else if (r->kind == ZONE_APP)
			net_state_add(
				n, "say forward %s: %s:%u on %s to %s:%u (%s)",
				zs->z[r->zone].name, zones_proto(r->proto),
				r->port, zs->z[r->zone].nic,
				args_addr_text(&r->to).s, r->to_port, r->name);
		else if (r->kind == ZONE_TUNE)
			net_state_add(n, "say %s %s: %s:%u %s (%s)",
				      zs->z[r->zone].name,
				      r->out ? "out" : "in",
				      zones_proto(r->proto), r->port,
				      zones_action(r->action), r->name);
		else if (r->kind == ZONE_MAP)
			net_state_add(n, "say map %s: %s is %s (%s)",
				      zs->z[r->zone].name,
				      args_addr_text(&r->ext).s,
				      args_addr_text(&r->to).s, r->name);
		else
			net_state_add(n, "say allow %s to %s",
				      zs->z[r->zone].name,
				      zs->z[r->to_zone].name);
	}
}

/* DHCP when dhcp=yes, or by default when the ethers file exists. */
static void dhcp(struct net *n, const struct zones *zs)
{
	const char *ethers = args_setting_or("ethers", "/etc/ethers");
	const char *hosts = args_setting_or("hosts", "/etc/hosts");
	char rundir[256], err[512];
	int on, count, pools = 0;

	for (int i = 0; i < zs->nz; i++)
		pools |= zs->z[i].pool[0].family != 0;
	if ((on = args_bool("dhcp", pools || access(ethers, R_OK) == 0)) <= 0)
		return; /* a bad value was refused by check() */
	snprintf(rundir, sizeof(rundir), "%s", n->state);
	*strrchr(rundir, '/') = 0;
	if (mkdir(rundir, 0755) < 0 && errno != EEXIST)
		net_abort(n, "create %s: %m", rundir);
	if ((count = zones_dhcp_write(zs, ethers, hosts, rundir, err,
				      sizeof(err))) < 0)
		net_abort(n, "DHCP for the zones: %s", err);
	net_state_add(
		n,
		"say DHCP: %d hosts from %s for dnsmasq (%s/network-zones.dnsmasq.conf)",
		count, ethers, rundir);
}

/* What can be checked is, before anything changes: the NICs, the bridges'
 * names, the ruleset (by the kernel, which the bridges need not exist for:
 * the rules match interfaces by name). */
static char *check(struct net *n, const struct zones *zs)
{
	char *ruleset, err[512];

	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];

		if (z->nic[0] && link_index(z->nic) < 0)
			net_fatal(n, "zone %s: NIC %s: %m", z->name, z->nic);
		if (link_is_bridge(z->br) == 0)
			net_fatal(n, "zone %s: %s exists and is not a bridge",
				  z->name, z->br);
	}
	for (int i = 0; i < zs->nr; i++)
		if (zs->r[i].kind == ZONE_APP && zs->r[i].zone < 0 &&
		    link_index(zs->r[i].nic) < 0)
			net_fatal(n, "%s: NIC %s: %m", zs->r[i].name,
				  zs->r[i].nic);
	if (args_bool("dhcp", 0) < 0)
		net_fatal(n, "invalid dhcp '%s': expected yes or no",
			  args_setting("dhcp"));
	if (!(ruleset = malloc(RULESET_MAX)))
		net_fatal(n, "out of memory");
	if (zones_render_nft(zs, ruleset, RULESET_MAX) < 0) {
		free(ruleset);
		net_fatal(n, "the zones' ruleset is too long");
	}
	if (zones_nft_check(ruleset, err, sizeof(err)) < 0) {
		free(ruleset);
		net_fatal(n, "check the zones' ruleset: %s", err);
	}
	return ruleset;
}

void zones_up(struct net *n, const struct zones *zs)
{
	char *ruleset = check(n, zs), err[512];
	struct args_addr host;

	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];
		int made = link_create_bridge(z->br);

		if (made < 0)
			net_abort(n, "create bridge %s: %m", z->br);
		n->changed |= made;
		if (made)
			net_state_add(n, "bridge %s", z->br);
		own_addr(n, z->br, &z->in);
		if (link_set_up(z->br, 1) < 0)
			net_abort(n, "set %s up: %m", z->br);
		host = z->ext;
		host.prefix = 32;
		if (z->ext.family)
			own_addr(n, z->nic, &host);
	}
	for (int i = 0; i < zs->nr; i++) {
		if (zs->r[i].kind != ZONE_MAP)
			continue;
		host = zs->r[i].ext;
		own_addr(n, zs->z[zs->r[i].zone].nic, &host);
	}
	net_sysctl(n, "net/ipv4/ip_forward", "1");
	if (zones_nft_apply(ruleset, err, sizeof(err)) < 0) {
		free(ruleset);
		net_abort(n, "apply the zones' ruleset: %s", err);
	}
	free(ruleset);
	state_filter(&n->st, "zone", NULL, NULL);
	say(n, zs);
	converge(n, zs);
	dhcp(n, zs);
}

/* Whether the administrator's chains hold rules. */
static int admin_rules(void)
{
	char *out = malloc(RULESET_MAX), err[256], *line, *save = NULL;
	int in_admin = 0, rules = 0;

	if (!out || zones_nft_list("table " ZONES_TABLE, out, RULESET_MAX, err,
				   sizeof(err)) < 0) {
		free(out);
		return 0;
	}
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		while (*line == '\t' || *line == ' ')
			line++;
		if (!strncmp(line, "chain ", 6))
			in_admin = !strncmp(line + 6, "before-", 7) ||
				   !strncmp(line + 6, "after-", 6);
		else if (in_admin && *line && *line != '}')
			rules++;
	}
	free(out);
	return rules;
}

void zones_down(struct net *n)
{
	char err[512];

	if (admin_rules()) {
		if (zones_nft_apply("delete chain " ZONES_TABLE
				    " input\ndelete chain " ZONES_TABLE
				    " forward\ndelete chain " ZONES_TABLE
				    " prerouting\ndelete chain " ZONES_TABLE
				    " postrouting\n",
				    err, sizeof(err)) < 0)
			log_warn("remove the zones' chains: %s", err);
		else
			log_info(
				"table %s kept: the administrator's chains hold rules",
				ZONES_TABLE);
	} else if (zones_nft_apply("destroy table " ZONES_TABLE "\n", err,
				   sizeof(err)) < 0 &&
		   zones_nft_apply("delete table " ZONES_TABLE "\n", err,
				   sizeof(err)) < 0 &&
		   !strstr(err, "No such file")) {
		log_warn("remove table %s: %s", ZONES_TABLE, err);
	}
	state_filter(&n->st, "addr", keep_addr, NULL);
	state_filter(&n->st, "bridge", keep_bridge, NULL);
	net_sysctl_restore(n);
}

static int print_zone(const char *line, void *unused)
{
	char name[ZONES_NAME], br[IFNAMSIZ], ports[512];

	(void)unused;
	if (sscanf(line, "%31s %15s", name, br) != 2)
		return 1;
	if (link_ports(br, ports, sizeof(ports)) < 0)
		snprintf(ports, sizeof(ports), "(bridge %s is gone)", br);
	printf("  zone %s: vifs on %s: %s\n", name, br,
	       ports[0] ? ports : "none");
	return 1;
}

void zones_print_status(struct net *n)
{
	state_filter(&n->st, "zone", print_zone, NULL);
}
