/*
 * xen-netscripts - the guard: sees and repairs what the vif and network
 * scripts made, when something else (a firewall reload, `nft flush
 * ruleset`, `iptables -F`, a hand edit) has removed it.
 *
 *   xen-netscripts status [--json]    each vif and network script
 *   xen-netscripts check              exit 1 and one line per problem
 *   xen-netscripts restore [VIF...]   repair (online again, restore mode)
 *   xen-netscripts watch              repair as it happens, in the foreground
 *   xen-netscripts --help | --version
 *
 * The vifs are those under backend/vif of the domain it runs in (relative
 * xenstore paths: a driver domain lists its own).  A vif is guarded when
 * its backend's script key names one of our binaries, its online key is 1
 * and its hotplug-status is connected.  What should exist is what online
 * recorded in /run/xen-netscripts/vif/KNAME and what network-* start
 * recorded in /run/xen-netscripts/PROG.state ($XEN_NETSCRIPTS_RUNDIR).
 *
 * restore runs the vif's own script (the script key, as libxl does) with
 * online and XEN_NETSCRIPTS_RESTORE=1, so restore and online are the same
 * code: every key is checked again and a hostile value is refused, and a
 * vif whose backend is offline is never brought back.  Only vifs that
 * drifted are touched.  Network scripts: their start again.
 *
 * Exit: 0 all in place, 1 a problem (check) or one left after restore,
 * 2 misuse or xenstore unreadable.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "about.h"
#include "announce.h"
#include "guard.h"
#include "lock.h"
#include "log.h"
#include "netlink.h"
#include "text.h"

#define TRIED_LEN (IFNAMSIZ + 2 * GUARD_PROBLEM_LEN)
/* A restore watch tried: "WHO DRIFT", and when (CLOCK_MONOTONIC, s). */
struct tried {
	char key[TRIED_LEN];
	long when;
};

struct guard {
	struct xs_handle *xs;
	struct guard_vif *v;
	int n;
	struct guard_net nets[GUARD_NETS];
	char **names; /* restore's VIF... */
	int nnames;
	/* watch: the drifts a restore did not fix, not tried again
	 * until they change */
	struct tried *tried;
	int ntried;
	struct tried *attempted;    /* this pass's */
	struct guard_follow follow; /* watch: the carrier of routed vifs */
	int followed;		    /* watch runs (this one, or another) */
	long passes;		    /* watch's */
	int watch_lock;		    /* watch: GUARD_WATCH_LOCK, -1 */
	int nattempted;
};

#define SYNOPSIS "status [--json] | check | restore [VIF...] | watch"
static const struct about about = {
	"xen-netscripts", SYNOPSIS,
	"  status [--json]    each vif and network script\n"
	"  check              exit 1 and one line per problem\n"
	"  restore [VIF...]   repair (online again, restore mode)\n"
	"  watch              repair as it happens, in the foreground\n"
};

static void usage(void)
{
	fprintf(stderr, "usage: xen-netscripts " SYNOPSIS "\n");
}

static void release(struct guard *g)
{
	guard_free(g->v, g->n);
	g->v = NULL;
	g->n = 0;
	guard_nets_free(g->nets);
	fw_check_reset();
}

static void finish(struct guard *g)
{
	release(g);
	free(g->tried);
	free(g->attempted);
	guard_follow_free(&g->follow);
	lock_release(GUARD_WATCH_LOCK, g->watch_lock);
	xstore_close(g->xs);
	netlink_close();
	announce_close();
	fw_close();
	closelog();
}

static void die(struct guard *g, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
static void die(struct guard *g, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap);
	va_end(ap);
	finish(g);
	exit(status);
}

/* Everything read and compared afresh; the count of problems. */
static int load(struct guard *g)
{
	int problems = 0;

	release(g);
	if (!(g->v = guard_list(g->xs, &g->n)) && errno != ENOENT)
		die(g, 2, "read backend/vif from xenstore: %m");
	for (int i = 0; i < g->n; i++) {
		if (guard_check(&g->v[i], g->followed) < 0)
			die(g, 2, "read the kernel's state of %s: %m",
			    g->v[i].kname);
		problems += g->v[i].nproblems;
	}
	guard_nets(g->nets);
	for (int i = 0; i < GUARD_NETS; i++)
		problems += g->nets[i].nproblems;
	return problems;
}

