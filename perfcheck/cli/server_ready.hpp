// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// When a server under test is ready: the READY check (http, tcp, log), parsed once and probed
// until it passes; and the free loopback port of PORT auto.
#pragma once

#include <cstdint>
#include <filesystem>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace perfcheck::cli {

/// A parsed READY check.
struct ready_check {
  enum class kind { tcp, http, log, none };
  kind what = kind::none;
  std::string path = "/";  ///< http: the request path (starts with '/')
  int status = 200;        ///< http: the expected status code
  std::string pattern;     ///< log: the regular expression's text
  std::regex regex;        ///< log: compiled (ECMAScript)
};

/// Parses "http:/path[:status]", "tcp", "log:REGEX" or "none"; "" means tcp when the server has
/// a port, else none. Throws usage_error naming --ready, what is wrong and the forms.
ready_check parse_ready_check(std::string_view text, bool has_port);

/// The check as messages show it: "http GET /health -> 200", "tcp connect", "log /ready/".
std::string describe(const ready_check& check, int port);

/// One probe: "" when the check passed, else what was seen ("connection refused", "answered 503").
/// Log checks read `logs` (the server's output files) from the start each time.
std::string probe(const ready_check& check, int port, const std::vector<std::filesystem::path>& logs);

/// A port no one listens on now: bind 127.0.0.1:0, read it, close. Another process may take it
/// before the server binds it; the ready check then fails and says so. Throws system_error.
int free_loopback_port();

/// The last `count` lines of a file (at most 8 KiB read from its end), each prefixed with
/// "  | "; "(empty)" or "(cannot be read)" otherwise.
std::string last_lines(const std::filesystem::path& file, int count);

}  // namespace perfcheck::cli
