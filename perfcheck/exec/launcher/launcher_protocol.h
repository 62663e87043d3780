// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The messages between perfcheck and perfcheck-launcher on their SOCK_SEQPACKET control
// socket. Plain C, shared by launcher.c and the C++ process_executor; see launcher.c for the
// protocol as a whole.
#ifndef PERFCHECK_EXEC_LAUNCHER_PROTOCOL_H
#define PERFCHECK_EXEC_LAUNCHER_PROTOCOL_H

#include <stdint.h>

/// "PCL1" in the first field of every message; anything else is a protocol error.
#define PERFCHECK_LAUNCHER_MAGIC 0x314c4350u
/// Bumped whenever a message layout changes; the launcher refuses other versions.
#define PERFCHECK_LAUNCHER_VERSION 1u
/// The launcher's fd for the control socket: perfcheck always places it there.
#define PERFCHECK_LAUNCHER_CONTROL_FD 3
/// request.flags: two fds ride along (SCM_RIGHTS): the command's stdout, then its stderr.
#define PERFCHECK_LAUNCHER_REDIRECT 1u

/// perfcheck -> launcher: run the command once.
struct perfcheck_launcher_request {
  uint32_t magic;     ///< PERFCHECK_LAUNCHER_MAGIC
  uint32_t version;   ///< PERFCHECK_LAUNCHER_VERSION
  uint32_t flags;     ///< PERFCHECK_LAUNCHER_* bits; without REDIRECT the command inherits 1 and 2
  uint32_t reserved;  ///< zero
};

/// launcher -> perfcheck: what the run cost, sent once the command has been reaped.
struct perfcheck_launcher_reply {
  uint32_t magic;          ///< PERFCHECK_LAUNCHER_MAGIC
  uint32_t version;        ///< PERFCHECK_LAUNCHER_VERSION
  int32_t pid;             ///< the command's pid (also its process group); 0 if it never started
  int32_t wait_status;     ///< wait4's status; meaningless when spawn_errno != 0
  int32_t spawn_errno;     ///< 0, or why posix_spawn failed (exec errors included)
  int32_t reserved;        ///< zero
  int64_t wall_ns;         ///< CLOCK_MONOTONIC from just before posix_spawn to just after wait4
  int64_t user_ns;         ///< ru_utime of the command and its reaped descendants
  int64_t sys_ns;          ///< ru_stime, likewise
  int64_t max_rss_bytes;   ///< ru_maxrss converted from KiB
  int64_t minor_faults;    ///< ru_minflt
  int64_t major_faults;    ///< ru_majflt
  int64_t voluntary_cs;    ///< ru_nvcsw
  int64_t involuntary_cs;  ///< ru_nivcsw
  int64_t blocks_in;       ///< ru_inblock (512-byte units)
  int64_t blocks_out;      ///< ru_oublock (512-byte units)
};

#ifdef __cplusplus
static_assert(sizeof(perfcheck_launcher_request) == 16, "fixed layout");
static_assert(sizeof(perfcheck_launcher_reply) == 104, "fixed layout");
#else
_Static_assert(sizeof(struct perfcheck_launcher_request) == 16, "fixed layout");
_Static_assert(sizeof(struct perfcheck_launcher_reply) == 104, "fixed layout");
#endif

#endif  // PERFCHECK_EXEC_LAUNCHER_PROTOCOL_H
