// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * /proc/PID/uid_map and gid_map text, then what nstrace derives from the
 * map: the first byte picks how many extents there is room for, so maps
 * longer than the room are exercised too; the next four are an id to map.
 */
#include <stdint.h>
#include <string.h>
#include "creds.h"
#include "procparse.h"

#define ROOM 340

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nstrace_idmap_extent ext[ROOM];
	size_t max, n = 0, stored;
	__u32 id, inner;

	if (size < 5)
		return 0;
	max = data[0] % (ROOM + 1);
	memcpy(&id, data + 1, sizeof(id));
	if (parse_idmap((const char *)data + 5, size - 5, ext, max, &n))
		return 0;
	stored = n < max ? n : max;
	for (size_t i = 0; i < stored; i++)
		if (!ext[i].count || (__u64)ext[i].first + ext[i].count > 0xffffffffULL ||
		    (__u64)ext[i].lower_first + ext[i].count > 0xffffffffULL)
			__builtin_trap();
	if (idmap_to_inner(ext, stored, id, &inner)) {
		bool in_some = false;

		for (size_t i = 0; i < stored; i++)
			in_some |= inner >= ext[i].first && inner - ext[i].first < ext[i].count;
		if (!in_some)
			__builtin_trap();
	}
	idmap_is_identity(ext, stored);
	return 0;
}
