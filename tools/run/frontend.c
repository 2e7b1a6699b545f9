// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run --frontend FE.aiot: a 16-bit mono .wav through an audio front
 * end model (audio_preprocessor_int8.tflite, compiled) frame by frame, its
 * feature rows stacked into the main model's int8 input, then the main
 * model (micro_speech_quantized): the keyword spotter's whole path on one
 * device. Frames are the front end's input length and overlap by a third
 * (micro_speech's 30 ms window every 20 ms). The front end is loaded anew
 * for each file, so its state across frames (the noise estimate) starts
 * from reset, as upstream's test does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int read_wav(const char *path, int16_t **pcm, size_t *count)
{
	uint8_t *f = NULL;
	size_t size = 0, at = 12;
	bool fmt_ok = false;
	int rc = tool_read_file(path, MAX_FILE_BYTES, &f, &size);

	if (rc)
		return rc;
	rc = -EINVAL;
	if (size < 12 || memcmp(f, "RIFF", 4) || memcmp(f + 8, "WAVE", 4))
		goto out;
	while (size - at >= 8) {
		uint32_t len = le32(f + at + 4);

		if (len > size - at - 8)
			break;
		if (!memcmp(f + at, "fmt ", 4) && len >= 16)
			fmt_ok = f[at + 8] == 1 && f[at + 9] == 0 &&	/* PCM */
				 f[at + 10] == 1 && f[at + 11] == 0 &&	/* mono */
				 f[at + 22] == 16 && f[at + 23] == 0;	/* 16 bit */
		if (!memcmp(f + at, "data", 4) && fmt_ok) {
			*count = len / 2;
			*pcm = malloc(*count * 2 + 1);
			if (!*pcm) {
				rc = -ENOMEM;
				goto out;
			}
			memcpy(*pcm, f + at + 8, *count * 2);
			rc = 0;
			goto out;
		}
		at += 8 + len + (len & 1);
	}
out:
	free(f);
	return rc;
}

int run_frontend(const char *fe_path, const char *accel_path, struct session *s,
		 const char *input, const char **labels, unsigned int nlabels)
{
	struct session fe = { 0 };
	size_t samples = 0, window, feat, frames, stride;
	double t0, fe_us = 0, kws_us;
	uint64_t fe_ns = 0;
	int16_t *pcm = NULL;
	bool rolling;
	int rc, status = EXIT_FAIL;

	rc = read_wav(input, &pcm, &samples);
	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", input, rc == -EINVAL ?
			"not a 16-bit mono PCM .wav" : strerror(-rc));
		return EXIT_IO;
	}
	rc = s->npu ? open_npu(&fe, accel_path, fe_path, false) : open_cpu(&fe, fe_path);
	if (rc)
		goto out;
	window = fe.in.size / 2;
	feat = fe.out.size;
	if (fe.in.dtype != AIOT_DTYPE_INT16 || fe.out.dtype != AIOT_DTYPE_INT8 ||
	    s->in.dtype != AIOT_DTYPE_INT8 || !feat || s->in.size % feat || window < 3) {
		fprintf(stderr, "aiot-run: --frontend: the front end must map int16 samples to "
			"int8 features whose rows fill the model's int8 input\n");
		goto out;
	}
	rolling = feat == s->in.size && fe.out.dims[2] > 1;
	frames = rolling ? fe.out.dims[2] : s->in.size / feat;
	stride = rolling ? window : window * 2 / 3;
	if (rolling && frames * window > samples) {
		fprintf(stderr, "aiot-run: %s: %zu samples; %zu slots of %zu need %zu\n", input,
			samples, frames, window, frames * window);
		goto out;
	}
	if (!rolling && (frames - 1) * stride + window > samples) {
		fprintf(stderr, "aiot-run: %s: %zu samples; %zu frames of %zu every %zu need %zu\n",
			input, samples, frames, window, stride, (frames - 1) * stride + window);
		goto out;
	}
	for (size_t i = 0; i < frames; i++) {
		memcpy(fe.in_buf, pcm + i * stride, window * 2);
		t0 = now_us();
		rc = infer(&fe);
		fe_us += now_us() - t0;
		fe_ns += fe.device_ns;
		if (rc) {
			fprintf(stderr, "aiot-run: %s: front end frame %zu failed: %s\n", input, i,
				strerror(-rc));
			goto out;
		}
		if (!rolling)
			memcpy(s->in_buf + i * feat, fe.out_buf, feat);
	}
	if (rolling)	/* the front end keeps the window itself */
		memcpy(s->in_buf, fe.out_buf, feat);
	t0 = now_us();
	rc = infer(s);
	kws_us = now_us() - t0;
	if (rc) {
		fprintf(stderr, "aiot-run: %s: inference failed: %s\n", input, strerror(-rc));
		goto out;
	}
	printf("%s: front end %zu frames, %.1f us per frame", input, frames,
	       fe_us / (double)frames);
	if (s->npu)
		printf(" (device %.1f us)", (double)fe_ns / 1e3 / (double)frames);
	printf("\n");
	print_scores(s, input, kws_us, labels, nlabels);
	status = EXIT_OK;
out:
	free(pcm);
	close_session(&fe);
	return status;
}
