/*
 * Threads and processes.  Each thread the program creates records its
 * thread_begin as it starts (its own task, named from the kernel's comm)
 * and its thread_end when it exits (liblotrace's key destructor).  A name
 * given with pthread_setname_np reaches the trace at once for the calling
 * thread, and at the named thread's next block otherwise (only the thread
 * itself may write its recorder state).
 *
 * fork: a child of a process that traces from its environment
 * (LOTRACE_START=1 or LOTRACE_MODE=flight) traces too, into its own file:
 * the LOTRACE_OUTPUT template (whose %p makes it the child's), or, for a
 * plain path, that path with "-<pid>" before its extension; its _exit
 * finishes the file.  The parent's file is untouched.  exec: the running session is finished first (the
 * file is complete); the new image, preloaded again by LD_PRELOAD, traces
 * again if the variables still say so, into a plain path with "-exec"
 * before its extension (the old image's file has the name).  posix_spawn:
 * the child's LOTRACE_OUTPUT becomes the plain path with "-%p", a template.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracer/auto/auto.h"

struct start {
	void *(*fn)(void *);
	void *arg;
	bool off;
};

static void *trampoline(void *p)
{
	struct start s = *(struct start *)p;
	free(p);
	auto_self.off = s.off;
	if (!s.off && lot_enabled()) {
		auto_self.off = true;
		lot__auto_thread();
		auto_self.off = false;
	}
	void *r = s.fn(s.arg);
	auto_thread_ends(); /* its joiners' waker */
	return r;
}

/* The tracer's own threads start in liblotrace: they are never traced. */
static bool in_liblotrace(void *(*fn)(void *))
{
	static void *base;
	Dl_info a, b;
	if (!base && dladdr((void *)lot_start, &b))
		base = b.dli_fbase;
	return base && dladdr((void *)fn, &a) && a.dli_fbase == base;
}

AUTO_API int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	struct start *s = malloc(sizeof *s);
	if (!s)
		return REAL(pthread_create)(th, attr, fn, arg);
	bool tracer = in_liblotrace(fn);
	*s = (struct start){fn, arg, tracer};
	int r = REAL(pthread_create)(th, attr, trampoline, s);
	if (r)
		free(s);
	else if (tracer)
		auto_join_exempt(*th);
	return r;
}

AUTO_API int pthread_setname_np(pthread_t th, const char *name)
{
	int r = REAL(pthread_setname_np)(th, name);
	if (r || auto_self.off)
		return r;
	if (pthread_equal(th, pthread_self()))
		lot__auto_rename();
	else
		atomic_fetch_add_explicit(&auto_name_gen, 1, memory_order_relaxed);
	return r;
}

/* ---- fork and exec ---- */

/* This process's trace file when it traces from its environment: the
 * plain LOTRACE_OUTPUT or the child's name made from it; "" for a template
 * (or none: the default template). */
static char out_plain[PATH_MAX + 64];
static bool fork_traced;
static bool fork_started; /* this process is a child that started tracing at fork */
/* The process these settings are for: a vfork child (which shares our
 * memory, and whose exec or _exit must not stop the parent's session) has
 * another pid. */
static pid_t auto_pid;

static bool env_traced(void)
{
	const char *s = getenv("LOTRACE_START"), *m = getenv("LOTRACE_MODE");
	return (s && !strcmp(s, "1")) || (m && !strcmp(m, "flight"));
}

/* path with `suffix` before its extension, into out. */
static void with_suffix(char *out, size_t cap, const char *path, const char *suffix)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	size_t stem = dot && dot > (slash ? slash + 1 : path) ? (size_t)(dot - path) : strlen(path);
	snprintf(out, cap, "%.*s%s%s", (int)stem, path, suffix, path + stem);
}

static void fork_prepare(void)
{
	fork_traced = lot_enabled() && env_traced();
}

static void fork_child(void)
{
	auto_pid = getpid();
	if (!fork_traced)
		return;
	fork_traced = false;
	const char *m = getenv("LOTRACE_MODE");
	int err;
	auto_self.off = true;
	if (m && !strcmp(m, "flight")) {
		err = lot_flight_start();
	} else if (out_plain[0]) {
		char suffix[32], path[PATH_MAX + 64];
		snprintf(suffix, sizeof suffix, "-%d", (int)getpid());
		with_suffix(path, sizeof path, out_plain, suffix);
		snprintf(out_plain, sizeof out_plain, "%s", path);
		const char *dir = getenv("LOTRACE_DIR");
		char *full = NULL;
		if (dir && *dir && path[0] != '/' && asprintf(&full, "%s/%s", dir, out_plain) < 0)
			full = NULL;
		err = lot_start(full ? full : path);
		free(full);
	} else {
		err = lot_start(NULL);
	}
	if (err)
		fprintf(stderr, "lotrace: forked child %d: cannot start tracing: %s\n", (int)getpid(),
			strerror(-err));
	else
		lot__auto_thread();
	fork_started = !err;
	auto_self.off = false;
}

