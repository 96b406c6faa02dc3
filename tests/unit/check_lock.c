/* Unit tests: locks compatible with Xen's locking.sh (common/base/lock.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lock.h"
#include "unit.h"

START_TEST(lock_excludes_and_is_removed)
{
	char path[128];
	int fd, other;
	struct stat st;

	make_tmpdir();
	fd = lock_claim("iptables");
	ck_assert_int_ge(fd, 0);
	snprintf(path, sizeof(path), "%s/iptables", tmpdir);
	ck_assert_int_eq(stat(path, &st), 0);
	/* Another process cannot take it meanwhile. */
	other = open(path, O_RDWR);
	ck_assert_int_ge(other, 0);
	ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	close(other);
	lock_release("iptables", fd);
	ck_assert_int_eq(stat(path, &st), -1);
	remove_tmpdir();
}
END_TEST

START_TEST(lock_serializes_with_locking_sh)
{
	/* The shell's claim_lock must wait while we hold the lock. */
	char cmd[512], path[128], out[64];
	int fd;
	pid_t pid;

	if (access("/etc/xen/scripts/locking.sh", R_OK) < 0)
		return;
	make_tmpdir();
	fd = lock_claim("vif-nat-dhcp");
	ck_assert_int_ge(fd, 0);
	snprintf(
		cmd, sizeof(cmd),
		". /etc/xen/scripts/locking.sh; LOCK_BASEDIR=%s; "
		"claim_lock vif-nat-dhcp; echo got >> %s/out; release_lock vif-nat-dhcp",
		tmpdir, tmpdir);
	pid = fork();
	if (pid == 0) {
		execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	usleep(300000);
	snprintf(path, sizeof(path), "%s/out", tmpdir);
	ck_assert_int_eq(access(path, F_OK), -1); /* still waiting */
	lock_release("vif-nat-dhcp", fd);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	read_file(path, out, sizeof(out));
	ck_assert_str_eq(out, "got\n");
	remove_tmpdir();
}
END_TEST

/* The lock directory is made by the first claim when it is not there (a
 * fresh /run); one whose parent is missing too is an error. */
START_TEST(lock_makes_its_directory)
{
	char dir[160], path[192];
	struct stat st;
	int fd;

	make_tmpdir();
	snprintf(dir, sizeof(dir), "%s/xen-hotplug", tmpdir);
	setenv("XEN_LOCK_DIR", dir, 1);
	fd = lock_claim("iptables");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "%s/iptables", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	lock_release("iptables", fd);
	ck_assert_int_eq(stat(path, &st), -1);
	/* Taken again with the directory there. */
	fd = lock_try("iptables");
	ck_assert_int_ge(fd, 0);
	lock_release("iptables", fd);

	snprintf(dir, sizeof(dir), "%s/missing/xen-hotplug", tmpdir);
	setenv("XEN_LOCK_DIR", dir, 1);
	ck_assert_int_eq(lock_claim("iptables"), -1);
	ck_assert_int_eq(errno, ENOENT);
	remove_tmpdir();
}
END_TEST

Suite *lock_suite(void)
{
	const TTest *tests[] = { lock_excludes_and_is_removed,
				 lock_makes_its_directory,
				 lock_serializes_with_locking_sh, NULL };

	return unit_suite("lock", tests);
}
