#!/bin/bash
# Builds the damon-hugepage test kernel: Debian's linux-source-6.12 with the
# series in kernel/patches/ applied, configured from tinyconfig plus
# kernel/config/test.config.  The result is cached by the content of the
# source tarball, the patches, the config fragment and this script, so a
# second run with nothing changed takes seconds.
#
# Usage: kernel/build.sh [--print-dir] [--no-deps]
#   Prints progress on stderr and, last, the build directory on stdout:
#   DIR/bzImage is the kernel, DIR/config its .config, DIR/src the patched
#   source tree (for checkpatch and the selftests).
# Environment: HP_CACHE (default /var/cache/damon-hugepage), HP_JOBS.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${HP_CACHE:-/var/cache/damon-hugepage}
tarball=/usr/src/linux-source-6.12.tar.xz
jobs=${HP_JOBS:-$(nproc)}
deps=1
for arg in "$@"; do
	case $arg in
	--no-deps) deps=0 ;;
	--print-dir) ;;
	*) echo "build.sh: unknown argument '$arg'" >&2; exit 2 ;;
	esac
done

log() { echo "kernel/build.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $deps = 1 ]] && "$top/tools/deps.sh" kernel
[[ -r $tarball ]] || die "$tarball missing (apt-get install linux-source-6.12)"

series=$top/kernel/patches/series
fragment=$top/kernel/config/test.config
mapfile -t patches < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$series")

# The tarball is identified by its package version and size rather than
# by hashing 150 MB on every run.
srcid="$(dpkg-query -W -f='${Version}' linux-source-6.12) $(stat -c %s "$tarball")"
hash=$( {
	echo "$srcid"
	cat "$series" "$fragment" "$0"
	for p in "${patches[@]}"; do cat "$top/kernel/patches/$p"; done
} | sha256sum | cut -c1-16)
out=$cache/kernel/$hash

if [[ -f $out/bzImage && -f $out/config && -d $out/src ]]; then
	log "cached: $out"
	echo "$out"
	exit 0
fi

mkdir -p "$cache/kernel"
work=$cache/kernel/.work-$hash
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

log "unpacking $tarball"
tar -C "$work" -xf "$tarball"
src=$work/linux-source-6.12
[[ -d $src ]] || die "unexpected tarball layout: no linux-source-6.12/"

for p in "${patches[@]}"; do
	log "applying $p"
	if ! patch -d "$src" -p1 --batch --forward --quiet < "$top/kernel/patches/$p" >&2; then
		die "patch $p does not apply to $srcid"
	fi
done

log "configuring (tinyconfig + $(basename "$fragment"))"
make -C "$src" -s ARCH=x86_64 tinyconfig >&2
(cd "$src" && ARCH=x86_64 scripts/kconfig/merge_config.sh -m -O . .config "$fragment" >/dev/null)
make -C "$src" -s ARCH=x86_64 olddefconfig >&2
bad=0
while IFS= read -r line; do
	[[ $line =~ ^CONFIG_ ]] || continue
	grep -qx "$line" "$src/.config" || { log "config: '$line' did not stick (unmet dependency?)"; bad=1; }
done < "$fragment"
[[ $bad = 0 ]] || die "config fragment not satisfied"

log "building bzImage with $jobs jobs (about 4 minutes on 2 cores)"
start=$SECONDS
if ! make -C "$src" -s ARCH=x86_64 -j"$jobs" bzImage > "$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log" >&2
	die "kernel build failed (log above)"
fi
log "built in $((SECONDS - start)) s"

rm -rf "$out"
mkdir -p "$out"
cp "$src/arch/x86/boot/bzImage" "$out/bzImage"
cp "$src/.config" "$out/config"
# Keep the source (not the objects) for checkpatch and the selftests.
make -C "$src" -s ARCH=x86_64 clean >&2
mv "$src" "$out/src"
log "kernel: $out/bzImage"
echo "$out"
