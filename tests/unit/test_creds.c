// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Capability names, privilege, user namespace maps and the /proc credential lines. */
#include <errno.h>
#include "testing.h"
#include "creds.h"
#include "procparse.h"

#define CAP(n) (1ULL << (n))
/* This machine's bounding set: every capability up to 40 but CAP_SYS_RESOURCE (24). */
#define HOST_BOUNDING (((1ULL << 41) - 1) & ~CAP(24))

#define TEXT(s) s, sizeof(s) - 1

static struct nstrace_creds host_root(void)
{
	struct nstrace_creds c = { .flags = NSTRACE_CREDS_READ };

	c.cap_effective = c.cap_permitted = c.cap_bounding = HOST_BOUNDING;
	return c;
}

static void cap_names(void)
{
	ASSERT_STREQ(cap_name(0), "CAP_CHOWN", "bit 0");
	ASSERT_STREQ(cap_name(21), "CAP_SYS_ADMIN", "bit 21");
	ASSERT_STREQ(cap_name(24), "CAP_SYS_RESOURCE", "bit 24");
	ASSERT_STREQ(cap_name(38), "CAP_PERFMON", "bit 38");
	ASSERT_STREQ(cap_name(40), "CAP_CHECKPOINT_RESTORE", "the last one");
	ASSERT_TRUE(cap_name(41) == NULL, "a bit past the table");
	ASSERT_TRUE(cap_name(63) == NULL, "the top bit");
	for (unsigned int bit = 0; bit < CAP_NAMES_KNOWN; bit++)
		ASSERT_TRUE(cap_name(bit) && !strncmp(cap_name(bit), "CAP_", 4), "every known bit has a name");
}

static void caps_as_text(void)
{
	char buf[64];

	ASSERT_EQ(caps_text(0, HOST_BOUNDING, buf, sizeof(buf)), 4, "length");
	ASSERT_STREQ(buf, "none", "empty set");
	caps_text(HOST_BOUNDING, HOST_BOUNDING, buf, sizeof(buf));
	ASSERT_STREQ(buf, "all", "all the host has");
	caps_text(CAP(0) | CAP(21) | CAP(45), HOST_BOUNDING, buf, sizeof(buf));
	ASSERT_STREQ(buf, "chown,sys_admin,45", "names and an unknown bit");
	caps_text(HOST_BOUNDING, 0, buf, 12);
	ASSERT_STREQ(buf, "chown,dac_o", "cut to the buffer");
	ASSERT_EQ(caps_text(CAP(0), 0, buf, 0), 5, "only the length");
}

static void privileged(void)
{
	struct nstrace_creds c = host_root();

	ASSERT_TRUE(creds_privileged(&c, HOST_BOUNDING), "every capability the host has");
	c.cap_effective |= CAP(24);
	ASSERT_TRUE(creds_privileged(&c, HOST_BOUNDING), "more than the host has");
	c.cap_effective = HOST_BOUNDING & ~CAP(21);
	ASSERT_TRUE(!creds_privileged(&c, HOST_BOUNDING), "all but CAP_SYS_ADMIN");
	c.cap_effective = HOST_BOUNDING;
	/* a fixed list of 41 capabilities would call this machine's privileged containers unprivileged */
	ASSERT_TRUE(!creds_privileged(&c, (1ULL << 41) - 1), "against a host that has CAP_SYS_RESOURCE");
	c.userns_level = 1;
	ASSERT_TRUE(!creds_privileged(&c, HOST_BOUNDING), "in a user namespace of its own");
	/* docker 20.10's ALL stops at CAP_AUDIT_READ: CAP_SYS_ADMIN stands in for the three split off it */
	c = host_root();
	c.cap_effective = HOST_BOUNDING & ~(CAP(38) | CAP(39) | CAP(40));
	ASSERT_TRUE(creds_privileged(&c, HOST_BOUNDING), "all a runtime without perfmon, bpf, checkpoint_restore knows");
	c.cap_effective &= ~CAP(21);
	c.cap_effective |= CAP(38) | CAP(39);
	ASSERT_TRUE(!creds_privileged(&c, HOST_BOUNDING), "perfmon and bpf do not stand in for sys_admin");
	c = host_root();
	c.flags = 0;
	ASSERT_TRUE(!creds_privileged(&c, HOST_BOUNDING), "credentials not read");
	c = host_root();
	ASSERT_TRUE(!creds_privileged(&c, 0), "host bounding set unknown");
	c.cap_effective = 0;
	ASSERT_TRUE(!creds_privileged(&c, HOST_BOUNDING), "bounding set full, nothing effective");
}