static void print_problems(struct guard *g)
{
	for (int i = 0; i < g->n; i++)
		for (int j = 0; j < g->v[i].nproblems; j++)
			printf("%s (%s): %s\n", g->v[i].kname,
			       guard_dev(&g->v[i]), g->v[i].problems[j]);
	for (int i = 0; i < GUARD_NETS; i++)
		for (int j = 0; j < g->nets[i].nproblems; j++)
			printf("%s: %s\n", g->nets[i].prog,
			       g->nets[i].problems[j]);
}

/* Whether name is v: its kernel name, its device's name or its vifname. */
static int is_vif(const struct guard_vif *v, const char *name)
{
	return !strcmp(name, v->kname) || !strcmp(name, guard_dev(v)) ||
	       (v->vifname && !strcmp(name, v->vifname));
}

/* Whether restore was asked for this vif (v), or network script (prog):
 * all of them, without names. */
static int named(struct guard *g, const struct guard_vif *v, const char *prog)
{
	if (!g->nnames)
		return 1;
	for (int i = 0; i < g->nnames; i++)
		if (v ? is_vif(v, g->names[i]) : !strcmp(g->names[i], prog))
			return 1;
	return 0;
}

/* Every name must be a vif here or a network script. */
static void check_names(struct guard *g)
{
	for (int k = 0; k < g->nnames; k++) {
		int found = 0;

		for (int i = 0; i < g->n; i++)
			found |= is_vif(&g->v[i], g->names[k]);
		for (int i = 0; i < GUARD_NETS; i++)
			found |= !strcmp(g->names[k], g->nets[i].prog);
		if (!found)
			die(g, 2, "restore: no vif or network script '%s' here",
			    g->names[k]);
	}
}

/* The problems of one vif or network script, joined, for messages and for
 * watch's memory. */
static void joined(char (*p)[GUARD_PROBLEM_LEN], int n, char *out, size_t len)
{
	struct text t = TEXT_INIT(out, len);

	for (int i = 0; i < n; i++)
		text_put(&t, "%s%s", i ? "; " : "", p[i]);
}

/* A drift a restore left as it was is tried again after this long (a
 * cause that went away: a failure of the moment, a value put right). */
#define RETRY_S 30

static long now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

/* watch: this exact drift as an earlier pass left it after restoring it
 * (within RETRY_S), or NULL: then it is to be tried. */
static const struct tried *tried_before(struct guard *g, const char *who,
					const char *what)
{
	char key[TRIED_LEN];

	snprintf(key, sizeof(key), "%s %s", who, what);
	for (int i = 0; i < g->ntried; i++)
		if (!strcmp(g->tried[i].key, key) &&
		    now_s() - g->tried[i].when < RETRY_S)
			return &g->tried[i];
	return NULL;
}

/* watch: whose restore against what drift failed, when. */
static void attempted(struct guard *g, const char *who, const char *what,
		      long when)
{
	struct tried *more = realloc(g->attempted, (size_t)(g->nattempted + 1) *
							   sizeof(*more));

	if (!more)
		return; /* tried again next time */
	g->attempted = more;
	snprintf(more[g->nattempted].key, TRIED_LEN, "%s %s", who, what);
	more[g->nattempted++].when = when;
}

/* watch, after a pass: the drifts not to try again until they change (or
 * RETRY_S has passed): those whose restore failed in this pass (a refused
 * value), and those of the earlier passes that are still exactly there.
 * A restore that succeeded is not remembered: the same drift coming back
 * is a new one (a second flush), tried at once. */
static void remember(struct guard *g)
{
	char what[2 * GUARD_PROBLEM_LEN];
	const struct tried *t;

	for (int i = 0; i < g->n; i++) {
		joined(g->v[i].problems, g->v[i].nproblems, what, sizeof(what));
		if (g->v[i].nproblems &&
		    (t = tried_before(g, g->v[i].kname, what)))
			attempted(g, g->v[i].kname, what, t->when);
	}
	for (int i = 0; i < GUARD_NETS; i++) {
		joined(g->nets[i].problems, g->nets[i].nproblems, what,
		       sizeof(what));
		if (g->nets[i].nproblems &&
		    (t = tried_before(g, g->nets[i].prog, what)))
			attempted(g, g->nets[i].prog, what, t->when);
	}
	free(g->tried);
	g->tried = g->attempted;
	g->ntried = g->nattempted;
	g->attempted = NULL;
	g->nattempted = 0;
}

