// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/limits.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"

namespace perfcheck {
namespace {

// Limits: generous ceilings that still catch a unit typo ("256TiB" of memory).
constexpr double max_limit_duration_ns = 7 * 24 * 3600e9;
constexpr double max_limit_size = 1024.0 * 1024 * 1024 * 1024 * 1024;  // 1 PiB
// The launcher walks at most 8192 processes per sample; half of that keeps PROCESSES exact.
constexpr std::int64_t max_processes = 4096;
constexpr std::int64_t max_open_files = 1 << 20;

std::string kind_list() {
  std::string out;
  for (limit_kind k : all_limit_kinds) out += fmt::format("{}{}", out.empty() ? "" : ", ", to_string(k));
  return out;
}

}  // namespace

std::int64_t resource_limits::get(limit_kind kind) const {
  switch (kind) {
    case limit_kind::memory: return memory_bytes;
    case limit_kind::cpu_time: return cpu_time_ns;
    case limit_kind::timeout: return timeout_ns;
    case limit_kind::processes: return processes;
    case limit_kind::open_files: return open_files;
    case limit_kind::file_size: return file_size_bytes;
    case limit_kind::output: return output_bytes;
  }
  return 0;
}

void resource_limits::set(limit_kind kind, std::int64_t value) {
  switch (kind) {
    case limit_kind::memory: memory_bytes = value; break;
    case limit_kind::cpu_time: cpu_time_ns = value; break;
    case limit_kind::timeout: timeout_ns = value; break;
    case limit_kind::processes: processes = value; break;
    case limit_kind::open_files: open_files = value; break;
    case limit_kind::file_size: file_size_bytes = value; break;
    case limit_kind::output: output_bytes = value; break;
  }
}

unit_kind limit_unit(limit_kind kind) {
  switch (kind) {
    case limit_kind::memory:
    case limit_kind::file_size:
    case limit_kind::output: return unit_kind::size;
    case limit_kind::cpu_time:
    case limit_kind::timeout: return unit_kind::duration;
    case limit_kind::processes:
    case limit_kind::open_files: return unit_kind::count;
  }
  return unit_kind::count;
}

std::int64_t parse_limit_value(limit_kind kind, std::string_view text) {
  const unit_kind unit = limit_unit(kind);
  const char* example = unit == unit_kind::size ? "256MiB" : unit == unit_kind::duration ? "60s" : "64";
  double value = 0;
  try {
    const quantity q = parse_quantity(text);
    if (q.kind != unit) {
      throw usage_error(fmt::format("'{}' is not a {}; write e.g. {}{}", text, to_string(unit), example,
                                    unit == unit_kind::count ? "" : fmt::format(" ({})", allowed_units(unit))));
    }
    value = q.value;
  } catch (const usage_error& e) {
    throw usage_error(fmt::format("limit {}: {}", to_string(kind), e.what()));
  }
  double ceiling = unit == unit_kind::size       ? max_limit_size
                   : unit == unit_kind::duration ? max_limit_duration_ns
                   : kind == limit_kind::processes ? double(max_processes)
                                                  : double(max_open_files);
  double floor = kind == limit_kind::open_files ? 3 : 1;
  if (unit == unit_kind::count && value != std::floor(value)) {
    throw usage_error(fmt::format("limit {}: '{}' is not a whole number; write e.g. {}", to_string(kind), text, example));
  }
  if (value < floor || value > ceiling) {
    throw usage_error(fmt::format(
        "limit {}: '{}' is out of range; use {} to {}{}", to_string(kind), text,
        format_limit_value(kind, floor), format_limit_value(kind, ceiling),
        kind == limit_kind::open_files ? " (stdin, stdout and stderr count)" : ""));
  }
  return static_cast<std::int64_t>(std::llround(value));
}

std::pair<limit_kind, std::int64_t> parse_limit_assignment(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    throw usage_error(fmt::format("limit '{}' is not KIND=VALUE; write e.g. MEMORY=256MiB or TIMEOUT=60s "
                                  "(kinds: {})", text, kind_list()));
  }
  const auto kind = limit_kind_from_string(text.substr(0, eq));
  if (!kind) {
    throw usage_error(fmt::format("limit '{}': unknown kind '{}'; use one of {}", text, text.substr(0, eq),
                                  kind_list()));
  }
  return {*kind, parse_limit_value(*kind, text.substr(eq + 1))};
}

std::string format_limit_value(limit_kind kind, double value) {
  return format_quantity(value, limit_unit(kind));
}

std::vector<int> parse_cpu_list(std::string_view text, std::string_view origin) {
  auto bad = [&](const std::string& problem) -> usage_error {
    return usage_error(fmt::format("{}: '{}' {}; write CPU numbers and ranges like 0,2-3", origin, text, problem));
  };
  auto number = [&](std::string_view part) {
    int value = -1;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc{} || ptr != part.data() + part.size() || value < 0) {
      throw bad(fmt::format("has '{}', which is not a CPU number", part));
    }
    if (value >= max_cpu_count) throw bad(fmt::format("names CPU {}; perfcheck pins to CPUs 0 to {}", value, max_cpu_count - 1));
    return value;
  };
  std::vector<int> cpus;
  std::size_t begin = 0;
  if (text.empty()) throw bad("is empty");
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find(',', begin), text.size());
    const std::string_view part = text.substr(begin, end - begin);
    const auto dash = part.find('-');
    if (dash == std::string_view::npos) {
      cpus.push_back(number(part));
    } else {
      const int first = number(part.substr(0, dash));
      const int last = number(part.substr(dash + 1));
      if (last < first) throw bad(fmt::format("has the range '{}', which runs backwards", part));
      for (int c = first; c <= last; ++c) cpus.push_back(c);
    }
    begin = end + 1;
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    out += fmt::format("{}{}", out.empty() ? "" : ",", cpus[i]);
    if (j > i) out += fmt::format("-{}", cpus[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace perfcheck
