#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make check-bindings` (mk/bindings.mk): the devicetree bindings in
# dts-overlays/bindings/ checked with dt-schema (Debian's dt-schema package):
#  0. the properties kernel/sim/ reads are the ones the bindings describe
#     (tests/bindings/driver-props.py);
#  1. dt-doc-validate: every binding is a valid dt-schema document;
#  2. every binding's examples compile with dtc and pass dt-validate;
#  3. a base DTB, QEMU's arm64 `virt` one (qemu-system-aarch64 -machine
#     dumpdtb) or, without qemu-system-aarch64, tests/bindings/base-virt.dts;
#  4. every overlay dts-overlays/*.dtso applied to it with fdtoverlay, and
#     dt-validate run on the result with dt-schema's core schemas and the
#     project's bindings: no error the base DTB alone does not have, and
#     every aiot node matched by a binding;
#  5. negative checks: every tests/bindings/bad-*.dtso, applied the same way,
#     must make dt-validate report an error containing the text of its
#     "// expect: TEXT" line.
# dt-validate exits 0 whatever it finds, so its output is what is checked.
# Usage: check-bindings.sh [OUTDIR]   (DTBs and logs go to OUTDIR)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/bindings}
mkdir -p "$out"
out=$(cd "$out" && pwd)
bindings=$top/dts-overlays/bindings
fail=0
err() { echo "check-bindings: FAIL: $*" >&2; fail=1; }
note() { echo "check-bindings: $*"; }

for t in dt-doc-validate dt-mk-schema dt-validate dt-extract-example dtc fdtoverlay; do
	if ! command -v "$t" > /dev/null; then
		echo "check-bindings: $t not found (Debian: dt-schema, device-tree-compiler;" \
		     "tests/qemu/install-deps.sh installs them)" >&2
		exit 1
	fi
done

# dt-validate prints "FILE: NODE: message" (FILE as given); comparing runs
# on two DTBs needs the file name out of the way.
validate() { # DTB LOG
	dt-validate -m -s "$out/schema.json" "$1" 2>&1 |
		sed "s|^$1:0:0: |DTB: |; s|^$1: |DTB: |" > "$2"
	[ "${PIPESTATUS[0]}" = 0 ]
}

# New lines of LOG (not in the base DTB's log), "From schema" lines kept
# only after a new error.
new_errors() { # LOG
	awk 'NR == FNR { base[$0] = 1; next }
	     /^\tFrom schema/ { if (keep) print; next }
	     { keep = !($0 in base); if (keep) print }' "$out/base.log" "$1"
}

# 0. the bindings describe exactly the properties the driver reads
python3 "$top/tests/bindings/driver-props.py" "$top/kernel/sim" "$bindings" ||
	err "the bindings and kernel/sim/ disagree"

# 1. the schemas themselves
shopt -s nullglob
schemas=("$bindings"/*.yaml)
[ ${#schemas[@]} -gt 0 ] || err "no binding in dts-overlays/bindings/"
for y in "${schemas[@]}"; do
	if ! dt-doc-validate -u "$bindings" "$y" > "$out/doc.log" 2>&1 || [ -s "$out/doc.log" ]; then
		cat "$out/doc.log" >&2
		err "dt-doc-validate: ${y#"$top"/}"
	fi
done
if ! dt-mk-schema -j "$bindings" -o "$out/schema.json" > "$out/mk-schema.log" 2>&1; then
	cat "$out/mk-schema.log" >&2
	err "dt-mk-schema failed"
	exit 1
fi

# 2. the examples
for y in "${schemas[@]}"; do
	b=$(basename "$y" .yaml)
	if ! dt-extract-example "$y" > "$out/$b.example.dts" ||
	   ! dtc -q -I dts -O dtb -o "$out/$b.example.dtb" "$out/$b.example.dts"; then
		err "${y#"$top"/}: its examples do not compile"
		continue
	fi
	if ! validate "$out/$b.example.dtb" "$out/$b.example.log"; then
		cat "$out/$b.example.log" >&2
		err "${y#"$top"/}: dt-validate failed on the examples"
	elif grep -v "failed to match any schema with compatible: \['foo'\]" \
		"$out/$b.example.log" > "$out/$b.example.err"; then
		cat "$out/$b.example.err" >&2
		err "${y#"$top"/}: its examples do not pass"
	fi
done

# 3. the base DTB
if command -v qemu-system-aarch64 > /dev/null; then
	base_from="QEMU's arm64 virt machine"
	rm -f "$out/base.dtb"
	qemu-system-aarch64 -machine virt -cpu cortex-a57 -nographic -nodefaults \
		-machine dumpdtb="$out/base.dtb" > "$out/qemu.log" 2>&1
	[ -s "$out/base.dtb" ] || { cat "$out/qemu.log" >&2; err "qemu-system-aarch64 dumpdtb failed"; exit 1; }
else
	base_from="tests/bindings/base-virt.dts (no qemu-system-aarch64)"
	dtc -q -I dts -O dtb -o "$out/base.dtb" "$top/tests/bindings/base-virt.dts" ||
		{ err "base-virt.dts does not compile"; exit 1; }
fi
validate "$out/base.dtb" "$out/base.log" || { cat "$out/base.log" >&2; err "dt-validate failed on the base DTB"; exit 1; }
note "base DTB from $base_from"

overlay() { # DTSO NAME -> $out/NAME.log, 0 when dt-validate ran
	dtc -q -@ -I dts -O dtb -o "$out/$2.dtbo" "$1" &&
	fdtoverlay -i "$out/base.dtb" -o "$out/$2.dtb" "$out/$2.dtbo" &&
	validate "$out/$2.dtb" "$out/$2.log"
}

# 4. the project's overlays
n=0
for src in "$top"/dts-overlays/*.dtso; do
	name=$(basename "$src" .dtso)
	n=$((n + 1))
	if ! overlay "$src" "$name"; then
		err "dts-overlays/$name.dtso: dtc, fdtoverlay or dt-validate failed"
		continue
	fi
	if new_errors "$out/$name.log" | grep . > "$out/$name.err"; then
		cat "$out/$name.err" >&2
		err "dts-overlays/$name.dtso: dt-validate reports errors"
	else
		note "dts-overlays/$name.dtso on the base DTB: valid"
	fi
done
[ "$n" -gt 0 ] || err "no overlay in dts-overlays/"

# 5. negative checks: each bad overlay must fail, for the reason it names
nbad=0
for src in "$top"/tests/bindings/bad-*.dtso; do
	name=$(basename "$src" .dtso)
	nbad=$((nbad + 1))
	want=$(sed -n 's|^// expect: ||p' "$src")
	if [ -z "$want" ]; then
		err "tests/bindings/$name.dtso: no '// expect:' line"
		continue
	fi
	if ! overlay "$src" "$name"; then
		err "tests/bindings/$name.dtso: dtc, fdtoverlay or dt-validate failed"
		continue
	fi
	new_errors "$out/$name.log" > "$out/$name.err"
	if ! grep -qF -- "$want" "$out/$name.err"; then
		cat "$out/$name.err" >&2
		err "tests/bindings/$name.dtso: dt-validate did not report \"$want\""
	else
		note "tests/bindings/$name.dtso rejected as it should be: $(head -n 1 "$out/$name.err" | sed 's/^DTB: //')"
	fi
done
[ "$nbad" -gt 0 ] || err "no negative check tests/bindings/bad-*.dtso"

if [ "$fail" = 0 ]; then
	note "${#schemas[@]} binding(s), $n overlay(s) valid, $nbad bad overlay(s) rejected: OK"
fi
exit "$fail"
