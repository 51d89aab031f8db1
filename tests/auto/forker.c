/*
 * fork and exec under the interposer (tests/auto/process.sh): the parent
 * sleeps, forks a child that sleeps and exits, waits for it, then execs
 * itself with "exec", which sleeps once more.  No lotrace in it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec")) {
		usleep(30000); /* the new image's sleep */
		return 0;
	}
	usleep(10000);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		usleep(20000); /* the child's sleep */
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("%d\n", (int)pid);
	fflush(stdout);
	char *args[] = {argv[0], "exec", NULL};
	execv(argv[0], args);
	perror("execv");
	return 1;
}
