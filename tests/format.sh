#!/bin/bash
# Style is enforced, not hoped for: every C file of the repository is as
# clang-format (Debian's, with the checked-in .clang-format) writes it.  One
# assertion per file; a failure shows the first lines of the difference.
# `make format` rewrites the files.
#
#   tests/format.sh
. "$(dirname "$0")/harness/lib.sh"
cd "$H_TOP" || exit 1
command -v clang-format >/dev/null || { not_ok "clang-format is not installed (scripts/deps)"; h_summary; exit 1; }

while read -r f; do
	d=$(clang-format --style=file "$f" | diff -u "$f" - | tail -n +3)
	if [ -z "$d" ]; then
		ok "format: $f"
	else
		not_ok "format: $f differs from clang-format's output (make format):"
		echo "$d" | head -12 | sed 's/^/#   /'
	fi
done < <(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build/*')
h_summary
