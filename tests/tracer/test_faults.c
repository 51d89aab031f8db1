/*
 * Faults in the recorder's surroundings: a full disk, a disk that stalls for
 * seconds, io_uring refused, an output directory that is not writable or
 * vanishes, and a process killed mid-trace.  In each, the program never
 * blocks on the recorder (the worst single-event latency is measured and
 * must stay far below the stall), what cannot be written is counted as
 * lost, a write error is said once on stderr, and the file on disk reads
 * up to its last whole chunk.
 *
 * Faults that cannot be undone (a seccomp filter, a file-size limit, another
 * user) are set up in a forked child; parent and child share `struct load`.
 * The slow disk is a stall in pwrite() and io_uring_submit(), wrapped at
 * link time (-Wl,--wrap, see tests/tracer.mk) for the recorder's objects.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/lotrace.h"

#define LOADERS 2

/* What a recording run did, in memory shared with a forked child. */
struct load {
	uint64_t tids[LOADERS];
	uint64_t recorded[LOADERS]; /* counter events each loader recorded */
	uint64_t worst_ns;          /* the slowest single lot_counter() call */
	int start_rc, stop_rc;
	/* filled by a child that reads its own trace (tmpfs: the parent cannot see it) */
	uint64_t events_in_file;
	bool damaged, has_trailer;
};

