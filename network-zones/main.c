/*
 * network-zones - one bridge per security zone, NAT per zone, port
 * forwards, dom0's open ports and a zone firewall (Fridu-in-Xen's network
 * script and firewall, done properly).
 *
 *   network-zones start|stop|status|plan [BR:ADDRESS:NETMASK...]
 *                 [config=PATH] [NAME=VALUE...]
 *
 * As xend's network-script, the seed's way: `network-zones start
 * xen-br1:10.10.1.1:255.255.255.0 ...` makes each bridge with its address.
 * With a configuration (config=, default /etc/xen/network-zones.conf when it
 * exists; statements in zones.h and network-zones(8)): zones with uplinks,
 * NAT, forwards, 1:1 addresses, dom0's open ports and the zone firewall, in
 * nftables table inet xen-zones (the administrator's chains before-input,
 * after-input, before-forward and after-forward survive restarts).
 *
 * start: bridges, addresses, forwarding, the ruleset (one transaction);
 * start again converges to a changed configuration without dropping the
 * established connections.  stop: what start created goes (bridges with
 * guests still attached stay, with a warning).  status: each zone in words.
 * plan: print what start would do, in nft syntax, and change nothing.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "log.h"
#include "fw.h"
#include "net.h"
#include "zones.h"

#define CONFIG "/etc/xen/network-zones.conf"
#define PLAN_MAX (256 * 1024)

static struct zones zs;
static char plan[PLAN_MAX];

/* The zones: the configuration file, then the bridges given as words. */
static void read_zones(struct net *n, int argc, char **argv)
{
	const char *config = args_get("config");
	char err[512];

	if (!config && access(CONFIG, F_OK) == 0)
		config = CONFIG;
	memset(&zs, 0, sizeof(zs));
	if (config && zones_parse_file(config, &zs, err, sizeof(err)) < 0)
		net_fatal(n, "%s", err);
	for (int i = 1; i < argc; i++)
		if (strchr(argv[i], ':') && !strchr(argv[i], '=') &&
		    zones_add_bridge_spec(&zs, argv[i], err, sizeof(err)) < 0)
			net_fatal(n, "%s", err);
	if (!zs.nz)
		net_fatal(n, "no zone: give BR:ADDRESS:NETMASK or config=PATH");
}

int main(int argc, char **argv)
{
	char *words[argc + 1];
	int nwords = 0;
	struct net n;

	/* The bridge words are ours; the rest is the usual command line. */
	for (int i = 0; i < argc; i++)
		if (i == 0 || !strchr(argv[i], ':') || strchr(argv[i], '='))
			words[nwords++] = argv[i];
	words[nwords] = NULL;
	net_begin(&n, "network-zones", nwords, words, "start|stop|status|plan",
		  "config|dhcp|ethers|hosts", 0);
	n.argc = argc; /* start records the bridge words too */
	n.argv = argv;
	if (!strcmp(n.command, "status")) {
		if (!net_status_print(&n))
			net_exit(&n, 3);
		zones_print_status(&n);
		net_exit(&n, 0);
	}
	if (!strcmp(n.command, "stop")) {
		zones_down(&n);
		net_end(&n);
	}
	read_zones(&n, argc, argv);
	if (!strcmp(n.command, "plan")) {
		if (zones_render_plan(&zs, plan, sizeof(plan)) < 0)
			net_fatal(&n, "the plan is too long");
		fputs(plan, stdout);
		net_exit(&n, 0);
	}
	/* Only an explicit firewall= matters: the zones are nftables'. */
	if (args_setting("firewall") && n.fw != FW_NFT)
		net_fatal(&n,
			  "network-zones writes its NAT and firewall with "
			  "nftables: firewall=%s is not supported",
			  fw_name(n.fw));
	zones_up(&n, &zs);
	net_end(&n);
}
