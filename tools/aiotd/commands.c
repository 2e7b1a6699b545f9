// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiotd's commands (commands.h): what a broker sends, classified and
 * answered without trusting a byte of it.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

void cmd_json_str(char *out, size_t cap, size_t *pos, const char *s, size_t len)
{
	if (*pos >= cap)
		return;
	for (size_t i = 0; i < len && *pos + 8 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			*pos += (size_t)snprintf(out + *pos, cap - *pos, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			*pos += (size_t)snprintf(out + *pos, cap - *pos, "\\u%04x", c);
		else
			out[(*pos)++] = (char)c;
	}
	out[*pos] = '\0';
}

/* Append text as it is (ours: known to be JSON-safe) while it fits. */
static void put(char *out, size_t cap, size_t *pos, const char *text)
{
	size_t l = strlen(text);

	if (*pos + l >= cap)
		return;
	memcpy(out + *pos, text, l + 1);
	*pos += l;
}

size_t cmd_reply(const char *device, const char *cmd, size_t cmd_len, const char *error,
		 char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	put(out, cap, &n, "{\"device\":\"");
	cmd_json_str(out, cap, &n, device, strlen(device));
	put(out, cap, &n, "\",\"command\":\"");
	/* the room for the rest: the name is cut rather than the JSON */
	cmd_json_str(out, cap > 160 ? cap - 160 : 0, &n, cmd, cmd_len);
	if (error) {
		put(out, cap, &n, "\",\"ok\":false,\"error\":\"");
		cmd_json_str(out, cap, &n, error, strlen(error));
		put(out, cap, &n, "\"}");
	} else {
		put(out, cap, &n, "\",\"ok\":true}");
	}
	return n;
}

size_t cmd_model_reply(const char *device, const char *stream, uint32_t version,
		       const char *error, char *out, size_t cap)
{
	char v[48];
	size_t n = 0;

	out[0] = '\0';
	put(out, cap, &n, "{\"device\":\"");
	cmd_json_str(out, cap, &n, device, strlen(device));
	put(out, cap, &n, "\",\"command\":\"model\",\"stream\":\"");
	cmd_json_str(out, cap > 200 ? cap - 200 : 0, &n, stream, strlen(stream));
	snprintf(v, sizeof(v), "\",\"version\":%u,\"ok\":", version);
	put(out, cap, &n, v);
	if (error) {
		put(out, cap, &n, "false,\"error\":\"");
		cmd_json_str(out, cap, &n, error, strlen(error));
		put(out, cap, &n, "\"}");
	} else {
		put(out, cap, &n, "true,\"status\":\"accepted: swapped in at the next slot\"}");
	}
	return n;
}

static bool known_stream(const struct cmd_ctx *c, const char *name)
{
	for (unsigned int i = 0; i < c->nstreams; i++)
		if (!strcmp(c->streams[i], name))
			return true;
	return false;
}

enum cmd_action cmd_dispatch(const struct cmd_ctx *c, const char *topic, const void *payload,
			     int payloadlen, struct model_update *u, char *reply, size_t cap)
{
	char prefix[64], why[128];
	size_t plen, len;
	const char *cmd;

	memset(u, 0, sizeof(*u));
	snprintf(prefix, sizeof(prefix), "aiot/%.32s/cmd/", c->device);
	plen = strlen(prefix);
	if (!topic || strncmp(topic, prefix, plen)) {
		cmd_reply(c->device, "", 0, "not a command topic", reply, cap);
		return CMD_REFUSED;
	}
	cmd = topic + plen;
	len = strlen(cmd);
	if (payloadlen < 0 || (payloadlen && !payload)) {
		cmd_reply(c->device, cmd, len, "malformed message", reply, cap);
		return CMD_REFUSED;
	}
	if (!strcmp(cmd, "model")) {
		if (!c->keylen) {
			cmd_model_reply(c->device, "", 0,
					"model updates need model_key in the configuration",
					reply, cap);
			return CMD_REFUSED;
		}
		if (mu_verify(payload, (size_t)payloadlen, c->key, c->keylen, c->model_max, u,
			      why, sizeof(why))) {
			cmd_model_reply(c->device, "", 0, why, reply, cap);
			return CMD_REFUSED;
		}
		if (!known_stream(c, u->stream)) {
			cmd_model_reply(c->device, u->stream, u->version, "no such stream", reply,
					cap);
			return CMD_REFUSED;
		}
		return CMD_MODEL;
	}
	if (payloadlen > CMD_MAX_PAYLOAD) {
		cmd_reply(c->device, cmd, len, "payload too large (4096 bytes at most)", reply,
			  cap);
		return CMD_REFUSED;
	}
	if (!strcmp(cmd, "telemetry")) {
		cmd_reply(c->device, cmd, len, NULL, reply, cap);
		return CMD_TELEMETRY;
	}
	if (!strcmp(cmd, "ping")) {
		cmd_reply(c->device, cmd, len, NULL, reply, cap);
		return CMD_PING;
	}
	cmd_reply(c->device, cmd, len, "unknown command", reply, cap);
	return CMD_REFUSED;
}
