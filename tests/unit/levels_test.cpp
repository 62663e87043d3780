// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Parameter sweeps: value ranges, levels, placeholders, the plan of a sweep and its errors, the
// result's points in JSON, and the sweep's interleaved run order (fake executors).
#define BOOST_TEST_MODULE levels
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <memory>

#include <boost/json.hpp>

#include "fake_executor.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/plan/levels.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/sweep.hpp"

using namespace perfcheck;
using strings = std::vector<std::string>;

namespace {

const spec_origin file{"specs/t.json", false};
const spec_origin flags{"command line", true};

run_spec sweep_spec(std::vector<parameter_spec> parameters, strings command = {"prog", "--size", "{n}"}) {
  run_spec s;
  s.name = "t";
  s.command = std::move(command);
  s.parameters = std::move(parameters);
  return s;
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const usage_error& e) {
    return e.what();
  }
  BOOST_FAIL("no usage_error was thrown");
  return {};
}

std::string compile_error(const run_spec& spec, const spec_origin& origin) {
  return error_of([&] { (void)compile_plan(spec, origin); });
}

void expect_in(const std::string& text, const std::string& part) {
  BOOST_TEST(text.find(part) != std::string::npos, "'" << part << "' not in: " << text);
}

}  // namespace

BOOST_AUTO_TEST_CASE(ranges_expand_geometric_and_linear) {
  BOOST_TEST(expand_parameter_value("10..1000*10") == (strings{"10", "100", "1000"}));
  BOOST_TEST(expand_parameter_value("10..999*10") == (strings{"10", "100"}));
  BOOST_TEST(expand_parameter_value("0..100+25") == (strings{"0", "25", "50", "75", "100"}));
  BOOST_TEST(expand_parameter_value("1..16*2") == (strings{"1", "2", "4", "8", "16"}));
  BOOST_TEST(expand_parameter_value("0.1..0.3+0.1") == (strings{"0.1", "0.2", "0.3"}));
  BOOST_TEST(expand_parameter_value("1..4*1.5") == (strings{"1", "1.5", "2.25", "3.375"}));
  // Not a range: a word, a path, a plain number.
  BOOST_TEST(expand_parameter_value("../data") == (strings{"../data"}));
  BOOST_TEST(expand_parameter_value("small") == (strings{"small"}));
  BOOST_TEST(expand_parameter_value("42") == (strings{"42"}));
}

BOOST_AUTO_TEST_CASE(bad_ranges_say_what_to_write) {
  expect_in(error_of([] { expand_parameter_value("10..100"); }), "has no step");
  expect_in(error_of([] { expand_parameter_value("0..100*10"); }), "start above 0");
  expect_in(error_of([] { expand_parameter_value("10..1000*1"); }), "factor of at least 2");
  expect_in(error_of([] { expand_parameter_value("100..10+5"); }), "starts past its end");
  expect_in(error_of([] { expand_parameter_value("1..5000+1"); }), "more than 1000 values");
  expect_in(error_of([] { expand_parameter_value(""); }), "a value is empty");
  expect_in(error_of([] { expand_parameter_value("1..x+2"); }), "is not a range");
}

BOOST_AUTO_TEST_CASE(levels_are_the_cartesian_product_first_parameter_slowest) {
  const auto parameters = expand_parameters({{"n", {"1", "2"}}, {"mode", {"a", "b", "c"}}}, "here");
  const auto levels = sweep_levels(parameters);
  BOOST_TEST(levels.size() == 6u);
  BOOST_TEST(to_string(levels[0]) == "n=1,mode=a");
  BOOST_TEST(to_string(levels[2]) == "n=1,mode=c");
  BOOST_TEST(to_string(levels[3]) == "n=2,mode=a");
  BOOST_TEST(sweep_levels({}).empty());
}

