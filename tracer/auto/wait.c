/*
 * Sleeps, I/O, polls and fsync.  A sleep always blocks: recorded before the
 * call.  The others block only sometimes: the call is timed and recorded
 * after it returns if it took at least auto_min_block_ns (auto.h says why),
 * as a block that began when the call did.  errno is the call's.
 */
#include <stdio.h>
#include <unistd.h>

#include "tracer/auto/auto.h"

/* Run CALL; if it took long enough, record a block of `reason` with the
 * detail printf(FMT, ...) from when it began.  Inline in the wrapper (one
 * interposer frame above the probe). */
#define TIMED(reason, CALL, ...)                                                  \
	do {                                                                      \
		if (__builtin_expect(!auto_on(), 1))                              \
			return CALL;                                              \
		uint64_t t0_ = lot__auto_now();                                   \
		__typeof__(CALL) r_ = CALL;                                       \
		if (lot__auto_since_ns(t0_) >= auto_min_block_ns) {              \
			int e_ = errno;                                           \
			char d_[64];                                              \
			snprintf(d_, sizeof d_, __VA_ARGS__);                     \
			auto_block(reason, d_, t0_);                              \
			auto_resume();                                            \
			errno = e_;                                               \
		}                                                                 \
		return r_;                                                        \
	} while (0)

#define SLEEP(detail_ns, CALL)                                                    \
	do {                                                                      \
		if (__builtin_expect(!auto_on(), 1))                              \
			return CALL;                                              \
		char d_[48];                                                      \
		auto_fmt_duration(d_, sizeof d_, "", (detail_ns));                \
		auto_block("sleep", d_, 0);                                       \
		__typeof__(CALL) r_ = CALL;                                       \
		int e_ = errno;                                                   \
		auto_resume();                                                    \
		errno = e_;                                                       \
		return r_;                                                        \
	} while (0)

static int64_t ts_ns(const struct timespec *ts)
{
	return ts ? (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec : -1;
}

AUTO_API int nanosleep(const struct timespec *req, struct timespec *rem)
{
	SLEEP(ts_ns(req), REAL(nanosleep)(req, rem));
}

AUTO_API int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
			     struct timespec *rem)
{
	int64_t ns = ts_ns(req);
	if (flags & TIMER_ABSTIME) { /* the detail is how long from now */
		struct timespec now;
		clock_gettime(clk, &now);
		ns -= ts_ns(&now);
	}
	SLEEP(ns, REAL(clock_nanosleep)(clk, flags, req, rem));
}

AUTO_API int usleep(useconds_t us)
{
	SLEEP((int64_t)us * 1000, REAL(usleep)(us));
}

AUTO_API unsigned sleep(unsigned s)
{
	SLEEP((int64_t)s * 1000000000, REAL(sleep)(s));
}

/* ---- io ---- */

AUTO_API ssize_t read(int fd, void *buf, size_t n)
{
	TIMED("io", REAL(read)(fd, buf, n), "read fd %d", fd);
}

AUTO_API ssize_t write(int fd, const void *buf, size_t n)
{
	TIMED("io", REAL(write)(fd, buf, n), "write fd %d", fd);
}

AUTO_API ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	TIMED("io", REAL(pread)(fd, buf, n, off), "pread fd %d", fd);
}

AUTO_API ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	TIMED("io", REAL(pwrite)(fd, buf, n, off), "pwrite fd %d", fd);
}

AUTO_API ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
	TIMED("io", REAL(pread64)(fd, buf, n, off), "pread fd %d", fd);
}

AUTO_API ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	TIMED("io", REAL(pwrite64)(fd, buf, n, off), "pwrite fd %d", fd);
}

AUTO_API ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	TIMED("io", REAL(recv)(fd, buf, n, flags), "recv fd %d", fd);
}

AUTO_API ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *a, socklen_t *al)
{
	TIMED("io", REAL(recvfrom)(fd, buf, n, flags, a, al), "recvfrom fd %d", fd);
}

AUTO_API ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	TIMED("io", REAL(recvmsg)(fd, m, flags), "recvmsg fd %d", fd);
}

AUTO_API ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	TIMED("io", REAL(send)(fd, buf, n, flags), "send fd %d", fd);
}

AUTO_API ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *a,
			socklen_t al)
{
	TIMED("io", REAL(sendto)(fd, buf, n, flags, a, al), "sendto fd %d", fd);
}

AUTO_API ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	TIMED("io", REAL(sendmsg)(fd, m, flags), "sendmsg fd %d", fd);
}

AUTO_API int accept(int fd, struct sockaddr *a, socklen_t *al)
{
	TIMED("io", REAL(accept)(fd, a, al), "accept fd %d", fd);
}

