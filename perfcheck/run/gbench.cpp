// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/gbench.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <unistd.h>

#include <fmt/format.h>

#include "perfcheck/exec/os_error.hpp"
#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/ingest/metric_channel.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"

namespace perfcheck::run {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view filter_flag = "--benchmark_filter=";
constexpr std::string_view regex_specials = ".[]()*+?{}|^$\\";

bool is_placeholder_at(std::string_view name, std::size_t at, std::size_t& end) {
  end = name.find('}', at);
  if (end == std::string_view::npos || end == at + 1) return false;
  for (std::size_t i = at + 1; i < end; ++i) {
    const char c = name[i];
    const bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > at + 1 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

reported_values one_value(unit_kind kind, double value) {
  reported_values v;
  v.kind = kind;
  v.values.push_back(value);
  return v;
}

void add_value(std::map<std::string, reported_values>& out, const std::string& name, unit_kind kind, double value) {
  const auto [it, fresh] = out.try_emplace(name, one_value(kind, value));
  if (!fresh) it->second.values.push_back(value);
}

// How a failed run ended, in words: "was killed by SIGSEGV", "exited with 1".
std::string how_it_ended(const run_sample& s) {
  if (s.signal) return "was killed by " + signal_name(*s.signal);
  return fmt::format("exited with {}", s.exit_code.value_or(-1));
}

class gbench_runner final : public exec::executor {
 public:
  explicit gbench_runner(const run_spec& spec) : binary_(spec.command.front()) {
    for (const auto& arg : spec.command) {
      if (std::string_view(arg).starts_with(filter_flag)) filter_ = arg.substr(filter_flag.size());
    }
    benchmark_ = filter_.empty() ? std::string("(every benchmark: no --benchmark_filter)") : gbench_name_of_filter(filter_);
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = (tmp != nullptr && *tmp != '\0' ? std::string(tmp) : std::string("/tmp")) +
                          "/perfcheck-gbench-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) exec::detail::throw_errno("mkdtemp " + pattern);
    folder_ = pattern;
    out_ = folder_ / "benchmark.json";
    exec::command_line command = exec::command_line_for(spec);
    command.argv.push_back(fmt::format("--benchmark_out={}", out_.string()));
    inner_ = std::make_unique<exec::process_executor>(std::move(command));
  }
  ~gbench_runner() override {
    inner_.reset();
    std::error_code ignored;  // a private folder: best effort
    fs::remove_all(folder_, ignored);
  }
  gbench_runner(const gbench_runner&) = delete;
  gbench_runner& operator=(const gbench_runner&) = delete;

  exec::run_report run(const exec::output_capture& capture) override {
    std::error_code ignored;
    fs::remove(out_, ignored);
    exec::run_report report = inner_->run(capture);
    if (report.sample.stopped_by_limit()) return report;  // the run loop's verdict: failed
    if (report.sample.failed()) {
      throw command_error(fmt::format(
          "the Google Benchmark binary '{}' {} while running the benchmark '{}'; run '{} --benchmark_filter={}' "
          "to see its output", binary_, how_it_ended(report.sample), benchmark_, binary_, filter_));
    }
    report.sample.reported = read_metrics();
    return report;
  }

 private:
  std::map<std::string, reported_values> read_metrics() const {
    const auto blame = [&](const std::string& what) {
      return command_error(fmt::format("the Google Benchmark binary '{}' {} for the benchmark '{}'", binary_, what,
                                       benchmark_));
    };
    if (!fs::exists(out_) || fs::file_size(out_) == 0) {
      throw blame(fmt::format("ran no benchmark and wrote no results (--benchmark_out={}): either no benchmark "
                              "matches --benchmark_filter={} (list them with --benchmark_list_tests; a build "
                              "rediscovers them) or the program does not call benchmark::RunSpecifiedBenchmarks",
                              out_.string(), filter_));
    }
    std::vector<ingest::google_benchmark_run> runs;
    try {
      runs = ingest::read_google_benchmark_runs(read_json_file(out_), out_.string());
    } catch (const usage_error& e) {
      throw blame(fmt::format("wrote results perfcheck cannot read ({})", e.what()));
    }
    return gbench_metrics(runs, binary_, benchmark_);
  }

  std::string binary_;
  std::string filter_;
  std::string benchmark_;
  fs::path folder_;
  fs::path out_;
  std::unique_ptr<exec::executor> inner_;
};

}  // namespace

std::string gbench_filter(std::string_view name) {
  std::string out = "^";
  for (std::size_t i = 0; i < name.size(); ++i) {
    std::size_t end = 0;
    if (name[i] == '{' && is_placeholder_at(name, i, end)) {
      out.append(name.substr(i, end - i + 1));
      i = end;
      continue;
    }
    if (regex_specials.find(name[i]) != std::string_view::npos) out += '\\';
    out += name[i];
  }
  return out + "$";
}

std::string gbench_name_of_filter(std::string_view filter) {
  if (filter.starts_with('^')) filter.remove_prefix(1);
  if (filter.ends_with('$') && !filter.ends_with("\\$")) filter.remove_suffix(1);
  std::string out;
  for (std::size_t i = 0; i < filter.size(); ++i) {
    if (filter[i] == '\\' && i + 1 < filter.size()) ++i;
    out += filter[i];
  }
  return out;
}

std::map<std::string, reported_values> gbench_metrics(const std::vector<ingest::google_benchmark_run>& runs,
                                                      std::string_view binary, std::string_view benchmark) {
  const auto blame = [&](const std::string& what) {
    return command_error(fmt::format("the Google Benchmark binary '{}': {}", binary, what));
  };
  if (runs.empty()) throw blame(fmt::format("the benchmark '{}' wrote no repetition (only aggregates?); run it "
                                            "without --benchmark_report_aggregates_only", benchmark));
  std::map<std::string, reported_values> out;
  for (const auto& r : runs) {
    if (r.run_name != runs.front().run_name) {
      throw blame(fmt::format("ran both '{}' and '{}'; a perf test runs one benchmark: select it with "
                              "--benchmark_filter=^NAME$ (perfcheck run --gbench NAME)", runs.front().run_name, r.run_name));
    }
    if (r.failed) throw blame(fmt::format("the benchmark '{}' reported an error: {}", r.run_name, r.message));
    add_value(out, std::string(gbench_real_time), unit_kind::duration, r.real_ns);
    add_value(out, std::string(gbench_cpu_time), unit_kind::duration, r.cpu_ns);
    add_value(out, std::string(gbench_iterations), unit_kind::count, r.iterations);
    for (const auto& [name, value] : r.counters) {
      if (const std::string why = ingest::check_metric_name(name); !why.empty()) {
        throw blame(fmt::format("the counter '{}' of the benchmark '{}' cannot be a perfcheck metric: {}; rename "
                                "the counter (state.counters[\"...\"])", name, r.run_name, why));
      }
      add_value(out, name, name.ends_with("_per_second") ? unit_kind::rate : unit_kind::count, value);
    }
  }
  return out;
}

std::unique_ptr<exec::executor> gbench_executor(const run_spec& spec) {
  return std::make_unique<gbench_runner>(spec);
}

}  // namespace perfcheck::run
