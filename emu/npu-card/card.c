// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-npu-card: the device model and the ivshmem server.
 *
 * Everything the guest can write — registers in BAR2, ring entries,
 * scatter lists, addresses, sizes — is untrusted: it is copied out of
 * shared memory once, checked, and only then used. Addresses are checked
 * against the DMA window (the guest RAM file) before any byte is touched.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "aiot_isa.h"
#include "card.h"

#define CARD_PEER_ID		0
#define CARD_SG_SIZE		sizeof(struct aiot_card_sg)
#define CARD_SQE_SIZE		sizeof(struct aiot_card_sq_entry)
#define CARD_CQE_SIZE		sizeof(struct aiot_card_cq_entry)
#define CARD_MAX_SLOW_US	1000000u
#define CARD_TICK_NS		10000000ull	/* CLOCK_NS refresh, idle */
#define CARD_SERVICE_NS		1000000ull	/* event check while busy */

static volatile sig_atomic_t card_signalled;
static sigset_t card_wait_mask;

#define card_log(c, lvl, ...) do {					\
	if ((c)->opt.verbose >= (lvl)) {				\
		fprintf(stderr, "aiot-npu-card: " __VA_ARGS__);		\
		fputc('\n', stderr);					\
	}								\
} while (0)

/* ------------------------------------------------------------------ */
/* clock and registers                                                 */
/* ------------------------------------------------------------------ */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t card_now_ns(struct card *c)
{
	return mono_ns() - c->clock_origin;
}

static uint32_t *reg32(struct card *c, uint32_t off)
{
	return (uint32_t *)(void *)(c->bar + off);
}

static uint64_t *reg64(struct card *c, uint32_t off)
{
	return (uint64_t *)(void *)(c->bar + off);
}

static uint32_t rd32(struct card *c, uint32_t off)
{
	return le32toh(__atomic_load_n(reg32(c, off), __ATOMIC_ACQUIRE));
}

static uint64_t rd64(struct card *c, uint32_t off)
{
	return le64toh(__atomic_load_n(reg64(c, off), __ATOMIC_ACQUIRE));
}

/* A removed card writes nothing: its registers read all-ones. */
static void wr32(struct card *c, uint32_t off, uint32_t v)
{
	if (!c->removed)
		__atomic_store_n(reg32(c, off), htole32(v), __ATOMIC_RELEASE);
}

static void wr64(struct card *c, uint32_t off, uint64_t v)
{
	if (!c->removed)
		__atomic_store_n(reg64(c, off), htole64(v), __ATOMIC_RELEASE);
}

