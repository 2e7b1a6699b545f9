// SPDX-License-Identifier: GPL-2.0-only
//
// Runs TensorFlow Lite (tflite_wasm.js: the WebAssembly build of npm's
// @tensorflow/tfjs-tflite, XNNPACK delegate on by default, one thread) on
// models and inputs and writes the output bytes, for `make check-tflite`
// (tests/tflite/tflite_check.cc).
//
//   node tflite_run.js --wasm DIR --list LIST
//
// LIST has one "MODEL INPUT OUTPUT" line per run: INPUT holds exactly the
// input tensor's bytes; OUTPUT receives the output tensor's bytes. When
// TFLite refuses the model (or the input does not fit) OUTPUT is not
// written and OUTPUT.err gets the reason. TFLite's log lines for the model
// go to OUTPUT.log. Exit status 0 unless the module itself fails.
'use strict';

const fs = require('fs');
const { loadModule, cppVector, createRunner, tensorBytes } = require('./tflite_wasm');

function usage(msg) {
	process.stderr.write(`tflite_run: ${msg}\n`);
	process.exit(2);
}

function runOne(mod, log, model, input, output) {
	const r = createRunner(mod, new Uint8Array(fs.readFileSync(model)));
	if (r.error)
		return `refused: ${r.error}`;
	const runner = r.runner;
	try {
		const inputs = cppVector(runner.GetInputs());
		const outputs = cppVector(runner.GetOutputs());
		if (inputs.length !== 1 || outputs.length !== 1)
			return `${inputs.length} inputs, ${outputs.length} outputs (1 and 1 expected)`;
		const src = fs.readFileSync(input);
		const dst = tensorBytes(inputs[0]);
		if (src.length !== dst.length)
			return `input ${input} has ${src.length} bytes, the tensor ${dst.length}`;
		dst.set(src);
		if (!runner.Infer())
			return `inference failed: ${log.join(' | ')}`;
		fs.writeFileSync(output, tensorBytes(cppVector(runner.GetOutputs())[0]));
		return null;
	} finally {
		runner.delete();
	}
}

async function main() {
	const args = process.argv.slice(2);
	let wasmDir = null, list = null;
	for (let i = 0; i < args.length; i++) {
		if (args[i] === '--wasm')
			wasmDir = args[++i];
		else if (args[i] === '--list')
			list = args[++i];
		else
			usage(`unknown argument ${args[i]}`);
	}
	if (!wasmDir || !list)
		usage('--wasm DIR --list LIST');
	let log = [];
	const mod = await loadModule(wasmDir, (s) => log.push(s));
	for (const line of fs.readFileSync(list, 'utf8').split('\n')) {
		if (!line.trim())
			continue;
		const [model, input, output] = line.trim().split(/\s+/);
		if (!output)
			usage(`${list}: "${line}": MODEL INPUT OUTPUT expected`);
		log = [];
		for (const f of [output, `${output}.err`, `${output}.log`])
			fs.rmSync(f, { force: true });
		let err;
		try {
			err = runOne(mod, log, model, input, output);
		} catch (e) {
			err = `exception: ${e.message || e}`;
		}
		if (err)
			fs.writeFileSync(`${output}.err`, `${err}\n`);
		if (log.length)
			fs.writeFileSync(`${output}.log`, `${log.join('\n')}\n`);
	}
}

main().catch((e) => {
	process.stderr.write(`tflite_run: ${e.stack || e}\n`);
	process.exit(1);
});
