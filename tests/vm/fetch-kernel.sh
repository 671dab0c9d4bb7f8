#!/bin/sh
# Fetches a Debian kernel without installing it: apt-get download through a
# private apt configuration (own sources list, state and cache per suite,
# so the host's apt is left untouched), then dpkg -x.
#
# Usage: tests/vm/fetch-kernel.sh CACHE SUITE PACKAGE
#   PACKAGE is a concrete image (linux-image-6.1.0-50-amd64), a
#   metapackage (linux-image-amd64, linux-image-6.12-amd64) or a glob
#   (linux-image-6.18.*+deb13-amd64) that picks the newest match.
# Prints the directory holding vmlinuz and config on stdout.
# NSTRACE_VM_MIRROR and NSTRACE_VM_SECURITY_MIRROR override the archive
# URIs, which are otherwise taken from the host's apt sources.
set -eu

[ $# -eq 3 ] || { echo "usage: $0 CACHE SUITE PACKAGE" >&2; exit 2; }
cache=$1 suite=$2 package=$3
root=$cache/apt/$suite
lists_max_age_min=1440

say() { echo "fetch-kernel: $*" >&2; }

# The first URI in the host's apt sources whose path ends in /$1.
host_archive() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		sed -n -e 's/^URIs:[[:space:]]*//p' \
			-e 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]*\).*/\2/p' "$f"
	done | tr ' ' '\n' | grep -E "/$1/?\$" | head -n 1
}

case $suite in
*-security) uri=${NSTRACE_VM_SECURITY_MIRROR:-$(host_archive debian-security)} ;;
*) uri=${NSTRACE_VM_MIRROR:-$(host_archive debian)} ;;
esac
if [ -z "$uri" ]; then
	say "no Debian archive for $suite in the host's apt sources; set NSTRACE_VM_MIRROR / NSTRACE_VM_SECURITY_MIRROR"
	exit 1
fi

mkdir -p "$root/lists/partial" "$root/archives/partial" "$root/parts" "$cache/kernels"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" >"$root/sources.list"
[ -e "$root/status" ] || : >"$root/status"

papt() {
	tool=$1
	shift
	"$tool" -q \
		-o Dir::Etc::SourceList="$root/sources.list" \
		-o Dir::Etc::SourceParts="$root/parts" \
		-o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts="$root/parts" \
		-o Dir::State::Lists="$root/lists" \
		-o Dir::State::status="$root/status" \
		-o Dir::Cache="$root" \
		-o Dir::Cache::archives="$root/archives" \
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root \
		-o APT::Architecture=amd64 -o APT::Architectures=amd64 \
		-o Acquire::Languages=none \
		"$@"
}

if ! find "$root/lists" -maxdepth 1 -name '*_Packages*' -mmin "-$lists_max_age_min" | grep -q .; then
	say "updating the package lists of $suite"
	if ! papt apt-get update >&2; then
		find "$root/lists" -maxdepth 1 -name '*_Packages*' | grep -q . || exit 1
		say "update failed; using the lists of the last update"
	fi
fi

is_concrete() {
	echo "$1" | grep -Eq '^linux-image-[0-9]+\.[0-9]+\.[0-9]+'
}

image=$package
case $image in
*\**)
	prefix=${image%%\**}
	image=$(papt apt-cache pkgnames "$prefix" | while read -r name; do
		# shellcheck disable=SC2254
		case $name in $package) echo "$name" ;; esac
	done | sort -V | tail -n 1)
	;;
esac
for _ in 1 2 3; do
	is_concrete "$image" && break
	image=$(papt apt-cache depends "$image" | sed -n 's/^ *Depends: \(linux-image-[^ <]*\)$/\1/p' | head -n 1)
done
if [ -z "$image" ] || ! is_concrete "$image"; then
	say "$suite has no kernel image for $package"
	exit 1
fi
abi=${image#linux-image-}
version=$(papt apt-cache show --no-all-versions "$image" | sed -n 's/^Version: //p' | head -n 1)
dest=$cache/kernels/${image}_$version
if [ -s "$dest/vmlinuz" ]; then
	echo "$dest"
	exit 0
fi

work=$(mktemp -d "$cache/kernels/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "downloading $image $version from $suite"
(cd "$work" && papt apt-get download "$image" >&2)
dpkg -x "$work"/linux-image-*.deb "$work/root"
# From 7.x on linux-image-<ABI> is an empty stub: the image is in
# linux-binary-<ABI> and the config in linux-base-<ABI>, both under
# /usr/lib/modules/<ABI>/ instead of /boot.
if [ -e "$work/root/boot/vmlinuz-$abi" ]; then
	vmlinuz=$work/root/boot/vmlinuz-$abi config=$work/root/boot/config-$abi
else
	(cd "$work" && papt apt-get download "linux-binary-$abi" "linux-base-$abi" >&2)
	for deb in "$work"/linux-binary-*.deb "$work"/linux-base-*.deb; do
		dpkg -x "$deb" "$work/root"
	done
	vmlinuz=$work/root/usr/lib/modules/$abi/vmlinuz config=$work/root/usr/lib/modules/$abi/config
fi
mkdir -p "$work/out"
mv "$vmlinuz" "$work/out/vmlinuz"
mv "$config" "$work/out/config"
rm -rf "$dest"
mv "$work/out" "$dest"
echo "$dest"
