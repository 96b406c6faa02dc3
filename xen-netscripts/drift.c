/* The record's parser, what the kernel has, and the comparison. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "route.h"
#include "sysctl.h"

static int bad(char *err, size_t len, const char *line, const char *why)
{
	snprintf(err, len, "'%.64s': %s", line, why);
	errno = EINVAL;
	return -1;
}

/* "ADDR METRIC", or "ADDR METRIC ANNOUNCED" for a route announced while
 * its device has carrier. */
static int parse_route(const char *v, struct guard_route *r)
{
	char a[ARGS_ADDR_LEN], m[16]; /* cut short: too long for args_uint() */
	unsigned long metric, ann;
	const char *sp = strchr(v, ' '), *sp2;

	if (!sp || (size_t)(sp - v) >= sizeof(a))
		return -1;
	snprintf(a, sizeof(a), "%.*s", (int)(sp - v), v);
	sp2 = strchr(sp + 1, ' ');
	snprintf(m, sizeof(m), "%.*s",
		 (int)(sp2 ? (size_t)(sp2 - sp - 1) : strlen(sp + 1)), sp + 1);
	if (args_addr(a, &r->dst) < 0 ||
	    args_uint(m, 0, 0xffffffffUL, &metric) < 0 ||
	    (sp2 && args_uint(sp2 + 1, 0, 0xffffffffUL, &ann) < 0))
		return -1;
	r->metric = (unsigned)metric;
	r->announce = !!sp2;
	r->announced = sp2 ? (unsigned)ann : r->metric;
	return 0;
}

/* "DEV ADDR" */
static int parse_ndp(const char *v, struct guard_ndp *p)
{
	const char *sp = strchr(v, ' ');

	if (!sp || sp == v || (size_t)(sp - v) >= IFNAMSIZ)
		return -1;
	snprintf(p->dev, IFNAMSIZ, "%.*s", (int)(sp - v), v);
	return args_ifname(p->dev) < 0 || args_addr(sp + 1, &p->a) < 0 ? -1 : 0;
}

static int copy_name(char *out, const char *v)
{
	if (args_ifname(v) < 0)
		return -1;
	snprintf(out, IFNAMSIZ, "%s", v);
	return 0;
}

