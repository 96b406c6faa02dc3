#define _GNU_SOURCE
#include "vif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "about.h"
#include "announce.h"
#include "args.h"
#include "hooks.h"
#include "link.h"
#include "lock.h"
#include "log.h"
#include "netlink.h"
#include "route.h"
#include "sysctl.h"
#include "text.h"

void vif_lock_name(const char *kname, char *out, size_t len)
{
	snprintf(out, len, "xen-netscripts-%s", kname);
}

static void finish(struct vif *v)
{
	char name[32];

	if (v->lock >= 0) {
		vif_lock_name(v->kname, name, sizeof(name));
		lock_release(name, v->lock);
		v->lock = -1;
	}
	state_clear(&v->rec);
	state_clear(&v->last);
	free(v->ip);
	v->ip = NULL;
	free(v->keys);
	v->keys = NULL;
	args_free_config();
	xstore_close(v->xs);
	v->xs = NULL;
	netlink_close();
	closelog();
	announce_close(); /* last: these may fork */
	fw_close();
}

/* The connection to xenstore, made on first use: an offline that needs no
 * key never connects.  Exits 1 when there is none. */
static struct xs_handle *store(struct vif *v)
{
	if (!v->xs && !(v->xs = xstore_open())) {
		log_err("connect to xenstore: %m");
		finish(v);
		exit(1);
	}
	return v->xs;
}

void vif_fatal(struct vif *v, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("%s", msg);
	/* A restore's refusal is the guard's to report: libxl is not
	 * waiting, and the guest stays connected. */
	if (v->path[0] && !v->restore) {
		if (!v->xs)
			v->xs = xstore_open();
		if (v->xs && xstore_hotplug_error(v->xs, v->path, msg) < 0)
			log_err("write hotplug-error under %s: %m", v->path);
	}
	finish(v);
	exit(1);
}

/* Add a line to the record.  The record is the guard's: when a line cannot
 * be added (out of memory, a by-hand argument with a control character)
 * online goes on without one (the guard reports the vif as unrecorded),
 * but a restore, which exists for the guard, fails. */
static void recorded(struct vif *v, int rc)
{
	if (rc == 0 || v->rec_broken++)
		return;
	if (v->restore)
		vif_fatal(v, "record what online made: %m");
	log_warn("record what online made: %m: no record for the guard");
}

