#include "tracer/io.h"

#include <errno.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NBUF 4
#define BUF_MIN (1u << 20)

struct obuf {
	uint8_t *data;
	size_t len;      /* bytes filled */
	size_t done;     /* bytes written (io_uring: of an in-flight write) */
	uint64_t off;    /* file offset of data[0] */
	bool busy;       /* a write is in flight */
};

struct lot_io {
	int fd;
	bool uring;
	struct io_uring ring;
	unsigned inflight;
	int err;
	size_t cap;
	uint64_t end;    /* file offset after everything reserved so far */
	uint64_t written; /* bytes known to be in the file (for the error message) */
	int cur;         /* buffer being filled, -1 none */
	struct obuf buf[NBUF];
};

/* The first write error ends the file (nothing more is written, later
 * chunks are counted as lost) and is said once on stderr: the program goes
 * on, and nobody may be checking lot_stop()'s result. */
static void set_err(struct lot_io *io, int err)
{
	if (io->err)
		return;
	io->err = err;
	char path[256];
	char link[32];
	snprintf(link, sizeof link, "/proc/self/fd/%d", io->fd);
	ssize_t n = readlink(link, path, sizeof path - 1);
	path[n > 0 ? n : 0] = 0;
	fprintf(stderr, "lotrace: %s: write error after %llu bytes: %s; the trace ends there, "
		"later events are counted as lost\n", n > 0 ? path : "trace file",
		(unsigned long long)io->written, strerror(-err));
}

/* Some seccomp profiles allow io_uring_setup but refuse io_uring_enter:
 * submit a no-op and wait for it, so such a ring is not chosen. */
static bool ring_works(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	if (!sqe)
		return false;
	io_uring_prep_nop(sqe);
	if (io_uring_submit(ring) != 1 || io_uring_wait_cqe(ring, &cqe) < 0)
		return false;
	bool ok = cqe->res == 0;
	io_uring_cqe_seen(ring, cqe);
	return ok;
}

struct lot_io *lot_io_open(int fd, enum lot_io_kind want, size_t min_record)
{
	struct lot_io *io = calloc(1, sizeof *io);
	if (!io)
		return NULL;
	io->fd = fd;
	io->cur = -1;
	io->cap = min_record > BUF_MIN ? min_record : BUF_MIN;
	for (int i = 0; i < NBUF; i++) {
		io->buf[i].data = malloc(io->cap);
		if (!io->buf[i].data) {
			lot_io_close(io);
			return NULL;
		}
	}
	if (want == LOT_IO_URING && io_uring_queue_init(2 * NBUF, &io->ring, 0) == 0) {
		io->uring = ring_works(&io->ring);
		if (!io->uring)
			io_uring_queue_exit(&io->ring);
	}
	return io;
}

const char *lot_io_name(const struct lot_io *io)
{
	return io->uring ? "io_uring" : "pwrite";
}

int lot_io_error(const struct lot_io *io)
{
	return io->err;
}

static void submit_write(struct lot_io *io, int i)
{
	struct obuf *b = &io->buf[i];
	struct io_uring_sqe *sqe = io_uring_get_sqe(&io->ring);
	if (!sqe) { /* cannot happen: the ring has twice as many entries as buffers */
		set_err(io, -EBUSY);
		b->busy = false;
		return;
	}
	io_uring_prep_write(sqe, io->fd, b->data + b->done, (unsigned)(b->len - b->done),
			    b->off + b->done);
	io_uring_sqe_set_data64(sqe, (uint64_t)i);
	b->busy = true;
	io->inflight++;
	int r = io_uring_submit(&io->ring);
	if (r < 0) {
		set_err(io, r);
		b->busy = false;
		io->inflight--;
	}
}

/* Handle one completion; a short write is resubmitted for the rest. */
static void complete(struct lot_io *io, struct io_uring_cqe *cqe)
{
	int i = (int)io_uring_cqe_get_data64(cqe);
	int res = cqe->res;
	io_uring_cqe_seen(&io->ring, cqe);
	io->inflight--;
	struct obuf *b = &io->buf[i];
	if (res == -EINTR || res == -EAGAIN) {
		submit_write(io, i);
		return;
	}
	if (res < 0) {
		set_err(io, res);
		b->busy = false;
		return;
	}
	if (res == 0) {
		set_err(io, -EIO);
		b->busy = false;
		return;
	}
	b->done += (size_t)res;
	io->written += (uint64_t)res;
	if (b->done < b->len)
		submit_write(io, i);
	else
		b->busy = false;
}

