/* Unit tests: the guard's record parser and drift comparison
 * (xen-netscripts/guard.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "unit.h"

static void parse(const char *text, struct guard_expect *e)
{
	struct state st = { 0 };
	char err[160];
	int line;

	ck_assert_int_eq(state_parse(&st, text, strlen(text), &line), 0);
	ck_assert_msg(guard_expect_parse(&st, e, err, sizeof(err)) == 0, "%s",
		      err);
	state_clear(&st);
}

static const char bridged[] = "script vif-bridge\n"
			      "path backend/vif/5/0\n"
			      "type vif\n"
			      "arg bridge=xenbr1\n"
			      "env firewall=nft\n"
			      "firewall nft\n"
			      "mac 00:16:3e:00:00:05\n"
			      "ip 192.0.2.5 2001:db8::5\n"
			      "dev web0\n"
			      "bridge xenbr1\n"
			      "mtu 1500\n";

static const char routed[] = "script vif-route\n"
			     "path backend/vif/6/0\n"
			     "type vif\n"
			     "local 198.51.100.1\n"
			     "route 192.0.2.6 2\n"
			     "route 2001:db8::6 2\n"
			     "ndp eth0 2001:db8::6\n"
			     "firewall iptables\n"
			     "ip 192.0.2.6 2001:db8::6\n"
			     "routed 1\n"
			     "dev vif6.0\n";

/* A record as online writes it reads back into what was made. */
START_TEST(record_parsed)
{
	struct guard_expect e;

	parse(bridged, &e);
	ck_assert_str_eq(e.script, "vif-bridge");
	ck_assert_str_eq(e.dev, "web0");
	ck_assert_str_eq(e.bridge, "xenbr1");
	ck_assert_uint_eq(e.mtu, 1500);
	ck_assert_int_eq(e.fw, FW_NFT);
	ck_assert_int_eq(e.has_mac, 1);
	ck_assert_int_eq(e.mac[5], 5);
	ck_assert_int_eq(e.naddrs, 2);
	ck_assert_int_eq(e.routed, 0);
	ck_assert_int_eq(e.nargs, 1);
	ck_assert_str_eq(e.args[0], "bridge=xenbr1");
	ck_assert_int_eq(e.nenvs, 1);
	ck_assert_str_eq(e.envs[0], "firewall=nft");

	parse(routed, &e);
	ck_assert_int_eq(e.routed, 1);
	ck_assert_int_eq(e.fw, FW_IPTABLES);
	ck_assert_int_eq(e.has_local, 1);
	ck_assert_int_eq(e.nroutes, 2);
	ck_assert_uint_eq(e.routes[1].metric, 2);
	ck_assert_int_eq(e.routes[1].dst.family, AF_INET6);
	ck_assert_int_eq(e.nndp, 1);
	ck_assert_str_eq(e.ndp[0].dev, "eth0");
	ck_assert_int_eq(e.naddrs, 2);

	/* No ip line: any source. */
	parse("script vif-bridge\ndev vif1.0\nfirewall none\n", &e);
	ck_assert_int_eq(e.naddrs, -1);
	ck_assert_int_eq(e.fw, FW_NONE);
}
END_TEST

