// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <ctype.h>
#include <stdio.h>
#include "creds.h"

/* include/uapi/linux/capability.h */
static const char *const cap_names[CAP_NAMES_KNOWN] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

const char *cap_name(unsigned int bit)
{
	return bit < CAP_NAMES_KNOWN ? cap_names[bit] : NULL;
}

int caps_text(__u64 set, __u64 all, char *buf, size_t size)
{
	size_t used = 0;
	int total = 0;

	if (size)
		buf[0] = '\0';
	if (!set)
		return snprintf(buf, size, "none");
	if (all && (set & all) == all)
		return snprintf(buf, size, "all");
	for (unsigned int bit = 0; bit < 64; bit++) {
		const char *name = cap_name(bit);
		char word[32];
		int n;

		if (!(set & (1ULL << bit)))
			continue;
		if (name) {
			size_t i;

			for (i = 0; name[i + 4] && i < sizeof(word) - 1; i++)
				word[i] = tolower((unsigned char)name[i + 4]);
			word[i] = '\0';
		} else {
			snprintf(word, sizeof(word), "%u", bit);
		}
		n = snprintf(buf + used, size > used ? size - used : 0, "%s%s", total ? "," : "", word);
		total += n;
		used = (size_t)total < size ? (size_t)total : (size ? size - 1 : 0);
	}
	return total;
}

/*
 * CAP_PERFMON, CAP_BPF (5.8) and CAP_CHECKPOINT_RESTORE (5.9) were split
 * off CAP_SYS_ADMIN, and the kernel still accepts CAP_SYS_ADMIN for each
 * (perfmon_capable(), bpf_capable(), checkpoint_restore_ns_capable()): a
 * runtime older than them gives all it knows and so, in effect, them too.
 */
#define CAP_SYS_ADMIN_BIT 21
#define CAPS_SPLIT_FROM_SYS_ADMIN ((1ULL << 38) | (1ULL << 39) | (1ULL << 40))

bool creds_privileged(const struct nstrace_creds *c, __u64 host_bounding)
{
	__u64 held = c->cap_effective;

	if (!(c->flags & NSTRACE_CREDS_READ) || c->userns_level || !host_bounding)
		return false;
	if (held & (1ULL << CAP_SYS_ADMIN_BIT))
		held |= CAPS_SPLIT_FROM_SYS_ADMIN;
	return (held & host_bounding) == host_bounding;
}

__u64 creds_gained(const struct nstrace_creds *before, const struct nstrace_creds *after)
{
	__u64 held = before->cap_effective | before->cap_permitted | before->cap_ambient;

	if (!(before->flags & after->flags & NSTRACE_CREDS_READ))
		return 0;
	return (after->cap_effective | after->cap_permitted) & ~held;
}

size_t idmap_stored(const struct nstrace_idmap *m)
{
	return m->nr_extents < NSTRACE_IDMAP_EXTENTS ? m->nr_extents : NSTRACE_IDMAP_EXTENTS;
}

bool idmap_is_identity(const struct nstrace_idmap_extent *ext, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ext[i].first != ext[i].lower_first)
			return false;
	return n > 0;
}

bool idmap_to_inner(const struct nstrace_idmap_extent *ext, size_t n, __u32 host_id, __u32 *inner)
{
	for (size_t i = 0; i < n; i++) {
		if (host_id >= ext[i].lower_first && (__u64)host_id < (__u64)ext[i].lower_first + ext[i].count) {
			*inner = ext[i].first + (host_id - ext[i].lower_first);
			return true;
		}
	}
	return false;
}

bool creds_rootless(const struct nstrace_creds *c)
{
	if (!(c->flags & NSTRACE_CREDS_READ) || !c->userns_level)
		return false;
	return !idmap_is_identity(c->uid_map.extent, idmap_stored(&c->uid_map));
}
