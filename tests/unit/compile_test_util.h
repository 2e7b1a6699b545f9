// SPDX-License-Identifier: GPL-2.0-only
// Helpers shared by the compile_*.cc tests: locating and reading the real
// models, and a tiny flatbuffer writer for hand-made (hostile) models.
#ifndef AIOT_TESTS_COMPILE_TEST_UTIL_H
#define AIOT_TESTS_COMPILE_TEST_UTIL_H

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "plan.h"
#include "quant.h"
#include "tflite.h"
}

namespace compile_test {

// AIOT_MODELS_DIR, or ../shared/models relative to the repo root (where
// `make check-host` runs the tests).
inline std::string ModelsDir()
{
	const char *env = std::getenv("AIOT_MODELS_DIR");
	return env && *env ? env : "../shared/models";
}

inline bool ReadFile(const std::string &path, std::vector<uint8_t> *out)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
		return false;
	out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
	return true;
}

struct ModelDeleter {
	void operator()(tflite_model *m) const { tflite_model_free(m); }
};
using ModelPtr = std::unique_ptr<tflite_model, ModelDeleter>;

// Load from memory; on failure returns null and sets *error.
inline ModelPtr Load(const std::vector<uint8_t> &bytes, std::string *error = nullptr,
		     int *rc_out = nullptr)
{
	tflite_model *m = nullptr;
	char err[512];
	int rc = tflite_model_load(bytes.data(), bytes.size(), &m, err, sizeof(err));
	if (rc_out)
		*rc_out = rc;
	if (error)
		*error = rc ? err : "";
	return ModelPtr(m);
}

// The relative paths of the real models (README of the models folder).
inline const std::vector<std::string> &ModelFiles()
{
	static const std::vector<std::string> files = {
		"hello_world/hello_world_int8.tflite",
		"hello_world/hello_world_float.tflite",
		"person_detection/person_detect.tflite",
		"micro_speech/micro_speech_quantized.tflite",
		"micro_speech/audio_preprocessor_int8.tflite",
		"keyword_benchmark/keyword_scrambled_8bit.tflite",
	};
	return files;
}

// ---- minimal forward flatbuffer writer ---------------------------------
//
// Objects are described as a tree and serialized parent first, children
// after (uoffsets are unsigned, so children must lie at higher addresses),
// each vtable directly before its table. Shared nodes are written once, so
// aliasing (many offsets to one table) can be expressed.

struct Node;
using NodeP = std::shared_ptr<Node>;

struct Node {
	enum Kind { kTable, kScalarVector, kTableVector, kString } kind = kTable;
	// kTable: field index -> scalar bytes (scalars) or child (refs)
	std::map<int, std::vector<uint8_t>> scalars;
	std::map<int, NodeP> refs;
	// kScalarVector / kString
	std::vector<uint8_t> bytes;
	size_t elem_size = 1;
	// kTableVector
	std::vector<NodeP> elems;
};

template <typename T> std::vector<uint8_t> Bytes(T v)
{
	std::vector<uint8_t> b(sizeof(T));
	std::memcpy(b.data(), &v, sizeof(T));
	return b;
}

inline NodeP Table() { return std::make_shared<Node>(); }

template <typename T> NodeP Vec(const std::vector<T> &values)
{
	NodeP n = std::make_shared<Node>();
	n->kind = Node::kScalarVector;
	n->elem_size = sizeof(T);
	n->bytes.resize(values.size() * sizeof(T));
	if (!values.empty())
		std::memcpy(n->bytes.data(), values.data(), n->bytes.size());
	return n;
}

inline NodeP Str(const std::string &s)
{
	NodeP n = std::make_shared<Node>();
	n->kind = Node::kString;
	n->bytes.assign(s.begin(), s.end());
	return n;
}

inline NodeP TableVec(const std::vector<NodeP> &elems)
{
	NodeP n = std::make_shared<Node>();
	n->kind = Node::kTableVector;
	n->elems = elems;
	return n;
}

class Writer {
public:
	std::vector<uint8_t> Finish(const NodeP &root)
	{
		buf_.assign(8, 0);
		std::memcpy(buf_.data() + 4, "TFL3", 4);
		size_t pos = Write(root);
		Put32(0, (uint32_t)pos);
		while (buf_.size() % 16)
			buf_.push_back(0);
		return buf_;
	}

private:
	std::vector<uint8_t> buf_;