static struct load *shared_load(void)
{
	struct load *l = mmap(NULL, sizeof *l, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(l, MAP_FAILED);
	memset(l, 0, sizeof *l);
	return l;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static atomic_int loading;
static _Atomic uint64_t worst;

struct loader_arg {
	struct load *l;
	int k;
};

/* A steady load of counters (a pause every 8 events keeps the trace small)
 * with the time of every call measured. */
static void *loader(void *arg)
{
	struct loader_arg *a = arg;
	a->l->tids[a->k] = (uint64_t)gettid();
	uint64_t i = 0, w = 0;
	for (; atomic_load_explicit(&loading, memory_order_relaxed); i++) {
		uint64_t t0 = now_ns();
		lot_counter("load", (int64_t)i);
		uint64_t dt = now_ns() - t0;
		if (dt > w)
			w = dt;
		if (i % 8 == 7)
			usleep(100);
	}
	a->l->recorded[a->k] = i;
	uint64_t cur = atomic_load(&worst);
	while (w > cur && !atomic_compare_exchange_weak(&worst, &cur, w))
		;
	return NULL;
}

/* Record from LOADERS threads for ms milliseconds; `during(elapsed_ms)` is
 * called about every 10 ms meanwhile (may be NULL). */
static void run_load(struct load *l, int ms, void (*during)(int elapsed_ms))
{
	pthread_t th[LOADERS];
	struct loader_arg args[LOADERS];
	atomic_store(&loading, 1);
	atomic_store(&worst, 0);
	for (int k = 0; k < LOADERS; k++) {
		args[k] = (struct loader_arg){l, k};
		pthread_create(&th[k], NULL, loader, &args[k]);
	}
	uint64_t t0 = now_ns();
	for (int el = 0; el < ms; el = (int)((now_ns() - t0) / 1000000)) {
		if (during)
			during(el);
		usleep(10000);
	}
	atomic_store(&loading, 0);
	for (int k = 0; k < LOADERS; k++)
		pthread_join(th[k], NULL);
	l->worst_ns = atomic_load(&worst);
}

/* Small chunks and a small pool, so that a stalled flusher runs out fast. */
static void small_buffers(void)
{
	setenv("LOTRACE_CHUNK_SIZE", "4K", 1);
	setenv("LOTRACE_BUFFER_SIZE", "64K", 1);
}

/* Run fn(path, l) in a child whose stderr goes to err_path; its exit status
 * (128 + signal if killed). */
static int in_child(int (*fn)(const char *, struct load *), const char *path, struct load *l,
		    const char *err_path)
{
	fflush(stderr);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(100);
		close(fd);
		_exit(fn(path, l));
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The lines of a small text file that contain `needle`; -1 if unreadable. */
static int lines_with(const char *path, const char *needle, char *first, size_t first_len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[1024];
	int n = 0, all = 0;
	while (fgets(line, sizeof line, f)) {
		all++;
		if (strstr(line, needle)) {
			if (!n && first)
				snprintf(first, first_len, "%s", line);
			n++;
		}
	}
	fclose(f);
	return needle[0] ? n : all;
}

/* Per thread in a file with a trailer: events + losses == events recorded,
 * exactly (counters plus thread_begin and thread_end).  Returns the losses. */
static uint64_t check_accounting(const char *path, const struct load *l)
{
	struct ttrace t;
	ck_assert(trace_load(path, false, &t));
	ck_assert(t.has_trailer);
	ck_assert(!t.damaged);
	uint64_t lost = 0;
	for (int k = 0; k < LOADERS; k++) {
		const struct lot_thread_total *tot = trace_total(&t, l->tids[k]);
		ck_assert_ptr_nonnull(tot);
		struct tthread *th = trace_thread(&t, l->tids[k]);
		ck_assert_uint_eq(th->events, tot->written);
		ck_assert_uint_eq(tot->written + tot->lost, l->recorded[k] + 2);
		lost += tot->lost;
	}
	trace_free(&t);
	return lost;
}

/* ---- disk full ---- */

#define FSIZE_LIMIT (64 * 1024)

/* SIGXFSZ is left at its default (terminate): the recorder's writes must
 * not kill the program when the file-size limit is reached. */
static int disk_full_child(const char *path, struct load *l)
{
	struct rlimit rl = {FSIZE_LIMIT, FSIZE_LIMIT};
	if (setrlimit(RLIMIT_FSIZE, &rl))
		return 10;
	small_buffers();
	l->start_rc = lot_start(path);
	if (l->start_rc)
		return 11;
	run_load(l, 1500, NULL);
	l->stop_rc = lot_stop();
	return 0;
}

static void disk_full(const char *io)
{
	setenv("LOTRACE_IO", io, 1);
	struct load *l = shared_load();
	const char *path = test_path("full");
	const char *err = test_path("full-err");
	ck_assert_int_eq(in_child(disk_full_child, path, l, err), 0);
	/* lot_stop() says what went wrong, and so does stderr, once */
	ck_assert_int_eq(l->stop_rc, -EFBIG);
	char line[1024] = "";
	ck_assert_int_eq(lines_with(err, "", NULL, 0), 1);
	ck_assert_int_eq(lines_with(err, strerror(EFBIG), line, sizeof line), 1);
	ck_assert_ptr_nonnull(strstr(line, path));
	/* the file holds what fitted, read up to its last whole chunk */
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_le(st.st_size, FSIZE_LIMIT);
	struct ttrace t;
	ck_assert(trace_load(path, false, &t));
	ck_assert(!t.has_trailer);
	ck_assert(t.damaged);
	uint64_t in_file = trace_events(&t);
	ck_assert_uint_gt(in_file, 0);
	ck_assert_uint_lt(in_file, l->recorded[0] + l->recorded[1]);
	trace_free(&t);
	fprintf(stderr, "disk full (%s): %llu of %llu events in the file, worst event %llu us\n", io,
		(unsigned long long)in_file, (unsigned long long)(l->recorded[0] + l->recorded[1]),
		(unsigned long long)(l->worst_ns / 1000));
	ck_assert_uint_lt(l->worst_ns, 1000000000u);
	unlink(path);
	unlink(err);
	unsetenv("LOTRACE_IO");
}

START_TEST(disk_full_ends_the_file_says_so_once_and_never_blocks_pwrite)
{
	disk_full("pwrite");
}
END_TEST

START_TEST(disk_full_ends_the_file_says_so_once_and_never_blocks_io_uring)
{
	disk_full("uring");
}
END_TEST

/* A real full file system: a 256 KiB tmpfs in a mount namespace of the
 * child's own (root only; skipped where mounting is refused).  The trace
 * lives in that namespace, so the child reads it back itself. */
static int tmpfs_child(const char *path, struct load *l)
{
	(void)path;
	char dir[] = "/tmp/lotrace-tmpfs-XXXXXX";
	if (unshare(CLONE_NEWNS) || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    !mkdtemp(dir))
		return 77;
	if (mount("lotrace-test", dir, "tmpfs", 0, "size=256k")) {
		rmdir(dir);
		return 77;
	}
	char file[64];
	snprintf(file, sizeof file, "%s/trace.lot", dir);
	small_buffers();
	l->start_rc = lot_start(file);
	if (!l->start_rc) {
		run_load(l, 4000, NULL);
		l->stop_rc = lot_stop();
		struct ttrace t;
		if (trace_load(file, false, &t)) {
			l->events_in_file = trace_events(&t);
			l->damaged = t.damaged;
			l->has_trailer = t.has_trailer;
			trace_free(&t);
		}
	}
	umount(dir);
	rmdir(dir);
	return 0;
}

START_TEST(full_file_system_ends_the_file_and_says_so_once)
{
	struct load *l = shared_load();
	const char *err = test_path("tmpfs-err");
	int st = in_child(tmpfs_child, NULL, l, err);
	if (st == 77) {
		fprintf(stderr, "skipped: cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)\n");
		unlink(err);
		return;
	}
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(l->start_rc, 0);
	ck_assert_int_eq(l->stop_rc, -ENOSPC);
	ck_assert_int_eq(lines_with(err, "lotrace:", NULL, 0), 1); /* (the rest: its reader) */
	ck_assert_int_eq(lines_with(err, strerror(ENOSPC), NULL, 0), 1);
	ck_assert(l->damaged && !l->has_trailer);
	ck_assert_uint_gt(l->events_in_file, 0);
	fprintf(stderr, "tmpfs full: %llu of %llu events in the file, worst event %llu us\n",
		(unsigned long long)l->events_in_file,
		(unsigned long long)(l->recorded[0] + l->recorded[1]),
		(unsigned long long)(l->worst_ns / 1000));
	ck_assert_uint_lt(l->worst_ns, 1000000000u);
	unlink(err);
}
END_TEST

/* ---- a disk that stalls ---- */

static atomic_int stall;

static void wait_while_stalled(void)
{
	while (atomic_load(&stall))
		usleep(1000);
}

ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __real_pwrite64(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_pwrite64(int fd, const void *buf, size_t n, off_t off);
int __real_io_uring_submit(struct io_uring *ring);
int __wrap_io_uring_submit(struct io_uring *ring);

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	wait_while_stalled();
	return __real_pwrite(fd, buf, n, off);
}

ssize_t __wrap_pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	wait_while_stalled();
	return __real_pwrite64(fd, buf, n, off);
}

int __wrap_io_uring_submit(struct io_uring *ring)
{
	wait_while_stalled();
	return __real_io_uring_submit(ring);
}

#define STALL_MS 3000

static void stall_for_a_while(int elapsed_ms)
{
	atomic_store(&stall, elapsed_ms >= 300 && elapsed_ms < 300 + STALL_MS);
}

static void slow_disk(const char *io)
{
	setenv("LOTRACE_IO", io, 1);
	small_buffers();
	struct load *l = shared_load();
	const char *path = test_path("slow");
	ck_assert_int_eq(lot_start(path), 0);
	run_load(l, STALL_MS + 1000, stall_for_a_while);
	atomic_store(&stall, 0);
	ck_assert_int_eq(lot_stop(), 0);
	uint64_t lost = check_accounting(path, l);
	uint64_t all = l->recorded[0] + l->recorded[1] + 2 * 2;
	fprintf(stderr, "disk stalled %d ms (%s): worst event %llu us, %llu of %llu events lost\n",
		STALL_MS, io, (unsigned long long)(l->worst_ns / 1000), (unsigned long long)lost,
		(unsigned long long)all);
	/* the pool (16 chunks) cannot hold 3 s of load: the stall cost events, counted */
	ck_assert_uint_gt(lost, 0);
	ck_assert_uint_lt(l->worst_ns, STALL_MS * 1000000ull / 3);
	unlink(path);
	unsetenv("LOTRACE_IO");
}

START_TEST(stalled_disk_never_blocks_the_program_pwrite)
{
	slow_disk("pwrite");
}
END_TEST

START_TEST(stalled_disk_never_blocks_the_program_io_uring)
{
	slow_disk("uring");
}
END_TEST

/* ---- io_uring refused ---- */

static long refused_nr;

static int refused_child(const char *path, struct load *l)
{
	if (refuse_syscalls(&refused_nr, 1, EPERM))
		return 10;
	l->start_rc = lot_start(path);
	if (l->start_rc)
		return 11;
	run_load(l, 300, NULL);
	l->stop_rc = lot_stop();
	return 0;
}

static void uring_refused(long nr)
{
	unsetenv("LOTRACE_IO");
	refused_nr = nr;
	struct load *l = shared_load();
	const char *path = test_path("nouring");
	const char *err = test_path("nouring-err");
	ck_assert_int_eq(in_child(refused_child, path, l, err), 0);
	ck_assert_int_eq(l->stop_rc, 0);
	ck_assert_int_eq(lines_with(err, "", NULL, 0), 0); /* a fallback, not an error */
	struct ttrace t;
	ck_assert(trace_load(path, false, &t));
	ck_assert_str_eq(t.io, "pwrite");
	trace_free(&t);
	ck_assert_uint_eq(check_accounting(path, l), 0);
	unlink(path);
	unlink(err);
}

START_TEST(io_uring_setup_refused_falls_back_to_pwrite)
{
	uring_refused(__NR_io_uring_setup);
}
END_TEST

/* Some profiles allow the ring to be made but not used. */
START_TEST(io_uring_enter_refused_falls_back_to_pwrite)
{
	uring_refused(__NR_io_uring_enter);
}
END_TEST

/* ---- the output directory ---- */

static char dir_path[256];

static int unwritable_child(const char *path, struct load *l)
{
	/* root writes anywhere: be somebody else (nobody) */
	if (geteuid() == 0 && (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
			       setresuid(65534, 65534, 65534)))
		return 77;
	l->start_rc = lot_start(path);
	return 0;
}

START_TEST(unwritable_directory_is_refused_and_nothing_is_created)
{
	snprintf(dir_path, sizeof dir_path, "%s", test_path("ro-dir"));
	ck_assert_int_eq(mkdir(dir_path, 0755), 0);
	ck_assert_int_eq(chmod(dir_path, 0555), 0);
	char path[300];
	snprintf(path, sizeof path, "%s/trace.lot", dir_path);
	struct load *l = shared_load();
	const char *err = test_path("ro-err");
	int st = in_child(unwritable_child, path, l, err);
	if (st == 77)
		fprintf(stderr, "skipped: cannot switch to user nobody\n");
	else {
		ck_assert_int_eq(st, 0);
		ck_assert_int_eq(l->start_rc, -EACCES);
		ck_assert_int_ne(access(path, F_OK), 0);
	}
	rmdir(dir_path);
	unlink(err);
}
END_TEST

static void remove_directory(int elapsed_ms)
{
	static bool gone;
	if (elapsed_ms < 500 || gone)
		return;
	char path[300];
	snprintf(path, sizeof path, "%s/trace.lot", dir_path);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir_path), 0);
	gone = true;
}

