#include "cmd/json.h"

#include <stdarg.h>
#include <string.h>

#include "cmd/escape.h"
#include "cmd/out.h"

/*
 * The writer's place: the depth, and whether the next item takes a comma.
 * Nothing more is needed: a key takes the comma and leaves none to its
 * value; an object or array just closed is an item of its parent, so after
 * it a comma is due (but at the top level, where values take none).
 */
struct json_place {
	unsigned depth;
	bool comma;
};
static struct json_place w, saved; /* saved: the document's, during json_apart() */

/* Before a value: the comma it needs. */
static inline void item(void)
{
	if (w.comma)
		out_char(',');
	w.comma = w.depth != 0;
}

static void open_level(char c)
{
	item();
	out_char(c);
	w.depth++;
	w.comma = false;
}

static void close_level(char c)
{
	out_char(c);
	if (w.depth)
		w.depth--;
	w.comma = w.depth != 0;
}

void json_object(void) { open_level('{'); }
void json_object_end(void) { close_level('}'); }
void json_array(void) { open_level('['); }
void json_array_end(void) { close_level(']'); }

/* A key: the comma before it, and none before its value. */
void json_key(const char *key)
{
	/* a literal of the caller's: nothing to escape */
	size_t n = strlen(key);
	char *p = out_room(n + 4);
	if (w.comma)
		*p++ = ',';
	w.comma = false;
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	out_commit(p);
}

void json_key_str(const char *s, size_t n)
{
	if (w.comma)
		out_char(',');
	w.comma = false;
	out_json_str(s, n);
	out_char(':');
}

void json_str(const char *s, size_t n)
{
	item();
	out_json_str(s, n);
}

void json_cstr(const char *s) { json_str(s, strlen(s)); }

void json_u64(uint64_t v)
{
	item();
	out_u64(v);
}

void json_i64(int64_t v)
{
	item();
	out_i64(v);
}

void json_bool(bool v)
{
	item();
	out_str(v ? "true" : "false");
}

void json_null(void)
{
	item();
	out_str("null");
}

void json_hex(const uint8_t *p, size_t n)
{
	item();
	out_char('"');
	for (size_t i = 0; i < n; i++) {
		char *o = out_room(2);
		o[0] = cmd_hexdigits[p[i] >> 4];
		o[1] = cmd_hexdigits[p[i] & 15];
		out_commit(o + 2);
	}
	out_char('"');
}

void json_printf(const char *fmt, ...)
{
	va_list ap;
	item();
	va_start(ap, fmt);
	out_vprintf(fmt, ap);
	va_end(ap);
}

void json_lit(const char *s)
{
	item();
	size_t n = strlen(s);
	char *p = out_room(n + 2);
	*p++ = '"';
	memcpy(p, s, n);
	p += n;
	*p++ = '"';
	out_commit(p);
}

void json_raw(const char *s, size_t n)
{
	item();
	out_write(s, n);
}

void json_fixed3(uint64_t v)
{
	item();
	char *p = fmt_u64(out_room(CMD_OUT_FIELD), v / 1000);
	unsigned frac = (unsigned)(v % 1000);
	*p++ = '.';
	*p++ = (char)('0' + frac / 100);
	memcpy(p, cmd_digit_pairs + 2 * (frac % 100), 2);
	out_commit(p + 2);
}

/* A string of what fmt() writes: at most CMD_OUT_FIELD - 2 bytes. */
#define QUOTED(fmt_call)                                      \
	do {                                                  \
		item();                                       \
		char *p = out_room(CMD_OUT_FIELD);            \
		*p++ = '"';                                   \
		p = fmt_call;                                 \
		*p++ = '"';                                   \
		out_commit(p);                                \
	} while (0)

void json_hex16(uint64_t v) { QUOTED(fmt_hex16(p, v)); }
void json_hex_num(uint64_t v) { QUOTED(fmt_hex(p, v)); }
void json_u64_str(uint64_t v) { QUOTED(fmt_u64(p, v)); }
void json_i64_str(int64_t v) { QUOTED(fmt_i64(p, v)); }

void json_kv_str(const char *key, const char *s, size_t n)
{
	json_key(key);
	json_str(s, n);
}

void json_kv_cstr(const char *key, const char *s)
{
	json_key(key);
	json_cstr(s);
}

void json_kv_lit(const char *key, const char *s)
{
	json_key(key);
	json_lit(s);
}

void json_kv_u64(const char *key, uint64_t v)
{
	json_key(key);
	json_u64(v);
}

void json_kv_i64(const char *key, int64_t v)
{
	json_key(key);
	json_i64(v);
}

void json_kv_bool(const char *key, bool v)
{
	json_key(key);
	json_bool(v);
}

void json_break(void)
{
	if (w.comma)
		out_char(',');
	w.comma = false;
	out_char('\n');
}

void json_apart(void (*put)(void *ctx, const void *p, size_t n), void *ctx)
{
	out_redirect(put, ctx);
	saved = w;
	w = (struct json_place){0};
}

void json_apart_end(void)
{
	out_redirect(NULL, NULL);
	w = saved;
}
