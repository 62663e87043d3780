// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A callgrind output file (--separate-callers=N) as folded stacks: each function context's self
// cost. The format: valgrind's docs/callgrind-format (name compression, calls= lines).
#include <charconv>
#include <unordered_map>

#include "perfcheck/profile/folded.hpp"

namespace perfcheck::profile {
namespace {

std::string_view first_word(std::string_view& rest) {
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  const auto end = std::min(rest.find_first_of(" \t\r"), rest.size());
  const auto word = rest.substr(0, end);
  rest.remove_prefix(end);
  return word;
}

std::size_t count_words(std::string_view rest) {
  std::size_t n = 0;
  while (!first_word(rest).empty()) ++n;
  return n;
}

// "fn=(12) name" defines id 12; "fn=(12)" refers to it; "fn=name" has no id.
std::string function_name(std::string_view value, std::unordered_map<std::string, std::string>& names) {
  if (!value.starts_with('(')) return std::string(value);
  const auto close = value.find(')');
  if (close == std::string_view::npos) return std::string(value);
  const std::string id(value.substr(1, close - 1));
  std::string_view name = value.substr(close + 1);
  if (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  if (!name.empty()) names[id] = std::string(name);
  const auto found = names.find(id);
  return found == names.end() ? std::string(value) : found->second;
}

// The first event of a cost line, after its `positions` position columns; -1 if it does not read.
std::int64_t first_event(std::string_view line, std::size_t positions) {
  for (std::size_t i = 0; i < positions; ++i) {
    if (first_word(line).empty()) return -1;
  }
  const auto word = first_word(line);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  return ec == std::errc() && end == word.data() + word.size() ? value : -1;
}

// "hot'main'(below main)" (leaf first) → {"(below main)", "main", "hot"} (root first).
std::vector<std::string> context_frames(std::string_view context) {
  std::vector<std::string> frames;
  while (true) {
    const auto at = context.find('\'');
    frames.emplace(frames.begin(), context.substr(0, at));
    if (at == std::string_view::npos) break;
    context.remove_prefix(at + 1);
  }
  return frames;
}

}  // namespace

folded_stacks parse_callgrind(std::string_view text) {
  std::unordered_map<std::string, std::string> names;
  std::map<std::string, std::int64_t> self;  // function context → self cost
  std::string current;
  std::size_t positions = 1;
  bool call_cost_next = false;
  while (!text.empty()) {
    const auto end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const char c = line.front();
    if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '*') {
      const std::int64_t cost = first_event(line, positions);
      if (!call_cost_next && cost > 0 && !current.empty()) self[current] += cost;
      call_cost_next = false;
    } else if (line.starts_with("positions:")) {
      positions = std::max<std::size_t>(1, count_words(line.substr(10)));
    } else if (line.starts_with("fn=")) {
      current = function_name(line.substr(3), names);
    } else if (line.starts_with("cfn=")) {
      function_name(line.substr(4), names);  // defines the id for later fn= lines
    } else if (line.starts_with("calls=")) {
      call_cost_next = true;  // the next cost line is the call's inclusive cost
    }
  }
  folded_stacks profile;
  for (const auto& [context, cost] : self) add_stack(profile, context_frames(context), cost);
  return profile;
}

}  // namespace perfcheck::profile
