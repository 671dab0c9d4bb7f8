// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Mounts that let a container reach the host, from /proc/PID/mountinfo. */
#include <errno.h>
#include "testing.h"
#include "mountinfo.h"

#define TEXT(s) s, sizeof(s) - 1

/* The host's / is 254:0 (ext4 on /dev/vda). */
static const struct mount_host host = { .root_major = 254, .root_minor = 0 };

#define DOCKER_COMMON                                                                                       \
	"1200 1100 0:90 / / rw,relatime master:300 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n" \
	"1201 1200 0:93 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"                             \
	"1202 1200 0:94 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n"                             \
	"1203 1202 0:95 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620\n"             \
	"1210 1202 0:92 / /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw\n"                   \
	"1212 1200 254:0 /var/lib/docker/containers/abc/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda rw\n" \
	"1214 1200 254:0 /var/lib/docker/containers/abc/hosts /etc/hosts rw,relatime - ext4 /dev/vda rw\n"

/* docker run with the defaults: sysfs and cgroups read-only, /proc/sys covered read-only. */
static const char docker_default[] = DOCKER_COMMON
	"1204 1200 0:96 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro\n"
	"1205 1204 0:97 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755\n"
	"1206 1205 0:29 /docker/abc /sys/fs/cgroup/cpu ro,nosuid,nodev,noexec,relatime master:11 - cgroup cgroup rw,cpu\n"
	"1101 1201 0:93 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
	"1104 1201 0:93 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
	"1105 1201 0:93 /sysrq-trigger /proc/sysrq-trigger ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
	"1107 1201 0:94 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n";

/* --privileged (or every capability): sysfs and cgroups writable, nothing over /proc/sys. */
static const char docker_privileged[] = DOCKER_COMMON
	"1204 1200 0:96 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw\n"
	"1205 1204 0:97 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755\n"
	"1206 1205 0:29 /docker/abc /sys/fs/cgroup/cpu rw,nosuid,nodev,noexec,relatime master:11 - cgroup cgroup rw,cpu\n";

struct found {
	int count[MOUNT_EXPOSURE_COUNT];
	char last_point[MOUNT_EXPOSURE_COUNT][MOUNT_PATH_LEN];
	bool last_read_only[MOUNT_EXPOSURE_COUNT];
};

static void collect(void *ctx, enum mount_exposure kind, const struct mount_entry *m)
{
	struct found *f = ctx;

	f->count[kind]++;
	memcpy(f->last_point[kind], m->mount_point, sizeof(m->mount_point));
	f->last_read_only[kind] = m->read_only;
}

static int scan(const char *text, size_t len, struct found *f)
{
	memset(f, 0, sizeof(*f));
	return mountinfo_exposures(text, len, &host, collect, f);
}

static void parse_line(void)
{
	struct mount_entry m;

	ASSERT_EQ(mountinfo_parse_line(TEXT("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"),
				       &m),
		  0, "the example of proc(5)");
	ASSERT_TRUE(m.id == 36 && m.parent == 35 && m.major == 98 && m.minor == 0, "numbers");
	ASSERT_STREQ(m.root, "/mnt1", "root");
	ASSERT_STREQ(m.mount_point, "/mnt2", "mount point");
	ASSERT_STREQ(m.fstype, "ext3", "fstype");
	ASSERT_TRUE(!m.read_only, "rw");
	ASSERT_EQ(mountinfo_parse_line(TEXT("1 0 0:1 / /a\\040b\\134c ro,relatime shared:1 master:2 - tmpfs x ro"), &m),
		  0, "escapes and two optional fields");
	ASSERT_STREQ(m.mount_point, "/a b\\c", "unescaped");
	ASSERT_TRUE(m.read_only, "ro");
	ASSERT_EQ(mountinfo_parse_line(TEXT("1 0 0:1 / /a rw - tmpfs"), &m), 0, "no source or super options");
	ASSERT_EQ(mountinfo_parse_line(TEXT("1 0 0:1 / /a rw tmpfs x rw"), &m), -EINVAL, "no separator");
	ASSERT_EQ(mountinfo_parse_line(TEXT("1 0 0:1 / /a rw -"), &m), -EINVAL, "nothing after the separator");
	ASSERT_EQ(mountinfo_parse_line(TEXT("1 0 01 / /a rw - tmpfs x rw"), &m), -EINVAL, "device without a colon");
	ASSERT_EQ(mountinfo_parse_line(TEXT("1 0 0:1x / /a rw - tmpfs x rw"), &m), -EINVAL, "junk after the minor");
	ASSERT_EQ(mountinfo_parse_line(TEXT("x 0 0:1 / /a rw - tmpfs x rw"), &m), -EINVAL, "id not a number");
	ASSERT_EQ(mountinfo_parse_line(TEXT("4294967296 0 0:1 / /a rw - tmpfs x rw"), &m), -EINVAL, "id past 32 bits");
	ASSERT_EQ(mountinfo_parse_line(TEXT("1 0 0:1 / /a\\04 rw - tmpfs x rw"), &m), -EINVAL, "cut escape");
	ASSERT_EQ(mountinfo_parse_line(TEXT("1 0 0:1 / /a\\000 rw - tmpfs x rw"), &m), -EINVAL, "escaped NUL");
	ASSERT_EQ(mountinfo_parse_line(TEXT("1 0 0:1 / /a\\999 rw - tmpfs x rw"), &m), -EINVAL, "not octal");
	ASSERT_EQ(mountinfo_parse_line(TEXT("1 0 0:1 / /a rw - aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa x rw"), &m),
		  -EINVAL, "fstype longer than any");
	ASSERT_EQ(mountinfo_parse_line(TEXT(""), &m), -EINVAL, "empty");
}

