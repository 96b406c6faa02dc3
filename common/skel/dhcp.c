#define _GNU_SOURCE
#include "dhcp.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "args.h"
#include "lock.h"
#include "text.h"

/* dir/name into path (DHCP_PATH_MAX); -1 with ENAMETOOLONG. */
static int join(char *path, const char *dir, const char *name)
{
	int n = snprintf(path, DHCP_PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= DHCP_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Write text to dir/name whole, so that dnsmasq (which watches for moved-in
 * files) reads it whole. */
static int put(const char *dir, const char *name, const char *text)
{
	char path[DHCP_PATH_MAX], tmp[DHCP_PATH_MAX + 8];
	FILE *f;

	if (join(path, dir, name) < 0)
		return -1;
	if (!(f = text_create(path, tmp, sizeof(tmp))))
		return -1;
	fputs(text, f);
	return text_commit(f, tmp, path);
}

static int drop(const char *dir, const char *name)
{
	char path[DHCP_PATH_MAX], tmp[DHCP_PATH_MAX + 8];

	if (join(path, dir, name) < 0)
		return -1;
	return text_remove(path, tmp, sizeof(tmp));
}

int dhcp_dnsmasq_add(const char *hostsdir, const char *optsdir,
		     const struct dhcp_host *h)
{
	char line[256];

	snprintf(line, sizeof(line), "%s,set:xen-%s,%s,%s\n", h->mac, h->name,
		 h->ip, h->hostname);
	if (put(hostsdir, h->name, line) < 0)
		return -1;
	snprintf(line, sizeof(line), "tag:xen-%s,option:router,%s\n", h->name,
		 h->router);
	return put(optsdir, h->name, line);
}

int dhcp_dnsmasq_del(const char *hostsdir, const char *optsdir,
		     const char *name)
{
	int a = drop(hostsdir, name), b = drop(optsdir, name);

	return a < 0 || b < 0 ? -1 : 0;
}

/* conf without hostname's stanza, plus extra (may be NULL), written back
 * atomically; under the lock the shell version takes. */
static int rewrite(const char *conf, const char *hostname, const char *extra)
{
	char key[128], tmp[512], *line = NULL;
	size_t cap = 0;
	FILE *in, *out;
	int lock, ret = -1, e;

	snprintf(key, sizeof(key), "host %s ", hostname);
	if ((lock = lock_claim("vif-nat-dhcp")) < 0)
		return -1;
	if (!(in = fopen(conf, "re")))
		goto out;
	if (!(out = text_create(conf, tmp, sizeof(tmp)))) {
		fclose(in);
		goto out;
	}
	while (getline(&line, &cap, in) > 0)
		if (!strstr(line, key))
			fputs(line, out);
	if (extra)
		fputs(extra, out);
	fclose(in);
	ret = text_commit(out, tmp, conf);
out:
	e = errno;
	free(line);
	lock_release("vif-nat-dhcp", lock);
	errno = e;
	return ret;
}

int dhcp_isc_add(const char *conf, const struct dhcp_host *h)
{
	char stanza[512];

	snprintf(stanza, sizeof(stanza),
		 "host %s { hardware ethernet %s; fixed-address %s; option "
		 "routers %s; option host-name \"%s\"; }\n",
		 h->hostname, h->mac, h->ip, h->router, h->hostname);
	return rewrite(conf, h->hostname, stanza);
}

int dhcp_isc_del(const char *conf, const char *hostname)
{
	if (access(conf, F_OK) < 0 && errno == ENOENT)
		return 0;
	return rewrite(conf, hostname, NULL);
}

int dhcp_dnsmasq_reload(const char *pidfile)
{
	char path[64], line[32] = "", comm[32] = "";
	int pidfd, ret = 0, e;
	unsigned long pid;
	FILE *f;

	if (!(f = fopen(pidfile, "re")))
		return errno == ENOENT ? 0 : -1;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	line[strcspn(line, "\n")] = 0;
	if (args_uint(line, 2, INT_MAX, &pid) < 0) {
		errno = EINVAL;
		return -1;
	}
	/* A pidfd stays the process it was opened on: if the number is taken
	 * by another process after the check, the signal fails with ESRCH
	 * instead of reaching it. */
	if ((pidfd = pidfd_open((pid_t)pid, 0)) < 0)
		return errno == ESRCH ? 0 : -1;
	snprintf(path, sizeof(path), "/proc/%lu/comm", pid);
	if ((f = fopen(path, "re"))) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = 0;
	if (!strcmp(comm, "dnsmasq")) {
		ret = pidfd_send_signal(pidfd, SIGHUP, NULL, 0) == 0 ? 1 : -1;
		if (ret < 0 && errno == ESRCH)
			ret = 0;
	}
	e = errno;
	close(pidfd);
	errno = e;
	return ret;
}
