// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// PROFILE: choosing the profiler, running it as argv, reading its files back.
#include "perfcheck/run/profiling.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "perfcheck/exec/instruction_count.hpp"
#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/exec/program_lookup.hpp"

extern char** environ;

namespace perfcheck::run {
namespace fs = std::filesystem;
namespace {

std::int64_t size_of(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  return ec ? 0 : static_cast<std::int64_t>(size);
}

// At most `limit` bytes of `path`; empty when it cannot be read. The buffer is the file's size
// (a short profile does not pay for the limit).
std::string read_text(const fs::path& path, std::int64_t limit) {
  std::ifstream in(path, std::ios::binary);
  const std::int64_t wanted = std::min(limit, size_of(path));
  std::string text(static_cast<std::size_t>(wanted), '\0');
  in.read(text.data(), wanted);
  text.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return text;
}

// The last non-empty lines of what a profiler printed, on one line, for a message.
std::string tail_of(const fs::path& path) {
  std::string text = read_text(path, 1 << 16);
  std::istringstream lines(text);
  std::vector<std::string> kept;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) kept.push_back(line);
  }
  if (kept.size() > 3) kept.erase(kept.begin(), kept.end() - 3);
  std::string out = fmt::format("{}", fmt::join(kept, " / "));
  return out.empty() ? "it printed nothing" : fmt::format("it printed: {}", out.substr(0, 600));
}

std::string ended(const run_sample& s) {
  if (s.stopped_by_limit()) return "was stopped by a limit";
  if (s.signal) return fmt::format("was killed by {}", signal_name(*s.signal));
  return fmt::format("exited {}", s.exit_code.value_or(0));
}

fs::path found_in(std::string_view path, std::string_view program) {
  std::vector<std::string> environment{fmt::format("PATH={}", path)};
  try {
    return exec::resolve_program(std::string(program), environment, "/");
  } catch (const std::exception&) {
    return {};
  }
}

// Runs `argv` as the command of `line` (its folder, environment, a TIMEOUT) once, or with
// `copies` >= 1 as a round of that many copies at once (copy i with {instance} = i, as a
// concurrency level runs them); stdout into `out` (up to `out_limit`), stderr into `err`. The
// copies' reports in instance order (one without copies).
std::vector<exec::run_report> run_copies(exec::command_line line, std::vector<std::string> argv, const fs::path& out,
                                         std::int64_t out_limit, const fs::path& err, int copies) {
  line.argv = std::move(argv);
  exec::process_executor executor(std::move(line));
  exec::output_capture capture;
  capture.stdout_path = out;
  capture.stderr_path = err;
  capture.limit_bytes = out_limit;
  if (copies < 1) return {executor.run(capture)};
  return executor.run_round(capture, copies).copies;
}

exec::run_report run_once(exec::command_line line, std::vector<std::string> argv, const fs::path& out,
                          std::int64_t out_limit, const fs::path& err) {
  return run_copies(std::move(line), std::move(argv), out, out_limit, err, 0).front();
}

// The perf.data of copy `i` (a round), or the one file of a plain run.
fs::path perf_data(const fs::path& folder, int copies, int i) {
  return copies < 1 ? folder / "perf.data" : folder / fmt::format("perf.data.{}", i);
}

// perf script of `data`, its stacks merged into `out`; false (and out.problem) when it fails.
bool add_perf_script(const profiler_choice& choice, const exec::command_line& line, const fs::path& data,
                     const fs::path& folder, side_profile& out) {
  const auto script = run_once(line, {choice.program.string(), "script", "--no-inline", "-i", data.string()},
                               folder / "script.txt", max_script_bytes, folder / "script.err");
  if (script.sample.failed() || script.sample.stopped_by_limit()) {
    out.problem = fmt::format("perf script {}; {}", ended(script.sample), tail_of(folder / "script.err"));
    return false;
  }
  profile::merge(out.stacks, profile::parse_perf_script(read_text(folder / "script.txt", max_script_bytes)));
  out.cut = out.cut || script.output_truncated;
  return true;
}

