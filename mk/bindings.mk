# SPDX-License-Identifier: GPL-2.0-only
#
# Devicetree bindings (dts-overlays/bindings/*.yaml) checked with Debian's
# dt-schema: dt-doc-validate on every binding, its examples through
# dt-validate, then the project's overlay applied with fdtoverlay to a base
# arm64 DTB (QEMU's virt one, or tests/bindings/base-virt.dts without
# qemu-system-aarch64) and dt-validate on the result; each
# tests/bindings/bad-*.dtso must be rejected. tests/run-all runs it beside
# the host tests (about 10 s).
#
#   make check-bindings
.PHONY: check-bindings

check-bindings:
	tests/bindings/check-bindings.sh $(BUILD)/bindings
