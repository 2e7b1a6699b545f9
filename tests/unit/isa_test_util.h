// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// Helpers for the aiot ISA host tests: a command-stream builder, a small
// job (bindings) container and an INDEPENDENT implementation of TensorFlow
// Lite's int8 reference arithmetic, written from the TFLite/gemmlowp
// definitions, against which the kernel/isa executor is compared.
#ifndef AIOT_ISA_TEST_UTIL_H
#define AIOT_ISA_TEST_UTIL_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <set>
#include <vector>

extern "C" {
#include "aiot_isa.h"
}

namespace isa_test {

// ---------------------------------------------------------------- builder

// Builds a stream declaring ISA 1.minor: by default this implementation's
// minor; version-gate tests pass an older (or newer) one.
class StreamBuilder {
public:
	explicit StreamBuilder(uint16_t minor = AIOT_ISA_VERSION_MINOR)
		: minor_(minor)
	{
	}
	template <typename Op> void add(Op op)
	{
		op.hdr.size = sizeof(Op);
		const auto *p = reinterpret_cast<const uint8_t *>(&op);
		ops_.insert(ops_.end(), p, p + sizeof(Op));
		count_++;
	}
	void add_raw(const void *p, size_t n, unsigned int count = 1)
	{
		const auto *b = static_cast<const uint8_t *>(p);
		ops_.insert(ops_.end(), b, b + n);
		count_ += count;
	}
	std::vector<uint8_t> build() const
	{
		aiot_isa_header h{};
		h.magic = AIOT_ISA_MAGIC;
		h.version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR, minor_);
		h.size = uint32_t(sizeof(h) + ops_.size());
		h.op_count = count_;
		std::vector<uint8_t> s(sizeof(h));
		std::memcpy(s.data(), &h, sizeof(h));
		s.insert(s.end(), ops_.begin(), ops_.end());
		return s;
	}

private:
	std::vector<uint8_t> ops_;
	uint32_t count_ = 0;
	uint16_t minor_;
};

// A stream of the one operation @op, declaring ISA 1.minor.
template <typename Op>
std::vector<uint8_t> one_op(const Op &op,
			    uint16_t minor = AIOT_ISA_VERSION_MINOR)
{
	StreamBuilder sb(minor);
	sb.add(op);
	return sb.build();
}

inline aiot_isa_tensor tensor(uint8_t binding, uint32_t offset, uint32_t n,
			      uint32_t h, uint32_t w, uint32_t c,
			      uint8_t dtype = AIOT_ISA_DTYPE_INT8)
{
	aiot_isa_tensor t{};
	t.binding = binding;
	t.offset = offset;
	t.dtype = dtype;
	t.dims[0] = n;
	t.dims[1] = h;
	t.dims[2] = w;
	t.dims[3] = c;
	return t;
}

inline size_t elems(const aiot_isa_tensor &t)
{
	return size_t(t.dims[0]) * t.dims[1] * t.dims[2] * t.dims[3];
}

// A job: up to AIOT_ISA_MAX_BINDINGS byte buffers.
struct Job {
	std::vector<std::vector<uint8_t>> buf;

