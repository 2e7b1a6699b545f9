// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiotd's configuration file (docs/cloud.md, "Configuration"): "key value"
 * lines, '#' comments, a "[stream NAME]" line opening each stream's keys.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aiotd.h"

static int cfg_fail(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cfg_fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Names go into topics: no '/', '+', '#', spaces or control characters. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= AIOTD_NAME_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

static int parse_uint(const char *v, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno || *end || *out > max)
		return -EINVAL;
	return 0;
}

/* "65536", "64K", "16M", "1G" */
static int parse_size(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;
	uint64_t mul = 1;

	if (!isdigit((unsigned char)v[0]))
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		mul = 1024;
	else if (*end == 'M' || *end == 'm')
		mul = 1024 * 1024;
	else if (*end == 'G' || *end == 'g')
		mul = 1024ull * 1024 * 1024;
	else if (*end)
		return -EINVAL;
	if (*end && end[1])
		return -EINVAL;
	if (n > UINT64_MAX / mul)
		return -EINVAL;
	*out = n * mul;
	return 0;
}

static int copy(char *dst, size_t cap, const char *v)
{
	if (strlen(v) >= cap)
		return -ENAMETOOLONG;
	strcpy(dst, v);
	return 0;
}

static int parse_labels(struct aiotd_stream_cfg *s, const char *v)
{
	char *p;

	if (copy(s->labels_buf, sizeof(s->labels_buf), v))
		return -ENAMETOOLONG;
	s->nlabels = 0;
	p = s->labels_buf;
	for (;;) {
		char *c = strchr(p, ',');

		if (c)
			*c = '\0';
		if (!*p || s->nlabels == AIOTD_MAX_LABELS)
			return -EINVAL;
		for (char *q = p; *q; q++)
			if (*q == '"' || *q == '\\' || (unsigned char)*q < 0x20)
				return -EINVAL;
		s->labels[s->nlabels++] = p;
		if (!c)
			return 0;
		p = c + 1;
	}
}

static int stream_key(struct aiotd_stream_cfg *s, const char *k, const char *v)
{
	unsigned long long n;

	if (!strcmp(k, "sensor"))
		return copy(s->sensor, sizeof(s->sensor), v);
	if (!strcmp(k, "model"))
		return copy(s->model, sizeof(s->model), v);
	if (!strcmp(k, "labels"))
		return parse_labels(s, v);
	if (!strcmp(k, "threshold")) {
		char *end;

		errno = 0;
		s->threshold = strtod(v, &end);
		return errno || *end || !(s->threshold >= 0 && s->threshold <= 1) ? -EINVAL : 0;
	}
	if (!strcmp(k, "rate")) {
		if (parse_uint(v, 1000000, &n))
			return -EINVAL;
		s->rate_hz = (unsigned int)n;
		return 0;
	}
	if (!strcmp(k, "slots")) {
		if (parse_uint(v, 16, &n) || n < 2)
			return -EINVAL;
		s->slots = (unsigned int)n;
		return 0;
	}
	if (!strcmp(k, "replay")) {
		const char *c = strchr(v, ',');
		size_t l = c ? (size_t)(c - v) : strlen(v);

		if (!l || l >= AIOTD_PATH_LEN || (c && strchr(c + 1, ',')))
			return -EINVAL;
		memcpy(s->replay[0], v, l);
		s->replay[0][l] = '\0';
		s->nreplay = 1;
		if (c) {
			if (!c[1] || copy(s->replay[1], AIOTD_PATH_LEN, c + 1))
				return -EINVAL;
			s->nreplay = 2;
		}
		return 0;
	}
	if (!strcmp(k, "model_version")) {
		if (parse_uint(v, UINT32_MAX, &n) || !n)
			return -EINVAL;
		s->model_version = (uint32_t)n;
		return 0;
	}
	if (!strcmp(k, "hold")) {
		if (parse_uint(v, 100000, &n))
			return -EINVAL;
		s->hold = (unsigned int)n;
		return 0;
	}
	return -ENOENT;
}

