// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The alert rules, each with what triggers it and what must not. */
#include "testing.h"
#include "alerts.h"

#define BIT(t) (1u << (t))
#define CAP(n) (1ULL << (n))
#define HOST_BOUNDING (((1ULL << 41) - 1) & ~CAP(24))
#define DOCKER_DEFAULT_CAPS 0xa80425fbULL
#define C1 1
#define C2 2

struct got {
	int count;
	struct alert last;
};

static void collect(void *ctx, const struct alert *a)
{
	struct got *g = ctx;

	g->count++;
	g->last = *a;
}

static struct nstrace_creds creds_with(__u32 uid, __u64 caps)
{
	struct nstrace_creds c = { .flags = NSTRACE_CREDS_READ, .uid = uid, .euid = uid };

	c.cap_effective = c.cap_permitted = caps;
	c.cap_bounding = DOCKER_DEFAULT_CAPS;
	return c;
}

static struct alert_setns setns_into(__u32 pid, __u64 container, enum nstrace_ns_type type, enum ns_owner owner,
				     __u64 owner_container)
{
	struct alert_setns s = { .time_ns = 5, .pid = pid, .comm = "nsenter", .container = container };

	s.entered = BIT(type);
	s.owner[type] = owner;
	s.owner_container[type] = owner_container;
	return s;
}

static void escape_once_per_process(void)
{
	struct got g = { 0 };
	struct alerts *a = alerts_new(collect, &g);
	struct nstrace_creds c = creds_with(0, HOST_BOUNDING);
	enum nstrace_ns_type order[] = { NSTRACE_NS_MNT, NSTRACE_NS_UTS, NSTRACE_NS_IPC, NSTRACE_NS_NET };
	struct alert_setns s;

	alerts_exec(a, 1, C1, 100, "sh", &c);
	alerts_fork(a, 100, 101);
	/* nsenter -t PID -m -u -i -n: four setns calls, one namespace each */
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		s = setns_into(101, C1, order[i], NS_OWNER_HOST, 0);
		alerts_setns(a, &s);
	}
	ASSERT_EQ(g.count, 1, "one alert for the four calls");
	ASSERT_EQ(g.last.rule, ALERT_NAMESPACE_ESCAPE, "rule");
	ASSERT_STREQ(alert_rule_name(g.last.rule), "namespace_escape", "its name");
	ASSERT_EQ(g.last.pid, 101, "the forked child");
	ASSERT_EQ(g.last.container, C1, "from C1");
	ASSERT_EQ(g.last.entered_host, BIT(NSTRACE_NS_MNT), "the first namespace entered");
	ASSERT_EQ(g.last.target_container, 0, "the host");
	/* it execs the command it was given; a new escape after that is a new alert */
	alerts_exec(a, 6, C1, 101, "true", &c);
	s = setns_into(101, C1, NSTRACE_NS_NET, NS_OWNER_HOST, 0);
	alerts_setns(a, &s);
	ASSERT_EQ(g.count, 2, "after an exec, again");
	alerts_free(a);
}

static void runtimes_raise_nothing(void)
{
	struct got g = { 0 };
	struct alerts *a = alerts_new(collect, &g);
	struct nstrace_creds c = creds_with(0, DOCKER_DEFAULT_CAPS);
	struct alert_setns s;

	/* runc exec: runc init comes from the host and enters C1's namespaces one by one */
	s = setns_into(200, 0, NSTRACE_NS_MNT, NS_OWNER_OTHER, C1);
	alerts_setns(a, &s);
	s = setns_into(200, C1, NSTRACE_NS_PID_FOR_CHILDREN, NS_OWNER_SELF, C1);
	alerts_setns(a, &s);
	alerts_exec(a, 3, C1, 200, "sh", &c);
	ASSERT_EQ(g.count, 0, "runc exec into C1");
	/* dockerd's network helper visits C1's network namespace and goes back to the host's */
	s = setns_into(300, 0, NSTRACE_NS_NET, NS_OWNER_OTHER, C1);
	alerts_setns(a, &s);
	s = setns_into(300, C1, NSTRACE_NS_NET, NS_OWNER_HOST, 0);
	alerts_setns(a, &s);
	ASSERT_EQ(g.count, 0, "a helper that never execs inside runs no container code");
	/* a pod: the app container's runtime joins the sandbox's network before it execs */
	s = setns_into(400, C2, NSTRACE_NS_NET, NS_OWNER_OTHER, C1);
	alerts_setns(a, &s);
	ASSERT_EQ(g.count, 0, "runtime code of a new container joining its sandbox");
	alerts_free(a);
}

