// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/server_state.hpp"

#include <cctype>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/model/atomic_file.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"

namespace perfcheck::cli {
namespace {
constexpr const char* state_schema = "perfcheck/server-state/v1";
}

std::filesystem::path state_file_path(const std::filesystem::path& dir, const std::string& name) {
  return dir / (name + ".json");
}

void write_server_state(const std::filesystem::path& file, const server_state& s) {
  const boost::json::object o{{"schema", state_schema},      {"name", s.name},
                              {"supervisor_pid", s.supervisor_pid}, {"server_pid", s.server_pid},
                              {"port", s.port},              {"stdout", s.stdout_log},
                              {"stderr", s.stderr_log},      {"ready_check", s.ready_check},
                              {"ready_ms", s.ready_ms},      {"status", s.status},
                              {"exit", s.exit},              {"left_killed", s.left_killed},
                              {"limit", s.limit}};
  write_file_atomic(file, boost::json::serialize(o) + "\n");
}

std::optional<server_state> read_server_state(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::nullopt;
  const boost::json::value json = read_json_file(file);
  const json_reader r(json, file.string());
  if (r.required_string("schema") != state_schema) {
    r.fail("schema", fmt::format("not a server state file; expected '{}'", state_schema));
  }
  server_state s;
  s.name = r.required_string("name");
  s.supervisor_pid = static_cast<pid_t>(r.optional_int("supervisor_pid", 1, INT32_MAX).value_or(0));
  s.server_pid = static_cast<pid_t>(r.optional_int("server_pid", 1, INT32_MAX).value_or(0));
  s.port = static_cast<int>(r.optional_int("port", 0, 65535).value_or(0));
  s.stdout_log = r.optional_string("stdout").value_or("");
  s.stderr_log = r.optional_string("stderr").value_or("");
  s.ready_check = r.optional_string("ready_check").value_or("");
  s.ready_ms = r.optional_number("ready_ms").value_or(0);
  s.status = r.optional_string("status").value_or("running");
  s.exit = r.optional_string("exit").value_or("");
  s.left_killed = static_cast<int>(r.optional_int("left_killed", 0, INT32_MAX).value_or(0));
  s.limit = r.optional_string("limit").value_or("");
  return s;
}

std::string state_reason(const server_state& state) {
  return state.limit.empty() ? "" : ", stopped by perfcheck at its " + state.limit;
}

std::string server_name_problem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.size() > 64) return "is longer than 64 characters";
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return "may hold only letters, digits, '_', '-' and '.'";
    }
  }
  if (name[0] == '.') return "may not start with '.'";
  return "";
}

}  // namespace perfcheck::cli
