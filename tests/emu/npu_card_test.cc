// SPDX-License-Identifier: GPL-2.0-only
//
// Host tests of aiot-npu-card (emu/npu-card) against docs/npu-card.md:
// the real program, driven through its ivshmem socket, BAR2, doorbell and
// interrupt eventfds and the guest RAM file, exactly as QEMU and a guest
// driver would. Results are compared bit for bit with the in-process
// kernel/isa executor; every fault knob and malformed input is exercised
// and the emulator must report, not crash (it runs under ASan/UBSan and
// must exit with status 0).

#include "npu_card_harness.h"
#include "isa_test_util.h"

using namespace card_test;
using namespace isa_test;

namespace {

constexpr unsigned int kSlots = 4;	// 0 weights, 1 input, 2 output, 3 scratch

// conv 3x3 (24x24x3 -> 22x22x8), max pool 2x2 (-> 11x11x8), fully
// connected (968 -> 10): three ops, many output rows.
struct Model {
	Job job{kSlots};
	std::vector<uint8_t> stream;
	uint32_t out_off = 0;

	explicit Model(uint32_t seed)
	{
		std::mt19937 rng(seed);
		auto in = random_i8(rng, 24 * 24 * 3);
		auto cf = random_i8(rng, 8 * 3 * 3 * 3);
		auto ff = random_i8(rng, 10 * 968);
		auto cq = random_quant(rng, 8);
		auto fq = random_quant(rng, 10);

		aiot_isa_op_conv conv{};
		conv.hdr.opcode = AIOT_ISA_OP_CONV_2D;
		conv.input = tensor(1, job.put(1, in.data(), in.size()),
				    1, 24, 24, 3);
		conv.filter = tensor(0, job.put(0, cf.data(), cf.size()),
				     8, 3, 3, 3);
		conv.quant.binding = 0;
		conv.quant.offset = put_quant(job, 0, cq);
		conv.output = tensor(3, job.reserve(3, 22 * 22 * 8), 1, 22, 22, 8);
		conv.input_zero_point = -3;
		conv.output_zero_point = 2;
		conv.act = { -128, 127 };
		conv.stride_h = conv.stride_w = 1;
		conv.dilation_h = conv.dilation_w = 1;

		aiot_isa_op_pool pool{};
		pool.hdr.opcode = AIOT_ISA_OP_MAX_POOL_2D;
		pool.input = conv.output;
		pool.output = tensor(3, job.reserve(3, 968), 1, 11, 11, 8);
		pool.act = { -128, 127 };
		pool.filter_h = pool.filter_w = 2;
		pool.stride_h = pool.stride_w = 2;

		aiot_isa_op_fully_connected fc{};
		fc.hdr.opcode = AIOT_ISA_OP_FULLY_CONNECTED;
		fc.input = tensor(3, pool.output.offset, 1, 1, 1, 968);
		fc.filter = tensor(0, job.put(0, ff.data(), ff.size()),
				   10, 1, 1, 968);
		fc.quant.binding = 0;
		fc.quant.offset = put_quant(job, 0, fq);
		// Output in the middle of binding 2: the bytes around it must
		// survive (a WRITE binding's unwritten bytes are preserved).
		job.reserve(2, 13, 0x11);
		fc.output = tensor(2, job.reserve(2, 10, 0x22), 1, 1, 1, 10);
		job.reserve(2, 7, 0x33);
		out_off = fc.output.offset;
		fc.input_zero_point = 1;
		fc.output_zero_point = -5;
		fc.act = { -128, 127 };

		StreamBuilder sb;
		sb.add(conv);
		sb.add(pool);
		sb.add(fc);
		stream = sb.build();
		EXPECT_EQ(job.validate(stream), 0);
	}

