#include "lib/control_state.h"

#include <stdlib.h>
#include <string.h>

void lot_control_state_path(char *out, size_t cap, const char *xdg, unsigned uid, int pid)
{
	int n = xdg && xdg[0] == '/' ? snprintf(out, cap, "%s/lotrace", xdg)
				     : snprintf(out, cap, "/tmp/lotrace-%u", uid);
	if (pid >= 0 && n >= 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, "/%d", pid);
}

int lot_control_state_format(char *out, size_t cap, const struct lot_control_state *s)
{
	int n = snprintf(out, cap,
			 "lotrace-state 1\npid %d\nstarttime %llu\nsignal %d\nmode %s\n"
			 "completed %llu\nfailed %llu\nlast %s\nerror %s\nwindow %s\n",
			 s->pid, s->starttime, s->signal, s->flight ? "flight" : "stream",
			 s->completed, s->failed, s->last, s->error, s->window);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

void lot_control_state_parse(FILE *f, struct lot_control_state *s)
{
	*s = (struct lot_control_state){0};
	char line[PATH_MAX + 64];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *v = strchr(line, ' ');
		if (!v)
			continue;
		*v++ = 0;
		if (!strcmp(line, "lotrace-state"))
			s->ok = !strcmp(v, "1");
		else if (!strcmp(line, "pid"))
			s->pid = atoi(v);
		else if (!strcmp(line, "starttime"))
			s->starttime = strtoull(v, NULL, 10);
		else if (!strcmp(line, "signal"))
			s->signal = atoi(v);
		else if (!strcmp(line, "completed"))
			s->completed = strtoull(v, NULL, 10);
		else if (!strcmp(line, "failed"))
			s->failed = strtoull(v, NULL, 10);
		else if (!strcmp(line, "mode"))
			s->flight = !strcmp(v, "flight");
		else if (!strcmp(line, "last"))
			snprintf(s->last, sizeof s->last, "%s", v);
		else if (!strcmp(line, "error"))
			snprintf(s->error, sizeof s->error, "%s", v);
		else if (!strcmp(line, "window"))
			snprintf(s->window, sizeof s->window, "%s", v);
	}
}
