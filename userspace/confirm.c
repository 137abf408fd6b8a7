// SPDX-License-Identifier: GPL-2.0
/*
 * load --confirm SECONDS and mqosctl confirm: a configuration that cuts
 * the operator off a remote gateway undoes itself.
 *
 * Before the load, the running configuration is saved (what `mqosctl
 * save` prints) to RUNDIR/rollback.conf. After the load, mqosctl forks a
 * child that leaves the terminal (setsid, stdio on /dev/null), and whose
 * pid is written to RUNDIR/confirm.pid; the command itself returns. The
 * child sleeps SECONDS. `mqosctl confirm` removes the pid file and kills
 * the child: the new configuration stays. If the time runs out, the child
 * removes the pid file itself and loads rollback.conf (atomically, as any
 * load), and logs what it did to syslog (daemon facility, "mqosctl").
 * Removing the pid file is the one atomic step that decides between the
 * two, so a confirm that comes too late says so and changes nothing.
 *
 * RUNDIR is $MQOS_RUN_DIR, else /run/mqos (created, mode 0700). One
 * rollback can be pending at a time: a second load --confirm is refused
 * until the first is confirmed or rolled back.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "mqosctl.h"

static char rb_path[512], rb_tmp[512], pid_path[512];

static int paths(void)
{
	const char *dir = getenv("MQOS_RUN_DIR");

	if (!dir || !dir[0])
		dir = "/run/mqos";
	if (mkdir(dir, 0700) && errno != EEXIST) {
		ctl_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(rb_path, sizeof(rb_path), "%s/rollback.conf", dir);
	snprintf(rb_tmp, sizeof(rb_tmp), "%s/rollback.conf.tmp", dir);
	snprintf(pid_path, sizeof(pid_path), "%s/confirm.pid", dir);
	return 0;
}

/* The pid in the pid file, 0 if none (or unreadable). */
static pid_t pending(void)
{
	FILE *f = fopen(pid_path, "r");
	long pid = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

int ctl_confirm_prepare(void)
{
	pid_t pid;
	FILE *f;
	int err;

	if (paths())
		return EXIT_RUNTIME;
	pid = pending();
	if (pid > 0 && !kill(pid, 0)) {
		ctl_err("a load --confirm is pending (rollback pid %ld): run 'mqosctl confirm' first",
			(long)pid);
		return EXIT_RUNTIME;
	}
	unlink(pid_path);	/* stale: its process is gone */
	f = fopen(rb_tmp, "w");
	if (!f) {
		ctl_err("%s: %s", rb_tmp, strerror(errno));
		return EXIT_RUNTIME;
	}
	err = cmd_save(f);
	if (fclose(f) && !err) {
		ctl_err("%s: %s", rb_tmp, strerror(errno));
		err = -EIO;
	}
	if (err || rename(rb_tmp, rb_path)) {
		if (!err)
			ctl_err("%s: %s", rb_path, strerror(errno));
		unlink(rb_tmp);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

void ctl_confirm_cancel(void)
{
	unlink(rb_path);
}

/* The child: wait, then roll back unless confirm took the pid file. */
static void rollback_child(unsigned int sec)
{
	struct timespec ts = { .tv_sec = sec };
	int fd, rc;

	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (chdir("/"))
		_exit(EXIT_RUNTIME);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	openlog("mqosctl", LOG_PID, LOG_DAEMON);
	if (unlink(pid_path))
		_exit(EXIT_OK);		/* confirmed at the last moment */
	rc = cmd_load(rb_path, false, 0);
	if (rc == EXIT_OK) {
		syslog(LOG_WARNING, "load --confirm: not confirmed within %u s; the previous configuration is back",
		       sec);
		unlink(rb_path);
	} else {
		syslog(LOG_ERR, "load --confirm: not confirmed within %u s; restoring the previous configuration failed (it is in %s)",
		       sec, rb_path);
	}
	ctl_nl_close();
	closelog();
	_exit(rc);
}

int ctl_confirm_arm(unsigned int sec)
{
	pid_t pid, parent;
	FILE *f;

	fflush(NULL);
	/* The child opens its own netlink socket when it needs one. */
	ctl_nl_close();
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		ctl_err("fork: %s; rolling back now", strerror(errno));
		cmd_load(rb_path, false, 0);
		return EXIT_RUNTIME;
	}
	if (!pid) {
		/* Wait until the parent has written the pid file (or died). */
		while (access(pid_path, F_OK) && getppid() == parent)
			usleep(10000);
		rollback_child(sec);
	}
	f = fopen(rb_tmp, "w");
	if (!f || fprintf(f, "%ld\n", (long)pid) < 0 || fclose(f) ||
	    rename(rb_tmp, pid_path)) {
		ctl_err("%s: %s; rolling back now", pid_path, strerror(errno));
		kill(pid, SIGKILL);
		cmd_load(rb_path, false, 0);
		return EXIT_RUNTIME;
	}
	fprintf(stderr, "mqosctl: applied; run 'mqosctl confirm' within %u s to keep it, else the previous configuration comes back\n",
		sec);
	return EXIT_OK;
}

int cmd_confirm(void)
{
	pid_t pid;

	if (paths())
		return EXIT_RUNTIME;
	pid = pending();
	if (pid <= 0) {
		ctl_err("nothing to confirm (no load --confirm pending)");
		return EXIT_RUNTIME;
	}
	if (unlink(pid_path)) {
		ctl_err("too late: the time ran out and the previous configuration is being restored");
		return EXIT_RUNTIME;
	}
	if (kill(pid, SIGTERM) && errno == ESRCH) {
		ctl_err("nothing to confirm (the rollback process %ld is gone)",
			(long)pid);
		unlink(rb_path);
		return EXIT_RUNTIME;
	}
	unlink(rb_path);
	return EXIT_OK;
}
