#!/bin/bash
# hugepaged --check-config on bad trees: each case must end at once (a
# FIFO is refused, not waited on), exit 1 and name what is wrong.
set -uo pipefail
hugepaged=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect_error NAME PATTERN ARGS...: exit 1 within 60 s, PATTERN on stderr.
expect_error() {
	local name=$1 pattern=$2 rc
	shift 2
	timeout 60 "$hugepaged" --check-config --no-owner-check "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [[ $rc -eq 124 ]]; then
		echo "FAIL $name: hung (killed after 60 s)"; fail=1
	elif [[ $rc -ne 1 ]]; then
		echo "FAIL $name: exit $rc, expected 1"; cat "$tmp/err"; fail=1
	elif ! grep -q -- "$pattern" "$tmp/err"; then
		echo "FAIL $name: no \"$pattern\" in:"; cat "$tmp/err"; fail=1
	else
		echo "ok $name"
	fi
}

mkdir -p "$tmp/p"
printf '[Match]\nCgroupPath=/a\n' > "$tmp/p/20-ok.conf"
mkfifo "$tmp/fifo.conf" "$tmp/p/10-fifo.conf"
expect_error "FIFO main configuration" "fifo.conf: a FIFO, not a regular file" \
	--config "$tmp/fifo.conf" --policy-dir "$tmp/none"
expect_error "FIFO policy file" "10-fifo.conf: a FIFO, not a regular file" \
	--config "$tmp/none.conf" --policy-dir "$tmp/p"
mkdir -p "$tmp/c.conf.d"
mkfifo "$tmp/c.conf.d/10-fifo.conf"
expect_error "FIFO drop-in" "c.conf.d/10-fifo.conf: a FIFO, not a regular file" \
	--config "$tmp/c.conf" --policy-dir "$tmp/none"

# A --policy-dir that is a file, a drop-in directory that is a file.
printf 'x\n' > "$tmp/file"
expect_error "--policy-dir is a file" "file: not a directory" \
	--config "$tmp/none.conf" --policy-dir "$tmp/file"
printf 'x\n' > "$tmp/d.conf.d"
expect_error "drop-in directory is a file" "d.conf.d: not a directory" \
	--config "$tmp/d.conf" --policy-dir "$tmp/none"
exit $fail
