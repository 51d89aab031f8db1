/*
 * The reader's file layer: where bytes come from, how records follow each
 * other, and what happens when they do not.
 *
 * Bytes come either from a memory image or from a file read with pread()
 * into one reusable window, so memory is bounded by the largest record the
 * reader must hold at once (a chunk's LZ4 frame, the header or the trailer),
 * not by the file.  No mmap: a file truncated while mapped would SIGBUS.
 *
 * Damage past the header is never fatal.  A record that cannot be trusted is
 * reported with its offset, the reader marks itself damaged, and it scans
 * forward from the record's start + 1 for the next chunk or trailer magic
 * whose record checks out (CRC), and goes on from there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/endian.h"
#include "trace-format/file_writer.h"
#include "trace-format/decode.h"
#include "trace-format/reader_impl.h"
#include "trace-format/reader_meta.h"
#include "trace-format/types.h"

#define WINDOW_MIN (1u << 20) /* file reads are at least this large */
#define SCAN_BLOCK (64u << 10)
#define RAW_MIN 4096u
/* A chunk header is LOT_CH_FIXED + name; newer minors may append fields, but not this many. */
#define CHUNK_HEADER_MAX 4096u

/* ---- byte source ---- */

/*
 * Make [off, off + want) available: returns how many of those bytes exist
 * (fewer at the end of the file, 0 on an I/O error, which sets io_error) and
 * points *out at them until the next fetch.
 */
static size_t fetch(struct lot_reader *r, uint64_t off, size_t want, const uint8_t **out)
{
	*out = NULL;
	if (off >= r->size)
		return 0;
	if (want > r->size - off)
		want = (size_t)(r->size - off);
	if (r->mem) {
		*out = r->mem + off;
		return want;
	}
	if (off >= r->win_off && off - r->win_off + want <= r->win_len) {
		*out = r->win + (off - r->win_off);
		return want;
	}
	size_t cap = want > WINDOW_MIN ? want : WINDOW_MIN;
	if (cap > r->win_cap) {
		uint8_t *w = realloc(r->win, cap);
		if (!w) {
			r->io_error = true;
			return 0;
		}
		r->win = w;
		r->win_cap = cap;
	}
	size_t goal = r->size - off < r->win_cap ? (size_t)(r->size - off) : r->win_cap;
	size_t got = 0;
	r->win_off = off;
	r->win_len = 0;
	while (got < goal) {
		ssize_t n = pread(r->fd, r->win + got, goal - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->io_error = true;
			return 0;
		}
		if (n == 0) { /* the file shrank under us: it ends here now */
			r->size = off + got;
			break;
		}
		got += (size_t)n;
	}
	r->win_len = got;
	*out = r->win;
	return want < got ? want : got;
}

/* ---- open / close ---- */

static void hexdump4(const uint8_t *p, size_t n, char *out)
{
	out[0] = '\0';
	for (size_t i = 0; i < n && i < 4; i++)
		sprintf(out + strlen(out), "%s%02x", i ? " " : "", p[i]);
}

static struct lot_reader *open_fail(struct lot_reader *r, struct lot_read_error *err, uint64_t off,
				    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct lot_reader *open_fail(struct lot_reader *r, struct lot_read_error *err, uint64_t off,
				    const char *fmt, ...)
{
	if (err && fmt) {
		err->offset = off;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof err->message, fmt, ap);
		va_end(ap);
	}
	lot_reader_close(r);
	return NULL;
}

