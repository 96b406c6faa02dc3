/* The skeleton of a vif script: what vif-common.sh and xen-hotplug-common.sh
 * did.  vif_begin() parses and validates the invocation, takes the vif's
 * lock and finds the device; the script does its work; vif_end() runs the
 * hooks and reports success.  vif_fatal() reports failure the way libxl
 * expects.
 *
 * The record: online leaves RUNDIR/vif/KNAME (state.h), what it made, for
 * the guard (xen-netscripts check and restore); offline removes it.
 * Restore mode: XEN_NETSCRIPTS_RESTORE=1 in the environment of online (the
 * guard's restore) does online again only while the backend is online and
 * connected, and never writes hotplug-status or runs the hooks. */
#ifndef XNS_VIF_H
#define XNS_VIF_H

#include <net/if.h>

#include "args.h"
#include "fw.h"
#include "state.h"
#include "xstore.h"

#define VIF_MAX_ADDRS 64

struct vif {
	const char *command; /* online, offline, add or remove */
	int up;		     /* online or add */
	int restore;	     /* restore mode: the guard's online */
	int tap;	     /* type_if=tap: the emulated NIC's tap device */
	char path[XSTORE_PATH_MAX]; /* the backend directory (XENBUS_PATH) */
	unsigned domid, devid;
	char kname[IFNAMSIZ];	/* the kernel's name: $vif, or $INTERFACE */
	char vifname[IFNAMSIZ]; /* the backend's vifname (+"-emu"), or "" */
	char dev[IFNAMSIZ];	/* the device we act on, once renamed */
	int present;		/* dev exists */
	int lost_kname; /* dev was found by vifname: kname must be put back */
	struct xs_handle *xs; /* connected on first use */
	/* The names of the backend's keys, listed by the first vif_key() (NULL:
	 * not listed, or the listing failed: every key is read). */
	char **keys;
	unsigned nkeys;
	int listed;
	/* Set by the script for the hooks (NULL: exported empty); ip is
	 * malloc'd and freed by vif_end(). */
	const char *bridge, *main_ip;
	char *ip;

	/* vif_read_guest(): what the guest may send, and how it is policed. */
	unsigned char mac[6];
	int has_mac;
	struct args_addr addrs[VIF_MAX_ADDRS];
	int naddrs;	    /* -1: no ip key, any address */
	enum fw_backend fw; /* firewall= */
	int antispoof;	    /* antispoof= (default yes) */
	int routed; /* set by vif-route and vif-nat: not a bridge port */
	/* vif_read_announce() (vif-route): the routes are announced while
	 * the device (not a tap) has carrier, with announce_metric= (0: their
	 * own). */
	int announce;
	unsigned announce_metric;

	struct state rec; /* the record, built as online goes */
	int rec_broken;	  /* a line could not be added: none written */
	int lock;	  /* the vif's lock, -1 before it is taken */
	/* The record of the last online (vif_recorded()): read yet, and
	 * there. */
	struct state last;
	int last_read, has_last;
};

/* The name of the lock of the vif called kname by the kernel (its name
 * stays an alternative name across renames), into out. */
void vif_lock_name(const char *kname, char *out, size_t len);

/* Parse argv and the environment, exit 0 for a command/type_if pair this
 * script ignores, exit 2 on misuse, take the vif's lock (the guard's restore
 * and libxl's runs of the same vif one after the other; in restore mode
 * exit 0 unless the backend is online and connected), and otherwise fill v:
 * backend path, device names, and whether the device exists (following a
 * rename done by an earlier online, even one killed before it kept the
 * kernel's name, which offline/remove put back at once).  Dies through
 * vif_fatal() on bad input. */
void vif_begin(struct vif *v, const char *prog, int argc, char **argv);

/* The value of key in the record of the vif's last online (what it
 * made), or NULL when there is none. */
const char *vif_recorded(struct vif *v, const char *key);

/* A parameter: the backend key name, else NAME=VALUE, else the environment;
 * malloc'd, NULL when unset or empty.  A value the store refuses to give
 * (overlong, control characters) is fatal. */
char *vif_param(struct vif *v, const char *name);

/* A backend key only (mtu, vlan, mac: what the toolstack writes); malloc'd,
 * NULL when absent.  Fatal when the store fails (but for ENOENT) or the
 * value is one it refuses (overlong, control characters).  The first call
 * lists the backend's keys: a key not among them is absent without a read
 * (the toolstack writes them all before it runs the script). */
char *vif_key(struct vif *v, const char *name);

