#!/bin/sh
# What `make demo` shows inside the guest.
echo "== aiot demo on Linux $(uname -r)"
echo "== modules"
lsmod | grep -E '^(aiot|drm) '
echo "== accelerators"
aiot-info || exit 1
for d in /sys/class/accel/accel* /sys/class/drm/renderD*; do
	[ -d "$d/device/aiot" ] || continue
	echo "== sysfs $d/device/aiot"
	for f in "$d"/device/aiot/*; do
		echo "  $(basename "$f"): $(cat "$f")"
	done
done
echo "== debugfs"
for f in /sys/kernel/debug/aiot/*/state; do
	echo "  $f"
	sed 's/^/    /' "$f"
done
