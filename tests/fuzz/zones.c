/* network-zones' configuration (network-zones/zones.h), as network-zones reads
 * it: the input up to its first NUL is the configuration file, each further
 * NUL-separated word a BR:ADDRESS:NETMASK argument.  What parses is rendered,
 * plan and ruleset, at the size network-zones gives them. */
#include <arpa/inet.h>

#include "fuzz.h"
#include "zones.h"

#define PLAN_MAX (256 * 1024) /* network-zones/main.c */

static struct zones zs;

/* An accepted BR:ADDRESS:NETMASK word is that and nothing more: a zone named
 * after the bridge, no uplink, no DHCP, printing back as the word. */
static void check_word(const char *word, const struct zone *z)
{
	struct args_addr in = z->in;
	uint32_t mask = z->in.prefix ? ~0u << (32 - z->in.prefix) : 0;
	char a[64], m[INET_ADDRSTRLEN], *back = fuzz_buf(strlen(word) + 64);

	in.prefix = 32;
	mask = htonl(mask);
	FUZZ_CHECK(args_addr_format(&in, a, sizeof(a)) == 0 &&
			   inet_ntop(AF_INET, &mask, m, sizeof(m)),
		   "'%s': zone %s does not print", word, z->name);
	sprintf(back, "%s:%s:%s", z->br, a, m);
	FUZZ_CHECK(!strcmp(back, word) && !strcmp(z->name, z->br) &&
			   !z->nic[0] && !z->ext.family && !z->pool[0].family,
		   "'%s' accepted as zone %s: %s, NIC '%s', %s, %s", word,
		   z->name, back, z->nic, z->ext.family ? "EXT" : "no EXT",
		   z->pool[0].family ? "DHCP" : "no DHCP");
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *words[ZONES_MAX + 2], *copy, *text;
	char err[512];
	int n = fuzz_words(data, size, words, ZONES_MAX + 2, &copy);

	err[0] = '\0';
	if (zones_parse_text("fuzz.conf", words[0], &zs, err, sizeof(err)) <
	    0) {
		FUZZ_CHECK(errno == EINVAL && err[0],
			   "no EINVAL and message: '%s'", err);
		goto out;
	}
	for (int i = 1; i < n; i++) {
		int nz = zs.nz;

		err[0] = '\0';
		if (zones_add_bridge_spec(&zs, words[i], err, sizeof(err)) <
		    0) {
			FUZZ_CHECK(err[0] && zs.nz == nz,
				   "refused '%s' without a message "
				   "or with a change",
				   words[i]);
			goto out;
		}
		FUZZ_CHECK(zs.nz == nz + 1, "'%s' accepted but no zone added",
			   words[i]);
		check_word(words[i], &zs.z[nz]);
	}
	free(FUZZ_RENDER(zones_render_plan, &zs, PLAN_MAX));
	text = FUZZ_RENDER(zones_render_nft, &zs, PLAN_MAX);
	FUZZ_CHECK(text,
		   "%d zones, %d rules: the ruleset does not fit in %d bytes",
		   zs.nz, zs.nr, PLAN_MAX);
	free(text);
out:
	free(copy);
	return 0;
}
