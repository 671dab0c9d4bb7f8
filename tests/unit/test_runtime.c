// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Runtimes and container IDs from argv and from /proc/PID/cgroup text. */
#include "runtime.h"
#include "testing.h"

static const char hex_id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* argv as the kernel keeps it: every argument NUL-terminated. sizeof keeps the last NUL. */
#define ARGV(s) s, sizeof(s)

static void check_argv(const char *args, size_t len, enum runtime rt, const char *id)
{
	struct runtime_hint hint;

	memset(&hint, 0x5a, sizeof(hint));
	runtime_hint_from_argv(args, len, &hint);
	ASSERT_STREQ(runtime_name(hint.runtime), runtime_name(rt), "runtime");
	ASSERT_STREQ(hint.id, id, "container ID");
}

static void check_cgroup(const char *text, bool found, enum runtime rt, const char *id)
{
	struct runtime_hint hint;

	memset(&hint, 0x5a, sizeof(hint));
	ASSERT_EQ(runtime_hint_from_cgroup(text, strlen(text), &hint), found, "a container found");
	ASSERT_STREQ(runtime_name(hint.runtime), runtime_name(rt), "runtime");
	ASSERT_STREQ(hint.id, id, "container ID");
}

static void test_runc(void)
{
	check_argv(ARGV("runc\0run\0t1"), RUNTIME_RUNC, "t1");
	check_argv(ARGV("/usr/sbin/runc\0--root\0/run/r\0--log\0/l.json\0--log-format\0json\0create\0--bundle\0/b\0"
			"--pid-file\0/p\0--console-socket\0/s\0c2"),
		   RUNTIME_RUNC, "c2");
	check_argv(ARGV("runc\0--debug\0run\0-d\0--no-pivot\0-b\0/b\0c3"), RUNTIME_RUNC, "c3");
	check_argv(ARGV("runc\0exec\0-e\0A=B\0--user\0" "0:0\0--cwd\0/\0-t\0c4\0sh\0-c\0exit 3"), RUNTIME_RUNC, "c4");
	check_argv(ARGV("runc\0exec\0--process\0/p.json\0--detach\0c5"), RUNTIME_RUNC, "c5");
	check_argv(ARGV("runc\0--root=/run/r\0start\0c6"), RUNTIME_RUNC, "c6");
	check_argv(ARGV("runc\0kill\0c7\0KILL"), RUNTIME_RUNC, "c7");
	check_argv(ARGV("runc\0delete\0--force\0c8"), RUNTIME_RUNC, "c8");
	/* runc re-executed from its memfd keeps its argv; init names no container */
	check_argv(ARGV("runc\0init"), RUNTIME_RUNC, "");
	check_argv(ARGV("runc\0list"), RUNTIME_RUNC, "");
	check_argv(ARGV("crun\0run\0--bundle\0/b\0k1"), RUNTIME_CRUN, "k1");
	check_argv(ARGV("/usr/bin/crun\0--cgroup-manager=cgroupfs\0exec\0k2\0ls"), RUNTIME_CRUN, "k2");
	/* the value of an option is not the ID */
	check_argv(ARGV("crun\0--cgroup-manager\0cgroupfs\0run\0--bundle\0/b\0k3"), RUNTIME_CRUN, "k3");
	check_argv(ARGV("crun\0run\0-f\0/b/alt.json\0--bundle\0/b\0k4"), RUNTIME_CRUN, "k4");
	check_argv(ARGV("crun\0--root\0/run/crun\0create\0--config\0/b/alt.json\0-b\0/b\0k5"), RUNTIME_CRUN,
		   "k5");
	check_argv(ARGV("crun\0run\0--config=/b/alt.json\0-d\0k6"), RUNTIME_CRUN, "k6");
	/* but delete's -f is --force, in crun as in runc */
	check_argv(ARGV("crun\0delete\0-f\0k7"), RUNTIME_CRUN, "k7");
	check_argv(ARGV("runc\0delete\0-f\0c9"), RUNTIME_RUNC, "c9");
}