static struct lot_reader *read_header(struct lot_reader *r, struct lot_read_error *err)
{
	const uint8_t *p;
	char hex[16];
	if (r->size == 0)
		return open_fail(r, err, 0, "empty file");
	size_t n = fetch(r, 0, LOT_RECORD_PREFIX, &p);
	if (r->io_error)
		return open_fail(r, err, 0, "read error: %s", strerror(errno));
	if (n < 4 || lot_get_le32(p) != LOT_MAGIC_HEADER) {
		hexdump4(p, n, hex);
		return open_fail(r, err, 0, "not a lotrace file (starts with %s)", hex);
	}
	if (n < LOT_RECORD_PREFIX)
		return open_fail(r, err, 0, "truncated header: need %u bytes, file has %zu",
				 LOT_RECORD_PREFIX, n);
	uint32_t size = lot_get_le32(p + 4);
	if (size < LOT_HDR_FIXED || size > LOT_HEADER_MAX)
		return open_fail(r, err, 4, "header size %u is out of range (%u..%u)", size,
				 LOT_HDR_FIXED, LOT_HEADER_MAX);
	size_t total = LOT_RECORD_PREFIX + (size_t)size;
	n = fetch(r, 0, total, &p);
	if (r->io_error)
		return open_fail(r, err, 0, "read error: %s", strerror(errno));
	if (n < total)
		return open_fail(r, err, 0, "truncated header: need %zu bytes, file has %llu", total,
				 (unsigned long long)r->size);
	const uint8_t *body = p + LOT_RECORD_PREFIX;
	if (memcmp(body, LOT_SIGNATURE, LOT_SIGNATURE_LEN) != 0)
		return open_fail(r, err, LOT_RECORD_PREFIX, "not a lotrace file (bad signature)");
	r->hdr.major = lot_get_le16(body + LOT_HDR_OFF_MAJOR);
	r->hdr.minor = lot_get_le16(body + LOT_HDR_OFF_MINOR);
	/* Before the CRC: a newer major may lay out everything after the version differently. */
	if (r->hdr.major > LOT_FORMAT_MAJOR)
		return open_fail(r, err, LOT_RECORD_PREFIX + LOT_HDR_OFF_MAJOR,
				 "format version %u.%u is newer than this reader (%u.x); upgrade lotrace",
				 r->hdr.major, r->hdr.minor, LOT_FORMAT_MAJOR);
	if (r->hdr.major < LOT_FORMAT_MAJOR)
		return open_fail(r, err, LOT_RECORD_PREFIX + LOT_HDR_OFF_MAJOR,
				 "format version %u.%u is not supported", r->hdr.major, r->hdr.minor);
	if (LOT_CRC_BAD(lot_get_le32(body + LOT_HDR_OFF_CRC),
			lot_crc32(body + LOT_HDR_FIXED, size - LOT_HDR_FIXED)))
		return open_fail(r, err, LOT_RECORD_PREFIX + LOT_HDR_OFF_CRC, "header checksum mismatch");
	struct lot_read_error e = {0};
	if (lot_rd_parse_header(r, body, size, &e))
		return open_fail(r, err, e.offset, "%s", e.message);
	r->hdr.size = total;
	r->pos = r->good_end = total;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&r->dctx, LZ4F_VERSION)))
		return open_fail(r, err, 0, "out of memory");
	return r;
}

static struct lot_reader *reader_new(const struct lot_reader_opts *opts)
{
	struct lot_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	if (opts)
		r->opts = *opts;
	r->fd = -1;
	return r;
}

struct lot_reader *lot_reader_open_mem(const void *data, size_t len,
				       const struct lot_reader_opts *opts,
				       struct lot_read_error *err)
{
	struct lot_reader *r = reader_new(opts);
	if (!r)
		return open_fail(NULL, err, 0, "out of memory");
	static const uint8_t empty[1];
	r->mem = data ? data : empty;
	r->size = data ? len : 0;
	return read_header(r, err);
}

struct lot_reader *lot_reader_open(const char *path, const struct lot_reader_opts *opts,
				   struct lot_read_error *err)
{
	struct lot_reader *r = reader_new(opts);
	if (!r)
		return open_fail(NULL, err, 0, "out of memory");
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0)
		return open_fail(r, err, 0, "%s", strerror(errno));
	struct stat st;
	if (fstat(r->fd, &st) < 0)
		return open_fail(r, err, 0, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return open_fail(r, err, 0, "not a regular file");
	r->size = (uint64_t)st.st_size;
	(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return read_header(r, err);
}

void lot_reader_close(struct lot_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->win);
	if (r->dctx)
		LZ4F_freeDecompressionContext(r->dctx);
	free(r->raw);
	free(r->threads);
	lot_rd_free_meta(r);
	lot_rd_free_decode(r);
	free(r);
}

