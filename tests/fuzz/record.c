/* A vif's record (xen-netscripts/guard.h guard_expect_parse, after
 * state_parse): what it takes is within the declared limits, names are
 * interface names, and a refusal says which line. */
#include "fuzz.h"
#include "guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state st = { 0 };
	struct guard_expect e;
	char err[160];
	int line;

	if (state_parse(&st, (const char *)data, size, &line) == 0) {
		err[0] = 0;
		if (guard_expect_parse(&st, &e, err, sizeof(err)) == 0) {
			FUZZ_CHECK(args_ifname(e.dev) == 0, "dev '%s'", e.dev);
			FUZZ_CHECK(!e.bridge[0] || args_ifname(e.bridge) == 0,
				   "bridge '%s'", e.bridge);
			FUZZ_CHECK(e.naddrs >= -1 && e.naddrs <= VIF_MAX_ADDRS,
				   "%d addresses", e.naddrs);
			FUZZ_CHECK(e.nroutes <= VIF_MAX_ADDRS &&
					   e.nndp <= VIF_MAX_ADDRS &&
					   e.nargs <= 8,
				   "%d routes %d ndp %d args", e.nroutes,
				   e.nndp, e.nargs);
		} else {
			FUZZ_CHECK(errno == EINVAL && err[0], "no message");
		}
	}
	state_clear(&st);
	return 0;
}
