/* --help and --version, which every binary answers the same way, before it
 * reads or changes anything. */
#ifndef XNS_ABOUT_H
#define XNS_ABOUT_H

#include <stdio.h>

/* What a binary says of itself. */
struct about {
	const char *prog;     /* its name, as in its man page */
	const char *synopsis; /* what follows the name on the usage line */
	const char *more;     /* lines for --help after the usage; NULL: none */
};

/* When an argument of argv (argv[0] aside, anywhere: never a command word
 * nor a NAME=VALUE) is --help, -h or --version, print the answer on out
 * (--help: the usage, more and the man page; --version: the version and the
 * firewall backends built in) and return the exit status: 0, or 1 when out
 * could not be written.  -1 when no argument asks.  Nothing else is read or
 * changed. */
int about_answer(const struct about *a, int argc, char **argv, FILE *out);

#endif