/* Restores run side by side, this many at most (each vif has its own lock;
 * the firewall's batches and the xtables lock serialize the rest). */
#define PARALLEL 8

struct running {
	pid_t pid;
	char name[IFNAMSIZ]; /* the vif's kernel name, or the script's */
	char who[IFNAMSIZ * 2 + 4];
	char what[2 * GUARD_PROBLEM_LEN];
};

/* Wait for the oldest run and say how it went (stdout, and the logs); a
 * failure is remembered (attempted()). */
static void reap(struct guard *g, struct running *r, int *n)
{
	int rc = guard_wait(r[0].pid);

	if (rc == 0) {
		printf("restored %s: %s\n", r[0].who, r[0].what);
		log_info("restored %s: %s", r[0].who, r[0].what);
	} else {
		printf("could not restore %s: %s\n", r[0].who, r[0].what);
		log_warn("could not restore %s: %s (%s)", r[0].who, r[0].what,
			 rc < 0 ? strerror(errno) : "its script failed");
		attempted(g, r[0].name, r[0].what, now_s());
	}
	fflush(stdout);
	(*n)--;
	memmove(r, r + 1, (size_t)*n * sizeof(*r));
}

/* Keep the restore started as pid, at most PARALLEL running. */
static void start(struct guard *g, struct running *r, int *n, pid_t pid,
		  const char *name, const char *who, const char *what)
{
	if (pid < 0) {
		log_warn("could not restore %s: %s (%m)", who, what);
		attempted(g, name, what, now_s());
		return;
	}
	if (*n == PARALLEL)
		reap(g, r, n);
	r[*n].pid = pid;
	snprintf(r[*n].name, sizeof(r[*n].name), "%s", name);
	snprintf(r[*n].who, sizeof(r[*n].who), "%s", who);
	snprintf(r[*n].what, sizeof(r[*n].what), "%s", what);
	++*n;
}

/* Restore what drifted; returns how many repairs were tried. */
static int repair(struct guard *g, int watching)
{
	char what[2 * GUARD_PROBLEM_LEN], who[IFNAMSIZ * 2 + 4];
	struct running r[PARALLEL];
	int tried = 0, n = 0;

	fflush(stdout); /* not written twice by the children */
	for (int i = 0; i < GUARD_NETS; i++) {
		struct guard_net *net = &g->nets[i];

		if (!net->nproblems || !named(g, NULL, net->prog))
			continue;
		joined(net->problems, net->nproblems, what, sizeof(what));
		if (watching && tried_before(g, net->prog, what))
			continue;
		start(g, r, &n, guard_restore_net(net), net->prog, net->prog,
		      what);
		tried++;
	}
	/* The network scripts first: network-zones makes the bridges the
	 * vifs join. */
	while (n)
		reap(g, r, &n);
	for (int i = 0; i < g->n; i++) {
		struct guard_vif *v = &g->v[i];

		if (!v->nproblems || !named(g, v, NULL))
			continue;
		if (v->has_record && !v->seen.exists)
			continue; /* the guest's device is gone: libxl's */
		if (watching && v->nproblems <= v->nannounce)
			continue; /* watch's carrier following puts it right */
		joined(v->problems, v->nproblems, what, sizeof(what));
		if (watching && tried_before(g, v->kname, what))
			continue;
		snprintf(who, sizeof(who), "%s (%s)", v->kname, guard_dev(v));
		start(g, r, &n, guard_restore_vif(v), v->kname, who, what);
		tried++;
	}
	while (n)
		reap(g, r, &n);
	return tried;
}

