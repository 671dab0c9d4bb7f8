// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The /proc/PID/cgroup parser that names a container's runtime and ID. */
#include <stdint.h>
#include <string.h>
#include "runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct runtime_hint hint;
	bool found = runtime_hint_from_cgroup((const char *)data, size, &hint);

	/* a match names a runtime and a terminated ID; no match leaves nothing behind */
	if (!memchr(hint.id, '\0', sizeof(hint.id)) || hint.runtime >= RUNTIME_COUNT ||
	    found != (hint.runtime != RUNTIME_UNKNOWN) || (!found && hint.id[0]))
		__builtin_trap();
	return 0;
}
