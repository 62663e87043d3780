// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/sample.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <csignal>
#include <cstring>

#include <boost/json.hpp>
#include <fmt/format.h>

namespace perfcheck {

std::string measured_run_problem(const run_sample& s) {
  if (s.wall_ns <= 0) {
    return "has wall_ns 0; no measured run takes no time, and such a run makes every regression "
           "gate against it undecidable: measure the test again (or remove the run)";
  }
  return {};
}

std::string signal_name(int signal) {
  // sigabbrev_np is glibc >= 2.32; Debian 12 ships 2.36.
  if (const char* abbrev = sigabbrev_np(signal)) return std::string("SIG") + abbrev;
  return fmt::format("SIG{}", signal);
}

std::optional<int> signal_from_name(std::string_view name) {
  if (name.starts_with("SIG")) name.remove_prefix(3);
  for (int s = 1; s < NSIG; ++s) {
    const char* abbrev = sigabbrev_np(s);
    if (abbrev != nullptr && name == abbrev) return s;
  }
  if (name.empty()) return std::nullopt;
  int number = 0;
  for (char c : name) {
    if (c < '0' || c > '9' || number > NSIG) return std::nullopt;
    number = number * 10 + (c - '0');
  }
  if (number <= 0 || number >= NSIG) return std::nullopt;
  return number;
}

namespace {

constexpr std::array<std::pair<limit_kind, const char*>, 7> limit_names{{
    {limit_kind::memory, "MEMORY"},
    {limit_kind::cpu_time, "CPU_TIME"},
    {limit_kind::timeout, "TIMEOUT"},
    {limit_kind::processes, "PROCESSES"},
    {limit_kind::open_files, "OPEN_FILES"},
    {limit_kind::file_size, "FILE_SIZE"},
    {limit_kind::output, "OUTPUT"},
}};

// The tree counters of a run, by JSON key; all optional when reading (older results).
constexpr std::array<std::pair<const char*, std::int64_t run_sample::*>, 11> tree_counters{{
    {"rss_tree_bytes", &run_sample::rss_tree_bytes},
    {"io_read_bytes", &run_sample::io_read_bytes},
    {"io_write_bytes", &run_sample::io_write_bytes},
    {"io_read_chars", &run_sample::io_read_chars},
    {"io_write_chars", &run_sample::io_write_chars},
    {"ctx_voluntary", &run_sample::ctx_voluntary},
    {"ctx_involuntary", &run_sample::ctx_involuntary},
    {"faults_major", &run_sample::faults_major},
    {"faults_minor", &run_sample::faults_minor},
    {"leaked_processes", &run_sample::leaked_processes},
    {"threads_max", &run_sample::threads_max},
}};

// [t_ns, rss_bytes, processes] or, since threads are counted, [..., threads]; nullopt when
// malformed.
std::optional<memory_point> timeline_point(const boost::json::value& point) {
  const auto* a = point.if_array();
  if (a == nullptr || a->size() < 3 || a->size() > 4) return std::nullopt;
  std::int64_t v[4] = {0, 0, 0, 0};
  for (std::size_t i = 0; i < a->size(); ++i) {
    if (!(*a)[i].is_int64() || (*a)[i].get_int64() < 0) return std::nullopt;
    v[i] = (*a)[i].get_int64();
  }
  if (v[2] > (1 << 30) || v[3] > (1 << 30)) return std::nullopt;
  return memory_point{v[0], v[1], static_cast<int>(v[2]), static_cast<int>(v[3])};
}

}  // namespace

const char* to_string(limit_kind kind) {
  for (const auto& [k, name] : limit_names) {
    if (k == kind) return name;
  }
  return "UNKNOWN";
}

std::string limit_key(limit_kind kind) {
  std::string key = to_string(kind);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

std::optional<limit_kind> limit_kind_from_string(std::string_view name) {
  std::string upper;
  for (char c : name) upper += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& [k, n] : limit_names) {
    if (upper == n) return k;
  }
  return std::nullopt;
}

namespace {

// "reported": {"startup": {"kind": "duration", "values": [5.2e8]}, "links": {"kind": "count",
// "counter": true, "values": [3]}, "hit": {"kind": "count", "percent": true, ...}}.
boost::json::object reported_to_json(const std::map<std::string, reported_values>& reported) {
  boost::json::object o;
  for (const auto& [name, r] : reported) {
    boost::json::object m;
    m["kind"] = to_string(r.kind);
    if (r.percent) m["percent"] = true;
    if (r.counter) m["counter"] = true;
    m["values"] = boost::json::value_from(r.values);
    o[name] = std::move(m);
  }
  return o;
}

// A reported metric's name as the channel allows it (docs/metrics.md): a letter, then letters,
// digits, '_', '.' or '-', at most 64; so a name from a file is safe in every output.
bool reported_name_ok(std::string_view name) {
  if (name.empty() || name.size() > 64 || !std::isalpha(static_cast<unsigned char>(name.front()))) return false;
  for (const char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

std::optional<std::map<std::string, reported_values>> reported_from_json(const boost::json::value& v) {
  const auto* o = v.if_object();
  if (o == nullptr) return std::nullopt;
  std::map<std::string, reported_values> out;
  for (const auto& [name, entry] : *o) {
    const auto* m = entry.if_object();
    if (m == nullptr || !reported_name_ok(name)) return std::nullopt;
    reported_values r;
    const auto* kind = m->if_contains("kind");
    const auto parsed = kind && kind->is_string() ? unit_kind_from_string(kind->get_string()) : std::nullopt;
    const auto* values = m->if_contains("values");
    if (!parsed || values == nullptr || !values->is_array()) return std::nullopt;
    r.kind = *parsed;
    for (const char* flag : {"percent", "counter"}) {
      const auto* f = m->if_contains(flag);
      if (f != nullptr && !f->is_bool()) return std::nullopt;
      (std::string_view(flag) == "percent" ? r.percent : r.counter) = f != nullptr && f->get_bool();
    }
    for (const auto& x : values->get_array()) {
      if (!x.is_number() || !std::isfinite(x.to_number<double>())) return std::nullopt;
      r.values.push_back(x.to_number<double>());
    }
    out.emplace(std::string(name), std::move(r));
  }
  return out;
}

}  // namespace

void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const run_sample& s) {
  boost::json::object o;
  o["wall_ns"] = s.wall_ns;
  o["user_ns"] = s.user_ns;
  o["sys_ns"] = s.sys_ns;
  o["max_rss_bytes"] = s.max_rss_bytes;
  o["exit_code"] = s.exit_code ? boost::json::value(*s.exit_code) : boost::json::value(nullptr);
  o["signal"] = s.signal ? boost::json::value(signal_name(*s.signal)) : boost::json::value(nullptr);
  for (const auto& [key, member] : tree_counters) o[key] = s.*member;
  if (s.instructions > 0) o["instructions"] = s.instructions;  // only counted runs have it
  o["limit"] = s.limit ? boost::json::value(to_string(*s.limit)) : boost::json::value(nullptr);
  o["limit_observed"] = s.limit_observed;
  boost::json::array timeline;
  timeline.reserve(s.memory_timeline.size());
  for (const auto& p : s.memory_timeline) timeline.push_back({p.t_ns, p.rss_bytes, p.processes, p.threads});
  o["memory_timeline"] = std::move(timeline);
  if (!s.reported.empty()) o["reported"] = reported_to_json(s.reported);
  out = std::move(o);
}

boost::json::result<run_sample> tag_invoke(boost::json::try_value_to_tag<run_sample>,
                                           const boost::json::value& in) {
  const auto* o = in.if_object();
  if (o == nullptr) return boost::json::make_error_code(boost::json::error::not_object);
  run_sample s;
  auto int_field = [&](std::string_view key, std::int64_t& into) -> bool {
    const auto* v = o->if_contains(key);
    if (v == nullptr || !v->is_int64() || v->get_int64() < 0) return false;
    into = v->get_int64();
    return true;
  };
  if (!int_field("wall_ns", s.wall_ns) || !int_field("user_ns", s.user_ns) ||
      !int_field("sys_ns", s.sys_ns) || !int_field("max_rss_bytes", s.max_rss_bytes)) {
    return boost::json::make_error_code(boost::json::error::not_number);
  }
  if (const auto* v = o->if_contains("exit_code"); v != nullptr && !v->is_null()) {
    if (!v->is_int64()) return boost::json::make_error_code(boost::json::error::not_number);
    s.exit_code = static_cast<int>(v->get_int64());
  }
  if (const auto* v = o->if_contains("signal"); v != nullptr && !v->is_null()) {
    if (!v->is_string()) return boost::json::make_error_code(boost::json::error::not_string);
    auto number = signal_from_name(v->get_string());
    if (!number) return boost::json::make_error_code(boost::json::error::not_string);
    s.signal = *number;
  }
  for (const auto& [key, member] : tree_counters) {
    if (o->contains(key) && !int_field(key, s.*member)) {
      return boost::json::make_error_code(boost::json::error::not_number);
    }
  }
  if (o->contains("instructions") && !int_field("instructions", s.instructions)) {
    return boost::json::make_error_code(boost::json::error::not_number);
  }
  if (const auto* v = o->if_contains("limit"); v != nullptr && !v->is_null()) {
    if (!v->is_string()) return boost::json::make_error_code(boost::json::error::not_string);
    s.limit = limit_kind_from_string(v->get_string());
    if (!s.limit) return boost::json::make_error_code(boost::json::error::not_string);
  }
  if (const auto* v = o->if_contains("limit_observed"); v != nullptr) {
    if (!v->is_number() || v->to_number<double>() < 0) {
      return boost::json::make_error_code(boost::json::error::not_number);
    }
    s.limit_observed = v->to_number<double>();
  }
  if (const auto* v = o->if_contains("memory_timeline"); v != nullptr) {
    if (!v->is_array()) return boost::json::make_error_code(boost::json::error::not_array);
    for (const auto& point : v->get_array()) {
      auto p = timeline_point(point);
      if (!p) return boost::json::make_error_code(boost::json::error::not_array);
      s.memory_timeline.push_back(*p);
    }
  }
  if (const auto* v = o->if_contains("reported"); v != nullptr) {
    auto reported = reported_from_json(*v);
    if (!reported) return boost::json::make_error_code(boost::json::error::not_object);
    s.reported = std::move(*reported);
  }
  return s;
}

}  // namespace perfcheck
