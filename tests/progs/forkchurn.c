// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * forkchurn: processes that come and go.  Keeps --procs children alive;
 * each maps --mib MiB of anonymous memory (2 MiB aligned), writes it once
 * and then reads it every 10 ms (hot memory for DAMON, which samples every
 * 5 ms, at little CPU; with a TLB flush per pass, see workload.h) until
 * its life of a random --life-ms/4 to --life-ms milliseconds ends, and
 * exits.  The parent starts a new child for each
 * one that exits, until it gets SIGTERM or SIGINT: then it kills its
 * children, reaps them and prints "forkchurn children N" (how many it
 * started).  With --ready FILE, it writes "forkchurn PID" into FILE once
 * its first children are started.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int child(unsigned long len, double life)
{
	volatile unsigned long sink = 0;
	double end = now() + life;
	uintptr_t base;
	void *map, *scratch;
	unsigned long i;

	map = mmap(NULL, len + PMD_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	scratch = tlb_scratch();
	if (map == MAP_FAILED || !scratch)
		return 1;
	base = ((uintptr_t)map + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
	memset((void *)base, 1, len);
	while (now() < end) {
		for (i = 0; i < len; i += SMALL_PAGE)
			sink += *(volatile char *)(base + i);
		if (tlb_flush(scratch))
			return 1;
		usleep(10000);
	}
	return sink == 0xdeadbeef;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mib", required_argument, NULL, 'm' },
		{ "procs", required_argument, NULL, 'p' },
		{ "life-ms", required_argument, NULL, 'l' },
		{ "ready", required_argument, NULL, 'r' },
		{ 0 }
	};
	unsigned long len = 8UL << 20, procs = 3, life_ms = 2000, started = 0, i;
	struct sigaction sa = { .sa_handler = on_signal };
	const char *ready = NULL;
	pid_t pid, *kids;
	char text[64];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': len = parse_mib("forkchurn", "mib", optarg); break;
		case 'p': procs = strtoul(optarg, NULL, 10); break;
		case 'l': life_ms = strtoul(optarg, NULL, 10); break;
		case 'r': ready = optarg; break;
		default:
			fprintf(stderr, "usage: forkchurn [--mib MIB] [--procs N] [--life-ms MS] [--ready FILE]\n");
			return 2;
		}
	}
	if (procs < 1 || procs > 1000 || life_ms < 4) {
		fprintf(stderr, "forkchurn: --procs must be 1..1000 and --life-ms at least 4\n");
		return 2;
	}
	kids = calloc(procs, sizeof(*kids));
	if (!kids)
		return 1;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	srand(getpid());

	while (!stop) {
		for (i = 0; i < procs && !stop; i++) {
			double life = (life_ms / 4 + rand() % (life_ms - life_ms / 4)) / 1e3;

			if (kids[i])
				continue;
			pid = fork();
			if (pid < 0) {
				perror("forkchurn: fork");
				break;
			}
			if (pid == 0) {
				signal(SIGTERM, SIG_DFL);
				signal(SIGINT, SIG_DFL);
				_exit(child(len, life));
			}
			kids[i] = pid;
			started++;
		}
		if (ready && started >= procs) {
			snprintf(text, sizeof(text), "forkchurn %d\n", (int)getpid());
			if (write_ready(ready, text) < 0)
				perror("forkchurn: --ready");
			ready = NULL;
		}
		/* a child exited, or the signal came */
		pid = wait(NULL);
		for (i = 0; pid > 0 && i < procs; i++) {
			if (kids[i] == pid)
				kids[i] = 0;
		}
	}
	for (i = 0; i < procs; i++) {
		if (kids[i])
			kill(kids[i], SIGTERM);
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	printf("forkchurn children %lu\n", started);
	return 0;
}
