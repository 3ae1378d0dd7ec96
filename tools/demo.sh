#!/bin/bash
# The main job: on a fresh Debian 12 machine, build everything (the patched
# Linux 6.12 kernel, hugepaged and hugepagectl, a Debian guest with systemd
# as PID 1 and the project's Debian package installed in it with dpkg -i),
# boot that guest under QEMU with THP enabled=never, and show hugepaged at
# work the way an operator would use it: two services with the same hot
# working set in two slices, hugepaged.service running as its package
# left it, a drop-in [X-Hugepage] policy on one slice.
# Ends with a summary: the share of each hot set in huge pages before and
# after, and what that share is worth on this machine's real TLB (measured
# here by tools/bench/calibrate: a TCG guest shows no TLB gain itself).
#
# Usage: tools/demo.sh [--no-calibrate]
# Writes build/demo/{console.log,demo.txt,calibration.txt,summary.txt}.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
calibrate=1
[[ ${1:-} = --no-calibrate ]] && calibrate=0
out=$top/build/demo
mkdir -p "$out"
t0=$SECONDS
step() { printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

step "installing missing Debian packages (tools/deps.sh; needs apt-get the first time)"
"$top/tools/deps.sh"
step "building the patched kernel (kernel/build.sh: about 12 min the first time, cached after)"
kdir=$("$top/kernel/build.sh" --no-deps)
step "building the hugepaged Debian package and the systemd guest (tools/build-deb, tools/vm/sysimage: debootstrap a few minutes the first time, then dpkg -i of the package)"
img=$("$top/tools/vm/sysimage")

step "booting the guest under QEMU: systemd, two demo services, hugepaged.service (TCG: a few minutes)"
rc=0
# The guest console is long (systemd's boot): show the demo's own lines.
"$top/tools/vm/run" --kernel "$kdir/bzImage" --disk "$img" --timeout 900 --log "$out/console.log" -- \
	bash /hp/tests/systemd_demo.sh 180 2>&1 |
	sed -u 's/\r$//' | grep --line-buffered -E '^(demo:|FAIL|vm/run:)' || rc=${PIPESTATUS[0]}
[[ -f $out/console.log ]] || { echo "demo: no console log" >&2; exit 1; }
tr -d '\r' < "$out/console.log" | awk '/^hugepaged: pid/,/^demo: after: shop/' | grep -v '^demo: after' > "$out/hugepagectl.txt" || true

if [[ $calibrate = 1 ]]; then
	step "host calibration: random reads over a 1 GiB hot set by huge page share (tools/bench/calibrate, about 30 s)"
	[[ -f $top/build/build.ninja ]] || meson setup "$top/build" "$top" > /dev/null
	meson compile -C "$top/build" calibrate > /dev/null
	"$top/build/tools/calibrate" --hot 1024 --runs 3 --seconds 1 | tee "$out/calibration.txt"
else
	: > "$out/calibration.txt"
fi

step "summary"
{
	echo "hugepagectl status and explain, in the guest:"
	sed 's/^/  /' "$out/hugepagectl.txt"
	echo
	tr -d '\r' < "$out/console.log" | grep '^DEMO ' > "$out/demo.txt" || true
	awk -v calib="$out/calibration.txt" -f "$top/tools/bench/gain.awk" -f /dev/stdin "$out/demo.txt" <<'EOF'
	function val(s, k,   i, f) {
		for (i = 1; i <= NF; i++) { split($i, f, "="); if (f[1] == k) return f[2] }
		return ""
	}
	$1 == "DEMO" && $2 == "before" { hb[$3] = val($0, "hot") }
	$1 == "DEMO" && $2 == "after" { ha[$3] = val($0, "hot"); ca[$3] = val($0, "cold"); secs = val($0, "seconds") }
	$1 == "DEMO" && $2 == "meminfo_before" { mb = $3 }
	$1 == "DEMO" && $2 == "meminfo_after" { ma = $3 }
	$1 == "DEMO" && $2 == "fed" { fed = $3 }
	END {
		printf "%-15s %-32s %21s %8s %16s\n", "service", "policy", "hot set in huge pages", "cold", "gain on this"
		printf "%-15s %-32s %10s %10s %8s %16s\n", "", "", "before", "after", "after", "host's TLB"
		printf "%-15s %-32s %9s%% %9s%% %7s%% %16s\n", "shop.service", "[X-Hugepage] on shop.slice", hb["shop"], ha["shop"], ca["shop"], gain(ha["shop"])
		printf "%-15s %-32s %9s%% %9s%% %7s%% %16s\n", "batch.service", "none", hb["batch"], ha["batch"], ca["batch"], gain(ha["batch"])
		printf "\nAnonHugePages in the guest: %d kB before, %d kB after (THP enabled=never; %s s of hugepaged)\n", mb, ma, secs
		printf "Groups hugepaged fed: %s\n", fed == "" ? "none" : fed
	}
EOF
	if [[ -s $out/calibration.txt ]]; then
		echo "Gain: random-read rate at that share of a hot set in huge pages against 0%, measured on this"
		echo "host (build/demo/calibration.txt); the guest runs under TCG, whose software TLB hides it."
		if grep -qw hypervisor /proc/cpuinfo; then
			echo "This host is itself a virtual machine (the hypervisor flag in /proc/cpuinfo): its huge"
			echo "pages are only as good as the hypervisor's mapping of them, so the figure is this machine's,"
			echo "not bare metal's."
		fi
	fi
	echo
	if [[ $rc = 0 ]]; then
		echo "Only shop.slice, which has a policy, was fed: its hot set went into huge pages under THP 'never';"
		echo "batch.service, with the same hot set and no policy, stayed in small pages."
	else
		echo "demo FAILED (exit $rc): see $out/console.log"
	fi
	echo "Total time: $(( (SECONDS - t0) / 60 )) min $(( (SECONDS - t0) % 60 )) s"
} | tee "$out/summary.txt"
exit $rc
