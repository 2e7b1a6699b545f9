// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// ISA 1.4, the audio front end: every new operation bit for bit against an
// independent implementation written here from the definitions of
// TensorFlow Lite Micro's signal library (docs/isa.md), on generated
// cases; every validator rule; the version gate.
#include <gtest/gtest.h>

#include <complex>

#include "isa_test_util.h"

using namespace isa_test;

namespace {

constexpr uint8_t I16 = AIOT_ISA_DTYPE_INT16, I32 = AIOT_ISA_DTYPE_INT32,
		  I8 = AIOT_ISA_DTYPE_INT8;

aiot_isa_tensor flat(uint8_t b, uint32_t off, uint32_t n, uint8_t dtype)
{
	return tensor(b, off, 1, 1, 1, n, dtype);
}

template <typename Op> std::vector<uint8_t> one(Op op, uint16_t minor = 4)
{
	return one_op(op, minor);
}

template <typename T> std::vector<T> rand_vec(std::mt19937 &g, size_t n, int64_t lo, int64_t hi)
{
	std::uniform_int_distribution<int64_t> d(lo, hi);
	std::vector<T> v(n);
	for (auto &x : v)
		x = T(d(g));
	return v;
}

// Bits of x as the signal library counts them: 32 for 0.
unsigned Bits(uint32_t x)
{
	if (!x)
		return 32;
	unsigned n = 0;
	for (uint64_t p = 1; p <= x; p <<= 1)
		n++;
	return n;
}

// ---- independent references --------------------------------------------

int16_t RefWindow(int16_t x, int16_t w, int shift)
{
	int64_t v = (int64_t(x) * w) >> shift;
	return int16_t(std::clamp<int64_t>(v, INT16_MIN, INT16_MAX));
}

// Exact floor square root, then the library's rounding and caps.
uint32_t RefSqrt(uint64_t n)
{
	using u128 = unsigned __int128;
	uint64_t r = uint64_t(std::sqrt(double(n)));
	while (u128(r) * r > n)
		r--;
	while (u128(r + 1) * (r + 1) <= n)
		r++;
	uint64_t cap = n >> 32 ? 0xffffffffull : 0xffffull;
	if (n - r * r > r && r != cap)
		r++;
	return uint32_t(r);
}

// Fixed-point KISS FFT as a table of stages (radix 4 first, then 2),
// written iteratively: each stage combines groups of p sub-transforms.
struct Cpx {
	int16_t r, i;
};

int16_t Q15Round(int32_t x)
{
	return int16_t((int64_t(x) + 16384) >> 15);
}

Cpx Scale(Cpx c, int div)
{
	int32_t k = 32767 / div;
	return { Q15Round(c.r * k), Q15Round(c.i * k) };
}

Cpx Mul(Cpx a, Cpx b)
{
	return { Q15Round(int32_t(a.r) * b.r - int32_t(a.i) * b.i),
		 Q15Round(int32_t(a.r) * b.i + int32_t(a.i) * b.r) };
}

std::vector<Cpx> RefKiss(const std::vector<Cpx> &x, const std::vector<Cpx> &tw)
{
	size_t n = x.size();
	std::vector<size_t> radix;
	for (size_t m = n; m > 1;) {
		size_t p = m % 4 == 0 ? 4 : 2;
		radix.push_back(p);
		m /= p;
	}
	// Digit-reversed input order of the mixed-radix decimation in time.
	std::vector<Cpx> a(n);
	for (size_t k = 0; k < n; k++) {
		size_t src = 0, rem = k, span = n, stride = 1;
		for (size_t p : radix) {
			span /= p;
			size_t digit = rem / span;
			rem %= span;
			src += digit * stride;
			stride *= p;
		}
		a[k] = x[src];
	}
	// Stages from the innermost (last radix) out.
	size_t m = 1;
	for (size_t s = radix.size(); s-- > 0;) {
		size_t p = radix[s], fstride = n / (m * p);
		for (size_t base = 0; base < n; base += m * p) {
			Cpx *f = &a[base];
			for (size_t k = 0; k < m; k++) {
				if (p == 2) {
					Cpx u = Scale(f[k], 2), v = Scale(f[k + m], 2);
					Cpx t = Mul(v, tw[k * fstride]);
					f[k + m] = { int16_t(u.r - t.r), int16_t(u.i - t.i) };
					f[k] = { int16_t(u.r + t.r), int16_t(u.i + t.i) };
					continue;
				}
				Cpx q[4];
				for (int j = 0; j < 4; j++)
					q[j] = Scale(f[k + j * m], 4);
				Cpx s0 = Mul(q[1], tw[k * fstride]);
				Cpx s1 = Mul(q[2], tw[2 * k * fstride]);
				Cpx s2 = Mul(q[3], tw[3 * k * fstride]);
				Cpx s5 = { int16_t(q[0].r - s1.r), int16_t(q[0].i - s1.i) };
				Cpx f0 = { int16_t(q[0].r + s1.r), int16_t(q[0].i + s1.i) };
				Cpx s3 = { int16_t(s0.r + s2.r), int16_t(s0.i + s2.i) };
				Cpx s4 = { int16_t(s0.r - s2.r), int16_t(s0.i - s2.i) };
				f[k + 2 * m] = { int16_t(f0.r - s3.r), int16_t(f0.i - s3.i) };
				f[k] = { int16_t(f0.r + s3.r), int16_t(f0.i + s3.i) };
				f[k + m] = { int16_t(s5.r + s4.i), int16_t(s5.i - s4.r) };
				f[k + 3 * m] = { int16_t(s5.r - s4.i), int16_t(s5.i + s4.r) };
			}
		}
		m *= p;
	}
	return a;
}

Cpx Twiddle(double phase)
{
	return { int16_t(std::floor(0.5 + 32767.0 * std::cos(phase))),
		 int16_t(std::floor(0.5 + 32767.0 * std::sin(phase))) };
}

// The real FFT of len samples: len/2 + 1 complex outputs.
std::vector<Cpx> RefRfft(std::vector<int16_t> in, uint32_t len, std::vector<Cpx> *tw_out)
{
	const double pi = 3.14159265358979323846;
	size_t nc = len / 2;
	std::vector<Cpx> tw(nc), super(nc / 2), z(nc), out(nc + 1);
	for (size_t i = 0; i < nc; i++)
		tw[i] = Twiddle(-2 * pi * double(i) / double(nc));
	for (size_t i = 0; i < nc / 2; i++)
		super[i] = Twiddle(-pi * (double(i + 1) / double(nc) + 0.5));
	in.resize(len, 0);
	for (size_t i = 0; i < nc; i++)
		z[i] = { in[2 * i], in[2 * i + 1] };
	std::vector<Cpx> f = RefKiss(z, tw);
	Cpx dc = Scale(f[0], 2);
	out[0] = { int16_t(dc.r + dc.i), 0 };
	out[nc] = { int16_t(dc.r - dc.i), 0 };
	for (size_t k = 1; k <= nc / 2; k++) {
		Cpx a = Scale(f[k], 2);
		Cpx b = Scale({ f[nc - k].r, int16_t(-f[nc - k].i) }, 2);
		Cpx s = { int16_t(a.r + b.r), int16_t(a.i + b.i) };
		Cpx d = { int16_t(a.r - b.r), int16_t(a.i - b.i) };
		Cpx t = Mul(d, super[k - 1]);
		out[k] = { int16_t((s.r + t.r) >> 1), int16_t((s.i + t.i) >> 1) };
		out[nc - k] = { int16_t((s.r - t.r) >> 1), int16_t((t.i - s.i) >> 1) };
	}
	if (tw_out) {
		*tw_out = tw;
		tw_out->insert(tw_out->end(), super.begin(), super.end());
	}
	return out;
}

uint16_t LogLut(int i)
{
	return uint16_t(std::lround(65536.0 * (std::log2(1.0 + i / 128.0) - i / 128.0)));
}

uint32_t RefLog32(uint32_t x, uint32_t scale)
{
	uint32_t e = Bits(x) - 1;
	int64_t frac = int64_t(x) - (int64_t(1) << e);
	frac = e < 16 ? frac << (16 - e) : frac >> (e - 16);
	int64_t seg = frac / 512, c0 = LogLut(int(seg)), c1 = LogLut(int(seg) + 1);
	int64_t interp = ((c1 - c0) * (frac - seg * 512)) >> 16;
	uint32_t log2v = uint32_t((uint64_t(e) << 16) + uint64_t(frac + c0 + interp));
	uint32_t ln = uint32_t((uint64_t(45426) * log2v + 32768) >> 16);
	return (scale * ln + 32768) >> 16;
}

int16_t RefGain(uint32_t x, const std::vector<int16_t> &lut)
{
	if (x <= 2)
		return lut[x];
	int iv = int(Bits(x));
	const int16_t *l = &lut[4 * iv - 6];
	int32_t frac = int32_t((iv < 11 ? x << (11 - iv) : x >> (iv - 11)) & 0x3ff);
	int64_t r = (int64_t(l[2]) * frac) >> 5;
	r = int32_t(uint32_t(r) + (uint32_t(int32_t(l[1])) << 5));
	r = int32_t(uint32_t(r) * uint32_t(frac));
	r = (r + 16384) >> 15;
	return int16_t(r + l[0]);
}

uint32_t RefShrink(uint32_t x)
{
	return x < 8192 ? (x * x) >> 20 : (x >> 6) - 64;
}

} // namespace