/* Anything but what online writes is refused with the line. */
START_TEST(record_refused)
{
	static const char *const bad[] = {
		"script vif-bridge\n",			 /* no dev */
		"dev web0\n",				 /* no script */
		"script /bin/sh\ndev web0\n",		 /* not ours */
		"script vif-bridge\ndev a/b\n",		 /* bad name */
		"script vif-bridge\ndev web0\nmtu 67\n", /* out of range */
		"script vif-bridge\ndev web0\nfirewall auto\n",
		"script vif-bridge\ndev web0\nmac 00:16\n",
		"script vif-bridge\ndev web0\nip 300.0.0.1\n",
		"script vif-route\ndev web0\nroute 192.0.2.6\n",
		"script vif-route\ndev web0\nroute 192.0.2.6 x\n",
		"script vif-route\ndev web0\nroute 192.0.2.6 2 x\n",
		"script vif-route\ndev web0\nroute 192.0.2.6 2 \n",
		"script vif-route\ndev web0\nroute 192.0.2.6 2 1020 9\n",
		"script vif-route\ndev web0\nroute 192.0.2.6 2 4294967296\n",
		/* 16 characters: more than a metric has, cut short */
		"script vif-route\ndev web0\nroute 192.0.2.6 0000000000000002\n",
		"script vif-route\ndev web0\nroute 192.0.2.6 2 0000000000000002\n",
		"script vif-route\ndev web0\nndp 2001:db8::6\n",
		"script vif-route\ndev web0\nndp eth0 192.0.2.300\n",
		"script vif-bridge\ndev web0\ntype pv\n",
		"script vif-bridge\ndev web0\nfrobs 1\n",
		"script vif-bridge\ndev web0\nenv novalue\n",
		"script vif-bridge\ndev web0\nenv =x\n",
		"script vif-bridge\ndev web0\nenv 1x=y\n",
		"script vif-bridge\ndev web0\nenv a-b=y\n",
	};
	struct guard_expect e;
	struct state st = { 0 };
	char err[160];
	int line;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(
			state_parse(&st, bad[i], strlen(bad[i]), &line), 0);
		err[0] = 0;
		ck_assert_msg(guard_expect_parse(&st, &e, err, sizeof(err)) < 0,
			      "accepted %s", bad[i]);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_msg(err[0], "no message for %s", bad[i]);
		state_clear(&st);
	}
}
END_TEST

/* A record of n lines line (printf of the line's number), parsed: its
 * result, and e. */
static int lines_of(const char *line, int n, struct guard_expect *e)
{
	char *text = malloc(64 * 1024), *p, err[160];
	struct state st = { 0 };
	int k, rc;

	p = text + sprintf(text, "script vif-route\ndev vif6.0\n");
	for (int i = 0; i < n; i++)
		p += sprintf(p, line, i, i + 1);
	ck_assert_int_eq(state_parse(&st, text, strlen(text), &k), 0);
	rc = guard_expect_parse(&st, e, err, sizeof(err));
	state_clear(&st);
	free(text);
	return rc;
}

/* The declared limits: VIF_MAX_ADDRS routes and proxy entries, 8 arg and
 * 16 env lines; one past each refused. */
START_TEST(record_limits)
{
	struct guard_expect e;

	ck_assert_int_eq(lines_of("route 10.0.%d.%d 2\n", VIF_MAX_ADDRS, &e),
			 0);
	ck_assert_int_eq(e.nroutes, VIF_MAX_ADDRS);
	ck_assert_int_eq(
		lines_of("route 10.0.%d.%d 2\n", VIF_MAX_ADDRS + 1, &e), -1);
	ck_assert_int_eq(
		lines_of("ndp eth%d 2001:db8::%x\n", VIF_MAX_ADDRS, &e), 0);
	ck_assert_int_eq(e.nndp, VIF_MAX_ADDRS);
	ck_assert_int_eq(
		lines_of("ndp eth%d 2001:db8::%x\n", VIF_MAX_ADDRS + 1, &e),
		-1);
	ck_assert_int_eq(lines_of("arg a%d=%d\n", 8, &e), 0);
	ck_assert_int_eq(e.nargs, 8);
	ck_assert_int_eq(lines_of("arg a%d=%d\n", 9, &e), -1);
	ck_assert_int_eq(lines_of("env V%d=%d\n", 16, &e), 0);
	ck_assert_int_eq(e.nenvs, 16);
	ck_assert_int_eq(lines_of("env V%d=%d\n", 17, &e), -1);
}
END_TEST

/* What the kernel has when all is in place. */
static void all_there(const struct guard_expect *e, struct guard_seen *s)
{
	memset(s, 0, sizeof(*s));
	s->exists = 1;
	snprintf(s->link.name, IFNAMSIZ, "%s", e->dev);
	snprintf(s->link.master, IFNAMSIZ, "%s", e->bridge);
	s->link.up = 1;
	s->link.mtu = e->mtu ? e->mtu : 1500;
	s->proxy_arp = 1;
	s->local = 1;
	for (int i = 0; i < e->nroutes; i++)
		s->route[i] = 1;
	for (int i = 0; i < e->nndp; i++)
		s->ndp[i] = 1;
	s->fw = 1;
}

