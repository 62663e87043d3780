// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include <dlfcn.h>

#include <mutex>
#include <string>

#include <fmt/format.h>

#include "perfcheck/store/history_store.hpp"
#include "perfcheck/store/pg_library.hpp"

namespace perfcheck::store::detail {
namespace {

struct loaded {
  libpq_api api;
  std::string problem;  // "" when every function was found
};

loaded load() {
  loaded out;
  void* handle = nullptr;
  for (const char* name : {"libpq.so.5", "libpq.so"}) {
    if ((handle = ::dlopen(name, RTLD_NOW | RTLD_LOCAL)) != nullptr) break;
  }
  if (handle == nullptr) {
    const char* why = ::dlerror();
    out.problem = why != nullptr ? why : "libpq.so.5 not found";
    return out;
  }
#define PERFCHECK_LIBPQ_LOAD(name)                                                  \
  out.api.name = reinterpret_cast<decltype(out.api.name)>(::dlsym(handle, #name)); \
  if (out.api.name == nullptr && out.problem.empty()) out.problem = "libpq has no " #name;
  PERFCHECK_LIBPQ_FUNCTIONS(PERFCHECK_LIBPQ_LOAD)
#undef PERFCHECK_LIBPQ_LOAD
  return out;
}

}  // namespace

const libpq_api& libpq(const std::string& location) {
  static const loaded library = load();  // thread-safe, once; never unloaded
  if (!library.problem.empty()) {
    throw history_error(fmt::format("history {}: cannot load the PostgreSQL client library ({}); install "
                                    "it (Debian: apt-get install libpq5), or give an SQLite file",
                                    location, library.problem),
                        true);
  }
  return library.api;
}

}  // namespace perfcheck::store::detail
