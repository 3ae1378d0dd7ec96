#!/bin/bash
# Runs one harness (built without libFuzzer, over standalone.c) on its seed
# files as listed in tests/fuzz/targets: a regression test of the seeds.
# Usage: run-seeds.sh TOP HARNESS TARGET
set -euo pipefail
top=$1 harness=$2 target=$3
cd "$top"
line=$(grep -E "^$target[[:space:]]" tests/fuzz/targets) || { echo "no target $target" >&2; exit 2; }
files=()
for g in ${line#"$target"}; do
	for f in $g; do
		[[ -f $f ]] && files+=("$f")
	done
done
[[ ${#files[@]} -gt 0 ]] || { echo "no seed files for $target" >&2; exit 2; }
exec "$harness" "${files[@]}"
