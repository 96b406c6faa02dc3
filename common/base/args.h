/* The command line and environment of a hotplug script, and the validators
 * every value from outside goes through before it is used. */
#ifndef XNS_ARGS_H
#define XNS_ARGS_H

#include <stddef.h>

/* Split argv as the shell scripts did, without eval: the command is the first
 * argument holding no '='; NAME=VALUE (the '=' not first) sets NAME.  Returns
 * -1 with a message in err for a malformed NAME, an argument starting with
 * '=', or a second command word. */
int args_init(int argc, char **argv, char *err, size_t errlen);

/* The command word, or NULL when there was none. */
const char *args_command(void);

/* NAME from the last NAME=VALUE argument, else from the environment; NULL
 * when unset or empty (the shell scripts treat both alike). */
const char *args_get(const char *name);

/* -1 with errno EINVAL and a message in err when a NAME=VALUE argument (not
 * the environment, which libxl and xend fill with more) names no one of
 * known, "a|b|c", or has an empty VALUE; the message lists known. */
int args_known(const char *known, char *err, size_t errlen);
/* Whether the len bytes at word are one of the names of list, "a|b|c". */
int args_one_of(const char *word, size_t len, const char *list);

/* The administrator's settings file, NAME=VALUE lines, '#' comments and
 * blank lines ignored.  $XEN_NETSCRIPTS_CONF overrides the path. */
#define ARGS_CONFIG "/etc/xen/xen-netscripts.conf"

/* Read the settings file; a missing file is no error.  -1 with errno and a
 * message naming the file and line in err for an unreadable or malformed
 * file: a NUL byte, a line longer than 510 bytes, more than 32 settings. */
int args_load_config(char *err, size_t errlen);
/* Forget the settings file (at exit). */
void args_free_config(void);
/* A setting: NAME from the arguments or the environment (args_get()), else
 * from the settings file; NULL when unset or empty. */
const char *args_setting(const char *name);
/* args_setting(), or def when unset. */
const char *args_setting_or(const char *name, const char *def);
/* A yes/no setting: 1 for yes/on/1/true, 0 for no/off/0/false, def when
 * unset; -1 with errno EINVAL for anything else. */
int args_bool(const char *name, int def);
/* The same for a value: 1, 0, or -1 with errno EINVAL. */
int args_parse_bool(const char *v);

/* 0 when s is a valid Linux interface name (1..15 bytes, no '/', ':' or
 * white space, not "." or ".."), else -1 with errno EINVAL. */
int args_ifname(const char *s);

/* 0 when s may be given to a link by a rename: args_ifname(), and not a
 * name the kernel treats specially or refuses ('%' is a template the kernel
 * fills in itself; "all" and "default" name its sysctl directories) nor one
 * that tools misread (a leading '-').  Else -1 with errno EINVAL and *why
 * saying what is wrong, to follow "invalid NAME 'VALUE': ". */
int args_new_ifname(const char *s, const char **why);

/* Parse a decimal number in [min, max]; -1 with errno EINVAL or ERANGE. */
int args_uint(const char *s, unsigned long min, unsigned long max,
	      unsigned long *out);

/* Parse a unicast MAC "xx:xx:xx:xx:xx:xx"; -1 with errno EINVAL. */
int args_mac(const char *s, unsigned char mac[6]);
/* The room args_mac_format() needs, the NUL included. */
#define ARGS_MAC_LEN 18
/* Print mac as args_mac() reads it, "xx:xx:xx:xx:xx:xx" (lower case); -1
 * with errno ENOSPC when buf is short. */
int args_mac_format(const unsigned char mac[6], char *buf, size_t len);

struct args_addr {
	int family; /* AF_INET or AF_INET6 */
	int prefix; /* 32 or 128 when no "/len" was given */
	unsigned char a[16];
};

/* Parse "a.b.c.d[/len]" or "v6addr[/len]"; -1 with errno EINVAL. */
int args_addr(const char *s, struct args_addr *out);

