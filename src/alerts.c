// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "alerts.h"
#include "creds.h"

#define NS_BIT(t) (1u << (t))

static const char *const rule_names[ALERT_RULE_COUNT] = {
	[ALERT_NAMESPACE_ESCAPE] = "namespace_escape",
	[ALERT_PRIVILEGED_CONTAINER] = "privileged_container",
	[ALERT_HOST_PID_AND_NETWORK] = "host_pid_and_network",
	[ALERT_CAPABILITY_GAIN] = "capability_gain",
};

/* A process that runs a container's code: it exec'd inside one, or its parent did. */
struct alert_process {
	__u32 pid;
	__u64 container;
	struct nstrace_creds creds; /* flags 0: not known */
	bool escaped; /* namespace_escape raised since its last exec */
	UT_hash_handle hh;
};

/* A container that raised its start alerts. */
struct alert_container_seen {
	__u64 serial;
	UT_hash_handle hh;
};

struct alerts {
	alert_emit_fn emit;
	void *ctx;
	__u64 host_bounding;
	struct alert_process *processes;
	struct alert_container_seen *containers;
};

const char *alert_rule_name(enum alert_rule rule)
{
	return (unsigned)rule < ALERT_RULE_COUNT ? rule_names[rule] : "unknown";
}

struct alerts *alerts_new(alert_emit_fn emit, void *ctx)
{
	struct alerts *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->emit = emit;
	a->ctx = ctx;
	return a;
}

void alerts_free(struct alerts *a)
{
	struct alert_process *p, *ptmp;
	struct alert_container_seen *c, *ctmp;

	if (!a)
		return;
	HASH_ITER(hh, a->processes, p, ptmp) {
		HASH_DEL(a->processes, p);
		free(p);
	}
	HASH_ITER(hh, a->containers, c, ctmp) {
		HASH_DEL(a->containers, c);
		free(c);
	}
	free(a);
}

void alerts_set_host_bounding(struct alerts *a, __u64 bounding)
{
	a->host_bounding = bounding;
}

static struct alert_process *find(struct alerts *a, __u32 pid)
{
	struct alert_process *p;

	HASH_FIND(hh, a->processes, &pid, sizeof(pid), p);
	return p;
}

/* NULL when out of memory: the process is then not followed, and raises nothing. */
static struct alert_process *find_or_add(struct alerts *a, __u32 pid)
{
	struct alert_process *p = find(a, pid);

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	HASH_ADD(hh, a->processes, pid, sizeof(p->pid), p);
	return p;
}

static void set_comm(struct alert *al, const char *comm)
{
	if (comm)
		strncpy(al->comm, comm, sizeof(al->comm) - 1);
}

void alerts_exec(struct alerts *a, __u64 time_ns, __u64 container, __u32 pid, const char *comm,
		 const struct nstrace_creds *creds)
{
	struct alert_process *p = find(a, pid);
	__u64 gained = 0;

	if (p && p->container == container)
		gained = creds_gained(&p->creds, creds);
	if (gained) {
		struct alert al = { .rule = ALERT_CAPABILITY_GAIN, .time_ns = time_ns, .container = container, .pid = pid };

		set_comm(&al, comm);
		al.caps_before = p->creds.cap_effective | p->creds.cap_permitted | p->creds.cap_ambient;
		al.caps_gained = gained;
		al.uid = creds->uid;
		al.euid = creds->euid;
		a->emit(a->ctx, &al);
	}
	p = p ? p : find_or_add(a, pid);
	if (!p)
		return;
	p->container = container;
	p->creds = *creds;
	p->escaped = false;
}

void alerts_existing(struct alerts *a, __u64 container, __u32 pid, const struct nstrace_creds *creds)
{
	struct alert_process *p = find_or_add(a, pid);

	if (!p)
		return;
	p->container = container;
	p->creds = *creds;
}

void alerts_fork(struct alerts *a, __u32 parent, __u32 child)
{
	struct alert_process *from = find(a, parent), *to;

	if (!from) {
		/* a pid reused by a process that runs no container code */
		alerts_exit(a, child);
		return;
	}
	to = find_or_add(a, child);
	if (!to)
		return;
	to->container = from->container;
	to->creds = from->creds;
	to->escaped = false;
}

void alerts_exit(struct alerts *a, __u32 pid)
{
	struct alert_process *p = find(a, pid);

	if (!p)
		return;
	HASH_DEL(a->processes, p);
	free(p);
}

void alerts_setns(struct alerts *a, const struct alert_setns *s)
{
	struct alert_process *p = find(a, s->pid);
	struct alert al = { .rule = ALERT_NAMESPACE_ESCAPE, .time_ns = s->time_ns, .pid = s->pid };

	if (!p || p->escaped || !s->container || p->container != s->container)
		return;
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		if (!(s->entered & NS_BIT(t)))
			continue;
		if (s->owner[t] == NS_OWNER_HOST) {
			al.entered |= NS_BIT(t);
			al.entered_host |= NS_BIT(t);
		} else if (s->owner[t] == NS_OWNER_OTHER) {
			al.entered |= NS_BIT(t);
			if (!al.target_container)
				al.target_container = s->owner_container[t];
		}
	}
	if (!al.entered)
		return;
	p->escaped = true;
	al.container = s->container;
	set_comm(&al, s->comm);
	a->emit(a->ctx, &al);
}

void alerts_container_start(struct alerts *a, const struct alert_container *c)
{
	struct alert al = { .time_ns = c->time_ns, .container = c->container, .pid = c->init_pid };
	struct alert_container_seen *seen;

	HASH_FIND(hh, a->containers, &c->container, sizeof(c->container), seen);
	if (seen)
		return;
	seen = calloc(1, sizeof(*seen));
	if (!seen)
		return;
	seen->serial = c->container;
	HASH_ADD(hh, a->containers, serial, sizeof(seen->serial), seen);
	set_comm(&al, c->comm);
	if (c->creds && creds_privileged(c->creds, a->host_bounding)) {
		al.rule = ALERT_PRIVILEGED_CONTAINER;
		al.cap_effective = c->creds->cap_effective;
		al.host_bounding = a->host_bounding;
		a->emit(a->ctx, &al);
	}
	if (c->host_pid && c->host_net) {
		struct alert shared = { .rule = ALERT_HOST_PID_AND_NETWORK, .time_ns = c->time_ns,
					.container = c->container, .pid = c->init_pid };

		set_comm(&shared, c->comm);
		a->emit(a->ctx, &shared);
	}
}

void alerts_container_gone(struct alerts *a, __u64 container)
{
	struct alert_container_seen *seen;

	HASH_FIND(hh, a->containers, &container, sizeof(container), seen);
	if (!seen)
		return;
	HASH_DEL(a->containers, seen);
	free(seen);
}
