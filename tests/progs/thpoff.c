// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * thpoff PROGRAM [ARG...]: runs PROGRAM with transparent huge pages
 * disabled for it and its children (prctl(PR_SET_THP_DISABLE), kept across
 * execve), which is what systemd's MemoryTHP=disable does for a service;
 * systemd 252 in the test guest has no such setting.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	if (argc < 2) {
		fprintf(stderr, "usage: thpoff PROGRAM [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "thpoff: prctl(PR_SET_THP_DISABLE): %s\n", strerror(errno));
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "thpoff: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
