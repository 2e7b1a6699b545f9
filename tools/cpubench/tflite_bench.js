// SPDX-License-Identifier: GPL-2.0-only
//
// Times TensorFlow Lite (its WebAssembly SIMD build, XNNPACK delegate on by
// default) under Node on the models given, single-threaded, for
// tools/cpubench/bench-cpu.sh. The module is the Emscripten build shipped
// in the npm package @tensorflow/tfjs-tflite (wasm/tflite_web_api_cc_simd.js),
// loaded directly, without the tfjs runtime.
//
//   node tflite_bench.js --wasm DIR --n N [--warmup W] MODEL.tflite[=INPUT] ...
//
// Prints one line per model:
//   "tflite MODEL best_ms mean_ms N output=HEX"
// timing N inferences in 10 batches (best batch's mean, and the overall
// mean), as aiot-run --bench times the aiot executors. INPUT, when given,
// fills the input: an 8-bit BMP's pixels, top row first (as aiot-run reads
// it), or any other file's last bytes; otherwise the input is zero.
'use strict';

const fs = require('fs');
const path = require('path');

function usage(msg) {
	process.stderr.write(`tflite_bench: ${msg}\n`);
	process.exit(2);
}

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

// An 8-bit BMP's pixel rows, top row first; else the file's last bytes.
function fillInput(dst, src) {
	if (src.length >= 54 && src[0] === 0x42 && src[1] === 0x4d && src[28] === 8) {
		const at = src.readUInt32LE(10), w = src.readInt32LE(18), h = src.readInt32LE(22);
		const rows = Math.abs(h), stride = (w + 3) & ~3;
		if (w * rows === dst.length && at + stride * rows <= src.length) {
			for (let r = 0; r < rows; r++) {
				const from = at + (h > 0 ? rows - 1 - r : r) * stride;
				dst.set(src.subarray(from, from + w), r * w);
			}
			return;
		}
	}
	dst.set(src.subarray(Math.max(0, src.length - dst.length)));
}

function cppVector(v) {
	const out = [];
	for (let i = 0; i < v.size(); i++)
		out.push(v.get(i));
	v.delete();
	return out;
}

async function main() {
	const args = process.argv.slice(2);
	let wasmDir = null, n = 200, warmup = 50;
	const models = [];
	for (let i = 0; i < args.length; i++) {
		if (args[i] === '--wasm')
			wasmDir = args[++i];
		else if (args[i] === '--n')
			n = parseInt(args[++i], 10);
		else if (args[i] === '--warmup')
			warmup = parseInt(args[++i], 10);
		else if (args[i].startsWith('--'))
			usage(`unknown option ${args[i]}`);
		else
			models.push(args[i]);
	}
	if (!wasmDir || !models.length || !(n > 0) || !(warmup >= 0))
		usage('--wasm DIR [--n N] [--warmup W] MODEL.tflite[=INPUT] ...');
	const factory = require(path.resolve(wasmDir, 'tflite_web_api_cc_simd.js'));
	const mod = await factory({
		locateFile: (f) => path.resolve(wasmDir, f),
		// Node's fetch() takes no file paths: hand the binary over.
		wasmBinary: fs.readFileSync(path.resolve(wasmDir, 'tflite_web_api_cc_simd.wasm')),
		print: () => {},
		printErr: (s) => process.stderr.write(`${s}\n`),
	});
	for (const spec of models) {
		const [file, inputFile] = spec.split('=');
		const bytes = new Uint8Array(fs.readFileSync(file));
		fixQuantizedDimension(bytes);
		const ptr = mod._malloc(bytes.length);
		mod.HEAPU8.set(bytes, ptr);
		const r = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length, {
			numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024,
		});
		if (!r.ok()) {
			console.log(`tflite ${path.basename(file)} error ${r.errorMessage()}`);
			continue;
		}
		const runner = r.value();
		const inputs = cppVector(runner.GetInputs());
		const data = inputs[0].data();
		if (inputFile)
			fillInput(new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
				  fs.readFileSync(inputFile));
		for (let i = 0; i < warmup; i++)
			runner.Infer();
		const batches = 10, per = Math.max(1, Math.floor(n / batches));
		let best = Infinity, sum = 0;
		for (let b = 0; b < batches; b++) {
			const t0 = process.hrtime.bigint();
			for (let i = 0; i < per; i++)
				if (!runner.Infer())
					throw new Error(`${file}: inference failed`);
			const ms = Number(process.hrtime.bigint() - t0) / 1e6 / per;
			best = Math.min(best, ms);
			sum += ms;
		}
		const out = cppVector(runner.GetOutputs())[0].data();
		const hex = Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString('hex');
		console.log(`tflite ${path.basename(file)} ${best.toFixed(6)} ` +
			    `${(sum / batches).toFixed(6)} ${per * batches} output=${hex}`);
	}
}

main().catch((e) => {
	process.stderr.write(`tflite_bench: ${e.stack || e}\n`);
	process.exit(1);
});
