#!/bin/sh
# DAMOS_COLLAPSE against DAMOS_HUGEPAGE with THP enabled=never.
#
# A hotcold workload (64 MiB read continuously, 64 MiB touched once) is
# monitored by a DAMON sysfs kdamond whose scheme applies ACTION to regions
# of >= 2 MiB with nr_accesses >= 4 of 20.  With 'collapse', at least 90%
# of the hot region must end up in huge pages within LIMIT seconds and at
# most 5% of the cold one.  With 'hugepage' (MADV_HUGEPAGE, left to
# khugepaged, which THP 'never' disables), none may.
#
# The scheme starts as 'stat' and becomes 'collapse' once no region that
# DAMON finds hot reaches into the cold region.  DAMON's first regions are
# the initial ones, which may span the hot and the cold region and average
# their access frequencies; DAMOS_COLLAPSE collapses every huge page inside
# a region it is applied to, so such a region would be collapsed whole.
# The times are counted from the switch.
#
# Usage: damos_collapse.sh [LIMIT_SECONDS]
. /hp/tests/lib.sh

limit=${1:-180}
thp_set never

note "collapse: hot 64 MiB, cold 64 MiB, THP enabled=never"
spawn_hotcold 64 64
show_regions before
[ "$(pct $PID $HOT_ADDR $HOT_LEN)" -eq 0 ] || fail "hot region has huge pages before DAMON ran"

damon_start $PID stat 4
K=$DAMON_ADMIN/kdamonds/0
S=$K/contexts/0/schemes/0
# hot_outside_cold: DAMON finds hot regions, none of them in the cold one
hot_outside_cold() {
	local r n=0 cs=$((0x$COLD_ADDR)) ce=$((0x$COLD_ADDR + COLD_LEN))
	echo update_schemes_tried_regions > $K/state || return 1
	for r in $S/tried_regions/[0-9]*; do
		[ -d "$r" ] || continue
		[ "$(cat $r/end)" -le $cs ] || [ "$(cat $r/start)" -ge $ce ] || return 1
		n=$((n + 1))
	done
	[ $n -gt 0 ]
}
wait_for 120 hot_outside_cold || fail "DAMON did not tell the hot region from the cold one in 120 s"
note "DAMON told the regions apart after ${WAITED}s: the scheme becomes 'collapse'"
echo collapse > $S/action || fail "action collapse"
echo commit > $K/state || fail "commit"
t=0 reached50= reached90=
while [ $t -lt "$limit" ]; do
	sleep 1
	t=$((t + 1))
	hot=$(pct $PID $HOT_ADDR $HOT_LEN)
	cold=$(pct $PID $COLD_ADDR $COLD_LEN)
	echo "t=${t}s hot=${hot}% cold=${cold}%"
	[ -z "$reached50" ] && [ "$hot" -ge 50 ] && reached50=$t
	if [ "$hot" -ge 90 ]; then
		reached90=$t
		break
	fi
done
# Let the scheme run as long again so that a cold region that is being
# collapsed by mistake shows it.
sleep $((t < 10 ? 10 : t))
set -- $(damon_stats)
damon_stop
show_regions collapse
collapse_hot=$(pct $PID $HOT_ADDR $HOT_LEN)
collapse_cold=$(pct $PID $COLD_ADDR $COLD_LEN)
kill $PID; wait $PID 2>/dev/null
note "collapse: hot ${collapse_hot}% (50% at ${reached50:-never}s, 90% at ${reached90:-never}s), cold ${collapse_cold}%, scheme tried $1 regions ($2 B), applied $3 ($4 B)"

note "hugepage: the same scheme with action hugepage, for ${t}s + the same wait"
spawn_hotcold 64 64
damon_start $PID hugepage 4
sleep $((t + (t < 10 ? 10 : t)))
set -- $(damon_stats)
htried=$1
note "hugepage: scheme tried $1 regions ($2 B), applied $3 ($4 B)"
damon_stop
show_regions hugepage
hugepage_hot=$(pct $PID $HOT_ADDR $HOT_LEN)
hugepage_cold=$(pct $PID $COLD_ADDR $COLD_LEN)
kill $PID; wait $PID 2>/dev/null

echo
printf '%-10s %8s %8s %12s\n' action hot cold time-to-90%
printf '%-10s %7s%% %7s%% %12s\n' collapse "$collapse_hot" "$collapse_cold" "${reached90:-never}"
printf '%-10s %7s%% %7s%% %12s\n' hugepage "$hugepage_hot" "$hugepage_cold" "-"

[ -n "$reached90" ] || fail "collapse: hot region below 90% after ${limit}s"
[ "$collapse_hot" -ge 90 ] || fail "collapse: hot region fell back to ${collapse_hot}%"
[ "$collapse_cold" -le 5 ] || fail "collapse: ${collapse_cold}% of the cold region collapsed (limit 5%)"
[ "$htried" -gt 0 ] || fail "hugepage: the scheme never applied, the comparison means nothing"
[ "$hugepage_hot" -eq 0 ] || fail "hugepage: ${hugepage_hot}% of the hot region in huge pages under THP never"
echo "PASS: damos_collapse"