AUTO_API int accept4(int fd, struct sockaddr *a, socklen_t *al, int flags)
{
	TIMED("io", REAL(accept4)(fd, a, al, flags), "accept fd %d", fd);
}

AUTO_API int connect(int fd, const struct sockaddr *a, socklen_t al)
{
	TIMED("io", REAL(connect)(fd, a, al), "connect fd %d", fd);
}

/* ---- poll: a zero timeout never waits and is not timed ---- */

#define POLL_NOWAIT(timeout_is_zero, CALL)                       \
	do {                                                     \
		if (timeout_is_zero)                             \
			return CALL;                             \
	} while (0)

AUTO_API int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	POLL_NOWAIT(timeout == 0, REAL(poll)(fds, n, timeout));
	TIMED("poll", REAL(poll)(fds, n, timeout), "poll %lu fds", (unsigned long)n);
}

AUTO_API int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	POLL_NOWAIT(ts && !ts->tv_sec && !ts->tv_nsec, REAL(ppoll)(fds, n, ts, mask));
	TIMED("poll", REAL(ppoll)(fds, n, ts, mask), "ppoll %lu fds", (unsigned long)n);
}

AUTO_API int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	POLL_NOWAIT(tv && !tv->tv_sec && !tv->tv_usec, REAL(select)(n, r, w, e, tv));
	TIMED("poll", REAL(select)(n, r, w, e, tv), "select %d fds", n);
}

AUTO_API int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *ts,
		     const sigset_t *mask)
{
	POLL_NOWAIT(ts && !ts->tv_sec && !ts->tv_nsec, REAL(pselect)(n, r, w, e, ts, mask));
	TIMED("poll", REAL(pselect)(n, r, w, e, ts, mask), "pselect %d fds", n);
}

AUTO_API int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	POLL_NOWAIT(timeout == 0, REAL(epoll_wait)(epfd, ev, max, timeout));
	TIMED("poll", REAL(epoll_wait)(epfd, ev, max, timeout), "epoll_wait epfd %d", epfd);
}

AUTO_API int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout,
			 const sigset_t *mask)
{
	POLL_NOWAIT(timeout == 0, REAL(epoll_pwait)(epfd, ev, max, timeout, mask));
	TIMED("poll", REAL(epoll_pwait)(epfd, ev, max, timeout, mask), "epoll_pwait epfd %d", epfd);
}

/* ---- fsync ---- */

AUTO_API int fsync(int fd)
{
	TIMED("fsync", REAL(fsync)(fd), "fsync fd %d", fd);
}

AUTO_API int fdatasync(int fd)
{
	TIMED("fsync", REAL(fdatasync)(fd), "fdatasync fd %d", fd);
}

/* ---- _FORTIFY_SOURCE's checked variants (Debian builds with them): glibc
 * checks the buffer size and calls its own read, not the wrapper ---- */

#define AUTO_CHK(ret, name, args) ret name args;
AUTO_CHK(ssize_t, __read_chk, (int, void *, size_t, size_t))
AUTO_CHK(ssize_t, __pread_chk, (int, void *, size_t, off_t, size_t))
AUTO_CHK(ssize_t, __recv_chk, (int, void *, size_t, size_t, int))
AUTO_CHK(ssize_t, __recvfrom_chk, (int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *))
AUTO_CHK(int, __poll_chk, (struct pollfd *, nfds_t, int, size_t))
#undef AUTO_CHK

static void overflow(void)
{
	/* what glibc's checks do: the program asked for more than its buffer */
	__builtin_trap();
}

AUTO_API ssize_t __read_chk(int fd, void *buf, size_t n, size_t cap)
{
	if (n > cap)
		overflow();
	TIMED("io", REAL(read)(fd, buf, n), "read fd %d", fd);
}

AUTO_API ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t cap)
{
	if (n > cap)
		overflow();
	TIMED("io", REAL(pread)(fd, buf, n, off), "pread fd %d", fd);
}

AUTO_API ssize_t __recv_chk(int fd, void *buf, size_t n, size_t cap, int flags)
{
	if (n > cap)
		overflow();
	TIMED("io", REAL(recv)(fd, buf, n, flags), "recv fd %d", fd);
}

AUTO_API ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t cap, int flags,
				struct sockaddr *a, socklen_t *al)
{
	if (n > cap)
		overflow();
	TIMED("io", REAL(recvfrom)(fd, buf, n, flags, a, al), "recvfrom fd %d", fd);
}

AUTO_API int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t cap)
{
	if (n > cap / sizeof *fds)
		overflow();
	POLL_NOWAIT(timeout == 0, REAL(poll)(fds, n, timeout));
	TIMED("poll", REAL(poll)(fds, n, timeout), "poll %lu fds", (unsigned long)n);
}
