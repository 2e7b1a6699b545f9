// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer target for the aiot ISA validator and executor (the very
 * sources the kernel builds). Input: 4 bytes giving the sizes of bindings
 * 0..3 in 64-byte units, then the command stream. Each binding is its own
 * exact-size allocation, so ASan reports any access past a buffer.
 *
 * Checks: the executor is memory-safe on any stream, validated or not, and
 * it accepts exactly the streams the validator accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aiot_isa.h"

#define FUZZ_BINDINGS	4
/* Keeps each run fast: skip execution of streams with more work. */
#define FUZZ_MAX_WORK	(1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *bufs[FUZZ_BINDINGS] = { 0 };
	u64 sizes[FUZZ_BINDINGS];
	struct aiot_isa_summary sum;
	const uint8_t *stream;
	size_t len;
	void *copy;
	int i, v, r;

	if (size < FUZZ_BINDINGS)
		return 0;
	for (i = 0; i < FUZZ_BINDINGS; i++) {
		sizes[i] = (u64)data[i] * 64;
		bufs[i] = malloc(sizes[i] ? sizes[i] : 1);
		if (!bufs[i])
			abort();
		/* Deterministic, non-trivial contents. */
		memset(bufs[i], 0x5a ^ (i * 37) ^ (int)size, sizes[i]);
	}
	stream = data + FUZZ_BINDINGS;
	len = size - FUZZ_BINDINGS;
	/* An exact-size copy, so reads past the stream are caught too. */
	copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, stream, len);

	v = aiot_isa_validate(copy, len, sizes, FUZZ_BINDINGS, &sum);
	if (v > 0 || (v == 0 && sum.error_op != AIOT_ISA_NO_OP))
		abort();
	if (v != 0 || sum.work <= FUZZ_MAX_WORK) {
		r = aiot_isa_execute(copy, len, bufs, sizes, FUZZ_BINDINGS);
		if (r != v)
			abort();
	}
	free(copy);
	for (i = 0; i < FUZZ_BINDINGS; i++)
		free(bufs[i]);
	return 0;
}
