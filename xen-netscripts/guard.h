/* xen-netscripts, the guard: what online (and network-* start) made,
 * compared with what the kernel has, and put back by running the scripts
 * again.  The pure parts (the record's parser, the comparison) are unit
 * tested; the rest reads the kernel and xenstore. */
#ifndef XNS_GUARD_H
#define XNS_GUARD_H
#include <net/if.h>
#include <sys/types.h>

#include "args.h"
#include "fw.h"
#include "link.h"
#include "state.h"
#include "vif.h"
#include "xstore.h"

/* What a vif's record (vif.h) says online made. */
struct guard_expect {
	char script[16]; /* vif-bridge, vif-route or vif-nat */
	char dev[IFNAMSIZ];
	int tap;
	char bridge[IFNAMSIZ]; /* "" for a routed vif */
	char netdev[IFNAMSIZ]; /* a routed vif's, when online had one */
	unsigned mtu;	       /* 0: not recorded */
	enum fw_backend fw;
	unsigned char mac[6];
	int has_mac;
	struct args_addr addrs[VIF_MAX_ADDRS];
	int naddrs; /* -1: any source */
	int trunk, routed;
	struct args_addr local; /* routed: dom0's address on the vif */
	int has_local;
	struct guard_route {
		struct args_addr dst;
		unsigned metric;
		int announce;	    /* vif-route: announced while carrier */
		unsigned announced; /* the metric then */
	} routes[VIF_MAX_ADDRS];
	int nroutes;
	struct guard_ndp {
		char dev[IFNAMSIZ];
		struct args_addr a;
	} ndp[VIF_MAX_ADDRS];
	int nndp;
	char args[8][XSTORE_VALUE_MAX / 4]; /* online's NAME=VALUE arguments */
	int nargs;
	char envs[16][XSTORE_VALUE_MAX / 4]; /* and its environment's */
	int nenvs;
};

/* The record's lines into e; -1 with errno EINVAL and the line that is
 * wrong in err (a record we did not write, or a newer version's).  Pure. */
int guard_expect_parse(const struct state *rec, struct guard_expect *e,
		       char *err, size_t len);

/* What the kernel has of it. */
struct guard_seen {
	int exists; /* the device, by the kernel's name */
	struct link_info link;
	int proxy_arp; /* routed: 1 on, 0 off, -1 unreadable */
	int local;     /* routed: dom0's address on the device */
	int route[VIF_MAX_ADDRS], ndp[VIF_MAX_ADDRS]; /* 1 present */
	/* An announced route's state (the routes of its address through the
	 * device: one, of protocol xen and the announced metric; one, of
	 * another protocol and its own metric; more, one of them xen; more,
	 * none xen). */
	enum guard_announced {
		GUARD_NOT_ANNOUNCED,
		GUARD_ANNOUNCED,
		GUARD_STRAY_ANNOUNCED,
		GUARD_STRAY,
	} announced[VIF_MAX_ADDRS];
	/* watch runs (follows the carrier): a route not announced while the
	 * carrier is on is a problem.  Set by the caller. */
	int followed;
	int fw; /* fw_vif_check(): 1 in place */
	char fw_why[160];
};

/* Read what the kernel has for the vif called kname (by its kernel name,
 * which stays as an alternative name); -1 with errno when the kernel cannot
 * be read (a missing device is not an error: s->exists 0). */
int guard_observe(const char *kname, const struct guard_expect *e,
		  struct guard_seen *s);

#define GUARD_PROBLEMS 16
#define GUARD_PROBLEM_LEN 192
/* The differences, one phrase each ("not attached to xenbr0"), into p; at
 * most GUARD_PROBLEMS (the last then says how many more).  Returns how
 * many.  Pure. */
int guard_compare(const struct guard_expect *e, const struct guard_seen *s,
		  char p[][GUARD_PROBLEM_LEN]);

/* How many of the differences are of announcement only (what watch's
 * carrier following puts right, without a restore).  Pure. */
int guard_announce_drift(const struct guard_expect *e,
			 const struct guard_seen *s);

/* A vif this domain is the backend of. */
struct guard_vif {
	char kname[IFNAMSIZ]; /* vifD.N, or vifD.N-emu */
	int tap;	      /* the -emu one: its record, its add */
	unsigned domid, devid;
	char path[XSTORE_PATH_MAX];
	char script[XSTORE_PATH_MAX]; /* the backend's script key */
	char *vifname, *ip, *bridge, *gatewaydev, *hotplug; /* keys, or NULL */
	int online;	/* the backend's online key is 1 */
	int ours;	/* script is one of ours (not a shell script) */
	int has_record; /* RUNDIR/vif/KNAME read */
	struct guard_expect e;
	int nproblems;
	int nannounce; /* of them, of announcement only */
	char problems[GUARD_PROBLEMS][GUARD_PROBLEM_LEN];
	struct guard_seen seen;
};