static void long_paths(void)
{
	char line[2 * MOUNT_PATH_LEN + 64];
	struct mount_entry m;
	int n;

	n = snprintf(line, sizeof(line), "1 0 0:1 / /%0*d rw - tmpfs x rw", MOUNT_PATH_LEN + 10, 0);
	ASSERT_EQ(mountinfo_parse_line(line, n, &m), 0, "a mount point longer than kept");
	ASSERT_TRUE(m.path_cut, "marked cut");
	ASSERT_EQ(strlen(m.mount_point), MOUNT_PATH_LEN - 1, "cut to the buffer");
}

static void defaults_expose_nothing(void)
{
	struct found f;

	ASSERT_EQ(scan(TEXT(docker_default), &f), 0, "docker's defaults");
}

static void privileged_exposes(void)
{
	struct found f;

	ASSERT_EQ(scan(TEXT(docker_privileged), &f), 3, "privileged docker");
	ASSERT_EQ(f.count[MOUNT_PROC_WRITABLE], 1, "/proc/sys not covered");
	ASSERT_STREQ(f.last_point[MOUNT_PROC_WRITABLE], "/proc", "at /proc");
	ASSERT_EQ(f.count[MOUNT_SYS_WRITABLE], 1, "sysfs rw");
	ASSERT_EQ(f.count[MOUNT_CGROUP_WRITABLE], 1, "cgroup rw");
}

static void runtime_sockets(void)
{
	static const char text[] = DOCKER_COMMON
		"1300 1200 0:25 /docker.sock /var/run/docker.sock rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw\n"
		"1301 1200 254:0 /srv/d/containerd.sock /c.sock ro,relatime - ext4 /dev/vda rw\n"
		"1302 1200 254:0 /srv/d/docker.sock.bak /x rw,relatime - ext4 /dev/vda rw\n"
		"1104 1201 0:93 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw\n";
	struct found f;

	ASSERT_EQ(scan(TEXT(text), &f), 2, "two sockets, a look-alike file");
	ASSERT_EQ(f.count[MOUNT_RUNTIME_SOCKET], 2, "docker.sock by mount point, containerd.sock by root");
	ASSERT_TRUE(f.last_read_only[MOUNT_RUNTIME_SOCKET], "a read-only bind is still a socket one can write to");
}

static void host_root_and_devices(void)
{
	static const char text[] = DOCKER_COMMON
		"1104 1201 0:93 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
		"1400 1200 254:0 / /host rw,relatime - ext4 /dev/vda rw\n"
		"1401 1200 254:0 / /host-ro ro,relatime - ext4 /dev/vda rw\n"
		"1402 1200 254:1 / /other-disk rw,relatime - ext4 /dev/vdb rw\n"
		"1403 1200 0:6 / /dev-host rw,relatime - devtmpfs devtmpfs rw\n";
	struct found f;

	ASSERT_EQ(scan(TEXT(text), &f), 3, "host root twice, devtmpfs once");
	ASSERT_EQ(f.count[MOUNT_HOST_ROOT], 2, "host root rw and ro");
	ASSERT_TRUE(f.last_read_only[MOUNT_HOST_ROOT], "the ro one last");
	ASSERT_EQ(f.count[MOUNT_DEVICES], 1, "devtmpfs");
}

