#!/bin/sh
# Packs the guest's root: busybox-static, tests/vm/init and the static
# binaries given, into a gzip'd newc initramfs.
# Usage: tests/vm/mkinitramfs.sh OUT BINARY...
set -eu

[ $# -ge 2 ] || { echo "usage: $0 OUT BINARY..." >&2; exit 2; }
out=$1
shift
busybox=${BUSYBOX:-/bin/busybox}
# A dynamic busybox finds no C library in the guest and init dies before a word.
if readelf -l "$busybox" | grep -q INTERP; then
	echo "mkinitramfs: $busybox is not a static busybox (install busybox-static)" >&2
	exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" \
	"$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp"
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$(dirname "$0")/init" "$stage/init"
# The guest knows each binary by its plain name: nstrace-it-static is nstrace-it.
for bin in "$@"; do
	cp "$bin" "$stage/bin/$(basename "$bin" -static)"
done
# mktemp -d made the root 0700; the driver runs nstrace as nobody too.
chmod 755 "$stage" "$stage/init" "$stage/bin"/*

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . | sort | "$busybox" cpio -o -H newc 2>/dev/null) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
