// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-npu-card: the device model and the ivshmem server; this file sets
 * it up and runs its main loop. The parts are listed in card_internal.h.
 *
 * Everything the guest can write — registers in BAR2, ring entries,
 * scatter lists, addresses, sizes — is untrusted: it is copied out of
 * shared memory once, checked, and only then used. Addresses are checked
 * against the DMA window (the guest RAM file) before any byte is touched.
 */
#include "card_internal.h"

volatile sig_atomic_t card_signalled;
sigset_t card_wait_mask;

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
