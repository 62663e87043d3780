// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// perfcheck-launcher: spawns, times and reaps each run of the measured command for perfcheck.
//
// Why it exists: wait4's ru_maxrss of a child is at least the resident size of the process
// that forked it, because exec records the old address space's high-water mark (Linux
// exec_mmap) and with vfork/posix_spawn that address space is the parent's. Spawned straight
// from perfcheck, every command would report perfcheck's own megabytes as its floor. This
// program is plain C, linked -static, and resides in a few hundred KiB, so that is the floor.
//
// Usage (perfcheck does this; nobody else needs to):
//   perfcheck-launcher CONTROL_FD PROGRAM -- ARGV0 [ARGS...]
//   perfcheck-launcher --noop          exit 0 at once (perfcheck measures launch overhead)
//
// perfcheck starts the launcher once per process_executor with posix_spawn: stdin /dev/null,
// stdout and stderr perfcheck's own, the working directory and environment of the command,
// and CONTROL_FD one end of a socketpair(AF_UNIX, SOCK_SEQPACKET). PROGRAM is the resolved
// path to execute (perfcheck does the PATH search, for clear errors); ARGV is passed as is.
//
// Protocol (structs in launcher_protocol.h; every message is one packet):
//   1. perfcheck sends a perfcheck_launcher_request. With flags & REDIRECT it carries two fds
//      (SCM_RIGHTS) that become the command's stdout and stderr; without, the command
//      inherits the launcher's 1 and 2.
//   2. The launcher reads CLOCK_MONOTONIC, posix_spawns PROGRAM in a new process group of
//      its own (so a timeout can kill the whole tree), closes the received fds, wait4s,
//      reads the clock again and sends one perfcheck_launcher_reply: pid, wall time, wait
//      status or spawn errno, and the rusage of the command and its reaped descendants.
//   3. Repeat. End of file on the control socket: exit 0. A malformed message: a line on
//      stderr and exit 2.
// If perfcheck dies, the launcher gets SIGTERM (PR_SET_PDEATHSIG; note that this fires when
// the spawning *thread* ends). On SIGTERM, SIGINT, SIGHUP or SIGQUIT it SIGKILLs the running
// command's process group, then dies of the signal itself: no run outlives perfcheck.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launcher_protocol.h"

extern char** environ;

// The running command's pid (= its process group), 0 between runs; read by the handler.
static volatile sig_atomic_t running_command;

static void on_fatal_signal(int sig) {
  pid_t group = (pid_t)running_command;
  if (group > 0) kill(-group, SIGKILL);
  signal(sig, SIG_DFL);
  raise(sig);  // blocked while this handler runs, delivered (fatally) when it returns
}

static void fail(const char* what, int error) {
  static const char prefix[] = "perfcheck-launcher: ";
  ssize_t ignored = write(2, prefix, sizeof prefix - 1);
  ignored = write(2, what, strlen(what));
  if (error != 0) {
    const char* text = strerror(error);
    ignored = write(2, ": ", 2);
    ignored = write(2, text, strlen(text));
  }
  ignored = write(2, "\n", 1);
  (void)ignored;
  exit(2);
}

static int64_t to_ns(const struct timespec* t) {
  return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t timeval_ns(const struct timeval* t) {
  return (int64_t)t->tv_sec * 1000000000 + (int64_t)t->tv_usec * 1000;
}

// Receives one request and its fds (out[0], out[1], or -1). Returns 0 on end of file.
static int receive_request(int control, int out[2]) {
  struct perfcheck_launcher_request request;
  union {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(2 * sizeof(int))];
  } control_buffer;
  struct iovec iov = {&request, sizeof request};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control_buffer.bytes;
  msg.msg_controllen = sizeof control_buffer.bytes;

  ssize_t n;
  do {
    n = recvmsg(control, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) fail("recvmsg", errno);
  if (n == 0) return 0;

  int fds[2] = {-1, -1};
  size_t fd_count = 0;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (fd_count < 2) fds[fd_count] = fd;
      ++fd_count;
    }
  }
  if ((size_t)n != sizeof request || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
      request.magic != PERFCHECK_LAUNCHER_MAGIC || request.version != PERFCHECK_LAUNCHER_VERSION)
    fail("malformed request on the control socket", 0);
  size_t expected = (request.flags & PERFCHECK_LAUNCHER_REDIRECT) != 0 ? 2 : 0;
  if (fd_count != expected) fail("request carries the wrong number of fds", 0);
  out[0] = fds[0];
  out[1] = fds[1];
  return 1;
}

