// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sensor streams from aiot-sim's simulated sensors: content against the
 * generators, sequence numbers and timestamps, drops under a stalled reader,
 * both overflow policies, dma-buf export with mmap and DMA_BUF_IOCTL_SYNC,
 * write fences (signalled on completion, with an error on stop, fault and
 * timeout), and rejection of every bad request.
 *
 * Timing: QEMU here is TCG, slow and jittery. Nothing asserts speed; waits
 * are long; assertions are on counts and relations (and on timestamps,
 * which the sensor computes from its sample clock, not from when the
 * emulated timer happened to run).
 */
#include "sensor.h"

TAP_MAIN(
	TAP_CASE(sensors_present),
	TAP_CASE(info_struct_sizes),
	TAP_CASE(bad_configs_rejected),
	TAP_CASE(bad_buffer_requests_rejected),
	TAP_CASE(accel_ramp),
	TAP_CASE(accel_sine_two_channels),
	TAP_CASE(accel_anomaly),
	TAP_CASE(mic_16k_sine),
	TAP_CASE(mic_16k_noise),
	TAP_CASE(camera_frames),
	TAP_CASE(camera_two_frames_per_slot_ramp),
	TAP_CASE(drop_newest_under_stalled_reader),
	TAP_CASE(overwrite_oldest_under_stalled_reader),
	TAP_CASE(dmabuf_export_mmap_sync),
	TAP_CASE(fence_signals_on_completion),
	TAP_CASE(fence_error_on_stop),
	TAP_CASE(fence_error_on_dma_fault),
	TAP_CASE(fence_error_on_dma_timeout),
	TAP_CASE(replay_mic_speech),
	TAP_CASE(replay_camera_frame),
	TAP_CASE(replay_accel_taps),
	TAP_CASE(replay_named_firmware),
	TAP_CASE(replay_written_recording),
	TAP_CASE(test_patterns_named_in_sysfs),
	TAP_CASE(replay_bad_names_rejected),
	TAP_CASE(replay_bad_recordings_rejected),
	TAP_CASE(read_matches_generator),
	TAP_CASE(read_blocking_and_nonblocking),
	TAP_CASE(read_bad_requests_rejected),
	TAP_CASE(unplug_while_streaming),
)