TEST(IsaSignal, WindowMatchesReference)
{
	std::mt19937 g(14);
	for (int iter = 0; iter < 50; iter++) {
		uint32_t w = 1 + g() % 64, rows = 1 + g() % 3;
		int shift = int(g() % 32);
		Job job;
		auto in = rand_vec<int16_t>(g, w * rows, INT16_MIN, INT16_MAX);
		auto win = rand_vec<int16_t>(g, w, INT16_MIN, INT16_MAX);
		aiot_isa_op_signal_window op{};
		op.hdr.opcode = AIOT_ISA_OP_SIGNAL_WINDOW;
		op.input = tensor(1, job.put(1, in.data(), in.size() * 2), 1, 1, rows, w, I16);
		op.weights = flat(0, job.put(0, win.data(), win.size() * 2), w, I16);
		op.output = tensor(2, job.reserve(2, in.size() * 2), 1, 1, rows, w, I16);
		op.shift = shift;
		ASSERT_EQ(job.run(one(op)), 0);
		auto out = job.get<int16_t>(2, op.output.offset, in.size());
		for (size_t i = 0; i < in.size(); i++)
			ASSERT_EQ(out[i], RefWindow(in[i], win[i % w], shift)) << i;
	}
}

TEST(IsaSignal, FftAutoScaleMatchesReference)
{
	std::mt19937 g(15);
	for (int iter = 0; iter < 200; iter++) {
		uint32_t n = 1 + g() % 100;
		int mag = int(g() % 16);
		auto in = rand_vec<int16_t>(g, n, -(1 << mag), (1 << mag) - 1);
		if (iter == 0)
			in.assign(n, 0);
		if (iter == 1)
			in[0] = INT16_MIN;
		Job job;
		aiot_isa_op_signal_fft_auto_scale op{};
		op.hdr.opcode = AIOT_ISA_OP_SIGNAL_FFT_AUTO_SCALE;
		op.input = flat(1, job.put(1, in.data(), n * 2), n, I16);
		op.output = flat(2, job.reserve(2, n * 2), n, I16);
		op.scale = flat(2, job.reserve(2, 4), 1, I32);
		ASSERT_EQ(job.run(one(op)), 0);
		// Largest magnitude, with int16's -(-32768) == -32768.
		int16_t mx = 0;
		for (int16_t v : in) {
			int16_t neg = int16_t(-int32_t(v));
			if (v > mx)
				mx = v;
			else if (neg > mx)
				mx = neg;
		}
		int bits = std::max(0, 15 - int(Bits(uint32_t(int32_t(mx)))));
		EXPECT_EQ(job.get<int32_t>(2, op.scale.offset, 1)[0], bits);
		auto out = job.get<int16_t>(2, op.output.offset, n);
		for (uint32_t i = 0; i < n; i++)
			ASSERT_EQ(out[i], int16_t(int32_t(in[i]) * (1 << bits)));
	}
}