	// What the card must produce: the in-process executor's result.
	Job expected() const
	{
		Job j = job;
		EXPECT_EQ(j.run(stream), 0);
		return j;
	}
};

uint32_t dir_of(unsigned int slot)
{
	switch (slot) {
	case 0:
	case 1:
		return AIOT_CARD_BIND_READ;
	case 2:
		return AIOT_CARD_BIND_WRITE;
	default:
		return AIOT_CARD_BIND_READ | AIOT_CARD_BIND_WRITE;
	}
}

// A model placed in guest RAM and the submission entry that runs it.
struct Placed {
	Card::Buf cs;
	Card::Buf b[kSlots];
	aiot_card_sq_entry e{};
};

Placed place(Card &card, const Model &m, uint64_t job_id)
{
	static const unsigned int segs[kSlots] = { 5, 4, 3, 2 };
	Placed p;
	p.cs = card.place(m.stream, 3);
	p.e.job_id = htole64(job_id);
	p.e.flags = htole32(AIOT_CARD_DESC_F_IRQ);
	p.e.nbindings = htole32(kSlots);
	p.e.cs_sgl = htole64(p.cs.sgl);
	p.e.cs_sgl_count = htole32(p.cs.count);
	p.e.cs_size = htole32(uint32_t(m.stream.size()));
	for (unsigned int i = 0; i < kSlots; i++) {
		p.b[i] = card.place(m.job.buf[i], segs[i]);
		p.e.bindings[i].sgl = htole64(p.b[i].sgl);
		p.e.bindings[i].sgl_count = htole32(p.b[i].count);
		p.e.bindings[i].flags = htole32(dir_of(i));
		p.e.bindings[i].size = htole64(m.job.buf[i].size());
	}
	return p;
}

// Checks every binding in guest RAM against the in-process run.
void expect_outputs(const Card &card, const Model &m, const Placed &p)
{
	Job want = m.expected();
	for (unsigned int i = 0; i < kSlots; i++)
		EXPECT_EQ(card.gather(p.b[i], want.buf[i].size()), want.buf[i])
			<< "binding " << i;
}

void expect_untouched(const Card &card, const Model &m, const Placed &p)
{
	for (unsigned int i = 0; i < kSlots; i++)
		EXPECT_EQ(card.gather(p.b[i], m.job.buf[i].size()), m.job.buf[i])
			<< "binding " << i;
}

aiot_card_cq_entry run_one(Card &card, const aiot_card_sq_entry &e)
{
	aiot_card_cq_entry q{};
	card.submit(e);
	EXPECT_TRUE(card.wait_cqe(&q)) << "no completion";
	return q;
}

// A good job runs and matches: the card is still healthy.
void expect_healthy(Card &card, uint32_t seed)
{
	Model m(seed);
	Placed p = place(card, m, 4242);
	auto q = run_one(card, p.e);
	EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_OK));
	EXPECT_EQ(q.job_id, 4242u);
	expect_outputs(card, m, p);
}

class CardTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		card.bring_up();
		ASSERT_FALSE(HasFatalFailure());
	}
	Card card;
};

TEST(CardProtocol, IdentityAndIvshmemHandshake)
{
	Card card;
	card.connect_guest();
	ASSERT_FALSE(::testing::Test::HasFatalFailure());
	EXPECT_EQ(card.r32(AIOT_CARD_REG_MAGIC), AIOT_CARD_MAGIC_VALUE);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_VERSION),
		  uint32_t(AIOT_CARD_VERSION(1, 0)));
	uint32_t caps = card.r32(AIOT_CARD_REG_CAPS);
	EXPECT_EQ(caps & AIOT_CARD_CAPS_REQUIRED_MASK, 0u);
	EXPECT_TRUE(caps & AIOT_CARD_CAP_FAULT_KNOBS);
	EXPECT_TRUE(caps & AIOT_CARD_CAP_CLOCK);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_ISA_VERSION),
		  uint32_t(AIOT_ISA_VERSION_CURRENT));
	EXPECT_EQ(int64_t(card.r32(AIOT_CARD_REG_PEER_ID)), card.card_peer());
	EXPECT_NE(card.my_id(), card.card_peer());
	EXPECT_EQ(card.r32(AIOT_CARD_REG_MAX_BINDINGS), 16u);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_MAX_RING_ENTRIES), 4096u);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_MAX_SG_ENTRIES), 65536u);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_DMA_ADDR_BITS), 64u);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_STATUS),
		  AIOT_CARD_STATUS_READY | AIOT_CARD_STATUS_HALTED);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_IRQ_MASK), AIOT_CARD_IRQ_ALL);
	EXPECT_GE(card.shm_size(), uint64_t(AIOT_CARD_MIN_SHM_SIZE));
	EXPECT_EQ(card.shm_size() & (card.shm_size() - 1), 0u);
	// The card clock runs.
	uint64_t t0 = card.r64(AIOT_CARD_REG_CLOCK_NS);
	std::this_thread::sleep_for(std::chrono::milliseconds(30));
	EXPECT_GT(card.r64(AIOT_CARD_REG_CLOCK_NS), t0);
}

TEST(CardProtocol, SecondClientIsRefused)
{
	Card card;
	card.connect_guest();
	ASSERT_FALSE(::testing::Test::HasFatalFailure());
	int fd = Card::connect_unix(card.sock_path(), 2000);
	ASSERT_GE(fd, 0);
	Msg m;
	EXPECT_FALSE(Card::recv_msg(fd, &m, 2000));
	close(fd);
	EXPECT_TRUE(card.alive());
	EXPECT_EQ(card.r32(AIOT_CARD_REG_MAGIC), AIOT_CARD_MAGIC_VALUE);
}

TEST(CardProtocol, FakeVersionAndRequiredCaps)
{
	Card card({ "--fake-version", "0x20000", "--extra-caps", "0x10000" });
	card.connect_guest();
	ASSERT_FALSE(::testing::Test::HasFatalFailure());
	EXPECT_EQ(card.r32(AIOT_CARD_REG_VERSION), 0x20000u);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_CAPS) & AIOT_CARD_CAPS_REQUIRED_MASK,
		  0x10000u);
}

TEST(CardProtocol, ExitsCleanlyWhenTheGuestDisconnects)
{
	Card card;
	card.bring_up();
	ASSERT_FALSE(::testing::Test::HasFatalFailure());
	card.disconnect();
	EXPECT_EQ(card.wait_exit(5000), 0);
}