const struct lot_file_header *lot_reader_header(const struct lot_reader *r) { return &r->hdr; }

const char *lot_reader_meta(const struct lot_reader *r, const char *key)
{
	for (size_t i = 0; i < r->hdr.n_meta; i++)
		if (!strcmp(r->hdr.meta[i].key, key))
			return r->hdr.meta[i].value;
	return NULL;
}

const struct lot_trailer *lot_reader_trailer_summary(const struct lot_reader *r)
{
	return r->have_trailer ? &r->trailer : NULL;
}

const struct lot_trailer *lot_reader_trailer(const struct lot_reader *cr)
{
	if (!cr->have_trailer)
		return NULL;
	/* The reader is the caller's (allocated non-const): building the index on
	 * first use keeps it out of the memory of callers that never ask. */
	struct lot_reader *r = (struct lot_reader *)cr;
	if (r->idx_state == LOT_IDX_PENDING) {
		r->idx_state = LOT_IDX_LOADED;
		const uint8_t *p;
		/* Reads the bytes again: the window may hold other bytes by now.  If
		 * the file changed since it was validated, the index is what parses. */
		size_t n = fetch(r, r->idx_off, r->idx_len, &p);
		if (n == r->idx_len)
			(void)lot_rd_parse_index(r, p, n);
	}
	return &r->trailer;
}

bool lot_reader_damaged(const struct lot_reader *r) { return r->damaged; }
uint64_t lot_reader_warnings(const struct lot_reader *r) { return r->warnings; }

/* ---- per-thread loss accounting ---- */

static struct lot_rd_thread *thread_slot(struct lot_reader *r, uint64_t tid)
{
	if (2 * (r->threads_used + 1) > r->threads_cap) {
		size_t cap = r->threads_cap ? 2 * r->threads_cap : 64;
		struct lot_rd_thread *t = calloc(cap, sizeof *t);
		if (!t)
			return NULL;
		for (size_t i = 0; i < r->threads_cap; i++) {
			if (!r->threads[i].used)
				continue;
			size_t j = (size_t)(r->threads[i].tid * 0x9E3779B97F4A7C15ull >> 7) & (cap - 1);
			while (t[j].used)
				j = (j + 1) & (cap - 1);
			t[j] = r->threads[i];
		}
		free(r->threads);
		r->threads = t;
		r->threads_cap = cap;
	}
	size_t j = (size_t)(tid * 0x9E3779B97F4A7C15ull >> 7) & (r->threads_cap - 1);
	while (r->threads[j].used && r->threads[j].tid != tid)
		j = (j + 1) & (r->threads_cap - 1);
	if (!r->threads[j].used) {
		r->threads[j] = (struct lot_rd_thread){.tid = tid, .used = true};
		r->threads_used++;
	}
	return &r->threads[j];
}

static const struct lot_rd_thread *thread_find(const struct lot_reader *r, uint64_t tid)
{
	if (!r->threads_cap)
		return NULL;
	size_t j = (size_t)(tid * 0x9E3779B97F4A7C15ull >> 7) & (r->threads_cap - 1);
	while (r->threads[j].used) {
		if (r->threads[j].tid == tid)
			return &r->threads[j];
		j = (j + 1) & (r->threads_cap - 1);
	}
	return NULL;
}

/* ---- records ---- */

enum rec_status { REC_OK, REC_TRUNCATED, REC_BAD };

/*
 * Check the chunk-header record at off and fill r->chunk from it.  On
 * REC_BAD, why says what is wrong.  Does not look at the LZ4 frame.
 */