static int global_key(struct aiotd_cfg *c, const char *k, const char *v)
{
	unsigned long long n;

	if (!strcmp(k, "device"))
		return valid_name(v) ? copy(c->device, sizeof(c->device), v) : -EINVAL;
	if (!strcmp(k, "broker_host"))
		return copy(c->host, sizeof(c->host), v);
	if (!strcmp(k, "broker_port")) {
		if (parse_uint(v, 65535, &n) || !n)
			return -EINVAL;
		c->port = (unsigned int)n;
		return 0;
	}
	if (!strcmp(k, "keepalive")) {
		if (parse_uint(v, 3600, &n) || n < 5)
			return -EINVAL;
		c->keepalive_s = (unsigned int)n;
		return 0;
	}
	if (!strcmp(k, "credentials"))
		return copy(c->credentials, sizeof(c->credentials), v);
	if (!strcmp(k, "tls_ca"))
		return copy(c->tls_ca, sizeof(c->tls_ca), v);
	if (!strcmp(k, "tls_cert"))
		return copy(c->tls_cert, sizeof(c->tls_cert), v);
	if (!strcmp(k, "tls_key"))
		return copy(c->tls_key, sizeof(c->tls_key), v);
	if (!strcmp(k, "spool_dir"))
		return copy(c->spool_dir, sizeof(c->spool_dir), v);
	if (!strcmp(k, "spool_size"))
		return parse_size(v, &c->spool_bytes);
	if (!strcmp(k, "spool_segment"))
		return parse_size(v, &c->segment_bytes);
	if (!strcmp(k, "fsync")) {
		if (!strcmp(v, "always"))
			c->fsync_ms = 0;
		else if (!strcmp(v, "never"))
			c->fsync_ms = -1;
		else if (!parse_uint(v, 60000, &n) && n)
			c->fsync_ms = (int)n;
		else
			return -EINVAL;
		return 0;
	}
	if (!strcmp(k, "telemetry")) {
		if (parse_uint(v, 86400, &n))
			return -EINVAL;
		c->telemetry_s = (unsigned int)n;
		return 0;
	}
	if (!strcmp(k, "accel"))
		return copy(c->accel, sizeof(c->accel), v);
	if (!strcmp(k, "model_key"))
		return copy(c->model_key, sizeof(c->model_key), v);
	if (!strcmp(k, "model_max"))
		return parse_size(v, &c->model_max) || c->model_max < 4096 ||
		       c->model_max > (256u << 20) ? -EINVAL : 0;
	return -ENOENT;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int aiotd_cfg_load(struct aiotd_cfg *c, const char *path, char *err, size_t len)
{
	struct aiotd_stream_cfg *s = NULL;
	char line[1024];
	unsigned int ln = 0;
	FILE *f;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	snprintf(c->host, sizeof(c->host), "localhost");
	c->port = 1883;
	c->keepalive_s = 30;
	c->spool_bytes = 64ull << 20;
	c->segment_bytes = 1ull << 20;
	c->telemetry_s = 10;
	c->model_max = 8u << 20;
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p, *k, *v;

		ln++;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = cfg_fail(err, len, "%s:%u: line too long", path, ln);
			goto out;
		}
		if ((p = strchr(line, '#')))
			*p = '\0';
		p = trim(line);
		if (!*p)
			continue;
		if (*p == '[') {
			char *e = strchr(p, ']');

			if (!e || e[1] || strncmp(p, "[stream ", 8)) {
				ret = cfg_fail(err, len, "%s:%u: expected \"[stream NAME]\"", path, ln);
				goto out;
			}
			*e = '\0';
			v = trim(p + 8);
			if (!valid_name(v)) {
				ret = cfg_fail(err, len, "%s:%u: stream name \"%s\": 1..32 of "
					       "A-Z a-z 0-9 - _ .", path, ln, v);
				goto out;
			}
			for (unsigned int i = 0; i < c->nstreams; i++) {
				if (!strcmp(c->streams[i].name, v)) {
					ret = cfg_fail(err, len, "%s:%u: stream %s defined twice",
						       path, ln, v);
					goto out;
				}
			}
			if (c->nstreams == AIOTD_MAX_STREAMS) {
				ret = cfg_fail(err, len, "%s:%u: more than %d streams", path, ln,
					       AIOTD_MAX_STREAMS);
				goto out;
			}
			s = &c->streams[c->nstreams++];
			strcpy(s->name, v);
			s->slots = 4;
			s->model_version = 1;
			continue;
		}
		k = p;
		v = p + strcspn(p, " \t");
		if (*v)
			*v++ = '\0';
		v = trim(v);
		if (!*v) {
			ret = cfg_fail(err, len, "%s:%u: %s: no value", path, ln, k);
			goto out;
		}
		ret = s ? stream_key(s, k, v) : global_key(c, k, v);
		if (ret == -ENOENT)
			ret = cfg_fail(err, len, "%s:%u: unknown key \"%s\"%s", path, ln, k,
				       s ? " in a stream" : "");
		else if (ret)
			ret = cfg_fail(err, len, "%s:%u: %s: bad value \"%s\"", path, ln, k, v);
		if (ret)
			goto out;
	}
	if (ferror(f)) {
		ret = cfg_fail(err, len, "%s: read error", path);
		goto out;
	}
	if (!c->device[0])
		ret = cfg_fail(err, len, "%s: no device", path);
	else if (!c->spool_dir[0])
		ret = cfg_fail(err, len, "%s: no spool_dir", path);
	else if (!c->nstreams)
		ret = cfg_fail(err, len, "%s: no [stream NAME]", path);
	else if (!!c->tls_cert[0] != !!c->tls_key[0])
		ret = cfg_fail(err, len, "%s: tls_cert and tls_key go together", path);
	else if ((c->tls_cert[0] || c->tls_key[0]) && !c->tls_ca[0])
		ret = cfg_fail(err, len, "%s: a client certificate needs tls_ca", path);
	else if (c->spool_bytes < 2 * c->segment_bytes || c->segment_bytes < 4096)
		ret = cfg_fail(err, len, "%s: spool_size must hold two spool_segment of 4 KiB "
			       "or more", path);
	for (unsigned int i = 0; !ret && i < c->nstreams; i++) {
		s = &c->streams[i];
		if (!s->sensor[0] || !s->model[0])
			ret = cfg_fail(err, len, "%s: stream %s needs a sensor and a model", path,
				       s->name);
		for (unsigned int j = 0; !ret && j < i; j++)
			if (!strcmp(c->streams[j].sensor, s->sensor))
				ret = cfg_fail(err, len, "%s: streams %s and %s share sensor %s "
					       "(a stream has one owner)", path,
					       c->streams[j].name, s->name, s->sensor);
	}