TEST(CardProtocol, ExitsCleanlyOnSigtermWhileAJobHangs)
{
	Card card;
	card.bring_up();
	ASSERT_FALSE(::testing::Test::HasFatalFailure());
	card.w32(AIOT_CARD_REG_KNOB_HANG, 1);
	Model m(7);
	Placed p = place(card, m, 1);
	card.submit(p.e);
	ASSERT_TRUE(card.wait_reg(AIOT_CARD_REG_STATUS, AIOT_CARD_STATUS_BUSY,
				  AIOT_CARD_STATUS_BUSY));
	kill(card.pid(), SIGTERM);
	EXPECT_EQ(card.wait_exit(5000), 0);
}

TEST_F(CardTest, RunsAModelBitExactThroughScatterLists)
{
	Model m(1);
	Placed p = place(card, m, 0x1234567890ull);
	uint64_t progress0 = card.r64(AIOT_CARD_REG_PROGRESS);
	card.submit(p.e);
	EXPECT_TRUE(card.wait_irq(AIOT_CARD_MSIX_COMPLETION, 10000));
	aiot_card_cq_entry q{};
	ASSERT_TRUE(card.wait_cqe(&q, 1000));
	EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_OK));
	EXPECT_EQ(q.errno_val, 0u);
	EXPECT_EQ(q.job_id, 0x1234567890ull);
	EXPECT_EQ(q.seq, 0u);
	EXPECT_GT(q.started_ns, 0u);
	EXPECT_GE(q.ended_ns, q.started_ns);
	EXPECT_LE(q.ended_ns, card.r64(AIOT_CARD_REG_CLOCK_NS) + 1);
	// one executor step per operation at least (conv, pool, fc; inside
	// an op one per AIOT_ISA_STOP_INTERVAL of work); PROGRESS counts
	// those and one per scatter-gather segment moved
	EXPECT_GE(q.progress, 3u);
	EXPECT_GT(card.r64(AIOT_CARD_REG_PROGRESS) - progress0, q.progress);
	EXPECT_EQ(card.r64(AIOT_CARD_REG_JOBS_DONE), 1u);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_SQ_HEAD), 1u);
	expect_outputs(card, m, p);

	// IRQ_STATUS is write-1-to-clear through IRQ_ACK.
	EXPECT_TRUE(card.r32(AIOT_CARD_REG_IRQ_STATUS) &
		    AIOT_CARD_IRQ_COMPLETION);
	card.w32(AIOT_CARD_REG_IRQ_ACK, AIOT_CARD_IRQ_COMPLETION);
	card.doorbell(AIOT_CARD_DB_CONTROL);
	EXPECT_TRUE(card.wait_reg(AIOT_CARD_REG_IRQ_STATUS,
				  AIOT_CARD_IRQ_COMPLETION, 0));
	EXPECT_TRUE(card.wait_reg(AIOT_CARD_REG_IRQ_ACK, ~0u, 0));
}

TEST_F(CardTest, ManyJobsWrapBothRings)
{
	// 3 rounds of a full ring, submitted before any completion is read.
	for (int round = 0; round < 3; round++) {
		std::vector<Model *> models;
		std::vector<Placed> placed;
		for (uint32_t i = 0; i < kRingEntries; i++) {
			models.push_back(new Model(100 + round * 10 + i));
			placed.push_back(place(card, *models.back(),
					       round * 100 + i));
			card.submit(placed.back().e, i + 1 == kRingEntries);
		}
		for (uint32_t i = 0; i < kRingEntries; i++) {
			aiot_card_cq_entry q{};
			ASSERT_TRUE(card.wait_cqe(&q));
			EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_OK));
			EXPECT_EQ(q.job_id, uint64_t(round * 100 + i));
			EXPECT_EQ(q.seq, card.expected_seq());
			expect_outputs(card, *models[i], placed[i]);
		}
		for (auto *mp : models)
			delete mp;
	}
}

TEST_F(CardTest, MaskedCompletionPostsWithoutInterrupt)
{
	card.w32(AIOT_CARD_REG_IRQ_MASK, AIOT_CARD_IRQ_COMPLETION);
	card.doorbell(AIOT_CARD_DB_CONTROL);
	Model m(2);
	Placed p = place(card, m, 9);
	card.submit(p.e);
	ASSERT_TRUE(card.wait_reg(AIOT_CARD_REG_CQ_TAIL, ~0u, 1u));
	EXPECT_FALSE(card.wait_irq(AIOT_CARD_MSIX_COMPLETION, 100));
	// Unmasking a pending cause raises it at once.
	card.w32(AIOT_CARD_REG_IRQ_MASK, 0);
	card.doorbell(AIOT_CARD_DB_CONTROL);
	EXPECT_TRUE(card.wait_irq(AIOT_CARD_MSIX_COMPLETION, 2000));
	aiot_card_cq_entry q{};
	ASSERT_TRUE(card.wait_cqe(&q));
	EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_OK));
}

