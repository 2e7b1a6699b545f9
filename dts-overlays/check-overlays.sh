#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Host check of dts-overlays/ (make check-host runs it through mk/dts.mk):
#  - every *.dtso compiles with `dtc -@ -I dts -O dtb`, without an error or
#    a warning;
#  - every compatible an overlay uses has a binding, bindings/<compatible>.yaml,
#    and a driver in kernel/ that matches it;
#  - every binding is well-formed YAML naming its own compatible (when
#    python3-yaml is there; `make check-bindings`, mk/bindings.mk, runs
#    dt-schema's dt-doc-validate and dt-validate).
# Usage: check-overlays.sh [OUTDIR]   (compiled overlays go to OUTDIR)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/dts}
mkdir -p "$out"
fail=0
n=0
err() { echo "dts-check: $*" >&2; fail=1; }

for src in "$top"/dts-overlays/*.dtso; do
	[ -e "$src" ] || continue
	n=$((n + 1))
	dtbo="$out/$(basename "$src" .dtso).dtbo"
	if ! dtc -@ -I dts -O dtb -o "$dtbo" "$src" 2>"$out/dtc.log"; then
		cat "$out/dtc.log" >&2
		err "$src: dtc failed"
		continue
	fi
	if [ -s "$out/dtc.log" ]; then
		cat "$out/dtc.log" >&2
		err "$src: dtc warnings"
	fi
	for c in $(sed -n 's/.*compatible *= *"\([^"]*\)".*/\1/p' "$src" | sort -u); do
		[ -f "$top/dts-overlays/bindings/$c.yaml" ] ||
			err "$src: no binding dts-overlays/bindings/$c.yaml for $c"
		grep -rqs --include='*.c' "\.compatible = \"$c\"" "$top/kernel" ||
			err "$src: no driver in kernel/ matches $c"
	done
done
[ "$n" -gt 0 ] || err "no overlay in dts-overlays/"

if python3 -c 'import yaml' 2>/dev/null; then
	for y in "$top"/dts-overlays/bindings/*.yaml; do
		python3 - "$y" <<'PY' || fail=1
import os, sys, yaml
path = sys.argv[1]
want = os.path.basename(path)[:-len(".yaml")]
doc = yaml.safe_load(open(path))
errs = []
for key in ("$id", "$schema", "title", "maintainers", "properties",
            "required", "examples"):
    if key not in doc:
        errs.append("no " + key)
props = doc.get("properties", {})
if props.get("compatible", {}).get("const") != want:
    errs.append("compatible is not const: " + want)
for r in doc.get("required", []):
    if r not in props:
        errs.append("required " + r + " is not a property")
if doc.get("additionalProperties", True) is not False:
    errs.append("additionalProperties must be false")
if not doc.get("$id", "").endswith("/" + os.path.basename(path) + "#"):
    errs.append("$id does not name the file")
for e in errs:
    print("dts-check: %s: %s" % (path, e), file=sys.stderr)
sys.exit(1 if errs else 0)
PY
	done
fi
[ "$fail" = 0 ] && echo "dts-check: $n overlay(s) compiled, bindings consistent"
exit "$fail"
