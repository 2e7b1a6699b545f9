// SPDX-License-Identifier: GPL-2.0-only
/*
 * The accelerator end to end on the NPU under test (aiot-qemu --npu): buffer
 * objects, PRIME (also of a sensor slot, into two processes), job submission
 * with implicit and explicit fences, job records, timeouts and reset,
 * processes dying mid-job, and every malformed argument.
 */
#include "accel.h"

TAP_MAIN_WITH_HOOK(aiot_test_check_jobs_released,
	TAP_CASE(bo_create_map_and_reject),
	TAP_CASE(bo_prime_roundtrip),
	TAP_CASE(sensor_slot_imported_into_two_processes),
	TAP_CASE(null_job_completes_with_timestamps),
	TAP_CASE(fully_connected_is_bit_exact),
	TAP_CASE(stream_is_copied_at_submit),
	TAP_CASE(out_syncobj_and_sync_file),
	TAP_CASE(fences_order_jobs),
	TAP_CASE(bo_wait_times_out_on_busy_buffer),
	TAP_CASE(deadline_missed_job_does_not_run),
	TAP_CASE(malformed_submits_rejected),
	TAP_CASE(job_wait_rejects),
	TAP_CASE(records_are_per_file_and_bounded),
	TAP_CASE(hung_job_reset_others_survive),
	TAP_CASE(process_killed_mid_job),
	TAP_CASE(close_with_queued_jobs),
	TAP_CASE(fdinfo_reports_usage),
	TAP_CASE(slow_job_with_progress_not_reset),
	TAP_CASE(backend_removed_with_jobs_in_flight),
)
