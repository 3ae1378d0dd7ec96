#!/bin/sh
# check-unit-security.sh UNIT THRESHOLD: systemd-analyze's exposure score of
# UNIT (offline) must not be above THRESHOLD tenths (15 = 1.5 of 10).
command -v systemd-analyze > /dev/null || { echo "no systemd-analyze: skipped"; exit 77; }
out=$(systemd-analyze security --offline=yes --threshold="$2" "$1" 2>&1)
rc=$?
echo "$out" | tail -n 1
[ $rc = 0 ] || echo "exposure above $2 tenths (or the unit does not parse): see above"
exit $rc