	void Pad(size_t align, size_t phase = 0)
	{
		while ((buf_.size() + phase) % align)
			buf_.push_back(0);
	}
	void Put32(size_t pos, uint32_t v) { std::memcpy(buf_.data() + pos, &v, 4); }

	// A node referenced twice is written once: later references point
	// forward to it, because every vector reserves all its slots first.
	std::map<const Node *, size_t> written_;

	size_t Write(const NodeP &n)
	{
		auto it = written_.find(n.get());
		if (it != written_.end())
			return it->second;
		size_t pos = WriteNew(n);
		written_[n.get()] = pos;
		return pos;
	}

	size_t WriteNew(const NodeP &n)
	{
		switch (n->kind) {
		case Node::kTable: return WriteTable(*n);
		case Node::kScalarVector: {
			// the first element must be aligned to its own size
			size_t a = n->elem_size < 4 ? 4 : n->elem_size;
			Pad(a, 4);
			size_t pos = buf_.size();
			uint32_t count = (uint32_t)(n->bytes.size() / n->elem_size);
			buf_.resize(pos + 4);
			Put32(pos, count);
			buf_.insert(buf_.end(), n->bytes.begin(), n->bytes.end());
			return pos;
		}
		case Node::kString: {
			Pad(4);
			size_t pos = buf_.size();
			buf_.resize(pos + 4);
			Put32(pos, (uint32_t)n->bytes.size());
			buf_.insert(buf_.end(), n->bytes.begin(), n->bytes.end());
			buf_.push_back(0);
			return pos;
		}
		case Node::kTableVector: {
			Pad(4);
			size_t pos = buf_.size();
			buf_.resize(pos + 4 + 4 * n->elems.size());
			Put32(pos, (uint32_t)n->elems.size());
			for (size_t i = 0; i < n->elems.size(); i++) {
				size_t child = Write(n->elems[i]);
				size_t slot = pos + 4 + 4 * i;
				Put32(slot, (uint32_t)(child - slot));
			}
			return pos;
		}
		}
		return 0;
	}

	size_t WriteTable(const Node &n)
	{
		int max_field = -1;
		for (auto &kv : n.scalars)
			max_field = std::max(max_field, kv.first);
		for (auto &kv : n.refs)
			max_field = std::max(max_field, kv.first);
		// inline layout: soffset, then 8-, 4-, 2-, 1-byte fields (stays aligned)
		std::map<int, size_t> offset;
		size_t tsize = 4;
		for (size_t width : {8, 4, 2, 1}) {
			for (auto &kv : n.scalars)
				if (kv.second.size() == width) {
					tsize = (tsize + width - 1) / width * width;
					offset[kv.first] = tsize;
					tsize += width;
				}
			if (width == 4)
				for (auto &kv : n.refs) {
					offset[kv.first] = tsize;
					tsize += 4;
				}
		}
		size_t vsize = 4 + 2 * (size_t)(max_field + 1);
		// vtable, then the table 8-aligned right after it
		Pad(2);
		size_t vt = buf_.size();
		buf_.resize(vt + vsize, 0);
		Pad(8);
		size_t table = buf_.size();
		buf_.resize(table + tsize, 0);
		uint16_t v16 = (uint16_t)vsize, t16 = (uint16_t)tsize;
		std::memcpy(buf_.data() + vt, &v16, 2);
		std::memcpy(buf_.data() + vt + 2, &t16, 2);
		for (auto &kv : offset) {
			uint16_t o = (uint16_t)kv.second;
			std::memcpy(buf_.data() + vt + 4 + 2 * kv.first, &o, 2);
		}
		int32_t soffset = (int32_t)(table - vt);
		std::memcpy(buf_.data() + table, &soffset, 4);
		for (auto &kv : n.scalars)
			std::memcpy(buf_.data() + table + offset[kv.first], kv.second.data(),
				    kv.second.size());
		for (auto &kv : n.refs) {
			size_t child = Write(kv.second);
			size_t slot = table + offset[kv.first];
			Put32(slot, (uint32_t)(child - slot));
		}
		return table;
	}
};