static enum rec_status chunk_header(struct lot_reader *r, uint64_t off, char why[256])
{
	const uint8_t *p;
	size_t n = fetch(r, off, LOT_RECORD_PREFIX, &p);
	if (n < LOT_RECORD_PREFIX)
		return REC_TRUNCATED;
	uint32_t size = lot_get_le32(p + 4);
	if (size < LOT_CH_FIXED || size > CHUNK_HEADER_MAX) {
		snprintf(why, 256, "chunk header size %u is out of range", size);
		return REC_BAD;
	}
	n = fetch(r, off, LOT_RECORD_PREFIX + size, &p);
	if (n < LOT_RECORD_PREFIX + size)
		return REC_TRUNCATED;
	const uint8_t *b = p + LOT_RECORD_PREFIX;
	if (LOT_CRC_BAD(lot_get_le32(b + LOT_CH_OFF_CRC), lot_crc32(b + 4, size - 4))) {
		snprintf(why, 256, "chunk header checksum mismatch");
		return REC_BAD;
	}
	struct lot_chunk_info *ci = &r->chunk.info;
	uint16_t name_len = lot_get_le16(b + LOT_CH_OFF_NAME_LEN);
	uint32_t raw_len = lot_get_le32(b + LOT_CH_OFF_RAW_LEN);
	uint32_t comp_len = lot_get_le32(b + LOT_CH_OFF_COMP_LEN);
	if (name_len > LOT_THREAD_NAME_MAX || (uint32_t)LOT_CH_FIXED + name_len > size) {
		snprintf(why, 256, "chunk header: thread name length %u is out of range", name_len);
		return REC_BAD;
	}
	if (raw_len > LOT_CHUNK_RAW_MAX) {
		snprintf(why, 256, "chunk payload of %u bytes exceeds the limit of %u", raw_len,
			 LOT_CHUNK_RAW_MAX);
		return REC_BAD;
	}
	/* LZ4's worst case plus the frame's header, block headers, end mark and checksum */
	if ((uint64_t)comp_len > (uint64_t)raw_len + raw_len / 255 + 1024) {
		snprintf(why, 256, "LZ4 frame of %u bytes is too large for a payload of %u", comp_len,
			 raw_len);
		return REC_BAD;
	}
	r->chunk.offset = off;
	ci->flags = lot_get_le32(b + LOT_CH_OFF_FLAGS);
	if (ci->flags & ~LOT_CHUNK_KNOWN_FLAGS) { /* they may change how events are encoded */
		snprintf(why, 256, "chunk flags 0x%x are not known to this reader", ci->flags);
		return REC_BAD;
	}
	ci->tid = lot_get_le64(b + LOT_CH_OFF_TID);
	ci->seq = lot_get_le32(b + LOT_CH_OFF_SEQ);
	ci->events = lot_get_le32(b + LOT_CH_OFF_EVENTS);
	ci->base_ticks = lot_get_le64(b + LOT_CH_OFF_BASE);
	ci->end_ticks = lot_get_le64(b + LOT_CH_OFF_END);
	ci->lost = lot_get_le64(b + LOT_CH_OFF_LOST);
	ci->span_base = lot_get_le64(b + LOT_CH_OFF_SPAN_BASE);
	ci->task = lot_get_le64(b + LOT_CH_OFF_TASK);
	ci->raw_len = raw_len;
	ci->comp_len = comp_len;
	memcpy(r->chunk_name, b + LOT_CH_FIXED, name_len);
	r->chunk_name[name_len] = '\0';
	ci->thread_name = r->chunk_name;
	return REC_OK;
}

/*
 * The frame's largest block (64 KiB to 4 MiB, from its BD byte), or 0 if the
 * header is not there.  LZ4F decodes a block straight into the caller's buffer
 * only when at least this much room is left; with less it decodes into its
 * own buffer and copies, one extra pass over every payload byte.
 */
