// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Example workload: sorts N pseudo-random 64-bit numbers and checks the order.
// Usage: sort_numbers [count]   (default 1000000); SORT_SEED sets the seed (default 42).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

int main(int argc, char** argv) {
  const long count = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1000000;
  if (count <= 0) {
    std::fprintf(stderr, "usage: sort_numbers [count > 0]\n");
    return 2;
  }
  const char* seed_text = std::getenv("SORT_SEED");
  std::mt19937_64 rng(seed_text != nullptr ? std::strtoull(seed_text, nullptr, 10) : 42);
  std::vector<std::uint64_t> numbers(static_cast<std::size_t>(count));
  for (auto& n : numbers) n = rng();
  std::sort(numbers.begin(), numbers.end());
  if (!std::is_sorted(numbers.begin(), numbers.end())) return 1;
  std::printf("sorted %ld numbers: %llu ... %llu\n", count,
              static_cast<unsigned long long>(numbers.front()),
              static_cast<unsigned long long>(numbers.back()));
  return 0;
}
