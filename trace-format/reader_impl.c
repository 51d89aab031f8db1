/* The reader's warnings: see reader_impl.h. */
#include "trace-format/reader_impl.h"

#include <stdarg.h>
#include <stdio.h>

void lot_rd_warn(struct lot_reader *r, uint64_t offset, const char *fmt, ...)
{
	r->warnings++;
	if (!r->opts.diag)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r->opts.diag(r->opts.diag_ctx, offset, msg);
}
