/* The comment of a vif's element of nft set vifs, read back from the kernel
 * (fw_int.h fw_rules_elems_parse): what it takes is within max, and formats
 * to a line that parses to the same elements. */
#include "fuzz.h"
#include "fw_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_elem e[FW_ELEMS_MAX], back[FW_ELEMS_MAX];
	char line[1024], again[1024];
	int n, m;

	if (size >= sizeof(line))
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	n = fw_rules_elems_parse("vif7.0", line, e, FW_ELEMS_MAX);
	if (n < 0) {
		FUZZ_CHECK(errno == EINVAL || errno == E2BIG, "errno %d",
			   errno);
		return 0;
	}
	FUZZ_CHECK(n >= 1 && n <= FW_ELEMS_MAX, "%d elements", n);
	FUZZ_CHECK(fw_rules_elems_format("vif7.0", e, n, again,
					 sizeof(again)) == 0,
		   "format of '%s'", line);
	m = fw_rules_elems_parse("vif7.0", again, back, FW_ELEMS_MAX);
	FUZZ_CHECK(m == n, "'%s' gave %d elements, its format '%s' %d", line, n,
		   again, m);
	FUZZ_CHECK(!memcmp(e, back, (size_t)n * sizeof(*e)),
		   "'%s' and its format '%s' differ", line, again);
	return 0;
}
