/*
 * vif-bridge - attach a guest's virtual interface to a bridge.
 *
 * Called by libxl as `vif-bridge online|offline type_if=vif` for the netback
 * device, and `vif-bridge add|remove type_if=tap` for an HVM guest's emulated
 * NIC; by xend as its vif-script; by hand for testing.
 *
 * Environment: XENBUS_PATH (backend/vif/DOMID/DEVID), vif (vifDOMID.DEVID)
 * or INTERFACE (the tap run).  NAME=VALUE arguments and then backend keys
 * override the environment.
 *
 * Backend keys read: bridge (else the first bridge; an absent xenbrN becomes
 * ethN when that is a bridge), vifname, mtu (else the bridge's), vlan (xl
 * syntax, see vlan.h), mac, ip.  Settings (argument, environment, then
 * /etc/xen/xen-netscripts.conf): firewall=auto|nft|iptables|none,
 * antispoof=yes|no.
 * Keys written: hotplug-status=connected after online; hotplug-error and
 * hotplug-status=error on failure; the frontend's device/vif/DEVID/mtu.
 *
 * online/add: rename to vifname, down, MAC fe:ff:ff:ff:ff:ff, flush addresses,
 * MTU, enslave, VLANs, anti-spoofing (the guest's port may send only from its
 * mac and ip), up; then the vif-post hooks.  offline/remove: anti-spoofing
 * removed, down, release from the bridge; a device that is already gone is
 * not an error.
 * Every command can be repeated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "link.h"
#include "log.h"
#include "route.h"
#include "vif.h"
#include "vlan.h"

/* The largest non-broadcast MAC, so that the bridge never takes the vif's
 * address as its own. */
static const unsigned char port_mac[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };

static char bridge[IFNAMSIZ];
static struct link_bridge br; /* as read_config() found it */

/* Everything from outside is checked before anything is changed. */
static void read_config(struct vif *v, unsigned long *mtu,
			struct vlan_spec *vlans, int *has_vlans)
{
	char *want = vif_param(v, "bridge"), *val, err[128];

	if (want && args_ifname(want) < 0)
		vif_fatal(v, "invalid bridge name '%s'", want);
	if (link_find_bridge(want, &br) < 0) {
		if (!want)
			vif_fatal(
				v,
				"Could not find bridge, and none was specified");
		vif_fatal(v, "Could not find bridge device %s: %m", want);
	}
	free(want);
	snprintf(bridge, sizeof(bridge), "%s", br.name);
	v->bridge = bridge;

	*mtu = 0;
	if ((val = vif_key(v, "mtu")) && args_uint(val, 68, 65535, mtu) < 0)
		vif_fatal(
			v,
			"invalid mtu '%s': expected a number from 68 to 65535",
			val);
	free(val);

	*has_vlans = 0;
	if ((val = vif_key(v, "vlan"))) {
		if (vlan_parse(val, vlans, err, sizeof(err)) < 0)
			vif_fatal(v, "invalid vlan '%s': %s", val, err);
		*has_vlans = 1;
	}
	free(val);

	vif_read_guest(v);
	vif_read_firewall(v);
}

static void set_mtu(struct vif *v, unsigned long mtu)
{
	char buf[16];

	if (!mtu)
		mtu = br.mtu;
	if (link_set_mtu(v->dev, (unsigned)mtu) < 0)
		log_warn("set MTU %lu on %s: %m", mtu, v->dev);
	snprintf(buf, sizeof(buf), "%lu", mtu);
	/* A driver domain may not write the frontend: not fatal. */
	if (!v->tap && vif_write_frontend(v, "mtu", buf) < 0)
		log_warn("write the frontend's mtu for %s: %m", v->dev);
}

/* Before the vif is touched: a bridge that cannot filter VLANs would let
 * the guest see every VLAN, so that is an error, not a warning. */
static void vlan_filtering(struct vif *v)
{
	int on = link_vlan_filtering(bridge);

	if (on < 0)
		vif_fatal(v, "read VLAN filtering of %s: %m", bridge);
	if (on)
		return;
	if (link_set_vlan_filtering(bridge, 1) < 0) {
		if (errno == EOPNOTSUPP)
			vif_fatal(
				v,
				"vlan for %s: bridge %s cannot filter VLANs "
				"(kernel without CONFIG_BRIDGE_VLAN_FILTERING)",
				v->dev, bridge);
		vif_fatal(v, "turn on VLAN filtering on %s: %m", bridge);
	}
	log_info("turned on VLAN filtering on bridge %s for %s", bridge,
		 v->dev);
}

static void set_vlans(struct vif *v, const struct vlan_spec *vlans)
{
	char desc[256];

	if (link_set_port_vlans(v->dev, vlans) < 0)
		vif_fatal(v, "set the VLANs of %s on %s: %m", v->dev, bridge);
	if (vlan_format(vlans, desc, sizeof(desc)) == 0)
		log_debug("%s on %s: VLAN %s", v->dev, bridge, desc);
}

static void online(struct vif *v)
{
	struct vlan_spec vlans;
	unsigned long mtu;
	int has_vlans;

	read_config(v, &mtu, &vlans, &has_vlans);
	if (has_vlans)
		vlan_filtering(v);
	vif_rename(v);
	/* A restore repairs a running guest's port: no gap in its traffic. */
	if (!v->restore && link_set_up(v->dev, 0) < 0)
		vif_fatal(v, "set %s down: %m", v->dev);
	if (link_set_mac(v->dev, port_mac) < 0)
		log_debug("set the MAC of %s: %m", v->dev);
	if (route_flush_addrs(v->dev) < 0)
		vif_fatal(v, "flush the addresses of %s: %m", v->dev);
	set_mtu(v, mtu);
	if (link_enslave(v->dev, br.ifindex) < 0)
		vif_fatal(v, "attach %s to %s: %m", v->dev, bridge);
	if (has_vlans)
		set_vlans(v, &vlans);
	vif_antispoof(v, has_vlans && vlan_is_trunk(&vlans));
	if (link_set_up(v->dev, 1) < 0)
		vif_fatal(v, "set %s up: %m", v->dev);
}

static void offline(struct vif *v)
{
	const char *was;

	vif_antispoof_remove(v);
	if (!v->present)
		return;
	if (link_set_up(v->dev, 0) < 0)
		log_debug("set %s down: %m", v->dev);
	/* For the log and the hooks: the bridge online attached it to, from
	 * its record (no RTM_GETLINK, see link.c), else the one it is on. */
	if ((was = vif_recorded(v, "bridge")) && args_ifname(was) == 0)
		snprintf(bridge, sizeof(bridge), "%s", was);
	else if (link_master(v->dev, bridge) < 0)
		bridge[0] = 0;
	if (bridge[0])
		v->bridge = bridge;
	if (link_release(v->dev) < 0)
		log_warn("release %s from its bridge: %m", v->dev);
}

int main(int argc, char **argv)
{
	struct vif v;

	vif_begin(&v, "vif-bridge", argc, argv);
	if (v.up)
		online(&v);
	else
		offline(&v);
	vif_end(&v);
}