TEST(IsaSignal, RfftMatchesReferenceAndIsAnFft)
{
	std::mt19937 g(16);
	for (uint32_t len : { 4u, 8u, 16u, 32u, 64u, 128u, 256u, 512u, 1024u }) {
		for (int iter = 0; iter < 6; iter++) {
			uint32_t width = len - (iter ? g() % (len / 2) : 0), rows = 1 + g() % 2;
			auto in = rand_vec<int16_t>(g, width * rows, INT16_MIN, INT16_MAX);
			std::vector<Cpx> tw;
			RefRfft({}, len, &tw);
			Job job;
			aiot_isa_op_signal_rfft op{};
			op.hdr.opcode = AIOT_ISA_OP_SIGNAL_RFFT;
			op.input = tensor(1, job.put(1, in.data(), in.size() * 2), 1, 1, rows, width, I16);
			op.output = tensor(2, job.reserve(2, rows * (len + 2) * 2), 1, 1, rows, len + 2,
					   I16);
			op.scratch = flat(3, job.reserve(3, 4 * len), 2 * len, I16);
			op.twiddles.binding = 0;
			op.twiddles.offset = job.put(0, tw.data(), tw.size() * 4);
			op.fft_length = len;
			ASSERT_EQ(job.run(one(op)), 0);
			auto out = job.get<int16_t>(2, op.output.offset, rows * (len + 2));
			for (uint32_t r = 0; r < rows; r++) {
				std::vector<int16_t> row(in.begin() + r * width,
							 in.begin() + (r + 1) * width);
				auto want = RefRfft(row, len, nullptr);
				for (uint32_t k = 0; k <= len / 2; k++) {
					ASSERT_EQ(out[r * (len + 2) + 2 * k], want[k].r) << len << " " << k;
					ASSERT_EQ(out[r * (len + 2) + 2 * k + 1], want[k].i) << len << " " << k;
				}
				// And it is the DFT scaled by 1/len, to a few LSB.
				for (uint32_t k = 0; k <= len / 2; k++) {
					std::complex<double> acc;
					for (uint32_t t = 0; t < width; t++)
						acc += double(row[t]) *
						       std::polar(1.0, -2 * M_PI * k * t / len);
					acc /= len;
					EXPECT_NEAR(out[r * (len + 2) + 2 * k], acc.real(), 12) << len;
					EXPECT_NEAR(out[r * (len + 2) + 2 * k + 1], acc.imag(), 12) << len;
				}
			}
		}
	}
}

