/*
 * network-route - make dom0 a router for routed guests (vif-route).
 *
 *   network-route start|stop|status [netdev=IF] [ipv6=yes] [antispoof=yes|no]
 *
 * Called by xend as its network-script (`network-route start`), by the
 * systemd unit xen-network-route.service, or by hand.  netdev: the device
 * towards the outside (default: the device of the IPv4 default route).
 *
 * start: IPv4 forwarding on, proxy ARP on netdev; with ipv6=yes also IPv6
 * forwarding and proxy NDP on netdev.  The values from before are kept in
 * /run/xen-netscripts/network-route.state.  start again changes nothing
 * more.  stop: the values from before start put back (unless changed since).
 * status: what start set, in words; exit 3 when not started.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "net.h"

#define ANTISPOOF_WHY                                                          \
	"anti-spoofing is per vif here: vif-route's antispoof= "               \
	"setting (default yes)"

static void start(struct net *n)
{
	char path[128];
	int v6 = args_bool("ipv6", 0);

	if (v6 < 0)
		net_fatal(n, "invalid ipv6 '%s': expected yes or no",
			  args_get("ipv6"));
	net_upstream_bool(n, "antispoof", ANTISPOOF_WHY);
	net_sysctl(n, "net/ipv4/ip_forward", "1");
	snprintf(path, sizeof(path), "net/ipv4/conf/%s/proxy_arp", n->netdev);
	net_sysctl(n, path, "1");
	if (v6) {
		net_sysctl(n, "net/ipv6/conf/all/forwarding", "1");
		snprintf(path, sizeof(path), "net/ipv6/conf/%s/proxy_ndp",
			 n->netdev);
		net_sysctl(n, path, "1");
	}
	net_state_add(n, "say routing for the guests through %s%s", n->netdev,
		      v6 ? ", IPv4 and IPv6" : "");
}

int main(int argc, char **argv)
{
	struct net n;

	net_begin(&n, "network-route", argc, argv, "start|stop|status",
		  "netdev|ipv6|antispoof", NET_NETDEV);
	if (!strcmp(n.command, "status"))
		net_status(&n);
	if (!strcmp(n.command, "start"))
		start(&n);
	else
		net_sysctl_restore(&n);
	net_end(&n);
}
