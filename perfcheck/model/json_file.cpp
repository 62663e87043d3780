// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/json_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <system_error>
#include <unordered_set>
#include <vector>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <fmt/format.h>

#include "perfcheck/model/error.hpp"

namespace perfcheck {
namespace {

using boost::json::string_view;
using boost::system::error_code;

// Builds the value like Boost.JSON's own parser does (a value_stack), except for doubles.
struct exact_handler {
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  boost::json::value_stack st;
  std::string number;  // the text of a number split across input buffers
  std::string key;     // the text of a key split across input buffers
  // The keys of every object being read, innermost last: a key seen twice is an error, not
  // "last wins" (which one a reader keeps differs between readers).
  std::vector<std::unordered_set<std::string>> open_objects;
  std::optional<std::string> duplicate;  // the repeated key, once found

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) {
    open_objects.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t n, error_code&) {
    open_objects.pop_back();
    st.push_object(n);
    return true;
  }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t n, error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(string_view s, std::size_t, error_code&) {
    key.append(s.data(), s.size());
    st.push_chars(s);
    return true;
  }
  bool on_key(string_view s, std::size_t, error_code& ec) {
    key.append(s.data(), s.size());
    if (!open_objects.back().insert(key).second) {
      duplicate = std::move(key);
      ec = make_error_code(boost::json::error::syntax);
      return false;
    }
    key.clear();
    st.push_key(s);
    return true;
  }
  bool on_string_part(string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(string_view s, std::size_t, error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(string_view s, error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, string_view, error_code&) {
    number.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, string_view, error_code&) {
    number.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, string_view s, error_code&) {
    number.append(s.data(), s.size());
    double exact = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), exact);
    // Out of double's range: keep what Boost.JSON made of it.
    st.push_double(ec == std::errc{} && end == number.data() + number.size() ? exact : d);
    number.clear();
    return true;
  }
  bool on_bool(bool b, error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};



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

std::system_error os_error(const char* call, const std::filesystem::path& path) {
  return {errno, std::generic_category(), fmt::format("{} {}", call, path.string())};
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
  const std::string text = pretty_json(value);
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  // Built with fmt: GCC 12's -Wrestrict misfires on "literal" + std::string at -O3.
  std::string tmpl = (dir / fmt::format(".{}.XXXXXX", path.filename().string())).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw os_error("mkstemp", tmpl);
  const std::filesystem::path tmp = tmpl;
  auto fail = [&](const char* call) {
    const int saved = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    errno = saved;
    throw os_error(call, call == std::string_view("rename") ? path : tmp);
  };
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0) fail("fchmod");
  if (::fsync(fd) != 0) fail("fsync");
  if (::close(fd) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    throw os_error("close", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    throw os_error("rename", path);
  }
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