TEST(IsaSignal, EnergyFilterBankSqrtMatchReference)
{
	std::mt19937 g(17);
	for (int iter = 0; iter < 40; iter++) {
		uint32_t bins = 8 + g() % 60, start = g() % 4, end = bins - g() % 4;
		auto spec = rand_vec<int16_t>(g, 2 * bins, INT16_MIN, INT16_MAX);
		Job job;
		aiot_isa_op_signal_energy e{};
		e.hdr.opcode = AIOT_ISA_OP_SIGNAL_ENERGY;
		e.input = flat(1, job.put(1, spec.data(), spec.size() * 2), 2 * bins, I16);
		e.output = flat(3, job.reserve(3, bins * 4, 0x11), bins, I32);
		e.start_index = start;
		e.end_index = end;
		ASSERT_EQ(job.run(one(e)), 0);
		auto en = job.get<uint32_t>(3, e.output.offset, bins);
		for (uint32_t i = 0; i < bins; i++) {
			uint32_t want = i < start || i >= end ? 0x11111111u :
				uint32_t(int64_t(spec[2 * i]) * spec[2 * i] +
					 int64_t(spec[2 * i + 1]) * spec[2 * i + 1]);
			ASSERT_EQ(en[i], want) << i;
		}

		// Filter bank over random tables, some entries out of range.
		uint32_t ch = 1 + g() % 12, nw = 1 + g() % 40;
		auto w = rand_vec<int16_t>(g, nw, 0, 4096), uw = rand_vec<int16_t>(g, nw, 0, 4096);
		auto fs = rand_vec<int16_t>(g, ch + 1, -2, bins + 2);
		auto ws = rand_vec<int16_t>(g, ch + 1, -2, nw + 2);
		auto wd = rand_vec<int16_t>(g, ch + 1, -1, 12);
		auto in = rand_vec<uint32_t>(g, bins, 0, UINT32_MAX);
		aiot_isa_op_signal_filter_bank f{};
		f.hdr.opcode = AIOT_ISA_OP_SIGNAL_FILTER_BANK;
		f.input = flat(1, job.put(1, in.data(), bins * 4), bins, I32);
		f.output = tensor(2, job.reserve(2, ch * 8), 1, 1, ch, 2, I32);
		f.weights = flat(0, job.put(0, w.data(), nw * 2), nw, I16);
		f.unweights = flat(0, job.put(0, uw.data(), nw * 2), nw, I16);
		f.channel_frequency_starts = flat(0, job.put(0, fs.data(), fs.size() * 2), ch + 1, I16);
		f.channel_weight_starts = flat(0, job.put(0, ws.data(), ws.size() * 2), ch + 1, I16);
		f.channel_widths = flat(0, job.put(0, wd.data(), wd.size() * 2), ch + 1, I16);
		ASSERT_EQ(job.run(one(f)), 0);
		auto got = job.get<uint64_t>(2, f.output.offset, ch);
		std::vector<uint64_t> wsum(ch + 1), usum(ch + 1);
		for (uint32_t c = 0; c <= ch; c++)
			for (int j = 0; j < wd[c]; j++) {
				int64_t fi = fs[c] + j, wi = ws[c] + j;
				if (fi < 0 || fi >= bins || wi < 0 || wi >= nw)
					continue;
				wsum[c] += uint64_t(int64_t(w[wi])) * in[fi];
				usum[c] += uint64_t(int64_t(uw[wi])) * in[fi];
			}
		for (uint32_t c = 1; c <= ch; c++)
			ASSERT_EQ(got[c - 1], wsum[c] + usum[c - 1]) << c;

		// Square roots of those sums and of edge values, shifted.
		std::vector<uint64_t> vals = got;
		vals.insert(vals.end(), { 0, 1, 2, 3, 0xfffe0001ull, 0xffffffffull, 1ull << 32,
					  ~0ull, (1ull << 62) + 12345 });
		int32_t shift = int32_t(g() % 34) - 1;
		aiot_isa_op_signal_filter_bank_sqrt s{};
		s.hdr.opcode = AIOT_ISA_OP_SIGNAL_FILTER_BANK_SQRT;
		s.input = tensor(1, job.put(1, vals.data(), vals.size() * 8), 1, 1,
				 uint32_t(vals.size()), 2, I32);
		s.scale = flat(1, job.put(1, &shift, 4), 1, I32);
		s.output = flat(3, job.reserve(3, vals.size() * 4), uint32_t(vals.size()), I32);
		ASSERT_EQ(job.run(one(s)), 0);
		auto sq = job.get<uint32_t>(3, s.output.offset, vals.size());
		for (size_t i = 0; i < vals.size(); i++) {
			uint32_t r = RefSqrt(vals[i]);
			uint32_t want = shift > 31 ? 0 : shift > 0 ? r >> shift : r;
			ASSERT_EQ(sq[i], want) << vals[i] << " shift " << shift;
		}
	}
}

TEST(IsaSignal, SpectralSubtractionKeepsStateInItsBuffer)
{
	std::mt19937 g(18);
	const uint32_t ch = 40;
	for (int clamp = 0; clamp < 2; clamp++) {
		Job job;
		aiot_isa_op_signal_spectral_subtraction op{};
		op.hdr.opcode = AIOT_ISA_OP_SIGNAL_SPECTRAL_SUBTRACTION;
		op.input = flat(1, job.reserve(1, ch * 4), ch, I32);
		op.output = flat(2, job.reserve(2, ch * 4), ch, I32);
		op.noise_estimate = flat(2, job.reserve(2, ch * 4), ch, I32);
		op.state = flat(3, job.reserve(3, ch * 4, 0), ch, I32);
		op.smoothing = 655;
		op.one_minus_smoothing = 15729;
		op.alternate_smoothing = 983;
		op.alternate_one_minus_smoothing = 15401;
		op.min_signal_remaining = 819;
		op.smoothing_bits = 10;
		op.spectral_subtraction_bits = 14;
		op.clamping = uint32_t(clamp);
		auto s = one(op);
		std::vector<uint32_t> est(ch, 0);
		for (int frame = 0; frame < 30; frame++) {
			auto in = rand_vec<uint32_t>(g, ch, 0, frame < 20 ? 4000 : 400);
			std::memcpy(job.buf[1].data() + op.input.offset, in.data(), ch * 4);
			ASSERT_EQ(job.run(s), 0);
			auto out = job.get<uint32_t>(2, op.output.offset, ch);
			auto noise = job.get<uint32_t>(2, op.noise_estimate.offset, ch);
			for (uint32_t i = 0; i < ch; i++) {
				uint64_t sm = i & 1 ? op.alternate_smoothing : op.smoothing;
				uint64_t om = i & 1 ? op.alternate_one_minus_smoothing :
					      op.one_minus_smoothing;
				uint32_t up = in[i] << 10;
				est[i] = uint32_t((up * sm + est[i] * om) >> 14);
				uint32_t e = std::min(est[i], up);
				if (clamp)
					est[i] = e;
				uint32_t fl = uint32_t((uint64_t(in[i]) * 819) >> 14);
				ASSERT_EQ(out[i], std::max((up - e) >> 10, fl)) << frame << " " << i;
				ASSERT_EQ(noise[i], est[i]);
			}
			EXPECT_EQ(job.get<uint32_t>(3, op.state.offset, ch), est);
		}
	}
}

