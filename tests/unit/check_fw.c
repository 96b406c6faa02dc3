/* Unit tests: the firewall's backend choice (common/fw/fw.h). */
#define _GNU_SOURCE
#include <errno.h>

#include "fw.h"
#include "unit.h"

START_TEST(backend_choice)
{
	enum fw_backend b;

	ck_assert_int_eq(fw_choose("nft", &b), 0);
	ck_assert_int_eq(b, FW_NFT);
	ck_assert_int_eq(fw_choose("iptables", &b), 0);
	ck_assert_int_eq(b, FW_IPTABLES);
	ck_assert_int_eq(fw_choose("none", &b), 0);
	ck_assert_int_eq(b, FW_NONE);
	ck_assert_int_eq(fw_choose(NULL, &b), 0);
	ck_assert(b == FW_NFT || b == FW_IPTABLES);
	ck_assert_int_eq(fw_choose("pf", &b), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(fw_name(FW_IPTABLES), "iptables");
}
END_TEST

Suite *fw_suite(void)
{
	const TTest *tests[] = { backend_choice, NULL };

	return unit_suite("fw", tests);
}
