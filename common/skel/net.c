#define _GNU_SOURCE
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "about.h"
#include "args.h"
#include "link.h"
#include "lock.h"
#include "log.h"
#include "netlink.h"
#include "route.h"
#include "sysctl.h"
#include "text.h"

static void finish(struct net *n)
{
	char name[64];

	if (n->lock >= 0) {
		snprintf(name, sizeof(name), "xen-netscripts-%s", log_prog());
		lock_release(name, n->lock);
		n->lock = -1;
	}
	state_clear(&n->st);
	args_free_config();
	netlink_close();
	closelog();
	fw_close();
}

static int write_state(struct net *n);

/* Exit 1, the state written first when save. */
static void die(struct net *n, int save) __attribute__((noreturn));
static void die(struct net *n, int save)
{
	if (save && write_state(n) < 0)
		log_err("write %s: %m", n->state);
	finish(n);
	exit(1);
}

void net_fatal(struct net *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap);
	va_end(ap);
	die(n, n->changed);
}

void net_abort(struct net *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap);
	va_end(ap);
	die(n, 1);
}

static void usage(struct net *n, const char *why)
{
	log_err("%s", why);
	log_err("usage: %s %s [NAME=VALUE]...", log_prog(), n->commands);
	finish(n);
	exit(2);
}

static void read_state(struct net *n)
{
	int line;

	if (state_read(&n->st, n->state, &line) == 0) {
		n->started = 1;
	} else if (errno == EINVAL) {
		n->started = 1;
		net_fatal(n, "%s:%d: not a state line (KEY VALUE)", n->state,
			  line);
	} else if (errno != ENOENT) {
		net_fatal(n, "read %s: %m", n->state);
	}
}

void net_state_add(struct net *n, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = state_vadd(&n->st, fmt, ap);
	va_end(ap);
	if (rc < 0)
		net_fatal(n, "add to %s: %m", n->state);
}

/* start and stop, one at a time (what status and plan read is written
 * whole). */
static void take_lock(struct net *n, const char *prog)
{
	char name[64];

	if (strcmp(n->command, "start") && strcmp(n->command, "stop"))
		return;
	snprintf(name, sizeof(name), "xen-netscripts-%s", prog);
	if ((n->lock = lock_claim(name)) < 0)
		net_fatal(n, "take lock %s: %m", name);
}

