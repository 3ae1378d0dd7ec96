#!/bin/sh
# Memory pressure in the guest, as the hugepaged tests will need it: swap
# on zram, memhog in /sys/fs/cgroup/hog over its memory.max.  The cgroup's
# memory.pressure some avg10 passes 20% and /proc/pressure/memory's some
# total grows; a PSI trigger on the cgroup's memory.pressure fires while
# the hog runs (and not once it is gone); after the hog is stopped avg10
# falls below 5 within 60 s.
. /hp/tests/lib.sh
CG=/sys/fs/cgroup/hog
SYS=/proc/pressure/memory

show() {
	echo "$CG/memory.pressure:"
	sed 's/^/  /' $CG/memory.pressure
	echo "$SYS:"
	sed 's/^/  /' $SYS
}

swap_on
swap_on		# a second call changes nothing
[ "$(grep -c '^/dev/zram0 ' /proc/swaps)" = 1 ] || fail "zram0 is not swap exactly once"
cat /proc/swaps
[ -f $SYS ] || fail "no $SYS (kernel without CONFIG_PSI)"

total0=$(psi $SYS some total)
t0=$(uptime_s)
pressure_start $CG
t1=$(uptime_s)
note "memhog $HOG_PID in $HOG_CG: memory.max $(cat $HOG_CG/memory.max), ready after $(awk "BEGIN { print $t1 - $t0 }") s"

high() {
	psi_above $CG/memory.pressure some avg10 20 && [ "$(psi $SYS some total)" -gt "$total0" ]
}
wait_for 60 high || { show; fail "cgroup some avg10 not above 20 within 60 s of memhog's start"; }
t2=$(uptime_s)
note "cgroup some avg10 $(psi $CG/memory.pressure some avg10) (system $(psi $SYS some avg10)) $(awk "BEGIN { print $t2 - $t1 }") s after memhog was ready, $(awk "BEGIN { print $t2 - $t0 }") s after its start"
show
total1=$(psi $SYS some total)
sleep 2
total2=$(psi $SYS some total)
note "system some total: ${total0} us before, ${total1} us, ${total2} us 2 s later"
[ "$total2" -gt "$total1" ] || fail "system some total did not grow while the hog runs"
note "hog: memory.current $(cat $HOG_CG/memory.current) B, memory.swap.current $(cat $HOG_CG/memory.swap.current 2>/dev/null) B, $(grep -E '^(pgmajfault|workingset_refault_anon) ' $HOG_CG/memory.stat | tr '\n' ' ')"
note "zram0 mm_stat (orig compr mem_used ...): $(cat /sys/block/zram0/mm_stat)"
grep -q '^oom_kill 0$' $HOG_CG/memory.events || fail "OOM kills in $HOG_CG: $(cat $HOG_CG/memory.events)"

r=$(psi_trigger $CG/memory.pressure "some 100000 1000000" 10) || fail "PSI trigger on the cgroup's memory.pressure: $r"
note "PSI trigger 'some 100000 1000000' on $CG/memory.pressure while the hog runs: $r"
r=$(psi_trigger $SYS "some 100000 1000000" 10) || fail "PSI trigger on $SYS: $r"
note "PSI trigger 'some 100000 1000000' on $SYS while the hog runs: $r"

kill -0 $HOG_PID 2>/dev/null || fail "memhog died: $(cat $HOG_CG/memory.events)"
pressure_stop
t3=$(uptime_s)
wait_for 60 psi_below $CG/memory.pressure some avg10 5 ||
	{ show; fail "cgroup some avg10 not below 5 within 60 s of the hog's end"; }
t4=$(uptime_s)
note "cgroup some avg10 $(psi $CG/memory.pressure some avg10) $(awk "BEGIN { print $t4 - $t3 }") s after the hog was stopped"
show
if r=$(psi_trigger $CG/memory.pressure "some 100000 1000000" 3); then
	fail "PSI trigger fired without a hog: $r"
fi
note "PSI trigger on $CG/memory.pressure without the hog: $r"
echo "PASS: pressure_probe"
