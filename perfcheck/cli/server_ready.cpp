// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/server_ready.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "perfcheck/exec/os_error.hpp"
#include "perfcheck/exec/unique_fd.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/cli/terminal_text.hpp"

namespace perfcheck::cli {
namespace {

constexpr const char* ready_forms =
    "write --ready http:/PATH[:STATUS] (e.g. http:/health:200), --ready tcp, --ready log:REGEX "
    "(e.g. log:listening on) or --ready none";

[[noreturn]] void bad_ready(std::string_view text, std::string_view problem) {
  throw usage_error(fmt::format("--ready '{}': {}; {}", text, problem, ready_forms));
}

ready_check parse_http(std::string_view text, std::string_view rest) {
  ready_check check;
  check.what = ready_check::kind::http;
  if (rest.empty() || rest[0] != '/') bad_ready(text, "the http path must start with '/'");
  const auto colon = rest.rfind(':');
  check.path = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) {
    const std::string_view code = rest.substr(colon + 1);
    const auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), check.status);
    if (ec != std::errc() || end != code.data() + code.size() || check.status < 100 || check.status > 599) {
      bad_ready(text, fmt::format("'{}' is not an HTTP status code (100 to 599)", code));
    }
  }
  for (char c : check.path) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) bad_ready(text, "the http path has a space or control character");
  }
  return check;
}

// A connected socket to 127.0.0.1:port, or the errno of the failure.
std::pair<exec::unique_fd, int> connect_loopback(int port) {
  exec::unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return {exec::unique_fd(), errno};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return {exec::unique_fd(), errno};
  }
  return {std::move(fd), 0};
}

// The status line of one HTTP/1.1 GET, read for at most a second.
std::string probe_http(const ready_check& check, int port) {
  auto [fd, error] = connect_loopback(port);
  if (!fd) return fmt::format("connecting to 127.0.0.1:{}: {}", port, exec::detail::error_text(error));
  const std::string request = fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", check.path, port);
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    return "the request could not be sent";
  }
  std::string reply;
  char buffer[512];
  pollfd p{fd.get(), POLLIN, 0};
  while (reply.find("\r\n") == std::string::npos && reply.size() < 4096 && ::poll(&p, 1, 1000) > 0) {
    const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n <= 0) break;
    reply.append(buffer, static_cast<std::size_t>(n));
  }
  int status = 0;
  if (reply.rfind("HTTP/1.", 0) == 0 && reply.size() >= 12) {
    std::from_chars(reply.data() + 9, reply.data() + 12, status);
  }
  if (status == check.status) return "";
  if (status == 0) return reply.empty() ? "no answer within 1 s" : "the answer is not HTTP/1.x";
  return fmt::format("answered {}", status);
}

std::string probe_log(const ready_check& check, const std::vector<std::filesystem::path>& logs) {
  for (const auto& file : logs) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
      if (std::regex_search(line, check.regex)) return "";
    }
  }
  return "no line of the server's output matched";
}

}  // namespace

ready_check parse_ready_check(std::string_view text, bool has_port) {
  if (text.empty()) text = has_port ? "tcp" : "none";
  ready_check check;
  const auto colon = text.find(':');
  const std::string_view word = text.substr(0, colon);
  const std::string_view rest = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  if (word == "http") {
    check = parse_http(text, rest);
  } else if (word == "tcp" || word == "none") {
    if (colon != std::string_view::npos) bad_ready(text, fmt::format("{} takes no value", word));
    check.what = word == "tcp" ? ready_check::kind::tcp : ready_check::kind::none;
  } else if (word == "log") {
    if (rest.empty()) bad_ready(text, "the log check needs a regular expression");
    check.what = ready_check::kind::log;
    check.pattern = std::string(rest);
    try {
      check.regex = std::regex(check.pattern);
    } catch (const std::regex_error& e) {
      bad_ready(text, fmt::format("'{}' is not a regular expression ({})", check.pattern, e.what()));
    }
  } else {
    bad_ready(text, fmt::format("'{}' is not a kind of check", word));
  }
  if ((check.what == ready_check::kind::http || check.what == ready_check::kind::tcp) && !has_port) {
    bad_ready(text, "an http or tcp check needs the server's port; give --port auto or --port N");
  }
  return check;
}

std::string describe(const ready_check& check, int port) {
  switch (check.what) {
    case ready_check::kind::http: return fmt::format("http GET http://127.0.0.1:{}{} -> {}", port, check.path, check.status);
    case ready_check::kind::tcp: return fmt::format("tcp connect to 127.0.0.1:{}", port);
    case ready_check::kind::log: return fmt::format("log line matching /{}/", check.pattern);
    case ready_check::kind::none: break;
  }
  return "none (ready once started)";
}

std::string probe(const ready_check& check, int port, const std::vector<std::filesystem::path>& logs) {
  switch (check.what) {
    case ready_check::kind::http: return probe_http(check, port);
    case ready_check::kind::tcp: {
      auto [fd, error] = connect_loopback(port);
      return fd ? "" : fmt::format("connecting to 127.0.0.1:{}: {}", port, exec::detail::error_text(error));
    }
    case ready_check::kind::log: return probe_log(check, logs);
    case ready_check::kind::none: break;
  }
  return "";
}

int free_loopback_port() {
  exec::unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) exec::detail::throw_errno("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    exec::detail::throw_errno("bind 127.0.0.1:0");
  }
  socklen_t size = sizeof address;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) exec::detail::throw_errno("getsockname");
  return ntohs(address.sin_port);
}

std::string last_lines(const std::filesystem::path& file, int count) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "  (cannot be read)\n";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff start = size > 8192 ? size - 8192 : 0;
  in.seekg(start);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> lines;
  std::istringstream split(text);
  for (std::string line; std::getline(split, line);) lines.push_back(line);
  if (start > 0 && !lines.empty()) lines.erase(lines.begin());  // a partial first line
  if (lines.empty()) return "  (empty)\n";
  std::string out;
  const std::size_t first = lines.size() > static_cast<std::size_t>(count) ? lines.size() - count : 0;
  for (std::size_t i = first; i < lines.size(); ++i) out += "  | " + terminal_safe(lines[i]) + "\n";
  return out;
}

}  // namespace perfcheck::cli
