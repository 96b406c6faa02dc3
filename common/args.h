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

/* The administrator's settings file, NAME=VALUE lines, '#' comments and
 * blank lines ignored.  $XEN_NETSCRIPTS_CONF overrides the path. */
#define ARGS_CONFIG "/etc/xen/xen-netscripts.conf"

/* Read the settings file; a missing file is no error.  -1 with errno and a
 * message naming the file and line in err for an unreadable or malformed
 * file. */
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

struct args_addr {
	int family;		/* AF_INET or AF_INET6 */
	int prefix;		/* 32 or 128 when no "/len" was given */
	unsigned char a[16];
};

/* Parse "a.b.c.d[/len]" or "v6addr[/len]"; -1 with errno EINVAL. */
int args_addr(const char *s, struct args_addr *out);

/* Parse a comma- (or space-) separated list of networks of family (AF_INET,
 * AF_INET6, or 0 for either) into at most max; returns how many, or -1 with
 * errno EINVAL or E2BIG. */
int args_addr_csv(const char *s, struct args_addr *out, int max, int family);
/* Print a as "addr" (a full-length prefix) or "addr/prefix"; -1 with errno
 * ENOSPC when buf is short. */
int args_addr_format(const struct args_addr *a, char *buf, size_t len);
/* Parse the space-separated `ip` key into at most max addresses; returns how
 * many, or -1 with errno EINVAL (bad address) or E2BIG (too many). */
int args_addr_list(const char *s, struct args_addr *out, int max);

#endif
