/* Addresses (common/base/args.h): one address, the ip key's space-separated
 * list and the comma-separated subnet lists of each family.  Whatever parses
 * prints, and what it prints parses back to the same address. */
#include <netinet/in.h>
#include <sys/socket.h>

#include "args.h"
#include "fuzz.h"

#define LIST_MAX 8

static void round_trip(const char *s, const struct args_addr *a)
{
	struct args_addr back;
	char *text = FUZZ_RENDER(args_addr_format, a, 64);

	FUZZ_CHECK(text, "an address of '%s' does not print in 64 bytes", s);
	FUZZ_CHECK(
		args_addr(text, &back) == 0 && !memcmp(&back, a, sizeof(back)),
		"an address of '%s' prints as '%s', which is another", s, text);
	FUZZ_CHECK(
		(a->family == AF_INET && a->prefix >= 0 && a->prefix <= 32) ||
			(a->family == AF_INET6 && a->prefix >= 0 &&
			 a->prefix <= 128),
		"'%s': family %d, prefix %d", s, a->family, a->prefix);
	free(text);
}

/* A list parser's result: n within max, each address of family (0: either),
 * each printing back to itself. */
static void list(const char *s, int n, const struct args_addr *a, int max,
		 int family)
{
	if (n < 0) {
		FUZZ_CHECK(errno == EINVAL || errno == E2BIG, "'%s': errno %d",
			   s, errno);
		return;
	}
	FUZZ_CHECK(n <= max, "'%s': %d addresses in %d", s, n, max);
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(!family || a[i].family == family,
			   "'%s': family %d, not %d", s, a[i].family, family);
		round_trip(s, &a[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int families[] = { 0, AF_INET, AF_INET6 };
	char *s = fuzz_str(data, size);
	/* Exactly LIST_MAX, so that a parser writing one more is caught. */
	struct args_addr one, *a = malloc(LIST_MAX * sizeof(*a));

	if (!a)
		abort();
	if (args_addr(s, &one) == 0)
		round_trip(s, &one);
	else
		FUZZ_CHECK(errno == EINVAL, "'%s': errno %d", s, errno);
	list(s, args_addr_list(s, a, LIST_MAX), a, LIST_MAX, 0);
	for (int f = 0; f < 3; f++) {
		int n = args_addr_csv(s, a, LIST_MAX, families[f]);

		FUZZ_CHECK(n != 0, "'%s': an empty list accepted", s);
		list(s, n, a, LIST_MAX, families[f]);
	}
	free(a);
	free(s);
	return 0;
}
