#define _GNU_SOURCE
#include "zones.h"

#include "args.h"
#include "dhcp.h"
#include "fw.h"
#include "link.h"
#include "log.h"
#include "net.h"
#include "route.h"
#include "text.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <unistd.h>

#define TABLE "inet xen-zones"
#define MAX_ARGS 12

/* One statement being parsed: where it is, for the messages. */
struct stmt {
	const char *file;
	int line;
	const char *kw;
	char *key[MAX_ARGS], *val[MAX_ARGS];
	int n;
	char *err;
	size_t len;
};

static int fail(struct stmt *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct stmt *s, const char *fmt, ...)
{
	int n = snprintf(s->err, s->len, "%s:%d: %s%s", s->file, s->line,
			 s->kw ? s->kw : "", s->kw ? ": " : "");
	va_list ap;

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < s->len)
		vsnprintf(s->err + n, s->len - (size_t)n, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

static const char *arg(struct stmt *s, const char *key)
{
	for (int i = 0; i < s->n; i++)
		if (!strcasecmp(s->key[i], key))
			return s->val[i];
	return NULL;
}

/* A required argument; NULL after fail(). */
static const char *need(struct stmt *s, const char *key)
{
	const char *v = arg(s, key);

	if (!v || !*v)
		fail(s, "%s= is missing", key);
	return v && *v ? v : NULL;
}

static int is_none(const char *v)
{
	return !strcasecmp(v, "none");
}

static int name_ok(const char *v)
{
	size_t len = strlen(v);

	if (len == 0 || len >= ZONES_NAME)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '_' && v[i] != '-')
			return 0;
	return 1;
}

static int zone_index(const struct zones *zs, const char *name)
{
	for (int i = 0; i < zs->nz; i++)
		if (!strcmp(zs->z[i].name, name))
			return i;
	return -1;
}

static int ipv4(struct stmt *s, const char *key, const char *v, struct args_addr *a)
{
	if (args_addr(v, a) < 0 || a->family != AF_INET || a->prefix != 32)
		return fail(s, "%s='%s' is not an IPv4 address", key, v);
	return 0;
}

/* An interface name goes into the ruleset as it is, between double quotes:
 * besides being a name the kernel takes, it holds nothing that means
 * something to nft ('"' ends the string, '*' makes it a wildcard, '\\'
 * escapes). */
#define IFNAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."

static int ifname(struct stmt *s, const char *key, const char *v, char *out)
{
	if (args_ifname(v) < 0 || v[strspn(v, IFNAME_CHARS)])
		return fail(s, "%s='%s' is not an interface name of letters, digits, "
			    "'-', '_' and '.'", key, v);
	snprintf(out, IFNAMSIZ, "%s", v);
	return 0;
}

/* "tcp:80" */
static int proto_port(struct stmt *s, const char *key, const char *v, int *proto,
		      uint16_t *port)
{
	const char *colon = strchr(v, ':');
	unsigned long p;

	if (colon && !strncasecmp(v, "tcp:", 4))
		*proto = IPPROTO_TCP;
	else if (colon && !strncasecmp(v, "udp:", 4))
		*proto = IPPROTO_UDP;
	else
		return fail(s, "%s='%s': expected tcp:PORT or udp:PORT", key, v);
	if (args_uint(colon + 1, 1, 65535, &p) < 0)
		return fail(s, "%s='%s': the port is not 1 to 65535", key, v);
	*port = (uint16_t)p;
	return 0;
}

static int mask_prefix(const char *v, int *prefix)
{
	struct in_addr m;
	uint32_t h;
	int n = 0;

	if (inet_pton(AF_INET, v, &m) != 1)
		return -1;
	h = ntohl(m.s_addr);
	while (n < 32 && (h & (0x80000000u >> n)))
		n++;
	if (n < 32 && (h << n))
		return -1;	/* not contiguous */
	*prefix = n;
	return 0;
}

/* Only the keys a statement knows, each once. */
static int known(struct stmt *s, const char *const *keys)
{
	for (int i = 0; i < s->n; i++) {
		int ok = 0;

		for (int k = 0; keys[k]; k++)
			ok |= !strcasecmp(s->key[i], keys[k]);
		if (!ok)
			return fail(s, "unknown argument %s=", s->key[i]);
		for (int j = 0; j < i; j++)
			if (!strcasecmp(s->key[i], s->key[j]))
				return fail(s, "%s= given twice", s->key[i]);
	}
	return 0;
}

static int in_zone(const struct zone *z, const struct args_addr *a);

/* DHCP=first-last: two addresses of the zone's network, in order. */
static int dhcp_pool(struct stmt *s, struct zone *z, const char *v)
{
	char first[64];
	const char *dash = strchr(v, '-');

	if (!dash || (size_t)(dash - v) >= sizeof(first))
		return fail(s, "DHCP='%s': expected FIRST-LAST", v);
	snprintf(first, sizeof(first), "%.*s", (int)(dash - v), v);
	if (ipv4(s, "DHCP", first, &z->pool[0]) < 0 || ipv4(s, "DHCP", dash + 1, &z->pool[1]) < 0)
		return -1;
	if (!in_zone(z, &z->pool[0]) || !in_zone(z, &z->pool[1]) ||
	    memcmp(z->pool[0].a, z->pool[1].a, 4) > 0)
		return fail(s, "DHCP='%s': not a range of the zone's network", v);
	return 0;
}