static void test_lxc(void)
{
	check_argv(ARGV("lxc-start\0-n\0web1\0-P\0/var/lib/lxc\0-d"), RUNTIME_LXC, "web1");
	check_argv(ARGV("/usr/bin/lxc-execute\0--name=web2\0--\0/bin/sh"), RUNTIME_LXC, "web2");
	check_argv(ARGV("lxc-attach\0--name\0web3\0--\0sh"), RUNTIME_LXC, "web3");
	/* getopt's other spellings: the value in the same argument, in a cluster of flags */
	check_argv(ARGV("lxc-start\0-nweb4"), RUNTIME_LXC, "web4");
	check_argv(ARGV("lxc-start\0-dFn\0web5"), RUNTIME_LXC, "web5");
	check_argv(ARGV("lxc-start\0-dnweb6\0-P\0/p"), RUNTIME_LXC, "web6");
	check_argv(ARGV("lxc-attach\0-nweb7\0--\0sh"), RUNTIME_LXC, "web7");
	/* the last one given counts */
	check_argv(ARGV("lxc-start\0-n\0old\0--name\0web8"), RUNTIME_LXC, "web8");
	/* lxc-start and lxc-execute name by their first operand when no option does */
	check_argv(ARGV("lxc-start\0web9"), RUNTIME_LXC, "web9");
	check_argv(ARGV("lxc-start\0-P\0/var/lib/lxc\0-f\0/c.conf\0-d\0web10\0--\0/bin/sh\0-c\0x"), RUNTIME_LXC,
		   "web10");
	check_argv(ARGV("/usr/bin/lxc-execute\0-s\0lxc.uts.name=u\0--rcfile\0/c.conf\0-u\0" "1000\0-g\0" "1000\0"
			"--logfile=/l\0-l\0DEBUG\0web11\0--\0true"),
		   RUNTIME_LXC, "web11");
	check_argv(ARGV("lxc-start\0-p\0/run/w.pid\0-c\0/dev/tty1\0-L\0/log\0--share-net\0other\0-o\0/o\0"
			"--lxcpath\0/p\0--console-log\0/c\0web12"),
		   RUNTIME_LXC, "web12");
	check_argv(ARGV("lxc-start\0web13\0-n\0web14"), RUNTIME_LXC, "web14");
	check_argv(ARGV("lxc-start\0-d\0web15\0other"), RUNTIME_LXC, "web15");
	/* what comes after "--" is the command, not a name */
	check_argv(ARGV("lxc-execute\0-P\0/p\0--\0/bin/true"), RUNTIME_LXC, "");
	/* lxc-unshare takes no name; the other tools' options differ (lxc-info's -s is a flag, not
	 * lxc-start's --define): their operands are not read for one */
	check_argv(ARGV("lxc-unshare\0-s\0PID|MOUNT\0--\0sh"), RUNTIME_LXC, "");
	check_argv(ARGV("lxc-unshare\0-s\0PID\0/bin/sh"), RUNTIME_LXC, "");
	check_argv(ARGV("lxc-info\0-s\0web16"), RUNTIME_LXC, "");
	/* an option's value missing at the end */
	check_argv(ARGV("lxc-start\0-n"), RUNTIME_LXC, "");
	check_argv(ARGV("lxc-start\0-P"), RUNTIME_LXC, "");
	check_argv(ARGV("lxc-start\0--name"), RUNTIME_LXC, "");
}

static void test_managers(void)
{
	char args[256];
	int len;

	len = snprintf(args, sizeof(args), "/usr/bin/containerd-shim-runc-v2%c-namespace%cmoby%c-id%c%s%c-address%c/s",
		       0, 0, 0, 0, hex_id, 0, 0);
	check_argv(args, len + 1, RUNTIME_DOCKER, hex_id);
	check_argv(ARGV("containerd-shim-runc-v2\0-namespace\0k8s.io\0-id\0sandbox1\0-address\0/s"), RUNTIME_CONTAINERD,
		   "sandbox1");
	check_argv(ARGV("containerd-shim-runc-v2\0--namespace=moby\0--id=x1"), RUNTIME_DOCKER, "x1");
	check_argv(ARGV("containerd-shim-runc-v2\0-namespace\0mobyX\0-id\0x2"), RUNTIME_CONTAINERD, "x2");
	check_argv(ARGV("/usr/bin/dockerd\0-H\0unix:///d.sock"), RUNTIME_DOCKER, "");
	check_argv(ARGV("containerd\0--config\0/c.toml"), RUNTIME_CONTAINERD, "");
	check_argv(ARGV("/usr/bin/conmon\0--api-version\0" "1\0-c\0p1\0-n\0web\0--exit-command\0/usr/bin/podman\0"
			"--exit-command-arg\0--root"),
		   RUNTIME_PODMAN, "p1");
	check_argv(ARGV("/usr/bin/conmon\0-c\0o1\0-n\0k8s_podman-like-name\0--exit-dir\0/var/run/crio/exits"),
		   RUNTIME_CRIO, "o1");
	check_argv(ARGV("conmon\0--cid=o2\0--exit-command=/opt/podman/bin/podman"), RUNTIME_PODMAN, "o2");
	check_argv(ARGV("podman\0run\0busybox"), RUNTIME_PODMAN, "");
	check_argv(ARGV("/usr/bin/crio"), RUNTIME_CRIO, "");
	check_argv(ARGV("systemd-nspawn\0-D\0/srv/m\0-M\0m1"), RUNTIME_NSPAWN, "m1");
	check_argv(ARGV("/usr/bin/systemd-nspawn\0--machine=m2\0-b"), RUNTIME_NSPAWN, "m2");
	check_argv(ARGV("unshare\0-fp\0--mount-proc\0sh"), RUNTIME_UNSHARE, "");
}