START_TEST(output_directory_that_vanishes_while_recording)
{
	/* The open file outlives its name: recording goes on, stop completes,
	 * nothing is created again, and a new start there fails cleanly. */
	snprintf(dir_path, sizeof dir_path, "%s", test_path("gone-dir"));
	ck_assert_int_eq(mkdir(dir_path, 0700), 0);
	char path[300];
	snprintf(path, sizeof path, "%s/trace.lot", dir_path);
	struct load *l = shared_load();
	int fds = count_fds();
	ck_assert_int_eq(lot_start(path), 0);
	run_load(l, 1000, remove_directory);
	ck_assert_int_eq(lot_stop(), 0);
	ck_assert_int_ne(access(dir_path, F_OK), 0);
	ck_assert_int_eq(lot_start(path), -ENOENT);
	ck_assert(!lot_enabled());
	ck_assert_int_eq(count_fds(), fds);
}
END_TEST

/* ---- killed mid-trace ---- */

static int killed_child(const char *path, struct load *l)
{
	setenv("LOTRACE_CHUNK_SIZE", "4K", 1);
	if (lot_start(path))
		return 11;
	run_load(l, 60000, NULL); /* until killed */
	return 12;
}

START_TEST(sigkill_leaves_a_file_read_to_its_last_whole_chunk)
{
	const char *path = test_path("killed");
	struct load *l = shared_load();
	fflush(stderr);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(killed_child(path, l));
	struct stat st = {0};
	for (int i = 0; i < 3000 && (stat(path, &st) || st.st_size < 64 * 1024); i++)
		usleep(10000);
	ck_assert_int_ge(st.st_size, 64 * 1024);
	kill(pid, SIGKILL);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));

	struct ttrace t;
	ck_assert(trace_load(path, false, &t));
	ck_assert(!t.has_trailer);
	uint64_t events = trace_events(&t);
	trace_free(&t);
	ck_assert_uint_gt(events, 0);

	/* lotrace info: status 3 (damaged: no trailer), and the count read */
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cmd/lotrace info '%s' 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	char line[512];
	unsigned long long info_events = 0;
	bool seen = false;
	while (fgets(line, sizeof line, p))
		if (sscanf(line, "events %llu", &info_events) == 1)
			seen = true;
	int rc = pclose(p);
	ck_assert(WIFEXITED(rc));
	ck_assert_int_eq(WEXITSTATUS(rc), 3);
	ck_assert(seen);
	ck_assert_uint_eq(info_events, events);
	fprintf(stderr, "killed at %lld bytes: lotrace info read %llu events, status 3\n",
		(long long)st.st_size, info_events);
	unlink(path);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, disk_full_ends_the_file_says_so_once_and_never_blocks_pwrite);
	tcase_add_test(tc, disk_full_ends_the_file_says_so_once_and_never_blocks_io_uring);
	tcase_add_test(tc, full_file_system_ends_the_file_and_says_so_once);
	tcase_add_test(tc, stalled_disk_never_blocks_the_program_pwrite);
	tcase_add_test(tc, stalled_disk_never_blocks_the_program_io_uring);
	tcase_add_test(tc, io_uring_setup_refused_falls_back_to_pwrite);
	tcase_add_test(tc, io_uring_enter_refused_falls_back_to_pwrite);
	tcase_add_test(tc, unwritable_directory_is_refused_and_nothing_is_created);
	tcase_add_test(tc, output_directory_that_vanishes_while_recording);
	tcase_add_test(tc, sigkill_leaves_a_file_read_to_its_last_whole_chunk);
}
