/* Unit tests: --help and --version (common/skel/about.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "about.h"
#include "unit.h"

static const struct about vif = { "vif-x", "online|offline [NAME=VALUE]...",
				  "More.\n" };

/* about_answer(&vif, argv) with what it printed in out (malloc'd). */
static int answer(char **argv, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	int argc = 0, st;

	while (argv[argc])
		argc++;
	st = about_answer(&vif, argc, argv, f);
	fclose(f);
	return st;
}

START_TEST(about_version_anywhere)
{
	char *a[] = { "vif-x", "--version", NULL };
	char *b[] = { "vif-x", "online", "bridge=br0", "--version", NULL };
	char *out;

	ck_assert_int_eq(answer(a, &out), 0);
	ck_assert_str_eq(out, "vif-x " XNS_VERSION " (xen-netscripts)\n"
			      "firewall backends: nft iptables\n");
	free(out);
	ck_assert_int_eq(answer(b, &out), 0);
	ck_assert_str_eq(out, "vif-x " XNS_VERSION " (xen-netscripts)\n"
			      "firewall backends: nft iptables\n");
	free(out);
}
END_TEST

START_TEST(about_help)
{
	static const char want[] =
		"usage: vif-x online|offline [NAME=VALUE]...\n"
		"       vif-x --help | --version\n"
		"More.\n"
		"See vif-x(8).\n";
	char *a[] = { "vif-x", "--help", NULL };
	char *b[] = { "vif-x", "offline", "-h", NULL };
	char *out;

	ck_assert_int_eq(answer(a, &out), 0);
	ck_assert_str_eq(out, want);
	free(out);
	ck_assert_int_eq(answer(b, &out), 0);
	ck_assert_str_eq(out, want);
	free(out);
}
END_TEST

/* Only the words themselves: a value or a longer word is not a question. */
START_TEST(about_not_asked)
{
	char *a[] = { "vif-x", "online",      "x=--help", "--versions",
		      "-help", "--version=1", NULL };
	char *b[] = { "--help", NULL }; /* argv[0] is the program */
	char *out;

	ck_assert_int_eq(answer(a, &out), -1);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_int_eq(answer(b, &out), -1);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

/* An answer that cannot be written is a failure (exit 1). */
START_TEST(about_unwritable)
{
	char *a[] = { "vif-x", "--version", NULL };
	FILE *f = fopen("/dev/null", "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(about_answer(&vif, 2, a, f), 1);
	fclose(f);
}
END_TEST

Suite *about_suite(void)
{
	const TTest *tests[] = {
		about_version_anywhere, about_help, about_not_asked,
		about_unwritable,	NULL,
	};
	return unit_suite("about", tests);
}
