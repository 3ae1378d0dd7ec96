#!/bin/sh
# DAMOS_COLLAPSE from DAMON's first regions, which straddle hot and cold.
#
# A hotcold workload (64 MiB read continuously, 64 MiB touched once) is
# monitored by a DAMON sysfs kdamond whose scheme is 'collapse' from the
# start: regions of >= 2 MiB with nr_accesses >= 4 of 20.  DAMON's first
# regions reach from the hot region into the cold one, and are hot on
# average until DAMON's splitting finds the edge (damos_collapse.sh waits
# for that before it switches to 'collapse').  DAMOS_COLLAPSE collapses
# only the huge page ranges whose pages were accessed since it last looked
# at them, so the cold region must stay in small pages all the same: at
# least 90% of the hot region in huge pages within LIMIT seconds, at most
# 5% of the cold one, checked every second until the scheme has run as
# long again.
#
# Usage: damos_collapse_straddle.sh [LIMIT_SECONDS]
. /hp/tests/lib.sh

limit=${1:-180}
thp_set never

spawn_hotcold 64 64
show_regions before
[ "$(pct $PID $HOT_ADDR $HOT_LEN)" -eq 0 ] || fail "hot region has huge pages before DAMON ran"
damon_start $PID collapse 4

# cold_small: the cold region is at most 5% in huge pages (and says so)
cold_small() {
	cold=$(pct $PID $COLD_ADDR $COLD_LEN)
	[ "$cold" -le 5 ] || fail "${cold}% of the cold region collapsed (limit 5%) after ${t}s, hot $(pct $PID $HOT_ADDR $HOT_LEN)%"
}
t=0 reached90=
while [ $t -lt "$limit" ]; do
	sleep 1
	t=$((t + 1))
	cold_small
	if [ "$(pct $PID $HOT_ADDR $HOT_LEN)" -ge 90 ]; then
		reached90=$t
		break
	fi
done
# why: the scheme's counts, and the regions it would try now with their
# access frequencies (a hot range that no region holds whole, or a region
# below the threshold, shows here)
why() {
	local d=$DAMON_ADMIN/kdamonds/0/contexts/0/schemes/0/tried_regions r
	set -- $(damon_stats)
	note "scheme tried $1 regions ($2 B), applied $3 ($4 B)"
	echo update_schemes_tried_regions > $DAMON_ADMIN/kdamonds/0/state || return 0
	for r in $d/[0-9]*; do
		[ -d "$r" ] || continue
		note "tried region $(printf '%x-%x' $(cat $r/start) $(cat $r/end)) nr_accesses=$(cat $r/nr_accesses) age=$(cat $r/age)"
	done
}
[ -n "$reached90" ] || { show_regions end; why; fail "hot region below 90% after ${limit}s"; }
# As long again, so that a cold range collapsed late shows it.
end=$((t + (t < 10 ? 10 : t)))
while [ $t -lt $end ]; do
	sleep 1
	t=$((t + 1))
	cold_small
done
set -- $(damon_stats)
damon_stop
show_regions end
hot=$(pct $PID $HOT_ADDR $HOT_LEN)
kill $PID; wait $PID 2>/dev/null
note "straddle: hot ${hot}% (90% at ${reached90}s), cold ${cold}% after ${t}s; scheme tried $1 regions ($2 B), applied $3 ($4 B)"
[ "$hot" -ge 90 ] || fail "hot region fell back to ${hot}%"
echo "PASS: damos_collapse_straddle"
