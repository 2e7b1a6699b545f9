// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-bench's CPU load: processes that spin at nice 0, as many as CPUs
 * unless told, so the paths' tasks compete with it like any process.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_HOGS 64

static pid_t hogs[MAX_HOGS];
static unsigned int nhogs;

void load_start(unsigned int n)
{
	if (!n)
		n = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	if (n > MAX_HOGS)
		n = MAX_HOGS;
	fflush(NULL);
	for (nhogs = 0; nhogs < n; nhogs++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork: the CPU load");
		if (pid == 0) {
			volatile unsigned long x = 0;

			signal(SIGINT, SIG_IGN);	/* the parent stops us */
			for (;;)
				x++;
		}
		hogs[nhogs] = pid;
	}
}

void load_stop(void)
{
	for (unsigned int i = 0; i < nhogs; i++)
		kill(hogs[i], SIGKILL);
	for (unsigned int i = 0; i < nhogs; i++)
		waitpid(hogs[i], NULL, 0);
	nhogs = 0;
}
