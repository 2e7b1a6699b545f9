// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiotd's model update messages (tools/aiotd/model_update.c): a good one
 * verifies; every kind of damage is refused with its own error; the MAC
 * covers every header byte; the key file's rules.
 */
#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

extern "C" {
#include "model_update.h"
}

namespace {

const std::vector<uint8_t> kKey(32, 0x5a);

const size_t kRef = 96;

std::vector<uint8_t> Build(const std::string &stream, uint32_t version, size_t size,
			   const std::vector<uint8_t> &key = kKey)
{
	std::vector<uint8_t> blob(size), ref(kRef), msg(MU_HDR + size + kRef);
	uint8_t expected[32];

	for (size_t i = 0; i < size; i++)
		blob[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < kRef; i++)
		ref[i] = (uint8_t)(i * 3 + 5);
	for (int i = 0; i < 32; i++)
		expected[i] = (uint8_t)(0xe0 + i);
	mu_build(msg.data(), stream.c_str(), version, blob.data(), size, ref.data(), kRef,
		 expected, key.data(), key.size());
	return msg;
}

int Verify(const std::vector<uint8_t> &m, model_update *u, std::string *why = nullptr,
	   size_t max = 1 << 20, const std::vector<uint8_t> &key = kKey)
{
	char w[128] = "";
	int ret = mu_verify(m.data(), m.size(), key.data(), key.size(), max, u, w, sizeof(w));

	if (why)
		*why = w;
	return ret;
}

TEST(ModelUpdate, GoodMessageVerifies)
{
	auto m = Build("cam", 7, 1000);
	model_update u;

	ASSERT_EQ(Verify(m, &u), 0);
	EXPECT_STREQ(u.stream, "cam");
	EXPECT_EQ(u.version, 7u);
	EXPECT_EQ(u.size, 1000u);
	EXPECT_EQ(u.blob, m.data() + MU_HDR);
	EXPECT_EQ(u.ref, m.data() + MU_HDR + 1000);
	EXPECT_EQ(u.ref_size, kRef);
	EXPECT_EQ(u.ref[1], 8u);
	EXPECT_EQ(u.expected[0], 0xe0u);
	EXPECT_EQ(u.expected[31], 0xffu);
}

TEST(ModelUpdate, Sha256OfKnownText)
{
	uint8_t d[32];

	ASSERT_EQ(mu_sha256("abc", 3, d), 0);	/* FIPS 180-2's example */
	EXPECT_EQ(d[0], 0xbau);
	EXPECT_EQ(d[1], 0x78u);
	EXPECT_EQ(d[31], 0xadu);
}

TEST(ModelUpdate, EveryDamageRefusedWithItsReason)
{
	model_update u;
	std::string why;
	auto m = Build("cam", 2, 500);

	EXPECT_EQ(Verify(m, &u, &why, m.size() - 1), -EMSGSIZE);
	EXPECT_NE(why.find("model_max"), std::string::npos);
	auto t = m;
	t.resize(MU_HDR - 1);
	EXPECT_EQ(Verify(t, &u), -EBADMSG);
	t = m;
	t[0] ^= 1;
	EXPECT_EQ(Verify(t, &u), -EBADMSG);
	t = m;
	t.pop_back();
	EXPECT_EQ(Verify(t, &u, &why), -EBADMSG);
	EXPECT_NE(why.find("size"), std::string::npos);
	t = m;
	t[8 + 5] = 'x';			/* garbage after the name's NUL */
	EXPECT_EQ(Verify(t, &u), -EBADMSG);
	t = m;
	t[8] = 0;			/* empty name */
	EXPECT_EQ(Verify(t, &u), -EBADMSG);
	EXPECT_EQ(Verify(Build("cam", 0, 10), &u), -EBADMSG);
	t = m;
	memcpy(t.data(), MU_MAGIC_V1, 8);	/* the first format: no reference test */
	EXPECT_EQ(Verify(t, &u, &why), -EBADMSG);
	EXPECT_NE(why.find("AIOTMDL2"), std::string::npos);
	t = m;
	t[52] = 1;			/* flags */
	EXPECT_EQ(Verify(t, &u, &why), -EBADMSG);
	EXPECT_NE(why.find("flags"), std::string::npos);
	t = m;
	t[48] = 0;			/* reference input size 0 */
	t[49] = 0;
	EXPECT_EQ(Verify(t, &u), -EBADMSG);
	t = m;
	t[48] ^= 1;			/* reference input size off by one */
	EXPECT_EQ(Verify(t, &u), -EBADMSG);
	t = m;
	t[44] = 0xff;			/* blob size beyond the message */
	t[45] = 0xff;
	t[46] = 0xff;
	t[47] = 0x7f;
	EXPECT_EQ(Verify(t, &u), -EBADMSG);
	t = m;
	t[MU_HDR + 100] ^= 0x80;	/* the blob: its SHA-256 */
	EXPECT_EQ(Verify(t, &u, &why), -EILSEQ);
	EXPECT_NE(why.find("SHA-256"), std::string::npos);
	t = m;
	t[MU_MAC_OFF] ^= 1;		/* the MAC */
	EXPECT_EQ(Verify(t, &u, &why), -EACCES);
	EXPECT_NE(why.find("HMAC"), std::string::npos);
	t = m;
	t[40] ^= 1;			/* the version: covered by the MAC */
	EXPECT_EQ(Verify(t, &u), -EACCES);
	std::vector<uint8_t> other(32, 0x5b);
	EXPECT_EQ(Verify(Build("cam", 2, 500, other), &u), -EACCES);
	/* Nothing about the refused message is handed out. */
	EXPECT_EQ(u.blob, nullptr);
	EXPECT_EQ(u.size, 0u);
}

/*
 * The MAC covers the whole header (the expected output's digest among it)
 * and the reference input: any flipped bit of them is refused.
 */
TEST(ModelUpdate, MacCoversEveryHeaderByteAndTheReference)
{
	auto m = Build("cam", 3, 64);
	model_update u;

	for (size_t i = 0; i < MU_HDR; i++) {
		auto t = m;

		t[i] ^= 0x01;
		EXPECT_NE(Verify(t, &u), 0) << "byte " << i;
	}
	for (size_t i = MU_HDR + 64; i < m.size(); i++) {
		auto t = m;
		std::string why;

		t[i] ^= 0x01;
		EXPECT_EQ(Verify(t, &u, &why), -EACCES) << "reference byte " << i;
	}
	for (size_t i = 88; i < 120; i++) {
		auto t = m;

		t[i] ^= 0x01;
		EXPECT_EQ(Verify(t, &u), -EACCES) << "expected digest byte " << i;
	}
}

class KeyFile : public ::testing::Test {
protected:
	void SetUp() override
	{
		char tmpl[] = "/tmp/aiotd-key-XXXXXX";
		int fd = mkstemp(tmpl);

		ASSERT_GE(fd, 0);
		close(fd);
		path_ = tmpl;
	}
	void TearDown() override { unlink(path_.c_str()); }
	int Read(const std::string &text, mode_t mode)
	{
		int fd = open(path_.c_str(), O_WRONLY | O_TRUNC);
		char err[256];

		EXPECT_GE(fd, 0);
		EXPECT_EQ(write(fd, text.data(), text.size()), (ssize_t)text.size());
		close(fd);
		chmod(path_.c_str(), mode);
		return mu_read_key(path_.c_str(), key_, err, sizeof(err));
	}
	std::string path_;
	uint8_t key_[MU_KEY_MAX];
};

TEST_F(KeyFile, Rules)
{
	std::string hex32(64, 'a');

	EXPECT_EQ(Read(hex32 + "\n", 0600), 32);
	EXPECT_EQ(key_[0], 0xaa);
	EXPECT_EQ(Read(hex32, 0644), -EPERM);
	EXPECT_EQ(Read(hex32, 0640), -EPERM);
	EXPECT_EQ(Read("abcd", 0600), -EINVAL);		/* too short */
	EXPECT_EQ(Read(hex32 + "g0", 0600), -EINVAL);
	EXPECT_EQ(Read(hex32 + "a", 0600), -EINVAL);	/* odd */
	EXPECT_EQ(Read(std::string(2 * MU_KEY_MAX + 2, 'b'), 0600), -EINVAL);
}

}  // namespace