/* A forked child usually leaves with _exit, which skips liblotrace's exit
 * hook: finish the child's trace first. */
AUTO_API void _exit(int status)
{
	if (fork_started && lot_enabled() && getpid() == auto_pid) {
		auto_self.off = true;
		lot_stop();
	}
	REAL(_exit)(status);
	__builtin_unreachable();
}

void auto_threads_init(void)
{
	auto_pid = getpid();
	const char *o = getenv("LOTRACE_OUTPUT");
	if (o && !strchr(o, '%'))
		snprintf(out_plain, sizeof out_plain, "%s", o);
	pthread_atfork(fork_prepare, NULL, fork_child);
	if (lot_enabled()) {
		auto_self.off = true;
		lot__auto_thread();
		auto_self.off = false;
	}
}

/* Whether exec of `file` can succeed (execvp's PATH search for a bare
 * name): a shell tries each PATH entry in turn, and only the last try is
 * the exec. */
static bool runnable(const char *file)
{
	if (strchr(file, '/'))
		return access(file, X_OK) == 0;
	const char *p = getenv("PATH");
	if (!p)
		p = "/bin:/usr/bin";
	char buf[PATH_MAX];
	while (*p) {
		size_t n = strcspn(p, ":");
		snprintf(buf, sizeof buf, "%.*s%s%s", (int)n, p, n ? "/" : "", file);
		if (access(buf, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

static char **env_with_output(char *const envp[], const char *suffix);

/* Before an exec that will happen: finish the trace; the environment for
 * the new image, with its own plain output path (NULL: envp as it is). */
static char **before_exec(const char *path, char *const envp[])
{
	if (auto_self.off || getpid() != auto_pid)
		return NULL; /* the tracer's own, or a vfork child: not ours to stop */
	if (!path || !runnable(path))
		return NULL; /* it will fail: keep tracing */
	if (lot_enabled()) {
		auto_self.off = true;
		lot_stop();
		auto_self.off = false;
	}
	return env_with_output(envp, "-exec");
}

/* envp with LOTRACE_OUTPUT set to this process's plain path with `suffix`
 * before its extension (a template when the suffix holds %p); NULL when
 * there is nothing to change (no plain path, or no LOTRACE_OUTPUT). */
static char **env_with_output(char *const envp[], const char *suffix)
{
	if (!envp || !out_plain[0])
		return NULL;
	size_t n = 0, at = (size_t)-1;
	for (; envp[n]; n++)
		if (!strncmp(envp[n], "LOTRACE_OUTPUT=", 15))
			at = n;
	if (at == (size_t)-1 || strchr(envp[at] + 15, '%'))
		return NULL;
	char **env = malloc((n + 1) * sizeof *env);
	char *var = malloc(PATH_MAX + 80);
	if (!env || !var) {
		free(env);
		free(var);
		return NULL;
	}
	memcpy(env, envp, (n + 1) * sizeof *env);
	strcpy(var, "LOTRACE_OUTPUT=");
	with_suffix(var + 15, PATH_MAX + 64, out_plain, suffix);
	env[at] = var;
	return env; /* freed by the exec, or leaked on failure (rare, small) */
}

/* posix_spawn (and so what uses it inside glibc's callers that go through
 * the dynamic linker): the child gets a file of its own, by pid. */
static void free_env(char **env)
{
	if (!env)
		return;
	for (size_t i = 0; env[i]; i++)
		if (!strncmp(env[i], "LOTRACE_OUTPUT=", 15) && strstr(env[i], "-%p"))
			free(env[i]);
	free(env);
}

/* The spawn functions differ in how they find the program only. */
#define SPAWN(FN, pid, prog, fa, attr, argv, envp)                                       \
	do {                                                                             \
		char **env_ = auto_self.off ? NULL : env_with_output(envp, "-%p");       \
		int r_ = REAL(FN)(pid, prog, fa, attr, argv, env_ ? env_ : envp);        \
		free_env(env_);                                                          \
		return r_;                                                               \
	} while (0)

AUTO_API int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			 const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	SPAWN(posix_spawn, pid, path, fa, attr, argv, envp);
}

AUTO_API int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	SPAWN(posix_spawnp, pid, file, fa, attr, argv, envp);
}

extern char **environ;

AUTO_API int execve(const char *path, char *const argv[], char *const envp[])
{
	char **env = before_exec(path, envp);
	return REAL(execve)(path, argv, env ? env : envp);
}

AUTO_API int execv(const char *path, char *const argv[])
{
	char **env = before_exec(path, environ);
	return env ? REAL(execve)(path, argv, env) : REAL(execv)(path, argv);
}

AUTO_API int execvp(const char *file, char *const argv[])
{
	char **env = before_exec(file, environ);
	return env ? REAL(execvpe)(file, argv, env) : REAL(execvp)(file, argv);
}

AUTO_API int execvpe(const char *file, char *const argv[], char *const envp[])
{
	char **env = before_exec(file, envp);
	return REAL(execvpe)(file, argv, env ? env : envp);
}