static void test_argv_bad_input(void)
{
	/* no ID after the command */
	check_argv(ARGV("runc\0run"), RUNTIME_RUNC, "");
	check_argv(ARGV("sh\0-c\0runc run x"), RUNTIME_UNKNOWN, "");
	check_argv(ARGV("runcx\0run\0x"), RUNTIME_UNKNOWN, "");
	check_argv("", 0, RUNTIME_UNKNOWN, "");
	check_argv(ARGV("\0\0\0"), RUNTIME_UNKNOWN, "");
	/* cut inside the ID: the kernel ends every argument with a NUL, this one has none */
	check_argv("runc\0run\0abcd", 13, RUNTIME_RUNC, "");
	check_argv("runc", 4, RUNTIME_UNKNOWN, "");
	/* an ID longer than any runtime's is cut to fit, still terminated */
	{
		char args[300] = "runc\0run\0";
		struct runtime_hint hint;

		memset(args + 9, 'x', 200);
		args[209] = '\0';
		runtime_hint_from_argv(args, 210, &hint);
		ASSERT_EQ(strlen(hint.id), RUNTIME_ID_LEN - 1, "long ID cut to fit");
	}
	ASSERT_STREQ(runtime_name(RUNTIME_COUNT), "unknown", "out-of-range runtime");
}