out:
	fclose(f);
	return ret;
}

int aiotd_read_credentials(const char *path, char *user, size_t ulen, char *pass, size_t plen,
			   char *err, size_t len)
{
	char line[512];
	struct stat sb;
	FILE *f;
	int fd, ret = 0;

	user[0] = pass[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, len, "credentials %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		return cfg_fail(err, len, "credentials %s: not a regular file", path);
	}
	if (sb.st_uid != geteuid() || (sb.st_mode & 077)) {
		close(fd);
		snprintf(err, len, "credentials %s: must belong to this user and have no access "
			 "for group and others (mode %03o, owner %u)", path,
			 (unsigned int)(sb.st_mode & 0777), (unsigned int)sb.st_uid);
		return -EPERM;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -errno;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		char *p = trim(line), *v;

		if (!*p || *p == '#')
			continue;
		v = p + strcspn(p, " \t");
		if (*v)
			*v++ = '\0';
		v = trim(v);
		if (!strcmp(p, "username") && *v)
			ret = copy(user, ulen, v);
		else if (!strcmp(p, "password") && *v)
			ret = copy(pass, plen, v);
		else
			ret = -EINVAL;
	}
	fclose(f);
	if (ret || !user[0])
		return cfg_fail(err, len, "credentials %s: expected \"username NAME\" and "
				"\"password SECRET\" lines", path);
	return 0;
}
