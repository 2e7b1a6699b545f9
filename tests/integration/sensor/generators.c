// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sensor suite: what each of aiot-sim's patterns must produce, written
 * independently of the driver's code, and a slot checked against it.
 */
#include "sensor.h"

static uint32_t lowbias32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static int sine_hz(unsigned int kind, unsigned int ch)
{
	return kind == AIOT_SENSOR_KIND_MIC ? 440 : (int)ch + 1;
}

static double sine_amp(unsigned int kind)
{
	return kind == AIOT_SENSOR_KIND_MIC ? 8192.0 : 4096.0;
}

/* The recording being replayed (REPLAY), as read from its file. */
const uint8_t *rec_data;
uint32_t rec_bytes;

/* Expected element k of sample n; *tol is the accepted difference. */
long expect(const struct stream *st, uint32_t pattern, uint64_t n,
	    uint32_t k, long *tol)
{
	const struct aiot_sensor_config *c = &st->cfg;
	uint32_t elems = c->channels * st->info.width * st->info.height;
	uint64_t e = n * elems + k;
	int s16 = c->format == AIOT_SENSOR_FMT_S16_LE;

	*tol = 0;
	if (st->info.kind == AIOT_SENSOR_KIND_CAMERA &&
	    pattern == AIOT_SENSOR_PATTERN_LIVE) {
		uint32_t x = k % st->info.width, y = k / st->info.width;

		return (uint8_t)(x + y + 2 * n);
	}
	if (pattern == AIOT_SIM_PATTERN_ANOMALY)
		pattern = n % (2 * c->rate_hz) < c->rate_hz / 10 ?
			  AIOT_SIM_PATTERN_NOISE : AIOT_SIM_PATTERN_SINE;
	switch (pattern) {
	case AIOT_SIM_PATTERN_REPLAY: {
		uint64_t off = (e * (s16 ? 2 : 1)) % rec_bytes;

		return s16 ? (long)(int16_t)(rec_data[off] | rec_data[off + 1] << 8) :
			     rec_data[off];
	}
	case AIOT_SIM_PATTERN_RAMP:
		return s16 ? (long)(int16_t)(uint16_t)(e + n) : (uint8_t)(e + n);
	case AIOT_SIM_PATTERN_NOISE:
		return s16 ? (long)(int16_t)(lowbias32((uint32_t)e) >> 16) :
			     (long)(lowbias32((uint32_t)e) >> 24);
	default: {
		unsigned int ch = k % c->channels;
		double ph = (double)((n * sine_hz(st->info.kind, ch)) % c->rate_hz) /
			    c->rate_hz;

		*tol = 3;
		return lround(sine_amp(st->info.kind) * sin(2 * M_PI * ph));
	}
	}
}

/* Check every element of a filled slot against the generator. */
int check_slot(const struct stream *st, const uint8_t *p,
	       uint64_t seq, uint32_t pattern)
{
	const struct aiot_sensor_config *c = &st->cfg;
	uint32_t elems = c->channels * st->info.width * st->info.height;
	int s16 = c->format == AIOT_SENSOR_FMT_S16_LE;
	uint32_t i, k;
	int bad = 0;

	for (i = 0; i < c->samples_per_slot; i++) {
		uint64_t n = seq * c->samples_per_slot + i;

		for (k = 0; k < elems; k++) {
			long tol, want = expect(st, pattern, n, k, &tol);
			long got = s16 ? (int16_t)(p[0] | p[1] << 8) : p[0];

			p += s16 ? 2 : 1;
			if (labs(got - want) > tol) {
				if (bad++ < 3)
					tap_diag("seq %llu sample %llu elem %u: got %ld want %ld",
						 (unsigned long long)seq,
						 (unsigned long long)n, k, got, want);
			}
		}
	}
	return bad;
}
