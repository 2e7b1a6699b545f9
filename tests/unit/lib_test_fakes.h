/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Objects of libaiot-accel made without a device, for the host unit tests.
 * The library's internals use C11 atomics that C++ cannot include, so this
 * small C file builds them and the tests see only opaque pointers.
 */
#ifndef AIOT_LIB_TEST_FAKES_H
#define AIOT_LIB_TEST_FAKES_H

#include <stddef.h>
#include <stdint.h>

#include <aiot/accel.h>
#include <aiot/model_format.h>
#include <drm.h>
#include <drm/aiot_accel.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An accelerator on /dev/null claiming capabilities @caps. */
struct aiot_accel *fake_accel_new(uint64_t caps);
/* A buffer of @size bytes with GEM handle @handle on @accel (no device). */
struct aiot_buffer *fake_buffer_new(struct aiot_accel *accel, uint32_t handle,
				    size_t size);
void fake_buffer_free(struct aiot_buffer *buffer);
/* A job of @accel with out-syncobj @syncobj. */
struct aiot_job *fake_job_new(struct aiot_accel *accel, uint32_t syncobj);
void fake_job_free(struct aiot_job *job);
/*
 * A model of @accel with one int8 input of @in_size bytes at @in_offset of
 * binding slot 1, whose slot needs @slot_need bytes, and one output; its
 * own buffers are fake.
 */
struct aiot_model *fake_model_new(struct aiot_accel *accel, uint32_t in_offset,
				  uint32_t in_size, size_t slot_need);
void fake_model_free(struct aiot_model *model);
/* The fake model's output description, to change. */
struct aiot_model_tensor *fake_model_output_desc(struct aiot_model *model);
/* Its output buffer "mapped" at @mem (the caller's, at least 4096 bytes). */
void fake_model_map_output(struct aiot_model *model, void *mem);
/* The library's configuration-to-SUBMIT translation. */
int fake_config_to_submit(const struct aiot_job_config *config,
			  const struct aiot_accel *accel,
			  struct drm_aiot_submit *submit);

#ifdef __cplusplus
}
#endif

#endif
