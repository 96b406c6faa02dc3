/* Unit tests: DHCP leases for dnsmasq and ISC dhcpd, and telling dnsmasq
 * (common/skel/dhcp.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dhcp.h"
#include "unit.h"

START_TEST(dhcp_files)
{
	char dir[] = "/tmp/xns-dhcp-XXXXXX", path[128], text[1024];
	struct dhcp_host h = { "vif5.0", "dom5", "00:16:3e:00:05:00",
			       "10.0.5.1", "10.0.5.128" };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("XEN_LOCK_DIR", dir, 1);
	ck_assert_int_eq(dhcp_dnsmasq_add(dir, dir, &h), 0);
	snprintf(path, sizeof(path), "%s/vif5.0", dir);
	read_file(path, text, sizeof(text));
	/* hosts and opts share the directory here: the opts line wins */
	ck_assert_str_eq(text, "tag:xen-vif5.0,option:router,10.0.5.128\n");
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, "vif5.0"), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, "vif5.0"), 0);
	ck_assert_int_eq(dhcp_dnsmasq_add("/nonexistent/xns", dir, &h), -1);
	ck_assert_int_eq(errno, ENOENT);

	snprintf(path, sizeof(path), "%s/dhcpd.conf", dir);
	write_conf(
		path,
		"subnet 10.0.0.0 netmask 255.255.0.0 { }\nhost dom5 { old; }\n");
	ck_assert_int_eq(dhcp_isc_add(path, &h), 0);
	ck_assert_int_eq(dhcp_isc_add(path, &h), 0);
	read_file(path, text, sizeof(text));
	ck_assert_str_eq(text,
			 "subnet 10.0.0.0 netmask 255.255.0.0 { }\n"
			 "host dom5 { hardware ethernet 00:16:3e:00:05:00; "
			 "fixed-address 10.0.5.1; option routers 10.0.5.128; "
			 "option host-name \"dom5\"; }\n");
	ck_assert_int_eq(dhcp_isc_del(path, "dom5"), 0);
	read_file(path, text, sizeof(text));
	ck_assert_str_eq(text, "subnet 10.0.0.0 netmask 255.255.0.0 { }\n");
	unlink(path);
	ck_assert_int_eq(dhcp_isc_del(path, "dom5"), 0); /* no file */
	rmdir(dir);
	unsetenv("XEN_LOCK_DIR");
}
END_TEST

/* A run killed between writing a lease file's temporary and renaming it
 * leaves .NAME.tmp: removing the lease removes it too. */
START_TEST(dhcp_killed_run_leftovers)
{
	char dir[] = "/tmp/xns-dhcp-XXXXXX", tmp[128], path[128];
	struct dhcp_host h = { "vif5.0", "dom5", "00:16:3e:00:05:00",
			       "10.0.5.1", "10.0.5.128" };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(tmp, sizeof(tmp), "%s/.vif5.0.tmp", dir);
	write_conf(tmp, "00:16:3e:00:05:00,set:xen-");
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, "vif5.0"), 0);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	/* and writing it afresh leaves none either */
	write_conf(tmp, "00:16:3e:00:05:00,set:xen-");
	ck_assert_int_eq(dhcp_dnsmasq_add(dir, dir, &h), 0);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	snprintf(path, sizeof(path), "%s/vif5.0", dir);
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, "vif5.0"), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(rmdir(dir), 0); /* nothing else was left */
}
END_TEST

/* A lease file's path is at most DHCP_PATH_MAX - 1 bytes: at the limit it
 * is written and removed, one past it is refused and nothing is touched. */
