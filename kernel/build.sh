#!/bin/bash
# Builds a damon-hugepage test kernel: a Debian linux-source tree, with its
# series (kernel/linux-VERSION/series) applied or stock, configured from
# tinyconfig plus kernel/config/base.config and the flavour's fragment.
#
# Flavours (kernel/config/): test, the default (boot.config + base.config:
# DAMON as an operator's kernel has it; every behaviour test and the
# benchmark run on it), kunit (boot.config + kunit.config: a small kernel
# with DAMON's KUnit suites, which change DAMON itself: KUnit only), debug
# (the test kernel plus lockdep, KASAN, kmemleak, atomic-sleep checks).
#
# Each result is cached by content: the source package, the patches, the
# fragments and the build steps below.  Objects are kept, so that a build
# that differs from a cached one only in a few files (the patched 7.3
# against the stock one) recompiles only those:
# the source of every build of one tree is unpacked at the same path,
# where the objects' dependency files expect it, the objects of every
# build of one tree and flavour are built at the same path too, and
# patched files are newer than the objects they invalidate.
#
# Usage: kernel/build.sh [--tree 6.12|7.3] [--stock] [--flavor test|kunit|debug]
#                        [--no-deps] [--print-dir]
#   Prints progress on stderr and, last, the build directory on stdout:
#   DIR/bzImage is the kernel, DIR/config its .config, DIR/src the source
#   it was built from (for checkpatch and the selftests), DIR/obj the objects.
# Environment: HP_CACHE (default /var/cache/damon-hugepage), HP_JOBS.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${HP_CACHE:-/var/cache/damon-hugepage}
jobs=${HP_JOBS:-$(nproc)}
tree=6.12 stock=0 flavor=test deps=1
while [[ $# -gt 0 ]]; do
	case $1 in
	--tree) tree=$2; shift 2 ;;
	--stock) stock=1; shift ;;
	--flavor) flavor=$2; shift 2 ;;
	--no-deps) deps=0; shift ;;
	--print-dir) shift ;;
	*) echo "build.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

log() { echo "kernel/build.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

tdir=$top/kernel/linux-$tree
[[ -d $tdir ]] || die "no kernel/linux-$tree: trees are $(cd "$top/kernel" && echo linux-* | sed 's/linux-//g')"
# fragments_of FLAVOR: the config fragments, in merge order.
fragments_of() {
	local c=$top/kernel/config
	case $1 in
	test) echo "$c/boot.config $c/base.config" ;;
	kunit) echo "$c/boot.config $c/kunit.config" ;;
	debug) echo "$c/boot.config $c/base.config $c/debug.config" ;;
	*) return 1 ;;
	esac
}
read -ra fragments < <(fragments_of "$flavor") || die "unknown flavour '$flavor' (test, kunit, debug)"

[[ $deps = 1 ]] && "$top/tools/deps.sh" kernel
IFS=$'\t' read -r tarball srcver < <("$top/kernel/source.sh" "$tree") || die "no source for Linux $tree"

patches=()
if [[ $stock = 0 && -f $tdir/series ]]; then
	mapfile -t patches < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$tdir/series")
fi

# build_tree SRC OBJ: configure and build in OBJ (objects there may come
# from a related cached build).  Its text is part of the cache key.
build_tree() {
	local src=$1 obj=$2 line sym bad=0
	make -C "$src" O="$obj" -s ARCH=x86_64 tinyconfig >&2
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}" > /dev/null
	make -C "$src" O="$obj" -s ARCH=x86_64 olddefconfig >&2
	while IFS= read -r line; do
		[[ $line =~ ^CONFIG_([A-Za-z0-9_]+)= ]] || continue
		sym=${BASH_REMATCH[1]}
		grep -qx "$line" "$obj/.config" && continue
		if ! grep -rqs --include='Kconfig*' -E "^(menu)?config $sym\$" "$src"; then
			log "config: $sym does not exist in this tree, skipped"
			continue
		fi
		log "config: '$line' did not stick (unmet dependency?)"
		bad=1
	done < <(cat "${fragments[@]}")
	[[ $bad = 0 ]] || die "config fragments not satisfied"
	make -C "$src" O="$obj" -s ARCH=x86_64 -j"$jobs" bzImage
}