/* Decrement a knob the driver set, unless it changed meanwhile. */
static bool knob_take(struct card *c, uint32_t off)
{
	uint32_t *p = reg32(c, off);
	uint32_t old = __atomic_load_n(p, __ATOMIC_ACQUIRE);

	while (!c->removed && le32toh(old) != 0) {
		uint32_t new = htole32(le32toh(old) - 1);

		if (__atomic_compare_exchange_n(p, &old, new, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

static void update_status(struct card *c)
{
	uint32_t s = AIOT_CARD_STATUS_READY;

	if (c->enabled)
		s |= AIOT_CARD_STATUS_ENABLED;
	if (!c->enabled || c->halted_error)
		s |= AIOT_CARD_STATUS_HALTED;
	if (c->halted_error)
		s |= AIOT_CARD_STATUS_ERROR;
	if (c->in_job)
		s |= AIOT_CARD_STATUS_BUSY;
	wr32(c, AIOT_CARD_REG_STATUS, s);
}

static void signal_guest(struct card *c, unsigned int vec)
{
	uint64_t one = 1;

	if (c->removed || c->guest.sock < 0 || vec >= CARD_MAX_VECTORS ||
	    c->guest.irq_fd[vec] < 0)
		return;
	/* EAGAIN means the counter is saturated: the interrupt is pending. */
	if (write(c->guest.irq_fd[vec], &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		card_log(c, 1, "interrupt vector %u: %s", vec, strerror(errno));
}

static unsigned int irq_vector(uint32_t bit)
{
	return bit == AIOT_CARD_IRQ_ERROR ? AIOT_CARD_MSIX_ERROR
					  : AIOT_CARD_MSIX_COMPLETION;
}

static void raise_irq(struct card *c, uint32_t bit)
{
	uint32_t st = rd32(c, AIOT_CARD_REG_IRQ_STATUS) | bit;

	wr32(c, AIOT_CARD_REG_IRQ_STATUS, st);
	if (!(rd32(c, AIOT_CARD_REG_IRQ_MASK) & bit))
		signal_guest(c, irq_vector(bit));
}

static void card_fatal(struct card *c, uint32_t code, uint32_t info)
{
	card_log(c, 1, "halted: error %u info 0x%x", code, info);
	c->halted_error = true;
	wr32(c, AIOT_CARD_REG_ERROR_CODE, code);
	wr32(c, AIOT_CARD_REG_ERROR_INFO, info);
	update_status(c);
	raise_irq(c, AIOT_CARD_IRQ_ERROR);
}

/* The register block as after power-on. */
static void regs_power_on(struct card *c)
{
	uint32_t version = AIOT_CARD_VERSION(AIOT_CARD_VERSION_MAJOR,
					     AIOT_CARD_VERSION_MINOR);

	if (c->opt.fake_version)
		version = c->opt.fake_version;
	c->abort_job = c->in_job;
	memset(c->bar, 0, AIOT_CARD_REG_BLOCK_SIZE);
	wr32(c, AIOT_CARD_REG_VERSION, version);
	wr32(c, AIOT_CARD_REG_CAPS, AIOT_CARD_CAP_FAULT_KNOBS |
	     AIOT_CARD_CAP_CLOCK | c->opt.extra_caps);
	wr32(c, AIOT_CARD_REG_ISA_VERSION, AIOT_ISA_VERSION_CURRENT);
	wr32(c, AIOT_CARD_REG_PEER_ID, CARD_PEER_ID);
	wr32(c, AIOT_CARD_REG_MAX_BINDINGS, AIOT_CARD_MAX_BINDINGS);
	wr32(c, AIOT_CARD_REG_MAX_SG_ENTRIES, AIOT_CARD_MAX_SG_ENTRIES);
	wr32(c, AIOT_CARD_REG_MAX_RING_ENTRIES, AIOT_CARD_MAX_RING_ENTRIES);
	wr32(c, AIOT_CARD_REG_MAX_CS_SIZE, AIOT_CARD_MAX_CS_SIZE);
	wr32(c, AIOT_CARD_REG_DMA_ADDR_BITS, 64);
	wr32(c, AIOT_CARD_REG_IRQ_MASK, AIOT_CARD_IRQ_ALL);
	wr64(c, AIOT_CARD_REG_PROGRESS, c->progress);
	wr64(c, AIOT_CARD_REG_CLOCK_NS, card_now_ns(c));
	wr64(c, AIOT_CARD_REG_JOBS_DONE, c->jobs_done);
	c->enabled = false;
	c->halted_error = false;
	c->sq_head = 0;
	c->cq_tail = 0;
	c->slow_us = 0;
	c->irq_mask_seen = AIOT_CARD_IRQ_ALL;
	update_status(c);
	/* The magic goes last: it says the rest is valid. */
	wr32(c, AIOT_CARD_REG_MAGIC, AIOT_CARD_MAGIC_VALUE);
}

static void card_reset(struct card *c)
{
	uint32_t req = rd32(c, AIOT_CARD_REG_RESET_REQ);
	uint32_t off;

	card_log(c, 1, "reset %u", req);
	wr32(c, AIOT_CARD_REG_STATUS, AIOT_CARD_STATUS_READY |
	     AIOT_CARD_STATUS_HALTED | AIOT_CARD_STATUS_RESETTING);
	c->enabled = false;
	c->halted_error = false;
	c->sq_head = 0;
	c->cq_tail = 0;
	c->slow_us = 0;
	for (off = AIOT_CARD_REG_CONTROL; off < AIOT_CARD_REG_PROGRESS;
	     off += 4) {
		if (off != AIOT_CARD_REG_STATUS &&
		    off != AIOT_CARD_REG_RESET_REQ &&
		    off != AIOT_CARD_REG_RESET_ACK)
			wr32(c, off, 0);
	}
	for (off = AIOT_CARD_REG_SQ_BASE; off < 0x100; off += 4)
		wr32(c, off, 0);
	for (off = 0x800; off < 0x900; off += 4)
		wr32(c, off, 0);
	wr32(c, AIOT_CARD_REG_IRQ_MASK, AIOT_CARD_IRQ_ALL);
	update_status(c);
	c->irq_mask_seen = AIOT_CARD_IRQ_ALL;
	wr32(c, AIOT_CARD_REG_RESET_ACK, req);
}

static void card_remove(struct card *c)
{
	if (c->removed)
		return;
	card_log(c, 1, "surprise removal");
	memset(c->bar, 0xff, AIOT_CARD_REG_BLOCK_SIZE);
	c->removed = true;
	c->enabled = false;
	c->abort_job = c->in_job;
}

static void card_restore(struct card *c)
{
	card_log(c, 1, "restored");
	c->removed = false;
	regs_power_on(c);
}

/* ------------------------------------------------------------------ */
/* DMA                                                                 */
/* ------------------------------------------------------------------ */

static int map_ram(struct card *c)
{
	struct stat st;
	void *p;

	if (c->ram)
		return 0;
	c->ram_fd = open(c->opt.ram_path, O_RDWR | O_CLOEXEC);
	if (c->ram_fd < 0)
		return -errno;
	if (fstat(c->ram_fd, &st) < 0 || st.st_size <= 0) {
		close(c->ram_fd);
		c->ram_fd = -1;
		return -EINVAL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 c->ram_fd, 0);
	if (p == MAP_FAILED) {
		int e = -errno;

		close(c->ram_fd);
		c->ram_fd = -1;
		return e;
	}
	c->ram = p;
	c->ram_map_size = (uint64_t)st.st_size;
	c->ram_size = c->ram_map_size;
	if (c->opt.dma_window && c->opt.dma_window < c->ram_size)
		c->ram_size = c->opt.dma_window;
	card_log(c, 1, "guest RAM %s: %llu bytes reachable", c->opt.ram_path,
		 (unsigned long long)c->ram_size);
	return 0;
}

static void unmap_ram(struct card *c)
{
	if (c->ram)
		munmap(c->ram, c->ram_map_size);
	if (c->ram_fd >= 0)
		close(c->ram_fd);
	c->ram = NULL;
	c->ram_fd = -1;
	c->ram_size = 0;
	c->ram_map_size = 0;
}

/* [addr, addr + len) inside the DMA window, without overflow */
static bool dma_ok(struct card *c, uint64_t addr, uint64_t len)
{
	return c->ram && addr <= c->ram_size && len <= c->ram_size - addr;
}

static int dma_read(struct card *c, uint64_t addr, void *dst, uint64_t len)
{
	if (!dma_ok(c, addr, len))
		return -EFAULT;
	memcpy(dst, c->ram + addr, len);
	return 0;
}

static int dma_write(struct card *c, uint64_t addr, const void *src,
		     uint64_t len)
{
	if (!dma_ok(c, addr, len))
		return -EFAULT;
	memcpy(c->ram + addr, src, len);
	return 0;
}

/* A scatter list copied out of guest memory and checked entry by entry. */
struct sg_list {
	struct aiot_card_sg *e;
	uint32_t n;
};

static int sg_fetch(struct card *c, uint64_t addr, uint32_t n, uint64_t need,
		    struct sg_list *out)
{
	uint64_t total = 0;
	uint32_t i;

	out->e = NULL;
	out->n = 0;
	if (n == 0 || n > AIOT_CARD_MAX_SG_ENTRIES || (addr & 15))
		return -EFAULT;
	if (!dma_ok(c, addr, (uint64_t)n * CARD_SG_SIZE))
		return -EFAULT;
	out->e = malloc((size_t)n * CARD_SG_SIZE);
	if (!out->e)
		return -ENOMEM;
	memcpy(out->e, c->ram + addr, (size_t)n * CARD_SG_SIZE);
	out->n = n;
	for (i = 0; i < n; i++) {
		struct aiot_card_sg *s = &out->e[i];

		s->addr = le64toh(s->addr);
		s->len = le32toh(s->len);
		if (s->len == 0 || s->reserved || !dma_ok(c, s->addr, s->len))
			goto bad;
		total += s->len;	/* <= 65536 * 4 GiB: no overflow */
	}
	if (total < need)
		goto bad;
	return 0;
bad:
	free(out->e);
	out->e = NULL;
	out->n = 0;
	return -EFAULT;
}

static void sg_copy(struct card *c, const struct sg_list *sg, uint8_t *buf,
		    uint64_t size, bool to_ram)
{
	uint64_t done = 0;
	uint32_t i;

	for (i = 0; i < sg->n && done < size; i++) {
		uint64_t n = sg->e[i].len;

		if (n > size - done)
			n = size - done;
		/* Checked by sg_fetch() against the same window. */
		if (to_ram)
			dma_write(c, sg->e[i].addr, buf + done, n);
		else
			dma_read(c, sg->e[i].addr, buf + done, n);
		done += n;
	}
}

/* ------------------------------------------------------------------ */
/* the ivshmem server and the control socket                           */
/* ------------------------------------------------------------------ */

static int send_msg(int sock, int64_t val, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = { 0 };
	uint64_t le = htole64((uint64_t)val);
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	ssize_t r;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do {
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r != (ssize_t)sizeof(le))
		return r < 0 ? -errno : -EIO;
	return 0;
}

static void guest_close(struct card *c)
{
	int v;

	if (c->guest.sock >= 0)
		close(c->guest.sock);
	c->guest.sock = -1;
	for (v = 0; v < CARD_MAX_VECTORS; v++) {
		if (c->guest.irq_fd[v] >= 0)
			close(c->guest.irq_fd[v]);
		c->guest.irq_fd[v] = -1;
	}
}

static void guest_accept(struct card *c)
{
	int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	int64_t id;
	int v, r = 0;

	if (fd < 0)
		return;
	if (c->guest.sock >= 0) {
		card_log(c, 1, "refusing a second client");
		close(fd);
		return;
	}
	id = c->next_peer_id++;
	if (c->next_peer_id > 0xffff)
		c->next_peer_id = 1;
	/*
	 * A new guest finds a card fresh from power-on, before it learns
	 * anything: it may write registers as soon as it has the memory.
	 */
	unmap_ram(c);
	if (c->removed)
		card_restore(c);
	else
		regs_power_on(c);
	c->guest.sock = fd;
	c->guest.id = id;
	for (v = 0; v < CARD_MAX_VECTORS; v++) {
		c->guest.irq_fd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (c->guest.irq_fd[v] < 0)
			r = -errno;
	}
	if (!r)
		r = send_msg(fd, 0, -1);		/* protocol version */
	if (!r)
		r = send_msg(fd, id, -1);		/* its ID */
	if (!r)
		r = send_msg(fd, -1, c->shm_fd);	/* shared memory */
	for (v = 0; !r && v < CARD_MAX_VECTORS; v++)	/* the card, a peer */
		r = send_msg(fd, CARD_PEER_ID, c->db_fd[v]);
	for (v = 0; !r && v < CARD_MAX_VECTORS; v++)	/* its own vectors */
		r = send_msg(fd, id, c->guest.irq_fd[v]);
	if (r) {
		card_log(c, 1, "client setup failed: %s", strerror(-r));
		guest_close(c);
		return;
	}
	card_log(c, 1, "guest connected, peer %lld", (long long)id);
}

static void guest_gone(struct card *c)
{
	card_log(c, 1, "guest disconnected");
	guest_close(c);
	unmap_ram(c);
	c->enabled = false;
	if (c->in_job)
		c->abort_job = true;
	if (!c->opt.persist)
		c->stop = true;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > 0xffffffffu)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static void ctl_command(struct card *c, char *line, char *reply, size_t len)
{
	static const struct {
		const char *name;
		uint32_t reg;
	} knobs[] = {
		{ "hang", AIOT_CARD_REG_KNOB_HANG },
		{ "slow-us", AIOT_CARD_REG_KNOB_SLOW_US },
		{ "dma-error", AIOT_CARD_REG_KNOB_DMA_ERROR },
		{ "corrupt-cqe", AIOT_CARD_REG_KNOB_CORRUPT_CQE },
		{ "refuse-reset", AIOT_CARD_REG_KNOB_REFUSE_RESET },
	};
	char *arg = strchr(line, ' ');
	uint32_t v = 1;
	size_t i;

	if (arg) {
		*arg++ = '\0';
		if (parse_u32(arg, &v)) {
			snprintf(reply, len, "err bad number\n");
			return;
		}
	}
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		if (strcmp(line, knobs[i].name))
			continue;
		if (c->removed) {
			snprintf(reply, len, "err removed\n");
			return;
		}
		wr32(c, knobs[i].reg, v);
		snprintf(reply, len, "ok\n");
		return;
	}
	if (!strcmp(line, "remove")) {
		card_remove(c);
		snprintf(reply, len, "ok\n");
	} else if (!strcmp(line, "restore")) {
		card_restore(c);
		snprintf(reply, len, "ok\n");
	} else if (!strcmp(line, "status")) {
		snprintf(reply, len,
			 "ok guest=%d enabled=%d error=%d removed=%d busy=%d sq_head=%u cq_tail=%u progress=%llu jobs=%llu\n",
			 c->guest.sock >= 0, c->enabled, c->halted_error,
			 c->removed, c->in_job, c->sq_head, c->cq_tail,
			 (unsigned long long)c->progress,
			 (unsigned long long)c->jobs_done);
	} else if (!strcmp(line, "quit")) {
		c->stop = true;
		c->abort_job = c->in_job;
		snprintf(reply, len, "ok\n");
	} else {
		snprintf(reply, len, "err unknown command\n");
	}
}

static void ctl_read(struct card *c)
{
	struct card_ctl_client *cl = &c->ctl;
	ssize_t r = read(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 -
			 cl->len);
	char *nl;

	if (r <= 0) {
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		close(cl->fd);
		cl->fd = -1;
		cl->len = 0;
		return;
	}
	cl->len += (size_t)r;
	cl->buf[cl->len] = '\0';
	while ((nl = strchr(cl->buf, '\n'))) {
		char reply[256];
		size_t used = (size_t)(nl - cl->buf) + 1;

		*nl = '\0';
		if (nl > cl->buf && nl[-1] == '\r')
			nl[-1] = '\0';
		ctl_command(c, cl->buf, reply, sizeof(reply));
		if (send(cl->fd, reply, strlen(reply), MSG_NOSIGNAL) < 0)
			card_log(c, 1, "control reply: %s", strerror(errno));
		memmove(cl->buf, cl->buf + used, cl->len - used + 1);
		cl->len -= used;
	}
	if (cl->len == sizeof(cl->buf) - 1) {	/* a line too long */
		close(cl->fd);
		cl->fd = -1;
		cl->len = 0;
	}
}

static void drain_eventfd(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}

static bool reset_requested(struct card *c)
{
	return rd32(c, AIOT_CARD_REG_RESET_REQ) !=
	       rd32(c, AIOT_CARD_REG_RESET_ACK) &&
	       !rd32(c, AIOT_CARD_REG_KNOB_REFUSE_RESET);
}

/* IRQ_ACK and IRQ_MASK: safe at any time, even inside a job. */
static void handle_irq_regs(struct card *c)
{
	uint32_t ack, st, mask, fire;

	ack = le32toh(__atomic_exchange_n(reg32(c, AIOT_CARD_REG_IRQ_ACK), 0,
					  __ATOMIC_ACQ_REL));
	st = rd32(c, AIOT_CARD_REG_IRQ_STATUS) & ~ack;
	wr32(c, AIOT_CARD_REG_IRQ_STATUS, st);
	mask = rd32(c, AIOT_CARD_REG_IRQ_MASK);
	fire = st & c->irq_mask_seen & ~mask;
	c->irq_mask_seen = mask;
	if (fire & AIOT_CARD_IRQ_COMPLETION)
		signal_guest(c, AIOT_CARD_MSIX_COMPLETION);
	if (fire & AIOT_CARD_IRQ_ERROR)
		signal_guest(c, AIOT_CARD_MSIX_ERROR);
}

/*
 * Wait up to @timeout_ns for events and note them. Called from the main
 * loop and, with short timeouts, from inside a running job.
 */
static void card_service(struct card *c, uint64_t timeout_ns)
{
	struct pollfd p[7];
	int idx_listen, idx_guest = -1, idx_db0, idx_ctl_l = -1, idx_ctl = -1;
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000ull),
		.tv_nsec = (long)(timeout_ns % 1000000000ull),
	};
	nfds_t n = 0;
	int r, v;

	idx_listen = (int)n;
	p[n++] = (struct pollfd){ .fd = c->listen_fd, .events = POLLIN };
	if (c->guest.sock >= 0) {
		idx_guest = (int)n;
		p[n++] = (struct pollfd){ .fd = c->guest.sock, .events = POLLIN };
	}
	idx_db0 = (int)n;
	for (v = 0; v < CARD_MAX_VECTORS; v++)
		p[n++] = (struct pollfd){ .fd = c->db_fd[v], .events = POLLIN };
	if (c->ctl_listen_fd >= 0) {
		idx_ctl_l = (int)n;
		p[n++] = (struct pollfd){ .fd = c->ctl_listen_fd,
					  .events = POLLIN };
	}
	if (c->ctl.fd >= 0) {
		idx_ctl = (int)n;
		p[n++] = (struct pollfd){ .fd = c->ctl.fd, .events = POLLIN };
	}

	r = ppoll(p, n, &ts, &card_wait_mask);
	c->last_service_ns = mono_ns();
	if (card_signalled) {
		c->stop = true;
		c->abort_job = c->in_job;
	}
	if (!c->removed)
		wr64(c, AIOT_CARD_REG_CLOCK_NS, card_now_ns(c));
	if (r <= 0)
		goto knobs;

	if (p[idx_listen].revents & POLLIN)
		guest_accept(c);
	if (idx_guest >= 0 && p[idx_guest].revents) {
		char junk[64];
		ssize_t got = recv(c->guest.sock, junk, sizeof(junk),
				   MSG_DONTWAIT);

		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
			guest_gone(c);
	}
	for (v = 0; v < CARD_MAX_VECTORS; v++) {
		if (!(p[idx_db0 + v].revents & POLLIN))
			continue;
		drain_eventfd(c->db_fd[v]);
		if (v == AIOT_CARD_DB_SUBMIT)
			c->submit_pending = true;
		else
			c->control_pending = true;
	}
	if (idx_ctl_l >= 0 && (p[idx_ctl_l].revents & POLLIN)) {
		int fd = accept4(c->ctl_listen_fd, NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);

		/* One control client at a time: the newest wins. */
		if (fd >= 0) {
			if (c->ctl.fd >= 0)
				close(c->ctl.fd);
			c->ctl.fd = fd;
			c->ctl.len = 0;
			idx_ctl = -1;	/* its revents were the old fd's */
		}
	}
	if (idx_ctl >= 0 && p[idx_ctl].revents)
		ctl_read(c);

knobs:
	if (c->removed)
		return;
	if (rd32(c, AIOT_CARD_REG_KNOB_REMOVE)) {
		card_remove(c);
		return;
	}
	if (c->control_pending) {
		handle_irq_regs(c);
		if (c->in_job && reset_requested(c))
			c->abort_job = true;
	}
}

/* ------------------------------------------------------------------ */
/* jobs                                                                */
/* ------------------------------------------------------------------ */

static bool exec_hook(void *arg)
{
	struct card *c = arg;

	if (c->job_hang) {
		/* A hung card makes no progress; it only answers resets. */
		while (!c->abort_job && !c->stop)
			card_service(c, 50000000ull);
		return true;
	}
	if (c->slow_us) {
		uint64_t end = mono_ns() + (uint64_t)c->slow_us * 1000u;
		uint64_t now;

		while (!c->abort_job && (now = mono_ns()) < end)
			card_service(c, end - now);
	} else if (mono_ns() - c->last_service_ns >= CARD_SERVICE_NS) {
		card_service(c, 0);
	}
	if (c->abort_job)
		return true;
	c->progress++;
	c->job_progress++;
	wr64(c, AIOT_CARD_REG_PROGRESS, c->progress);
	return false;
}

struct job {
	struct aiot_card_sq_entry d;	/* CPU byte order after decode */
	struct sg_list cs_sg;
	struct sg_list sg[AIOT_CARD_MAX_BINDINGS];
	uint8_t *stream;
	uint8_t *buf[AIOT_CARD_MAX_BINDINGS];
	uint64_t size[AIOT_CARD_MAX_BINDINGS];
};

static void job_free(struct job *j)
{
	unsigned int i;

	free(j->cs_sg.e);
	free(j->stream);
	for (i = 0; i < AIOT_CARD_MAX_BINDINGS; i++) {
		free(j->sg[i].e);
		free(j->buf[i]);
	}
}

static void cqe_fail(struct aiot_card_cq_entry *q, uint32_t status,
		     uint32_t detail, int err)
{
	q->status = status;
	q->detail = detail;
	q->errno_val = (uint32_t)(err < 0 ? -err : err);
}

#define SQE_OFF(f)	((uint32_t)offsetof(struct aiot_card_sq_entry, f))
#define BIND_OFF(i, f)	(SQE_OFF(bindings) + \
			 (uint32_t)((i) * sizeof(struct aiot_card_binding)) + \
			 (uint32_t)offsetof(struct aiot_card_binding, f))

/* Field checks; returns false with @q filled in when the entry is bad. */
static bool job_decode(struct card *c, struct job *j,
		       struct aiot_card_cq_entry *q)
{
	struct aiot_card_sq_entry *d = &j->d;
	unsigned int i;

	d->job_id = le64toh(d->job_id);
	d->flags = le32toh(d->flags);
	d->nbindings = le32toh(d->nbindings);
	d->cs_sgl = le64toh(d->cs_sgl);
	d->cs_sgl_count = le32toh(d->cs_sgl_count);
	d->cs_size = le32toh(d->cs_size);
	q->job_id = d->job_id;

	if (d->flags & ~AIOT_CARD_DESC_F_KNOWN)
		goto bad_flags;
	if (d->nbindings > AIOT_CARD_MAX_BINDINGS) {
		cqe_fail(q, AIOT_CARD_CS_INVALID_DESC, SQE_OFF(nbindings),
			 EINVAL);
		return false;
	}
	if (d->cs_sgl_count == 0 || d->cs_sgl_count > AIOT_CARD_MAX_SG_ENTRIES) {
		cqe_fail(q, AIOT_CARD_CS_INVALID_DESC, SQE_OFF(cs_sgl_count),
			 EINVAL);
		return false;
	}
	if (d->cs_size == 0 || d->cs_size > AIOT_CARD_MAX_CS_SIZE) {
		cqe_fail(q, AIOT_CARD_CS_INVALID_DESC, SQE_OFF(cs_size), EINVAL);
		return false;
	}
	for (i = 0; i < 8; i++) {
		if (d->reserved[i]) {
			cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
				 SQE_OFF(reserved) + 4 * i, EINVAL);
			return false;
		}
	}
	for (i = 0; i < 16; i++) {
		if (d->reserved2[i]) {
			cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
				 SQE_OFF(reserved2) + 4 * i, EINVAL);
			return false;
		}
	}
	for (i = 0; i < AIOT_CARD_MAX_BINDINGS; i++) {
		struct aiot_card_binding *b = &d->bindings[i];

		b->sgl = le64toh(b->sgl);
		b->sgl_count = le32toh(b->sgl_count);
		b->flags = le32toh(b->flags);
		b->size = le64toh(b->size);
		if (b->flags & ~AIOT_CARD_BIND_DIR_MASK) {
			cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
				 BIND_OFF(i, flags), EINVAL);
			return false;
		}
		if (!b->flags || i >= d->nbindings) {
			if (b->flags || b->sgl || b->sgl_count || b->size) {
				cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
					 BIND_OFF(i, flags), EINVAL);
				return false;
			}
			continue;
		}
		if (b->sgl_count == 0 ||
		    b->sgl_count > AIOT_CARD_MAX_SG_ENTRIES) {
			cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
				 BIND_OFF(i, sgl_count), EINVAL);
			return false;
		}
		if (b->size == 0 || b->size > c->ram_size) {
			cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
				 BIND_OFF(i, size), EINVAL);
			return false;
		}
	}
	return true;

