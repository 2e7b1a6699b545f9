// SPDX-License-Identifier: GPL-2.0-only
//
// person_detect, compiled by aiot-compile, run on the emulated card: the
// scores must be those of the userspace CPU executor, bit for bit (the
// same as `aiot-run --device cpu`). The blob is read with a small reader
// of the documented format (include/aiot/model_format.h), so this test
// depends on no library.

#include <fstream>
#include <iterator>

#include "npu_card_harness.h"

extern "C" {
#include "aiot_isa.h"
#include "aiot/model_format.h"
}

using namespace card_test;

namespace {

bool read_file(const std::string &path, std::vector<uint8_t> *out)
{
	std::ifstream f(path, std::ios::binary);
	if (!f)
		return false;
	out->assign(std::istreambuf_iterator<char>(f),
		    std::istreambuf_iterator<char>());
	return true;
}

// BMP pixel bytes unchanged, top row first (as aiot-run feeds them).
bool read_gray_bmp(const std::string &path, std::vector<uint8_t> *px)
{
	std::vector<uint8_t> f;
	if (!read_file(path, &f) || f.size() < 54 || f[0] != 'B' || f[1] != 'M')
		return false;
	uint32_t at;
	int32_t w, h;
	std::memcpy(&at, &f[10], 4);
	std::memcpy(&w, &f[18], 4);
	std::memcpy(&h, &f[22], 4);
	if (w != 96 || (h != 96 && h != -96) || f[28] != 8 ||
	    at + 96 * 96 > f.size())
		return false;
	px->resize(96 * 96);
	for (int row = 0; row < 96; row++)
		std::memcpy(&(*px)[row * 96],
			    &f[at + (h > 0 ? 95 - row : row) * 96], 96);
	return true;
}

struct Blob {
	aiot_model_file_header hdr{};
	std::vector<uint8_t> stream, weights;
	std::vector<aiot_model_tensor> tensors;
};

bool parse_blob(const std::vector<uint8_t> &b, Blob *out)
{
	if (b.size() < sizeof(out->hdr))
		return false;
	std::memcpy(&out->hdr, b.data(), sizeof(out->hdr));
	const auto &h = out->hdr;
	if (std::memcmp(h.magic, AIOT_MODEL_MAGIC, AIOT_MODEL_MAGIC_LEN) ||
	    h.section_count > AIOT_MODEL_MAX_SECTIONS ||
	    h.header_size + uint64_t(h.section_count) * 24 > b.size())
		return false;
	for (uint32_t i = 0; i < h.section_count; i++) {
		aiot_model_section s;
		std::memcpy(&s, b.data() + h.header_size + 24 * i, sizeof(s));
		if (s.offset > b.size() || s.size > b.size() - s.offset)
			return false;
		const uint8_t *p = b.data() + s.offset;
		if (s.type == AIOT_MODEL_SECTION_COMMAND_STREAM) {
			out->stream.assign(p, p + s.size);
		} else if (s.type == AIOT_MODEL_SECTION_WEIGHTS) {
			out->weights.assign(p, p + s.size);
		} else if (s.type == AIOT_MODEL_SECTION_TENSORS) {
			for (uint64_t o = 0; o + 64 <= s.size; o += 64) {
				aiot_model_tensor t;
				std::memcpy(&t, p + o, sizeof(t));
				out->tensors.push_back(t);
			}
		}
	}
	return !out->stream.empty() && !out->tensors.empty();
}

size_t dtype_size(uint32_t dt)
{
	return dt == AIOT_ISA_DTYPE_INT32 ? 4 : dt == AIOT_ISA_DTYPE_INT16 ? 2 : 1;
}

TEST(CardModel, PersonDetectMatchesTheCpuExecutorBitForBit)
{
	std::vector<uint8_t> raw;
	if (!read_file(AIOT_NPU_CARD_MODEL, &raw))
		GTEST_SKIP() << AIOT_NPU_CARD_MODEL << " not built";
	Blob blob;
	ASSERT_TRUE(parse_blob(raw, &blob));

	// The model's buffers, as the driver would bind them.
	std::vector<std::vector<uint8_t>> buf(AIOT_MODEL_MAX_BINDINGS);
	std::vector<uint32_t> dir(AIOT_MODEL_MAX_BINDINGS, 0);
	unsigned int nb = 0;
	auto use = [&](unsigned int slot, size_t size, uint32_t d) {
		ASSERT_LT(slot, AIOT_MODEL_MAX_BINDINGS);
		if (buf[slot].size() < size)
			buf[slot].resize(size, 0);
		dir[slot] |= d;
		nb = std::max(nb, slot + 1);
	};
	if (blob.hdr.weights_binding != AIOT_MODEL_NO_BINDING) {
		use(blob.hdr.weights_binding, blob.weights.size(),
		    AIOT_CARD_BIND_READ);
		buf[blob.hdr.weights_binding] = blob.weights;
	}
	if (blob.hdr.arena_binding != AIOT_MODEL_NO_BINDING)
		use(blob.hdr.arena_binding, blob.hdr.arena_size,
		    AIOT_CARD_BIND_READ | AIOT_CARD_BIND_WRITE);
	const aiot_model_tensor *in = nullptr, *out = nullptr;
	for (auto &t : blob.tensors) {
		size_t n = dtype_size(t.dtype);
		for (auto d : t.dims)
			n *= d;
		bool is_in = t.direction == AIOT_MODEL_TENSOR_INPUT;
		use(t.binding, t.offset + n,
		    is_in ? AIOT_CARD_BIND_READ : AIOT_CARD_BIND_WRITE);
		(is_in ? in : out) = &t;
	}
	ASSERT_TRUE(in && out);

	Card card;
	card.bring_up();
	ASSERT_FALSE(HasFatalFailure());

	// out[0] no person, out[1] person (measured on the CPU executor)
	const struct {
		const char *name;
		int8_t no, yes;
	} images[] = { { "person", -113, 113 }, { "no_person", 57, -57 } };
	uint64_t id = 1;
	for (const auto &img : images) {
		std::vector<uint8_t> px;
		ASSERT_TRUE(read_gray_bmp(std::string(AIOT_MODELS_DIR) +
					  "/person_detection/" + img.name +
					  ".bmp", &px));
		ASSERT_GE(buf[in->binding].size(), in->offset + px.size());
		std::memcpy(buf[in->binding].data() + in->offset, px.data(),
			    px.size());

		// The CPU executor, in process.
		auto cpu = buf;
		std::vector<void *> ptr;
		std::vector<uint64_t> size;
		for (unsigned int i = 0; i < nb; i++) {
			ptr.push_back(cpu[i].empty() ? nullptr : cpu[i].data());
			size.push_back(cpu[i].size());
		}
		ASSERT_EQ(aiot_isa_execute(blob.stream.data(),
					   blob.stream.size(), ptr.data(),
					   size.data(), nb), 0);

		// The card, through scatter lists.
		Card::Buf cs = card.place(blob.stream, 7);
		std::vector<Card::Buf> b(nb);
		aiot_card_sq_entry e{};
		e.job_id = htole64(id);
		e.flags = htole32(AIOT_CARD_DESC_F_IRQ);
		e.nbindings = htole32(nb);
		e.cs_sgl = htole64(cs.sgl);
		e.cs_sgl_count = htole32(cs.count);
		e.cs_size = htole32(uint32_t(blob.stream.size()));
		for (unsigned int i = 0; i < nb; i++) {
			if (!dir[i])
				continue;
			// page-sized segments, as a shmem GEM object's pages
			unsigned int segs = unsigned((buf[i].size() + 4095) / 4096);
			b[i] = card.place(buf[i], segs);
			e.bindings[i].sgl = htole64(b[i].sgl);
			e.bindings[i].sgl_count = htole32(b[i].count);
			e.bindings[i].flags = htole32(dir[i]);
			e.bindings[i].size = htole64(buf[i].size());
		}
		card.submit(e);
		aiot_card_cq_entry q{};
		ASSERT_TRUE(card.wait_cqe(&q, 60000));
		ASSERT_EQ(q.status, uint32_t(AIOT_CARD_CS_OK))
			<< "detail " << q.detail << " errno " << q.errno_val;
		EXPECT_EQ(q.job_id, id);
		for (unsigned int i = 0; i < nb; i++) {
			if (!dir[i])
				continue;
			EXPECT_EQ(card.gather(b[i], cpu[i].size()), cpu[i])
				<< img.name << " binding " << i;
		}
		auto res = card.gather(b[out->binding], cpu[out->binding].size());
		EXPECT_EQ(int8_t(res[out->offset]), img.no) << img.name;
		EXPECT_EQ(int8_t(res[out->offset + 1]), img.yes) << img.name;
		printf("card: %s device time %.3f ms, %llu progress steps\n",
		       img.name, double(q.ended_ns - q.started_ns) / 1e6,
		       (unsigned long long)q.progress);
		id++;
	}
}

} // namespace