BOOST_AUTO_TEST_CASE(duplicate_levels_empty_values_and_too_many_points_are_errors) {
  expect_in(error_of([] { expand_parameters({{"n", {"10", "10..100*10"}}}, "spec.json: test 't': parameters"); }),
            "spec.json: test 't': parameters: parameter 'n': the value 10 is given twice (duplicate levels)");
  expect_in(error_of([] { expand_parameters({{"n", {"1"}}, {"n", {"2"}}}, "--parameter"); }),
            "--parameter: parameter 'n': is declared twice");
  expect_in(error_of([] { expand_parameters({{"n", {"1", ""}}}, "--parameter"); }), "a value is empty");
  expect_in(error_of([] { expand_parameters({{"2x", {"1"}}}, "--parameter"); }), "is not an identifier");
  expect_in(error_of([] { expand_parameters({{"a", {"1..100+1"}}, {"b", {"1..11+1"}}}, "--parameter"); }),
            "more than 1000 levels");
  // Exactly the bound is allowed.
  BOOST_TEST(sweep_levels(expand_parameters({{"a", {"1..100+1"}}, {"b", {"1..10+1"}}}, "x")).size() == 1000u);
}

BOOST_AUTO_TEST_CASE(placeholders_are_replaced_and_unknown_ones_named) {
  const level at{{"n", "500"}, {"mode", "fast"}};
  BOOST_TEST(substitute("--size={n}/{mode}", at) == "--size=500/fast");
  BOOST_TEST(substitute("{{n} {x y} { } {", at) == "{n} {x y} { } {");
  expect_in(error_of([&] { substitute("{m}", at); }), "the placeholder {m} names no parameter (the parameters are n, mode)");
  BOOST_TEST(parameter_variable("n") == "PERFCHECK_PARAM_N");
}

BOOST_AUTO_TEST_CASE(a_level_spec_substitutes_everywhere_and_sets_the_variables) {
  run_spec s = sweep_spec({{"n", {"10"}}});
  s.working_directory = "work/{n}";
  s.environment = {"SIZE={n}", "PLAIN=x"};
  s.baseline_command = {"old", "{n}"};
  const run_spec at = spec_at(s, level{{"n", "10"}});
  BOOST_TEST(at.baseline_command == (strings{"old", "10"}));
  BOOST_TEST(at.command == (strings{"prog", "--size", "10"}));
  BOOST_TEST(at.working_directory == "work/10");
  BOOST_TEST(at.environment == (strings{"SIZE=10", "PLAIN=x", "PERFCHECK_PARAM_N=10"}));
}

BOOST_AUTO_TEST_CASE(compiling_a_sweep_checks_placeholders_and_levels) {
  const test_plan p = compile_plan(sweep_spec({{"n", {"10..1000*10"}}}), file);
  BOOST_TEST(p.levels.size() == 3u);
  BOOST_TEST(to_string(p.levels[1]) == "n=100");
  expect_in(compile_error(sweep_spec({{"n", {"1"}}}, {"prog", "{m}"}), file),
            "specs/t.json: test 't': command[1] '{m}': the placeholder {m} names no parameter");
  expect_in(compile_error(sweep_spec({{"n", {"1"}}}, {"prog", "{m}"}), flags), "command argument 2 '{m}'");
  run_spec env = sweep_spec({{"n", {"1"}}});
  env.environment = {"X={size}"};
  expect_in(compile_error(env, flags), "--env 'X={size}': the placeholder {size} names no parameter");
  // A test without parameters passes braces through: they are not placeholders there.
  run_spec plain = sweep_spec({}, {"prog", "{m}"});
  BOOST_TEST(compile_plan(plain, file).levels.empty());
}

BOOST_AUTO_TEST_CASE(an_expression_level_must_be_one_the_test_has) {
  run_spec s = sweep_spec({{"n", {"10", "500"}}});
  s.thresholds = {"wall.p95@n=500 < 3s", "wall.median@10 < 1s", "rss.max < 1GiB"};
  const test_plan p = compile_plan(s, file);
  BOOST_TEST(p.thresholds.size() == 3u);
  s.thresholds = {"wall.p95@n=50 < 3s"};
  expect_in(compile_error(s, file), "threshold 'wall.p95@n=50 < 3s': the test has no level n=50 (the values of n are 10, 500)");
  s.thresholds = {"wall.p95@m=10 < 3s"};
  expect_in(compile_error(s, flags), "--threshold 'wall.p95@m=10 < 3s': the test has no parameter 'm'");
  run_spec two = sweep_spec({{"n", {"10"}}, {"k", {"1"}}}, {"prog", "{n}", "{k}"});
  two.thresholds = {"wall.p95@10 < 3s"};
  expect_in(compile_error(two, file), "must name its parameter");
}

