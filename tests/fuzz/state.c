/* A state file (common/base/state.h state_parse): every line
 * it takes is "key value" as the writer writes it, and the text rebuilt from
 * those lines parses to the same lines; a refusal names a line that exists
 * and keeps exactly the lines before it. */
#include "fuzz.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state n, again;
	int line = 0, lines = 1, rc;
	size_t len = 0;
	char *text;

	memset(&n, 0, sizeof(n));
	memset(&again, 0, sizeof(again));
	for (size_t i = 0; i + 1 < size; i++)
		lines += data[i] == '\n';
	rc = state_parse(&n, (const char *)data, size, &line);
	if (rc < 0) {
		FUZZ_CHECK(errno == EINVAL || errno == ENOMEM, "errno %d",
			   errno);
		FUZZ_CHECK(line >= 1 && line <= lines, "bad line %d of %d",
			   line, lines);
		FUZZ_CHECK(n.n == line - 1, "%d lines kept before line %d", n.n,
			   line);
		goto out;
	}
	for (int i = 0; i < n.n; i++) {
		const char *sp = strchr(n.lines[i], ' ');

		FUZZ_CHECK(sp && sp > n.lines[i] && sp[1],
			   "line '%s' is no 'key value'", n.lines[i]);
		len += strlen(n.lines[i]) + 1;
	}
	text = fuzz_buf(len + 1);
	text[0] = '\0';
	for (int i = 0; i < n.n; i++) {
		strcat(text, n.lines[i]);
		strcat(text, "\n");
	}
	FUZZ_CHECK(state_parse(&again, text, len, &line) == 0,
		   "the lines written back are refused at line %d", line);
	FUZZ_CHECK(again.n == n.n, "%d lines read back as %d", n.n, again.n);
	for (int i = 0; i < n.n; i++)
		FUZZ_CHECK(!strcmp(n.lines[i], again.lines[i]),
			   "line %d changed", i + 1);
	free(text);
out:
	state_clear(&n);
	state_clear(&again);
	return 0;
}
