# Devicetree overlays and bindings (dts-overlays/): every .dtso must compile
# with `dtc -@ -I dts -O dtb` without an error or a warning, and use only
# compatibles that have a binding and a driver. `make check-host` runs it;
# a dtc error fails the check.
DTS_OVERLAYS := $(wildcard dts-overlays/*.dtso)
DTS_BINDINGS := $(wildcard dts-overlays/bindings/*.yaml)

.PHONY: dts-check
dts-check: $(DTS_OVERLAYS) $(DTS_BINDINGS) dts-overlays/check-overlays.sh
	dts-overlays/check-overlays.sh $(BUILD)/dts

check-host: dts-check