std::string too_large(std::string_view what, std::int64_t bytes) {
  return fmt::format("the profile is too large: {} is {} MiB, above the {} MiB perfcheck reads; profile a shorter run",
                     what, bytes >> 20, max_profile_file_bytes >> 20);
}

// One run under perf record, or a round of `copies` each under its own perf record (its own
// perf.data), their stacks merged.
side_profile perf_profile(const profiler_choice& choice, const exec::command_line& line, const std::vector<std::string>& argv,
                          const fs::path& folder, int copies) {
  side_profile out;
  const fs::path data = copies < 1 ? folder / "perf.data" : folder / "perf.data.{instance}";
  std::vector<std::string> record{choice.program.string(), "record", "-q", "-e", "cpu-clock", "-F", "4000", "-g",
                                  "-o", data.string(), "--"};
  record.insert(record.end(), argv.begin(), argv.end());
  const auto recorded = run_copies(line, record, folder / "record.out", 1 << 20, folder / "record.err", copies);
  std::int64_t bytes = 0;
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    const fs::path file = perf_data(folder, copies, static_cast<int>(i));
    if (size_of(file) == 0 || recorded[i].sample.stopped_by_limit()) {
      out.problem = fmt::format("perf record {}{} and wrote no profile; {}", ended(recorded[i].sample),
                                copies < 1 ? std::string() : fmt::format(" (copy {} of {})", i, copies),
                                tail_of(folder / "record.err"));
      return out;
    }
    bytes += size_of(file);
  }
  if (bytes > max_profile_file_bytes) return {{}, too_large("perf.data", bytes), false};
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    if (!add_perf_script(choice, line, perf_data(folder, copies, static_cast<int>(i)), folder, out)) return out;
  }
  if (out.stacks.total == 0) out.problem = "perf recorded no samples: the run was too short to be sampled at 4 kHz";
  return out;
}

side_profile callgrind_profile(const profiler_choice& choice, const exec::command_line& line,
                               const std::vector<std::string>& argv, const fs::path& folder, int copies) {
  side_profile out;
  std::vector<std::string> valgrind{choice.program.string(), "-q", "--tool=callgrind", "--separate-callers=40",
                                    "--trace-children=yes",
                                    "--callgrind-out-file=" + (folder / "callgrind.%p").string(), "--"};
  valgrind.insert(valgrind.end(), argv.begin(), argv.end());
  const auto round = run_copies(line, valgrind, folder / "valgrind.out", 1 << 20, folder / "valgrind.err", copies);
  const auto stopped = std::find_if(round.begin(), round.end(), [](const auto& r) { return r.sample.stopped_by_limit(); });
  const exec::run_report& ran = stopped != round.end() ? *stopped : round.front();
  std::vector<fs::path> files;
  std::int64_t bytes = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().filename().string().starts_with("callgrind.")) {
      files.push_back(entry.path());
      bytes += size_of(entry.path());
    }
  }
  // Each copy of a round writes at least its own process's file.
  if (ran.sample.stopped_by_limit() || files.size() < static_cast<std::size_t>(std::max(copies, 1))) {
    out.problem = fmt::format("valgrind could not run the program: it {} and wrote {}; {}", ended(ran.sample),
                              files.empty() ? std::string("no callgrind file")
                                            : fmt::format("{} callgrind files for {} copies", files.size(), copies),
                              tail_of(folder / "valgrind.err"));
    return out;
  }
  if (bytes > max_profile_file_bytes) return {{}, too_large("callgrind's output", bytes), false};
  for (const auto& file : files) profile::merge(out.stacks, profile::parse_callgrind(read_text(file, max_profile_file_bytes)));
  if (out.stacks.total == 0) out.problem = "callgrind counted no instructions";
  return out;
}

}  // namespace

profiler_probe probe_profilers(std::string_view path) {
  profiler_probe probe;
  probe.perf = found_in(path, "perf");
  probe.valgrind = found_in(path, "valgrind");
  std::ifstream paranoid("/proc/sys/kernel/perf_event_paranoid");
  if (!(paranoid >> probe.perf_event_paranoid)) probe.perf_event_paranoid = 2;
  probe.privileged = ::geteuid() == 0;
  return probe;
}