// A segment outside guest RAM fails the job with DMA_ERROR naming the
// slot, and the card touches no byte of any buffer.
TEST_F(CardTest, OutOfRangeAddressesAreDmaErrors)
{
	struct Case {
		int slot;	// -1: the command stream
		uint64_t addr;
		uint32_t len;
		bool in_list;	// corrupt a list entry, else the list address
	};
	const Case cases[] = {
		{ 1, kRamSize, 16, true },
		{ 2, kRamSize - 8, 16, true },
		{ 3, ~0ull - 7, 64, true },		// addr + len overflows
		{ 0, 0, 0, true },			// len 0
		{ -1, kRamSize + 4096, 64, true },
		{ 2, kRamSize - 8, 0, false },		// list itself outside
		{ -1, ~0ull & ~15ull, 0, false },
		{ 1, (1ull << 20) + 8, 0, false },	// list misaligned
	};
	int n = 0;
	for (const Case &c : cases) {
		Model m(20 + n);
		Placed p = place(card, m, 500 + n);
		Card::Buf &b = c.slot < 0 ? p.cs : p.b[c.slot];
		if (c.in_list) {
			aiot_card_sg bad{};
			bad.addr = htole64(c.addr);
			bad.len = htole32(c.len);
			card.put(b.sgl + sizeof(aiot_card_sg) * (b.count - 1),
				 &bad, sizeof(bad));
		} else if (c.slot < 0) {
			p.e.cs_sgl = htole64(c.addr);
		} else {
			p.e.bindings[c.slot].sgl = htole64(c.addr);
		}
		auto q = run_one(card, p.e);
		EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_DMA_ERROR))
			<< "case " << n;
		EXPECT_EQ(q.detail, c.slot < 0 ? AIOT_CARD_DMA_DETAIL_STREAM
					       : uint32_t(c.slot)) << "case " << n;
		EXPECT_EQ(q.errno_val, uint32_t(EFAULT));
		EXPECT_EQ(q.job_id, uint64_t(500 + n));
		if (c.slot != 2 || !c.in_list)
			expect_untouched(card, m, p);
		n++;
	}
	// Segments that add up to less than the binding's size.
	Model m(30);
	Placed p = place(card, m, 600);
	p.e.bindings[2].size = htole64(m.job.buf[2].size() + 1);
	auto q = run_one(card, p.e);
	EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_DMA_ERROR));
	EXPECT_EQ(q.detail, 2u);
	EXPECT_TRUE(card.r32(AIOT_CARD_REG_STATUS) & AIOT_CARD_STATUS_ENABLED);
	expect_healthy(card, 31);
}

TEST_F(CardTest, MalformedDescriptorsFailOnlyTheirJob)
{
	using E = aiot_card_sq_entry;
	struct Case {
		const char *what;
		void (*mutate)(E &);
		uint32_t status;
		uint32_t detail;
	};
	const Case cases[] = {
		{ "unknown flag", [](E &e) { e.flags |= htole32(1u << 7); },
		  AIOT_CARD_CS_INVALID_DESC, 0x08 },
		{ "17 bindings", [](E &e) { e.nbindings = htole32(17); },
		  AIOT_CARD_CS_INVALID_DESC, 0x0c },
		{ "huge nbindings", [](E &e) { e.nbindings = ~0u; },
		  AIOT_CARD_CS_INVALID_DESC, 0x0c },
		{ "no stream entries", [](E &e) { e.cs_sgl_count = 0; },
		  AIOT_CARD_CS_INVALID_DESC, 0x18 },
		{ "too many stream entries",
		  [](E &e) { e.cs_sgl_count = htole32(65537); },
		  AIOT_CARD_CS_INVALID_DESC, 0x18 },
		{ "empty stream", [](E &e) { e.cs_size = 0; },
		  AIOT_CARD_CS_INVALID_DESC, 0x1c },
		{ "huge stream", [](E &e) { e.cs_size = ~0u; },
		  AIOT_CARD_CS_INVALID_DESC, 0x1c },
		{ "reserved", [](E &e) { e.reserved[3] = 1; },
		  AIOT_CARD_CS_INVALID_DESC, 0x2c },
		{ "reserved2", [](E &e) { e.reserved2[15] = 1; },
		  AIOT_CARD_CS_INVALID_DESC, 0x1fc },
		{ "binding flag", [](E &e) { e.bindings[1].flags |= htole32(4); },
		  AIOT_CARD_CS_INVALID_DESC, 0x40 + 24 + 12 },
		{ "slot past nbindings in use",
		  [](E &e) { e.bindings[5].size = htole64(4); },
		  AIOT_CARD_CS_INVALID_DESC, 0x40 + 5 * 24 + 12 },
		{ "binding without entries",
		  [](E &e) { e.bindings[0].sgl_count = 0; },
		  AIOT_CARD_CS_INVALID_DESC, 0x40 + 8 },
		{ "binding bigger than RAM",
		  [](E &e) { e.bindings[0].size = htole64(kRamSize + 1); },
		  AIOT_CARD_CS_INVALID_DESC, 0x40 + 16 },
		{ "written binding marked read-only",
		  [](E &e) { e.bindings[2].flags = htole32(AIOT_CARD_BIND_READ); },
		  AIOT_CARD_CS_INVALID_DESC, 0x40 + 2 * 24 + 12 },
		{ "read binding marked write-only",
		  [](E &e) { e.bindings[1].flags = htole32(AIOT_CARD_BIND_WRITE); },
		  AIOT_CARD_CS_INVALID_DESC, 0x40 + 24 + 12 },
		{ "stream's slot unbound",
		  [](E &e) { e.nbindings = htole32(2); e.bindings[2] = {};
			     e.bindings[3] = {}; },
		  AIOT_CARD_CS_INVALID_STREAM, 0 },
		{ "stream shorter than its header says",
		  [](E &e) { e.cs_size = htole32(le32toh(e.cs_size) - 4); },
		  AIOT_CARD_CS_INVALID_STREAM, AIOT_ISA_HEADER_OP },
	};
	int n = 0;
	for (const Case &c : cases) {
		Model m(40 + n);
		Placed p = place(card, m, 700 + n);
		c.mutate(p.e);
		auto q = run_one(card, p.e);
		EXPECT_EQ(q.status, c.status) << c.what;
		EXPECT_EQ(q.job_id, uint64_t(700 + n)) << c.what;
		EXPECT_NE(q.errno_val, 0u) << c.what;
		if (c.status == AIOT_CARD_CS_INVALID_DESC ||
		    c.detail == AIOT_ISA_HEADER_OP) {
			EXPECT_EQ(q.detail, c.detail) << c.what;
		}
		expect_untouched(card, m, p);
		n++;
	}
	// A stream of garbage.
	Model m(60);
	std::vector<uint8_t> junk(256);
	std::mt19937 rng(60);
	for (auto &b : junk)
		b = uint8_t(rng());
	Placed p = place(card, m, 800);
	Card::Buf js = card.place(junk, 2);
	p.e.cs_sgl = htole64(js.sgl);
	p.e.cs_sgl_count = htole32(js.count);
	p.e.cs_size = htole32(uint32_t(junk.size()));
	auto q = run_one(card, p.e);
	EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_INVALID_STREAM));
	EXPECT_TRUE(card.r32(AIOT_CARD_REG_STATUS) & AIOT_CARD_STATUS_ENABLED);
	expect_healthy(card, 61);
}

