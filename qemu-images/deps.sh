#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the build and the QEMU test harness need, from Debian's
# repositories only.  Idempotent: checks with dpkg-query first, runs
# apt-get update only when something is missing, prints nothing when
# there is nothing to do.
set -euo pipefail
# The braces make bash read the whole script before running it, so that
# editing it while it runs (another checkout, a long check) is harmless.
{

PKGS=(
	qemu-system-x86 busybox-static cpio rsync
	libnl-genl-3-dev pkg-config musl-tools
	gcc make kmod xz-utils
	linux-headers-amd64 linux-headers-6.12-amd64
	groff-base man-db
	dkms debhelper dh-dkms lintian fakeroot dpkg-dev
	debootstrap zstd binutils
)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*) missing+=("$p") ;;
	esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages (${missing[*]}); run as root to install them" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
exit
}
