// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// One io_context per generator thread (--threads; one by default: the calling thread), each with
// its share of the connections, their reports merged stage by stage. Each connection is a coroutine that takes its next start,
// (re)connects when it must, writes the request and reads the response. In the closed model a
// start is "now" whenever a connection is free; in the open model a schedule coroutine puts each
// start's intended time in a queue at that time (its lateness is the generator's lag) and wakes an
// idle connection, so a stalled server delays the sends but never the schedule, and the latency
// counted from the intended time includes the wait (no coordinated omission). The schedule is a
// list of stages back to back (one for a plain --rate); every start carries the stage it was due
// in, and its request is counted in that stage's report whenever it is answered.
#include "perfcheck/load/generator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "perfcheck/model/error.hpp"

namespace perfcheck::load {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using clock = std::chrono::steady_clock;
// The io_context's own executor throughout, not the type-erased any_io_executor: every completion
// of every request goes through it, and erasing it cost a few percent of the generator's CPU.
using executor = asio::io_context::executor_type;
template <class T>
using task = asio::awaitable<T, executor>;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable_t<executor>{});
using wait_timer = asio::basic_waitable_timer<clock, asio::wait_traits<clock>, executor>;
using http_stream = beast::basic_stream<asio::ip::tcp, executor>;

std::int64_t ns_between(clock::time_point from, clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

// A request as it goes on the wire, serialized once per body: the requests of a run are these bytes.
std::string wire_request_of(const load_spec& spec, const std::string& body) {
  http::request<http::string_body> request;
  request.method_string(spec.method);
  request.target(spec.target.path);
  request.version(11);
  const bool v6 = spec.target.host.find(':') != std::string::npos;
  const auto host = v6 ? fmt::format("[{}]", spec.target.host) : spec.target.host;
  request.set(http::field::host, fmt::format("{}:{}", host, spec.target.port));
  request.set(http::field::user_agent, "perfcheck-load");
  for (const auto& [name, value] : spec.headers) request.set(name, value);
  if (!body.empty() || spec.method == "POST" || spec.method == "PUT") request.body() = body;
  request.keep_alive(true);
  request.prepare_payload();
  std::ostringstream wire;
  wire << request;
  return std::move(wire).str();
}

// One request per body (--body-file A B C), or the one request of a run with one body or none.
std::vector<std::string> wire_requests_of(const load_spec& spec) {
  std::vector<std::string> out;
  for (const auto& body : spec.bodies) out.push_back(wire_request_of(spec, body));
  if (out.empty()) out.push_back(wire_request_of(spec, ""));
  return out;
}

// The open model's schedule: the stages (a plain --rate run is one), the starts of each and when
// each begins, in ns from the run's first start. The closed model has one empty stage.
struct stage_schedule {
  std::vector<load_stage> stages;
  std::vector<std::int64_t> counts, begins;
  std::int64_t end_ns = 0;  // when the last stage ends
};

stage_schedule schedule_of(const load_spec& spec) {
  stage_schedule out;
  if (!spec.stages.empty()) {
    out.stages = spec.stages;
  } else if (spec.rate > 0) {
    auto starts = spec.duration_ns > 0 ? static_cast<std::int64_t>(std::floor(spec.rate * static_cast<double>(spec.duration_ns) / 1e9)) : spec.requests;
    if (spec.requests > 0) starts = std::min(starts, spec.requests);
    out.stages.push_back({static_cast<std::int64_t>(static_cast<double>(starts) / spec.rate * 1e9), spec.rate, spec.rate, ""});
    out.counts.push_back(starts);
  } else {
    out.stages.push_back({spec.duration_ns, 0, 0, ""});
    out.counts.push_back(0);
  }
  for (const auto& stage : out.stages) {
    if (out.counts.size() < out.stages.size()) out.counts.push_back(stage_starts(stage));
    out.begins.push_back(out.end_ns);
    out.end_ns += stage.duration_ns;
  }
  return out;
}

// A start: when it was due and the stage it belongs to.
struct start {
  clock::time_point intended;
  std::size_t stage = 0;
};

class generator {
 public:
  /// Thread `part` of `parts`: in the open model it takes every parts-th start of the schedule,
  /// from the part-th on (spec.connections and, in the closed model, spec.requests are its own).
  generator(const load_spec& spec, std::int64_t part, std::int64_t parts)
      : spec_(spec), plan_(schedule_of(spec)), requests_(wire_requests_of(spec)), part_(part), parts_(parts) {
    try {
      endpoints_ = asio::ip::tcp::resolver(io_).resolve(spec.target.host, std::to_string(spec.target.port));
    } catch (const boost::system::system_error& e) {
      throw usage_error(fmt::format("--url: cannot resolve '{}': {}", spec.target.host, e.code().message()));
    }
    open_ = spec.rate > 0 || !spec.stages.empty();
    if (!open_) tickets_ = spec.requests > 0 ? spec.requests : -1;
    const std::size_t n = plan_.stages.size();
    reports_.resize(n);
    in_flight_.assign(n, 0);
    for (std::size_t k = 0; k < n; ++k) reports_[k].begin_ns = plan_.begins[k];
  }

  /// Runs on the calling thread; t0 is the run's first start (every thread's the same).
  std::vector<load_report> run(clock::time_point t0) {
    t0_ = t0;
    for (const auto begin : plan_.begins) last_event_.push_back(t0_ + std::chrono::nanoseconds(begin));
    const auto issuing = plan_.end_ns;
    stop_issuing_ = t0_ + std::chrono::nanoseconds(spec_.duration_ns > 0 ? spec_.duration_ns : std::int64_t{1} << 62);
    for (int i = 0; i < spec_.connections; ++i) asio::co_spawn(io_, connection_loop(), asio::detached);
    if (open_) asio::co_spawn(io_, schedule(), asio::detached);
    active_ = spec_.connections;
    if (open_ || spec_.duration_ns > 0) {
      last_.expires_at(t0_ + std::chrono::nanoseconds(issuing + spec_.start_bound_ns + 2 * spec_.timeout_ns));
      last_.async_wait([this](boost::system::error_code ec) { if (!ec) io_.stop(); });
    }
    io_.run();
    for (const auto& left : queue_) ++reports_[left.stage].dropped;
    for (std::size_t k = 0; k < reports_.size(); ++k) {
      reports_[k].errors_of(error_kind::timeout) += in_flight_[k];  // cut off by the last deadline
      reports_[k].wall_ns = ns_between(t0_ + std::chrono::nanoseconds(plan_.begins[k]), last_event_[k]);
    }
    return std::move(reports_);
  }

 private:
  const load_spec& spec_;
  const stage_schedule plan_;
  asio::io_context io_{1};  // one thread runs it: no locking between threads
  wait_timer last_{io_};  // the last deadline, cancelled when every connection is done
  int active_ = 0;                // connections still running
  asio::ip::tcp::resolver::results_type endpoints_;
  std::vector<std::string> requests_;  // each body's request bytes, sent in turn
  std::int64_t part_ = 0, parts_ = 1;  // this thread's share of the open model's starts
  std::size_t sent_ = 0;                // requests written: the next one is requests_[sent_ % size]
  std::vector<load_report> reports_;  // one per stage
  bool open_ = false;
  clock::time_point t0_, stop_issuing_;
  std::vector<clock::time_point> last_event_;  // per stage: its last response or failure
  std::int64_t tickets_ = -1;   // closed model: starts left (-1: no count)
  std::vector<std::int64_t> in_flight_;     // per stage
  std::deque<start> queue_;                 // open model: starts waiting for a connection
  std::vector<wait_timer*> idle_;   // connections waiting for a start
  bool schedule_done_ = false;

  void wake_one() {
    if (idle_.empty()) return;
    idle_.back()->cancel();
    idle_.pop_back();
  }
  void wake_all() {
    while (!idle_.empty()) wake_one();
  }

  task<void> schedule();
  task<std::optional<start>> next_start(wait_timer& wake);
  task<void> connection_loop();
  task<bool> exchange(http_stream& stream, beast::flat_buffer& buffer, start at);
  void fail(error_kind kind, std::size_t stage) {
    ++reports_[stage].errors_of(kind);
    last_event_[stage] = std::max(last_event_[stage], clock::now());
  }
  void record(const http::response<http::string_body>& response, start at, clock::time_point sent);
};

task<void> generator::schedule() {
  wait_timer timer(io_);
  for (std::size_t s = 0; s < plan_.stages.size(); ++s) {
    const auto due = [&](std::int64_t j) {
      return t0_ + std::chrono::nanoseconds(plan_.begins[s] + stage_offset_ns(plan_.stages[s], j));
    };
    for (std::int64_t j = part_; j < plan_.counts[s];) {
      timer.expires_at(due(j));
      co_await timer.async_wait(tuple_awaitable);
      const auto now = clock::now();
      // Every start of this thread's share of the stage due by now, late ones too.
      for (; j < plan_.counts[s] && due(j) <= now; j += parts_) {
        reports_[s].lag.record(ns_between(due(j), now));
        queue_.push_back({due(j), s});
        wake_one();
      }
    }
  }
  schedule_done_ = true;
  wake_all();
}

task<std::optional<start>> generator::next_start(wait_timer& wake) {
  if (!open_) {
    const auto now = clock::now();
    if (tickets_ == 0 || now >= stop_issuing_) co_return std::nullopt;
    if (tickets_ > 0) --tickets_;
    co_return start{now, 0};
  }
  for (;;) {
    while (!queue_.empty()) {
      const start next = queue_.front();
      queue_.pop_front();
      if (ns_between(next.intended, clock::now()) <= spec_.start_bound_ns) co_return next;
      ++reports_[next.stage].dropped;  // waited too long for a free connection
    }
    if (schedule_done_) co_return std::nullopt;
    wake.expires_at(clock::time_point::max());
    idle_.push_back(&wake);
    co_await wake.async_wait(tuple_awaitable);  // cancelled by wake_one
  }
}

task<void> generator::connection_loop() {
  http_stream stream(io_);
  beast::flat_buffer buffer;
  wait_timer wake(io_);
  bool connected = false;
  const auto timeout = std::chrono::nanoseconds(spec_.timeout_ns);
  while (const auto next = co_await next_start(wake)) {
    const std::size_t stage = next->stage;
    ++reports_[stage].started;
    if (!connected) {
      stream.expires_after(timeout);
      ++in_flight_[stage];
      const auto [ec, endpoint] = co_await stream.async_connect(endpoints_, tuple_awaitable);
      --in_flight_[stage];
      if (ec) {
        fail(ec == beast::error::timeout ? error_kind::timeout : error_kind::connect, stage);
        stream.close();
        wake.expires_after(std::chrono::milliseconds(10));  // do not spin against a closed port
        co_await wake.async_wait(tuple_awaitable);
        continue;
      }
      // Each request is one write: sent at once, not held back for the previous one's ACK.
      boost::system::error_code ignored;
      stream.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
      connected = true;
    }
    connected = co_await exchange(stream, buffer, *next);
    if (!connected) {
      stream.close();
      buffer.clear();
    }
  }
  if (--active_ == 0) last_.cancel();
}

// One request and its response; false when the connection must be closed.
task<bool> generator::exchange(http_stream& stream, beast::flat_buffer& buffer, start at) {
  const auto sent = clock::now();
  stream.expires_after(std::chrono::nanoseconds(spec_.timeout_ns));
  ++in_flight_[at.stage];
  const std::string& wire = requests_[sent_++ % requests_.size()];
  const auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(wire), tuple_awaitable);
  http::response_parser<http::string_body> parser;
  parser.body_limit(static_cast<std::uint64_t>(spec_.max_body_bytes));
  boost::system::error_code read_error;
  if (!write_error) std::tie(read_error, std::ignore) = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
  --in_flight_[at.stage];
  if (const auto ec = write_error ? write_error : read_error) {
    fail(ec == beast::error::timeout ? error_kind::timeout : error_kind::io, at.stage);
    co_return false;
  }
  record(parser.get(), at, sent);
  co_return parser.get().keep_alive();
}

