/*
 * vif-nat - give a guest's virtual interface a private address behind dom0.
 *
 * Called by libxl as `vif-nat online|offline type_if=vif` (and
 * `add|remove type_if=tap`), by xend as its vif-script, by hand.  Dom0
 * masquerades the guests with network-nat(8).
 *
 * Backend keys read: ip (the guest's address; default
 * 10.<domid/256>.<domid%256>.<handle+1>), handle, mac, vifname.  Settings
 * (argument, environment, /etc/xen/xen-netscripts.conf): firewall=,
 * antispoof= (see vif-bridge(8)); dhcp=yes|no (default: yes when a server
 * is found); dhcp_hostsdir= and dhcp_optsdir= (default
 * /run/xen-netscripts/dnsmasq/hosts and .../opts: the directories dnsmasq
 * reads with --dhcp-hostsdir and --dhcp-optsdir); dhcpd_conf= (an ISC
 * dhcpd.conf, default /etc/dhcp/dhcpd.conf).
 * Keys written: hotplug-status=connected after online, or hotplug-error.
 *
 * online/add: refuse (before any change) a guest or router address that
 * would take dom0's or another guest's traffic (vif-nat(8), ADDRESSES);
 * rename, up, the router address (the guest's with 127 added
 * to the last octet) on the vif as /32, a route to the guest from it, proxy
 * ARP, the guest's fixed DHCP lease (dnsmasq files, or the shell version's
 * dhcpd.conf stanza), anti-spoofing on ingress from the vif, the hooks.  Run
 * again it does the same (the shell version exited early, without writing
 * hotplug-status, when a route existed).  offline/remove: all of it undone.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <unistd.h>

#include "args.h"
#include "dhcp.h"
#include "log.h"
#include "nat.h"
#include "route.h"
#include "vif.h"

#define HOSTSDIR "/run/xen-netscripts/dnsmasq/hosts"
#define OPTSDIR "/run/xen-netscripts/dnsmasq/opts"
#define DHCPD_CONF "/etc/dhcp/dhcpd.conf"

static struct args_addr guest, router;
static char guest_ip[INET_ADDRSTRLEN], router_ip[INET_ADDRSTRLEN], hostname[32];
static char mac[ARGS_MAC_LEN];
static const char *hostsdir, *optsdir, *dhcpd_conf;
static int dhcp;

/* The guest's and the router's addresses and the host name; -1 with a
 * message in err. */
static int derive(struct vif *v, char *err, size_t len)
{
	if (nat_addresses(v, &guest, &router, hostname, sizeof(hostname), err,
			  len) < 0)
		return -1;
	args_addr_format(&guest, guest_ip, sizeof(guest_ip));
	args_addr_format(&router, router_ip, sizeof(router_ip));
	return 0;
}

static void dhcp_paths(void)
{
	hostsdir = args_setting_or("dhcp_hostsdir", HOSTSDIR);
	optsdir = args_setting_or("dhcp_optsdir", OPTSDIR);
	dhcpd_conf = args_setting_or("dhcpd_conf", DHCPD_CONF);
}

/* Everything from outside, checked before anything changes. */
static void read_config(struct vif *v)
{
	char err[256];

	vif_read_guest(v);
	if (derive(v, err, sizeof(err)) < 0)
		vif_fatal(v, "%s", err);
	v->main_ip = router_ip;
	/* The firewall lets the guest send from the derived address only. */
	v->addrs[0] = guest;
	v->naddrs = 1;
	if (v->has_mac)
		args_mac_format(v->mac, mac, sizeof(mac));

	vif_read_firewall(v);
	dhcp_paths();
	if (*hostsdir != '/' || *optsdir != '/' || *dhcpd_conf != '/')
		vif_fatal(v,
			  "dhcp_hostsdir, dhcp_optsdir and dhcpd_conf must be "
			  "absolute paths");
	dhcp = args_bool("dhcp", access(hostsdir, W_OK) == 0 ||
					 access(dhcpd_conf, W_OK) == 0);
	if (dhcp < 0)
		vif_fatal(v, "invalid dhcp '%s': expected yes or no",
			  args_setting("dhcp"));
	if (dhcp && !v->has_mac) {
		log_warn("no mac for %s: no DHCP lease", v->dev);
		dhcp = 0;
	}
	vif_check_routed(v, &guest, 1, v->ip ? "ip" : "derived address");
	vif_check_routed(v, &router, 1, "router address");
}

static void dhcp_up(struct vif *v)
{
	struct dhcp_host h = { v->dev, hostname, mac, guest_ip, router_ip };

	if (access(hostsdir, F_OK) == 0) {
		if (dhcp_dnsmasq_add(hostsdir, optsdir, &h) < 0)
			vif_fatal(v, "write the DHCP lease of %s into %s: %m",
				  v->dev, hostsdir);
	} else if (access(dhcpd_conf, F_OK) == 0) {
		if (dhcp_isc_add(dhcpd_conf, &h) < 0)
			vif_fatal(v, "add host %s to %s: %m", hostname,
				  dhcpd_conf);
		log_info("restart dhcpd for host %s in %s to take effect",
			 hostname, dhcpd_conf);
	} else {
		vif_fatal(v, "dhcp=yes, but neither %s nor %s exists", hostsdir,
			  dhcpd_conf);
	}
}

static void online(struct vif *v)
{
	read_config(v);
	vif_rename(v);
	vif_routed_up(v, &router);
	vif_routes(v, 0, &router, NULL);
	if (dhcp)
		dhcp_up(v);
	v->routed = 1;
	vif_antispoof(v, 0);
}

/* Every step is tried; a broken settings file does not stop it. */
static void offline(struct vif *v)
{
	char err[256];
	int known;

	vif_read_guest(v);
	vif_antispoof_remove(v);
	if (args_load_config(err, sizeof(err)) < 0)
		log_warn("%s: the DHCP paths' defaults are used", err);
	dhcp_paths();
	if (dhcp_dnsmasq_del(hostsdir, optsdir, v->dev) < 0)
		log_warn("remove the DHCP lease of %s: %m", v->dev);
	if (!(known = derive(v, err, sizeof(err)) == 0))
		log_warn("%s: routes and dhcpd.conf left as they are", err);
	if (known && dhcp_isc_del(dhcpd_conf, hostname) < 0)
		log_warn("remove host %s from %s: %m", hostname, dhcpd_conf);
	if (known && route_del(&guest, v->dev, 0) < 0)
		log_warn("remove the route to %s: %m", guest_ip);
	vif_routed_down(v);
}

int main(int argc, char **argv)
{
	struct vif v;

	vif_begin(&v, "vif-nat", argc, argv);
	if (v.up)
		online(&v);
	else
		offline(&v);
	vif_end(&v);
}