static size_t frame_block_max(const uint8_t *frame, size_t len)
{
	if (len < 7 || lot_get_le32(frame) != 0x184D2204u)
		return 0;
	unsigned id = (frame[5] >> 4) & 7;
	return id >= 4 ? (size_t)1 << (8 + 2 * id) : 0;
}

/* Decompress the chunk's frame at off into r->raw; 0, or -1 with why set. */
static int chunk_payload(struct lot_reader *r, const uint8_t *frame, char why[256])
{
	const struct lot_chunk_info *ci = &r->chunk.info;
	size_t room = frame_block_max(frame, ci->comp_len);
	if (room < ci->raw_len)
		room = ci->raw_len;
	if (r->raw_cap < room || !r->raw) {
		size_t cap = room > RAW_MIN ? room : RAW_MIN;
		uint8_t *raw = realloc(r->raw, cap);
		if (!raw) {
			snprintf(why, 256, "out of memory for a %u-byte payload", ci->raw_len);
			return -1;
		}
		r->raw = raw;
		r->raw_cap = cap;
	}
	/* Room for a whole block even when the payload is shorter: see
	 * frame_block_max().  A frame that holds more than raw_len is then caught
	 * by the size it decoded to instead of by running out of room. */
	size_t dst = r->raw_cap, src = ci->comp_len;
	LZ4F_decompressOptions_t opt = {.skipChecksums = !LOT_CHECKSUMS_ENFORCED};
	size_t ret = LZ4F_decompress(r->dctx, r->raw, &dst, frame, &src, &opt);
	if (LZ4F_isError(ret)) {
		LZ4F_resetDecompressionContext(r->dctx);
		snprintf(why, 256, "LZ4 frame: %s", LZ4F_getErrorName(ret));
		return -1;
	}
	if (dst > ci->raw_len) {
		if (ret != 0)
			LZ4F_resetDecompressionContext(r->dctx);
		snprintf(why, 256, "LZ4 frame holds more than the %u bytes the header says",
			 ci->raw_len);
		return -1;
	}
	if (ret != 0) { /* frame not finished */
		LZ4F_resetDecompressionContext(r->dctx);
		if (src < ci->comp_len)
			snprintf(why, 256, "LZ4 frame holds more than the %u bytes the header says",
				 ci->raw_len);
		else
			snprintf(why, 256, "LZ4 frame ends early");
		return -1;
	}
	if (src != ci->comp_len) {
		snprintf(why, 256, "LZ4 frame ends %zu bytes before its stated length", ci->comp_len - src);
		return -1;
	}
	if (dst != ci->raw_len) {
		snprintf(why, 256, "payload is %zu bytes, header says %u", dst, ci->raw_len);
		return -1;
	}
	return 0;
}

/* Whether a resync candidate at off is a record worth stopping at. */
static bool plausible_record(struct lot_reader *r, uint64_t off, uint32_t magic)
{
	char why[256];
	if (magic == LOT_MAGIC_CHUNK)
		return chunk_header(r, off, why) == REC_OK; /* a truncated frame is reported later */
	const uint8_t *p;
	if (fetch(r, off, LOT_RECORD_PREFIX, &p) < LOT_RECORD_PREFIX)
		return false;
	uint32_t size = lot_get_le32(p + 4);
	if (size < 4 + LOT_TRAILER_FOOTER || size > LOT_TRAILER_MAX)
		return false;
	/* the footer first: it rejects a stray magic without reading (and summing) a
	 * record as large as its garbage size field claims */
	uint64_t foot = off + LOT_RECORD_PREFIX + size - LOT_TRAILER_FOOTER;
	if (fetch(r, foot, LOT_TRAILER_FOOTER, &p) < LOT_TRAILER_FOOTER ||
	    memcmp(p + 8, LOT_TRAILER_END_SIG, 8) != 0 || lot_get_le64(p) != off)
		return false;
	if (fetch(r, off, LOT_RECORD_PREFIX + (size_t)size, &p) < LOT_RECORD_PREFIX + (size_t)size)
		return false;
	const uint8_t *b = p + LOT_RECORD_PREFIX;
	return !LOT_CRC_BAD(lot_get_le32(b), lot_crc32(b + 4, size - 4));
}