static void escape_targets(void)
{
	struct got g = { 0 };
	struct alerts *a = alerts_new(collect, &g);
	struct nstrace_creds c = creds_with(0, DOCKER_DEFAULT_CAPS);
	struct alert_setns s;

	alerts_exec(a, 1, C1, 100, "sh", &c);
	s = setns_into(100, C1, NSTRACE_NS_NET, NS_OWNER_SELF, C1);
	alerts_setns(a, &s);
	s = setns_into(100, C1, NSTRACE_NS_NET, NS_OWNER_NESTED, 7);
	alerts_setns(a, &s);
	s = setns_into(100, C1, NSTRACE_NS_NET, NS_OWNER_UNKNOWN, 0);
	alerts_setns(a, &s);
	ASSERT_EQ(g.count, 0, "its own, a nested container's, an unknown one");
	s = setns_into(100, C1, NSTRACE_NS_IPC, NS_OWNER_OTHER, C2);
	alerts_setns(a, &s);
	ASSERT_EQ(g.count, 1, "another container's");
	ASSERT_EQ(g.last.target_container, C2, "names it");
	ASSERT_EQ(g.last.entered, BIT(NSTRACE_NS_IPC), "ipc");
	ASSERT_EQ(g.last.entered_host, 0, "none of the host's");
	/* the pid is reused by a process that never ran container code */
	alerts_exit(a, 100);
	s = setns_into(100, C1, NSTRACE_NS_NET, NS_OWNER_HOST, 0);
	alerts_setns(a, &s);
	ASSERT_EQ(g.count, 1, "after exit the pid is forgotten");
	alerts_exec(a, 1, C1, 100, "sh", &c);
	alerts_fork(a, 999, 100);
	alerts_setns(a, &s);
	ASSERT_EQ(g.count, 1, "a reused pid forked from outside runs no container code");
	alerts_free(a);
}

static void capability_gain(void)
{
	struct got g = { 0 };
	struct alerts *a = alerts_new(collect, &g);
	struct nstrace_creds user = creds_with(1000, 0), root = creds_with(0, DOCKER_DEFAULT_CAPS);
	struct nstrace_creds unread = { 0 };

	root.euid = 0;
	alerts_exec(a, 1, C1, 100, "sh", &user);
	alerts_fork(a, 100, 101);
	alerts_exec(a, 2, C1, 101, "su", &root);
	ASSERT_EQ(g.count, 1, "setuid root binary run by uid 1000");
	ASSERT_EQ(g.last.rule, ALERT_CAPABILITY_GAIN, "rule");
	ASSERT_EQ(g.last.caps_gained, DOCKER_DEFAULT_CAPS, "every capability it got");
	ASSERT_EQ(g.last.caps_before, 0, "none before");
	ASSERT_EQ(g.last.euid, 0, "euid after");
	alerts_exec(a, 3, C1, 101, "sh", &user);
	alerts_exec(a, 4, C1, 101, "id", &user);
	ASSERT_EQ(g.count, 1, "dropping and keeping are no gain");
	alerts_exec(a, 5, C1, 300, "sh", &root);
	ASSERT_EQ(g.count, 1, "first exec inside: nothing to compare with");
	alerts_exec(a, 6, C1, 100, "x", &unread);
	alerts_exec(a, 7, C1, 100, "y", &root);
	ASSERT_EQ(g.count, 1, "unread credentials compare with nothing");
	alerts_existing(a, C2, 400, &user);
	alerts_exec(a, 8, C2, 400, "ping", &root);
	ASSERT_EQ(g.count, 2, "a process running at start-up");
	alerts_free(a);
}

static void container_start(void)
{
	struct got g = { 0 };
	struct alerts *a = alerts_new(collect, &g);
	struct nstrace_creds all = creds_with(0, HOST_BOUNDING), admin = creds_with(0, DOCKER_DEFAULT_CAPS | CAP(21));
	struct alert_container c = { .time_ns = 9, .container = C1, .init_pid = 500, .comm = "sleep", .creds = &all };

	alerts_container_start(a, &c);
	ASSERT_EQ(g.count, 0, "host bounding set not known yet: nothing is privileged");
	alerts_container_gone(a, C1);
	alerts_set_host_bounding(a, HOST_BOUNDING);
	alerts_container_start(a, &c);
	ASSERT_EQ(g.count, 1, "--cap-add ALL --cap-drop SYS_RESOURCE on this host");
	ASSERT_EQ(g.last.rule, ALERT_PRIVILEGED_CONTAINER, "rule");
	ASSERT_EQ(g.last.host_bounding, HOST_BOUNDING, "what it was compared with");
	alerts_container_start(a, &c);
	ASSERT_EQ(g.count, 1, "once per container");
	c.container = C2;
	c.creds = &admin;
	alerts_container_start(a, &c);
	ASSERT_EQ(g.count, 1, "--cap-add SYS_ADMIN alone is not every capability");
	all.userns_level = 1;
	c.container = 3;
	c.creds = &all;
	alerts_container_start(a, &c);
	ASSERT_EQ(g.count, 1, "every capability in a user namespace of its own");
	c.container = 4;
	c.creds = &admin;
	c.host_pid = true;
	alerts_container_start(a, &c);
	ASSERT_EQ(g.count, 1, "host pid namespace alone");
	c.container = 5;
	c.host_net = true;
	alerts_container_start(a, &c);
	ASSERT_EQ(g.count, 2, "host pid and network namespaces");
	ASSERT_EQ(g.last.rule, ALERT_HOST_PID_AND_NETWORK, "rule");
	ASSERT_EQ(g.last.pid, 500, "points at the init");
	alerts_free(a);
}

int main(void)
{
	SUBTEST("namespace_escape: once per process until it execs", escape_once_per_process());
	SUBTEST("namespace_escape: runtimes entering containers raise nothing", runtimes_raise_nothing());
	SUBTEST("namespace_escape: whose namespace counts", escape_targets());
	SUBTEST("capability_gain", capability_gain());
	SUBTEST("privileged_container and host_pid_and_network", container_start());
	return test_summary();
}
