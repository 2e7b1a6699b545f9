// SPDX-License-Identifier: GPL-2.0-only
// make check-tflite: an outside check of aiot against a real TensorFlow Lite
// interpreter. Every generated model (tflite_check_cases.cc) is compiled
// by the compiler's own lowering and run on the ISA reference executor
// (cpu_model.c), and run by TensorFlow Lite's WebAssembly build under Node
// (tools/cpubench/tflite_run.js). The outputs are compared element by
// element; an element that differs must be explained: on a
// convolution-like layer aiot's value must equal the double-rounding
// result and TFLite's the single-rounding or XNNPACK fp32 result, both
// computed here from the accumulator (tflite_check_rounding.h); int8
// ADD/SUB/LEAKY_RELU, MEAN/SUM and RESIZE_BILINEAR likewise from their
// arithmetic written out in tflite_check_cases.cc: aiot's must equal TFLite
// Micro's reference, TFLite's the single-rounding value, the XNNPACK
// kernel's (ADD/SUB, LEAKY_RELU, RESIZE_BILINEAR) or the float-rescaled
// reduction's (MEAN/SUM); on int16 SOFTMAX aiot's must equal TFLite
// Micro's (float tables) and TFLite's its own kernel with the tables it
// computes in double. Anything else fails.
//
//   tflite_check --wasm DIR --work DIR [--node NODE] [--runner JS] [--only SUBSTR]
//
// Prints a table per operator and "tflite-check: N passed, M failed";
// exit status 1 when a case failed, 2 on usage or I/O errors.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "compile_blob_util.h"
#include "compile_test_util.h"
#include "tflite_check_cases.h"

extern "C" {
#include "aiot_isa.h"
#include "cpu_model.h"
}

using namespace tflite_check;

