/* The firewall's rules and nft batches as text (fwdump.c), for the unit
 * tests' golden files. */
#ifndef XNS_FWDUMP_H
#define XNS_FWDUMP_H
#include <stddef.h>

#include "fw_int.h"

/* One rule in nft syntax for a table of family bridge (routed 0) or inet
 * (routed 1), comment included, as `nft list ruleset` shows it, with name
 * (the vif or owner; NULL for the rules every vif shares) in the comment;
 * -1 with errno ENOSPC when buf is short. */
int fwdump_rule(const char *name, const struct fw_rule *r, int routed,
		char *buf, size_t len);

/* The nft batch of an allow of a new vif, or (v NULL) of a NAT set
 * (fw_nft_batch()), printed by libnftnl one object per line (`nft
 * --debug=netlink` style).  Needs no privilege.  malloc'd, NULL with errno
 * set. */
char *fwdump_batch(const struct fw_vif *v, const struct fw_nat *nat,
		   const struct fw_rule *r, int n);

#endif
