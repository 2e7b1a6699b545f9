/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiotd's store-and-forward spool: a bounded, append-only queue of records
 * on disk (docs/cloud.md, "Spool").
 *
 * A directory of segment files, NNNNNNNNNNNNNNNN.seg (16 hex digits,
 * increasing), each a sequence of records:
 *
 *   u32 little-endian  length of the payload (1..SPOOL_MAX_RECORD)
 *   u32 little-endian  CRC-32 (aiot_crc32) of the 4 length bytes and the payload
 *   payload
 *
 * and a file "cursor" (16 bytes: segment and offset, u64 little-endian,
 * plus a CRC-32 of them: 20 bytes), replaced atomically, that says where
 * the records not yet acknowledged begin. A record is accepted when
 * spool_append() returns 0: with fsync "always" it is then on stable
 * storage. On open, a torn or corrupt record ends its segment: the file is
 * truncated there (counted). When the spool would exceed its size, whole
 * segments go, oldest first, whether acknowledged or not (counted).
 *
 * Not thread-safe: the caller serializes every call on one spool.
 * Functions return 0 or a negative errno.
 */
#ifndef AIOTD_SPOOL_H
#define AIOTD_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPOOL_MAX_RECORD	(64u * 1024)
#define SPOOL_HDR		8u

struct spool;

struct spool_opts {
	const char *dir;		/* created if missing (0700) */
	uint64_t max_bytes;		/* all segments together; >= 2 segments */
	uint64_t segment_bytes;		/* a segment is closed past this size */
	/*
	 * 0: fdatasync() after every record, before spool_append() returns
	 * (the default: nothing accepted is lost, even by a power cut);
	 * > 0: at most every fsync_ms ms (a power cut may lose that window;
	 * kill -9 loses nothing: the data is in the page cache);
	 * < 0: never (tests).
	 */
	int fsync_ms;
};

/* A place in the spool: a segment and a byte offset in it. */
struct spool_pos {
	uint64_t seg;
	uint64_t off;
};

struct spool_stats {
	uint64_t appended;		/* records accepted since open */
	uint64_t pending;		/* records after the acknowledged cursor */
	uint64_t pending_bytes;		/* their size on disk, headers included */
	uint64_t dropped;		/* unacknowledged records dropped (spool full) */
	uint64_t truncated;		/* torn/corrupt tails cut off at open */
	uint64_t bytes;			/* all segments on disk */
	unsigned int segments;
};

int spool_open(struct spool **out, const struct spool_opts *o, char *err, size_t len);
void spool_close(struct spool *s);

/* Add a record (1..SPOOL_MAX_RECORD bytes); -EINVAL, -EIO, -ENOSPC... */
int spool_append(struct spool *s, const void *data, size_t len);

/* Flush what the fsync interval holds back (fsync_ms > 0). */
int spool_sync(struct spool *s);

/* The first unacknowledged record. */
struct spool_pos spool_acked(const struct spool *s);

/*
 * Read the record at *pos (at or after the acknowledged cursor) into buf;
 * *pos moves past it. -ENOENT: nothing more (caught up); -ENOBUFS: cap is
 * too small; -EIO. A position in a segment dropped meanwhile moves to the
 * oldest record left.
 */
int spool_read(struct spool *s, struct spool_pos *pos, void *buf, size_t cap, size_t *len);

/*
 * Acknowledge every record before upto (a position spool_read() returned),
 * nrec of them: the cursor moves there and is stored (atomically, with
 * fsync unless fsync_ms < 0); segments wholly before it are deleted.
 */
int spool_ack(struct spool *s, struct spool_pos upto, uint64_t nrec);

/* Compare positions: <0, 0, >0. */
int spool_pos_cmp(struct spool_pos a, struct spool_pos b);

void spool_get_stats(const struct spool *s, struct spool_stats *st);

#endif /* AIOTD_SPOOL_H */
