// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/ingest/metric_channel.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"

namespace perfcheck::ingest {
namespace {

constexpr std::size_t max_name_length = 64;

// Names perfcheck measures or derives itself; a program may not report under them.
constexpr std::array builtin_names{
    "wall", "user", "sys", "cpu", "rss", "rss_tree", "io", "ctx", "faults", "leaked", "exit",
    "threads", "throughput", "errors", "efficiency", "latency", "server", "instructions",
};

// A value with its unit, in base units; nullopt with `why` set when malformed.
struct parsed_value {
  double value = 0;
  unit_kind kind = unit_kind::count;
  bool percent = false;
  bool increment = false;
};

std::optional<double> parse_number(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<parsed_value> parse_value(std::string_view number, std::string_view unit, std::string& why) {
  parsed_value out;
  if (number.starts_with('+')) {
    out.increment = true;
    number.remove_prefix(1);
  }
  const auto v = parse_number(number);
  if (!v) {
    why = fmt::format("'{}' is not a number", number);
    return std::nullopt;
  }
  if (!std::isfinite(*v)) {
    why = fmt::format("'{}' is not a finite number", number);
    return std::nullopt;
  }
  out.value = *v;
  if (unit.empty()) return out;
  if (unit == "%") {
    out.percent = true;
    out.value /= 100;
    return out;
  }
  try {
    const quantity one = parse_quantity(fmt::format("1{}", unit));
    out.kind = one.kind;
    out.value *= one.value;
  } catch (const usage_error&) {
    why = fmt::format("unknown unit '{}' (durations {}; sizes {}; rates {}; or %)", unit,
                      allowed_units(unit_kind::duration), allowed_units(unit_kind::size),
                      allowed_units(unit_kind::rate));
    return std::nullopt;
  }
  return out;
}

std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// A printable form of a malformed line for a warning: control characters as \xNN, at most
// 80 characters.
std::string quoted(std::string_view line) {
  std::string out;
  for (const char c : line.substr(0, 80)) {
    const auto u = static_cast<unsigned char>(c);
    out += u < 0x20 || u == 0x7f ? fmt::format("\\x{:02x}", u) : std::string(1, c);
  }
  return line.size() > 80 ? out + "..." : out;
}

class channel_reader {
 public:
  explicit channel_reader(const channel_limits& limits) : limits_(limits) {}

  // Reads one complete line (without its newline); false once a limit stops the reading.
  bool line(std::string_view text) {
    ++out_.lines;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    const auto words = words_of(text);
    if (words.empty()) return true;  // blank lines are allowed
    if (words.front().starts_with('#')) return comment(text, words);
    std::string why;
    if (words.size() < 2 || words.size() > 3) {
      why = words.size() < 2 ? "no value after the name" : "more than a name, a value and a unit";
    } else if (why = check_metric_name(words[0]); why.empty()) {
      return add(text, words[0], words[1], words.size() == 3 ? words[2] : std::string_view{});
    }
    return malformed(text, why);
  }

  // The last piece of text had no newline: the writer may have stopped in the middle.
  void unterminated(std::string_view text) {
    ++out_.lines;
    malformed(text, "the last line has no newline (was the writer stopped mid-line?)");
  }

  channel_contents take() { return std::move(out_); }

 private:
  bool comment(std::string_view text, const std::vector<std::string_view>& words) {
    if (words.front() != "#meta") return true;  // other comments are ignored
    if (words.size() != 2 || words[1].find('=') == std::string_view::npos || words[1].front() == '=') {
      return malformed(text, "a metadata line reads '#meta key=value' (no spaces in the value)");
    }
    const auto eq = words[1].find('=');
    if (!is_metadata_key(words[1].substr(0, eq)) || has_control_character(words[1].substr(eq + 1))) {
      return malformed(text, "a metadata key is a letter then letters, digits, '_', '.' or '-', and a value "
                             "holds no control character");
    }
    out_.meta.emplace_back(std::string(words[1].substr(0, eq)), std::string(words[1].substr(eq + 1)));
    return true;
  }

  bool add(std::string_view text, std::string_view name, std::string_view number, std::string_view unit) {
    std::string why;
    const auto v = parse_value(number, unit, why);
    if (!v) return malformed(text, why);
    auto it = out_.metrics.find(std::string(name));
    if (it == out_.metrics.end()) {
      if (out_.metrics.size() >= limits_.max_names) return stop(fmt::format("more than {} metric names", limits_.max_names));
      it = out_.metrics.emplace(std::string(name), reported_metric{v->kind, v->percent, v->increment, {}}).first;
    } else if (it->second.kind != v->kind || it->second.percent != v->percent) {
      return malformed(text, fmt::format("'{}' changed its kind of unit (it was a {} before); keep one kind per name",
                                         name, it->second.percent ? "percentage" : to_string(it->second.kind)));
    } else if (it->second.counter != v->increment) {
      return malformed(text, fmt::format("'{}' mixes increments (+N) and values", name));
    }
    reported_metric& m = it->second;
    if (m.counter) {
      if (m.values.empty()) m.values.push_back(0);
      m.values.front() += v->value;
      return true;
    }
    if (values_ >= limits_.max_values) return stop(fmt::format("more than {} values", limits_.max_values));
    ++values_;
    m.values.push_back(v->value);
    return true;
  }

  bool malformed(std::string_view text, const std::string& why) {
    if (out_.malformed++ == 0) out_.first_malformed = fmt::format("line {}: '{}': {}", out_.lines, quoted(text), why);
    return true;
  }

  bool stop(std::string why) {
    out_.truncated = true;
    out_.truncation = std::move(why);
    return false;
  }

  const channel_limits& limits_;
  channel_contents out_;
  std::size_t values_ = 0;
};

}  // namespace

std::string check_metric_name(std::string_view name) {
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name.front()))) {
    return fmt::format("the metric name '{}' must start with a letter", quoted(name));
  }
  if (name.size() > max_name_length) return fmt::format("the metric name is longer than {} characters", max_name_length);
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
      return fmt::format("the metric name '{}' may hold only letters, digits, '_', '.' and '-'", quoted(name));
    }
  }
  const std::string_view head = name.substr(0, name.find('.'));
  for (const char* builtin : builtin_names) {
    if (head == builtin) {
      return fmt::format("'{}' is a metric perfcheck measures itself; choose another name (e.g. app.{})", name, name);
    }
  }
  if (name.ends_with(".rate")) {
    return fmt::format("'{}' ends in .rate, which perfcheck derives from a count over the run's wall time; "
                       "report the count ('{}') instead", name, name.substr(0, name.size() - 5));
  }
  return {};
}

