/* Backend choice and the parts of allow/revoke common to both backends. */
#define _GNU_SOURCE
#include "fw_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The iptables that an administrator's `iptables` command runs. */
static enum fw_backend host_iptables(void)
{
	static const char *const paths[] = { "/usr/sbin/iptables",
					     "/sbin/iptables" };
	char real[PATH_MAX];

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (!realpath(paths[i], real))
			continue;
		if (strstr(strrchr(real, '/'), "legacy"))
			return FW_IPTABLES;
		return FW_NFT;
	}
	return FW_NFT;
}

int fw_choose(const char *setting, enum fw_backend *out)
{
	if (!setting || !strcmp(setting, "auto"))
		*out = host_iptables();
	else if (!strcmp(setting, "nft") || !strcmp(setting, "nftables"))
		*out = FW_NFT;
	else if (!strcmp(setting, "iptables"))
		*out = FW_IPTABLES;
	else if (!strcmp(setting, "none"))
		*out = FW_NONE;
	else {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int fw_setting(enum fw_backend *out, char *err, size_t len)
{
	const char *setting = args_setting("firewall");

	if (fw_choose(setting, out) == 0)
		return 0;
	snprintf(err, len,
		 "invalid firewall '%s': expected nft, iptables, none or auto",
		 setting);
	errno = EINVAL;
	return -1;
}

const char *fw_name(enum fw_backend b)
{
	return b == FW_NFT ? "nft" : b == FW_IPTABLES ? "iptables" : "none";
}

/* Remove name's objects (a vif's anti-spoofing, an owner's NAT) from every
 * backend but keep.  The present() checks keep a host that never used a
 * backend from getting its tables. */
static int remove_except(const char *name, enum fw_backend keep,
			 int (*nft)(const char *), int (*iptc)(const char *))
{
	int ret = 0, p;

	if (keep != FW_NFT && (p = fw_nft_present()) != 0)
		if (p < 0 || nft(name) < 0)
			ret = -1;
	if (keep != FW_IPTABLES && (p = fw_iptc_present()) != 0)
		if (p < 0 || iptc(name) < 0)
			ret = -1;
	return ret;
}

int fw_vif_allow(enum fw_backend b, const struct fw_vif *v)
{
	struct fw_rule *rules;
	int n, ret;

	if (remove_except(v->dev, b, fw_nft_revoke, fw_iptc_revoke) < 0)
		return -1;
	if (b == FW_NONE)
		return 0;
	rules = calloc(FW_RULES_MAX, sizeof(*rules));
	if (!rules)
		return -1;
	n = fw_rules_antispoof(v, rules, FW_RULES_MAX);
	if (n < 0)
		ret = -1;
	else if (b == FW_NFT)
		ret = fw_nft_allow(v, rules, n);
	else
		ret = fw_iptc_allow(v, rules, n);
	free(rules);
	return ret;
}

int fw_vif_revoke(const char *dev)
{
	return remove_except(dev, FW_NONE, fw_nft_revoke, fw_iptc_revoke);
}

int fw_nat_set(enum fw_backend b, const struct fw_nat *nat)
{
	int max = (nat->nfrom ? nat->nfrom : 1), n, ret;
	struct fw_rule *rules;

	if (fw_owner_valid(nat->owner) < 0 ||
	    remove_except(nat->owner, b, fw_nft_nat_clear, fw_iptc_nat_clear) <
		    0)
		return -1;
	if (b == FW_NONE)
		return 0;
	rules = calloc((size_t)max, sizeof(*rules));
	if (!rules)
		return -1;
	n = fw_rules_nat(nat, rules, max);
	if (n < 0)
		ret = -1;
	else if (b == FW_NFT)
		ret = fw_nft_nat_set(nat, rules, n);
	else
		ret = fw_iptc_nat_set(nat, rules, n);
	free(rules);
	return ret;
}

int fw_nat_clear(const char *owner)
{
	if (fw_owner_valid(owner) < 0)
		return -1;
	return remove_except(owner, FW_NONE, fw_nft_nat_clear,
			     fw_iptc_nat_clear);
}

void fw_close(void)
{
	fw_nft_close();
}
