# Helpers for the in-guest tests (busybox sh or bash).  Source it.

DAMON_ADMIN=/sys/kernel/mm/damon/admin
THP=/sys/kernel/mm/transparent_hugepage

fail() { echo "FAIL: $*"; exit 1; }
note() { echo "# $*"; }

thp_set() {
	echo "$1" > $THP/enabled || fail "cannot set THP enabled=$1"
	grep -q "\[$1\]" $THP/enabled || fail "THP enabled is not $1: $(cat $THP/enabled)"
}

# region_kb PID ADDR FIELD: the smaps FIELD (Rss, AnonHugePages, ...), in
# kB, summed over the VMAs of PID that start inside [ADDR, ADDR + LEN) for
# LEN = $4 (default: only the VMA starting at ADDR).
region_kb() {
	awk -v a="$2" -v len="${4:-0}" -v f="$3:" '
		function hex(s,   i, c, v) {
			v = 0
			for (i = 1; i <= length(s); i++) {
				c = index("0123456789abcdef", substr(s, i, 1)) - 1
				v = v * 16 + c
			}
			return v
		}
		BEGIN { lo = hex(a); hi = lo + len; sum = 0 }
		/^[0-9a-f]+-[0-9a-f]+ / {
			split($1, r, "-"); s = hex(r[1])
			inside = (s == lo) || (s > lo && s < hi)
			next
		}
		inside && $1 == f { sum += $2 }
		END { print sum }' "/proc/$1/smaps"
}

# spawn_hotcold HOT_MIB COLD_MIB: starts the workload (in cgroup
# $HP_CGROUP if set) and sets PID, HOT_ADDR, HOT_LEN, COLD_ADDR, COLD_LEN
# once both regions are resident.
spawn_hotcold() {
	local ready=/tmp/hotcold.$$.$1.$2 i=0
	rm -f "$ready"
	if [ -n "${HP_CGROUP:-}" ]; then
		# start it inside the cgroup: the shell joins, then execs
		sh -c "echo \$\$ > /sys/fs/cgroup$HP_CGROUP/cgroup.procs && exec hotcold --hot $1 --cold $2 --ready $ready" > /dev/null &
	else
		hotcold --hot "$1" --cold "$2" --ready "$ready" > /dev/null &
	fi
	PID=$!
	while [ ! -f "$ready" ]; do
		i=$((i + 1))
		[ $i -le 600 ] || fail "hotcold did not become ready"
		kill -0 $PID 2>/dev/null || fail "hotcold exited"
		sleep 0.1
	done
	set -- $(cat "$ready")
	HOT_ADDR=$2 HOT_LEN=$3 COLD_ADDR=$5 COLD_LEN=$6
}

# pct PID ADDR LEN: share (percent, integer) of [ADDR, ADDR+LEN) in huge
# pages according to AnonHugePages.
pct() {
	echo $(( $(region_kb "$1" "$2" AnonHugePages "$3") * 1024 * 100 / $3 ))
}

# show_regions LABEL: smaps summary of the hot and cold regions of $PID.
show_regions() {
	printf '%-8s hot  %s: Rss %6s kB AnonHugePages %6s kB (%3s%%)\n' "$1" "$HOT_ADDR" \
		"$(region_kb $PID $HOT_ADDR Rss $HOT_LEN)" \
		"$(region_kb $PID $HOT_ADDR AnonHugePages $HOT_LEN)" "$(pct $PID $HOT_ADDR $HOT_LEN)"
	printf '%-8s cold %s: Rss %6s kB AnonHugePages %6s kB (%3s%%)\n' "$1" "$COLD_ADDR" \
		"$(region_kb $PID $COLD_ADDR Rss $COLD_LEN)" \
		"$(region_kb $PID $COLD_ADDR AnonHugePages $COLD_LEN)" "$(pct $PID $COLD_ADDR $COLD_LEN)"
	if [ -n "${SHOW_SMAPS:-}" ]; then
		echo "  /proc/$PID/smaps, hot region:"
		smaps_excerpt $PID $HOT_ADDR
		echo "  /proc/$PID/smaps, cold region:"
		smaps_excerpt $PID $COLD_ADDR
	fi
}

