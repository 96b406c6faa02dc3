/* Links and bridges over libnl-route-3.  Names are looked up by the kernel,
 * which also resolves alternative names: after link_rename() the netback
 * device is still found by the name the kernel gave it.
 *
 * Every function returns 0 (or the value said) on success and -1 with errno
 * set on failure: ENODEV when a link named is not there, else the kernel's
 * (or ENOMEM).  Nothing is printed.  An errno it absorbs is named. */
#ifndef XNS_LINK_H
#define XNS_LINK_H

#include <net/if.h>
#include <stddef.h>

struct vlan_spec;

/* The ifindex of name; -1 with errno ENODEV when there is no such link. */
int link_index(const char *name);

/* The current name of the link called (or alternatively called) name into
 * out; -1 with errno ENODEV. */
int link_name(const char *name, char out[IFNAMSIZ]);

/* The name of the link with ifindex into out; -1 with errno ENODEV. */
int link_name_of(int ifindex, char out[IFNAMSIZ]);

/* 1 when name is the loopback device, 0 when not, -1 with errno ENODEV
 * when it does not exist. */
int link_is_loopback(const char *name);

/* 1 when name is a bridge, 0 when it is another kind of link, -1 with errno
 * ENODEV when it does not exist. */
int link_is_bridge(const char *name);

/* The MTU of name; -1 with errno ENODEV. */
int link_mtu(const char *name);

/* Create bridge name with STP off and forward delay 0.  Returns 1 when it
 * made it, 0 when a bridge of that name was there already; -1 with errno
 * EMEDIUMTYPE when a link of that name is not a bridge. */
int link_create_bridge(const char *name);
/* Delete link name; absorbs ENODEV. */
int link_delete(const char *name);
/* The names of the ports of bridge, separated by spaces, into out ("" for
 * none); -1 with errno ENODEV. */
int link_ports(const char *bridge, char *out, size_t len);

/* The first bridge on the host (lowest ifindex); -1 with errno ENODEV when
 * there is none. */
int link_first_bridge(char out[IFNAMSIZ]);

/* What the guard compares of a link. */
struct link_info {
	char name[IFNAMSIZ]; /* its name now */
	int ifindex;
	int up;	     /* administratively up */
	int carrier; /* IFF_LOWER_UP: a guest's frontend is there */
	unsigned mtu;
	char master[IFNAMSIZ]; /* its bridge's name, "" when none */
};
/* The link called (or alternatively called) name; -1 with errno ENODEV
 * when there is none. */
int link_info(const char *name, struct link_info *out);

/* A bridge as link_find_bridge() finds it. */
struct link_bridge {
	char name[IFNAMSIZ]; /* as asked for */
	int ifindex;
	unsigned mtu;
};

/* The bridge a bridged vif joins, into out (no further lookup needed):
 * want when it names a bridge; for an old-style name xenbrN that does not
 * exist, ethN when that is a bridge; with want NULL, the first bridge.
 * -1 with errno ENODEV (no such link, or no bridge at all) or EMEDIUMTYPE
 * (want is not a bridge). */
int link_find_bridge(const char *want, struct link_bridge *out);

/* Bring name up or down; -1 with errno ENODEV.  These three send nothing
 * when the link already is so. */
int link_set_up(const char *name, int up);

/* Set name's MAC address; -1 with errno ENODEV or the kernel's (EINVAL for
 * a multicast address, EADDRNOTAVAIL). */
int link_set_mac(const char *name, const unsigned char mac[6]);
/* Set name's MTU; -1 with errno ENODEV or EINVAL (out of the device's
 * range). */
int link_set_mtu(const char *name, unsigned mtu);

/* Rename name to newname and keep the old name as an alternative name;
 * alias (unless NULL) becomes the link's alias (IFLA_IFALIAS) in the same
 * request as the new name, so that a run killed before the altname is added
 * leaves a link that can still be recognised.  -1 with errno EEXIST when
 * newname is taken.  A kernel without altnames (before 5.5) gets the rename
 * alone. */
int link_rename(const char *name, const char *newname, const char *alias);

/* Give link name the alternative name alt; absorbs EEXIST (the name is
 * taken, by this link or another) and EOPNOTSUPP (a kernel before 5.5). */
int link_add_altname(const char *name, const char *alt);

/* 1 when the alias (IFLA_IFALIAS) of link name is alias, else 0; -1 with
 * errno ENODEV. */
int link_has_alias(const char *name, const char *alias);

/* The current name of the bridge name is enslaved to into out ("" when it
 * is not enslaved); -1 with errno ENODEV. */
int link_master(const char *name, char out[IFNAMSIZ]);

/* Enslave name to the bridge whose index is bridge (link_find_bridge());
 * nothing to do when it already is.  -1 with errno ENODEV (no link name),
 * EINVAL (no such bridge). */
int link_enslave(const char *name, int bridge);

/* Release name from its bridge; absorbs ENODEV (the device is gone). */
int link_release(const char *name);

/* 1 when the device name was created by netback for vif domid.devid (its
 * sysfs device is vif-DOMID-DEVID), else 0 (a missing link included: never
 * -1). */
int link_is_netback(const char *name, unsigned domid, unsigned devid);

/* 1 when bridge filters by VLAN, 0 when not; -1 with errno ENODEV, or
 * EOPNOTSUPP when the link reports no VLAN filtering (not a bridge, or a
 * kernel without it). */
int link_vlan_filtering(const char *bridge);
/* Turn bridge's VLAN filtering on or off; -1 with errno ENODEV, or the
 * kernel's (EOPNOTSUPP when bridge is not a bridge). */
int link_set_vlan_filtering(const char *bridge, int on);

/* Make the bridge port's VLAN membership exactly spec (VLANs not in spec,
 * VLAN 1 included, are removed from the port).  -1 with errno ENODEV,
 * EMSGSIZE or ENOMEM, or the kernel's (EOPNOTSUPP for a port whose bridge
 * does not filter by VLAN). */
int link_set_port_vlans(const char *port, const struct vlan_spec *spec);

#endif