bad_flags:
	cqe_fail(q, AIOT_CARD_CS_INVALID_DESC, SQE_OFF(flags), EINVAL);
	return false;
}

/*
 * Run one submission. Returns false when no completion may be posted
 * (reset, removal, shutdown cut it short).
 */
static bool job_run(struct card *c, struct job *j, struct aiot_card_cq_entry *q)
{
	struct aiot_card_sq_entry *d = &j->d;
	struct aiot_isa_exec_control ctl = { .should_stop = exec_hook,
					     .arg = c };
	struct aiot_isa_summary sum;
	uint32_t readable = 0, writable = 0;
	unsigned int i, nb;
	int r;

	if (!job_decode(c, j, q))
		return true;
	nb = d->nbindings;

	if (knob_take(c, AIOT_CARD_REG_KNOB_DMA_ERROR)) {
		cqe_fail(q, AIOT_CARD_CS_DMA_ERROR, AIOT_CARD_DMA_DETAIL_STREAM,
			 EFAULT);
		return true;
	}
	if (rd32(c, AIOT_CARD_REG_KNOB_HANG)) {
		wr32(c, AIOT_CARD_REG_KNOB_HANG, 0);
		c->job_hang = true;
	}
	c->slow_us = rd32(c, AIOT_CARD_REG_KNOB_SLOW_US);
	if (c->slow_us > CARD_MAX_SLOW_US)
		c->slow_us = CARD_MAX_SLOW_US;

	q->started_ns = card_now_ns(c);
	wr64(c, AIOT_CARD_REG_CLOCK_NS, q->started_ns);
	r = sg_fetch(c, d->cs_sgl, d->cs_sgl_count, d->cs_size, &j->cs_sg);
	if (r == -ENOMEM) {
		cqe_fail(q, AIOT_CARD_CS_EXEC_ERROR, 0xffffffffu, ENOMEM);
		return true;
	}
	if (r) {
		cqe_fail(q, AIOT_CARD_CS_DMA_ERROR, AIOT_CARD_DMA_DETAIL_STREAM,
			 EFAULT);
		return true;
	}
	j->stream = malloc(d->cs_size);
	if (!j->stream) {
		cqe_fail(q, AIOT_CARD_CS_EXEC_ERROR, 0xffffffffu, ENOMEM);
		return true;
	}
	sg_copy(c, &j->cs_sg, j->stream, d->cs_size, false);

	for (i = 0; i < nb; i++) {
		struct aiot_card_binding *b = &d->bindings[i];

		if (!b->flags)
			continue;
		if (b->flags & AIOT_CARD_BIND_READ)
			readable |= 1u << i;
		if (b->flags & AIOT_CARD_BIND_WRITE)
			writable |= 1u << i;
		r = sg_fetch(c, b->sgl, b->sgl_count, b->size, &j->sg[i]);
		if (r == -ENOMEM) {
			cqe_fail(q, AIOT_CARD_CS_EXEC_ERROR, 0xffffffffu,
				 ENOMEM);
			return true;
		}
		if (r) {
			cqe_fail(q, AIOT_CARD_CS_DMA_ERROR, i, EFAULT);
			return true;
		}
		j->buf[i] = malloc(b->size);
		if (!j->buf[i]) {
			cqe_fail(q, AIOT_CARD_CS_EXEC_ERROR, 0xffffffffu,
				 ENOMEM);
			return true;
		}
		j->size[i] = b->size;
		/* Every bound buffer is read: unwritten bytes keep values. */
		sg_copy(c, &j->sg[i], j->buf[i], b->size, false);
	}

	r = aiot_isa_validate(j->stream, d->cs_size, j->size, nb, &sum);
	if (r) {
		cqe_fail(q, AIOT_CARD_CS_INVALID_STREAM, sum.error_op, r);
		return true;
	}
	for (i = 0; i < nb; i++) {
		uint32_t bit = 1u << i;

		if (((sum.bindings_written & bit) && !(writable & bit)) ||
		    ((sum.bindings_read & bit) && !(readable & bit))) {
			cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
				 BIND_OFF(i, flags), EINVAL);
			return true;
		}
	}

	c->in_job = true;
	c->job_progress = 0;
	update_status(c);
	/* BUSY until its results and completion are written (the caller). */
	r = aiot_isa_execute_ctl(j->stream, d->cs_size, (void *const *)j->buf,
				 j->size, nb, &ctl);
	c->job_hang = false;
	q->progress = c->job_progress;
	if (c->abort_job)
		return false;
	if (r) {
		cqe_fail(q, AIOT_CARD_CS_EXEC_ERROR, 0xffffffffu, r);
		return true;
	}
	for (i = 0; i < nb; i++) {
		if (writable & (1u << i))
			sg_copy(c, &j->sg[i], j->buf[i], j->size[i], true);
	}
	return true;
}

