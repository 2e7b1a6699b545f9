#!/bin/bash
# Install, from Debian's archive, everything the build and the QEMU tests need.
# Kernel versions are picked by query (the newest 6.12 and 6.1 the archive
# offers), never hard-coded: the security archive moves on.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/kernels.sh"

export DEBIAN_FRONTEND=noninteractive
# dpkg syncs every file it unpacks; the kernel headers alone are tens of
# thousands of files, minutes of a cold run. Skipping the syncs risks an
# install only if the machine loses power during it.
apt_install=(apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-unsafe-io)
stamp=/var/lib/apt/periodic/aiot-update-stamp
# arm64: the cross-built userspace's libraries and the arm64 guest's packages.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64 && rm -f "$stamp"
fi
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
	apt-get update -q
	mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi

# Installs those of the named packages that are not installed yet.
install_missing() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] || "${apt_install[@]}" "${missing[@]}"
}

# --debug-kernel-deps: only what build-debug-kernel.sh needs, so that a cold
# run (tests/run-all) can start that build while the rest installs.
if [ "${1:-}" = --debug-kernel-deps ]; then
	install_missing build-essential bc bison flex libssl-dev libelf-dev kmod cpio \
		xz-utils linux-source-6.12
	exit 0
fi

kver612=$(aiot_kver_612)
kver61=$(aiot_kver_61)
kver612a=$(aiot_kver_612_arm64)
echo "aiot: guest kernels $kver612 and $kver61"

pkgs=(
	build-essential bc bison flex libssl-dev libelf-dev dwarves kmod cpio
	rsync xz-utils zstd python3 busybox-static qemu-system-x86
	pkg-config libdrm-dev libudev-dev googletest libgtest-dev
	device-tree-compiler clang llvm libclang-rt-14-dev
	dt-schema python3-yaml
	mosquitto libmosquitto-dev openssl
	debhelper dh-dkms dkms lintian
	"linux-headers-$kver612" "linux-headers-$kver61"
	linux-source-6.12
	gcc-aarch64-linux-gnu qemu-system-arm libc6-dev:arm64 libdrm-dev:arm64 libudev-dev:arm64
	libkmod2:arm64 libacl1:arm64 libblkid1:arm64 libcap2:arm64 libselinux1:arm64
	"linux-headers-${kver612a%-arm64}-common" "linux-kbuild-${kver612a%-arm64}"
)
# The guest kernels: the guests boot aiot's own initramfs, never Debian's,
# so their postinst skips building one (INITRD=No, read by initramfs-tools'
# kernel hook): minutes of a cold run. Not for the kernel this machine runs.
# First: 6.12's headers depend on an image, signed or not.
for kver in "$kver612" "$kver61"; do
	p=linux-image-$kver-unsigned
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' &&
		continue
	initrd=No
	[ "$kver" = "$(uname -r)" ] && initrd=
	INITRD=$initrd "${apt_install[@]}" "$p"
done
install_missing "${pkgs[@]}"
# make check-tflite runs TensorFlow Lite under Node, installed by npm: any
# node with its npm will do (nodesource's bundles npm); Debian's otherwise.
command -v npm > /dev/null || install_missing nodejs npm
# The arm64 guest's kernel, headers, busybox and udev, unpacked.
"$here/arm64-root.sh" > /dev/null
