// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Profiles without processes: perf script's and callgrind's text as folded stacks, the bounds,
// the table of the functions whose share grew most, and the flame graph's SVG (well-formed,
// names escaped, bounded).
#define BOOST_TEST_MODULE profile
#include <boost/test/unit_test.hpp>

#include <sstream>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include "perfcheck/model/result.hpp"
#include "perfcheck/profile/flame_graph.hpp"
#include "perfcheck/profile/folded.hpp"
#include "perfcheck/run/profiling.hpp"

using namespace perfcheck::profile;

namespace {

// perf script output of `perf record -e cpu-clock -g` as perf 6.1 prints it (cut to 4 samples).
const char* const perf_text =
    "prog  6040  4329.107785:     250000 cpu-clock: \n"
    "\t            113a hot+0x11 (/tmp/prog)\n"
    "\t            1160 main+0x20 (/tmp/prog)\n"
    "\t           2724a __libc_start_call_main+0x7a (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
    "\n"
    "prog  6040  4329.108039:     250000 cpu-clock: \n"
    "\t            113a hot+0x11 (/tmp/prog)\n"
    "\t            1160 main+0x20 (/tmp/prog)\n"
    "\t           2724a __libc_start_call_main+0x7a (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
    "\n"
    "prog  6040  4329.108285:     250000 cpu-clock: \n"
    "\t            1150 cold(int, char const*)+0x3 (/tmp/prog)\n"
    "\t            1160 main+0x20 (/tmp/prog)\n"
    "\t           2724a __libc_start_call_main+0x7a (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
    "\n"
    "my prog 6041/6042  4329.108535:     250000 cpu-clock: \n"
    "\t            1166 [unknown] (/tmp/prog)\n"
    "\t               0 [unknown] ([unknown])\n";

// A callgrind file as valgrind 3.19 writes it with --separate-callers=30 (cut).
const char* const callgrind_text =
    "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npositions: line\nevents: Ir\nsummary: 190000017\n\n"
    "ob=(5) /tmp/prog\nfl=(146) /tmp/prog.c\n"
    "fn=(1186) main'(below main)\n5 4\n"
    "cfn=(1190) hot'main'(below main)\ncalls=1 -2 \n* 160000004\n* 2\n"
    "cfn=(1194) cold'main'(below main)\ncalls=1 -1 \n* 30000004\n* 3\n\n"
    "fn=(1194)\n4 30000004\n\nfn=(1190)\n3 160000004\n+1 6\n";

folded_stacks profile_of(std::initializer_list<std::pair<const char*, std::int64_t>> stacks) {
  folded_stacks p;
  for (const auto& [stack, weight] : stacks) {
    std::vector<std::string> frames;
    std::string s = stack;
    for (std::size_t at; (at = s.find(';')) != std::string::npos; s.erase(0, at + 1)) frames.push_back(s.substr(0, at));
    frames.push_back(s);
    add_stack(p, frames, weight);
  }
  return p;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Parses `svg` as XML (throws when it is not well-formed).
boost::property_tree::ptree parse_xml(const std::string& svg) {
  std::istringstream in(svg);
  boost::property_tree::ptree tree;
  boost::property_tree::read_xml(in, tree);
  return tree;
}

}  // namespace

BOOST_AUTO_TEST_CASE(perf_script_samples_become_folded_stacks_root_first) {
  const folded_stacks p = parse_perf_script(perf_text);
  BOOST_TEST(p.total == 4);
  BOOST_TEST(p.stacks.size() == 3u);
  BOOST_TEST(p.stacks.at("__libc_start_call_main;main;hot") == 2);
  BOOST_TEST(p.stacks.at("__libc_start_call_main;main;cold(int, char const*)") == 1);
  BOOST_TEST(p.stacks.at("[unknown];[unknown]") == 1);  // a process of a name with a space, no symbols
  BOOST_TEST(p.unresolved_leaf == 1);
  BOOST_TEST(p.unresolved_caller == 0);
  BOOST_TEST(folded_text(p) == "[unknown];[unknown] 1\n"
                               "__libc_start_call_main;main;cold(int, char const*) 1\n"
                               "__libc_start_call_main;main;hot 2\n");
}

BOOST_AUTO_TEST_CASE(an_unnamed_frame_between_root_and_leaf_is_a_broken_stack) {
  const folded_stacks p = profile_of({{"prog;0x7f8b67ba48a8;main;hot", 3}, {"prog;main;hot", 1}});
  BOOST_TEST(p.unresolved_caller == 3);
  BOOST_TEST(p.unresolved_leaf == 0);
}

BOOST_AUTO_TEST_CASE(callgrind_contexts_give_self_cost_stacks) {
  const folded_stacks p = parse_callgrind(callgrind_text);
  BOOST_TEST(p.stacks.size() == 3u);
  BOOST_TEST(p.stacks.at("(below main);main;hot") == 160000010);  // 160000004 + 6, not the call's cost
  BOOST_TEST(p.stacks.at("(below main);main;cold") == 30000004);
  BOOST_TEST(p.stacks.at("(below main);main") == 9);  // 4 + 2 + 3: the lines after calls= skipped
  BOOST_TEST(p.total == 160000010 + 30000004 + 9);
}

BOOST_AUTO_TEST_CASE(frame_names_lose_separators_and_control_characters_and_are_cut) {
  BOOST_TEST(clean_frame("a;b\nc\x7f") == "a_b_c_");
  const std::string long_name(2000, 'x');
  BOOST_TEST(clean_frame(long_name) == std::string(max_name_bytes, 'x') + "...");
  BOOST_TEST(unresolved("[unknown]"));
  BOOST_TEST(unresolved("0x000000000001ab70"));
  BOOST_TEST(unresolved("7f8b67ba48a8"));
  BOOST_TEST(!unresolved("main"));
  BOOST_TEST(!unresolved("deadbeef_fn"));
}

BOOST_AUTO_TEST_CASE(a_profile_keeps_at_most_max_stacks_and_says_so) {
  folded_stacks p;
  for (std::size_t i = 0; i < max_stacks + 500; ++i) add_stack(p, {"prog", "f" + std::to_string(i)}, 2);
  BOOST_TEST(p.truncated);
  BOOST_TEST(p.stacks.size() == max_stacks + 1);
  BOOST_TEST(p.stacks.at("[other stacks]") == 1000);
  BOOST_TEST(p.total == static_cast<std::int64_t>(2 * (max_stacks + 500)));
  std::vector<std::string> deep(max_depth + 10, "f");
  folded_stacks d;
  add_stack(d, deep, 1);
  BOOST_TEST(occurrences(d.stacks.begin()->first, ";") == max_depth - 1);
}

BOOST_AUTO_TEST_CASE(the_table_puts_the_function_whose_share_grew_most_first) {
  const folded_stacks candidate = profile_of({{"p;main;hot", 80}, {"p;main;cold", 15}, {"p;main", 5}});
  const folded_stacks baseline = profile_of({{"p;main;hot", 10}, {"p;main;cold", 30}, {"p;main;gone", 10}});
  const auto table = share_table(candidate, &baseline, 10);
  BOOST_TEST_REQUIRE(table.size() == 2u);  // gone (0 - 0.2) and cold (0.15 - 0.6) shrank
  BOOST_TEST(table[0].name == "hot");
  BOOST_TEST(table[0].candidate == 0.80, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(table[0].baseline == 0.20, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(table[1].name == "main");  // 0.05 - 0
  BOOST_TEST(table[1].candidate_inclusive == 1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(table[1].growth() == 0.05, boost::test_tools::tolerance(1e-12));
  const auto alone = share_table(candidate, nullptr, 2);
  BOOST_TEST_REQUIRE(alone.size() == 2u);
  BOOST_TEST(alone[0].name == "hot");
  BOOST_TEST(alone[1].name == "cold");
}

BOOST_AUTO_TEST_CASE(the_flame_graph_draws_a_box_per_frame_sized_by_its_share) {
  const folded_stacks p = profile_of({{"p;main;hot", 3}, {"p;main;cold", 1}});
  flame_options options;
  options.width = 420;  // 400 px of boxes: 100 px per sample
  const std::string svg = flame_graph_svg(p, nullptr, options);
  parse_xml(svg);
  BOOST_TEST(occurrences(svg, "<rect") == 1u + 5u);  // the background; all, p, main, hot, cold
  BOOST_TEST(occurrences(svg, "width=\"400.0\"") == 3u);  // all, p, main
  BOOST_TEST(occurrences(svg, "width=\"300.0\"") == 1u);  // hot
  BOOST_TEST(occurrences(svg, "width=\"100.0\"") == 1u);  // cold
  BOOST_TEST(svg.find("<title>hot (3 samples, 75.00%)</title>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_differential_flame_graph_colors_growth_red_and_shrinkage_blue) {
  const folded_stacks candidate = profile_of({{"p;hot", 3}, {"p;cold", 1}});
  const folded_stacks baseline = profile_of({{"p;hot", 1}, {"p;cold", 3}});
  const std::string svg = flame_graph_svg(candidate, &baseline);
  parse_xml(svg);
  BOOST_TEST(svg.find("<title>hot (3 samples, 75.00%, +50.00 points)</title><rect") != std::string::npos);
  BOOST_TEST(svg.find("<title>cold (1 samples, 25.00%, -50.00 points)</title><rect") != std::string::npos);
  BOOST_TEST(svg.find("fill=\"rgb(250,35,35)\"") != std::string::npos);  // +0.5: full red
  BOOST_TEST(svg.find("fill=\"rgb(35,35,250)\"") != std::string::npos);  // -0.5: full blue
}

BOOST_AUTO_TEST_CASE(hostile_names_reach_the_svg_only_escaped) {
  const std::string hostile = "<script>alert(1)</script>&\"'\x01\xff]]>";
  const folded_stacks p = profile_of({{"p;x", 1}});
  folded_stacks q = p;
  add_stack(q, {"p", hostile}, 1);
  flame_options options;
  options.title = hostile;
  const std::string svg = flame_graph_svg(q, nullptr, options);
  BOOST_TEST(svg.find("<script") == std::string::npos);
  BOOST_TEST(svg.find('\x01') == std::string::npos);
  BOOST_TEST(svg.find('\xff') == std::string::npos);
  BOOST_TEST(svg.find("]]>") == std::string::npos);
  const std::string escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;";
  // The title as given (the control character and the bad byte replaced by U+FFFD); the frame as
  // folded stacks keep it (the control character already '_'), in its tooltip and its label.
  BOOST_TEST(occurrences(svg, escaped + "\xef\xbf\xbd\xef\xbf\xbd]]&gt;</text>") == 1u);
  BOOST_TEST(occurrences(svg, escaped + "_\xef\xbf\xbd]]&gt;") == 2u);
  parse_xml(svg);
  BOOST_TEST(xml_escape("caf\xc3\xa9 \xc0\x80") == "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd");  // overlong: replaced
}

BOOST_AUTO_TEST_CASE(the_flame_graph_is_bounded) {
  folded_stacks p;
  for (int i = 0; i < 3000; ++i) add_stack(p, {"prog", "f" + std::to_string(i), "g"}, 1 + i % 7);
  flame_options options;
  options.max_boxes = 50;
  const std::string svg = flame_graph_svg(p, nullptr, options);
  parse_xml(svg);
  BOOST_TEST(occurrences(svg, "<rect") == 51u);
  options.max_boxes = 100000;
  const std::string narrow = flame_graph_svg(p, nullptr, options);
  // 1180 px over 11994 samples: a box of 6 samples is 0.59 px (drawn), of 5 0.49 px (not). The
  // 856 stacks of weight 6 or 7 draw f and g each, besides the background, all and prog.
  BOOST_TEST(occurrences(narrow, "<rect") == 3u + 2u * 856u);
  BOOST_TEST(narrow.size() < 2000000u);
}

BOOST_AUTO_TEST_CASE(the_profiler_is_chosen_by_what_the_machine_allows) {
  using perfcheck::run::choose_profiler;
  perfcheck::run::profiler_probe probe{"/usr/bin/perf", "/usr/bin/valgrind", 2, false};
  BOOST_TEST(choose_profiler("auto", probe).tool == "perf");
  BOOST_TEST(choose_profiler("callgrind", probe).tool == "callgrind");
  probe.perf_event_paranoid = 3;  // Debian's default forbids users everything
  BOOST_TEST(choose_profiler("auto", probe).tool == "callgrind");
  const auto forbidden = choose_profiler("perf", probe);
  BOOST_TEST(forbidden.tool.empty());
  BOOST_TEST(forbidden.problem == "perf may not profile here: kernel.perf_event_paranoid is 3 (above 2 forbids it "
                                  "to users); set it to 2 (sysctl kernel.perf_event_paranoid=2) or use PROFILE callgrind");
  probe.privileged = true;
  BOOST_TEST(choose_profiler("perf", probe).tool == "perf");
  const perfcheck::run::profiler_probe none{"", "", 2, false};
  BOOST_TEST(choose_profiler("auto", none).problem ==
             "perf is not installed (Debian: apt-get install linux-perf); valgrind is not installed (Debian: apt-get "
             "install valgrind)");
}

BOOST_AUTO_TEST_CASE(unnamed_frames_above_a_fifth_get_the_fix_named) {
  const folded_stacks fine = profile_of({{"main;hot", 80}, {"main;[unknown]", 20}});  // exactly a fifth: no warning
  BOOST_TEST(perfcheck::run::unresolved_warnings(fine, "command").empty());
  const folded_stacks stripped = profile_of({{"main;hot", 79}, {"main;[unknown]", 21}});
  const auto w = perfcheck::run::unresolved_warnings(stripped, "command");
  BOOST_TEST_REQUIRE(w.size() == 1u);
  BOOST_TEST(w[0] == "profile of the command: 21% of the samples ran in code without symbols; build with symbols "
                     "(-g, not stripped) to see its functions");
  const folded_stacks broken = profile_of({{"_start;0x7f01;main;hot", 30}, {"_start;main;hot", 70}});
  const auto b = perfcheck::run::unresolved_warnings(broken, "baseline command");
  BOOST_TEST_REQUIRE(b.size() == 1u);
  BOOST_TEST(b[0].find("30% of the stacks have unnamed callers; build with frame pointers (-fno-omit-frame-pointer)") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_results_profile_survives_its_json_and_bad_rows_are_named) {
  perfcheck::run_result r;
  r.name = "t";
  r.command = {"true"};
  r.profile = perfcheck::profile_info{"perf", "", {"out/t.profile.folded", "out/t.profile.svg"},
                                      {{"hot", 0.8, 0.2, 0.9}}, 120, 40, {"a warning"}, "n=500"};
  const auto back = perfcheck::result_from_json(perfcheck::result_to_json(r), "t.json");
  BOOST_TEST_REQUIRE(back.profile.has_value());
  BOOST_TEST((*back.profile == *r.profile));
  auto json = perfcheck::result_to_json(r);
  json.as_object()["profile"].as_object()["rows"] = boost::json::array{42};
  try {
    perfcheck::result_from_json(json, "t.json");
    BOOST_FAIL("a row that is not an object was read");
  } catch (const std::exception& e) {
    BOOST_TEST(std::string(e.what()).find("rows[0]") != std::string::npos, e.what());
  }
  r.profile.reset();
  BOOST_TEST(!perfcheck::result_to_json(r).as_object().contains("profile"));
}
