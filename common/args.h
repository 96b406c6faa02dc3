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

/* 0 when s is a valid Linux interface name (1..15 bytes, no '/', ':' or
 * white space, not "." or ".."), else -1 with errno EINVAL. */
int args_ifname(const char *s);

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

/* Parse the space-separated `ip` key into at most max addresses; returns how
 * many, or -1 with errno EINVAL (bad address) or E2BIG (too many). */
int args_addr_list(const char *s, struct args_addr *out, int max);

#endif
