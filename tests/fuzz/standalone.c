// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main() for a harness built without libFuzzer: runs each file named, and
 * each file of each directory named, through LLVMFuzzerTestOneInput().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static int run_file(int dir_fd, const char *name, const char *shown)
{
	_cleanup_(freep) char *data = NULL;
	size_t len = 0;
	int r = read_file_at_len(dir_fd, name, &data, &len);

	if (r < 0) {
		fprintf(stderr, "%s: %s\n", shown, strerror(-r));
		return r;
	}
	(void)LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned runs = 0;
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;

		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			failed = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed |= run_file(AT_FDCWD, argv[i], argv[i]) < 0;
			runs++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			perror(argv[i]);
			failed = 1;
			continue;
		}
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			failed |= run_file(dirfd(d), de->d_name, de->d_name) < 0;
			runs++;
		}
		closedir(d);
	}
	printf("%u inputs\n", runs);
	return failed;
}