static void record(struct vif *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void record(struct vif *v, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = state_vadd(&v->rec, fmt, ap);
	va_end(ap);
	recorded(v, rc);
}
static void record_path(const struct vif *v, char *out, size_t len)
{
	snprintf(out, len, "%s/vif/%s", state_rundir(), v->kname);
}

/* A vif script's usage line after its name, and the rest of its --help. */
#define SYNOPSIS "online|offline|add|remove [type_if=vif|tap] [NAME=VALUE]..."
static const char help[] =
	"Run by the toolstack with XENBUS_PATH (backend/vif/DOMID/DEVID) and\n"
	"vif (INTERFACE with type_if=tap) in the environment.  A value comes\n"
	"from the backend's key, else a NAME=VALUE argument, else the\n"
	"environment.\n"
	"Settings (argument, environment, then " ARGS_CONFIG "):\n"
	"firewall=auto|nft|iptables|none, antispoof=yes|no.\n";

static void usage(struct vif *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
static void usage(struct vif *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap);
	va_end(ap);
	log_err("usage: %s " SYNOPSIS, log_prog());
	finish(v);
	exit(2);
}

/* A value from outside, escaped and cut for a message. */
#define SHOWN 64
#define SHOWN_SIZE (4 * SHOWN + 4)

/* Whether the backend may have key name: one listing of its directory
 * costs what one read does, and spares a read of every key that is not
 * there (vifname, mtu, vlan are seldom set). */
static int may_have(struct vif *v, const char *name)
{
	if (!v->listed) {
		v->listed = 1;
		v->keys = xstore_list(store(v), v->path, &v->nkeys);
	}
	for (unsigned i = 0; v->keys && i < v->nkeys; i++)
		if (!strcmp(v->keys[i], name))
			return 1;
	return !v->keys;
}

char *vif_key(struct vif *v, const char *name)
{
	char why[96], shown[SHOWN_SIZE];
	unsigned len;
	char *val;

	if (!may_have(v, name))
		return NULL;
	if (!(val = xstore_read_raw(store(v), v->path, name, &len))) {
		if (errno != ENOENT)
			vif_fatal(v, "read %s/%s from xenstore: %m", v->path,
				  name);
		return NULL;
	}
	if (xstore_value_check(val, len, why, sizeof(why)) < 0) {
		text_escape(shown, sizeof(shown), val, len, SHOWN);
		free(val);
		vif_fatal(v, "invalid %s '%s': %s", name, shown, why);
	}
	if (!*val) {
		free(val);
		return NULL;
	}
	return val;
}

char *vif_param(struct vif *v, const char *name)
{
	char *val = vif_key(v, name);
	const char *arg;

	if (val)
		return val;
	arg = args_get(name);
	if (arg && !(val = strdup(arg)))
		vif_fatal(v, "out of memory");
	return val;
}

int vif_write_frontend(struct vif *v, const char *key, const char *value)
{
	char dir[XSTORE_PATH_MAX];

	snprintf(dir, sizeof(dir), "/local/domain/%u/device/vif/%u", v->domid,
		 v->devid);
	return xstore_write(store(v), dir, key, value);
}

/* The tap device of domain D's NIC N is vifD.N-emu. */
static int tap_ids(const char *name, unsigned *domid, unsigned *devid)
{
	char tail[8];

	if (sscanf(name, "vif%u.%u%7s", domid, devid, tail) != 3 ||
	    strcmp(tail, "-emu") != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* The alias vif_rename() gives the device with its new name: "xen " and the
 * kernel's name. */
static void rename_mark(const struct vif *v, char *out, size_t len)
{
	snprintf(out, len, "xen %s", v->kname);
}

/* Whether the link called name is this vif's device: netback made it for
 * this domid and devid, or our rename marked it. */
static int is_ours(const struct vif *v, const char *name)
{
	char mark[8 + IFNAMSIZ];

	rename_mark(v, mark, sizeof(mark));
	return link_is_netback(name, v->domid, v->devid) ||
	       link_has_alias(name, mark) == 1;
}

/* Put the kernel's name back on the renamed device as an alternative name;
 * -1 with errno. */
static int restore_kname(struct vif *v)
{
	if (link_add_altname(v->dev, v->kname) < 0)
		return -1;
	log_info("gave %s back its kernel name %s as an alternative name",
		 v->dev, v->kname);
	v->lost_kname = 0;
	return 0;
}

/* The backend's vifname into v->vifname, checked. */
static void read_vifname(struct vif *v)
{
	char *vifname = vif_key(v, "vifname");

	if (vifname) {
		size_t max = IFNAMSIZ - 1 - (v->tap ? 4 : 0);
		const char *why;

		if (v->tap && strlen(vifname) > max)
			vif_fatal(
				v,
				"invalid vifname '%s': longer than %zu characters, "
				"the most that leaves room for '-emu'",
				vifname, max);
		if (args_new_ifname(vifname, &why) < 0)
			vif_fatal(v, "invalid vifname '%s': %s", vifname, why);
		snprintf(v->vifname, IFNAMSIZ, "%s%s", vifname,
			 v->tap ? "-emu" : "");
		free(vifname);
	}
}

static void find_device(struct vif *v)
{
	/* online renames to vifname; offline needs it only to find a device
	 * that lost its kernel name. */
	if (v->up)
		read_vifname(v);
	/* The kernel's name finds the device even once renamed (it stays as an
	 * alternative name).  A run killed between the rename and the altname
	 * leaves it called vifname alone: found by that when it is ours.  A
	 * vifname that is not ours is never touched: it may be another guest's
	 * device. */
	if (link_name(v->kname, v->dev) == 0) {
		v->present = 1;
		return;
	}
	if (!v->up)
		read_vifname(v);
	if (v->vifname[0] && is_ours(v, v->vifname)) {
		memcpy(v->dev, v->vifname, IFNAMSIZ);
		v->present = 1;
		v->lost_kname = 1;
	} else {
		memcpy(v->dev, v->kname, IFNAMSIZ);
		v->present = 0;
	}
	/* offline changes nothing that could be refused: repair now; online
	 * does it in vif_rename(), after its checks. */
	if (v->lost_kname && !v->up && restore_kname(v) < 0)
		log_warn("give %s back its kernel name %s: %m", v->dev,
			 v->kname);
}

static void take_lock(struct vif *v)
{
	char name[32];

	vif_lock_name(v->kname, name, sizeof(name));
	if ((v->lock = lock_claim(name)) < 0)
		vif_fatal(v, "take lock %s: %m", name);
}

/* The parameters a vif script takes from its environment (below its
 * arguments and the backend's keys): recorded, so that a restore sees
 * them as online did, and sees none of the guard's own environment. */
static const char *const env_params[] = {
	"bridge",
	"ip",
	"mac",
	"netdev",
	"vifname",
	"firewall",
	"antispoof",
	"dhcp",
	"dhcp_hostsdir",
	"dhcp_optsdir",
	"dhcpd_conf",
	"routed_prefix4",
	"routed_prefix6",
	"announce_metric",
	"XEN_NETSCRIPTS_CONF",
	"XEN_SCRIPT_DIR",
	NULL,
};

/* Restore mode goes on only for a backend that is online (libxl writes
 * online=0 before offline) and connected (its online succeeded). */
static void check_restore(struct vif *v)
{
	char *online, *status, *script, *slash;
	int go;

	if (!v->up)
		usage(v, "XEN_NETSCRIPTS_RESTORE is for online and add");
	online = vif_key(v, "online");
	status = vif_key(v, "hotplug-status");
	script = vif_key(v, "script");
	/* ... and still ours: the NIC was not replaced by another script's
	 * since the guard looked. */
	go = online && !strcmp(online, "1") && status &&
	     !strcmp(status, "connected") && script &&
	     (slash = strrchr(script, '/')) && !strcmp(slash + 1, log_prog());
	free(online);
	free(status);
	free(script);
	if (go)
		return;
	log_info("%s: the backend %s is not online and connected: nothing to "
		 "restore",
		 v->kname, v->path);
	finish(v);
	exit(0);
}

void vif_begin(struct vif *v, const char *prog, int argc, char **argv)
{
	const struct about about = { prog, SYNOPSIS, help };
	const char *type_if, *path, *kname;
	char err[256];
	int st;

	if ((st = about_answer(&about, argc, argv, stdout)) >= 0)
		exit(st);
	memset(v, 0, sizeof(*v));
	v->lock = -1;
	log_init(prog);
	if (args_init(argc, argv, err, sizeof(err)) < 0)
		usage(v, "%s", err);
	v->command = args_command();
	if (!v->command)
		usage(v, "no command given");
	type_if = args_get("type_if");
	if (!type_if)
		type_if = "vif";
	if (strcmp(type_if, "vif") != 0 && strcmp(type_if, "tap") != 0)
		usage(v, "unknown interface type '%s'", type_if);
	v->tap = strcmp(type_if, "tap") == 0;
	if (strcmp(v->command, "online") == 0 ||
	    strcmp(v->command, "offline") == 0) {
		if (v->tap)
			exit(0);
	} else if (strcmp(v->command, "add") == 0 ||
		   strcmp(v->command, "remove") == 0) {
		if (!v->tap)
			exit(0);
	} else {
		usage(v, "invalid command '%s'", v->command);
	}
	v->up = strcmp(v->command, "online") == 0 ||
		strcmp(v->command, "add") == 0;
	/* The environment only: the guard sets it, never a key or a setting. */
	v->restore = getenv("XEN_NETSCRIPTS_RESTORE") &&
		     args_parse_bool(getenv("XEN_NETSCRIPTS_RESTORE")) == 1;

	kname = args_get(v->tap ? "INTERFACE" : "vif");
	path = args_get("XENBUS_PATH");
	if (path) {
		if (xstore_vif_path(path, &v->domid, &v->devid) < 0)
			usage(v,
			      "invalid XENBUS_PATH '%s': expected backend/vif/DOMID/DEVID",
			      path);
		snprintf(v->path, sizeof(v->path), "%s", path);
	} else if (v->tap && kname &&
		   tap_ids(kname, &v->domid, &v->devid) == 0) {
		/* Relative, so that a driver domain finds its own backend. */
		snprintf(v->path, sizeof(v->path), "backend/vif/%u/%u",
			 v->domid, v->devid);
	} else {
		usage(v, "XENBUS_PATH is not set");
	}
	if (!kname)
		vif_fatal(v, "%s is not set", v->tap ? "INTERFACE" : "vif");
	if (args_ifname(kname) < 0)
		vif_fatal(v, "invalid interface name '%s'", kname);
	snprintf(v->kname, IFNAMSIZ, "%s", kname);
	take_lock(v);
	if (v->restore)
		check_restore(v);
	if (v->up) {
		record(v, "script %s", prog);
		record(v, "path %s", v->path);
		record(v, "type %s", type_if);
		recorded(v, state_add_env(&v->rec, env_params));
		for (int i = 1; i < argc; i++)
			if (strchr(argv[i], '=') &&
			    strncmp(argv[i], "type_if=", 8))
				record(v, "arg %s", argv[i]);
	}
	find_device(v);
	log_debug("%s %s type_if=%s XENBUS_PATH=%s dev=%s", prog, v->command,
		  type_if, v->path, v->dev);
}

void vif_read_guest(struct vif *v)
{
	char *mac, why[96], shown[SHOWN_SIZE];

	if ((mac = vif_param(v, "mac"))) {
		if (args_mac(mac, v->mac) < 0)
			vif_fatal(v, "invalid mac '%s'", mac);
		v->has_mac = 1;
		free(mac);
	}
	v->naddrs = -1;
	free(v->ip);
	if (!(v->ip = vif_param(v, "ip")))
		return;
	text_escape(shown, sizeof(shown), v->ip, strlen(v->ip), SHOWN);
	v->naddrs = args_addr_list_err(v->ip, v->addrs, VIF_MAX_ADDRS, why,
				       sizeof(why));
	if (v->naddrs < 0)
		vif_fatal(v, "invalid ip '%s': %s", shown, why);
	/* offline takes back whatever an earlier online was allowed. */
	if (!v->up)
		return;
	if (v->naddrs == 0)
		vif_fatal(
			v,
			"invalid ip '%s': no address in it (without an ip key, "
			"any source address is allowed)",
			shown);
	for (int i = 0; i < v->naddrs; i++)
		if (args_addr_allowed(&v->addrs[i], &ARGS_POLICY_SOURCE, why,
				      sizeof(why)) < 0) {
			args_addr_format(&v->addrs[i], shown, sizeof(shown));
			vif_fatal(v, "invalid ip '%s': %s", shown, why);
		}
}

/* The same guest's other device: the tap of a vif, the vif of a tap (by
 * the kernel's names, which stay as alternative names); "" when the name
 * would not fit. */
static void twin_of(const struct vif *v, char twin[IFNAMSIZ])
{
	size_t n = strlen(v->kname);
	int len;

	if (!v->tap)
		len = snprintf(twin, IFNAMSIZ, "%s-emu", v->kname);
	else if (n > 4 && strcmp(v->kname + n - 4, "-emu") == 0)
		len = snprintf(twin, IFNAMSIZ, "%.*s", (int)(n - 4), v->kname);
	else
		len = IFNAMSIZ;
	if (len >= IFNAMSIZ)
		twin[0] = 0;
}

static int prefix_setting(struct vif *v, const char *name, int full)
{
	const char *val = args_setting(name);
	unsigned long p = (unsigned long)full;

	if (val && args_uint(val, 1, (unsigned long)full, &p) < 0)
		vif_fatal(
			v,
			"invalid %s '%s': expected a prefix length from 1 to %d",
			name, val, full);
	return (int)p;
}

void vif_check_routed(struct vif *v, const struct args_addr *a, int n,
		      const char *label)
{
	struct args_addr_policy p = { prefix_setting(v, "routed_prefix4", 32),
				      prefix_setting(v, "routed_prefix6", 128),
				      0, 1 };
	char twin[IFNAMSIZ], why[192], s[INET6_ADDRSTRLEN + 4];
	int taken;

	twin_of(v, twin);
	for (int i = 0; i < n; i++) {
		args_addr_format(&a[i], s, sizeof(s));
		if (args_addr_allowed(&a[i], &p, why, sizeof(why)) < 0)
			vif_fatal(v, "invalid %s '%s': %s", label, s, why);
		taken = route_addr_taken(&a[i], v->dev, twin[0] ? twin : NULL,
					 why, sizeof(why));
		if (taken < 0)
			vif_fatal(v,
				  "check %s '%s' against dom0's addresses and "
				  "routes: %m",
				  label, s);
		if (taken)
			vif_fatal(v, "invalid %s '%s': %s", label, s, why);
	}
}

void vif_read_firewall(struct vif *v)
{
	char err[256];

	if (args_load_config(err, sizeof(err)) < 0)
		vif_fatal(v, "%s", err);
	if (fw_setting(&v->fw, err, sizeof(err)) < 0)
		vif_fatal(v, "%s", err);
	if ((v->antispoof = args_bool("antispoof", 1)) < 0)
		vif_fatal(v, "invalid antispoof '%s': expected yes or no",
			  args_setting("antispoof"));
}

/* What fw_vif_allow() was given, so that the guard can check it. */
static void record_firewall(struct vif *v, enum fw_backend b, int trunk)
{
	char mac[ARGS_MAC_LEN], list[VIF_MAX_ADDRS * ARGS_ADDR_LEN];
	struct text t = TEXT_INIT(list, sizeof(list));

	record(v, "firewall %s", fw_name(b));
	if (v->has_mac && args_mac_format(v->mac, mac, sizeof(mac)) == 0)
		record(v, "mac %s", mac);
	for (int i = 0; i < v->naddrs; i++)
		text_put(&t, "%s%s", i ? " " : "",
			 args_addr_text(&v->addrs[i]).s);
	if (v->naddrs > 0)
		record(v, "ip %s", list);
	if (trunk)
		record(v, "trunk 1");
	if (v->routed)
		record(v, "routed 1");
}

const char *vif_recorded(struct vif *v, const char *key)
{
	char path[512];
	int line;

	if (!v->last_read) {
		v->last_read = 1;
		record_path(v, path, sizeof(path));
		v->has_last = state_read(&v->last, path, &line) == 0;
	}
	return v->has_last ? state_get(&v->last, key) : NULL;
}

/* The backend that the vif's record names in *b; -1 when there is no
 * record, or it names none. */
static int recorded_backend(struct vif *v, enum fw_backend *b)
{
	static const enum fw_backend all[] = { FW_NONE, FW_NFT, FW_IPTABLES };
	const char *name = vif_recorded(v, "firewall");

	for (size_t i = 0; name && i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(name, fw_name(all[i]))) {
			*b = all[i];
			return 0;
		}
	return -1;
}

void vif_antispoof(struct vif *v, int trunk)
{
	struct fw_vif fv = {
		.dev = v->dev,
		.mac = v->has_mac ? v->mac : NULL,
		.addrs = v->addrs,
		.naddrs = v->naddrs,
		.trunk = trunk,
		.routed = v->routed,
		.repair = v->restore,
	};
	enum fw_backend b = v->antispoof ? v->fw : FW_NONE;

	const char *const bnf[] = { "net", "bridge", "bridge-nf-call-iptables",
				    NULL };
	char val[8], path[512];
	enum fw_backend was;

	/* offline revokes from the backend the record names alone: a record
	 * must never name one this vif is leaving, even should this run
	 * fail before writing its own. */
	if (recorded_backend(v, &was) == 0 && was != b) {
		record_path(v, path, sizeof(path));
		if (state_remove(path) < 0)
			vif_fatal(v, "remove %s: %m", path);
	}
	if (fw_vif_allow(b, &fv) < 0)
		vif_fatal(v, "anti-spoofing for %s with %s: %s", v->dev,
			  fw_name(b), fw_strerror(errno));
	record_firewall(v, b, trunk);
	if (b == FW_IPTABLES && !v->routed) {
		log_info(
			"iptables checks only the MAC and IP sources of %s: ARP, "
			"VLAN tags and other ethertypes pass (firewall=nft checks "
			"them)",
			v->dev);
		if (sysctl_get(bnf, val, sizeof(val)) < 0 || strcmp(val, "1"))
			log_warn(
				"bridged traffic does not pass iptables "
				"(net.bridge.bridge-nf-call-iptables is not 1): "
				"the rules for %s cannot see it",
				v->dev);
	}
	if (b == FW_NONE)
		log_info("no anti-spoofing for %s (%s)", v->dev,
			 v->antispoof ? "firewall=none" : "antispoof=no");
	else
		log_info("anti-spoofing for %s with %s%s: mac %s, ip %s",
			 v->dev, fw_name(b),
			 args_setting("firewall") ? "" : " (automatic)",
			 v->has_mac ? "checked" : "not given",
			 v->ip ? v->ip : "any");
}

int vif_netdev(struct vif *v, char out[IFNAMSIZ], struct args_addr *ipv4,
	       char *err, size_t len)
{
	const char *what = "gatewaydev";
	char *want = vif_key(v, "gatewaydev");
	int lo;

	if (!want) {
		what = "netdev";
		want = vif_param(v, "netdev");
	}
	if (want) {
		lo = args_ifname(want);
		if (lo < 0)
			snprintf(err, len, "invalid %s '%s'", what, want);
		else
			snprintf(out, IFNAMSIZ, "%s", want);
		free(want);
		if (lo < 0)
			return -1;
	} else if (route_default_dev(out) < 0) {
		snprintf(err, len,
			 "no netdev given and no default route to take it "
			 "from: give netdev=<if> as a parameter to %s",
			 log_prog());
		return -1;
	}
	if ((lo = link_is_loopback(out)) != 0) {
		snprintf(err, len, "invalid %s '%s': %s", what, out,
			 lo > 0		   ? "the loopback device"
			 : errno == ENODEV ? "no such device"
					   : strerror(errno));
		return -1;
	}
	if (v->present && link_index(out) == link_index(v->dev)) {
		snprintf(err, len, "invalid %s '%s': the guest's own device",
			 what, out);
		return -1;
	}
	if (ipv4 && route_primary_addr(out, ipv4) < 0) {
		snprintf(
			err, len,
			"invalid %s '%s': it has no IPv4 address (%s puts "
			"dom0's on the vif): bring it up, or give another device "
			"with netdev=<if>",
			what, out, log_prog());
		return -1;
	}
	return 0;
}

void vif_routed_up(struct vif *v, const struct args_addr *local)
{
	const char *const proxy_arp[] = { "net",  "ipv4",      "conf",
					  v->dev, "proxy_arp", NULL };
	char a[INET6_ADDRSTRLEN + 4];

	if (link_set_up(v->dev, 1) < 0)
		vif_fatal(v, "set %s up: %m", v->dev);
	args_addr_format(local, a, sizeof(a));
	if (route_addr_add(v->dev, local) < 0)
		vif_fatal(v, "add %s/32 to %s: %m", a, v->dev);
	if (sysctl_set(proxy_arp, "1") < 0)
		vif_fatal(v, "turn on proxy ARP on %s: %m", v->dev);
	record(v, "local %s", a);
}

void vif_routed_down(struct vif *v)
{
	if (!v->present)
		return;
	if (route_flush_addrs(v->dev) < 0)
		log_warn("remove the addresses of %s: %m", v->dev);
	if (link_set_up(v->dev, 0) < 0)
		log_debug("set %s down: %m", v->dev);
}

/* The lowest announce_metric=: announced routes stay clear of the metrics
 * of those not announced (1: a tap's, 2: a vif's). */
#define ANNOUNCE_METRIC_MIN 3

void vif_read_announce(struct vif *v)
{
	const char *val = args_setting("announce_metric");
	unsigned long m = 0;

	if (val && *val &&
	    args_uint(val, ANNOUNCE_METRIC_MIN, UINT32_MAX, &m) < 0)
		vif_fatal(v,
			  "invalid announce_metric '%s': expected a route "
			  "metric from %d to %u",
			  val, ANNOUNCE_METRIC_MIN, UINT32_MAX);
	/* A tap has carrier as soon as its device model opens it, paused or
	 * not: it cannot say where the guest runs. */
	v->announce = !v->tap;
	v->announce_metric = (unsigned)m;
}

unsigned vif_announced_metric(const struct vif *v, unsigned metric)
{
	return v->announce_metric ? v->announce_metric : metric;
}

void vif_routes(struct vif *v, unsigned metric, const struct args_addr *src,
		const char *netdev)
{
	const char *const fwd[] = { "net", "ipv6",	 "conf",
				    "all", "forwarding", NULL };
	const char *const ndp[] = { "net",  "ipv6",	 "conf",
				    netdev, "proxy_ndp", NULL };
	char a[INET6_ADDRSTRLEN + 4];
	struct link_info li;
	unsigned ann = vif_announced_metric(v, metric);
	int v6 = 0, on = 0;

	if (v->announce) {
		if (link_info(v->dev, &li) < 0)
			vif_fatal(v, "read the carrier of %s: %m", v->dev);
		on = li.carrier;
	}
	for (int i = 0; i < v->naddrs; i++) {
		const struct args_addr *addr = &v->addrs[i];
		int is6 = addr->family == AF_INET6;

		args_addr_format(addr, a, sizeof(a));
		if (route_announce(addr, v->dev, is6 ? NULL : src, metric, ann,
				   on) < 0)
			vif_fatal(v, "route %s to %s: %m", a, v->dev);
		if (v->announce)
			record(v, "route %s %u %u", a, metric, ann);
		else
			record(v, "route %s %u", a, metric);
		if (!is6)
			continue;
		v6 = 1;
		if (addr->prefix != 128)
			log_warn(
				"proxy NDP answers for single addresses: %s is "
				"routed to %s, but not announced on %s",
				a, v->dev, netdev);
		else if (route_proxy_ndp(netdev, addr, 1) < 0)
			vif_fatal(v, "proxy NDP for %s on %s: %m", a, netdev);
		else
			record(v, "ndp %s %s", netdev, a);
	}
	if (v6 && (sysctl_set(fwd, "1") < 0 || sysctl_set(ndp, "1") < 0))
		vif_fatal(v, "turn on IPv6 forwarding and proxy NDP on %s: %m",
			  netdev);
	if (netdev)
		record(v, "netdev %s", netdev);
	/* Tell netdev's LAN the guest is here now; a failure is the LAN's
	 * loss of a moment, not online's. */
	if (on && netdev && v->naddrs > 0 &&
	    announce_send(netdev, v->addrs, v->naddrs) < 0)
		log_warn("announce the addresses of %s on %s: %m", v->dev,
			 netdev);
}

void vif_unroute(struct vif *v, const char *netdev)
{
	char a[INET6_ADDRSTRLEN + 4], why[192];

	for (int i = 0; i < v->naddrs; i++) {
		const struct args_addr *addr = &v->addrs[i];

		args_addr_format(addr, a, sizeof(a));
		/* Announced or not, whatever announce_metric= was. */
		if (route_del_all(addr, v->dev) < 0)
			log_warn("remove the route of %s to %s: %m", a, v->dev);
		if (addr->family != AF_INET6 || addr->prefix != 128 || !netdev)
			continue;
		/* Another guest's, if a route to it through another device
		 * is left (a refused online's offline). */
		if (route_addr_taken(addr, v->dev, NULL, why, sizeof(why)) > 0)
			log_info("proxy NDP for %s on %s left: %s", a, netdev,
				 why);
		else if (route_proxy_ndp(netdev, addr, 0) < 0)
			log_warn("remove proxy NDP for %s on %s: %m", a,
				 netdev);
	}
}

void vif_antispoof_remove(struct vif *v)
{
	enum fw_backend b;

	/* Without a record (online killed before writing it), everywhere. */
	if ((recorded_backend(v, &b) == 0 ? fw_vif_revoke_in(b, v->dev)
					  : fw_vif_revoke(v->dev)) < 0)
		log_warn("remove the anti-spoofing of %s: %m", v->dev);
}

void vif_rename(struct vif *v)
{
	char mark[8 + IFNAMSIZ];

	if (!v->present)
		vif_fatal(v, "device %s does not exist", v->kname);
	if (v->lost_kname && restore_kname(v) < 0)
		vif_fatal(v, "give %s back its kernel name %s: %m", v->dev,
			  v->kname);
	if (!v->vifname[0] || strcmp(v->dev, v->vifname) == 0)
		return;
	rename_mark(v, mark, sizeof(mark));
	if (link_rename(v->dev, v->vifname, mark) < 0) {
		if (errno == EEXIST)
			vif_fatal(v,
				  "Cannot rename interface %s: an interface "
				  "with name %s already exists",
				  v->dev, v->vifname);
		vif_fatal(v, "rename %s to %s: %m", v->dev, v->vifname);
	}
	memcpy(v->dev, v->vifname, IFNAMSIZ);
}

/* online: what it made, the device's name, the bridge it attached it to
 * (its name now: not an alternative one) and its MTU now; offline: nothing
 * any more. */
static void write_record(struct vif *v)
{
	char path[512], name[IFNAMSIZ];
	int mtu;

	record_path(v, path, sizeof(path));
	if (!v->up) {
		if (state_remove(path) < 0)
			log_warn("remove %s: %m", path);
		return;
	}
	record(v, "dev %s", v->dev);
	if (!v->routed && v->bridge && link_name(v->bridge, name) == 0)
		record(v, "bridge %s", name);
	if (!v->routed && (mtu = link_mtu(v->dev)) >= 0)
		record(v, "mtu %d", mtu);
	if (!v->rec_broken && state_write(&v->rec, path) == 0)
		return;
	if (v->restore)
		vif_fatal(v, "write %s: %m", path);
	/* No record rather than an earlier online's. */
	log_warn("write %s: %m: the guard will report %s as unrecorded", path,
		 v->kname);
	state_remove(path);
}

/* The vif-post hooks, with the shell scripts' variables. */
static void post_hooks(struct vif *v)
{
	char vars[8][XSTORE_PATH_MAX + XSTORE_VALUE_MAX];
	char *env[9], failed[512];
	const char *values[8][2] = {
		{ "command", v->command },
		{ "dev", v->dev },
		{ "vif", v->kname },
		{ "type_if", v->tap ? "tap" : "vif" },
		{ "XENBUS_PATH", v->path },
		{ "ip", v->ip ? v->ip : "" },
		{ "bridge", v->bridge ? v->bridge : "" },
		{ "main_ip", v->main_ip ? v->main_ip : "" },
	};

	for (int i = 0; i < 8; i++) {
		snprintf(vars[i], sizeof(vars[i]), "%s=%s", values[i][0],
			 values[i][1]);
		env[i] = vars[i];
	}
	env[8] = NULL;
	if (hooks_run("vif-post", env, failed, sizeof(failed)) < 0) {
		if (v->up)
			vif_fatal(v, "hook %s", failed);
		log_warn("hook %s", failed);
	}
}

void vif_end(struct vif *v)
{
	if (!v->restore && hooks_any("vif-post")) {
		/* vif-bridge's offline reads the ip key for them alone. */
		if (!v->ip)
			v->ip = vif_param(v, "ip");
		post_hooks(v);
	}
	/* Before hotplug-status: a connected vif always has its record. */
	write_record(v);
	if (!v->tap && !v->restore && strcmp(v->command, "online") == 0 &&
	    xstore_hotplug_status(store(v), v->path, "connected") < 0)
		vif_fatal(v, "write %s/hotplug-status: %m", v->path);
	log_info("%s %s%s%s: done", v->command, v->dev,
		 v->bridge ? " bridge " : "", v->bridge ? v->bridge : "");
	finish(v);
	exit(0);
}
