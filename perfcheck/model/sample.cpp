// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/sample.hpp"

#include <csignal>
#include <cstring>

#include <boost/json.hpp>
#include <fmt/format.h>

namespace perfcheck {

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

void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const run_sample& s) {
  boost::json::object o;
  o["wall_ns"] = s.wall_ns;
  o["user_ns"] = s.user_ns;
  o["sys_ns"] = s.sys_ns;
  o["max_rss_bytes"] = s.max_rss_bytes;
  o["exit_code"] = s.exit_code ? boost::json::value(*s.exit_code) : boost::json::value(nullptr);
  o["signal"] = s.signal ? boost::json::value(signal_name(*s.signal)) : boost::json::value(nullptr);
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
  return s;
}

}  // namespace perfcheck
