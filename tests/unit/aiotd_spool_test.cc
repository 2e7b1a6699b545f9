// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiotd's spool (tools/aiotd/spool.c) on real files in a temporary
 * directory: order across segments and reopen, the acknowledged cursor,
 * torn tails and corrupt records cut at open, drop-oldest when full,
 * a damaged cursor file, bad arguments.
 */
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

extern "C" {
#include "spool.h"
}

namespace {

class SpoolTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		char tmpl[] = "/tmp/aiotd-spool-XXXXXX";

		ASSERT_NE(mkdtemp(tmpl), nullptr);
		dir_ = tmpl;
		opts_.dir = dir_.c_str();
		opts_.max_bytes = 64 * 1024;
		opts_.segment_bytes = 8 * 1024;
		opts_.fsync_ms = 0;
	}

	void TearDown() override
	{
		spool_close(s_);
		std::string cmd = "rm -rf '" + dir_ + "'";
		ASSERT_EQ(system(cmd.c_str()), 0);
	}

	void Open()
	{
		char err[256] = "";

		spool_close(s_);
		s_ = nullptr;
		ASSERT_EQ(spool_open(&s_, &opts_, err, sizeof(err)), 0) << err;
	}

	static std::string Rec(int i, size_t pad = 0)
	{
		return "record " + std::to_string(i) + std::string(pad, 'x');
	}

	void Append(const std::string &r)
	{
		ASSERT_EQ(spool_append(s_, r.data(), r.size()), 0);
	}

	/* Everything from the acknowledged cursor on; pos_ ends past it. */
	std::vector<std::string> ReadAll()
	{
		std::vector<std::string> v;
		std::vector<char> buf(SPOOL_MAX_RECORD);
		size_t len;
		int ret;

		pos_ = spool_acked(s_);
		while ((ret = spool_read(s_, &pos_, buf.data(), buf.size(), &len)) == 0)
			v.emplace_back(buf.data(), len);
		EXPECT_EQ(ret, -ENOENT);
		return v;
	}

	std::vector<std::string> Segments()
	{
		std::vector<std::string> v;
		DIR *d = opendir(dir_.c_str());
		struct dirent *de;

		while (d && (de = readdir(d)))
			if (strstr(de->d_name, ".seg"))
				v.push_back(dir_ + "/" + de->d_name);
		if (d)
			closedir(d);
		std::sort(v.begin(), v.end());
		return v;
	}

	spool_stats Stats()
	{
		spool_stats st;

		spool_get_stats(s_, &st);
		return st;
	}

	std::string dir_;
	spool_opts opts_ = {};
	spool *s_ = nullptr;
	spool_pos pos_ = {};
};

TEST_F(SpoolTest, OrderAcrossSegmentsAndReopen)
{
	Open();
	for (int i = 0; i < 100; i++)
		Append(Rec(i, 200));
	EXPECT_GT(Segments().size(), 2u);
	EXPECT_EQ(Stats().pending, 100u);
	Open();
	auto v = ReadAll();
	ASSERT_EQ(v.size(), 100u);
	for (int i = 0; i < 100; i++)
		EXPECT_EQ(v[i], Rec(i, 200));
	EXPECT_EQ(Stats().truncated, 0u);
}

TEST_F(SpoolTest, AckMovesTheCursorDeletesSegmentsAndSurvivesReopen)
{
	Open();
	for (int i = 0; i < 60; i++)
		Append(Rec(i, 200));
	size_t before = Segments().size();
	std::vector<char> buf(SPOOL_MAX_RECORD);
	spool_pos p = spool_acked(s_);
	size_t len;

	for (int i = 0; i < 40; i++)
		ASSERT_EQ(spool_read(s_, &p, buf.data(), buf.size(), &len), 0);
	ASSERT_EQ(spool_ack(s_, p, 40), 0);
	EXPECT_EQ(Stats().pending, 20u);
	EXPECT_LT(Segments().size(), before);
	Open();
	EXPECT_EQ(Stats().pending, 20u);
	auto v = ReadAll();
	ASSERT_EQ(v.size(), 20u);
	EXPECT_EQ(v.front(), Rec(40, 200));
	EXPECT_EQ(v.back(), Rec(59, 200));
	/* Everything acknowledged: nothing pending, still appendable. */
	ASSERT_EQ(spool_ack(s_, pos_, 20), 0);
	EXPECT_EQ(Stats().pending, 0u);
	EXPECT_EQ(Stats().pending_bytes, 0u);
	Append(Rec(60));
	Open();
	v = ReadAll();
	ASSERT_EQ(v.size(), 1u);
	EXPECT_EQ(v[0], Rec(60));
}

