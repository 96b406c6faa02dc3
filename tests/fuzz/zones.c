/* network-zones' configuration (common/zones.h), as network-zones reads it:
 * the input up to its first NUL is the configuration file, each further
 * NUL-separated word a BR:ADDRESS:NETMASK argument.  What parses is rendered,
 * plan and ruleset, at the size network-zones gives them. */
#include "fuzz.h"
#include "zones.h"

#define PLAN_MAX (256 * 1024)	/* network-zones/main.c */

static struct zones zs;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *words[ZONES_MAX + 2], *copy, *text;
	char err[512];
	int n = fuzz_words(data, size, words, ZONES_MAX + 2, &copy);

	err[0] = '\0';
	if (zones_parse_text("fuzz.conf", words[0], &zs, err, sizeof(err)) < 0) {
		FUZZ_CHECK(errno == EINVAL && err[0], "no EINVAL and message: '%s'", err);
		goto out;
	}
	for (int i = 1; i < n; i++) {
		int nz = zs.nz;

		err[0] = '\0';
		if (zones_add_bridge_spec(&zs, words[i], err, sizeof(err)) < 0) {
			FUZZ_CHECK(err[0] && zs.nz == nz, "refused '%s' without a message "
				   "or with a change", words[i]);
			goto out;
		}
		FUZZ_CHECK(zs.nz == nz + 1, "'%s' accepted but no zone added", words[i]);
	}
	free(FUZZ_RENDER(zones_render_plan, &zs, PLAN_MAX));
	text = FUZZ_RENDER(zones_render_nft, &zs, PLAN_MAX);
	FUZZ_CHECK(text, "%d zones, %d rules: the ruleset does not fit in %d bytes",
		   zs.nz, zs.nr, PLAN_MAX);
	free(text);
out:
	free(copy);
	return 0;
}
