// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "diag.h"
#include "trace.h"
#include "util.h"
#include "nstrace.skel.h"

#define POLL_TIMEOUT_MS 100
/* After a batch, poll again this soon: the BPF side skips wake-ups within an interval. */
#define BATCH_POLL_MS NSTRACE_WAKEUP_INTERVAL_MS
/* a wake-up per this share of the ring buffer while the reader sleeps */
#define WAKEUP_FRACTION 16
/* how long a stop may spend on events from before it: SIGINT must act at once */
#define STOP_DRAIN_MS 300

volatile sig_atomic_t trace_stop_requested;

static bool has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

static const char *missing_privilege(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return "cannot read this process's capabilities";
	if (has_cap(data, CAP_SYS_ADMIN))
		return NULL;
	if (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON))
		return NULL;
	if (has_cap(data, CAP_BPF))
		return "missing capability CAP_PERFMON (or CAP_SYS_ADMIN): run nstrace as root";
	if (has_cap(data, CAP_PERFMON))
		return "missing capability CAP_BPF (or CAP_SYS_ADMIN): run nstrace as root";
	return "missing capabilities CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run nstrace as root";
}


/*
 * libbpf's messages go out as nstrace's own diagnostics, one per line:
 * raw, they would break the JSON records on stderr in --json mode.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char *msg, *line, *save = NULL;

	if (level != LIBBPF_WARN && !diag_verbose())
		return 0;
	if (vasprintf(&msg, fmt, args) < 0)
		return 0;
	for (line = strtok_r(msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (level == LIBBPF_WARN)
			diag_warn("%s", line);
		else
			diag_debug("%s", line);
	}
	free(msg);
	return 0;
}

int trace_prepare(enum hook_mode mode, struct hook_choice *hooks)
{
	const char *missing = missing_privilege();
	int err;

	if (missing) {
		diag_error("%s", missing);
		return -EPERM;
	}
	libbpf_set_print(libbpf_print);
	err = hooks_choose(mode, hooks);
	if (err) {
		diag_error("cannot use %s hooks: %s", hook_mode_name(mode), hooks->reason);
		return err;
	}
	diag_info("hooks: %s (%s)", hook_mode_name(hooks->set), hooks->reason);
	return 0;
}

static void select_programs(struct nstrace_bpf *obj, const struct hook_choice *hooks)
{
	bool fentry = hooks->set == HOOKS_FENTRY;

	bpf_program__set_autoload(obj->progs.fexit_copy_namespaces, fentry);
	bpf_program__set_autoload(obj->progs.fexit_alloc_pid, fentry);
	bpf_program__set_autoload(obj->progs.fexit_ksys_unshare, fentry);
	bpf_program__set_autoload(obj->progs.fexit_sys_setns, fentry);
	bpf_program__set_autoload(obj->progs.tp_task_newtask, !fentry);
	bpf_program__set_autoload(obj->progs.tp_sys_exit, !fentry);
	bpf_program__set_autoload(obj->progs.tp_sched_process_exit_group_dead, hooks->exit_has_group_dead);
	bpf_program__set_autoload(obj->progs.tp_sched_process_exit, !hooks->exit_has_group_dead);
}

__u64 trace_percpu_sum(int map_fd)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 values[ncpus > 0 ? ncpus : 1], sum = 0;
	__u32 zero = 0;

	if (ncpus <= 0 || bpf_map_lookup_elem(map_fd, &zero, values))
		return 0;
	for (int i = 0; i < ncpus; i++)
		sum += values[i];
	return sum;
}

struct poll_ctx {
	const struct trace_sink *sink;
	struct trace_stats *stats;
	int stop;
	__u64 stop_ns; /* when a stop request was first seen, 0 before */
	bool unread; /* the stop left events in the ring buffer */
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

static int on_sample(void *ctx, void *data, size_t size)
{
	struct poll_ctx *pc = ctx;
	const char *why;

	if (nstrace_event_check(data, size, &why)) {
		pc->stats->malformed++;
		diag_debug("dropped a malformed record of %zu bytes: %s", size, why);
		return 0;
	}
	/* a negative return ends ring_buffer__poll and __consume early */
	if (past_stop(pc, data))
		return -ECANCELED;
	pc->stats->events++;
	pc->stop = pc->sink->event(pc->sink->ctx, data);
	return pc->stop ? -ECANCELED : 0;
}

static int report_drops(struct poll_ctx *pc, int map_fd)
{
	__u64 dropped = trace_percpu_sum(map_fd);

	if (dropped <= pc->stats->lost)
		return 0;
	__u64 count = dropped - pc->stats->lost;
	pc->stats->lost = dropped;
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

int trace_run(const struct trace_opts *opts, const struct trace_sink *sink, struct trace_stats *stats)
{
	struct poll_ctx pc = { .sink = sink, .stats = stats };
	struct ring_buffer *rb = NULL;
	struct nstrace_bpf *obj = NULL;
	struct hook_choice hooks;
	struct timespec start, now;
	int err, dropped_fd, timeout_ms = POLL_TIMEOUT_MS;

	memset(stats, 0, sizeof(*stats));
	if (!ringbuf_size_valid(opts->ringbuf_kb)) {
		diag_error("ring buffer size %u KiB: must be a power of two of at least one page", opts->ringbuf_kb);
		return -EINVAL;
	}
	err = trace_prepare(opts->hooks, &hooks);
	if (err)
		return err;

	obj = nstrace_bpf__open();
	if (!obj) {
		err = -errno;
		diag_error("opening the BPF object: %s", strerror(-err));
		goto cleanup;
	}
	err = bpf_map__set_max_entries(obj->maps.events, opts->ringbuf_kb * 1024);
	if (err) {
		diag_error("sizing the ring buffer: %s", strerror(-err));
		goto cleanup;
	}
	obj->rodata->wakeup_bytes = opts->ringbuf_kb * 1024ULL / WAKEUP_FRACTION;
	select_programs(obj, &hooks);

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

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!trace_stop_requested && !pc.stop) {
		err = ring_buffer__poll(rb, timeout_ms);
		if (err < 0 && err != -EINTR && err != -ECANCELED) {
			diag_error("polling the ring buffer: %s", strerror(-err));
			goto cleanup;
		}
		timeout_ms = err > 0 ? BATCH_POLL_MS : POLL_TIMEOUT_MS;
		if (report_drops(&pc, dropped_fd) || sink->flush(sink->ctx))
			pc.stop = 1;
		if (opts->duration_s) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			/* the end of -d is a stop like a signal's, bounded the same way */
			if (elapsed_ms(&start, &now) >= opts->duration_s * 1000ULL)
				trace_stop_requested = 1;
		}
	}
	/* what the kernel wrote before the stop still belongs to the trace */
	if (!pc.stop)
		ring_buffer__consume(rb);
	if (!pc.stop)
		report_drops(&pc, dropped_fd);
	if (pc.unread)
		diag_info("stopped with events from before the stop still unread in the ring buffer");
	err = 0;

cleanup:
	ring_buffer__free(rb);
	nstrace_bpf__destroy(obj);
	return err;
}
