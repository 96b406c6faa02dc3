#include "about.h"

#include <string.h>

#include "fw.h"

#ifndef XNS_VERSION
#define XNS_VERSION "0"
#endif
#define PACKAGE "xen-netscripts"

static void version(const struct about *a, FILE *out)
{
	if (strcmp(a->prog, PACKAGE))
		fprintf(out, "%s %s (%s)\n", a->prog, XNS_VERSION, PACKAGE);
	else
		fprintf(out, "%s %s\n", a->prog, XNS_VERSION);
	fprintf(out, "firewall backends: %s\n", fw_built_in());
}

static void help(const struct about *a, FILE *out)
{
	fprintf(out, "usage: %s %s\n       %s --help | --version\n", a->prog,
		a->synopsis, a->prog);
	if (a->more)
		fputs(a->more, out);
	fprintf(out, "See %s(8).\n", a->prog);
}

int about_answer(const struct about *a, int argc, char **argv, FILE *out)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--version"))
			version(a, out);
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			help(a, out);
		else
			continue;
		return fflush(out) == 0 && !ferror(out) ? 0 : 1;
	}
	return -1;
}
