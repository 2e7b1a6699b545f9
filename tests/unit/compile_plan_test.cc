// SPDX-License-Identifier: GPL-2.0-only
// Arena planner: exhaustive no-overlap checks on random and real graphs.
#include <gtest/gtest.h>

#include <cerrno>
#include <random>

#include "compile_test_util.h"

using namespace compile_test;

namespace {

// Every pair of requests with intersecting lifetimes must occupy disjoint
// byte ranges; every placed request lies inside the arena, aligned.
void CheckPlan(const std::vector<plan_request> &req, const std::vector<size_t> &off,
	       size_t arena, size_t alignment)
{
	size_t max_end = 0;
	for (size_t i = 0; i < req.size(); i++) {
		if (req[i].size == 0) {
			EXPECT_EQ(off[i], PLAN_UNPLACED);
			continue;
		}
		ASSERT_NE(off[i], PLAN_UNPLACED) << i;
		ASSERT_EQ(off[i] % alignment, 0u) << i;
		ASSERT_LE(off[i] + req[i].size, arena) << i;
		max_end = std::max(max_end, off[i] + req[i].size);
		for (size_t j = 0; j < i; j++) {
			if (req[j].size == 0)
				continue;
			bool live_together = req[i].first_use <= req[j].last_use &&
					     req[j].first_use <= req[i].last_use;
			bool bytes_overlap = off[i] < off[j] + req[j].size &&
					     off[j] < off[i] + req[i].size;
			ASSERT_FALSE(live_together && bytes_overlap)
				<< "requests " << i << " and " << j << " share bytes";
		}
	}
	EXPECT_LE(arena, (max_end + alignment - 1) / alignment * alignment);
}

TEST(Plan, ChainReusesMemory)
{
	// a -> op0 -> b -> op1 -> c -> op2 -> d: only neighbours coexist
	std::vector<plan_request> req = {
		{1000, 0, 0}, {2000, 0, 1}, {3000, 1, 2}, {500, 2, 2},
	};
	std::vector<size_t> off(req.size());
	size_t arena = 0;
	char err[128];
	ASSERT_EQ(plan_arena(req.data(), req.size(), 16, off.data(), &arena, err, sizeof(err)), 0);
	CheckPlan(req, off, arena, 16);
	EXPECT_EQ(arena, 5008u); // 2000 + 3000 (+ alignment of 2000 -> 2000, 3000 -> 3008)
}

TEST(Plan, DisjointLifetimesShareOffsetZero)
{
	std::vector<plan_request> req = {{64, 0, 0}, {64, 1, 1}, {64, 2, 2}};
	std::vector<size_t> off(req.size());
	size_t arena = 0;
	ASSERT_EQ(plan_arena(req.data(), req.size(), 16, off.data(), &arena, nullptr, 0), 0);
	EXPECT_EQ(arena, 64u);
	for (size_t o : off)
		EXPECT_EQ(o, 0u);
}

TEST(Plan, RandomGraphsNeverOverlap)
{
	std::mt19937 rng(99);
	for (int round = 0; round < 300; round++) {
		size_t n = 1 + rng() % 60;
		size_t alignment = (size_t)1 << (rng() % 7);
		std::vector<plan_request> req(n);
		size_t total = 0;
		for (auto &r : req) {
			r.size = rng() % 5 == 0 ? 0 : rng() % 5000;
			r.first_use = (int32_t)(rng() % 40);
			r.last_use = r.first_use + (int32_t)(rng() % 10);
			total += (r.size + alignment - 1) / alignment * alignment;
		}
		std::vector<size_t> off(n);
		size_t arena = 0;
		char err[128];
		ASSERT_EQ(plan_arena(req.data(), n, alignment, off.data(), &arena, err,
				     sizeof(err)), 0) << err;
		CheckPlan(req, off, arena, alignment);
		EXPECT_LE(arena, total); // never worse than no sharing at all
	}
}

TEST(Plan, RejectsBadInput)
{
	std::vector<plan_request> req = {{16, 3, 2}};
	std::vector<size_t> off(1);
	size_t arena = 0;
	char err[128];
	EXPECT_EQ(plan_arena(req.data(), 1, 16, off.data(), &arena, err, sizeof(err)), -EINVAL);
	EXPECT_NE(std::string(err).find("lifetime [3, 2] is invalid"), std::string::npos);
	req[0] = {16, -1, 2};
	EXPECT_EQ(plan_arena(req.data(), 1, 16, off.data(), &arena, err, sizeof(err)), -EINVAL);
	req[0] = {SIZE_MAX - 3, 0, 0};
	EXPECT_EQ(plan_arena(req.data(), 1, 16, off.data(), &arena, err, sizeof(err)), -EINVAL);
	req[0] = {16, 0, 0};
	EXPECT_EQ(plan_arena(req.data(), 1, 12, off.data(), &arena, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(plan_arena(req.data(), 1, 0, off.data(), &arena, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(plan_arena(nullptr, 0, 16, nullptr, &arena, err, sizeof(err)), 0);
	EXPECT_EQ(arena, 0u);
	// overflow of the arena itself
	std::vector<plan_request> two = {{SIZE_MAX / 2 + 1, 0, 0}, {SIZE_MAX / 2 + 1, 0, 0}};
	std::vector<size_t> off2(2);
	EXPECT_EQ(plan_arena(two.data(), 2, 1, off2.data(), &arena, err, sizeof(err)), -EINVAL);
}

// Recompute the lifetimes plan_model_arena documents and check its offsets.
void CheckModelPlan(const tflite_model *m, const std::vector<size_t> &off, size_t arena)
{
	std::vector<plan_request> req(m->tensor_count, plan_request{0, 0, 0});
	std::vector<bool> used(m->tensor_count, false);
	std::vector<int32_t> first(m->tensor_count, INT32_MAX), last(m->tensor_count, -1);
	for (uint32_t o = 0; o < m->operator_count; o++) {
		const tflite_operator &op = m->operators[o];
		for (uint32_t k = 0; k < op.input_count + op.output_count; k++) {
			int32_t t = k < op.input_count ? op.inputs[k] : op.outputs[k - op.input_count];
			if (t < 0)
				continue;
			first[t] = std::min(first[t], (int32_t)o);
			last[t] = std::max(last[t], (int32_t)o);
		}
	}
	for (uint32_t t = 0; t < m->tensor_count; t++) {
		if (last[t] < 0 || tflite_tensor_data(m, t)) {
			EXPECT_EQ(off[t], PLAN_UNPLACED) << t;
			continue;
		}
		req[t] = {(size_t)m->tensors[t].byte_size, first[t], last[t]};
		// widen as documented: graph inputs from op 0, outputs to the end
		for (uint32_t k = 0; k < m->input_count; k++)
			if (m->inputs[k] == (int32_t)t)
				req[t].first_use = 0;
		for (uint32_t k = 0; k < m->output_count; k++)
			if (m->outputs[k] == (int32_t)t)
				req[t].last_use = (int32_t)m->operator_count - 1;
		if (m->tensors[t].is_variable) {
			req[t].first_use = 0;
			req[t].last_use = (int32_t)m->operator_count - 1;
		}
	}
	CheckPlan(req, off, arena, 16);
}

TEST(Plan, RealModels)
{
	int loaded = 0;
	std::map<std::string, size_t> arenas;
	for (const std::string &rel : ModelFiles()) {
		std::vector<uint8_t> bytes;
		if (!ReadFile(ModelsDir() + "/" + rel, &bytes))
			continue;
		std::string err;
		ModelPtr m = Load(bytes, &err);
		ASSERT_TRUE(m) << rel << ": " << err;
		loaded++;
		std::vector<size_t> off(m->tensor_count);
		size_t arena = 0;
		char perr[256];
		ASSERT_EQ(plan_model_arena(m.get(), 16, off.data(), &arena, perr, sizeof(perr)), 0)
			<< rel << ": " << perr;
		CheckModelPlan(m.get(), off, arena);
		arenas[rel] = arena;
	}
	if (loaded == 0)
		GTEST_SKIP() << "no models under " << ModelsDir();
	if (arenas.count("hello_world/hello_world_int8.tflite")) { // 1 + 16 + 16 + 1 bytes
		EXPECT_EQ(arenas["hello_world/hello_world_int8.tflite"], 32u);
	}
	if (arenas.count("person_detection/person_detect.tflite")) { // 48x48x8 + 48x48x16
		EXPECT_EQ(arenas["person_detection/person_detect.tflite"], 55296u);
	}
}

} // namespace
