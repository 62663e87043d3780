// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/environment.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "perfcheck/model/hash.hpp"
#include "perfcheck/version.hpp"

namespace perfcheck::run {
namespace {

std::string first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// What does not change while perfcheck runs: the CPU, the kernel and the host.
environment_info read_machine() {
  environment_info env;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.starts_with("model name")) {
      if (const auto colon = line.find(':'); colon != std::string::npos) {
        env.cpu_model = line.substr(line.find_first_not_of(' ', colon + 1));
      }
      break;
    }
  }
  env.cpu_count = static_cast<int>(std::thread::hardware_concurrency());
  utsname u{};
  if (::uname(&u) == 0) {
    env.kernel = fmt::format("{} {} {}", u.sysname, u.release, u.machine);
    env.hostname = u.nodename;
  }
  env.perfcheck_version = perfcheck::version;
  env.build_type = perfcheck::build_type;
  return env;
}

}  // namespace

environment_info collect_environment() {
  static const environment_info machine = read_machine();  // read once per process
  environment_info env = machine;
  double load[1] = {0};
  if (::getloadavg(load, 1) == 1) env.load_average_1m = load[0];
  // Fresh: a SETUP hook may set the governor.
  env.governor = first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  return env;
}

std::string machine_fingerprint(const environment_info& env) {
  // A fleet names its kinds of runner: the same class, the same baselines, whichever host.
  if (const char* named = std::getenv(machine_class_variable); named != nullptr && *named != '\0') {
    std::string out;
    for (const char c : std::string_view(named).substr(0, 64)) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
      out += ok ? c : '_';
    }
    return out;
  }
  const std::string release = env.kernel.substr(0, env.kernel.find(' ', env.kernel.find(' ') + 1));
  return fmt::format("{:016x}", fnv1a64(fmt::format("{}\n{}\n{}\n{}", env.cpu_model, env.cpu_count,
                                                   release, env.hostname)));
}

std::string safe_file_stem(const std::string& name) {
  std::string out;
  bool replaced = false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    out += ok ? c : '_';
    replaced = replaced || !ok;
  }
  if (out.empty() || out.front() == '.') {
    out.insert(out.begin(), '_');
    replaced = true;
  }
  if (out.size() > 100) {
    out.resize(100);
    replaced = true;
  }
  if (replaced) out += fmt::format("-{:08x}", fnv1a64(name) & 0xffffffffULL);
  return out;
}

namespace {

// Warn when the 1-minute load average passes this share of the CPUs.
constexpr double busy_load_per_cpu = 0.75;

}  // namespace

std::vector<std::string> machine_warnings(const environment_info& env) {
  std::vector<std::string> out;
  if (env.cpu_count > 0 && env.load_average_1m > busy_load_per_cpu * env.cpu_count) {
    out.push_back(fmt::format(
        "the machine was busy before the test: 1-minute load average {:.2f} on {} CPU{}; other work "
        "competes for the CPUs and makes the figures slower and noisier; run on a quieter machine "
        "(or pin the command with --cpus)",
        env.load_average_1m, env.cpu_count, env.cpu_count == 1 ? "" : "s"));
  }
  if (!env.governor.empty() && env.governor != "performance") {
    out.push_back(fmt::format(
        "the CPU frequency governor is '{}', not 'performance': clock speeds follow the load, so "
        "the figures vary; for steadier ones run 'cpupower frequency-set -g performance'",
        env.governor));
  }
  return out;
}

}  // namespace perfcheck::run