void net_begin(struct net *n, const char *prog, int argc, char **argv,
	       const char *commands, const char *args, int flags)
{
	const char *r = getenv("XEN_NETSCRIPTS_RESTORE");
	int restore;
	const char *want;
	char err[256], known[128], synopsis[160], help[256];
	struct about about = { prog, synopsis, help };
	struct args_addr a;
	int k, st;

	/* firewall= is every network script's: net_begin() reads it. */
	k = snprintf(known, sizeof(known), "%s%sfirewall", args,
		     *args ? "|" : "");
	snprintf(synopsis, sizeof(synopsis), "%s [NAME=VALUE]...", commands);
	snprintf(help, sizeof(help), "NAME: %s.\n", known);
	if ((st = about_answer(&about, argc, argv, stdout)) >= 0)
		exit(st);
	memset(n, 0, sizeof(*n));
	n->lock = -1;
	n->commands = commands;
	log_init(prog);
	if (args_init(argc, argv, err, sizeof(err)) < 0)
		usage(n, err);
	if (k < 0 || (size_t)k >= sizeof(known))
		net_fatal(n, "%s: too many argument names", prog);
	if (args_known(known, err, sizeof(err)) < 0)
		usage(n, err);
	n->command = args_command();
	if (!n->command)
		usage(n, "no command given");
	if (!args_one_of(n->command, strlen(n->command), commands))
		usage(n, "invalid command");
	restore = r && args_parse_bool(r) == 1 && !strcmp(n->command, "start");
	n->argc = argc;
	n->argv = argv;
	snprintf(n->state, sizeof(n->state), "%s/%s.state", state_rundir(),
		 prog);
	take_lock(n, prog);
	read_state(n);
	if (restore && !n->started) {
		log_info("%s is not started: nothing to restore", prog);
		net_exit(n, 0);
	}
	/* A broken settings file must not keep stop from cleaning up. */
	if (args_load_config(err, sizeof(err)) < 0) {
		if (!strcmp(n->command, "start") || !strcmp(n->command, "plan"))
			net_fatal(n, "%s", err);
		log_warn("%s: ignored", err);
	}
	if (fw_setting(&n->fw, err, sizeof(err)) < 0)
		net_fatal(n, "%s", err);

	if (!strcmp(n->command, "start"))
		state_filter(&n->st, "say", NULL, NULL);
	if (!(flags & NET_NETDEV))
		return;
	/* stop and status act on the netdev that start used. */
	want = args_get("netdev");
	if (strcmp(n->command, "start") && state_get(&n->st, "netdev"))
		want = state_get(&n->st, "netdev");
	if (want) {
		if (args_ifname(want) < 0)
			net_fatal(n, "invalid netdev '%s'", want);
		snprintf(n->netdev, sizeof(n->netdev), "%s", want);
	} else if (route_default_dev(n->netdev) < 0 &&
		   !strcmp(n->command, "start")) {
		net_fatal(
			n,
			"no netdev given and no default route to take it from: "
			"give netdev=<if>");
	}
	if (!strcmp(n->command, "start")) {
		if (link_index(n->netdev) < 0)
			net_fatal(n, "netdev %s: %m", n->netdev);
		/* Routed guests take netdev's address, NAT hides them behind
		 * it. */
		if (route_primary_addr(n->netdev, &a) < 0) {
			if (errno == EADDRNOTAVAIL)
				net_fatal(n, "netdev '%s' has no IPv4 address",
					  n->netdev);
			net_fatal(n, "read the addresses of %s: %m", n->netdev);
		}
		if (a.a[0] == 127 &&
		    args_addr_format(&a, err, sizeof(err)) == 0)
			net_fatal(
				n,
				"netdev '%s' is a loopback device (address %s)",
				n->netdev, err);
		state_filter(&n->st, "netdev", NULL, NULL);
		net_state_add(n, "netdev %s", n->netdev);
	}
}

void net_upstream_bool(struct net *n, const char *name, const char *why)
{
	const char *v = args_get(name);

	if (!v)
		return;
	if (args_parse_bool(v) < 0)
		net_fatal(n, "invalid %s '%s': expected yes or no", name, v);
	log_info("%s=%s: %s", name, v, why);
}

int net_networks(struct net *n, const char *name, struct args_addr *out,
		 int max)
{
	const char *v = args_get(name);
	struct args_addr net;
	int k;

	if (!v)
		return 0;
	if ((k = args_addr_csv(v, out, max, AF_INET)) < 0) {
		if (errno == E2BIG)
			net_fatal(n, "invalid %s '%s': more than %d networks",
				  name, v, max);
		net_fatal(
			n,
			"invalid %s '%s': expected IPv4 networks separated by "
			"commas",
			name, v);
	}
	for (int i = 0; i < k; i++)
		if (args_addr_network(&out[i], &net))
			net_fatal(
				n,
				"invalid %s '%s': %s has host bits set (the network "
				"is %s)",
				name, v, args_addr_text(&out[i]).s,
				args_addr_text(&net).s);
	return k;
}

/* parts from "a/b/c" (interface names hold dots, never slashes). */
static int split(char *path, const char *parts[], int max)
{
	int k = 0;

	for (char *p = strtok(path, "/"); p && k < max - 1;
	     p = strtok(NULL, "/"))
		parts[k++] = p;
	parts[k] = NULL;
	return k;
}