inline std::vector<uint8_t> Serialize(const NodeP &root) { return Writer().Finish(root); }

// A small valid int8 model: input t0 [1,4] -> FULLY_CONNECTED(weights t1
// [2,4], bias t2 [2]) -> output t3 [1,2]. Tests mutate the returned tree.
struct TinyModel {
	NodeP model, subgraph, op, opcode, options;
	std::vector<NodeP> tensors, buffers, quants;
};

inline NodeP Quant(const std::vector<float> &scales, const std::vector<int64_t> &zps)
{
	NodeP q = Table();
	q->refs[2] = Vec(scales);
	q->refs[3] = Vec(zps);
	return q;
}

inline NodeP Tensor(const std::string &name, std::vector<int32_t> shape, int8_t type,
		    uint32_t buffer, NodeP quant)
{
	NodeP t = Table();
	t->refs[0] = Vec(shape);
	t->scalars[1] = Bytes<int8_t>(type);
	t->scalars[2] = Bytes<uint32_t>(buffer);
	t->refs[3] = Str(name);
	if (quant)
		t->refs[4] = quant;
	return t;
}

inline TinyModel MakeTinyModel()
{
	TinyModel m;
	m.quants = {
		Quant({0.5f}, {-1}),
		Quant({0.25f, 0.125f}, {0, 0}),
		Quant({0.125f, 0.0625f}, {0, 0}),
		Quant({1.0f}, {3}),
	};
	m.tensors = {
		Tensor("input", {1, 4}, TFLITE_TYPE_INT8, 0, m.quants[0]),
		Tensor("weights", {2, 4}, TFLITE_TYPE_INT8, 1, m.quants[1]),
		Tensor("bias", {2}, TFLITE_TYPE_INT32, 2, m.quants[2]),
		Tensor("output", {1, 2}, TFLITE_TYPE_INT8, 0, m.quants[3]),
	};
	m.quants[1]->scalars[6] = Bytes<int32_t>(0); // quantized_dimension
	NodeP empty = Table();
	NodeP weights = Table();
	weights->refs[0] = Vec(std::vector<int8_t>{1, 2, 3, 4, 5, 6, 7, 8});
	NodeP bias = Table();
	const int32_t bias_values[2] = {100, -100};
	std::vector<uint8_t> bias_bytes(8);
	std::memcpy(bias_bytes.data(), bias_values, 8);
	bias->refs[0] = Vec(bias_bytes); // Buffer.data is [ubyte]
	m.buffers = {empty, weights, bias};

	m.opcode = Table();
	m.opcode->scalars[0] = Bytes<int8_t>(TFLITE_OP_FULLY_CONNECTED);
	m.opcode->scalars[2] = Bytes<int32_t>(1);
	m.opcode->scalars[3] = Bytes<int32_t>(TFLITE_OP_FULLY_CONNECTED);

	m.options = Table();
	m.options->scalars[0] = Bytes<uint8_t>(TFLITE_ACT_RELU);
	m.op = Table();
	m.op->scalars[0] = Bytes<uint32_t>(0);
	m.op->refs[1] = Vec(std::vector<int32_t>{0, 1, 2});
	m.op->refs[2] = Vec(std::vector<int32_t>{3});
	m.op->scalars[3] = Bytes<uint8_t>(TFLITE_OPTIONS_FULLY_CONNECTED);
	m.op->refs[4] = m.options;

	m.subgraph = Table();
	m.subgraph->refs[0] = TableVec(m.tensors);
	m.subgraph->refs[1] = Vec(std::vector<int32_t>{0});
	m.subgraph->refs[2] = Vec(std::vector<int32_t>{3});
	m.subgraph->refs[3] = TableVec({m.op});
	m.subgraph->refs[4] = Str("main");

	m.model = Table();
	m.model->scalars[0] = Bytes<uint32_t>(3);
	m.model->refs[1] = TableVec({m.opcode});
	m.model->refs[2] = TableVec({m.subgraph});
	m.model->refs[3] = Str("tiny");
	m.model->refs[4] = TableVec(m.buffers);
	return m;
}

} // namespace compile_test

#endif // AIOT_TESTS_COMPILE_TEST_UTIL_H