static int create_zone(struct zones *zs, struct stmt *s)
{
	static const char *const keys[] = { "NAME", "NIC", "EXT", "BR", "INT", "MASK",
					    "DHCP", NULL };
	const char *name, *nic, *ext, *br, *in, *mask, *pool;
	struct zone z;

	memset(&z, 0, sizeof(z));
	if (known(s, keys) < 0 || !(name = need(s, "NAME")) || !(nic = need(s, "NIC")) ||
	    !(ext = need(s, "EXT")) || !(br = need(s, "BR")) || !(in = need(s, "INT")) ||
	    !(mask = need(s, "MASK")))
		return -1;
	if (!name_ok(name))
		return fail(s, "NAME='%s': 1 to %d letters, digits, '-' or '_'", name,
			    ZONES_NAME - 1);
	if (zone_index(zs, name) >= 0)
		return fail(s, "zone '%s' is defined twice", name);
	snprintf(z.name, sizeof(z.name), "%s", name);
	if (!is_none(nic) && ifname(s, "NIC", nic, z.nic) < 0)
		return -1;
	if (!is_none(ext) && ipv4(s, "EXT", ext, &z.ext) < 0)
		return -1;
	if (!z.nic[0] && z.ext.family)
		return fail(s, "EXT='%s' without a NIC", ext);
	if (ifname(s, "BR", br, z.br) < 0 || ipv4(s, "INT", in, &z.in) < 0)
		return -1;
	if (mask_prefix(mask, &z.in.prefix) < 0)
		return fail(s, "MASK='%s' is not a netmask", mask);
	if ((pool = arg(s, "DHCP")) && dhcp_pool(s, &z, pool) < 0)
		return -1;
	for (int i = 0; i < zs->nz; i++)
		if (!strcmp(zs->z[i].br, z.br))
			return fail(s, "bridge %s is zone %s's already", z.br, zs->z[i].name);
	if (zs->nz == ZONES_MAX)
		return fail(s, "more than %d zones", ZONES_MAX);
	zs->z[zs->nz++] = z;
	return 0;
}

static struct zone_rule *new_rule(struct zones *zs, struct stmt *s, int kind)
{
	const char *name = need(s, "NAME");
	struct zone_rule *r;

	if (!name)
		return NULL;
	if (!name_ok(name)) {
		fail(s, "NAME='%s': 1 to %d letters, digits, '-' or '_'", name,
		     ZONES_NAME - 1);
		return NULL;
	}
	for (int i = 0; i < zs->nr; i++)
		if (!strcmp(zs->r[i].name, name)) {
			fail(s, "name '%s' is used twice", name);
			return NULL;
		}
	if (zs->nr == ZONES_RULES) {
		fail(s, "more than %d CreateApp, TuneZone, MapAddress and AllowZone "
		     "statements", ZONES_RULES);
		return NULL;
	}
	r = &zs->r[zs->nr];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->kind = kind;
	return r;
}

/* ZONE=name, or none when none_ok; the index or -1 (none), -2 on error. */
static int zone_arg(struct zones *zs, struct stmt *s, const char *key, int none_ok)
{
	const char *v = need(s, key);
	int i;

	if (!v)
		return -2;
	if (none_ok && is_none(v))
		return -1;
	if ((i = zone_index(zs, v)) < 0) {
		fail(s, "%s='%s' is no zone defined before", key, v);
		return -2;
	}
	return i;
}

static int create_app(struct zones *zs, struct stmt *s)
{
	static const char *const keys[] = { "NAME", "ZONE", "EXT", "INT", NULL };
	struct zone_rule *r;
	const char *ext, *in;
	char host[64], *colon;
	unsigned long p;

	if (known(s, keys) < 0 || !(r = new_rule(zs, s, 'A')))
		return -1;
	if ((r->zone = zone_arg(zs, s, "ZONE", 1)) == -2 || !(ext = need(s, "EXT")) ||
	    !(in = need(s, "INT")) || proto_port(s, "EXT", ext, &r->proto, &r->port) < 0)
		return -1;
	if (r->zone < 0) {
		if (ifname(s, "INT", in, r->nic) < 0)
			return -1;
	} else {
		if (!zs->z[r->zone].nic[0])
			return fail(s, "zone %s has no NIC to forward from",
				    zs->z[r->zone].name);
		snprintf(host, sizeof(host), "%s", in);
		r->to_port = r->port;
		if ((colon = strchr(host, ':'))) {
			*colon = 0;
			if (args_uint(colon + 1, 1, 65535, &p) < 0)
				return fail(s, "INT='%s': the port is not 1 to 65535", in);
			r->to_port = (uint16_t)p;
		}
		if (ipv4(s, "INT", host, &r->to) < 0)
			return -1;
	}
	zs->nr++;
	return 0;
}

static int tune_zone(struct zones *zs, struct stmt *s)
{
	static const char *const keys[] = { "NAME", "ZONE", "DIR", "ACTION", "PORT", NULL };
	const char *dir, *action, *port;
	struct zone_rule *r;

	if (known(s, keys) < 0 || !(r = new_rule(zs, s, 'T')))
		return -1;
	if ((r->zone = zone_arg(zs, s, "ZONE", 0)) < 0 || !(dir = need(s, "DIR")) ||
	    !(action = need(s, "ACTION")) || !(port = need(s, "PORT")) ||
	    proto_port(s, "PORT", port, &r->proto, &r->port) < 0)
		return -1;
	if (!strcasecmp(dir, "in") || !strcasecmp(dir, "out"))
		r->out = !strcasecmp(dir, "out");
	else
		return fail(s, "DIR='%s': expected in or out", dir);
	if (!strcasecmp(action, "accept"))
		r->action = ZONE_ACCEPT;
	else if (!strcasecmp(action, "drop"))
		r->action = ZONE_DROP;
	else if (!strcasecmp(action, "reject"))
		r->action = ZONE_REJECT;
	else
		return fail(s, "ACTION='%s': expected ACCEPT, DROP or REJECT", action);
	zs->nr++;
	return 0;
}

