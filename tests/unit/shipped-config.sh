#!/bin/sh
# The shipped main configuration and example policy load without an error
# (with every commented default uncommented too).
set -eu
hugepaged=$1 policies=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/policies.d"
cp "$policies/policies.d/50-example.conf.sample" "$tmp/policies.d/50-example.conf"
# Uncommented defaults must be valid values too.
sed -n 's/^#\([A-Z][A-Za-z]*=\)/\1/p; /^\[/p' "$policies/hugepaged.conf" > "$tmp/hugepaged.conf"
sed 's/^#\([A-Z][A-Za-z]*=\)/\1/' "$policies/policies.d/50-example.conf.sample" > "$tmp/policies.d/60-all.conf"
"$hugepaged" --check-config --no-owner-check --config "$policies/hugepaged.conf" --policy-dir "$tmp/policies.d"
"$hugepaged" --check-config --no-owner-check --config "$tmp/hugepaged.conf" --policy-dir "$tmp/policies.d"
