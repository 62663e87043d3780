// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// wrk prints its summary with printf from src/wrk.c: times through format_time_us (us, ms, s,
// m, h), sizes through format_binary (K, M, G, T, P: powers of 1024) followed by "B".
#include "perfcheck/ingest/wrk_output.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"

namespace perfcheck::ingest {
namespace {

std::optional<double> number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0) {
    return std::nullopt;
  }
  return value;
}

// "27.96ms" → ns.
std::optional<double> wrk_time(std::string_view text) {
  static const std::pair<std::string_view, double> units[] = {
      {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  for (const auto& [suffix, factor] : units) {
    if (text.size() > suffix.size() && text.ends_with(suffix)) {
      const auto n = number(text.substr(0, text.size() - suffix.size()));
      if (n) return *n * factor;
    }
  }
  return std::nullopt;
}

// "6.79MB" → bytes.
std::optional<double> wrk_size(std::string_view text) {
  if (!text.ends_with('B')) return std::nullopt;
  text.remove_suffix(1);
  static constexpr std::string_view prefixes = "KMGTP";
  double factor = 1;
  if (!text.empty()) {
    if (const auto at = prefixes.find(text.back()); at != std::string_view::npos) {
      factor = std::pow(1024.0, static_cast<double>(at + 1));
      text.remove_suffix(1);
    }
  }
  const auto n = number(text);
  return n ? std::optional<double>(*n * factor) : std::nullopt;
}

std::int64_t count(const std::string& text) { return std::stoll(text); }

// One line of the output, for messages.
struct output_line {
  std::string_view origin;
  std::size_t number = 0;
  std::string text;
  [[noreturn]] void fail(std::string_view problem) const {
    throw usage_error(fmt::format("{}: line {}: '{}': {}", origin, number, text, problem));
  }
  double time(const std::string& field) const {
    const auto v = wrk_time(field);
    if (!v) fail(fmt::format("'{}' is not a wrk time (a number with us, ms, s, m or h)", field));
    return *v;
  }
  double size(const std::string& field) const {
    const auto v = wrk_size(field);
    if (!v) fail(fmt::format("'{}' is not a wrk size (a number with B, KB, MB, GB, TB or PB)", field));
    return *v;
  }
};

// The thread-stats "Latency" line: average, deviation, maximum, share within one deviation.
void read_latency_stats(const output_line& line, wrk_report& r) {
  static const std::regex form(R"(Latency\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+%)");
  std::smatch m;
  if (!std::regex_match(line.text, m, form)) line.fail("expected 'Latency AVG STDEV MAX +/-STDEV%'");
  r.latency_mean_ns = line.time(m[1]);
  r.latency_stdev_ns = line.time(m[2]);
  r.latency_max_ns = line.time(m[3]);
}

// Returns whether the line was one of the summary's; fills `r`.
bool read_summary_line(const output_line& line, wrk_report& r, bool& requests_seen, bool& rate_seen) {
  static const std::regex requests(R"((\d+) requests in (\S+), (\S+) read)");
  static const std::regex sockets(R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))");
  static const std::regex status(R"(Non-2xx or 3xx responses: (\d+))");
  static const std::regex rate(R"(Requests/sec:\s+(\S+))");
  static const std::regex transfer(R"(Transfer/sec:\s+(\S+))");
  std::smatch m;
  if (std::regex_match(line.text, m, requests)) {
    r.requests = count(m[1]);
    r.duration_ns = line.time(m[2]);
    r.bytes_read = line.size(m[3]);
    requests_seen = true;
  } else if (std::regex_match(line.text, m, sockets)) {
    r.connect_errors = count(m[1]);
    r.read_errors = count(m[2]);
    r.write_errors = count(m[3]);
    r.timeouts = count(m[4]);
  } else if (std::regex_match(line.text, m, status)) {
    r.bad_status = count(m[1]);
  } else if (std::regex_match(line.text, m, rate)) {
    const auto v = number(m[1].str());
    if (!v) line.fail(fmt::format("'{}' is not a number of requests per second", m[1].str()));
    r.requests_per_second = *v;
    rate_seen = true;
  } else if (std::regex_match(line.text, m, transfer)) {
    r.bytes_per_second = line.size(m[1]);
  } else {
    return false;
  }
  return true;
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return std::string(text);
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    lines.push_back(trimmed(text.substr(0, end)));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

}  // namespace

double wrk_report::error_rate() const {
  const double attempted = static_cast<double>(requests + connect_errors + read_errors + write_errors + timeouts);
  return attempted > 0 ? static_cast<double>(errors()) / attempted : 0.0;
}

wrk_report read_wrk_output(std::string_view text, std::string_view origin) {
  static const std::regex running(R"(Running (\S+) test @ (\S+))");
  static const std::regex threads(R"((\d+) threads and (\d+) connections)");
  static const std::regex percentile(R"((\d+)%\s+(\S+))");
  wrk_report r;
  bool requests_seen = false, rate_seen = false, in_distribution = false;
  const auto lines = lines_of(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const output_line line{origin, i + 1, lines[i]};
    std::smatch m;
    if (line.text.starts_with("unable to connect to ")) line.fail("wrk could not connect; is the server up on that address?");
    if (std::regex_match(line.text, m, running)) {
      r.url = m[2];
    } else if (std::regex_match(line.text, m, threads)) {
      r.threads = static_cast<int>(count(m[1]));
      r.connections = static_cast<int>(count(m[2]));
    } else if (line.text == "Latency Distribution") {
      in_distribution = true;
    } else if (in_distribution && std::regex_match(line.text, m, percentile)) {
      r.latency_percentiles_ns[static_cast<int>(count(m[1]))] = line.time(m[2]);
    } else if (line.text.starts_with("Latency ")) {
      read_latency_stats(line, r);
    } else if (read_summary_line(line, r, requests_seen, rate_seen)) {
      in_distribution = false;
    }
  }
  if (!requests_seen || !rate_seen) {
    throw usage_error(fmt::format(
        "{}: no wrk summary ('N requests in T, S read' and 'Requests/sec'); is this wrk's output? "
        "(it starts: '{}')",
        origin, lines.empty() ? std::string() : lines.front().substr(0, 80)));
  }
  return r;
}

}  // namespace perfcheck::ingest
