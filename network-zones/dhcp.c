#define _GNU_SOURCE
/* DHCP for the zones: dnsmasq's files from /etc/ethers and /etc/hosts. */
#include "zones.h"

#include "args.h"
#include "dhcp.h"
#include "log.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The address of name in the hosts file; -1 when it has none. */
static int host_addr(const char *hosts, const char *name, struct args_addr *a)
{
	char line[512], *save = NULL, *tok, *ip;
	FILE *f = fopen(hosts, "re");
	int found = -1;

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "#\n")] = 0;
		if (!(ip = strtok_r(line, " \t", &save)))
			continue;
		while ((tok = strtok_r(NULL, " \t", &save)))
			if (!strcmp(tok, name) && args_addr(ip, a) == 0 &&
			    a->family == AF_INET)
				found = 0;
	}
	fclose(f);
	return found;
}

static const struct zone *zone_of(const struct zones *zs,
				  const struct args_addr *a)
{
	for (int i = 0; i < zs->nz; i++)
		if (zones_in_network(&zs->z[i], a))
			return &zs->z[i];
	return NULL;
}

/* A dnsmasq already serving the zones rereads its hosts file on SIGHUP. */
static void tell_dnsmasq(const char *rundir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/network-zones.dnsmasq.pid", rundir);
	if (dhcp_dnsmasq_reload(path) < 0)
		log_warn("tell the dnsmasq of %s to reread its hosts: %m",
			 path);
}

int zones_dhcp_write(const struct zones *zs, const char *ethers,
		     const char *hosts, const char *rundir, char *err,
		     size_t len)
{
	char path[512], tmp[520], line[512], *save = NULL;
	FILE *in, *out;
	int count = 0;

	/* No ethers file: no fixed leases, the DHCP= ranges only. */
	if (!(in = fopen(ethers, "re")) && errno != ENOENT) {
		snprintf(err, len, "%s: %s", ethers, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/network-zones.dnsmasq.hosts", rundir);
	if (!(out = text_create(path, tmp, sizeof(tmp)))) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		if (in)
			fclose(in);
		return -1;
	}
	while (in && fgets(line, sizeof(line), in)) {
		char *mac, *who;
		unsigned char m[6];
		struct args_addr a;

		line[strcspn(line, "#\n")] = 0;
		if (!(mac = strtok_r(line, " \t", &save)) ||
		    !(who = strtok_r(NULL, " \t", &save)))
			continue;
		if (args_mac(mac, m) < 0)
			continue;
		if ((args_addr(who, &a) < 0 || a.family != AF_INET) &&
		    host_addr(hosts, who, &a) < 0)
			continue;
		if (!zone_of(zs, &a))
			continue;
		fprintf(out, "%s,%s%s%s\n", mac, args_addr_text(&a).s,
			isdigit((unsigned char)*who) ? "" : ",",
			isdigit((unsigned char)*who) ? "" : who);
		count++;
	}
	if (in)
		fclose(in);
	if (text_commit(out, tmp, path) < 0) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/network-zones.dnsmasq.conf", rundir);
	if (!(out = text_create(path, tmp, sizeof(tmp)))) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(out,
		"# Written by network-zones: DHCP for the zones from %s and %s.\n"
		"port=0\nbind-dynamic\n",
		ethers, hosts);
	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];
		struct args_addr router = z->in, net, mask;
		char net_s[64];

		router.prefix = 32;
		zones_network(z, &net, &mask);
		snprintf(net_s, sizeof(net_s), "%s", args_addr_text(&net).s);
		fprintf(out,
			"interface=%s\ndhcp-range=set:%s,%s,static,%s\n"
			"dhcp-option=tag:%s,option:router,%s\n",
			z->br, z->name, net_s, args_addr_text(&mask).s, z->name,
			args_addr_text(&router).s);
		if (z->pool[0].family)
			fprintf(out, "dhcp-range=set:%s,%s,%s,%s\n", z->name,
				args_addr_text(&z->pool[0]).s,
				args_addr_text(&z->pool[1]).s,
				args_addr_text(&mask).s);
	}
	fprintf(out,
		"dhcp-hostsfile=%s/network-zones.dnsmasq.hosts\n"
		"pid-file=%s/network-zones.dnsmasq.pid\n",
		rundir, rundir);
	if (text_commit(out, tmp, path) < 0) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	tell_dnsmasq(rundir);
	return count;
}