void net_sysctl(struct net *n, const char *path, const char *value)
{
	char copy[256], old[64];
	const char *parts[16], *set;

	snprintf(copy, sizeof(copy), "%s", path);
	split(copy, parts, 16);
	if (sysctl_get(parts, old, sizeof(old)) < 0)
		net_abort(n, "read %s: %m", path);
	if (sysctl_set(parts, value) < 0)
		net_abort(n, "set %s to %s: %m", path, value);
	n->changed = 1;
	for (int i = 0; (set = state_next(&n->st, "sysctl", &i));)
		if (!strncmp(set, path, strlen(path)) &&
		    set[strlen(path)] == ' ')
			return; /* an earlier start's: keep what was before */
	net_state_add(n, "sysctl %s %s %s", path, old, value);
	log_info("%s: %s %s -> %s", log_prog(), path, old, value);
}

void net_sysctl_restore(struct net *n)
{
	for (int i = n->st.n - 1; i >= 0; i--) {
		const char *line = n->st.lines[i];
		char path[256], old[64], set[64], now[64];
		const char *parts[16];

		if (sscanf(line, "sysctl %255s %63s %63s", path, old, set) != 3)
			continue;
		split(path, parts, 16);
		if (sysctl_get(parts, now, sizeof(now)) < 0) {
			log_debug("%s is gone: nothing to put back", line + 7);
			continue;
		}
		/* Someone else changed it since: theirs stands. */
		if (strcmp(now, set)) {
			log_warn("%s is %s, not the %s start set: left alone",
				 line + 7, now, set);
			continue;
		}
		if (sysctl_set(parts, old) < 0)
			log_warn("put back %s: %m", line + 7);
	}
}

static int write_state(struct net *n)
{
	return state_write(&n->st, n->state);
}

/* The parameters the network scripts take from the environment. */
static const char *const env_params[] = {
	"netdev", "subnet", "ipv6",	"antispoof",	       "dhcp", "config",
	"ethers", "hosts",  "firewall", "XEN_NETSCRIPTS_CONF", NULL,
};

/* How start was called, for the guard's restore: this binary, its words but
 * the command, and the parameters it found in its environment. */
static void record_call(struct net *n)
{
	char exe[256];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	state_filter(&n->st, "exe", NULL, NULL);
	state_filter(&n->st, "arg", NULL, NULL);
	if (k <= 0 || k == (ssize_t)sizeof(exe) - 1) {
		log_warn("read /proc/self/exe: %m: restore cannot run %s again",
			 log_prog());
		return;
	}
	exe[k] = 0;
	state_filter(&n->st, "env", NULL, NULL);
	net_state_add(n, "exe %s", exe);
	if (state_add_env(&n->st, env_params) < 0)
		net_fatal(n, "add to %s: %m", n->state);
	for (int i = 1; i < n->argc; i++)
		if (n->argv[i] != n->command)
			net_state_add(n, "arg %s", n->argv[i]);
}

void net_end(struct net *n)
{
	if (!strcmp(n->command, "start")) {
		record_call(n);
		if (write_state(n) < 0)
			net_fatal(n, "write %s: %m", n->state);
	} else if (state_remove(n->state) < 0) {
		log_warn("remove %s: %m", n->state);
	}
	log_info("%s %s%s%s: done", log_prog(), n->command,
		 n->netdev[0] ? " netdev " : "", n->netdev);
	finish(n);
	exit(0);
}

void net_exit(struct net *n, int status)
{
	finish(n);
	exit(status);
}

int net_status_print(struct net *n)
{
	if (!n->started) {
		printf("%s is stopped.\n", log_prog());
		return 0;
	}
	printf("%s is started%s%s.\n", log_prog(), n->netdev[0] ? " on " : "",
	       n->netdev);
	for (int i = 0; i < n->st.n; i++) {
		const char *line = n->st.lines[i];
		char path[256], old[64], set[64];

		if (sscanf(line, "sysctl %255s %63s %63s", path, old, set) == 3)
			printf("  %s is %s (was %s before start)\n", path, set,
			       old);
		else if (!strncmp(line, "say ", 4))
			printf("  %s\n", line + 4);
	}
	return 1;
}

void net_status(struct net *n)
{
	net_exit(n, net_status_print(n) ? 0 : 3);
}
