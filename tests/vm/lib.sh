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
# $HP_CGROUP if set, with the extra options $HOTCOLD_ARGS) and sets PID,
# HOT_ADDR, HOT_LEN, COLD_ADDR, COLD_LEN once both regions are resident.
spawn_hotcold() {
	local ready=/tmp/hotcold.$$.$1.$2 i=0
	rm -f "$ready"
	if [ -n "${HP_CGROUP:-}" ]; then
		# start it inside the cgroup: the shell joins, then execs
		sh -c "echo \$\$ > /sys/fs/cgroup$HP_CGROUP/cgroup.procs && exec hotcold --hot $1 --cold $2 ${HOTCOLD_ARGS:-} --ready $ready" > /dev/null &
	else
		hotcold --hot "$1" --cold "$2" ${HOTCOLD_ARGS:-} --ready "$ready" > /dev/null &
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
	damon_start_pids "$2" "$3" "" "$1"
}

# damon_start_pids ACTION MIN_NR_ACCESSES MAX_PTES_NONE PID...: the same
# with a target per PID and, unless MAX_PTES_NONE is empty or the kernel
# has no such file, the scheme's max_ptes_none.
damon_start_pids() {
	local k=$DAMON_ADMIN/kdamonds action=$1 min=$2 mpn=$3 c s i=0 p
	shift 3
	echo 1 > $k/nr_kdamonds || fail "nr_kdamonds"
	echo 1 > $k/0/contexts/nr_contexts || fail "nr_contexts"
	c=$k/0/contexts/0
	echo vaddr > $c/operations || fail "operations"
	echo 5000 > $c/monitoring_attrs/intervals/sample_us
	echo 100000 > $c/monitoring_attrs/intervals/aggr_us
	echo 1000000 > $c/monitoring_attrs/intervals/update_us
	echo 10 > $c/monitoring_attrs/nr_regions/min
	echo 1000 > $c/monitoring_attrs/nr_regions/max
	echo $# > $c/targets/nr_targets
	for p in "$@"; do
		echo "$p" > $c/targets/$i/pid_target || fail "pid_target"
		i=$((i + 1))
	done
	echo 1 > $c/schemes/nr_schemes
	s=$c/schemes/0
	echo "$action" > $s/action || fail "action '$action' rejected"
	if [ -n "$mpn" ] && [ -e $s/max_ptes_none ]; then
		echo "$mpn" > $s/max_ptes_none || fail "max_ptes_none=$mpn"
	fi
	echo 2097152 > $s/access_pattern/sz/min
	echo 18446744073709551615 > $s/access_pattern/sz/max
	echo "$min" > $s/access_pattern/nr_accesses/min
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
# hp_has_guard: the module has DAMOS_COLLAPSE's guard against bloat
# (max_ptes_none, sparse_skipped=).  Both series have it (6.12's 0012-0015,
# 7.3's 0010-0012): a module without it fails the test.
hp_has_guard() {
	[ -e $HP_PARAMS/max_ptes_none ] && return 0
	fail "the module of $(uname -r) has no max_ptes_none parameter"
}

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

# Memory pressure.  Without swap, a process over its cgroup's memory.max
# is OOM-killed rather than stalled, and the guest has no disk: swap goes
# on zram (compressed RAM).

# swap_on [MIB]: swap on /dev/zram0 of MIB (default 512) MiB of
# uncompressed capacity.  Does nothing if /dev/zram0 is already in use as
# swap.
swap_on() {
	local mib=${1:-512} zram=/sys/block/zram0
	grep -q '^/dev/zram0 ' /proc/swaps 2>/dev/null && return 0
	[ -f /proc/swaps ] || fail "swap_on: no /proc/swaps (kernel without CONFIG_SWAP)"
	[ -d $zram ] || fail "swap_on: no $zram (kernel without CONFIG_ZRAM)"
	[ -b /dev/zram0 ] || fail "swap_on: no block device /dev/zram0 (devtmpfs not mounted?)"
	# disksize can be set only while the device is unused and reset.
	if [ "$(cat $zram/disksize)" != 0 ]; then
		echo 1 > $zram/reset || fail "swap_on: cannot reset zram0"
	fi
	echo "${mib}M" > $zram/disksize || fail "swap_on: cannot set zram0's disksize to ${mib}M"
	mkswap /dev/zram0 > /dev/null || fail "swap_on: mkswap /dev/zram0 failed"
	swapon /dev/zram0 || fail "swap_on: swapon /dev/zram0 failed"
	grep -q '^/dev/zram0 ' /proc/swaps || fail "swap_on: /dev/zram0 not in /proc/swaps"
}

# psi FILE some|full FIELD: FIELD (avg10, avg60, avg300, total) of the
# some or full line of the PSI FILE (/proc/pressure/memory, a cgroup's
# memory.pressure).  avgN are percentages with two decimals, total is in
# microseconds.
psi() {
	awk -v l="$2" -v f="$3" '$1 == l {
		for (i = 2; i <= NF; i++)
			if (index($i, f "=") == 1) print substr($i, length(f) + 2)
	}' "$1"
}

