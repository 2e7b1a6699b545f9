// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// An independent implementation of TensorFlow Lite's int8 RESIZE_NEAREST_-
// NEIGHBOR (GetNearestNeighbor, in float as TFLite computes it) and
// RESIZE_BILINEAR (ResizeBilinearInteger), written from TFLite's
// definitions, for the ISA and compiler tests.
#ifndef AIOT_ISA_RESIZE_REF_H
#define AIOT_ISA_RESIZE_REF_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace isa_resize_ref {

// TFLite's GetNearestNeighbor, float arithmetic as TFLite has it.
inline int Nearest(int o, int in, int out, bool align, bool half)
{
	const float scale = (align && out > 1) ? (in - 1) / float(out - 1)
					       : in / float(out);
	const float offset = half ? 0.5f : 0.0f;
	int v = std::min(align ? int(std::round((o + offset) * scale))
			       : int(std::floor((o + offset) * scale)),
			 in - 1);
	if (half)
		v = std::max(0, v);
	return v;
}

struct Lerp {
	int32_t lo, hi, scaled;
};

// TFLite's ComputeInterpolationValuesInteger with its 10-bit scale.
inline Lerp Bilinear(int o, int in, int out, bool align, bool half)
{
	int32_t scale = ((1 << 10) * in + out / 2) / out;
	if (align && out > 1)
		scale = ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
	Lerp l;
	l.scaled = half ? o * scale + scale / 2 - (1 << 9) : o * scale;
	l.lo = std::max(l.scaled / (1 << 10), 0);
	l.hi = std::min((l.scaled + (1 << 10) - 1) / (1 << 10), in - 1);
	// Where TFLite's lower index passes the image (it reads out of bounds
	// there; large upscales), the ISA defines it as the last row.
	l.lo = std::min(l.lo, in - 1);
	return l;
}

inline int32_t Interp(int32_t v00, int32_t v10, int32_t v01, int32_t v11,
	       const Lerp &y, const Lerp &x)
{
	int64_t dy = y.scaled - (1 << 10) * y.lo, dx = x.scaled - (1 << 10) * x.lo;
	int64_t o = int64_t(v00) * ((1 << 10) - dy) * ((1 << 10) - dx) +
		    int64_t(v10) * dy * ((1 << 10) - dx) +
		    int64_t(v01) * ((1 << 10) - dy) * dx + int64_t(v11) * dy * dx;
	int64_t round = o > 0 ? (1 << 19) : -(1 << 19);
	return int32_t((o + round) / (1 << 20));
}

// Resize of a [N, H, W, C] image (any element type held as int32) to
// [N, OH, OW, C] from the window (y0, x0, h, w).
inline std::vector<int32_t> Resize(const std::vector<int32_t> &in, int n, int H, int W,
			    int C, int y0, int x0, int h, int w, int OH, int OW,
			    bool bilinear, bool align, bool half)
{
	std::vector<int32_t> out;
	auto at = [&](int b, int y, int x, int c) {
		return in[((size_t(b) * H + y0 + y) * W + x0 + x) * C + c];
	};
	for (int b = 0; b < n; b++)
		for (int y = 0; y < OH; y++)
			for (int x = 0; x < OW; x++)
				for (int c = 0; c < C; c++) {
					if (!bilinear) {
						out.push_back(at(b, Nearest(y, h, OH, align, half),
								 Nearest(x, w, OW, align, half), c));
						continue;
					}
					Lerp ly = Bilinear(y, h, OH, align, half);
					Lerp lx = Bilinear(x, w, OW, align, half);
					out.push_back(Interp(at(b, ly.lo, lx.lo, c),
							     at(b, ly.hi, lx.lo, c),
							     at(b, ly.lo, lx.hi, c),
							     at(b, ly.hi, lx.hi, c), ly, lx));
				}
	return out;
}

} // namespace isa_resize_ref

#endif // AIOT_ISA_RESIZE_REF_H