int guard_env_ok(const char *s)
{
	const char *eq = strchr(s, '=');

	if (!eq || eq == s || (*s >= '0' && *s <= '9'))
		return 0;
	for (const char *p = s; p < eq; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

int guard_expect_parse(const struct state *rec, struct guard_expect *e,
		       char *err, size_t len)
{
	memset(e, 0, sizeof(*e));
	e->naddrs = -1;
	for (int i = 0; i < rec->n; i++) {
		const char *line = rec->lines[i], *v = strchr(line, ' ') + 1;
		size_t k = (size_t)(v - 1 - line);
		unsigned long u;
		int rc = 0;

#define KEY(s) (k == strlen(s) && !strncmp(line, s, k))
		if (KEY("script")) {
			rc = strcmp(v, "vif-bridge") &&
					     strcmp(v, "vif-route") &&
					     strcmp(v, "vif-nat")
				     ? -1
				     : 0;
			snprintf(e->script, sizeof(e->script), "%s", v);
		} else if (KEY("dev")) {
			rc = copy_name(e->dev, v);
		} else if (KEY("type")) {
			rc = strcmp(v, "vif") && strcmp(v, "tap") ? -1 : 0;
			e->tap = !strcmp(v, "tap");
		} else if (KEY("bridge")) {
			rc = copy_name(e->bridge, v);
		} else if (KEY("netdev")) {
			rc = copy_name(e->netdev, v);
		} else if (KEY("mtu")) {
			rc = args_uint(v, 68, 65535, &u);
			e->mtu = (unsigned)u;
		} else if (KEY("firewall")) {
			rc = fw_choose(v, &e->fw);
			rc = rc < 0 || !strcmp(v, "auto") ? -1 : 0;
		} else if (KEY("mac")) {
			rc = args_mac(v, e->mac);
			e->has_mac = 1;
		} else if (KEY("ip")) {
			rc = e->naddrs =
				args_addr_list(v, e->addrs, VIF_MAX_ADDRS);
		} else if (KEY("trunk")) {
			e->trunk = 1;
		} else if (KEY("routed")) {
			e->routed = 1;
		} else if (KEY("local")) {
			rc = args_addr(v, &e->local);
			e->has_local = 1;
		} else if (KEY("route")) {
			rc = e->nroutes == VIF_MAX_ADDRS
				     ? -1
				     : parse_route(v, &e->routes[e->nroutes++]);
		} else if (KEY("ndp")) {
			rc = e->nndp == VIF_MAX_ADDRS
				     ? -1
				     : parse_ndp(v, &e->ndp[e->nndp++]);
		} else if (KEY("arg")) {
			if (e->nargs == 8 || strlen(v) >= sizeof(e->args[0]))
				rc = -1;
			else
				snprintf(e->args[e->nargs++],
					 sizeof(e->args[0]), "%s", v);
		} else if (KEY("env")) {
			if (e->nenvs == 16 || strlen(v) >= sizeof(e->envs[0]) ||
			    !guard_env_ok(v))
				rc = -1;
			else
				snprintf(e->envs[e->nenvs++],
					 sizeof(e->envs[0]), "%s", v);
		} else if (!KEY("path")) {
			return bad(err, len, line, "unknown line");
		}
#undef KEY
		if (rc < 0)
			return bad(err, len, line, "invalid value");
	}
	if (!e->script[0] || !e->dev[0])
		return bad(err, len, "", "no script or dev line");
	return 0;
}

/* The routes of r's address through the device: present or not, and for
 * an announced one in which state (guard.h). */
static int observe_route(const struct guard_route *r, struct guard_seen *s,
			 int i)
{
	struct route_same rs[ROUTE_SAME_MAX];
	int n = route_same(&r->dst, s->link.name, rs, ROUTE_SAME_MAX), xen = 0;

	if (n < 0)
		return -1;
	s->route[i] = 0;
	for (int j = 0; j < n && j < ROUTE_SAME_MAX; j++) {
		xen |= rs[j].proto == ROUTE_PROTO_XEN;
		s->route[i] |= r->announce || rs[j].metric == r->metric;
	}
	if (n == 1 && rs[0].metric == r->announced && xen)
		s->announced[i] = GUARD_ANNOUNCED;
	else if (n == 1 && rs[0].metric == r->metric && !xen)
		s->announced[i] = GUARD_NOT_ANNOUNCED;
	else
		s->announced[i] = xen ? GUARD_STRAY_ANNOUNCED : GUARD_STRAY;
	return 0;
}

int guard_observe(const char *kname, const struct guard_expect *e,
		  struct guard_seen *s)
{
	const char *pa[] = { "net", "ipv4", "conf", NULL, "proxy_arp", NULL };
	struct fw_vif fv = {
		.dev = e->dev,
		.mac = e->has_mac ? e->mac : NULL,
		.addrs = e->addrs,
		.naddrs = e->naddrs,
		.trunk = e->trunk,
		.routed = e->routed,
	};
	char val[8];
	int rc;

	memset(s, 0, sizeof(*s));
	s->proxy_arp = -1;
	if (link_info(kname, &s->link) < 0) {
		if (errno != ENODEV)
			return -1;
	} else {
		s->exists = 1;
	}
	if (s->exists && e->routed) {
		pa[3] = s->link.name;
		if (sysctl_get(pa, val, sizeof(val)) == 0)
			s->proxy_arp = !strcmp(val, "1");
		if (e->has_local &&
		    (s->local = route_has_addr(s->link.name, &e->local)) < 0)
			return -1;
	}
	for (int i = 0; s->exists && i < e->nroutes; i++)
		if (observe_route(&e->routes[i], s, i) < 0)
			return -1;
	for (int i = 0; i < e->nndp; i++)
		if ((s->ndp[i] = route_has_proxy_ndp(e->ndp[i].dev,
						     &e->ndp[i].a)) < 0)
			return -1;
	rc = fw_vif_check(e->fw, &fv, s->fw_why, sizeof(s->fw_why));
	if (rc < 0)
		return -1;
	s->fw = rc;
	return 0;
}

enum drift {
	DRIFT_NONE,
	DRIFT_MISSING,
	DRIFT_NOT_ANNOUNCED, /* carrier on (reported while watch follows) */
	DRIFT_ANNOUNCED,     /* carrier off */
	DRIFT_STRAY,	     /* another route, not of protocol xen */
};

/* How route i of e differs from what s's carrier wants. */
static enum drift route_drift(const struct guard_route *r,
			      const struct guard_seen *s, int i)
{
	int a = s->announced[i];

	if (!s->route[i])
		return DRIFT_MISSING;
	if (!r->announce ||
	    a == (s->link.carrier ? GUARD_ANNOUNCED : GUARD_NOT_ANNOUNCED))
		return DRIFT_NONE;
	if (a == GUARD_STRAY)
		return DRIFT_STRAY;
	if (!s->link.carrier)
		return DRIFT_ANNOUNCED;
	if (a == GUARD_STRAY_ANNOUNCED)
		return DRIFT_STRAY;
	return s->followed ? DRIFT_NOT_ANNOUNCED : DRIFT_NONE;
}

int guard_announce_drift(const struct guard_expect *e,
			 const struct guard_seen *s)
{
	int n = 0;

	for (int i = 0; s->exists && i < e->nroutes; i++)
		n += route_drift(&e->routes[i], s, i) > DRIFT_MISSING;
	return n;
}

struct problems {
	char (*p)[GUARD_PROBLEM_LEN];
	int n;
};

static void say(struct problems *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(struct problems *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->n < GUARD_PROBLEMS) {
		va_start(ap, fmt);
		vsnprintf(ps->p[ps->n], GUARD_PROBLEM_LEN, fmt, ap);
		va_end(ap);
	} else {
		snprintf(ps->p[GUARD_PROBLEMS - 1], GUARD_PROBLEM_LEN,
			 "and %d more problems", ps->n - GUARD_PROBLEMS + 2);
	}
	ps->n++;
}

int guard_compare(const struct guard_expect *e, const struct guard_seen *s,
		  char p[][GUARD_PROBLEM_LEN])
{
	struct problems ps = { p, 0 };

	if (!s->exists) {
		say(&ps, "device gone");
		return ps.n;
	}
	if (strcmp(s->link.name, e->dev))
		say(&ps, "named %s, not %s", s->link.name, e->dev);
	if (!s->link.up)
		say(&ps, "down");
	if (!e->routed && e->bridge[0] && strcmp(s->link.master, e->bridge)) {
		if (s->link.master[0])
			say(&ps, "attached to %s, not %s", s->link.master,
			    e->bridge);
		else
			say(&ps, "not attached to %s", e->bridge);
	}
	if (e->mtu && s->link.mtu != e->mtu)
		say(&ps, "MTU %u, not %u", s->link.mtu, e->mtu);
	if (e->routed && s->proxy_arp == 0)
		say(&ps, "proxy ARP off");
	if (e->has_local && !s->local)
		say(&ps, "address %s missing", args_addr_text(&e->local).s);
	for (int i = 0; i < e->nroutes; i++) {
		const struct guard_route *r = &e->routes[i];
		const char *what = NULL;

		switch (route_drift(r, s, i)) {
		case DRIFT_NONE:
			continue;
		case DRIFT_MISSING:
			say(&ps, "route %s (metric %u) missing",
			    args_addr_text(&r->dst).s,
			    s->link.carrier && r->announce ? r->announced
							   : r->metric);
			continue;
		case DRIFT_NOT_ANNOUNCED:
			what = "not announced (carrier on: the guest runs here)";
			break;
		case DRIFT_ANNOUNCED:
			what = "announced without carrier (the guest does not "
			       "run here)";
			break;
		case DRIFT_STRAY:
			what = "routed through the device more than once";
			break;
		}
		say(&ps, "route %s %s", args_addr_text(&r->dst).s, what);
	}
	for (int i = 0; i < e->nndp; i++)
		if (!s->ndp[i])
			say(&ps, "proxy NDP for %s on %s missing",
			    args_addr_text(&e->ndp[i].a).s, e->ndp[i].dev);
	if (!s->fw)
		say(&ps, "anti-spoofing (%s): %s", fw_name(e->fw), s->fw_why);
	return ps.n < GUARD_PROBLEMS ? ps.n : GUARD_PROBLEMS;
}