static int map_address(struct zones *zs, struct stmt *s)
{
	static const char *const keys[] = { "NAME", "ZONE", "EXT", "INT", NULL };
	struct zone_rule *r;
	const char *ext, *in;

	if (known(s, keys) < 0 || !(r = new_rule(zs, s, 'M')))
		return -1;
	if ((r->zone = zone_arg(zs, s, "ZONE", 0)) < 0 || !(ext = need(s, "EXT")) ||
	    !(in = need(s, "INT")) || ipv4(s, "EXT", ext, &r->ext) < 0 ||
	    ipv4(s, "INT", in, &r->to) < 0)
		return -1;
	if (!zs->z[r->zone].nic[0])
		return fail(s, "zone %s has no NIC to map an address on",
			    zs->z[r->zone].name);
	zs->nr++;
	return 0;
}

static int allow_zone(struct zones *zs, struct stmt *s)
{
	static const char *const keys[] = { "FROM", "TO", NULL };
	struct zone_rule *r;
	char name[ZONES_NAME];

	if (known(s, keys) < 0)
		return -1;
	snprintf(name, sizeof(name), "allow-%d", zs->nr);
	s->key[s->n] = "NAME";
	s->val[s->n++] = name;
	if (!(r = new_rule(zs, s, 'W')))
		return -1;
	if ((r->zone = zone_arg(zs, s, "FROM", 0)) < 0 ||
	    (r->to_zone = zone_arg(zs, s, "TO", 0)) < 0)
		return -1;
	zs->nr++;
	return 0;
}

/* $NAME and ${NAME} replaced from the variables; -1 on an unknown one. */
static int expand(struct zones *zs, struct stmt *s, const char *in, char *out,
		  size_t len)
{
	size_t o = 0;

	while (*in && o + 1 < len) {
		const char *start, *end;
		int braced, i;

		if (*in != '$') {
			out[o++] = *in++;
			continue;
		}
		braced = in[1] == '{';
		start = in + 1 + braced;
		for (end = start; isalnum((unsigned char)*end) || *end == '_'; end++)
			;
		if (end == start || (braced && *end != '}'))
			return fail(s, "bad variable reference in '%s'", in);
		for (i = 0; i < zs->nvars; i++)
			if (!strncmp(zs->vars[i], start, (size_t)(end - start)) &&
			    zs->vars[i][end - start] == '=')
				break;
		if (i == zs->nvars)
			return fail(s, "$%.*s is not set", (int)(end - start), start);
		o += (size_t)snprintf(out + o, len - o, "%s",
				      zs->vars[i] + (end - start) + 1);
		in = end + braced;
	}
	if (*in || o >= len)
		return fail(s, "a value longer than %zu bytes", len - 1);
	out[o] = 0;
	return 0;
}

/* A value as the shell would read it, the one place that decides: quotes
 * around the whole of it go ("..." expanded, '...' not), $NAME and ${NAME}
 * are replaced outside single quotes.  Any other quote, '\\' or '`' is
 * shell syntax that is not run here: refused.  The caller then checks the
 * value for its field (an interface name, an address...): only checked
 * values reach the ruleset. */
static int value(struct zones *zs, struct stmt *s, const char *key, const char *raw,
		 char *out, size_t len)
{
	size_t n = strlen(raw);
	char q = *raw, in[1024];

	if ((q == '"' || q == '\'') && n >= 2 && raw[n - 1] == q)
		snprintf(in, sizeof(in), "%.*s", (int)n - 2, raw + 1);
	else
		snprintf(in, sizeof(in), "%s", raw);
	if (strpbrk(in, "\"'`\\"))
		return fail(s, "%s='%s': a quote, '\\' or '`' inside a value (quote a "
			    "whole value, as \"...\" or '...')", key, raw);
	if (q != '\'')
		return expand(zs, s, in, out, len);
	if (strlen(in) >= len)
		return fail(s, "a value longer than %zu bytes", len - 1);
	strcpy(out, in);
	return 0;
}

static int statement(struct zones *zs, struct stmt *s, char *line)
{
	static char expanded[MAX_ARGS][256];
	char *save = NULL, *tok, *hash;

	if ((hash = strchr(line, '#')))
		*hash = 0;
	for (char *p = line; (p = strchr(p, ';'));)
		*p = ' ';
	tok = strtok_r(line, " \t\r\n", &save);
	if (!tok)
		return 0;
	/* NAME=value: a variable */
	if (strchr(tok, '=') && !strtok_r(NULL, " \t\r\n", &save)) {
		char *eq = strchr(tok, '=');
		int i;

		*eq = 0;
		if (!name_ok(tok))
			return fail(s, "bad variable '%s'", tok);
		for (i = 0; i < zs->nvars; i++)
			if (!strncmp(zs->vars[i], tok, strlen(tok)) &&
			    zs->vars[i][strlen(tok)] == '=')
				return fail(s, "variable %s is set again (first on line %d)",
					    tok, zs->var_line[i]);
		if (zs->nvars == ZONES_MAX)
			return fail(s, "more than %d variables", ZONES_MAX);
		if (value(zs, s, tok, eq + 1, expanded[0], sizeof(expanded[0])) < 0)
			return -1;
		if (strlen(tok) + strlen(expanded[0]) + 2 > sizeof(zs->vars[0]))
			return fail(s, "variable %s: value too long", tok);
		strcat(strcat(strcpy(zs->vars[zs->nvars], tok), "="), expanded[0]);
		zs->var_line[zs->nvars++] = s->line;
		return 0;
	}
	s->kw = tok;
	s->n = 0;
	if (!strcmp(tok, "if") || !strcmp(tok, "fi") || !strcmp(tok, "DoIt") ||
	    !strcmp(tok, "iptables"))
		return fail(s, "shell code is not run here: use AllowZone FROM= TO= "
			    "or rules in the chains before-* and after-* of table "
			    TABLE);
	while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok)
			return fail(s, "'%s': expected KEY=VALUE", tok);
		if (s->n == MAX_ARGS - 1)
			return fail(s, "too many arguments");
		*eq = 0;
		if (value(zs, s, tok, eq + 1, expanded[s->n], sizeof(expanded[0])) < 0)
			return -1;
		s->key[s->n] = tok;
		s->val[s->n] = expanded[s->n];
		s->n++;
	}
	if (!strcasecmp(s->kw, "CreateZone"))
		return create_zone(zs, s);
	if (!strcasecmp(s->kw, "CreateApp"))
		return create_app(zs, s);
	if (!strcasecmp(s->kw, "TuneZone"))
		return tune_zone(zs, s);
	if (!strcasecmp(s->kw, "MapAddress"))
		return map_address(zs, s);
	if (!strcasecmp(s->kw, "AllowZone"))
		return allow_zone(zs, s);
	s->kw = NULL;
	return fail(s, "unknown statement '%s'", line);
}

