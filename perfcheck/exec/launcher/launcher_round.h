// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A round of concurrent copies of the measured command inside perfcheck-launcher
// (PERFCHECK_LAUNCHER_ROUND): N copies started together, each in its own process group,
// sampled, limited and reaped together; one REPLY per copy, then one ROUND_END.
#ifndef PERFCHECK_EXEC_LAUNCHER_ROUND_H
#define PERFCHECK_EXEC_LAUNCHER_ROUND_H

#include "launcher_protocol.h"
#include "launcher_run.h"

/// Runs request->copies copies of the command (the fds as for launcher_run_once, shared by
/// every copy and closed here) and sends their replies and the ROUND_END on the control
/// socket. `run` is used for the round's tree (stopping it on a fatal signal or a closed
/// socket). Every process of the round is reaped when it returns. Returns send_reply's value
/// of the first failed send, else 0.
int launcher_round(struct launcher_run* run, const char* program, char** argv,
                   const struct perfcheck_launcher_run* request, const int fds[3]);

/// `text` with every "{instance}" replaced by `instance`, in a new malloc'd string (NULL when
/// out of memory).
char* substitute_instance(const char* text, int instance);

#endif  // PERFCHECK_EXEC_LAUNCHER_ROUND_H
