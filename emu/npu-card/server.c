// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-npu-card: the ivshmem server (QEMU's peers, eventfds), the host
 * control socket and the service loop that watches them.
 */
#include "card_internal.h"

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

void guest_close(struct card *c)
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

bool reset_requested(struct card *c)
{
	return rd32(c, AIOT_CARD_REG_RESET_REQ) !=
	       rd32(c, AIOT_CARD_REG_RESET_ACK) &&
	       !rd32(c, AIOT_CARD_REG_KNOB_REFUSE_RESET);
}

/* IRQ_ACK and IRQ_MASK: safe at any time, even inside a job. */
void handle_irq_regs(struct card *c)
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
void card_service(struct card *c, uint64_t timeout_ns)
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
