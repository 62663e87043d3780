# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# The command of the perf_accept target (PerfCheckSession.cmake), run with -P when it builds:
#   cmake -DPERFCHECK=<perfcheck> -DHISTORY=<file> [-DTESTS=<names>] [-DSESSION=<id>]
#         -P PerfCheckAccept.cmake
# The environment variables PERFCHECK_ACCEPT_TESTS (names separated by ';' or ',') and
# PERFCHECK_ACCEPT_SESSION, when set, take the place of TESTS and SESSION (the cache variables
# of the same names), so that no re-configure is needed. Runs `perfcheck history accept` with
# an argument list (no shell) and fails the build with its message and exit code.
cmake_minimum_required(VERSION 3.25)
if(DEFINED ENV{PERFCHECK_ACCEPT_TESTS})
  set(TESTS "$ENV{PERFCHECK_ACCEPT_TESTS}")
endif()
if(DEFINED ENV{PERFCHECK_ACCEPT_SESSION})
  set(SESSION "$ENV{PERFCHECK_ACCEPT_SESSION}")
endif()
string(REPLACE "," ";" TESTS "${TESTS}")
list(REMOVE_ITEM TESTS "")
if(NOT TESTS)
  message(FATAL_ERROR "perf_accept: no tests to accept; name them, e.g.\n"
    "  PERFCHECK_ACCEPT_TESTS=parse_big_json cmake --build <build> --target perf_accept\n"
    "or configure with -DPERFCHECK_ACCEPT_TESTS=parse_big_json")
endif()
set(args history accept ${TESTS} --history "${HISTORY}")
if(NOT "${SESSION}" STREQUAL "")
  list(APPEND args --session "${SESSION}")
endif()
execute_process(COMMAND "${PERFCHECK}" ${args} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "perf_accept: 'perfcheck history accept' failed (exit ${status}); see above")
endif()