namespace {

bool WriteFile(const std::string &path, const std::vector<uint8_t> &bytes)
{
	FILE *f = std::fopen(path.c_str(), "wb");
	if (!f)
		return false;
	bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
	return std::fclose(f) == 0 && ok;
}

std::string ReadText(const std::string &path)
{
	std::ifstream in(path);
	std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
		s.pop_back();
	return s;
}

// A graph's float32 output from the integer tensor aiot leaves, as the host
// gives it (libaiot-accel's aiot_model_read_output_float(), aiot-run):
// TensorFlow Lite's DEQUANTIZE, in double, then to float.
void Dequantize(const aiot_model_tensor &o, std::vector<uint8_t> *bytes)
{
	size_t n = o.size / aiot_isa_dtype_bytes(o.dtype);
	std::vector<uint8_t> f(n * 4);
	float scale;
	std::memcpy(&scale, &o.scale_bits, 4);
	for (size_t i = 0; i < n; i++) {
		int32_t q;
		if (o.dtype == AIOT_ISA_DTYPE_INT16) {
			int16_t v;
			std::memcpy(&v, &(*bytes)[i * 2], 2);
			q = v;
		} else {
			q = int8_t((*bytes)[i]);
		}
		float v = float(double(scale) * double(q - o.zero_point));
		std::memcpy(&f[i * 4], &v, 4);
	}
	*bytes = std::move(f);
}

// The model compiled and run by aiot: the output bytes, or an error.
bool RunAiot(const Case &c, std::vector<uint8_t> *out, std::string *err)
{
	compile_test::ModelPtr m = compile_test::Load(c.model, err);
	if (!m) {
		*err = "reader: " + *err;
		return false;
	}
	std::vector<uint8_t> blob = compile_test::CompileToBlob(m.get(), "tflite_check", err);
	if (blob.empty()) {
		*err = "aiot-compile: " + *err;
		return false;
	}
	char msg[1024];
	aiot_cpu_model *cm = nullptr;
	int rc = aiot_cpu_model_load(blob.data(), blob.size(), &cm, msg, sizeof(msg));
	if (rc) {
		*err = std::string("cpu model: ") + msg;
		return false;
	}
	const aiot_model_blob_view *v = aiot_cpu_model_view(cm);
	const aiot_model_tensor &in = v->tensors[0], &o = v->tensors[v->input_count];
	bool ok = false;
	if (in.size != c.input.size()) {
		*err = "aiot's input has " + std::to_string(in.size) + " bytes, the case " +
		       std::to_string(c.input.size());
	} else if (c.float_out != bool(o.flags & AIOT_MODEL_TENSOR_F_DEQUANTIZE)) {
		*err = std::string("aiot's output is ") + (c.float_out ? "not " : "") +
		       "marked as a DEQUANTIZE's float32";
	} else if (c.float_out ? o.size / aiot_isa_dtype_bytes(o.dtype) != c.out_elems
			       : o.size != c.out_elems * size_t(c.out_size)) {
		*err = "aiot's output has " + std::to_string(o.size) + " bytes, " +
		       std::to_string(c.out_elems * size_t(c.out_size)) + " expected";
	} else {
		std::memcpy(aiot_cpu_model_tensor(cm, 0), c.input.data(), c.input.size());
		rc = aiot_cpu_model_run_reference(cm);
		if (rc) {
			*err = "run: error " + std::to_string(rc);
		} else {
			auto *p = (const uint8_t *)aiot_cpu_model_tensor(cm, v->input_count);
			out->assign(p, p + o.size);
			if (o.flags & AIOT_MODEL_TENSOR_F_DEQUANTIZE)
				Dequantize(o, out);
			ok = true;
		}
	}
	aiot_cpu_model_free(cm);
	return ok;
}

int32_t Element(const std::vector<uint8_t> &b, size_t i, int size)
{
	if (size == 1)
		return int8_t(b[i]);
	if (size == 4) {		// a float32: its bits, compared exactly
		int32_t bits;
		std::memcpy(&bits, &b[i * 4], 4);
		return bits;
	}
	int16_t v;
	std::memcpy(&v, &b[i * 2], 2);
	return v;
}

struct Row {
	int cases = 0, failed = 0, refused = 0;
	size_t elements = 0, identical = 0, single = 0, fp32 = 0, rescale = 0, tables = 0;
	size_t unexplained = 0;
};

// Compares one case's outputs; true when every element is identical or
// explained. Details of what is not go to stdout.
bool Compare(const Case &c, const std::vector<uint8_t> &aiot, const std::vector<uint8_t> &tfl,
	     Row *row)
{
	int shown = 0;
	size_t bad = 0;
	row->elements += c.out_elems;
	for (size_t i = 0; i < c.out_elems; i++) {
		int32_t a = Element(aiot, i, c.out_size), t = Element(tfl, i, c.out_size);
		const Acc *acc = c.accs.empty() ? nullptr : &c.accs[i];
		int32_t dr = acc ? DoubleRounding(*acc) : 0;
		// aiot must be the double-rounding result everywhere; where the
		// kernel TFLite runs is written out (the XNNPACK one the delegate
		// takes, the float-rescaled reduction), TFLite must be its value
		// everywhere too, not only where the two differ.
		const std::vector<int32_t> &kernel = !c.ref_xnn.empty() ? c.ref_xnn :
						     !c.ref_float.empty() ? c.ref_float :
						     c.ref_tables;
		bool ok = (!acc || a == dr) && (c.ref_double.empty() || a == c.ref_double[i]) &&
			  (kernel.empty() || t == kernel[i]);
		if (ok && a == t) {
			row->identical++;
			continue;
		}
		if (!c.ref_double.empty()) {
			// XNNPACK first: the delegate runs the layers it takes.
			if (ok && !c.ref_xnn.empty() && t == c.ref_xnn[i]) {
				row->fp32++;
				continue;
			}
			if (ok && !c.ref_single.empty() && t == c.ref_single[i]) {
				row->single++;
				continue;
			}
			if (ok && !c.ref_float.empty() && t == c.ref_float[i]) {
				row->rescale++;
				continue;
			}
			if (ok && !c.ref_tables.empty() && t == c.ref_tables[i]) {
				row->tables++;
				continue;
			}
		}
		int32_t sr = acc ? SingleRounding(*acc) : 0, fr = acc ? Fp32Rounding(*acc) : 0;
		if (ok && acc && t == sr) {
			row->single++;
			continue;
		}
		if (ok && acc && t == fr) {
			row->fp32++;
			continue;
		}
		bad++;
		if (shown++ < 5) {
			std::printf("  %s: element %zu: aiot %d, TFLite %d", c.name.c_str(), i, a, t);
			auto ref = [&](const char *what, const std::vector<int32_t> &v) {
				if (!v.empty())
					std::printf(" %s %d", what, v[i]);
			};
			if (!c.ref_double.empty()) {
				std::printf(" (written out:");
				ref("aiot's", c.ref_double);
				ref("single rounding", c.ref_single);
				ref("XNNPACK", c.ref_xnn);
				ref("float rescaling", c.ref_float);
				ref("double tables", c.ref_tables);
				std::printf(")");
			}
			if (acc)
				std::printf(" (accumulator %lld: double rounding %d, single %d, "
					    "XNNPACK fp32 %d)", (long long)acc->acc, dr, sr, fr);
			std::printf("\n");
		}
	}
	row->unexplained += bad;
	return bad == 0;
}

void Usage(const char *msg)
{
	std::fprintf(stderr, "tflite_check: %s\nusage: tflite_check --wasm DIR --work DIR "
		     "[--node NODE] [--runner tflite_run.js] [--only SUBSTR]\n", msg);
	std::exit(2);
}

} // namespace

