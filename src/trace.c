// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf_util.h"
#include "diag.h"
#include "nsgate.h"
#include "trace.h"
#include "util.h"
#include "nstrace.skel.h"

#define POLL_TIMEOUT_MS 100
/* After a batch, poll again this soon: the BPF side skips wake-ups within an interval. */
#define BATCH_POLL_MS NSTRACE_WAKEUP_INTERVAL_MS
/* a wake-up per this share of the ring buffer while the reader sleeps */
#define WAKEUP_FRACTION 16
/* records read between two looks at the signals while a storm keeps the reader busy */
#define SIGNAL_CHECK_RECORDS 256
/* how long a stop may spend on events from before it: SIGINT must act at once */
#define STOP_DRAIN_MS 300

static volatile sig_atomic_t trace_stop_requested;

struct poll_ctx {
	const struct trace_sink *sink;
	struct nsgate *gate;
	struct trace_stats *stats;
	int stop;
	__u64 stop_ns; /* when a stop request was first seen, 0 before */
	bool unread; /* the stop left events in the ring buffer */
	int signal_fd; /* SIGINT, SIGTERM and SIGHUP, blocked, arrive here */
	unsigned int unchecked; /* records read since the signal_fd was last read */
	bool reopen; /* SIGHUP came: the sink reopens its files after this batch */
};

/*
 * After a stop request the trace ends at the first event stamped later,
 * or when the backlog from before it takes too long to read. Under a
 * storm the ring never runs dry, and libbpf reads on for as long as it
 * does not: without this a stopped nstrace runs as long as the storm.
 */
static bool past_stop(struct poll_ctx *pc, const union nstrace_event *e)
{
	__u64 now;

	if (!trace_stop_requested)
		return false;
	now = monotonic_ns();
	if (!pc->stop_ns)
		pc->stop_ns = now;
	if (e->hdr.time_ns > pc->stop_ns)
		return true;
	pc->unread = now - pc->stop_ns > STOP_DRAIN_MS * 1000000ULL;
	return pc->unread;
}

