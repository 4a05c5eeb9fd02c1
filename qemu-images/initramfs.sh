#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-images/initramfs.sh LANE        (LANE: 6.1 | 6.12 | debug)
#
# Builds, for one guest kernel, everything the guest runs and packs it
# into build/LANE/initramfs.cpio.gz:
#   - the project is copied to build/LANE/src (rsync, build products and
#     .git excluded) and built there: `make module KDIR=...` (so that
#     the lanes never clobber each other nor the work tree), userland,
#     nl-malformed, ioctl-fuzz, and the test module tests/ipi_storm;
#   - busybox-static with a symlink per applet, /init (init.sh),
#     the virtio modules the results port needs (from modules.dep), the
#     binaries with the shared libraries ldd lists plus the loader,
#     /etc/passwd with an unprivileged user "cokuser", tests/guest/*,
#     the static test apps of tests/apps in /apps.
# Build verdicts go to build/LANE/build-status as PASS/FAIL/SKIP lines;
# the runner counts them.  A part whose sources are not in the tree yet
# is SKIP; a part whose sources are there but fail to build is FAIL.
#
# Prints the initramfs path on stdout; exits non-zero only if no
# initramfs could be made at all.
set -euo pipefail
# The braces make bash read the whole script before running it, so that
# editing it while it runs (another checkout, a long check) is harmless.
{

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LANE=${1:?usage: initramfs.sh LANE}
B=${COK_BUILD_DIR:-$ROOT/build}/$LANE
OUT=$B/initramfs.cpio.gz
STATUS=$B/build-status
JOBS=$(nproc)

mkdir -p "$B"
: >"$STATUS"
say() { echo "initramfs[$LANE]: $*" >&2; }
verdict() { echo "$*" >>"$STATUS"; }
lastlines() { grep -E 'error|Error|ERROR|No rule|undefined' "$1" | head -n 3 | tr '\n' ' ' | cut -c1-300; }

KERNEL_ENV=$("$ROOT/qemu-images/kernel.sh" "$LANE") || exit 1
eval "$KERNEL_ENV"
say "kernel $KVER, KDIR=$KDIR"

# --- build, out of the source tree -------------------------------------
S=$B/src
mkdir -p "$S"
rsync -a --delete --exclude=/build/ --exclude=/.git/ --filter=':- .gitignore' \
	"$ROOT/" "$S/"

WHY_MODULE= WHY_COKCTL= WHY_NL_MALFORMED= WHY_IPI_STORM= WHY_IOCTL_FUZZ=
KO=
if ls "$ROOT"/kmod/*.c >/dev/null 2>&1; then
	if make -C "$S" -j"$JOBS" module KDIR="$KDIR" >"$B/module.log" 2>&1 &&
	   [ -f "$S/ckpt_cokernel.ko" ]; then
		KO=$S/ckpt_cokernel.ko
		verdict "PASS build/ckpt_cokernel.ko"
	else
		WHY_MODULE="build failed (build/$LANE/module.log)"
		verdict "FAIL build/ckpt_cokernel.ko: make module KDIR=$KDIR failed: $(lastlines "$B/module.log")"
	fi
else
	WHY_MODULE="kmod/ has no sources yet"
	verdict "SKIP build/ckpt_cokernel.ko: $WHY_MODULE"
fi

COKCTL= NLM= IOF=
if [ -f "$ROOT/userland/Makefile" ]; then
	# Static: exec'ing a dynamic cokctl (ld.so, libc, libnl) is most of
	# "cokctl launch hello"'s start-up under TCG.
	if make -C "$S" -j"$JOBS" userland STATIC=1 >"$B/userland.log" 2>&1 &&
	   [ -x "$S/userland/cokctl" ]; then
		COKCTL=$S/userland/cokctl
		verdict "PASS build/cokctl"
	else
		WHY_COKCTL="build failed (build/$LANE/userland.log)"
		verdict "FAIL build/cokctl: make userland failed: $(lastlines "$B/userland.log")"
	fi
	[ -x "$S/userland/nl-malformed" ] && NLM=$S/userland/nl-malformed
	[ -x "$S/userland/ioctl-fuzz" ] && IOF=$S/userland/ioctl-fuzz
else
	WHY_COKCTL="userland/ has no Makefile yet"
	verdict "SKIP build/cokctl: $WHY_COKCTL"
fi
if [ -z "$NLM" ]; then
	if [ -f "$ROOT/tests/nl-malformed.c" ]; then
		# shellcheck disable=SC2046
		if gcc -O2 -Wall -I"$S" -o "$B/nl-malformed" "$S/tests/nl-malformed.c" \
			$(pkg-config --cflags --libs libnl-genl-3.0) >"$B/nl-malformed.log" 2>&1; then
			NLM=$B/nl-malformed
		else
			WHY_NL_MALFORMED="build failed (build/$LANE/nl-malformed.log)"
			verdict "FAIL build/nl-malformed: $(lastlines "$B/nl-malformed.log")"
		fi
	else
		WHY_NL_MALFORMED="tests/nl-malformed.c not in tree yet"
	fi
fi
[ -n "$NLM" ] && verdict "PASS build/nl-malformed"
if [ -n "$IOF" ]; then
	verdict "PASS build/ioctl-fuzz"
elif [ -f "$ROOT/tests/ioctl-fuzz.c" ]; then
	WHY_IOCTL_FUZZ="not built by make userland (build/$LANE/userland.log)"
	verdict "FAIL build/ioctl-fuzz: $WHY_IOCTL_FUZZ"
else
	WHY_IOCTL_FUZZ="tests/ioctl-fuzz.c not in tree yet"
fi

IPI=
if make -C "$KDIR" M="$S/tests/ipi_storm" modules >"$B/ipi_storm.log" 2>&1 &&
   [ -f "$S/tests/ipi_storm/ipi_storm.ko" ]; then
	IPI=$S/tests/ipi_storm/ipi_storm.ko
	verdict "PASS build/ipi_storm.ko"
else
	WHY_IPI_STORM="build failed (build/$LANE/ipi_storm.log)"
	verdict "FAIL build/ipi_storm.ko: $(lastlines "$B/ipi_storm.log")"
fi

# Static test apps for `cokctl launch` (tests/apps/Makefile), into /apps.
APPS= WHY_APPS=
if [ -f "$ROOT/tests/apps/Makefile" ]; then
	if make -C "$S/tests/apps" -j"$JOBS" O="$S/tests/apps/build" >"$B/apps.log" 2>&1; then
		APPS=$S/tests/apps/build
		verdict "PASS build/apps"
	else
		WHY_APPS="build failed (build/$LANE/apps.log)"
		verdict "FAIL build/apps: $(lastlines "$B/apps.log")"
	fi
else
	WHY_APPS="tests/apps/ not in tree yet"
fi

# --- root file system ----------------------------------------------------
R=$B/rootfs
rm -rf "$R"
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,lib/cok,lib/cok-boot,tests,home/cokuser}
BB=/bin/busybox		# busybox-static
ldd "$BB" >/dev/null 2>&1 && { say "$BB is not static (install busybox-static)"; exit 1; }
cp "$BB" "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$R/bin/$a"
done
if [ "$(id -u)" -eq 0 ]; then
	mknod -m 600 "$R/dev/console" c 5 1
	mknod -m 666 "$R/dev/null" c 1 3
fi
install -m 755 "$ROOT/qemu-images/init.sh" "$R/init"
cp "$ROOT"/tests/guest/*.sh "$R/tests/"

# Virtio modules for the virtio-serial ports, in load order.
: >"$R/lib/cok-boot/order"
if [ -n "$MODDIR" ] && [ -f "$MODDIR/modules.dep" ]; then
	declare -A seen=()
	add_mod() {	# path relative to MODDIR
		local rel=$1 base
		[ -n "${seen[$rel]:-}" ] && return 0
		seen[$rel]=1
		base=$(basename "$rel")
		case $base in
		*.ko.xz)  xz -dc "$MODDIR/$rel" >"$R/lib/cok-boot/${base%.xz}"; base=${base%.xz} ;;
		*.ko.zst) zstd -qdc "$MODDIR/$rel" >"$R/lib/cok-boot/${base%.zst}"; base=${base%.zst} ;;
		*.ko.gz)  gzip -dc "$MODDIR/$rel" >"$R/lib/cok-boot/${base%.gz}"; base=${base%.gz} ;;
		*)        cp "$MODDIR/$rel" "$R/lib/cok-boot/$base" ;;
		esac
		echo "$base" >>"$R/lib/cok-boot/order"
	}
	BOOT_MODS="virtio_pci virtio_console virtio_blk"
	# CRIU (make bench) probes nftables and the socket diag modules.
	[ "${COK_WITH_CRIU:-0}" = 1 ] &&
		BOOT_MODS="$BOOT_MODS crc32c_generic nf_tables nft_ct nft_chain_nat nft_compat unix_diag inet_diag tcp_diag udp_diag netlink_diag packet_diag tun"
	for m in $BOOT_MODS; do
		line=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$MODDIR/modules.dep" || true)
		[ -n "$line" ] || continue		# built in
		deps=$(echo "${line#*:}" | xargs -n1 | tac)	# modprobe order
		for d in $deps; do add_mod "$d"; done
		add_mod "${line%%:*}"
	done
fi

# Our modules and binaries.
[ -n "$KO" ] && cp "$KO" "$R/lib/cok/ckpt_cokernel.ko"
[ -n "$IPI" ] && cp "$IPI" "$R/lib/cok/ipi_storm.ko"
copy_bin() {	# SRC NAME
	cp "$1" "$R/usr/bin/$2"
	{ ldd "$1" 2>/dev/null || true; } |	# a static binary has none
	awk '/=> \// { print $3 } /^\t\// { print $1 }' |
	while read -r lib; do
		[ -f "$R$lib" ] && continue
		mkdir -p "$R$(dirname "$lib")"
		cp -L "$lib" "$R$lib"
	done
}
[ -n "$COKCTL" ] && copy_bin "$COKCTL" cokctl
[ -n "$NLM" ] && copy_bin "$NLM" nl-malformed
[ -n "$IOF" ] && copy_bin "$IOF" ioctl-fuzz
# make bench compares with CRIU (Debian's criu) checkpointing on Linux.
if [ "${COK_WITH_CRIU:-0}" = 1 ] && command -v criu >/dev/null; then
	copy_bin "$(command -v criu)" criu
fi
if [ -n "$APPS" ]; then
	mkdir -p "$R/apps"
	cp "$APPS"/* "$R/apps/"
fi

# What tests/site.sh installed as a site would (build/site/KVER): the
# module DKMS built from the ckpt-cokernel-dkms package goes where DKMS
# puts it, with a modules.dep, so that a plain "modprobe ckpt_cokernel"
# finds it; the cokctl package's binary and the libraries it links (the
# Debian root's, loader included) go under /opt/site.  Only when they
# were made from this checkout's HEAD; t-92-site skips without them.
# COK_SITE_REQUIRED=1 (make check) makes their absence a FAIL.
SITE=${COK_SITE_DIR:-$ROOT/build/site}/$KVER
WHY_SITE= SITE_BUILD_ID= SITE_VERSION=
head=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ ! -f "$SITE/ckpt_cokernel.ko" ] || [ ! -x "$SITE/cokctl" ]; then
	WHY_SITE="no DKMS-built module for $KVER (tests/site.sh makes build/site/$KVER)"
elif [ "$(cat "$SITE/rev")" != "$head" ]; then
	WHY_SITE="build/site/$KVER was made from $(cat "$SITE/rev"), HEAD is $head (run tests/site.sh)"
elif ! mkdir -p "$R/lib/modules/$KVER/updates/dkms" ||
     ! cp "$SITE/ckpt_cokernel.ko" "$R/lib/modules/$KVER/updates/dkms/" ||
     ! depmod -b "$R" "$KVER" 2>"$B/depmod.log"; then
	WHY_SITE="depmod -b for the DKMS-built module failed: $(head -n 1 "$B/depmod.log")"
	verdict "FAIL build/site-module: $WHY_SITE"
else
	mkdir -p "$R/opt/site"
	cp -a "$SITE/lib" "$R/opt/site/lib"
	cp "$SITE/cokctl" "$R/opt/site/cokctl.bin"
	# The root's own loader and libraries, whatever this host's are.
	cat >"$R/opt/site/cokctl" <<-'EOF'
	#!/bin/sh
	exec /opt/site/lib/ld-linux-x86-64.so.2 --library-path /opt/site/lib /opt/site/cokctl.bin "$@"
	EOF
	chmod 755 "$R/opt/site/cokctl"
	SITE_BUILD_ID=$(readelf -n "$SITE/ckpt_cokernel.ko" | sed -n 's/^ *Build ID: //p')
	SITE_VERSION=$(cat "$SITE/version")
	verdict "PASS build/site-module ($KVER, DKMS-built in tests/site.sh's Debian root)"
fi
if [ -n "$WHY_SITE" ] && [ -z "$SITE_BUILD_ID" ] && [ "${COK_SITE_REQUIRED:-0}" = 1 ] &&
   [ "$LANE" != debug ] && ! grep -q '^FAIL build/site-module' "$STATUS"; then
	verdict "FAIL build/site-module: $WHY_SITE"
fi

cat >"$R/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
cokuser:x:1000:1000:unprivileged test user:/home/cokuser:/bin/sh
EOF
cat >"$R/etc/group" <<'EOF'
root:x:0:
cokuser:x:1000:
EOF
cat >"$R/etc/shadow" <<'EOF'
root::0:0:99999:7:::
cokuser:!:0:0:99999:7:::
EOF
chmod 600 "$R/etc/shadow"
chown 1000:1000 "$R/home/cokuser"

q() { printf "'%s'" "${1//\'/}"; }
{
	echo "KNAME=$(q "$LANE")"
	echo "KVER=$(q "$KVER")"
	echo "WHY_MODULE=$(q "$WHY_MODULE")"
	echo "WHY_COKCTL=$(q "$WHY_COKCTL")"
	echo "WHY_NL_MALFORMED=$(q "$WHY_NL_MALFORMED")"
	echo "WHY_IPI_STORM=$(q "$WHY_IPI_STORM")"
	echo "WHY_IOCTL_FUZZ=$(q "$WHY_IOCTL_FUZZ")"
	echo "WHY_APPS=$(q "$WHY_APPS")"
	echo "WHY_SITE=$(q "$WHY_SITE")"
	echo "SITE_BUILD_ID=$(q "$SITE_BUILD_ID")"
	echo "SITE_VERSION=$(q "$SITE_VERSION")"
	echo "LANE_BUILD_ID=$(q "$([ -n "$KO" ] && readelf -n "$KO" | sed -n 's/^ *Build ID: //p')")"
	echo "BUILD_REV=$(q "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)")"
} >"$R/etc/cok-build.env"

(cd "$R" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "$OUT"
exit
}
