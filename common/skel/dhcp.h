/* Fixed DHCP leases for NAT guests (vif-nat): with dnsmasq, one file per
 * vif in the directories given to --dhcp-hostsdir and --dhcp-optsdir, which
 * dnsmasq reads as they appear (no restart); with ISC dhcpd, the shell
 * version's "host" stanza in dhcpd.conf, under the lock vif-nat-dhcp. */
#ifndef XNS_DHCP_H
#define XNS_DHCP_H

/* The longest lease file path, NUL included: a directory and a vif name. */
#define DHCP_PATH_MAX 512

struct dhcp_host {
	const char *name;     /* the vif: names the files and the tag */
	const char *hostname; /* domD or domD-N */
	const char *mac;      /* the guest's, validated */
	const char *ip;	      /* its fixed address */
	const char *router;   /* its router (vif-nat's address on the vif) */
};

/* Write (replace) h's entry in hostsdir and its router option in optsdir;
 * -1 with errno set (ENOENT: a directory is missing; ENAMETOOLONG: a path
 * passes DHCP_PATH_MAX). */
int dhcp_dnsmasq_add(const char *hostsdir, const char *optsdir,
		     const struct dhcp_host *h);
/* Remove them, and the temporaries of a run killed while writing them;
 * what is gone is not an error.  (dnsmasq forgets a removed host at its
 * next SIGHUP.)  ENAMETOOLONG when a path passes DHCP_PATH_MAX. */
int dhcp_dnsmasq_del(const char *hostsdir, const char *optsdir,
		     const char *name);

/* SIGHUP to the dnsmasq that the pid file pidfile names, which then rereads
 * its hosts files: 1 when sent; 0 when there is nothing to tell (no pid
 * file, no such process, or a process that is not a dnsmasq: a stale pid
 * file whose number was taken); -1 with errno set (EINVAL: the first line
 * of the pid file is no process number, 2 to INT_MAX). */
int dhcp_dnsmasq_reload(const char *pidfile);

/* Replace h's stanza in the ISC dhcpd.conf conf (lines naming "host
 * HOSTNAME " go, one is appended), atomically. */
int dhcp_isc_add(const char *conf, const struct dhcp_host *h);
/* Remove hostname's stanza from conf. */
int dhcp_isc_del(const char *conf, const char *hostname);

#endif
