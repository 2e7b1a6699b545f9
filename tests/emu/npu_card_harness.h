// SPDX-License-Identifier: GPL-2.0-only
//
// A test client that plays QEMU and the guest against the real
// aiot-npu-card program: it connects to the ivshmem server socket as
// QEMU's ivshmem-doorbell does, receives the shared memory and eventfds,
// maps BAR2 and the guest RAM file, and drives the card as a driver would
// (docs/npu-card.md): rings in "guest RAM", doorbells by eventfd, MSI-X by
// waiting on the guest's vector eventfds.
#ifndef AIOT_NPU_CARD_HARNESS_H
#define AIOT_NPU_CARD_HARNESS_H

#include <gtest/gtest.h>

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aiot/npu_card_regs.h"

namespace card_test {

constexpr uint64_t kRamSize = 64ull << 20;
constexpr uint32_t kRingEntries = 8;

inline uint64_t now_ms()
{
	using namespace std::chrono;
	return uint64_t(duration_cast<milliseconds>(
		steady_clock::now().time_since_epoch()).count());
}

// One ivshmem protocol message: an 8-byte little-endian value, maybe an fd.
struct Msg {
	int64_t val;
	int fd;
};

class Card {
public:
	// Starts the emulator with extra command-line arguments; with
	// @ram_base, the RAM file starts at that bus address (--ram-base, as
	// on arm64's virt machine) and every address the harness hands out
	// is a bus address from there.
	explicit Card(std::vector<std::string> extra = {}, uint64_t ram_base = 0)
		: base_(ram_base)
	{
		char tmpl[] = "/tmp/aiot-card-test.XXXXXX";
		EXPECT_NE(mkdtemp(tmpl), nullptr);
		dir_ = tmpl;
		sock_path_ = dir_ + "/card.sock";
		ctl_path_ = dir_ + "/card.ctl";
		ram_path_ = dir_ + "/ram";
		int fd = open(ram_path_.c_str(), O_RDWR | O_CREAT, 0600);
		EXPECT_GE(fd, 0);
		EXPECT_EQ(ftruncate(fd, off_t(kRamSize)), 0);
		ram_ = static_cast<uint8_t *>(mmap(nullptr, kRamSize,
			PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
		EXPECT_NE(ram_, MAP_FAILED);
		close(fd);

		std::vector<std::string> args = { AIOT_NPU_CARD_BIN,
			"--socket", sock_path_, "--ram", ram_path_,
			"--control", ctl_path_ };
		if (base_) {
			args.push_back("--ram-base");
			args.push_back(std::to_string(base_));
		}
		args.insert(args.end(), extra.begin(), extra.end());
		pid_ = fork();
		if (pid_ == 0) {
			std::vector<char *> argv;
			for (auto &a : args)
				argv.push_back(const_cast<char *>(a.c_str()));
			argv.push_back(nullptr);
			execv(argv[0], argv.data());
			_exit(127);
		}
		EXPECT_GT(pid_, 0);
	}

	~Card()
	{
		disconnect();
		if (pid_ > 0 && !exited_) {
			kill(pid_, SIGTERM);
			int st = wait_exit(5000);
			EXPECT_EQ(st, 0) << "emulator exit status";
		}
		if (ram_ && ram_ != MAP_FAILED)
			munmap(ram_, kRamSize);
		unlink(ram_path_.c_str());
		unlink(sock_path_.c_str());
		unlink(ctl_path_.c_str());
		rmdir(dir_.c_str());
	}

	Card(const Card &) = delete;
	Card &operator=(const Card &) = delete;

	// Waits for the child to exit; returns its exit code, 128+signal,
	// or -1 on timeout.
	int wait_exit(uint64_t timeout_ms)
	{
		uint64_t end = now_ms() + timeout_ms;
		for (;;) {
			int st;
			pid_t r = waitpid(pid_, &st, WNOHANG);
			if (r == pid_) {
				exited_ = true;
				if (WIFEXITED(st))
					return WEXITSTATUS(st);
				return 128 + WTERMSIG(st);
			}
			if (now_ms() > end) {
				kill(pid_, SIGKILL);
				waitpid(pid_, &st, 0);
				exited_ = true;
				return -1;
			}
			std::this_thread::sleep_for(std::chrono::milliseconds(5));
		}
	}

	static int connect_unix(const std::string &path, uint64_t timeout_ms)
	{
		uint64_t end = now_ms() + timeout_ms;
		sockaddr_un a{};
		a.sun_family = AF_UNIX;
		std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
		for (;;) {
			int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (connect(fd, reinterpret_cast<sockaddr *>(&a),
				    sizeof(a)) == 0)
				return fd;
			close(fd);
			if (now_ms() > end)
				return -1;
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
	}

	// Reads one protocol message; false on EOF/error/timeout.
	static bool recv_msg(int sock, Msg *m, int timeout_ms = 5000)
	{
		pollfd p = { sock, POLLIN, 0 };
		if (poll(&p, 1, timeout_ms) != 1)
			return false;
		uint64_t le = 0;
		iovec iov = { &le, sizeof(le) };
		union {
			cmsghdr h;
			char buf[CMSG_SPACE(sizeof(int))];
		} u;
		msghdr msg{};
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		ssize_t r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
		if (r != ssize_t(sizeof(le)))
			return false;
		m->val = int64_t(le64toh(le));
		m->fd = -1;
		for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
		     c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_RIGHTS)
				std::memcpy(&m->fd, CMSG_DATA(c), sizeof(int));
		}
		return true;
	}

	// Connects like QEMU's ivshmem-doorbell with 2 vectors and checks
	// the protocol as it goes.
	void connect_guest()
	{
		sock_ = connect_unix(sock_path_, 10000);
		ASSERT_GE(sock_, 0) << "no server at " << sock_path_;
		Msg m;
		ASSERT_TRUE(recv_msg(sock_, &m));
		EXPECT_EQ(m.val, 0) << "protocol version";
		EXPECT_EQ(m.fd, -1);
		ASSERT_TRUE(recv_msg(sock_, &m));
		my_id_ = m.val;
		EXPECT_GE(my_id_, 0);
		EXPECT_LE(my_id_, 0xffff);
		EXPECT_EQ(m.fd, -1);
		ASSERT_TRUE(recv_msg(sock_, &m));
		EXPECT_EQ(m.val, -1);
		ASSERT_GE(m.fd, 0) << "shared memory fd";
		shm_fd_ = m.fd;
		// Connect notifications for the card, then our own vectors.
		for (int v = 0; v < AIOT_CARD_NUM_DB; v++) {
			ASSERT_TRUE(recv_msg(sock_, &m));
			EXPECT_NE(m.val, my_id_);
			ASSERT_GE(m.fd, 0);
			card_peer_ = m.val;
			db_[v] = m.fd;
		}
		for (int v = 0; v < AIOT_CARD_NUM_MSIX; v++) {
			ASSERT_TRUE(recv_msg(sock_, &m));
			EXPECT_EQ(m.val, my_id_);
			ASSERT_GE(m.fd, 0);
			irq_[v] = m.fd;
		}
		struct stat st;
		ASSERT_EQ(fstat(shm_fd_, &st), 0);
		shm_size_ = uint64_t(st.st_size);
		bar_ = static_cast<uint8_t *>(mmap(nullptr, shm_size_,
			PROT_READ | PROT_WRITE, MAP_SHARED, shm_fd_, 0));
		ASSERT_NE(bar_, MAP_FAILED);
	}

	void disconnect()
	{
		if (bar_ && bar_ != MAP_FAILED)
			munmap(bar_, shm_size_);
		bar_ = nullptr;
		for (int &fd : db_)
			if (fd >= 0)
				close(fd), fd = -1;
		for (int &fd : irq_)
			if (fd >= 0)
				close(fd), fd = -1;
		if (shm_fd_ >= 0)
			close(shm_fd_), shm_fd_ = -1;
		if (sock_ >= 0)
			close(sock_), sock_ = -1;
	}

	// ------------------------------------------------------ registers
	uint32_t r32(uint32_t off) const
	{
		return le32toh(__atomic_load_n(
			reinterpret_cast<uint32_t *>(bar_ + off),
			__ATOMIC_ACQUIRE));
	}
	uint64_t r64(uint32_t off) const
	{
		return le64toh(__atomic_load_n(
			reinterpret_cast<uint64_t *>(bar_ + off),
			__ATOMIC_ACQUIRE));
	}
	void w32(uint32_t off, uint32_t v)
	{
		__atomic_store_n(reinterpret_cast<uint32_t *>(bar_ + off),
				 htole32(v), __ATOMIC_RELEASE);
	}
	void w64(uint32_t off, uint64_t v)
	{
		__atomic_store_n(reinterpret_cast<uint64_t *>(bar_ + off),
				 htole64(v), __ATOMIC_RELEASE);
	}

	// What QEMU does when the guest writes BAR0 Doorbell.
	void doorbell(unsigned int vec)
	{
		uint64_t one = 1;
		ASSERT_EQ(write(db_[vec], &one, sizeof(one)),
			  ssize_t(sizeof(one)));
	}

	// Waits for an MSI-X vector; true if it fired.
	bool wait_irq(unsigned int vec, int timeout_ms)
	{
		pollfd p = { irq_[vec], POLLIN, 0 };
		if (poll(&p, 1, timeout_ms) != 1)
			return false;
		uint64_t v;
		return read(irq_[vec], &v, sizeof(v)) == ssize_t(sizeof(v));
	}

	bool wait_reg(uint32_t off, uint32_t mask, uint32_t want,
		      int timeout_ms = 5000)
	{
		uint64_t end = now_ms() + uint64_t(timeout_ms);
		while ((r32(off) & mask) != want) {
			if (now_ms() > end)
				return false;
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
		}
		return true;
	}

	// ------------------------------------------------------ guest RAM
	// Bus addresses: the RAM file's offset plus ram_base().
	uint64_t alloc(uint64_t size, uint64_t align = 64)
	{
		next_ = (next_ + align - 1) & ~(align - 1);
		uint64_t a = next_;
		next_ += size;
		EXPECT_LE(next_, kRamSize);
		return base_ + a;
	}
	void put(uint64_t addr, const void *p, size_t n)
	{
		ASSERT_GE(addr, base_);
		ASSERT_LE(addr - base_ + n, kRamSize);
		std::memcpy(ram_ + (addr - base_), p, n);
	}
	void get(uint64_t addr, void *p, size_t n) const
	{
		ASSERT_GE(addr, base_);
		ASSERT_LE(addr - base_ + n, kRamSize);
		std::memcpy(p, ram_ + (addr - base_), n);
	}
	uint64_t ram_base() const { return base_; }

	// A buffer placed in @nseg scattered segments (in descending address
	// order, with gaps) and its scatter list.
	struct Buf {
		uint64_t sgl = 0;
		uint32_t count = 0;
		std::vector<aiot_card_sg> seg;
	};
	Buf place(const std::vector<uint8_t> &data, unsigned int nseg)
	{
		Buf b;
		size_t n = data.size();
		if (nseg > n)
			nseg = unsigned(n ? n : 1);
		size_t per = n / nseg;
		std::vector<uint64_t> addrs(nseg);
		std::vector<uint32_t> lens(nseg);
		for (unsigned int i = 0; i < nseg; i++)
			lens[i] = uint32_t(i + 1 == nseg ? n - per * i : per);
		for (unsigned int i = nseg; i-- > 0;) {
			addrs[i] = alloc(lens[i] + 64, 8) + 3 * (i % 5);
		}
		size_t done = 0;
		for (unsigned int i = 0; i < nseg; i++) {
			put(addrs[i], data.data() + done, lens[i]);
			done += lens[i];
			aiot_card_sg s{};
			s.addr = htole64(addrs[i]);
			s.len = htole32(lens[i]);
			b.seg.push_back(s);
		}
		b.count = nseg;
		b.sgl = alloc(sizeof(aiot_card_sg) * nseg, 16);
		put(b.sgl, b.seg.data(), sizeof(aiot_card_sg) * nseg);
		return b;
	}
	std::vector<uint8_t> gather(const Buf &b, size_t n) const
	{
		std::vector<uint8_t> out;
		for (auto &s : b.seg) {
			size_t len = std::min<size_t>(le32toh(s.len),
						      n - out.size());
			size_t at = out.size();
			out.resize(at + len);
			get(le64toh(s.addr), out.data() + at, len);
		}
		return out;
	}

	// ------------------------------------------------------ driver side
	void reset()
	{
		uint32_t req = r32(AIOT_CARD_REG_RESET_ACK) + 1;
		w32(AIOT_CARD_REG_RESET_REQ, req);
		doorbell(AIOT_CARD_DB_CONTROL);
		ASSERT_TRUE(wait_reg(AIOT_CARD_REG_RESET_ACK, ~0u, req))
			<< "reset not acknowledged";
		sq_tail_ = 0;
		cq_head_ = 0;
	}

	void enable(uint32_t sq_entries = kRingEntries,
		    uint32_t cq_entries = kRingEntries)
	{
		sq_entries_ = sq_entries;
		cq_entries_ = cq_entries;
		sq_ = alloc(uint64_t(sq_entries) * 512, 4096);
		cq_ = alloc(uint64_t(cq_entries) * 64, 4096);
		w64(AIOT_CARD_REG_SQ_BASE, sq_);
		w32(AIOT_CARD_REG_SQ_SIZE, sq_entries);
		w64(AIOT_CARD_REG_CQ_BASE, cq_);
		w32(AIOT_CARD_REG_CQ_SIZE, cq_entries);
		w32(AIOT_CARD_REG_IRQ_MASK, 0);
		w32(AIOT_CARD_REG_CONTROL, AIOT_CARD_CONTROL_ENABLE);
		doorbell(AIOT_CARD_DB_CONTROL);
	}

	void bring_up()
	{
		connect_guest();
		ASSERT_FALSE(::testing::Test::HasFatalFailure());
		ASSERT_EQ(r32(AIOT_CARD_REG_MAGIC), AIOT_CARD_MAGIC_VALUE);
		reset();
		enable();
		ASSERT_TRUE(wait_reg(AIOT_CARD_REG_STATUS,
				     AIOT_CARD_STATUS_ENABLED,
				     AIOT_CARD_STATUS_ENABLED));
	}

	void submit(const aiot_card_sq_entry &e, bool ring = true)
	{
		uint64_t at = sq_ + uint64_t(sq_tail_ & (sq_entries_ - 1)) * 512;
		put(at, &e, sizeof(e));
		__atomic_thread_fence(__ATOMIC_RELEASE);
		w32(AIOT_CARD_REG_SQ_TAIL, ++sq_tail_);
		if (ring)
			doorbell(AIOT_CARD_DB_SUBMIT);
	}

	// Waits for the next completion (interrupt, then CQ_TAIL).
	// With @stop_on_error, gives up as soon as the card halts.
	bool wait_cqe(aiot_card_cq_entry *out, int timeout_ms = 10000,
		      bool stop_on_error = false)
	{
		uint64_t end = now_ms() + uint64_t(timeout_ms);
		while (r32(AIOT_CARD_REG_CQ_TAIL) == cq_head_) {
			uint64_t now = now_ms();
			if (now >= end)
				return false;
			if (stop_on_error &&
			    (r32(AIOT_CARD_REG_STATUS) & AIOT_CARD_STATUS_ERROR))
				return false;
			wait_irq(AIOT_CARD_MSIX_COMPLETION,
				 std::min(int(end - now), 20));
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		uint64_t at = cq_ + uint64_t(cq_head_ & (cq_entries_ - 1)) * 64;
		aiot_card_cq_entry q;
		get(at, &q, sizeof(q));
		q.job_id = le64toh(q.job_id);
		q.seq = le32toh(q.seq);
		q.status = le32toh(q.status);
		q.detail = le32toh(q.detail);
		q.errno_val = le32toh(q.errno_val);
		q.started_ns = le64toh(q.started_ns);
		q.ended_ns = le64toh(q.ended_ns);
		q.progress = le64toh(q.progress);
		expected_seq_ = cq_head_;
		w32(AIOT_CARD_REG_CQ_HEAD, ++cq_head_);
		*out = q;
		return true;
	}
	uint32_t expected_seq() const { return expected_seq_; }

	// Sends one line on the control socket and returns the reply line.
	std::string control(const std::string &line)
	{
		int fd = connect_unix(ctl_path_, 5000);
		if (fd < 0)
			return "connect failed";
		std::string l = line + "\n";
		if (send(fd, l.data(), l.size(), MSG_NOSIGNAL) !=
		    ssize_t(l.size())) {
			close(fd);
			return "write failed";
		}
		std::string reply;
		char c;
		pollfd p = { fd, POLLIN, 0 };
		while (poll(&p, 1, 5000) == 1 && read(fd, &c, 1) == 1 &&
		       c != '\n')
			reply += c;
		close(fd);
		return reply;
	}

	bool alive()
	{
		int st;
		return !exited_ && waitpid(pid_, &st, WNOHANG) == 0;
	}

	pid_t pid() const { return pid_; }
	int64_t my_id() const { return my_id_; }
	int64_t card_peer() const { return card_peer_; }
	uint64_t shm_size() const { return shm_size_; }
	int sock() const { return sock_; }
	uint64_t sq_base() const { return sq_; }
	uint32_t sq_tail() const { return sq_tail_; }
	void set_sq_tail(uint32_t t) { sq_tail_ = t; }
	const std::string &sock_path() const { return sock_path_; }

private:
	std::string dir_, sock_path_, ctl_path_, ram_path_;
	uint64_t base_ = 0;
	pid_t pid_ = -1;
	bool exited_ = false;
	uint8_t *ram_ = nullptr;
	uint8_t *bar_ = nullptr;
	uint64_t shm_size_ = 0;
	int sock_ = -1, shm_fd_ = -1;
	int db_[AIOT_CARD_NUM_DB] = { -1, -1 };
	int irq_[AIOT_CARD_NUM_MSIX] = { -1, -1 };
	int64_t my_id_ = -1, card_peer_ = -1;
	uint64_t next_ = 1ull << 20;
	uint64_t sq_ = 0, cq_ = 0;
	uint32_t sq_entries_ = 0, cq_entries_ = 0;
	uint32_t sq_tail_ = 0, cq_head_ = 0, expected_seq_ = 0;
};

} // namespace card_test

#endif // AIOT_NPU_CARD_HARNESS_H
