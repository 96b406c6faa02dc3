/* Unit tests: text helpers: escaping, reading whole files, files replaced
 * whole (common/base/text.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text.h"
#include "unit.h"

START_TEST(escaped_values)
{
	char buf[32];

	text_escape(buf, sizeof(buf), "a\nb\tc\\d\x01\x7f", 9, 64);
	ck_assert_str_eq(buf, "a\\nb\\tc\\\\d\\x01\\x7f");
	text_escape(buf, sizeof(buf), "abcdefgh", 8, 8);
	ck_assert_str_eq(buf, "abcdefgh");
	text_escape(buf, sizeof(buf), "abcdefghi", 9, 8);
	ck_assert_str_eq(buf, "abcdefgh...");
	/* Cut to the buffer, always terminated. */
	text_escape(buf, 6, "abcdefghi", 9, 8);
	ck_assert_str_eq(buf, "abcde");
	text_escape(buf, sizeof(buf), "", 0, 8);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(text_read_and_nul_lines)
{
	char path[] = "/tmp/xns-text-XXXXXX", *t;
	int fd = mkstemp(path);
	size_t len;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "0123456789", 10), 10);
	close(fd);
	ck_assert_ptr_nonnull(t = text_read(path, 10, &len)); /* at its max */
	ck_assert_int_eq((int)len, 10);
	ck_assert_str_eq(t, "0123456789");
	free(t);
	ck_assert_ptr_null(text_read(path, 9, &len)); /* one past */
	ck_assert_int_eq(errno, EFBIG);
	unlink(path);
	ck_assert_ptr_null(text_read(path, 10, &len));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(text_nul_line("a\nb\nc", 5), 0);
	ck_assert_int_eq(text_nul_line("\0a", 2), 1);
	ck_assert_int_eq(text_nul_line("a\nb\n\0", 5), 3);
	ck_assert_int_eq(text_nul_line("a\nb\0\n", 5), 2);
}
END_TEST

/* The temporary's name is at most len - 1 bytes: at the limit it is made,
 * one past it is refused. */
START_TEST(text_temp_name_limit)
{
	char dir[] = "/tmp/xns-text-XXXXXX", path[64], tmp[64];
	size_t want;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	want = strlen(dir) + strlen("/.f.tmp");
	ck_assert_ptr_null(text_create(path, tmp, want));
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_eq(text_remove(path, tmp, want), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	f = text_create(path, tmp, want + 1);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(strlen(tmp), want);
	fputs("x\n", f);
	ck_assert_int_eq(text_commit(f, tmp, path), 0);
	ck_assert_int_eq(text_remove(path, tmp, want + 1), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(text_remove(path, tmp, want + 1), 0); /* gone: fine */
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* The file replaced keeps its mode and owner; a new file gets the usual
 * ones; a killed run's temporary, even a link, is replaced, not followed. */
START_TEST(text_keeps_mode_and_owner)
{
	char dir[] = "/tmp/xns-text-XXXXXX", path[64], tmp[64], victim[64],
	     text[64];
	struct stat st;
	mode_t mask;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dhcpd.conf", dir);
	write_conf(path, "old\n");
	ck_assert_int_eq(chmod(path, 02640), 0); /* set-gid kept too */
	if (geteuid() == 0)
		ck_assert_int_eq(chown(path, 1234, 5678), 0);
	ck_assert_ptr_nonnull(f = text_create(path, tmp, sizeof(tmp)));
	fputs("new\n", f);
	ck_assert_int_eq(text_commit(f, tmp, path), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 02640);
	if (geteuid() == 0) {
		ck_assert_int_eq(st.st_uid, 1234);
		ck_assert_int_eq(st.st_gid, 5678);
	}
	read_file(path, text, sizeof(text));
	ck_assert_str_eq(text, "new\n");

	snprintf(victim, sizeof(victim), "%s/victim", dir);
	write_conf(victim, "untouched\n");
	ck_assert_int_eq(symlink(victim, tmp), 0);
	ck_assert_ptr_nonnull(f = text_create(path, tmp, sizeof(tmp)));
	fputs("newer\n", f);
	ck_assert_int_eq(text_commit(f, tmp, path), 0);
	read_file(victim, text, sizeof(text));
	ck_assert_str_eq(text, "untouched\n");
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 02640);

	unlink(path);
	mask = umask(0);
	umask(mask);
	ck_assert_ptr_nonnull(f = text_create(path, tmp, sizeof(tmp)));
	ck_assert_int_eq(text_commit(f, tmp, path), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0666 & ~mask);
	ck_assert_int_eq(st.st_uid, geteuid());
	unlink(path);
	unlink(victim);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *text_suite(void)
{
	const TTest *tests[] = { escaped_values, text_read_and_nul_lines,
				 text_temp_name_limit,
				 text_keeps_mode_and_owner, NULL };

	return unit_suite("text", tests);
}
