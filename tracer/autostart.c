/*
 * The library's load-time start: LOTRACE_START=1 or LOTRACE_MODE=flight
 * start a session at once, LOTRACE_SIGNAL and LOTRACE_DURATION the control
 * thread.  Above session and control, which it starts: neither calls back.
 *
 * Programs that link the recorder's objects statically (the test children)
 * keep this object with -Wl,-u,lot__autostart: nothing else refers to it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/control.h"
#include "tracer/env.h"
#include "tracer/session.h"

void lot__autostart(void);

__attribute__((constructor)) void lot__autostart(void)
{
	lot_session_install_hooks();
	int v = lot_env_start();
	const char *mode = getenv("LOTRACE_MODE");
	bool flight = mode && !strcmp(mode, "flight");
	uint64_t gen = 0;
	char path[sizeof((struct lot_session *)0)->path] = "";
	if (v == 1 || flight) {
		int err = lot_session_start(&(struct lot_start_req){.by = LOT_BY_ENV}, &gen, path,
					    sizeof path);
		if (err)
			fprintf(stderr, "lotrace: %s: cannot start tracing: %s\n",
				flight ? "LOTRACE_MODE=flight" : "LOTRACE_START=1", strerror(-err));
	}
	lot_control_init(gen, path);
}
