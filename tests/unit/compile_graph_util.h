// SPDX-License-Identifier: GPL-2.0-only
// A builder of small TFLite graphs for the lowering tests: tensors (with
// optional constant data and per-tensor quantization), operators by builtin
// code or custom name, serialized with compile_test_util.h's writer.
#ifndef AIOT_TESTS_COMPILE_GRAPH_UTIL_H
#define AIOT_TESTS_COMPILE_GRAPH_UTIL_H

#include "compile_test_util.h"

namespace compile_test {

class GraphBuilder {
public:
	GraphBuilder() { buffers_.push_back(Table()); }

	// A tensor; quantized per tensor when scale > 0; constant when data
	// is not empty (raw little-endian bytes).
	int AddTensor(const std::string &name, std::vector<int32_t> shape, int8_t type,
		      float scale = 0.0f, int64_t zp = 0, const std::vector<uint8_t> &data = {})
	{
		uint32_t buffer = 0;
		if (!data.empty()) {
			NodeP b = Table();
			b->refs[0] = Vec(data);
			buffer = uint32_t(buffers_.size());
			buffers_.push_back(b);
		}
		tensors_.push_back(Tensor(name, std::move(shape), type, buffer,
					  scale > 0.0f ? Quant({scale}, {zp}) : nullptr));
		return int(tensors_.size() - 1);
	}

	// Replaces a tensor's quantization by per-channel scales along dim.
	void SetQuant(int t, const std::vector<float> &scales, const std::vector<int64_t> &zps,
		      int32_t dim)
	{
		NodeP q = Quant(scales, zps);
		q->scalars[6] = Bytes<int32_t>(dim);
		tensors_[size_t(t)]->refs[4] = q;
	}

	// Marks a tensor as a variable (is_variable), e.g. an LSTM's state.
	void SetVariable(int t) { tensors_[size_t(t)]->scalars[5] = Bytes<uint8_t>(1); }

	int AddConstI32(const std::string &name, const std::vector<int32_t> &values,
			std::vector<int32_t> shape = {})
	{
		std::vector<uint8_t> bytes(values.size() * 4);
		std::memcpy(bytes.data(), values.data(), bytes.size());
		if (shape.empty())
			shape = {int32_t(values.size())};
		return AddTensor(name, shape, TFLITE_TYPE_INT32, 0.0f, 0, bytes);
	}

	// An operator; options_type/options as in the schema's BuiltinOptions.
	void AddOp(int32_t builtin, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
		   uint8_t options_type = 0, NodeP options = nullptr, const std::string &custom = "")
	{
		std::string key = std::to_string(builtin) + "/" + custom;
		if (!opcode_index_.count(key)) {
			NodeP c = Table();
			c->scalars[0] = Bytes<int8_t>(int8_t(builtin < 127 ? builtin : 127));
			if (!custom.empty())
				c->refs[1] = Str(custom);
			c->scalars[2] = Bytes<int32_t>(1);
			c->scalars[3] = Bytes<int32_t>(builtin);
			opcode_index_[key] = uint32_t(opcodes_.size());
			opcodes_.push_back(c);
		}
		NodeP op = Table();
		op->scalars[0] = Bytes<uint32_t>(opcode_index_[key]);
		op->refs[1] = Vec(inputs);
		op->refs[2] = Vec(outputs);
		if (options) {
			op->scalars[3] = Bytes<uint8_t>(options_type);
			op->refs[4] = options;
		}
		ops_.push_back(op);
	}

	std::vector<uint8_t> Serialize(std::vector<int32_t> inputs, std::vector<int32_t> outputs)
	{
		NodeP sg = Table();
		sg->refs[0] = TableVec(tensors_);
		sg->refs[1] = Vec(inputs);
		sg->refs[2] = Vec(outputs);
		sg->refs[3] = TableVec(ops_);
		sg->refs[4] = Str("main");
		NodeP model = Table();
		model->scalars[0] = Bytes<uint32_t>(3);
		model->refs[1] = TableVec(opcodes_);
		model->refs[2] = TableVec({sg});
		model->refs[3] = Str("generated");
		model->refs[4] = TableVec(buffers_);
		return compile_test::Serialize(model);
	}

private:
	std::vector<NodeP> tensors_, buffers_, opcodes_, ops_;
	std::map<std::string, uint32_t> opcode_index_;
};

} // namespace compile_test

#endif // AIOT_TESTS_COMPILE_GRAPH_UTIL_H
