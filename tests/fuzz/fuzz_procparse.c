// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The parsers of /proc text nstrace reads: the first byte picks
 * /proc/PID/status (names, pids and the ids files are opened as), a
 * /proc/PID/ns/ link target, the NUL-separated /proc/PID/cmdline that
 * runtimes are recognised by, /proc/PID/stat, the credential lines of
 * status, or a decimal file such as loginuid; the rest is the text.
 */
#include <stdint.h>
#include <string.h>
#include "procparse.h"
#include "runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;
	struct runtime_hint hint;
	struct nstrace_creds creds;
	struct snap_process p;
	__u64 ticks;
	struct proc_fs_access access;
	__u32 value;

	if (!size)
		return 0;
	switch (data[0] % 6) {
	case 0:
		memset(&p, 0, sizeof(p));
		if (!parse_status(text, size - 1, &p) &&
		    (!p.nspid_levels || p.nspid_levels > NSTRACE_MAX_PID_LEVELS || p.comm[sizeof(p.comm) - 1]))
			__builtin_trap();
		/* the same file says whom a runtime's bundle is opened as */
		if (!parse_status_fs_access(text, size - 1, &access) && access.group_count > PROC_FS_ACCESS_MAX_GROUPS)
			__builtin_trap();
		break;
	case 1:
		parse_ns_link(text, size - 1);
		break;
	case 2:
		runtime_hint_from_argv(text, size - 1, &hint);
		if (hint.runtime >= RUNTIME_COUNT || !memchr(hint.id, '\0', sizeof(hint.id)))
			__builtin_trap();
		break;
	case 3:
		/* a number was read, or nothing: a parse that claims success read digits */
		if (!parse_stat_start(text, size - 1, &ticks) && !memchr(text, ')', size - 1))
			__builtin_trap();
		break;
	case 4:
		memset(&creds, 0, sizeof(creds));
		if (!parse_status_creds(text, size - 1, &creds) && !(creds.flags & NSTRACE_CREDS_READ))
			__builtin_trap();
		break;
	case 5:
		parse_decimal_u32(text, size - 1, &value);
		break;
	}
	return 0;
}
