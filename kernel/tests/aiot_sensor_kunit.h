/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KUnit: the fixture of the sensor stream core's suites
 * (aiot_sensor_kunit.c).
 */
#ifndef AIOT_SENSOR_KUNIT_H
#define AIOT_SENSOR_KUNIT_H

#include <kunit/test.h>

#include "aiot_sensor_priv.h"

/* A test sensor: one to three channels of S16_LE, LIVE or RAMP. */
extern const struct aiot_sensor_desc kstream_desc;
/* A good configuration of it: 3 channels, 100 Hz, 10 samples, 4 slots. */
struct aiot_sensor_config kstream_cfg(void);

/* Streams on a test backend: the test's priv while a case runs. */
struct kunit_stream {
	struct device *parent;
	struct aiot_sensor *s;
	struct file *owner;	/* a token, never dereferenced */
	int starts;
	int stops;
	bool unregistered;
};

/* The suite's init and exit: register, and unregister, the stream. */
int kstream_init(struct kunit *test);
void kstream_exit(struct kunit *test);
void kstream_configure(struct kunit *test, u32 slots, u32 overflow);
/* One period of the "DMA": returns the filled slot's index or -1. */
int kstream_produce(struct kunit *test, int error);
struct aiot_sensor_buffer kstream_dequeue(struct kunit *test);
void kstream_requeue(struct kunit *test, u32 index);
u64 kstream_drops(struct kunit *test);

#endif /* AIOT_SENSOR_KUNIT_H */
