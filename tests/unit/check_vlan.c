/* Unit tests: xl's vlan key: parsing, printing, membership
 * (common/kernel/vlan.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "vlan.h"
#include "unit.h"

static char err[256];

static const char *fmt(const char *spec)
{
	static char buf[256];
	struct vlan_spec s;

	if (vlan_parse(spec, &s, err, sizeof(err)) < 0)
		return err;
	ck_assert_int_eq(vlan_format(&s, buf, sizeof(buf)), 0);
	return buf;
}

START_TEST(vlan_single_is_access_port)
{
	ck_assert_str_eq(fmt("10"), "10 PVID untagged");
}
END_TEST

START_TEST(vlan_flags_and_lists)
{
	ck_assert_str_eq(fmt("10p"), "10 PVID");
	ck_assert_str_eq(fmt("10u"), "10 untagged");
	ck_assert_str_eq(fmt("10pu"), "10 PVID untagged");
	ck_assert_str_eq(fmt("10pu/20/30"), "10 PVID untagged, 20, 30");
	ck_assert_str_eq(fmt("10/20"), "10, 20");
	ck_assert_str_eq(fmt("20/10p"), "10 PVID, 20");
}
END_TEST

START_TEST(vlan_ranges_and_steps)
{
	ck_assert_str_eq(fmt("100-105"), "100-105");
	ck_assert_str_eq(fmt("10+10x4"), "10, 20, 30, 40");
	ck_assert_str_eq(fmt("1pu/100-102/200+2x3"),
			 "1 PVID untagged, 100-102, 200, 202, 204");
	ck_assert_str_eq(fmt("1-4094"), "1-4094");
}
END_TEST

START_TEST(vlan_errors)
{
	const char *bad[] = { "",	"0",	   "4095",
			      "10/10",	"10p/20p", "10-5",
			      "10-",	"-10",	   "10x",
			      "10+0x3", "10+5x0",  "4090+5x2",
			      "10//20", "10/",	   "/10",
			      "10 20",	"abc",	   "10q",
			      "10up",	"99999",   "10+1x9999999" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vlan_spec s;

		err[0] = '\0';
		ck_assert_msg(vlan_parse(bad[i], &s, err, sizeof(err)) == -1,
			      "accepted '%s'", bad[i]);
		ck_assert_msg(err[0] != '\0', "no reason for '%s'", bad[i]);
	}
}
END_TEST

START_TEST(vlan_membership)
{
	struct vlan_spec s;

	ck_assert_int_eq(vlan_parse("5p/7u", &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.pvid, 5);
	ck_assert(vlan_is_member(&s, 5) && vlan_is_member(&s, 7));
	ck_assert(!vlan_is_member(&s, 6) && !vlan_is_member(&s, 1));
	ck_assert(!vlan_is_untagged(&s, 5) && vlan_is_untagged(&s, 7));
	ck_assert(!vlan_is_member(&s, 0) && !vlan_is_member(&s, 5000));
}
END_TEST

START_TEST(vlan_trunks)
{
	struct vlan_spec spec;

	ck_assert_int_eq(vlan_parse("10", &spec, err, sizeof(err)), 0);
	ck_assert_int_eq(vlan_is_trunk(&spec), 0);
	ck_assert_int_eq(vlan_parse("10p/20", &spec, err, sizeof(err)), 0);
	ck_assert_int_eq(vlan_is_trunk(&spec), 1);
}
END_TEST

/* Found by tests/fuzz/vlan: vlan_format() wrote its terminating NUL into a
 * buffer of 0 bytes. */
START_TEST(vlan_format_edges)
{
	struct vlan_spec s;
	char buf[32] = "untouched";

	ck_assert_int_eq(vlan_parse("10pu/20-29", &s, err, sizeof(err)), 0);
	errno = 0;
	ck_assert_int_eq(vlan_format(&s, buf, 0), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_str_eq(buf, "untouched");
	/* "10 PVID untagged, 20-29": 23 bytes and the NUL */
	ck_assert_int_eq(vlan_format(&s, buf, 23), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(vlan_format(&s, buf, 24), 0);
	ck_assert_str_eq(buf, "10 PVID untagged, 20-29");
}
END_TEST

Suite *vlan_suite(void)
{
	const TTest *tests[] = { vlan_single_is_access_port,
				 vlan_flags_and_lists,
				 vlan_ranges_and_steps,
				 vlan_errors,
				 vlan_membership,
				 vlan_trunks,
				 vlan_format_edges,
				 NULL };

	return unit_suite("vlan", tests);
}
