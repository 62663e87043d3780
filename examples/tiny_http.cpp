// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// tiny_http --port N: a small HTTP/1.1 server on 127.0.0.1 for the demo's server under test, one
// thread per connection, keep-alive. GET /health answers "ok"; GET /sum?n=K the sum 1 + ... + K
// (a little work per request, K at most 10^7); any other path "hello". Prints "listening on
// 127.0.0.1:PORT" once it accepts connections; SIGTERM ends it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

namespace {

// The response to one request line "GET <path> HTTP/1.1".
std::string respond(std::string_view request_line) {
  const auto start = request_line.find(' ');
  const auto end = request_line.find(' ', start + 1);
  const std::string_view path = start == std::string_view::npos ? "" : request_line.substr(start + 1, end - start - 1);
  std::string status = "200 OK", body = "hello\n";
  if (path == "/health") {
    body = "ok\n";
  } else if (path.starts_with("/sum?n=")) {
    long long n = 0;
    const auto digits = path.substr(7);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || n < 0 || n > 10'000'000) {
      status = "400 Bad Request";
      body = "n: a whole number from 0 to 10000000\n";
    } else {
      volatile long long sum = 0;  // the work: not folded into a formula by the compiler
      for (long long i = 1; i <= n; ++i) sum = sum + i;
      body = std::to_string(sum) + "\n";
    }
  } else if (!request_line.starts_with("GET ")) {
    status = "405 Method Not Allowed";
    body = "GET only\n";
  }
  return "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

// Serves one connection until the client closes it (requests without bodies, pipelining kept).
void serve(int fd) {
  std::string buffer;
  char chunk[4096];
  for (;;) {
    const auto header_end = buffer.find("\r\n\r\n");
    if (header_end == std::string::npos) {
      const ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n <= 0 || buffer.size() > 65536) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    const std::string head = buffer.substr(0, header_end);
    buffer.erase(0, header_end + 4);
    const std::string reply = respond(std::string_view(head).substr(0, head.find("\r\n")));
    if (::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(reply.size())) break;
    if (head.find("Connection: close") != std::string::npos) break;
  }
  ::close(fd);
}

int port_from(int argc, char** argv) {
  const char* text = std::getenv("PERFCHECK_SERVER_PORT");
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0) text = argv[i + 1];
  }
  const int port = text ? std::atoi(text) : 0;
  if (port <= 0 || port > 65535) {
    std::fprintf(stderr, "tiny_http: give the port with --port N (1-65535) or PERFCHECK_SERVER_PORT\n");
    std::exit(2);
  }
  return port;
}

}  // namespace

int main(int argc, char** argv) {
  const int port = port_from(argc, argv);
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int on = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 128) != 0) {
    std::fprintf(stderr, "tiny_http: cannot listen on 127.0.0.1:%d: %s\n", port, std::strerror(errno));
    return 1;
  }
  std::printf("listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  for (;;) {
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) std::thread(serve, fd).detach();
  }
}
