#!/bin/bash
# Installs the Debian 12 packages the project needs, only those missing.
# Usage: tools/deps.sh [kernel] [vm] [user] [sysvm] [package] [fuzz] [bench]
#   (no argument: kernel vm user sysvm package; tests/run adds fuzz,
#   tools/bench/run bench)
# package: what dpkg-buildpackage needs to build the hugepaged .deb (its
# debian/control Build-Depends are the user group plus debhelper), lintian
# to check it, and the Prometheus parser the metrics unit test runs.
set -euo pipefail

declare -A groups=(
	[kernel]="linux-source-6.12 build-essential bc bison flex libelf-dev libssl-dev xz-utils cpio kmod perl python3"
	[vm]="qemu-system-x86 busybox-static cpio gzip bash grep procps python3-minimal libpython3.11-stdlib libc6-dev"
	[user]="meson ninja-build pkg-config gcc libc6-dev libcmocka-dev libsystemd-dev libcgroup-dev systemd groff-base"
	[bench]="gnuplot-nox"
	# libFuzzer, ASan and UBSan (tools/fuzz, the sanitizer runs of tests/run);
	# llvm-14 for llvm-symbolizer, so that sanitizer reports name lines.
	[fuzz]="clang-14 libclang-rt-14-dev llvm-14"
	[sysvm]="debootstrap debian-archive-keyring e2fsprogs tar"
	[package]="debhelper dpkg-dev fakeroot lintian python3-prometheus-client bash-completion"
)

want=()
for g in "${@:-kernel vm user sysvm package}"; do
	for name in $g; do
		[[ -n "${groups[$name]:-}" ]] || { echo "deps.sh: unknown group '$name'" >&2; exit 2; }
		want+=(${groups[$name]})
	done
done

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
