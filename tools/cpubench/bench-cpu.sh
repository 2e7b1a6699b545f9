#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-cpu: for each shared model, time per inference of the
# reference executor (kernel/isa), the fast executor (lib/exec) and
# TensorFlow Lite with XNNPACK (WebAssembly SIMD build under Node), all
# single-threaded, in the same run. Each round runs aiot-run --bench (both
# aiot executors in alternating batches) and then TFLite on the same model
# and input; the ratio is taken within a round, and the table gives the
# median over the rounds (the machine may be shared: look at all rounds).
#
#   tools/cpubench/bench-cpu.sh BUILD MODELS_DIR TFLITE_WASM_DIR [ROUNDS] [N]
set -eu

build=$1 models=$2 wasm=$3 rounds=${4:-5} n=${5:-300}
here=$(dirname "$0")
raw=$build/bench-cpu.raw
: > "$raw"

have_tflite=1
if ! command -v node >/dev/null 2>&1; then
	echo "bench-cpu: node not found: no TensorFlow Lite column" >&2
	have_tflite=0
elif [ ! -f "$wasm/tflite_web_api_cc_simd.js" ]; then
	echo "bench-cpu: $wasm has no TFLite WebAssembly build: no TensorFlow Lite column" >&2
	have_tflite=0
fi

# name  tflite file  input file (empty: zeros)
set -- \
	"person_detect person_detection/person_detect.tflite person_detection/person.bmp" \
	"hello_world_int8 hello_world/hello_world_int8.tflite -" \
	"micro_speech_quantized micro_speech/micro_speech_quantized.tflite -" \
	"keyword_scrambled_8bit keyword_benchmark/keyword_scrambled_8bit.tflite -"

r=1
while [ "$r" -le "$rounds" ]; do
	for spec in "$@"; do
		# shellcheck disable=SC2086
		set -- $spec "$@"
		name=$1 tfl=$2 input=$3
		shift 3
		blob=$build/models/$name.aiot
		in=
		[ "$input" = - ] || in=$models/$input
		line=$(nice -n 10 "$build/aiot-run" -d cpu -b "$n" "$blob" $in | grep '^cpubench ')
		tfl_ms=nan
		if [ "$have_tflite" = 1 ]; then
			spec_in=$models/$tfl
			[ -z "$in" ] || spec_in="$spec_in=$in"
			# --no-liftoff: WebAssembly compiled optimized up front, so that
			# no inference runs on baseline code while V8 tiers up.
			tfl_ms=$(nice -n 10 node --no-liftoff "$here/tflite_bench.js" --wasm "$wasm" --n "$n" \
				"$spec_in" 2>/dev/null | awk '$1 == "tflite" && $3 ~ /^[0-9.]+$/ { print $3 }')
			[ -n "$tfl_ms" ] || tfl_ms=nan
		fi
		echo "round=$r $line tflite_ms=$tfl_ms" >> "$raw"
		echo "round $r: $line tflite_ms=$tfl_ms" >&2
	done
	r=$((r + 1))
done

awk -v rounds="$rounds" '
function val(k,   i, kv) {
	for (i = 1; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == k)
			return kv[2]
	}
	return ""
}
function median(list, cnt,   a, i, j, t, m) {
	m = split(list, a, " ")
	for (i = 1; i <= m; i++)
		for (j = i + 1; j <= m; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	if (!m)
		return "nan"
	return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
{
	m = val("model")
	if (!(m in ops)) { order[++nm] = m }
	ops[m] = val("ops"); arena[m] = val("arena"); simd[m] = val("simd")
	ref[m] = ref[m] " " val("ref_ms"); fast[m] = fast[m] " " val("fast_ms")
	t = val("tflite_ms"); tfl[m] = tfl[m] " " t
	if (t != "nan" && t > 0) rt[m] = rt[m] " " (val("fast_ms") / t)
	rf[m] = rf[m] " " (val("ref_ms") / val("fast_ms"))
	if (val("identical") != 1) bad[m] = 1
}
END {
	printf("%-24s %4s %8s %10s %10s %10s %9s %9s %s\n", "model", "ops", "arena B",
	       "ref us", "fast us", "tflite us", "fast/tfl", "ref/fast", "outputs")
	for (i = 1; i <= nm; i++) {
		m = order[i]
		printf("%-24s %4d %8d %10.1f %10.1f %10s %9s %9.1f %s\n", m, ops[m], arena[m],
		       median(ref[m]) * 1000, median(fast[m]) * 1000,
		       median(tfl[m]) == "nan" ? "-" : sprintf("%.1f", median(tfl[m]) * 1000),
		       rt[m] == "" ? "-" : sprintf("%.2fx", median(rt[m])),
		       median(rf[m]), bad[m] ? "DIFFER" : "identical")
	}
	printf("time per inference in microseconds, medians over %d rounds (per round: best of ", rounds)
	printf("10 batches); fast/tfl: median of the per-round ratios; fast executor at %s; ", simd[order[1]])
	printf("single thread\n")
}' "$raw"