BOOST_AUTO_TEST_CASE(the_plan_of_a_level_keeps_the_thresholds_that_address_it) {
  run_spec s = sweep_spec({{"n", {"10", "500"}}});
  s.thresholds = {"wall.p95@n=500 < 3s", "rss.max < 1GiB"};
  const test_plan p = compile_plan(s, file);
  const test_plan small = plan_at(p, p.levels[0]), large = plan_at(p, p.levels[1]);
  BOOST_TEST(small.thresholds.size() == 1u);
  BOOST_TEST(small.thresholds[0].text == "rss.max < 1GiB");
  BOOST_TEST(large.thresholds.size() == 2u);
  BOOST_TEST(large.spec.command == (strings{"prog", "--size", "500"}));
  BOOST_TEST(large.levels.empty());
}

BOOST_AUTO_TEST_CASE(a_rule_at_a_level_holds_at_that_level_only) {
  run_spec s = sweep_spec({{"n", {"10", "500"}}});
  s.regressions = {"wall.median@n=500 +5%", "rss.median +10%"};
  const test_plan p = compile_plan(s, file);
  BOOST_TEST_REQUIRE(p.regressions.size() == 2u);
  BOOST_TEST(p.regressions[0].level.value_or("") == "n=500");
  BOOST_TEST(p.regressions[0].metric == "wall");
  BOOST_TEST(p.regressions[0].statistic == "median");
  BOOST_TEST(!p.regressions[1].level.has_value());
  const test_plan small = plan_at(p, p.levels[0]), large = plan_at(p, p.levels[1]);
  BOOST_TEST_REQUIRE(small.regressions.size() == 1u);
  BOOST_TEST(small.regressions[0].text == "rss.median +10%");
  BOOST_TEST(large.regressions.size() == 2u);
  s.regressions = {"wall.median@n=50 +5%"};
  expect_in(compile_error(s, file), "regression rule 'wall.median@n=50 +5%': the test has no level n=50 (the values of n are 10, 500)");
  run_spec plain = sweep_spec({}, {"prog"});
  plain.regressions = {"wall.median@500 +5%"};
  expect_in(compile_error(plain, flags), "--regression 'wall.median@500 +5%': the test has no level '500': it measures one point; declare "
                                       "a parameter (PARAMETERS, --parameter) or write the rule without '@500'");
}

