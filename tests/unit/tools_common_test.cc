// SPDX-License-Identifier: GPL-2.0-only
// tools/common: tool_read_file() reads a file of up to max bytes, whatever
// max is, and refuses one byte more.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" {
#include "tool.h"
}

namespace {

class ReadFile : public ::testing::Test {
protected:
	void SetUp() override
	{
		char tmpl[] = "/tmp/aiot-tool-read-XXXXXX";
		int fd = mkstemp(tmpl);

		ASSERT_GE(fd, 0);
		close(fd);
		path_ = tmpl;
	}
	void TearDown() override { unlink(path_.c_str()); }

	// A file of n bytes, each its offset's low byte.
	void Write(size_t n)
	{
		FILE *f = fopen(path_.c_str(), "wb");
		std::vector<uint8_t> b(n);

		ASSERT_NE(f, nullptr);
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)i;
		if (n) {
			ASSERT_EQ(fwrite(b.data(), 1, n, f), n);
		}
		ASSERT_EQ(fclose(f), 0);
	}

	int Read(size_t max, size_t *size)
	{
		uint8_t *data = nullptr;
		int ret = tool_read_file(path_.c_str(), max, &data, size);

		if (!ret) {
			for (size_t i = 0; i < *size; i++)
				if (data[i] != (uint8_t)i) {
					ADD_FAILURE() << "byte " << i << " differs";
					break;
				}
			free(data);
		}
		return ret;
	}

	std::string path_;
};

TEST_F(ReadFile, UpToMaxWhateverMaxIs)
{
	// Sizes around the 64 KiB steps the buffer grows by, and limits that
	// are not a power of two times 64 KiB (aiotd's model limit is one).
	const size_t maxes[] = { 0, 1, 65535, 65536, 65537, 100000, 131072, 300001 };

	for (size_t max : maxes) {
		for (size_t n : { max, max ? max - 1 : 0, max + 1 }) {
			size_t size = 12345;

			Write(n);
			int ret = Read(max, &size);
			if (n <= max) {
				EXPECT_EQ(ret, 0) << "file " << n << " B, max " << max;
				EXPECT_EQ(size, n) << "max " << max;
			} else {
				EXPECT_EQ(ret, -EFBIG) << "file " << n << " B, max " << max;
			}
		}
	}
}

TEST_F(ReadFile, LargeFileUnderALargeLimit)
{
	size_t size = 0;

	Write(1000003);
	EXPECT_EQ(Read(64u << 20, &size), 0);
	EXPECT_EQ(size, 1000003u);
}

TEST_F(ReadFile, MissingFileIsErrno)
{
	uint8_t *data = nullptr;
	size_t size = 0;

	EXPECT_EQ(tool_read_file("/nonexistent/aiot", 100, &data, &size), -ENOENT);
}

} // namespace
