// SPDX-License-Identifier: GPL-2.0-only
//
// TensorFlow Lite's WebAssembly build (the Emscripten module of the npm
// package @tensorflow/tfjs-tflite, wasm/tflite_web_api_cc_simd.js) loaded
// directly under Node, without the tfjs runtime: shared by tflite_bench.js
// (timing) and tflite_run.js (outputs for `make check-tflite`).
'use strict';

const fs = require('fs');
const path = require('path');

// Full TFLite refuses a 1-D tensor whose per-tensor quantization names
// dimension 3 (TFLite Micro accepts it; person_detect's biases have it):
// rewrite such quantized_dimension fields to 0 in a copy of the model.
function fixQuantizedDimension(buf) {
	const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
	const u32 = (p) => dv.getUint32(p, true);
	const field = (table, id) => {
		const vt = table - dv.getInt32(table, true);
		const vsize = dv.getUint16(vt, true);
		const at = 4 + 2 * id;
		if (at >= vsize)
			return 0;
		const off = dv.getUint16(vt + at, true);
		return off ? table + off : 0;
	};
	const deref = (p) => p + u32(p);
	const vector = (p) => {
		const v = deref(p);
		const n = u32(v);
		const out = [];
		for (let i = 0; i < n; i++)
			out.push(v + 4 + 4 * i);
		return out;
	};
	let fixed = 0;
	const model = u32(0);
	const subgraphs = field(model, 2);
	if (!subgraphs)
		return 0;
	for (const sgp of vector(subgraphs)) {
		const sg = deref(sgp);
		const tensors = field(sg, 0);
		if (!tensors)
			continue;
		for (const tp of vector(tensors)) {
			const t = deref(tp);
			const shape = field(t, 0);
			const quant = field(t, 4);
			if (!shape || !quant)
				continue;
			const q = deref(quant);
			const qdim = field(q, 6);
			if (u32(deref(shape)) === 1 && qdim && dv.getInt32(qdim, true) !== 0) {
				dv.setInt32(qdim, 0, true);
				fixed++;
			}
		}
	}
	return fixed;
}

// The Emscripten module; printErr receives TFLite's log lines.
async function loadModule(wasmDir, printErr) {
	const factory = require(path.resolve(wasmDir, 'tflite_web_api_cc_simd.js'));
	return factory({
		locateFile: (f) => path.resolve(wasmDir, f),
		// Node's fetch() takes no file paths: hand the binary over.
		wasmBinary: fs.readFileSync(path.resolve(wasmDir, 'tflite_web_api_cc_simd.wasm')),
		print: () => {},
		printErr: printErr || ((s) => process.stderr.write(`${s}\n`)),
	});
}

// A C++ std::vector handed out by the module, as an array (freed).
function cppVector(v) {
	const out = [];
	for (let i = 0; i < v.size(); i++)
		out.push(v.get(i));
	v.delete();
	return out;
}

// A runner for the model file's bytes (after fixQuantizedDimension()), one
// thread: { runner } or { error } with TFLite's message.
function createRunner(mod, bytes) {
	fixQuantizedDimension(bytes);
	const ptr = mod._malloc(bytes.length);
	mod.HEAPU8.set(bytes, ptr);
	const r = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length, {
		numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024,
	});
	if (!r.ok())
		return { error: r.errorMessage() };
	return { runner: r.value() };
}

// A tensor's bytes, as a Uint8Array view of the module's heap.
function tensorBytes(t) {
	const d = t.data();
	return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

module.exports = { fixQuantizedDimension, loadModule, cppVector, createRunner, tensorBytes };
