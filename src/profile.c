// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "bpf_util.h"
#include "hooks.h"
#include "profile_report.h"
#include "trace.h"
#include "util.h"
#include "profile.skel.h"

#define NSEC_PER_SEC 1000000000ULL
#define NEVER ~0ULL

struct profile_opts {
	enum hook_mode hooks;
	unsigned int duration_s; /* 0: until a signal */
	unsigned int interval_s; /* 0: one report at the end */
	bool json;
};

/* The two histogram maps behind live_hist, and which one the programs fill. */
struct hist_maps {
	int outer_fd;
	int fds[2];
	int live;
};

static const char doc[] =
	"Latency histograms of namespace creation, setns, exec and pid allocation, "
	"measured in BPF and read at each interval.\v"
	"clone, clone3 and unshare are timed only with CLONE_NEW* flags: threads and plain "
	"forks create no namespace and cost no map operation. With trampolines (--hooks "
	"fentry, or auto where the kernel allows them) the kernel functions that build "
	"namespaces and allocate pids are timed too.\n"
	"\nExamples:\n"
	"  nstrace profile                 histograms when interrupted\n"
	"  nstrace profile -i 1 -d 10      every second for ten seconds, then the total\n"
	"  nstrace profile --json -d 5     JSON Lines, one record per key\n";

static const struct argp_option options[] = {
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "interval", 'i', "SECONDS", 0, "Also report every SECONDS, each interval on its own", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct profile_opts *opts = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &opts->hooks;
		state->child_inputs[1] = &opts->json;
		break;
	case 'd':
		opts->duration_s = parse_seconds(state, "-d", arg);
		break;
	case 'i':
		opts->interval_s = parse_seconds(state, "-i", arg);
		break;
	case ARGP_KEY_ARG:
		usage_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * Trampoline programs are named after their kernel function ("fexit/alloc_pid").
 * They load only with the trampoline set, and only for functions the running
 * kernel has: per-type copy functions come and go with its configuration.
 */
static int select_programs(struct profile_bpf *obj, const struct hook_choice *hooks)
{
	struct btf *vmlinux = NULL;
	struct bpf_program *prog;
	int timed = 0;

	if (hooks->set == HOOKS_FENTRY) {
		vmlinux = btf__load_vmlinux_btf();
		if (!vmlinux)
			return -errno;
	}
	bpf_object__for_each_program(prog, obj->obj) {
		const char *sec = bpf_program__section_name(prog), *func;
		bool entry = !strncmp(sec, "fentry/", 7), present;

		if (!entry && strncmp(sec, "fexit/", 6))
			continue;
		func = strchr(sec, '/') + 1;
		present = vmlinux && btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC) >= 0;
		bpf_program__set_autoload(prog, present);
		if (!entry)
			continue;
		if (present)
			timed++;
		else if (vmlinux)
			diag_info("the kernel has no function %s: not timed", func);
	}
	btf__free(vmlinux);
	return timed;
}

/*
 * Makes the other map live and returns the fd of the one the programs
 * filled until now, or -errno. An update of a map-in-map waits for running
 * programs (synchronize_rcu in the syscall), so no program still writes to
 * the returned map.
 */
static int swap_hist_maps(struct hist_maps *m)
{
	int idle = m->live;
	__u32 zero = 0;

	if (bpf_map_update_elem(m->outer_fd, &zero, &m->fds[!idle], BPF_ANY))
		return -errno;
	m->live = !idle;
	return m->fds[idle];
}

/* Moves every histogram of the quiescent map into t, leaving the map empty. */
static int drain(int fd, struct profile_table *t)
{
	struct nstrace_profile_key key, *prev = NULL;
	struct nstrace_profile_hist hist;
	int err;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		if (bpf_map_lookup_elem(fd, &key, &hist))
			return -errno;
		err = profile_table_add(t, &key, &hist);
		if (err)
			return err;
		prev = &key;
	}
	if (errno != ENOENT)
		return -errno;
	for (size_t i = 0; i < t->len; i++)
		if (bpf_map_delete_elem(fd, &t->entries[i].key))
			return -errno;
	return 0;
}

static int report(const struct profile_opts *opts, struct profile_table *t,
		  const struct profile_period *period)
{
	char title[64];

	profile_table_sort(t);
	if (opts->json) {
		profile_report_json(stdout, t, period);
	} else if (period->total) {
		snprintf(title, sizeof(title), "total over %.1f s", period->seconds);
		profile_report_text(stdout, t, title);
	} else {
		time_t wall = time(NULL);
		char clock[16];

		strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&wall));
		snprintf(title, sizeof(title), "%s interval %u (%.1f s)", clock, period->interval,
			 period->seconds);
		profile_report_text(stdout, t, title);
	}
	return stdout_flush();
}

static void report_missed(int missed_fd, __u64 *seen)
{
	__u64 missed = bpf_util_percpu_sum(missed_fd);

	if (missed > *seen)
		diag_info("%llu samples missed (a map was full or clone3 arguments unreadable)",
			  (unsigned long long)(missed - *seen));
	*seen = missed;
}