TEST_F(CardTest, SqOverrunHaltsWithErrorInterruptUntilReset)
{
	card.w32(AIOT_CARD_REG_SQ_TAIL, 100);
	card.doorbell(AIOT_CARD_DB_SUBMIT);
	EXPECT_TRUE(card.wait_irq(AIOT_CARD_MSIX_ERROR, 5000));
	EXPECT_TRUE(card.wait_reg(AIOT_CARD_REG_STATUS,
				  AIOT_CARD_STATUS_ERROR,
				  AIOT_CARD_STATUS_ERROR));
	EXPECT_TRUE(card.r32(AIOT_CARD_REG_STATUS) & AIOT_CARD_STATUS_HALTED);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_ERROR_CODE),
		  uint32_t(AIOT_CARD_ERR_SQ_OVERRUN));
	EXPECT_EQ(card.r32(AIOT_CARD_REG_ERROR_INFO), 100u);
	EXPECT_TRUE(card.r32(AIOT_CARD_REG_IRQ_STATUS) & AIOT_CARD_IRQ_ERROR);
	card.reset();
	EXPECT_EQ(card.r32(AIOT_CARD_REG_STATUS),
		  AIOT_CARD_STATUS_READY | AIOT_CARD_STATUS_HALTED);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_ERROR_CODE), 0u);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_SQ_HEAD), 0u);
	card.enable();
	ASSERT_TRUE(card.wait_reg(AIOT_CARD_REG_STATUS,
				  AIOT_CARD_STATUS_ENABLED,
				  AIOT_CARD_STATUS_ENABLED));
	expect_healthy(card, 3);
}

TEST_F(CardTest, CqHeadPastTailHalts)
{
	card.w32(AIOT_CARD_REG_CQ_HEAD, 5);	// nothing was ever posted
	Model m(4);
	Placed p = place(card, m, 1);
	card.submit(p.e);
	EXPECT_TRUE(card.wait_reg(AIOT_CARD_REG_ERROR_CODE, ~0u,
				  AIOT_CARD_ERR_CQ_OVERRUN));
	expect_untouched(card, m, p);
}

