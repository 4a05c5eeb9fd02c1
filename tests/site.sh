#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/site.sh [--debs DIR]: install the Debian packages the way a site
# would, in a Debian 12 root (debootstrap bookworm, Debian's mirrors
# only), and take them out again:
#   1. apt-get install ./ckpt-cokernel-dkms_*.deb ./cokctl_*.deb: DKMS
#      builds the module for the root's 6.1 headers at install time
#      (dkms status, the .ko under /lib/modules/K/updates/dkms, its
#      vermagic, the co-kernel image it embeds);
#   2. apt-get install linux-headers-<6.12> (a kernel update: it brings
#      the 6.12 image too) with the kernel hooks' DKMS run turned off
#      (/etc/dkms/no-autoinstall, as dkms-autopkgtest does), so that it
#      is "dkms autoinstall -k <6.12>" that builds the second module;
#   3. apt-get remove, then dpkg --purge (apt-get cannot name a removed
#      package that came from a file): no module, no /usr/src or
#      /var/lib/dkms entry, no file of the packages, no file of theirs
#      anywhere in the root (against a listing taken before step 1).
# The DKMS-built modules and the package's cokctl (with the libraries
# it links, from the root) are kept in build/site/KVER/ for the guest
# lanes: qemu-images/initramfs.sh puts them into the image, and the
# guest test t-92-site loads that module with modprobe and drives the
# package's cokctl (a module is never loaded on this host).
#
# The base root (debootstrap minbase + dkms, make, gcc and the 6.1
# headers installed, the 6.12 headers and cokctl's libraries downloaded
# into apt's cache) is cached as a tarball under $COK_CACHE, named by a
# hash of its package list, so only the first run needs the network.
# The headers are installed in the root rather than bind-mounted from
# this host: DKMS needs /lib/modules/K/build, linux-kbuild and the
# compiler of the same packages, which is what a site has; installing
# them costs time only once, when the cache is made.
#
# Without --debs, the packages are built here from a clean clone.
# One PASS/FAIL line per step.
set -uo pipefail
# The braces make bash read the whole script before running it, so that
# editing it while it runs (another checkout, a long check) is harmless.
{
# A make of DKMS's own must not inherit make check's flags (tests/dkms.sh).
unset MAKEFLAGS MAKELEVEL MFLAGS
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${COK_CACHE:-/var/cache/ckpt_cokernel}
OUT=${COK_SITE_DIR:-$ROOT/build/site}
MIRROR=${COK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${COK_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
SUITE=bookworm
DEBS=
while [ $# -gt 0 ]; do
	case $1 in
	--debs) DEBS=$2; shift 2 ;;
	*) echo "usage: tests/site.sh [--debs DIR]" >&2; exit 2 ;;
	esac
done
mkdir -p "$ROOT/build"
T=$(mktemp -d "$ROOT/build/.site.XXXXXX")
trap 'rm -rf "$T"' EXIT
rc=0
pass() { echo "PASS site/$1"; }
fail() { echo "FAIL site/$1: $2"; rc=1; }
now() { date +%s; }

# inroot DIR CMD...: CMD in the root DIR, with /proc and /dev, in a
# mount namespace of its own (the mounts go away with it).  INITRD=No:
# a kernel package makes no initrd (/etc/kernel/postinst.d/initramfs-tools).
inroot() {
	unshare --mount --propagation private -- /bin/sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc" && mount --bind /dev "$r/dev" &&
		exec chroot "$r" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive INITRD=No "$@"' sh "$@"
}
APT="apt-get -y -q --no-install-recommends"

for t in debootstrap zstd unshare chroot git dpkg-buildpackage; do
	command -v $t >/dev/null || { fail setup "$t not installed (qemu-images/deps.sh installs it)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { fail setup "must run as root (debootstrap, chroot)"; exit 1; }
kver() { "$ROOT/qemu-images/kernel.sh" "$1" 2>/dev/null | sed -n 's/^KVER=//p'; }
K61=$(kver 6.1) K612=$(kver 6.12)
[ -n "$K61" ] && [ -n "$K612" ] ||
	{ fail setup "qemu-images/kernel.sh resolves no 6.1 or 6.12 kernel ('$K61', '$K612')"; exit 1; }

# --- the packages -----------------------------------------------------
if [ -z "$DEBS" ]; then
	DEBS=$T/debs
	mkdir -p "$DEBS"
	if ! git clone -q "$ROOT" "$T/src" 2>"$T/clone.err" ||
	   ! (cd "$T/src" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
		fail debs "clone or dpkg-buildpackage failed: $(tail -n 1 "$T/clone.err" "$T/build.log" | grep -v '^==' | tail -n 1)"
		exit 1
	fi
	mv "$T"/*.deb "$DEBS/"
fi
DKMS_DEB=$(ls "$DEBS"/ckpt-cokernel-dkms_*_all.deb 2>/dev/null | head -n 1)
CLI_DEB=$(ls "$DEBS"/cokctl_*_amd64.deb 2>/dev/null | head -n 1)
[ -n "$DKMS_DEB" ] && [ -n "$CLI_DEB" ] ||
	{ fail debs "no ckpt-cokernel-dkms or cokctl .deb in $DEBS"; exit 1; }
VER=$(dpkg-deb -f "$DKMS_DEB" Version)
MVER=${VER%%-*}			# the DKMS module version

# --- the base root, cached ----------------------------------------------
# initramfs-tools: the 6.12 image (which the 6.12 headers depend on)
# pulls it in; installed here to be told to make no initrd, which
# nothing here boots (update_initramfs=no, for its dpkg trigger).
BASE_PKGS="dkms make gcc linux-headers-$K61 initramfs-tools"
BASE_DL="linux-headers-$K612 libnl-3-200 libnl-genl-3-200"
KEY=$(printf '%s\n' "$SUITE" "$MIRROR" "$SECURITY" "$BASE_PKGS" "$BASE_DL" | sha256sum | cut -c1-16)
TAR=$CACHE/site-root-$SUITE-$KEY.tar.zst

make_base() {	# DIR: debootstrap, then the packages, from Debian only
	local r=$1/root
	debootstrap --variant=minbase "$SUITE" "$r" "$MIRROR" >"$1/debootstrap.log" 2>&1 ||
		{ echo "debootstrap: $(tail -n 1 "$1/debootstrap.log")"; return 1; }
	cat >"$r/etc/apt/sources.list" <<-EOF
	deb $MIRROR $SUITE main
	deb $MIRROR $SUITE-updates main
	deb $SECURITY $SUITE-security main
	EOF
	# No daemon starts in the root.
	printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
	chmod 755 "$r/usr/sbin/policy-rc.d"
	{ inroot "$r" apt-get -q update &&
	  inroot "$r" $APT install $BASE_PKGS &&
	  sed -i 's/^update_initramfs=.*/update_initramfs=no/' "$r/etc/initramfs-tools/update-initramfs.conf" &&
	  inroot "$r" apt-get clean &&
	  inroot "$r" $APT install --download-only $BASE_DL; } >"$1/apt.log" 2>&1 ||
		{ echo "apt-get in the root: $(grep -m1 -E '^E:' "$1/apt.log" || tail -n 1 "$1/apt.log")"; return 1; }
	tar -C "$r" --numeric-owner -I 'zstd -T0 -3' -cf "$1/root.tar.zst" . ||
		{ echo "tar failed"; return 1; }
	mv "$1/root.tar.zst" "$TAR"
	# Roots of other package lists (older kernel ABIs) are not used again.
	find "$CACHE" -maxdepth 1 -name "site-root-$SUITE-*.tar.zst" ! -name "${TAR##*/}" -delete
}

mkdir -p "$CACHE"
exec 9>"$CACHE/site-root.lock"
flock 9
t0=$(now)
if [ -f "$TAR" ]; then
	how="cached"
else
	how="uncached: debootstrap + apt-get"
	why=$(make_base "$T") || { fail base-root "$why (logs kept in $CACHE/site-root-failed)"
		rm -rf "$CACHE/site-root-failed"; mkdir -p "$CACHE/site-root-failed"
		cp "$T"/*.log "$CACHE/site-root-failed/" 2>/dev/null; exit 1; }
	rm -rf "$T/root"
fi
flock -u 9
R=$T/root
mkdir -p "$R"
if ! tar -C "$R" --numeric-owner -I zstd -xpf "$TAR" 2>"$T/untar.err"; then
	fail base-root "unpacking ${TAR##*/}: $(head -n 1 "$T/untar.err")"; exit 1
fi
pass "base-root ($how, ready in $(( $(now) - t0 )) s: ${TAR##*/})"

# Every file of the root (not directories, not /proc /dev), for the
# final comparison.
listing() { (cd "$R" && find . -xdev ! -type d ! -path './proc/*' ! -path './dev/*' | sed 's|^\.||' | sort); }
listing >"$T/before"

# mod_file K: the DKMS-installed module of kernel K in the root.
mod_file() { ls "$R/lib/modules/$1/updates/dkms/ckpt_cokernel.ko"* 2>/dev/null | head -n 1; }
# check_module K: dkms status says installed for K, the module is where
# DKMS puts it, built for K, with the co-kernel image, known to depmod;
# keeps it (uncompressed) in $OUT/K/.  Prints why not.
check_module() {
	local k=$1 ko st magic s e
	st=$(inroot "$R" dkms status -m ckpt_cokernel -v "$MVER" -k "$k" 2>&1)
	case $st in *": installed"*) ;; *) echo "dkms status: '$st'"; return 1 ;; esac
	ko=$(mod_file "$k")
	[ -n "$ko" ] || { echo "no ckpt_cokernel.ko* under /lib/modules/$k/updates/dkms"; return 1; }
	mkdir -p "$OUT/$k"
	case $ko in *.xz) xz -dc "$ko" ;; *.zst) zstd -qdc "$ko" ;; *) cat "$ko" ;; esac >"$OUT/$k/ckpt_cokernel.ko"
	magic=$(modinfo -F vermagic "$OUT/$k/ckpt_cokernel.ko" | cut -d' ' -f1)
	[ "$magic" = "$k" ] || { echo "vermagic '$magic'"; return 1; }
	s=$(nm "$OUT/$k/ckpt_cokernel.ko" | awk '$3 == "cok_image_start" { print $1 }')
	e=$(nm "$OUT/$k/ckpt_cokernel.ko" | awk '$3 == "cok_image_end" { print $1 }')
	[ -n "$s" ] && [ -n "$e" ] && [ $(( 16#$e - 16#$s )) -ge 4096 ] ||
		{ echo "no co-kernel image embedded"; return 1; }
	grep -q "updates/dkms/ckpt_cokernel.ko" "$R/lib/modules/$k/modules.dep" 2>/dev/null ||
		{ echo "not in /lib/modules/$k/modules.dep (depmod)"; return 1; }
	echo "${ko#"$R"}"
}

# keep_cokctl K: the package's cokctl and the libraries it links (from
# the root), for the guest image.
keep_cokctl() {
	local d=$OUT/$1 lib
	mkdir -p "$d/lib"
	cp "$R/usr/bin/cokctl" "$d/cokctl"
	for lib in $(inroot "$R" ldd /usr/bin/cokctl | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
		cp -L "$R$lib" "$d/lib/"
	done
	git -C "$ROOT" rev-parse --short HEAD >"$d/rev"
	echo "$VER" >"$d/version"
	(cd "$d" && sha256sum ckpt_cokernel.ko cokctl >sha256)
}

# --- 1. apt-get install ./*.deb: DKMS builds for 6.1 --------------------
rm -rf "$OUT"
mkdir -p "$R/tmp/debs" "$OUT"
cp "$DKMS_DEB" "$CLI_DEB" "$R/tmp/debs/"
t0=$(now)
if ! (cd "$R/tmp/debs" && inroot "$R" sh -c "cd /tmp/debs && $APT install ./${DKMS_DEB##*/} ./${CLI_DEB##*/}") >"$T/install.log" 2>&1; then
	fail install "apt-get install ./*.deb: $(grep -m1 -E '^E:|rror' "$T/install.log" | cut -c1-200) (build/site-install.log)"
	cp "$T/install.log" "$ROOT/build/site-install.log"
	exit 1
fi
inroot "$R" dpkg-query -L ckpt-cokernel-dkms cokctl | sort -u >"$T/pkgfiles"
grep -q '^/usr/bin/cokctl$' "$T/pkgfiles" && grep -q "^/usr/src/ckpt_cokernel-$MVER/dkms.conf$" "$T/pkgfiles" &&
	pass "install (apt-get install ./${DKMS_DEB##*/} ./${CLI_DEB##*/}, $(( $(now) - t0 )) s)" ||
	fail install "dpkg -L lacks /usr/bin/cokctl or /usr/src/ckpt_cokernel-$MVER/dkms.conf"
if why=$(check_module "$K61"); then
	keep_cokctl "$K61"
	pass "dkms-$K61 (built at install: $why)"
else
	fail "dkms-$K61" "$why"
fi
inroot "$R" cokctl --version >"$T/v" 2>&1 && grep -q "cokctl $MVER " "$T/v" ||
	fail cokctl "the installed cokctl --version: $(head -n 1 "$T/v")"

# --- 2. a kernel update: 6.12 headers, dkms autoinstall -----------------
t0=$(now)
mkdir -p "$R/etc/dkms"
touch "$R/etc/dkms/no-autoinstall"
if ! inroot "$R" $APT install "linux-headers-$K612" >"$T/headers.log" 2>&1; then
	fail "dkms-$K612" "apt-get install linux-headers-$K612: $(grep -m1 -E '^E:' "$T/headers.log")"
elif [ -n "$(mod_file "$K612")" ]; then
	fail "dkms-$K612" "a module for $K612 before dkms autoinstall (the kernel hooks were to build none)"
elif ! rm "$R/etc/dkms/no-autoinstall" ||
     ! inroot "$R" dkms autoinstall -k "$K612" >"$T/autoinstall.log" 2>&1; then
	fail "dkms-$K612" "dkms autoinstall -k $K612: $(tail -n 1 "$T/autoinstall.log")"
elif why=$(check_module "$K612"); then
	keep_cokctl "$K612"
	pass "dkms-$K612 (headers and image installed, then dkms autoinstall, $(( $(now) - t0 )) s: $why)"
	# The 6.1 module is still there.
	[ -n "$(mod_file "$K61")" ] || fail "dkms-$K612" "the $K61 module is gone"
else
	fail "dkms-$K612" "$why"
fi
rm -f "$R/etc/dkms/no-autoinstall"

# --- 3. remove, purge ---------------------------------------------------
# leftovers: what of ours is still in the root.
leftovers() {
	local f
	ls -d "$R"/usr/src/ckpt_cokernel* "$R"/var/lib/dkms/ckpt_cokernel* 2>/dev/null | sed "s|^$R||"
	find "$R/lib/modules" -name 'ckpt_cokernel*' 2>/dev/null | sed "s|^$R||"
	grep -l ckpt_cokernel "$R"/lib/modules/*/modules.dep "$R"/lib/modules/*/modules.alias 2>/dev/null | sed "s|^$R||;s|$| (mentions ckpt_cokernel)|"
	while read -r f; do
		[ -d "$R$f" ] && continue	# shared directories stay
		[ -e "$R$f" ] || [ -L "$R$f" ] && echo "$f"
	done <"$1"
}
t0=$(now)
inroot "$R" dpkg-query -W -f='${Conffiles}\n' ckpt-cokernel-dkms cokctl | awk 'NF { print $1 }' >"$T/conffiles"
grep -vxFf "$T/conffiles" "$T/pkgfiles" >"$T/pkgfiles-noconf"
if ! inroot "$R" $APT remove ckpt-cokernel-dkms cokctl >"$T/remove.log" 2>&1; then
	fail remove "apt-get remove: $(grep -m1 -E '^E:' "$T/remove.log")"
else
	left=$(leftovers "$T/pkgfiles-noconf" | head -n 5 | tr '\n' ' ')
	[ -z "$left" ] && pass "remove (apt-get remove, $(( $(now) - t0 )) s)" ||
		fail remove "left behind: $left"
fi
if ! inroot "$R" dpkg --purge ckpt-cokernel-dkms cokctl >"$T/purge.log" 2>&1; then
	fail purge "dpkg --purge: $(grep -m1 -iE 'error' "$T/purge.log")"
else
	# New files since the root was unpacked, minus those of packages still
	# installed (the 6.12 headers and image), apt's and dpkg's own records
	# and logs, the indexes depmod writes (checked above not to name us)
	# and the /vmlinuz links the 6.12 image's postinst makes.
	listing >"$T/after"
	# dpkg names /lib/..., find sees /usr/lib/... (merged /usr).
	cat "$R"/var/lib/dpkg/info/*.list | sed -E 's#^/(bin|sbin|lib|lib64)/#/usr/\1/#' | sort -u >"$T/owned"
	left=$(comm -13 "$T/before" "$T/after" | comm -23 - "$T/owned" |
		grep -vE '^/(var/log|var/lib/dpkg|var/lib/apt|var/cache|tmp)/|^/etc/ld\.so\.cache$|^/(vmlinuz|initrd\.img)(\.old)?$|^/(usr/)?lib/modules/[^/]*/modules\.[a-z.]*$')
	st=$(inroot "$R" dpkg-query -W -f='${Package} ${Status}\n' ckpt-cokernel-dkms cokctl 2>/dev/null | grep -v 'not-installed')
	if [ -n "$st" ]; then
		fail purge "dpkg still knows: $st"
	elif [ -n "$(leftovers "$T/pkgfiles")" ]; then
		fail purge "left behind: $(leftovers "$T/pkgfiles" | head -n 5 | tr '\n' ' ')"
	elif [ -n "$left" ]; then
		fail purge "new files left in the root: $(echo "$left" | head -n 5 | tr '\n' ' ')"
	else
		pass "purge (no file of the packages, no /usr/src, /var/lib/dkms or module entry left)"
	fi
fi
exit $rc
}
