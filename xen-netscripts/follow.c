/* watch: a routed vif's routes announced while its guest runs here.
 * Netback turns a vif's carrier on when the guest's frontend connects and
 * off when it goes (a migration's source, a pause); vif-route announced or
 * not at online, and from then on every change of the carrier is followed
 * here at once, on the link's notification, not at the next pass: the
 * routes switch protocol (and metric) and the LAN hears of the guest's
 * addresses from this host, then again FOLLOW_REPEATS times FOLLOW_GAP_MS
 * apart (a peer ignores a change inside its neighbour lock time).  What a
 * pass sees is put right the same way: a route announced without carrier,
 * or not announced with it.
 * The guest controls its carrier: after a switch the next one waits
 * FOLLOW_HOLD_MS, doubled at each switch that comes within FOLLOW_QUIET_MS
 * of the last, up to FOLLOW_HOLD_MAX_MS, and then follows the carrier's
 * last state, so a guest flapping it costs a few switches (its routers as
 * many updates) and then one every FOLLOW_HOLD_MAX_MS. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "announce.h"
#include "guard.h"
#include "lock.h"
#include "log.h"
#include "route.h"

#define FOLLOW_REPEATS 2
#define FOLLOW_GAP_MS 1000
#define FOLLOW_HOLD_MS 100
#define FOLLOW_HOLD_MAX_MS 5000
#define FOLLOW_QUIET_MS 5000
#define FOLLOW_RETRY_MS 20 /* its script holds the lock */
#define FOLLOW_FAILED_MS 1000

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
	f->due = guard_now_ms() + FOLLOW_GAP_MS;
}

static struct guard_follower *find(struct guard_follow *fw, const char *kname)
{
	for (int i = 0; i < fw->n; i++)
		if (!strcmp(fw->f[i].kname, kname))
			return &fw->f[i];
	return NULL;
}

/* Whether x's announced routes are all announced (1), none (0), or some
 * other way (-1: stray routes, half switched). */
static int announced(const struct guard_vif *x)
{
	int on = 0, off = 0;

	for (int i = 0; i < x->e.nroutes; i++) {
		on += x->seen.announced[i] == GUARD_ANNOUNCED;
		off += x->seen.announced[i] == GUARD_NOT_ANNOUNCED;
	}
	return on == x->e.nroutes ? 1 : off == x->e.nroutes ? 0 : -1;
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
		/* As the pass saw them: the timer puts routes that disagree
		 * with the carrier right. */
		f->on = announced(x);
		f->want = x->seen.link.carrier;
		f->hold = FOLLOW_HOLD_MS;
		if ((old = find(fw, x->kname))) {
			f->last = old->last;
			f->hold = old->hold;
			f->retry = old->retry;
			f->repeats = old->repeats;
			f->due = old->due;
		}
		if (f->on == 1 && (!old || old->on != 1) && fw->primed) {
			/* Announced by its online or a restore (their frames
			 * went once): the repeats are ours. */
			f->repeats = FOLLOW_REPEATS;
			f->due = guard_now_ms() + FOLLOW_GAP_MS;
		}
		if (!f->want)
			f->repeats = 0;
		k++;
	}
	free(fw->f);
	fw->f = next;
	fw->n = k;
	fw->primed = 1;
	return 0;
}

/* Switch f's routes to its carrier, read again under the vif's lock. */
static void follow(struct guard_follower *f)
{
	char lock[32], rec[PATH_MAX];
	struct link_info li;
	long now = guard_now_ms();
	int failed = 0, fd, on;

	/* Not while its script runs (it sets the routes by the carrier it
	 * sees, and an offline must not see them come back): tried again. */
	vif_lock_name(f->kname, lock, sizeof(lock));
	if ((fd = lock_try(lock)) < 0) {
		if (errno != EWOULDBLOCK)
			log_warn("%s: take its lock: %m", f->kname);
		f->retry = now + FOLLOW_RETRY_MS;
		return;
	}
	snprintf(rec, sizeof(rec), "%s/vif/%s", state_rundir(), f->kname);
	if (access(rec, F_OK) < 0 || link_info(f->dev, &li) < 0 ||
	    li.ifindex != f->ifindex) {
		lock_release(lock, fd); /* gone: the next pass forgets it */
		f->want = f->on;
		return;
	}
	f->want = on = li.carrier;
	if (on == f->on) {
		lock_release(lock, fd);
		return;
	}
	for (int i = 0; i < f->nroutes; i++) {
		const struct guard_route *r = &f->routes[i];
		const struct args_addr *src =
			r->dst.family == AF_INET && f->has_local ? &f->local
								 : NULL;

		if (route_announce(&r->dst, f->dev, src, r->metric,
				   r->announced, on) < 0) {
			log_warn("%s the route of %s to %s: %m",
				 on ? "announce" : "withdraw",
				 args_addr_text(&r->dst).s, f->dev);
			failed = 1;
		}
	}
	lock_release(lock, fd);
	log_info("%s: carrier %s: routes %s%s", f->kname, on ? "on" : "off",
		 on ? "announced" : "withdrawn", failed ? " (not all)" : "");
	f->hold =
		now - f->last < FOLLOW_QUIET_MS
			? (f->hold * 2 > FOLLOW_HOLD_MAX_MS ? FOLLOW_HOLD_MAX_MS
							    : f->hold * 2)
			: FOLLOW_HOLD_MS;
	f->last = now;
	f->on = failed ? -1 : on;
	f->retry = failed ? now + FOLLOW_FAILED_MS : 0;
	if (on)
		tell(f, FOLLOW_REPEATS);
}

/* When f's pending switch may be made (it has one). */
static long switch_at(const struct guard_follower *f)
{
	long at = f->last + (f->last ? f->hold : 0);

	return f->retry > at ? f->retry : at;
}

void guard_follow_carrier(struct guard_follow *fw, int ifindex, int carrier)
{
	for (int i = 0; i < fw->n; i++) {
		struct guard_follower *f = &fw->f[i];

		if (f->ifindex != ifindex)
			continue;
		f->want = carrier;
		if (!carrier)
			f->repeats = 0; /* it is not here any more */
		if (f->on != carrier && switch_at(f) <= guard_now_ms())
			follow(f);
		return;
	}
}

int guard_follow_timer(struct guard_follow *fw)
{
	long now = guard_now_ms(), next = -1;

	for (int i = 0; i < fw->n; i++) {
		struct guard_follower *f = &fw->f[i];

		if (f->want != f->on && switch_at(f) <= now)
			follow(f);
		if (f->want != f->on && (next < 0 || switch_at(f) - now < next))
			next = switch_at(f) - now;
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