static void post_completion(struct card *c, struct aiot_card_cq_entry *q,
			    bool irq)
{
	uint64_t addr = c->cq_base +
			(uint64_t)(c->cq_tail & (c->cq_size - 1)) * CARD_CQE_SIZE;
	struct aiot_card_cq_entry le;

	q->seq = c->cq_tail;
	q->ended_ns = card_now_ns(c);
	wr64(c, AIOT_CARD_REG_CLOCK_NS, q->ended_ns);
	if (knob_take(c, AIOT_CARD_REG_KNOB_CORRUPT_CQE)) {
		q->seq ^= 0x5a5a5a5au;
		q->job_id = ~q->job_id;
	}
	memset(&le, 0, sizeof(le));
	le.job_id = htole64(q->job_id);
	le.seq = htole32(q->seq);
	le.status = htole32(q->status);
	le.detail = htole32(q->detail);
	le.errno_val = htole32(q->errno_val);
	le.started_ns = htole64(q->started_ns);
	le.ended_ns = htole64(q->ended_ns);
	le.progress = htole64(q->progress);
	if (dma_write(c, addr, &le, sizeof(le))) {
		card_fatal(c, AIOT_CARD_ERR_CQ_DMA, c->cq_tail);
		return;
	}
	c->cq_tail++;
	c->jobs_done++;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr32(c, AIOT_CARD_REG_CQ_TAIL, c->cq_tail);
	wr64(c, AIOT_CARD_REG_JOBS_DONE, c->jobs_done);
	if (irq)
		raise_irq(c, AIOT_CARD_IRQ_COMPLETION);
}

