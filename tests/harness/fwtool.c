/* fwtool: the firewall API of common/fw/fw.h from the command line, for
 * tests/e2e/fw-nat.sh, which drives it directly: any backend per call,
 * owners and devices no script makes, switches between backends.
 *
 *   fwtool allow DEV BACKEND bridged|routed [mac=MAC] [ip="ADDR..."]
 *   fwtool revoke DEV
 *   fwtool nat-set OWNER BACKEND [out=DEV] [from=CIDR]...
 *   fwtool nat-clear OWNER
 *
 * Exit 0 on success, 1 when the API fails, 2 on misuse. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "fw.h"
#include "log.h"

#define MAX 16

static void usage(const char *why)
{
	fprintf(stderr, "fwtool: %s\n", why);
	exit(2);
}

static enum fw_backend backend(const char *s)
{
	enum fw_backend b;

	if (fw_choose(s, &b) < 0)
		usage("backend: nft, iptables, none or auto");
	return b;
}

int main(int argc, char **argv)
{
	struct args_addr addrs[MAX], from[MAX];
	unsigned char mac[6];
	int ret;

	log_init("fwtool");
	if (argc < 3)
		usage("see the comment at the top of tests/harness/fwtool.c");
	if (!strcmp(argv[1], "allow") && argc >= 5) {
		struct fw_vif v = { .dev = argv[2],
				    .naddrs = -1,
				    .routed = !strcmp(argv[4], "routed") };

		for (int i = 5; i < argc; i++) {
			if (!strncmp(argv[i], "mac=", 4) &&
			    args_mac(argv[i] + 4, mac) == 0)
				v.mac = mac;
			else if (!strncmp(argv[i], "ip=", 3) &&
				 (v.naddrs = args_addr_list(argv[i] + 3, addrs,
							    MAX)) >= 0)
				v.addrs = addrs;
			else
				usage("allow: mac=MAC or ip=\"ADDR...\"");
		}
		ret = fw_vif_allow(backend(argv[3]), &v);
	} else if (!strcmp(argv[1], "revoke")) {
		ret = fw_vif_revoke(argv[2]);
	} else if (!strcmp(argv[1], "nat-set") && argc >= 4) {
		struct fw_nat nat = { .owner = argv[2], .from = from };

		for (int i = 4; i < argc; i++) {
			if (!strncmp(argv[i], "out=", 4))
				nat.out_dev = argv[i] + 4;
			else if (!strncmp(argv[i], "from=", 5) &&
				 nat.nfrom < MAX &&
				 args_addr(argv[i] + 5, &from[nat.nfrom]) == 0)
				nat.nfrom++;
			else
				usage("nat-set: out=DEV or from=CIDR");
		}
		ret = fw_nat_set(backend(argv[3]), &nat);
	} else if (!strcmp(argv[1], "nat-clear")) {
		ret = fw_nat_clear(argv[2]);
	} else {
		usage("unknown command");
	}
	if (ret < 0)
		fprintf(stderr, "fwtool %s %s: %s\n", argv[1], argv[2],
			strerror(errno));
	fw_close();
	return ret < 0 ? 1 : 0;
}
