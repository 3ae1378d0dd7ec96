#!/bin/sh
# DAMOS_COLLAPSE's guard against bloat: a scheme's max_ptes_none.
#
# A hot region of 32 MiB of which only every other 4 KiB page is used
# (hotcold --hot-stride 8): DAMON samples it as hot (half of its samples
# find an access), but collapsing a 2 MiB range of it would fill in 256
# missing pages.  With the operator's khugepaged max_ptes_none at 128, a
# collapse scheme with the guard at its default (-1: follow khugepaged)
# must leave every range alone and count it as sparse; with the guard off
# (511) the same scheme must collapse it, filling the missing pages in.
# damon_hugepage, whose max_ptes_none follows khugepaged's by default too,
# must leave it alone first, and count the ranges.
. /hp/tests/lib.sh
thp_set never
KH=$THP/khugepaged/max_ptes_none
S=$DAMON_ADMIN/kdamonds/0/contexts/0/schemes/0

echo 128 > $KH || fail "cannot set $KH"
HOTCOLD_ARGS="--hot-stride 8" spawn_hotcold 32 8
rss0=$(region_kb $PID $HOT_ADDR Rss)
note "hot region: 32 MiB, every other page used: Rss ${rss0} kB; khugepaged max_ptes_none=$(cat $KH)"

# The module: its max_ptes_none follows khugepaged's by default too.
[ "$(cat $HP_PARAMS/max_ptes_none)" = -1 ] || fail "damon_hugepage max_ptes_none is $(cat $HP_PARAMS/max_ptes_none), not -1 by default"
hp_set pids $PID
hp_set enabled Y
module_skipped() { [ "$(hp_field pid:$PID sparse_skipped)" -ge 16 ] 2>/dev/null; }
wait_for 180 module_skipped || fail "damon_hugepage did not leave the sparse region alone in 180 s: $(cat /proc/damon_hugepage)"
note "damon_hugepage at its default: ${WAITED}s, sparse_skipped=$(hp_field pid:$PID sparse_skipped), nr_sparse_skipped=$(cat $HP_PARAMS/nr_sparse_skipped), collapsed_bytes=$(hp_field pid:$PID collapsed_bytes)"
[ "$(region_kb $PID $HOT_ADDR AnonHugePages)" = 0 ] || fail "damon_hugepage collapsed the sparse region with its guard at the default"
# the summed statistic follows at the next refresh
module_stat_skipped() { [ "$(cat $HP_PARAMS/nr_sparse_skipped)" -ge 16 ]; }
wait_for 60 module_stat_skipped || fail "nr_sparse_skipped is $(cat $HP_PARAMS/nr_sparse_skipped)"
hp_set enabled N
hp_set pids ""

damon_start $PID collapse 3
[ "$(cat $S/max_ptes_none)" = -1 ] || fail "max_ptes_none is $(cat $S/max_ptes_none), not -1 by default"
# sparse_skipped: ranges the scheme found hot and left alone
sparse_skipped() {
	echo update_schemes_stats > $DAMON_ADMIN/kdamonds/0/state || return 1
	[ "$(cat $S/stats/nr_sparse_skipped)" -ge 16 ]
}
wait_for 180 sparse_skipped || fail "DAMON did not find the sparse region hot in 180 s: $(damon_stats), skipped $(cat $S/stats/nr_sparse_skipped)"
set -- $(damon_stats)
note "guard at its default: ${WAITED}s, $(cat $S/stats/nr_sparse_skipped) ranges left alone, tried $2 B, collapsed $4 B"
show_regions default
# (only the sparse region counts: DAMON's regions that span it and the
# dense cold region may get the cold one collapsed)
[ "$(region_kb $PID $HOT_ADDR AnonHugePages)" = 0 ] || fail "the sparse region was collapsed with the guard at its default"

echo 511 > $S/max_ptes_none || fail "max_ptes_none=511 refused"
echo commit > $DAMON_ADMIN/kdamonds/0/state || fail "commit"
# At least a quarter of it (4 huge pages): DAMON's regions in a sparse
# region are noisy and many, and only the huge pages wholly inside one are
# collapsed, so all of it takes a while.
wait_for 180 huge_at_least $PID $HOT_ADDR $HOT_LEN 25 || fail "the sparse region was not collapsed with the guard off: $(pct $PID $HOT_ADDR $HOT_LEN)%"
rss1=$(region_kb $PID $HOT_ADDR Rss)
note "guard off: $(pct $PID $HOT_ADDR $HOT_LEN)% in huge pages ${WAITED}s later, Rss ${rss0} kB -> ${rss1} kB"
show_regions off
# each huge page collapsed filled in 1 MiB of missing pages
[ "$rss1" -ge $((rss0 + 4096)) ] || fail "collapsing did not fill the region in: Rss ${rss0} -> ${rss1} kB"

damon_stop
kill $PID
wait $PID 2>/dev/null
echo "PASS: damos_collapse_guard"
