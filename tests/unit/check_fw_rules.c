/* Unit tests: the firewall's rules (common/fw/fw_rules.c) and the nft
 * batches they become (fw_nft.c), against golden files. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "fw_int.h"
#include "fwdump.h"
#include "unit.h"

static void rules_text(const struct fw_vif *v, char *out, size_t len)
{
	struct fw_rule rules[FW_RULES_MAX];
	char line[512];
	int n = fw_rules_antispoof(v, rules, FW_RULES_MAX);

	ck_assert_int_gt(n, 0);
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(fwdump_rule(v->dev, &rules[i], v->routed, line,
					     sizeof(line)),
				 0);
		strncat(out, line, len - strlen(out) - 2);
		strcat(out, "\n");
	}
}

static const unsigned char guest_mac[6] = {
	0x00, 0x16, 0x3e, 0x12, 0x34, 0x56
};

static int parse_addrs(const char *ip, struct args_addr *a)
{
	int n = args_addr_list(ip, a, 8);

	ck_assert_int_ge(n, 0);
	return n;
}

START_TEST(antispoof_rules_golden)
{
	struct args_addr a[8];
	char text[1 << 15];
	struct fw_vif v = { .dev = "vif7.0", .mac = guest_mac, .addrs = a };

	v.naddrs = parse_addrs("192.0.2.7 2001:db8::7 10.1.0.0/23", a);
	rules_text(&v, text, sizeof(text));
	golden("antispoof-addresses.nft", text);

	v.naddrs = -1; /* no ip key */
	rules_text(&v, text, sizeof(text));
	golden("antispoof-no-ip.nft", text);

	v.naddrs = parse_addrs("192.0.2.8", a);
	v.mac = NULL; /* no mac key, a VLAN trunk */
	v.trunk = 1;
	rules_text(&v, text, sizeof(text));
	golden("antispoof-trunk-no-mac.nft", text);

	v.naddrs = parse_addrs("192.0.2.9 2001:db8::9", a);
	v.mac = guest_mac; /* a routed vif: IP only */
	v.routed = 1;
	rules_text(&v, text, sizeof(text));
	golden("antispoof-routed.nft", text);
}
END_TEST

START_TEST(antispoof_rules_limits)
{
	struct fw_rule rules[4];
	struct fw_vif v = { .dev = "vif1.0", .mac = guest_mac, .naddrs = -1 };
	char buf[16];

	ck_assert_int_eq(fw_rules_antispoof(&v, rules, 4), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_eq(fw_rules_antispoof(&v, rules, 1), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_gt(fw_rules_antispoof(&v,
					    (struct fw_rule[FW_RULES_MAX]){ 0 },
					    FW_RULES_MAX),
			 4);
	rules[0] =
		(struct fw_rule){ .verdict = FW_DROP, .why = "a long reason" };
	ck_assert_int_eq(fwdump_rule("vif1.0", &rules[0], 0, buf, sizeof(buf)),
			 -1);
	ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

START_TEST(nft_batch_golden)
{
	struct fw_rule rules[FW_RULES_MAX];
	struct args_addr a[8];
	struct fw_vif v = { .dev = "vif7.0", .mac = guest_mac, .addrs = a };
	char *dump;
	int n;

	v.naddrs = parse_addrs("192.0.2.7 2001:db8::7 10.1.0.0/23", a);
	n = fw_rules_antispoof(&v, rules, FW_RULES_MAX);
	ck_assert_int_gt(n, 0);
	dump = fwdump_batch(&v, NULL, rules, n);
	ck_assert_ptr_nonnull(dump);
	golden("allow-vif7.0.batch", dump);
	free(dump);

	v.routed = 1;
	n = fw_rules_antispoof(&v, rules, FW_RULES_MAX);
	ck_assert_int_gt(n, 0);
	dump = fwdump_batch(&v, NULL, rules, n);
	ck_assert_ptr_nonnull(dump);
	golden("allow-routed-vif7.0.batch", dump);
	free(dump);
}
END_TEST

static struct fw_nat nat_example(struct args_addr *from)
{
	ck_assert_int_eq(args_addr("10.0.0.0/16", &from[0]), 0);
	ck_assert_int_eq(args_addr("10.1.0.0/24", &from[1]), 0);
	return (struct fw_nat){ .owner = "network-nat",
				.out_dev = "eth0",
				.from = from,
				.nfrom = 2 };
}

START_TEST(nat_rules_and_batch_golden)
{
	struct args_addr from[2];
	struct fw_nat nat = nat_example(from);
	struct fw_rule rules[8];
	char text[4096] = "", line[512], *dump;
	int n = fw_rules_nat(&nat, rules, 8);

	ck_assert_int_eq(n, 2);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(fwdump_rule(nat.owner, &rules[i], 1, line,
					     sizeof(line)),
				 0);
		strcat(text, rules[i].hook == FW_PREROUTING ? "prerouting: "
							    : "postrouting: ");
		strcat(strcat(text, line), "\n");
	}
	golden("nat.nft", text);
	dump = fwdump_batch(NULL, &nat, rules, n);
	ck_assert_ptr_nonnull(dump);
	golden("nat.batch", dump);
	free(dump);

	nat.nfrom = 0; /* everything out of eth0 */
	ck_assert_int_eq(fw_rules_nat(&nat, rules, 8), 1);
	ck_assert_int_eq(fw_rules_nat(&nat, rules, 0), -1);
	ck_assert_int_eq(errno, E2BIG);
}
END_TEST

START_TEST(nat_owner_names)
{
	ck_assert_int_eq(fw_owner_valid("network-nat"), 0);
	ck_assert_int_eq(fw_owner_valid("zone_dmz2"), 0);
	ck_assert_int_eq(fw_owner_valid(""), -1);
	ck_assert_int_eq(fw_owner_valid(NULL), -1);
	ck_assert_int_eq(fw_owner_valid("a-name-too-long!"), -1);
	ck_assert_int_eq(fw_owner_valid("sixteen-chars-xx"), -1);
	ck_assert_int_eq(fw_owner_valid("no spaces"), -1);
	ck_assert_int_eq(fw_owner_valid("no/slash"), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

Suite *fw_rules_suite(void)
{
	const TTest *tests[] = {
		antispoof_rules_golden, antispoof_rules_limits,
		nft_batch_golden,	nat_rules_and_batch_golden,
		nat_owner_names,	NULL
	};

	return unit_suite("fw_rules", tests);
}
