// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-wide workloads that cross gup_track's hot hooks without pinning
 * anything: exec (get_user_pages_remote on argument pages), page cache
 * churn on ext4 (page freeing), anonymous memory churn (page freeing).
 * Prints one "name nanoseconds" line per workload.
 *
 * usage: bench DIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MB	(1024 * 1024)

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void exec_loop(void)
{
	for (int i = 0; i < 100; i++) {
		pid_t pid = fork();

		if (!pid) {
			execl("/bin/true", "true", "arg", NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
}

static void file_churn(const char *dir)
{
	static char buf[MB];
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/bench.dat", dir);
	memset(buf, 7, sizeof(buf));
	for (int round = 0; round < 4; round++) {
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		for (int i = 0; i < 32; i++)
			if (write(fd, buf, MB) != MB)
				exit(1);
		fsync(fd);
		lseek(fd, 0, SEEK_SET);
		while (read(fd, buf, MB) > 0)
			;
		close(fd);
		unlink(path);
	}
}

static void anon_churn(void)
{
	for (int i = 0; i < 8; i++) {
		char *p = mmap(NULL, 64 * MB, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			exit(1);
		madvise(p, 64 * MB, MADV_NOHUGEPAGE);
		for (size_t off = 0; off < 64 * MB; off += 4096)
			p[off] = 1;
		munmap(p, 64 * MB);
	}
}

int main(int argc, char **argv)
{
	long long t;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	t = now_ns();
	exec_loop();
	printf("exec %lld\n", now_ns() - t);
	t = now_ns();
	file_churn(argv[1]);
	printf("file %lld\n", now_ns() - t);
	t = now_ns();
	anon_churn();
	printf("anon %lld\n", now_ns() - t);
	return 0;
}