static void process_submissions(struct card *c)
{
	while (c->enabled && !c->halted_error && !c->removed && !c->stop &&
	       !c->control_pending) {
		uint32_t tail = rd32(c, AIOT_CARD_REG_SQ_TAIL);
		uint32_t cq_head = rd32(c, AIOT_CARD_REG_CQ_HEAD);
		uint64_t addr;
		struct aiot_card_cq_entry q;
		struct job *j;
		bool post, irq;

		if (tail == c->sq_head)
			return;
		if (tail - c->sq_head > c->sq_size) {
			card_fatal(c, AIOT_CARD_ERR_SQ_OVERRUN, tail);
			return;
		}
		if (c->cq_tail - cq_head > c->cq_size) {
			card_fatal(c, AIOT_CARD_ERR_CQ_OVERRUN, cq_head);
			return;
		}
		if (c->cq_tail - cq_head == c->cq_size)
			return;		/* no room: wait for CQ_HEAD */

		j = calloc(1, sizeof(*j));
		if (!j) {
			card_fatal(c, AIOT_CARD_ERR_INTERNAL, ENOMEM);
			return;
		}
		addr = c->sq_base +
		       (uint64_t)(c->sq_head & (c->sq_size - 1)) * CARD_SQE_SIZE;
		if (dma_read(c, addr, &j->d, sizeof(j->d))) {
			free(j);
			card_fatal(c, AIOT_CARD_ERR_SQ_DMA, c->sq_head);
			return;
		}
		c->sq_head++;
		wr32(c, AIOT_CARD_REG_SQ_HEAD, c->sq_head);

		memset(&q, 0, sizeof(q));
		c->abort_job = false;
		post = job_run(c, j, &q);
		irq = j->d.flags & AIOT_CARD_DESC_F_IRQ;
		job_free(j);
		free(j);
		if (post && !c->removed)
			post_completion(c, &q, irq);
		/* The job's last DMA is done: BUSY clears (spec 3.2). */
		if (c->in_job) {
			c->in_job = false;
			update_status(c);
		}
		c->abort_job = false;
	}
}