/* Every vif under backend/vif (relative: the domain this runs in), with its
 * keys and record, into a malloc'd array of *n; NULL with errno (ENOENT
 * means none: *n is 0; a key the store refuses to give counts as absent,
 * any other failure to read is an error).  Each vif's problems are filled
 * by guard_check(). */
struct guard_vif *guard_list(struct xs_handle *xs, int *n);
void guard_free(struct guard_vif *v, int n);
/* v's device name: as online recorded it, else its vifname key, else its
 * kernel name.  Pure. */
const char *guard_dev(const struct guard_vif *v);
/* Whether the guard looks after v: ours, online and connected. */
int guard_watched(const struct guard_vif *v);
/* Compare one vif (guard_observe() + guard_compare()), followed: whether
 * watch follows the carrier; -1 with errno when the kernel cannot be
 * read. */
int guard_check(struct guard_vif *v, int followed);
/* Whether a watch runs (it holds the lock GUARD_WATCH_LOCK). */
#define GUARD_WATCH_LOCK "xen-netscripts-watch"
int guard_watch_running(void);

/* 1 when s is "NAME=VALUE" with NAME a variable name; pure. */
int guard_env_ok(const char *s);

/* A network script's state. */
struct guard_net {
	const char *prog; /* network-route, network-nat, network-zones */
	int started;
	struct state st;
	int nproblems;
	char problems[GUARD_PROBLEMS][GUARD_PROBLEM_LEN];
};
#define GUARD_NETS 3
/* Read the three states and compare them with the kernel. */
void guard_nets(struct guard_net nets[GUARD_NETS]);
void guard_nets_free(struct guard_net nets[GUARD_NETS]);

/* Start v's script again in restore mode (online, or add for a tap), as
 * libxl runs it; its pid, or -1 with errno. */
pid_t guard_restore_vif(const struct guard_vif *v);
/* Start the network script's start again with its recorded arguments. */
pid_t guard_restore_net(const struct guard_net *n);
/* Wait for pid, killing it after GUARD_TIMEOUT_S (libxl's 40 s): its exit
 * status (128 + signal when killed), or -1 with errno. */
#define GUARD_TIMEOUT_S 40
int guard_wait(pid_t pid);

/* status: the lines (or --json), check: the problems. */
void guard_print_status(const struct guard_vif *v, int n,
			const struct guard_net nets[GUARD_NETS], int json);

/* watch: the routed vifs whose carrier it follows (follow.c). */
struct guard_follower {
	char kname[IFNAMSIZ];
	int ifindex;
	char dev[IFNAMSIZ], netdev[IFNAMSIZ]; /* as online recorded them */
	struct args_addr local;		      /* the IPv4 routes' source */
	int has_local;
	struct guard_route routes[VIF_MAX_ADDRS];
	int nroutes;
	int on;	     /* the routes: 1 announced, 0 not, -1 neither */
	int want;    /* the carrier as last notified */
	long last;   /* when they last switched (guard_now_ms()) */
	long hold;   /* how long after that the next switch waits */
	long retry;  /* not before (its script ran, a switch failed) */
	int repeats; /* announcements still to send */
	long due;    /* the next one's time */
};
struct guard_follow {
	struct guard_follower *f;
	int n;
	int primed; /* a pass has been seen: later announcements are news */
};
/* After a pass: follow the vifs of v whose routes are announced, as the
 * pass left them (a vif announced since the last pass, by its online or a
 * restore, gets its repeats); -1 with errno ENOMEM. */
int guard_follow_update(struct guard_follow *fw, const struct guard_vif *v,
			int n);
/* Link ifindex's carrier is on or off (a notification): when it is a
 * followed vif's and changed, announce or withdraw its routes now (or,
 * when it switched a moment ago, then: guard_follow_timer()). */
void guard_follow_carrier(struct guard_follow *fw, int ifindex, int carrier);
/* Send the repeats that are due and make the switches held back;
 * milliseconds until the next of either, -1 none. */
int guard_follow_timer(struct guard_follow *fw);
void guard_follow_free(struct guard_follow *fw);

/* CLOCK_MONOTONIC in milliseconds. */
long guard_now_ms(void);

/* What watch is told of the kernel, and when. */
struct guard_watcher {
	/* A pass; milliseconds until the next without events. */
	int (*pass)(void *arg);
	/* Each link notification at once (not waiting for the pass). */
	void (*link)(void *arg, int ifindex, int carrier);
	/* Milliseconds until it wants to be called again, -1 never. */
	int (*timer)(void *arg);
	void *arg;
};
/* watch: pass at once, then after each burst of kernel events (nft,
 * rtnetlink) or when pass's return (milliseconds) has passed without one;
 * link and timer between passes; until SIGTERM or SIGINT (0), -1 with
 * errno when it cannot listen. */
int guard_watch(const struct guard_watcher *w);

#endif
