#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-images/kernel.sh NAME     (NAME: 6.1 | 6.12 | debug)
#
# Resolve a guest kernel and print, as shell assignments (eval-able):
#   KNAME=...    the lane name
#   KVER=...     the kernel release (uname -r in the guest)
#   VMLINUZ=...  the kernel image to boot
#   MODDIR=...   its /lib/modules/KVER directory ("" if it has none)
#   KDIR=...     the build tree to build out-of-tree modules against
#   CMDLINE_EXTRA=...  kernel parameters the guest must boot with
#
# 6.1 / 6.12: the Debian kernel package behind linux-image-amd64 /
# linux-image-6.12-amd64 is downloaded (apt-get download) into
# $COK_CACHE/kernels and unpacked with dpkg-deb -x; it is never
# installed on the host.  The headers package of exactly the same
# version is installed (that is only /usr/src and /lib/modules/*/build).
#
# debug: delegates to qemu-images/debug-kernel.sh, which prints
# BZIMAGE=... and KDIR=... (optionally MODDIR=... and CMDLINE_EXTRA=...).
set -euo pipefail
# The braces make bash read the whole script before running it, so that
# editing it while it runs (another checkout, a long check) is harmless.
{

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${COK_CACHE:-/var/cache/ckpt_cokernel}/kernels
NAME=${1:-}

die() { echo "kernel.sh: $*" >&2; exit 1; }

case "$NAME" in
6.1)  META=linux-image-amd64 ;;
6.12) META=linux-image-6.12-amd64 ;;
debug)
	[ -x "$HERE/debug-kernel.sh" ] ||
		die "debug lane: qemu-images/debug-kernel.sh does not exist yet"
	out=$("$HERE/debug-kernel.sh") || die "debug lane: debug-kernel.sh failed"
	BZIMAGE=$(sed -n 's/^BZIMAGE=//p' <<<"$out" | tail -n1)
	KDIR=$(sed -n 's/^KDIR=//p' <<<"$out" | tail -n1)
	MODDIR=$(sed -n 's/^MODDIR=//p' <<<"$out" | tail -n1)
	CMDLINE_EXTRA=$(sed -n 's/^CMDLINE_EXTRA=//p' <<<"$out" | tail -n1)
	[ -n "$BZIMAGE" ] && [ -f "$BZIMAGE" ] || die "debug lane: no BZIMAGE from debug-kernel.sh"
	[ -n "$KDIR" ] && [ -d "$KDIR" ] || die "debug lane: no KDIR from debug-kernel.sh"
	KVER=$(make -s -C "$KDIR" kernelrelease 2>/dev/null || cat "$KDIR/include/config/kernel.release" 2>/dev/null || true)
	printf 'KNAME=%q\nKVER=%q\nVMLINUZ=%q\nMODDIR=%q\nKDIR=%q\nCMDLINE_EXTRA=%q\n' \
		debug "$KVER" "$BZIMAGE" "$MODDIR" "$KDIR" "$CMDLINE_EXTRA"
	exit 0
	;;
*) die "usage: kernel.sh 6.1|6.12|debug" ;;
esac

apt_resolve() {
	# The versioned image package the meta package depends on.
	apt-cache depends "$META" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1
}

PKG=$(apt_resolve)
if [ -z "$PKG" ]; then
	apt-get update -qq >&2 || true
	PKG=$(apt_resolve)
fi
[ -n "$PKG" ] || die "cannot resolve $META (apt-cache depends)"
PKGVER=$(apt-cache policy "$PKG" | sed -n 's/^ *Candidate: //p')
[ -n "$PKGVER" ] && [ "$PKGVER" != "(none)" ] || die "no candidate version for $PKG"
KVER=${PKG#linux-image-}
KVER=${KVER%-unsigned}

DIR=$CACHE/$PKG\_$PKGVER
if [ ! -f "$DIR/.done" ]; then
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.dl.XXXXXX")
	chmod 755 "$CACHE" "$tmp"
	id _apt >/dev/null 2>&1 && chown _apt "$tmp" 2>/dev/null || true
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -qq "$PKG=$PKGVER" >&2) || {
		# Stale package lists: refresh once and resolve again.
		apt-get update -qq >&2 || true
		PKG=$(apt_resolve)
		PKGVER=$(apt-cache policy "$PKG" | sed -n 's/^ *Candidate: //p')
		KVER=${PKG#linux-image-}
		KVER=${KVER%-unsigned}
		DIR=$CACHE/$PKG\_$PKGVER
		(cd "$tmp" && apt-get download -qq "$PKG=$PKGVER" >&2)
	} || die "apt-get download $PKG=$PKGVER failed"
	deb=$(ls "$tmp"/*.deb | head -n1)
	mkdir -p "$tmp/x"
	dpkg-deb -x "$deb" "$tmp/x"
	rm -rf "$DIR"
	mv "$tmp/x" "$DIR"
	touch "$DIR/.done"
fi

VMLINUZ=$DIR/boot/vmlinuz-$KVER
MODDIR=$DIR/lib/modules/$KVER
[ -f "$VMLINUZ" ] || die "no $VMLINUZ in $PKG"
[ -d "$MODDIR" ] || die "no $MODDIR in $PKG"
if [ ! -f "$MODDIR/modules.dep" ]; then
	# Debian generates modules.dep in postinst; do it for the unpacked tree.
	depmod -b "$DIR" "$KVER" >&2 || die "depmod failed for $KVER"
fi

# Headers of exactly the image's version.
HDR=linux-headers-$KVER
hv=$(dpkg-query -W -f='${Version}' "$HDR" 2>/dev/null || true)
if [ "$hv" != "$PKGVER" ]; then
	[ "$(id -u)" -eq 0 ] || die "$HDR=$PKGVER is not installed (have '${hv:-none}'); run as root"
	echo "kernel.sh: installing $HDR=$PKGVER" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"$HDR=$PKGVER" >/dev/null </dev/null || {
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			"$HDR=$PKGVER" >/dev/null </dev/null
	} || die "cannot install $HDR=$PKGVER"
fi
KDIR=/usr/src/linux-headers-$KVER
[ -f "$KDIR/Makefile" ] || die "$KDIR is not a kernel build tree"

printf 'KNAME=%q\nKVER=%q\nVMLINUZ=%q\nMODDIR=%q\nKDIR=%q\nCMDLINE_EXTRA=\n' \
	"$NAME" "$KVER" "$VMLINUZ" "$MODDIR" "$KDIR"
exit
}
