// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What the built-in load generator is asked to do: the target, the request, the model.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/load/load_stages.hpp"

namespace perfcheck::load {

/// An http:// URL on the loopback interface.
struct http_target {
  std::string host;           ///< "127.0.0.1", "::1" (without brackets) or "localhost"
  std::uint16_t port = 80;
  std::string path = "/";     ///< the request target, query included
};

/// Reads "http://HOST[:PORT][/PATH]". HOST must be a loopback address (127.0.0.0/8, [::1]) or
/// "localhost", or one of `allowed` (--allow-host, as written in the URL, without brackets):
/// perfcheck drives load only against this machine unless the test allows another host. Throws
/// usage_error naming `origin` (the flag or keyword) and the fix.
http_target parse_target(std::string_view url, std::string_view origin, const std::vector<std::string>& allowed = {});

/// What makes a response right: its status and, optionally, text its body contains and the range
/// its body's size is in.
struct response_check {
  int status = 0;              ///< 0: any 2xx or 3xx
  std::string body_contains;   ///< "" checks nothing
  std::int64_t min_bytes = 0;  ///< the smallest right body
  std::int64_t max_bytes = -1; ///< the largest right body; -1: any
};

/// Reads --expect-size "MIN..MAX" (sizes with units: "100B..64KiB"; either side may be left out,
/// "..1MiB", "1KiB..") into `check`. Throws usage_error naming `origin` and the fix.
void parse_size_range(std::string_view text, std::string_view origin, response_check& check);

/// The most generator threads one run may use (--threads).
inline constexpr int max_load_threads = 64;

/// One load run. The closed model (rate == 0) keeps `connections` requests in flight, each
/// connection sending its next request when the last one answered; the open model (rate > 0)
/// starts requests at a constant rate on a schedule fixed in advance, whatever the server does,
/// on at most `connections` connections (a start waits for a free one, at most `start_bound_ns`,
/// else it is dropped). The run ends after `duration_ns` or `requests` starts, whichever comes
/// first (0: not that bound; at least one is set). With `stages` (the open model in stages), the
/// rate, duration and requests are 0: the stages run back to back on one schedule.
struct load_spec {
  http_target target;
  std::string url;  ///< the URL as given, {port} replaced by the server's port: for messages
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  /// The request bodies: none (empty), one, or several that the requests cycle through, request k
  /// sending bodies[k mod N] (--body-file A B C: seeded payloads; with --threads, k counts each
  /// thread's requests).
  std::vector<std::string> bodies;
  response_check check;
  int connections = 1;
  /// Generator threads, each with its own event loop and a share of the connections (--threads),
  /// of a closed model's request count (split when the run starts) and, in turn, of the open
  /// model's starts (a start waits for a free connection of its own thread); their reports merge
  /// stage by stage. At most max_load_threads and at most the connections.
  int threads = 1;
  double rate = 0;                            ///< requests per second; 0 is the closed model
  std::int64_t duration_ns = 0;
  std::int64_t requests = 0;
  std::vector<load_stage> stages;             ///< empty: one run at `rate` (or the closed model)
  std::int64_t timeout_ns = 5'000'000'000;    ///< per connect and per request (write + response)
  std::int64_t start_bound_ns = 5'000'000'000;  ///< open model: the longest a start may wait
  std::int64_t max_body_bytes = 8 << 20;      ///< a larger response body is an `io` error
};

/// Checks a spec's numbers; throws usage_error naming the flag to fix.
void check_spec(const load_spec& spec);

}  // namespace perfcheck::load
