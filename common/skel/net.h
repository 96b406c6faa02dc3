/* The skeleton of a network script (network-route, network-nat,
 * network-zones): what xen-network-common.sh did, plus a state file so that
 * stop puts back what start changed and status can tell.
 *
 * The state file (state.h), RUNDIR/PROG.state, holds one line per knob start
 * changed, "sysctl PATH OLD NEW", how start was called ("exe PATH", "arg
 * WORD", "env NAME=VALUE": what the guard runs again to restore it), and
 * lines the script adds
 * ("netdev eth0"; "say ..." lines are what status prints).  It exists
 * exactly while the script is started. */
#ifndef XNS_NET_H
#define XNS_NET_H
#include <net/if.h>

#include "args.h"
#include "fw.h"
#include "state.h"

struct net {
	const char *command;   /* start, stop, status... */
	const char *commands;  /* the valid ones, "start|stop|status" */
	char netdev[IFNAMSIZ]; /* netdev=, else the default route's device */
	char state[256];       /* the state file's path */
	struct state st;       /* its lines, read or to be written */
	int argc;	       /* the words start records (network-zones: */
	char **argv;	       /* its bridge words too) */
	int started;	       /* the state file existed */
	int changed;	       /* start changed the host: a failure writes the
				* state first */
	enum fw_backend fw;    /* firewall= */
	int lock;	       /* start's and stop's lock, -1 when not held */
};

/* Parse argv and the environment (command, NAME=VALUE), take the script's
 * lock for start and stop (so that the guard's restore, a start run with
 * XEN_NETSCRIPTS_RESTORE=1, never runs beside them; a restore of a script
 * that is not started exits 0 at once), find netdev (with NET_NETDEV), read
 * the state file.  commands: the valid ones, separated by
 * '|' ("start|stop|status"); args: the NAME=VALUE arguments the script
 * takes besides firewall= ("netdev|ipv6"), any other one or an empty one is
 * misuse.  For start, netdev must exist and have an IPv4 address that is
 * not a loopback one.  Exit 2 with a usage message on misuse, 1 on bad
 * input. */
#define NET_NETDEV 1
void net_begin(struct net *n, const char *prog, int argc, char **argv,
	       const char *commands, const char *args, int flags);
/* Log the error, exit 1.  When start has changed the host already
 * (n->changed), the state so far is written first. */
void net_fatal(struct net *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Like net_fatal(), once start has changed things: the state so far is
 * written first, so that stop still takes them back. */
void net_abort(struct net *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* An argument the shell script documented but that means nothing here
 * (network-route's and network-nat's antispoof=, network-nat's dhcp=): so
 * that an existing xend or unit configuration keeps working it is taken
 * when it is yes or no, and why (what to do instead) is logged when it is
 * given.  net_fatal() for any other value. */
void net_upstream_bool(struct net *n, const char *name, const char *why);

/* The IPv4 networks of argument name (CIDR, separated by commas) into at
 * most max; returns how many, 0 when name is not given.  net_fatal() naming
 * the value for anything else: no IPv4 network, host bits set, more than
 * max. */
int net_networks(struct net *n, const char *name, struct args_addr *out,
		 int max);

/* Set the knob /proc/sys/PATH (slashes) to value, remembering its value
 * from before the first start.  net_abort() on failure. */
void net_sysctl(struct net *n, const char *path, const char *value);
/* Put back every knob start changed (warnings only). */
void net_sysctl_restore(struct net *n);

/* Add a line to the state (state_add()); fatal (net_fatal()) when it
 * fails.  The rest of the state's operations are state.h's, on n->st. */
void net_state_add(struct net *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* start: write the state file, with how it was called (n->argv), fatal on
 * failure; stop: remove it.  Then release everything and exit 0. */
void net_end(struct net *n) __attribute__((noreturn));

/* Release everything and exit with status, the state file as it was (a
 * dry run, a status). */
void net_exit(struct net *n, int status) __attribute__((noreturn));

/* status: print the state in plain words to stdout; returns whether started
 * (1 or 0).  Cannot fail. */
int net_status_print(struct net *n);
/* net_status_print(), then exit 0 when started, 3 (LSB's "not running")
 * when not. */
void net_status(struct net *n) __attribute__((noreturn));

#endif
