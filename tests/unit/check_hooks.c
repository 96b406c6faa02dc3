/* Unit tests: the vif-post hooks (common/skel/hooks.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hooks.h"
#include "unit.h"

START_TEST(hooks_run_in_order_with_variables)
{
	char path[128], out[256], failed[256] = "";
	char *vars[] = { "dev=vif1.0", "bridge=xenbr0", NULL };

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/vif-post.d", tmpdir);
	mkdir(path, 0755);
	/* No "#!": sourced by bash upstream, run by bash here. */
	snprintf(path, sizeof(path), "%s/vif-post.d/10-a.hook", tmpdir);
	write_file(path, "echo \"a $dev $bridge\" >> \"$XEN_SCRIPT_DIR/out\"\n",
		   0755);
	snprintf(path, sizeof(path), "%s/vif-post.d/20-b.hook", tmpdir);
	write_file(path,
		   "#!/bin/sh\necho \"b $dev\" >> \"$XEN_SCRIPT_DIR/out\"\n",
		   0755);
	/* Not executable, not a .hook: ignored. */
	snprintf(path, sizeof(path), "%s/vif-post.d/30-c.hook", tmpdir);
	write_file(path, "echo c >> \"$XEN_SCRIPT_DIR/out\"\n", 0644);
	snprintf(path, sizeof(path), "%s/vif-post.d/40-d.sh", tmpdir);
	write_file(path, "echo d >> \"$XEN_SCRIPT_DIR/out\"\n", 0755);

	ck_assert_int_eq(hooks_any("vif-post"), 1);
	ck_assert_int_eq(hooks_run("vif-post", vars, failed, sizeof(failed)),
			 0);
	snprintf(path, sizeof(path), "%s/out", tmpdir);
	read_file(path, out, sizeof(out));
	ck_assert_str_eq(out, "a vif1.0 xenbr0\nb vif1.0\n");
	remove_tmpdir();
}
END_TEST

START_TEST(hook_failure_is_reported)
{
	char path[128], failed[256] = "";
	char *vars[] = { NULL };

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/vif-post.d", tmpdir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/vif-post.d/50-bad.hook", tmpdir);
	write_file(path, "exit 3\n", 0755);
	ck_assert_int_eq(hooks_run("vif-post", vars, failed, sizeof(failed)),
			 -1);
	ck_assert_ptr_nonnull(
		strstr(failed, "50-bad.hook exited with status 3"));
	remove_tmpdir();
}
END_TEST

START_TEST(no_hook_directory_is_fine)
{
	char failed[64], path[128];
	char *vars[] = { NULL };

	make_tmpdir();
	ck_assert_int_eq(hooks_any("vif-post"), 0);
	ck_assert_int_eq(hooks_run("vif-post", vars, failed, sizeof(failed)),
			 0);
	/* A directory without a .hook: none either. */
	snprintf(path, sizeof(path), "%s/vif-post.d", tmpdir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/vif-post.d/README", tmpdir);
	write_file(path, "not a hook\n", 0644);
	ck_assert_int_eq(hooks_any("vif-post"), 0);
	remove_tmpdir();
}
END_TEST

Suite *hooks_suite(void)
{
	const TTest *tests[] = { hooks_run_in_order_with_variables,
				 hook_failure_is_reported,
				 no_hook_directory_is_fine, NULL };

	return unit_suite("hooks", tests);
}