/* ------------------------------------------------------------------ */
/* control                                                             */
/* ------------------------------------------------------------------ */

static bool ring_ok(struct card *c, uint64_t base, uint32_t size,
		    uint64_t esize, uint64_t align)
{
	return size && size <= AIOT_CARD_MAX_RING_ENTRIES &&
	       !(size & (size - 1)) && !(base & (align - 1)) &&
	       dma_ok(c, base, size * esize);
}

static void card_enable(struct card *c)
{
	int r = map_ram(c);

	if (r) {
		card_log(c, 0, "cannot map guest RAM %s: %s", c->opt.ram_path,
			 strerror(-r));
		card_fatal(c, AIOT_CARD_ERR_INTERNAL, (uint32_t)-r);
		return;
	}
	c->sq_base = rd64(c, AIOT_CARD_REG_SQ_BASE);
	c->sq_size = rd32(c, AIOT_CARD_REG_SQ_SIZE);
	c->cq_base = rd64(c, AIOT_CARD_REG_CQ_BASE);
	c->cq_size = rd32(c, AIOT_CARD_REG_CQ_SIZE);
	if (!ring_ok(c, c->sq_base, c->sq_size, CARD_SQE_SIZE, 512) ||
	    !ring_ok(c, c->cq_base, c->cq_size, CARD_CQE_SIZE, 64) ||
	    c->cq_size < c->sq_size) {
		card_fatal(c, AIOT_CARD_ERR_RING_CONFIG, 0);
		return;
	}
	c->enabled = true;
	card_log(c, 1, "enabled: sq %u@0x%llx cq %u@0x%llx", c->sq_size,
		 (unsigned long long)c->sq_base, c->cq_size,
		 (unsigned long long)c->cq_base);
	update_status(c);
}

