// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/load/load_spec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "perfcheck/load/load_report.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck::load {
namespace {

[[noreturn]] void bad_url(std::string_view origin, std::string_view url, std::string_view problem) {
  throw usage_error(fmt::format("{}: bad URL '{}': {}; write http://127.0.0.1:PORT/PATH (or [::1], localhost)",
                                origin, url, problem));
}

bool is_loopback(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.a.b.c, each part a decimal 0..255.
  if (!host.starts_with("127.")) return false;
  int parts = 0;
  for (std::size_t begin = 0; begin <= host.size(); ++parts) {
    const auto end = std::min(host.find('.', begin), host.size());
    int value = -1;
    const auto [ptr, ec] = std::from_chars(host.data() + begin, host.data() + end, value);
    if (ec != std::errc{} || ptr != host.data() + end || value > 255 || end - begin > 3) return false;
    begin = end + 1;
  }
  return parts == 4;
}

std::uint16_t parse_port(std::string_view origin, std::string_view url, std::string_view text) {
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || value == 0 || value > 65535) {
    bad_url(origin, url, fmt::format("the port '{}' is not a number from 1 to 65535", text));
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

http_target parse_target(std::string_view url, std::string_view origin, const std::vector<std::string>& allowed) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) bad_url(origin, url, "only http:// is supported");
  std::string_view rest = url.substr(scheme.size());
  const auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  http_target target;
  if (slash != std::string_view::npos) {
    if (rest[slash] != '/') bad_url(origin, url, "the path must start with /");
    target.path = std::string(rest.substr(slash));
    if (target.path.find_first_of(" \r\n#") != std::string::npos) bad_url(origin, url, "the path has a space, a line break or a #");
  }
  if (authority.find('@') != std::string_view::npos) bad_url(origin, url, "user names are not supported");
  std::string_view host = authority, port;
  bool port_given = false;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) bad_url(origin, url, "the [ of an IPv6 address is not closed");
    host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) bad_url(origin, url, "only :PORT may follow the ]");
    port_given = !after.empty();
    if (port_given) port = after.substr(1);
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    port_given = true;
  }
  if (host.empty()) bad_url(origin, url, "the host is missing");
  if (!is_loopback(host) && std::find(allowed.begin(), allowed.end(), host) == allowed.end()) {
    bad_url(origin, url, fmt::format("'{}' is not a loopback address: perfcheck sends load only to this machine unless "
                                     "--allow-host {} allows that host", host, host));
  }
  target.host = std::string(host);
  if (port_given) target.port = parse_port(origin, url, port);
  return target;
}

void parse_size_range(std::string_view text, std::string_view origin, response_check& check) {
  const auto dots = text.find("..");
  const auto fail = [&](std::string_view problem) {
    throw usage_error(fmt::format("{} '{}': {}; write MIN..MAX in sizes, e.g. 100B..64KiB, ..1MiB or 1KiB..", origin,
                                  text, problem));
  };
  if (dots == std::string_view::npos) fail("no '..' between the smallest and the largest size");
  const auto size_of = [&](std::string_view side) -> std::int64_t {
    quantity q;
    try {
      q = parse_quantity(side);
    } catch (const usage_error& e) {
      fail(e.what());
    }
    if (q.kind != unit_kind::size || q.value < 0) fail(fmt::format("'{}' is not a size", side));
    return static_cast<std::int64_t>(q.value);
  };
  const auto low = text.substr(0, dots), high = text.substr(dots + 2);
  if (low.empty() && high.empty()) fail("both sizes are missing");
  check.min_bytes = low.empty() ? 0 : size_of(low);
  check.max_bytes = high.empty() ? -1 : size_of(high);
  if (check.max_bytes >= 0 && check.min_bytes > check.max_bytes) fail("the smallest size is above the largest");
}

void check_spec(const load_spec& spec) {
  if (spec.connections < 1 || spec.connections > 10000) {
    throw usage_error(fmt::format("--connections {}: give 1 to 10000 connections", spec.connections));
  }
  if (spec.threads < 1 || spec.threads > max_load_threads) {
    throw usage_error(fmt::format("--threads {}: give 1 to {} threads", spec.threads, max_load_threads));
  }
  if (spec.threads > spec.connections) {
    throw usage_error(fmt::format("--threads {}: each thread drives connections of its own, and there are {} (--connections); "
                                  "raise --connections to at least {} or give fewer threads",
                                  spec.threads, spec.connections, spec.threads));
  }
  if (!std::isfinite(spec.rate) || spec.rate < 0 || spec.rate > 1e7) {
    throw usage_error(fmt::format("--rate {}: give a rate above 0 and at most 10000000/s, e.g. --rate 200/s", spec.rate));
  }
  if (!spec.stages.empty() && (spec.rate > 0 || spec.duration_ns > 0 || spec.requests > 0)) {
    throw usage_error("load: --stages goes without --rate, --duration and --requests: each stage gives its own duration "
                      "and rate (e.g. --stages '10s:50/s 5s:1000/s 30s:50/s')");
  }
  if (spec.stages.empty() && spec.duration_ns <= 0 && spec.requests <= 0) {
    throw usage_error("load: give --duration (e.g. 10s), --requests (e.g. 1000) or --stages (e.g. '10s:50/s 5s:1000/s'): "
                      "a run needs a bound");
  }
  if (spec.duration_ns < 0 || spec.requests < 0) throw usage_error("load: --duration and --requests must not be negative");
  if (spec.timeout_ns <= 0) throw usage_error("--timeout: give a duration above 0, e.g. 5s");
  if (spec.method.empty() || spec.method.find_first_of(" \r\n") != std::string::npos) {
    throw usage_error(fmt::format("--method '{}': give an HTTP method such as GET or POST", spec.method));
  }
  for (const auto& [name, value] : spec.headers) {
    if (name.empty() || name.find_first_of(" :\r\n") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) {
      throw usage_error(fmt::format("--header '{}': write 'Name: value' on one line", name));
    }
  }
}

std::int64_t load_report::error_count() const {
  std::int64_t total = 0;
  for (auto n : errors) total += n;
  return total;
}

double load_report::error_rate() const {
  return started > 0 ? static_cast<double>(error_count()) / static_cast<double>(started) : 0.0;
}

load_report merge_reports(const std::vector<load_report>& parts) {
  load_report whole;
  for (const auto& part : parts) {
    whole.latency.merge(part.latency);
    whole.service.merge(part.service);
    whole.lag.merge(part.lag);
    whole.started += part.started;
    whole.responses += part.responses;
    whole.dropped += part.dropped;
    for (std::size_t k = 0; k < whole.errors.size(); ++k) whole.errors[k] += part.errors[k];
    whole.body_bytes += part.body_bytes;
    whole.response_bytes.merge(part.response_bytes);
    whole.wall_ns = std::max(whole.wall_ns, part.begin_ns + part.wall_ns);
  }
  return whole;
}

double load_report::throughput() const {
  return wall_ns > 0 ? static_cast<double>(responses) / (static_cast<double>(wall_ns) / 1e9) : 0.0;
}

}  // namespace perfcheck::load
