// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Example workload: allocates N MiB and writes one byte per page, so all of it becomes
// resident (peak RSS is about N MiB).
// Usage: touch_memory [mebibytes]   (default 64)
#include <cstdio>
#include <cstdlib>
#include <memory>

int main(int argc, char** argv) {
  const long mebibytes = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 64;
  if (mebibytes <= 0 || mebibytes > 4096) {
    std::fprintf(stderr, "usage: touch_memory [mebibytes 1..4096]\n");
    return 2;
  }
  const std::size_t size = static_cast<std::size_t>(mebibytes) << 20;
  const std::size_t page = 4096;
  auto block = std::make_unique_for_overwrite<unsigned char[]>(size);  // untouched until the loop
  unsigned sum = 0;
  for (std::size_t i = 0; i < size; i += page) {
    block[i] = static_cast<unsigned char>(i / page);
    sum += block[i];
  }
  std::printf("touched %ld MiB (checksum %u)\n", mebibytes, sum);
  return 0;
}