static void gained(void)
{
	struct nstrace_creds before = { .flags = NSTRACE_CREDS_READ }, after = before;

	before.cap_effective = before.cap_permitted = CAP(0) | CAP(5);
	after.cap_effective = after.cap_permitted = CAP(0);
	ASSERT_EQ(creds_gained(&before, &after), 0, "dropping is no gain");
	after.cap_effective = after.cap_permitted = CAP(0) | CAP(5) | CAP(21);
	ASSERT_EQ(creds_gained(&before, &after), CAP(21), "setuid root binary");
	after.cap_effective = 0;
	after.cap_permitted = CAP(13);
	ASSERT_EQ(creds_gained(&before, &after), CAP(13), "a file capability, permitted only");
	before.cap_effective = before.cap_permitted = 0;
	before.cap_ambient = CAP(13);
	ASSERT_EQ(creds_gained(&before, &after), 0, "ambient ones come back on exec");
	after.flags = 0;
	ASSERT_EQ(creds_gained(&before, &after), 0, "unread credentials");
}

static void idmaps(void)
{
	struct nstrace_idmap_extent host[] = { { 0, 0, 4294967295u } };
	struct nstrace_idmap_extent rootless[] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
	struct nstrace_idmap_extent root_to_root[] = { { 0, 0, 1 } };
	__u32 inner = 7;

	ASSERT_TRUE(idmap_is_identity(host, 1), "the host's map");
	ASSERT_TRUE(idmap_is_identity(root_to_root, 1), "root to root");
	ASSERT_TRUE(!idmap_is_identity(rootless, 2), "root is 1000");
	ASSERT_TRUE(!idmap_is_identity(host, 0), "no map yet");
	ASSERT_TRUE(idmap_to_inner(rootless, 2, 1000, &inner) && inner == 0, "1000 is root inside");
	ASSERT_TRUE(idmap_to_inner(rootless, 2, 100000, &inner) && inner == 1, "first of the second range");
	ASSERT_TRUE(idmap_to_inner(rootless, 2, 165535, &inner) && inner == 65536, "last of the second range");
	ASSERT_TRUE(!idmap_to_inner(rootless, 2, 165536, &inner), "one past the range");
	ASSERT_TRUE(!idmap_to_inner(rootless, 2, 0, &inner), "host root is not mapped");
	ASSERT_TRUE(idmap_to_inner(host, 1, 4294967294u, &inner) && inner == 4294967294u, "the top of the host map");
}

static void rootless(void)
{
	struct nstrace_creds c = { .flags = NSTRACE_CREDS_READ };

	ASSERT_TRUE(!creds_rootless(&c), "the host's user namespace");
	c.userns_level = 1;
	c.uid_map.nr_extents = 1;
	c.uid_map.extent[0] = (struct nstrace_idmap_extent){ 0, 0, 1 };
	ASSERT_TRUE(!creds_rootless(&c), "unshare --map-root-user as root: root stays root");
	c.uid_map.extent[0] = (struct nstrace_idmap_extent){ 0, 1000, 1 };
	ASSERT_TRUE(creds_rootless(&c), "unshare --map-root-user as uid 1000");
	c.uid_map.nr_extents = 340;
	for (int i = 0; i < NSTRACE_IDMAP_EXTENTS; i++)
		c.uid_map.extent[i] = (struct nstrace_idmap_extent){ i * 10, i * 10, 10 };
	ASSERT_EQ(idmap_stored(&c.uid_map), NSTRACE_IDMAP_EXTENTS, "a long map keeps its first extents");
	ASSERT_TRUE(!creds_rootless(&c), "identity as far as stored");
	c.uid_map.nr_extents = 0;
	ASSERT_TRUE(creds_rootless(&c), "no map written yet: ids are the overflow id");
}

static void parse_maps(void)
{
	struct nstrace_idmap_extent ext[3];
	size_t n = 99;

	ASSERT_EQ(parse_idmap(TEXT("         0          0 4294967295\n"), ext, 3, &n), 0, "host map");
	ASSERT_EQ(n, 1, "one line");
	ASSERT_EQ(ext[0].count, 4294967295u, "its count");
	ASSERT_EQ(parse_idmap(TEXT("0 1000 1\n1 100000 65536\n"), ext, 3, &n), 0, "two lines");
	ASSERT_TRUE(n == 2 && ext[1].first == 1 && ext[1].lower_first == 100000 && ext[1].count == 65536,
		    "second line");
	ASSERT_EQ(parse_idmap(TEXT("0 1 1\n1 2 1\n2 3 1\n3 4 1\n"), ext, 3, &n), 0, "longer than the room");
	ASSERT_TRUE(n == 4 && ext[2].first == 2, "counted past the room, stored what fits");
	ASSERT_EQ(parse_idmap(TEXT(""), ext, 3, &n), 0, "empty: no map written yet");
	ASSERT_EQ(n, 0, "no lines");
	ASSERT_EQ(parse_idmap(TEXT("0 0\n"), ext, 3, &n), -EINVAL, "two numbers");
	ASSERT_EQ(parse_idmap(TEXT("0 0 1 1\n"), ext, 3, &n), -EINVAL, "four numbers");
	ASSERT_EQ(parse_idmap(TEXT("0 0 0\n"), ext, 3, &n), -EINVAL, "empty range");
	ASSERT_EQ(parse_idmap(TEXT("1 0 4294967295\n"), ext, 3, &n), -EINVAL, "range past 2^32");
	ASSERT_EQ(parse_idmap(TEXT("0 4294967295 2\n"), ext, 3, &n), -EINVAL, "lower range past 2^32");
	ASSERT_EQ(parse_idmap(TEXT("0 0 4294967296\n"), ext, 3, &n), -EINVAL, "count past 32 bits");
	ASSERT_EQ(parse_idmap(TEXT("-1 0 1\n"), ext, 3, &n), -EINVAL, "negative");
	ASSERT_EQ(parse_idmap(TEXT("0 0 1 \x1b[2J\n"), ext, 3, &n), -EINVAL, "trailing junk");
	ASSERT_EQ(parse_idmap(TEXT("0 0 1"), ext, 3, &n), 0, "last line without newline");
}

