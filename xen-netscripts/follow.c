/* watch: a routed vif's routes announced while its guest runs here.
 * Netback turns a vif's carrier on when the guest's frontend connects and
 * off when it goes (a migration's source, a pause); vif-route announced or
 * not at online, and from then on the carrier's every change is followed
 * here at once, on the link's notification, not at the next pass: the
 * routes switch protocol (and metric) and the LAN hears the guest's
 * addresses from this host, then again FOLLOW_REPEATS times FOLLOW_GAP_MS
 * apart (a peer ignores a change inside its neighbour lock time).
 * The guest controls its carrier (its frontend connects and goes): a vif
 * switches at most once per FOLLOW_HOLD_MS, the carrier's last state then
 * (a guest flapping it costs a few switches a second, and its routers as
 * many updates, not one per flap). */
#include <errno.h>
#include <limits.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "announce.h"
#include "guard.h"
#include "lock.h"
#include "log.h"
#include "route.h"

#define FOLLOW_REPEATS 2
#define FOLLOW_GAP_MS 1000
#define FOLLOW_HOLD_MS 100

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The LAN told the guest's addresses are here; repeats scheduled. */
static void tell(struct guard_follower *f, int repeats)
{
	struct args_addr a[VIF_MAX_ADDRS];

	for (int i = 0; i < f->nroutes; i++)
		a[i] = f->routes[i].dst;
	if (f->netdev[0] && announce_send(f->netdev, a, f->nroutes) < 0)
		log_warn("announce the addresses of %s on %s: %m", f->dev,
			 f->netdev);
	f->repeats = repeats;
	f->due = now_ms() + FOLLOW_GAP_MS;
}

static struct guard_follower *find(struct guard_follow *fw, const char *kname)
{
	for (int i = 0; i < fw->n; i++)
		if (!strcmp(fw->f[i].kname, kname))
			return &fw->f[i];
	return NULL;
}

int guard_follow_update(struct guard_follow *fw, const struct guard_vif *v,
			int n)
{
	struct guard_follower *next = calloc((size_t)n + 1, sizeof(*next)),
			      *old;
	int k = 0;

	if (!next)
		return -1;
	for (int i = 0; i < n; i++) {
		const struct guard_vif *x = &v[i];
		struct guard_follower *f = &next[k];

		if (!guard_watched(x) || !x->has_record || !x->seen.exists ||
		    !x->e.nroutes || !x->e.routes[0].announce)
			continue;
		memcpy(f->kname, x->kname, IFNAMSIZ);
		f->ifindex = x->seen.link.ifindex;
		memcpy(f->dev, x->e.dev, IFNAMSIZ);
		memcpy(f->netdev, x->e.netdev, IFNAMSIZ);
		f->local = x->e.local;
		f->has_local = x->e.has_local;
		memcpy(f->routes, x->e.routes, sizeof(f->routes));
		f->nroutes = x->e.nroutes;
		f->on = f->want = x->seen.link.carrier;
		old = find(fw, x->kname);
		f->last = old ? old->last : 0;
		if (old && old->on == f->on) {
			f->repeats = old->repeats;
			f->due = old->due;
		} else if (f->on && fw->primed) {
			/* Announced by its online or a restore (their frames
			 * went once): the repeats are ours. */
			f->repeats = FOLLOW_REPEATS;
			f->due = now_ms() + FOLLOW_GAP_MS;
		}
		k++;
	}
	free(fw->f);
	fw->f = next;
	fw->n = k;
	fw->primed = 1;
	return 0;
}

/* Switch f's routes to f->want: announced or withdrawn. */
static void follow(struct guard_follower *f)
{
	char lock[32], rec[PATH_MAX];
	int failed = 0, fd, on = f->want;

	/* Not while its script runs (it sets the routes by the carrier it
	 * sees, and an offline must not see them come back): the pass after
	 * that run compares them with the carrier. */
	vif_lock_name(f->kname, lock, sizeof(lock));
	if ((fd = lock_try(lock)) < 0) {
		log_debug("%s: carrier %s while its script runs", f->kname,
			  on ? "on" : "off");
		f->want = f->on;
		return;
	}
	snprintf(rec, sizeof(rec), "%s/vif/%s", state_rundir(), f->kname);
	if (access(rec, F_OK) < 0) {
		lock_release(lock, fd);
		f->want = f->on;
		return;
	}
	f->on = on;
	f->last = now_ms();
	for (int i = 0; i < f->nroutes; i++) {
		const struct guard_route *r = &f->routes[i];
		const struct args_addr *src =
			r->dst.family == AF_INET && f->has_local ? &f->local
								 : NULL;

		if (route_move(&r->dst, f->dev, src,
			       on ? r->announced : r->metric,
			       on ? ROUTE_PROTO_XEN : RTPROT_BOOT,
			       on ? r->metric : r->announced) < 0) {
			log_warn("%s the route of %s to %s: %m",
				 on ? "announce" : "withdraw",
				 args_addr_text(&r->dst).s, f->dev);
			failed = 1;
		}
	}
	log_info("%s: carrier %s: routes %s%s", f->kname, on ? "on" : "off",
		 on ? "announced" : "withdrawn",
		 failed ? " (not all: the next pass repairs)" : "");
	lock_release(lock, fd);
	if (on)
		tell(f, FOLLOW_REPEATS);
	else
		f->repeats = 0;
}

void guard_follow_carrier(struct guard_follow *fw, int ifindex, int carrier)
{
	for (int i = 0; i < fw->n; i++) {
		struct guard_follower *f = &fw->f[i];

		if (f->ifindex != ifindex)
			continue;
		f->want = carrier;
		if (f->on != carrier && now_ms() - f->last >= FOLLOW_HOLD_MS)
			follow(f);
		return;
	}
}

int guard_follow_timer(struct guard_follow *fw)
{
	long now = now_ms(), next = -1;

	for (int i = 0; i < fw->n; i++) {
		struct guard_follower *f = &fw->f[i];

		long hold = f->last + FOLLOW_HOLD_MS;

		if (f->want != f->on && hold <= now)
			follow(f);
		else if (f->want != f->on && (next < 0 || hold - now < next))
			next = hold - now;
		if (f->repeats && f->due <= now)
			tell(f, f->repeats - 1);
		if (f->repeats && (next < 0 || f->due - now < next))
			next = f->due - now;
	}
	return next < 0 ? -1 : (int)(next > 0 ? next : 0);
}

void guard_follow_free(struct guard_follow *fw)
{
	free(fw->f);
	fw->f = NULL;
	fw->n = 0;
}
