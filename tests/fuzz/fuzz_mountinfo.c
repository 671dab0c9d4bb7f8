// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * /proc/PID/mountinfo text as a container could shape it (mount points
 * are its own to name): every line parsed, then the mounts that expose
 * the host, against a host whose / is the device the first two bytes name.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "mountinfo.h"

static void check_finding(void *ctx, enum mount_exposure kind, const struct mount_entry *m)
{
	(void)ctx;
	if ((unsigned)kind >= MOUNT_EXPOSURE_COUNT || !memchr(m->mount_point, '\0', sizeof(m->mount_point)) ||
	    !memchr(m->root, '\0', sizeof(m->root)) || !memchr(m->fstype, '\0', sizeof(m->fstype)))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mount_host host;
	__u32 major, minor;
	int found;

	if (size < 2)
		return 0;
	host.root_major = data[0];
	host.root_minor = data[1];
	found = mountinfo_exposures((const char *)data + 2, size - 2, &host, check_finding, NULL);
	if ((found < 0 && found != -EINVAL) || found > (int)size)
		__builtin_trap();
	mountinfo_root_device((const char *)data + 2, size - 2, &major, &minor);
	return 0;
}
