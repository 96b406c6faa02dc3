/* A network script's state file (common/skel/net.h net_state_parse): every line
 * it takes is "key value" as the writer writes it, and the text rebuilt from
 * those lines parses to the same lines; a refusal names a line that exists
 * and keeps exactly the lines before it. */
#include "fuzz.h"
#include "net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net n, again;
	int line = 0, lines = 1, rc;
	size_t len = 0;
	char *text;

	memset(&n, 0, sizeof(n));
	memset(&again, 0, sizeof(again));
	for (size_t i = 0; i + 1 < size; i++)
		lines += data[i] == '\n';
	rc = net_state_parse(&n, (const char *)data, size, &line);
	if (rc < 0) {
		FUZZ_CHECK(errno == EINVAL || errno == ENOMEM, "errno %d",
			   errno);
		FUZZ_CHECK(line >= 1 && line <= lines, "bad line %d of %d",
			   line, lines);
		FUZZ_CHECK(n.nlines == line - 1, "%d lines kept before line %d",
			   n.nlines, line);
		goto out;
	}
	for (int i = 0; i < n.nlines; i++) {
		const char *sp = strchr(n.lines[i], ' ');

		FUZZ_CHECK(sp && sp > n.lines[i] && sp[1],
			   "line '%s' is no 'key value'", n.lines[i]);
		len += strlen(n.lines[i]) + 1;
	}
	text = fuzz_buf(len + 1);
	text[0] = '\0';
	for (int i = 0; i < n.nlines; i++) {
		strcat(text, n.lines[i]);
		strcat(text, "\n");
	}
	FUZZ_CHECK(net_state_parse(&again, text, len, &line) == 0,
		   "the lines written back are refused at line %d", line);
	FUZZ_CHECK(again.nlines == n.nlines, "%d lines read back as %d",
		   n.nlines, again.nlines);
	for (int i = 0; i < n.nlines; i++)
		FUZZ_CHECK(!strcmp(n.lines[i], again.lines[i]),
			   "line %d changed", i + 1);
	free(text);
out:
	net_state_clear(&n);
	net_state_clear(&again);
	return 0;
}