int zones_parse_text(const char *file, const char *text, struct zones *zs,
		     char *err, size_t len)
{
	struct stmt s = { .file = file, .err = err, .len = len };
	char line[1024];

	memset(zs, 0, sizeof(*zs));
	while (*text) {
		size_t n = strcspn(text, "\n");

		s.line++;
		s.kw = NULL;
		if (n >= sizeof(line)) {
			fail(&s, "line longer than %zu bytes", sizeof(line) - 1);
			return -1;
		}
		memcpy(line, text, n);
		line[n] = 0;
		text += n + (text[n] == '\n');
		if (statement(zs, &s, line) < 0)
			return -1;
	}
	return 0;
}

int zones_parse_file(const char *path, struct zones *zs, char *err, size_t len)
{
	size_t n;
	char *text = text_read(path, TEXT_MAX, &n);
	int ret, e, line;

	if (!text) {
		e = errno;
		snprintf(err, len, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (!n || (line = text_nul_line(text, n))) {
		if (n)
			snprintf(err, len, "%s:%d: a NUL byte", path, line);
		else
			snprintf(err, len, "%s: empty", path);
		free(text);
		errno = EINVAL;
		return -1;
	}
	ret = zones_parse_text(path, text, zs, err, len);
	free(text);
	return ret;
}

int zones_add_bridge_spec(struct zones *zs, const char *spec, char *err, size_t len)
{
	char copy[128], *br, *addr, *mask, text[600];
	struct zones one;

	/* Checked before it goes into a statement: no space or '#' of it
	 * makes more arguments, a comment, a variable. */
	snprintf(copy, sizeof(copy), "%s", spec);
	br = copy;
	if (strlen(spec) >= sizeof(copy) || spec[strspn(spec, IFNAME_CHARS ":")] ||
	    !(addr = strchr(br, ':')) || !(mask = strchr(addr + 1, ':'))) {
		snprintf(err, len, "'%s': expected BRIDGE:ADDRESS:NETMASK", spec);
		errno = EINVAL;
		return -1;
	}
	*addr++ = 0;
	*mask++ = 0;
	snprintf(text, sizeof(text), "CreateZone NAME=%s NIC=none EXT=none BR=%s "
		 "INT=%s MASK=%s\n", br, br, addr, mask);
	/* Parsed alone, then checked against the zones already there. */
	if (zones_parse_text(spec, text, &one, err, len) < 0)
		return -1;
	for (int i = 0; i < zs->nz; i++)
		if (!strcmp(zs->z[i].br, one.z[0].br)) {
			snprintf(err, len, "'%s': bridge %s is given twice", spec, br);
			errno = EINVAL;
			return -1;
		}
	if (zs->nz == ZONES_MAX) {
		snprintf(err, len, "'%s': more than %d zones", spec, ZONES_MAX);
		errno = E2BIG;
		return -1;
	}
	zs->z[zs->nz++] = one.z[0];
	return 0;
}

/* The zone's network address and netmask, both as hosts (/32). */
static void network(const struct zone *z, struct args_addr *net, struct args_addr *mask)
{
	*mask = (struct args_addr){ .family = AF_INET, .prefix = 32 };
	for (int b = 0; b < z->in.prefix; b++)
		mask->a[b / 8] |= (unsigned char)(0x80 >> (b % 8));
	*net = z->in;
	net->prefix = 32;
	for (int b = 0; b < 4; b++)
		net->a[b] &= mask->a[b];
}

/* Whether a is in z's network. */
static int in_zone(const struct zone *z, const struct args_addr *a)
{
	struct args_addr net, mask;

	network(z, &net, &mask);
	for (int b = 0; b < 4; b++)
		if ((a->a[b] & mask.a[b]) != net.a[b])
			return 0;
	return 1;
}

/* --- rendering --- */

static const char *addr(const struct args_addr *a)
{
	static char buf[4][64];
	static int k;

	k = (k + 1) % 4;
	args_addr_format(a, buf[k], sizeof(buf[k]));
	return buf[k];
}

/* The zone's network, e.g. 10.10.1.0/24. */
static const char *subnet(const struct zone *z)
{
	struct args_addr n, m;

	network(z, &n, &m);
	n.prefix = z->in.prefix;
	return addr(&n);
}

static const char *proto(int p)
{
	return p == IPPROTO_TCP ? "tcp" : "udp";
}

static void bridges_set(struct text *o, const struct zones *zs)
{
	text_put(o, "{ ");
	for (int i = 0; i < zs->nz; i++)
		text_put(o, "%s\"%s\"", i ? ", " : "", zs->z[i].br);
	text_put(o, " }");
}

static void rule(struct text *o, const char *chain)
{
	text_put(o, "add rule " TABLE " %s ", chain);
}

/* The i-th interface dom0 is closed on: the zones' bridges, their NICs,
 * the NICs of CreateApp ZONE=none ("" for none). */
static const char *closed_dev(const struct zones *zs, int i)
{
	if (i < zs->nz)
		return zs->z[i].br;
	if (i < 2 * zs->nz)
		return zs->z[i - zs->nz].nic;
	i -= 2 * zs->nz;
	return zs->r[i].kind == 'A' ? zs->r[i].nic : "";
}

static void input(struct text *o, const struct zones *zs)
{
	int first = 1;

	rule(o, "input");
	text_put(o, "ct state established,related accept\n");
	rule(o, "input");
	text_put(o, "jump before-input\n");
	for (int i = 0; i < zs->nr; i++) {
		const struct zone_rule *r = &zs->r[i];

		if (r->kind != 'A' || r->zone >= 0)
			continue;
		rule(o, "input");
		text_put(o, "iifname \"%s\" %s dport %u accept comment \"%s\"\n", r->nic,
		    proto(r->proto), r->port, r->name);
	}
	if (zs->nz) {
		rule(o, "input");
		text_put(o, "iifname ");
		bridges_set(o, zs);
		text_put(o, " udp dport { 53, 67 } accept comment \"DNS and DHCP for the zones\"\n");
		rule(o, "input");
		text_put(o, "iifname ");
		bridges_set(o, zs);
		text_put(o, " tcp dport 53 accept comment \"DNS for the zones\"\n");
	}
	rule(o, "input");
	text_put(o, "meta l4proto { icmp, ipv6-icmp } accept\n");
	rule(o, "input");
	text_put(o, "jump after-input\n");
	/* Closed: the zones' bridges, and every NIC a zone or an app names,
	 * each once. */
	for (int i = 0; i < 2 * zs->nz + zs->nr; i++) {
		const char *dev = closed_dev(zs, i);
		int seen = !*dev;

		for (int j = 0; j < i && !seen; j++)
			seen = !strcmp(closed_dev(zs, j), dev);
		if (seen)
			continue;
		if (first)
			rule(o, "input");
		text_put(o, "%s\"%s\"", first ? "iifname { " : ", ", dev);
		first = 0;
	}
	if (!first)
		text_put(o, " } drop comment \"dom0 opens only what CreateApp says\"\n");
}

static void forward(struct text *o, const struct zones *zs)
{
	static const char *const verdict[] = { "accept", "drop", "reject" };

	rule(o, "forward");
	text_put(o, "ct state established,related accept\n");
	rule(o, "forward");
	text_put(o, "jump before-forward\n");
	for (int i = 0; i < zs->nr; i++) {
		const struct zone_rule *r = &zs->r[i];

		if (r->kind != 'T')
			continue;
		rule(o, "forward");
		text_put(o, "%s \"%s\" %s dport %u %s comment \"%s: %s %s\"\n",
		    r->out ? "iifname" : "oifname", zs->z[r->zone].br, proto(r->proto),
		    r->port, verdict[r->action], r->name, zs->z[r->zone].name,
		    r->out ? "out" : "in");
	}
	rule(o, "forward");
	text_put(o, "ct status dnat accept comment \"port forwards and mapped addresses\"\n");
	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];

		rule(o, "forward");
		text_put(o, "iifname \"%s\" oifname \"%s\" accept comment \"%s: within\"\n",
		    z->br, z->br, z->name);
		if (z->nic[0]) {
			rule(o, "forward");
			text_put(o, "iifname \"%s\" oifname \"%s\" accept comment \"%s: out by %s\"\n",
			    z->br, z->nic, z->name, z->nic);
		}
	}
	for (int i = 0; i < zs->nr; i++) {
		const struct zone_rule *r = &zs->r[i];

		if (r->kind != 'W')
			continue;
		rule(o, "forward");
		text_put(o, "iifname \"%s\" oifname \"%s\" accept comment \"%s to %s\"\n",
		    zs->z[r->zone].br, zs->z[r->to_zone].br, zs->z[r->zone].name,
		    zs->z[r->to_zone].name);
	}
	rule(o, "forward");
	text_put(o, "jump after-forward\n");
	if (zs->nz) {
		rule(o, "forward");
		text_put(o, "iifname ");
		bridges_set(o, zs);
		text_put(o, " drop comment \"zones are isolated\"\n");
		rule(o, "forward");
		text_put(o, "oifname ");
		bridges_set(o, zs);
		text_put(o, " drop comment \"zones are isolated\"\n");
	}
}

