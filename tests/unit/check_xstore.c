/* Unit tests: xenstore paths and values (common/base/xstore.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "xstore.h"
#include "unit.h"

static char err[256];

START_TEST(vif_paths)
{
	unsigned d, n;

	ck_assert_int_eq(xstore_vif_path("backend/vif/3/0", &d, &n), 0);
	ck_assert_uint_eq(d, 3);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(
		xstore_vif_path("/local/domain/0/backend/vif/12/4", &d, &n), 0);
	ck_assert_uint_eq(d, 12);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(
		xstore_vif_path("/local/domain/7/backend/vif/1/0", &d, &n), 0);
}
END_TEST

START_TEST(vif_paths_refused)
{
	const char *bad[] = { "",
			      "backend/vif/3",
			      "backend/vif/3/0/",
			      "backend/vif//0",
			      "backend/vbd/3/0",
			      "backend/vif/3/0/../../../x",
			      "backend/vif/a/0",
			      "backend/vif/-1/0",
			      "backend/vif/03/0",
			      "/local/domain//backend/vif/1/0",
			      "/backend/vif/1/0",
			      "backend/vif/1/0 x",
			      "backend/vif/999999/0",
			      "local/domain/0/backend/vif/1/0" };
	unsigned d, n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(xstore_vif_path(bad[i], &d, &n) == -1,
			      "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(xstore_path_truncation)
{
	char buf[16];

	ck_assert_int_eq(xstore_path(buf, sizeof(buf), "a/b", "c"), 0);
	ck_assert_str_eq(buf, "a/b/c");
	ck_assert_int_eq(xstore_path(buf, sizeof(buf), "backend/vif/1/0", "x"),
			 -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

/* xenstore values: XSTORE_VALUE_MAX bytes and one more, control bytes. */
START_TEST(xstore_values)
{
	static char v[XSTORE_VALUE_MAX + 2];

	memset(v, 'a', sizeof(v) - 1);
	ck_assert_int_eq(
		xstore_value_check(v, XSTORE_VALUE_MAX, err, sizeof(err)), 0);
	ck_assert_int_eq(
		xstore_value_check(v, XSTORE_VALUE_MAX + 1, err, sizeof(err)),
		-1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_str_eq(err, "1025 bytes, more than 1024");
	ck_assert_int_eq(xstore_value_check("a\tb", 3, err, sizeof(err)), 0);
	ck_assert_int_eq(xstore_value_check("192.0.2.1\n192.0.2.2", 19, err,
					    sizeof(err)),
			 -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(err, "a newline at byte 10: a value is one line");
	ck_assert_int_eq(xstore_value_check("ab\0c", 4, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "a control character (0x00) at byte 3");
	ck_assert_int_eq(xstore_value_check("\x1b[2J", 5, err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "a control character (0x1b) at byte 1");
}
END_TEST

Suite *xstore_suite(void)
{
	const TTest *tests[] = { vif_paths, vif_paths_refused,
				 xstore_path_truncation, xstore_values, NULL };

	return unit_suite("xstore", tests);
}