/* SIGINT and SIGTERM stop; SIGHUP asks the sink to reopen its files (log rotation). */
static void take_signals(struct poll_ctx *pc)
{
	struct signalfd_siginfo si;

	pc->unchecked = 0;
	/* closed once the loop is left: the last read is of events from before the stop */
	if (pc->signal_fd < 0)
		return;
	while (read(pc->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			pc->reopen = true;
		else
			trace_stop_requested = 1;
	}
}

/*
 * The per-syscall tracepoints miss 32-bit calls (see hooks.h); with any
 * set, a change of namespaces no record explains is said, not dropped.
 */
static void report_gate(struct nsgate *gate, const union nstrace_event *e)
{
	struct nsgate_change change;
	char what[512];

	if (!nsgate_event(gate, e, &change))
		return;
	diag_warn("%s: namespaces changed with no unshare or setns event, seen at its %s "
		  "(a system call the hooks do not see, such as a 32-bit one)",
		  nsgate_describe(&change, what, sizeof(what)), change.found_at);
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct poll_ctx *pc = ctx;
	const char *why;

	if (nstrace_event_check(data, size, &why)) {
		pc->stats->malformed++;
		diag_debug("dropped a malformed record of %zu bytes: %s", size, why);
		return 0;
	}
	/* a storm keeps __consume reading for good: a stop must not wait for its end */
	if (++pc->unchecked == SIGNAL_CHECK_RECORDS)
		take_signals(pc);
	/* a negative return ends ring_buffer__poll and __consume early */
	if (past_stop(pc, data))
		return -ECANCELED;
	pc->stats->events++;
	report_gate(pc->gate, data);
	pc->stop = pc->sink->event(pc->sink->ctx, data);
	return pc->stop ? -ECANCELED : 0;
}

static int report_drops(struct poll_ctx *pc, int map_fd)
{
	__u64 dropped = bpf_util_percpu_sum(map_fd);

	if (dropped <= pc->stats->lost)
		return 0;
	__u64 count = dropped - pc->stats->lost;
	pc->stats->lost = dropped;
	nsgate_forget_all(pc->gate);
	return pc->sink->lost(pc->sink->ctx, count, dropped);
}

static unsigned long long elapsed_ms(const struct timespec *from, const struct timespec *to)
{
	return (to->tv_sec - from->tv_sec) * 1000ULL + to->tv_nsec / 1000000 - from->tv_nsec / 1000000;
}

static bool ringbuf_size_valid(unsigned int kb)
{
	unsigned long bytes = (unsigned long)kb * 1024;

	return bytes >= (unsigned long)getpagesize() && !(bytes & (bytes - 1));
}

/* What the loop's epoll set hands back: the ring buffer, the signals or a watch. */
struct loop_source {
	enum { SOURCE_RING, SOURCE_SIGNALS, SOURCE_WATCH } kind;
	const struct trace_watch *watch;
};

static int watch_fd(int epfd, int fd, __u32 events, struct loop_source *source)
{
	struct epoll_event ev = { .events = events, .data.ptr = source };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* SIGINT and SIGTERM stop the trace; SIGHUP reopens the outputs' files. */
static void loop_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
}

void trace_signals_block(void)
{
	sigset_t mask;

	loop_signals(&mask);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
}

/*
 * One epoll set: the ring buffer, a signalfd and the caller's watches.
 * The ring is read after every wake-up and every timeout, as the BPF
 * side leaves most records without a wake-up (see nstrace.bpf.c).
 */
static int run_loop(struct poll_ctx *pc, struct ring_buffer *rb, int dropped_fd, const struct trace_opts *opts)
{
	struct loop_source ring = { .kind = SOURCE_RING }, signals = { .kind = SOURCE_SIGNALS };
	struct loop_source watches[opts->watch_count + 1];
	struct epoll_event ready[8];
	struct timespec start, now;
	int err, n, epfd = -1, timeout_ms = POLL_TIMEOUT_MS;
	sigset_t mask, old_mask;

	loop_signals(&mask);
	/* blocked, a signal waits in the signalfd; none is lost between two reads */
	pthread_sigmask(SIG_BLOCK, &mask, &old_mask);
	pc->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	err = pc->signal_fd < 0 || epfd < 0 ? -errno : 0;
	if (!err)
		err = watch_fd(epfd, ring_buffer__epoll_fd(rb), EPOLLIN, &ring);
	if (!err)
		err = watch_fd(epfd, pc->signal_fd, EPOLLIN, &signals);
	for (size_t i = 0; i < opts->watch_count && !err; i++) {
		watches[i] = (struct loop_source){ .kind = SOURCE_WATCH, .watch = &opts->watches[i] };
		err = watch_fd(epfd, opts->watches[i].fd, opts->watches[i].events, &watches[i]);
	}
	if (err) {
		diag_error("setting up the event loop: %s", strerror(-err));
		goto out;
	}

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!trace_stop_requested && !pc->stop) {
		n = epoll_wait(epfd, ready, sizeof(ready) / sizeof(ready[0]), timeout_ms);
		if (n < 0 && errno != EINTR) {
			err = -errno;
			diag_error("waiting for events: %s", strerror(-err));
			goto out;
		}
		for (int i = 0; i < n && !pc->stop; i++) {
			const struct loop_source *source = ready[i].data.ptr;

			if (source->kind == SOURCE_SIGNALS)
				take_signals(pc);
			else if (source->kind == SOURCE_WATCH)
				pc->stop = source->watch->handle(source->watch->ctx, source->watch->fd, ready[i].events);
		}
		err = pc->stop ? 0 : ring_buffer__consume(rb);
		if (err < 0 && err != -ECANCELED) {
			diag_error("reading the ring buffer: %s", strerror(-err));
			goto out;
		}
		timeout_ms = err > 0 ? BATCH_POLL_MS : POLL_TIMEOUT_MS;
		if (report_drops(pc, dropped_fd) || pc->sink->flush(pc->sink->ctx))
			pc->stop = 1;
		if (pc->reopen && !pc->stop) {
			pc->reopen = false;
			pc->stop = pc->sink->reopen && pc->sink->reopen(pc->sink->ctx);
		}
		if (opts->duration_s) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			/* the end of -d is a stop like a signal's, bounded the same way */
			if (elapsed_ms(&start, &now) >= opts->duration_s * 1000ULL)
				trace_stop_requested = 1;
		}
	}
	err = 0;