static void nat(struct text *o, const struct zones *zs)
{
	for (int i = 0; i < zs->nr; i++) {
		const struct zone_rule *r = &zs->r[i];
		const struct zone *z;

		if (r->zone < 0 || (r->kind != 'A' && r->kind != 'M'))
			continue;
		z = &zs->z[r->zone];
		rule(o, "prerouting");
		if (r->kind == 'M') {
			text_put(o, "ip daddr %s dnat ip to %s comment \"%s\"\n", addr(&r->ext),
			    addr(&r->to), r->name);
			rule(o, "postrouting");
			text_put(o, "oifname \"%s\" ip saddr %s snat ip to %s comment \"%s\"\n",
			    z->nic, addr(&r->to), addr(&r->ext), r->name);
			continue;
		}
		text_put(o, "iifname \"%s\" ", z->nic);
		if (z->ext.family)
			text_put(o, "ip daddr %s ", addr(&z->ext));
		text_put(o, "%s dport %u dnat ip to %s:%u comment \"%s\"\n", proto(r->proto),
		    r->port, addr(&r->to), r->to_port, r->name);
	}
	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];

		if (!z->nic[0])
			continue;
		rule(o, "postrouting");
		text_put(o, "oifname \"%s\" ip saddr %s ", z->nic, subnet(z));
		if (z->ext.family)
			text_put(o, "snat ip to %s comment \"%s: out as %s\"\n", addr(&z->ext),
			    z->name, addr(&z->ext));
		else
			text_put(o, "masquerade comment \"%s: out as %s's address\"\n", z->name,
			    z->nic);
	}
}

