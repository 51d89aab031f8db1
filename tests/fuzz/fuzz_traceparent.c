/*
 * libFuzzer target for lot_traceparent_parse(): any string (of any length,
 * unterminated bytes included) is accepted or refused without reading past
 * its NUL; what is accepted is a valid span that formats to the canonical
 * version-00 header, which parses back to the same span (and equals the
 * input when the input was a version-00 header).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/lotrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = malloc(size + 1); /* exactly the input: ASan sees any overread */
	if (!h)
		return 0;
	memcpy(h, data, size);
	h[size] = 0;
	lot_span s;
	if (lot_traceparent_parse(h, &s) == 0) {
		char out[LOT_TRACEPARENT_LEN + 1];
		lot_span back;
		if (!lot_span_valid(&s) || lot_traceparent_format(&s, out) != 0 ||
		    strlen(out) != LOT_TRACEPARENT_LEN || lot_traceparent_parse(out, &back) != 0 ||
		    memcmp(back.trace_id, s.trace_id, 16) || back.span_id != s.span_id ||
		    back.flags != s.flags)
			abort();
		if (!strncmp(h, "00", 2) && strcmp(h, out))
			abort();
	}
	free(h);
	return 0;
}
