#!/bin/bash
# Finds the source tarball of a Debian linux-source package and prints
# "TARBALL<TAB>VERSION".  The 6.12 LTS package is in Debian 12's own
# archive and is installed with apt.  Newer ones (7.3 in trixie-backports,
# 7.2 in sid) are downloaded, not installed: with a side apt configuration
# that lists only that suite, at the URI of the machine's own configured
# Debian archive (so no host name is written here), and nothing else on
# the machine is upgraded.  The .deb is unpacked into $HP_CACHE/source.
#
# Usage: kernel/source.sh 6.12|7.3|7.2
# Environment: HP_CACHE (default /var/cache/damon-hugepage).
set -euo pipefail

ver=${1:?usage: kernel/source.sh VERSION}
cache=${HP_CACHE:-/var/cache/damon-hugepage}
pkg=linux-source-$ver

say() { echo "kernel/source.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

case $ver in
6.12) suite= ;;
7.3) suite=trixie-backports ;;
7.2) suite=sid ;;
*) die "no Debian package known for Linux $ver" ;;
esac

if [[ -z $suite ]]; then
	tarball=/usr/src/$pkg.tar.xz
	if [[ ! -r $tarball ]]; then
		say "installing $pkg"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends "$pkg" >&2 ||
			{ apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "$pkg" >&2; } ||
			die "apt-get install $pkg failed"
	fi
	printf '%s\t%s\n' "$tarball" "$(dpkg-query -W -f='${Version}' "$pkg")"
	exit 0
fi

dir=$cache/source/$pkg
if [[ -f $dir/version && -r $dir/$pkg.tar.xz ]]; then
	printf '%s\t%s\n' "$dir/$pkg.tar.xz" "$(cat "$dir/version")"
	exit 0
fi

# The machine's own Debian archive: the URI that serves its release.
. /etc/os-release
uri=$(apt-get indextargets --no-release-info --format '$(RELEASE) $(COMPONENT) $(REPO_URI)' \
	'Identifier: Packages' | awk -v rel="$VERSION_CODENAME" '$1 == rel && $2 == "main" { print $3; exit }')
[[ -n $uri ]] || die "no apt source for Debian $VERSION_CODENAME main is configured"

mkdir -p "$cache/source"
exec 9> "$cache/source/.lock"
flock 9
if [[ -f $dir/version && -r $dir/$pkg.tar.xz ]]; then
	printf '%s\t%s\n' "$dir/$pkg.tar.xz" "$(cat "$dir/version")"
	exit 0
fi
apt=$(mktemp -d)
trap 'rm -rf "$apt"' EXIT
mkdir -p "$apt"/{lists/partial,archives/partial,parts,prefs}
cat > "$apt/parts/side.sources" <<EOF
Types: deb
URIs: $uri
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
aptopts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/parts"
	-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$apt/prefs"
	-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt" -o Dir::Cache::Archives="$apt/archives"
	-o Dir::State::status=/dev/null -o APT::Sandbox::User=root -q)
say "fetching $pkg from $uri $suite"
apt-get "${aptopts[@]}" update >&2 || die "apt-get update of $uri $suite failed"
(cd "$apt" && apt-get "${aptopts[@]}" download "$pkg" >&2) || die "apt-get download $pkg failed"
deb=$(ls "$apt"/"${pkg}"_*.deb)
version=$(dpkg-deb -f "$deb" Version)
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
dpkg-deb --fsys-tarfile "$deb" | tar -C "$dir.tmp" -x --strip-components=3 "./usr/src/$pkg.tar.xz"
[[ -r $dir.tmp/$pkg.tar.xz ]] || die "$deb holds no /usr/src/$pkg.tar.xz"
echo "$version" > "$dir.tmp/version"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
say "$pkg $version: $dir/$pkg.tar.xz"
printf '%s\t%s\n' "$dir/$pkg.tar.xz" "$version"
