// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Coordinates are integers in tenths of a pixel, so a step is the exact difference of two
// rounded vertices and the drawn vertex is the rounded absolute one, however long the path.
#include "reports/svg_paths.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace perfcheck::reports::detail {

namespace {

using tenths = std::int64_t;

struct vertex {
  tenths x = 0, y = 0;
};

// One token of path data: a command letter, or a number in tenths.
struct token {
  char command = 0;  // 0 for a number
  tenths value = 0;
};

bool separator(char c) { return c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r'; }

std::optional<std::vector<token>> tokens_of(std::string_view d) {
  std::vector<token> out;
  std::size_t i = 0;
  while (i < d.size()) {
    const char c = d[i];
    if (separator(c)) {
      ++i;
    } else if (c == 'M' || c == 'L' || c == 'Z' || c == 'z') {
      out.push_back({c == 'z' ? 'Z' : c, 0});
      ++i;
    } else {
      double v = 0;
      const auto [end, ec] = std::from_chars(d.data() + i, d.data() + d.size(), v);
      if (ec != std::errc() || !std::isfinite(v)) return std::nullopt;
      const std::string_view text = d.substr(i, static_cast<std::size_t>(end - (d.data() + i)));
      if (text.find_first_of("eE") != std::string_view::npos) return std::nullopt;
      out.push_back({0, static_cast<tenths>(std::llround(v * 10))});
      i = static_cast<std::size_t>(end - d.data());
    }
  }
  return out;
}

// `t` tenths as the shortest decimal: "12", "-3.5", ".5", "-.5".
void append_tenths(std::string& out, tenths t) {
  if (t < 0) out += '-';
  const tenths a = std::llabs(t);
  if (a >= 10 || a == 0) out += std::to_string(a / 10);
  if (a % 10) {
    out += '.';
    out += static_cast<char>('0' + a % 10);
  }
}

// Appends the numbers of one command, with a separator only where the next does not start
// with its own sign.
void append_numbers(std::string& out, std::initializer_list<tenths> values, bool first) {
  for (const tenths v : values) {
    if (!first && v >= 0) out += ' ';
    append_tenths(out, v);
    first = false;
  }
}

// Writes path data from absolute vertices: moves, lines and closes.
class relative_writer {
 public:
  void move(vertex v) {
    if (out_.empty()) {
      out_ += 'M';
      append_numbers(out_, {v.x, v.y}, true);
    } else {
      step('m', {v.x - at_.x, v.y - at_.y});
    }
    at_ = start_ = v;
  }
  void line(vertex v) {
    const tenths dx = v.x - at_.x, dy = v.y - at_.y;
    if (dy == 0)
      step('h', {dx});
    else if (dx == 0)
      step('v', {dy});
    else
      step('l', {dx, dy});
    at_ = v;
  }
  void close() {
    out_ += 'z';
    last_ = 'z';
    at_ = start_;
  }
  std::string text() { return std::move(out_); }

 private:
  void step(char command, std::initializer_list<tenths> values) {
    const bool letter = command != last_ || command == 'm';
    if (letter) out_ += command;
    append_numbers(out_, values, letter);
    last_ = command == 'm' ? 'l' : command;  // numbers after m's pair are lines
  }
  std::string out_;
  vertex at_, start_;
  char last_ = 0;
};

}  // namespace

std::optional<std::string> relative_path(std::string_view d) {
  const auto tokens = tokens_of(d);
  if (!tokens || tokens->empty() || (*tokens)[0].command != 'M') return std::nullopt;
  relative_writer w;
  char command = 0;
  for (std::size_t i = 0; i < tokens->size();) {
    const token& t = (*tokens)[i];
    if (t.command == 'Z') {
      w.close();
      ++i;
      continue;
    }
    if (t.command != 0) {
      command = t.command;
      ++i;
    }
    if (i + 1 >= tokens->size() || (*tokens)[i].command != 0 || (*tokens)[i + 1].command != 0)
      return std::nullopt;
    const vertex v{(*tokens)[i].value, (*tokens)[i + 1].value};
    i += 2;
    if (command == 'M') {
      w.move(v);
      command = 'L';  // further pairs after M are lines
    } else {
      w.line(v);
    }
  }
  return w.text();
}

std::optional<std::string> polygon_path(std::string_view points) {
  const auto tokens = tokens_of(points);
  if (!tokens || tokens->size() < 4 || tokens->size() % 2) return std::nullopt;
  relative_writer w;
  for (std::size_t i = 0; i < tokens->size(); i += 2) {
    if ((*tokens)[i].command != 0 || (*tokens)[i + 1].command != 0) return std::nullopt;
    const vertex v{(*tokens)[i].value, (*tokens)[i + 1].value};
    if (i == 0)
      w.move(v);
    else
      w.line(v);
  }
  w.close();
  return w.text();
}

}  // namespace perfcheck::reports::detail