static void handle_control(struct card *c)
{
	uint32_t ctrl;

	handle_irq_regs(c);
	if (reset_requested(c))
		card_reset(c);
	ctrl = rd32(c, AIOT_CARD_REG_CONTROL);
	if ((ctrl & AIOT_CARD_CONTROL_ENABLE) && !c->enabled &&
	    !c->halted_error)
		card_enable(c);
	else if (!(ctrl & AIOT_CARD_CONTROL_ENABLE) && c->enabled) {
		c->enabled = false;
		update_status(c);
	}
}

/* ------------------------------------------------------------------ */
/* setup and main loop                                                 */
/* ------------------------------------------------------------------ */

static void on_signal(int sig)
{
	(void)sig;
	card_signalled = 1;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 4) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int card_init(struct card *c, const struct card_options *opt)
{
	struct sigaction sa;
	sigset_t block;
	int v, r;

	memset(c, 0, sizeof(*c));
	c->opt = *opt;
	c->shm_fd = c->ram_fd = c->listen_fd = c->ctl_listen_fd = -1;
	c->ctl.fd = -1;
	c->guest.sock = -1;
	for (v = 0; v < CARD_MAX_VECTORS; v++)
		c->db_fd[v] = c->guest.irq_fd[v] = -1;
	c->next_peer_id = 1;
	c->clock_origin = mono_ns();
	c->irq_mask_seen = AIOT_CARD_IRQ_ALL;

	if (opt->shm_size < AIOT_CARD_MIN_SHM_SIZE ||
	    (opt->shm_size & (opt->shm_size - 1))) {
		fprintf(stderr, "aiot-npu-card: shm size must be a power of two >= %u\n",
			AIOT_CARD_MIN_SHM_SIZE);
		return -EINVAL;
	}
	if (opt->shm_path)
		c->shm_fd = open(opt->shm_path, O_RDWR | O_CREAT | O_CLOEXEC,
				 0600);
	else
		c->shm_fd = memfd_create("aiot-npu-card-bar2", MFD_CLOEXEC);
	if (c->shm_fd < 0 || ftruncate(c->shm_fd, (off_t)opt->shm_size) < 0) {
		r = -errno;
		fprintf(stderr, "aiot-npu-card: shared memory: %s\n",
			strerror(errno));
		return r;
	}
	c->bar = mmap(NULL, opt->shm_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->shm_fd, 0);
	if (c->bar == MAP_FAILED) {
		c->bar = NULL;
		return -errno;
	}
	for (v = 0; v < CARD_MAX_VECTORS; v++) {
		c->db_fd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (c->db_fd[v] < 0)
			return -errno;
	}
	regs_power_on(c);

	c->listen_fd = listen_unix(opt->socket_path);
	if (c->listen_fd < 0) {
		fprintf(stderr, "aiot-npu-card: %s: %s\n", opt->socket_path,
			strerror(-c->listen_fd));
		return c->listen_fd;
	}
	if (opt->control_path) {
		c->ctl_listen_fd = listen_unix(opt->control_path);
		if (c->ctl_listen_fd < 0) {
			fprintf(stderr, "aiot-npu-card: %s: %s\n",
				opt->control_path, strerror(-c->ctl_listen_fd));
			return c->ctl_listen_fd;
		}
	}

	/* Signals are only delivered inside ppoll(): no race with the flag. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &card_wait_mask);
	sigdelset(&card_wait_mask, SIGTERM);
	sigdelset(&card_wait_mask, SIGINT);
	sigdelset(&card_wait_mask, SIGHUP);
	return 0;
}

int card_run(struct card *c)
{
	while (!c->stop) {
		card_service(c, CARD_TICK_NS);
		if (c->stop)
			break;
		if (c->removed)
			continue;
		if (c->control_pending) {
			c->control_pending = false;
			handle_control(c);
		}
		c->submit_pending = false;
		process_submissions(c);
	}
	return 0;
}

void card_fini(struct card *c)
{
	int v;

	if (c->bar) {
		/* Gone: as a removed PCIe device, everything reads ones. */
		memset(c->bar, 0xff, AIOT_CARD_REG_BLOCK_SIZE);
		munmap(c->bar, c->opt.shm_size);
	}
	guest_close(c);
	unmap_ram(c);
	if (c->ctl.fd >= 0)
		close(c->ctl.fd);
	if (c->listen_fd >= 0) {
		close(c->listen_fd);
		unlink(c->opt.socket_path);
	}
	if (c->ctl_listen_fd >= 0) {
		close(c->ctl_listen_fd);
		unlink(c->opt.control_path);
	}
	for (v = 0; v < CARD_MAX_VECTORS; v++)
		if (c->db_fd[v] >= 0)
			close(c->db_fd[v]);
	if (c->shm_fd >= 0)
		close(c->shm_fd);
}