int main(int argc, char **argv)
{
	std::string wasm, work, node = "node", runner = "tools/cpubench/tflite_run.js", only;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if (i + 1 >= argc)
			Usage(("missing value of " + a).c_str());
		if (a == "--wasm")
			wasm = argv[++i];
		else if (a == "--work")
			work = argv[++i];
		else if (a == "--node")
			node = argv[++i];
		else if (a == "--runner")
			runner = argv[++i];
		else if (a == "--only")
			only = argv[++i];
		else
			Usage(("unknown option " + a).c_str());
	}
	if (wasm.empty() || work.empty())
		Usage("--wasm and --work are required");
	if (mkdir(work.c_str(), 0755) && errno != EEXIST) {
		std::perror(work.c_str());
		return 2;
	}

	std::vector<Case> cases;
	for (Case &c : AllCases())
		if (only.empty() || c.op.find(only) != std::string::npos ||
		    c.name.find(only) != std::string::npos)
			cases.push_back(std::move(c));
	std::string list = work + "/list";
	std::string lines;
	for (const Case &c : cases) {
		std::string base = work + "/" + c.name;
		if (!WriteFile(base + ".tflite", c.model) || !WriteFile(base + ".in", c.input)) {
			std::perror(base.c_str());
			return 2;
		}
		lines += base + ".tflite " + base + ".in " + base + ".tflite.out\n";
	}
	if (!WriteFile(list, std::vector<uint8_t>(lines.begin(), lines.end()))) {
		std::perror(list.c_str());
		return 2;
	}
	std::string cmd = "'" + node + "' '" + runner + "' --wasm '" + wasm + "' --list '" + list + "'";
	int rc = std::system(cmd.c_str());
	if (rc) {
		std::fprintf(stderr, "tflite_check: %s: exit status %d\n", cmd.c_str(), rc);
		return 2;
	}

	std::map<std::string, Row> rows;
	std::vector<std::string> order;
	int passed = 0, failed = 0;
	for (const Case &c : cases) {
		if (!rows.count(c.op))
			order.push_back(c.op);
		Row &row = rows[c.op];
		row.cases++;
		std::string base = work + "/" + c.name;
		std::vector<uint8_t> aiot, tfl;
		std::string err;
		bool ok;
		if (!RunAiot(c, &aiot, &err)) {
			std::printf("  %s (%s): aiot failed: %s\n", c.name.c_str(), c.op.c_str(),
				    err.c_str());
			ok = false;
		} else if (!compile_test::ReadFile(base + ".tflite.out", &tfl)) {
			std::string why = ReadText(base + ".tflite.out.err");
			ok = !c.tflite_refuses.empty();
			std::printf("  %s (%s): TFLite: %s%s%s\n", c.name.c_str(), c.op.c_str(),
				    why.c_str(), ok ? "; known: " : "", c.tflite_refuses.c_str());
			row.refused += ok;
		} else if (!c.tflite_refuses.empty()) {
			std::printf("  %s (%s): TFLite ran a model it was expected to refuse (%s)\n",
				    c.name.c_str(), c.op.c_str(), c.tflite_refuses.c_str());
			ok = false;
		} else if (tfl.size() != aiot.size()) {
			std::printf("  %s (%s): TFLite's output has %zu bytes, aiot's %zu\n",
				    c.name.c_str(), c.op.c_str(), tfl.size(), aiot.size());
			ok = false;
		} else {
			ok = Compare(c, aiot, tfl, &row);
		}
		row.failed += !ok;
		(ok ? passed : failed)++;
	}

	std::printf("\n| operator | cases | elements | identical | explained: single rounding "
		    "| explained: XNNPACK | explained: float rescaling "
		    "| explained: double tables | unexplained | "
		    "refused by TFLite (known) | failed cases |\n"
		    "|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (const std::string &op : order) {
		const Row &r = rows[op];
		std::printf("| %s | %d | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %d | %d |\n",
			    op.c_str(), r.cases, r.elements, r.identical, r.single, r.fp32, r.rescale,
			    r.tables, r.unexplained, r.refused, r.failed);
	}
	std::printf("tflite-check: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
