// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What one load run measured: latency and service-time histograms, counts by outcome.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "perfcheck/load/latency_histogram.hpp"

namespace perfcheck::load {

/// Why a request failed. connect: no connection could be made; timeout: no full response within
/// the timeout; status: a response with another status than expected; body: a response whose body
/// lacks the expected text or is outside the expected size; io: the connection broke or the answer was not HTTP/1.1.
enum class error_kind { connect, timeout, status, body, io };
inline constexpr std::array<std::string_view, 5> error_kind_names{"connect", "timeout", "status", "body", "io"};

/// The figures of one run, in ns and counts.
struct load_report {
  /// From each request's intended start (the schedule's time in the open model, the moment its
  /// connection was free in the closed one) to its full response: what a user waits.
  latency_histogram latency;
  /// From the request's first byte sent to its full response: the server's (and network's) share.
  latency_histogram service;
  /// Open model: how late the generator itself took each start off the schedule.
  latency_histogram lag;
  /// The body bytes of each response read (its quantiles to the histogram's precision, min and
  /// max exact).
  latency_histogram response_bytes;
  std::int64_t started = 0;    ///< requests the generator tried to send
  std::int64_t responses = 0;  ///< full responses read, right or wrong
  std::int64_t dropped = 0;    ///< open model: starts that found no free connection in time
  std::array<std::int64_t, 5> errors{};  ///< by error_kind
  std::int64_t body_bytes = 0; ///< response body bytes read
  std::int64_t wall_ns = 0;    ///< from the first start (a stage's) to the last response or failure
  std::int64_t begin_ns = 0;   ///< a stage: when its first start was due, from the run's first start

  std::int64_t& errors_of(error_kind k) { return errors[static_cast<std::size_t>(k)]; }
  std::int64_t errors_of(error_kind k) const { return errors[static_cast<std::size_t>(k)]; }
  /// Every failed request, of any kind (dropped starts are not requests and not counted).
  std::int64_t error_count() const;
  /// error_count() over the requests started; 0 when none was.
  double error_rate() const;
  /// Responses per second of wall_ns; 0 for an empty run.
  double throughput() const;
};

/// The whole run of its stages' reports: counts added, histograms merged, wall_ns from the first
/// stage's start to the last response of any (begin_ns + wall_ns at most); empty for none.
load_report merge_reports(const std::vector<load_report>& parts);

}  // namespace perfcheck::load
