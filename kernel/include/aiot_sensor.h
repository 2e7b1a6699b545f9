/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The seam between the aiot sensor stream core and a sensor backend.
 *
 * The core owns the character device, the ring of slots, the fences and the
 * dma-bufs; a backend describes its sensor and moves samples into slots as
 * its DMA would. Per period (one slot's worth of samples) the backend calls
 * aiot_sensor_dma_begin() to learn where to write, writes, and calls
 * aiot_sensor_dma_end(); both may be called from any context, hardirq
 * included. The core never touches registers.
 */
#ifndef _AIOT_SENSOR_H_
#define _AIOT_SENSOR_H_

#include <linux/ktime.h>
#include <linux/types.h>
#include <linux/aiot_sensor.h>

struct device;
struct aiot_sensor;
struct aiot_sensor_slot;

/**
 * struct aiot_sensor_desc - static description of a sensor
 * @name: stable name, at most %AIOT_SENSOR_NAME_LEN - 1 characters
 * @kind: &enum aiot_sensor_kind
 * @formats: bit (1 << fmt) per accepted &enum aiot_sensor_format
 * @patterns: bit (1 << pattern) per accepted pattern: LIVE (0) and the
 *	backend's test patterns
 * @test_patterns: the test patterns' names, indexed by pattern number: an
 *	entry for every bit of @patterns but LIVE's (sysfs test_patterns)
 * @min_channels: fewest channels
 * @max_channels: most channels
 * @width: elements per row of a sample (1 unless an image)
 * @height: rows per sample (1 unless an image)
 * @min_rate_hz: lowest sample rate
 * @max_rate_hz: highest sample rate
 */
struct aiot_sensor_desc {
	const char *name;
	u32 kind;
	u32 formats;
	u32 patterns;
	const char * const *test_patterns;
	u32 min_channels;
	u32 max_channels;
	u32 width;
	u32 height;
	u32 min_rate_hz;
	u32 max_rate_hz;
};

/**
 * struct aiot_sensor_ops - what a backend does for the core
 * @validate: optional; refuse a configuration the core found in range
 *	(-EINVAL or -ERANGE). Called with the stream's mutex held.
 * @start: required; begin producing periods with the configuration given.
 *	Called with the stream's mutex held, process context.
 * @stop: required; stop producing. When it returns the backend must not
 *	call aiot_sensor_dma_*() any more, and must have ended any slot it
 *	began. Called with the stream's mutex held, process context.
 */
struct aiot_sensor_ops {
	int (*validate)(struct aiot_sensor *sensor,
			const struct aiot_sensor_config *cfg);
	int (*start)(struct aiot_sensor *sensor,
		     const struct aiot_sensor_config *cfg);
	void (*stop)(struct aiot_sensor *sensor);
};

struct aiot_sensor *aiot_sensor_alloc(struct device *parent,
				      const struct aiot_sensor_desc *desc,
				      const struct aiot_sensor_ops *ops,
				      void *priv);
int aiot_sensor_add(struct aiot_sensor *sensor);
void aiot_sensor_put(struct aiot_sensor *sensor);
struct aiot_sensor *aiot_sensor_register(struct device *parent,
					 const struct aiot_sensor_desc *desc,
					 const struct aiot_sensor_ops *ops,
					 void *priv);
void aiot_sensor_unregister(struct aiot_sensor *sensor);
void *aiot_sensor_get_drvdata(struct aiot_sensor *sensor);

struct aiot_sensor_slot *aiot_sensor_dma_begin(struct aiot_sensor *sensor,
					       u64 *sequence, void **vaddr);
void aiot_sensor_dma_end(struct aiot_sensor *sensor,
			 struct aiot_sensor_slot *slot, ktime_t timestamp,
			 u32 bytesused, int error);
void aiot_sensor_dma_skip(struct aiot_sensor *sensor, u64 periods);

/*
 * An in-kernel consumer of a stream's filled slots (aiot.ko's standing
 * pipeline, docs/pipeline.md). It attaches through the file that owns the
 * stream; while attached the ring cannot be reconfigured.
 */
struct dma_buf;
struct file;

/**
 * struct aiot_sensor_slot_done - a slot the DMA has just filled
 * @index: the slot's index in the ring
 * @flags: AIOT_SENSOR_BUF_* of the slot
 * @sequence: the period's sequence number
 * @timestamp_ns: CLOCK_MONOTONIC time of its first sample
 * @dma_done_ns: CLOCK_MONOTONIC time its DMA completed
 * @bytesused: bytes written
 */
struct aiot_sensor_slot_done {
	u32 index;
	u32 flags;
	u64 sequence;
	u64 timestamp_ns;
	u64 dma_done_ns;
	u32 bytesused;
};

/**
 * struct aiot_sensor_consumer - an in-kernel consumer of filled slots
 * @slot_done: set by the consumer: a slot was filled and its write fence
 *	has signalled. Called under the stream's spinlock from any context
 *	(hardirq included): no sleeping, no allocation, no call back into
 *	the stream; queue a work item. Return true to hold the slot: the ring
 *	does not recycle it until @release_slot, so its data stays the
 *	period's until the consumer's jobs have their read fences on it.
 * @gone: set by the consumer: the sensor's backend is going away; no
 *	@slot_done follows. Same context rules as @slot_done.
 * @sensor: set by aiot_sensor_consumer_attach(): the stream
 * @slot_count: set by attach: slots of the ring
 * @slot_bytes: set by attach: bytes of a full slot
 * @export_slot: set by attach: slot @index as a read-only dma-buf (a
 *	reference), or an ERR_PTR. Process context.
 * @release_slot: set by attach: end the hold @slot_done took on slot
 *	@index. Process context.
 * @detach: set by attach: no @slot_done or @gone is called once it
 *	returns; every hold is released. Process context.
 */
struct aiot_sensor_consumer {
	bool (*slot_done)(struct aiot_sensor_consumer *c,
			  const struct aiot_sensor_slot_done *done);
	void (*gone)(struct aiot_sensor_consumer *c);
	struct aiot_sensor *sensor;
	u32 slot_count;
	u32 slot_bytes;
	struct dma_buf *(*export_slot)(struct aiot_sensor_consumer *c,
				       u32 index);
	void (*release_slot)(struct aiot_sensor_consumer *c, u32 index);
	void (*detach)(struct aiot_sensor_consumer *c);
};

int aiot_sensor_consumer_attach(struct file *owner,
				struct aiot_sensor_consumer *c);

#endif /* _AIOT_SENSOR_H_ */
