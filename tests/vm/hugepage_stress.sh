#!/bin/sh
# damon_hugepage under churn, for SECONDS (default 300): eight groups (six
# cgroups, three of them without a memory controller, one with its
# processes in a child cgroup, and two processes) under max_kdamonds=4,
# while at the same time
#   - cgroups are removed and created again, with processes in them that
#     fork children that exit after a random time, and the listed
#     processes exit and are replaced;
#   - parameters are written at random, with and without commit_inputs,
#     bad values among them (which must be refused), the lists included,
#     and the module is disabled and enabled now and then;
#   - /proc/damon_hugepage and the parameters are read in a loop, and
#     the summed statistics never go down.
# Then, with the churn stopped: every group's state matches the system,
# the kdamonds are exactly those of the running groups, enabled=N returns
# within a second, every kdamond ends, the kernel logged no WARNING, BUG
# or lockdep report and, on a kernel with kmemleak, a scan finds no leak
# from DAMON.
#
# Every step has a time limit, in seconds of guest uptime, and the time
# each took is printed ("# step NAME: N s").  Past its limit, a step fails
# once it gets no CPU time for a minute (a hang), or at four times its
# limit; a starved guest on a loaded host only gets on slowly.  A step
# that waits for a job in the background (the churn's loops, a kmemleak
# scan) says every 30 s how the job goes (its CPU time tells a slow job
# from a blocked one) and fails naming it; a step that hangs in the kernel
# in this shell itself (a parameter write) is caught by a watchdog, which
# prints where the blocked tasks wait and ends the test.
#
# Usage: hugepage_stress.sh [SECONDS]
. /hp/tests/lib.sh
thp_set never
secs=${1:-300}
CG=/sys/fs/cgroup
PATHS="/S1 /S2 /S3 /nm/S4 /nm/S5 /nm/S6"
S=/tmp/stress
mkdir -p $S
: > $S/errors
KMEMLEAK=/sys/kernel/debug/kmemleak
# The time limit of one kmemleak scan (of a KASAN and lockdep guest under
# TCG, on a loaded host).
SCAN_LIMIT=600

# before DEADLINE: whether the churn goes on (no subshell: the loops
# below run thousands of times on two busy vCPUs)
before() { read -r NOW _ < /proc/uptime; [ "${NOW%.*}" -lt "$1" ]; }
now() { read -r NOW _ < /proc/uptime; NOW=${NOW%.*}; }

# step NAME LIMIT: the test goes on to step NAME, which must end within
# LIMIT seconds (the watchdog's deadline); says how long the last one took.
STEP= STEP_AT=0
step() {
	now
	[ -z "$STEP" ] || note "step $STEP: $((NOW - STEP_AT)) s"
	STEP=$1 STEP_AT=$NOW
	echo "$NOW $2 $1" > $S/step
}

# task_state PID: its name, state, CPU time and where it sleeps
task_state() {
	local st
	st=$(sed 's/.*) //' /proc/$1/stat 2>/dev/null) || return 0
	set -- "$1" "$(cat /proc/$1/comm 2>/dev/null)" $st
	echo "$1 $2: state $3, $(((${14} + ${15}) / 100)) s of CPU, in $(cat /proc/$1/wchan 2>/dev/null)"
}
alive() { [ -e /proc/$1/stat ] && [ "$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d ' ' -f 1)" != Z ]; }
# tree_cpu PID: the CPU time, in ticks, of PID, of the children it waited
# for and of its live children but the workloads (which never stop): what
# grows while PID gets on, slowly or not, and stays still while it hangs.
# And kmemleak's scan thread's: a kmemleak command waits for its scan.
tree_cpu() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '{
		n = $0; sub(/^[0-9]+ \(/, "", n); sub(/\) .*/, "", n)
		r = $0; sub(/.*\) /, "", r); split(r, f, " ")
		if ($1 == p || n == "kmemleak" || (f[2] == p && n != "hotcold" && n != "forkchurn"))
			t += f[12] + f[13] + f[14] + f[15]
	} END { print t + 0 }'
}
# overdue START LIMIT PID: whether a wait that started at START is past its
# LIMIT and PID made no progress in the last minute (sets LAST_CPU and
# LAST_AT), or is past four times its LIMIT: a starved guest (a loaded
# host) gets on slowly, a hang does not get on at all.
overdue() {
	local cpu
	[ $NOW -ge $(($1 + $2)) ] || { LAST_CPU= LAST_AT=$NOW; return 1; }
	[ $NOW -ge $(($1 + 4 * $2)) ] && return 0
	[ $NOW -ge $((LAST_AT + 60)) ] || return 1
	cpu=$(tree_cpu $3)
	[ "$cpu" = "$LAST_CPU" ] && return 0
	[ -z "$LAST_CPU" ] || note "past its limit of $2 s, but it got on: $((cpu - LAST_CPU)) ticks of CPU in $((NOW - LAST_AT)) s"
	LAST_CPU=$cpu LAST_AT=$NOW
	return 1
}
# job_state PID: task_state of PID and of its children, on one line
job_state() {
	local c out
	out=$(task_state $1)
	for c in $(grep -l "^[0-9]* (.*) . $1 " /proc/[0-9]*/stat 2>/dev/null); do
		c=${c#/proc/}
		out="$out; child $(task_state ${c%/stat})"
	done
	echo "$out"
}

# stuck_report: the test's shell, the kdamonds and every task in an
# uninterruptible sleep, with their kernel stacks where the kernel has them
stuck_report() {
	local p st
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		st=$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | cut -d ' ' -f 1)
		case "$p:$st:$(cat /proc/$p/comm 2>/dev/null)" in
		"$MAIN":*|*:D:*|*:kdamond*) ;;
		*) continue ;;
		esac
		echo "  $(task_state $p)"
		sed 's/^/    /' /proc/$p/stack 2>/dev/null
	done
}

