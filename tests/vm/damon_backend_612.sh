#!/bin/sh
# hugepaged's damon backend on the patched 6.12 kernel, its action forced
# to 'hugepage' (HUGEPAGED_TEST_DAMON_ACTION, a test knob: the series has
# 'collapse'), as on a stock kernel before 7.2: under THP enabled=madvise
# the scheme marks the hot region MADV_HUGEPAGE and khugepaged collapses
# it; under THP never the group is refused (unsupported) with the reason
# and its kdamond stops.
. /hp/tests/lib.sh
thp_set madvise
# khugepaged at its default pace scans 16 MiB per 10 s: faster, for the test.
echo 100 > $THP/khugepaged/scan_sleep_millisecs
echo 100 > $THP/khugepaged/alloc_sleep_millisecs

HP=/tmp/hp
mkdir -p $HP/policies.d $HP/run
STATUS=$HP/run/status
LOG=$HP/log
fail() {
	echo "FAIL: $*"
	[ -f $STATUS ] && sed 's/^/#   status: /' $STATUS
	[ -f $LOG ] && tail -n 60 $LOG | sed 's/^/#   log: /'
	exit 1
}
cat > $HP/hugepaged.conf <<'CONF'
[Daemon]
Backend=damon
KdamondLimit=1
[Pressure]
SystemMemoryLimit=0%
SystemCPULimit=0%
[Tuning]
Tuning=threshold
CONF
printf '[Match]\nCgroupPath=/A\n[Policy]\nPriority=10\n' > $HP/policies.d/10-a.conf

decision() { sed -n "s|^group path=$1 .* decision=\([^ ]*\) .*|\1|p" $STATUS; }
decision_is() { [ "$(decision $1)" = "$2" ]; }
reason() { sed -n "s|^group path=$1 .*reason=||p" $STATUS; }
kg() {
	awk -v g="group=cgroup:$1" -v f="$2" '$1 == "kgroup" && $2 == g {
		for (i = 3; i <= NF; i++) {
			n = index($i, "=")
			if (substr($i, 1, n - 1) == f) print substr($i, n + 1)
		}
	}' $STATUS
}

echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir /sys/fs/cgroup/A
HP_CGROUP=/A spawn_hotcold 16 16
HUGEPAGED_TEST_DAMON_ACTION=hugepage hugepaged --debug --config $HP/hugepaged.conf \
	--policy-dir $HP/policies.d --run-dir $HP/run > $LOG 2>&1 &
DAEMON=$!
wait_for 30 test -f $STATUS || fail "no status file"
wait_for 30 decision_is /A fed || fail "A is $(decision /A), not fed"
grep -q '^daemon .*backend=damon .*action=hugepage ' $STATUS || fail "the status does not say backend damon, action hugepage"
[ "$(kg /A action)" = hugepage ] || fail "A's kdamond does not run a hugepage scheme"
KA=$(kg /A kdamond)
SLOT=$(kg /A slot)
[ "$(cat $DAMON_ADMIN/kdamonds/$SLOT/contexts/0/schemes/0/action)" = hugepage ] || fail "the scheme in DAMON sysfs is not hugepage"
[ "$(cat $HP_PARAMS/enabled)" = N ] || fail "the damon_hugepage module was enabled"

note "khugepaged collapses the hot region the scheme marked"
wait_for 240 huge_at_least $PID $HOT_ADDR $HOT_LEN 50 || fail "hot region at $(pct $PID $HOT_ADDR $HOT_LEN)% after 240 s"
note "hot region at $(pct $PID $HOT_ADDR $HOT_LEN)% after ${WAITED}s (khugepaged)"
cold=$(pct $PID $COLD_ADDR $COLD_LEN)
note "cold region ${cold}%"
[ "$cold" -le 5 ] || fail "${cold}% of the cold region collapsed"

note "THP never: the group is refused with the reason, its kdamond stops"
thp_set never
wait_for 30 decision_is /A unsupported || fail "A is $(decision /A) under THP never"
note "unsupported ${WAITED}s after THP went to never: $(reason /A)"
reason /A | grep -q "'never'" || fail "the reason does not name THP never"
log_has() { grep -q -- "$1" $LOG; }
log_has "/A: unsupported (" || fail "the decision is not logged"
gone() { [ "$(cat /proc/$KA/comm 2>/dev/null | cut -c1-7)" != kdamond ]; }
wait_for 20 gone || fail "the kdamond $KA still runs under THP never"
kill -TERM $DAEMON
wait $DAEMON || fail "hugepaged exited $?"
echo "damon_backend_612: all checks passed"
