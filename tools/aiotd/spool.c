// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiotd's store-and-forward spool (spool.h): segment files of length+CRC
 * records, an acknowledged cursor, drop-oldest when full.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <aiot/model_format.h>

#include "spool.h"

#define CURSOR_FILE	"cursor"
#define CURSOR_TMP	"cursor.tmp"
#define CURSOR_SIZE	20

struct seg {
	uint64_t id;
	uint64_t size;		/* bytes of whole records */
	uint64_t nrec;
};

struct spool {
	char *dir;
	int dirfd;
	struct spool_opts o;
	struct seg *segs;	/* oldest first; the last one takes the appends */
	unsigned int nsegs, cap;
	int wfd;		/* the last segment, for appends */
	int rfd;		/* a segment being read */
	uint64_t rfd_id;
	struct spool_pos acked;
	uint64_t acked_in_seg;	/* records of acked.seg before acked.off */
	uint64_t last_sync_ns;
	bool dirty;
	struct spool_stats st;
};

static int fail(int ret, char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(int ret, char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void seg_name(char *buf, size_t len, uint64_t id)
{
	snprintf(buf, len, "%016" PRIx64 ".seg", id);
}

int spool_pos_cmp(struct spool_pos a, struct spool_pos b)
{
	if (a.seg != b.seg)
		return a.seg < b.seg ? -1 : 1;
	if (a.off != b.off)
		return a.off < b.off ? -1 : 1;
	return 0;
}

static ssize_t pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static int write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const uint8_t *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

static uint32_t record_crc(const uint8_t *hdr, const void *payload, size_t len)
{
	return aiot_crc32(aiot_crc32(0, hdr, 4), payload, len);
}

/*
 * The record at off of fd (file size fsize): 0 and its payload length, or
 * -EILSEQ for a torn or corrupt one. buf holds SPOOL_MAX_RECORD bytes.
 */
static int check_record(int fd, uint64_t off, uint64_t fsize, uint8_t *buf, uint32_t *plen)
{
	uint8_t hdr[SPOOL_HDR];
	uint32_t len;

	if (fsize - off < SPOOL_HDR)
		return -EILSEQ;
	if (pread_full(fd, hdr, SPOOL_HDR, off) != SPOOL_HDR)
		return -EIO;
	len = get_le32(hdr);
	if (!len || len > SPOOL_MAX_RECORD || fsize - off - SPOOL_HDR < len)
		return -EILSEQ;
	if (pread_full(fd, buf, len, off + SPOOL_HDR) != (ssize_t)len)
		return -EIO;
	if (record_crc(hdr, buf, len) != get_le32(hdr + 4))
		return -EILSEQ;
	*plen = len;
	return 0;
}

static int sync_dir(struct spool *s)
{
	if (s->o.fsync_ms < 0)
		return 0;
	return fsync(s->dirfd) ? -errno : 0;
}

static struct seg *find_seg(struct spool *s, uint64_t id)
{
	for (unsigned int i = 0; i < s->nsegs; i++)
		if (s->segs[i].id == id)
			return &s->segs[i];
	return NULL;
}

static int add_seg(struct spool *s, uint64_t id, uint64_t size, uint64_t nrec)
{
	if (s->nsegs == s->cap) {
		unsigned int cap = s->cap ? 2 * s->cap : 16;
		struct seg *n = realloc(s->segs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->segs = n;
		s->cap = cap;
	}
	s->segs[s->nsegs++] = (struct seg){ .id = id, .size = size, .nrec = nrec };
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Open segment id for appending (creating it), as the last segment. */
static int open_writer(struct spool *s)
{
	char name[32];
	int fd;

	seg_name(name, sizeof(name), s->segs[s->nsegs - 1].id);
	fd = openat(s->dirfd, name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (s->wfd >= 0)
		close(s->wfd);
	s->wfd = fd;
	return sync_dir(s);
}

/* Scan one segment: count its records, cut a torn or corrupt tail. */
static int scan_seg(struct spool *s, uint64_t id, uint8_t *buf, char *err, size_t len)
{
	char name[32];
	struct stat sb;
	uint64_t off = 0, nrec = 0;
	uint32_t plen;
	int fd, ret = 0;

	seg_name(name, sizeof(name), id);
	fd = openat(s->dirfd, name, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb))
		return fail(-errno, err, len, "%s/%s: %s", s->dir, name, strerror(errno));
	while (off < (uint64_t)sb.st_size) {
		ret = check_record(fd, off, (uint64_t)sb.st_size, buf, &plen);
		if (ret == -EILSEQ) {
			/* A torn write (kill -9, power cut) or a corrupt record: cut it. */
			if (ftruncate(fd, (off_t)off) || (s->o.fsync_ms >= 0 && fsync(fd))) {
				ret = fail(-errno, err, len, "%s/%s: truncate: %s", s->dir, name,
					   strerror(errno));
				goto out;
			}
			s->st.truncated++;
			ret = 0;
			break;
		}
		if (ret) {
			fail(ret, err, len, "%s/%s: read: %s", s->dir, name, strerror(-ret));
			goto out;
		}
		off += SPOOL_HDR + plen;
		nrec++;
	}
	ret = add_seg(s, id, off, nrec);
	if (ret)
		fail(ret, err, len, "out of memory");
out:
	close(fd);
	return ret;
}

static void load_cursor(struct spool *s)
{
	uint8_t b[CURSOR_SIZE];
	int fd = openat(s->dirfd, CURSOR_FILE, O_RDONLY | O_CLOEXEC);
	bool ok = false;

	if (fd >= 0) {
		ok = pread_full(fd, b, sizeof(b), 0) == CURSOR_SIZE &&
		     aiot_crc32(0, b, 16) == get_le32(b + 16);
		close(fd);
	}
	/* No cursor (or a damaged one): everything is sent again, nothing lost. */
	s->acked = (struct spool_pos){ s->segs[0].id, 0 };
	if (ok) {
		struct spool_pos c = { get_le64(b), get_le64(b + 8) };

		if (spool_pos_cmp(c, s->acked) > 0)
			s->acked = c;
	}
}

/*
 * Put the cursor on a record boundary of an existing segment (at or before
 * where it said: a duplicate rather than a loss) and count what is pending.
 */
static int settle_cursor(struct spool *s, uint8_t *buf)
{
	struct seg *g = NULL;
	uint64_t off = 0, n = 0;

	for (unsigned int i = 0; i < s->nsegs; i++) {
		if (s->segs[i].id >= s->acked.seg) {
			g = &s->segs[i];
			break;
		}
	}
	if (!g) {
		g = &s->segs[s->nsegs - 1];
		s->acked = (struct spool_pos){ g->id, g->size };
	} else if (g->id != s->acked.seg) {
		s->acked = (struct spool_pos){ g->id, 0 };
	}
	if (s->acked.off > 0) {
		char name[32];
		int fd;

		seg_name(name, sizeof(name), g->id);
		fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		while (off < g->size) {
			uint32_t plen;
			int ret = check_record(fd, off, g->size, buf, &plen);

			if (ret || off + SPOOL_HDR + plen > s->acked.off)
				break;
			off += SPOOL_HDR + plen;
			n++;
		}
		close(fd);
		s->acked.off = off;
	}
	s->acked_in_seg = n;
	s->st.pending = 0;
	s->st.pending_bytes = 0;
	for (unsigned int i = 0; i < s->nsegs; i++) {
		if (s->segs[i].id < g->id)
			continue;
		s->st.pending += s->segs[i].nrec;
		s->st.pending_bytes += s->segs[i].size;
	}
	s->st.pending -= n;
	s->st.pending_bytes -= off;
	return 0;
}

/* Delete every segment wholly before the cursor. */
static int drop_acked_segs(struct spool *s)
{
	unsigned int k = 0;
	int ret = 0;

	while (k < s->nsegs - 1 && s->segs[k].id < s->acked.seg) {
		char name[32];

		seg_name(name, sizeof(name), s->segs[k].id);
		if (unlinkat(s->dirfd, name, 0) && errno != ENOENT)
			ret = -errno;
		k++;
	}
	if (k) {
		memmove(s->segs, s->segs + k, (s->nsegs - k) * sizeof(*s->segs));
		s->nsegs -= k;
		if (!ret)
			ret = sync_dir(s);
	}
	return ret;
}

static int store_cursor(struct spool *s)
{
	uint8_t b[CURSOR_SIZE];
	int fd, ret;

	put_le64(b, s->acked.seg);
	put_le64(b + 8, s->acked.off);
	put_le32(b + 16, aiot_crc32(0, b, 16));
	fd = openat(s->dirfd, CURSOR_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ret = write_full(fd, b, sizeof(b));
	if (!ret && s->o.fsync_ms >= 0 && fdatasync(fd))
		ret = -errno;
	close(fd);
	if (!ret && renameat(s->dirfd, CURSOR_TMP, s->dirfd, CURSOR_FILE))
		ret = -errno;
	if (!ret)
		ret = sync_dir(s);
	return ret;
}

int spool_open(struct spool **out, const struct spool_opts *o, char *err, size_t len)
{
	struct spool *s;
	uint64_t *ids = NULL;
	size_t nids = 0, capids = 0;
	uint8_t *buf = NULL;
	struct dirent *de;
	DIR *d = NULL;
	int ret;

	*out = NULL;
	if (!o->dir || !o->dir[0])
		return fail(-EINVAL, err, len, "no spool directory");
	if (o->segment_bytes < 4096 || o->max_bytes < 2 * o->segment_bytes)
		return fail(-EINVAL, err, len,
			    "spool: segments of at least 4096 bytes, the spool at least two of them");
	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(-ENOMEM, err, len, "out of memory");
	s->o = *o;
	s->wfd = -1;
	s->rfd = -1;
	s->dirfd = -1;
	s->dir = strdup(o->dir);
	buf = malloc(SPOOL_MAX_RECORD);
	if (!s->dir || !buf) {
		ret = fail(-ENOMEM, err, len, "out of memory");
		goto fail;
	}
	if (mkdir(o->dir, 0700) && errno != EEXIST) {
		ret = fail(-errno, err, len, "%s: %s", o->dir, strerror(errno));
		goto fail;
	}
	s->dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = s->dirfd >= 0 ? fdopendir(dup(s->dirfd)) : NULL;
	if (!d) {
		ret = fail(-errno, err, len, "%s: %s", o->dir, strerror(errno));
		goto fail;
	}
	while ((de = readdir(d))) {
		char *end;
		uint64_t id;

		if (strlen(de->d_name) != 20 || strcmp(de->d_name + 16, ".seg"))
			continue;
		errno = 0;
		id = strtoull(de->d_name, &end, 16);
		if (errno || end != de->d_name + 16 || !id)
			continue;
		if (nids == capids) {
			size_t c = capids ? 2 * capids : 16;
			uint64_t *n = realloc(ids, c * sizeof(*n));

			if (!n) {
				ret = fail(-ENOMEM, err, len, "out of memory");
				goto fail;
			}
			ids = n;
			capids = c;
		}
		ids[nids++] = id;
	}
	if (nids)
		qsort(ids, nids, sizeof(*ids), cmp_u64);
	for (size_t i = 0; i < nids; i++) {
		if ((ret = scan_seg(s, ids[i], buf, err, len)))
			goto fail;
	}
	if (!s->nsegs && (ret = add_seg(s, 1, 0, 0))) {
		fail(ret, err, len, "out of memory");
		goto fail;
	}
	load_cursor(s);
	if ((ret = settle_cursor(s, buf)) || (ret = drop_acked_segs(s)) ||
	    (ret = open_writer(s))) {
		fail(ret, err, len, "%s: %s", o->dir, strerror(-ret));
		goto fail;
	}
	for (unsigned int i = 0; i < s->nsegs; i++)
		s->st.bytes += s->segs[i].size;
	closedir(d);
	free(ids);
	free(buf);
	s->last_sync_ns = now_ns();
	*out = s;
	return 0;
fail:
	if (d)
		closedir(d);
	free(ids);
	free(buf);
	spool_close(s);
	return ret;
}

void spool_close(struct spool *s)
{
	if (!s)
		return;
	if (s->wfd >= 0) {
		if (s->dirty && s->o.fsync_ms >= 0)
			fdatasync(s->wfd);
		close(s->wfd);
	}
	if (s->rfd >= 0)
		close(s->rfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->segs);
	free(s->dir);
	free(s);
}

/* Drop the oldest segment, acknowledged or not: the spool is full. */
static int drop_oldest(struct spool *s)
{
	struct seg *g = &s->segs[0];
	uint64_t lost = g->nrec, lost_bytes = g->size;
	char name[32];

	if (g->id == s->acked.seg) {
		lost -= s->acked_in_seg;
		lost_bytes -= s->acked.off;
	}
	seg_name(name, sizeof(name), g->id);
	if (unlinkat(s->dirfd, name, 0) && errno != ENOENT)
		return -errno;
	if (s->rfd >= 0 && s->rfd_id == g->id) {
		close(s->rfd);
		s->rfd = -1;
	}
	s->st.dropped += lost;
	s->st.pending -= lost;
	s->st.pending_bytes -= lost_bytes;
	s->st.bytes -= g->size;
	memmove(s->segs, s->segs + 1, (s->nsegs - 1) * sizeof(*s->segs));
	s->nsegs--;
	s->acked = (struct spool_pos){ s->segs[0].id, 0 };
	s->acked_in_seg = 0;
	return store_cursor(s);
}

int spool_sync(struct spool *s)
{
	if (!s->dirty || s->o.fsync_ms < 0)
		return 0;
	if (fdatasync(s->wfd))
		return -errno;
	s->dirty = false;
	s->last_sync_ns = now_ns();
	return 0;
}

int spool_append(struct spool *s, const void *data, size_t len)
{
	uint64_t rec = SPOOL_HDR + len;
	struct seg *last = &s->segs[s->nsegs - 1];
	uint8_t hdr[SPOOL_HDR];
	uint8_t *b;
	int ret;

	if (!len || len > SPOOL_MAX_RECORD)
		return -EINVAL;
	if (last->size && last->size + rec > s->o.segment_bytes) {
		/* Close this segment: it is complete on disk before the next one exists. */
		if ((ret = spool_sync(s)) || (ret = add_seg(s, last->id + 1, 0, 0)))
			return ret;
		if ((ret = open_writer(s)))
			return ret;
		last = &s->segs[s->nsegs - 1];
	}
	while (s->st.bytes + rec > s->o.max_bytes && s->nsegs > 1) {
		if ((ret = drop_oldest(s)))
			return ret;
		last = &s->segs[s->nsegs - 1];
	}
	put_le32(hdr, (uint32_t)len);
	put_le32(hdr + 4, record_crc(hdr, data, len));
	/* One write: a crash leaves a whole record or a torn tail, cut at open. */
	b = malloc(rec);
	if (!b)
		return -ENOMEM;
	memcpy(b, hdr, SPOOL_HDR);
	memcpy(b + SPOOL_HDR, data, len);
	ret = write_full(s->wfd, b, rec);
	free(b);
	if (ret) {
		/* Whatever part went out is a torn tail: cut it now. */
		if (ftruncate(s->wfd, (off_t)last->size))
			return -errno;
		return ret;
	}
	s->dirty = true;
	if (s->o.fsync_ms == 0 ||
	    (s->o.fsync_ms > 0 && now_ns() - s->last_sync_ns >= (uint64_t)s->o.fsync_ms * 1000000))
		if ((ret = spool_sync(s)))
			return ret;
	last->size += rec;
	last->nrec++;
	s->st.bytes += rec;
	s->st.appended++;
	s->st.pending++;
	s->st.pending_bytes += rec;
	return 0;
}

struct spool_pos spool_acked(const struct spool *s)
{
	return s->acked;
}

int spool_read(struct spool *s, struct spool_pos *pos, void *buf, size_t cap, size_t *len)
{
	uint8_t hdr[SPOOL_HDR];
	struct seg *g;
	uint32_t plen;

	if (spool_pos_cmp(*pos, s->acked) < 0)
		*pos = s->acked;
	for (;;) {
		g = find_seg(s, pos->seg);
		if (!g) {
			/* Dropped meanwhile: on to the oldest record left. */
			if (pos->seg < s->segs[0].id) {
				*pos = s->acked;
				continue;
			}
			return -ENOENT;
		}
		if (pos->off < g->size)
			break;
		if (g == &s->segs[s->nsegs - 1])
			return -ENOENT;
		*pos = (struct spool_pos){ g[1].id, 0 };
	}
	if (s->rfd < 0 || s->rfd_id != g->id) {
		char name[32];

		if (s->rfd >= 0)
			close(s->rfd);
		seg_name(name, sizeof(name), g->id);
		s->rfd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC);
		if (s->rfd < 0)
			return -errno;
		s->rfd_id = g->id;
	}
	if (pread_full(s->rfd, hdr, SPOOL_HDR, pos->off) != SPOOL_HDR)
		return -EIO;
	plen = get_le32(hdr);
	if (!plen || plen > SPOOL_MAX_RECORD || pos->off + SPOOL_HDR + plen > g->size)
		return -EIO;
	if (plen > cap)
		return -ENOBUFS;
	if (pread_full(s->rfd, buf, plen, pos->off + SPOOL_HDR) != (ssize_t)plen)
		return -EIO;
	if (record_crc(hdr, buf, plen) != get_le32(hdr + 4))
		return -EIO;
	*len = plen;
	pos->off += SPOOL_HDR + plen;
	return 0;
}

int spool_ack(struct spool *s, struct spool_pos upto, uint64_t nrec)
{
	struct seg *g;
	uint64_t left = nrec;

	if (spool_pos_cmp(upto, s->acked) <= 0)
		return 0;
	g = find_seg(s, upto.seg);
	if (!g || upto.off > g->size)
		return -EINVAL;
	if (nrec > s->st.pending)
		nrec = left = s->st.pending;
	s->st.pending -= nrec;
	if (upto.seg == s->acked.seg) {
		s->acked_in_seg += nrec;
		s->st.pending_bytes -= upto.off - s->acked.off;
	} else {
		/* The rest of the cursor's segment, any whole ones, then upto's. */
		for (unsigned int i = 0; i < s->nsegs && s->segs[i].id < upto.seg; i++) {
			struct seg *h = &s->segs[i];

			if (h->id < s->acked.seg)
				continue;
			if (h->id == s->acked.seg) {
				left -= left < h->nrec - s->acked_in_seg ? left :
					h->nrec - s->acked_in_seg;
				s->st.pending_bytes -= h->size - s->acked.off;
			} else {
				left -= left < h->nrec ? left : h->nrec;
				s->st.pending_bytes -= h->size;
			}
		}
		s->acked_in_seg = left;
		s->st.pending_bytes -= upto.off;
	}
	s->acked = upto;
	if (s->rfd >= 0 && s->rfd_id < upto.seg) {
		close(s->rfd);
		s->rfd = -1;
	}
	{
		int ret = store_cursor(s);
		unsigned int before = s->nsegs;

		if (ret)
			return ret;
		for (unsigned int i = 0; i < before && s->segs[i].id < upto.seg; i++)
			s->st.bytes -= s->segs[i].size;
		return drop_acked_segs(s);
	}
}

void spool_get_stats(const struct spool *s, struct spool_stats *st)
{
	*st = s->st;
	st->segments = s->nsegs;
}
