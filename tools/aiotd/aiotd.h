/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiotd: live pipelines (tools/pipeline/) publishing their decisions to an
 * MQTT broker through a store-and-forward spool (spool.h). docs/cloud.md.
 * config.c: the configuration file; main.c: the pipelines, the MQTT
 * session and the telemetry.
 */
#ifndef AIOTD_H
#define AIOTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AIOTD_MAX_STREAMS	16
#define AIOTD_MAX_LABELS	32
#define AIOTD_NAME_LEN		33	/* device and stream names: 1..32 characters */
#define AIOTD_PATH_LEN		256

struct aiotd_stream_cfg {
	char name[AIOTD_NAME_LEN];
	char sensor[64];
	char model[AIOTD_PATH_LEN];
	char labels_buf[512];			/* the labels, NUL-separated */
	const char *labels[AIOTD_MAX_LABELS];
	unsigned int nlabels;
	double threshold;			/* 0..1: publish when the best score reaches it */
	unsigned int rate_hz;			/* 0: about half of what the NPU sustains */
	unsigned int slots;			/* 2..16 */
	char replay[2][AIOTD_PATH_LEN];		/* images an aiot-sim camera replays */
	unsigned int nreplay;
	unsigned int hold;			/* frames per replayed image (0: one second) */
	uint32_t model_version;			/* the configured model's version (1) */
};

struct aiotd_cfg {
	char device[AIOTD_NAME_LEN];
	char host[256];
	unsigned int port;
	unsigned int keepalive_s;
	char credentials[AIOTD_PATH_LEN];	/* "" when none */
	char tls_ca[AIOTD_PATH_LEN], tls_cert[AIOTD_PATH_LEN], tls_key[AIOTD_PATH_LEN];
	char spool_dir[AIOTD_PATH_LEN];
	uint64_t spool_bytes, segment_bytes;
	int fsync_ms;				/* spool_opts.fsync_ms */
	unsigned int telemetry_s;		/* 0: none */
	char accel[AIOTD_PATH_LEN];		/* "" : the default accelerator */
	char model_key[AIOTD_PATH_LEN];		/* "" : no model updates */
	uint64_t model_max;			/* largest model update message */
	struct aiotd_stream_cfg streams[AIOTD_MAX_STREAMS];
	unsigned int nstreams;
};

/* Parse path into cfg: 0, or -errno with "path:line: why" in err. */
int aiotd_cfg_load(struct aiotd_cfg *cfg, const char *path, char *err, size_t len);

/*
 * The credentials file: "username NAME" and "password SECRET" lines; a
 * regular file owned by this user, with no access for group or others.
 */
int aiotd_read_credentials(const char *path, char *user, size_t ulen, char *pass, size_t plen,
			   char *err, size_t len);

#endif /* AIOTD_H */