static void test_cgroup(void)
{
	char text[1024];

	snprintf(text, sizeof(text), "0::/system.slice/docker-%s.scope\n", hex_id);
	check_cgroup(text, true, RUNTIME_DOCKER, hex_id);
	snprintf(text, sizeof(text), "12:pids:/docker/%s\n11:cpu,cpuacct:/docker/%s\n", hex_id, hex_id);
	check_cgroup(text, true, RUNTIME_DOCKER, hex_id);
	snprintf(text, sizeof(text), "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-%s.scope\n", hex_id);
	check_cgroup(text, true, RUNTIME_CONTAINERD, hex_id);
	snprintf(text, sizeof(text), "0::/kubepods.slice/crio-%s.scope\n", hex_id);
	check_cgroup(text, true, RUNTIME_CRIO, hex_id);
	snprintf(text, sizeof(text), "0::/machine.slice/libpod-%s.scope/container\n", hex_id);
	check_cgroup(text, true, RUNTIME_PODMAN, hex_id);
	snprintf(text, sizeof(text), "1:name=systemd:/libpod_parent/libpod/%s\n", hex_id);
	check_cgroup(text, true, RUNTIME_PODMAN, hex_id);
	snprintf(text, sizeof(text), "8:pids:/libpod_parent/libpod-%s\n", hex_id);
	check_cgroup(text, true, RUNTIME_PODMAN, hex_id);
	check_cgroup("0::/lxc.payload.web1\n", true, RUNTIME_LXC, "web1");
	check_cgroup("0::/lxc.payload.web1/init.scope\n", true, RUNTIME_LXC, "web1");
	check_cgroup("4:memory:/lxc/web2\n", true, RUNTIME_LXC, "web2");
	check_cgroup("0::/machine.slice/systemd-nspawn@m1.service/payload\n", true, RUNTIME_NSPAWN, "m1");
	/* docker in docker: the innermost names the process's container */
	snprintf(text, sizeof(text), "0::/docker/%s/docker/%.63s1\n", hex_id, hex_id);
	check_cgroup(text, true, RUNTIME_DOCKER, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde1");
	/* the first line that names a container wins over later ones */
	snprintf(text, sizeof(text), "0::/user.slice\n3:cpu:/lxc/web3\n2:pids:/docker/%s\n", hex_id);
	check_cgroup(text, true, RUNTIME_LXC, "web3");
}

static void test_cgroup_bad_input(void)
{
	char text[1024];

	check_cgroup("", false, RUNTIME_UNKNOWN, "");
	check_cgroup("0::/\n", false, RUNTIME_UNKNOWN, "");
	check_cgroup("0::/user.slice/user-0.slice/session-1.scope\n", false, RUNTIME_UNKNOWN, "");
	check_cgroup("garbage\n::\n:\n\n\n", false, RUNTIME_UNKNOWN, "");
	/* the path holds a colon: only the first two separate fields */
	check_cgroup("0::/odd:path/lxc/web4\n", true, RUNTIME_LXC, "web4");
	check_cgroup("0:lxc:/docker\n", false, RUNTIME_UNKNOWN, "");
	/* an ID that is not 64 hex digits */
	check_cgroup("0::/docker/0123456789ABCDEF\n", false, RUNTIME_UNKNOWN, "");
	snprintf(text, sizeof(text), "0::/docker/%.40s\n", hex_id);
	check_cgroup(text, false, RUNTIME_UNKNOWN, "");
	snprintf(text, sizeof(text), "0::/system.slice/docker-%.60s\n", hex_id);
	check_cgroup(text, false, RUNTIME_UNKNOWN, "");
	snprintf(text, sizeof(text), "0::/docker-%s.scopeX\n", hex_id);
	check_cgroup(text, false, RUNTIME_UNKNOWN, "");
	check_cgroup("0::/lxc.payload.\n", false, RUNTIME_UNKNOWN, "");
	check_cgroup("0::/lxc/\n", false, RUNTIME_UNKNOWN, "");
	check_cgroup("0::/systemd-nspawn@.service\n", false, RUNTIME_UNKNOWN, "");
	/* a line cut before its path, then a good one */
	snprintf(text, sizeof(text), "7:cpu\n0::/docker/%s\n", hex_id);
	check_cgroup(text, true, RUNTIME_DOCKER, hex_id);
	/* text that stops mid-line is read as far as it goes */
	{
		struct runtime_hint hint;

		snprintf(text, sizeof(text), "0::/docker/%s\n", hex_id);
		ASSERT_TRUE(!runtime_hint_from_cgroup(text, 30, &hint), "cut inside the ID");
		ASSERT_STREQ(hint.id, "", "no ID from a cut one");
	}
}

static void test_init_shims(void)
{
	static const char *const shims[] = { "/sbin/docker-init", "/usr/bin/tini", "tini-static",
					     "/usr/libexec/podman/catatonit", "/usr/bin/dumb-init" };
	static const char *const others[] = { "/bin/sh", "/sbin/init", "/usr/bin/tinix", "/docker-init/sh", "", "/" };

	for (size_t i = 0; i < sizeof(shims) / sizeof(shims[0]); i++)
		if (!runtime_init_shim(shims[i], strlen(shims[i]) + 1))
			FAIL_AT("%s is an init shim", shims[i]);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (runtime_init_shim(others[i], strlen(others[i]) + 1))
			FAIL_AT("%s is no init shim", others[i]);
	/* a file name that fills its buffer has no NUL */
	ASSERT_TRUE(runtime_init_shim("/sbin/tini", 10), "unterminated, whole buffer");
	ASSERT_TRUE(!runtime_init_shim("/sbin/tini", 9), "cut short: tin");
}

static void check_create(const char *args, size_t len, bool is_create, const char *id, const char *bundle)
{
	struct runtime_bundle c;

	memset(&c, 0x5a, sizeof(c));
	if (!ASSERT_EQ(runtime_bundle_from_argv(args, len, &c), is_create, "a create or run"))
		return;
	if (!is_create)
		return;
	ASSERT_STREQ(c.id, id, "container ID");
	if (!bundle) {
		ASSERT_TRUE(c.path == NULL, "no --bundle: the working directory");
		return;
	}
	if (ASSERT_TRUE(c.path != NULL, "a --bundle"))
		ASSERT_EQ(c.path_len == strlen(bundle) && !memcmp(c.path, bundle, c.path_len), 1,
			  "the bundle as given");
}

static void test_oci_create(void)
{
	/* as containerd's shim runs it for docker */
	check_create(ARGV("runc\0--root\0/run/containerd/runc/moby\0--log\0/b/log.json\0--log-format\0json\0create\0"
			  "--bundle\0/run/containerd/io.containerd.runtime.v2.task/moby/c1\0--pid-file\0/b/init.pid\0c1"),
		     true, "c1", "/run/containerd/io.containerd.runtime.v2.task/moby/c1");
	check_create(ARGV("/usr/sbin/runc\0run\0-d\0-b\0rel/b\0c2"), true, "c2", "rel/b");
	check_create(ARGV("runc\0run\0--bundle=/b3\0c3"), true, "c3", "/b3");
	check_create(ARGV("runc\0run\0c4"), true, "c4", NULL);
	check_create(ARGV("crun\0create\0-f\0/b/alt.json\0--bundle\0/b5\0c5"), true, "c5", "/b5");
	check_create(ARGV("/usr/bin/crun\0--root\0/run/crun\0run\0c6"), true, "c6", NULL);
	/* a global option's value is not the command */
	check_create(ARGV("runc\0--root\0create\0start\0c7"), false, NULL, NULL);
	check_create(ARGV("runc\0start\0c8"), false, NULL, NULL);
	check_create(ARGV("runc\0exec\0c9\0sh"), false, NULL, NULL);
	check_create(ARGV("runc\0init"), false, NULL, NULL);
	check_create(ARGV("runc\0create"), false, NULL, NULL);
	check_create(ARGV("runc\0create\0--bundle\0/b"), false, NULL, NULL);
	/* argv[0] is what it says; what the executable really is is checked when the bundle is read */
	check_create(ARGV("/tmp/runc\0run\0x"), true, "x", NULL);
	check_create(ARGV("runcx\0run\0x"), false, NULL, NULL);
	check_create(ARGV("docker\0run\0x"), false, NULL, NULL);
	/* a shim runs in the bundle of the container it serves */
	check_create(ARGV("/usr/bin/containerd-shim-runc-v2\0-namespace\0moby\0-id\0abc\0-address\0/c.sock"), true,
		     "abc", NULL);
	check_create(ARGV("containerd-shim-runc-v2\0-namespace\0k8s.io\0-address\0/c.sock"), false, NULL, NULL);
	ASSERT_TRUE(runtime_bundle_holder("/usr/bin/containerd-shim-runc-v2", 32), "shim holds a bundle");
	ASSERT_TRUE(runtime_bundle_holder("/usr/sbin/runc", 14), "runc holds a bundle");
	ASSERT_TRUE(!runtime_bundle_holder("/usr/bin/containerd", 19), "containerd holds none");
	check_create("", 0, false, NULL, NULL);
	/* cut short: the last argument has no NUL and names nothing */
	check_create("runc\0run\0abc", 11, false, NULL, NULL);
	ASSERT_TRUE(runtime_oci_binary("/usr/sbin/runc", 14), "runc");
	ASSERT_TRUE(runtime_oci_binary("/usr/bin/crun", 13), "crun");
	ASSERT_TRUE(!runtime_oci_binary("/usr/bin/runc-wrapper", 21), "not runc-wrapper");
	ASSERT_TRUE(!runtime_oci_binary("/memfd:runc_cloned:/proc/self/exe (deleted)", 43), "not the cloned runc init");
}

int main(void)
{
	SUBTEST("argv: runc and crun", test_runc());
	SUBTEST("argv: lxc's names", test_lxc());
	SUBTEST("argv: shims, managers, nspawn, unshare", test_managers());
	SUBTEST("argv: bad input", test_argv_bad_input());
	SUBTEST("init shims by file name", test_init_shims());
	SUBTEST("argv: the bundle of OCI runtimes create and run, and of shims", test_oci_create());
	SUBTEST("cgroup paths of each runtime", test_cgroup());
	SUBTEST("cgroup: bad input", test_cgroup_bad_input());
	return test_summary();
}
