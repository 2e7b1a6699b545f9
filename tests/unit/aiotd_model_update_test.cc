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
#include <unistd.h>

#include <string>
#include <vector>

extern "C" {
#include "model_update.h"
}

namespace {

const std::vector<uint8_t> kKey(32, 0x5a);

std::vector<uint8_t> Build(const std::string &stream, uint32_t version, size_t size,
			   const std::vector<uint8_t> &key = kKey)
{
	std::vector<uint8_t> blob(size), msg(MU_HDR + size);

	for (size_t i = 0; i < size; i++)
		blob[i] = (uint8_t)(i * 7 + 1);
	mu_build(msg.data(), stream.c_str(), version, blob.data(), size, key.data(), key.size());
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
	t[MU_HDR + 100] ^= 0x80;	/* the blob: its SHA-256 */
	EXPECT_EQ(Verify(t, &u, &why), -EILSEQ);
	EXPECT_NE(why.find("SHA-256"), std::string::npos);
	t = m;
	t[80] ^= 1;			/* the MAC */
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

/* The MAC covers the whole header: any flipped bit of it is refused. */
TEST(ModelUpdate, MacCoversEveryHeaderByte)
{
	auto m = Build("cam", 3, 64);
	model_update u;

	for (size_t i = 0; i < 80; i++) {
		auto t = m;

		t[i] ^= 0x01;
		EXPECT_NE(Verify(t, &u), 0) << "byte " << i;
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
