// SPDX-License-Identifier: GPL-2.0-only
/*
 * "A daemon must survive anything a broker sends": every message aiotd
 * takes from the broker goes through cmd_dispatch() (tools/aiotd/
 * commands.c) first. Here it gets malformed, oversized and random
 * payloads on every topic aiotd subscribes to (aiot/DEVICE/cmd/+: ping,
 * telemetry, model, anything else) and on topics it should never see;
 * each must be answered (an error for the bad ones) with well-formed JSON,
 * under ASan/UBSan. The guest suite's malformed_commands case sends the
 * same kinds through a real mosquitto to the running daemon.
 */
#include <gtest/gtest.h>

#include <string.h>

#include <random>
#include <string>
#include <vector>

extern "C" {
#include "commands.h"
}

namespace {

const std::vector<uint8_t> kKey(32, 0x42);
const char *const kStreams[] = { "cam", "mic" };

cmd_ctx Ctx(bool with_key = true)
{
	cmd_ctx c = {};

	c.device = "t1";
	c.streams = kStreams;
	c.nstreams = 2;
	c.key = kKey.data();
	c.keylen = with_key ? kKey.size() : 0;
	c.model_max = 1 << 20;
	return c;
}

/* A strict little JSON checker: objects, arrays, strings, numbers, literals. */
class Json {
public:
	explicit Json(const std::string &s) : s_(s) {}
	bool Valid()
	{
		Ws();
		if (!Value())
			return false;
		Ws();
		return i_ == s_.size();
	}

private:
	void Ws()
	{
		while (i_ < s_.size() && strchr(" \t\r\n", s_[i_]))
			i_++;
	}
	bool Lit(const char *l)
	{
		size_t n = strlen(l);

		if (s_.compare(i_, n, l))
			return false;
		i_ += n;
		return true;
	}
	bool String()
	{
		if (i_ >= s_.size() || s_[i_] != '"')
			return false;
		for (i_++; i_ < s_.size(); i_++) {
			unsigned char c = (unsigned char)s_[i_];

			if (c == '"') {
				i_++;
				return true;
			}
			if (c < 0x20 || c >= 0x7f)	/* ours are escaped ASCII */
				return false;
			if (c == '\\') {
				if (++i_ >= s_.size())
					return false;
				if (s_[i_] == 'u') {
					for (int k = 0; k < 4; k++)
						if (++i_ >= s_.size() || !isxdigit((unsigned char)s_[i_]))
							return false;
				} else if (!strchr("\"\\/bfnrt", s_[i_])) {
					return false;
				}
			}
		}
		return false;
	}
	bool Number()
	{
		size_t st = i_;

		if (i_ < s_.size() && s_[i_] == '-')
			i_++;
		while (i_ < s_.size() && (isdigit((unsigned char)s_[i_]) || s_[i_] == '.'))
			i_++;
		return i_ > st;
	}
	bool Value()
	{
		if (i_ >= s_.size() || ++depth_ > 16)
			return false;
		bool ok;
		char c = s_[i_];

		if (c == '{' || c == '[') {
			char end = c == '{' ? '}' : ']';

			i_++;
			Ws();
			ok = true;
			if (i_ < s_.size() && s_[i_] == end) {
				i_++;
			} else {
				for (;;) {
					if (c == '{') {
						if (!String())
							return false;
						Ws();
						if (!Lit(":"))
							return false;
						Ws();
					}
					if (!Value())
						return false;
					Ws();
					if (Lit(","))
						continue;
					if (!Lit(end == '}' ? "}" : "]"))
						return false;
					break;
				}
			}
		} else if (c == '"') {
			ok = String();
		} else if (c == 't' || c == 'f' || c == 'n') {
			ok = Lit("true") || Lit("false") || Lit("null");
		} else {
			ok = Number();
		}
		depth_--;
		Ws();
		return ok;
	}
	const std::string &s_;
	size_t i_ = 0;
	int depth_ = 0;
};

struct Answer {
	cmd_action action;
	std::string reply;
	model_update u;
};

Answer Send(const cmd_ctx &c, const char *topic, const void *payload, int len)
{
	Answer a;
	char reply[CMD_REPLY_MAX];

	memset(reply, 0x7e, sizeof(reply));
	a.action = cmd_dispatch(&c, topic, payload, len, &a.u, reply, sizeof(reply));
	if (a.action != CMD_MODEL) {
		EXPECT_NE(memchr(reply, '\0', sizeof(reply)), nullptr);
		a.reply = reply;
		EXPECT_TRUE(Json(a.reply).Valid()) << a.reply;
		EXPECT_NE(a.reply.find("\"device\":\"t1\""), std::string::npos) << a.reply;
	}
	return a;
}

bool Refused(const Answer &a, const char *why)
{
	return a.action == CMD_REFUSED && a.reply.find("\"ok\":false") != std::string::npos &&
	       a.reply.find(why) != std::string::npos;
}

/* The topics aiotd subscribes to (cmd/+) and some it should never get. */
const std::vector<std::string> kTopics = {
	"aiot/t1/cmd/ping", "aiot/t1/cmd/telemetry", "aiot/t1/cmd/model",
	"aiot/t1/cmd/reboot", "aiot/t1/cmd/", "aiot/t1/cmd/a\"b\\c\x01\xff",
	"aiot/t1/cmd/model/extra", "aiot/t2/cmd/ping", "aiot/t1/status", "", "aiot/t1/cmd",
};

TEST(Commands, KnownCommandsAnswered)
{
	auto c = Ctx();

	auto a = Send(c, "aiot/t1/cmd/ping", nullptr, 0);
	EXPECT_EQ(a.action, CMD_PING);
	EXPECT_EQ(a.reply, "{\"device\":\"t1\",\"command\":\"ping\",\"ok\":true}");
	a = Send(c, "aiot/t1/cmd/telemetry", "{}", 2);
	EXPECT_EQ(a.action, CMD_TELEMETRY);
	EXPECT_NE(a.reply.find("\"ok\":true"), std::string::npos);
}

TEST(Commands, BadTopicsAndPayloadsRefusedWithTheReason)
{
	auto c = Ctx();
	std::vector<uint8_t> big(200000, 'A');

	EXPECT_TRUE(Refused(Send(c, nullptr, nullptr, 0), "not a command topic"));
	EXPECT_TRUE(Refused(Send(c, "aiot/t2/cmd/ping", nullptr, 0), "not a command topic"));
	EXPECT_TRUE(Refused(Send(c, "aiot/t1/status", "x", 1), "not a command topic"));
	EXPECT_TRUE(Refused(Send(c, "aiot/t1/cmd/reboot", nullptr, 0), "unknown command"));
	EXPECT_TRUE(Refused(Send(c, "aiot/t1/cmd/", nullptr, 0), "unknown command"));
	EXPECT_TRUE(Refused(Send(c, "aiot/t1/cmd/ping", big.data(), 4097), "payload too large"));
	EXPECT_TRUE(Refused(Send(c, "aiot/t1/cmd/ping", nullptr, 5), "malformed message"));
	EXPECT_TRUE(Refused(Send(c, "aiot/t1/cmd/ping", "x", -1), "malformed message"));
	auto a = Send(c, "aiot/t1/cmd/a\"b\\c\x01\xff", nullptr, 0);
	EXPECT_TRUE(Refused(a, "unknown command"));
	EXPECT_NE(a.reply.find("\"command\":\"a\\\"b\\\\c\\u0001\\u00ff\""), std::string::npos)
		<< a.reply;
	/* A topic longer than the reply: the name is cut, the JSON stays whole. */
	std::string longtopic = "aiot/t1/cmd/" + std::string(70000, '"');
	a = Send(c, longtopic.c_str(), nullptr, 0);
	EXPECT_TRUE(Refused(a, "unknown command"));
}

TEST(Commands, ModelMessagesCheckedBeforeAnythingElse)
{
	auto c = Ctx();
	std::vector<uint8_t> big(2 << 20, 0), blob(300, 7), ref(40, 9), msg;
	uint8_t expected[32] = { 1 };

	EXPECT_TRUE(Refused(Send(Ctx(false), "aiot/t1/cmd/model", "x", 1),
			    "model updates need model_key"));
	EXPECT_TRUE(Refused(Send(c, "aiot/t1/cmd/model", big.data(), (int)big.size()),
			    "larger than model_max"));
	EXPECT_TRUE(Refused(Send(c, "aiot/t1/cmd/model", nullptr, 0), "not a model update"));
	EXPECT_TRUE(Refused(Send(c, "aiot/t1/cmd/model", "AIOTMDL1", 8), "AIOTMDL2"));
	msg.resize(MU_HDR + blob.size() + ref.size());
	mu_build(msg.data(), "nope", 4, blob.data(), blob.size(), ref.data(), ref.size(),
		 expected, kKey.data(), kKey.size());
	auto a = Send(c, "aiot/t1/cmd/model", msg.data(), (int)msg.size());
	EXPECT_TRUE(Refused(a, "no such stream"));
	EXPECT_NE(a.reply.find("\"stream\":\"nope\",\"version\":4"), std::string::npos) << a.reply;
	/* Authenticated and for a known stream: handed over, nothing written. */
	mu_build(msg.data(), "mic", 4, blob.data(), blob.size(), ref.data(), ref.size(),
		 expected, kKey.data(), kKey.size());
	a = Send(c, "aiot/t1/cmd/model", msg.data(), (int)msg.size());
	EXPECT_EQ(a.action, CMD_MODEL);
	EXPECT_STREQ(a.u.stream, "mic");
	EXPECT_EQ(a.u.size, blob.size());
	EXPECT_EQ(a.u.ref_size, ref.size());
	/* Each byte flipped: refused, never handed over. */
	for (size_t i = 0; i < msg.size(); i += 7) {
		auto t = msg;

		t[i] ^= 0x20;
		EXPECT_EQ(Send(c, "aiot/t1/cmd/model", t.data(), (int)t.size()).action,
			  CMD_REFUSED) << "byte " << i;
	}
	/* Every length cut off. */
	for (size_t l = 0; l < msg.size(); l += 11)
		EXPECT_EQ(Send(c, "aiot/t1/cmd/model", msg.data(), (int)l).action, CMD_REFUSED);
}

/*
 * Random garbage, on every topic: random lengths (up to 3x the largest
 * allowed), random bytes, and model headers with random fields behind a
 * right magic. Nothing but refusals (or an ok for ping/telemetry), every
 * reply well-formed.
 */
TEST(Commands, RandomGarbageOnEveryTopic)
{
	auto c = Ctx();
	std::mt19937 rng(20261130);
	std::vector<uint8_t> buf(3 << 20);
	unsigned int refused = 0, ok = 0;

	for (int iter = 0; iter < 6000; iter++) {
		const std::string &topic = kTopics[rng() % kTopics.size()];
		size_t len = rng() % 4 == 0 ? rng() % buf.size() : rng() % 600;

		for (size_t i = 0; i < len && i < 4096; i++)
			buf[i] = (uint8_t)rng();
		if (rng() % 2 && len >= MU_HDR)
			memcpy(buf.data(), MU_MAGIC, 8);
		auto a = Send(c, topic.c_str(), len ? buf.data() : nullptr, (int)len);

		ASSERT_NE(a.action, CMD_MODEL) << topic << " " << len;
		if (a.action == CMD_REFUSED) {
			ASSERT_NE(a.reply.find("\"ok\":false,\"error\":\""), std::string::npos);
			refused++;
		} else {
			ASSERT_TRUE(topic == "aiot/t1/cmd/ping" || topic == "aiot/t1/cmd/telemetry");
			ASSERT_LE(len, (size_t)CMD_MAX_PAYLOAD);
			ok++;
		}
	}
	EXPECT_GT(refused, 4000u);
	EXPECT_GT(ok, 100u);
}

/* The replies' builders keep JSON whole whatever they are given. */
TEST(Commands, RepliesStayJsonForAnyText)
{
	std::mt19937 rng(7);

	for (int iter = 0; iter < 2000; iter++) {
		std::string cmd, err;
		char out[CMD_REPLY_MAX];
		size_t n;

		for (size_t i = 0, l = rng() % 3000; i < l; i++)
			cmd += (char)(rng() % 255 + 1);
		for (size_t i = 0, l = rng() % 300; i < l; i++)
			err += (char)(rng() % 255 + 1);
		n = cmd_reply("t1", cmd.data(), cmd.size(), rng() % 2 ? err.c_str() : nullptr, out,
			      sizeof(out));
		ASSERT_EQ(n, strlen(out));
		ASSERT_TRUE(Json(out).Valid()) << out;
		n = cmd_model_reply("t1", cmd.c_str(), (uint32_t)rng(),
				    rng() % 2 ? err.c_str() : nullptr, out, sizeof(out));
		ASSERT_EQ(n, strlen(out));
		ASSERT_TRUE(Json(out).Valid()) << out;
	}
}

}  // namespace
