/* The provider's probes and tracepoint definitions, linked into bench_probe. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "bench/lttng/lotbench_tp.h"
