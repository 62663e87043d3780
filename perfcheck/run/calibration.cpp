// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/gate/regression_rule.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/stats/compare.hpp"

namespace perfcheck::run {
namespace {

// Share of A/A pairs within which the half-width is taken: 4 of 5 comparisons reach no
// further, so the minimum detectable effect is flagged about that often.
constexpr double half_width_quantile = 0.8;
constexpr std::size_t max_recommended_runs = 1000;

std::string percent_text(double fraction) { return fmt::format("{:g}%", fraction * 100); }

double round_up_to_half_percent(double fraction) { return std::ceil(fraction * 200 - 1e-9) / 200; }

}  // namespace

void validate(const calibration_options& o) {
  if (!(o.alpha > 0 && o.alpha <= 0.5)) {
    throw usage_error(fmt::format("--alpha {}: use a significance level above 0 and at most 0.5, e.g. 0.01", o.alpha));
  }
  const auto min_runs = stats::min_sample_size(o.alpha);
  if (o.runs < static_cast<int>(min_runs) || o.runs > 10000) {
    throw usage_error(fmt::format("--runs {}: with --alpha {} a comparison needs at least {} runs per "
                                  "side (and at most 10000); write e.g. --runs 10",
                                  o.runs, o.alpha, min_runs));
  }
  if (o.trials < 1 || o.trials > 1000) {
    throw usage_error(fmt::format("--trials {}: use 1 to 1000 A/A comparisons, e.g. --trials 20", o.trials));
  }
  if (o.warmup < 0 || o.warmup > 10000) {
    throw usage_error(fmt::format("--warmup {}: use 0 to 10000", o.warmup));
  }
  if (!(o.tolerance >= 0 && o.tolerance <= 10)) {
    throw usage_error(fmt::format("--tolerance {}: use 0% to 1000%, e.g. --tolerance 5%", percent_text(o.tolerance)));
  }
  if (!(o.target > 0 && o.target <= 10)) {
    throw usage_error(fmt::format("--target {}: use more than 0% and at most 1000%, e.g. --target 5%", percent_text(o.target)));
  }
}

calibration_result analyze_calibration(const std::vector<std::vector<double>>& blocks,
                                       const calibration_options& options) {
  if (blocks.empty() || blocks.size() % 2 != 0) {
    throw std::invalid_argument("analyze_calibration: needs an even, non-zero number of blocks");
  }
  calibration_result out;
  out.options = options;
  gate::regression_rule rule;
  rule.metric = "wall";
  rule.tolerance = options.tolerance;
  rule.text = fmt::format("wall.median +{}", percent_text(options.tolerance));
  gate::regression_options rule_options;
  rule_options.alpha = options.alpha;

  std::vector<double> all;
  std::vector<double> half_widths;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    all.insert(all.end(), blocks[i].begin(), blocks[i].end());
    out.block_medians.push_back(stats::median(blocks[i]));
  }
  for (std::size_t i = 0; i + 1 < blocks.size(); i += 2) {
    const std::map<std::string, std::vector<double>> a{{"wall", blocks[i]}};
    const std::map<std::string, std::vector<double>> b{{"wall", blocks[i + 1]}};
    const auto finding = gate::evaluate_regressions({rule}, a, b, rule_options).front();
    if (finding.decision == verdict::regressed || finding.decision == verdict::improved) ++out.false_alarms;
    if (finding.decision == verdict::inconclusive) ++out.inconclusive;
    half_widths.push_back(std::max(finding.change - finding.ci_low, finding.ci_high - finding.change));
    if (finding.p_adjusted < options.alpha) {
      out.noise_floor = std::max({out.noise_floor, finding.ci_low, -finding.ci_high});
    }
    out.pairs.push_back(finding);
  }
  const std::size_t trials = out.pairs.size();
  out.false_alarm_rate = static_cast<double>(out.false_alarms) / static_cast<double>(trials);
  out.false_alarm_interval = stats::wilson_interval(out.false_alarms, trials, 0.95);
  out.robust_cv = stats::robust_cv(all);
  out.block_cv = stats::robust_cv(out.block_medians);
  std::sort(half_widths.begin(), half_widths.end());
  out.half_width = stats::quantile_sorted(half_widths, half_width_quantile);
  out.min_detectable_effect = options.tolerance + out.half_width;

  out.recommended_tolerance = std::max(options.target / 2, round_up_to_half_percent(out.noise_floor));
  const double room = options.target - out.recommended_tolerance;
  if (room > 0) {
    // The interval's width shrinks as 1 / sqrt(runs per side) (Hodges-Lehmann, like a mean).
    const double runs = static_cast<double>(options.runs);
    for (std::size_t n = stats::min_sample_size(options.alpha); n <= max_recommended_runs; ++n) {
      if (out.half_width * std::sqrt(runs / static_cast<double>(n)) <= room) {
        out.recommended_runs = n;
        break;
      }
    }
  }
  return out;
}