out:
	if (epfd >= 0)
		close(epfd);
	if (pc->signal_fd >= 0)
		close(pc->signal_fd);
	pc->signal_fd = -1;
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	return err;
}

int trace_run(const struct trace_opts *opts, const struct trace_sink *sink, struct trace_stats *stats)
{
	struct poll_ctx pc = { .sink = sink, .stats = stats, .signal_fd = -1 };
	struct ring_buffer *rb = NULL;
	struct bpf_object_open_opts open_opts;
	struct nstrace_bpf *obj = NULL;
	struct hook_choice hooks = { 0 };
	int err, dropped_fd;

	memset(stats, 0, sizeof(*stats));
	if (!ringbuf_size_valid(opts->ringbuf_kb)) {
		diag_error("ring buffer size %u KiB: must be a power of two of at least one page", opts->ringbuf_kb);
		return -EINVAL;
	}
	err = bpf_util_setup();
	if (err)
		return err;
	pc.gate = nsgate_new();
	if (!pc.gate) {
		diag_error("out of memory");
		return -ENOMEM;
	}

	bpf_util_open_opts(&open_opts);
	obj = nstrace_bpf__open_opts(&open_opts);
	if (!obj) {
		err = -errno;
		diag_error("opening the BPF object: %s", strerror(-err));
		goto cleanup;
	}
	err = hooks_choose(opts->hooks, obj->obj, &hooks);
	if (err)
		goto cleanup;
	err = bpf_map__set_max_entries(obj->maps.events, opts->ringbuf_kb * 1024);
	if (err) {
		diag_error("sizing the ring buffer: %s", strerror(-err));
		goto cleanup;
	}
	obj->rodata->wakeup_bytes = opts->ringbuf_kb * 1024ULL / WAKEUP_FRACTION;

	err = nstrace_bpf__load(obj);
	if (err) {
		diag_error("loading the BPF programs: %s (run with -v for the verifier log)", strerror(-err));
		goto cleanup;
	}
	err = nstrace_bpf__attach(obj);
	if (err) {
		diag_error("attaching the BPF programs: %s", strerror(-err));
		goto cleanup;
	}
	hooks_done(&hooks);
	hooks_announce(&hooks);
	rb = ring_buffer__new(bpf_map__fd(obj->maps.events), on_sample, &pc, NULL);
	if (!rb) {
		err = -errno;
		diag_error("creating the ring buffer reader: %s", strerror(-err));
		goto cleanup;
	}
	dropped_fd = bpf_map__fd(obj->maps.dropped);

	err = sink->ready(sink->ctx, &hooks);
	if (err)
		goto cleanup;

	err = run_loop(&pc, rb, dropped_fd, opts);
	if (err)
		goto cleanup;
	/* what the kernel wrote before the stop still belongs to the trace */
	if (!pc.stop)
		ring_buffer__consume(rb);
	if (!pc.stop)
		report_drops(&pc, dropped_fd);
	if (pc.unread)
		diag_info("stopped with events from before the stop still unread in the ring buffer");
	err = 0;

cleanup:
	hooks_done(&hooks);
	ring_buffer__free(rb);
	nstrace_bpf__destroy(obj);
	nsgate_free(pc.gate);
	return err;
}
