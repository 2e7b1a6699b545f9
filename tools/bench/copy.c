// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-bench's relay paths, where the application stands between the
 * sensor and the NPU: (b) dequeue a slot and submit a job on the slot
 * itself (no copy); (c) dequeue a slot, copy it out of the ring, copy it
 * into the model's input tensor, run the model.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* ------------------------------------------------------ (b) copy path */

/*
 * The copying paths' next slot, as an application dequeues it: its
 * sequence gap counted as drops; a slot whose DMA failed is counted and
 * given back (false). Otherwise *data is the slot's samples, still queued
 * to nobody until the caller gives the slot back.
 */
bool next_slot(struct ctx *c, struct aiot_sensor *s, struct result *r,
	       struct lp_sequence *seq, struct aiot_sensor_slot *slot,
	       const void **data)
{
	int ret;

	ret = aiot_sensor_dequeue(s, 2 * NS + (int64_t)(NS / c->st.slot_rate_hz), slot);
	if (ret)
		die("dequeue from %s: %s", c->o->sensor, aiot_strerror(ret));
	r->drops += lp_sequence_gap(seq, slot->sequence);
	if (slot->flags & AIOT_SENSOR_BUF_ERROR) {
		r->errors++;
		aiot_sensor_queue(s, slot->index);
		return false;
	}
	if ((ret = aiot_sensor_get_slot_data(s, slot->index, data)))
		die("map slot: %s", aiot_strerror(ret));
	return true;
}

void run_copy(struct ctx *c, struct result *r)
{
	struct aiot_sensor *s = configure_sensor(c, c->o->slots);
	uint8_t *buf = malloc(c->st.in_size);
	uint64_t lib0 = aiot_accel_get_stat(c->st.accel, AIOT_STAT_BYTES_COPIED);
	struct lp_sequence seq = { 0 };
	struct path_run run;
	const void *scores;
	int ret;

	if (!buf)
		die("out of memory");
	/* The model's own input buffer: undo any earlier binding. */
	aiot_model_bind_input(c->st.model, 0, NULL);
	if ((ret = aiot_model_map_output(c->st.model, 0, &scores)))
		die("map output: %s", aiot_strerror(ret));
	path_start(c, s, PATH_COPY, &run);
	while (path_running(&run)) {
		struct aiot_sensor_slot slot;
		struct lp_decision d = { 0 };
		const void *data;

		if (!next_slot(c, s, r, &seq, &slot, &data))
			continue;
		/* What read() does: the slot's bytes into the application's memory. */
		memcpy(buf, data, c->st.in_size);
		r->app_copied += c->st.in_size;
		if ((ret = aiot_sensor_queue(s, slot.index)))
			die("queue slot %u: %s", slot.index, aiot_strerror(ret));
		/* Then into the accelerator's tensor. */
		if ((ret = aiot_model_write_input(c->st.model, 0, buf, c->st.in_size)))
			die("write input: %s", aiot_strerror(ret));
		d.slot = slot;
		if (run_job(c->st.model, NULL, s, &d)) {
			r->errors++;
			continue;
		}
		path_decision(c, r, &run, &d, scores);
	}
	path_stop(c, r, &run, s);
	r->lib_copied = aiot_accel_get_stat(c->st.accel, AIOT_STAT_BYTES_COPIED) - lib0;
	aiot_sensor_close(s);
	free(buf);
	r->ran = true;
}

/* ------------------------------------------- (b) relay, no copy */

void run_relay(struct ctx *c, struct result *r)
{
	struct aiot_sensor *s = configure_sensor(c, c->o->slots);
	struct aiot_buffer *slot_buf[MAX_SLOTS] = { 0 }, *out = NULL;
	struct aiot_job_config *cfg = aiot_job_config_new();
	uint64_t lib0 = aiot_accel_get_stat(c->st.accel, AIOT_STAT_BYTES_COPIED);
	struct lp_sequence seq = { 0 };
	struct path_run run;
	void *scores;
	int ret;

	if (!cfg)
		die("out of memory");
	for (unsigned int i = 0; i < c->o->slots; i++)
		if ((ret = aiot_sensor_import_slot(s, i, c->st.accel, &slot_buf[i])))
			die("import slot %u of %s: %s", i, c->o->sensor, aiot_strerror(ret));
	if ((ret = aiot_buffer_create(c->st.accel, c->st.out_offset + c->st.out_size, &out)) ||
	    (ret = aiot_buffer_map(out, &scores)))
		die("output buffer: %s", aiot_strerror(ret));
	aiot_job_config_set_binding(cfg, c->st.out_binding, out);
	path_start(c, s, PATH_RELAY, &run);
	while (path_running(&run)) {
		struct aiot_sensor_slot slot;
		struct lp_decision d = { 0 };
		const void *data;

		if (!next_slot(c, s, r, &seq, &slot, &data))
			continue;
		/* The slot itself is the input: nothing is copied. */
		aiot_job_config_set_binding(cfg, c->st.in_binding, slot_buf[slot.index]);
		d.slot = slot;
		if (run_job(c->st.model, cfg, s, &d))
			r->errors++;
		else
			path_decision(c, r, &run, &d, (const uint8_t *)scores + c->st.out_offset);
		if ((ret = aiot_sensor_queue(s, slot.index)))
			die("queue slot %u: %s", slot.index, aiot_strerror(ret));
	}
	path_stop(c, r, &run, s);
	r->lib_copied = aiot_accel_get_stat(c->st.accel, AIOT_STAT_BYTES_COPIED) - lib0;
	for (unsigned int i = 0; i < c->o->slots; i++)
		aiot_buffer_free(slot_buf[i]);
	aiot_buffer_free(out);
	aiot_job_config_free(cfg);
	aiot_sensor_close(s);
	r->ran = true;
}
