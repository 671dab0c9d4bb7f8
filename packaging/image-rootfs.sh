#!/bin/sh
# The root file system of the image: nstrace in /usr/sbin and the shared
# libraries it loads (ldd's closure, the dynamic loader among them), nothing else.
# A static nstrace cannot serve --metrics: Debian's libmicrohttpd is built with
# GnuTLS, whose p11-kit has no static library.
# Usage: packaging/image-rootfs.sh NSTRACE DIR
set -eu
nstrace=$1 dir=$2
rm -rf "$dir"
mkdir -p "$dir/usr/sbin"
strip -o "$dir/usr/sbin/nstrace" "$nstrace"
ldd "$nstrace" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
	# as the loader finds it: by the path ldd named, the file behind any symlink
	mkdir -p "$dir$(dirname "$lib")"
	cp -L "$lib" "$dir$lib"
done
# the loader's path in the ELF header must resolve whatever ldd printed
interp=$(readelf -l "$nstrace" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[ -e "$dir$interp" ] || { mkdir -p "$dir$(dirname "$interp")" && cp -L "$interp" "$dir$interp"; }
