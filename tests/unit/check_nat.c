/* Unit tests: vif-nat's addresses (vif-nat/nat.h). */
#define _GNU_SOURCE
#include <errno.h>

#include "args.h"
#include "nat.h"
#include "unit.h"

START_TEST(nat_derivation_as_the_shell_did)
{
	struct args_addr g, r, a[2];
	char host[32];

	ck_assert_int_eq(nat_derive(5, 0, NULL, -1, &g, &r, host, sizeof(host)),
			 0);
	ck_assert_str_eq(args_addr_text(&g).s, "10.0.5.1");
	ck_assert_str_eq(args_addr_text(&r).s, "10.0.5.128");
	ck_assert_str_eq(host, "dom5");
	ck_assert_int_eq(
		nat_derive(300, 1, NULL, -1, &g, &r, host, sizeof(host)), 0);
	ck_assert_str_eq(args_addr_text(&g).s, "10.1.44.2");
	ck_assert_str_eq(args_addr_text(&r).s, "10.1.44.129");
	ck_assert_str_eq(host, "dom300-2");
	ck_assert_int_eq(args_addr_list("2001:db8::1 192.168.7.5/24", a, 2), 2);
	ck_assert_int_eq(nat_derive(7, 0, a, 2, &g, &r, host, sizeof(host)), 0);
	ck_assert_str_eq(args_addr_text(&g).s, "192.168.7.5");
	ck_assert_str_eq(args_addr_text(&r).s, "192.168.7.132");
	ck_assert_int_eq(
		nat_derive(7, 126, NULL, -1, &g, &r, host, sizeof(host)), 0);
	ck_assert_str_eq(args_addr_text(&r).s, "10.0.7.254");
	ck_assert_int_eq(
		nat_derive(7, 127, NULL, -1, &g, &r, host, sizeof(host)), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(args_addr_list("10.0.0.200", a, 2), 1);
	ck_assert_int_eq(nat_derive(7, 0, a, 1, &g, &r, host, sizeof(host)),
			 -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(args_addr_list("2001:db8::1", a, 2), 1);
	ck_assert_int_eq(nat_derive(7, 0, a, 1, &g, &r, host, sizeof(host)),
			 -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

Suite *nat_suite(void)
{
	const TTest *tests[] = { nat_derivation_as_the_shell_did, NULL };

	return unit_suite("nat", tests);
}
