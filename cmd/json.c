#include "cmd/json.h"

#include <stdarg.h>
#include <string.h>

#include "cmd/escape.h"
#include "cmd/out.h"

struct json_place json__w;
static struct json_place saved; /* the document's, during json_apart() */

void json_key_str(const char *s, size_t n)
{
	out_commit(json__item(0));
	json__w.at = JSON__INSIDE; /* no comma before the value */
	out_json_str(s, n);
	out_char(':');
}

void json_str(const char *s, size_t n)
{
	out_commit(json__item(0));
	out_json_str(s, n);
}

void json_cstr(const char *s) { json_str(s, strlen(s)); }

void json_hex(const uint8_t *p, size_t n)
{
	char *o = json__item(1);
	*o++ = '"';
	out_commit(o);
	while (n) { /* 16 bytes, an id, at a time */
		size_t k = n < 16 ? n : 16;
		out_commit(fmt_hex_bytes(out_room(2 * k), p, k));
		p += k;
		n -= k;
	}
	out_char('"');
}

void json_printf(const char *fmt, ...)
{
	va_list ap;
	out_commit(json__item(0));
	va_start(ap, fmt);
	out_vprintf(fmt, ap);
	va_end(ap);
}

void json_apart(void (*put)(void *ctx, const void *p, size_t n), void *ctx)
{
	out_redirect(put, ctx);
	saved = json__w;
	json__w = (struct json_place){0};
}

void json_apart_end(void)
{
	out_redirect(NULL, NULL);
	json__w = saved;
}
