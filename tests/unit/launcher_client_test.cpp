// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The launcher protocol on perfcheck's side as bytes in, bytes out: no socket, no process.
#define BOOST_TEST_MODULE launcher_client
#include <sys/wait.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "perfcheck/exec/launcher_client.hpp"
#include "perfcheck/model/error.hpp"

using namespace perfcheck;
using namespace perfcheck::exec;

namespace {

perfcheck_launcher_run run_of(const run_message& bytes) {
  perfcheck_launcher_run run;
  std::memcpy(&run, bytes.data(), sizeof run);
  return run;
}

/// A reply as the launcher sends it: the header and `points` timeline points.
struct reply_builder {
  perfcheck_launcher_reply reply{};
  reply_builder() {
    reply.magic = PERFCHECK_LAUNCHER_MAGIC;
    reply.version = PERFCHECK_LAUNCHER_VERSION;
    reply.type = PERFCHECK_LAUNCHER_REPLY;
  }
  std::vector<char> bytes() const {
    return bytes(PERFCHECK_LAUNCHER_REPLY_SIZE(reply.point_count));
  }
  std::vector<char> bytes(std::size_t size) const {
    std::vector<char> out(size);
    std::memcpy(out.data(), &reply, std::min(size, sizeof reply));
    return out;
  }
};

std::string malformed_message(const std::vector<char>& packet) {
  try {
    decode_reply(packet, "/bin/perfcheck-launcher");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

template <typename Error>
std::string spawn_message(int step, int error, const spawn_context& context) {
  try {
    throw_spawn_error(context, step, error);
  } catch (const Error& e) {
    return e.what();
  }
  return "(another error)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_message_encoding)

BOOST_AUTO_TEST_CASE(carries_the_limits_in_base_units_and_the_header) {
  run_request request;
  request.limits.timeout_ns = 2'000'000'000;
  request.limits.file_size_bytes = 4096;
  request.limits.output_bytes = 99;  // perfcheck's own: not in the message
  request.sample_interval_ns = 5'000'000;
  request.grace_ns = 500'000'000;
  const perfcheck_launcher_run run = run_of(encode_run(request));
  BOOST_TEST(run.magic == PERFCHECK_LAUNCHER_MAGIC);
  BOOST_TEST(run.version == PERFCHECK_LAUNCHER_VERSION);
  BOOST_TEST(run.type == PERFCHECK_LAUNCHER_RUN);
  BOOST_TEST(run.flags == 0u);
  BOOST_TEST(run.timeout_ns == 2'000'000'000);
  BOOST_TEST(run.file_size_bytes == 4096);
  BOOST_TEST(run.memory_bytes == 0);
  BOOST_TEST(run.sample_interval_ns == 5'000'000);
  BOOST_TEST(run.grace_ns == 500'000'000);
  BOOST_TEST(run.copies == 0u);
  BOOST_TEST(run.run_index == 0u);  // no metric channel: PERFCHECK_METRICS left as it is
}

BOOST_AUTO_TEST_CASE(carries_the_run_index_of_the_metric_channel) {
  run_request request;
  request.run_index = 7;
  BOOST_TEST(run_of(encode_run(request)).run_index == 7u);
}

BOOST_AUTO_TEST_CASE(sets_a_flag_for_each_option_and_the_cpu_bits) {
  run_request request;
  request.cpus = {0, 3, 64, 1023};
  request.nice = 5;
  request.no_aslr = true;
  request.redirect = true;
  request.cgroup = true;
  const perfcheck_launcher_run run = run_of(encode_run(request));
  BOOST_TEST(run.flags ==
             (PERFCHECK_LAUNCHER_AFFINITY | PERFCHECK_LAUNCHER_NICE | PERFCHECK_LAUNCHER_NO_ASLR |
              PERFCHECK_LAUNCHER_REDIRECT | PERFCHECK_LAUNCHER_CGROUP));
  BOOST_TEST(run.nice == 5);
  BOOST_TEST(run.cpus[0] == 0b1001u);
  BOOST_TEST(run.cpus[1] == 1u);
  BOOST_TEST(run.cpus[15] == std::uint64_t{1} << 63);
  BOOST_TEST(run.cpus[2] == 0u);
}

BOOST_AUTO_TEST_CASE(a_pipelined_run_is_flagged_after_clean_with_failures_allowed_or_not) {
  run_request request;
  request.redirect = true;
  BOOST_TEST(run_of(encode_run(request)).flags == PERFCHECK_LAUNCHER_REDIRECT);
  request.after_clean = true;
  BOOST_TEST(run_of(encode_run(request)).flags ==
             (PERFCHECK_LAUNCHER_REDIRECT | PERFCHECK_LAUNCHER_AFTER_CLEAN));
  request.failures_allowed = true;
  BOOST_TEST(run_of(encode_run(request)).flags ==
             (PERFCHECK_LAUNCHER_REDIRECT | PERFCHECK_LAUNCHER_AFTER_CLEAN |
              PERFCHECK_LAUNCHER_FAILURES_ALLOWED));
  // Failures allowed means nothing without the condition it relaxes.
  request.after_clean = false;
  BOOST_TEST(run_of(encode_run(request)).flags == PERFCHECK_LAUNCHER_REDIRECT);
}

BOOST_AUTO_TEST_CASE(a_sampled_limit_turns_sampling_on_and_a_negative_interval_is_off) {
  for (auto set : {+[](resource_limits& l) { l.memory_bytes = 1; },
                   +[](resource_limits& l) { l.cpu_time_ns = 1; },
                   +[](resource_limits& l) { l.processes = 1; },
                   +[](resource_limits& l) { l.open_files = 1; }}) {
    run_request request;
    set(request.limits);
    BOOST_TEST(run_of(encode_run(request)).sample_interval_ns == default_sample_interval_ns);
    request.sample_interval_ns = -1;
    BOOST_TEST(run_of(encode_run(request)).sample_interval_ns == default_sample_interval_ns);
  }
  run_request unlimited;
  unlimited.sample_interval_ns = -1;
  BOOST_TEST(run_of(encode_run(unlimited)).sample_interval_ns == 0);
  unlimited.limits.timeout_ns = 1;  // the timeout needs no sampling
  unlimited.sample_interval_ns = 0;
  BOOST_TEST(run_of(encode_run(unlimited)).sample_interval_ns == 0);
}

BOOST_AUTO_TEST_CASE(stop_names_the_limit_and_the_value) {
  const stop_message bytes = encode_stop(PERFCHECK_LIMIT_OUTPUT, 12345);
  perfcheck_launcher_stop stop;
  std::memcpy(&stop, bytes.data(), sizeof stop);
  BOOST_TEST(stop.magic == PERFCHECK_LAUNCHER_MAGIC);
  BOOST_TEST(stop.version == PERFCHECK_LAUNCHER_VERSION);
  BOOST_TEST(stop.type == PERFCHECK_LAUNCHER_STOP);
  BOOST_TEST(stop.limit == PERFCHECK_LIMIT_OUTPUT);
  BOOST_TEST(stop.observed == 12345);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(reply_decoding)

BOOST_AUTO_TEST_CASE(a_reply_becomes_the_sample_counters_and_timeline) {
  reply_builder b;
  b.reply.wait_status = 3 << 8;  // exited with 3
  b.reply.wall_ns = 10;
  b.reply.user_ns = 20;
  b.reply.sys_ns = 30;
  b.reply.max_rss_bytes = 40;
  b.reply.rss_tree_bytes = 50;
  b.reply.minor_faults = 1;
  b.reply.major_faults = 2;
  b.reply.voluntary_cs = 3;
  b.reply.involuntary_cs = 4;
  b.reply.blocks_in = 5;
  b.reply.blocks_out = 6;
  b.reply.read_bytes = 7;
  b.reply.write_bytes = 8;
  b.reply.read_chars = 9;
  b.reply.write_chars = 10;
  b.reply.leaked_processes = 2;
  b.reply.point_count = 2;
  b.reply.threads_peak = 7;
  b.reply.points[0] = {1000, 4096, 1, 2};
  b.reply.points[1] = {2000, 8192, 3, 7};
  const launcher_reply reply = decode_reply(b.bytes(), "launcher");
  const run_sample& s = reply.sample;
  BOOST_TEST(reply.spawn_errno == 0);
  BOOST_TEST(s.exit_code.value_or(-1) == 3);
  BOOST_TEST(!s.signal);
  BOOST_TEST(s.wall_ns == 10);
  BOOST_TEST(s.user_ns == 20);
  BOOST_TEST(s.sys_ns == 30);
  BOOST_TEST(s.max_rss_bytes == 40);
  BOOST_TEST(s.rss_tree_bytes == 50);
  BOOST_TEST(s.faults_minor == 1);
  BOOST_TEST(s.faults_major == 2);
  BOOST_TEST(s.ctx_voluntary == 3);
  BOOST_TEST(s.ctx_involuntary == 4);
  BOOST_TEST(s.io_read_bytes == 7);
  BOOST_TEST(s.io_write_bytes == 8);
  BOOST_TEST(s.io_read_chars == 9);
  BOOST_TEST(s.io_write_chars == 10);
  BOOST_TEST(s.leaked_processes == 2);
  BOOST_TEST(s.threads_max == 7);
  BOOST_TEST(!s.limit);
  BOOST_TEST((reply.counters == process_counters{1, 2, 3, 4, 5, 6}));
  BOOST_TEST((s.memory_timeline == std::vector<memory_point>{{1000, 4096, 1, 2}, {2000, 8192, 3, 7}}));
}

BOOST_AUTO_TEST_CASE(a_signal_and_a_limit_are_kept_an_unknown_limit_is_dropped) {
  reply_builder b;
  b.reply.wait_status = SIGKILL;  // killed
  b.reply.limit = PERFCHECK_LIMIT_MEMORY;
  b.reply.limit_observed = 1 << 20;
  launcher_reply reply = decode_reply(b.bytes(), "launcher");
  BOOST_TEST(reply.sample.signal.value_or(0) == SIGKILL);
  BOOST_TEST(!reply.sample.exit_code);
  BOOST_TEST((reply.sample.limit == limit_kind::memory));
  BOOST_TEST(reply.sample.limit_observed == 1 << 20);
  b.reply.limit = PERFCHECK_LIMIT_OUTPUT + 1;
  BOOST_TEST(!decode_reply(b.bytes(), "launcher").sample.limit);
}

BOOST_AUTO_TEST_CASE(a_spawn_error_is_reported_with_its_step) {
  reply_builder b;
  b.reply.spawn_errno = ENOENT;
  b.reply.spawn_step = PERFCHECK_STEP_NICE;
  const launcher_reply reply = decode_reply(b.bytes(), "launcher");
  BOOST_TEST(reply.spawn_errno == ENOENT);
  BOOST_TEST(reply.spawn_step == PERFCHECK_STEP_NICE);
}

BOOST_AUTO_TEST_CASE(a_skipped_reply_is_a_header_only_and_reports_no_run) {
  reply_builder b;
  b.reply.type = PERFCHECK_LAUNCHER_SKIPPED;
  const launcher_reply skipped = decode_reply(b.bytes(), "launcher");
  BOOST_TEST(skipped.skipped);
  BOOST_TEST(skipped.spawn_errno == 0);
  BOOST_TEST((skipped.sample == run_sample{}));
  BOOST_TEST(!decode_reply(reply_builder().bytes(), "launcher").skipped);
}

BOOST_AUTO_TEST_CASE(a_round_is_flagged_with_its_copies) {
  run_request request;
  request.copies = 100;
  const perfcheck_launcher_run run = run_of(encode_run(request));
  BOOST_TEST(run.flags == PERFCHECK_LAUNCHER_ROUND);
  BOOST_TEST(run.copies == 100u);
}

BOOST_AUTO_TEST_CASE(a_round_replies_per_copy_with_its_instance_then_a_round_end) {
  reply_builder b;
  b.reply.instance = 7;
  b.reply.wall_ns = 11;
  const launcher_reply copy = decode_reply(b.bytes(), "launcher");
  BOOST_TEST(copy.instance == 7);
  BOOST_TEST(!copy.round_end);
  BOOST_TEST(copy.sample.wall_ns == 11);
  b.reply.type = PERFCHECK_LAUNCHER_ROUND_END;
  b.reply.instance = 0;
  b.reply.rss_tree_bytes = 4096;
  const launcher_reply end = decode_reply(b.bytes(), "launcher");
  BOOST_TEST(end.round_end);
  BOOST_TEST(end.sample.rss_tree_bytes == 4096);
  b.reply.instance = PERFCHECK_LAUNCHER_MAX_COPIES;  // no such copy
  BOOST_TEST(malformed_message(b.bytes()) ==
             "/bin/perfcheck-launcher sent a malformed reply (is it from another perfcheck version?)");
}

BOOST_AUTO_TEST_CASE(a_skipped_reply_with_points_or_extra_bytes_is_malformed) {
  const std::string expected =
      "/bin/perfcheck-launcher sent a malformed reply (is it from another perfcheck version?)";
  reply_builder b;
  b.reply.type = PERFCHECK_LAUNCHER_SKIPPED;
  BOOST_TEST(malformed_message(b.bytes(PERFCHECK_LAUNCHER_REPLY_SIZE(0) + 1)) == expected);
  BOOST_TEST(malformed_message(b.bytes(PERFCHECK_LAUNCHER_REPLY_SIZE(0) - 1)) == expected);
  b.reply.point_count = 1;
  BOOST_TEST(malformed_message(b.bytes()) == expected);
  b.reply.point_count = 0;
  b.reply.version = PERFCHECK_LAUNCHER_VERSION - 1;  // a launcher of protocol 2 never skips
  BOOST_TEST(malformed_message(b.bytes()) == expected);
}

BOOST_AUTO_TEST_CASE(malformed_replies_name_the_sender_and_the_likely_cause) {
  const std::string expected =
      "/bin/perfcheck-launcher sent a malformed reply (is it from another perfcheck version?)";
  reply_builder good;
  good.reply.point_count = 1;
  BOOST_TEST(malformed_message(good.bytes()) == "(no error)");
  BOOST_TEST(malformed_message({}) == expected);
  BOOST_TEST(malformed_message(good.bytes(PERFCHECK_LAUNCHER_REPLY_SIZE(0) - 1)) ==
             expected);  // short
  BOOST_TEST(malformed_message(good.bytes(PERFCHECK_LAUNCHER_REPLY_SIZE(0))) ==
             expected);  // a point short
  BOOST_TEST(malformed_message(good.bytes(PERFCHECK_LAUNCHER_REPLY_SIZE(2))) ==
             expected);  // a point long
  reply_builder bad = good;
  bad.reply.magic = 0;
  BOOST_TEST(malformed_message(bad.bytes()) == expected);
  bad = good;
  bad.reply.version = PERFCHECK_LAUNCHER_VERSION + 1;
  BOOST_TEST(malformed_message(bad.bytes()) == expected);
  bad = good;
  bad.reply.type = PERFCHECK_LAUNCHER_RUN;
  BOOST_TEST(malformed_message(bad.bytes()) == expected);
  bad = good;
  bad.reply.point_count = PERFCHECK_LAUNCHER_MAX_POINTS + 1;
  BOOST_TEST(malformed_message(bad.bytes(sizeof bad.reply)) == expected);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(spawn_errors)

BOOST_AUTO_TEST_CASE(each_failed_step_says_what_to_change) {
  const spawn_context context{"/usr/bin/prog", "/sys/fs/cgroup/perfcheck-1-1", {2, 3}, -5};
  BOOST_TEST(spawn_message<command_error>(PERFCHECK_STEP_EXEC, EACCES, context) ==
             "cannot execute /usr/bin/prog: Permission denied");
  BOOST_TEST(spawn_message<command_error>(PERFCHECK_STEP_CGROUP, EACCES, context) ==
             "cannot move the command into the memory cgroup /sys/fs/cgroup/perfcheck-1-1: "
             "Permission denied; "
             "set PERFCHECK_CGROUP_PARENT=none to limit memory by sampling only");
  BOOST_TEST(spawn_message<usage_error>(PERFCHECK_STEP_AFFINITY, EINVAL, context)
                 .starts_with("cpus 2-3: cannot pin"));
  BOOST_TEST(spawn_message<usage_error>(PERFCHECK_STEP_NICE, EACCES, context)
                 .starts_with("nice -5: cannot set"));
  BOOST_TEST(spawn_message<usage_error>(PERFCHECK_STEP_PERSONALITY, EINVAL, context)
                 .starts_with("no-aslr: "));
  BOOST_TEST(
      spawn_message<usage_error>(PERFCHECK_STEP_RLIMIT, EPERM, context).starts_with("limits: "));
  BOOST_TEST(spawn_message<std::system_error>(PERFCHECK_STEP_CLONE, EAGAIN, context)
                 .starts_with("perfcheck-launcher: starting the command (step 1)"));
}

BOOST_AUTO_TEST_SUITE_END()