	explicit Job(unsigned int n = 4) : buf(n) {}
	// Appends bytes to a binding and returns their offset (4-aligned).
	uint32_t put(unsigned int b, const void *p, size_t n)
	{
		auto &v = buf[b];
		while (v.size() % 4)
			v.push_back(0);
		uint32_t off = uint32_t(v.size());
		const auto *c = static_cast<const uint8_t *>(p);
		v.insert(v.end(), c, c + n);
		return off;
	}
	uint32_t reserve(unsigned int b, size_t n, uint8_t fill = 0xa5)
	{
		std::vector<uint8_t> z(n, fill);
		return put(b, z.data(), n);
	}
	std::vector<uint64_t> sizes() const
	{
		std::vector<uint64_t> s;
		for (auto &v : buf)
			s.push_back(v.size());
		return s;
	}
	int validate(const std::vector<uint8_t> &s,
		     aiot_isa_summary *sum = nullptr) const
	{
		auto sz = sizes();
		aiot_isa_summary mine;
		int rc = aiot_isa_validate(s.data(), s.size(), sz.data(),
					   unsigned(sz.size()), sum ? sum : &mine);
		if (!rc)
			seed(s, sum ? *sum : mine);
		return rc;
	}
	// With AIOT_ISA_CORPUS_DIR set, the first valid stream of each set of
	// opcodes the tests build becomes a seed of the ISA fuzzer
	// (tests/fuzz/fuzz_isa.c: 4 binding sizes in 64-byte units, then the
	// stream), if its bindings fit that format.
	void seed(const std::vector<uint8_t> &s, const aiot_isa_summary &sum) const
	{
		const char *dir = std::getenv("AIOT_ISA_CORPUS_DIR");
		static std::set<uint64_t> done;
		uint8_t units[4] = { 0 };

		if (!dir || buf.size() > 4 || done.count(sum.op_mask))
			return;
		for (size_t b = 0; b < buf.size(); b++) {
			if (buf[b].size() > 255 * 64)
				return;
			units[b] = uint8_t((buf[b].size() + 63) / 64);
		}
		done.insert(sum.op_mask);
		char path[4096];
		std::snprintf(path, sizeof(path), "%s/ops-%016llx", dir,
			      (unsigned long long)sum.op_mask);
		FILE *f = std::fopen(path, "wb");
		if (!f)
			return;
		std::fwrite(units, 1, 4, f);
		std::fwrite(s.data(), 1, s.size(), f);
		std::fclose(f);
	}
	int run(const std::vector<uint8_t> &s)
	{
		auto sz = sizes();
		std::vector<void *> p;
		for (auto &v : buf)
			p.push_back(v.empty() ? nullptr : v.data());
		return aiot_isa_execute(s.data(), s.size(), p.data(), sz.data(),
					unsigned(sz.size()));
	}
	template <typename T> std::vector<T> get(unsigned int b, uint32_t off,
						 size_t n) const
	{
		std::vector<T> r(n);
		std::memcpy(r.data(), buf[b].data() + off, n * sizeof(T));
		return r;
	}
};

// ------------------------------------------ independent TFLite reference