TEST(IsaSignal, PcanAndLogMatchReference)
{
	std::mt19937 g(19);
	std::vector<int16_t> lut = rand_vec<int16_t>(g, AIOT_ISA_PCAN_LUT_ENTRIES, -3000, 3000);
	std::vector<uint16_t> loglut(AIOT_ISA_LOG_LUT_ENTRIES);
	for (int i = 0; i < AIOT_ISA_LOG_LUT_ENTRIES; i++)
		loglut[i] = LogLut(i);
	for (int iter = 0; iter < 50; iter++) {
		uint32_t n = 1 + g() % 64, snr = g() % 20;
		auto in = rand_vec<uint32_t>(g, n, 0, iter % 2 ? 5000 : UINT32_MAX);
		auto noise = rand_vec<uint32_t>(g, n, 0, iter % 3 ? 100000 : UINT32_MAX);
		noise[0] = iter % 3;
		Job job;
		aiot_isa_op_signal_pcan p{};
		p.hdr.opcode = AIOT_ISA_OP_SIGNAL_PCAN;
		p.input = flat(1, job.put(1, in.data(), n * 4), n, I32);
		p.noise_estimate = flat(1, job.put(1, noise.data(), n * 4), n, I32);
		p.gain_lut = flat(0, job.put(0, lut.data(), lut.size() * 2), uint32_t(lut.size()), I16);
		p.output = flat(2, job.reserve(2, n * 4), n, I32);
		p.snr_shift = snr;
		ASSERT_EQ(job.run(one(p)), 0);
		auto out = job.get<uint32_t>(2, p.output.offset, n);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t gain = uint32_t(int32_t(RefGain(noise[i], lut)));
			uint32_t s = uint32_t((uint64_t(in[i]) * gain) >> snr);
			ASSERT_EQ(out[i], RefShrink(s)) << i;
		}

		uint32_t bits = g() % 8, scale = g() % 2000;
		aiot_isa_op_signal_filter_bank_log l{};
		l.hdr.opcode = AIOT_ISA_OP_SIGNAL_FILTER_BANK_LOG;
		l.input = p.input;
		l.log_lut = flat(0, job.put(0, loglut.data(), loglut.size() * 2),
				 AIOT_ISA_LOG_LUT_ENTRIES, I16);
		l.output = flat(3, job.reserve(3, n * 2), n, I16);
		l.output_scale = scale;
		l.input_correction_bits = bits;
		ASSERT_EQ(job.run(one(l)), 0);
		auto lo = job.get<int16_t>(3, l.output.offset, n);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t x = in[i] << bits;
			int16_t want = x > 1 ? int16_t(std::min<uint32_t>(RefLog32(x, scale), 32767)) : 0;
			ASSERT_EQ(lo[i], want) << x;
		}
	}
}

