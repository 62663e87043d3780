// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/json_stream.hpp"

#include <cerrno>
#include <exception>
#include <fstream>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_exact_handler.hpp"

namespace perfcheck {
namespace {

using boost::json::string_view;
using boost::system::error_code;
using detail::exact_handler;

// Routes the parser's events: the elements of the streamed array to `item` (handed out one by
// one), everything else to `top`. `depth` counts the open containers (the top object is 1).
struct streaming_handler {
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  streaming_handler(const std::string& streamed_key, const json_element_handler& handler)
      : array_key(streamed_key), element(handler) {}

  exact_handler top, item;
  const std::string& array_key;
  const json_element_handler& element;
  std::map<std::string, std::string> before;  // top-level strings so far
  std::string key, last_key, text;            // a top-level key (and string) being read
  bool pending = false;                       // last_key read, not yet given to `top`
  bool streaming = false, streamed = false;
  int depth = 0;
  std::size_t index = 0;
  std::exception_ptr failure;

  bool inside() const { return streaming && depth >= 2; }
  exact_handler& target() {
    if (inside()) return item;
    if (pending) top.st.push_key(last_key);
    pending = false;
    return top;
  }
  // After an event that may have completed an element: hand it out.
  bool element_done(error_code& ec) {
    if (!(streaming && depth == 2)) return true;
    try {
      boost::json::value v = item.st.release();
      item.st.reset();
      element(std::move(v), index++, before);
    } catch (...) {
      failure = std::current_exception();
      ec = make_error_code(boost::json::error::exception);
      return false;
    }
    return true;
  }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code& ec) {
    exact_handler& t = target();
    ++depth;
    return t.on_object_begin(ec);
  }
  bool on_object_end(std::size_t n, error_code& ec) {
    --depth;
    if (depth == 0) return top.on_object_end(n - (streamed ? 1 : 0), ec);
    (inside() ? item : top).on_object_end(n, ec);
    return element_done(ec);
  }
  bool on_array_begin(error_code& ec) {
    if (depth == 1 && pending && last_key == array_key && !streamed) {
      pending = false;
      streaming = true;
      item.st.reset();
      ++depth;
      return true;
    }
    exact_handler& t = target();
    ++depth;
    return t.on_array_begin(ec);
  }
  bool on_array_end(std::size_t n, error_code& ec) {
    --depth;
    if (streaming && depth == 1) {
      streaming = false;
      streamed = true;
      return true;
    }
    (inside() ? item : top).on_array_end(n, ec);
    return element_done(ec);
  }
  bool on_key_part(string_view s, std::size_t n, error_code& ec) {
    if (depth != 1) return (inside() ? item : top).on_key_part(s, n, ec);
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(string_view s, std::size_t n, error_code& ec) {
    if (depth != 1) return (inside() ? item : top).on_key(s, n, ec);
    key.append(s.data(), s.size());
    last_key = std::move(key);
    key.clear();
    if (!top.note_key(last_key, ec)) return false;
    pending = true;
    return true;
  }
  bool on_string_part(string_view s, std::size_t n, error_code& ec) {
    if (depth == 1) text.append(s.data(), s.size());
    return target().on_string_part(s, n, ec);
  }
  bool on_string(string_view s, std::size_t n, error_code& ec) {
    target().on_string(s, n, ec);
    if (depth == 1) {
      text.append(s.data(), s.size());
      before[last_key] = std::move(text);
      text.clear();
    }
    return element_done(ec);
  }
  bool on_number_part(string_view s, error_code& ec) { return target().on_number_part(s, ec); }
  bool on_int64(std::int64_t i, string_view s, error_code& ec) {
    target().on_int64(i, s, ec);
    return element_done(ec);
  }
  bool on_uint64(std::uint64_t u, string_view s, error_code& ec) {
    target().on_uint64(u, s, ec);
    return element_done(ec);
  }
  bool on_double(double d, string_view s, error_code& ec) {
    target().on_double(d, s, ec);
    return element_done(ec);
  }
  bool on_bool(bool b, error_code& ec) {
    target().on_bool(b, ec);
    return element_done(ec);
  }
  bool on_null(error_code& ec) {
    target().on_null(ec);
    return element_done(ec);
  }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

// Line and column of the bytes consumed so far, for messages.
struct text_position {
  std::size_t line = 1, column = 1;
  void advance(const char* data, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      if (data[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
  }
};

// The count of leading JSON white-space characters.
std::size_t white_prefix(const char* data, std::size_t n) {
  std::size_t i = 0;
  while (i < n && std::string_view(" \t\r\n").find(data[i]) != std::string_view::npos) ++i;
  return i;
}

}  // namespace

json_stream_result stream_json_file(const std::filesystem::path& path, const std::string& array_key,
                                    const json_element_handler& element) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw usage_error(fmt::format("{}: cannot read: {}; check the path", path.string(),
                                  std::generic_category().message(errno)));
  }
  boost::json::basic_parser<streaming_handler> parser{boost::json::parse_options{}, array_key, element};
  parser.handler().top.st.reset();
  std::vector<char> buffer(std::size_t{1} << 16);
  text_position at;
  error_code ec;
  for (;;) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (in.bad()) {
      throw usage_error(fmt::format("{}: cannot read: {}; check the file", path.string(),
                                    std::generic_category().message(errno)));
    }
    std::size_t used = parser.done() ? 0 : parser.write_some(n > 0, buffer.data(), n, ec);
    if (!ec && parser.done()) {
      used += white_prefix(buffer.data() + used, n - used);
      if (used < n) ec = make_error_code(boost::json::error::extra_data);
    }
    at.advance(buffer.data(), used);
    if (ec || n == 0) break;
  }
  if (!ec && !parser.done()) ec = make_error_code(boost::json::error::incomplete);
  if (parser.handler().failure) std::rethrow_exception(parser.handler().failure);
  if (ec) {
    for (const auto* h : {&parser.handler().top, &parser.handler().item}) {
      if (h->duplicate) {
        throw usage_error(fmt::format("{}:{}:{}: invalid JSON: the key {} appears twice in one object; keep only "
                                      "one of them", path.string(), at.line, at.column,
                                      boost::json::serialize(boost::json::value(*h->duplicate))));
      }
    }
    throw usage_error(fmt::format("{}:{}:{}: invalid JSON: {}; fix the syntax there", path.string(),
                                  at.line, at.column, ec.message()));
  }
  return {parser.handler().top.st.release(), parser.handler().streamed};
}

}  // namespace perfcheck
