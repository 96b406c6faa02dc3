/*
 * network-nat - let NAT guests (vif-nat, or bridged guests on a private
 * subnet) reach the outside through dom0's address.
 *
 *   network-nat start|stop|status [netdev=IF] [subnet=CIDR[,CIDR...]]
 *               [antispoof=yes|no] [dhcp=yes|no]
 *
 * Called by xend as its network-script, by the systemd unit
 * xen-network-nat.service, or by hand.  netdev: the device towards the
 * outside (default: the device of the IPv4 default route).  subnet: only
 * traffic from these sources is masqueraded (so that a routed guest with its
 * own public address keeps it); default: everything leaving by netdev.
 * Settings: firewall= (see vif-bridge(8)).
 *
 * start: IPv4 forwarding on; masquerading out of netdev, in the firewall's
 * own chains (nft: table inet xen, chain network-nat-postrouting; iptables:
 * nat chain xen-network-nat-post).  start again replaces it.  stop: the
 * masquerading removed and forwarding put back as it was.  status: in
 * words; exit 3 when not started.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "fw.h"
#include "log.h"
#include "net.h"

#define MAX_SUBNETS 16

static void start(struct net *n)
{
	struct args_addr subnets[MAX_SUBNETS];
	struct fw_nat nat = { .owner = "network-nat",
			      .out_dev = n->netdev,
			      .from = subnets };
	const char *want = args_get("subnet");

	nat.nfrom = net_networks(n, "subnet", subnets, MAX_SUBNETS);
	net_upstream_bool(n, "antispoof",
			  "anti-spoofing is per vif here: vif-nat's "
			  "antispoof= setting (default yes)");
	net_upstream_bool(n, "dhcp",
			  "the guests' leases are vif-nat's: enable "
			  "xen-nat-dhcp.service (dnsmasq) or keep dhcpd.conf");
	net_sysctl(n, "net/ipv4/ip_forward", "1");
	if (fw_nat_set(n->fw, &nat) < 0)
		net_abort(n, "masquerade out of %s with %s: %s", n->netdev,
			  fw_name(n->fw), fw_strerror(errno));
	/* What the guard checks: backend, device, sources (this start's). */
	state_filter(&n->st, "nat", NULL, NULL);
	net_state_add(n, "nat %s %s %s", fw_name(n->fw), n->netdev,
		      want ? want : "any");
	net_state_add(n, "say masquerading %s out of %s with %s",
		      want ? want : "everything", n->netdev, fw_name(n->fw));
}

int main(int argc, char **argv)
{
	struct net n;

	net_begin(&n, "network-nat", argc, argv, "start|stop|status",
		  "netdev|subnet|antispoof|dhcp", NET_NETDEV);
	if (!strcmp(n.command, "status"))
		net_status(&n);
	if (!strcmp(n.command, "start")) {
		start(&n);
	} else {
		if (fw_nat_clear("network-nat") < 0)
			log_warn("remove the masquerading: %m");
		net_sysctl_restore(&n);
	}
	net_end(&n);
}
