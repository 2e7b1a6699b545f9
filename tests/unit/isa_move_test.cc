// SPDX-License-Identifier: GPL-2.0-only OR MIT
// ISA 1.2: PAD, TRANSPOSE, INSERT (CONCATENATION) and MEAN against an
// independent reference written from TensorFlow Lite Micro's kernels
// (reference_ops::Pad/Transpose/Concatenation, reference_integer_ops::Mean),
// the validator's rejections, the work it counts and the version gate.
#include <gtest/gtest.h>

#include "isa_test_util.h"

using namespace isa_test;

namespace {

int rnd(std::mt19937 &rng, int lo, int hi)
{
	return std::uniform_int_distribution<int>(lo, hi)(rng);
}

using Dims = std::array<uint32_t, 4>;

size_t Count(const Dims &d) { return size_t(d[0]) * d[1] * d[2] * d[3]; }

size_t Index(const Dims &d, const Dims &p)
{
	return ((size_t(p[0]) * d[1] + p[1]) * d[2] + p[2]) * d[3] + p[3];
}

// Calls f(p) for every position of dims d, row-major.
template <typename F> void ForEach(const Dims &d, F f)
{
	Dims p{};
	for (p[0] = 0; p[0] < d[0]; p[0]++)
		for (p[1] = 0; p[1] < d[1]; p[1]++)
			for (p[2] = 0; p[2] < d[2]; p[2]++)
				for (p[3] = 0; p[3] < d[3]; p[3]++)
					f(p);
}

aiot_isa_tensor T(uint8_t b, uint32_t off, const Dims &d, uint8_t dtype = AIOT_ISA_DTYPE_INT8)
{
	return tensor(b, off, d[0], d[1], d[2], d[3], dtype);
}

namespace ref12 {

// TFLite PAD: every output element either maps into the input or is the
// pad value.
std::vector<int8_t> Pad(const std::vector<int8_t> &in, const Dims &id, const Dims &before,
			const Dims &od, int8_t value)
{
	std::vector<int8_t> out(Count(od));
	ForEach(od, [&](const Dims &p) {
		Dims q;
		bool inside = true;
		for (int i = 0; i < 4; i++) {
			int64_t v = int64_t(p[i]) - before[i];
			inside = inside && v >= 0 && v < id[i];
			q[i] = uint32_t(v);
		}
		out[Index(od, p)] = inside ? in[Index(id, q)] : value;
	});
	return out;
}

// TFLite TRANSPOSE: output axis i is input axis perm[i].
std::vector<int8_t> Transpose(const std::vector<int8_t> &in, const Dims &id, const Dims &perm)
{
	Dims od;
	for (int i = 0; i < 4; i++)
		od[i] = id[perm[i]];
	std::vector<int8_t> out(Count(od));
	ForEach(od, [&](const Dims &p) {
		Dims q;
		for (int i = 0; i < 4; i++)
			q[perm[i]] = p[i];
		out[Index(od, p)] = in[Index(id, q)];
	});
	return out;
}

// TFLite CONCATENATION (same quantization): the inputs one after the other
// along axis.
std::vector<int8_t> Concat(const std::vector<std::vector<int8_t>> &ins,
			   const std::vector<Dims> &dims, int axis, Dims *od)
{
	*od = dims[0];
	(*od)[axis] = 0;
	for (auto &d : dims)
		(*od)[axis] += d[axis];
	std::vector<int8_t> out(Count(*od));
	uint32_t at = 0;
	for (size_t k = 0; k < ins.size(); k++) {
		ForEach(dims[k], [&](const Dims &p) {
			Dims q = p;
			q[axis] += at;
			out[Index(*od, q)] = ins[k][Index(dims[k], p)];
		});
		at += dims[k][axis];
	}
	return out;
}

// reference_integer_ops::Mean: 4-D, over H and W.
std::vector<int8_t> Mean(const std::vector<int8_t> &in, const Dims &id, int in_zp, int out_zp,
			 int32_t m, int s)
{
	std::vector<int8_t> out(size_t(id[0]) * id[3]);
	const int64_t n = int64_t(id[1]) * id[2];
	for (uint32_t b = 0; b < id[0]; b++) {
		for (uint32_t c = 0; c < id[3]; c++) {
			int32_t acc = 0;
			for (uint32_t y = 0; y < id[1]; y++)
				for (uint32_t x = 0; x < id[2]; x++)
					acc += in[Index(id, {b, y, x, c})] - in_zp;
			acc = ref::MBQM(acc, m, s);
			int64_t r = acc > 0 ? (int64_t(acc) + n / 2) / n : (int64_t(acc) - n / 2) / n;
			r += out_zp;
			out[size_t(b) * id[3] + c] = int8_t(std::min<int64_t>(127, std::max<int64_t>(-128, r)));
		}
	}
	return out;
}

} // namespace ref12

Dims RandomDims(std::mt19937 &rng, int max)
{
	return {uint32_t(rnd(rng, 1, 2)), uint32_t(rnd(rng, 1, max)), uint32_t(rnd(rng, 1, max)),
		uint32_t(rnd(rng, 1, max))};
}

TEST(IsaMove, PadMatchesReference)
{
	std::mt19937 rng(1201);
	for (int i = 0; i < 80; i++) {
		Dims id = RandomDims(rng, 6), before, od;
		for (int d = 0; d < 4; d++) {
			before[d] = uint32_t(rnd(rng, 0, 3));
			od[d] = id[d] + before[d] + uint32_t(rnd(rng, 0, 3));
		}
		int8_t value = int8_t(i % 3 == 0 ? -128 : i % 3 == 1 ? 127 : rnd(rng, -128, 127));
		auto in = random_i8(rng, Count(id));
		Job job;
		aiot_isa_op_pad op{};
		op.hdr.opcode = AIOT_ISA_OP_PAD;
		op.input = T(1, job.put(1, in.data(), in.size()), id);
		op.output = T(2, job.reserve(2, Count(od)), od);
		std::copy(before.begin(), before.end(), op.before);
		op.value = value;
		StreamBuilder sb;
		sb.add(op);
		auto s = sb.build();
		aiot_isa_summary sum;
		ASSERT_EQ(job.validate(s, &sum), 0) << i;
		EXPECT_EQ(sum.work, Count(od));
		ASSERT_EQ(job.run(s), 0) << i;
		EXPECT_EQ(job.get<int8_t>(2, 0, Count(od)), ref12::Pad(in, id, before, od, value))
			<< "case " << i;
	}
}

TEST(IsaMove, PadWiderTypesKeepTheirBytes)
{
	// int16 and int32 elements: values beyond int8 survive, the pad value
	// may use the whole type.
	for (uint8_t dt : {uint8_t(AIOT_ISA_DTYPE_INT16), uint8_t(AIOT_ISA_DTYPE_INT32)}) {
		Job job;
		std::vector<int32_t> in32 = {-70000, 70000, 5};
		std::vector<int16_t> in16 = {-30000, 30000, 5};
		aiot_isa_op_pad op{};
		op.hdr.opcode = AIOT_ISA_OP_PAD;
		bool wide = dt == AIOT_ISA_DTYPE_INT32;
		op.input = tensor(1, wide ? job.put(1, in32.data(), 12) : job.put(1, in16.data(), 6),
				  1, 1, 1, 3, dt);
		op.output = tensor(2, job.reserve(2, 5 * (wide ? 4 : 2)), 1, 1, 1, 5, dt);
		op.before[3] = 1;
		op.value = wide ? -2000000 : -32768;
		StreamBuilder sb;
		sb.add(op);
		ASSERT_EQ(job.run(sb.build()), 0);
		if (wide)
			EXPECT_EQ(job.get<int32_t>(2, 0, 5),
				  (std::vector<int32_t>{-2000000, -70000, 70000, 5, -2000000}));
		else
			EXPECT_EQ(job.get<int16_t>(2, 0, 5),
				  (std::vector<int16_t>{-32768, -30000, 30000, 5, -32768}));
	}
}

TEST(IsaMove, TransposeMatchesReferenceForEveryPermutation)
{
	std::mt19937 rng(1301);
	Dims perm = {0, 1, 2, 3};
	int cases = 0;
	do {
		for (int k = 0; k < 3; k++, cases++) {
			Dims id = {uint32_t(rnd(rng, 1, 3)), uint32_t(rnd(rng, 1, 5)),
				   uint32_t(rnd(rng, 1, 5)), uint32_t(rnd(rng, 1, 5))};
			Dims od;
			for (int i = 0; i < 4; i++)
				od[i] = id[perm[i]];
			auto in = random_i8(rng, Count(id));
			Job job;
			aiot_isa_op_transpose op{};
			op.hdr.opcode = AIOT_ISA_OP_TRANSPOSE;
			op.input = T(1, job.put(1, in.data(), in.size()), id);
			op.output = T(2, job.reserve(2, Count(od)), od);
			for (int i = 0; i < 4; i++)
				op.perm[i] = uint8_t(perm[i]);
			StreamBuilder sb;
			sb.add(op);
			auto s = sb.build();
			aiot_isa_summary sum;
			ASSERT_EQ(job.validate(s, &sum), 0);
			EXPECT_EQ(sum.work, Count(od));
			ASSERT_EQ(job.run(s), 0);
			EXPECT_EQ(job.get<int8_t>(2, 0, Count(od)), ref12::Transpose(in, id, perm))
				<< perm[0] << perm[1] << perm[2] << perm[3];
		}
	} while (std::next_permutation(perm.begin(), perm.end()));
	EXPECT_EQ(cases, 72);
}

TEST(IsaMove, InsertsMakeConcatenationOnEveryAxis)
{
	std::mt19937 rng(1401);
	for (int i = 0; i < 60; i++) {
		int axis = i % 4, k = rnd(rng, 1, 4);
		Dims base = RandomDims(rng, 4);
		std::vector<std::vector<int8_t>> ins;
		std::vector<Dims> dims;
		for (int j = 0; j < k; j++) {
			Dims d = base;
			d[axis] = uint32_t(rnd(rng, 1, 4));
			dims.push_back(d);
			ins.push_back(random_i8(rng, Count(d)));
		}
		Dims od;
		auto want = ref12::Concat(ins, dims, axis, &od);
		Job job;
		uint32_t out_off = job.reserve(2, Count(od));
		StreamBuilder sb;
		uint32_t at = 0;
		uint64_t work = 0;
		for (int j = 0; j < k; j++) {
			aiot_isa_op_insert op{};
			op.hdr.opcode = AIOT_ISA_OP_INSERT;
			op.input = T(1, job.put(1, ins[j].data(), ins[j].size()), dims[j]);
			op.output = T(2, out_off, od);
			op.offset[axis] = at;
			at += dims[j][axis];
			work += Count(dims[j]);
			sb.add(op);
		}
		auto s = sb.build();
		aiot_isa_summary sum;
		ASSERT_EQ(job.validate(s, &sum), 0);
		EXPECT_EQ(sum.work, work);
		ASSERT_EQ(job.run(s), 0);
		EXPECT_EQ(job.get<int8_t>(2, out_off, Count(od)), want) << "case " << i;
	}
}

void MeanCase(std::mt19937 &rng, const Dims &id, int in_zp, int out_zp, double ratio,
	      const std::vector<int8_t> &in)
{
	int32_t m;
	int s;
	ref::QuantizeMultiplier(ratio, &m, &s);
	Job job;
	aiot_isa_op_mean op{};
	op.hdr.opcode = AIOT_ISA_OP_MEAN;
	op.input = T(1, job.put(1, in.data(), in.size()), id);
	op.output = tensor(2, job.reserve(2, size_t(id[0]) * id[3]), id[0], 1, 1, id[3]);
	op.input_zero_point = in_zp;
	op.output_zero_point = out_zp;
	op.multiplier = m;
	op.shift = s;
	op.act = {-128, 127};
	StreamBuilder sb;
	sb.add(op);
	auto st = sb.build();
	aiot_isa_summary sum;
	ASSERT_EQ(job.validate(st, &sum), 0);
	EXPECT_EQ(sum.work, Count(id));
	ASSERT_EQ(job.run(st), 0);
	EXPECT_EQ(job.get<int8_t>(2, 0, size_t(id[0]) * id[3]),
		  ref12::Mean(in, id, in_zp, out_zp, m, s))
		<< id[0] << "x" << id[1] << "x" << id[2] << "x" << id[3] << " zp " << in_zp << "/"
		<< out_zp << " ratio " << ratio;
	(void)rng;
}

TEST(IsaMove, MeanMatchesReference)
{
	std::mt19937 rng(1501);
	for (int i = 0; i < 80; i++) {
		Dims id = RandomDims(rng, 9);
		int in_zp = i % 4 == 0 ? -128 : i % 4 == 1 ? 127 : rnd(rng, -128, 127);
		int out_zp = i % 3 == 0 ? 127 : i % 3 == 1 ? -128 : rnd(rng, -128, 127);
		double ratio = std::ldexp(1.0 + rnd(rng, 0, 999) / 1000.0, rnd(rng, -6, 3));
		MeanCase(rng, id, in_zp, out_zp, ratio, random_i8(rng, Count(id)));
	}
}

TEST(IsaMove, MeanSaturatesAndRoundsHalfAwayFromZero)
{
	std::mt19937 rng(1502);
	// Everything at one extreme: the output saturates at both ends.
	Dims id = {1, 7, 9, 3};
	MeanCase(rng, id, -128, 127, 4.0, std::vector<int8_t>(Count(id), 127));
	MeanCase(rng, id, 127, -128, 4.0, std::vector<int8_t>(Count(id), -128));
	// Sums of +-1 over 2 elements: exact halves round away from zero.
	Dims two = {1, 1, 2, 2};
	MeanCase(rng, two, 0, 0, 1.0, {1, -1, 0, 0});
	MeanCase(rng, two, 0, 0, 1.0, {3, -3, 0, -1});
	// The largest window the ISA allows for H x W: 2048 x 4096.
	Dims big = {1, 2048, 4096, 1};
	MeanCase(rng, big, -128, 0, 1.0, std::vector<int8_t>(Count(big), 127));
}

// A single-op stream declaring ISA 1.minor.
template <typename Op> std::vector<uint8_t> Stream(const Op &op, uint16_t minor = 2)
{
	return one_op(op, minor);
}

TEST(IsaMove, ValidatorRejectsBadParameters)
{
	Job job;
	job.reserve(1, 64);
	job.reserve(2, 256);
	auto expect = [&](auto op, int err, const char *what) {
		aiot_isa_summary sum;
		EXPECT_EQ(job.validate(Stream(op), &sum), err) << what;
		EXPECT_EQ(sum.error_op, err ? 0u : AIOT_ISA_NO_OP) << what;
	};

	aiot_isa_op_pad pad{};
	pad.hdr.opcode = AIOT_ISA_OP_PAD;
	pad.input = tensor(1, 0, 1, 2, 2, 4);
	pad.output = tensor(2, 0, 1, 4, 4, 4);
	pad.before[1] = pad.before[2] = 1;
	expect(pad, 0, "pad ok");
	{ auto b = pad; b.before[1] = 3; expect(b, -EINVAL, "pad window past the output"); }
	{ auto b = pad; b.before[2] = 0xffffffffu; expect(b, -EINVAL, "pad offset overflow"); }
	{ auto b = pad; b.value = 128; expect(b, -EINVAL, "pad value outside int8"); }
	{ auto b = pad; b.reserved = 1; expect(b, -EINVAL, "pad reserved"); }
	{ auto b = pad; b.output.dtype = AIOT_ISA_DTYPE_INT16; expect(b, -EINVAL, "pad dtype"); }
	{ auto b = pad; b.output.dims[3] = 17; expect(b, -ENOSPC, "pad output outside buffer"); }
	{ auto b = pad; b.output.binding = 1; expect(b, -EINVAL, "pad in place"); }

	aiot_isa_op_transpose tr{};
	tr.hdr.opcode = AIOT_ISA_OP_TRANSPOSE;
	tr.input = tensor(1, 0, 1, 2, 3, 4);
	tr.output = tensor(2, 0, 1, 4, 2, 3);
	tr.perm[0] = 0; tr.perm[1] = 3; tr.perm[2] = 1; tr.perm[3] = 2;
	expect(tr, 0, "transpose ok");
	{ auto b = tr; b.perm[3] = 1; expect(b, -EINVAL, "perm repeats an axis"); }
	{ auto b = tr; b.perm[3] = 4; expect(b, -EINVAL, "perm out of range"); }
	{ auto b = tr; b.output.dims[1] = 3; b.output.dims[2] = 2; expect(b, -EINVAL, "dims do not follow perm"); }
	{ auto b = tr; b.reserved = 1; expect(b, -EINVAL, "transpose reserved"); }
	{ auto b = tr; b.input.dims[3] = 40; expect(b, -ENOSPC, "transpose input outside buffer"); }

	aiot_isa_op_insert in{};
	in.hdr.opcode = AIOT_ISA_OP_INSERT;
	in.input = tensor(1, 0, 1, 2, 2, 4);
	in.output = tensor(2, 0, 1, 2, 2, 12);
	in.offset[3] = 8;
	expect(in, 0, "insert ok");
	{ auto b = in; b.offset[3] = 9; expect(b, -EINVAL, "insert past the output"); }
	{ auto b = in; b.offset[0] = 0xffffffffu; expect(b, -EINVAL, "insert offset overflow"); }
	{ auto b = in; b.reserved[1] = 1; expect(b, -EINVAL, "insert reserved"); }
	{ auto b = in; b.output.offset = 250; expect(b, -ENOSPC, "insert output outside"); }

	aiot_isa_op_mean me{};
	me.hdr.opcode = AIOT_ISA_OP_MEAN;
	me.input = tensor(1, 0, 1, 4, 4, 4);
	me.output = tensor(2, 0, 1, 1, 1, 4);
	me.multiplier = 1 << 30;
	me.act = {-128, 127};
	expect(me, 0, "mean ok");
	{ auto b = me; b.output.dims[1] = 2; expect(b, -EINVAL, "mean output not 1x1"); }
	{ auto b = me; b.output.dims[3] = 2; expect(b, -EINVAL, "mean channels differ"); }
	{ auto b = me; b.input_zero_point = -129; expect(b, -EINVAL, "mean input zp"); }
	{ auto b = me; b.output_zero_point = 128; expect(b, -EINVAL, "mean output zp"); }
	{ auto b = me; b.multiplier = -1; expect(b, -EINVAL, "mean multiplier"); }
	{ auto b = me; b.shift = 31; expect(b, -EINVAL, "mean shift"); }
	{ auto b = me; b.act = {10, 9}; expect(b, -EINVAL, "mean act"); }
	{ auto b = me; b.reserved[0] = 1; expect(b, -EINVAL, "mean reserved"); }
	{ auto b = me; b.input.dtype = AIOT_ISA_DTYPE_INT16; expect(b, -EINVAL, "mean int16"); }
	{
		// H x W above 2^23, inside a buffer large enough.
		Job big;
		big.reserve(1, 4097 * 2048, 0);
		big.reserve(2, 16);
		auto b = me;
		b.input = tensor(1, 0, 1, 2048, 4097, 1);
		b.output = tensor(2, 0, 1, 1, 1, 1);
		EXPECT_EQ(big.validate(Stream(b)), -E2BIG);
	}
}

TEST(IsaMove, NewOpcodesNeedAStreamDeclaringIsa12)
{
	Job job;
	job.reserve(1, 64);
	job.reserve(2, 64);
	aiot_isa_op_insert in{};
	in.hdr.opcode = AIOT_ISA_OP_INSERT;
	in.input = tensor(1, 0, 1, 1, 1, 4);
	in.output = tensor(2, 0, 1, 1, 1, 4);
	aiot_isa_summary sum;
	EXPECT_EQ(job.validate(Stream(in, 2), &sum), 0);
	EXPECT_EQ(sum.isa_minor, 2u);
	EXPECT_EQ(job.validate(Stream(in, 1), &sum), -EOPNOTSUPP);
	EXPECT_EQ(sum.error_op, 0u);
	EXPECT_EQ(job.validate(Stream(in, 0), &sum), -EOPNOTSUPP);
	// The executor refuses it the same way and writes nothing.
	EXPECT_EQ(job.run(Stream(in, 1)), -EOPNOTSUPP);
	EXPECT_EQ(job.get<uint8_t>(2, 0, 4), (std::vector<uint8_t>(4, 0xa5)));
}

TEST(IsaMove, StopHookInterruptsLargeMoves)
{
	// A 4 MiB pad polls the stop hook: it is cancelled midway.
	Job job;
	job.reserve(1, 16, 1);
	job.reserve(2, 4u << 20);
	aiot_isa_op_pad op{};
	op.hdr.opcode = AIOT_ISA_OP_PAD;
	op.input = tensor(1, 0, 1, 1, 1, 16);
	op.output = tensor(2, 0, 1, 64, 1024, 64);
	StreamBuilder sb;
	sb.add(op);
	auto s = sb.build();
	auto sz = job.sizes();
	std::vector<void *> p;
	for (auto &v : job.buf)
		p.push_back(v.empty() ? nullptr : v.data());
	int polls = 0;
	aiot_isa_exec_control ctl{};
	ctl.should_stop = [](void *arg) { return ++*static_cast<int *>(arg) > 3; };
	ctl.arg = &polls;
	EXPECT_EQ(aiot_isa_execute_ctl(s.data(), s.size(), p.data(), sz.data(), unsigned(sz.size()),
				       &ctl), -ECANCELED);
	EXPECT_EQ(polls, 4);
}

} // namespace
