// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/store/history_store.hpp"

#include <chrono>

#include <boost/json.hpp>
#include <boost/uuid/name_generator_sha1.hpp>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "perfcheck/model/timestamp.hpp"

namespace perfcheck::store {
namespace {

// The namespace of perfcheck's result UUIDs (RFC 4122 section 4.3): a fixed random UUID, so
// keys are the same on every machine and in every version.
const boost::uuids::uuid& result_namespace() {
  static const boost::uuids::uuid ns =
      boost::uuids::string_generator()("5b0d6c3e-2f4a-4f7e-9a51-3c8e1d7b2a90");
  return ns;
}

}  // namespace

std::string result_key(const run_result& result) {
  const std::string text = boost::json::serialize(result_to_json(result));
  boost::uuids::name_generator_sha1 generate(result_namespace());
  return boost::uuids::to_string(generate(text.data(), text.size()));
}

stored_result stored_result_for(const run_result& result) {
  return {result_key(result), rfc3339(std::chrono::system_clock::now()), result};
}

bool history_store::record(const run_result& result) {
  const stored_result entry = stored_result_for(result);
  return add(std::span<const stored_result>(&entry, 1)) == 1;
}

}  // namespace perfcheck::store
