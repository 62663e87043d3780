// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck run` of a test that names a server under test (SERVER, docs/servers.md): the port
// from the server's state file, the server sampled during every run, and what the result says
// about the server afterwards.
#pragma once

#include <functional>
#include <memory>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/spec.hpp"

namespace perfcheck::cli {

/// The spec a test that names a server runs: its {port} and PERFCHECK_SERVER_PORT from the
/// server's state file. Only the command gets them, so the spec hash (the history series) does
/// not change with an automatic port. Throws command_error when the server is not running.
run_spec served_spec(const run_spec& spec);

/// Makes the executor of a command line (a process_executor, or a counting one).
using executor_maker = std::function<std::unique_ptr<exec::executor>(exec::command_line)>;

/// The executor of `spec`'s command, made by `make`: for a test that names a server, with the
/// port and with the server's tree sampled during every run (run/server_watch.hpp). Throws
/// command_error when the server is not running.
std::unique_ptr<exec::executor> served_executor(const run_spec& spec, const executor_maker& make);

/// After a test that names a server: the metadata `server` (its name) and `server.ready` (its
/// time to ready); an `error` verdict when the server ended during the test (by itself or at
/// one of its LIMITS), with how; and when the test did not pass, a warning per log (stderr,
/// stdout) with its last lines, also printed to `out`. Nothing for a test without a server.
void finish_served(run_result& result, const run_spec& spec, std::FILE* out);

}  // namespace perfcheck::cli
