// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reaction: how fast hugepaged makes the module act, seen from outside.
 *
 *   reaction cgroup ROOT PREFIX COUNT PROCFS
 *     COUNT times: mkdir ROOT/PREFIXn and start a process in it (t0), then
 *     wait until PROCFS (/proc/damon_hugepage) lists cgroup:/PREFIXn (fed);
 *     then kill the process and rmdir the cgroup (t0'), and wait until the
 *     record is gone (dropped).  Prints one line per round and a summary.
 *
 *   reaction psi CGROUP_DIR CGROUP_PATH TRIGGER PROCFS TIMEOUT_S
 *     Registers TRIGGER ("some STALL WINDOW", the same one hugepaged uses)
 *     on CGROUP_DIR/memory.pressure, waits for it to fire (t0: the
 *     threshold crossing as the kernel reports it), then waits until
 *     PROCFS no longer lists cgroup:CGROUP_PATH (paused).
 *
 * Times come from CLOCK_MONOTONIC; PROCFS is polled every 200 us.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Is "group=cgroup:PATH " in the procfs readout? */
static int listed(const char *procfs, const char *path)
{
	static char buf[1 << 16];
	char needle[4200];
	int fd = open(procfs, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	snprintf(needle, sizeof(needle), "group=cgroup:%s ", path);
	return strstr(buf, needle) != NULL;
}

/* Waits until listed() == want; returns ms waited or -1 after timeout_ms. */
static double wait_listed(const char *procfs, const char *path, int want, double timeout_ms)
{
	double t0 = now_ms();

	for (;;) {
		int r = listed(procfs, path);

		if (r < 0) {
			fprintf(stderr, "reaction: %s: %s\n", procfs, strerror(-r));
			exit(1);
		}
		if (r == want)
			return now_ms() - t0;
		if (now_ms() - t0 > timeout_ms)
			return -1;
		usleep(200);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void summary(const char *what, double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("%s_ms median=%.1f min=%.1f max=%.1f n=%d\n", what, v[n / 2], v[0], v[n - 1], n);
}

static int run_cgroup(const char *root, const char *prefix, int count, const char *procfs)
{
	double fed[count], dropped[count];

	for (int i = 0; i < count; i++) {
		char dir[4096], path[4096], procs[4200];
		double t0, t;
		pid_t pid;
		int status;

		snprintf(path, sizeof(path), "/%s%d", prefix, i);
		snprintf(dir, sizeof(dir), "%s%s", root, path);
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
		t0 = now_ms();
		if (mkdir(dir, 0755) < 0) {
			fprintf(stderr, "reaction: mkdir %s: %s\n", dir, strerror(errno));
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			FILE *f = fopen(procs, "w");

			if (!f || fprintf(f, "0\n") < 0 || fclose(f) != 0)
				_exit(1);
			pause();
			_exit(0);
		}
		t = wait_listed(procfs, path, 1, 10000);
		if (t < 0) {
			fprintf(stderr, "reaction: %s not fed within 10 s\n", path);
			return 1;
		}
		fed[i] = now_ms() - t0;
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		t0 = now_ms();
		while (rmdir(dir) < 0) {
			if (errno != EBUSY || now_ms() - t0 > 5000) {
				fprintf(stderr, "reaction: rmdir %s: %s\n", dir, strerror(errno));
				return 1;
			}
			usleep(200);
		}
		t0 = now_ms();
		t = wait_listed(procfs, path, 0, 10000);
		if (t < 0) {
			fprintf(stderr, "reaction: %s not dropped within 10 s\n", path);
			return 1;
		}
		dropped[i] = now_ms() - t0;
		printf("round %d: fed %.1f ms after mkdir, dropped %.1f ms after rmdir\n", i, fed[i], dropped[i]);
		usleep(300000);
	}
	summary("cgroup_fed", fed, count);
	summary("cgroup_dropped", dropped, count);
	return 0;
}

static int run_psi(const char *dir, const char *path, const char *trigger, const char *procfs, int timeout_s)
{
	char file[4200];
	struct pollfd pfd;
	double t0, t;
	int fd, r;

	snprintf(file, sizeof(file), "%s/memory.pressure", dir);
	fd = open(file, O_RDWR | O_NONBLOCK);
	if (fd < 0 || write(fd, trigger, strlen(trigger) + 1) < 0) {
		fprintf(stderr, "reaction: trigger \"%s\" on %s: %s\n", trigger, file, strerror(errno));
		return 1;
	}
	if (listed(procfs, path) != 1) {
		fprintf(stderr, "reaction: %s is not fed to begin with\n", path);
		return 1;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLPRI };
	r = poll(&pfd, 1, timeout_s * 1000);
	t0 = now_ms();
	if (r <= 0 || (pfd.revents & POLLERR)) {
		fprintf(stderr, "reaction: no PSI event in %d s\n", timeout_s);
		return 1;
	}
	t = wait_listed(procfs, path, 0, 10000);
	if (t < 0) {
		fprintf(stderr, "reaction: %s still fed 10 s after the PSI event\n", path);
		return 1;
	}
	printf("psi_paused_ms=%.1f\n", now_ms() - t0);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "cgroup"))
		return run_cgroup(argv[2], argv[3], atoi(argv[4]), argv[5]);
	if (argc == 7 && !strcmp(argv[1], "psi"))
		return run_psi(argv[2], argv[3], argv[4], argv[5], atoi(argv[6]));
	fprintf(stderr, "usage: reaction cgroup ROOT PREFIX COUNT PROCFS\n"
			"       reaction psi CGROUP_DIR CGROUP_PATH TRIGGER PROCFS TIMEOUT_S\n");
	return 2;
}