# The tarball is identified by its package version and size rather than
# by hashing 150 MB on every run.
key() {	# key FLAVOR STOCK: the cache key of a build of this tree
	{
		echo "$tree $srcver $(stat -c %s "$tarball") flavor=$1"
		[[ $2 = 1 ]] || for p in "${patches[@]}"; do cat "$tdir/$p"; done
		cat $(fragments_of "$1")
		declare -f build_tree
	} | sha256sum | cut -c1-16
}
hash=$(key "$flavor" "$stock")
out=$cache/kernel/$hash
label="Linux $tree ($srcver) $([[ $stock = 1 ]] && echo stock || echo "with $tdir/series"), $flavor"

if [[ -f $out/bzImage && -f $out/config && -d $out/src ]]; then
	log "cached: $label: $out"
	echo "$out"
	exit 0
fi

# patched_files PATCH...: the files the patches change, add or remove
patched_files() {
	sed -n -e 's|^+++ b/||p' -e 's|^--- a/||p' "$@" | sed 's/\t.*//' | sort -u
}

# One build per tree at a time: they share the source path.
mkdir -p "$cache/kernel"
exec 9> "$cache/kernel/.lock-$tree"
flock 9
if [[ -f $out/bzImage && -f $out/config && -d $out/src ]]; then
	log "cached: $label: $out"
	echo "$out"
	exit 0
fi

# The build whose objects this one starts from: the last build of this
# tree and flavour, if its objects were built where this one's will be
# (it lists the files it patched), else the stock tree's for a patched
# one, if that was built.  (The flavours differ in options that nearly
# every file sees, CONFIG_KUNIT in struct task_struct and KASAN's compiler
# flags among them: they gain nothing from each other's objects.)
parent=
last=$(cat "$cache/kernel/.last-$tree-$flavor" 2>/dev/null || true)
if [[ -n $last && -f $cache/kernel/$last/patched-files && -d $cache/kernel/$last/obj ]]; then
	parent=$cache/kernel/$last
elif [[ $stock = 0 && ${#patches[@]} -gt 0 && -d $cache/kernel/$(key "$flavor" 1)/obj ]]; then
	parent=$cache/kernel/$(key "$flavor" 1)
fi
src=$cache/kernel/linux-$tree
work=$cache/kernel/.work-$hash
rm -rf "$src" "$work"
mkdir -p "$src" "$work"
trap 'rm -rf "$work"' EXIT

log "unpacking $tarball"
tar -C "$src" -xf "$tarball" --strip-components=1
for p in "${patches[@]}"; do
	log "applying $p"
	patch -d "$src" -p1 --batch --forward --quiet < "$tdir/$p" >&2 ||
		die "patch $p does not apply to $srcver"
done
# Every file that this build or its parent patched is newer than the
# parent's objects, so that what differs between the two recompiles.
touched=$work/patched-files
[[ ${#patches[@]} -gt 0 ]] && patched_files "${patches[@]/#/$tdir/}" > "$touched"
touch "$touched"
if [[ -n $parent ]]; then
	# (the stock tree's build lists none)
	sort -u "$touched" $([[ -f $parent/patched-files ]] && echo "$parent/patched-files") |
		(cd "$src" && xargs -r -d '\n' touch -c --)
fi

# The objects are built at one path per tree and flavour, as the source
# is: objtool and the host programs record the absolute path of the
# object directory, and objects built elsewhere would all be rebuilt.
obj=$cache/kernel/.obj-$tree-$flavor
rm -rf "$obj"
trap 'rm -rf "$work" "$obj"' EXIT
if [[ -n $parent && -d $parent/obj ]]; then
	log "starting from the objects of $parent"
	cp -a "$parent/obj" "$obj"
else
	mkdir -p "$obj"
fi
log "building $label with $jobs jobs (a cold build takes 10-15 minutes on 2 cores)"
start=$SECONDS
if ! build_tree "$src" "$obj" > "$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log" >&2
	die "kernel build failed (log above)"
fi
log "built in $((SECONDS - start)) s"

cp "$obj/arch/x86/boot/bzImage" "$work/bzImage"
cp "$obj/.config" "$work/config"
mv "$obj" "$work/obj"
# The source as built, by hard links: the next unpack makes new files.
cp -al "$src" "$work/src"
rm -rf "$out"
mv "$work" "$out"
trap - EXIT
echo "$hash" > "$cache/kernel/.last-$tree-$flavor"
log "kernel: $out/bzImage"
echo "$out"