profiler_choice choose_profiler(std::string_view wanted, const profiler_probe& probe) {
  std::string perf_problem;
  if (probe.perf.empty()) {
    perf_problem = "perf is not installed (Debian: apt-get install linux-perf)";
  } else if (probe.perf_event_paranoid > 2 && !probe.privileged) {
    perf_problem = fmt::format("perf may not profile here: kernel.perf_event_paranoid is {} (above 2 forbids it to "
                               "users); set it to 2 (sysctl kernel.perf_event_paranoid=2) or use PROFILE callgrind",
                               probe.perf_event_paranoid);
  }
  const std::string valgrind_problem =
      probe.valgrind.empty() ? "valgrind is not installed (Debian: apt-get install valgrind)" : "";
  if (wanted == "perf") return perf_problem.empty() ? profiler_choice{"perf", probe.perf, ""} : profiler_choice{"", {}, perf_problem};
  if (wanted == "callgrind") {
    return valgrind_problem.empty() ? profiler_choice{"callgrind", probe.valgrind, ""} : profiler_choice{"", {}, valgrind_problem};
  }
  if (perf_problem.empty()) return {"perf", probe.perf, ""};
  if (valgrind_problem.empty()) return {"callgrind", probe.valgrind, ""};
  return {"", {}, perf_problem + "; " + valgrind_problem};
}

side_profile profile_command(const profiler_choice& choice, exec::command_line line, const fs::path& folder, int copies) {
  for (const auto& entry : fs::directory_iterator(folder)) fs::remove_all(entry.path());
  // The profiler runs the program: resolved as the executor would resolve it.
  const auto environment = exec::merge_environment(environ, line.extra_environment, line.clean_environment);
  std::vector<std::string> argv = line.argv;
  argv[0] = exec::resolve_program(argv[0], environment, exec::command_directory(line.working_directory)).string();
  // Not measured: only a TIMEOUT (valgrind's allowance for callgrind), no memory or CPU limits
  // the profiler's own work would trip.
  std::int64_t timeout = line.limits.timeout_ns > 0 ? line.limits.timeout_ns : std::int64_t{600'000'000'000};
  // A round's copies share the cores: each may take copies / cores times as long.
  const auto cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  timeout *= std::max(1, (copies + cores - 1) / cores);
  line.limits = {};
  line.limits.timeout_ns = choice.tool == "callgrind" ? timeout * exec::valgrind_time_allowance : timeout * 3;
  line.metric_channel = false;
  return choice.tool == "perf" ? perf_profile(choice, line, argv, folder, copies)
                                : callgrind_profile(choice, line, argv, folder, copies);
}

std::vector<std::string> unresolved_warnings(const profile::folded_stacks& stacks, std::string_view side) {
  std::vector<std::string> out;
  if (stacks.total <= 0) return out;
  const auto share = [&](std::int64_t w) { return static_cast<double>(w) / static_cast<double>(stacks.total); };
  if (share(stacks.unresolved_leaf) > unresolved_warning_share) {
    out.push_back(fmt::format("profile of the {}: {:.0f}% of the samples ran in code without symbols; build with "
                              "symbols (-g, not stripped) to see its functions", side, 100 * share(stacks.unresolved_leaf)));
  }
  if (share(stacks.unresolved_caller) > unresolved_warning_share) {
    out.push_back(fmt::format("profile of the {}: {:.0f}% of the stacks have unnamed callers; build with frame "
                              "pointers (-fno-omit-frame-pointer) so perf can walk them", side,
                              100 * share(stacks.unresolved_caller)));
  }
  if (stacks.truncated) {
    out.push_back(fmt::format("profile of the {}: more than {} distinct stacks; the rest are counted as [other stacks]",
                              side, profile::max_stacks));
  }
  return out;
}

}  // namespace perfcheck::run
