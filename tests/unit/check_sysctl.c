/* Unit tests: sysctl paths (common/base/sysctl.h). */
#define _GNU_SOURCE
#include <errno.h>

#include "sysctl.h"
#include "unit.h"

START_TEST(sysctl_reads_and_refuses_traversal)
{
	char buf[32];

	ck_assert_int_eq(
		sysctl_get((const char *[]){ "kernel", "ostype", NULL }, buf,
			   sizeof(buf)),
		0);
	ck_assert_str_eq(buf, "Linux");
	ck_assert_int_eq(sysctl_get((const char *[]){ "net", "ipv4", "conf",
						      "..", "x", NULL },
				    buf, sizeof(buf)),
			 -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(
		sysctl_set((const char *[]){ "net", "a/b", NULL }, "1"), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

Suite *sysctl_suite(void)
{
	const TTest *tests[] = { sysctl_reads_and_refuses_traversal, NULL };

	return unit_suite("sysctl", tests);
}