int zones_render_nft(const struct zones *zs, char *buf, size_t len)
{
	static const char *const admin[] = { "before-input", "after-input",
					     "before-forward", "after-forward" };
	static const char *const ours[][2] = {
		{ "input", "type filter hook input priority filter; policy accept;" },
		{ "forward", "type filter hook forward priority filter; policy accept;" },
		{ "prerouting", "type nat hook prerouting priority dstnat; policy accept;" },
		{ "postrouting", "type nat hook postrouting priority srcnat; policy accept;" },
	};
	struct text o = TEXT_INIT(buf, len);

	text_put(&o, "add table " TABLE "\n");
	for (size_t i = 0; i < 4; i++)
		text_put(&o, "add chain " TABLE " %s\n", admin[i]);
	for (size_t i = 0; i < 4; i++)
		text_put(&o, "add chain " TABLE " %s { %s }\nflush chain " TABLE " %s\n",
		    ours[i][0], ours[i][1], ours[i][0]);
	input(&o, zs);
	forward(&o, zs);
	nat(&o, zs);
	if (o.full) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

int zones_render_plan(const struct zones *zs, char *buf, size_t len)
{
	struct text o = TEXT_INIT(buf, len);
	size_t used;

	text_put(&o, "# zones\n");
	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];

		text_put(&o, "#   %s: bridge %s, address %s (network %s), ", z->name, z->br,
		    addr(&z->in), subnet(z));
		if (z->pool[0].family)
			text_put(&o, "DHCP %s-%s, ", addr(&z->pool[0]), addr(&z->pool[1]));
		if (!z->nic[0])
			text_put(&o, "no uplink\n");
		else if (z->ext.family)
			text_put(&o, "out by %s as %s (added to %s)\n", z->nic, addr(&z->ext),
			    z->nic);
		else
			text_put(&o, "out by %s, masqueraded\n", z->nic);
	}
	for (int i = 0; i < zs->nr; i++)
		if (zs->r[i].kind == 'M')
			text_put(&o, "#   %s: %s is %s (added to %s)\n", zs->r[i].name,
			    addr(&zs->r[i].ext), addr(&zs->r[i].to),
			    zs->z[zs->r[i].zone].nic);
	text_put(&o, "# sysctl net.ipv4.ip_forward = 1\n");
	if (o.full) {
		errno = ENOSPC;
		return -1;
	}
	used = len - o.left;
	return zones_render_nft(zs, buf + used, len - used);
}

/* --- on the host --- */

#define RULESET_MAX (256 * 1024)

/* A state line "KEY VALUE" that start made and the new zs no longer
 * wants is undone by undo(); the others are kept for the new state. */
static int wanted_bridge(const struct zones *zs, const char *br)
{
	for (int i = 0; i < zs->nz; i++)
		if (!strcmp(zs->z[i].br, br))
			return 1;
	return 0;
}

/* "DEV ADDRESS" */
static int parse_dev_addr(const char *line, char *dev, struct args_addr *a)
{
	char addrbuf[64];

	if (sscanf(line, "%15s %63s", dev, addrbuf) != 2 || args_addr(addrbuf, a) < 0)
		return -1;
	return 0;
}

static int wanted_addr(const struct zones *zs, const char *dev,
		       const struct args_addr *a)
{
	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];

		if (!strcmp(z->br, dev) && !memcmp(z->in.a, a->a, 4))
			return 1;
		if (!strcmp(z->nic, dev) && z->ext.family && !memcmp(z->ext.a, a->a, 4))
			return 1;
	}
	for (int i = 0; i < zs->nr; i++)
		if (zs->r[i].kind == 'M' && !strcmp(zs->z[zs->r[i].zone].nic, dev) &&
		    !memcmp(zs->r[i].ext.a, a->a, 4))
			return 1;
	return 0;
}

/* A bridge start made, deleted unless vifs are still on it: 1 when it
 * stays. */
static int bridge_stays(const char *br)
{
	char ports[512];

	if (link_ports(br, ports, sizeof(ports)) < 0) {
		if (errno != ENODEV)
			log_warn("list the ports of %s: %m", br);
		return 0;
	}
	if (ports[0]) {
		log_warn("bridge %s still has %s: left in place", br, ports);
		return 1;
	}
	if (link_delete(br) < 0)
		log_warn("delete bridge %s: %m", br);
	return 0;
}

/* The state's "bridge" and "addr" lines: kept while zs (NULL at stop)
 * wants them, else undone. */
static int keep_bridge(const char *br, void *zs)
{
	return (zs && wanted_bridge(zs, br)) || bridge_stays(br);
}

static int keep_addr(const char *line, void *zs)
{
	char dev[IFNAMSIZ];
	struct args_addr a;

	if (parse_dev_addr(line, dev, &a) < 0)
		return 0;
	if (zs && wanted_addr(zs, dev, &a))
		return 1;
	if (route_addr_del(dev, &a) < 0)
		log_warn("remove %s: %m", line);
	return 0;
}

/* What an earlier start made that zs does not want any more. */
static void converge(struct net *n, const struct zones *zs)
{
	net_state_filter(n, "bridge", keep_bridge, (void *)zs);
	net_state_filter(n, "addr", keep_addr, (void *)zs);
}

/* Put a on dev, remembering it when it was not there. */
static void own_addr(struct net *n, const char *dev, const struct args_addr *a)
{
	char text[64];
	int has = route_has_addr(dev, a);

	args_addr_format(a, text, sizeof(text));
	if (has < 0)
		net_abort(n, "read the addresses of %s: %m", dev);
	if (has)
		return;
	if (route_addr_add(dev, a) < 0)
		net_abort(n, "add %s to %s: %m", text, dev);
	n->changed = 1;
	net_state_add(n, "addr %s %s", dev, text);
}

