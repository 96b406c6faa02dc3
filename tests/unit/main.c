/* The unit tests: every module's suite in one run, so that Check prints one
 * summary line ("N%: Checks: N, Failures: N, Errors: N"). */
#include <stddef.h>
#include <stdlib.h>

#include "unit.h"

static Suite *(*const suites[])(void) = {
	args_suite,	text_suite,  vlan_suite,     xstore_suite,
	sysctl_suite,	hooks_suite, lock_suite,     fw_suite,
	fw_rules_suite, nat_suite,   dhcp_suite,     state_suite,
	zones_suite,	guard_suite, announce_suite, about_suite,
};

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