namespace ref {

// gemmlowp SaturatingRoundingDoublingHighMul
inline int32_t SRDHM(int32_t a, int32_t b)
{
	bool overflow = a == b && a == std::numeric_limits<int32_t>::min();
	int64_t a_64(a), b_64(b);
	int64_t ab_64 = a_64 * b_64;
	int32_t nudge = ab_64 >= 0 ? (1 << 30) : (1 - (1 << 30));
	int32_t ab_x2_high32 = int32_t((ab_64 + nudge) / (1ll << 31));
	return overflow ? std::numeric_limits<int32_t>::max() : ab_x2_high32;
}

// gemmlowp RoundingDivideByPOT
inline int32_t RDBPOT(int32_t x, int exponent)
{
	const int32_t mask = int32_t((1ll << exponent) - 1);
	const int32_t remainder = x & mask;
	const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
	return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// TFLite MultiplyByQuantizedMultiplier (double rounding variant)
inline int32_t MBQM(int32_t x, int32_t m, int shift)
{
	int left = shift > 0 ? shift : 0;
	int right = shift > 0 ? 0 : -shift;
	return RDBPOT(SRDHM(x * (1 << left), m), right);
}

// TFLite QuantizeMultiplier: a double in [0, 2^31) to Q31 and exponent.
inline void QuantizeMultiplier(double d, int32_t *m, int *shift)
{
	if (d == 0.0) {
		*m = 0;
		*shift = 0;
		return;
	}
	const double q = std::frexp(d, shift);
	int64_t q_fixed = int64_t(std::round(q * (1ll << 31)));
	if (q_fixed == (1ll << 31)) {
		q_fixed /= 2;
		++*shift;
	}
	if (*shift < -31) {
		*shift = 0;
		q_fixed = 0;
	}
	*m = int32_t(q_fixed);
}

// gemmlowp FixedPoint<int32_t, IntBits>, the subset softmax needs.
template <int IntBits> struct FP {
	static constexpr int kFrac = 31 - IntBits;
	int32_t raw;
	static FP FromRaw(int32_t r) { return FP{r}; }
	static FP One()
	{
		return FP{IntBits == 0 ? std::numeric_limits<int32_t>::max() :
					 int32_t(1) << kFrac};
	}
	template <int E> static FP ConstantPOT()
	{
		return FP{int32_t(1) << (kFrac + E)};
	}
};
template <int I> FP<I> operator+(FP<I> a, FP<I> b) { return FP<I>{a.raw + b.raw}; }
template <int I> FP<I> operator-(FP<I> a, FP<I> b) { return FP<I>{a.raw - b.raw}; }
template <int A, int B> FP<A + B> operator*(FP<A> a, FP<B> b)
{
	return FP<A + B>{SRDHM(a.raw, b.raw)};
}

template <int E> int32_t SatRoundMulPOT(int32_t x)
{
	if (E == 0)
		return x;
	if (E < 0)
		return RDBPOT(x, -E);
	const int32_t thr = int32_t((1ll << (31 - E)) - 1);
	if (x > thr)
		return std::numeric_limits<int32_t>::max();
	if (x < -thr)
		return std::numeric_limits<int32_t>::min();
	return int32_t(uint32_t(x) << (E > 0 ? E : 0));
}

template <int Dst, int Src> FP<Dst> Rescale(FP<Src> x)
{
	return FP<Dst>{SatRoundMulPOT<Src - Dst>(x.raw)};
}

inline FP<0> ExpQuarter(FP<0> a)
{
	const FP<0> c = FP<0>::FromRaw(1895147668);
	const FP<0> third = FP<0>::FromRaw(715827883);
	FP<0> x = a + FP<0>::ConstantPOT<-3>();
	FP<0> x2 = x * x;
	FP<0> x3 = x2 * x;
	FP<0> x4 = x2 * x2;
	FP<0> x4_4 = FP<0>{SatRoundMulPOT<-2>(x4.raw)};
	FP<0> poly = FP<0>{SatRoundMulPOT<-1>(((x4_4 + x3) * third + x2).raw)};
	return c + c * (x + poly);
}

template <int I> FP<0> ExpOnNegativeValues(FP<I> a)
{
	const FP<I> quarter = FP<I>::template ConstantPOT<-2>();
	const FP<I> mask = FP<I>{quarter.raw - 1};
	FP<I> amq = FP<I>{a.raw & mask.raw} - quarter;
	FP<0> result = ExpQuarter(Rescale<0>(amq));
	int32_t rem = (amq - a).raw;
	const int32_t mult[7] = { 1672461947, 1302514674, 790015084, 290630308,
				  39332535, 720401, 242 };
	for (int e = -2; e <= 4; e++) {
		if (I > e && (rem & (1 << (FP<I>::kFrac + e))))
			result = result * FP<0>::FromRaw(mult[e + 2]);
	}
	if (a.raw == 0)
		result = FP<0>::One();
	return result;
}

inline FP<0> OneOverOnePlusX(FP<0> a)
{
	int64_t sum = int64_t(a.raw) + FP<0>::One().raw;
	FP<0> half_den = FP<0>{int32_t((sum + (sum >= 0 ? 1 : -1)) / 2)};
	const FP<2> c48 = FP<2>::FromRaw(1515870810);
	const FP<2> cm32 = FP<2>::FromRaw(-1010580540);
	FP<2> x = c48 + half_den * cm32;
	for (int i = 0; i < 3; i++) {
		FP<2> hdx = half_den * x;
		FP<2> one_minus = FP<2>::One() - hdx;
		x = x + Rescale<2>(x * one_minus);
	}
	return Rescale<0>(FP<1>{x.raw});
}

inline int32_t GetReciprocal(int32_t x, int x_int_bits, int *nbou)
{
	int hp1 = x == 0 ? 32 : __builtin_clz(uint32_t(x));
	*nbou = x_int_bits - hp1;
	int32_t shifted_minus_one =
		int32_t((uint32_t(x) << hp1) - (uint32_t(1) << 31));
	return OneOverOnePlusX(FP<0>::FromRaw(shifted_minus_one)).raw;
}

struct Quant {
	std::vector<int32_t> bias, mult, shift;
};

inline int8_t Clamp8(int32_t v, int32_t lo, int32_t hi)
{
	return int8_t(std::min(std::max(v, lo), hi));
}

// reference_integer_ops::FullyConnected (filter offset = -filter_zp)
inline std::vector<int8_t> FullyConnected(const std::vector<int8_t> &in,
					  const std::vector<int8_t> &filter,
					  const Quant &q, int B, int D, int O,
					  int in_zp, int f_zp, int out_zp,
					  int amin, int amax)
{
	std::vector<int8_t> out(size_t(B) * O);
	for (int b = 0; b < B; ++b)
		for (int o = 0; o < O; ++o) {
			int32_t acc = 0;
			for (int d = 0; d < D; ++d)
				acc += (filter[o * D + d] - f_zp) *
				       (in[b * D + d] - in_zp);
			acc += q.bias[o];
			acc = MBQM(acc, q.mult[o], q.shift[o]) + out_zp;
			out[b * O + o] = Clamp8(acc, amin, amax);
		}
	return out;
}

struct ConvGeom {
	int N, H, W, Cin, KH, KW, OH, OW, Cout;
	int sh, sw, dh, dw, pt, pl, dm;
};

// reference_integer_ops::ConvPerChannel
inline std::vector<int8_t> Conv(const std::vector<int8_t> &in,
				const std::vector<int8_t> &f, const Quant &q,
				const ConvGeom &g, int in_zp, int out_zp,
				int amin, int amax)
{
	std::vector<int8_t> out(size_t(g.N) * g.OH * g.OW * g.Cout);
	for (int b = 0; b < g.N; ++b)
		for (int oy = 0; oy < g.OH; ++oy)
			for (int ox = 0; ox < g.OW; ++ox)
				for (int oc = 0; oc < g.Cout; ++oc) {
					int y0 = oy * g.sh - g.pt;
					int x0 = ox * g.sw - g.pl;
					int32_t acc = 0;
					for (int fy = 0; fy < g.KH; ++fy)
						for (int fx = 0; fx < g.KW; ++fx) {
							int iy = y0 + g.dh * fy;
							int ix = x0 + g.dw * fx;
							if (ix < 0 || ix >= g.W || iy < 0 || iy >= g.H)
								continue;
							for (int ic = 0; ic < g.Cin; ++ic)
								acc += f[((oc * g.KH + fy) * g.KW + fx) * g.Cin + ic] *
								       (in[((b * g.H + iy) * g.W + ix) * g.Cin + ic] - in_zp);
						}
					acc += q.bias[oc];
					acc = MBQM(acc, q.mult[oc], q.shift[oc]) + out_zp;
					out[((b * g.OH + oy) * g.OW + ox) * g.Cout + oc] =
						Clamp8(acc, amin, amax);
				}
	return out;
}

// reference_integer_ops::DepthwiseConvPerChannel
inline std::vector<int8_t> DepthwiseConv(const std::vector<int8_t> &in,
					 const std::vector<int8_t> &f,
					 const Quant &q, const ConvGeom &g,
					 int in_zp, int out_zp, int amin,
					 int amax)
{
	std::vector<int8_t> out(size_t(g.N) * g.OH * g.OW * g.Cout);
	for (int b = 0; b < g.N; ++b)
		for (int oy = 0; oy < g.OH; ++oy)
			for (int ox = 0; ox < g.OW; ++ox)
				for (int ic = 0; ic < g.Cin; ++ic)
					for (int m = 0; m < g.dm; ++m) {
						int oc = m + ic * g.dm;
						int y0 = oy * g.sh - g.pt;
						int x0 = ox * g.sw - g.pl;
						int32_t acc = 0;
						for (int fy = 0; fy < g.KH; ++fy)
							for (int fx = 0; fx < g.KW; ++fx) {
								int iy = y0 + g.dh * fy;
								int ix = x0 + g.dw * fx;
								if (ix < 0 || ix >= g.W || iy < 0 || iy >= g.H)
									continue;
								acc += f[(fy * g.KW + fx) * g.Cout + oc] *
								       (in[((b * g.H + iy) * g.W + ix) * g.Cin + ic] - in_zp);
							}
						acc += q.bias[oc];
						acc = MBQM(acc, q.mult[oc], q.shift[oc]) + out_zp;
						out[((b * g.OH + oy) * g.OW + ox) * g.Cout + oc] =
							Clamp8(acc, amin, amax);
					}
	return out;
}

// reference_integer_ops::AveragePool / MaxPool (int8)
inline std::vector<int8_t> Pool(bool average, const std::vector<int8_t> &in,
				int N, int H, int W, int C, int OH, int OW,
				int fh, int fw, int sh, int sw, int pt, int pl,
				int amin, int amax)
{
	std::vector<int8_t> out(size_t(N) * OH * OW * C);
	for (int b = 0; b < N; ++b)
		for (int oy = 0; oy < OH; ++oy)
			for (int ox = 0; ox < OW; ++ox)
				for (int c = 0; c < C; ++c) {
					int x0 = ox * sw - pl, y0 = oy * sh - pt;
					int fxs = std::max(0, -x0), fxe = std::min(fw, W - x0);
					int fys = std::max(0, -y0), fye = std::min(fh, H - y0);
					int32_t acc = average ? 0 : std::numeric_limits<int8_t>::lowest();
					int count = 0;
					for (int fy = fys; fy < fye; ++fy)
						for (int fx = fxs; fx < fxe; ++fx) {
							int v = in[((b * H + y0 + fy) * W + x0 + fx) * C + c];
							if (average)
								acc += v;
							else
								acc = std::max(acc, v);
							count++;
						}
					if (average)
						acc = acc > 0 ? (acc + count / 2) / count :
								(acc - count / 2) / count;
					out[((b * OH + oy) * OW + ox) * C + c] = Clamp8(acc, amin, amax);
				}
	return out;
}

struct AddParams {
	int zp1, zp2, zpo, left_shift;
	int32_t m1, m2, mo;
	int s1, s2, so;
	int amin, amax;
};

// reference_integer_ops::AddElementwise for one element
inline int8_t AddOne(const AddParams &p, int8_t a, int8_t b)
{
	const int32_t v1 = a - p.zp1, v2 = b - p.zp2;
	const int32_t sh1 = v1 * (1 << p.left_shift);
	const int32_t sh2 = v2 * (1 << p.left_shift);
	// MultiplyByQuantizedMultiplierSmallerThanOneExp
	const int32_t sc1 = RDBPOT(SRDHM(sh1, p.m1), -p.s1);
	const int32_t sc2 = RDBPOT(SRDHM(sh2, p.m2), -p.s2);
	const int32_t raw = RDBPOT(SRDHM(sc1 + sc2, p.mo), -p.so) + p.zpo;
	return Clamp8(raw, p.amin, p.amax);
}

// reference_ops::Softmax (int8 in, int8 out) over rows of `depth`
inline std::vector<int8_t> Softmax(const std::vector<int8_t> &in, int depth,
				   int32_t mult, int left_shift, int diff_min)
{
	std::vector<int8_t> out(in.size());
	const size_t rows = in.size() / depth;
	for (size_t i = 0; i < rows; ++i) {
		const int8_t *x = &in[i * depth];
		int8_t mx = std::numeric_limits<int8_t>::min();
		for (int c = 0; c < depth; ++c)
			mx = std::max(mx, x[c]);
		FP<12> sum{0};
		for (int c = 0; c < depth; ++c) {
			int32_t diff = int32_t(x[c]) - mx;
			if (diff >= diff_min) {
				int32_t r = SRDHM(diff * (1 << left_shift), mult);
				sum = sum + Rescale<12>(ExpOnNegativeValues(FP<5>::FromRaw(r)));
			}
		}
		int nbou;
		FP<0> scale = FP<0>::FromRaw(GetReciprocal(sum.raw, 12, &nbou));
		for (int c = 0; c < depth; ++c) {
			int32_t diff = int32_t(x[c]) - mx;
			if (diff >= diff_min) {
				int32_t r = SRDHM(diff * (1 << left_shift), mult);
				FP<0> e = ExpOnNegativeValues(FP<5>::FromRaw(r));
				int32_t u = RDBPOT((scale * e).raw, nbou + 31 - 8);
				out[i * depth + c] = Clamp8(u - 128, -128, 127);
			} else {
				out[i * depth + c] = -128;
			}
		}
	}
	return out;
}

// TFLite PreprocessSoftmaxScaling + CalculateInputRadius for int8
inline void SoftmaxParams(double beta, double in_scale, int32_t *mult,
			  int *left_shift, int *diff_min)
{
	const int kScaledDiffIntegerBits = 5;
	double real = std::min(beta * in_scale * (1 << (31 - kScaledDiffIntegerBits)),
			       (1ll << 31) - 1.0);
	QuantizeMultiplier(real, mult, left_shift);
	double radius = ((1 << kScaledDiffIntegerBits) - 1) *
			(1ll << (31 - kScaledDiffIntegerBits)) /
			double(1ll << *left_shift);
	*diff_min = -int(std::floor(radius));
}

// reference_ops::Requantize (input int8 or int16, output int8)
inline int8_t Requant(int32_t x, int in_zp, int out_zp, int32_t m, int s,
		      int amin, int amax)
{
	int32_t v = MBQM(x - in_zp, m, s) + out_zp;
	v = std::min(std::max(v, -128), 127);
	return Clamp8(v, amin, amax);
}

} // namespace ref

inline ref::Quant random_quant(std::mt19937 &rng, int channels,
			       int32_t bias_range = 5000)
{
	ref::Quant q;
	std::uniform_int_distribution<int32_t> bias(-bias_range, bias_range);
	std::uniform_real_distribution<double> scale(1e-4, 0.02);
	for (int c = 0; c < channels; ++c) {
		int32_t m;
		int s;
		ref::QuantizeMultiplier(scale(rng), &m, &s);
		q.bias.push_back(bias(rng));
		q.mult.push_back(m);
		q.shift.push_back(s);
	}
	return q;
}

inline uint32_t put_quant(Job &job, unsigned int b, const ref::Quant &q)
{
	std::vector<aiot_isa_channel_quant> v(q.bias.size());
	for (size_t i = 0; i < v.size(); ++i)
		v[i] = { q.bias[i], q.mult[i], q.shift[i] };
	return job.put(b, v.data(), v.size() * sizeof(v[0]));
}

inline std::vector<int8_t> random_i8(std::mt19937 &rng, size_t n)
{
	std::uniform_int_distribution<int> d(-128, 127);
	std::vector<int8_t> v(n);
	for (auto &x : v)
		x = int8_t(d(rng));
	return v;
}

} // namespace isa_test

#endif