# await LIMIT WHAT PID: waits for the background job PID, at most LIMIT
# seconds (see overdue), saying every 30 s how it goes; past the limit,
# shows where it is, kills it and fails.  Returns the job's status.
await() {
	local limit=$1 what=$2 pid=$3 t0 next
	now
	t0=$NOW next=$((NOW + 30)) LAST_CPU= LAST_AT=$NOW
	while alive "$pid"; do
		sleep 1
		now
		if overdue $t0 $limit $pid; then
			note "$what: not done after $((NOW - t0)) s: $(job_state $pid)"
			sed 's/^/    /' /proc/$pid/stack 2>/dev/null
			kill "$pid"
			fail "$what did not end in $limit s and made no progress in a minute (or in four times that)"
		fi
		if [ $NOW -ge $next ] && alive "$pid"; then
			note "$what: $((NOW - t0)) s so far: $(job_state $pid)"
			next=$((NOW + 30))
		fi
	done
	wait "$pid"
}

# The watchdog: ends the test when a step overruns its limit.
MAIN=$$
watchdog() {
	local at limit name
	LAST_AT=0
	while sleep 5; do
		[ -d /proc/$MAIN ] || exit 0
		read -r at limit name < $S/step 2>/dev/null || continue
		now
		overdue $at $limit $MAIN || continue
		echo "FAIL: step $name did not end in $limit s and made no progress in a minute (or in four times that); the waiting tasks:"
		stuck_report
		kill -9 $MAIN
		sleep 60
		[ -d /proc/$MAIN ] || exit 0
		echo "FAIL: the test's shell cannot be killed (an uninterruptible wait): ending the guest"
		reboot -f
	done
}
watchdog &
WD_PID=$!
now
note "started at ${NOW} s of uptime"

# kmemleak_cmd CMD: one command to kmemleak, in the background (a scan is
# synchronous: minutes on a KASAN guest under TCG), at most SCAN_LIMIT s.
kmemleak_cmd() {
	step "kmemleak_$1" $((SCAN_LIMIT + 60))
	echo "$1" > $KMEMLEAK &
	await $SCAN_LIMIT "kmemleak $1" $! ||
		fail "kmemleak refused '$1' ($(dmesg | grep -m 1 'kmemleak: .*disabled'))"
}
# No automatic scans: they would compete with the churn and with the
# scans at the end (this waits for one that is running).
[ -e $KMEMLEAK ] && kmemleak_cmd scan=off
step setup 600
count() { echo >> "$S/$1"; }
err() { echo "$*" >> $S/errors; }

# procs_in DIR: the processes of a cgroup directory and its descendants
procs_in() { find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null; }

# The memory controller for the children of the root: /S1-/S3 and /nm get
# one, /nm's children do not.
echo +memory > $CG/cgroup.subtree_control || fail "cannot enable the memory controller"
mkdir $CG/nm