# psi_above FILE some|full FIELD VALUE: whether FIELD exceeds VALUE
# (decimals allowed); psi_below likewise.
psi_above() {
	awk -v v="$(psi "$1" "$2" "$3")" -v lim="$4" 'BEGIN { exit !(v != "" && v + 0 > lim + 0) }'
}
psi_below() {
	awk -v v="$(psi "$1" "$2" "$3")" -v lim="$4" 'BEGIN { exit !(v != "" && v + 0 < lim + 0) }'
}

# pressure_start [CGROUP [LIMIT_MIB [HOG_MIB]]]: memory pressure in
# CGROUP (a path under /sys/fs/cgroup, given with or without that prefix;
# default /hog): creates it, with the memory controller enabled on the way
# down, sets memory.max to LIMIT_MIB (default 48) and memory.swap.max to
# max, and starts memhog on HOG_MIB (default 96) in it.  Returns once the
# hog has written all of its memory once.  Sets HOG_PID and HOG_CG (the
# cgroup's full path).  Needs swap (swap_on).
#
# With the defaults, under TCG with 2 CPUs and 2 GiB, the hog is ready in
# about 2 s, its cgroup's memory.pressure some avg10 passes 20% about 4 s
# later and levels off near 60% (the hog is in memcg reclaim ~60% of the
# time; its swap-ins are not workingset refaults, so not stalls).  The
# rest of the guest keeps its memory: the hog's 48 MiB in zram take about
# 1 MiB (each page holds one distinct word, very compressible).  After
# pressure_stop, avg10 falls below 5 in 20-25 s.
pressure_start() {
	local cg=${1:-/hog} limit=${2:-48} hog=${3:-96} ready d part
	cg=${cg#/sys/fs/cgroup}
	cg=/${cg#/}
	[ "$cg" != / ] || fail "pressure_start: not in the root cgroup"
	grep -q '^/' /proc/swaps 2>/dev/null ||
		fail "pressure_start: no swap (swap_on first): the hog would be OOM-killed"
	grep -qw memory /sys/fs/cgroup/cgroup.controllers ||
		fail "pressure_start: no memory controller (kernel without CONFIG_MEMCG)"
	# Enable the memory controller in every ancestor's subtree_control.
	d=/sys/fs/cgroup
	for part in $(echo "${cg%/*}" | tr / ' '); do
		grep -qw memory $d/cgroup.subtree_control ||
			echo +memory > $d/cgroup.subtree_control ||
			fail "pressure_start: cannot enable memory in $d/cgroup.subtree_control"
		d=$d/$part
		mkdir -p $d
	done
	grep -qw memory $d/cgroup.subtree_control ||
		echo +memory > $d/cgroup.subtree_control ||
		fail "pressure_start: cannot enable memory in $d/cgroup.subtree_control"
	HOG_CG=/sys/fs/cgroup$cg
	mkdir -p $HOG_CG
	echo "${limit}M" > $HOG_CG/memory.max || fail "pressure_start: cannot set $HOG_CG/memory.max"
	if [ -f $HOG_CG/memory.swap.max ]; then
		echo max > $HOG_CG/memory.swap.max || fail "pressure_start: cannot set memory.swap.max"
	fi
	ready=/tmp/memhog.$$.ready
	rm -f $ready
	# The shell joins the cgroup, then execs the hog.
	sh -c "echo \$\$ > $HOG_CG/cgroup.procs && exec memhog --mib $hog --ready $ready" > /dev/null &
	HOG_PID=$!
	# Writing through a 48 MiB limit into zram takes 10 s on a quiet host
	# and minutes on a busy one (TCG): wait while the hog's memory (RAM
	# plus swap) grows, and give up only when it has stalled for 60 s.
	local now last=-1 since=0 waited=0
	until [ -f $ready ]; do
		kill -0 $HOG_PID 2>/dev/null ||
			fail "pressure_start: memhog exited (OOM-killed? $(grep oom_kill $HOG_CG/memory.events))"
		now=$(( $(cat $HOG_CG/memory.current) + $(cat $HOG_CG/memory.swap.current 2>/dev/null || echo 0) ))
		if [ "$now" != "$last" ]; then
			last=$now since=$waited
		elif [ $((waited - since)) -ge 60 ]; then
			fail "pressure_start: memhog stalled at $((now >> 20)) of ${hog} MiB for 60 s (${waited} s in all)"
		fi
		[ $waited -lt 600 ] || fail "pressure_start: memhog did not write its ${hog} MiB in 600 s"
		sleep 1
		waited=$((waited + 1))
	done
	[ $waited -le 120 ] || note "pressure_start: memhog took ${waited} s to write its ${hog} MiB"
	kill -0 $HOG_PID 2>/dev/null || fail "pressure_start: memhog exited"
	rm -f $ready
}

# pressure_stop: kills the hog of pressure_start and waits for it to go.
# The cgroup stays (its memory.pressure then falls back).
pressure_stop() {
	[ -n "${HOG_PID:-}" ] || return 0
	kill $HOG_PID 2>/dev/null
	wait $HOG_PID 2>/dev/null
	HOG_PID=
}

# psi_trigger FILE SPEC SECONDS: registers the PSI trigger SPEC (e.g.
# "some 100000 1000000": 100 ms of stall in any 1 s window) on FILE
# (/proc/pressure/memory, a cgroup's memory.pressure) and waits at most
# SECONDS for it to fire.  Prints "event after N.NN s" or "no event in
# SECONDS s"; returns 0 only on an event (POLLPRI without POLLERR).
psi_trigger() {
	python3 - "$@" <<'PYEOF'
import os, select, sys, time
path, spec, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
os.write(fd, spec.encode() + b"\0")
p = select.poll()
p.register(fd, select.POLLPRI)
t0 = time.monotonic()
ev = p.poll(int(secs * 1000))
dt = time.monotonic() - t0
if not ev:
    print("no event in %g s" % secs)
    sys.exit(1)
rev = ev[0][1]
if rev & select.POLLERR or not rev & select.POLLPRI:
    print("error: revents 0x%x after %.2f s" % (rev, dt))
    sys.exit(2)
print("event after %.2f s" % dt)
PYEOF
}

# uptime_s: seconds since boot, with hundredths.
uptime_s() {
	cut -d ' ' -f 1 /proc/uptime
}

# timed COMMAND...: runs COMMAND in this shell (a builtin or a function:
# no new process) and sets WALL to the seconds it took and BLOCKED to the
# seconds this shell spent asleep in it (the wall time less the time on a
# CPU and the time waiting for one, from /proc/$$/schedstat).  BLOCKED is
# what waiting on a lock or for another thread costs; on a loaded host a
# stalled vCPU adds to WALL, not to BLOCKED.  Returns COMMAND's status.
timed() {
	local u0 u1 c0 c1 d0 d1 rc
	read -r u0 _ < /proc/uptime
	read -r c0 d0 _ < /proc/$$/schedstat
	"$@"
	rc=$?
	read -r c1 d1 _ < /proc/$$/schedstat
	read -r u1 _ < /proc/uptime
	WALL=$(awk -v a="$u0" -v b="$u1" 'BEGIN { printf "%.2f", b - a }')
	BLOCKED=$(awk -v w="$WALL" -v c="$((c1 - c0))" -v d="$((d1 - d0))" \
		'BEGIN { b = w - (c + d) / 1e9; printf "%.2f", b < 0 ? 0 : b }')
	return $rc
}

# seconds_at_most LIMIT SECONDS: whether SECONDS (decimals allowed) <= LIMIT
seconds_at_most() {
	awk -v l="$1" -v s="$2" 'BEGIN { exit !(s <= l) }'
}
