#include "cmd/out.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd/exit.h"

struct cmd_out cmd_out_state;
const char cmd_hexdigits[16] = "0123456789abcdef";
const char cmd_digit_pairs[200] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static struct {
	void (*put)(void *ctx, const void *p, size_t n);
	void *ctx;
} redirect;

static void write_all(const char *p, size_t n)
{
	if (redirect.put) {
		redirect.put(redirect.ctx, p, n);
		return;
	}
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			/* A reader that went away is not an error worth a message. */
			if (errno == EPIPE)
				_exit(CMD_EXIT_PIPE);
			fprintf(stderr, "lotrace: write error: %s\n", strerror(errno));
			_exit(CMD_EXIT_UNREADABLE);
		}
		p += w;
		n -= (size_t)w;
	}
}

void out_flush(void)
{
	write_all(cmd_out_state.buf, cmd_out_state.len);
	cmd_out_state.len = 0;
}

void out_write_slow(const void *p, size_t n)
{
	out_flush();
	if (n >= CMD_OUT_CAP) {
		write_all(p, n);
		return;
	}
	memcpy(cmd_out_state.buf, p, n);
	cmd_out_state.len = n;
}

void out_redirect(void (*put)(void *ctx, const void *p, size_t n), void *ctx)
{
	out_flush();
	redirect.put = put;
	redirect.ctx = ctx;
}

void out_vprintf(const char *fmt, va_list ap)
{
	char small[512];
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	if (n >= 0 && (size_t)n < sizeof small) {
		out_write(small, (size_t)n);
	} else if (n >= 0) {
		char *big = malloc((size_t)n + 1);
		if (big) {
			vsnprintf(big, (size_t)n + 1, fmt, again);
			out_write(big, (size_t)n);
			free(big);
		}
	}
	va_end(again);
}

void out_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_vprintf(fmt, ap);
	va_end(ap);
}
