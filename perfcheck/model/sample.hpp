// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// One measured run of a command.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

namespace perfcheck {

/// What one run of the command cost, as the kernel reported it.
struct run_sample {
  std::int64_t wall_ns = 0;        ///< elapsed CLOCK_MONOTONIC time from spawn to reap
  std::int64_t user_ns = 0;        ///< user CPU time of the process and its reaped children
  std::int64_t sys_ns = 0;         ///< system CPU time of the process and its reaped children
  std::int64_t max_rss_bytes = 0;  ///< peak resident set size (wait4's ru_maxrss)
  std::optional<int> exit_code;    ///< set when the process exited normally
  std::optional<int> signal;       ///< set when the process was terminated by a signal

  /// True when the run exited non-zero or was killed by a signal.
  bool failed() const { return signal.has_value() || exit_code.value_or(0) != 0; }

  bool operator==(const run_sample&) const = default;
};

/// "SIGSEGV" for 11, "SIG42" for a number without a name.
std::string signal_name(int signal);

/// The number of a signal named "SIGSEGV" or "SEGV", or nullopt.
std::optional<int> signal_from_name(std::string_view name);

void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const run_sample& s);
boost::json::result<run_sample> tag_invoke(boost::json::try_value_to_tag<run_sample>,
                                           const boost::json::value& in);

}  // namespace perfcheck