static void say(struct net *n, const struct zones *zs)
{
	static const char *const verdict[] = { "accept", "drop", "reject" };

	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];

		net_state_add(n, "zone %s %s", z->name, z->br);
		if (!z->nic[0])
			net_state_add(n, "say zone %s: bridge %s %s, no uplink", z->name,
				      z->br, addr(&z->in));
		else
			net_state_add(n, "say zone %s: bridge %s %s, out by %s as %s",
				      z->name, z->br, addr(&z->in), z->nic,
				      z->ext.family ? addr(&z->ext) : "its address (masquerade)");
	}
	for (int i = 0; i < zs->nr; i++) {
		const struct zone_rule *r = &zs->r[i];

		if (r->kind == 'A' && r->zone < 0)
			net_state_add(n, "say open on dom0: %s:%u on %s (%s)", proto(r->proto),
				      r->port, r->nic, r->name);
		else if (r->kind == 'A')
			net_state_add(n, "say forward %s: %s:%u on %s to %s:%u (%s)",
				      zs->z[r->zone].name, proto(r->proto), r->port,
				      zs->z[r->zone].nic, addr(&r->to), r->to_port, r->name);
		else if (r->kind == 'T')
			net_state_add(n, "say %s %s: %s:%u %s (%s)", zs->z[r->zone].name,
				      r->out ? "out" : "in", proto(r->proto), r->port,
				      verdict[r->action], r->name);
		else if (r->kind == 'M')
			net_state_add(n, "say map %s: %s is %s (%s)", zs->z[r->zone].name,
				      addr(&r->ext), addr(&r->to), r->name);
		else
			net_state_add(n, "say allow %s to %s", zs->z[r->zone].name,
				      zs->z[r->to_zone].name);
	}
}

/* DHCP when dhcp=yes, or by default when the ethers file exists. */
static void dhcp(struct net *n, const struct zones *zs)
{
	const char *ethers = args_setting_or("ethers", "/etc/ethers");
	const char *hosts = args_setting_or("hosts", "/etc/hosts");
	char rundir[256], err[512];
	int on, count, pools = 0;

	for (int i = 0; i < zs->nz; i++)
		pools |= zs->z[i].pool[0].family != 0;
	if ((on = args_bool("dhcp", pools || access(ethers, R_OK) == 0)) <= 0)
		return;	/* a bad value was refused by check() */
	snprintf(rundir, sizeof(rundir), "%s", n->state);
	*strrchr(rundir, '/') = 0;
	if (mkdir(rundir, 0755) < 0 && errno != EEXIST)
		net_abort(n, "create %s: %m", rundir);
	if ((count = zones_dhcp_write(zs, ethers, hosts, rundir, err, sizeof(err))) < 0)
		net_abort(n, "DHCP for the zones: %s", err);
	net_state_add(n, "say DHCP: %d hosts from %s for dnsmasq (%s/network-zones.dnsmasq.conf)",
		      count, ethers, rundir);
}

/* What can be checked is, before anything changes: the NICs, the bridges'
 * names, the ruleset (by the kernel, which the bridges need not exist for:
 * the rules match interfaces by name). */
static char *check(struct net *n, const struct zones *zs)
{
	char *ruleset, err[512];

	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];

		if (z->nic[0] && link_index(z->nic) < 0)
			net_fatal(n, "zone %s: NIC %s: %m", z->name, z->nic);
		if (link_is_bridge(z->br) == 0)
			net_fatal(n, "zone %s: %s exists and is not a bridge", z->name,
				  z->br);
	}
	for (int i = 0; i < zs->nr; i++)
		if (zs->r[i].kind == 'A' && zs->r[i].zone < 0 && link_index(zs->r[i].nic) < 0)
			net_fatal(n, "%s: NIC %s: %m", zs->r[i].name, zs->r[i].nic);
	if (args_bool("dhcp", 0) < 0)
		net_fatal(n, "invalid dhcp '%s': expected yes or no", args_setting("dhcp"));
	if (!(ruleset = malloc(RULESET_MAX)))
		net_fatal(n, "out of memory");
	if (zones_render_nft(zs, ruleset, RULESET_MAX) < 0) {
		free(ruleset);
		net_fatal(n, "the zones' ruleset is too long");
	}
	if (fw_text_check(ruleset, err, sizeof(err)) < 0) {
		free(ruleset);
		net_fatal(n, "check the zones' ruleset: %s", err);
	}
	return ruleset;
}

void zones_up(struct net *n, const struct zones *zs)
{
	char *ruleset = check(n, zs), err[512];
	struct args_addr host;

	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];
		int made = link_create_bridge(z->br);

		if (made < 0)
			net_abort(n, "create bridge %s: %m", z->br);
		n->changed |= made;
		if (made)
			net_state_add(n, "bridge %s", z->br);
		own_addr(n, z->br, &z->in);
		if (link_set_up(z->br, 1) < 0)
			net_abort(n, "set %s up: %m", z->br);
		host = z->ext;
		host.prefix = 32;
		if (z->ext.family)
			own_addr(n, z->nic, &host);
	}
	for (int i = 0; i < zs->nr; i++) {
		if (zs->r[i].kind != 'M')
			continue;
		host = zs->r[i].ext;
		own_addr(n, zs->z[zs->r[i].zone].nic, &host);
	}
	net_sysctl(n, "net/ipv4/ip_forward", "1");
	if (fw_text_apply(ruleset, err, sizeof(err)) < 0) {
		free(ruleset);
		net_abort(n, "apply the zones' ruleset: %s", err);
	}
	free(ruleset);
	net_state_filter(n, "zone", NULL, NULL);
	say(n, zs);
	converge(n, zs);
	dhcp(n, zs);
}

/* Whether the administrator's chains hold rules. */
static int admin_rules(void)
{
	char *out = malloc(RULESET_MAX), err[256], *line, *save = NULL;
	int in_admin = 0, rules = 0;

	if (!out || fw_text_list("table " TABLE, out, RULESET_MAX, err, sizeof(err)) < 0) {
		free(out);
		return 0;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		while (*line == '\t' || *line == ' ')
			line++;
		if (!strncmp(line, "chain ", 6))
			in_admin = !strncmp(line + 6, "before-", 7) || !strncmp(line + 6, "after-", 6);
		else if (in_admin && *line && *line != '}')
			rules++;
	}
	free(out);
	return rules;
}

