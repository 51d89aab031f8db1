#include "tracer/state_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/control_state.h"
#include "lib/parse.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int dirfd_ = -1;
static struct lot_control_state state; /* state.pid: the process that published it */

/* Our directory, checked: a real directory, ours, closed to others. */
static int open_dir(void)
{
	char dir[PATH_MAX];
	lot_control_state_path(dir, sizeof dir, getenv("XDG_RUNTIME_DIR"), (unsigned)getuid(), -1);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) || st.st_uid != getuid() || (st.st_mode & 077)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static void publish_locked(void)
{
	if (dirfd_ < 0 || getpid() != state.pid)
		return;
	char body[3 * PATH_MAX], tmp[32], name[24];
	int n = lot_control_state_format(body, sizeof body, &state);
	snprintf(tmp, sizeof tmp, ".%d.tmp", state.pid);
	snprintf(name, sizeof name, "%d", state.pid);
	unlinkat(dirfd_, tmp, 0);
	int fd = openat(dirfd_, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	bool ok = n > 0 && write(fd, body, (size_t)n) == n;
	close(fd);
	if (!ok || renameat(dirfd_, tmp, dirfd_, name))
		unlinkat(dirfd_, tmp, 0);
}

void lot_state_file_init(int signo, bool flight)
{
	pthread_mutex_lock(&mu);
	int fd = open_dir();
	if (fd < 0) {
		char dir[PATH_MAX];
		lot_control_state_path(dir, sizeof dir, getenv("XDG_RUNTIME_DIR"), (unsigned)getuid(), -1);
		fprintf(stderr, "lotrace: cannot publish the control state in %s: %s "
			"(`lotrace trigger` will not find this process)\n", dir, strerror(-fd));
	} else {
		dirfd_ = fd;
		state.pid = getpid();
		state.signal = signo;
		state.flight = flight;
		state.starttime = lot_proc_starttime(0);
		publish_locked();
	}
	pthread_mutex_unlock(&mu);
}

void lot_state_file_window(const char *path)
{
	pthread_mutex_lock(&mu);
	if (!path)
		state.window[0] = 0;
	else if (!realpath(path, state.window))
		snprintf(state.window, sizeof state.window, "%s", path);
	publish_locked();
	pthread_mutex_unlock(&mu);
}

void lot_state_file_done(const char *path)
{
	pthread_mutex_lock(&mu);
	if (!realpath(path, state.last))
		snprintf(state.last, sizeof state.last, "%s", path);
	state.window[0] = 0;
	state.completed++;
	publish_locked();
	pthread_mutex_unlock(&mu);
}

void lot_state_file_failed(const char *why)
{
	pthread_mutex_lock(&mu);
	snprintf(state.error, sizeof state.error, "%s", why);
	state.error[strcspn(state.error, "\n")] = 0;
	state.failed++;
	publish_locked();
	pthread_mutex_unlock(&mu);
}

void lot_state_file_remove(void)
{
	pthread_mutex_lock(&mu);
	if (dirfd_ >= 0 && getpid() == state.pid) {
		char name[24];
		snprintf(name, sizeof name, "%d", state.pid);
		unlinkat(dirfd_, name, 0);
	}
	pthread_mutex_unlock(&mu);
}

void lot_state_file_forget(void)
{
	if (dirfd_ >= 0)
		close(dirfd_);
	dirfd_ = -1;
	pthread_mutex_init(&mu, NULL);
}
