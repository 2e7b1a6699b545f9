#!/bin/bash
# Build (or find in the cache) aiot's debug kernel: Debian's linux-source-6.12
# with KUnit, KASAN, lockdep, kmemleak and DMA API debugging.
#
# The cache lives outside the clone (AIOT_CACHE, default /var/cache/aiot),
# keyed by the source package version and a hash of the config fragment and
# this script, so a changed config rebuilds and an unchanged one is reused.
# Prints the build directory (holding arch/x86/boot/bzImage and what out-of-tree
# modules build against) on stdout; logs go to stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${AIOT_CACHE:-/var/cache/aiot}
jobs=${AIOT_JOBS:-$(nproc)}

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$(cat "$here/debug-kernel.config" "$0" | sha256sum | cut -c1-12)
src=$cache/src/linux-source-6.12-$srcver
out=$cache/debug-kernel-$srcver-$key

if [ -f "$out/.aiot-complete" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache/src"
if [ ! -f "$src/.aiot-extracted" ]; then
	echo "aiot: extracting linux-source-6.12 $srcver" >&2
	rm -rf "$src" "$cache/src/linux-source-6.12"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$cache/src"
	mv "$cache/src/linux-source-6.12" "$src"
	touch "$src/.aiot-extracted"
fi

echo "aiot: building debug kernel into $out (cold: ~10-20 min on 2 cores)" >&2
mkdir -p "$out"
start=$(date +%s)
{
	make -C "$src" O="$out" allnoconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
		"$here/debug-kernel.config"
	make -C "$src" O="$out" olddefconfig
} >&2
# Every option the fragment asks for must have survived olddefconfig.
bad=0
while read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%%=*}
		grep -q "^$opt=" "$out/.config" && { echo "aiot: $opt not off" >&2; bad=1; } ;;
	CONFIG_*) grep -qx "$line" "$out/.config" || { echo "aiot: missing $line" >&2; bad=1; } ;;
	esac
done < "$here/debug-kernel.config"
[ $bad = 0 ] || { echo "aiot: debug kernel config incomplete" >&2; exit 1; }

make -C "$src" O="$out" -j"$jobs" bzImage modules >&2
make -C "$src" O="$out" -s modules_install INSTALL_MOD_PATH="$out/modroot" \
	INSTALL_MOD_STRIP=1 >&2
touch "$out/.aiot-complete"
echo "aiot: debug kernel built in $(( $(date +%s) - start )) s" >&2
echo "$out"
