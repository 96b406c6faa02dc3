/* status: one line per vif, then the network scripts; or the same as JSON. */
#include <stdio.h>
#include <string.h>

#include "guard.h"
#include "text.h"

/* A JSON string: a byte that is not printable ASCII as \u00XX (the store
 * lets tabs and bytes above 127 by), quotes and backslashes escaped. */
static void jstr(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s < ' ' || (unsigned char)*s > '~')
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void jkey(const char *k, const char *v, int comma)
{
	jstr(k);
	putchar(':');
	if (v)
		jstr(v);
	else
		fputs("null", stdout);
	if (comma)
		putchar(',');
}

static const char *script_of(const struct guard_vif *v)
{
	const char *s = strrchr(v->script, '/');

	return s ? s + 1 : v->script[0] ? v->script : "?";
}

/* "bridge=xenbr0" or "netdev=eth0", what the vif hangs off. */
static void where(const struct guard_vif *v, char *out, size_t len)
{
	if (v->has_record && v->e.bridge[0])
		snprintf(out, len, "bridge=%s", v->e.bridge);
	else if (v->has_record && v->e.netdev[0])
		snprintf(out, len, "netdev=%s", v->e.netdev);
	else if (v->bridge && !strcmp(script_of(v), "vif-bridge"))
		snprintf(out, len, "bridge=%s", v->bridge);
	else if (v->gatewaydev)
		snprintf(out, len, "netdev=%s", v->gatewaydev);
	else
		snprintf(out, len, "-");
}

/* A routed vif's routes: "announced" (all of them, as while its guest runs
 * here), "not announced" (none), "partly announced", or NULL when they are
 * never announced (vif-nat's, a bridge's). */
static const char *announced(const struct guard_vif *v)
{
	int on = 0, n = 0;

	for (int i = 0; i < v->e.nroutes; i++) {
		if (!v->e.routes[i].announce)
			continue;
		n++;
		on += v->seen.route[i] && v->seen.announced[i] == 1;
	}
	return !n	 ? NULL
	       : on == n ? "announced"
	       : !on	 ? "not announced"
			 : "partly announced";
}

static void kernel_words(const struct guard_vif *v, char *out, size_t len)
{
	const struct guard_seen *s = &v->seen;

	if (!guard_watched(v) || !v->has_record) {
		snprintf(out, len, "%s",
			 !v->ours     ? "not ours (a shell script?)"
			 : !v->online ? "offline"
				      : "not connected");
		return;
	}
	if (!s->exists) {
		snprintf(out, len, "no device");
		return;
	}
	snprintf(out, len, "%s %s%s%s%s mtu=%u fw=%s %s",
		 v->e.routed	     ? "routed"
		 : s->link.master[0] ? "attached"
				     : "detached",
		 s->link.up ? "up" : "down",
		 announced(v) ? (s->link.carrier ? " carrier=on ("
						 : " carrier=off (")
			      : "",
		 announced(v) ? announced(v) : "", announced(v) ? ")" : "",
		 s->link.mtu, fw_name(v->e.fw), v->nproblems ? "DRIFT" : "ok");
}

static void text(const struct guard_vif *v, int n,
		 const struct guard_net nets[GUARD_NETS])
{
	char w[64], k[160], line[2 * XSTORE_VALUE_MAX], shown[4 * sizeof(line)];
	int len;

	for (int i = 0; i < n; i++) {
		where(&v[i], w, sizeof(w));
		kernel_words(&v[i], k, sizeof(k));
		len = snprintf(
			line, sizeof(line),
			"%s %u.%u %s %s %s ip=%s hotplug=%s kernel: %s",
			v[i].kname, v[i].domid, v[i].devid, script_of(&v[i]),
			guard_dev(&v[i]), w, v[i].ip ? v[i].ip : "-",
			v[i].hotplug && *v[i].hotplug ? v[i].hotplug : "-", k);
		/* One line per vif, whatever the keys hold (a tab). */
		text_escape(shown, sizeof(shown), line,
			    len < (int)sizeof(line) ? (size_t)len
						    : sizeof(line) - 1,
			    sizeof(line));
		puts(shown);
		for (int j = 0; j < v[i].nproblems; j++)
			printf("  %s\n", v[i].problems[j]);
	}
	for (int i = 0; i < GUARD_NETS; i++) {
		printf("%s: %s%s\n", nets[i].prog,
		       nets[i].started ? "started" : "not started",
		       !nets[i].started	   ? ""
		       : nets[i].nproblems ? ", DRIFT"
					   : ", ok");
		for (int j = 0; j < nets[i].nproblems; j++)
			printf("  %s\n", nets[i].problems[j]);
	}
}

static void problems(const char (*p)[GUARD_PROBLEM_LEN], int n)
{
	jstr("problems");
	fputs(":[", stdout);
	for (int j = 0; j < n; j++) {
		if (j)
			putchar(',');
		jstr(p[j]);
	}
	putchar(']');
}

static void json(const struct guard_vif *v, int n,
		 const struct guard_net nets[GUARD_NETS])
{
	char w[64];

	fputs("{\"vifs\":[", stdout);
	for (int i = 0; i < n; i++) {
		const struct guard_seen *s = &v[i].seen;
		int known = guard_watched(&v[i]) && v[i].has_record;

		where(&v[i], w, sizeof(w));
		printf("%s{", i ? "," : "");
		jkey("vif", v[i].kname, 1);
		printf("\"domid\":%u,\"devid\":%u,", v[i].domid, v[i].devid);
		jkey("script", v[i].script, 1);
		jkey("dev", guard_dev(&v[i]), 1);
		jkey("bridge",
		     known && v[i].e.bridge[0] ? v[i].e.bridge
		     : !known		       ? v[i].bridge
					       : NULL,
		     1);
		jkey("netdev",
		     known && v[i].e.netdev[0] ? v[i].e.netdev
					       : v[i].gatewaydev,
		     1);
		jkey("ip", v[i].ip, 1);
		jkey("hotplug_status", v[i].hotplug, 1);
		printf("\"online\":%s,\"ours\":%s,\"guarded\":%s,",
		       v[i].online ? "true" : "false",
		       v[i].ours ? "true" : "false", known ? "true" : "false");
		if (known) {
			printf("\"kernel\":{\"exists\":%s,",
			       s->exists ? "true" : "false");
			jkey("name", s->exists ? s->link.name : NULL, 1);
			jkey("master",
			     s->link.master[0] ? s->link.master : NULL, 1);
			printf("\"up\":%s,\"carrier\":%s,\"mtu\":%u,",
			       s->link.up ? "true" : "false",
			       s->link.carrier ? "true" : "false", s->link.mtu);
			jkey("announcement", announced(&v[i]), 1);
			jkey("firewall", fw_name(v[i].e.fw), 0);
			fputs("},", stdout);
		}
		problems((const char(*)[GUARD_PROBLEM_LEN])v[i].problems,
			 v[i].nproblems);
		putchar('}');
	}
	fputs("],\"networks\":[", stdout);
	for (int i = 0; i < GUARD_NETS; i++) {
		printf("%s{", i ? "," : "");
		jkey("script", nets[i].prog, 1);
		printf("\"started\":%s,", nets[i].started ? "true" : "false");
		problems((const char(*)[GUARD_PROBLEM_LEN])nets[i].problems,
			 nets[i].nproblems);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

void guard_print_status(const struct guard_vif *v, int n,
			const struct guard_net nets[GUARD_NETS], int as_json)
{
	if (as_json)
		json(v, n, nets);
	else
		text(v, n, nets);
}