# damon_start PID ACTION MIN_NR_ACCESSES: one kdamond, one vaddr context on
# PID, one scheme applying ACTION to regions of at least 2 MiB that were
# accessed in at least MIN_NR_ACCESSES of the 20 samples per aggregation.
damon_start() {
	local k=$DAMON_ADMIN/kdamonds c s
	echo 1 > $k/nr_kdamonds || fail "nr_kdamonds"
	echo 1 > $k/0/contexts/nr_contexts || fail "nr_contexts"
	c=$k/0/contexts/0
	echo vaddr > $c/operations || fail "operations"
	echo 5000 > $c/monitoring_attrs/intervals/sample_us
	echo 100000 > $c/monitoring_attrs/intervals/aggr_us
	echo 1000000 > $c/monitoring_attrs/intervals/update_us
	echo 10 > $c/monitoring_attrs/nr_regions/min
	echo 1000 > $c/monitoring_attrs/nr_regions/max
	echo 1 > $c/targets/nr_targets
	echo "$1" > $c/targets/0/pid_target || fail "pid_target"
	echo 1 > $c/schemes/nr_schemes
	s=$c/schemes/0
	echo "$2" > $s/action || fail "action '$2' rejected"
	echo 2097152 > $s/access_pattern/sz/min
	echo 18446744073709551615 > $s/access_pattern/sz/max
	echo "$3" > $s/access_pattern/nr_accesses/min
	echo 4294967295 > $s/access_pattern/nr_accesses/max
	echo 0 > $s/access_pattern/age/min
	echo 4294967295 > $s/access_pattern/age/max
	echo on > $k/0/state || fail "kdamond did not start"
}

damon_stop() {
	echo off > $DAMON_ADMIN/kdamonds/0/state
	echo 0 > $DAMON_ADMIN/kdamonds/nr_kdamonds
}

# damon_stats: "nr_tried sz_tried nr_applied sz_applied" of the scheme,
# from one update_schemes_stats.
damon_stats() {
	local st=$DAMON_ADMIN/kdamonds/0/contexts/0/schemes/0/stats
	echo update_schemes_stats > $DAMON_ADMIN/kdamonds/0/state || fail "update_schemes_stats"
	echo "$(cat $st/nr_tried) $(cat $st/sz_tried) $(cat $st/nr_applied) $(cat $st/sz_applied)"
}

# smaps_excerpt PID ADDR: the smaps header, Rss and AnonHugePages lines of
# the VMA of PID that starts at ADDR.
smaps_excerpt() {
	awk -v a="$2" '
		/^[0-9a-f]+-[0-9a-f]+ / { f = index($1, a "-") == 1; if (f) print "    " $0; next }
		f && ($1 == "Size:" || $1 == "Rss:" || $1 == "AnonHugePages:") { print "      " $0 }' "/proc/$1/smaps"
}

HP_PARAMS=/sys/module/damon_hugepage/parameters

# hp_set NAME VALUE: write a damon_hugepage parameter; fails the test if
# the write is refused.
hp_set() {
	echo "$2" > $HP_PARAMS/$1 || fail "damon_hugepage: $1=$2 refused"
}

# hp_field GROUP FIELD: FIELD of GROUP's record (e.g. cgroup:/a) in
# /proc/damon_hugepage, empty if there is no such record.
hp_field() {
	awk -v g="group=$1" -v f="$2" '$1 == g {
		for (i = 2; i <= NF; i++) {
			n = index($i, "=")
			if (substr($i, 1, n - 1) == f) print substr($i, n + 1)
		}
	}' /proc/damon_hugepage
}

# hp_is GROUP FIELD VALUE: whether GROUP's FIELD in /proc/damon_hugepage is VALUE
hp_is() {
	[ "$(hp_field "$1" "$2")" = "$3" ]
}

# wait_for SECONDS COMMAND...: run COMMAND every second until it succeeds,
# for at most SECONDS; returns 1 if it never does.  Sets WAITED to the
# seconds it took.
wait_for() {
	local limit=$1
	shift
	WAITED=0
	until "$@"; do
		WAITED=$((WAITED + 1))
		[ $WAITED -lt "$limit" ] || return 1
		sleep 1
	done
}

# huge_at_least PID ADDR LEN PCT: whether PCT% of the region is in huge pages
huge_at_least() {
	[ "$(pct "$1" "$2" "$3")" -ge "$4" ]
}