TEST(IsaSignal, CastSliceAndInt32BinaryMatchReference)
{
	std::mt19937 g(20);
	const uint8_t types[3] = { I8, I16, I32 };
	for (int iter = 0; iter < 60; iter++) {
		uint8_t ti = types[g() % 3], to = types[g() % 3];
		uint32_t n = 1 + g() % 50;
		auto v = rand_vec<int32_t>(g, n, INT32_MIN, INT32_MAX);
		std::vector<uint8_t> bytes(n * aiot_isa_dtype_bytes(ti));
		for (uint32_t i = 0; i < n; i++) {
			if (ti == I8)
				bytes[i] = uint8_t(v[i]);
			else if (ti == I16)
				std::memcpy(&bytes[2 * i], &v[i], 2);
			else
				std::memcpy(&bytes[4 * i], &v[i], 4);
		}
		Job job;
		aiot_isa_op_cast c{};
		c.hdr.opcode = AIOT_ISA_OP_CAST;
		c.input = flat(1, job.put(1, bytes.data(), bytes.size()), n, ti);
		c.output = flat(2, job.reserve(2, n * 4), n, to);
		ASSERT_EQ(job.run(one(c)), 0);
		for (uint32_t i = 0; i < n; i++) {
			int32_t x = ti == I8 ? int8_t(v[i]) : ti == I16 ? int16_t(v[i]) : v[i];
			int32_t want = to == I8 ? int8_t(x) : to == I16 ? int16_t(x) : x;
			int32_t got = to == I8 ? job.get<int8_t>(2, c.output.offset, n)[i] :
				      to == I16 ? job.get<int16_t>(2, c.output.offset, n)[i] :
				      job.get<int32_t>(2, c.output.offset, n)[i];
			ASSERT_EQ(got, want);
		}

		// STRIDED_SLICE on 4-D int32.
		uint32_t d[4], b[4], st[4], o[4];
		for (int k = 0; k < 4; k++) {
			d[k] = 1 + g() % 6;
			b[k] = g() % d[k];
			st[k] = 1 + g() % 3;
			o[k] = 1 + (d[k] - 1 - b[k]) / st[k];
		}
		uint32_t total = d[0] * d[1] * d[2] * d[3];
		auto src = rand_vec<int32_t>(g, total, INT32_MIN, INT32_MAX);
		aiot_isa_op_strided_slice s{};
		s.hdr.opcode = AIOT_ISA_OP_STRIDED_SLICE;
		s.input = tensor(1, job.put(1, src.data(), total * 4), d[0], d[1], d[2], d[3], I32);
		s.output = tensor(3, job.reserve(3, o[0] * o[1] * o[2] * o[3] * 4), o[0], o[1], o[2],
				  o[3], I32);
		std::memcpy(s.begin, b, sizeof(b));
		std::memcpy(s.stride, st, sizeof(st));
		ASSERT_EQ(job.run(one(s)), 0);
		auto so = job.get<int32_t>(3, s.output.offset, o[0] * o[1] * o[2] * o[3]);
		size_t k = 0;
		for (uint32_t a0 = 0; a0 < o[0]; a0++)
			for (uint32_t a1 = 0; a1 < o[1]; a1++)
				for (uint32_t a2 = 0; a2 < o[2]; a2++)
					for (uint32_t a3 = 0; a3 < o[3]; a3++) {
						size_t idx = (((b[0] + a0 * st[0]) * d[1] + b[1] + a1 * st[1]) *
							      d[2] + b[2] + a2 * st[2]) * d[3] +
							     b[3] + a3 * st[3];
						ASSERT_EQ(so[k++], src[idx]);
					}
	}
	// int32 ADD/MUL/DIV/MINIMUM/MAXIMUM with broadcasting and clamps.
	const uint16_t ops[5] = { AIOT_ISA_OP_ADD_INT32, AIOT_ISA_OP_MUL_INT32, AIOT_ISA_OP_DIV_INT32,
				  AIOT_ISA_OP_MINIMUM_INT32, AIOT_ISA_OP_MAXIMUM_INT32 };
	for (int iter = 0; iter < 100; iter++) {
		uint16_t opc = ops[iter % 5];
		uint32_t c = 1 + g() % 20, r = 1 + g() % 3;
		bool bc = g() % 2;
		auto a = rand_vec<int32_t>(g, r * c, INT32_MIN, INT32_MAX);
		auto bb = rand_vec<int32_t>(g, bc ? 1 : r * c, -5, 5);
		bb[0] = iter % 7 == 0 ? 0 : iter % 7 == 1 ? -1 : bb[0];
		if (iter % 7 == 1)
			a[0] = INT32_MIN;
		int32_t lo = iter % 3 ? INT32_MIN : -1000, hi = iter % 3 ? INT32_MAX : 1000;
		Job job;
		aiot_isa_op_binary_int32 op{};
		op.hdr.opcode = opc;
		op.input1 = tensor(1, job.put(1, a.data(), a.size() * 4), 1, 1, r, c, I32);
		op.input2 = bc ? flat(0, job.put(0, bb.data(), 4), 1, I32) :
				 tensor(0, job.put(0, bb.data(), bb.size() * 4), 1, 1, r, c, I32);
		op.output = tensor(2, job.reserve(2, a.size() * 4), 1, 1, r, c, I32);
		op.act = { lo, hi };
		ASSERT_EQ(job.run(one(op)), 0);
		auto out = job.get<int32_t>(2, op.output.offset, a.size());
		for (size_t i = 0; i < a.size(); i++) {
			int64_t x = a[i], y = bb[bc ? 0 : i], v;
			switch (opc) {
			case AIOT_ISA_OP_ADD_INT32: v = int32_t(uint32_t(x + y)); break;
			case AIOT_ISA_OP_MUL_INT32: v = int32_t(uint32_t(uint64_t(x * y))); break;
			case AIOT_ISA_OP_DIV_INT32: v = y ? int32_t(uint32_t(x / y)) : 0; break;
			case AIOT_ISA_OP_MINIMUM_INT32: v = std::min(x, y); break;
			default: v = std::max(x, y); break;
			}
			ASSERT_EQ(out[i], std::clamp<int64_t>(v, lo, hi)) << opc << " " << x << " " << y;
		}
	}
}