channel_contents read_channel_text(std::string_view text, const channel_limits& limits) {
  channel_reader reader(limits);
  bool truncated_by_size = false;
  if (text.size() > limits.max_bytes) {
    text = text.substr(0, limits.max_bytes);
    truncated_by_size = true;
  }
  while (!text.empty()) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) {
      if (!truncated_by_size) reader.unterminated(text);
      break;
    }
    if (!reader.line(text.substr(0, nl))) break;
    text.remove_prefix(nl + 1);
  }
  channel_contents out = reader.take();
  if (truncated_by_size && !out.truncated) {
    out.truncated = true;
    out.truncation = fmt::format("more than {} of text", format_size(double(limits.max_bytes)));
  }
  return out;
}

bool is_metadata_key(std::string_view key) {
  return !key.empty() && key.size() <= 64 && std::isalpha(static_cast<unsigned char>(key.front())) &&
         std::all_of(key.begin(), key.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
         });
}

bool has_control_character(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

channel_contents read_channel_file(const std::filesystem::path& path, const channel_limits& limits) {
  // Non-blocking and not through a link: a FIFO or a link the command put in the channel's
  // place must not hang perfcheck or make it read another file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    throw std::system_error(errno, std::generic_category(), fmt::format("open {}", path.string()));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::system_error(EINVAL, std::generic_category(),
                            fmt::format("{} is not a regular file (the command replaced it); append lines to "
                                        "the file $PERFCHECK_METRICS names",
                                        path.string()));
  }
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw std::system_error(error, std::generic_category(), fmt::format("read {}", path.string()));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > limits.max_bytes) break;  // one byte past the limit says "truncated"
  }
  ::close(fd);
  return read_channel_text(text, limits);
}

std::vector<std::string> channel_warnings(const channel_contents& channel) {
  std::vector<std::string> out;
  if (channel.malformed > 0) {
    out.push_back(fmt::format(
        "the metric channel had {} malformed line{} (skipped); the first: {}. A line reads "
        "'<name> <value> [unit]', '<name> +<count>' or '#meta key=value' (docs/metrics.md)",
        channel.malformed, channel.malformed == 1 ? "" : "s", channel.first_malformed));
  }
  if (channel.truncated) {
    out.push_back(fmt::format(
        "the metric channel was cut off after {}: the rest was not read; report fewer values "
        "(aggregate in the program, or report a sample of the operations)",
        channel.truncation));
  }
  return out;
}

}  // namespace perfcheck::ingest
