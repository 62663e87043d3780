// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The handler behind perfcheck's JSON parsing (parse_json_text and stream_json_file): builds
// values like Boost.JSON's own parser, except that real numbers are read exactly and a key
// repeated in one object is an error.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/json.hpp>

namespace perfcheck::detail {

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

  /// False (and `duplicate` set, `ec` a syntax error) when `k` is already a key of the
  /// innermost open object.
  bool note_key(std::string k, boost::system::error_code& ec) {
    if (open_objects.empty() || open_objects.back().insert(k).second) return true;
    duplicate = std::move(k);
    ec = make_error_code(boost::json::error::syntax);
    return false;
  }

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) {
    open_objects.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t n, boost::system::error_code&) {
    if (!open_objects.empty()) open_objects.pop_back();
    st.push_object(n);
    return true;
  }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::system::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    key.append(s.data(), s.size());
    st.push_chars(s);
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
    key.append(s.data(), s.size());
    std::string whole = std::move(key);
    key.clear();
    if (!note_key(std::move(whole), ec)) return false;
    st.push_key(s);
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(boost::json::string_view s, boost::system::error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::system::error_code&) {
    number.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::system::error_code&) {
    number.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, boost::json::string_view s, boost::system::error_code&) {
    number.append(s.data(), s.size());
    double exact = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), exact);
    // Out of double's range: keep what Boost.JSON made of it.
    st.push_double(ec == std::errc{} && end == number.data() + number.size() ? exact : d);
    number.clear();
    return true;
  }
  bool on_bool(bool b, boost::system::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(boost::system::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }
};

}  // namespace perfcheck::detail