/* Parse a comma- (or space-) separated list of networks of family (AF_INET,
 * AF_INET6, or 0 for either) into at most max; returns how many, or -1 with
 * errno EINVAL or E2BIG. */
int args_addr_csv(const char *s, struct args_addr *out, int max, int family);
/* Print a as "addr" (a full-length prefix) or "addr/prefix"; -1 with errno
 * ENOSPC when buf is short, EAFNOSUPPORT for a family that is neither. */
int args_addr_format(const struct args_addr *a, char *buf, size_t len);
/* The room args_addr_format() needs: INET6_ADDRSTRLEN and "/128". */
#define ARGS_ADDR_LEN 50
/* args_addr_format() into a buffer held by the calling expression, for a
 * message or a rule: args_addr_text(a).s is valid until the end of the full
 * expression that holds the call (C11 temporary lifetime), so several may
 * go to one printf.  "?" for a family that is neither.  Pure. */
struct args_addr_text {
	char s[ARGS_ADDR_LEN];
};
struct args_addr_text args_addr_text(const struct args_addr *a);
/* net: a with the bits after its prefix cleared (the network a is in, of
 * the same prefix); net and a are distinct.  1 when that changed something
 * (a has host bits set), else 0.  Pure. */
int args_addr_network(const struct args_addr *a, struct args_addr *net);
/* Parse the space-separated `ip` key into at most max addresses; returns how
 * many, or -1 with errno EINVAL (bad address) or E2BIG (too many). */
int args_addr_list(const char *s, struct args_addr *out, int max);
/* args_addr_list(), and on failure what is wrong ("'x' is not an address",
 * "more than 64 addresses") in err. */
int args_addr_list_err(const char *s, struct args_addr *out, int max, char *err,
		       size_t errlen);

/* 1 when network net holds a: same family, a's prefix at least net's, and
 * their first net->prefix bits equal; else 0.  Pure. */
int args_addr_holds(const struct args_addr *net, const struct args_addr *a);

/* The blocks no guest's address may come from, by args_addr_class(). */
enum args_addr_class {
	ARGS_ADDR_UNICAST,     /* in none of the blocks below */
	ARGS_ADDR_UNSPECIFIED, /* 0.0.0.0/8 ("this network"), :: */
	ARGS_ADDR_LOOPBACK,    /* 127.0.0.0/8, ::1 */
	ARGS_ADDR_MULTICAST,   /* 224.0.0.0/4, ff00::/8 */
	ARGS_ADDR_BROADCAST,   /* 255.255.255.255 */
	ARGS_ADDR_LINK_LOCAL,  /* 169.254.0.0/16, fe80::/10 */
	ARGS_ADDR_MAPPED,      /* ::ffff:0:0/96, IPv4-mapped */
};
/* The first of those blocks that network a overlaps (holds or lies in), or
 * ARGS_ADDR_UNICAST.  Pure. */
enum args_addr_class args_addr_class(const struct args_addr *a);

/* Which addresses a guest may be given. */
struct args_addr_policy {
	int prefix4, prefix6; /* the shortest prefix allowed, >= 1 */
	int link_local;	      /* link-local addresses allowed */
	int network;	      /* a prefix must be a network: no host bits */
};
/* What a bridged guest may send from: any prefix but /0, link-local
 * addresses, host bits (192.0.2.5/24: the guest's address and netmask). */
#define ARGS_POLICY_SOURCE ((struct args_addr_policy){ 1, 1, 1, 0 })
/* 0 when policy p allows a guest address a; else -1 with errno EINVAL and
 * what is wrong with a in err ("a multicast address (224.0.0.0/4)").  A /0
 * and the blocks of args_addr_class() (link-local ones unless p allows
 * them) are never allowed.  Pure. */
int args_addr_allowed(const struct args_addr *a,
		      const struct args_addr_policy *p, char *err,
		      size_t errlen);

#endif