START_TEST(compare_clean)
{
	char p[GUARD_PROBLEMS][GUARD_PROBLEM_LEN];
	struct guard_expect e;
	struct guard_seen s;

	parse(bridged, &e);
	all_there(&e, &s);
	ck_assert_int_eq(guard_compare(&e, &s, p), 0);
	parse(routed, &e);
	all_there(&e, &s);
	ck_assert_int_eq(guard_compare(&e, &s, p), 0);
}
END_TEST

/* Each kind of drift is named, one phrase each. */
START_TEST(compare_drift)
{
	char p[GUARD_PROBLEMS][GUARD_PROBLEM_LEN];
	struct guard_expect e;
	struct guard_seen s;

	parse(bridged, &e);
	all_there(&e, &s);
	s.link.master[0] = 0;
	ck_assert_int_eq(guard_compare(&e, &s, p), 1);
	ck_assert_str_eq(p[0], "not attached to xenbr1");
	snprintf(s.link.master, IFNAMSIZ, "xenbr0");
	s.link.up = 0;
	s.link.mtu = 9000;
	s.fw = 0;
	snprintf(s.fw_why, sizeof(s.fw_why), "table bridge xen not found");
	ck_assert_int_eq(guard_compare(&e, &s, p), 4);
	ck_assert_str_eq(p[0], "down");
	ck_assert_str_eq(p[1], "attached to xenbr0, not xenbr1");
	ck_assert_str_eq(p[2], "MTU 9000, not 1500");
	ck_assert_str_eq(p[3],
			 "anti-spoofing (nft): table bridge xen not found");

	s.exists = 0;
	ck_assert_int_eq(guard_compare(&e, &s, p), 1);
	ck_assert_str_eq(p[0], "device gone");

	parse(routed, &e);
	all_there(&e, &s);
	s.route[0] = 0;
	s.ndp[0] = 0;
	s.proxy_arp = 0;
	s.local = 0;
	snprintf(s.link.name, IFNAMSIZ, "other0");
	ck_assert_int_eq(guard_compare(&e, &s, p), 5);
	ck_assert_str_eq(p[0], "named other0, not vif6.0");
	ck_assert_str_eq(p[1], "proxy ARP off");
	ck_assert_str_eq(p[2], "address 198.51.100.1 missing");
	ck_assert_str_eq(p[3], "route 192.0.2.6 (metric 2) missing");
	ck_assert_str_eq(p[4], "proxy NDP for 2001:db8::6 on eth0 missing");
	/* A routed vif has no bridge to be attached to. */
	s.link.master[0] = 0;
	all_there(&e, &s);
	ck_assert_int_eq(guard_compare(&e, &s, p), 0);
}
END_TEST

/* A route announced while its device has carrier ("route A METRIC
 * ANNOUNCED"): in place when its routes follow the carrier; otherwise
 * named for what it is.  A route not announced with carrier is watch's to
 * follow: a problem only while watch runs (followed). */