TEST(CardRings, BadRingConfigurationsAreRefused)
{
	struct Case {
		uint64_t sq;
		uint32_t sqn;
		uint64_t cq;
		uint32_t cqn;
	};
	const Case cases[] = {
		{ 1 << 20, 3, 2 << 20, 4 },		// not a power of two
		{ 1 << 20, 0, 2 << 20, 4 },
		{ 1 << 20, 8192, 2 << 20, 8192 },	// above the maximum
		{ (1 << 20) + 64, 4, 2 << 20, 4 },	// SQ misaligned
		{ 1 << 20, 4, (2 << 20) + 8, 4 },	// CQ misaligned
		{ 1 << 20, 8, 2 << 20, 4 },		// CQ smaller than SQ
		{ kRamSize - 512, 4, 2 << 20, 4 },	// SQ beyond RAM
		{ 1 << 20, 4, ~0ull & ~4095ull, 4 },	// CQ wraps
	};
	Card card({ "--persist" });
	card.connect_guest();
	ASSERT_FALSE(::testing::Test::HasFatalFailure());
	int n = 0;
	for (const Case &c : cases) {
		card.reset();
		card.w64(AIOT_CARD_REG_SQ_BASE, c.sq);
		card.w32(AIOT_CARD_REG_SQ_SIZE, c.sqn);
		card.w64(AIOT_CARD_REG_CQ_BASE, c.cq);
		card.w32(AIOT_CARD_REG_CQ_SIZE, c.cqn);
		card.w32(AIOT_CARD_REG_IRQ_MASK, 0);
		card.w32(AIOT_CARD_REG_CONTROL, AIOT_CARD_CONTROL_ENABLE);
		card.doorbell(AIOT_CARD_DB_CONTROL);
		EXPECT_TRUE(card.wait_reg(AIOT_CARD_REG_ERROR_CODE, ~0u,
					  AIOT_CARD_ERR_RING_CONFIG))
			<< "case " << n;
		EXPECT_FALSE(card.r32(AIOT_CARD_REG_STATUS) &
			     AIOT_CARD_STATUS_ENABLED);
		n++;
	}
	card.reset();
	card.enable();
	ASSERT_TRUE(card.wait_reg(AIOT_CARD_REG_STATUS,
				  AIOT_CARD_STATUS_ENABLED,
				  AIOT_CARD_STATUS_ENABLED));
	expect_healthy(card, 5);
}

// --ram-base: the guest's RAM starts at a bus address other than 0 (arm64's
// virt machine: 1 GiB). Addresses from there reach the file's bytes from
// its start; the bytes below the base and past its end are not RAM.
constexpr uint64_t kVirtRamBase = 0x40000000;

TEST(CardRamBase, JobsRunAtTheBaseAndRingsAreLatchedThere)
{
	Card card({}, kVirtRamBase);
	card.bring_up();
	ASSERT_FALSE(::testing::Test::HasFatalFailure());
	Model m(40);
	Placed p = place(card, m, 0x77);
	EXPECT_GE(p.b[1].sgl, kVirtRamBase);
	auto q = run_one(card, p.e);
	EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_OK));
	EXPECT_EQ(q.job_id, 0x77u);
	expect_outputs(card, m, p);
}

TEST(CardRamBase, AddressesOutsideTheBasedWindowAreDmaErrors)
{
	Card card({}, kVirtRamBase);
	card.bring_up();
	ASSERT_FALSE(::testing::Test::HasFatalFailure());
	struct Case {
		int slot;
		uint64_t addr;	// of the last list entry's segment
	};
	const Case cases[] = {
		{ 1, 1ull << 20 },			// the file offset, not the bus address
		{ 2, kVirtRamBase - 8 },		// straddles the base
		{ 3, kVirtRamBase + kRamSize - 8 },	// straddles the end
		{ -1, kVirtRamBase + kRamSize },
	};
	int n = 0;
	for (const Case &c : cases) {
		Model m(41 + n);
		Placed p = place(card, m, 700 + n);
		Card::Buf &b = c.slot < 0 ? p.cs : p.b[c.slot];
		aiot_card_sg bad{};
		bad.addr = htole64(c.addr);
		bad.len = htole32(16);
		card.put(b.sgl + sizeof(aiot_card_sg) * (b.count - 1), &bad,
			 sizeof(bad));
		auto q = run_one(card, p.e);
		EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_DMA_ERROR)) << "case " << n;
		EXPECT_EQ(q.detail, c.slot < 0 ? AIOT_CARD_DMA_DETAIL_STREAM
					       : uint32_t(c.slot)) << "case " << n;
		if (c.slot != 2)
			expect_untouched(card, m, p);
		n++;
	}
	// The last byte of the window is reachable.
	Model m(50);
	Placed p = place(card, m, 800);
	std::vector<uint8_t> in = m.job.buf[1];
	uint64_t last = kVirtRamBase + kRamSize - in.size();
	card.put(last, in.data(), in.size());
	aiot_card_sg seg{};
	seg.addr = htole64(last);
	seg.len = htole32(uint32_t(in.size()));
	uint64_t sgl = card.alloc(sizeof(seg), 16);
	card.put(sgl, &seg, sizeof(seg));
	p.e.bindings[1].sgl = htole64(sgl);
	p.e.bindings[1].sgl_count = htole32(1);
	auto q = run_one(card, p.e);
	EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_OK));
	expect_outputs(card, m, p);
}

// A ring below the base is not in RAM: RING_CONFIG.
TEST(CardRamBase, RingBelowTheBaseIsRefused)
{
	Card card({}, kVirtRamBase);
	card.connect_guest();
	ASSERT_FALSE(::testing::Test::HasFatalFailure());
	card.reset();
	card.w64(AIOT_CARD_REG_SQ_BASE, 1 << 20);
	card.w32(AIOT_CARD_REG_SQ_SIZE, 4);
	card.w64(AIOT_CARD_REG_CQ_BASE, kVirtRamBase + (2 << 20));
	card.w32(AIOT_CARD_REG_CQ_SIZE, 4);
	card.w32(AIOT_CARD_REG_CONTROL, AIOT_CARD_CONTROL_ENABLE);
	card.doorbell(AIOT_CARD_DB_CONTROL);
	EXPECT_TRUE(card.wait_reg(AIOT_CARD_REG_ERROR_CODE, ~0u,
				  AIOT_CARD_ERR_RING_CONFIG));
}

