/* xl's vlan key (common/kernel/vlan.h): what parses prints, and what it prints,
 * written back as a spec, parses to the same VLANs. */
#include "fuzz.h"
#include "vlan.h"

#define FORMAT_MAX (VLAN_MAX * 24) /* "4094 PVID untagged, " each */

/* vlan_format()'s "10 PVID untagged, 20-29, 40" as the spec "10pu/20-29/40". */
static void respec(const char *text, char *spec)
{
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, " ,");

		memcpy(spec, p, len);
		spec += len;
		p += len;
		if (!strncmp(p, " PVID", 5)) {
			*spec++ = 'p';
			p += 5;
		}
		if (!strncmp(p, " untagged", 9)) {
			*spec++ = 'u';
			p += 9;
		}
		if (!strncmp(p, ", ", 2)) {
			*spec++ = '/';
			p += 2;
		}
	}
	*spec = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *text, *spec;
	char err[256];
	struct vlan_spec v, again;

	err[0] = '\0';
	if (vlan_parse(s, &v, err, sizeof(err)) < 0) {
		FUZZ_CHECK(errno == EINVAL && err[0],
			   "'%s' refused without a reason", s);
		goto out;
	}
	text = FUZZ_RENDER(vlan_format, &v, FORMAT_MAX);
	FUZZ_CHECK(text, "'%s' does not print in %d bytes", s, FORMAT_MAX);
	FUZZ_CHECK(text[0], "'%s' prints as nothing", s);
	spec = fuzz_buf(strlen(text) + 1);
	respec(text, spec);
	FUZZ_CHECK(vlan_parse(spec, &again, err, sizeof(err)) == 0,
		   "'%s' prints as '%s', "
		   "which as '%s' is refused: %s",
		   s, text, spec, err);
	FUZZ_CHECK(!memcmp(&v, &again, sizeof(v)),
		   "'%s' prints as '%s', which as '%s' "
		   "is other VLANs",
		   s, text, spec);
	FUZZ_CHECK(vlan_is_member(&v, v.pvid) || !v.pvid,
		   "'%s': PVID %u not a member", s, v.pvid);
	free(spec);
	free(text);
out:
	free(s);
	return 0;
}
