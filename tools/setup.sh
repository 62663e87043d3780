#!/usr/bin/env bash
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# Installs what perfcheck needs to build, test and write reports on Debian 12.
# Idempotent: packages already present are skipped; safe to run twice.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  # libraries (Boost.JSON, Boost.Test, Boost.Math; CLI11; fmt; SQLite)
  libboost-json1.81-dev libboost-test1.81-dev libboost-math1.81-dev
  libcli11-dev libfmt-dev libsqlite3-dev sqlite3
  # reports and the peers used by tests and benchmarks
  gnuplot-nox hyperfine python3
  # the HTTP load client that the server tests and the demo drive (CLIENT wrk)
  wrk
  # Google Benchmark: the ingest and compare tests run a real benchmark program
  libbenchmark-dev
  # report templates (auto-escaping) and the headless browser that checks reports
  libctemplate-dev chromium
  # COUNT instructions where there are no hardware counters (docs/instructions.md); perf for
  # machines that have them (linux-perf)
  valgrind linux-perf
  # the PostgreSQL history: its client library, and the server that its tests start of their own
  # (tests/pg/pg_server.py: initdb, pg_ctl)
  postgresql-15 libpq-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