TEST_F(SpoolTest, TornTailIsCutAndAppendsContinue)
{
	Open();
	for (int i = 0; i < 5; i++)
		Append(Rec(i));
	spool_close(s_);
	s_ = nullptr;
	auto segs = Segments();
	ASSERT_EQ(segs.size(), 1u);
	struct stat sb;
	ASSERT_EQ(stat(segs[0].c_str(), &sb), 0);
	/* A record cut in the middle of its payload, as kill -9 mid-write leaves it. */
	ASSERT_EQ(truncate(segs[0].c_str(), sb.st_size - 3), 0);
	Open();
	EXPECT_EQ(Stats().truncated, 1u);
	Append(Rec(5));
	auto v = ReadAll();
	ASSERT_EQ(v.size(), 5u);
	EXPECT_EQ(v[3], Rec(3));
	EXPECT_EQ(v[4], Rec(5));
	/* Only a header's worth of a record: cut too. */
	spool_close(s_);
	s_ = nullptr;
	int fd = open(segs[0].c_str(), O_WRONLY | O_APPEND);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "\x10\x00\x00", 3), 3);
	close(fd);
	Open();
	EXPECT_EQ(Stats().truncated, 1u);
	EXPECT_EQ(ReadAll().size(), 5u);
}

TEST_F(SpoolTest, CorruptRecordEndsItsSegment)
{
	Open();
	for (int i = 0; i < 6; i++)
		Append(Rec(i));
	spool_close(s_);
	s_ = nullptr;
	auto segs = Segments();
	/* Flip a payload byte of the fourth record: its CRC no longer matches. */
	size_t rec = SPOOL_HDR + Rec(0).size();
	int fd = open(segs[0].c_str(), O_RDWR);
	ASSERT_GE(fd, 0);
	char c;
	ASSERT_EQ(pread(fd, &c, 1, 3 * rec + SPOOL_HDR + 2), 1);
	c ^= 0x40;
	ASSERT_EQ(pwrite(fd, &c, 1, 3 * rec + SPOOL_HDR + 2), 1);
	close(fd);
	Open();
	EXPECT_EQ(Stats().truncated, 1u);
	auto v = ReadAll();
	ASSERT_EQ(v.size(), 3u);
	EXPECT_EQ(v[2], Rec(2));
	/* A length beyond the record limit is corrupt as well. */
	spool_close(s_);
	s_ = nullptr;
	fd = open(segs[0].c_str(), O_WRONLY | O_APPEND);
	ASSERT_GE(fd, 0);
	const unsigned char big[8] = { 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0 };
	ASSERT_EQ(write(fd, big, 8), 8);
	close(fd);
	Open();
	EXPECT_EQ(Stats().truncated, 1u);
	EXPECT_EQ(ReadAll().size(), 3u);
}

TEST_F(SpoolTest, FullSpoolDropsOldestAndCounts)
{
	Open();
	const int n = 600;	/* ~130 KiB into 64 KiB */
	for (int i = 0; i < n; i++)
		Append(Rec(i, 200));
	auto st = Stats();
	EXPECT_GT(st.dropped, 0u);
	EXPECT_LE(st.bytes, opts_.max_bytes);
	auto v = ReadAll();
	EXPECT_EQ(v.size() + st.dropped, (size_t)n);
	EXPECT_EQ(st.pending, v.size());
	/* What is left is the newest, in order, ending with the last. */
	ASSERT_FALSE(v.empty());
	EXPECT_EQ(v.back(), Rec(n - 1, 200));
	EXPECT_EQ(v.front(), Rec(n - (int)v.size(), 200));
	/* Reopened: the same records, no more drops counted. */
	Open();
	EXPECT_EQ(ReadAll().size(), v.size());
	EXPECT_EQ(Stats().dropped, 0u);
}

