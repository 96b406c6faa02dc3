/* Backend choice and the parts of allow/revoke common to both backends. */
#define _GNU_SOURCE
#include "fw_int.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
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

const char *fw_built_in(void)
{
	return "nft iptables";
}

/* Remove name's objects (a vif's anti-spoofing, an owner's NAT) from the
 * backends in, a set of 1 << FW_NFT and 1 << FW_IPTABLES.  nft's removals
 * ask for what they delete and create nothing; reading an iptables table
 * creates it, so fw_iptc_present() keeps a host that never used iptables
 * from getting its tables. */
static int remove_in(const char *name, unsigned in, int (*nft)(const char *),
		     int (*iptc)(const char *))
{
	int ret = 0, p;

	if ((in & 1u << FW_NFT) && nft(name) < 0)
		ret = -1;
	if ((in & 1u << FW_IPTABLES) && (p = fw_iptc_present()) != 0)
		if (p < 0 || iptc(name) < 0)
			ret = -1;
	return ret;
}

/* ... from every backend but keep. */
static int remove_except(const char *name, enum fw_backend keep,
			 int (*nft)(const char *), int (*iptc)(const char *))
{
	return remove_in(name, ~(1u << keep), nft, iptc);
}

/* The anti-spoofing rules of v (malloc'd: rule() fills each one it
 * makes), their number in *n; NULL with errno set. */
static struct fw_rule *antispoof_rules(const struct fw_vif *v, int *n)
{
	struct fw_rule *rules = malloc(FW_RULES_MAX * sizeof(*rules));

	if (rules && (*n = fw_rules_antispoof(v, rules, FW_RULES_MAX)) < 0) {
		free(rules);
		return NULL;
	}
	return rules;
}

/* The NAT rules of nat, as antispoof_rules(). */
static struct fw_rule *nat_rules(const struct fw_nat *nat, int *n)
{
	int max = (nat->nfrom ? nat->nfrom : 1);
	struct fw_rule *rules = malloc((size_t)max * sizeof(*rules));

	if (rules && (*n = fw_rules_nat(nat, rules, max)) < 0) {
		free(rules);
		return NULL;
	}
	return rules;
}

const char *fw_strerror(int err)
{
	const char *why = fw_iptc_error();

	return why ? why : strerror(err);
}

int fw_vif_allow(enum fw_backend b, const struct fw_vif *v)
{
	struct fw_rule *rules;
	int n, ret = 0;

	fw_check_reset();
	/* Into b first, then out of the others (which never touches b's): an
	 * allow that fails leaves the vif with what it had, not with nothing
	 * (a restore switching backends keeps the guest's link up). */
	if (b == FW_NFT) {
		/* nft's rules are the same for every vif: its data goes in
		 * sets. */
		ret = fw_nft_allow(v);
	} else if (b == FW_IPTABLES) {
		if (!(rules = antispoof_rules(v, &n)))
			return -1;
		ret = fw_iptc_allow(v, rules, n);
		free(rules);
	}
	if (ret < 0)
		return -1;
	return remove_except(v->dev, b,
			     v->repair ? fw_nft_revoke_all : fw_nft_revoke,
			     fw_iptc_revoke);
}

int fw_vif_revoke(const char *dev)
{
	fw_check_reset();
	return remove_except(dev, FW_NONE, fw_nft_revoke, fw_iptc_revoke);
}

int fw_vif_revoke_in(enum fw_backend b, const char *dev)
{
	fw_check_reset();
	if (b == FW_NONE)
		return 0;
	return remove_in(dev, 1u << b, fw_nft_revoke, fw_iptc_revoke);
}

int fw_nat_set(enum fw_backend b, const struct fw_nat *nat)
{
	struct fw_rule *rules;
	int n, ret;

	fw_check_reset();
	if (fw_owner_valid(nat->owner) < 0 ||
	    remove_except(nat->owner, b, fw_nft_nat_clear, fw_iptc_nat_clear) <
		    0)
		return -1;
	if (b == FW_NONE)
		return 0;
	if (!(rules = nat_rules(nat, &n)))
		return -1;
	if (b == FW_NFT)
		ret = fw_nft_nat_set(nat, rules, n);
	else
		ret = fw_iptc_nat_set(nat, rules, n);
	free(rules);
	return ret;
}

int fw_nat_clear(const char *owner)
{
	fw_check_reset();
	if (fw_owner_valid(owner) < 0)
		return -1;
	return remove_except(owner, FW_NONE, fw_nft_nat_clear,
			     fw_iptc_nat_clear);
}

int fw_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return 0;
}

/* FW_NONE's check: no backend holds anything of name (a vif's device, or
 * with nat an owner). */
static int none_check(const char *name, int nat, char *why, size_t len)
{
	static const enum fw_backend backends[] = { FW_NFT, FW_IPTABLES };
	int held;

	for (size_t i = 0; i < 2; i++) {
		held = backends[i] == FW_NFT ? fw_nft_holds(name, nat)
					     : fw_iptc_holds(name, nat);
		if (held < 0)
			return -1;
		if (held)
			return fw_why(why, len, "rules for %s left in %s", name,
				      fw_name(backends[i]));
	}
	return 1;
}

int fw_vif_check(enum fw_backend b, const struct fw_vif *v, char *why,
		 size_t len)
{
	struct fw_rule *rules;
	int n, ret;

	if (b == FW_NONE)
		return none_check(v->dev, 0, why, len);
	if (b == FW_NFT)
		return fw_nft_vif_check(v, why, len);
	if (!(rules = antispoof_rules(v, &n)))
		return -1;
	ret = fw_iptc_vif_check(v, rules, n, why, len);
	free(rules);
	return ret;
}

int fw_nat_check(enum fw_backend b, const struct fw_nat *nat, char *why,
		 size_t len)
{
	struct fw_rule *rules;
	int n, ret;

	if (fw_owner_valid(nat->owner) < 0)
		return -1;
	if (b == FW_NONE)
		return none_check(nat->owner, 1, why, len);
	if (!(rules = nat_rules(nat, &n)))
		return -1;
	if (b == FW_NFT)
		ret = fw_nft_nat_check(nat, rules, n, why, len);
	else
		ret = fw_iptc_nat_check(nat, rules, n, why, len);
	free(rules);
	return ret;
}

int fw_table_check(const char *family, const char *name, char *why, size_t len)
{
	return fw_nft_table_check(family, name, why, len);
}

void fw_check_reset(void)
{
	fw_nft_check_reset();
	fw_iptc_check_reset();
}

void fw_close(void)
{
	fw_check_reset();
	fw_nft_close();
}