void zones_down(struct net *n)
{
	char err[512];

	if (admin_rules()) {
		if (fw_text_apply("delete chain " TABLE " input\ndelete chain " TABLE
				  " forward\ndelete chain " TABLE " prerouting\ndelete chain "
				  TABLE " postrouting\n", err, sizeof(err)) < 0)
			log_warn("remove the zones' chains: %s", err);
		else
			log_info("table %s kept: the administrator's chains hold rules", TABLE);
	} else if (fw_text_apply("destroy table " TABLE "\n", err, sizeof(err)) < 0 &&
		   fw_text_apply("delete table " TABLE "\n", err, sizeof(err)) < 0 &&
		   !strstr(err, "No such file")) {
		log_warn("remove table %s: %s", TABLE, err);
	}
	net_state_filter(n, "addr", keep_addr, NULL);
	net_state_filter(n, "bridge", keep_bridge, NULL);
	net_sysctl_restore(n);
}

static int print_zone(const char *line, void *unused)
{
	char name[ZONES_NAME], br[IFNAMSIZ], ports[512];

	(void)unused;
	if (sscanf(line, "%31s %15s", name, br) != 2)
		return 1;
	if (link_ports(br, ports, sizeof(ports)) < 0)
		snprintf(ports, sizeof(ports), "(bridge %s is gone)", br);
	printf("  zone %s: vifs on %s: %s\n", name, br, ports[0] ? ports : "none");
	return 1;
}

void zones_print_status(struct net *n)
{
	net_state_filter(n, "zone", print_zone, NULL);
}

/* --- DHCP ----------------------------------------------------------------- */

/* The address of name in the hosts file; -1 when it has none. */
static int host_addr(const char *hosts, const char *name, struct args_addr *a)
{
	char line[512], *save = NULL, *tok, *ip;
	FILE *f = fopen(hosts, "re");
	int found = -1;

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "#\n")] = 0;
		if (!(ip = strtok_r(line, " \t", &save)))
			continue;
		while ((tok = strtok_r(NULL, " \t", &save)))
			if (!strcmp(tok, name) && args_addr(ip, a) == 0 && a->family == AF_INET)
				found = 0;
	}
	fclose(f);
	return found;
}

static const struct zone *zone_of(const struct zones *zs, const struct args_addr *a)
{
	for (int i = 0; i < zs->nz; i++)
		if (in_zone(&zs->z[i], a))
			return &zs->z[i];
	return NULL;
}

/* A dnsmasq already serving the zones rereads its hosts file on SIGHUP. */
static void tell_dnsmasq(const char *rundir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/network-zones.dnsmasq.pid", rundir);
	if (dhcp_dnsmasq_reload(path) < 0)
		log_warn("tell the dnsmasq of %s to reread its hosts: %m", path);
}

int zones_dhcp_write(const struct zones *zs, const char *ethers, const char *hosts,
		     const char *rundir, char *err, size_t len)
{
	char path[512], tmp[520], line[512], *save = NULL;
	FILE *in, *out;
	int count = 0;

	/* No ethers file: no fixed leases, the DHCP= ranges only. */
	if (!(in = fopen(ethers, "re")) && errno != ENOENT) {
		snprintf(err, len, "%s: %s", ethers, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/network-zones.dnsmasq.hosts", rundir);
	if (!(out = text_create(path, tmp, sizeof(tmp)))) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		if (in)
			fclose(in);
		return -1;
	}
	while (in && fgets(line, sizeof(line), in)) {
		char *mac, *who;
		unsigned char m[6];
		struct args_addr a;

		line[strcspn(line, "#\n")] = 0;
		if (!(mac = strtok_r(line, " \t", &save)) || !(who = strtok_r(NULL, " \t", &save)))
			continue;
		if (args_mac(mac, m) < 0)
			continue;
		if ((args_addr(who, &a) < 0 || a.family != AF_INET) &&
		    host_addr(hosts, who, &a) < 0)
			continue;
		if (!zone_of(zs, &a))
			continue;
		fprintf(out, "%s,%s%s%s\n", mac, addr(&a), isdigit((unsigned char)*who) ? "" : ",",
			isdigit((unsigned char)*who) ? "" : who);
		count++;
	}
	if (in)
		fclose(in);
	if (text_commit(out, tmp, path) < 0) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/network-zones.dnsmasq.conf", rundir);
	if (!(out = text_create(path, tmp, sizeof(tmp)))) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(out, "# Written by network-zones: DHCP for the zones from %s and %s.\n"
		"port=0\nbind-dynamic\n", ethers, hosts);
	for (int i = 0; i < zs->nz; i++) {
		const struct zone *z = &zs->z[i];
		struct args_addr router = z->in, net, mask;
		char net_s[64];

		router.prefix = 32;
		network(z, &net, &mask);
		snprintf(net_s, sizeof(net_s), "%s", addr(&net));
		fprintf(out, "interface=%s\ndhcp-range=set:%s,%s,static,%s\n"
			"dhcp-option=tag:%s,option:router,%s\n", z->br, z->name, net_s,
			addr(&mask), z->name, addr(&router));
		if (z->pool[0].family)
			fprintf(out, "dhcp-range=set:%s,%s,%s,%s\n", z->name,
				addr(&z->pool[0]), addr(&z->pool[1]), addr(&mask));
	}
	fprintf(out, "dhcp-hostsfile=%s/network-zones.dnsmasq.hosts\n"
		"pid-file=%s/network-zones.dnsmasq.pid\n", rundir, rundir);
	if (text_commit(out, tmp, path) < 0) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	tell_dnsmasq(rundir);
	return count;
}
