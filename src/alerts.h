/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Alert rules (docs/alerts.md): facts about containers and their
 * processes in, alerts out. Pure: no libbpf, no I/O. The caller says which
 * container a process is in and whose each namespace is; this module keeps
 * only what the rules need per container process: whether it runs the
 * container's own code yet, and the capabilities it holds.
 */
#ifndef NSTRACE_ALERTS_H
#define NSTRACE_ALERTS_H

#include <stdbool.h>
#include "event.h"

enum alert_rule {
	ALERT_NAMESPACE_ESCAPE,
	ALERT_PRIVILEGED_CONTAINER,
	ALERT_HOST_PID_AND_NETWORK,
	ALERT_CAPABILITY_GAIN,
	ALERT_RULE_COUNT,
};

/* "namespace_escape", "privileged_container", "host_pid_and_network", "capability_gain" */
const char *alert_rule_name(enum alert_rule rule);

/* Whose a namespace is, seen from a container. */
enum ns_owner {
	NS_OWNER_UNKNOWN, /* neither the host's nor a container's nstrace knows */
	NS_OWNER_SELF, /* the container's own, or one it shares by design */
	NS_OWNER_HOST, /* the host's initial namespace */
	NS_OWNER_OTHER, /* another container's, not one nested in this one */
	NS_OWNER_NESTED, /* a container's nested in this one: its own to manage */
};

struct alert {
	enum alert_rule rule;
	__u64 time_ns;
	__u64 container; /* the serial of the container it is about */
	__u32 pid; /* the process; for container rules, its init */
	char comm[NSTRACE_COMM_LEN];
	/* namespace_escape: types entered that are the host's or another container's */
	nstrace_ns_mask entered;
	nstrace_ns_mask entered_host;
	__u64 target_container; /* the other container, 0 if only the host's were entered */
	/* capability_gain */
	__u64 caps_before; /* effective | permitted | ambient before the exec */
	__u64 caps_gained;
	__u32 uid, euid; /* after the exec */
	/* privileged_container */
	__u64 cap_effective;
	__u64 host_bounding;
};

typedef void (*alert_emit_fn)(void *ctx, const struct alert *a);

struct alerts;

struct alerts *alerts_new(alert_emit_fn emit, void *ctx);
void alerts_free(struct alerts *a);

/* The host's capability bounding set (CapBnd of a process on the host): privileged means all of it. */
void alerts_set_host_bounding(struct alerts *a, __u64 bounding);

/*
 * A process in container `container` (a serial, never 0) exec'd with
 * creds: from now on it runs the container's code, and so do the children
 * it forks. Raises capability_gain when creds hold capabilities its
 * previous credentials held in no set.
 */
void alerts_exec(struct alerts *a, __u64 time_ns, __u64 container, __u32 pid, const char *comm,
		 const struct nstrace_creds *creds);

/* A process running a container's code at start-up (from /proc): as if it had exec'd with creds. */
void alerts_existing(struct alerts *a, __u64 container, __u32 pid, const struct nstrace_creds *creds);

/* child inherits what parent runs and holds. */
void alerts_fork(struct alerts *a, __u32 parent, __u32 child);
void alerts_exit(struct alerts *a, __u32 pid);

struct alert_setns {
	__u64 time_ns;
	__u32 pid;
	const char *comm;
	__u64 container; /* the container the caller was in before the call, 0 for the host */
	nstrace_ns_mask entered; /* types the call switched */
	enum ns_owner owner[NSTRACE_NS_TYPE_COUNT]; /* of each entered type */
	__u64 owner_container[NSTRACE_NS_TYPE_COUNT]; /* NS_OWNER_OTHER: whose */
};

/*
 * Raises namespace_escape when a process that runs a container's code
 * enters a namespace of the host or of another container; once per
 * process until it execs or exits, however many namespaces it enters one
 * by one. A runtime entering a container (docker exec, runc exec, a
 * network helper) comes from the host side and runs no container code
 * until it execs, so it raises nothing.
 */
void alerts_setns(struct alerts *a, const struct alert_setns *s);

/* What a container started as: its init's credentials at its first exec into the command. */
struct alert_container {
	__u64 time_ns;
	__u64 container;
	__u32 init_pid;
	const char *comm;
	const struct nstrace_creds *creds;
	bool host_pid; /* shares the host's pid namespace */
	bool host_net; /* shares the host's network namespace */
};

/* Raises privileged_container and host_pid_and_network, each at most once per container. */
void alerts_container_start(struct alerts *a, const struct alert_container *c);
/* The container is gone: its serial is never seen again. */
void alerts_container_gone(struct alerts *a, __u64 container);

#endif
