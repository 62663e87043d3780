// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// One io_context on the calling thread. Each connection is a coroutine that takes its next start,
// (re)connects when it must, writes the request and reads the response. In the closed model a
// start is "now" whenever a connection is free; in the open model a schedule coroutine puts each
// start's intended time in a queue at that time (its lateness is the generator's lag) and wakes an
// idle connection, so a stalled server delays the sends but never the schedule, and the latency
// counted from the intended time includes the wait (no coordinated omission).
#include "perfcheck/load/generator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <optional>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
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
using asio::awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::int64_t ns_between(clock::time_point from, clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

http::request<http::string_body> request_of(const load_spec& spec) {
  http::request<http::string_body> request;
  request.method_string(spec.method);
  request.target(spec.target.path);
  request.version(11);
  const bool v6 = spec.target.host.find(':') != std::string::npos;
  const auto host = v6 ? fmt::format("[{}]", spec.target.host) : spec.target.host;
  request.set(http::field::host, fmt::format("{}:{}", host, spec.target.port));
  request.set(http::field::user_agent, "perfcheck-load");
  for (const auto& [name, value] : spec.headers) request.set(name, value);
  if (!spec.body.empty() || spec.method == "POST" || spec.method == "PUT") request.body() = spec.body;
  request.keep_alive(true);
  request.prepare_payload();
  return request;
}

class generator {
 public:
  explicit generator(const load_spec& spec) : spec_(spec), request_(request_of(spec)) {
    try {
      endpoints_ = asio::ip::tcp::resolver(io_).resolve(spec.target.host, std::to_string(spec.target.port));
    } catch (const boost::system::system_error& e) {
      throw usage_error(fmt::format("--url: cannot resolve '{}': {}", spec.target.host, e.code().message()));
    }
    open_ = spec.rate > 0;
    if (open_) {
      starts_ = spec.duration_ns > 0 ? static_cast<std::int64_t>(std::floor(spec.rate * static_cast<double>(spec.duration_ns) / 1e9)) : spec.requests;
      if (spec.requests > 0) starts_ = std::min(starts_, spec.requests);
    } else {
      tickets_ = spec.requests > 0 ? spec.requests : -1;
    }
  }

  load_report run() {
    t0_ = clock::now();
    last_event_ = t0_;
    const auto issuing = open_ ? static_cast<std::int64_t>(static_cast<double>(starts_) / spec_.rate * 1e9)
                               : (spec_.duration_ns > 0 ? spec_.duration_ns : std::int64_t{0});
    stop_issuing_ = t0_ + std::chrono::nanoseconds(spec_.duration_ns > 0 ? spec_.duration_ns : std::int64_t{1} << 62);
    for (int i = 0; i < spec_.connections; ++i) asio::co_spawn(io_, connection_loop(), asio::detached);
    if (open_) asio::co_spawn(io_, schedule(), asio::detached);
    active_ = spec_.connections;
    if (open_ || spec_.duration_ns > 0) {
      last_.expires_at(t0_ + std::chrono::nanoseconds(issuing + spec_.start_bound_ns + 2 * spec_.timeout_ns));
      last_.async_wait([this](boost::system::error_code ec) { if (!ec) io_.stop(); });
    }
    io_.run();
    report_.errors_of(error_kind::timeout) += in_flight_;  // cut off by the last deadline
    report_.dropped += static_cast<std::int64_t>(queue_.size());
    report_.wall_ns = ns_between(t0_, last_event_);
    return std::move(report_);
  }

 private:
  const load_spec& spec_;
  asio::io_context io_;
  asio::steady_timer last_{io_};  // the last deadline, cancelled when every connection is done
  int active_ = 0;                // connections still running
  asio::ip::tcp::resolver::results_type endpoints_;
  http::request<http::string_body> request_;
  load_report report_;
  bool open_ = false;
  clock::time_point t0_, stop_issuing_, last_event_;
  std::int64_t tickets_ = -1;   // closed model: starts left (-1: no count)
  std::int64_t starts_ = 0;     // open model: starts scheduled
  std::int64_t in_flight_ = 0;
  std::deque<clock::time_point> queue_;     // open model: starts waiting for a connection
  std::vector<asio::steady_timer*> idle_;   // connections waiting for a start
  bool schedule_done_ = false;

  void wake_one() {
    if (idle_.empty()) return;
    idle_.back()->cancel();
    idle_.pop_back();
  }
  void wake_all() {
    while (!idle_.empty()) wake_one();
  }

  awaitable<void> schedule();
  awaitable<std::optional<clock::time_point>> next_start(asio::steady_timer& wake);
  awaitable<void> connection_loop();
  awaitable<bool> exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer, clock::time_point intended);
  void fail(error_kind kind) {
    ++report_.errors_of(kind);
    last_event_ = std::max(last_event_, clock::now());
  }
  void record(const http::response<http::string_body>& response, clock::time_point intended, clock::time_point sent);
};

