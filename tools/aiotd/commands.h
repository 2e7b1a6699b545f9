/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiotd's commands (docs/cloud.md, "Topics and payloads"): everything a
 * broker delivers to the daemon arrives on aiot/DEVICE/cmd/+ and goes
 * through cmd_dispatch() first. Any bytes, any size, any topic: it says
 * what to do or writes the refusal to publish on aiot/DEVICE/reply. Pure
 * (no I/O, no device), so that it is host-tested on garbage
 * (tests/unit/aiotd_commands_test.cc); the model's load and test run that
 * follow an authenticated update are main.c's.
 */
#ifndef AIOTD_COMMANDS_H
#define AIOTD_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model_update.h"

#define CMD_MAX_PAYLOAD	4096	/* every command but model */
#define CMD_REPLY_MAX	1024

enum cmd_action {
	CMD_REFUSED,		/* the reply (an error) is written */
	CMD_PING,		/* the reply (ok) is written */
	CMD_TELEMETRY,		/* the reply (ok) is written; publish telemetry */
	CMD_MODEL,		/* an authenticated update of a known stream: *u */
};

struct cmd_ctx {
	const char *device;
	const char *const *streams;	/* the configured streams' names */
	unsigned int nstreams;
	const uint8_t *key;		/* the model key; keylen 0: none */
	size_t keylen;
	size_t model_max;
};

/*
 * One message from the broker. topic may be NULL, payload NULL with
 * payloadlen 0; payloadlen < 0 is refused. For CMD_MODEL, *u points into
 * payload and nothing is written to reply; otherwise reply holds the JSON
 * to publish (NUL-terminated, at most cap - 1 bytes; cap >= 256).
 */
enum cmd_action cmd_dispatch(const struct cmd_ctx *c, const char *topic, const void *payload,
			     int payloadlen, struct model_update *u, char *reply, size_t cap);

/* {"device":..,"command":..,"ok":true} or "ok":false with "error". */
size_t cmd_reply(const char *device, const char *cmd, size_t cmd_len, const char *error,
		 char *out, size_t cap);

/* A model update's answer: stream, version; error NULL: accepted. */
size_t cmd_model_reply(const char *device, const char *stream, uint32_t version,
		       const char *error, char *out, size_t cap);

/*
 * Append s (len bytes) to out at *pos as a JSON string body: quotes and
 * backslashes escaped, control and non-ASCII bytes as \u00XX; stops (and
 * stays NUL-terminated) where out has fewer than 8 bytes left.
 */
void cmd_json_str(char *out, size_t cap, size_t *pos, const char *s, size_t len);

#endif /* AIOTD_COMMANDS_H */
