/* What the unit tests share: temporary directories and files, golden
 * files (unit.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "unit.h"

char tmpdir[64];

Suite *unit_suite(const char *name, const TTest *const *tests)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);

	while (*tests)
		tcase_add_test(tc, *tests++);
	suite_add_tcase(s, tc);
	return s;
}

void make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/xns-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	setenv("XEN_SCRIPT_DIR", tmpdir, 1);
	setenv("XEN_LOCK_DIR", tmpdir, 1);
}

void remove_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

void write_conf(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

void write_file(const char *path, const char *text, mode_t mode)
{
	write_conf(path, text);
	chmod(path, mode);
}

void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

void golden(const char *name, const char *text)
{
	char path[256], want[1 << 16];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "tests/unit/golden/%s", name);
	if (getenv("UPDATE_GOLDEN")) {
		write_conf(path, text);
		return;
	}
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "golden file %s: %s", path, strerror(errno));
	n = fread(want, 1, sizeof(want) - 1, f);
	want[n] = 0;
	fclose(f);
	ck_assert_str_eq(text, want);
}