START_TEST(compare_announced)
{
	static const char text[] = "script vif-route\n"
				   "dev vif6.0\n"
				   "route 192.0.2.6 2 1020\n"
				   "route 10.6.0.0/24 2\n";
	char p[GUARD_PROBLEMS][GUARD_PROBLEM_LEN];
	struct guard_expect e;
	struct guard_seen s;

	parse(text, &e);
	ck_assert_int_eq(e.nroutes, 2);
	ck_assert_int_eq(e.routes[0].announce, 1);
	ck_assert_uint_eq(e.routes[0].metric, 2);
	ck_assert_uint_eq(e.routes[0].announced, 1020);
	ck_assert_int_eq(e.routes[1].announce, 0);
	ck_assert_uint_eq(e.routes[1].announced, 2);

	all_there(&e, &s);
	s.link.carrier = 1;
	s.announced[0] = GUARD_ANNOUNCED;
	ck_assert_int_eq(guard_compare(&e, &s, p), 0);
	s.link.carrier = 0;
	s.announced[0] = GUARD_NOT_ANNOUNCED;
	ck_assert_int_eq(guard_compare(&e, &s, p), 0);
	ck_assert_int_eq(guard_announce_drift(&e, &s), 0);

	/* Without carrier, announced: always a problem, watch or not. */
	s.announced[0] = GUARD_ANNOUNCED;
	ck_assert_int_eq(guard_compare(&e, &s, p), 1);
	ck_assert_str_eq(p[0], "route 192.0.2.6 announced without carrier "
			       "(the guest does not run here)");
	s.announced[0] = GUARD_STRAY_ANNOUNCED;
	ck_assert_int_eq(guard_compare(&e, &s, p), 1);
	ck_assert_str_eq(p[0], "route 192.0.2.6 announced without carrier "
			       "(the guest does not run here)");
	ck_assert_int_eq(guard_announce_drift(&e, &s), 1);
	s.announced[0] = GUARD_STRAY;
	ck_assert_int_eq(guard_compare(&e, &s, p), 1);
	ck_assert_str_eq(p[0], "route 192.0.2.6 routed through the device "
			       "more than once");

	/* With carrier, not announced: watch's to follow. */
	s.link.carrier = 1;
	s.announced[0] = GUARD_NOT_ANNOUNCED;
	ck_assert_int_eq(guard_compare(&e, &s, p), 0);
	ck_assert_int_eq(guard_announce_drift(&e, &s), 0);
	s.followed = 1;
	ck_assert_int_eq(guard_compare(&e, &s, p), 1);
	ck_assert_str_eq(p[0], "route 192.0.2.6 not announced (carrier on: "
			       "the guest runs here)");
	ck_assert_int_eq(guard_announce_drift(&e, &s), 1);
	s.announced[0] = GUARD_STRAY_ANNOUNCED;
	ck_assert_int_eq(guard_compare(&e, &s, p), 1);
	ck_assert_str_eq(p[0], "route 192.0.2.6 routed through the device "
			       "more than once");

	/* Missing: named with the metric the carrier wants; not watch's. */
	s.route[0] = 0;
	ck_assert_int_eq(guard_compare(&e, &s, p), 1);
	ck_assert_str_eq(p[0], "route 192.0.2.6 (metric 1020) missing");
	ck_assert_int_eq(guard_announce_drift(&e, &s), 0);
	s.link.carrier = 0;
	ck_assert_int_eq(guard_compare(&e, &s, p), 1);
	ck_assert_str_eq(p[0], "route 192.0.2.6 (metric 2) missing");

	/* A route never announced (vif-nat's, an older record's) is only
	 * looked for. */
	all_there(&e, &s);
	s.link.carrier = 1;
	s.followed = 1;
	s.announced[0] = GUARD_ANNOUNCED;
	s.announced[1] = GUARD_STRAY_ANNOUNCED;
	ck_assert_int_eq(guard_compare(&e, &s, p), 0);
}
END_TEST

/* GUARD_PROBLEMS phrases at most: the last says how many more. */
START_TEST(compare_limit)
{
	char p[GUARD_PROBLEMS][GUARD_PROBLEM_LEN];
	struct guard_expect e;
	struct guard_seen s;
	char *text = malloc(16 * 1024), *q;

	for (int n = GUARD_PROBLEMS; n <= GUARD_PROBLEMS + 1; n++) {
		q = text + sprintf(text, "script vif-route\ndev vif6.0\n");
		for (int i = 0; i < n; i++)
			q += sprintf(q, "route 10.0.%d.1 2\n", i);
		parse(text, &e);
		all_there(&e, &s);
		for (int i = 0; i < n; i++)
			s.route[i] = 0;
		ck_assert_int_eq(guard_compare(&e, &s, p), GUARD_PROBLEMS);
		if (n == GUARD_PROBLEMS)
			ck_assert_str_eq(p[GUARD_PROBLEMS - 1],
					 "route 10.0.15.1 (metric 2) missing");
		else
			ck_assert_str_eq(p[GUARD_PROBLEMS - 1],
					 "and 2 more problems");
	}
	free(text);
}
END_TEST

Suite *guard_suite(void)
{
	const TTest *tests[] = {
		record_parsed, record_refused,	  record_limits, compare_clean,
		compare_drift, compare_announced, compare_limit, NULL,
	};
	return unit_suite("guard", tests);
}