# cg_up PATH: create the cgroup (S2's processes go into a child) and start
# a forkchurn in it.
cg_up() {
	local d=$CG$1
	mkdir "$d" 2>/dev/null || return 0
	[ "$1" = /S2 ] && { d=$d/sub; mkdir "$d"; }
	sh -c "echo \$\$ > $d/cgroup.procs && exec forkchurn --mib 4 --procs 3 --life-ms 2000" > /dev/null &
	count cgroups_created
}
# cg_down PATH: stop its processes and remove it
cg_down() {
	local d=$CG$1 p i=0
	[ -d "$d" ] || return 0
	for p in $(procs_in "$d"); do
		kill "$p" 2>/dev/null
	done
	while [ -n "$(procs_in "$d")" ]; do
		i=$((i + 1))
		[ $i -le 300 ] || { err "cannot empty $1: $(procs_in "$d")"; return 1; }
		sleep 0.1
	done
	[ -d "$d/sub" ] && rmdir "$d/sub"
	rmdir "$d" || { err "cannot remove $1"; return 1; }
	count cgroups_removed
}
# pid_up N: a new process for pid group N
pid_up() {
	hotcold --hot 8 --cold 8 > /dev/null &
	echo $! > $S/pid$1
}
pid_down() {
	kill "$(cat $S/pid$1)" 2>/dev/null
	wait "$(cat $S/pid$1)" 2>/dev/null
}
live_pids() {
	local n p out=
	for n in 1 2; do
		p=$(cat $S/pid$n)
		[ -d /proc/$p ] && out=$out${out:+,}$p
	done
	echo "$out"
}
live_cgroups() {
	local p out=
	for p in $PATHS; do
		[ -d $CG$p ] && out=$out${out:+,}$p
	done
	echo "$out"
}

for p in $PATHS; do
	cg_up $p
done
pid_up 1
pid_up 2
hp_set max_kdamonds 4
hp_set cgroups "$(live_cgroups)"
hp_set pids "$(live_pids)"
hp_set enabled Y
cat /proc/damon_hugepage
read -r NOW _ < /proc/uptime
deadline=$((${NOW%.*} + secs))

churn() {
	local p
	while before $deadline; do
		set -- $PATHS
		shift $((RANDOM % 6))
		p=$1
		if [ -d $CG$p ]; then
			[ $((RANDOM % 3)) = 0 ] && cg_down $p
		else
			cg_up $p
		fi
		if [ $((RANDOM % 8)) = 0 ]; then
			n=$((RANDOM % 2 + 1))
			pid_down $n
			pid_up $n
			count pids_replaced
		fi
		sleep 0.$((RANDOM % 10))
	done
}

# param_value NAME: sets V to a random value for NAME, valid on its own
param_value() {
	case $1 in
	max_kdamonds) V=$((RANDOM % 6 + 1)) ;;
	tuning) [ $((RANDOM % 2)) = 0 ] && V=threshold || V=goal ;;
	min_access_floor) V=$((RANDOM % 8 + 1)) ;;
	goal_share_bp) V=$((RANDOM % 10000 + 1)) ;;
	sample_interval) V=$((2000 + RANDOM % 8000)) ;;
	aggr_interval) V=$((50000 + RANDOM % 150000)) ;;
	min_nr_regions) V=$((3 + RANDOM % 30)) ;;
	max_nr_regions) V=$((20 + RANDOM % 2000)) ;;
	quota_ms) V=$((RANDOM % 100)) ;;
	quota_sz) V=$(((RANDOM % 128) << 20)) ;;
	quota_reset_interval_ms) V=$((1 + RANDOM % 1000)) ;;
	wmarks_low) V=$((RANDOM % 100)) ;;
	wmarks_interval) V=$((1000 + RANDOM * 61)) ;;
	refresh_interval_ms) V=$((100 + RANDOM % 1900)) ;;
	max_ptes_none) V=$((RANDOM % 513 - 1)) ;;
	esac
}
PARAMS="max_kdamonds tuning min_access_floor goal_share_bp sample_interval aggr_interval min_nr_regions max_nr_regions quota_ms quota_sz quota_reset_interval_ms wmarks_low wmarks_interval refresh_interval_ms max_ptes_none"
BAD="max_kdamonds=0 max_kdamonds=65 tuning=fast min_access_floor=0 goal_share_bp=10001 sample_interval=0 aggr_interval=x min_nr_regions=2 max_nr_regions=100001 quota_reset_interval_ms=0 wmarks_low=1001 refresh_interval_ms=99 max_ptes_none=512 cgroups=/nonexistent cgroups=/S1,/S1 pids=0 pids=abc enabled=maybe commit_inputs=perhaps"

