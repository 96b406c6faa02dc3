#define _GNU_SOURCE
/* network-zones' configuration language: statements, variables, the shell's
 * quoting, the bridge words of the seed's invocation (zones.h). */
#include "zones.h"

#include "args.h"
#include "text.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static int ipv4(struct stmt *s, const char *key, const char *v,
		struct args_addr *a)
{
	if (args_addr(v, a) < 0 || a->family != AF_INET || a->prefix != 32)
		return fail(s, "%s='%s' is not an IPv4 address", key, v);
	return 0;
}

/* An interface name goes into the ruleset as it is, between double quotes:
 * besides being a name the kernel takes, it holds nothing that means
 * something to nft ('"' ends the string, '*' makes it a wildcard, '\\'
 * escapes). */
#define IFNAME_CHARS                                                           \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."

static int ifname(struct stmt *s, const char *key, const char *v, char *out)
{
	if (args_ifname(v) < 0 || v[strspn(v, IFNAME_CHARS)])
		return fail(
			s,
			"%s='%s' is not an interface name of letters, digits, "
			"'-', '_' and '.'",
			key, v);
	snprintf(out, IFNAMSIZ, "%s", v);
	return 0;
}

/* "tcp:80" */
static int proto_port(struct stmt *s, const char *key, const char *v,
		      int *proto, uint16_t *port)
{
	const char *colon = strchr(v, ':');
	unsigned long p;

	if (colon && !strncasecmp(v, "tcp:", 4))
		*proto = IPPROTO_TCP;
	else if (colon && !strncasecmp(v, "udp:", 4))
		*proto = IPPROTO_UDP;
	else
		return fail(s, "%s='%s': expected tcp:PORT or udp:PORT", key,
			    v);
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
		return -1; /* not contiguous */
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

/* DHCP=first-last: two addresses of the zone's network, in order. */
static int dhcp_pool(struct stmt *s, struct zone *z, const char *v)
{
	char first[64];
	const char *dash = strchr(v, '-');

	if (!dash || (size_t)(dash - v) >= sizeof(first))
		return fail(s, "DHCP='%s': expected FIRST-LAST", v);
	snprintf(first, sizeof(first), "%.*s", (int)(dash - v), v);
	if (ipv4(s, "DHCP", first, &z->pool[0]) < 0 ||
	    ipv4(s, "DHCP", dash + 1, &z->pool[1]) < 0)
		return -1;
	if (!zones_in_network(z, &z->pool[0]) ||
	    !zones_in_network(z, &z->pool[1]) ||
	    memcmp(z->pool[0].a, z->pool[1].a, 4) > 0)
		return fail(s, "DHCP='%s': not a range of the zone's network",
			    v);
	return 0;
}

static int create_zone(struct zones *zs, struct stmt *s)
{
	static const char *const keys[] = { "NAME", "NIC",  "EXT",  "BR",
					    "INT",  "MASK", "DHCP", NULL };
	const char *name, *nic, *ext, *br, *in, *mask, *pool;
	struct zone z;

	memset(&z, 0, sizeof(z));
	if (known(s, keys) < 0 || !(name = need(s, "NAME")) ||
	    !(nic = need(s, "NIC")) || !(ext = need(s, "EXT")) ||
	    !(br = need(s, "BR")) || !(in = need(s, "INT")) ||
	    !(mask = need(s, "MASK")))
		return -1;
	if (!name_ok(name))
		return fail(s, "NAME='%s': 1 to %d letters, digits, '-' or '_'",
			    name, ZONES_NAME - 1);
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
			return fail(s, "bridge %s is zone %s's already", z.br,
				    zs->z[i].name);
	if (zs->nz == ZONES_MAX)
		return fail(s, "more than %d zones", ZONES_MAX);
	zs->z[zs->nz++] = z;
	return 0;
}

static struct zone_rule *new_rule(struct zones *zs, struct stmt *s,
				  enum zone_rule_kind kind)
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
		fail(s,
		     "more than %d CreateApp, TuneZone, MapAddress and AllowZone "
		     "statements",
		     ZONES_RULES);
		return NULL;
	}
	r = &zs->r[zs->nr];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->kind = kind;
	return r;
}

/* ZONE=name, or none when none_ok; the index or -1 (none), -2 on error. */
static int zone_arg(struct zones *zs, struct stmt *s, const char *key,
		    int none_ok)
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
	static const char *const keys[] = { "NAME", "ZONE", "EXT", "INT",
					    NULL };
	struct zone_rule *r;
	const char *ext, *in;
	char host[64], *colon;
	unsigned long p;

	if (known(s, keys) < 0 || !(r = new_rule(zs, s, ZONE_APP)))
		return -1;
	if ((r->zone = zone_arg(zs, s, "ZONE", 1)) == -2 ||
	    !(ext = need(s, "EXT")) || !(in = need(s, "INT")) ||
	    proto_port(s, "EXT", ext, &r->proto, &r->port) < 0)
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
				return fail(
					s,
					"INT='%s': the port is not 1 to 65535",
					in);
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
	static const char *const keys[] = { "NAME",   "ZONE", "DIR",
					    "ACTION", "PORT", NULL };
	const char *dir, *action, *port;
	struct zone_rule *r;

	if (known(s, keys) < 0 || !(r = new_rule(zs, s, ZONE_TUNE)))
		return -1;
	if ((r->zone = zone_arg(zs, s, "ZONE", 0)) < 0 ||
	    !(dir = need(s, "DIR")) || !(action = need(s, "ACTION")) ||
	    !(port = need(s, "PORT")) ||
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
		return fail(s, "ACTION='%s': expected ACCEPT, DROP or REJECT",
			    action);
	zs->nr++;
	return 0;
}