void generator::record(const http::response<http::string_body>& response, start at, clock::time_point sent) {
  const auto done = clock::now();
  last_event_[at.stage] = std::max(last_event_[at.stage], done);
  load_report& report = reports_[at.stage];
  ++report.responses;
  const auto size = static_cast<std::int64_t>(response.body().size());
  report.body_bytes += size;
  report.response_bytes.record(size);
  report.latency.record(ns_between(at.intended, done));
  report.service.record(ns_between(sent, done));
  const int status = static_cast<int>(response.result_int());
  const bool status_ok = spec_.check.status == 0 ? status >= 200 && status < 400 : status == spec_.check.status;
  if (!status_ok) {
    ++report.errors_of(error_kind::status);
  } else if ((!spec_.check.body_contains.empty() && response.body().find(spec_.check.body_contains) == std::string::npos) ||
             size < spec_.check.min_bytes || (spec_.check.max_bytes >= 0 && size > spec_.check.max_bytes)) {
    ++report.errors_of(error_kind::body);
  }
}

// Each thread's spec: its share of the connections and, in the closed model, of a request count
// (a thread with no request of its own is not started).
std::vector<load_spec> thread_specs(const load_spec& spec) {
  const bool closed = spec.rate <= 0 && spec.stages.empty();
  std::int64_t n = spec.threads;
  if (closed && spec.requests > 0) n = std::min(n, spec.requests);
  std::vector<load_spec> parts(static_cast<std::size_t>(n), spec);
  for (std::int64_t i = 0; i < n; ++i) {
    auto& part = parts[static_cast<std::size_t>(i)];
    part.connections = static_cast<int>(spec.connections / n + (i < spec.connections % n ? 1 : 0));
    if (closed && spec.requests > 0) part.requests = spec.requests / n + (i < spec.requests % n ? 1 : 0);
  }
  return parts;
}

