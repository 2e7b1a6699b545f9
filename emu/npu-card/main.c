// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-npu-card: command line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: aiot-npu-card --socket PATH --ram PATH [options]\n"
"\n"
"The aiot NPU card (docs/npu-card.md) for QEMU's ivshmem-doorbell device:\n"
"an ivshmem server (protocol 0) that executes aiot command streams by DMA\n"
"into the guest RAM file.\n"
"\n"
"  -s, --socket PATH     ivshmem server socket (QEMU: -chardev socket,path=PATH)\n"
"  -r, --ram PATH        guest RAM file (QEMU: memory-backend-file mem-path=PATH,\n"
"                        share=on); opened when the driver enables the card\n"
"  -m, --shm PATH        BAR2 file to create (default: an anonymous memfd)\n"
"  -l, --shm-size N      BAR2 size, power of two >= 64K (default 64K; K/M suffix)\n"
"  -c, --control PATH    control socket: one command per line, answers ok/err:\n"
"                        hang [0|1], slow-us N, dma-error N, corrupt-cqe N,\n"
"                        refuse-reset 0|1, remove, restore, status, quit\n"
"  -w, --dma-window N    bytes of guest RAM the card may reach (default: all)\n"
"  -b, --ram-base ADDR   bus address of the RAM file's first byte: the guest's\n"
"                        first RAM address (default 0, q35; 0x40000000 on\n"
"                        arm64's virt machine)\n"
"  -p, --persist         keep serving after the guest disconnects\n"
"      --fake-version V  report VERSION V (tests of the driver's refusal)\n"
"      --extra-caps BITS OR BITS into CAPS (tests of the driver's refusal)\n"
"  -v, --verbose         log events to stderr (twice: more)\n"
"  -h, --help\n"
"\n"
"Start QEMU with:\n"
"  -object memory-backend-file,id=ram,size=1G,mem-path=RAMFILE,share=on\n"
"  -machine q35,memory-backend=ram -m 1G\n"
"  -chardev socket,id=card,path=SOCKET\n"
"  -device ivshmem-doorbell,chardev=card,vectors=2\n"
"Exits when the guest disconnects (unless --persist) or on SIGTERM/SIGINT.\n");
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "ram", required_argument, NULL, 'r' },
		{ "shm", required_argument, NULL, 'm' },
		{ "shm-size", required_argument, NULL, 'l' },
		{ "control", required_argument, NULL, 'c' },
		{ "dma-window", required_argument, NULL, 'w' },
		{ "ram-base", required_argument, NULL, 'b' },
		{ "persist", no_argument, NULL, 'p' },
		{ "fake-version", required_argument, NULL, 'V' },
		{ "extra-caps", required_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct card_options opt = { .shm_size = AIOT_CARD_MIN_SHM_SIZE };
	struct card card;
	uint64_t v;
	int ch, r;

	while ((ch = getopt_long(argc, argv, "s:r:m:l:c:w:b:pvh", lopts,
				 NULL)) != -1) {
		switch (ch) {
		case 's':
			opt.socket_path = optarg;
			break;
		case 'r':
			opt.ram_path = optarg;
			break;
		case 'm':
			opt.shm_path = optarg;
			break;
		case 'c':
			opt.control_path = optarg;
			break;
		case 'l':
		case 'w':
		case 'b':
		case 'V':
		case 'C':
			if (parse_size(optarg, &v) ||
			    ((ch == 'V' || ch == 'C') && v > 0xffffffffu)) {
				fprintf(stderr, "aiot-npu-card: bad number '%s'\n",
					optarg);
				return 2;
			}
			if (ch == 'l')
				opt.shm_size = v;
			else if (ch == 'w')
				opt.dma_window = v;
			else if (ch == 'b')
				opt.ram_base = v;
			else if (ch == 'V')
				opt.fake_version = (uint32_t)v;
			else
				opt.extra_caps = (uint32_t)v;
			break;
		case 'p':
			opt.persist = true;
			break;
		case 'v':
			opt.verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!opt.socket_path || !opt.ram_path || optind != argc) {
		usage(stderr);
		return 2;
	}

	r = card_init(&card, &opt);
	if (!r)
		r = card_run(&card);
	card_fini(&card);
	return r ? 1 : 0;
}