/* Waits for SIGINT or SIGTERM until deadline (NEVER: no limit); true on a signal. */
static bool wait_for_stop(const sigset_t *stop_signals, __u64 deadline)
{
	for (;;) {
		struct timespec timeout;
		__u64 now = monotonic_ns();
		int sig;

		if (deadline == NEVER) {
			sig = sigwaitinfo(stop_signals, NULL);
		} else {
			if (now >= deadline)
				return false;
			timeout.tv_sec = (deadline - now) / NSEC_PER_SEC;
			timeout.tv_nsec = (deadline - now) % NSEC_PER_SEC;
			sig = sigtimedwait(stop_signals, NULL, &timeout);
		}
		if (sig > 0)
			return true;
		if (errno == EAGAIN)
			return false;
	}
}

static int run(const struct profile_opts *opts, const sigset_t *stop_signals)
{
	struct profile_table interval = { 0 }, total = { 0 };
	struct profile_period period = { 0 };
	struct bpf_object_open_opts open_opts;
	struct profile_bpf *obj = NULL;
	struct hist_maps maps;
	struct hook_choice hooks;
	__u64 start, interval_start, next_report, end, now, missed_seen = 0;
	bool stop = false;
	int err, idle_fd, timed;

	err = bpf_util_setup();
	if (err)
		return err;

	bpf_util_open_opts(&open_opts);
	obj = profile_bpf__open_opts(&open_opts);
	if (!obj) {
		err = -errno;
		diag_error("opening the BPF object: %s", strerror(-err));
		return err;
	}
	err = hooks_choose_trampolines(opts->hooks, obj->obj, &hooks);
	if (err)
		goto cleanup;
	hooks_announce(&hooks);
	timed = select_programs(obj, &hooks);
	if (timed < 0) {
		err = timed;
		diag_error("reading the kernel's BTF: %s", strerror(-err));
		goto cleanup;
	}
	err = profile_bpf__load(obj);
	if (err) {
		diag_error("loading the BPF programs: %s (run with -v for the verifier log)", strerror(-err));
		goto cleanup;
	}
	err = profile_bpf__attach(obj);
	if (err) {
		diag_error("attaching the BPF programs: %s", strerror(-err));
		goto cleanup;
	}
	maps = (struct hist_maps){
		.outer_fd = bpf_map__fd(obj->maps.live_hist),
		.fds = { bpf_map__fd(obj->maps.hist_a), bpf_map__fd(obj->maps.hist_b) },
	};
	diag_info("ready: timing syscalls and %d kernel functions", timed);

	start = interval_start = monotonic_ns();
	end = opts->duration_s ? start + opts->duration_s * NSEC_PER_SEC : NEVER;
	next_report = opts->interval_s ? start + opts->interval_s * NSEC_PER_SEC : NEVER;
	while (!stop) {
		stop = wait_for_stop(stop_signals, next_report < end ? next_report : end);
		now = monotonic_ns();
		if (now >= end)
			stop = true;
		/* the total alone reports a run without intervals */
		if (!stop && now < next_report)
			continue;

		idle_fd = swap_hist_maps(&maps);
		err = idle_fd < 0 ? idle_fd : drain(idle_fd, &interval);
		if (err) {
			diag_error("reading the histograms: %s", strerror(-err));
			goto cleanup;
		}
		report_missed(bpf_map__fd(obj->maps.missed), &missed_seen);
		for (size_t i = 0; i < interval.len && !err; i++)
			err = profile_table_add(&total, &interval.entries[i].key, &interval.entries[i].hist);
		if (err) {
			diag_error("merging the histograms: %s", strerror(-err));
			goto cleanup;
		}
		if (opts->interval_s) {
			period.interval++;
			period.seconds = (now - interval_start) / 1e9;
			err = report(opts, &interval, &period);
			if (err)
				goto cleanup;
			interval_start = now;
			next_report += opts->interval_s * NSEC_PER_SEC;
		}
		profile_table_clear(&interval);
	}
	period = (struct profile_period){ .total = true, .seconds = (now - start) / 1e9 };
	err = report(opts, &total, &period);

cleanup:
	profile_table_free(&interval);
	profile_table_free(&total);
	profile_bpf__destroy(obj);
	return err;
}

int cmd_profile(int argc, char **argv)
{
	static const struct argp_child children[] = { { &bpf_argp, 0, NULL, 0 }, { &json_argp, 0, NULL, 0 }, {} };
	static const struct argp argp = { options, parse_arg, NULL, doc, children, NULL, NULL };
	struct profile_opts opts = { .hooks = HOOKS_AUTO };
	int err;
	sigset_t stop_signals;

	err = parse_command_line(&argp, argc, argv, &opts);
	if (err)
		return err;

	/* taken synchronously by sigtimedwait: a stop between two reads is never lost */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);

	return run(&opts, &stop_signals) ? 1 : 0;
}