TEST_F(CardTest, DmaErrorKnobFromTheBarAndFromTheHost)
{
	card.w32(AIOT_CARD_REG_KNOB_DMA_ERROR, 1);
	card.doorbell(AIOT_CARD_DB_CONTROL);
	Model m(8);
	Placed p = place(card, m, 11);
	auto q = run_one(card, p.e);
	EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_DMA_ERROR));
	EXPECT_EQ(q.detail, AIOT_CARD_DMA_DETAIL_STREAM);
	EXPECT_EQ(q.job_id, 11u);
	expect_untouched(card, m, p);
	EXPECT_EQ(card.r32(AIOT_CARD_REG_KNOB_DMA_ERROR), 0u);

	EXPECT_EQ(card.control("dma-error 2"), "ok");
	for (int i = 0; i < 2; i++) {
		q = run_one(card, p.e);
		EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_DMA_ERROR));
	}
	expect_untouched(card, m, p);
	q = run_one(card, p.e);
	EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_OK));
	expect_outputs(card, m, p);
}

TEST_F(CardTest, CorruptCompletionKnob)
{
	EXPECT_EQ(card.control("corrupt-cqe 1"), "ok");
	Model m(9);
	Placed p = place(card, m, 77);
	auto q = run_one(card, p.e);
	EXPECT_NE(q.seq, card.expected_seq());
	EXPECT_NE(q.job_id, 77u);
	q = run_one(card, p.e);
	EXPECT_EQ(q.seq, card.expected_seq());
	EXPECT_EQ(q.job_id, 77u);
	EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_OK));
}

TEST_F(CardTest, HungJobMakesNoProgressAndResetRecovers)
{
	card.w32(AIOT_CARD_REG_KNOB_HANG, 1);
	card.doorbell(AIOT_CARD_DB_CONTROL);
	Model m(10);
	Placed p = place(card, m, 1);
	card.submit(p.e);
	ASSERT_TRUE(card.wait_reg(AIOT_CARD_REG_STATUS, AIOT_CARD_STATUS_BUSY,
				  AIOT_CARD_STATUS_BUSY));
	uint64_t pr = card.r64(AIOT_CARD_REG_PROGRESS);
	aiot_card_cq_entry q{};
	EXPECT_FALSE(card.wait_cqe(&q, 300));
	EXPECT_EQ(card.r64(AIOT_CARD_REG_PROGRESS), pr);
	// The host can still talk to it.
	EXPECT_EQ(card.control("status").rfind("ok guest=1 enabled=1", 0), 0u);

	card.reset();
	EXPECT_EQ(card.r32(AIOT_CARD_REG_CQ_TAIL), 0u);	// nothing posted
	EXPECT_FALSE(card.r32(AIOT_CARD_REG_STATUS) & AIOT_CARD_STATUS_BUSY);
	expect_untouched(card, m, p);
	card.enable();
	ASSERT_TRUE(card.wait_reg(AIOT_CARD_REG_STATUS,
				  AIOT_CARD_STATUS_ENABLED,
				  AIOT_CARD_STATUS_ENABLED));
	expect_healthy(card, 11);
}

TEST_F(CardTest, SlowProgressKnob)
{
	EXPECT_EQ(card.control("slow-us 3000"), "ok");
	Model m(12);
	Placed p = place(card, m, 5);
	card.submit(p.e);
	ASSERT_TRUE(card.wait_reg(AIOT_CARD_REG_STATUS, AIOT_CARD_STATUS_BUSY,
				  AIOT_CARD_STATUS_BUSY));
	uint64_t p0 = card.r64(AIOT_CARD_REG_PROGRESS);
	std::this_thread::sleep_for(std::chrono::milliseconds(30));
	uint64_t p1 = card.r64(AIOT_CARD_REG_PROGRESS);
	EXPECT_GT(p1, p0) << "progress must advance, slowly";
	aiot_card_cq_entry q{};
	ASSERT_TRUE(card.wait_cqe(&q));
	EXPECT_EQ(q.status, uint32_t(AIOT_CARD_CS_OK));
	EXPECT_GE(q.ended_ns - q.started_ns, q.progress * 3000000ull * 9 / 10);
	expect_outputs(card, m, p);
	card.w32(AIOT_CARD_REG_KNOB_SLOW_US, 0);
}