/* Write key=value in the guest's frontend directory
 * /local/domain/DOMID/device/vif/DEVID; -1 with errno (the base rule: the
 * caller decides). */
int vif_write_frontend(struct vif *v, const char *key, const char *value);

/* Read and check the guest's mac and ip keys.  Fatal on a bad value,
 * before anything has been changed.  For online/add also each address
 * must be one a guest may send from (ARGS_POLICY_SOURCE: not /0, not
 * unspecified, loopback, multicast, broadcast or IPv4-mapped), and an ip
 * of white space alone is refused. */
void vif_read_guest(struct vif *v);

/* online of a routed device (vif-route, vif-nat), before anything changes:
 * each of the n addresses at a, which come from label ("ip", "router
 * address"), must be a single address (unless the settings routed_prefix4=
 * and routed_prefix6= allow shorter prefixes, of networks without host
 * bits), not link-local, and take no traffic from dom0 or another device
 * (route_addr_taken(); the same guest's tap or vif is not another).  Fatal
 * otherwise.  The settings must be loaded (vif_read_firewall()). */
void vif_check_routed(struct vif *v, const struct args_addr *a, int n,
		      const char *label);
/* Read and check the firewall= and antispoof= settings (argument,
 * environment, then ARGS_CONFIG).  Fatal on a bad value or settings file. */
void vif_read_firewall(struct vif *v);

/* The device towards the outside, into out: the backend's gatewaydev (what
 * libxl passes as $netdev), else netdev=, else the IPv4 default route's
 * device; with ipv4 not NULL also its primary IPv4 address.  It must exist
 * and be neither the loopback device nor the guest's own.  -1 with errno
 * and a message in err (the caller decides); fatal only when reading the
 * store fails (vif_key()). */
int vif_netdev(struct vif *v, char out[IFNAMSIZ], struct args_addr *ipv4,
	       char *err, size_t len);

/* A routed device (vif-route, vif-nat): up, dom0's address local on it as
 * /32, proxy ARP on.  Fatal on failure.  Recorded. */
void vif_routed_up(struct vif *v, const struct args_addr *local);
/* Its addresses removed and down, if it still exists; warnings only. */
void vif_routed_down(struct vif *v);

/* Read and check the setting announce_metric= (fatal when invalid), and
 * have vif_routes() announce. */
void vif_read_announce(struct vif *v);
/* The metric of a route of metric while announced; pure. */
unsigned vif_announced_metric(const struct vif *v, unsigned metric);

/* Route each of the guest's addresses to the device with metric: IPv4 with
 * preferred source src; IPv6 with proxy NDP for it on netdev (single
 * addresses only; netdev may be NULL when there is no IPv6 address), IPv6
 * forwarding and netdev's proxy_ndp turned on.  With v->announce and the
 * device's carrier on (its guest runs here), announced: protocol
 * ROUTE_PROTO_XEN and vif_announced_metric(), and a gratuitous ARP or
 * neighbour advertisement for each single address sent on netdev;
 * otherwise RTPROT_BOOT and metric.
 * Fatal on failure (not of the announcement's frames).  Recorded. */
void vif_routes(struct vif *v, unsigned metric, const struct args_addr *src,
		const char *netdev);
/* Undo vif_routes(), announced or not (netdev NULL: leave proxy NDP
 * entries, and so does another device's route to the address); warnings
 * only. */
void vif_unroute(struct vif *v, const char *netdev);

/* Allow the device exactly the guest's MAC and addresses (tagged frames
 * too when trunk), or with antispoof=no only remove earlier rules.  Fatal
 * when the firewall refuses.  Recorded. */
void vif_antispoof(struct vif *v, int trunk);
/* Remove the device's anti-spoofing from every backend; a warning if that
 * fails. */
void vif_antispoof_remove(struct vif *v);

/* online/add: give the device its vifname, its alias set to "xen KNAME" in
 * the same request and its kernel name kept as an alternative name; put that
 * name back when a killed run had left the device without it.  Refuses
 * (fatal) when another link already has that name, and when the device does
 * not exist. */
void vif_rename(struct vif *v);

/* Write hotplug-error=message and hotplug-status=error (not in restore
 * mode), log, exit 1. */
void vif_fatal(struct vif *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Run the vif-post hooks, write the record (online) or remove it (offline),
 * write hotplug-status=connected after a successful online of a vif,
 * release everything and exit 0.  In restore mode only the record. */
void vif_end(struct vif *v) __attribute__((noreturn));

#endif