static int map_address(struct zones *zs, struct stmt *s)
{
	static const char *const keys[] = { "NAME", "ZONE", "EXT", "INT",
					    NULL };
	struct zone_rule *r;
	const char *ext, *in;

	if (known(s, keys) < 0 || !(r = new_rule(zs, s, ZONE_MAP)))
		return -1;
	if ((r->zone = zone_arg(zs, s, "ZONE", 0)) < 0 ||
	    !(ext = need(s, "EXT")) || !(in = need(s, "INT")) ||
	    ipv4(s, "EXT", ext, &r->ext) < 0 || ipv4(s, "INT", in, &r->to) < 0)
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
	if (!(r = new_rule(zs, s, ZONE_ALLOW)))
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
		for (end = start; isalnum((unsigned char)*end) || *end == '_';
		     end++)
			;
		if (end == start || (braced && *end != '}'))
			return fail(s, "bad variable reference in '%s'", in);
		for (i = 0; i < zs->nvars; i++)
			if (!strncmp(zs->vars[i], start,
				     (size_t)(end - start)) &&
			    zs->vars[i][end - start] == '=')
				break;
		if (i == zs->nvars)
			return fail(s, "$%.*s is not set", (int)(end - start),
				    start);
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
static int value(struct zones *zs, struct stmt *s, const char *key,
		 const char *raw, char *out, size_t len)
{
	size_t n = strlen(raw);
	char q = *raw, in[1024];

	if ((q == '"' || q == '\'') && n >= 2 && raw[n - 1] == q)
		snprintf(in, sizeof(in), "%.*s", (int)n - 2, raw + 1);
	else
		snprintf(in, sizeof(in), "%s", raw);
	if (strpbrk(in, "\"'`\\"))
		return fail(
			s,
			"%s='%s': a quote, '\\' or '`' inside a value (quote a "
			"whole value, as \"...\" or '...')",
			key, raw);
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
				return fail(
					s,
					"variable %s is set again (first on line %d)",
					tok, zs->var_line[i]);
		if (zs->nvars == ZONES_MAX)
			return fail(s, "more than %d variables", ZONES_MAX);
		if (value(zs, s, tok, eq + 1, expanded[0],
			  sizeof(expanded[0])) < 0)
			return -1;
		if (strlen(tok) + strlen(expanded[0]) + 2 > sizeof(zs->vars[0]))
			return fail(s, "variable %s: value too long", tok);
		strcat(strcat(strcpy(zs->vars[zs->nvars], tok), "="),
		       expanded[0]);
		zs->var_line[zs->nvars++] = s->line;
		return 0;
	}
	s->kw = tok;
	s->n = 0;
	if (!strcmp(tok, "if") || !strcmp(tok, "fi") || !strcmp(tok, "DoIt") ||
	    !strcmp(tok, "iptables"))
		return fail(
			s,
			"shell code is not run here: use AllowZone FROM= TO= "
			"or rules in the chains before-* and after-* of table " ZONES_TABLE);
	while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok)
			return fail(s, "'%s': expected KEY=VALUE", tok);
		if (s->n == MAX_ARGS - 1)
			return fail(s, "too many arguments");
		*eq = 0;
		if (value(zs, s, tok, eq + 1, expanded[s->n],
			  sizeof(expanded[0])) < 0)
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
			fail(&s, "line longer than %zu bytes",
			     sizeof(line) - 1);
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

int zones_add_bridge_spec(struct zones *zs, const char *spec, char *err,
			  size_t len)
{
	char copy[128], *br, *addr, *mask, text[600];
	struct zones one;

	/* Checked before it goes into a statement: no space or '#' of it
	 * makes more arguments, a comment, a variable. */
	snprintf(copy, sizeof(copy), "%s", spec);
	br = copy;
	if (strlen(spec) >= sizeof(copy) ||
	    spec[strspn(spec, IFNAME_CHARS ":")] || !(addr = strchr(br, ':')) ||
	    !(mask = strchr(addr + 1, ':'))) {
		snprintf(err, len, "'%s': expected BRIDGE:ADDRESS:NETMASK",
			 spec);
		errno = EINVAL;
		return -1;
	}
	*addr++ = 0;
	*mask++ = 0;
	snprintf(text, sizeof(text),
		 "CreateZone NAME=%s NIC=none EXT=none BR=%s "
		 "INT=%s MASK=%s\n",
		 br, br, addr, mask);
	/* Parsed alone, then checked against the zones already there. */
	if (zones_parse_text(spec, text, &one, err, len) < 0)
		return -1;
	for (int i = 0; i < zs->nz; i++)
		if (!strcmp(zs->z[i].br, one.z[0].br)) {
			snprintf(err, len, "'%s': bridge %s is given twice",
				 spec, br);
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
void zones_network(const struct zone *z, struct args_addr *net,
		   struct args_addr *mask)
{
	*mask = (struct args_addr){ .family = AF_INET, .prefix = 32 };
	for (int b = 0; b < z->in.prefix; b++)
		mask->a[b / 8] |= (unsigned char)(0x80 >> (b % 8));
	args_addr_network(&z->in, net);
	net->prefix = 32;
}

/* Whether a is in z's network. */
int zones_in_network(const struct zone *z, const struct args_addr *a)
{
	struct args_addr net, mask;

	zones_network(z, &net, &mask);
	for (int b = 0; b < 4; b++)
		if ((a->a[b] & mask.a[b]) != net.a[b])
			return 0;
	return 1;
}