/* The problems left among those restore was asked for. */
static int left(struct guard *g)
{
	int n = 0;

	for (int i = 0; i < g->n; i++)
		if (g->nnames && !guard_watched(&g->v[i]) &&
		    named(g, &g->v[i], NULL))
			printf("%s: not online and connected (or not ours): "
			       "left alone\n",
			       g->v[i].kname);
	for (int i = 0; i < g->n; i++)
		if (named(g, &g->v[i], NULL))
			for (int j = 0; j < g->v[i].nproblems; j++, n++)
				printf("%s (%s): still %s\n", g->v[i].kname,
				       guard_dev(&g->v[i]),
				       g->v[i].problems[j]);
	for (int i = 0; i < GUARD_NETS; i++)
		if (named(g, NULL, g->nets[i].prog))
			for (int j = 0; j < g->nets[i].nproblems; j++, n++)
				printf("%s: still %s\n", g->nets[i].prog,
				       g->nets[i].problems[j]);
	return n;
}

/* One pass of watch; the time until the next pass without events: a
 * second when a backend without events (iptables-legacy) is in use. */
static int watch_pass(void *arg)
{
	struct guard *g = arg;
	int iptables = 0;

	if (load(g) && repair(g, 1))
		load(g);
	for (int i = 0; i < g->n; i++)
		iptables |= g->v[i].has_record && g->v[i].e.fw == FW_IPTABLES;
	for (int i = 0; i < GUARD_NETS; i++)
		iptables |= g->nets[i].started &&
			    state_get(&g->nets[i].st, "nat") &&
			    !strncmp(state_get(&g->nets[i].st, "nat"),
				     "iptables ", 9);
	remember(g);
	if (guard_follow_update(&g->follow, g->v, g->n) < 0)
		log_warn("follow the carrier of routed vifs: %m");
	if (!g->passes++)
		log_info("first pass: %d vifs, the carrier of %d followed",
			 g->n, g->follow.n);
	return iptables ? 1000 : 30000;
}

static void watch_link(void *arg, int ifindex, int carrier)
{
	guard_follow_carrier(&((struct guard *)arg)->follow, ifindex, carrier);
}

static int watch_timer(void *arg)
{
	return guard_follow_timer(&((struct guard *)arg)->follow);
}

int main(int argc, char **argv)
{
	struct guard g = { .watch_lock = -1 };
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int json = 0, problems, st;

	if ((st = about_answer(&about, argc, argv, stdout)) >= 0)
		return st;
	log_init("xen-netscripts");
	if (!cmd) {
		usage();
		return 2;
	}
	if (!strcmp(cmd, "status") && argc == 3 && !strcmp(argv[2], "--json"))
		json = 1;
	else if (!strcmp(cmd, "restore"))
		g.names = argv + 2, g.nnames = argc - 2;
	else if (argc != 2 || (strcmp(cmd, "status") && strcmp(cmd, "check") &&
			       strcmp(cmd, "watch"))) {
		log_err("invalid command '%s'%s", cmd,
			argc > 2 ? " (or arguments)" : "");
		usage();
		return 2;
	}
	if (!(g.xs = xstore_open()))
		die(&g, 2, "connect to xenstore: %m");
	if (!strcmp(cmd, "watch")) {
		struct guard_watcher w = { watch_pass, watch_link, watch_timer,
					   &g };
		int rc;

		/* One watch: two would follow the same carrier twice. */
		if ((g.watch_lock = lock_try(GUARD_WATCH_LOCK)) < 0 &&
		    errno == EWOULDBLOCK)
			die(&g, 1, "another xen-netscripts watch is running");
		if (g.watch_lock < 0)
			die(&g, 2, "take the lock " GUARD_WATCH_LOCK ": %m");
		g.followed = 1;
		rc = guard_watch(&w);

		finish(&g);
		return rc < 0 ? 1 : 0;
	}
	g.followed = guard_watch_running();
	problems = load(&g);
	if (!strcmp(cmd, "status")) {
		guard_print_status(g.v, g.n, g.nets, json);
		problems = 0;
	} else if (!strcmp(cmd, "check")) {
		print_problems(&g);
	} else {
		check_names(&g);
		if (problems && repair(&g, 0))
			load(&g);
		problems = left(&g);
	}
	finish(&g);
	return problems ? 1 : 0;
}
