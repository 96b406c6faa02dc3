#define _GNU_SOURCE
#include "args.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

#define MAX_VARS 64

static const char *command;
static const char *vars[MAX_VARS];
static int nvars;

static int valid_name(const char *s, size_t len)
{
	if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

int args_init(int argc, char **argv, char *err, size_t errlen)
{
	command = NULL;
	nvars = 0;
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (!eq) {
			if (command) {
				snprintf(
					err, errlen,
					"unexpected argument '%s' after command '%s'",
					argv[i], command);
				return -1;
			}
			command = argv[i];
			continue;
		}
		if (!valid_name(argv[i], (size_t)(eq - argv[i]))) {
			snprintf(err, errlen,
				 "malformed argument '%s': expected NAME=VALUE",
				 argv[i]);
			return -1;
		}
		if (nvars == MAX_VARS) {
			snprintf(err, errlen, "too many NAME=VALUE arguments");
			return -1;
		}
		vars[nvars++] = argv[i];
	}
	return 0;
}

const char *args_command(void)
{
	return command;
}

const char *args_get(const char *name)
{
	size_t len = strlen(name);
	const char *v;

	for (int i = nvars - 1; i >= 0; i--)
		if (strncmp(vars[i], name, len) == 0 && vars[i][len] == '=')
			return vars[i][len + 1] ? vars[i] + len + 1 : NULL;
	v = getenv(name);
	return v && *v ? v : NULL;
}

/* Whether the len bytes at word are one of the names of "a|b|c". */
int args_one_of(const char *word, size_t len, const char *list)
{
	for (const char *p = list; p;
	     p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL)
		if (!strncmp(p, word, len) && (p[len] == '|' || !p[len]))
			return 1;
	return 0;
}