/* Scan forward from `from` for the next chunk or trailer record that checks out. */
static void resync(struct lot_reader *r, uint64_t from)
{
	static const uint8_t tail[3] = {0x2a, 0x4d, 0x18}; /* bytes 1..3 of our magics */
	uint64_t off = from;
	while (!r->io_error) {
		const uint8_t *p;
		size_t n = fetch(r, off, SCAN_BLOCK, &p);
		if (n < 4)
			break;
		uint64_t cand = UINT64_MAX;
		uint32_t magic = 0;
		for (const uint8_t *q = p; (q = memmem(q, (size_t)(p + n - q), tail, 3)) != NULL; q++) {
			if (q == p)
				continue;
			magic = lot_get_le32(q - 1);
			if (magic == LOT_MAGIC_CHUNK || magic == LOT_MAGIC_TRAILER) {
				cand = off + (uint64_t)(q - 1 - p);
				break;
			}
		}
		if (cand == UINT64_MAX) {
			off += n - 3; /* keep the last bytes: a magic may straddle blocks */
			continue;
		}
		if (plausible_record(r, cand, magic)) {
			r->pos = cand;
			return;
		}
		off = cand + 1;
	}
	r->pos = r->size;
}

static void damage(struct lot_reader *r, uint64_t off, const char *what, const char *why)
{
	r->damaged = true;
	lot_rd_warn(r, off, "%s: %s; skipping to the next record", what, why);
	resync(r, off + 1);
}

static void truncated(struct lot_reader *r, uint64_t off, const char *what)
{
	r->damaged = true;
	lot_rd_warn(r, off, "truncated %s (file ends at %llu)", what, (unsigned long long)r->size);
	r->pos = r->size;
}

static void finish_without_trailer(struct lot_reader *r)
{
	r->damaged = true;
	lot_rd_warn(r, r->good_end,
		    "no trailer: the trace was not closed (process crashed?); "
		    "everything before this offset was read");
}

int lot_reader_next_chunk(struct lot_reader *r, struct lot_chunk **out)
{
	r->cstate = LOT_CS_NONE;
	char why[256];
	while (!r->at_end) {
		uint64_t off = r->pos;
		const uint8_t *p;
		size_t n = fetch(r, off, LOT_RECORD_PREFIX, &p);
		if (r->io_error)
			return -1;
		if (n == 0) {
			r->at_end = true;
			finish_without_trailer(r);
			break;
		}
		uint32_t magic = n >= 4 ? lot_get_le32(p) : 0;
		if (n < LOT_RECORD_PREFIX) {
			truncated(r, off, magic == LOT_MAGIC_CHUNK ? "chunk" : "record");
			continue;
		}
		uint32_t size = lot_get_le32(p + 4);
		if (magic == LOT_MAGIC_CHUNK) {
			enum rec_status st = chunk_header(r, off, why);
			if (st == REC_TRUNCATED) {
				truncated(r, off, "chunk");
				continue;
			}
			if (st == REC_BAD) {
				damage(r, off, "chunk", why);
				continue;
			}
			uint64_t frame_off = off + LOT_RECORD_PREFIX + size;
			uint32_t comp = r->chunk.info.comp_len;
			if (fetch(r, frame_off, comp, &p) < comp) {
				if (r->io_error)
					return -1;
				truncated(r, off, "chunk");
				continue;
			}
			if (chunk_payload(r, p, why)) {
				damage(r, off, "chunk", why);
				continue;
			}
			r->pos = r->good_end = frame_off + comp;
			if (lot_rd_chunk_start(r) == 0) {
				struct lot_rd_thread *t = thread_slot(r, r->chunk.info.tid);
				if (t) {
					uint64_t l = t->lost_seen + r->chunk.info.lost;
					t->lost_seen = l < t->lost_seen ? UINT64_MAX : l;
					if (r->chunk.info.end_ticks > t->last_ticks)
						t->last_ticks = r->chunk.info.end_ticks;
				}
				*out = &r->chunk;
				return 1;
			}
			damage(r, off, "chunk", "out of memory");
			continue;
		}
		if (magic == LOT_MAGIC_TRAILER) {
			if (size > LOT_TRAILER_MAX) {
				damage(r, off, "trailer", "size out of range");
				continue;
			}
			if (fetch(r, off, LOT_RECORD_PREFIX + (size_t)size, &p) < LOT_RECORD_PREFIX + (size_t)size) {
				if (r->io_error)
					return -1;
				truncated(r, off, "trailer");
				continue;
			}
			if (lot_rd_parse_trailer(r, off, p + LOT_RECORD_PREFIX, size, why)) {
				damage(r, off, "trailer", why);
				continue;
			}
			r->at_end = true;
			uint64_t end = off + LOT_RECORD_PREFIX + size;
			r->good_end = end;
			if (end < r->size) {
				r->damaged = true;
				lot_rd_warn(r, end, "%llu bytes after the trailer ignored",
					    (unsigned long long)(r->size - end));
			}
			break;
		}
		if ((magic & 0xFFFFFFF0u) == 0x184D2A50u && magic != LOT_MAGIC_HEADER) {
			/* a skippable frame of a newer minor: skip it by its size */
			uint64_t end = off + LOT_RECORD_PREFIX + size;
			if (end > r->size) {
				damage(r, off, "record", "skippable frame runs past the end of the file");
				continue;
			}
			r->pos = r->good_end = end;
			continue;
		}
		char hex[16];
		hexdump4(p, 4, hex);
		snprintf(why, sizeof why, "not a record (starts with %s)", hex);
		damage(r, off, "data", why);
	}
	return r->io_error ? -1 : 0;
}

