/* xl's `vlan` key: the VLANs a bridged vif is a member of.
 *
 *   spec  := term ( "/" term )*
 *   term  := VID [ "p" ] [ "u" ]        one VLAN; p: the PVID, u: untagged
 *          | VID "-" VID                a range, tagged
 *          | VID "+" STEP "x" COUNT     COUNT VLANs from VID, STEP apart,
 * tagged
 *
 * VIDs are 1..4094, each given once, at most one PVID.  A spec of a single
 * VLAN without flags makes an access port: that VLAN, PVID and untagged. */
#ifndef XNS_VLAN_H
#define XNS_VLAN_H

#include <stddef.h>
#include <stdint.h>

#define VLAN_MAX 4094

struct vlan_spec {
	uint16_t pvid; /* 0: none */
	uint8_t member[(VLAN_MAX + 8) / 8];
	uint8_t untagged[(VLAN_MAX + 8) / 8];
};

/* Parse s into spec; -1 with errno EINVAL and a reason in err. */
int vlan_parse(const char *s, struct vlan_spec *spec, char *err, size_t errlen);

/* 1 when vid (1..4094; any other: 0) is in spec, else 0.  Pure. */
int vlan_is_member(const struct vlan_spec *spec, unsigned vid);
/* 1 when vid is in spec untagged, else 0.  Pure. */
int vlan_is_untagged(const struct vlan_spec *spec, unsigned vid);
/* Whether any member VLAN is tagged: the port carries 802.1Q frames. */
int vlan_is_trunk(const struct vlan_spec *spec);

/* Print spec the way `bridge vlan` would list it, for logs and tests:
 * "10 PVID untagged, 20-29, 40" ; -1 with errno ENOSPC when buf is short. */
int vlan_format(const struct vlan_spec *spec, char *buf, size_t len);

#endif
