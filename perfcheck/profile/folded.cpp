// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Folded stacks: cleaning names, bounding a profile, perf script's text, the share table.
#include "perfcheck/profile/folded.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

namespace perfcheck::profile {
namespace {

constexpr std::string_view other_stacks = "[other stacks]";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool is_hex(std::string_view s) {
  if (s.starts_with("0x")) s.remove_prefix(2);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// The leaf of a folded stack: after its last ';'.
std::string_view leaf_of(std::string_view stack) {
  const auto at = stack.rfind(';');
  return at == std::string_view::npos ? stack : stack.substr(at + 1);
}

// "symbol+0x1c" → "symbol"; a frame line "addr symbol+0x1c (dso)" → "symbol".
std::string perf_frame(std::string_view line) {
  line = trim(line);
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return "[unknown]";
  std::string_view rest = trim(line.substr(space + 1));
  if (const auto dso = rest.rfind(" ("); dso != std::string_view::npos && rest.ends_with(')')) rest = rest.substr(0, dso);
  if (const auto plus = rest.rfind("+0x"); plus != std::string_view::npos && is_hex(rest.substr(plus + 1))) {
    rest = rest.substr(0, plus);
  }
  return std::string(trim(rest));
}

}  // namespace

std::string clean_frame(std::string_view name) {
  std::string out;
  out.reserve(std::min(name.size(), max_name_bytes + 3));
  for (const char c : name.substr(0, std::min(name.size(), max_name_bytes))) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(c == ';' || u < 0x20 || u == 0x7f ? '_' : c);
  }
  if (name.size() > max_name_bytes) out += "...";
  return out;
}

bool unresolved(std::string_view frame) {
  frame = trim(frame);
  return frame.empty() || frame == "[unknown]" || is_hex(frame);
}

void add_stack(folded_stacks& profile, std::vector<std::string> frames, std::int64_t weight) {
  if (weight <= 0) return;
  if (frames.empty()) frames.emplace_back("[unknown]");
  if (frames.size() > max_depth) frames.erase(frames.begin(), frames.end() - static_cast<std::ptrdiff_t>(max_depth));
  std::string stack;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    frames[i] = clean_frame(frames[i]);
    if (i > 0) stack += ';';
    stack += frames[i];
  }
  if (unresolved(frames.back())) {
    profile.unresolved_leaf += weight;
  } else if (std::any_of(frames.begin() + 1, frames.end() - 1, [](const std::string& f) { return unresolved(f); })) {
    profile.unresolved_caller += weight;
  }
  profile.total += weight;
  const auto found = profile.stacks.find(stack);
  if (found != profile.stacks.end()) {
    found->second += weight;
  } else if (profile.stacks.size() < max_stacks) {
    profile.stacks.emplace(std::move(stack), weight);
  } else {
    profile.truncated = true;
    profile.stacks[std::string(other_stacks)] += weight;
  }
}

folded_stacks parse_perf_script(std::string_view text) {
  folded_stacks profile;
  std::vector<std::string> frames;  // leaf first, as perf prints them
  bool in_sample = false;
  const auto flush = [&] {
    if (!in_sample) return;
    // Not rooted at the command's name: a baseline command's stacks must meet the candidate's.
    std::vector<std::string> stack(frames.rbegin(), frames.rend());
    add_stack(profile, std::move(stack), 1);
    frames.clear();
    in_sample = false;
  };
  while (!text.empty()) {
    const auto end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (trim(line).empty() || line.front() == '#') {
      flush();
    } else if (line.front() == ' ' || line.front() == '\t') {
      if (in_sample) frames.push_back(perf_frame(line));
    } else {
      flush();
      in_sample = true;
    }
  }
  flush();
  return profile;
}

void merge(folded_stacks& into, const folded_stacks& other) {
  for (const auto& [stack, weight] : other.stacks) {
    const auto found = into.stacks.find(stack);
    if (found != into.stacks.end()) {
      found->second += weight;
    } else if (into.stacks.size() < max_stacks) {
      into.stacks.emplace(stack, weight);
    } else {
      into.truncated = true;
      into.stacks[std::string(other_stacks)] += weight;
    }
  }
  into.total += other.total;
  into.unresolved_leaf += other.unresolved_leaf;
  into.unresolved_caller += other.unresolved_caller;
  into.truncated = into.truncated || other.truncated;
}

std::string folded_text(const folded_stacks& profile) {
  std::string out;
  for (const auto& [stack, weight] : profile.stacks) out += fmt::format("{} {}\n", stack, weight);
  return out;
}

namespace {

// Self weight by leaf function, and inclusive weight (each function once per stack).
struct function_weights {
  std::map<std::string, std::int64_t> self;
  std::map<std::string, std::int64_t> inclusive;
};

function_weights weights_of(const folded_stacks& profile) {
  function_weights w;
  for (const auto& [stack, weight] : profile.stacks) {
    w.self[std::string(leaf_of(stack))] += weight;
    std::set<std::string_view> seen;
    std::string_view rest = stack;
    while (true) {
      const auto at = rest.find(';');
      seen.insert(rest.substr(0, at));
      if (at == std::string_view::npos) break;
      rest.remove_prefix(at + 1);
    }
    for (const auto name : seen) w.inclusive[std::string(name)] += weight;
  }
  return w;
}

double share(std::int64_t weight, std::int64_t total) {
  return total > 0 ? static_cast<double>(weight) / static_cast<double>(total) : 0.0;
}

}  // namespace

std::vector<function_share> share_table(const folded_stacks& candidate, const folded_stacks* baseline,
                                        std::size_t rows) {
  const function_weights cand = weights_of(candidate);
  const function_weights base = baseline ? weights_of(*baseline) : function_weights{};
  std::vector<function_share> table;
  for (const auto& [name, weight] : cand.self) {
    const auto b = base.self.find(name);
    table.push_back({name, share(weight, candidate.total),
                     b == base.self.end() ? 0.0 : share(b->second, baseline->total),
                     share(cand.inclusive.at(name), candidate.total)});
  }
  std::sort(table.begin(), table.end(), [](const function_share& a, const function_share& b) {
    if (a.growth() != b.growth()) return a.growth() > b.growth();
    return a.name < b.name;
  });
  // With a baseline, only what grew: the table answers "where did the time go".
  if (baseline) std::erase_if(table, [](const function_share& row) { return row.growth() <= 0; });
  if (table.size() > rows) table.resize(rows);
  return table;
}

}  // namespace perfcheck::profile