calibration_result calibrate(exec::executor& executor, const calibration_options& options,
                             progress_listener* progress) {
  validate(options);
  const exec::output_capture discard;  // both paths empty: output goes to /dev/null
  const int total = 2 * options.trials * options.runs;
  auto check = [&](const exec::run_report& report, const char* kind, int index) {
    if (report.sample.failed()) {
      throw command_error(fmt::format(
          "calibrate: {} run {} of the command failed ({}); calibrate a command that succeeds",
          kind, index,
          report.sample.signal ? "killed by " + signal_name(*report.sample.signal)
                               : fmt::format("exit code {}", report.sample.exit_code.value_or(0))));
    }
  };
  for (int i = 1; i <= options.warmup; ++i) {
    const auto report = executor.run(discard);
    check(report, "warm-up", i);
    if (progress != nullptr) progress->run_finished(true, i, options.warmup, report.sample);
  }
  std::vector<std::vector<double>> blocks(static_cast<std::size_t>(2 * options.trials));
  int done = 0;
  for (auto& block : blocks) {
    for (int r = 0; r < options.runs; ++r) {
      const auto report = executor.run(discard);
      check(report, "measured", done + 1);
      block.push_back(static_cast<double>(report.sample.wall_ns));
      ++done;
      if (progress != nullptr) progress->run_finished(false, done, total, report.sample);
    }
  }
  return analyze_calibration(blocks, options);
}

boost::json::value calibration_record_to_json(const calibration_record& record) {
  const calibration_result& r = record.result;
  const calibration_options& o = r.options;
  return {{"recorded_at", record.recorded_at},
          {"hostname", record.environment.hostname},
          {"cpu_model", record.environment.cpu_model},
          {"kernel", record.environment.kernel},
          {"command", boost::json::value_from(record.command)},
          {"runs", o.runs},
          {"trials", o.trials},
          {"alpha", o.alpha},
          {"tolerance", o.tolerance},
          {"target", o.target},
          {"false_alarms", r.false_alarms},
          {"inconclusive", r.inconclusive},
          {"false_alarm_rate", r.false_alarm_rate},
          {"false_alarm_low", r.false_alarm_interval.low},
          {"false_alarm_high", r.false_alarm_interval.high},
          {"robust_cv", r.robust_cv},
          {"block_cv", r.block_cv},
          {"half_width", r.half_width},
          {"min_detectable_effect", r.min_detectable_effect},
          {"noise_floor", r.noise_floor},
          {"recommended_tolerance", r.recommended_tolerance},
          {"recommended_runs", r.recommended_runs ? boost::json::value(*r.recommended_runs)
                                                  : boost::json::value(nullptr)}};
}

namespace {

// The machines object of an existing calibration file, checked.
boost::json::object read_machines(const std::filesystem::path& path) {
  const boost::json::value json = read_json_file(path);
  const json_reader top(json, path.string());
  const std::string schema = top.required_string("schema");
  if (schema != calibration_schema) {
    top.fail("schema", fmt::format("'{}' is not a calibration file; expected '{}' (write one with "
                                   "'perfcheck calibrate --save FILE')", schema, calibration_schema));
  }
  const auto machines = top.optional_object("machines");
  if (!machines) top.fail("machines", "missing; expected an object {\"<machine fingerprint>\": {...}}");
  for (const auto& kv : json.as_object().at("machines").as_object()) {
    const auto entry = machines->optional_object(kv.key());
    const auto floor = entry->optional_number("noise_floor");
    if (!floor) entry->fail("noise_floor", "missing; calibrate this machine again with 'perfcheck calibrate'");
    if (!std::isfinite(*floor) || *floor < 0 || *floor > 10) {
      entry->fail("noise_floor", fmt::format("{} is not a noise floor; expected a fraction from 0 to 10 "
                                             "(0.05 = 5%); calibrate this machine again", *floor));
    }
  }
  return json.as_object().at("machines").as_object();
}

}  // namespace

void save_calibration(const std::filesystem::path& path, const calibration_record& record) {
  boost::json::object machines;
  if (std::filesystem::exists(path)) machines = read_machines(path);
  machines[record.machine] = calibration_record_to_json(record);
  write_json_file_atomic(path, boost::json::object{{"schema", calibration_schema}, {"machines", std::move(machines)}});
}

std::optional<double> load_noise_floor(const std::filesystem::path& path, const std::string& machine) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  const boost::json::object machines = read_machines(path);
  const auto* entry = machines.if_contains(machine);
  if (entry == nullptr) return std::nullopt;
  return entry->as_object().at("noise_floor").to_number<double>();
}

}  // namespace perfcheck::run
