#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/dkms.sh: DKMS builds ckpt_cokernel.ko, with the co-kernel image
# embedded, for each Debian kernel whose headers are installed (6.1 and
# 6.12), from the sources "make dkms-source" lays out -- in a temporary
# DKMS tree (dkms --dkmstree/--sourcetree), so nothing is installed on
# this host: no /usr/src entry, no /var/lib/dkms entry, no module under
# /lib/modules, and no signing key (sign_file points nowhere).
# One PASS/FAIL line per kernel.
set -uo pipefail
# Under make check, a make of DKMS's own would print "make[1]: Entering
# directory" into the compiler name it asks the kernel for (see the
# top-level Makefile's DKMS).
unset MAKEFLAGS MAKELEVEL MFLAGS
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/cok-dkms.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL dkms/$1: $2"; }

if ! command -v dkms >/dev/null; then
	fail build "dkms not installed (qemu-images/deps.sh installs it)"
	exit 1
fi
VER=$(sed -n 's/^#define COKCTL_VERSION[[:space:]]*"\(.*\)"/\1/p' "$ROOT/userland/cokctl.h")
if ! make -s -C "$ROOT" dkms-source DESTDIR="$T/root" >"$T/source.log" 2>&1; then
	fail source "make dkms-source: $(tail -n 1 "$T/source.log")"
	exit 1
fi
mkdir -p "$T/dkms"
export sign_file=/nonexistent	# dkms: do not sign, make no key
D=(--sourcetree "$T/root/usr/src" --dkmstree "$T/dkms")
if ! dkms add -m ckpt_cokernel -v "$VER" "${D[@]}" >"$T/add.log" 2>&1; then
	fail add "dkms add: $(tail -n 1 "$T/add.log")"
	exit 1
fi
rc=0
kernels=$(ls -d /usr/src/linux-headers-6.1.0-*-amd64 /usr/src/linux-headers-6.12*-amd64 2>/dev/null | sed 's|.*/linux-headers-||')
[ -n "$kernels" ] || { fail build "no 6.1 or 6.12 headers under /usr/src"; exit 1; }
for k in $kernels; do
	t0=$(date +%s)
	if ! dkms build -m ckpt_cokernel -v "$VER" -k "$k" "${D[@]}" >"$T/build-$k.log" 2>&1; then
		fail "$k" "dkms build failed: $(grep -m1 -iE 'error' "$T/build-$k.log" "$T"/dkms/ckpt_cokernel/"$VER"/build/make.log 2>/dev/null | cut -c1-200)"
		rc=1; continue
	fi
	# dkms compresses it as the kernel's own modules are (6.12: xz).
	ko=$(ls "$T/dkms/ckpt_cokernel/$VER/$k/x86_64/module/ckpt_cokernel.ko"* 2>/dev/null | head -n 1)
	if [ -z "$ko" ]; then
		fail "$k" "no ckpt_cokernel.ko after dkms build"; rc=1; continue
	fi
	case $ko in *.xz) xz -dc "$ko" >"$T/m.ko" ;; *) cp "$ko" "$T/m.ko" ;; esac
	magic=$(modinfo -F vermagic "$T/m.ko" 2>/dev/null | cut -d' ' -f1)
	# The co-kernel image it embeds: cok_image_start..cok_image_end.
	nm "$T/m.ko" >"$T/nm"
	s=$(awk '$3 == "cok_image_start" { print $1 }' "$T/nm")
	e=$(awk '$3 == "cok_image_end" { print $1 }' "$T/nm")
	img=
	[ -n "$s" ] && [ -n "$e" ] && img=$(( 16#$e - 16#$s ))
	if [ "$magic" != "$k" ]; then
		fail "$k" "vermagic '$magic', want $k"; rc=1
	elif [ "${img:-0}" -lt 4096 ]; then
		fail "$k" "the module embeds no co-kernel image (cok_image_start..end: ${img:-none} bytes)"; rc=1
	else
		echo "PASS dkms/$k (${ko##*/}, co-kernel image $img bytes, $(( $(date +%s) - t0 )) s)"
	fi
done
# Nothing of this run outside $T.
left=$(ls -d /var/lib/dkms/ckpt_cokernel /usr/src/ckpt_cokernel-"$VER" 2>/dev/null)
if [ -n "$left" ]; then
	fail host-untouched "left behind: $left"; rc=1
else
	echo "PASS dkms/host-untouched"
fi
exit $rc
