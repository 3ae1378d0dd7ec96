// SPDX-License-Identifier: GPL-2.0-or-later
/* Where the cgroup v2 tree is mounted, through libcgroup: the daemon's only use of it. */
#include "cgroup.h"

#include <errno.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/vfs.h>

#include "log.h"
#include "util.h"

/* libcgroup's ECG* codes to a negative errno. */
static int cg_errno(int r)
{
	if (r == 0)
		return 0;
	if (r == ECGOTHER) {
		int e = cgroup_get_last_errno();

		return e > 0 ? -e : -EIO;
	}
	return r == ECGROUPNOTMOUNTED || r == ECGROUPSUBSYSNOTMOUNTED ? -ENOENT : -EIO;
}

int hp_cgroup_find_root(char **ret)
{
	_cleanup_(freep) char *mnt = NULL;
	struct statfs sfs;
	int r;

	r = cgroup_init();
	if (r)
		return log_error_errno(cg_errno(r), "libcgroup: cannot scan cgroup mounts (%s)",
				       cgroup_strerror(r));
	r = cgroup_get_subsys_mount_point("memory", &mnt);
	if (r)
		return log_error_errno(cg_errno(r), "libcgroup: no mount of the memory controller (%s)",
				       cgroup_strerror(r));
	if (statfs(mnt, &sfs) < 0)
		return log_error_errno(-errno, "%s: cannot statfs", mnt);
	if (sfs.f_type != CGROUP2_SUPER_MAGIC) {
		log_error("%s: the memory controller is on cgroup v1 (hybrid or legacy layout); "
			  "hugepaged needs it on the unified (v2) hierarchy", mnt);
		return -ENOMEDIUM;
	}
	*ret = TAKE_PTR(mnt);
	return 0;
}