static void run_once(const char* program, char** argv, const posix_spawnattr_t* attr,
                     const int fds[2], struct perfcheck_launcher_reply* reply) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_t* use_actions = NULL;
  if (fds[0] >= 0) {
    // The received fds are close-on-exec; dup2 onto 1 and 2 clears that on the copies. 0..2
    // are always open in this process, so the received fds are never 1 or 2 themselves.
    int error = posix_spawn_file_actions_init(&actions);
    if (error == 0) error = posix_spawn_file_actions_adddup2(&actions, fds[0], 1);
    if (error == 0) error = posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    if (error != 0) fail("posix_spawn_file_actions", error);
    use_actions = &actions;
  }

  sigset_t fatal, previous;
  sigemptyset(&fatal);
  sigaddset(&fatal, SIGTERM);
  sigaddset(&fatal, SIGINT);
  sigaddset(&fatal, SIGHUP);
  sigaddset(&fatal, SIGQUIT);
  // Blocked until running_command is set, so a fatal signal never misses the new group.
  sigprocmask(SIG_BLOCK, &fatal, &previous);

  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid_t pid = 0;
  int error = posix_spawn(&pid, program, use_actions, attr, argv, environ);
  if (error == 0) running_command = pid;
  sigprocmask(SIG_SETMASK, &previous, NULL);

  if (use_actions != NULL) posix_spawn_file_actions_destroy(use_actions);
  if (fds[0] >= 0) close(fds[0]);
  if (fds[1] >= 0) close(fds[1]);

  memset(reply, 0, sizeof *reply);
  reply->magic = PERFCHECK_LAUNCHER_MAGIC;
  reply->version = PERFCHECK_LAUNCHER_VERSION;
  if (error != 0) {
    clock_gettime(CLOCK_MONOTONIC, &end);
    reply->spawn_errno = error;
    reply->wall_ns = to_ns(&end) - to_ns(&start);
    return;
  }

  int status = 0;
  struct rusage usage;
  pid_t reaped;
  do {
    reaped = wait4(pid, &status, 0, &usage);
  } while (reaped < 0 && errno == EINTR);
  clock_gettime(CLOCK_MONOTONIC, &end);
  running_command = 0;
  if (reaped < 0) fail("wait4", errno);

  reply->pid = pid;
  reply->wait_status = status;
  reply->wall_ns = to_ns(&end) - to_ns(&start);
  reply->user_ns = timeval_ns(&usage.ru_utime);
  reply->sys_ns = timeval_ns(&usage.ru_stime);
  reply->max_rss_bytes = (int64_t)usage.ru_maxrss * 1024;
  reply->minor_faults = usage.ru_minflt;
  reply->major_faults = usage.ru_majflt;
  reply->voluntary_cs = usage.ru_nvcsw;
  reply->involuntary_cs = usage.ru_nivcsw;
  reply->blocks_in = usage.ru_inblock;
  reply->blocks_out = usage.ru_oublock;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "--noop") == 0) return 0;
  if (argc < 5 || strcmp(argv[3], "--") != 0)
    fail("usage: perfcheck-launcher CONTROL_FD PROGRAM -- ARGV0 [ARGS...] | --noop", 0);

  char* end = NULL;
  long control_number = strtol(argv[1], &end, 10);
  if (*argv[1] == '\0' || *end != '\0' || control_number < 0 || control_number > 1 << 20)
    fail("CONTROL_FD is not a file descriptor number", 0);
  int control = (int)control_number;
  // The command must not inherit the control socket.
  if (fcntl(control, F_SETFD, FD_CLOEXEC) != 0) fail("CONTROL_FD", errno);

  // Keep 0..2 occupied, so that received fds never land on them.
  for (int fd = 0; fd <= 2; ++fd)
    if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0) fail("/dev/null", errno);

  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_fatal_signal;
  sigemptyset(&action.sa_mask);
  const int fatal_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
  for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; ++i)
    sigaction(fatal_signals[i], &action, NULL);
  prctl(PR_SET_PDEATHSIG, SIGTERM);

  sigset_t startup_mask;
  sigprocmask(SIG_SETMASK, NULL, &startup_mask);
  posix_spawnattr_t attr;
  int error = posix_spawnattr_init(&attr);
  if (error == 0) error = posix_spawnattr_setpgroup(&attr, 0);
  if (error == 0) error = posix_spawnattr_setsigmask(&attr, &startup_mask);
  if (error == 0)
    error = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  if (error != 0) fail("posix_spawnattr", error);

  const char* program = argv[2];
  char** command_argv = argv + 4;
  for (;;) {
    int fds[2];
    if (receive_request(control, fds) == 0) return 0;
    struct perfcheck_launcher_reply reply;
    run_once(program, command_argv, &attr, fds, &reply);
    ssize_t sent;
    do {
      sent = send(control, &reply, sizeof reply, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return errno == EPIPE || errno == ECONNRESET ? 0 : 2;
  }
}
