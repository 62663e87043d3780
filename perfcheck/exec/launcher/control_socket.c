// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "control_socket.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "launcher_run.h"

void launcher_report(const char* what, int error) {
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
}

void launcher_fail(const char* what, int error) {
  launcher_report(what, error);
  exit(2);
}

// The fds of a received message, in order (the first four kept); returns how many came.
static size_t received_fds(struct msghdr* msg, int fds[4]) {
  size_t fd_count = 0;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (fd_count < 4) fds[fd_count] = fd;
      ++fd_count;
    }
  }
  return fd_count;
}

static int is_late_stop(const struct perfcheck_launcher_run* request, ssize_t n, size_t fd_count) {
  return n == (ssize_t)sizeof(struct perfcheck_launcher_stop) && fd_count == 0 &&
         request->magic == PERFCHECK_LAUNCHER_MAGIC &&
         request->version == PERFCHECK_LAUNCHER_VERSION && request->type == PERFCHECK_LAUNCHER_STOP;
}

// Checks a received RUN message and hands out its fds; launcher_fail when it is malformed.
static void accept_request(const struct perfcheck_launcher_run* request, ssize_t n, int msg_flags,
                           const int fds[4], size_t fd_count, int out[3]) {
  if ((size_t)n != sizeof *request || (msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
      request->magic != PERFCHECK_LAUNCHER_MAGIC ||
      request->version != PERFCHECK_LAUNCHER_VERSION || request->type != PERFCHECK_LAUNCHER_RUN)
    launcher_fail("malformed request on the control socket (is perfcheck from another version?)",
                  0);
  size_t expected = ((request->flags & PERFCHECK_LAUNCHER_REDIRECT) != 0 ? 2 : 0) +
                    ((request->flags & PERFCHECK_LAUNCHER_CGROUP) != 0 ? 1 : 0);
  if (fd_count != expected) launcher_fail("request carries the wrong number of fds", 0);
  const int round = (request->flags & PERFCHECK_LAUNCHER_ROUND) != 0;
  if (round ? request->copies < 1 || request->copies > PERFCHECK_LAUNCHER_MAX_COPIES ||
                  (request->flags & PERFCHECK_LAUNCHER_AFTER_CLEAN) != 0
            : request->copies != 0)
    launcher_fail("request has a bad number of copies (is perfcheck from another version?)", 0);
  size_t next = 0;
  out[0] = out[1] = out[2] = -1;
  if ((request->flags & PERFCHECK_LAUNCHER_REDIRECT) != 0) {
    out[0] = fds[next++];
    out[1] = fds[next++];
  }
  if ((request->flags & PERFCHECK_LAUNCHER_CGROUP) != 0) out[2] = fds[next++];
}

int receive_request(const struct launcher* launcher, struct perfcheck_launcher_run* request,
                    int out[3]) {
  for (;;) {
    wait_for_event(launcher, -1, 1);
    if (fatal_signal != 0) return -1;
    union {
      struct cmsghdr align;
      char bytes[CMSG_SPACE(3 * sizeof(int))];
    } control_buffer;
    struct iovec iov = {request, sizeof *request};
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control_buffer.bytes;
    msg.msg_controllen = sizeof control_buffer.bytes;

    ssize_t n = recvmsg(launcher->control, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    // Reset: perfcheck closed its end with a reply unread (it dropped a skipped pipelined run),
    // as good as end of file. Its SIGTERM may still be pending: ppoll can return for the
    // socket first, and the signal stays blocked outside it.
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return 0;
    if (n < 0) launcher_fail("recvmsg", errno);
    int fds[4] = {-1, -1, -1, -1};
    size_t fd_count = received_fds(&msg, fds);
    if (is_late_stop(request, n, fd_count)) continue;  // too late: its run is over
    accept_request(request, n, msg.msg_flags, fds, fd_count, out);
    return 1;
  }
}

int request_queued(int control) {
  uint32_t head[3];  // magic, version, type: the same first fields in every message
  ssize_t n;
  do {
    n = recv(control, head, sizeof head, MSG_PEEK | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return n == (ssize_t)sizeof head && head[0] == PERFCHECK_LAUNCHER_MAGIC &&
         head[1] == PERFCHECK_LAUNCHER_VERSION && head[2] == PERFCHECK_LAUNCHER_RUN;
}

enum control_event receive_stop(int control, struct perfcheck_launcher_stop* stop) {
  ssize_t n;
  do {
    n = recv(control, stop, sizeof *stop, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n == 0 || (n < 0 && errno != EAGAIN)) return CONTROL_CLOSED;
  if (n < 0) return CONTROL_NOTHING;
  if (n == (ssize_t)sizeof *stop && stop->magic == PERFCHECK_LAUNCHER_MAGIC &&
      stop->version == PERFCHECK_LAUNCHER_VERSION && stop->type == PERFCHECK_LAUNCHER_STOP)
    return CONTROL_STOP;
  return CONTROL_MALFORMED;
}

int send_reply(int control, const struct perfcheck_launcher_reply* reply) {
  ssize_t sent;
  do {
    sent = send(control, reply, PERFCHECK_LAUNCHER_REPLY_SIZE(reply->point_count), MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent >= 0) return 0;
  return errno == EPIPE || errno == ECONNRESET ? 1 : -1;
}
