/*
 * An ordinary threaded program with no lotrace in it: a contended mutex,
 * condition-variable hand-offs, sleeps and pipe reads, each thread timing
 * its own waits.  tests/auto/handoff.sh runs it under `lotrace record
 * --auto` and compares what it measured with `lotrace tasks --json`.
 *
 * Threads (named with pthread_setname_np):
 *   holder     takes the mutex ROUNDS times, each time sleeping HOLD_MS
 *              while it holds it, then sleeping GAP_MS without it;
 *   contender  locks the mutex ROUNDS times just after the holder took it:
 *              blocked on "mutex", woken by the holder;
 *   producer   ROUNDS times: sleeps, then hands an item to the consumer
 *              (a condition variable), then writes a byte to the pipe;
 *   consumer   waits for each item (pthread_cond_wait): "cond", woken by
 *              the producer;
 *   reader     reads each byte from the pipe: "io";
 *   joiner     starts "sleeper" (which sleeps JOIN_MS) and joins it:
 *              "join", woken by the sleeper as it ends.
 * Output, one line per thread: NAME reason=ns ... (each reason's total
 * time in the calls that wait: lock, cond_wait, read, nanosleep, join).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5
#define HOLD_MS 40
#define GAP_MS 20
#define PRODUCE_MS 30
#define JOIN_MS 80

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER;
static int items;
static _Atomic int held; /* the holder's round number while it holds the lock */
static int pipefd[2];

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(int ms, uint64_t *acc)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	uint64_t t = now_ns();
	nanosleep(&ts, NULL);
	*acc += now_ns() - t;
}

struct times {
	uint64_t sleep, mutex, cond, io, join;
};

static void report(const char *name, const struct times *t)
{
	printf("%s sleep=%llu mutex=%llu cond=%llu io=%llu join=%llu\n", name,
	       (unsigned long long)t->sleep, (unsigned long long)t->mutex,
	       (unsigned long long)t->cond, (unsigned long long)t->io, (unsigned long long)t->join);
}

static void *holder(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "holder");
	struct times t = {0};
	for (int i = 1; i <= ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		atomic_store(&held, i);
		sleep_ms(HOLD_MS, &t.sleep);
		pthread_mutex_unlock(&lock);
		sleep_ms(GAP_MS, &t.sleep);
	}
	static struct times out;
	out = t;
	return &out;
}

static void *contender(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "contender");
	struct times t = {0};
	for (int i = 1; i <= ROUNDS; i++) {
		while (atomic_load(&held) < i) /* until the holder holds it for round i */
			sched_yield();
		uint64_t t0 = now_ns();
		pthread_mutex_lock(&lock);
		t.mutex += now_ns() - t0;
		pthread_mutex_unlock(&lock);
	}
	static struct times out;
	out = t;
	return &out;
}

static void *producer(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "producer");
	struct times t = {0};
	for (int i = 0; i < ROUNDS; i++) {
		sleep_ms(PRODUCE_MS, &t.sleep);
		pthread_mutex_lock(&qlock);
		items++;
		pthread_cond_signal(&qcond);
		pthread_mutex_unlock(&qlock);
		sleep_ms(PRODUCE_MS, &t.sleep);
		char c = 'x';
		if (write(pipefd[1], &c, 1) != 1)
			abort();
	}
	static struct times out;
	out = t;
	return &out;
}

static void *consumer(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "consumer");
	struct times t = {0};
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&qlock);
		while (!items) {
			uint64_t t0 = now_ns();
			pthread_cond_wait(&qcond, &qlock);
			t.cond += now_ns() - t0;
		}
		items--;
		pthread_mutex_unlock(&qlock);
	}
	static struct times out;
	out = t;
	return &out;
}

static void *reader(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "reader");
	struct times t = {0};
	for (int i = 0; i < ROUNDS; i++) {
		char c;
		uint64_t t0 = now_ns();
		if (read(pipefd[0], &c, 1) != 1)
			abort();
		t.io += now_ns() - t0;
	}
	static struct times out;
	out = t;
	return &out;
}

static struct times sleeper_times;

static void *sleeper(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "sleeper");
	sleep_ms(JOIN_MS, &sleeper_times.sleep);
	return &sleeper_times;
}

static void *joiner(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "joiner");
	struct times t = {0};
	pthread_t th;
	if (pthread_create(&th, NULL, sleeper, NULL))
		abort();
	uint64_t t0 = now_ns();
	pthread_join(th, NULL);
	t.join += now_ns() - t0;
	report("sleeper", &sleeper_times);
	static struct times out;
	out = t;
	return &out;
}

int main(void)
{
	if (pipe(pipefd))
		return 1;
	static const char *const names[] = {"holder",   "contender", "producer",
					    "consumer", "reader",    "joiner"};
	void *(*fns[])(void *) = {holder, contender, producer, consumer, reader, joiner};
	pthread_t th[6];
	for (int i = 0; i < 6; i++)
		if (pthread_create(&th[i], NULL, fns[i], NULL))
			return 1;
	for (int i = 0; i < 6; i++) {
		void *r;
		pthread_join(th[i], &r);
		report(names[i], r);
	}
	return 0;
}
