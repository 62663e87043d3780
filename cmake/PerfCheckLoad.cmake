# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# add_perf_test(... LOAD ...): a test whose workload is the built-in load generator, run as
# `perfcheck load` against a server under test (docs/load.md). Included by PerfCheck.cmake;
# the keyword's reference is in its rst block.

# The keywords a LOAD test takes besides NAME and LOAD (the others shape a command's runs).
set(_PERFCHECK_LOAD_KEYWORDS SERVER THRESHOLDS LABELS FIXTURES_REQUIRED PROPERTIES PARALLEL)

# Registers the LOAD test of the caller's arg_* variables: `perfcheck load` with the LOAD options,
# --server and its state folder (so {port} in --url is the server's port), the THRESHOLDS, the
# results folder and the history, under the session fixture like every perf test.
function(_perfcheck_load_test)
  set(call "add_perf_test(NAME ${arg_NAME})")
  if(NOT arg_NAME)
    message(FATAL_ERROR "add_perf_test: NAME is missing; write add_perf_test(NAME my_test SERVER api LOAD --url ...)")
  endif()
  foreach(keyword IN ITEMS COMMAND RUNS WARMUP MIN_TIME DURATION CONCURRENCY PARAMETERS REGRESSION BASELINE
      BASELINE_COMMAND SETUP PREPARE CLEANUP LIMITS METRICS ENVIRONMENT WORKING_DIRECTORY CLIENT)
    if(DEFINED arg_${keyword})
      list(JOIN _PERFCHECK_LOAD_KEYWORDS ", " allowed)
      message(FATAL_ERROR "${call}: ${keyword} does not go with LOAD, whose options say what is sent and for "
        "how long (--rate, --connections, --duration, --requests; docs/load.md); a LOAD test takes ${allowed}.")
    endif()
  endforeach()
  if(NOT "--url" IN_LIST arg_LOAD)
    message(FATAL_ERROR "${call}: LOAD needs --url, e.g. LOAD --url http://127.0.0.1:{port}/ --rate 100/s --duration 10s")
  endif()
  set(command PerfCheck::perfcheck load --name "${arg_NAME}" --output-dir "${PERFCHECK_RESULTS_DIR}")
  if(DEFINED arg_SERVER)
    _perfcheck_server_of("${call}" "${arg_SERVER}" server_fixture server_state_dir)
    list(APPEND arg_FIXTURES_REQUIRED "${server_fixture}")
    list(APPEND command --server "${arg_SERVER}" --server-state-dir "${server_state_dir}")
  endif()
  if(NOT PERFCHECK_HISTORY STREQUAL "")
    list(APPEND command --history "${PERFCHECK_HISTORY}")
  endif()
  foreach(threshold IN LISTS arg_THRESHOLDS)
    list(APPEND command --threshold "${threshold}")
  endforeach()
  # A load run is bounded by its own --duration or --requests and --timeout; CTest's default
  # TIMEOUT is the last resort (PROPERTIES TIMEOUT overrides it).
  _perfcheck_register("" 600 ${command} ${arg_LOAD})
endfunction()
