// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Example workload: generates a JSON document of N records (seeded, so every run does the
// same work), parses it back with Boost.JSON and sums one field.
// Usage: json_parse [records]   (default 50000)
// Under perfcheck it reports the parse alone through the metric channel (docs/metrics.md): the
// generation before it is not what the test is about.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <boost/json.hpp>

#include <perfcheck/metrics.h>

int main(int argc, char** argv) {
  const long records = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 50000;
  if (records <= 0) {
    std::fprintf(stderr, "usage: json_parse [records > 0]\n");
    return 2;
  }
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> price(1, 100000);
  boost::json::array items;
  items.reserve(static_cast<std::size_t>(records));
  for (long i = 0; i < records; ++i) {
    items.push_back({{"id", i},
                     {"name", "item-" + std::to_string(i)},
                     {"price_cents", price(rng)},
                     {"tags", {"example", i % 2 ? "odd" : "even"}}});
  }
  const std::string text = boost::json::serialize(boost::json::object{{"items", std::move(items)}});

  const auto start = std::chrono::steady_clock::now();
  const boost::json::value doc = boost::json::parse(text);
  const std::chrono::duration<double, std::milli> parsed = std::chrono::steady_clock::now() - start;
  perfcheck_report("parse", parsed.count(), "ms");  // a no-op outside perfcheck
  long long total = 0;
  for (const auto& item : doc.at("items").as_array()) total += item.at("price_cents").as_int64();
  std::printf("%ld records, %zu bytes, total %lld cents\n", records, text.size(), total);
  return 0;
}
