// SPDX-License-Identifier: MIT
/* From sensor to decision in 30 lines of C (docs/libaiot-accel.md). */
#include <stdio.h>
#include <aiot/accel.h>
#include <aiot/sensor.h>

int main(int argc, char **argv)
{
	struct aiot_accel *npu; struct aiot_model *model; struct aiot_sensor *mic;
	struct aiot_sensor_settings *cfg = aiot_sensor_settings_new();
	struct aiot_buffer *slots[4]; struct aiot_sensor_slot slot; struct aiot_job *job;
	char err[256] = ""; int ret; uint64_t end;
	const int8_t *scores;

	if ((ret = aiot_accel_open_default(&npu)) || (ret = aiot_sensor_open_by_name("mic0", &mic)) ||
	    (ret = aiot_model_load_file(npu, argc > 1 ? argv[1] : "kws.aiot", &model, err, sizeof(err))))
		return fprintf(stderr, "%s %s\n", aiot_strerror(ret), err), 1;
	aiot_sensor_settings_set_rate(cfg, 16000);		/* 16 kHz mono S16 */
	aiot_sensor_settings_set_samples_per_slot(cfg, 16000);	/* one-second windows */
	if ((ret = aiot_sensor_configure(mic, cfg)))
		return fprintf(stderr, "configure: %s\n", aiot_strerror(ret)), 1;
	for (unsigned int i = 0; i < 4; i++)			/* slots become NPU buffers */
		if ((ret = aiot_sensor_import_slot(mic, i, npu, &slots[i])))
			return fprintf(stderr, "import: %s\n", aiot_strerror(ret)), 1;
	aiot_sensor_start(mic);
	while (aiot_sensor_dequeue(mic, -1, &slot) == 0) {	/* a filled window */
		aiot_model_bind_input(model, 0, slots[slot.index]);	/* no copy */
		if ((ret = aiot_model_submit(model, NULL, &job)) || (ret = aiot_job_wait(job, -1)))
			return fprintf(stderr, "run: %s\n", aiot_strerror(ret)), 1;
		aiot_job_get_timing(job, NULL, NULL, NULL, &end);
		aiot_model_map_output(model, 0, (const void **)&scores);
		printf("#%llu: score %d, %.1f ms after capture\n", (unsigned long long)slot.sequence,
		       scores[0], (end - slot.timestamp_ns) / 1e6);
		aiot_job_free(job);
		aiot_sensor_queue(mic, slot.index);		/* back to the DMA */
	}
	return 0;
}
