/* announcetool: common/kernel/announce.h from the command line, for
 * tests/e2e/announce.sh (no program sends announcements yet).
 *
 *   announcetool IFNAME TIMES INTERVAL_MS ADDR...
 *
 * Sends a gratuitous ARP for each IPv4 ADDR and an unsolicited neighbour
 * advertisement for each IPv6 ADDR out of IFNAME, from its MAC, TIMES rounds
 * INTERVAL_MS apart.  Exit 0 on success, 1 when sending fails, 2 on misuse. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "args.h"

#define MAX 16

static void usage(const char *why)
{
	fprintf(stderr, "announcetool: %s\n", why);
	exit(2);
}

int main(int argc, char **argv)
{
	struct args_addr a[MAX];
	unsigned long times, interval;
	int n = argc - 4;

	if (argc < 5 || n > MAX)
		usage("IFNAME TIMES INTERVAL_MS ADDR... (at most 16)");
	if (args_uint(argv[2], 0, 100, &times) < 0)
		usage("TIMES: 0 to 100");
	if (args_uint(argv[3], 0, 10000, &interval) < 0)
		usage("INTERVAL_MS: 0 to 10000");
	for (int i = 0; i < n; i++)
		if (args_addr(argv[i + 4], &a[i]) < 0)
			usage("ADDR: an IPv4 or IPv6 address");
	if (announce_send(argv[1], a, n, (int)times, (int)interval) < 0) {
		fprintf(stderr, "announcetool: announce on '%s': %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	return 0;
}