int args_known(const char *known, char *err, size_t errlen)
{
	for (int i = 0; i < nvars; i++) {
		size_t len = strcspn(vars[i], "=");
		struct text t = TEXT_INIT(err, errlen);

		if (!vars[i][len + 1]) {
			snprintf(err, errlen,
				 "empty argument '%.*s=': give a value or "
				 "leave it out",
				 (int)len, vars[i]);
			errno = EINVAL;
			return -1;
		}
		if (args_one_of(vars[i], len, known))
			continue;
		text_put(&t, "unknown argument '%.*s': known are ", (int)len,
			 vars[i]);
		for (const char *p = known; *p;
		     p += strcspn(p, "|"), p += *p == '|')
			text_put(&t, "%s%.*s", p == known ? "" : ", ",
				 (int)strcspn(p, "|"), p);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

#define MAX_SETTINGS 32
#define MAX_LINE 510 /* bytes of a settings line, its newline not counted */

static char *settings[MAX_SETTINGS]; /* "NAME=VALUE", from the file */
static int nsettings;

void args_free_config(void)
{
	for (int i = 0; i < nsettings; i++)
		free(settings[i]);
	nsettings = 0;
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = 0;
	return s;
}

int args_load_config(char *err, size_t errlen)
{
	const char *path = getenv("XEN_NETSCRIPTS_CONF");
	char *text, *s, *next, *eq, *name, *value;
	int lineno, e;
	size_t len;

	args_free_config();
	if (!path || !*path)
		path = ARGS_CONFIG;
	if (!(text = text_read(path, TEXT_MAX, &len))) {
		if (errno == ENOENT)
			return 0;
		e = errno;
		snprintf(err, errlen, "read %s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if ((lineno = text_nul_line(text, len))) {
		snprintf(err, errlen, "%s:%d: a NUL byte", path, lineno);
		goto bad;
	}
	for (s = text; *s; s = next) {
		len = strcspn(s, "\n");
		next = s + len + (s[len] == '\n');
		s[len] = 0;
		lineno++;
		if (len > MAX_LINE) {
			snprintf(err, errlen,
				 "%s:%d: line longer than %d bytes", path,
				 lineno, MAX_LINE);
			goto bad;
		}
		s = trim(s);
		if (!*s || *s == '#')
			continue;
		if (!(eq = strchr(s, '='))) {
			snprintf(err, errlen,
				 "%s:%d: expected NAME=VALUE, not '%.64s'",
				 path, lineno, s);
			goto bad;
		}
		*eq = 0;
		name = trim(s);
		value = trim(eq + 1);
		if (!valid_name(name, strlen(name))) {
			snprintf(err, errlen,
				 "%s:%d: invalid setting name '%.64s'", path,
				 lineno, name);
			goto bad;
		}
		if (nsettings == MAX_SETTINGS) {
			snprintf(err, errlen, "%s:%d: more than %d settings",
				 path, lineno, MAX_SETTINGS);
			goto bad;
		}
		if (!(settings[nsettings] =
			      malloc(strlen(name) + strlen(value) + 2))) {
			snprintf(err, errlen, "%s:%d: out of memory", path,
				 lineno);
			goto bad;
		}
		sprintf(settings[nsettings++], "%s=%s", name, value);
	}
	free(text);
	return 0;
bad:
	free(text);
	args_free_config();
	errno = EINVAL;
	return -1;
}

const char *args_setting(const char *name)
{
	const char *v = args_get(name);
	size_t len = strlen(name);

	if (v)
		return v;
	for (int i = nsettings - 1; i >= 0; i--)
		if (strncmp(settings[i], name, len) == 0 &&
		    settings[i][len] == '=')
			return settings[i][len + 1] ? settings[i] + len + 1
						    : NULL;
	return NULL;
}

const char *args_setting_or(const char *name, const char *def)
{
	const char *v = args_setting(name);

	return v ? v : def;
}

int args_bool(const char *name, int def)
{
	const char *v = args_setting(name);

	return v ? args_parse_bool(v) : def;
}

int args_parse_bool(const char *v)
{
	static const char *const yes[] = { "yes", "on", "1", "true" };
	static const char *const no[] = { "no", "off", "0", "false" };

	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	errno = EINVAL;
	return -1;
}

/* What is wrong with s as an interface name, or NULL when nothing is. */
static const char *ifname_fault(const char *s)
{
	size_t len = strlen(s);

	if (len == 0)
		return "empty";
	if (len >= IFNAMSIZ)
		return "longer than 15 characters";
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return "'.' and '..' are not interface names";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/' || c == ':')
			return c == '/' ? "contains '/'" : "contains ':'";
		if (isspace(c))
			return "contains white space";
		if (!isprint(c))
			return iscntrl(c)
				       ? "contains a control character"
				       : "contains a character that is not ASCII";
	}
	return NULL;
}

int args_ifname(const char *s)
{
	if (!ifname_fault(s))
		return 0;
	errno = EINVAL;
	return -1;
}

int args_new_ifname(const char *s, const char **why)
{
	*why = ifname_fault(s);
	if (!*why && strchr(s, '%'))
		*why = "contains '%', which the kernel replaces with a number of its choice";
	else if (!*why && (strcmp(s, "all") == 0 || strcmp(s, "default") == 0))
		*why = "'all' and 'default' are reserved by the kernel";
	else if (!*why && s[0] == '-')
		*why = "starts with '-', which ip and other tools take for an option";
	if (!*why)
		return 0;
	errno = EINVAL;
	return -1;
}

int args_uint(const char *s, unsigned long min, unsigned long max,
	      unsigned long *out)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 10) {
		errno = *s ? ERANGE : EINVAL;
		return -1;
	}
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p)) {
			errno = EINVAL;
			return -1;
		}
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int args_mac(const char *s, unsigned char mac[6])
{
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;

		if (!isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]) ||
		    p[2] != (i == 5 ? '\0' : ':'))
			goto bad;
		mac[i] = (unsigned char)strtoul((char[3]){ p[0], p[1], 0 },
						NULL, 16);
	}
	/* A guest's MAC is unicast and not all zeroes. */
	if ((mac[0] & 1) ||
	    !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int args_addr(const char *s, struct args_addr *out)
{
	char buf[INET6_ADDRSTRLEN + 5];
	char *slash;
	unsigned long prefix;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->a) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, out->a) == 1)
		out->family = AF_INET6;
	else
		goto bad;
	out->prefix = out->family == AF_INET ? 32 : 128;
	if (slash) {
		if (args_uint(slash, 0, (unsigned long)out->prefix, &prefix) <
		    0)
			goto bad;
		out->prefix = (int)prefix;
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int args_mac_format(const unsigned char mac[6], char *buf, size_t len)
{
	int n = snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
			 mac[1], mac[2], mac[3], mac[4], mac[5]);

	if (n < 0 || (size_t)n >= len) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

struct args_addr_text args_addr_text(const struct args_addr *a)
{
	struct args_addr_text t;

	if (args_addr_format(a, t.s, sizeof(t.s)) < 0)
		snprintf(t.s, sizeof(t.s), "?");
	return t;
}

int args_addr_network(const struct args_addr *a, struct args_addr *net)
{
	int full = a->family == AF_INET ? 32 : 128;

	*net = *a;
	for (int b = a->prefix; b < full; b++)
		net->a[b / 8] &= (unsigned char)~(0x80 >> (b % 8));
	return memcmp(net->a, a->a, sizeof(net->a)) != 0;
}

int args_addr_format(const struct args_addr *a, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(a->family, a->a, s, sizeof(s)))
		return -1;
	if (a->prefix == (a->family == AF_INET ? 32 : 128))
		n = snprintf(buf, len, "%s", s);
	else
		n = snprintf(buf, len, "%s/%d", s, a->prefix);
	if (n < 0 || (size_t)n >= len) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

/* Addresses separated by any of seps, each of family (0: either); what is
 * wrong into err (NULL: nowhere). */
static int addr_split(const char *s, const char *seps, struct args_addr *out,
		      int max, int family, char *err, size_t errlen)
{
	char word[INET6_ADDRSTRLEN + 5];
	int n = 0;

	while (*s) {
		size_t len;

		s += strspn(s, seps);
		if (!*s)
			break;
		len = strcspn(s, seps);
		if (n == max) {
			if (err)
				snprintf(err, errlen, "more than %d addresses",
					 max);
			errno = E2BIG;
			return -1;
		}
		if (len < sizeof(word)) {
			memcpy(word, s, len);
			word[len] = '\0';
		}
		if (len >= sizeof(word) || args_addr(word, &out[n]) < 0 ||
		    (family && out[n].family != family)) {
			if (err)
				snprintf(
					err, errlen,
					"'%.*s' is not an %saddress%s",
					len > 48 ? 48 : (int)len, s,
					family == AF_INET    ? "IPv4 "
					: family == AF_INET6 ? "IPv6 "
							     : "",
					family ? ""
					       : " (IPv4 or IPv6, with an optional /prefix)");
			errno = EINVAL;
			return -1;
		}
		n++;
		s += len;
	}
	return n;
}

int args_addr_list(const char *s, struct args_addr *out, int max)
{
	return addr_split(s, " \t", out, max, 0, NULL, 0);
}

int args_addr_list_err(const char *s, struct args_addr *out, int max, char *err,
		       size_t errlen)
{
	return addr_split(s, " \t", out, max, 0, err, errlen);
}

int args_addr_csv(const char *s, struct args_addr *out, int max, int family)
{
	int n = addr_split(s, ", ", out, max, family, NULL, 0);

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	return n;
}

int args_addr_holds(const struct args_addr *net, const struct args_addr *a)
{
	int full = net->prefix / 8, rest = net->prefix % 8;

	if (net->family != a->family || a->prefix < net->prefix)
		return 0;
	if (memcmp(net->a, a->a, (size_t)full) != 0)
		return 0;
	return !rest || !((net->a[full] ^ a->a[full]) & (0xff << (8 - rest)));
}

static const struct {
	enum args_addr_class class;
	const char *block, *the, *what;
} blocks[] = {
	{ ARGS_ADDR_UNSPECIFIED, "0.0.0.0/8", "an",
	  "unspecified (\"this network\")" },
	{ ARGS_ADDR_LOOPBACK, "127.0.0.0/8", "a", "loopback" },
	{ ARGS_ADDR_MULTICAST, "224.0.0.0/4", "a", "multicast" },
	{ ARGS_ADDR_BROADCAST, "255.255.255.255", "the", "broadcast" },
	{ ARGS_ADDR_LINK_LOCAL, "169.254.0.0/16", "a", "link-local" },
	{ ARGS_ADDR_UNSPECIFIED, "::", "the", "unspecified" },
	{ ARGS_ADDR_LOOPBACK, "::1", "the", "loopback" },
	{ ARGS_ADDR_MULTICAST, "ff00::/8", "a", "multicast" },
	{ ARGS_ADDR_LINK_LOCAL, "fe80::/10", "a", "link-local" },
	{ ARGS_ADDR_MAPPED, "::ffff:0:0/96", "an", "IPv4-mapped" },
};

/* The index in blocks[] of the first block a overlaps, link-local ones
 * skipped when link_local; or -1. */
static int block_of(const struct args_addr *a, int link_local)
{
	struct args_addr b;

	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if (!(link_local && blocks[i].class == ARGS_ADDR_LINK_LOCAL) &&
		    args_addr(blocks[i].block, &b) == 0 &&
		    (args_addr_holds(&b, a) || args_addr_holds(a, &b)))
			return (int)i;
	return -1;
}

enum args_addr_class args_addr_class(const struct args_addr *a)
{
	int i = block_of(a, 0);

	return i < 0 ? ARGS_ADDR_UNICAST : blocks[i].class;
}

int args_addr_allowed(const struct args_addr *a,
		      const struct args_addr_policy *p, char *err,
		      size_t errlen)
{
	int full = a->family == AF_INET ? 32 : 128;
	int shortest = a->family == AF_INET ? p->prefix4 : p->prefix6;
	struct args_addr net;
	int i;

	if (a->prefix == 0) {
		snprintf(err, errlen, "a /0 prefix covers every address");
		goto bad;
	}
	if (a->prefix < shortest) {
		snprintf(
			err, errlen,
			"a /%d network, shorter than /%d: a routed "
			"guest's addresses are single (/%d), unless %s= allows "
			"shorter prefixes",
			a->prefix, shortest, full,
			a->family == AF_INET ? "routed_prefix4"
					     : "routed_prefix6");
		goto bad;
	}
	if (p->network && args_addr_network(a, &net)) {
		snprintf(err, errlen,
			 "host bits set after the /%d: the network "
			 "is %s",
			 a->prefix, args_addr_text(&net).s);
		goto bad;
	}
	if ((i = block_of(a, p->link_local)) >= 0) {
		if (a->prefix == full)
			snprintf(err, errlen, "%s %s address (%s)",
				 blocks[i].the, blocks[i].what,
				 blocks[i].block);
		else
			snprintf(err, errlen, "overlaps %s, the %s addresses",
				 blocks[i].block, blocks[i].what);
		goto bad;
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