/* Take completions; with wait, block for one first.  false if waiting failed. */
static bool reap(struct lot_io *io, bool wait)
{
	struct io_uring_cqe *cqe;
	if (wait && io->inflight) {
		int r;
		do
			r = io_uring_wait_cqe(&io->ring, &cqe);
		while (r == -EINTR);
		if (r < 0) {
			set_err(io, r);
			return false;
		}
		complete(io, cqe);
	}
	while (io->inflight && io_uring_peek_cqe(&io->ring, &cqe) == 0)
		complete(io, cqe);
	return true;
}

static void write_sync(struct lot_io *io, struct obuf *b)
{
	while (b->done < b->len) {
		ssize_t n = pwrite(io->fd, b->data + b->done, b->len - b->done,
				   (off_t)(b->off + b->done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			set_err(io, n < 0 ? -errno : -EIO);
			return;
		}
		b->done += (size_t)n;
		io->written += (uint64_t)n;
	}
}

void lot_io_flush(struct lot_io *io)
{
	if (io->cur < 0)
		return;
	struct obuf *b = &io->buf[io->cur];
	io->cur = -1;
	if (!b->len)
		return;
	b->done = 0;
	if (io->err)
		return; /* after an error nothing more is written */
	if (io->uring)
		submit_write(io, (int)(b - io->buf));
	else
		write_sync(io, b);
	if (io->uring)
		reap(io, false);
}

uint8_t *lot_io_reserve(struct lot_io *io, size_t n, uint64_t *offset)
{
	if (io->err || n > io->cap)
		return NULL;
	if (io->cur >= 0 && io->cap - io->buf[io->cur].len < n)
		lot_io_flush(io);
	if (io->cur < 0) {
		for (;;) {
			if (io->uring)
				reap(io, false);
			for (int i = 0; i < NBUF; i++)
				if (!io->buf[i].busy) {
					io->cur = i;
					break;
				}
			if (io->cur >= 0 || io->err || !reap(io, true))
				break;
		}
		if (io->cur < 0)
			return NULL;
		io->buf[io->cur].len = 0;
		io->buf[io->cur].off = io->end;
	}
	struct obuf *b = &io->buf[io->cur];
	*offset = b->off + b->len;
	return b->data + b->len;
}

void lot_io_commit(struct lot_io *io, size_t n)
{
	io->buf[io->cur].len += n;
	io->end += n;
}

int lot_io_finish(struct lot_io *io)
{
	lot_io_flush(io);
	while (io->uring && io->inflight && reap(io, true))
		;
	return io->err;
}

uint64_t lot_io_good_end(const struct lot_io *io)
{
	uint64_t good = io->end;
	for (int i = 0; i < NBUF; i++) {
		const struct obuf *b = &io->buf[i];
		if (b->len && b->done < b->len && b->off + b->done < good)
			good = b->off + b->done;
	}
	return good;
}

int lot_io_salvage(struct lot_io *io, uint64_t at, const void *data, size_t len)
{
	if (ftruncate(io->fd, (off_t)at))
		return -errno;
	const uint8_t *p = data;
	while (len) {
		ssize_t n = pwrite(io->fd, p, len, (off_t)at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		at += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

void lot_io_close(struct lot_io *io)
{
	if (!io)
		return;
	if (io->uring)
		io_uring_queue_exit(&io->ring);
	for (int i = 0; i < NBUF; i++)
		free(io->buf[i].data);
	free(io);
}

void lot_io_abandon(struct lot_io *io)
{
	lot_io_close(io);
}

uint64_t lot_io_offset(const struct lot_io *io)
{
	return io->end;
}

int lot_io_append(struct lot_io *io, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len) {
		size_t n = len < io->cap ? len : io->cap;
		uint64_t off;
		uint8_t *dst = lot_io_reserve(io, n, &off);
		if (!dst)
			return io->err ? io->err : -EIO;
		memcpy(dst, p, n);
		lot_io_commit(io, n);
		p += n;
		len -= n;
	}
	return 0;
}
