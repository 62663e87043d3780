// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Standard output that cannot fail silently: every write of printf, fputs and std::cout goes
// through one checked stream, and the exit code says when any of it was lost.
#pragma once

namespace perfcheck::cli {

/// Replaces `stdout` (and std::cout's buffer) by a stream onto file descriptor 1 that keeps the
/// first write error (errno) of any flush. Call once, first thing in main.
void install_checked_stdout();

/// Flushes standard output now; throws std::system_error "write to standard output: <strerror>"
/// when the flush or any earlier write failed (what finish_stdout checks at exit), so that a
/// command can say which of its output is incomplete.
void check_stdout();

/// Flushes and closes standard output; returns `code` when everything written reached it, else
/// prints "error: standard output: <strerror>; ..." to stderr and returns exit_internal (4).
int finish_stdout(int code);

}  // namespace perfcheck::cli
