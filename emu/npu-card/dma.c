// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-npu-card: DMA into the guest's RAM, every address checked against
 * the window first, and scatter lists copied out and checked.
 */
#include "card_internal.h"

int map_ram(struct card *c)
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
	card_log(c, 1, "guest RAM %s: %llu bytes reachable from bus address 0x%llx",
		 c->opt.ram_path, (unsigned long long)c->ram_size,
		 (unsigned long long)c->opt.ram_base);
	return 0;
}

void unmap_ram(struct card *c)
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

/*
 * [addr, addr + len) inside the DMA window, without overflow. Bus address
 * ram_base is the RAM file's first byte (the guest's first RAM address:
 * 0 on x86's q35, 1 GiB on arm64's virt).
 */
bool dma_ok(struct card *c, uint64_t addr, uint64_t len)
{
	if (!c->ram || addr < c->opt.ram_base)
		return false;
	addr -= c->opt.ram_base;
	return addr <= c->ram_size && len <= c->ram_size - addr;
}

/* Where bus address @addr is mapped; dma_ok() said it is reachable. */
static uint8_t *ram_at(struct card *c, uint64_t addr)
{
	return c->ram + (addr - c->opt.ram_base);
}

int dma_read(struct card *c, uint64_t addr, void *dst, uint64_t len)
{
	if (!dma_ok(c, addr, len))
		return -EFAULT;
	memcpy(dst, ram_at(c, addr), len);
	return 0;
}

int dma_write(struct card *c, uint64_t addr, const void *src,
	      uint64_t len)
{
	if (!dma_ok(c, addr, len))
		return -EFAULT;
	memcpy(ram_at(c, addr), src, len);
	return 0;
}

int sg_fetch(struct card *c, uint64_t addr, uint32_t n, uint64_t need,
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
	memcpy(out->e, ram_at(c, addr), (size_t)n * CARD_SG_SIZE);
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

void sg_copy(struct card *c, const struct sg_list *sg, uint8_t *buf,
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
		/* Moving a job's data is progress: a big copy is not a hang. */
		card_progress(c);
	}
}
