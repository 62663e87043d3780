// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/exec/instruction_count.hpp"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "perfcheck/exec/os_error.hpp"
#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/exec/program_lookup.hpp"
#include "perfcheck/model/error.hpp"

namespace perfcheck::exec {
namespace fs = std::filesystem;
namespace {

// Whether the kernel gives this process a user-space instruction counter that children inherit,
// as `perf stat -e instructions:u` would open on the command; "" when it does, else why not.
std::string hardware_problem() {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_HARDWARE;
  attr.config = PERF_COUNT_HW_INSTRUCTIONS;
  attr.disabled = 1;
  attr.inherit = 1;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  const long fd = ::syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
  if (fd >= 0) {
    ::close(static_cast<int>(fd));
    return {};
  }
  const int error = errno;
  const char* hint = error == EACCES || error == EPERM
                         ? " (perf_event_paranoid forbids it: lower /proc/sys/kernel/perf_event_paranoid to 2 or less)"
                     : error == ENOENT || error == EOPNOTSUPP ? " (the CPU or the virtual machine exposes no such counter)"
                                                             : "";
  return fmt::format("perf_event_open(instructions:u): {}{}", detail::error_text(error), hint);
}

// `name` in the folders of a PATH value, or empty.
fs::path in_path(std::string_view path, std::string_view name) {
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    const std::string_view folder = path.substr(start, end - start);
    if (!folder.empty()) {
      const fs::path candidate = fs::path(folder) / name;
      if (executable_error(candidate) == 0) return candidate;
    }
    start = end + 1;
  }
  return {};
}

// The whole file, or a std::runtime_error naming it.
std::string read_whole(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read the instruction counts ({})", file.string(), std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::optional<std::int64_t> count_of(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

const char* to_string(count_source source) {
  switch (source) {
    case count_source::perf: return "perf";
    case count_source::valgrind: return "valgrind";
    case count_source::none: break;
  }
  return "none";
}

counter_probe probe_counters(std::string_view path) {
  counter_probe probe;
  probe.hardware_problem = hardware_problem();
  probe.hardware_instructions = probe.hardware_problem.empty();
  probe.perf = in_path(path, "perf");
  probe.valgrind = in_path(path, "valgrind");
  return probe;
}

count_choice choose_count_source(const counter_probe& probe, std::string_view override_value) {
  const std::string hardware = probe.hardware_instructions ? std::string("hardware counters")
                               : "no hardware counters: " + probe.hardware_problem;
  const std::string perf_ok = probe.perf.empty() ? "; perf is not installed" : "";
  const auto use_perf = [&] { return count_choice{count_source::perf, probe.perf, "hardware counters (perf stat -e instructions:u)"}; };
  const auto use_valgrind = [&] {
    return count_choice{count_source::valgrind, probe.valgrind, "valgrind (cachegrind, following children)"};
  };
  if (override_value == "none") {
    return {count_source::none, {}, fmt::format("{}=none: counting is switched off", count_source_variable)};
  }
  if (override_value == "perf") {
    if (probe.hardware_instructions && !probe.perf.empty()) return use_perf();
    throw usage_error(fmt::format("{}=perf, but this machine cannot count with perf ({}{}); unset it to fall back to valgrind",
                                  count_source_variable, hardware, perf_ok));
  }
  if (override_value == "valgrind") {
    if (!probe.valgrind.empty()) return use_valgrind();
    throw usage_error(fmt::format("{}=valgrind, but valgrind is not in PATH; install it (apt-get install valgrind) or unset the variable",
                                  count_source_variable));
  }
  if (!override_value.empty() && override_value != "auto") {
    throw usage_error(fmt::format("{}='{}' is not a counter source; use auto, perf, valgrind or none",
                                  count_source_variable, override_value));
  }
  if (probe.hardware_instructions && !probe.perf.empty()) return use_perf();
  if (!probe.valgrind.empty()) return use_valgrind();
  return {count_source::none, {},
          fmt::format("no counter source: {}{}, and valgrind is not in PATH; install valgrind (apt-get install valgrind) "
                      "or run on a machine with hardware counters", hardware, perf_ok)};
}

std::optional<count_choice> count_choice_for(const run_spec& spec) {
  if (spec.count.empty()) return std::nullopt;
  const char* path = std::getenv("PATH");
  const char* forced = std::getenv(count_source_variable);
  return choose_count_source(probe_counters(path != nullptr ? path : "/usr/bin:/bin"), forced != nullptr ? forced : "");
}

std::vector<std::string> counted_argv(const count_choice& choice, const fs::path& folder,
                                      const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  switch (choice.source) {
    case count_source::none: return argv;
    case count_source::perf:
      out = {choice.tool.string(), "stat", "-x", ",", "-e", "instructions:u", "-o", (folder / "perf.txt").string(), "--"};
      break;
    case count_source::valgrind:
      out = {choice.tool.string(), "-q", "--tool=cachegrind", "--cache-sim=no", "--trace-children=yes",
             "--cachegrind-out-file=" + (folder / "cg.%p").string(), "--"};
      break;
  }
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::int64_t parse_valgrind_counts(std::string_view text, std::string_view origin) {
  std::optional<std::size_t> ir;
  std::optional<std::int64_t> total;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    const auto w = words(line);
    if (w.empty()) continue;
    if (w[0] == "events:") {
      for (std::size_t i = 1; i < w.size(); ++i)
        if (w[i] == "Ir") ir = i - 1;
    } else if ((w[0] == "summary:" || w[0] == "totals:") && ir) {
      const auto value = *ir + 1 < w.size() ? count_of(w[*ir + 1]) : std::nullopt;
      if (!value) throw std::runtime_error(fmt::format("{}: the line '{}' holds no instruction count", origin, line));
      total = *value;
    }
  }
  if (!ir) throw std::runtime_error(fmt::format("{}: no 'events:' line with Ir: not a cachegrind or callgrind output file", origin));
  if (!total) throw std::runtime_error(fmt::format("{}: no 'summary:' line: the file was cut short (the process was killed?)", origin));
  return *total;
}

std::int64_t parse_perf_stat(std::string_view text, std::string_view origin) {
  std::optional<std::int64_t> total;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    // value,unit,event,run time,percentage,...
    const std::size_t c1 = line.find(',');
    const std::size_t c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    const std::string_view event = line.substr(c2 + 1, line.find(',', c2 + 1) - c2 - 1);
    if (!event.starts_with("instructions")) continue;
    const auto value = count_of(line.substr(0, c1));
    if (!value) throw std::runtime_error(fmt::format("{}: perf counted no instructions ('{}')", origin, line.substr(0, c1)));
    total = total.value_or(0) + *value;
  }
  if (!total) throw std::runtime_error(fmt::format("{}: no instructions line in perf stat's output", origin));
  return *total;
}

std::int64_t read_counts(count_source source, const fs::path& folder) {
  if (source == count_source::perf) {
    const fs::path file = folder / "perf.txt";
    return parse_perf_stat(read_whole(file), file.string());
  }
  std::int64_t total = 0;
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (!entry.path().filename().string().starts_with("cg.")) continue;
    total += parse_valgrind_counts(read_whole(entry.path()), entry.path().string());
    ++files;
  }
  if (files == 0) {
    throw std::runtime_error(fmt::format("{}: valgrind wrote no cg.<pid> file (did it start the command? its stderr "
                                         "is in the test's output)", (folder / "cg.*").string()));
  }
  return total;
}

}  // namespace perfcheck::exec