namespace {

Job SigJob()
{
	Job job;
	job.reserve(0, 4096, 0);
	job.reserve(1, 4096, 0);
	job.reserve(2, 4096, 0);
	job.reserve(3, 4096, 0);
	return job;
}

template <typename Op> std::vector<uint8_t> Rec(Op op)
{
	op.hdr.size = sizeof(Op);
	std::vector<uint8_t> v(sizeof(Op));
	std::memcpy(v.data(), &op, sizeof(Op));
	return v;
}

int ValidateRec(const std::vector<uint8_t> &rec, uint16_t minor)
{
	StreamBuilder sb(minor);
	sb.add_raw(rec.data(), rec.size());
	auto s = sb.build();
	Job job = SigJob();
	int rc = job.validate(s);
	EXPECT_EQ(job.run(s), rc);
	return rc;
}

template <typename Op> void ExpectRejected(Op op, int err, const char *what)
{
	EXPECT_EQ(ValidateRec(Rec(op), 4), err) << what;
}

} // namespace

TEST(IsaSignal, ValidatorRejectsBadParameters)
{
	aiot_isa_op_signal_window w{};
	w.hdr.opcode = AIOT_ISA_OP_SIGNAL_WINDOW;
	w.input = flat(1, 0, 480, I16);
	w.weights = flat(0, 0, 480, I16);
	w.output = flat(2, 0, 480, I16);
	w.shift = 12;
	EXPECT_EQ(ValidateRec(Rec(w), 4), 0);
	auto bad = w; bad.shift = 32; ExpectRejected(bad, -EINVAL, "window shift");
	bad = w; bad.weights.dims[3] = 7; ExpectRejected(bad, -EINVAL, "window rows");
	bad = w; bad.reserved = 1; ExpectRejected(bad, -EINVAL, "window reserved");
	bad = w; bad.output.offset = 4096 - 4; ExpectRejected(bad, -ENOSPC, "window output");
	bad = w; bad.weights.binding = 2; ExpectRejected(bad, -EINVAL, "window overlap");

	aiot_isa_op_signal_rfft r{};
	r.hdr.opcode = AIOT_ISA_OP_SIGNAL_RFFT;
	r.input = flat(1, 0, 480, I16);
	r.output = flat(2, 0, 514, I16);
	r.scratch = flat(3, 0, 1024, I16);
	r.twiddles.binding = 0;
	r.fft_length = 512;
	EXPECT_EQ(ValidateRec(Rec(r), 4), 0);
	auto br = r; br.fft_length = 480; ExpectRejected(br, -EINVAL, "fft not a power of 2");
	br = r; br.fft_length = 8192; ExpectRejected(br, -EINVAL, "fft too long");
	br = r; br.input.dims[3] = 513; ExpectRejected(br, -EINVAL, "frame longer than fft");
	br = r; br.scratch.dims[3] = 1023; ExpectRejected(br, -EINVAL, "scratch too small");
	br = r; br.twiddles.offset = 4096 - 1532; ExpectRejected(br, -ENOSPC, "twiddles past end");
	br = r; br.scratch.binding = 2; ExpectRejected(br, -EINVAL, "scratch overlaps output");

	aiot_isa_op_signal_energy e{};
	e.hdr.opcode = AIOT_ISA_OP_SIGNAL_ENERGY;
	e.input = flat(1, 0, 514, I16);
	e.output = flat(2, 0, 257, I32);
	e.end_index = 257;
	EXPECT_EQ(ValidateRec(Rec(e), 4), 0);
	auto be = e; be.end_index = 258; ExpectRejected(be, -EINVAL, "energy end");
	be = e; be.start_index = 10; be.end_index = 9; ExpectRejected(be, -EINVAL, "energy order");
	be = e; be.output.dtype = I16; ExpectRejected(be, -EINVAL, "energy dtype");

	aiot_isa_op_signal_filter_bank f{};
	f.hdr.opcode = AIOT_ISA_OP_SIGNAL_FILTER_BANK;
	f.input = flat(1, 0, 257, I32);
	f.output = tensor(2, 0, 1, 1, 40, 2, I32);
	f.weights = flat(0, 0, 316, I16);
	f.unweights = flat(0, 640, 316, I16);
	f.channel_frequency_starts = flat(0, 1280, 41, I16);
	f.channel_weight_starts = flat(0, 1400, 41, I16);
	f.channel_widths = flat(0, 1500, 41, I16);
	EXPECT_EQ(ValidateRec(Rec(f), 4), 0);
	auto bf = f; bf.output.dims[3] = 1; ExpectRejected(bf, -EINVAL, "fbank not u64");
	bf = f; bf.channel_widths.dims[3] = 40; ExpectRejected(bf, -EINVAL, "fbank widths");
	bf = f; bf.unweights.dims[3] = 315; ExpectRejected(bf, -EINVAL, "fbank unweights");

	aiot_isa_op_signal_spectral_subtraction s{};
	s.hdr.opcode = AIOT_ISA_OP_SIGNAL_SPECTRAL_SUBTRACTION;
	s.input = flat(1, 0, 40, I32);
	s.output = flat(2, 0, 40, I32);
	s.noise_estimate = flat(2, 160, 40, I32);
	s.state = flat(3, 0, 40, I32);
	s.smoothing_bits = 10;
	s.spectral_subtraction_bits = 14;
	EXPECT_EQ(ValidateRec(Rec(s), 4), 0);
	auto bs = s; bs.state = s.output; ExpectRejected(bs, -EINVAL, "state overlaps output");
	bs = s; bs.state.binding = 1; ExpectRejected(bs, -EINVAL, "state overlaps input");
	bs = s; bs.clamping = 2; ExpectRejected(bs, -EINVAL, "clamping");
	bs = s; bs.smoothing_bits = 32; ExpectRejected(bs, -EINVAL, "smoothing bits");
	bs = s; bs.spectral_subtraction_bits = 64; ExpectRejected(bs, -EINVAL, "ss bits");

	aiot_isa_op_signal_pcan p{};
	p.hdr.opcode = AIOT_ISA_OP_SIGNAL_PCAN;
	p.input = flat(1, 0, 40, I32);
	p.noise_estimate = flat(1, 160, 40, I32);
	p.gain_lut = flat(0, 0, 125, I16);
	p.output = flat(2, 0, 40, I32);
	EXPECT_EQ(ValidateRec(Rec(p), 4), 0);
	auto bp = p; bp.gain_lut.dims[3] = 124; ExpectRejected(bp, -EINVAL, "gain table short");
	bp = p; bp.snr_shift = 64; ExpectRejected(bp, -EINVAL, "snr shift");

	aiot_isa_op_signal_filter_bank_log l{};
	l.hdr.opcode = AIOT_ISA_OP_SIGNAL_FILTER_BANK_LOG;
	l.input = flat(1, 0, 40, I32);
	l.log_lut = flat(0, 0, 129, I16);
	l.output = flat(2, 0, 40, I16);
	EXPECT_EQ(ValidateRec(Rec(l), 4), 0);
	auto bl = l; bl.log_lut.dims[3] = 128; ExpectRejected(bl, -EINVAL, "log table short");
	bl = l; bl.input_correction_bits = 32; ExpectRejected(bl, -EINVAL, "correction bits");

	aiot_isa_op_strided_slice sl{};
	sl.hdr.opcode = AIOT_ISA_OP_STRIDED_SLICE;
	sl.input = flat(1, 0, 257, I32);
	sl.output = flat(2, 0, 236, I32);
	for (int k = 0; k < 4; k++)
		sl.stride[k] = 1;
	sl.begin[3] = 5;
	EXPECT_EQ(ValidateRec(Rec(sl), 4), 0);
	auto bsl = sl; bsl.begin[3] = 22; ExpectRejected(bsl, -EINVAL, "slice past the end");
	bsl = sl; bsl.stride[2] = 0; ExpectRejected(bsl, -EINVAL, "zero stride");
	bsl = sl; bsl.output.dtype = I16; ExpectRejected(bsl, -EINVAL, "slice dtype");

	aiot_isa_op_binary_int32 b{};
	b.hdr.opcode = AIOT_ISA_OP_DIV_INT32;
	b.input1 = flat(1, 0, 40, I32);
	b.input2 = flat(0, 0, 1, I32);
	b.output = flat(2, 0, 40, I32);
	b.act = { INT32_MIN, INT32_MAX };
	EXPECT_EQ(ValidateRec(Rec(b), 4), 0);
	auto bb = b; bb.act = { 5, 4 }; ExpectRejected(bb, -EINVAL, "act order");
	bb = b; bb.input2.dims[3] = 3; ExpectRejected(bb, -EINVAL, "no broadcast");
	bb = b; bb.input1.dtype = I16; ExpectRejected(bb, -EINVAL, "int16 input");

	aiot_isa_op_cast c{};
	c.hdr.opcode = AIOT_ISA_OP_CAST;
	c.input = flat(1, 0, 40, I16);
	c.output = flat(1, 0, 40, I32);
	ExpectRejected(c, -EINVAL, "cast widening in place");
	c.output.binding = 2;
	c.output.dims[3] = 41;
	ExpectRejected(c, -EINVAL, "cast dims");
}

