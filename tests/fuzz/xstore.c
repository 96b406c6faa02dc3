/* xenstore paths (common/base/xstore.h): a vif backend directory, as
 * XENBUS_PATH gives it, is accepted only in the canonical form of the numbers
 * it yields; a path joined from the input's two NUL-separated halves fits or is
 * refused with ENAMETOOLONG. */
#include "fuzz.h"
#include "xstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *words[2] = { NULL, "" }, *copy, *buf, want[64];
	unsigned domid, devid;
	size_t tail, len;

	fuzz_words(data, size, words, 2, &copy);
	if (xstore_vif_path(words[0], &domid, &devid) == 0) {
		snprintf(want, sizeof(want), "backend/vif/%u/%u", domid, devid);
		tail = strlen(want);
		len = strlen(words[0]);
		FUZZ_CHECK(len >= tail &&
				   !strcmp(words[0] + len - tail, want) &&
				   (len == tail ||
				    !strncmp(words[0], "/local/domain/", 14)),
			   "'%s' read as domain %u device %u", words[0], domid,
			   devid);
	} else {
		FUZZ_CHECK(errno == EINVAL, "'%s': errno %d", words[0], errno);
	}
	/* Joined into exactly the room it needs, and one byte less. */
	len = strlen(words[0]) + 1 + strlen(words[1]) + 1;
	buf = fuzz_buf(len);
	FUZZ_CHECK(xstore_path(buf, len, words[0], words[1]) == 0 &&
			   strlen(buf) == len - 1,
		   "'%s' + '%s' refused in %zu bytes", words[0], words[1], len);
	free(buf);
	buf = fuzz_buf(len - 1);
	FUZZ_CHECK(xstore_path(buf, len - 1, words[0], words[1]) < 0 &&
			   errno == ENAMETOOLONG,
		   "'%s' + '%s' accepted in %zu bytes", words[0], words[1],
		   len - 1);
	free(buf);
	free(copy);
	return 0;
}
