#include "cmd/json.h"

#include <stdarg.h>
#include <string.h>

#include "cmd/escape.h"
#include "cmd/out.h"

/* Deeper than any document cmd/ writes; deeper levels share the last flag. */
#define JSON_MAX_DEPTH 64

static struct {
	unsigned depth;
	bool after_key;          /* a key was written: its value needs no comma */
	bool comma_written;      /* json_break() already wrote the comma */
	bool more[JSON_MAX_DEPTH]; /* per level: an item was written there */
} w;

static bool *more(void) { return &w.more[w.depth < JSON_MAX_DEPTH ? w.depth : JSON_MAX_DEPTH - 1]; }

/* Before an item (a value, or a key in an object): the comma it needs. */
static void item(void)
{
	if (w.after_key) {
		w.after_key = false;
		return;
	}
	if (w.depth && *more() && !w.comma_written)
		out_char(',');
	w.comma_written = false;
	*more() = true;
}

static void open_level(char c)
{
	item();
	out_char(c);
	w.depth++;
	*more() = false;
}

static void close_level(char c)
{
	out_char(c);
	w.comma_written = false;
	if (w.depth)
		w.depth--;
}

void json_object(void) { open_level('{'); }
void json_object_end(void) { close_level('}'); }
void json_array(void) { open_level('['); }
void json_array_end(void) { close_level(']'); }

void json_key(const char *key)
{
	item();
	out_char('"');
	out_str(key); /* a literal of the caller's: nothing to escape */
	out_str("\":");
	w.after_key = true;
}

void json_key_str(const char *s, size_t n)
{
	item();
	out_json_str(s, n);
	out_char(':');
	w.after_key = true;
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
	if (w.depth && *more() && !w.after_key && !w.comma_written) {
		out_char(',');
		w.comma_written = true;
	}
	out_char('\n');
}
