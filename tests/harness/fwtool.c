/* fwtool: the firewall API of common/fw/fw.h from the command line, for
 * tests/e2e/fw-nat.sh and fw-check.sh, which drive it directly: any backend
 * per call, owners and devices no script makes, switches between backends.
 *
 *   fwtool allow DEV[,DEV...] BACKEND bridged|routed [mac=MAC]
 *                [ip="ADDR..."] [trunk] [repair]
 *   fwtool revoke DEV
 *   fwtool nat-set OWNER BACKEND [out=DEV] [from=CIDR]...
 *   fwtool nat-clear OWNER
 *   fwtool check DEV[,DEV...] BACKEND bridged|routed [mac=MAC]
 *                [ip="ADDR..."] [trunk] [passes=N]
 *   fwtool nat-check OWNER BACKEND [out=DEV] [from=CIDR]...
 *   fwtool table-check FAMILY NAME
 *
 * The checks print one line per object: "1", or "0 WHY" when it is not in
 * place.  check runs one pass over its devices (all read from one dump);
 * with passes=N it runs N passes, each after fw_check_reset(), and prints
 * the fastest one's cost per device on stderr.
 *
 * Exit 0 on success, 1 when the API fails, 2 on misuse. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "fw.h"
#include "log.h"

#define MAX 16
#define DEVS_MAX 4096

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

/* A vif from "bridged|routed [mac=MAC] [ip=...] [trunk]"; passes= too
 * when passes is given. */
static void vif_args(struct fw_vif *v, int argc, char **argv,
		     struct args_addr *addrs, unsigned char *mac,
		     unsigned long *passes)
{
	v->naddrs = -1;
	v->routed = !strcmp(argv[0], "routed");
	if (!v->routed && strcmp(argv[0], "bridged"))
		usage("bridged or routed");
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "mac=", 4) &&
		    args_mac(argv[i] + 4, mac) == 0)
			v->mac = mac;
		else if (!strncmp(argv[i], "ip=", 3) &&
			 (v->naddrs =
				  args_addr_list(argv[i] + 3, addrs, MAX)) >= 0)
			v->addrs = addrs;
		else if (!strcmp(argv[i], "trunk"))
			v->trunk = 1;
		else if (!strcmp(argv[i], "repair"))
			v->repair = 1;
		else if (passes && !strncmp(argv[i], "passes=", 7) &&
			 args_uint(argv[i] + 7, 1, 1000, passes) == 0)
			;
		else
			usage("mac=MAC, ip=\"ADDR...\", trunk, repair or "
			      "passes=N");
	}
}

static int devs(char *list, char **out)
{
	int n = 0;

	for (char *s = strtok(list, ","); s; s = strtok(NULL, ","))
		if (n < DEVS_MAX)
			out[n++] = s;
		else
			usage("too many devices");
	return n;
}

static void nat_args(struct fw_nat *nat, int argc, char **argv,
		     struct args_addr *from)
{
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4))
			nat->out_dev = argv[i] + 4;
		else if (!strncmp(argv[i], "from=", 5) && nat->nfrom < MAX &&
			 args_addr(argv[i] + 5, &from[nat->nfrom]) == 0)
			nat->nfrom++;
		else
			usage("out=DEV or from=CIDR");
	}
}

/* A check's answer, as the comment at the top says. */
static int print_check(int ret, const char *why)
{
	if (ret > 0)
		printf("1\n");
	else if (ret == 0)
		printf("0 %s\n", why);
	return ret < 0 ? -1 : 0;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* passes passes of fw_vif_check() over the n devices; the answers of the
 * last one printed. */
static int check(enum fw_backend b, struct fw_vif *v, char **dev, int n,
		 unsigned long passes)
{
	double best = 0, t;
	char why[256];
	int *res = calloc((size_t)n, sizeof(*res));

	if (!res)
		return -1;
	for (unsigned long p = 0; p < passes; p++) {
		fw_check_reset();
		t = now_us();
		for (int i = 0; i < n; i++) {
			v->dev = dev[i];
			res[i] = fw_vif_check(b, v, why, sizeof(why));
			if (res[i] < 0) {
				free(res);
				return -1;
			}
			if (p + 1 == passes)
				print_check(res[i], why);
		}
		t = now_us() - t;
		if (p == 0 || t < best)
			best = t;
	}
	if (passes > 1)
		fprintf(stderr,
			"fwtool check: %d vifs, best of %lu passes %.0f us, %.1f us per vif\n",
			n, passes, best, best / n);
	free(res);
	return 0;
}

int main(int argc, char **argv)
{
	struct args_addr addrs[MAX], from[MAX];
	static char *dev[DEVS_MAX];
	unsigned long passes = 1;
	unsigned char mac[6];
	char why[256];
	int ret = 0, n;

	log_init("fwtool");
	if (argc < 3)
		usage("see the comment at the top of tests/harness/fwtool.c");
	if (!strcmp(argv[1], "allow") && argc >= 5) {
		struct fw_vif v = { 0 };

		vif_args(&v, argc - 4, argv + 4, addrs, mac, NULL);
		n = devs(argv[2], dev);
		for (int i = 0; i < n && ret == 0; i++) {
			v.dev = dev[i];
			ret = fw_vif_allow(backend(argv[3]), &v);
		}
	} else if (!strcmp(argv[1], "revoke")) {
		ret = fw_vif_revoke(argv[2]);
	} else if (!strcmp(argv[1], "nat-set") && argc >= 4) {
		struct fw_nat nat = { .owner = argv[2], .from = from };

		nat_args(&nat, argc - 4, argv + 4, from);
		ret = fw_nat_set(backend(argv[3]), &nat);
	} else if (!strcmp(argv[1], "nat-clear")) {
		ret = fw_nat_clear(argv[2]);
	} else if (!strcmp(argv[1], "check") && argc >= 5) {
		struct fw_vif v = { 0 };

		vif_args(&v, argc - 4, argv + 4, addrs, mac, &passes);
		n = devs(argv[2], dev);
		ret = check(backend(argv[3]), &v, dev, n, passes);
	} else if (!strcmp(argv[1], "nat-check") && argc >= 4) {
		struct fw_nat nat = { .owner = argv[2], .from = from };

		nat_args(&nat, argc - 4, argv + 4, from);
		ret = print_check(
			fw_nat_check(backend(argv[3]), &nat, why, sizeof(why)),
			why);
	} else if (!strcmp(argv[1], "table-check") && argc == 4) {
		ret = print_check(
			fw_table_check(argv[2], argv[3], why, sizeof(why)),
			why);
	} else {
		usage("unknown command");
	}
	if (ret < 0)
		fprintf(stderr, "fwtool %s %s: %s\n", argv[1], argv[2],
			strerror(errno));
	fw_close();
	return ret < 0 ? 1 : 0;
}