START_TEST(dhcp_path_limit)
{
	char top[] = "/tmp/xns-dhcp-XXXXXX", dir[DHCP_PATH_MAX + 16];
	char name[128], path[DHCP_PATH_MAX + 16];
	struct dhcp_host h = { name, "dom5", "00:16:3e:00:05:00", "10.0.5.1",
			       "10.0.5.128" };
	size_t len;
	int n;

	ck_assert_ptr_nonnull(mkdtemp(top));
	/* top/aaa...a/aaa...a: directories of 200 bytes a name */
	len = (size_t)snprintf(dir, sizeof(dir), "%s/", top);
	memset(dir + len, 'a', 200);
	dir[len + 200] = 0;
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	len = strlen(dir);
	dir[len] = '/';
	memset(dir + len + 1, 'a', 200);
	dir[len + 201] = 0;
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	/* a name filling dir/name up to DHCP_PATH_MAX - 1 bytes */
	n = DHCP_PATH_MAX - 1 - (int)strlen(dir) - 1;
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, (int)sizeof(name));
	memset(name, 'v', (size_t)n);
	name[n] = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq((int)strlen(path), DHCP_PATH_MAX - 1);
	ck_assert_int_eq(dhcp_dnsmasq_add(dir, dir, &h), 0);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, name), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	/* one byte more */
	name[n] = 'v';
	name[n + 1] = 0;
	ck_assert_int_eq(dhcp_dnsmasq_add(dir, dir, &h), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, name), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	/* the name cut to the limit names a file that must stay */
	name[n] = 0;
	write_conf(path, "someone else's\n");
	name[n] = 'v';
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, name), -1);
	ck_assert_int_eq(access(path, F_OK), 0);
	unlink(path);
	rmdir(dir);
	*strrchr(dir, '/') = 0;
	rmdir(dir);
	ck_assert_int_eq(rmdir(top), 0);
}
END_TEST

/* A child that reports each SIGHUP on a pipe; named comm. */
static pid_t hup_child(const char *comm, int *rd)
{
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sigset_t set;
		int sig;

		close(p[0]);
		prctl(PR_SET_NAME, comm);
		sigemptyset(&set);
		sigaddset(&set, SIGHUP);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
			if (write(p[1], "h", 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(p[1]);
	*rd = p[0];
	ck_assert_int_eq(read(p[0], &(char){ 0 }, 1), 1); /* it is ready */
	return pid;
}

/* What hup_child reported when it was told to end. */
static char hup_end(pid_t pid, int rd)
{
	char c = 0;

	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	if (read(rd, &c, 1) != 1)
		c = 0;
	close(rd);
	return c;
}

START_TEST(dnsmasq_reload_only_dnsmasq)
{
	static const char *const bad[] = { "dnsmasq\n", "",    "12x\n",
					   "1\n",	"0\n", "2147483648\n" };
	char dir[] = "/tmp/xns-pid-XXXXXX", pidfile[64], text[32];
	pid_t pid;
	int rd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(pidfile, sizeof(pidfile), "%s/dnsmasq.pid", dir);
	ck_assert_int_eq(dhcp_dnsmasq_reload(pidfile), 0); /* no pid file */

	/* A stale pid file whose number another process took. */
	pid = hup_child("sleep", &rd);
	snprintf(text, sizeof(text), "%d\n", (int)pid);
	write_conf(pidfile, text);
	ck_assert_int_eq(dhcp_dnsmasq_reload(pidfile), 0);
	ck_assert_int_eq(kill(pid, 0), 0);
	ck_assert_int_eq(hup_end(pid, rd), 0); /* no SIGHUP came */
	/* Now nothing has that number. */
	ck_assert_int_eq(dhcp_dnsmasq_reload(pidfile), 0);

	/* A dnsmasq is told. */
	pid = hup_child("dnsmasq", &rd);
	snprintf(text, sizeof(text), "%d\n", (int)pid);
	write_conf(pidfile, text);
	ck_assert_int_eq(dhcp_dnsmasq_reload(pidfile), 1);
	ck_assert_int_eq(hup_end(pid, rd), 'h');

	/* The largest number is a process number (of no process here). */
	write_conf(pidfile, "2147483647\n");
	ck_assert_int_eq(dhcp_dnsmasq_reload(pidfile), 0);
	/* What is no process number is refused: one past the largest too. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_conf(pidfile, bad[i]);
		ck_assert_int_eq(dhcp_dnsmasq_reload(pidfile), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	unlink(pidfile);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *dhcp_suite(void)
{
	const TTest *tests[] = { dhcp_files, dhcp_killed_run_leftovers,
				 dhcp_path_limit, dnsmasq_reload_only_dnsmasq,
				 NULL };

	return unit_suite("dhcp", tests);
}
