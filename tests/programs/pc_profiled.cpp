// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A program with known hot functions, for the PROFILE tests: steady_work<int&> does a fixed
// amount of work, busy_loop N times a fixed round (`--busy N`, default 1). Its template name
// carries '<' and '&' into the profiles, which must reach the SVG escaped.
#include <cstdint>
#include <cstdlib>
#include <cstring>

static volatile std::uint64_t sink;

template <class T>
[[gnu::noinline]] static void steady_work(T count) {
  for (long i = 0; i < count; ++i) sink = sink + static_cast<std::uint64_t>(i) * 3;
}

[[gnu::noinline]] static void busy_loop(long rounds) {
  for (long r = 0; r < rounds; ++r) {
    for (long i = 0; i < 5000000; ++i) sink = sink + static_cast<std::uint64_t>(i ^ r);
  }
}

int main(int argc, char** argv) {
  long rounds = 1;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--busy") == 0) rounds = std::atol(argv[i + 1]);
  }
  int steady = 40000000;
  steady_work<int&>(steady);
  busy_loop(rounds);
  return 0;
}