int lot_reader_next_tail_event(struct lot_reader *r, struct lot_event *ev)
{
	if (!r->at_end || !r->have_trailer)
		return 0;
	while (r->tail_next < r->trailer.n_threads) {
		const struct lot_thread_total *t = &r->trailer.threads[r->tail_next++];
		const struct lot_rd_thread *seen = thread_find(r, t->tid);
		uint64_t seen_lost = seen ? seen->lost_seen : 0;
		if (t->lost <= seen_lost)
			continue;
		const struct lot_type_desc *lost = &r->hdr.types[LOT_EV_lost];
		if (!lost->name) {
			for (size_t i = 0; i < lot_builtin_types_count; i++)
				if (lot_builtin_types[i].code == LOT_EV_lost)
					lost = &lot_builtin_types[i];
		}
		ev->code = LOT_EV_lost;
		ev->type = lost;
		ev->ticks = seen ? seen->last_ticks : r->trailer.end_ticks;
		ev->tid = t->tid;
		ev->synthetic = true;
		ev->nargs = 1;
		ev->args[0] = (struct lot_arg){.kind = LOT_KIND_UVAR, .u = t->lost - seen_lost};
		return 1;
	}
	return 0;
}

/* ---- helpers ---- */

int64_t lot_ticks_to_ns(const struct lot_clock_info *c, uint64_t ticks)
{
	uint64_t freq = c->freq_hz ? c->freq_hz : 1000000000u;
	bool neg = ticks < c->start_ticks;
	uint64_t d = neg ? c->start_ticks - ticks : ticks - c->start_ticks;
	unsigned __int128 ns = (unsigned __int128)d * 1000000000u / freq;
	if (ns > (unsigned __int128)LOT_NS_LIMIT)
		return neg ? -LOT_NS_LIMIT : LOT_NS_LIMIT;
	return neg ? -(int64_t)ns : (int64_t)ns;
}

void lot_trace_id_hex(const uint8_t id[16], char out[33])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 16; i++) {
		out[2 * i] = hex[id[i] >> 4];
		out[2 * i + 1] = hex[id[i] & 15];
	}
	out[32] = '\0';
}