BOOST_AUTO_TEST_CASE(a_sweep_of_soaks_soaks_every_level_and_history_rules_compile_per_level) {
  run_spec soak = sweep_spec({{"n", {"1"}}});
  soak.duration_ns = 1'000'000'000;
  soak.thresholds = {"rss.growth < 10%"};
  const test_plan soaked = compile_plan(soak, flags);  // once refused: "a sweep of soaks is not supported"
  BOOST_TEST(plan_at(soaked, soaked.levels[0]).schedule.min_time_ns == 1'000'000'000);
  // Rules against the history compare each level with the same level of it: the level's plan
  // says which level it is (run/baseline.cpp asks the history for it).
  run_spec rules = sweep_spec({{"n", {"1", "7"}}});
  rules.regressions = {"wall.median +5%"};
  const test_plan plan = compile_plan(rules, file);
  BOOST_TEST((plan.baseline == baseline_kind::history));
  BOOST_TEST(plan.at.empty());
  BOOST_TEST(to_string(plan_at(plan, plan.levels[1]).at) == "n=7");
  BOOST_TEST(plan_at(plan, plan.levels[1]).regressions.size() == 1u);
}

namespace {

// A sweep over n = 1, 2, 3 whose fake runs take n ms (the level's own wall time), counting the
// runs per level and recording the order in which levels ran.
struct fake_sweep {
  std::vector<std::string> ran;  // the n of every run, warm-up included, in order
  std::map<std::string, int> made;  // executors made per level

  run::level_factory factory() {
    return [this](const test_plan& p) {
      const std::string n = p.spec.command.back();
      ++made[n];
      run::prepared_level level;
      level.executor = std::make_unique<test::fake_executor>([this, n](int) {
        ran.push_back(n);
        run_sample s;
        s.wall_ns = std::stoll(n) * 1'000'000;
        s.exit_code = 0;
        return s;
      });
      return level;
    };
  }
};

test_plan sweep_plan(std::vector<std::string> thresholds, std::uint64_t seed, int runs = 6) {
  run_spec s = sweep_spec({{"n", {"1", "2", "3"}}}, {"prog", "{n}"});
  s.warmup = 1;
  s.min_runs = s.max_runs = runs;
  s.thresholds = std::move(thresholds);
  s.seed = seed;
  return compile_plan(s, file);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_sweep_interleaves_its_levels_round_by_round) {
  fake_sweep fake;
  const run_result r = run::run_sweep(sweep_plan({}, 7), fake.factory(), {});
  BOOST_TEST(r.points.size() == 3u);
  BOOST_TEST(r.point_seed == 7u);
  BOOST_TEST(r.point_order.size() == 18u);
  BOOST_TEST(fake.ran.size() == 21u);  // one warm-up and six measured runs per level
  // Round by round: every window of three runs holds each level once.
  for (std::size_t round = 0; round < 7; ++round) {
    std::set<std::string> seen(fake.ran.begin() + static_cast<long>(3 * round), fake.ran.begin() + static_cast<long>(3 * round + 3));
    BOOST_TEST(seen.size() == 3u);
  }
  // Shuffled: not the same order in every round.
  std::set<std::vector<std::string>> orders;
  for (std::size_t round = 0; round < 7; ++round) {
    orders.insert({fake.ran.begin() + static_cast<long>(3 * round), fake.ran.begin() + static_cast<long>(3 * round + 3)});
  }
  BOOST_TEST(orders.size() > 1u);
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(r.points[i].runs.size() == 6u);
    BOOST_TEST(r.points[i].warmup_runs.size() == 1u);
    BOOST_TEST(r.points[i].summary.at("wall").median == double(i + 1) * 1e6);
    BOOST_TEST(fake.made[std::to_string(i + 1)] == 1);
  }
  BOOST_TEST(r.runs.empty());
  // The same seed gives the same order.
  fake_sweep again;
  BOOST_TEST(run::run_sweep(sweep_plan({}, 7), again.factory(), {}).point_order == r.point_order);
}

BOOST_AUTO_TEST_CASE(thresholds_are_checked_per_level_and_marked_with_it) {
  fake_sweep fake;
  const run_result r = run::run_sweep(sweep_plan({"wall.median < 2500us", "wall.median@n=1 < 500us"}, 3),
                                      fake.factory(), {});
  BOOST_TEST((r.outcome == verdict::failed));
  BOOST_TEST(r.thresholds.size() == 4u);  // the every-level one at 1, 2, 3 and the @n=1 one
  std::map<std::string, int> failed;
  for (const auto& t : r.thresholds) {
    if (!t.ok) ++failed[t.at + " " + t.expr.text];
  }
  BOOST_TEST(failed.size() == 2u);
  BOOST_TEST(failed.count("n=3 wall.median < 2500us") == 1u);
  BOOST_TEST(failed.count("n=1 wall.median@n=1 < 500us") == 1u);
  BOOST_TEST((r.points[1].outcome == verdict::pass));
  BOOST_TEST((r.points[2].outcome == verdict::failed));
  expect_in(r.reasons.at(0), "n=1: wall.median@n=1 < 500us: measured");
  fake_sweep passing;
  BOOST_TEST((run::run_sweep(sweep_plan({"wall.median < 5ms"}, 3), passing.factory(), {}).outcome == verdict::pass));
}

BOOST_AUTO_TEST_CASE(a_large_sweep_reopens_closed_levels) {
  run_spec s = sweep_spec({{"n", {"1..20+1"}}}, {"prog", "{n}"});
  s.warmup = 0;
  s.min_runs = s.max_runs = 2;
  s.seed = 5;
  fake_sweep fake;
  const run_result r = run::run_sweep(compile_plan(s, file), fake.factory(), {});
  BOOST_TEST(r.points.size() == 20u);
  BOOST_TEST(r.point_order.size() == 40u);
  int made = 0;
  for (const auto& [n, count] : fake.made) made += count;
  BOOST_TEST(made > 20);  // more levels than max_open_levels: some were closed and reopened
  for (const auto& p : r.points) BOOST_TEST(p.runs.size() == 2u);
}

BOOST_AUTO_TEST_CASE(points_round_trip_through_json_and_older_results_are_one_point) {
  fake_sweep fake;
  const run_result r = run::run_sweep(sweep_plan({"wall.median < 2500us"}, 11, 3), fake.factory(), {});
  const auto json = result_to_json(r);
  BOOST_TEST(json.as_object().at("points").as_array().size() == 3u);
  BOOST_TEST(json.as_object().at("thresholds").as_array()[2].as_object().at("at").as_string() == "n=3");
  BOOST_TEST((result_from_json(json, "r.json") == r));
  // A result without points (every older file) is one point without a level.
  run_result plain;
  plain.name = "p";
  plain.command = {"x"};
  plain.runs.resize(2);
  const auto one = result_to_json(plain);
  BOOST_TEST(!one.as_object().contains("points"));
  const auto read = result_from_json(one, "old.json");
  const auto points = points_of(read);
  BOOST_TEST(points.size() == 1u);
  BOOST_TEST(points[0].at.empty());
  BOOST_TEST(points[0].runs.size() == 2u);
  // A bad point is named.
  auto bad = json;
  bad.as_object()["point_order"] = boost::json::array{0, 9};
  expect_in(error_of([&] { result_from_json(bad, "r.json"); }), "9 is not the index of a point");
}

BOOST_AUTO_TEST_CASE(spec_files_carry_parameters_and_seed) {
  run_spec s = sweep_spec({{"n", {"10..1000*10", "5000"}}});
  s.seed = 42;
  const auto json = spec_to_json(s);
  const run_spec back = spec_from_json(json, "t.json");
  BOOST_TEST((back.parameters == s.parameters));
  BOOST_TEST(back.seed == 42u);
  BOOST_TEST(spec_hash(back) != spec_hash(sweep_spec({})));
  // A value added to a sweep keeps its series (the new level has no baseline yet); another
  // parameter is another test.
  BOOST_TEST(spec_hash(sweep_spec({{"n", {"10", "100"}}})) == spec_hash(sweep_spec({{"n", {"10", "100", "1000"}}})));
  BOOST_TEST(spec_hash(sweep_spec({{"n", {"10"}}})) != spec_hash(sweep_spec({{"m", {"10"}}})));
  auto bad = json;
  bad.as_object()["parameters"] = boost::json::parse(R"([{"name": "1n", "values": ["1"]}])");
  expect_in(error_of([&] { spec_from_json(bad, "t.json"); }), "parameters[0].name");
}

BOOST_AUTO_TEST_CASE(a_server_test_gets_its_port_when_it_runs_and_keeps_its_hash) {
  const level at{{"n", "10"}};
  BOOST_TEST(substitute("{n}:{port}", at, true) == "10:{port}");
  expect_in(error_of([&] { substitute("{port}", at, false); }), "the placeholder {port} names no parameter");

  run_spec s = sweep_spec({{"n", {"10"}}}, {"client", "--port={port}", "--size={n}"});
  s.environment = {"URL=http://127.0.0.1:{port}/"};
  s.working_directory = "w{port}";
  // Without a server, {port} is a typo the plan names; with one, it is the server's.
  expect_in(compile_error(s, file), "the placeholder {port} names no parameter");
  s.server = "web-api";
  s.server_state_dir = "/tmp/servers";
  BOOST_TEST(compile_plan(s, file).levels.size() == 1u);
  const run_spec level_spec = spec_at(s, at);
  BOOST_TEST(level_spec.command == (strings{"client", "--port={port}", "--size=10"}));
  const run_spec served = spec_with_port(level_spec, 4242);
  BOOST_TEST(served.command == (strings{"client", "--port=4242", "--size=10"}));
  BOOST_TEST(served.working_directory == "w4242");
  BOOST_TEST(served.environment == (strings{"URL=http://127.0.0.1:4242/", "PERFCHECK_PARAM_N=10",
                                            "PERFCHECK_SERVER_PORT=4242", "PERFCHECK_SERVER_WEB_API_PORT=4242"}));

  const run_spec back = spec_from_json(spec_to_json(s), "t.json");
  BOOST_TEST(back.server == "web-api");
  BOOST_TEST(back.server_state_dir == "/tmp/servers");
  BOOST_TEST(spec_from_json(spec_to_json(sweep_spec({})), "t.json").server.empty());
}
