/* A library that records (loaded and unloaded by test_lifecycle): its names
 * are string literals of its own, gone once it is unloaded. */
#include <stddef.h>

#include "tracer/lotrace.h"

int dlrecord_run(int n);

__attribute__((visibility("default"))) int dlrecord_run(int n)
{
	for (int i = 0; i < n; i++) {
		lot_span s = lot_span_begin("plugin-span", NULL);
		lot_span_attr_str(&s, "plugin-key", "plugin-value");
		lot_instant("from-plugin");
		lot_span_end(&s);
	}
	return n;
}
