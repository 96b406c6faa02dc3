/*
 * vif-route - give a guest's virtual interface routed connectivity.
 *
 * Called by libxl as `vif-route online|offline type_if=vif` (and
 * `add|remove type_if=tap` for an HVM guest's emulated NIC), by xend as its
 * vif-script, by hand.  Environment and arguments as for vif-bridge(8).
 *
 * Parameters: netdev (the environment, from the backend key gatewaydev, or
 * NAME=VALUE; default: the device of the IPv4 default route).
 * Backend keys read: ip (the guest's addresses: IPv4, IPv6; networks down
 * to the settings routed_prefix4= and routed_prefix6=), mac, vifname.
 * Settings: firewall=, antispoof= (see vif-bridge(8)), announce_metric=.
 * Keys written: hotplug-status=connected after online; hotplug-error and
 * hotplug-status=error on failure.
 *
 * online/add: refuse (before any change) an address or netdev that would
 * take dom0's or another guest's traffic (vif-route(8), ADDRESSES); rename,
 * up, dom0's primary IPv4 address of netdev on the vif as /32, proxy ARP on
 * the vif, a host route per guest address (src dom0's address, metric 2, or
 * 1 for a tap); for IPv6 addresses also proxy NDP on netdev and IPv6
 * forwarding; anti-spoofing on ingress from the vif; the hooks.  While the
 * vif has carrier (its guest runs here), its routes are announced: protocol
 * xen (220) and metric announce_metric= for routing daemons to export, and
 * gratuitous ARP / neighbour advertisements on netdev (vif-route(8),
 * ANNOUNCEMENT; xen-netscripts watch follows the carrier after online).
 * offline/remove: all of it removed again, the /32 included.
 */
#include <netinet/in.h>
#include <stdio.h>

#include "args.h"
#include "log.h"
#include "route.h"
#include "vif.h"

static char netdev[IFNAMSIZ], main_ip[INET6_ADDRSTRLEN];
static struct args_addr dom0;

static void read_config(struct vif *v)
{
	char err[256];

	if (vif_netdev(v, netdev, &dom0, err, sizeof(err)) < 0)
		vif_fatal(v, "%s", err);
	args_addr_format(&dom0, main_ip, sizeof(main_ip));
	v->main_ip = main_ip;
	vif_read_guest(v);
	vif_read_firewall(v);
	vif_check_routed(v, v->addrs, v->naddrs, "ip");
	vif_read_announce(v);
	v->routed = 1;
}

static void online(struct vif *v)
{
	read_config(v);
	vif_rename(v);
	vif_routed_up(v, &dom0);
	vif_routes(v, v->tap ? 1 : 2, &dom0, netdev);
	vif_antispoof(v, 0);
}

/* Every step is tried: the device may be gone, netdev may have changed. */
static void offline(struct vif *v)
{
	char err[256];

	vif_read_guest(v);
	v->routed = 1;
	vif_antispoof_remove(v);
	if (vif_netdev(v, netdev, NULL, err, sizeof(err)) < 0) {
		log_warn("%s: IPv6 proxy entries left alone", err);
		netdev[0] = 0;
	}
	vif_unroute(v, netdev[0] ? netdev : NULL);
	vif_routed_down(v);
}

int main(int argc, char **argv)
{
	struct vif v;

	vif_begin(&v, "vif-route", argc, argv);
	if (v.up)
		online(&v);
	else
		offline(&v);
	vif_end(&v);
}
