#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/deb.sh: the Debian packages build from a clean clone of the
# committed tree (dpkg-buildpackage -us -uc -b, in a temporary
# directory), lintian finds no error in them, and each holds what it
# must: ckpt-cokernel-dkms the module's sources and dkms.conf with its
# version, postinst/prerm calling DKMS; cokctl the CLI, cokctl(8), the
# bash completion, and the udev rule only as an example (nothing under
# /lib/udev or /etc/udev).  Nothing is installed on this host.
# COK_DEB_OUT=DIR keeps the two .deb files there (make check hands them
# to tests/site.sh).
# One PASS/FAIL line per case.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/cok-deb.XXXXXX)
trap 'rm -rf "$T"' EXIT
rc=0
pass() { echo "PASS deb/$1"; }
fail() { echo "FAIL deb/$1: $2"; rc=1; }

for t in dpkg-buildpackage lintian dh_dkms git; do
	command -v $t >/dev/null || { fail build "$t not installed (qemu-images/deps.sh installs it)"; exit 1; }
done
if ! git clone -q "$ROOT" "$T/src" 2>"$T/clone.err"; then
	fail build "git clone: $(head -n 1 "$T/clone.err")"
	exit 1
fi
if ! (cd "$T/src" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
	fail build "dpkg-buildpackage: $(grep -m1 -iE 'error|failed' "$T/build.log" | cut -c1-200)"
	exit 1
fi
VER=$(cd "$T/src" && dpkg-parsechangelog -S Version)
DKMS=$T/ckpt-cokernel-dkms_${VER}_all.deb
CLI=$(ls "$T"/cokctl_"${VER}"_*.deb 2>/dev/null | head -n 1)
[ -f "$DKMS" ] && [ -n "$CLI" ] && pass build || { fail build "missing .deb: $(ls "$T")"; exit 1; }
if [ -n "${COK_DEB_OUT:-}" ]; then
	rm -rf "$COK_DEB_OUT"
	mkdir -p "$COK_DEB_OUT" && cp "$DKMS" "$CLI" "$COK_DEB_OUT/"
fi

lintian --tag-display-limit 0 "$T"/*.changes >"$T/lintian.txt" 2>&1
if grep -q '^E: ' "$T/lintian.txt"; then
	fail lintian "$(grep -c '^E: ' "$T/lintian.txt") errors, first: $(grep -m1 '^E: ' "$T/lintian.txt")"
else
	pass lintian
	grep -E '^W: ' "$T/lintian.txt" | sed 's/^/    lintian: /'
fi

# has DEB PATH...: every PATH is in the package DEB.
has() {
	local deb=$1 p miss=
	shift
	dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||' >"$T/list"
	for p in "$@"; do grep -qx "$p" "$T/list" || miss="$miss $p"; done
	echo "$miss"
}
SRC=/usr/src/ckpt_cokernel-$VER
miss=$(has "$DKMS" $SRC/dkms.conf $SRC/Makefile $SRC/Kbuild $SRC/kmod/main.c \
	$SRC/cokernel/Makefile $SRC/cokernel/cokernel.ld $SRC/xemem/channel.h)
dpkg-deb -x "$DKMS" "$T/dkms-root"
dpkg-deb -e "$DKMS" "$T/dkms-ctl"
if [ -n "$miss" ]; then
	fail dkms-contents "missing:$miss"
elif ! grep -qx "PACKAGE_VERSION=\"$VER\"" "$T/dkms-root$SRC/dkms.conf"; then
	fail dkms-contents "dkms.conf: $(grep PACKAGE_VERSION "$T/dkms-root$SRC/dkms.conf")"
elif find "$T/dkms-root" -name '*.o' -o -name '*.ko' -o -name '*.bin' | grep -q .; then
	fail dkms-contents "build products in the package: $(find "$T/dkms-root" -name '*.o' -o -name '*.ko' -o -name '*.bin' | head -n 3)"
elif ! grep -q 'dkms' "$T/dkms-ctl/postinst" || ! grep -q 'dkms' "$T/dkms-ctl/prerm"; then
	fail dkms-contents "postinst/prerm do not call DKMS"
elif ! dpkg-deb -f "$DKMS" Depends | grep -q dkms; then
	fail dkms-contents "does not depend on dkms: $(dpkg-deb -f "$DKMS" Depends)"
else
	pass dkms-contents
fi

miss=$(has "$CLI" /usr/bin/cokctl /usr/share/man/man8/cokctl.8.gz \
	/usr/share/bash-completion/completions/cokctl \
	/usr/share/doc/cokctl/examples/60-ckpt-cokernel.rules)
dpkg-deb -x "$CLI" "$T/cli-root"
if [ -n "$miss" ]; then
	fail cokctl-contents "missing:$miss"
elif grep -qE '^\./(lib|etc|usr/lib)/udev/' <(dpkg-deb -c "$CLI" | awk '{ print $6 }'); then
	fail cokctl-contents "an active udev rule is installed"
elif grep -q '^/usr/src' "$T/list"; then
	fail cokctl-contents "module sources in cokctl"
elif ! zcat "$T/cli-root/usr/share/man/man8/cokctl.8.gz" | cmp -s - <("$T/cli-root/usr/bin/cokctl" help --man); then
	fail cokctl-contents "the packaged cokctl.8 is not what the packaged cokctl writes"
elif ! "$T/cli-root/usr/bin/cokctl" --version | grep -q "cokctl ${VER%%-*} "; then
	fail cokctl-contents "cokctl --version: $("$T/cli-root/usr/bin/cokctl" --version), package $VER"
else
	pass cokctl-contents
fi
exit $rc
