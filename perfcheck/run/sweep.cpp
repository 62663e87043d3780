// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/sweep.hpp"

#include <algorithm>
#include <list>
#include <map>
#include <numeric>
#include <random>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/run/environment.hpp"

namespace perfcheck::run {
namespace {

class level_pool;

// One level of the sweep: its plan, its resources while open, and its measurement.
struct level_slot {
  test_plan plan;
  prepared_level live;            // empty while closed
  regression_plan rules;          // a copy whose baseline executor is the slot's proxy
  runner_options options;
  std::unique_ptr<point_run> run;
  std::unique_ptr<hook_runner> hooks;  // per-level SETUP/CLEANUP; null: none or once per test
  std::string cleanup_error;           // why its CLEANUP failed, or ""
};

// An executor that opens its level (in the pool) before each run, so that a closed level
// reopens transparently.
class level_executor final : public exec::executor {
 public:
  level_executor(level_pool& pool, level_slot& slot, bool baseline) : pool_(pool), slot_(slot), baseline_(baseline) {}
  exec::run_report run(const exec::output_capture& capture) override;
  exec::round_report run_round(const exec::output_capture& capture, int copies) override;

 private:
  level_pool& pool_;
  level_slot& slot_;
  bool baseline_;
};

// Keeps at most max_open_levels levels' resources open, closing the least recently used.
class level_pool {
 public:
  explicit level_pool(const level_factory& make) : make_(make) {}

  prepared_level& open(level_slot& slot) {
    const auto it = std::find(recent_.begin(), recent_.end(), &slot);
    if (it != recent_.end()) {
      recent_.splice(recent_.begin(), recent_, it);
      return slot.live;
    }
    if (recent_.size() == max_open_levels) {
      recent_.back()->live = prepared_level{};
      recent_.pop_back();
    }
    slot.live = make_(slot.plan);
    recent_.push_front(&slot);
    return slot.live;
  }

 private:
  const level_factory& make_;
  std::list<level_slot*> recent_;  // open levels, most recently run first
};

exec::run_report level_executor::run(const exec::output_capture& capture) {
  prepared_level& live = pool_.open(slot_);
  if (!baseline_) return live.executor->run(capture);
  return live.regression->baseline_executor->run(capture);
}

exec::round_report level_executor::run_round(const exec::output_capture& capture, int copies) {
  prepared_level& live = pool_.open(slot_);
  return (baseline_ ? live.regression->baseline_executor.get() : live.executor.get())->run_round(capture, copies);
}

// Starts a level's measurement: its resources, its copy of the regression plan.
void start_level(level_pool& pool, level_slot& slot, level_executor& candidate, level_executor& baseline,
                 const runner_options& base) {
  slot.options = base;
  slot.options.regression = nullptr;
  prepared_level& live = pool.open(slot);
  if (live.regression) {
    slot.rules = live.regression->plan;
    if (slot.rules.baseline_executor != nullptr) slot.rules.baseline_executor = &baseline;
    slot.options.regression = &slot.rules;
  }
  slot.run = std::make_unique<point_run>(slot.plan, candidate, slot.options);
}


// A level without its concurrency: levels with the same key share one reference throughput.
std::string reference_key(const level& at) {
  level rest;
  for (const auto& v : at)
    if (v.name != concurrency_parameter) rest.push_back(v);
  return to_string(rest);
}

// Gives every concurrency level the median throughput of one copy at the same other parameters
// (its level concurrency=1), which its efficiency compares with.
void set_references(const test_plan& plan, std::vector<level_slot>& slots) {
  std::map<std::string, double> reference;
  for (std::size_t i = 0; i < slots.size(); ++i)
    if (slots[i].plan.copies == 1) reference[reference_key(plan.levels[i])] = slots[i].run->median_throughput();
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const auto it = reference.find(reference_key(plan.levels[i]));
    if (slots[i].plan.copies > 0 && it != reference.end()) slots[i].run->set_reference_throughput(it->second);
  }
}

// The per-level SETUP before a level's first run and CLEANUP after its last; on an error every
// level that was set up and not yet cleaned up is cleaned up.
class level_hooks {
 public:
  level_hooks(std::vector<level_slot>& slots, const hook_factory* make) : slots_(slots), make_(make) {}
  level_hooks(const level_hooks&) = delete;
  level_hooks& operator=(const level_hooks&) = delete;
  ~level_hooks() {
    for (auto& slot : slots_) {
      if (!slot.hooks) continue;
      try {
        slot.hooks->run(hook_kind::cleanup);
      } catch (...) {
        // the error that ended the sweep is the one reported
      }
    }
  }
  void set_up(level_slot& slot) {
    if (!make_) return;
    auto hooks = (*make_)(slot.plan.spec);
    hooks->run(hook_kind::setup);
    slot.hooks = std::move(hooks);
  }
  void clean_up(level_slot& slot) {
    if (!slot.hooks) return;
    auto hooks = std::move(slot.hooks);
    try {
      hooks->run(hook_kind::cleanup);
    } catch (const command_error& e) {
      slot.cleanup_error = e.what();
    }
  }