TEST(IsaSignal, NewOpcodesNeedAStreamDeclaringIsa14)
{
	aiot_isa_op_binary_int32 b{};
	b.hdr.opcode = AIOT_ISA_OP_ADD_INT32;
	b.input1 = flat(1, 0, 4, I32);
	b.input2 = flat(1, 16, 4, I32);
	b.output = flat(2, 0, 4, I32);
	b.act = { INT32_MIN, INT32_MAX };
	EXPECT_EQ(ValidateRec(Rec(b), 4), 0);
	for (uint16_t opc = AIOT_ISA_OP_SIGNAL_WINDOW; opc <= AIOT_ISA_OP_MAXIMUM_INT32; opc++) {
		auto rec = Rec(b);
		std::memcpy(&rec[0], &opc, 2);
		EXPECT_EQ(ValidateRec(rec, 3), -EOPNOTSUPP) << opc;
	}
	aiot_isa_summary sum{};
	StreamBuilder sb;
	sb.add(b);
	Job job = SigJob();
	ASSERT_EQ(job.validate(sb.build(), &sum), 0);
	EXPECT_EQ(sum.isa_minor, uint32_t(AIOT_ISA_VERSION_MINOR));
	EXPECT_TRUE(sum.op_mask & (1ull << AIOT_ISA_OP_ADD_INT32));
	// Numbers this validator does not assign stay unknown, whatever the size.
	for (uint16_t opc : { 24, 25, 29, 46, 47, 200 }) {
		auto rec = Rec(b);
		std::memcpy(&rec[0], &opc, 2);
		EXPECT_EQ(ValidateRec(rec, 4), -EOPNOTSUPP) << opc;
	}
}