static const char status_docker[] =
	"Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nPid:\t4242\nPPid:\t4200\n"
	"Uid:\t1000\t1001\t1000\t1000\nGid:\t2000\t2001\t2000\t2000\n"
	"CapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\n"
	"CapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\n"
	"Seccomp_filters:\t1\n";

static void parse_status_lines(void)
{
	struct nstrace_creds c = { 0 };

	ASSERT_EQ(parse_status_creds(TEXT(status_docker), &c), 0, "docker's default set");
	ASSERT_TRUE(c.uid == 1000 && c.euid == 1001 && c.gid == 2000 && c.egid == 2001, "ids");
	ASSERT_EQ(c.cap_effective, 0xa80425fbULL, "CapEff");
	ASSERT_EQ(c.cap_bounding, 0xa80425fbULL, "CapBnd");
	ASSERT_EQ(c.cap_inheritable, 0, "CapInh");
	ASSERT_EQ(c.seccomp_mode, 2, "Seccomp");
	ASSERT_EQ(c.flags, NSTRACE_CREDS_READ | NSTRACE_CREDS_NO_NEW_PRIVS | NSTRACE_CREDS_SECCOMP, "flags");

	memset(&c, 0, sizeof(c));
	ASSERT_EQ(parse_status_creds(TEXT("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\n"
					  "CapEff:\t0\nCapBnd:\t000001fffeffffff\nCapAmb:\t0\n"),
				     &c),
		  0, "no NoNewPrivs or Seccomp lines (old kernels, no CONFIG_SECCOMP)");
	ASSERT_EQ(c.flags, NSTRACE_CREDS_READ, "only read");
	ASSERT_EQ(c.cap_bounding, 0x1fffeffffffULL, "this host's bounding set");

	ASSERT_EQ(parse_status_creds(TEXT("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\n"), &c), -EINVAL,
		  "cap lines missing");
	ASSERT_EQ(parse_status_creds(TEXT("Uid:\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\n"
					  "CapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n"),
				     &c),
		  -EINVAL, "a short Uid line");
	ASSERT_EQ(parse_status_creds(TEXT("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\n"
					  "CapEff:\t10000000000000000\nCapBnd:\t0\nCapAmb:\t0\n"),
				     &c),
		  -EINVAL, "a mask past 64 bits");
	ASSERT_EQ(parse_status_creds(TEXT("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\n"
					  "CapEff:\t0xff\nCapBnd:\t0\nCapAmb:\t0\n"),
				     &c),
		  -EINVAL, "a 0x prefix");
}

static void parse_decimal(void)
{
	__u32 v = 0;

	ASSERT_EQ(parse_decimal_u32(TEXT("4294967295"), &v), 0, "unset loginuid");
	ASSERT_EQ(v, 4294967295u, "its value");
	ASSERT_EQ(parse_decimal_u32(TEXT("1000\n"), &v), 0, "with a newline");
	ASSERT_EQ(v, 1000, "1000");
	ASSERT_EQ(parse_decimal_u32(TEXT("4294967296"), &v), -EINVAL, "past 32 bits");
	ASSERT_EQ(parse_decimal_u32(TEXT(""), &v), -EINVAL, "empty");
	ASSERT_EQ(parse_decimal_u32(TEXT("12 "), &v), -EINVAL, "trailing space");
}

int main(void)
{
	SUBTEST("capability names", cap_names());
	SUBTEST("capability sets as text", caps_as_text());
	SUBTEST("privileged against the host's bounding set", privileged());
	SUBTEST("capabilities gained on exec", gained());
	SUBTEST("uid map identity and translation", idmaps());
	SUBTEST("rootless", rootless());
	SUBTEST("uid_map parsing", parse_maps());
	SUBTEST("status credential lines", parse_status_lines());
	SUBTEST("decimal ids", parse_decimal());
	return test_summary();
}
