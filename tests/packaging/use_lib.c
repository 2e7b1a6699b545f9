// SPDX-License-Identifier: GPL-2.0-only
/*
 * Built by tests/packaging/check-debs against the installed
 * libaiot-accel-dev with nothing but `pkg-config --cflags --libs
 * aiot-accel`: every installed header compiles (the uAPI one needs libdrm's
 * drm.h), and the installed library parses a blob that the installed
 * aiot-compile wrote. Prints "name inputs outputs stream-bytes".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <aiot/accel.h>
#include <aiot/model_format.h>
#include <aiot/sensor.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>
#include <linux/aiot_sensor.h>

int main(int argc, char **argv)
{
	struct aiot_model_blob_view *view;
	static unsigned char blob[1 << 20];
	char err[256] = "";
	size_t size;
	FILE *f;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: use_lib MODEL.aiot\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	size = fread(blob, 1, sizeof(blob), f);
	fclose(f);

	view = calloc(1, sizeof(*view));
	if (!view)
		return 1;
	ret = aiot_model_blob_parse(blob, size, view, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "%s: %s (%s)\n", argv[1], aiot_strerror(ret), err);
		free(view);
		return 1;
	}
	printf("%s %u %u %zu\n", view->name, view->input_count, view->output_count,
	       view->command_stream_size);
	/* The uAPI header's ioctl numbers are usable as constants. */
	if (DRM_AIOT_QUERY != 0x00) {
		free(view);
		return 1;
	}
	free(view);
	return 0;
}
