// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The built-in HTTP/1.1 load generator: keep-alive connections on Boost.Asio, requests written
// and responses parsed by Boost.Beast, one thread.
#pragma once

#include "perfcheck/load/load_report.hpp"
#include "perfcheck/load/load_spec.hpp"

namespace perfcheck::load {

/// Runs `spec` (checked with check_spec) against its target and returns what it measured.
/// Never runs past duration (or the time the requests take) + start bound + 2 x timeout: every
/// connect, write and read has the spec's timeout, and a last deadline stops what is left,
/// counting requests still in flight as timeouts. Throws usage_error when the host does not resolve.
load_report run_load(const load_spec& spec);

}  // namespace perfcheck::load