writer() {
	local name op
	while before $deadline; do
		op=$((RANDOM % 20))
		if [ $op -lt 10 ]; then
			set -- $PARAMS
			shift $((RANDOM % $#))
			name=$1
			param_value $name
			echo "$V" > $HP_PARAMS/$name 2>/dev/null || err "valid $name=$V refused"
			count writes
			if [ $op -ge 6 ]; then
				# may fail: the values may not fit together
				if echo Y > $HP_PARAMS/commit_inputs 2>/dev/null; then
					count commits
				else
					count commits_refused
				fi
			fi
		elif [ $op -lt 14 ]; then
			set -- $BAD
			shift $((RANDOM % $#))
			echo "${1#*=}" > $HP_PARAMS/${1%%=*} 2>/dev/null && err "bad $1 accepted"
			count bad_writes
		elif [ $op -lt 19 ]; then
			# the lists of what exists now; a group may vanish in between
			echo "$(live_cgroups)" > $HP_PARAMS/cgroups 2>/dev/null
			echo "$(live_pids)" > $HP_PARAMS/pids 2>/dev/null
			echo Y > $HP_PARAMS/commit_inputs 2>/dev/null && count list_commits
		else
			echo N > $HP_PARAMS/enabled || err "enabled=N refused"
			echo Y > $HP_PARAMS/enabled 2>/dev/null || count enables_refused
			count toggles
		fi
	done
}

# The summed statistics only grow, whatever restarts or goes away.
reader() {
	local tried=0 done=0 t d
	while before $deadline; do
		cat /proc/damon_hugepage $HP_PARAMS/kdamond_pids > /dev/null || err "read failed"
		read -r t < $HP_PARAMS/nr_tried_regions
		read -r d < $HP_PARAMS/bytes_collapsed_regions
		[ "$t" -ge $tried ] || err "nr_tried_regions went down from $tried to $t"
		[ "$d" -ge $done ] || err "bytes_collapsed_regions went down from $done to $d"
		tried=$t done=$d
		count reads
	done
}

note "churning for ${secs}s"
step churn $((secs + 660))
churn &
c_pid=$!
writer &
w_pid=$!
reader &
r_pid=$!
# Each loop ends at the deadline, once its last operation is done.
while before $deadline; do
	sleep 5
done
await 600 "the churn's cgroup loop" $c_pid
await 600 "the churn's parameter writer" $w_pid
await 600 "the churn's reader" $r_pid
for f in cgroups_created cgroups_removed pids_replaced writes commits commits_refused bad_writes list_commits toggles enables_refused reads; do
	printf '%s=%s ' $f "$(cat $S/$f 2>/dev/null | wc -l)"
done
echo
[ -s $S/errors ] && { cat $S/errors; fail "errors during the churn"; }

note "the churn stopped; settling with known inputs"
step settle 1200
# S3 stays empty (idle), the others get one steady process each.
for p in $PATHS; do
	cg_down $p || fail "$(cat $S/errors)"
	mkdir $CG$p
done
mkdir $CG/S2/sub
for p in /S1 /S2/sub /nm/S4 /nm/S5 /nm/S6; do
	HP_CGROUP=$p spawn_hotcold 8 8
done
pid_down 1
pid_down 2
pid_up 1
pid_up 2
hp_set max_kdamonds 4
hp_set tuning threshold
hp_set min_access_floor 4
hp_set goal_share_bp 9000
hp_set sample_interval 5000
hp_set aggr_interval 100000
hp_set min_nr_regions 10
hp_set max_nr_regions 1000
hp_set quota_ms 50
hp_set quota_sz $((64 << 20))
hp_set quota_reset_interval_ms 100
hp_set wmarks_low 50
hp_set wmarks_interval 1000000
hp_set refresh_interval_ms 1000
hp_set cgroups "$(echo $PATHS | tr ' ' ',')"
hp_set pids "$(live_pids)"
if [ "$(cat $HP_PARAMS/enabled)" = Y ]; then
	hp_set commit_inputs Y
else
	hp_set enabled Y
fi

# states_match: every group's record agrees with the system: gone if its
# cgroup or process is gone; otherwise, in list order, the first
# max_kdamonds hold a slot and are running (with a live kdamond and every
# process of the group followed) or idle without processes, the others
# are refused.  And the kdamond threads are exactly the running groups'.
states_match() {
	local used=0 line group state kd procs want n dir
	WHY=
	: > $S/want_kdamonds
	while read -r line; do
		case $line in "#"*) continue ;; esac
		group=$(echo "$line" | sed 's/^group=\([^ ]*\) .*/\1/')
		state=$(echo "$line" | sed 's/.* state=\([^ ]*\) .*/\1/')
		kd=$(echo "$line" | sed 's/.* kdamond=\([^ ]*\) .*/\1/')
		procs=$(echo "$line" | sed 's/.* procs=\([^ ]*\) .*/\1/')
		case $group in
		cgroup:*)
			dir=$CG${group#cgroup:}
			if [ ! -d "$dir" ]; then
				want=gone:cgroup_removed
			else
				n=$(procs_in "$dir" | wc -l)
			fi
			;;
		pid:*)
			if [ ! -d "/proc/${group#pid:}" ]; then
				want=gone:pid_exited
			else
				n=1
			fi
			;;
		esac
		if [ -z "${want:-}" ]; then
			if [ $used -lt 4 ]; then
				used=$((used + 1))
				[ "$n" -gt 0 ] && want=running || want=idle:no_processes
			else
				want=refused:kdamond_limit
			fi
		fi
		if [ "$state" != "$want" ]; then
			WHY="$group is $state, not $want"
			return 1
		fi
		if [ "$want" = running ]; then
			[ "$procs" = "$n" ] || { WHY="$group follows $procs processes of $n"; return 1; }
			grep -q '^kdamond' /proc/$kd/comm 2>/dev/null || { WHY="$group's kdamond $kd is not running"; return 1; }
			echo $kd >> $S/want_kdamonds
		elif [ "$kd" != -1 ]; then
			WHY="$group is $state with kdamond $kd"
			return 1
		fi
		want=
	done < /proc/damon_hugepage
	sort -n $S/want_kdamonds > $S/want
	tr ',' '\n' < $HP_PARAMS/kdamond_pids | grep . | sort -n > $S/param
	ps -o pid,comm | awk '$2 ~ /^kdamond/ { print $1 }' | sort -n > $S/threads
	cmp -s $S/want $S/param || { WHY="kdamond_pids is $(cat $HP_PARAMS/kdamond_pids), running groups' $(cat $S/want | tr '\n' ' ')"; return 1; }
	cmp -s $S/want $S/threads || { WHY="kdamond threads $(cat $S/threads | tr '\n' ' '), running groups' $(cat $S/want | tr '\n' ' ')"; return 1; }
}
step states_match 900
wait_for 120 states_match || { cat /proc/damon_hugepage; fail "after 120 s: $WHY"; }
note "states and kdamonds match the system ${WAITED}s after the churn"
cat /proc/damon_hugepage
[ "$(wc -l < $S/want)" = 3 ] || fail "$(wc -l < $S/want) groups running, not 3 (S3 idle, four slots)"

# "Returns within a second": it must not wait for anything.  The time it
# spends asleep is what says so; a loaded host can stall the guest for
# seconds at any time, which shows in the wall time only.
step enabled_N 60
timed hp_set enabled N
note "enabled=N returned after ${WALL}s, ${BLOCKED}s of it blocked"
seconds_at_most 1 "$BLOCKED" || fail "enabled=N blocked for ${BLOCKED}s"
step kdamonds_end 300
kdamonds() { ps -o pid,comm | grep kdamond; }
no_kdamonds() { ! kdamonds > /dev/null; }
wait_for 60 no_kdamonds || {
	note "kdamonds left after enabled=N:"
	for p in $(kdamonds | awk '{ print $1 }'); do
		echo "  $(task_state $p)"
		sed 's/^/    /' /proc/$p/stack 2>/dev/null
	done
	fail "kdamonds left 60 s after enabled=N: $(kdamonds)"
}
note "every kdamond ended ${WAITED}s after enabled=N"

step dmesg 60
if dmesg | grep -E 'WARNING:|BUG:|Oops|circular locking'; then
	fail "the kernel complained"
fi
note "dmesg: the kernel reported nothing"
if [ -e $KMEMLEAK ]; then
	# An object is reported only when a scan finds it unreferenced and
	# unchanged since the scan before (kmemleak keeps a checksum of each
	# object): the first scan here records what the churn left, the
	# second reports it.
	kmemleak_cmd scan
	kmemleak_cmd scan
	step kmemleak_report 120
	cat $KMEMLEAK > $S/leaks || fail "cannot read $KMEMLEAK"
	n=$(grep -c '^unreferenced object' $S/leaks)
	note "kmemleak: $n unreferenced objects"
	if grep -qE 'damon|damos' $S/leaks; then
		cat $S/leaks
		fail "kmemleak found objects leaked from DAMON"
	fi
	[ "$n" = 0 ] || head -n 40 $S/leaks
else
	note "kmemleak: not in this kernel"
fi
step done 60
kill $WD_PID
echo "PASS: hugepage_stress"
