// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The built-in HTTP/1.1 load generator: keep-alive connections on Boost.Asio, requests written
// and responses parsed by Boost.Beast, one thread.
#pragma once

#include "perfcheck/load/load_report.hpp"
#include "perfcheck/load/load_spec.hpp"

namespace perfcheck::load {

/// Runs `spec` (checked with check_spec) against its target and returns what it measured: one
/// report per stage of spec.stages, each request counted in the stage its intended start was due
/// in (a stage's begin_ns and wall_ns from its own start), or one report for a spec without stages.
/// Never runs past duration (or the time the requests take) + start bound + 2 x timeout: every
/// connect, write and read has the spec's timeout, and a last deadline stops what is left,
/// counting requests still in flight as timeouts. Throws usage_error when the host does not resolve.
/// With spec.threads > 1, that many threads with an event loop each share the connections (and a
/// closed model's request count; the open model's starts in turn) and their reports are merged.
/// The same holds for run_load below.
std::vector<load_report> run_load_stages(const load_spec& spec);

/// run_load_stages merged into one report of the whole run (merge_reports).
load_report run_load(const load_spec& spec);

}  // namespace perfcheck::load