TEST_F(SpoolTest, ReaderInADroppedSegmentMovesOn)
{
	Open();
	std::vector<char> buf(SPOOL_MAX_RECORD);
	spool_pos p = spool_acked(s_);
	size_t len;

	Append(Rec(0, 200));
	ASSERT_EQ(spool_read(s_, &p, buf.data(), buf.size(), &len), 0);
	for (int i = 1; i < 600; i++)
		Append(Rec(i, 200));
	ASSERT_EQ(spool_read(s_, &p, buf.data(), buf.size(), &len), 0);
	EXPECT_EQ(std::string(buf.data(), len), Rec(600 - (int)Stats().pending, 200));
}

TEST_F(SpoolTest, DamagedCursorSendsEverythingAgain)
{
	Open();
	for (int i = 0; i < 10; i++)
		Append(Rec(i));
	auto v = ReadAll();
	ASSERT_EQ(spool_ack(s_, pos_, 10), 0);
	Append(Rec(10));
	spool_close(s_);
	s_ = nullptr;
	std::string cur = dir_ + "/cursor";
	int fd = open(cur.c_str(), O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pwrite(fd, "\x01", 1, 9), 1);
	close(fd);
	Open();
	/* A duplicate rather than a loss. */
	EXPECT_EQ(ReadAll().size(), 11u);
}

TEST_F(SpoolTest, CursorInsideARecordGoesBackToItsStart)
{
	Open();
	for (int i = 0; i < 4; i++)
		Append(Rec(i));
	std::vector<char> buf(SPOOL_MAX_RECORD);
	spool_pos p = spool_acked(s_);
	size_t len;
	ASSERT_EQ(spool_read(s_, &p, buf.data(), buf.size(), &len), 0);
	ASSERT_EQ(spool_read(s_, &p, buf.data(), buf.size(), &len), 0);
	p.off -= 3;	/* not a record boundary */
	ASSERT_EQ(spool_ack(s_, p, 1), 0);
	Open();
	auto v = ReadAll();
	ASSERT_EQ(v.size(), 3u);
	EXPECT_EQ(v[0], Rec(1));
}

TEST_F(SpoolTest, BadArguments)
{
	char err[256] = "";
	spool_opts o = opts_;
	spool *s = nullptr;

	o.max_bytes = o.segment_bytes;
	EXPECT_EQ(spool_open(&s, &o, err, sizeof(err)), -EINVAL);
	EXPECT_NE(std::string(err).find("two"), std::string::npos);
	o = opts_;
	o.dir = "";
	EXPECT_EQ(spool_open(&s, &o, err, sizeof(err)), -EINVAL);
	o.dir = "/proc/no/such/dir";
	EXPECT_LT(spool_open(&s, &o, err, sizeof(err)), 0);
	Open();
	EXPECT_EQ(spool_append(s_, "x", 0), -EINVAL);
	std::string big(SPOOL_MAX_RECORD + 1, 'a');
	EXPECT_EQ(spool_append(s_, big.data(), big.size()), -EINVAL);
	big.resize(SPOOL_MAX_RECORD);
	EXPECT_EQ(spool_append(s_, big.data(), big.size()), 0);
	std::vector<char> small(16);
	spool_pos p = spool_acked(s_);
	size_t len;
	EXPECT_EQ(spool_read(s_, &p, small.data(), small.size(), &len), -ENOBUFS);
	/* Unrelated files in the directory are left alone. */
	std::string other = dir_ + "/notes.txt";
	int fd = open(other.c_str(), O_WRONLY | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	Open();
	EXPECT_EQ(access(other.c_str(), F_OK), 0);
	EXPECT_EQ(ReadAll().size(), 1u);
}

}  // namespace
