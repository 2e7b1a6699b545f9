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
const { loadModule, cppVector, createRunner, tensorBytes } = require('./tflite_wasm');

function usage(msg) {
	process.stderr.write(`tflite_bench: ${msg}\n`);
	process.exit(2);
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
	const mod = await loadModule(wasmDir);
	for (const spec of models) {
		const [file, inputFile] = spec.split('=');
		const r = createRunner(mod, new Uint8Array(fs.readFileSync(file)));
		if (r.error) {
			console.log(`tflite ${path.basename(file)} error ${r.error}`);
			continue;
		}
		const runner = r.runner;
		const inputs = cppVector(runner.GetInputs());
		if (inputFile)
			fillInput(tensorBytes(inputs[0]), fs.readFileSync(inputFile));
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
		const hex = Buffer.from(tensorBytes(cppVector(runner.GetOutputs())[0])).toString('hex');
		console.log(`tflite ${path.basename(file)} ${best.toFixed(6)} ` +
			    `${(sum / batches).toFixed(6)} ${per * batches} output=${hex}`);
	}
}

main().catch((e) => {
	process.stderr.write(`tflite_bench: ${e.stack || e}\n`);
	process.exit(1);
});
