/*
 * Buffered standard output for the subcommands.
 *
 * `dump` prints tens of millions of lines, so fields are formatted by hand
 * into one large buffer that is written with write(2) when full, instead of
 * a printf call per field.  Everything goes through this buffer; nothing in
 * cmd/ writes to stdout with stdio, so the two can never interleave.
 *
 * A closed pipe (`lotrace dump x.lot | head`) ends the program quietly with
 * status 141, as SIGPIPE would; any other write error is reported once and
 * ends it with status 2.
 */
#ifndef LOT_CMD_OUT_H
#define LOT_CMD_OUT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CMD_OUT_CAP (1u << 18)
/* Room every single-field formatter below may need without checking again. */
#define CMD_OUT_FIELD 64

struct cmd_out {
	size_t len;
	char buf[CMD_OUT_CAP];
};
extern struct cmd_out cmd_out_state;

void out_flush(void);
void out_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Make sure n bytes fit in the buffer (n <= CMD_OUT_CAP); returns where they go. */
static inline char *out_room(size_t n)
{
	if (CMD_OUT_CAP - cmd_out_state.len < n)
		out_flush();
	return cmd_out_state.buf + cmd_out_state.len;
}

static inline void out_commit(char *end) { cmd_out_state.len = (size_t)(end - cmd_out_state.buf); }

void out_write_slow(const void *p, size_t n);

/* From now on, what leaves the buffer goes to put() instead of standard
 * output (put NULL: standard output again); what the buffer holds is
 * flushed first, where it was going. */
void out_redirect(void (*put)(void *ctx, const void *p, size_t n), void *ctx);

static inline void out_write(const void *p, size_t n)
{
	if (n <= CMD_OUT_CAP - cmd_out_state.len) {
		memcpy(cmd_out_state.buf + cmd_out_state.len, p, n);
		cmd_out_state.len += n;
	} else {
		out_write_slow(p, n);
	}
}

static inline void out_str(const char *s) { out_write(s, strlen(s)); }

static inline void out_char(char c)
{
	char *p = out_room(1);
	*p++ = c;
	out_commit(p);
}

/* Formatters into a caller-provided position with CMD_OUT_FIELD bytes of room. */
extern const char cmd_digit_pairs[200];

/* Decimal, two digits per division: dump prints several numbers per event. */
static inline char *fmt_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 20;
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100);
		v /= 100;
		n -= 2;
		memcpy(tmp + n, cmd_digit_pairs + 2 * d, 2);
	}
	if (v >= 10) {
		n -= 2;
		memcpy(tmp + n, cmd_digit_pairs + 2 * v, 2);
	} else {
		tmp[--n] = (char)('0' + v);
	}
	memcpy(p, tmp + n, (size_t)(20 - n));
	return p + (20 - n);
}

static inline char *fmt_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return fmt_u64(p, (uint64_t)0 - (uint64_t)v);
	}
	return fmt_u64(p, (uint64_t)v);
}

extern const char cmd_hexdigits[16];

/* "0x" and the shortest lowercase hex. */
static inline char *fmt_hex(char *p, uint64_t v)
{
	char tmp[16];
	int n = 0;
	do {
		tmp[n++] = cmd_hexdigits[v & 15];
		v >>= 4;
	} while (v);
	*p++ = '0';
	*p++ = 'x';
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* Exactly 16 lowercase hex digits, no prefix. */
static inline char *fmt_hex16(char *p, uint64_t v)
{
	for (int i = 15; i >= 0; i--) {
		p[i] = cmd_hexdigits[v & 15];
		v >>= 4;
	}
	return p + 16;
}

/* n bytes as 2n lowercase hex digits. */
static inline char *fmt_hex_bytes(char *p, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		*p++ = cmd_hexdigits[b[i] >> 4];
		*p++ = cmd_hexdigits[b[i] & 15];
	}
	return p;
}

static inline void out_u64(uint64_t v) { out_commit(fmt_u64(out_room(CMD_OUT_FIELD), v)); }
static inline void out_i64(int64_t v) { out_commit(fmt_i64(out_room(CMD_OUT_FIELD), v)); }

#endif
