#!/bin/sh
# lint.sh PAGE...: each manual page formats without a single groff warning
# (-ww: all of them), its .TH names its file, and no option dash is a bare
# "-" (write "\-" so that it stays an ASCII hyphen-minus when copied).
# Skipped (77) without groff (Debian: groff-base).
command -v groff > /dev/null || { echo "no groff: skipped"; exit 77; }
rc=0
for page in "$@"; do
	name=${page##*/}
	out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)
	if [ -n "$out" ]; then
		printf '%s: groff warnings:\n%s\n' "$page" "$out"
		rc=1
	fi
	want="$(printf '%s' "${name%.*}" | tr '[:lower:]' '[:upper:]') ${name##*.}"
	th=$(sed -n 's/^\.TH \([^ ]*\) \([^ ]*\).*/\1 \2/p' "$page")
	if [ "$th" != "$want" ]; then
		echo "$page: .TH says '$th', the file name '$want'"
		rc=1
	fi
	if grep -nE '(^|[[:space:]([])--?[[:alpha:]]' "$page" | grep -v '^[0-9]*:\.\\"'; then
		echo "$page: option dashes above must be written \\-"
		rc=1
	fi
done
[ $rc = 0 ] && echo "$# pages clean"
exit $rc
