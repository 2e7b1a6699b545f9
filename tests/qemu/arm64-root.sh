#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The arm64 guest's files, from Debian's arm64 packages, unpacked (not
# installed: an arm64 kernel image or udev cannot be installed on an amd64
# host) under $AIOT_CACHE/arm64-<kver>/root: the kernel image and its
# modules (indexed by depmod), the headers the modules are built against,
# busybox-static and udev (systemd-udevd, udevadm) for the initramfs. The
# libraries the guest's programs need are installed as :arm64 packages
# (Multi-Arch: same) by install-deps.sh. Prints the root's path.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/kernels.sh"

kver=$(aiot_kver_612_arm64)
[ -n "$kver" ] || { echo "arm64-root: no arm64 6.12 kernel in apt (arm64 not added?)" >&2; exit 1; }
cache=${AIOT_CACHE:-/var/cache/aiot}/arm64-$kver
root=$cache/root
if [ ! -e "$cache/done" ]; then
	rm -rf "$cache" && mkdir -p "$cache/debs"
	(cd "$cache/debs" && apt-get download -q "linux-image-$kver-unsigned:arm64" \
		"linux-headers-$kver:arm64" busybox-static:arm64 udev:arm64 >&2)
	for d in "$cache"/debs/*.deb; do
		dpkg -x "$d" "$root"
	done
	rm -rf "$cache/debs"
	# The headers' scripts and common part are the host's packages
	# (linux-kbuild and linux-headers-*-common, installed by install-deps.sh):
	# point the unpacked relative links at them.
	base=${kver%-arm64}
	mkdir -p "$root/usr/lib"
	ln -sfn "/usr/lib/linux-kbuild-$base" "$root/usr/lib/linux-kbuild-$base"
	ln -sfn "/usr/src/linux-headers-$base-common" "$root/usr/src/linux-headers-$base-common"
	depmod -b "$root" "$kver"
	touch "$cache/done"
fi
echo "$root"