 private:
  std::vector<level_slot>& slots_;
  const hook_factory* make_;
};

}  // namespace

verdict worst_of(verdict a, verdict b) {
  const auto rank = [](verdict v) {
    switch (v) {
      case verdict::pass: return 0;
      case verdict::improved: return 1;
      case verdict::skipped: return 2;
      case verdict::inconclusive: return 3;
      case verdict::regressed: return 4;
      case verdict::failed: return 5;
      case verdict::error: return 6;
    }
    return 6;
  };
  return rank(a) >= rank(b) ? a : b;
}

void add_level_point(run_result& sweep, run_result point, const level& at, bool first) {
  const std::string label = to_string(at);
  if (first) {
    sweep.name = point.name;
    sweep.environment = point.environment;
    sweep.warnings = machine_warnings(point.environment);
    sweep.limits = point.limits;
    sweep.overhead_ns = point.overhead_ns;
    sweep.overhead_corrected = point.overhead_corrected;
    sweep.context = point.context;
    sweep.started_at = point.started_at;
    sweep.outcome = point.outcome;
    if (point.baseline) {
      // What the levels compared with; each level's own baseline runs are not kept in a sweep.
      sweep.baseline = point.baseline;
      sweep.baseline->samples.clear();
      sweep.baseline->order.clear();
      sweep.baseline->runs = 0;
    }
  }
  if (sweep.baseline && point.baseline) sweep.baseline->runs += point.baseline->runs;
  sweep.outcome = worst_of(sweep.outcome, point.outcome);
  sweep.finished_at = std::max(sweep.finished_at, point.finished_at);
  for (auto& reason : point.reasons) sweep.reasons.push_back(fmt::format("{}: {}", label, reason));
  for (auto& w : point.warnings) {
    if (std::find(sweep.warnings.begin(), sweep.warnings.end(), w) == sweep.warnings.end() &&
        std::find(sweep.warnings.begin(), sweep.warnings.end(), label + ": " + w) == sweep.warnings.end())
      sweep.warnings.push_back(fmt::format("{}: {}", label, w));
  }
  sweep.metadata.merge(point.metadata);  // the same for every level but what a level's runs said
  for (auto& t : point.thresholds) {
    t.at = label;
    sweep.thresholds.push_back(std::move(t));
  }
  for (auto& f : point.regressions) {
    f.at = label;
    sweep.regressions.push_back(std::move(f));
  }
  sweep.points.push_back({at, point.outcome, std::move(point.runs), std::move(point.warmup_runs),
                          std::move(point.summary), std::move(point.wall_outliers), std::move(point.trends)});
}

run_result run_sweep(const test_plan& plan, const level_factory& make, const runner_options& options,
                     const hook_factory* hooks) {
  const std::size_t n = plan.levels.size();
  level_pool pool(make);
  std::vector<level_slot> slots(n);
  std::vector<std::unique_ptr<level_executor>> executors;
  for (std::size_t i = 0; i < n; ++i) {
    slots[i].plan = plan_at(plan, plan.levels[i]);
    executors.push_back(std::make_unique<level_executor>(pool, slots[i], false));
    executors.push_back(std::make_unique<level_executor>(pool, slots[i], true));
  }
  run_result result;
  result.point_seed = plan.spec.seed != 0 ? plan.spec.seed : std::random_device{}();
  std::mt19937_64 shuffle_with(result.point_seed);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<bool> done(n, false);
  level_hooks around(slots, hooks);
  for (std::size_t left = n; left > 0;) {
    std::shuffle(order.begin(), order.end(), shuffle_with);
    for (std::size_t i : order) {
      if (done[i]) continue;
      if (!slots[i].run) around.set_up(slots[i]);
      if (!slots[i].run) start_level(pool, slots[i], *executors[2 * i], *executors[2 * i + 1], options);
      const point_step step = slots[i].run->step();
      if (step == point_step::measured) result.point_order.push_back(i);
      if (step == point_step::done) {
        done[i] = true;
        around.clean_up(slots[i]);
        --left;
      }
    }
  }
  set_references(plan, slots);
  for (std::size_t i = 0; i < n; ++i) {
    run_result point = slots[i].run->finish();
    if (!slots[i].cleanup_error.empty()) cleanup_failed(point, slots[i].cleanup_error);
    add_level_point(result, std::move(point), plan.levels[i], i == 0);
  }
  apply_level_comparisons(result, plan.level_comparisons);
  result.command = plan.spec.command;
  result.context.spec_hash = spec_hash(plan.spec);  // the sweep's, not its first level's
  gate::apply_series_gates(result, plan.complexity, plan.breaking_points, plan.spec.alpha);
  return result;
}

}  // namespace perfcheck::run
