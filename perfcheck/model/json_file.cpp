// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/json_file.hpp"

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <functional>
#include <sstream>
#include <system_error>
#include <unordered_set>
#include <vector>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <fmt/format.h>

#include "perfcheck/model/atomic_file.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_exact_handler.hpp"

namespace perfcheck {
namespace {

using boost::system::error_code;
using detail::exact_handler;

void pretty_print(std::string& out, const boost::json::value& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  const std::string closing(static_cast<std::size_t>(indent), ' ');
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) { out += "{}"; return; }
      out += "{\n";
      bool first = true;
      for (const auto& kv : o) {
        if (!first) out += ",\n";
        first = false;
        out += pad;
        out += boost::json::serialize(boost::json::value(kv.key()));
        out += ": ";
        pretty_print(out, kv.value(), indent + 2);
      }
      out += '\n';
      out += closing;
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) { out += "[]"; return; }
      // Arrays of scalars stay on one line: run lists stay readable.
      bool scalars = true;
      for (const auto& e : a) scalars = scalars && !e.is_object() && !e.is_array();
      if (scalars) {
        out += "[";
        for (std::size_t i = 0; i < a.size(); ++i) {
          if (i) out += ", ";
          out += boost::json::serialize(a[i]);
        }
        out += "]";
        return;
      }
      out += "[\n";
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i) out += ",\n";
        out += pad;
        pretty_print(out, a[i], indent + 2);
      }
      out += '\n';
      out += closing;
      out += ']';
      return;
    }
    default:
      out += boost::json::serialize(v);
  }
}

}  // namespace

std::string schema_of(const boost::json::value& json) {
  const auto* object = json.if_object();
  if (object == nullptr) return {};
  const auto* schema = object->if_contains("schema");
  return schema != nullptr && schema->is_string() ? std::string(schema->get_string()) : std::string();
}

boost::json::value parse_json_text(std::string_view text, std::string_view origin) {
  // Boost.JSON's own number parsing may be one unit in the last place off (1.81); the handler
  // reads real numbers with std::from_chars, so results, baselines and the history round-trip
  // bit for bit.
  boost::json::basic_parser<exact_handler> parser{boost::json::parse_options{}};
  parser.handler().st.reset();
  error_code ec;
  std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec) {
    // Anything after the value other than white space is an error too.
    while (used < text.size() && std::string_view(" \t\r\n").find(text[used]) != std::string_view::npos) ++used;
    if (used < text.size()) {
      ec = make_error_code(boost::json::error::extra_data);
    } else if (!parser.done()) {
      ec = make_error_code(boost::json::error::incomplete);
    }
  }
  if (ec) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < used && i < text.size(); ++i) {
      if (text[i] == '\n') { ++line; column = 1; } else { ++column; }
    }
    if (const auto& duplicate = parser.handler().duplicate) {
      throw usage_error(fmt::format("{}:{}:{}: invalid JSON: the key {} appears twice in one object; keep "
                                    "only one of them", origin, line, column,
                                    boost::json::serialize(boost::json::value(*duplicate))));
    }
    throw usage_error(fmt::format("{}:{}:{}: invalid JSON: {}; fix the syntax there", origin, line,
                                  column, ec.message()));
  }
  return parser.handler().st.release();
}

boost::json::value read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw usage_error(fmt::format("{}: cannot read: {}; check the path", path.string(),
                                  std::generic_category().message(errno)));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_json_text(buffer.str(), path.string());
}

std::string pretty_json(const boost::json::value& value) {
  std::string out;
  pretty_print(out, value, 0);
  out += '\n';
  return out;
}

void write_json_file_atomic(const std::filesystem::path& path, const boost::json::value& value) {
  write_file_atomic(path, pretty_json(value));
}

void write_file_atomic(const std::filesystem::path& path, const std::function<void(const text_sink&)>& produce) {
  atomic_file file(path);  // removes its temp file unless committed
  produce([&](std::string_view text) { file.write(text); });
  file.commit();
}

json_reader::json_reader(const boost::json::value& value, std::string origin, std::string path)
    : object_(value.if_object()), origin_(std::move(origin)), path_(std::move(path)) {
  if (object_ == nullptr) {
    throw usage_error(fmt::format("{}: {}: expected a JSON object {{...}}", origin_,
                                  path_.empty() ? "top level" : "field '" + path_ + "'"));
  }
}

std::string json_reader::place(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void json_reader::fail(std::string_view key, std::string_view problem) const {
  throw usage_error(fmt::format("{}: field '{}': {}", origin_, place(key), problem));
}

const boost::json::value* json_reader::find(std::string_view key) const {
  return object_->if_contains(key);
}

bool json_reader::has(std::string_view key) const { return find(key) != nullptr; }

void json_reader::reject_unknown(const std::vector<std::string_view>& known) const {
  for (const auto& kv : *object_) {
    bool ok = false;
    for (auto k : known) ok = ok || kv.key() == k;
    if (!ok) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      fail(kv.key(), fmt::format("unknown field; known fields here: {}", list));
    }
  }
}

std::string json_reader::required_string(std::string_view key) const {
  auto v = optional_string(key);
  if (!v) fail(key, "missing; add it as a string");
  return *v;
}

std::optional<std::string> json_reader::optional_string(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) fail(key, fmt::format("expected a string, got {}", boost::json::serialize(*v)));
  return std::string(v->get_string());
}

std::optional<std::int64_t> json_reader::optional_int(std::string_view key, std::int64_t min,
                                                      std::int64_t max) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  std::int64_t n = 0;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64()) {
    n = max;  // beyond int64: certainly out of range below
    if (v->get_uint64() <= static_cast<std::uint64_t>(max)) n = static_cast<std::int64_t>(v->get_uint64());
    else fail(key, fmt::format("{} is out of range; use a whole number from {} to {}", v->get_uint64(), min, max));
  } else {
    fail(key, fmt::format("expected a whole number from {} to {}, got {}", min, max,
                          boost::json::serialize(*v)));
  }
  if (n < min || n > max) {
    fail(key, fmt::format("{} is out of range; use a whole number from {} to {}", n, min, max));
  }
  return n;
}

std::optional<double> json_reader::optional_number(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) fail(key, fmt::format("expected a number, got {}", boost::json::serialize(*v)));
  return v->to_number<double>();
}

std::optional<bool> json_reader::optional_bool(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) fail(key, fmt::format("expected true or false, got {}", boost::json::serialize(*v)));
  return v->get_bool();
}

std::vector<std::string> json_reader::string_array(std::string_view key, bool required,
                                                   bool non_empty) const {
  const auto* v = find(key);
  std::vector<std::string> out;
  if (v == nullptr) {
    if (required) fail(key, "missing; add it as an array of strings");
    return out;
  }
  if (!v->is_array()) fail(key, fmt::format("expected an array of strings, got {}", boost::json::serialize(*v)));
  const auto& a = v->get_array();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) {
      fail(fmt::format("{}[{}]", key, i),
           fmt::format("expected a string, got {}", boost::json::serialize(a[i])));
    }
    out.emplace_back(a[i].get_string());
  }
  if (non_empty && out.empty()) fail(key, "is empty; give at least one string");
  return out;
}

std::optional<json_reader> json_reader::optional_object(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) fail(key, fmt::format("expected an object {{...}}, got {}", boost::json::serialize(*v)));
  return json_reader(*v, origin_, place(key));
}

}  // namespace perfcheck