// The threads run at once from one first start; their reports are merged stage by stage (the
// histograms add, the wall time is the longest).
std::vector<load_report> run_threads(const load_spec& spec) {
  const std::vector<load_spec> parts = thread_specs(spec);
  const auto n = static_cast<std::int64_t>(parts.size());
  std::vector<std::unique_ptr<generator>> generators;  // made here: a bad host is thrown here
  for (std::int64_t i = 0; i < n; ++i) generators.push_back(std::make_unique<generator>(parts[static_cast<std::size_t>(i)], i, n));
  std::vector<std::vector<load_report>> reports(parts.size());
  std::vector<std::exception_ptr> failures(parts.size());
  const auto t0 = clock::now();
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          reports[i] = generators[i]->run(t0);
        } catch (...) {
          failures[i] = std::current_exception();
        }
      });
    }
  }
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  std::vector<load_report> merged;
  for (std::size_t stage = 0; stage < reports.front().size(); ++stage) {
    std::vector<load_report> of_stage;
    for (const auto& r : reports) of_stage.push_back(r[stage]);
    load_report m = merge_reports(of_stage);  // from the run's start: back to the stage's own
    m.begin_ns = of_stage.front().begin_ns;
    m.wall_ns -= m.begin_ns;
    merged.push_back(std::move(m));
  }
  return merged;
}

}  // namespace

std::vector<load_report> run_load_stages(const load_spec& spec) {
  check_spec(spec);
  if (spec.threads > 1) return run_threads(spec);
  return generator(spec, 0, 1).run(clock::now());
}

load_report run_load(const load_spec& spec) { return merge_reports(run_load_stages(spec)); }

}  // namespace perfcheck::load
