/* fwtool: the firewall API of common/fw/fw.h from the command line, for the
 * end-to-end tests of what no binary drives yet (NAT, routed vifs).
 *
 *   fwtool allow DEV BACKEND bridged|routed [mac=MAC] [ip="ADDR..."]
 *   fwtool revoke DEV
 *   fwtool nat-set OWNER BACKEND [out=DEV] [from=CIDR]...
 *                  [fwd=tcp|udp:[EXT]:PORT:TO[:TOPORT][@INDEV]]...
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

/* tcp|udp:[EXT]:PORT:TO[:TOPORT][@INDEV] */
static void forward(char *s, struct fw_forward *f)
{
	char *at = strchr(s, '@'), *field[5];
	int n = 0;
	unsigned long v;

	memset(f, 0, sizeof(*f));
	if (at) {
		*at = 0;
		f->in_dev = at + 1;
	}
	for (char *p = s; n < 5 && p; n++) {
		field[n] = p;
		if ((p = strchr(p, ':')))
			*p++ = 0;
	}
	if (n < 4)
		usage("fwd=tcp|udp:[EXT]:PORT:TO[:TOPORT][@INDEV]");
	f->proto = !strcmp(field[0], "tcp") ? IPPROTO_TCP : IPPROTO_UDP;
	if (*field[1] && args_addr(field[1], &f->ext) < 0)
		usage("fwd: bad external address");
	if (args_uint(field[2], 1, 65535, &v) < 0)
		usage("fwd: bad port");
	f->port = (uint16_t)v;
	if (args_addr(field[3], &f->to) < 0 || f->to.family != AF_INET)
		usage("fwd: bad internal address");
	if (n == 5) {
		if (args_uint(field[4], 1, 65535, &v) < 0)
			usage("fwd: bad internal port");
		f->to_port = (uint16_t)v;
	}
}

int main(int argc, char **argv)
{
	struct args_addr addrs[MAX], from[MAX];
	struct fw_forward fwd[MAX];
	unsigned char mac[6];
	int ret;

	log_init("fwtool");
	if (argc < 3)
		usage("see the comment at the top of tests/harness/fwtool.c");
	if (!strcmp(argv[1], "allow") && argc >= 5) {
		struct fw_vif v = { .dev = argv[2], .naddrs = -1,
				    .routed = !strcmp(argv[4], "routed") };

		for (int i = 5; i < argc; i++) {
			if (!strncmp(argv[i], "mac=", 4) && args_mac(argv[i] + 4, mac) == 0)
				v.mac = mac;
			else if (!strncmp(argv[i], "ip=", 3) &&
				 (v.naddrs = args_addr_list(argv[i] + 3, addrs, MAX)) >= 0)
				v.addrs = addrs;
			else
				usage("allow: mac=MAC or ip=\"ADDR...\"");
		}
		ret = fw_vif_allow(backend(argv[3]), &v);
	} else if (!strcmp(argv[1], "revoke")) {
		ret = fw_vif_revoke(argv[2]);
	} else if (!strcmp(argv[1], "nat-set") && argc >= 4) {
		struct fw_nat nat = { .owner = argv[2], .from = from, .fwd = fwd };

		for (int i = 4; i < argc; i++) {
			if (!strncmp(argv[i], "out=", 4))
				nat.out_dev = argv[i] + 4;
			else if (!strncmp(argv[i], "from=", 5) && nat.nfrom < MAX &&
				 args_addr(argv[i] + 5, &from[nat.nfrom]) == 0)
				nat.nfrom++;
			else if (!strncmp(argv[i], "fwd=", 4) && nat.nfwd < MAX)
				forward(argv[i] + 4, &fwd[nat.nfwd++]);
			else
				usage("nat-set: out=DEV, from=CIDR or fwd=...");
		}
		ret = fw_nat_set(backend(argv[3]), &nat);
	} else if (!strcmp(argv[1], "nat-clear")) {
		ret = fw_nat_clear(argv[2]);
	} else {
		usage("unknown command");
	}
	if (ret < 0)
		fprintf(stderr, "fwtool %s %s: %s\n", argv[1], argv[2], strerror(errno));
	fw_close();
	return ret < 0 ? 1 : 0;
}