static void proc_cover_belongs_to_its_proc(void)
{
	/* a second proc whose /sys nobody covered: the first one's cover does not count for it */
	static const char text[] = DOCKER_COMMON
		"1104 1201 0:93 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
		"1500 1200 0:99 / /mnt/proc rw,relatime - proc proc rw\n";
	struct found f;

	ASSERT_EQ(scan(TEXT(text), &f), 1, "one writable proc");
	ASSERT_STREQ(f.last_point[MOUNT_PROC_WRITABLE], "/mnt/proc", "the uncovered one");
}

static void malformed(void)
{
	static const char text[] = "1 0 0:1 / /proc rw - proc proc rw\nnot a line\n";
	struct found f;

	ASSERT_EQ(scan(TEXT(text), &f), -EINVAL, "a bad line");
	ASSERT_EQ(f.count[MOUNT_PROC_WRITABLE], 1, "the line before it was seen");
}

static void root_device(void)
{
	static const char text[] = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
				   "22 27 0:21 / /proc rw,relatime - proc proc rw\n";
	__u32 major = 0, minor = 9;

	ASSERT_EQ(mountinfo_root_device(TEXT(text), &major, &minor), 0, "host mountinfo");
	ASSERT_TRUE(major == 254 && minor == 0, "254:0");
	ASSERT_EQ(mountinfo_root_device(TEXT("22 27 0:21 / /proc rw,relatime - proc proc rw\n"), &major, &minor),
		  -ENOENT, "no / mount");
	ASSERT_STREQ(mount_exposure_name(MOUNT_RUNTIME_SOCKET), "runtime_socket", "name");
	ASSERT_STREQ(mount_exposure_name(MOUNT_EXPOSURE_COUNT), "unknown", "past the table");
}

static void collect_for_records(void)
{
	struct mount_exposures m = { .pid = 7, .flags = MOUNT_EXPOSURES_READ };
	const char *why = NULL;
	char text[64 * 40];
	size_t len = 0;

	ASSERT_EQ(mountinfo_collect(TEXT(docker_privileged), &host, &m), 0, "privileged docker");
	ASSERT_EQ(m.total, 3, "three");
	ASSERT_EQ(m.item[0].kind, MOUNT_PROC_WRITABLE, "proc first, in table order");
	ASSERT_STREQ(m.item[2].mount_point, "/sys/fs/cgroup/cpu", "cgroup last");
	ASSERT_EQ(mount_exposures_check(&m, &why), 0, "well-formed");
	for (int i = 0; i < 20; i++)
		len += snprintf(text + len, sizeof(text) - len, "%d 1 0:6 / /d%d rw - devtmpfs x rw\n", i + 2, i);
	ASSERT_EQ(mountinfo_collect(text, len, &host, &m), 0, "twenty device mounts");
	ASSERT_EQ(m.total, 20, "all counted");
	ASSERT_STREQ(m.item[MOUNT_EXPOSURES_MAX - 1].mount_point, "/d15", "the first ones kept");
	ASSERT_EQ(mount_exposures_check(&m, &why), 0, "more found than kept is well-formed");
	m.item[3].kind = MOUNT_EXPOSURE_COUNT;
	ASSERT_EQ(mount_exposures_check(&m, &why), -EINVAL, "unknown kind");
	m.item[3].kind = MOUNT_DEVICES;
	memset(m.item[4].mount_point, 'a', sizeof(m.item[4].mount_point));
	ASSERT_EQ(mount_exposures_check(&m, &why), -EINVAL, "unterminated mount point");
	ASSERT_STREQ(why, "mount point without its end", "why");
}

int main(void)
{
	SUBTEST("mountinfo line parsing", parse_line());
	SUBTEST("paths longer than kept", long_paths());
	SUBTEST("docker defaults expose nothing", defaults_expose_nothing());
	SUBTEST("privileged docker exposes proc, sys and cgroups", privileged_exposes());
	SUBTEST("runtime sockets", runtime_sockets());
	SUBTEST("host root and device nodes", host_root_and_devices());
	SUBTEST("a /proc/sys cover belongs to its proc", proc_cover_belongs_to_its_proc());
	SUBTEST("malformed text", malformed());
	SUBTEST("root device", root_device());
	SUBTEST("collected for records", collect_for_records());
	return test_summary();
}