awaitable<void> generator::schedule() {
  asio::steady_timer timer(io_);
  for (std::int64_t i = 0; i < starts_;) {
    const auto due = [&](std::int64_t k) {
      return t0_ + std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(static_cast<double>(k) * 1e9 / spec_.rate)));
    };
    timer.expires_at(due(i));
    co_await timer.async_wait(tuple_awaitable);
    const auto now = clock::now();
    for (; i < starts_ && due(i) <= now; ++i) {  // every start due by now, late ones too
      report_.lag.record(ns_between(due(i), now));
      queue_.push_back(due(i));
      wake_one();
    }
  }
  schedule_done_ = true;
  wake_all();
}

awaitable<std::optional<clock::time_point>> generator::next_start(asio::steady_timer& wake) {
  if (!open_) {
    const auto now = clock::now();
    if (tickets_ == 0 || now >= stop_issuing_) co_return std::nullopt;
    if (tickets_ > 0) --tickets_;
    co_return now;
  }
  for (;;) {
    while (!queue_.empty()) {
      const auto intended = queue_.front();
      queue_.pop_front();
      if (ns_between(intended, clock::now()) <= spec_.start_bound_ns) co_return intended;
      ++report_.dropped;  // waited too long for a free connection
    }
    if (schedule_done_) co_return std::nullopt;
    wake.expires_at(clock::time_point::max());
    idle_.push_back(&wake);
    co_await wake.async_wait(tuple_awaitable);  // cancelled by wake_one
  }
}

awaitable<void> generator::connection_loop() {
  beast::tcp_stream stream(io_);
  beast::flat_buffer buffer;
  asio::steady_timer wake(io_);
  bool connected = false;
  const auto timeout = std::chrono::nanoseconds(spec_.timeout_ns);
  while (const auto intended = co_await next_start(wake)) {
    ++report_.started;
    if (!connected) {
      stream.expires_after(timeout);
      ++in_flight_;
      const auto [ec, endpoint] = co_await stream.async_connect(endpoints_, tuple_awaitable);
      --in_flight_;
      if (ec) {
        fail(ec == beast::error::timeout ? error_kind::timeout : error_kind::connect);
        stream.close();
        wake.expires_after(std::chrono::milliseconds(10));  // do not spin against a closed port
        co_await wake.async_wait(tuple_awaitable);
        continue;
      }
      connected = true;
    }
    connected = co_await exchange(stream, buffer, *intended);
    if (!connected) {
      stream.close();
      buffer.clear();
    }
  }
  if (--active_ == 0) last_.cancel();
}

// One request and its response; false when the connection must be closed.
awaitable<bool> generator::exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer, clock::time_point intended) {
  const auto sent = clock::now();
  stream.expires_after(std::chrono::nanoseconds(spec_.timeout_ns));
  ++in_flight_;
  const auto [write_error, written] = co_await http::async_write(stream, request_, tuple_awaitable);
  http::response_parser<http::string_body> parser;
  parser.body_limit(static_cast<std::uint64_t>(spec_.max_body_bytes));
  boost::system::error_code read_error;
  if (!write_error) std::tie(read_error, std::ignore) = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
  --in_flight_;
  if (const auto ec = write_error ? write_error : read_error) {
    fail(ec == beast::error::timeout ? error_kind::timeout : error_kind::io);
    co_return false;
  }
  record(parser.get(), intended, sent);
  co_return parser.get().keep_alive();
}

void generator::record(const http::response<http::string_body>& response, clock::time_point intended, clock::time_point sent) {
  const auto done = clock::now();
  last_event_ = std::max(last_event_, done);
  ++report_.responses;
  report_.body_bytes += static_cast<std::int64_t>(response.body().size());
  report_.latency.record(ns_between(intended, done));
  report_.service.record(ns_between(sent, done));
  const int status = static_cast<int>(response.result_int());
  const bool status_ok = spec_.check.status == 0 ? status >= 200 && status < 400 : status == spec_.check.status;
  if (!status_ok) {
    ++report_.errors_of(error_kind::status);
  } else if (!spec_.check.body_contains.empty() && response.body().find(spec_.check.body_contains) == std::string::npos) {
    ++report_.errors_of(error_kind::body);
  }
}

}  // namespace

load_report run_load(const load_spec& spec) {
  check_spec(spec);
  return generator(spec).run();
}

}  // namespace perfcheck::load
