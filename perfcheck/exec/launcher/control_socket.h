// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// perfcheck-launcher's side of the control socket: RUN requests with their fds, STOP messages
// during a run, the reply, and the one-line error before giving up.
#ifndef PERFCHECK_EXEC_LAUNCHER_CONTROL_SOCKET_H
#define PERFCHECK_EXEC_LAUNCHER_CONTROL_SOCKET_H

#include "launcher_protocol.h"

struct launcher;

/// What receive_stop found on the socket.
enum control_event {
  CONTROL_NOTHING,    ///< no message after all
  CONTROL_STOP,       ///< a well-formed STOP
  CONTROL_CLOSED,     ///< end of file or an error: perfcheck is gone
  CONTROL_MALFORMED,  ///< anything else
};

/// Writes "perfcheck-launcher: WHAT[: strerror(error)]" to stderr (error 0: no reason).
void launcher_report(const char* what, int error);
/// launcher_report, then exit 2. Only between runs: a run's tree must be killed first.
void launcher_fail(const char* what, int error) __attribute__((noreturn));

/// Waits for and receives one RUN message and its fds (out[0] stdout, out[1] stderr, out[2]
/// cgroup.procs, or -1), dropping STOP messages that arrive after their run ended. Returns 1,
/// 0 on end of file (or a reset: perfcheck closed with a reply unread), or -1 when a fatal
/// signal arrived (fatal_signal says which). A malformed request or the wrong number of fds:
/// launcher_fail.
int receive_request(const struct launcher* launcher, struct perfcheck_launcher_run* request,
                    int out[3]);

/// True when the next message on the socket is a RUN (a pipelined request queued behind the
/// run in progress); looks without taking it (MSG_PEEK) and without waiting.
int request_queued(int control);

/// Reads one message during a run without waiting.
enum control_event receive_stop(int control, struct perfcheck_launcher_stop* stop);

/// Sends the reply without the unused tail of its points. Returns 0, 1 when perfcheck is gone
/// (EPIPE, ECONNRESET), -1 for another error.
int send_reply(int control, const struct perfcheck_launcher_reply* reply);

#endif  // PERFCHECK_EXEC_LAUNCHER_CONTROL_SOCKET_H
