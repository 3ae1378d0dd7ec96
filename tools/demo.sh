#!/bin/bash
# The main job, for now: build the patched Linux 6.12 test kernel, boot it
# under QEMU and show DAMOS_COLLAPSE at work with THP enabled=never: a hot
# 64 MiB region goes into huge pages, a cold 64 MiB region stays in small
# pages, and the same scheme with the 'hugepage' action collapses nothing.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
step() { printf '\n==> %s\n' "$*"; }

step "installing missing Debian packages (tools/deps.sh)"
"$top/tools/deps.sh"
step "building the patched kernel (kernel/build.sh; ~4 min the first time, cached after)"
kdir=$("$top/kernel/build.sh" --no-deps)
step "building the guest programs and image (tools/vm/image)"
img=$("$top/tools/vm/image" "$kdir")
step "booting the kernel under QEMU and running the demo (TCG: a few minutes)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
"$top/tools/vm/run" --kernel "$kdir/bzImage" --initrd "$img" --log "$log" --timeout 900 -- \
	env SHOW_SMAPS=1 sh /hp/tests/damos_collapse.sh 180 || rc=$?

step "summary"
tr -d '\r' < "$log" | grep -E '^(before|collapse|hugepage) +(hot|cold) |^# (collapse|hugepage):' || true
echo
tr -d '\r' < "$log" | grep -A2 '^action' || true
if [[ $rc = 0 ]]; then
	echo "DAMOS_COLLAPSE collapsed the hot region under THP 'never'; 'hugepage' did not."
else
	echo "demo failed (exit $rc)"
fi
exit $rc