TEST_F(CardTest, RefusedResetIsNeverAcknowledged)
{
	card.w32(AIOT_CARD_REG_KNOB_REFUSE_RESET, 1);
	uint32_t req = card.r32(AIOT_CARD_REG_RESET_ACK) + 1;
	card.w32(AIOT_CARD_REG_RESET_REQ, req);
	card.doorbell(AIOT_CARD_DB_CONTROL);
	EXPECT_FALSE(card.wait_reg(AIOT_CARD_REG_RESET_ACK, ~0u, req, 300));
	EXPECT_TRUE(card.r32(AIOT_CARD_REG_STATUS) & AIOT_CARD_STATUS_ENABLED);
	// Lifting the knob lets the pending request through.
	EXPECT_EQ(card.control("refuse-reset 0"), "ok");
	card.doorbell(AIOT_CARD_DB_CONTROL);
	EXPECT_TRUE(card.wait_reg(AIOT_CARD_REG_RESET_ACK, ~0u, req));
}

TEST_F(CardTest, SurpriseRemovalWithAJobRunningAndRestore)
{
	card.w32(AIOT_CARD_REG_KNOB_HANG, 1);
	Model m(13);
	Placed p = place(card, m, 1);
	card.submit(p.e);
	ASSERT_TRUE(card.wait_reg(AIOT_CARD_REG_STATUS, AIOT_CARD_STATUS_BUSY,
				  AIOT_CARD_STATUS_BUSY));
	card.w32(AIOT_CARD_REG_KNOB_REMOVE, 1);
	card.doorbell(AIOT_CARD_DB_CONTROL);
	EXPECT_TRUE(card.wait_reg(AIOT_CARD_REG_MAGIC, ~0u, 0xffffffffu));
	for (uint32_t off = 0; off < AIOT_CARD_REG_BLOCK_SIZE; off += 4)
		ASSERT_EQ(card.r32(off), 0xffffffffu) << "offset " << off;
	// A removed card ignores doorbells, performs no DMA, raises nothing.
	card.submit(p.e);
	EXPECT_FALSE(card.wait_irq(AIOT_CARD_MSIX_COMPLETION, 200));
	EXPECT_FALSE(card.wait_irq(AIOT_CARD_MSIX_ERROR, 10));
	EXPECT_EQ(card.r32(AIOT_CARD_REG_MAGIC), 0xffffffffu);
	expect_untouched(card, m, p);
	EXPECT_TRUE(card.alive());
	EXPECT_EQ(card.control("hang 1"), "err removed");
	EXPECT_NE(card.control("status").find("removed=1"), std::string::npos);

	// The host brings it back, as after a re-plug; the driver starts over.
	EXPECT_EQ(card.control("restore"), "ok");
	EXPECT_EQ(card.r32(AIOT_CARD_REG_MAGIC), AIOT_CARD_MAGIC_VALUE);
	card.reset();
	card.enable();
	ASSERT_TRUE(card.wait_reg(AIOT_CARD_REG_STATUS,
				  AIOT_CARD_STATUS_ENABLED,
				  AIOT_CARD_STATUS_ENABLED));
	expect_healthy(card, 14);
}

TEST_F(CardTest, ControlSocketRejectsNonsense)
{
	EXPECT_EQ(card.control("frobnicate"), "err unknown command");
	EXPECT_EQ(card.control("hang banana"), "err bad number");
	EXPECT_NE(card.control(std::string(1000, 'x')).rfind("ok", 0), 0u);
	EXPECT_TRUE(card.alive());
	expect_healthy(card, 15);
}

// Random descriptors and ring indices: every one ends in a completion or
// a halt the driver can reset; the emulator never crashes.
TEST_F(CardTest, RandomDescriptorsNeverCrashTheCard)
{
	std::mt19937_64 rng(99);
	Model m(16);
	Placed good = place(card, m, 1);
	int completions = 0, halts = 0;
	for (int i = 0; i < 300; i++) {
		aiot_card_sq_entry e = good.e;
		auto *w = reinterpret_cast<uint32_t *>(&e);
		int flips = int(rng() % 6) + 1;
		for (int f = 0; f < flips; f++) {
			size_t at = rng() % (sizeof(e) / 4);
			switch (rng() % 4) {
			case 0:
				w[at] = uint32_t(rng());
				break;
			case 1:
				w[at] ^= 1u << (rng() % 32);
				break;
			case 2:
				w[at] = 0;
				break;
			default:
				w[at] = uint32_t(kRamSize - (rng() % 64));
				break;
			}
		}
		if (rng() % 50 == 0)
			card.set_sq_tail(card.sq_tail() + uint32_t(rng() % 64));
		card.submit(e);
		aiot_card_cq_entry q{};
		if (card.wait_cqe(&q, 5000, true)) {
			completions++;
			EXPECT_LE(q.status, uint32_t(AIOT_CARD_CS_EXEC_ERROR));
			continue;
		}
		ASSERT_TRUE(card.r32(AIOT_CARD_REG_STATUS) &
			    AIOT_CARD_STATUS_ERROR) << "iteration " << i;
		halts++;
		card.reset();
		card.enable();
		ASSERT_TRUE(card.wait_reg(AIOT_CARD_REG_STATUS,
					  AIOT_CARD_STATUS_ENABLED,
					  AIOT_CARD_STATUS_ENABLED));
	}
	EXPECT_GT(completions, 200);
	ASSERT_TRUE(card.alive());
	// The weights and input may have been overwritten by a mutated
	// binding direction; the fresh model below is placed anew.
	expect_healthy(card, 17);
	(void)halts;
}

} // namespace
